#!/bin/sh
# The harness's end-to-end tests: switchbench run as a user runs it.
#   harness_test.sh CASE SWITCHBENCH HARNESS_CHECK FAKE_PEER [ARGS...]
# Cases: expect2 ARGS... (bad input: exit 2, one line on stderr), smoke,
# watchdog, resume, onecore, peers, version. Timings are never asserted.
set -u
case_name=$1
sb=$2
check=$3
fake_peer=$4
shift 4
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sb-harness-test-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# A run killed with SIGKILL cannot clean its temporary files: keep them here.
export TMPDIR="$tmp"

die() {
  echo "FAIL: $*" >&2
  exit 1
}

# Runs a check on a results file; fails the test when it does not hold.
expect() {
  "$check" "$@" || die "check failed: $*"
}

case "$case_name" in
expect2)
  "$sb" "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  [ "$rc" -eq 2 ] || die "exit $rc, want 2, for: switchbench $*"
  lines=$(wc -l <"$tmp/err")
  [ "$lines" -eq 1 ] || die "want one line on stderr, got $lines: $(cat "$tmp/err")"
  grep -q . "$tmp/err" || die "empty message"
  echo "ok: $(cat "$tmp/err")"
  ;;

smoke)
  # Every cell once, tiny sizes (one iteration of the first quick set).
  "$sb" run --smoke --no-peers --timeout 60 --out "$tmp/smoke.json" ||
    die "switchbench run --smoke failed"
  expect "$tmp/smoke.json" complete 1
  expect "$tmp/smoke.json" all-ok
  expect "$tmp/smoke.json" schema
  ;;

watchdog)
  # One floor cell never finishes, one crashes: both are recorded and the
  # matrix goes on to finish the others.
  SB_TEST_HANG=floor/futex/same-core SB_TEST_CRASH=floor/pipe/same-core \
    "$sb" run --workload floor --smoke --timeout 2 --out "$tmp/w.json" \
    >/dev/null 2>"$tmp/err"
  rc=$?
  [ "$rc" -eq 1 ] || die "exit $rc, want 1 (failed cells): $(cat "$tmp/err")"
  expect "$tmp/w.json" complete 1
  expect "$tmp/w.json" status floor/futex/same-core timeout
  expect "$tmp/w.json" status floor/pipe/same-core crashed
  expect "$tmp/w.json" entries floor/futex/same-core 0
  expect "$tmp/w.json" status floor/sched_yield/same-core ok
  expect "$tmp/w.json" entries floor/sched_yield/same-core 1
  # --retry-failed runs the timed-out and the crashed cell again (now
  # healthy) and keeps the rest as they were.
  "$sb" run --resume "$tmp/w.json" --retry-failed --timeout 30 --no-plots \
    >/dev/null 2>"$tmp/err" || die "retry failed: $(cat "$tmp/err")"
  expect "$tmp/w.json" complete 1
  expect "$tmp/w.json" status floor/futex/same-core ok
  expect "$tmp/w.json" status floor/pipe/same-core ok
  expect "$tmp/w.json" entries floor/futex/same-core 1
  expect "$tmp/w.json" entries floor/sched_yield/same-core 1
  ;;

resume)
  # Interrupt a run while a cell hangs (SIGINT, then SIGKILL on a second
  # run), and finish each with --resume: finished cells are kept, not rerun.
  for sig in INT KILL; do
    f="$tmp/r-$sig.json"
    SB_TEST_HANG=floor/pipe/same-core "$sb" run --workload floor \
      --repetitions 2 --smoke --timeout 600 --out "$f" \
      >/dev/null 2>"$tmp/err-$sig" &
    pid=$!
    i=0
    until [ -f "$f" ] && "$check" "$f" done 2 2>/dev/null; do
      i=$((i + 1))
      [ $i -lt 600 ] || die "the run never got to its third cell"
      sleep 0.1
    done
    sleep 0.3 # the hanging cell is running now
    kill -s $sig $pid
    wait $pid
    rc=$?
    if [ $sig = INT ]; then
      [ $rc -eq 130 ] || die "exit $rc after SIGINT, want 130"
      grep -q "resume" "$tmp/err-$sig" || die "no resume hint after SIGINT"
    fi
    expect "$f" complete 0
    expect "$f" status floor/futex/same-core ok
    expect "$f" status floor/pipe/same-core pending
    expect "$f" entries floor/futex/same-core 6
    # Resumed as a file from before cells recorded their headline: the
    # finished file records it (RESULTS.md, "Older files").
    if [ $sig = KILL ]; then
      expect "$f" strip headline
      expect "$f" strip headline_unit
    fi
    "$sb" run --resume "$f" --timeout 60 >/dev/null 2>"$tmp/resume-$sig" ||
      die "resume failed: $(cat "$tmp/resume-$sig")"
    expect "$f" complete 1
    expect "$f" all-ok
    expect "$f" schema
    expect "$f" field floor/pipe/same-core headline ns_per_op
    expect "$f" entries floor/futex/same-core 6
    expect "$f" entries floor/pipe/same-core 6
    "$sb" run --resume "$f" >/dev/null 2>&1
    [ $? -eq 2 ] || die "resuming a complete run must exit 2"
  done
  ;;

