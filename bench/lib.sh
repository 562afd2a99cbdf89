# bench/lib.sh: what the runtime benches share. Source it after setting
# `build` (the meson build dir); it sets CELL, sources tests/lib/common.sh
# (rootfs_cache, cfg) and gives:
#   bench_enter_ns "$0" "$@"   re-run the calling script inside one private
#                              mount namespace without /sys/fs/cgroup/unified
#                              (crun 1.8.1 refuses hybrid hosts), so that every
#                              runtime and the floor are timed the same way
#   bench_bundle DIR ARGS_JSON  a bundle of `cell spec` on the busybox rootfs
#   bench_tmp NAME              the bench's temporary dir (a tmpfs)
#   bench_profile               the seccomp profile of the seccomp sets
#   bench_machine               one line: kernel, cpus, runtime versions
#   median FILE / pct FILE P    of a file of numbers, one a line
#   ratio A B                   A/B with two decimals, or n/a
# Benches never fail on speed: they print figures and exit 0 unless a
# command they need is missing or broken.

bench_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "${build:-$bench_repo/build}" && pwd)
CELL=$build/cell
CELL_BUILD=$build
# The bench's cgroups are named $BENCH_CGNAME* (a script that runs several
# shells sets it once).
export BENCH_CGNAME=${BENCH_CGNAME:-cell-bench-$$}
# shellcheck source=../tests/lib/common.sh
source "$bench_repo/tests/lib/common.sh"

bench_die() { echo "bench: $*" >&2; exit 1; }

bench_enter_ns() {
  [ "$(id -u)" = 0 ] || bench_die "needs root (the runtimes create namespaces and cgroups)"
  [ -x "$CELL" ] || bench_die "no cell binary at $CELL (run 'make' first)"
  [ -n "${CELL_BENCH_NS:-}" ] && return 0
  export CELL_BENCH_NS=1
  exec unshare -m --propagation private bash -c \
    'umount /sys/fs/cgroup/unified 2>/dev/null; exec "$@"' bash "$@"
}

# bench_tmp NAME: a fresh directory for the bundles and the state roots,
# on a tmpfs of its own (inside the bench's mount namespace), as /run is on
# most hosts: the runtimes' defaults (/run/cell, /run/crun, /run/runc) sit
# there, and the cost of creating files on this machine's disk is not what
# is measured. BENCH_STATE_DISK=1 keeps it on /tmp's filesystem.
bench_tmp() {
  local d
  d=$(mktemp -d "/tmp/$1.XXXXXX")
  [ -n "${BENCH_STATE_DISK:-}" ] || mount -t tmpfs -o mode=0755 cell-bench "$d"
  echo "$d"
}

# The project's default profile once the build makes one, else podman's
# (installed by Debian with podman), else none. BENCH_PROFILE overrides.
bench_profile() {
  local p
  for p in "${BENCH_PROFILE:-}" "$build/profiles/default.json" /usr/share/containers/seccomp.json; do
    [ -n "$p" ] && [ -f "$p" ] && { echo "$p"; return 0; }
  done
  return 1
}

# bench_bundle DIR [ARGS_JSON]: ociVersion 1.0.2-dev (crun 1.8.1 accepts
# only 1.0.x), no terminal, no seccomp, a relative cgroupsPath below the
# bench's own cgroup (runc) or the root (crun).
bench_bundle() {
  local dir=$1 args=${2:-'["/bin/true"]'} rootfs
  rootfs=$(rootfs_cache)
  mkdir -p "$dir"
  (cd "$dir" && "$CELL" spec) || bench_die "cell spec failed"
  BENCH_ARGS=$args BENCH_CG=$BENCH_CGNAME BENCH_ROOTFS=$rootfs cfg "$dir" "
c['ociVersion'] = '1.0.2-dev'
c['root']['path'] = os.environ['BENCH_ROOTFS']
c['process']['terminal'] = False
c['process']['args'] = json.loads(os.environ['BENCH_ARGS'])
c['linux']['cgroupsPath'] = os.environ['BENCH_CG']
c['linux'].pop('seccomp', None)"
}

bench_machine() {
  echo "$(uname -r), $(nproc) cpus, $(date -u +%Y-%m-%d); $("$CELL" --version | head -1);" \
       "$(crun --version 2>/dev/null | head -1); $(runc --version 2>/dev/null | head -1)"
}

# Remove what the runtimes may have left below TMP (state roots, mounts) and
# the bench's cgroups.
bench_cleanup_tmp() {
  local tmp=$1 rt root id
  for root in "$tmp"/root-*; do
    [ -d "$root" ] || continue
    rt=${root##*/root-}
    rt=${rt%%-*}
    for id in $(ls "$root" 2>/dev/null); do
      case $rt in
        cell) "$CELL" --root "$root" delete -f "$id" ;;
        crun|runc) $rt --root "$root" delete -f "$id" ;;
      esac >/dev/null 2>&1
    done
  done
  awk -v d="$tmp" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null; done
  find /sys/fs/cgroup -depth -type d -name "$BENCH_CGNAME*" -exec rmdir {} \; 2>/dev/null
  rm -rf "$tmp"
}

median() {
  sort -n "$1" | awk '{v[NR] = $1} END { if (!NR) exit 1
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%.2f\n", m }'
}
# pct FILE P: the P-th percentile (nearest rank).
pct() {
  sort -n "$1" | awk -v p="$2" '{v[NR] = $1} END { if (!NR) exit 1
    i = int(NR * p / 100 + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR
    printf "%.2f\n", v[i] }'
}
ratio() {
  [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }' ||
    echo "n/a"
}

# ascii_plot TITLE XLABEL YLABEL FILE [log]: FILE has lines "X SERIES Y";
# one row per X and series, a bar scaled to the largest Y (log: to log10 of
# Y, for curves over several orders of magnitude).
ascii_plot() {
  local title=$1 xl=$2 yl=$3 f=$4 scale=${5:-linear}
  echo "  $title${5:+ (log scale)}"
  awk -v xl="$xl" -v yl="$yl" -v lg="$([ "$scale" = log ] && echo 1 || echo 0)" '
    { x[NR] = $1; s[NR] = $2; y[NR] = $3; v = lg ? log($3 + 1) : $3; if (v > m) m = v }
    END { if (!m) m = 1
      for (i = 1; i <= NR; i++) {
        v = lg ? log(y[i] + 1) : y[i]
        n = int(v / m * 50 + 0.5); bar = ""
        for (j = 0; j < n; j++) bar = bar "#"
        printf "    %s=%-6s %-6s |%-50s %s %s\n", xl, x[i], s[i], bar, y[i], yl } }' "$f"
}
