#!/bin/bash
# bench/runtime.sh [BUILD]: `run` of /bin/true in a busybox bundle with the
# namespaces of `cell spec`, timed for cell, crun and runc, plus the unshare
# floor (the same namespaces, exec of /bin/true, no runtime), in one run.
# Then the same with the podman default seccomp profile. See bench/README.md.
#
# Environment: BENCH_RUNS (default 50), BENCH_WARMUP (5), BENCH_PROFILE (the
# seccomp profile), BENCH_NO_HYPERFINE=1 (use the date +%s%N loop).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=$(cd "${1:-$repo/build}" && pwd)
CELL=$build/cell
RUNS=${BENCH_RUNS:-50}
WARMUP=${BENCH_WARMUP:-5}
PROFILE=${BENCH_PROFILE:-$repo/../shared/profiles/podman-default.json}

# rootfs_cache and cfg; common.sh's `cell` function is not used here.
CELL_BUILD=$build
source "$repo/tests/lib/common.sh"

die() { echo "bench: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (the runtimes create namespaces and cgroups)"
[ -x "$CELL" ] || die "no cell binary at $CELL (run 'make' first)"

tmp=$(mktemp -d /tmp/cell-bench.XXXXXX)
cgname=cell-bench-$$
cleanup() {
  set +e
  local rt id
  for rt in cell crun runc; do
    [ -d "$tmp/root-$rt" ] || continue
    for id in $(ls "$tmp/root-$rt" 2>/dev/null); do
      case $rt in
        cell) "$CELL" --root "$tmp/root-cell" delete -f "$id" ;;
        crun) in_crun_ns crun --root "$tmp/root-crun" delete -f "$id" ;;
        runc) runc --root "$tmp/root-runc" delete -f "$id" ;;
      esac >/dev/null 2>&1
    done
  done
  awk -v d="$tmp" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null; done
  find /sys/fs/cgroup -depth -type d -name "$cgname" -exec rmdir {} \; 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# crun 1.8.1 refuses a hybrid cgroup host ("cgroups in hybrid mode not
# supported"): give it a private mount namespace without the cgroup2 mount.
in_crun_ns() {
  unshare -m --propagation private sh -c \
    'umount /sys/fs/cgroup/unified 2>/dev/null; exec "$@"' sh "$@"
}

# ---- the bundles -----------------------------------------------------------

rootfs=$(rootfs_cache)
mkdir -p "$tmp/plain" "$tmp/seccomp"
(cd "$tmp/plain" && "$CELL" spec) || die "cell spec failed"
# ociVersion 1.0.2-dev: crun 1.8.1 accepts only 1.0.x. The cgroup path is
# relative: below runc's own cgroup (runc), below the root (crun).
cfg "$tmp/plain" "
c['ociVersion'] = '1.0.2-dev'
c['root']['path'] = '$rootfs'
c['process']['terminal'] = False
c['process']['args'] = ['/bin/true']
c['linux']['cgroupsPath'] = '$cgname'
c['linux'].pop('seccomp', None)"
cp "$tmp/plain/config.json" "$tmp/seccomp/config.json"
have_profile=0
if [ -f "$PROFILE" ]; then
  have_profile=1
  cfg "$tmp/seccomp" "c['linux']['seccomp'] = json.load(open('$PROFILE'))"
fi

# ---- timing ----------------------------------------------------------------

# loop_time RUNS WARMUP OUT CMD...: median of RUNS runs in ms, into OUT.
loop_time() {
  local runs=$1 warm=$2 out=$3 i t0 t1
  shift 3
  for ((i = 0; i < warm; i++)); do "$@" >/dev/null 2>&1 || return 1; done
  : >"$out.raw"
  for ((i = 0; i < runs; i++)); do
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1 || return 1
    t1=$(date +%s%N)
    echo $((t1 - t0)) >>"$out.raw"
  done
  sort -n "$out.raw" | awk '{v[NR] = $1} END {
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%.2f\n", m / 1e6 }' >"$out"
}

use_hyperfine=1
command -v hyperfine >/dev/null 2>&1 || use_hyperfine=0
[ -n "${BENCH_NO_HYPERFINE:-}" ] && use_hyperfine=0

