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
workers=()
. "$(dirname "$0")/serve_lib.sh"
start http

wrk -t1 -c1 -d1s --latency "http://127.0.0.1:$port/" >"$dir/wrk.out" 2>&1 ||
  fail "wrk failed"
wrk_p50=$(awk '$1 == "50%" { print $2 }' "$dir/wrk.out")
[ -n "$wrk_p50" ] || fail "wrk reported no p50"
"$gen" "$port" "$rate" 1 >"$dir/gen.out" 2>&1 || fail "our generator failed"
gen_p50=$(awk '{ print $2 }' "$dir/gen.out")
[ -n "$gen_p50" ] && [ "$gen_p50" -gt 0 ] || fail "our generator: no p50"
echo "serve http --runtime $rt: wrk (closed loop, 1 connection) p50 $wrk_p50;" \
  "switchbench open loop at $rate/s, 1 connection: $(cat "$dir/gen.out")"
stop http
