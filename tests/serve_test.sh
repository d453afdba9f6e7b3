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

# start KIND: runs the server in the background, sets pid and port.
start() {
  "$bin" serve "$1" --runtime "$rt" --port 0 "${workers[@]}" \
    >"$dir/$1.out" 2>"$dir/$1.err" &
  pid=$!
  port=
  for _ in $(seq 100); do
    port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' \
      "$dir/$1.out")
    [ -n "$port" ] && return 0
    kill -0 "$pid" 2>/dev/null || fail "serve $1 exited before listening"
    sleep 0.1
  done
  fail "serve $1 printed no 'listening on 127.0.0.1:PORT' within 10 s"
}

# stop KIND: SIGINT, then it must exit 0 within 10 s.
stop() {
  kill -INT "$pid"
  for _ in $(seq 100); do
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid"
      local rc=$?
      pid=
      [ "$rc" -eq 0 ] || fail "serve $1 exited $rc after SIGINT"
      grep -q "stopped after" "$dir/$1.err" || fail "serve $1: no summary"
      return 0
    fi
    sleep 0.1
  done
  fail "serve $1 still running 10 s after SIGINT"
}

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
