#!/bin/sh
# A fake peer binary for the harness tests, speaking the peer protocol
# (workloads/PROTOCOL.md 6, 7):
#   list   "workload runtime primitive" lines
#   run    --workload W --runtime R --workers N --reps K --min-time S
#          --warmup 1 [--cpus LIST] --param k=v ...: one JSON entry per
#          repetition (pingpong, spawn, fib) with the work it did
#   serve  --workload echo ... --listen-fd 3: execs $FAKE_PEER_SERVE
# FAKE_PEER_BAD=1 makes the checksum wrong, FAKE_PEER_BADWORK=1 the task
# count, FAKE_PEER_SKIP=1 declines the cell (exit 77), FAKE_PEER_OLD=1
# lists two columns as an old peer does; FAKE_PEER_LOG (a file) gets each
# command line and the CPUs the process may run on.
set -eu
log() {
  [ -n "${FAKE_PEER_LOG:-}" ] || return 0
  cpus=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/$$/status)
  echo "$* [allowed $cpus]" >>"$FAKE_PEER_LOG"
}

case "${1:-}" in
list)
  while read -r w r p; do
    if [ -n "${FAKE_PEER_OLD:-}" ]; then echo "$w $r"; else echo "$w $r $p"; fi
  done <<EOF
pingpong tokio-ct spawn+join
pingpong std-thread spawn+join
spawn tokio-mt spawn+join
fib rayon join
fib serial-rust serial
echo tokio-ct spawn+join
no-such-workload tokio-ct spawn+join
EOF
  ;;
serve)
  log "$@"
  [ -n "${FAKE_PEER_SERVE:-}" ] || { echo "fake peer: no FAKE_PEER_SERVE" >&2; exit 1; }
  exec "$FAKE_PEER_SERVE" "$@"
  ;;
run)
  log "$@"
  shift
  workload= runtime= reps= min_time= warmup= n= cutoff=
  while [ $# -gt 0 ]; do
    case "$1" in
    --workload) workload=$2; shift 2 ;;
    --runtime) runtime=$2; shift 2 ;;
    --workers | --cpus) shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --min-time) min_time=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --param)
      case "$2" in n=*) n=${2#n=} ;; cutoff=*) cutoff=${2#cutoff=} ;; esac
      shift 2 ;;
    *) echo "fake peer: unknown argument $1" >&2; exit 2 ;;
    esac
  done
  [ -n "$reps" ] && [ -n "$min_time" ] && [ "$warmup" = 1 ] ||
    { echo "fake peer: --reps, --min-time and --warmup 1 are required" >&2; exit 2; }
  if [ -n "${FAKE_PEER_SKIP:-}" ]; then
    echo "needs 99999 open files; RLIMIT_NOFILE is 1024" >&2
    exit 77
  fi
  # Enough runs of at least 1 µs each to fill the minimum time.
  iters=$(awk -v m="$min_time" 'BEGIN { i = int(m * 1e6); if (i < m * 1e6) i++;
    if (i < 1) i = 1; print i }')
  name="$workload/$runtime/n:$n"
  case "$workload" in
  pingpong)
    sum=$((n * (n + 1) / 2))
    work="\"work_tasks\":$((2 * iters)),\"work_messages\":$((2 * n * iters)),"
    ;;
  spawn)
    sum=$((n * (n - 1) / 2))
    work="\"work_tasks\":$((n * iters)),"
    ;;
  fib)
    # fib(n), and T(n) tasks: 0 at or below the cutoff, else 2 + T(n-1) + T(n-2).
    a=0 b=1 ta=0 tb=0 k=1
    while [ $k -le "$n" ]; do
      c=$((a + b)); a=$b; b=$c
      t=0; [ $k -le "$cutoff" ] || [ $k -lt 2 ] || t=$((2 + tb + ta))
      ta=$tb; tb=$t; k=$((k + 1))
    done
    sum=$a
    [ "$n" -gt 0 ] || tb=0
    work="\"work_tasks\":$((tb * iters)),"
    [ "$runtime" != serial-rust ] || work=
    name="$workload/$runtime/n:$n/cutoff:$cutoff"
    ;;
  *) echo "fake peer: no $workload" >&2; exit 1 ;;
  esac
  sum=$((sum + ${FAKE_PEER_BAD:-0}))
  [ -z "${FAKE_PEER_BADWORK:-}" ] || work="\"work_tasks\":1,"
  i=0
  while [ $i -lt "$reps" ]; do
    t=$((1000 + i * 10))
    printf '{"name":"%s","run_name":"%s","run_type":"iteration","repetitions":%s,"repetition_index":%s,"iterations":%s,"real_time":%s.0,"cpu_time":%s.0,"time_unit":"ns","ns_per_op":%s.5,"items_per_second":1e6,"ctx_switches_per_op":0,"peak_rss_bytes":1048576,%s"label":"checksum=0x%016x"}\n' \
      "$name" "$name" "$reps" "$i" "$iters" "$t" "$t" "$i" "$work" "$sum"
    i=$((i + 1))
  done
  ;;
*)
  echo "usage: fake_peer.sh list|run|serve ..." >&2
  exit 2
  ;;
esac
