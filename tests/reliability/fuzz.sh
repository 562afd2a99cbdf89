# Hostile input: every fuzz target (tests/fuzz/fuzz-*.c) replays its whole
# corpus and every crash ever found (tests/fuzz/corpus/NAME/,
# tests/fuzz/crashes/NAME/) through the build under test: plain in the first
# pass, ASan + UBSan in the second. `make fuzz SECONDS=N` (tests/fuzz/run)
# is the long version, with AFL++.

source "$CELL_TESTS/reliability/lib/leaks.sh"
fuzz_targets() {
  local f
  for f in "$CELL_TESTS"/fuzz/fuzz-*.c; do f=$(basename "$f" .c); echo "${f#fuzz-}"; done
}

test_every_fuzz_target_replays_its_corpus_and_crashes() {
  local build t exe n total=0 dirs
  build=$(dirname "$CELL_BIN")
  for t in $(fuzz_targets); do
    exe=$build/tests/fuzz/fuzz-$t
    [ -x "$exe" ] || fail "no $exe: is $t listed in tests/fuzz/meson.build?"
    n=$(find "$CELL_TESTS/fuzz/corpus/$t" -type f 2>/dev/null | wc -l)
    [ "$n" -ge 3 ] || fail "tests/fuzz/corpus/$t has $n inputs: a target needs a seed corpus"
    dirs=("$CELL_TESTS/fuzz/corpus/$t")
    [ -d "$CELL_TESTS/fuzz/crashes/$t" ] && dirs+=("$CELL_TESTS/fuzz/crashes/$t")
    timeout 120 "$exe" "${dirs[@]}" >"$TEST_TMP/$t.out" 2>"$TEST_TMP/$t.err" ||
      { tail -20 "$TEST_TMP/$t.err" >&2; fail "fuzz target $t failed on $(grep '^input ' "$TEST_TMP/$t.err" | tail -1)"; }
    n=$(awk '/inputs replayed/ {print $1}' "$TEST_TMP/$t.out")
    [ "${n:-0}" -ge 3 ] || fail "fuzz target $t replayed ${n:-no} inputs"
    total=$((total + n))
  done
  echo "$total inputs replayed"
  rel_report "fuzz corpus and crashes replayed (4 targets)" "$total"
}
