#!/bin/bash
# bench/notify.sh [BUILD] [K...]: cell-agent under load. K containers
# (1 10 100 by default) run at once, each calling a NOTIFY syscall in a loop
# for BENCH_SECS seconds (default 2; bench/notify-loop, bind-mounted in):
# getpid with the agent's `continue` handler, then mknodat of /dev/null's
# numbers with its `mknod` handler. Prints notifications per second (all
# calls / wall time from the first start to the last exit), the median of
# the containers' p50 latencies and the largest of their p99s, the agent's
# CPU (user+system over the wall time) and its peak RSS (VmHWM).
# crun's seccomp plugin host (run.oci.seccomp.plugins) is not compared:
# Debian's crun ships no plugin that answers these calls.
set -euo pipefail
build=${1:-}
source "$(dirname "$0")/lib.sh"
bench_enter_ns "$0" "$@"
shift || true
ks=("$@")
[ ${#ks[@]} -gt 0 ] || ks=(1 10 100)
SECS=${BENCH_SECS:-2}
LOOP=$build/bench/notify-loop
[ -x "$LOOP" ] || bench_die "no $LOOP (run 'make')"
[ -x "$build/cell-agent" ] || bench_die "no $build/cell-agent (run 'make')"
tmp=$(bench_tmp cell-bench-ntf)
agent=
trap '[ -n "$agent" ] && kill "$agent" 2>/dev/null; bench_cleanup_tmp "$tmp"' EXIT
trap 'exit 130' INT TERM

"$build/cell-agent" --socket "$tmp/agent.sock" --quiet 2>"$tmp/agent.err" &
agent=$!
for _ in $(seq 50); do [ -S "$tmp/agent.sock" ] && break; sleep 0.05; done
[ -S "$tmp/agent.sock" ] || bench_die "cell-agent did not listen"

# bundle DIR MODE: notify-loop in MODE (getpid or mknod), a profile that
# sends its syscall to the agent.
bundle() {
  local d=$1 mode=$2
  bench_bundle "$d" "[\"/mnt/notify-loop\", \"$SECS\", \"$mode\"]"
  BENCH_LOOP=$LOOP BENCH_SOCK=$tmp/agent.sock BENCH_MODE=$mode cfg "$d" "
c['mounts'] += [{'destination': '/mnt', 'type': 'tmpfs', 'source': 'tmpfs'},
                {'destination': '/tmp', 'type': 'tmpfs', 'source': 'tmpfs'},
                {'destination': '/mnt/notify-loop', 'type': 'bind', 'source': os.environ['BENCH_LOOP'], 'options': ['bind', 'ro']}]
mk = os.environ['BENCH_MODE'] == 'mknod'
c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': os.environ['BENCH_SOCK'],
  'listenerMetadata': 'handlers=mknod' if mk else 'handlers=continue',
  'syscalls': [{'names': ['mknodat', 'mknod'] if mk else ['getpid'], 'action': 'SCMP_ACT_NOTIFY'}]}
if mk:
    for k in c['process']['capabilities']:
        c['process']['capabilities'][k].append('CAP_MKNOD')"
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$agent/stat"; }

echo "cell bench: cell-agent, K containers calling a NOTIFY syscall for ${SECS}s each"
echo "  $(bench_machine)"
printf '  %-7s %4s %12s %9s %9s %8s %9s\n' call K "notif/s" "p50 us" "p99 us" "agent%" "agent RSS"
: >"$tmp/plot"
hz=$(getconf CLK_TCK)
kmax=$(printf '%s\n' "${ks[@]}" | sort -n | tail -1)
for mode in getpid mknod; do
  bundle "$tmp/b-$mode" $mode
  # One bundle per container: each a cgroup of its own.
  BENCH_B=$tmp/b-$mode BENCH_K=$kmax python3 -c '
import json, os
b = os.environ["BENCH_B"]
c = json.load(open(b + "/config.json"))
base = c["linux"]["cgroupsPath"]
for i in range(int(os.environ["BENCH_K"])):
    os.makedirs("%s-%d" % (b, i), exist_ok=True)
    c["linux"]["cgroupsPath"] = "%s-%d" % (base, i)
    json.dump(c, open("%s-%d/config.json" % (b, i), "w"))'
  for k in "${ks[@]}"; do
    rm -rf "$tmp/root-cell"
    mkdir -p "$tmp/root-cell" "$tmp/out"
    rm -f "$tmp/out"/*
    c0=$(cpu_ticks)
    t0=$(date +%s%N)
    pids=()
    for ((i = 0; i < k; i++)); do
      "$CELL" --root "$tmp/root-cell" run -b "$tmp/b-$mode-$i" n$i >"$tmp/out/$i" 2>&1 &
      pids+=($!)
    done
    fails=0
    for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
    t1=$(date +%s%N)
    c1=$(cpu_ticks)
    if [ $fails -gt 0 ]; then
      printf '  %-7s %4s %12s   %s\n' $mode "$k" - "$fails failed: $(cat "$tmp"/out/* | grep -v "^calls" | grep -v "^$" | head -1)"
      continue
    fi
    cat "$tmp"/out/* | awk '$1 == "calls" { print $4 }' | sort -n >"$tmp/p50"
    med=$(awk '{v[NR] = $1} END { print v[int((NR + 1) / 2)] }' "$tmp/p50")
    cat "$tmp"/out/* | awk -v w=$(( (t1 - t0) / 1000 )) -v c=$((c1 - c0)) -v hz="$hz" \
      -v rss="$(awk '/VmHWM/ {print $2 " " $3}' "/proc/$agent/status")" -v mode=$mode -v k="$k" \
      -v med="$med" -v plot="$tmp/plot" '
      $1 == "calls" { n += $2; if ($6 > p99) p99 = $6 }
      END {
        printf "  %-7s %4s %12.0f %9.1f %9.1f %7.0f%% %9s\n", mode, k, n / (w / 1e6), med, p99,
          100 * c / hz / (w / 1e6), rss
        printf "%s %s %.0f\n", k, mode, n / (w / 1e6) >> plot }'
  done
done
ascii_plot "notifications per second" K "/s" "$tmp/plot"
