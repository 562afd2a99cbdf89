#!/bin/bash
# bench/runtime.sh [BUILD]: `run` of /bin/true in a busybox bundle with the
# namespaces of `cell spec`, timed for cell, crun and runc, plus the unshare
# floor (the same namespaces, chroot and exec of /bin/true, no runtime) and
# the kernel floor of the config (bench/config-floor.c: the kernel operations
# cell makes for this config, cgroups, mounts, pivot_root, capabilities and
# the filter, with no runtime work around them), in one run; then the same with a seccomp profile (bench_profile in
# bench/lib.sh: the project's default, else podman's); then both again with
# the runs spaced out (BENCH_GAP s of untimed sleep before each), as
# containers start in practice; then the peak RSS of `run` and `create`.
# See bench/README.md.
#
# Every command is timed the same way: the whole script runs inside one
# private mount namespace with /sys/fs/cgroup/unified unmounted (crun 1.8.1
# refuses hybrid hosts), by one hyperfine -N, with a fresh state root made
# before every run (untimed, --prepare), on a tmpfs (bench_tmp in lib.sh).
#
# Environment: BENCH_RUNS (default 50), BENCH_ROUNDS (5), BENCH_WARMUP (5),
# BENCH_PROFILE, BENCH_GAP (0.3), BENCH_SPACED_RUNS (20; 0 skips the spaced
# sets), BENCH_RSS_RUNS (5).
set -euo pipefail
build=${1:-}
source "$(dirname "$0")/lib.sh"
bench_enter_ns "$0" "$@"
command -v hyperfine >/dev/null || bench_die "needs hyperfine (make deps)"

RUNS=${BENCH_RUNS:-50}
WARMUP=${BENCH_WARMUP:-5}
ROUNDS=${BENCH_ROUNDS:-5}
RSS_RUNS=${BENCH_RSS_RUNS:-5}

tmp=$(bench_tmp cell-bench)
trap 'bench_cleanup_tmp "$tmp"' EXIT
trap 'exit 130' INT TERM

rootfs=$(rootfs_cache)
bench_bundle "$tmp/plain"
mkdir -p "$tmp/seccomp"
cp "$tmp/plain/config.json" "$tmp/seccomp/config.json"
PROFILE=$(bench_profile) || PROFILE=
[ -n "$PROFILE" ] && cfg "$tmp/seccomp" "c['linux']['seccomp'] = json.load(open('$PROFILE'))"
# the kernel floor loads the filter cell makes of the profile
[ -n "$PROFILE" ] && "$CELL" seccomp compile "$PROFILE" -o "$tmp/seccomp/filter.bpf"

# cmd_of RT BUNDLE: the command line timed for RT (its state root is
# $tmp/root-RT, remade before every run).
cmd_of() {
  case $1 in
    unshare) echo "unshare --root=$rootfs -fpnimuC /bin/true" ;;   # pid net ipc uts mnt cgroup
    kernel) echo "$CELL_BUILD/bench/config-floor $rootfs cb-floor$([ -f "$2/filter.bpf" ] && echo " $2/filter.bpf")" ;;
    cell) echo "$CELL --root $tmp/root-cell run -b $2 cb" ;;
    crun|runc) echo "$1 --root $tmp/root-$1 run -b $2 cb" ;;
  esac
}

# measure KEY RT BUNDLE RUNS WARMUP: one round of KEY; times (ms) appended
# to $tmp/KEY.times. A failure is kept in $tmp/KEY.err.
measure() {
  local key=$1 rt=$2 b=$3 runs=$4 warm=$5 cmd prep
  [ -f "$tmp/$key.err" ] && return 0
  cmd=$(cmd_of "$rt" "$b")
  prep="rm -rf $tmp/root-$rt; mkdir $tmp/root-$rt"
  [ -n "${GAP:-}" ] && prep="$prep; sleep $GAP"
  if [ ! -f "$tmp/$key.times" ]; then
    # One run first, to show a failure instead of timing it.
    if ! (eval "$prep" && $cmd) >"$tmp/$key.out" 2>&1; then
      tail -1 "$tmp/$key.out" >"$tmp/$key.err"
      return 0
    fi
    : >"$tmp/$key.times"
  fi
  hyperfine -N --style none --runs "$runs" --warmup "$warm" --prepare "sh -c '$prep'" \
    --export-json "$tmp/$key.json" -- "$cmd" >/dev/null 2>"$tmp/$key.out" ||
    { tail -1 "$tmp/$key.out" >"$tmp/$key.err"; return 0; }
  python3 -c 'import json, sys
for t in json.load(open(sys.argv[1]))["results"][0]["times"]: print("%.3f" % (t * 1000))' \
    "$tmp/$key.json" >>"$tmp/$key.times"
}

