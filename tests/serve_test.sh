#!/bin/bash
# `switchbench serve` under real clients: wrk drives the HTTP server (zero
# socket errors, zero non-2xx, some requests), bash's /dev/tcp checks the
# echo server; SIGINT must stop each cleanly (exit 0).
# Usage: serve_test.sh SWITCHBENCH RUNTIME [CONNECTIONS]   (77 = skipped)
set -u
bin=$1 rt=$2 conns=${3:-200}
if ! command -v wrk >/dev/null 2>&1; then
  echo "skipped: wrk is not installed (apt-get install wrk)"
  exit 77
fi
# On pool every keep-alive connection holds a blocked worker, and the accept
# loop one more: with a worker per core it would serve one connection at a
# time and starve the rest. Give it a worker per connection.
workers=()
if [ "$rt" = pool ]; then workers=(--workers $((conns + 8))); fi
. "$(dirname "$0")/serve_lib.sh"

start http
wrk -t1 -c "$conns" -d 2s --timeout 2s "http://127.0.0.1:$port/" \
  >"$dir/wrk.txt" 2>&1 || fail "wrk failed"
requests=$(sed -n 's/^ *\([0-9][0-9]*\) requests in .*/\1/p' "$dir/wrk.txt")
[ -n "$requests" ] && [ "$requests" -gt 0 ] || fail "wrk made no requests"
if grep -q "Socket errors" "$dir/wrk.txt"; then fail "socket errors"; fi
if grep -q "Non-2xx" "$dir/wrk.txt"; then fail "non-2xx responses"; fi
stop http
echo "http on $rt: $requests requests over $conns connections, no errors"

start echo
msg="hello from serve_test $$"
exec 3<>"/dev/tcp/127.0.0.1/$port" || fail "cannot connect to echo"
for round in 1 2 3; do
  printf '%s' "$msg $round" >&3
  IFS= read -r -N $((${#msg} + 2)) -t 5 reply <&3 ||
    fail "no echo in round $round"
  [ "$reply" = "$msg $round" ] || fail "echoed '$reply', sent '$msg $round'"
done
# Stop with the connection still open: the server shuts it down itself.
stop echo
IFS= read -r -t 5 rest <&3
exec 3<&-
echo "echo on $rt: 3 round trips, clean stop with a live connection"
