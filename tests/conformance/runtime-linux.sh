# runtime-linux.md: file descriptors and /dev symbolic links.
source "$CELL_TESTS/conformance/lib.sh"

item_fds() {
  conf_sh "$TEST_TMP/b" 'cd /proc/self/fd && for f in *; do [ -e "$f" ] && echo "$f"; done; true'
  # The shell's glob runs in the process itself: what is open is what the
  # runtime left (plus the directory the glob reads, closed by then).
  local out
  out=$(exec 7</dev/null 8>/dev/null; conf_out "$TEST_TMP/b" fd1 </dev/null)
  assert_eq "$(tr '\n' ' ' <<<"$out")" "0 1 2 " "open fds of the program"
}
test_file_descriptors_only_stdio() {
  conf_item must "By default only stdin, stdout and stderr are kept open for the application" item_fds
}

item_dev_symlinks() {
  conf_sh "$TEST_TMP/b" 'for l in fd stdin stdout stderr; do echo "$l $(readlink /dev/$l)"; done'
  assert_eq "$(conf_out "$TEST_TMP/b" ds1)" "fd /proc/self/fd
stdin /proc/self/fd/0
stdout /proc/self/fd/1
stderr /proc/self/fd/2"
}
test_dev_symbolic_links() {
  conf_item must "The runtime MUST create /dev/fd, /dev/stdin, /dev/stdout, /dev/stderr" item_dev_symlinks
}