onecore)
  # On a machine with one core the cross-core floor cells are skipped with
  # the reason (a synthetic one-core topology stands in for such a machine).
  HWLOC_SYNTHETIC="pack:1 core:1 pu:1" HWLOC_THISSYSTEM=1 \
    "$sb" run --workload floor --smoke --out "$tmp/one.json" \
    >/dev/null 2>"$tmp/err" || die "one-core run failed: $(cat "$tmp/err")"
  expect "$tmp/one.json" status floor/futex/cross-core skipped
  expect "$tmp/one.json" status floor/pipe/cross-core skipped
  expect "$tmp/one.json" status floor/futex/same-core ok
  ;;

peers)
  # A fake peer stands in for the Rust binary: its cells get the same
  # aggregates and a checked checksum; a wrong checksum fails the cell.
  export SB_PEER_RUST="$fake_peer" SB_PEER_GO="$tmp/no-such-peer"
  "$sb" run --workload pingpong --runtime tokio-ct --param n=1000 --quick \
    --no-plots --out "$tmp/p.json" >/dev/null 2>"$tmp/err" ||
    die "peer run failed: $(cat "$tmp/err")"
  expect "$tmp/p.json" status pingpong/tokio-ct/n:1000 ok
  expect "$tmp/p.json" entries pingpong/tokio-ct/n:1000 7
  expect "$tmp/p.json" aggregates pingpong/tokio-ct/n:1000
  FAKE_PEER_BAD=1 "$sb" run --workload pingpong --runtime tokio-ct \
    --param n=1000 --quick --no-plots --out "$tmp/bad.json" \
    >/dev/null 2>&1
  expect "$tmp/bad.json" status pingpong/tokio-ct/n:1000 failed
  # A peer that cannot run the cell here exits 77: skipped, with its reason.
  FAKE_PEER_SKIP=1 "$sb" run --workload pingpong --runtime tokio-ct \
    --param n=1000 --quick --no-plots --out "$tmp/skip.json" \
    >/dev/null 2>&1
  expect "$tmp/skip.json" status pingpong/tokio-ct/n:1000 skipped
  # The settings reach every peer (min time, repetitions, warm-up, workers,
  # the CPU list) and every cell records them; runtimes whose workers follow
  # --workers run once per value; the thread model runs confined to one
  # CPU (the peer's process too); each cell says what one task is.
  log="$tmp/peer.log"
  FAKE_PEER_LOG="$log" "$sb" run --workload pingpong,spawn \
    --runtime tokio-ct,tokio-mt,std-thread,threads --param n=100 --quick \
    --workers 1,2 --pin compact --repetitions 2 --min-time 0.01 --no-plots \
    --out "$tmp/set.json" >/dev/null 2>"$tmp/err" ||
    die "settings run failed: $(cat "$tmp/err")"
  expect "$tmp/set.json" all-ok
  expect "$tmp/set.json" schema
  grep -q -- "--workload pingpong --runtime tokio-ct --workers 1 --reps 2 --min-time 0.01 --warmup 1 --cpus 0 --param n=100" "$log" ||
    die "settings did not reach the peer: $(cat "$log")"
  expect "$tmp/set.json" status spawn/tokio-mt/n:100/workers:1 ok
  expect "$tmp/set.json" status spawn/tokio-mt/n:100/workers:2 ok
  expect "$tmp/set.json" field spawn/tokio-mt/n:100/workers:2 workers 2
  grep -q -- "--runtime tokio-mt --workers 2 .* --cpus 0,1 " "$log" ||
    die "no two-worker run with its CPU list: $(cat "$log")"
  expect "$tmp/set.json" status pingpong/tokio-ct/n:100 ok
  expect "$tmp/set.json" field pingpong/tokio-ct/n:100 min_time 0.01
  expect "$tmp/set.json" field pingpong/tokio-ct/n:100 repetitions 2
  expect "$tmp/set.json" field pingpong/tokio-ct/n:100 warmup 1
  expect "$tmp/set.json" field pingpong/tokio-ct/n:100 pin compact
  expect "$tmp/set.json" field pingpong/tokio-ct/n:100 cpus "[0]"
  expect "$tmp/set.json" field pingpong/tokio-ct/n:100 primitive spawn+join
  for rt in threads std-thread; do
    expect "$tmp/set.json" status pingpong/$rt/n:100/cpus:1 ok
    expect "$tmp/set.json" field pingpong/$rt/n:100/cpus:1 cpus "[0]"
  done
  grep -q -- "--runtime std-thread .*--cpus 0 --param n=100 \[allowed 0\]" "$log" ||
    die "the confined peer ran elsewhere: $(cat "$log")"
  # Primitives from the peer's list; an old two-column list means spawn+join.
  "$sb" run --workload fib --runtime rayon,serial-rust,serial --param n=20 \
    --param cutoff=5 --smoke --peers --out "$tmp/fib.json" >/dev/null 2>&1 ||
    die "fib run failed"
  expect "$tmp/fib.json" field fib/rayon/n:20/cutoff:5 primitive join
  expect "$tmp/fib.json" field fib/serial-rust/n:20/cutoff:5 primitive serial
  expect "$tmp/fib.json" field fib/serial/n:20/cutoff:5 primitive serial
  expect "$tmp/fib.json" all-ok
  expect "$tmp/fib.json" schema
  FAKE_PEER_OLD=1 "$sb" run --workload fib --runtime rayon --param n=20 \
    --param cutoff=5 --smoke --peers --out "$tmp/old.json" >/dev/null 2>&1 ||
    die "old peer run failed"
  expect "$tmp/old.json" field fib/rayon/n:20/cutoff:5 primitive spawn+join
  # A peer server that cannot serve here declines (77): skipped, its reason.
  FAKE_SERVE_BAD=skip "$sb" run --workload echo --runtime tokio-ct \
    --param c=2 --param r=2 --param b=8 --smoke --peers \
    --out "$tmp/serve.json" >/dev/null 2>&1
  expect "$tmp/serve.json" status echo/tokio-ct/c:2/b:8/r:2 skipped
  expect "$tmp/serve.json" reason echo/tokio-ct/c:2/b:8/r:2 "declines to serve"
  expect "$tmp/serve.json" schema
  # No peer binary at all: one line saying so, and the C cells still run.
  export SB_PEER_RUST="$tmp/no-such-peer"
  "$sb" run --workload floor --smoke --peers --out "$tmp/none.json" \
    >/dev/null 2>"$tmp/err" || die "run without peers failed"
  [ "$(grep -c '^peers skipped: ' "$tmp/err")" -eq 1 ] ||
    die "want one 'peers skipped' line: $(cat "$tmp/err")"
  ;;

version)
  # One line: the version and the commit (12 hex digits, -dirty when the
  # tree differed, "unknown" outside git), the commit every result records.
  v=$("$sb" --version) || die "switchbench --version failed"
  echo "$v" | grep -Eq '^switchbench [0-9]+\.[0-9]+\.[0-9]+ \(commit ([0-9a-f]{12}(-dirty)?|unknown)\)$' ||
    die "unexpected --version: $v"
  "$sb" run --workload floor --smoke --out "$tmp/v.json" >/dev/null 2>&1 ||
    die "floor run failed"
  commit=$(echo "$v" | sed 's/.*(commit \(.*\))$/\1/')
  expect "$tmp/v.json" schema
  "$check" "$tmp/v.json" context git_commit "$commit" ||
    die "the results record another commit than --version says ($commit)"
  # Every command's --help: the usage on stdout, exit 0, nothing run.
  for c in list run plot report compare merge; do
    "$sb" "$c" --help >"$tmp/help" 2>&1 || die "switchbench $c --help failed"
    grep -q '^usage: switchbench COMMAND' "$tmp/help" ||
      die "switchbench $c --help: no usage: $(cat "$tmp/help")"
  done
  ;;

*)
  die "unknown case $case_name"
  ;;
esac
exit 0
