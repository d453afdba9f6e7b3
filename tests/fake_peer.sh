#!/bin/sh
# A fake peer binary for the harness tests, speaking the peer protocol:
# `list` prints "workload runtime" lines; `run` prints one JSON entry per
# repetition for pingpong (checksum n(n+1)/2; FAKE_PEER_BAD=1 makes it wrong,
# FAKE_PEER_SKIP=1 makes it decline the cell with exit 77).
set -eu
case "${1:-}" in
list)
  echo "pingpong tokio-ct"
  echo "no-such-workload tokio-ct"
  ;;
run)
  shift
  workload= runtime= reps=1 n=
  while [ $# -gt 0 ]; do
    case "$1" in
    --workload) workload=$2; shift 2 ;;
    --runtime) runtime=$2; shift 2 ;;
    --workers) shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --param)
      case "$2" in n=*) n=${2#n=} ;; esac
      shift 2 ;;
    *) echo "fake peer: unknown argument $1" >&2; exit 2 ;;
    esac
  done
  [ "$workload" = pingpong ] || { echo "fake peer: no $workload" >&2; exit 1; }
  if [ -n "${FAKE_PEER_SKIP:-}" ]; then
    echo "needs 99999 open files; RLIMIT_NOFILE is 1024" >&2
    exit 77
  fi
  sum=$((n * (n + 1) / 2 + ${FAKE_PEER_BAD:-0}))
  i=0
  while [ $i -lt "$reps" ]; do
    t=$((1000 + i * 10))
    printf '{"name":"%s/%s/n:%s","run_name":"%s/%s/n:%s","run_type":"iteration","repetitions":%s,"repetition_index":%s,"iterations":10,"real_time":%s.0,"cpu_time":%s.0,"time_unit":"ns","ns_per_op":%s.5,"items_per_second":1e6,"ctx_switches_per_op":0,"peak_rss_bytes":1048576,"label":"checksum=0x%016x"}\n' \
      "$workload" "$runtime" "$n" "$workload" "$runtime" "$n" "$reps" "$i" \
      "$t" "$t" "$i" "$sum"
    i=$((i + 1))
  done
  ;;
*)
  echo "usage: fake_peer.sh list|run ..." >&2
  exit 2
  ;;
esac
