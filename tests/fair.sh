#!/bin/sh
# The fairness test (ctest label fair): tiny parameters of every workload on
# every side present, C runtimes and every peer runtime found, checked by
# fair_check (structure, never timing): equal work, per-repetition counters,
# the settings that reached every side, the one-thread timers pitfall, and
# the peers' echo servers driven by the C load generator.
#   fair.sh peers SWITCHBENCH FAIR_CHECK HARNESS_CHECK SOURCE_DIR
#     with the real peers (peers/build.sh); exit 77 when one is missing
#   fair.sh fake  SWITCHBENCH FAIR_CHECK HARNESS_CHECK FAKE_PEER
#     with the fake peer (tests/fake_peer.sh), and cells it breaks on
#     purpose (wrong work, wrong server sum) must fail with the reason
set -u
mode=$1
sb=$2
fair=$3
check=$4
where=$5
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sb-fair-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export TMPDIR="$tmp"
MIN_TIME=0.02
REPS=2

die() {
  echo "FAIL: $*" >&2
  exit 1
}

case "$mode" in
peers)
  rust="$where/peers/rust/target/release/sb-peer-rust"
  go="$where/peers/go/sb-peer-go"
  for p in "$rust" "$go"; do
    if [ ! -x "$p" ]; then
      echo "skipped: no peer binary $p (build the peers: bash peers/build.sh)"
      exit 77
    fi
  done
  export SB_PEER_RUST="$rust" SB_PEER_GO="$go"
  ;;
fake)
  export SB_PEER_RUST="$where" SB_PEER_GO="$tmp/no-go-peer"
  [ -n "${FAKE_PEER_SERVE:-}" ] || die "FAKE_PEER_SERVE is not set"
  ;;
*)
  die "unknown mode $mode"
  ;;
esac

# One run per workload: --param applies to every workload that has the
# name, and n means something else in each.
failed=0
while read -r workload params; do
  out="$tmp/$workload.json"
  # shellcheck disable=SC2086 # params is a list of --param options
  "$sb" run --quick --peers --workload "$workload" $params \
    --repetitions $REPS --min-time $MIN_TIME --pin compact --timeout 120 \
    --no-plots --out "$out" >"$tmp/$workload.out" 2>"$tmp/$workload.err"
  rc=$?
  if [ ! -f "$out" ] || [ $rc -gt 1 ]; then
    echo "FAIL: $workload: switchbench run exited $rc: $(tail -1 "$tmp/$workload.err")" >&2
    failed=1
    continue
  fi
  if "$fair" "$out" $MIN_TIME $REPS; then
    echo "ok: $workload"
  else
    failed=1
  fi
done <<EOF
pingpong --param n=200
yield --param k=2 --param n=100
spawn --param n=300
fib --param n=15 --param cutoff=8
sum --param n=65536 --param chunk=4096
grain --param n=50 --param g=1000
echo --param c=4 --param b=64 --param r=20
ring --param n=4 --param laps=10
timers --param n=10
blocking --param m=2 --param cpu_ms=10
workqueue --param r=2 --param n=50 --param cap=4
files --param f=16 --param s=4 --param cold=0
million --param n=100
EOF

if [ "$mode" = fake ]; then
  # A peer whose work differs from the closed form fails, with the reason.
  FAKE_PEER_BADWORK=1 "$sb" run --quick --peers --workload pingpong \
    --runtime tokio-ct --param n=200 --repetitions 1 --min-time $MIN_TIME \
    --no-plots --out "$tmp/badwork.json" >/dev/null 2>&1
  "$check" "$tmp/badwork.json" status pingpong/tokio-ct/n:200 failed &&
    "$check" "$tmp/badwork.json" reason pingpong/tokio-ct/n:200 "work: " ||
    failed=1
  # A peer server whose counts do not match the client's fails the cell.
  FAKE_SERVE_BAD=sum "$sb" run --quick --peers --workload echo \
    --runtime tokio-ct --param c=4 --param b=64 --param r=20 \
    --repetitions 1 --min-time $MIN_TIME --no-plots \
    --out "$tmp/badserve.json" >/dev/null 2>&1
  "$check" "$tmp/badserve.json" status echo/tokio-ct/c:4/b:64/r:20 failed &&
    "$check" "$tmp/badserve.json" reason echo/tokio-ct/c:4/b:64/r:20 \
      "checksum: client" || failed=1
  FAKE_SERVE_BAD=conn "$sb" run --quick --peers --workload echo \
    --runtime tokio-ct --param c=4 --param b=64 --param r=20 \
    --repetitions 1 --min-time $MIN_TIME --no-plots \
    --out "$tmp/badconn.json" >/dev/null 2>&1
  "$check" "$tmp/badconn.json" reason echo/tokio-ct/c:4/b:64/r:20 \
    "3 connections served to EOF, expected 4" || failed=1
fi
[ $failed -eq 0 ] || die "the sides do not measure the same way (above)"
exit 0
