#!/bin/bash
# The open-loop generator beside a real client (issue 14): wrk and our
# generator's HTTP mode each drive `switchbench serve http` lightly (wrk:
# one connection, closed loop; ours: one connection at RATE/s, open loop)
# and each must report a p50. The two are printed for the reader; no ratio
# is asserted (no timing in tests).
# Usage: wrk_check.sh SWITCHBENCH LOADGEN_HTTP RUNTIME   (77 = skipped)
set -u
bin=$1 gen=$2 rt=$3 rate=1000
if ! command -v wrk >/dev/null 2>&1; then
  echo "skipped: wrk is not installed (apt-get install wrk)"
  exit 77
fi
dir=$(mktemp -d) || exit 1
pid=
cleanup() {
  if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null; fi
  rm -rf "$dir"
}
trap cleanup EXIT
fail() {
  echo "FAIL ($rt): $*"
  for f in "$dir"/*; do echo "--- $f"; cat "$f"; done
  exit 1
}
"$bin" serve http --runtime "$rt" --port 0 >"$dir/serve.out" 2>"$dir/serve.err" &
pid=$!
port=
for _ in $(seq 100); do
  port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' \
    "$dir/serve.out")
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || fail "serve http exited before listening"
  sleep 0.1
done
[ -n "$port" ] || fail "serve http printed no port within 10 s"

wrk -t1 -c1 -d1s --latency "http://127.0.0.1:$port/" >"$dir/wrk.out" 2>&1 ||
  fail "wrk failed"
wrk_p50=$(awk '$1 == "50%" { print $2 }' "$dir/wrk.out")
[ -n "$wrk_p50" ] || fail "wrk reported no p50"
"$gen" "$port" "$rate" 1 >"$dir/gen.out" 2>&1 || fail "our generator failed"
gen_p50=$(awk '{ print $2 }' "$dir/gen.out")
[ -n "$gen_p50" ] && [ "$gen_p50" -gt 0 ] || fail "our generator: no p50"
echo "serve http --runtime $rt: wrk (closed loop, 1 connection) p50 $wrk_p50;" \
  "switchbench open loop at $rate/s, 1 connection: $(cat "$dir/gen.out")"
kill -INT "$pid"
wait "$pid"
pid=
exit 0
