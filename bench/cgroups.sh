#!/bin/bash
# bench/cgroups.sh [BUILD]: what cgroup set-up and teardown add to `run` of
# /bin/true, for cell, crun and runc. Each runtime runs one bundle twice:
# with cgroups (linux.resources: memory, pids and cpu limits plus the device
# rules of `cell spec`) and with cgroups off (--cgroup-manager disabled for
# cell and crun; runc cannot turn them off, so its second figure is the same
# bundle without linux.resources). The difference is the cgroup cost:
# creating the directories in every hierarchy, writing the limits, entering
# the process, and removing it all at delete.
#
# crun runs in a private mount namespace without /sys/fs/cgroup/unified
# (crun 1.8.1 refuses hybrid hosts), so it sees a pure v1 host. Needs root
# and hyperfine. Environment: BENCH_RUNS (default 30), BENCH_WARMUP (3).
#
# On v1 and hybrid hosts a move through cgroup.procs waits for an RCU grace
# period (~7 ms here) unless one happened just before; back-to-back runs
# hide most of it. cell's init moves itself into the v1 hierarchies through
# their tasks files and is born in the cgroup2 one (clone3
# CLONE_INTO_CGROUP), which waits for none (src/cgroups/cgroups.h).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=$(cd "${1:-$repo/build}" && pwd)
CELL=$build/cell
RUNS=${BENCH_RUNS:-30}
WARMUP=${BENCH_WARMUP:-3}
CELL_BUILD=$build
source "$repo/tests/lib/common.sh"      # rootfs_cache, cfg

die() { echo "bench: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root"
[ -x "$CELL" ] || die "no cell binary at $CELL"
command -v hyperfine >/dev/null || die "needs hyperfine"

tmp=$(mktemp -d /tmp/cell-bench-cg.XXXXXX)
cgname=cell-bench-cg-$$
cleanup() {
  set +e
  for rt in cell crun runc; do
    for id in $(ls "$tmp/root-$rt" 2>/dev/null); do
      case $rt in
        cell) "$CELL" --root "$tmp/root-cell" delete -f "$id" ;;
        crun) crun --root "$tmp/root-crun" delete -f "$id" ;;
        runc) runc --root "$tmp/root-runc" delete -f "$id" ;;
      esac >/dev/null 2>&1
    done
  done
  find /sys/fs/cgroup -depth -type d -name "$cgname*" -exec rmdir {} \; 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rootfs=$(rootfs_cache)
for b in limits bare; do
  mkdir -p "$tmp/$b"
  (cd "$tmp/$b" && "$CELL" spec) || die "cell spec failed"
  cfg "$tmp/$b" "
c['ociVersion'] = '1.0.2-dev'
c['root']['path'] = '$rootfs'
c['process']['terminal'] = False
c['process']['args'] = ['/bin/true']
c['linux']['cgroupsPath'] = '$cgname-$b'
c['linux'].pop('seccomp', None)"
done
cfg "$tmp/limits" "c['linux']['resources'].update({'memory': {'limit': 268435456},
  'pids': {'limit': 512}, 'cpu': {'shares': 512, 'quota': 50000, 'period': 100000}})"
cfg "$tmp/bare" "c['linux'].pop('resources', None)"
mkdir -p "$tmp/root-cell" "$tmp/root-crun" "$tmp/root-runc"

# time KEY [crun-ns] CMD...: median ms into $tmp/KEY.ms, or the error into .err
time_it() {
  local key=$1
  shift
  local pre=()
  if [ "$1" = crun-ns ]; then
    shift
    pre=(unshare -m --propagation private sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec "$@"' sh)
  fi
  if ! "${pre[@]}" "$@" >"$tmp/$key.out" 2>&1; then
    tail -1 "$tmp/$key.out" >"$tmp/$key.err"
    return 0
  fi
  "${pre[@]}" hyperfine -N --style none --runs "$RUNS" --warmup "$WARMUP" \
    --export-json "$tmp/$key.json" -- "$*" >/dev/null 2>"$tmp/$key.out" ||
    { tail -1 "$tmp/$key.out" >"$tmp/$key.err"; return 0; }
  python3 -c 'import json, sys; print("%.2f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' \
    "$tmp/$key.json" >"$tmp/$key.ms"
}

time_it cell-on "$CELL" --root "$tmp/root-cell" run -b "$tmp/limits" cb
time_it cell-off "$CELL" --root "$tmp/root-cell" --cgroup-manager disabled run -b "$tmp/limits" cb
time_it crun-on crun-ns crun --root "$tmp/root-crun" run -b "$tmp/limits" cb
time_it crun-off crun-ns crun --root "$tmp/root-crun" --cgroup-manager disabled run -b "$tmp/limits" cb
time_it runc-on runc --root "$tmp/root-runc" run -b "$tmp/limits" cb
time_it runc-off runc --root "$tmp/root-runc" run -b "$tmp/bare" cb

val() { [ -f "$tmp/$1.ms" ] && cat "$tmp/$1.ms"; }
echo "cell bench: cgroup cost in \`run\` of /bin/true (median of $RUNS runs, hyperfine -N)"
echo "  $(uname -r), $(nproc) cpus; $("$CELL" --version | head -1); $(crun --version | head -1); $(runc --version | head -1)"
printf '  %-6s %12s %12s %10s\n' runtime "cgroups ms" "off ms" "cost ms"
for rt in cell crun runc; do
  on=$(val $rt-on || true)
  off=$(val $rt-off || true)
  if [ -n "$on" ] && [ -n "$off" ]; then
    printf '  %-6s %12s %12s %10s\n' $rt "$on" "$off" "$(awk -v a="$on" -v b="$off" 'BEGIN {printf "%.2f", a - b}')"
  else
    printf '  %-6s %12s %12s %10s   %s\n' $rt "${on:--}" "${off:--}" - \
      "$(cat "$tmp/$rt-on.err" "$tmp/$rt-off.err" 2>/dev/null | head -1)"
  fi
done
echo "  (runc cannot disable cgroups: its \"off\" is the bundle without linux.resources)"
