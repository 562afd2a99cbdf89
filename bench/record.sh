#!/bin/bash
# bench/record.sh [BUILD]: what recording a container's syscalls costs
# (docs/recording.md). A static helper in a busybox bundle makes
# BENCH_CALLS getppid calls and prints the rate; it runs with no filter,
# under examples/podman-default.sec, recorded without a base and recorded
# with that base. Then the busybox workload of tests/integration/record.sh
# (ls, mkdir, tar) is timed with and without recording.
#
# Environment: BENCH_CALLS (default 200000), BENCH_RUNS (5: the median is
# printed), BENCH_WORK_RUNS (10).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=$(cd "${1:-$repo/build}" && pwd)
CELL=$build/cell
CALLS=${BENCH_CALLS:-200000}
RUNS=${BENCH_RUNS:-5}
WORK_RUNS=${BENCH_WORK_RUNS:-10}
CELL_BUILD=$build
source "$repo/tests/lib/common.sh"

die() { echo "bench: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (containers)"
[ -x "$CELL" ] || die "no cell binary at $CELL (run 'make' first)"
command -v gcc >/dev/null || die "gcc is needed for the helper"

tmp=$(mktemp -d /tmp/cell-bench-record.XXXXXX)
cleanup() {
  set +e
  for id in $(ls "$tmp/root" 2>/dev/null); do "$CELL" --root "$tmp/root" delete -f "$id"; done >/dev/null 2>&1
  awk -v d="$tmp" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT

cat > "$tmp/loop.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
int main(int argc, char **argv)
{
  long n = argc > 1 ? atol(argv[1]) : 100000;
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < n; i++)
    syscall(SYS_getppid);
  clock_gettime(CLOCK_MONOTONIC, &b);
  double s = (double) (b.tv_sec - a.tv_sec) + (double) (b.tv_nsec - a.tv_nsec) / 1e9;
  printf("%.0f\n", (double) n / s);
  return 0;
}
EOF
b=$tmp/bundle
mkdir -p "$b"
cp -a "$(rootfs_cache)" "$b/rootfs"
gcc -static -O2 -o "$b/rootfs/bin/loop" "$tmp/loop.c"
(cd "$b" && "$CELL" spec)
cfg "$b" '
c["process"]["terminal"] = False
c["root"]["readonly"] = False
c["mounts"].append({"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev"]})'
"$CELL" seccomp convert --to json "$repo/examples/podman-default.sec" > "$tmp/podman.json"

median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# rate MODE: the median syscalls/s of RUNS runs
rate() {
  local mode=$1 i out rec=()
  case $mode in
    none) cfg "$b" 'c["linux"].pop("seccomp", None)' ;;
    *podman*) CELL_PROF=$tmp/podman.json cfg "$b" 'c["linux"]["seccomp"] = json.load(open(os.environ["CELL_PROF"]))' ;;
    record) cfg "$b" 'c["linux"].pop("seccomp", None)' ;;
  esac
  case $mode in record*) rec=(--record-seccomp "$tmp/rec.json") ;; esac
  CELL_CALLS=$CALLS cfg "$b" 'c["process"]["args"] = ["/bin/loop", os.environ["CELL_CALLS"]]'
  for i in $(seq "$RUNS"); do
    "$CELL" --root "$tmp/root" run "${rec[@]}" -b "$b" "bench-$mode-$i"
  done | median
}

echo "getppid calls per second inside a container (median of $RUNS runs of $CALLS calls)"
none=$(rate none)
podman=$(rate podman)
record=$(rate record)
recbase=$(rate record+podman)
printf '  %-34s %12s\n' "no filter" "$none" "podman-default.sec" "$podman" \
  "recorded, no base" "$record" "recorded, podman-default.sec base" "$recbase"
awk -v a="$none" -v b="$record" -v c="$recbase" 'BEGIN {
  printf "  recording: %.1f us per call (%.0fx slower than no filter; %.1f us with the base)\n",
    1e6 / b - 1e6 / a, a / b, 1e6 / c - 1e6 / a }'

WORK='ls / > /tmp/ls && mkdir -p /tmp/w/d && echo hi > /tmp/w/d/f && tar -cf /tmp/w.tar -C /tmp w && tar -tf /tmp/w.tar > /dev/null'
CELL_SH=$WORK cfg "$b" 'c["process"]["args"] = ["sh", "-c", os.environ["CELL_SH"]]; c["linux"].pop("seccomp", None)'
work() {
  local i s e
  for i in $(seq "$WORK_RUNS"); do
    s=$(date +%s%N)
    "$CELL" --root "$tmp/root" run "$@" -b "$b" "work-$i" >/dev/null
    e=$(date +%s%N)
    echo $(( (e - s) / 1000 ))
  done | median
}
echo "the busybox workload (ls, mkdir, tar), wall time of \`cell run\`, median of $WORK_RUNS, microseconds"
printf '  %-34s %12s\n' "no filter" "$(work)" "recorded (written when run returns)" "$(work --record-seccomp "$tmp/work.json")"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("  the recording: %d calls of %d syscalls" % (sum(s["count"] for s in r["syscalls"]), len(r["syscalls"])))' "$tmp/work.json"