# bench_set SET BUNDLE RUNS: ROUNDS rounds in which the floor and the
# runtimes take turns, so that load from elsewhere falls on all alike.
bench_set() {
  local set=$1 b=$2 runs=$3 per round warm rt
  per=$(( (runs + ROUNDS - 1) / ROUNDS ))
  [ "$per" -ge 2 ] || per=2   # hyperfine's minimum
  for ((round = 1; round <= ROUNDS; round++)); do
    warm=1
    [ $round = 1 ] && warm=$WARMUP
    for rt in unshare kernel cell crun runc; do
      measure "$set-$rt" $rt "$b" "$per" "$warm"
    done
  done
  echo "$((per * ROUNDS))" >"$tmp/$set.n"
}

val() { [ ! -f "$tmp/$1.err" ] && [ -s "$tmp/$1.times" ] && median "$tmp/$1.times"; }
r() { ratio "$(val "$1" || true)" "$(val "$2" || true)"; }

report() {
  local set=$1 title=$2 rt v
  echo "$title (median of $(cat "$tmp/$set.n") runs each)"
  for rt in unshare kernel cell crun runc; do
    if v=$(val "$set-$rt"); then
      printf '  %-8s %9s ms   p90 %s ms\n' "$rt" "$v" "$(pct "$tmp/$set-$rt.times" 90)"
    elif [ -f "$tmp/$set-$rt.err" ]; then
      printf '  %-8s %9s    %s\n' "$rt" "-" "$(cat "$tmp/$set-$rt.err")"
    fi
  done
  printf '  cell/unshare = %s   cell/kernel = %s   kernel/unshare = %s   cell/crun = %s   cell/runc = %s\n' \
    "$(r "$set-cell" "$set-unshare")" "$(r "$set-cell" "$set-kernel")" "$(r "$set-kernel" "$set-unshare")" \
    "$(r "$set-cell" "$set-crun")" "$(r "$set-cell" "$set-runc")"
}

# rss KEY CMD...: the largest max RSS (KB, getrusage of the command and the
# children it waited for) over RSS_RUNS runs, each with a fresh state root.
rss() {
  local key=$1 rt=$2 verb=$3 b=$4 i kb
  shift 4
  : >"$tmp/$key.rss"
  for ((i = 0; i < RSS_RUNS; i++)); do
    rm -rf "$tmp/root-$rt"
    mkdir "$tmp/root-$rt"
    local base=("$rt")
    [ $rt = cell ] && base=("$CELL")
    /usr/bin/time -f %M -o "$tmp/$key.one" "${base[@]}" --root "$tmp/root-$rt" $verb -b "$b" cb \
      >/dev/null 2>&1 || { echo "-" >"$tmp/$key.rss"; return 0; }
    [ "$verb" = create ] && "${base[@]}" --root "$tmp/root-$rt" delete -f cb >/dev/null 2>&1
    tail -1 "$tmp/$key.one" >>"$tmp/$key.rss"
  done
  sort -n "$tmp/$key.rss" | tail -1 >"$tmp/$key.rssmax"
}

echo "cell bench: \`run\` of /bin/true, busybox bundle, namespaces of \`cell spec\`"
echo "  $(bench_machine)"
echo "  all in one private mount namespace without /sys/fs/cgroup/unified; hyperfine -N,"
echo "  $ROUNDS interleaved rounds, $WARMUP warm-up runs, a fresh state root before each run"
for rt in unshare kernel cell crun runc; do echo "  $rt: $(cmd_of $rt BUNDLE)"; done
echo

bench_set plain "$tmp/plain" "$RUNS"
report plain "no seccomp, back to back"
echo "  target: cell/unshare <= 1.7"
echo
if [ -n "$PROFILE" ]; then
  bench_set seccomp "$tmp/seccomp" "$RUNS"
  report seccomp "seccomp profile $PROFILE, back to back"
  echo "  target: cell/unshare <= 2.0, cell/crun <= 0.15"
else
  echo "seccomp: skipped, no profile (set BENCH_PROFILE, or install podman for its profile)"
fi

SPACED=${BENCH_SPACED_RUNS:-20}
if [ "$SPACED" -gt 0 ]; then
  export GAP=${BENCH_GAP:-0.3}
  WARMUP=1
  echo
  bench_set spaced "$tmp/plain" "$SPACED"
  report spaced "no seccomp, runs $GAP s apart"
  if [ -n "$PROFILE" ]; then
    echo
    bench_set spaced-seccomp "$tmp/seccomp" "$SPACED"
    report spaced-seccomp "seccomp profile, runs $GAP s apart"
  fi
  unset GAP
fi

echo
echo "peak RSS (max over $RSS_RUNS runs of /usr/bin/time %M: the command and the children it reaped)"
printf '  %-6s %12s %12s %12s\n' runtime "run KB" "run+sec KB" "create KB"
for rt in cell crun runc; do
  rss $rt-run $rt run "$tmp/plain"
  [ -n "$PROFILE" ] && rss $rt-runs $rt run "$tmp/seccomp"
  rss $rt-create $rt create "$tmp/plain"
  printf '  %-6s %12s %12s %12s\n' $rt "$(cat "$tmp/$rt-run.rssmax")" \
    "$(cat "$tmp/$rt-runs.rssmax" 2>/dev/null || echo -)" "$(cat "$tmp/$rt-create.rssmax")"
done
echo "  target: cell below crun and runc"
