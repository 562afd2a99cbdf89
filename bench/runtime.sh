#!/bin/bash
# bench/runtime.sh [BUILD]: `run` of /bin/true in a busybox bundle with the
# namespaces of `cell spec`, timed for cell, crun and runc, plus the unshare
# floor (the same namespaces, exec of /bin/true, no runtime), in one run.
# Then the same under cell's default seccomp profile (build/profiles/default.json,
# from profiles/default.sec). See bench/README.md.
#
# Then the plain bundle again with the runs spaced out (BENCH_GAP seconds
# of sleep before each, untimed), as containers start in practice: see
# "Spaced runs" in bench/README.md.
#
# Environment: BENCH_RUNS (default 50), BENCH_ROUNDS (5), BENCH_WARMUP (5),
# BENCH_PROFILE (the seccomp profile), BENCH_NO_HYPERFINE=1 (use a
# date +%s%N loop instead of hyperfine), BENCH_GAP (0.3),
# BENCH_SPACED_RUNS (20; 0 skips the spaced set).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=$(cd "${1:-$repo/build}" && pwd)
CELL=$build/cell
RUNS=${BENCH_RUNS:-50}
WARMUP=${BENCH_WARMUP:-5}
PROFILE=${BENCH_PROFILE:-$build/profiles/default.json}

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
# The runtimes take turns: BENCH_ROUNDS rounds, each running every command
# RUNS/ROUNDS times, so that a burst of load on the machine hits all of them
# alike. Every run's time (ms) is appended to $tmp/KEY.times; the figure is
# the median of all of them.

ROUNDS=${BENCH_ROUNDS:-5}
PER_ROUND=$(( (RUNS + ROUNDS - 1) / ROUNDS ))
[ "$PER_ROUND" -ge 2 ] || PER_ROUND=2   # hyperfine's minimum

# loop_time RUNS WARMUP OUT CMD...: append RUNS times in ms to OUT.
loop_time() {
  local runs=$1 warm=$2 out=$3 i t0 t1
  shift 3
  for ((i = 0; i < warm; i++)); do "$@" >/dev/null 2>&1 || return 1; done
  for ((i = 0; i < runs; i++)); do
    [ -n "${GAP:-}" ] && sleep "$GAP"
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1 || return 1
    t1=$(date +%s%N)
    awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.3f\n", ns / 1e6 }' >>"$out"
  done
}

use_hyperfine=1
command -v hyperfine >/dev/null 2>&1 || use_hyperfine=0
[ -n "${BENCH_NO_HYPERFINE:-}" ] && use_hyperfine=0

# measure KEY WRAP WARMUP CMD...: one round for KEY. WRAP is "crun-ns" or
# "-". A failure is kept in $tmp/KEY.err and ends KEY's measurements.
measure() {
  local key=$1 wrap=$2 warm=$3
  shift 3
  [ -f "$tmp/$key.err" ] && return 0
  local pre=()
  [ "$wrap" = crun-ns ] && pre=(in_crun_ns)
  if [ ! -f "$tmp/$key.times" ]; then
    # One run first, to show a failure instead of timing it.
    if ! "${pre[@]}" "$@" >"$tmp/$key.out" 2>&1; then
      tail -1 "$tmp/$key.out" >"$tmp/$key.err"
      return 0
    fi
    : >"$tmp/$key.times"
  fi
  local prep=()
  [ -n "${GAP:-}" ] && prep=(--prepare "sleep $GAP")
  if [ $use_hyperfine = 1 ]; then
    "${pre[@]}" hyperfine -N --style none --runs "$PER_ROUND" --warmup "$warm" "${prep[@]}" \
      --export-json "$tmp/$key.json" -- "$*" >/dev/null 2>"$tmp/$key.out" ||
      { tail -1 "$tmp/$key.out" >"$tmp/$key.err"; return 0; }
    python3 -c 'import json, sys
for t in json.load(open(sys.argv[1]))["results"][0]["times"]: print("%.3f" % (t * 1000))' \
      "$tmp/$key.json" >>"$tmp/$key.times"
  elif [ "$wrap" = crun-ns ]; then
    unshare -m --propagation private bash -c \
      "umount /sys/fs/cgroup/unified 2>/dev/null; $(declare -f loop_time); loop_time \"\$@\"" \
      bash "$PER_ROUND" "$warm" "$tmp/$key.times" "$@" ||
      echo "failed during the timed runs" >"$tmp/$key.err"
  else
    loop_time "$PER_ROUND" "$warm" "$tmp/$key.times" "$@" ||
      echo "failed during the timed runs" >"$tmp/$key.err"
  fi
}