# measure KEY WRAP CMD...: WRAP is "crun-ns" or "-". Writes $tmp/KEY.ms, or
# $tmp/KEY.err with the reason it could not run.
measure() {
  local key=$1 wrap=$2
  shift 2
  local pre=()
  [ "$wrap" = crun-ns ] && pre=(in_crun_ns)
  # One run first, to show a failure instead of timing it.
  if ! "${pre[@]}" "$@" >"$tmp/$key.out" 2>&1; then
    tail -1 "$tmp/$key.out" >"$tmp/$key.err"
    return 0
  fi
  if [ $use_hyperfine = 1 ]; then
    "${pre[@]}" hyperfine -N --style none --runs "$RUNS" --warmup "$WARMUP" \
      --export-json "$tmp/$key.json" -- "$*" >/dev/null 2>"$tmp/$key.out" ||
      { tail -1 "$tmp/$key.out" >"$tmp/$key.err"; return 0; }
    python3 -c 'import json, sys; print("%.2f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' \
      "$tmp/$key.json" >"$tmp/$key.ms"
  else
    if [ "$wrap" = crun-ns ]; then
      unshare -m --propagation private bash -c \
        "umount /sys/fs/cgroup/unified 2>/dev/null; $(declare -f loop_time); loop_time \"\$@\"" \
        bash "$RUNS" "$WARMUP" "$tmp/$key.ms" "$@" ||
        echo "failed during the timed runs" >"$tmp/$key.err"
    else
      loop_time "$RUNS" "$WARMUP" "$tmp/$key.ms" "$@" ||
        echo "failed during the timed runs" >"$tmp/$key.err"
    fi
  fi
}

# bench_set LABEL BUNDLE [--floor]
bench_set() {
  local set=$1 b=$2 floor=${3:-}
  mkdir -p "$tmp/root-cell" "$tmp/root-crun" "$tmp/root-runc"
  if [ -n "$floor" ]; then
    # pid, network, ipc, uts, mount, cgroup: the namespaces of `cell spec`.
    measure "$set-unshare" - unshare --root="$rootfs" -fpnimuC /bin/true
  fi
  if [ "$set" = seccomp ]; then
    # Until the seccomp issue lands cell refuses linux.seccomp; say so.
    if ! "$CELL" --root "$tmp/root-cell" run -b "$b" cell-probe >/dev/null 2>"$tmp/probe.err"; then
      "$CELL" --root "$tmp/root-cell" delete -f cell-probe >/dev/null 2>&1 || true
      echo "skipped: cell refuses this config: $(tail -1 "$tmp/probe.err")" >"$tmp/$set-cell.err"
    else
      measure "$set-cell" - "$CELL" --root "$tmp/root-cell" run -b "$b" cell-bench
    fi
  else
    measure "$set-cell" - "$CELL" --root "$tmp/root-cell" run -b "$b" cell-bench
  fi
  measure "$set-crun" crun-ns crun --root "$tmp/root-crun" run -b "$b" crun-bench
  measure "$set-runc" - runc --root "$tmp/root-runc" run -b "$b" runc-bench
}

val() { [ -f "$tmp/$1.ms" ] && cat "$tmp/$1.ms"; }
ratio() {
  local a b
  a=$(val "$1") && b=$(val "$2") && [ -n "$a" ] && [ -n "$b" ] &&
    awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }' || echo "n/a"
}

report() {
  local set=$1 title=$2 rt v
  echo "$title"
  for rt in unshare cell crun runc; do
    if v=$(val "$set-$rt"); then
      printf '  %-14s %9s ms\n' "$rt" "$v"
    elif [ -f "$tmp/$set-$rt.err" ]; then
      printf '  %-14s %9s    %s\n' "$rt" "-" "$(cat "$tmp/$set-$rt.err")"
    fi
  done
  printf '  cell/crun = %s   cell/runc = %s' "$(ratio "$set-cell" "$set-crun")" \
    "$(ratio "$set-cell" "$set-runc")"
  [ -f "$tmp/$set-unshare.ms" ] && printf '   cell/unshare = %s' "$(ratio "$set-cell" "$set-unshare")"
  echo
}

how="hyperfine -N, $WARMUP warm-up runs"
[ $use_hyperfine = 1 ] || how="date +%s%N loop, $WARMUP warm-up runs"
echo "cell bench: \`run\` of /bin/true, busybox bundle, namespaces of \`cell spec\`"
echo "  median of $RUNS runs each ($how); $(uname -r), $(nproc) cpus"
echo "  $("$CELL" --version | head -1); $(crun --version | head -1); $(runc --version | head -1)"
echo

bench_set plain "$tmp/plain" --floor
report plain "no seccomp:"
echo "  target: cell/crun <= 0.50"
echo
if [ $have_profile = 1 ]; then
  bench_set seccomp "$tmp/seccomp"
  report seccomp "podman default seccomp profile ($(basename "$PROFILE")):"
else
  echo "podman default seccomp profile: skipped, $PROFILE not found"
fi
