# Shared by serve_test.sh and wrk_check.sh (sourced): a scratch dir, the
# server's pid killed on exit, fail (prints the logs), start KIND (runs
# `$bin serve KIND --runtime $rt --port 0 ${workers[@]}`, sets pid and port)
# and stop KIND (SIGINT, must exit 0 with its summary). The sourcing script
# sets bin, rt and workers (an array, maybe empty).
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