# bench_set SET BUNDLE [--floor]: ROUNDS rounds over the runtimes.
bench_set() {
  local set=$1 b=$2 floor=${3:-} round warm
  mkdir -p "$tmp/root-cell" "$tmp/root-crun" "$tmp/root-runc"
  if [ "$set" = seccomp ] &&
     ! "$CELL" --root "$tmp/root-cell" run -b "$b" cell-probe >/dev/null 2>"$tmp/probe.err"; then
    # Until the seccomp issue lands cell refuses linux.seccomp; say so.
    "$CELL" --root "$tmp/root-cell" delete -f cell-probe >/dev/null 2>&1 || true
    echo "skipped: cell refuses this config: $(tail -1 "$tmp/probe.err")" >"$tmp/$set-cell.err"
  fi
  for ((round = 1; round <= ROUNDS; round++)); do
    warm=1
    [ $round = 1 ] && warm=$WARMUP
    if [ -n "$floor" ]; then
      # pid, network, ipc, uts, mount, cgroup: the namespaces of `cell spec`.
      measure "$set-unshare" - "$warm" unshare --root="$rootfs" -fpnimuC /bin/true
    fi
    measure "$set-cell" - "$warm" "$CELL" --root "$tmp/root-cell" run -b "$b" cell-bench
    measure "$set-crun" crun-ns "$warm" crun --root "$tmp/root-crun" run -b "$b" crun-bench
    measure "$set-runc" - "$warm" runc --root "$tmp/root-runc" run -b "$b" runc-bench
  done
}

# val KEY: the median of KEY's times, or false.
val() {
  [ -f "$tmp/$1.err" ] && return 1
  [ -s "$tmp/$1.times" ] || return 1
  sort -n "$tmp/$1.times" | awk '{v[NR] = $1} END {
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%.2f\n", m }'
}
ratio() {
  local a b
  a=$(val "$1") && b=$(val "$2") &&
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
  val "$set-unshare" >/dev/null && printf '   cell/unshare = %s' "$(ratio "$set-cell" "$set-unshare")"
  echo
}

how="hyperfine -N"
[ $use_hyperfine = 1 ] || how="a date +%s%N loop"
how="$how, $ROUNDS interleaved rounds, $WARMUP warm-up runs"
echo "cell bench: \`run\` of /bin/true, busybox bundle, namespaces of \`cell spec\`"
echo "  median of $((PER_ROUND * ROUNDS)) runs each ($how); $(uname -r), $(nproc) cpus"
echo "  $("$CELL" --version | head -1); $(crun --version | head -1); $(runc --version | head -1)"
echo

bench_set plain "$tmp/plain" --floor
report plain "no seccomp:"
echo "  target: cell/crun <= 0.50"
echo
if [ $have_profile = 1 ]; then
  bench_set seccomp "$tmp/seccomp"
  report seccomp "seccomp profile ($PROFILE):"
else
  echo "seccomp profile: skipped, $PROFILE not found"
fi

SPACED_RUNS=${BENCH_SPACED_RUNS:-20}
if [ "$SPACED_RUNS" -gt 0 ]; then
  echo
  export GAP=${BENCH_GAP:-0.3}
  PER_ROUND=$(( (SPACED_RUNS + ROUNDS - 1) / ROUNDS ))
  [ "$PER_ROUND" -ge 2 ] || PER_ROUND=2
  WARMUP=1
  bench_set spaced "$tmp/plain" --floor
  report spaced "no seccomp, runs ${GAP} s apart (median of $((PER_ROUND * ROUNDS))):"
  echo "  target: cell/crun <= 0.50"
  unset GAP
fi
