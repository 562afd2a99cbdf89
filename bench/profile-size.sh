#!/bin/bash
# bench/profile-size.sh [BUILD] [SEED]: compile and load time of random
# profiles of 10, 100, 300, 1k and 10k rules (bench/profile-size.c), and a
# plot of the compile time.
set -euo pipefail
build=${1:-}
source "$(dirname "$0")/lib.sh"
out=$(mktemp)
trap 'rm -f "$out" "$out.plot"' EXIT
"$build/bench/profile-size" "${2:-20}" 10 100 300 1000 10000 | tee "$out"
awk '$1 ~ /^[0-9]+$/ { print $1, "parse", $3; print $1, "cmpl", $5 }' "$out" >"$out.plot"
ascii_plot "parse and compile time (us) by rules" rules us "$out.plot" log
