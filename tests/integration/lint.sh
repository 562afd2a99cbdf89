# Static checks of the sources that the compiler does not make.

test_no_goto_skips_a_cleanup_variable() {
  "$CELL_TESTS/../scripts/check-cleanup-gotos" "$CELL_TESTS/../src"
}
