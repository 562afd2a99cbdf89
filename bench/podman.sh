#!/bin/bash
# bench/podman.sh [BUILD]: `podman run --rm IMAGE /bin/true` with cell, crun
# and runc as podman's runtime: the same image (the busybox rootfs of the
# tests, imported), the same flags, the same storage; twice, with podman's
# default seccomp profile and with seccomp=unconfined. Prints the median
# wall time of each and the ratios of cell to crun and to runc.
#
# Environment: BENCH_RUNS (runs per runtime and set, default 30),
# BENCH_ROUNDS (the runs are split into rounds in which the runtimes take
# turns, default 3), BENCH_WARMUP (untimed runs per runtime first, default 3).
#
# crun 1.8.1 refuses this machine's hybrid cgroups: the whole bench runs
# inside one private mount namespace with /sys/fs/cgroup/unified unmounted
# (bench/lib.sh), so that podman drives the three runtimes on the same host.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")

# --inner RUNTIME N SECCOMP: N timed runs, one duration in ns per line.
if [ "${1:-}" = --inner ]; then
  rt=$2 n=$3 sec=$4
  source "$PM_FLAGS_FILE"
  for ((i = 0; i < n; i++)); do
    t0=$(date +%s%N)
    podman "${PM_FLAGS[@]}" --runtime "$rt" run --rm --network none \
      --cgroup-parent "$PM_CGPARENT" --security-opt "seccomp=$sec" "$PM_IMAGE" /bin/true \
      >/dev/null || { echo "bench: podman run with $rt failed" >&2; exit 1; }
    t1=$(date +%s%N)
    echo $((t1 - t0))
  done
  exit 0
fi

build=${1:-}
source "$here/lib.sh"
bench_enter_ns "$0" "$@"
RUNS=${BENCH_RUNS:-30}
ROUNDS=${BENCH_ROUNDS:-3}
WARMUP=${BENCH_WARMUP:-3}

die() { echo "bench: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (podman rootful)"
[ -x "$CELL" ] || die "no cell binary at $CELL (run 'make' first)"
command -v podman >/dev/null || die "podman is not installed (make deps)"
runtimes=(cell)
for rt in crun runc; do
  if command -v $rt >/dev/null; then runtimes+=($rt); else echo "bench: $rt not installed, left out" >&2; fi
done


tmp=$(mktemp -d /tmp/cell-bench-podman.XXXXXX)
chmod 755 "$tmp"
# The cgroup parent below our own cgroup, and what is made on the way to
# it, as the podman tests pick them.
source "$repo/tests/podman/lib.sh"
pm_pick_cgroup_parent
export PM_CGPARENT=${PM_CGPARENT%/*}/cell-bench-podman-$$
export PM_IMAGE=localhost/busybox:cell-bench
PM_FLAGS=(--root "$tmp/root" --runroot "$tmp/runroot" --tmpdir "$tmp/tmp" --storage-driver vfs
          --cgroup-manager cgroupfs --events-backend file)
cat > "$tmp/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
netns = "none"
[engine]
runtime_supports_json = ["cell", "crun", "runc"]
[engine.runtimes]
cell = ["$CELL"]
EOF
export CONTAINERS_CONF=$tmp/containers.conf

cleanup() {
  set +e
  podman "${PM_FLAGS[@]}" rm -af -t 0 >/dev/null 2>&1
  awk -v d="$tmp" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null; done
  local mp i
  for mp in $(awk '$9 == "cgroup" || $9 == "cgroup2" {print $5}' /proc/self/mountinfo); do
    [ -d "$mp$PM_CGPARENT" ] && find "$mp$PM_CGPARENT" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
  for ((i = ${#PM_CG_MADE[@]} - 1; i >= 0; i--)); do rmdir "${PM_CG_MADE[$i]}" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rootfs=$(rootfs_cache)
tar -C "$rootfs" -cf "$tmp/rootfs.tar" .
podman "${PM_FLAGS[@]}" import "$tmp/rootfs.tar" "$PM_IMAGE" >/dev/null 2>&1 || die "podman import failed"

# PM_FLAGS is an array: the inner runs get it through a file they source.
export PM_FLAGS_FILE=$tmp/flags.sh
declare -p PM_FLAGS > "$PM_FLAGS_FILE"
inner() {
  local rt=$1 n=$2 sec=$3
  [ "$rt" = cell ] && rt=$CELL
  bash "$here/podman.sh" --inner "$rt" "$n" "$sec"
}

median_ms() {
  sort -n | awk '{a[NR] = $1} END {
    if (NR == 0) { print "-"; exit }
    m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
    printf "%.1f", m / 1e6 }'
}

per_round=$(( (RUNS + ROUNDS - 1) / ROUNDS ))
echo "podman $(podman --version | awk '{print $3}'), $(conmon --version 2>/dev/null | head -1)"
echo "podman run --rm --network none --cgroup-parent ... IMAGE /bin/true; vfs storage; median of $((per_round * ROUNDS)) runs"
for sec in default unconfined; do
  profile=$sec
  [ $sec = default ] && profile=/usr/share/containers/seccomp.json
  [ -f "$profile" ] || [ $sec = unconfined ] || { echo "no $profile: podman's default profile set left out"; continue; }
  for rt in "${runtimes[@]}"; do
    inner "$rt" "$WARMUP" "$profile" >/dev/null
    : > "$tmp/times-$rt"
  done
  for ((r = 0; r < ROUNDS; r++)); do
    for rt in "${runtimes[@]}"; do
      inner "$rt" "$per_round" "$profile" >> "$tmp/times-$rt"
    done
  done
  declare -A med=()
  for rt in "${runtimes[@]}"; do med[$rt]=$(median_ms < "$tmp/times-$rt"); done
  line="seccomp=$sec:"
  for rt in "${runtimes[@]}"; do line+=$(printf '  %s %s ms' "$rt" "${med[$rt]}"); done
  for rt in "${runtimes[@]}"; do
    [ $rt = cell ] && continue
    line+=$(awk -v a="${med[cell]}" -v b="${med[$rt]}" -v n="$rt" 'BEGIN {printf "  cell/%s %.2f", n, a / b}')
  done
  echo "$line"
  unset med
done
