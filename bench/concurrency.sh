#!/bin/bash
# bench/concurrency.sh [BUILD] [N...]: N containers started at once
# (bench/concurrency.py) for cell, crun and runc, in the private mount
# namespace of bench/lib.sh; then a plot of containers per second.
set -euo pipefail
build=${1:-}
source "$(dirname "$0")/lib.sh"
bench_enter_ns "$0" "$@"
shift || true
tmp=$(bench_tmp cell-bench-conc)
trap 'bench_cleanup_tmp "$tmp"' EXIT
trap 'exit 130' INT TERM
bench_bundle "$tmp/plain"
echo "cell bench: N containers at once (create, start, delete -f of /bin/true; median of ${BENCH_REPEAT:-3} batches)"
echo "  $(bench_machine)"
BENCH_BUNDLE=$tmp/plain BENCH_TMP=$tmp python3 "$(dirname "$0")/concurrency.py" "$build" "$@"
ascii_plot "containers per second" N "/s" "$tmp/concurrency.plot"
