#!/bin/bash
# bench/mounts.sh [BUILD] [N...]: what each bind mount of config.json adds
# to `run` of /bin/true, for cell, crun and runc. The bundle of
# bench/runtime.sh gets a tmpfs on /mnt and N bind mounts of one host
# directory on /mnt/m0 .. /mnt/mN-1 (N = 0 10 100 1000 by default); each
# runtime's median (hyperfine -N, BENCH_RUNS runs, default 15, a fresh state
# root before each run) and (t(N) - t(M)) / (N - M) for the size M before,
# the cost of one more mount (a slope: less moved by load than one run).
set -euo pipefail
build=${1:-}
source "$(dirname "$0")/lib.sh"
bench_enter_ns "$0" "$@"
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10 100 1000)
RUNS=${BENCH_RUNS:-15}
tmp=$(bench_tmp cell-bench-mnt)
trap 'bench_cleanup_tmp "$tmp"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$tmp/src"
echo "cell bench: bind mounts in config.json, \`run\` of /bin/true (median of $RUNS runs)"
echo "  $(bench_machine)"
printf '  %6s %-5s %10s %14s\n' mounts rt "run ms" "per mount us"
: >"$tmp/plot"
prev=0
for n in 0 "${sizes[@]}"; do
  bench_bundle "$tmp/b$n"
  BENCH_N=$n BENCH_SRC=$tmp/src cfg "$tmp/b$n" "
n = int(os.environ['BENCH_N'])
c['mounts'].append({'destination': '/mnt', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['nosuid', 'nodev']})
for i in range(n):
    c['mounts'].append({'destination': '/mnt/m%d' % i, 'type': 'bind', 'source': os.environ['BENCH_SRC'], 'options': ['bind']})"
  for rt in cell crun runc; do
    exe=$rt
    [ $rt = cell ] && exe=$CELL
    prep="rm -rf $tmp/root-$rt; mkdir $tmp/root-$rt"
    if ! (eval "$prep"; $exe --root "$tmp/root-$rt" run -b "$tmp/b$n" mb) >"$tmp/out" 2>&1; then
      printf '  %6s %-5s %10s   %s\n' "$n" $rt - "$(tail -1 "$tmp/out")"
      continue
    fi
    hyperfine -N --style none --runs "$RUNS" --warmup 2 --prepare "sh -c '$prep'" \
      --export-json "$tmp/h.json" -- "$exe --root $tmp/root-$rt run -b $tmp/b$n mb" >/dev/null 2>&1 || continue
    ms=$(python3 -c 'import json, sys; print("%.2f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' "$tmp/h.json")
    echo "$ms" >"$tmp/$rt-$n"
    per=-
    [ "$n" -gt 0 ] && [ -f "$tmp/$rt-$prev" ] &&
      per=$(awk -v a="$ms" -v b="$(cat "$tmp/$rt-$prev")" -v n=$((n - prev)) 'BEGIN { printf "%.1f", (a - b) * 1000 / n }')
    printf '  %6s %-5s %10s %14s\n' "$n" $rt "$ms" "$per"
    [ "$n" -gt 0 ] && echo "$n $rt $ms" >>"$tmp/plot"
  done
  prev=$n
done
ascii_plot "run time (ms) by bind mounts" mounts ms "$tmp/plot"
