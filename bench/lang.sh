#!/bin/bash
# The policy language's compile time: cell's default profile as a policy
# (profiles/default.sec) next to its JSON form (build/profiles/default.json),
# both through
# `cell seccomp compile`, and the length of both filters.  A trivial policy
# (`=> ALLOW;`) gives the cost of starting cell, which is subtracted.
# Then the same in one process (tests/unit/lang/lang-bench), which other
# load on the machine disturbs much less.
# Usage: bench/lang.sh [BUILD_DIR] [ITERATIONS]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
cell=$build/cell
iters=${2:-200}
sec=$here/../profiles/default.sec
json=$build/profiles/default.json
[ -f "$json" ] || { echo "bench/lang.sh: no $json (run 'make')" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '=> ALLOW;\n' > "$tmp/empty.sec"

# mean wall time of one compile in microseconds
run() {
  local f=$1 start end i
  "$cell" seccomp compile "$f" -o "$tmp/out.bpf"   # warm up, and fail early
  start=$(date +%s%N)
  for ((i = 0; i < iters; i++)); do
    "$cell" seccomp compile "$f" -o "$tmp/out.bpf"
  done
  end=$(date +%s%N)
  echo $(( (end - start) / iters / 1000 ))
}

if ! "$cell" seccomp compile "$sec" -o "$tmp/out.bpf" 2>/dev/null; then
  echo "$cell cannot compile policies (no .sec support in its \`seccomp compile\`); in-process only"
  if [ -x "$build/tests/unit/lang/lang-bench" ]; then
    exec "$build/tests/unit/lang/lang-bench" "$sec" "$json" "$iters"
  fi
  exit 1
fi
base=$(run "$tmp/empty.sec")
t_sec=$(run "$sec")
n_sec=$(( $(stat -c %s "$tmp/out.bpf") / 8 ))
t_json=$(run "$json")
n_json=$(( $(stat -c %s "$tmp/out.bpf") / 8 ))
echo "cell seccomp compile, mean of $iters runs (process start-up: ${base} us)"
printf '  %-28s %8s %8s %8s\n' input total compile insns
printf '  %-28s %6d us %6d us %8d\n' "default.sec" "$t_sec" $((t_sec - base)) "$n_sec"
printf '  %-28s %6d us %6d us %8d\n' "default.json" "$t_json" $((t_json - base)) "$n_json"

if [ -x "$build/tests/unit/lang/lang-bench" ]; then
  "$build/tests/unit/lang/lang-bench" "$sec" "$json" "$iters"
fi
