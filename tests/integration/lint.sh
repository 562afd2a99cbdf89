# Static checks of the sources that the compiler does not make.

test_no_goto_skips_a_cleanup_variable() {
  "$CELL_TESTS/../scripts/check-cleanup-gotos" "$CELL_TESTS/../src"
}

# the policies in the tree are in `cell seccomp fmt`'s layout
test_example_policies_are_formatted() {
  local out
  out=$("$CELL_BIN" seccomp fmt --check "$CELL_TESTS"/../examples/*.sec "$CELL_TESTS"/fuzz/corpus/lang/easy-*.sec) ||
    fail "not in fmt's layout (cell seccomp fmt -w FILE): $out"
}
