# The policy language in real containers (issue 6): a .sec policy compiled
# with `cell seccomp compile --annotation` and handed to the runtime as
# run.oci.seccomp_bpf_data; podman's default profile as a policy; the
# policy annotations run.cell.seccomp_policy(_file) where the runtime
# honours them.

# the syscall helper and its bundle from seccomp.sh (SC_SRC, sc_bundle,
# seccomp, sc_run, needs_x86_64), without its tests
source <(sed -n '/^SC_SRC=/,/^needs_x86_64/p' "$CELL_TESTS/integration/seccomp.sh")

# bpf_annotation BUNDLE POLICY: the compiled policy as run.oci.seccomp_bpf_data
bpf_annotation() {
  local b64; b64=$("$CELL_BIN" seccomp compile --annotation "$2")
  B64=$b64 cfg "$1" 'import os; c.setdefault("annotations", {})["run.oci.seccomp_bpf_data"] = os.environ["B64"]'
}

test_lang_policy_in_a_container() {
  needs_x86_64
  sc_bundle "$TEST_TMP/b"
  cat > "$TEST_TMP/p.sec" <<'POLICY'
// getppid 110, getpgid 121 on x86_64
$syscall == getppid => ERRNO(77);
$syscall == getpgid && $arg0 == 7 => ERRNO(EPERM);
$syscall == getpgid && $arg0.hi == 1 => ERRNO(EINVAL);
$syscall == getpgid && ($arg0 == 5 || $arg0 == 6) => ERRNO(ESRCH);
=> ALLOW;
POLICY
  bpf_annotation "$TEST_TMP/b" "$TEST_TMP/p.sec"
  assert_eq "$(sc_run "$TEST_TMP/b" 110)" "ret=-1 errno=77"
  assert_eq "$(sc_run "$TEST_TMP/b" 121 7)" "ret=-1 errno=1"
  assert_eq "$(sc_run "$TEST_TMP/b" 121 0x100000007)" "ret=-1 errno=22" "the high word counts"
  assert_eq "$(sc_run "$TEST_TMP/b" 121 6)" "ret=-1 errno=3"
  assert_contains "$(sc_run "$TEST_TMP/b" 121 0)" "errno=0"
}

test_lang_podman_policy_runs() {
  make_bundle "$TEST_TMP/b"
  bpf_annotation "$TEST_TMP/b" "$CELL_TESTS/../examples/podman-default.sec"
  cfg "$TEST_TMP/b" 'c["process"]["args"] = ["sh", "-c", "echo hello; ls / | wc -l"]'
  assert_contains "$(cell run -b "$TEST_TMP/b" ct1)" "hello"
}

test_lang_policy_annotation() {
  needs_x86_64
  sc_bundle "$TEST_TMP/b"
  POLICY='$syscall == getppid => ERRNO(78);
=> ALLOW;' cfg "$TEST_TMP/b" 'import os; c.setdefault("annotations", {})["run.cell.seccomp_policy"] = os.environ["POLICY"]'
  local out; out=$(sc_run "$TEST_TMP/b" 110)
  [ "$out" != "ret=-1 errno=78" ] && [[ "$out" == *"errno=0"* ]] &&
    skip "the runtime does not honour run.cell.seccomp_policy yet"
  assert_eq "$out" "ret=-1 errno=78"
  # a policy error fails the create, with the diagnostic
  cfg "$TEST_TMP/b" 'c["annotations"]["run.cell.seccomp_policy"] = "$syscall == getppd => LOG;\n=> ALLOW;"'
  assert_fails_with 'unknown syscall `getppd`' cell run -b "$TEST_TMP/b" ct2 || true
}

test_lang_tools() {
  local p=$CELL_TESTS/../examples/podman-default.sec
  "$CELL_BIN" seccomp compile "$p" -o "$TEST_TMP/f.bpf"
  assert_eq "$("$CELL_BIN" seccomp simulate "$TEST_TMP/f.bpf" --arch x86_64 --syscall socket --args 16,3,9)" "ERRNO(22)"
  assert_eq "$("$CELL_BIN" seccomp simulate "$p" --arch x86 --syscall personality --args 8)" "ALLOW"
  assert_eq "$("$CELL_BIN" seccomp simulate "$p" --arch x32 --syscall bpf)" "ERRNO(1)"
  "$CELL_BIN" seccomp convert --to json "$p" -o "$TEST_TMP/p.json"
  "$CELL_BIN" seccomp convert --to sec "$TEST_TMP/p.json" -o "$TEST_TMP/back.sec"
  "$CELL_BIN" seccomp compile "$TEST_TMP/back.sec" -o "$TEST_TMP/g.bpf" 2>/dev/null
  assert_eq "$("$CELL_BIN" seccomp simulate "$TEST_TMP/g.bpf" --arch x86_64 --syscall socket --args 16,3,9)" "ERRNO(22)"
  # errors: file:line:col, the source line, a caret; no output file
  printf '$syscall == read => ALLOW;\n$syscall == wrte => LOG;\n=> KILL;\n' > "$TEST_TMP/bad.sec"
  assert_fails_with "bad.sec:2:13: unknown syscall \`wrte\`" "$CELL_BIN" seccomp compile "$TEST_TMP/bad.sec" -o "$TEST_TMP/x.bpf"
  assert_contains "$LAST_ERR" "            ^"
  [ ! -e "$TEST_TMP/x.bpf" ] || fail "an output file was written on error"
  assert_fails_with "no JSON form" "$CELL_BIN" seccomp convert --to json "$CELL_TESTS/../examples/per-arch.sec"
}

# easyseccomp's spelling, compiled as it is and loaded by the runtime
test_lang_easyseccomp_policy_in_a_container() {
  needs_x86_64
  sc_bundle "$TEST_TMP/b"
  cat > "$TEST_TMP/p.seccomp" <<'POLICY'
// getppid 110, getpgid 121 on x86_64
#ifdef DENY_GETPPID
$syscall == @getppid => ERRNO(77);
#endif
$syscall == @getpgid && $arg0 & 1 >= 1 => ERRNO(EPERM);
$syscall == @getpgid && $arg0 == 010 => ERRNO(EACCES);
$syscall in (@getpgid, @getsid) && $arg1 & 2048 <= 100 && $arg0 > 1000 => ERRNO(EINVAL);
$arg0 == 3735928559 && $arg1 & 4242 == 4242 => ERRNO(79);
=> ALLOW();
POLICY
  local b64
  b64=$("$CELL_BIN" seccomp compile -d DENY_GETPPID --annotation "$TEST_TMP/p.seccomp" 2>"$TEST_TMP/warn") ||
    fail "the easyseccomp policy does not compile: $(cat "$TEST_TMP/warn")"
  assert_contains "$(cat "$TEST_TMP/warn")" "p.seccomp:6:34: \`010\` is the decimal number 10"
  B64=$b64 cfg "$TEST_TMP/b" 'import os; c.setdefault("annotations", {})["run.oci.seccomp_bpf_data"] = os.environ["B64"]'
  assert_eq "$(sc_run "$TEST_TMP/b" 110)" "ret=-1 errno=77"
  assert_eq "$(sc_run "$TEST_TMP/b" 121 3)" "ret=-1 errno=1"
  assert_eq "$(sc_run "$TEST_TMP/b" 121 10)" "ret=-1 errno=13" "010 is ten"
  assert_eq "$(sc_run "$TEST_TMP/b" 121 2000 2048)" "ret=-1 errno=3" "masked > 100: allowed, no such process"
  assert_eq "$(sc_run "$TEST_TMP/b" 121 2000 4096)" "ret=-1 errno=22"
  assert_contains "$(sc_run "$TEST_TMP/b" 121 0)" "errno=0"
  # arguments alone: every syscall number, one outside the table (1000) too
  assert_eq "$(sc_run "$TEST_TMP/b" 39 3735928559 4242)" "ret=-1 errno=79" "getpid, by its arguments"
  assert_eq "$(sc_run "$TEST_TMP/b" 1000 3735928559 4243)" "ret=-1 errno=79" "outside the table"
  assert_eq "$(sc_run "$TEST_TMP/b" 1000 3735928559 4)" "ret=-1 errno=38" "allowed: the kernel's ENOSYS"
  # the same policy from stdin, without the define: getppid is allowed
  "$CELL_BIN" seccomp compile - < "$TEST_TMP/p.seccomp" > "$TEST_TMP/p.bpf" 2>/dev/null
  assert_eq "$("$CELL_BIN" seccomp simulate "$TEST_TMP/p.bpf" --arch x86_64 --syscall getppid)" "ALLOW"
}

# bad input in either spelling: file:line:col, the line, a caret, nothing written
test_lang_errors_in_both_spellings() {
  local cases=(
    '$syscall == @mkdr => ALLOW();|bad.sec:1:13: unknown syscall `mkdr`|            ^'
    '$syscall == mkdr => ALLOW;|bad.sec:1:13: unknown syscall `mkdr`|            ^'
    '$syscall == @mkdir => ERRNO(EPREM);\n=> ALLOW();|bad.sec:1:29: unknown constant `EPREM`|                            ^'
    '$syscall == @mkdir => ALLOW(1);|bad.sec:1:28: ALLOW takes no value|                           ^'
    '$syscall == @read@vax => ALLOW();|bad.sec:1:13: unknown architecture `vax`|            ^'
    '$syscall == @mkdir => ERRNO(EPERM)\n=> ALLOW();|bad.sec:2:1: expected `;`, found `=>`|^'
    '#ifdef X\n$syscall == @mkdir => ALLOW();\n=> ALLOW();|bad.sec:1:1: `#ifdef` without `#endif`|^'
    '$arg0 == @read => KILL();|bad.sec:1:10: `@read` names a syscall or an architecture|         ^'
    '$syscall == read => ALLOW;\n$syscall == wrte => LOG;\n=> KILL;|bad.sec:2:13: unknown syscall `wrte`|            ^'
  )
  local c text want caret
  for c in "${cases[@]}"; do
    IFS='|' read -r text want caret <<<"$c"
    printf "$text\n" > "$TEST_TMP/bad.sec"
    rm -f "$TEST_TMP/x.bpf"
    assert_fails_with "$want" "$CELL_BIN" seccomp compile "$TEST_TMP/bad.sec" -o "$TEST_TMP/x.bpf"
    assert_contains "$LAST_ERR" "    $caret"
    [ ! -e "$TEST_TMP/x.bpf" ] || fail "an output file was written on error: $text"
  done
}

# cell seccomp fmt: print, --check, -w in place; errors leave the file alone
test_lang_fmt_tool() {
  printf '$syscall==@mkdir&&$arg0&2048<=100=>ERRNO(10);\n// keep me\n=>ALLOW()\n' > "$TEST_TMP/p.sec"
  chmod 0640 "$TEST_TMP/p.sec"
  cp "$TEST_TMP/p.sec" "$TEST_TMP/orig.sec"
  local want
  want=$(printf '$syscall == @mkdir && $arg0 & 2048 <= 100 => ERRNO(10);\n// keep me\n=> ALLOW();')
  assert_eq "$("$CELL_BIN" seccomp fmt "$TEST_TMP/p.sec")" "$want"
  assert_eq "$("$CELL_BIN" seccomp fmt - < "$TEST_TMP/p.sec")" "$want"
  local out rc
  out=$("$CELL_BIN" seccomp fmt --check "$TEST_TMP/p.sec") && rc=0 || rc=$?
  assert_eq "$rc" 1 "--check on an unformatted file"
  assert_eq "$out" "$TEST_TMP/p.sec"
  cmp -s "$TEST_TMP/p.sec" "$TEST_TMP/orig.sec" || fail "--check wrote the file"
  "$CELL_BIN" seccomp fmt -w "$TEST_TMP/p.sec"
  assert_eq "$(cat "$TEST_TMP/p.sec")" "$want"
  assert_eq "$(stat -c %a "$TEST_TMP/p.sec")" 640 "the file keeps its mode"
  out=$("$CELL_BIN" seccomp fmt --check "$TEST_TMP/p.sec") || fail "--check on a formatted file: $out"
  assert_eq "$out" ""
  # the same filter before and after
  "$CELL_BIN" seccomp compile "$TEST_TMP/orig.sec" -o "$TEST_TMP/a.bpf" 2>/dev/null
  "$CELL_BIN" seccomp compile "$TEST_TMP/p.sec" -o "$TEST_TMP/b.bpf" 2>/dev/null
  cmp -s "$TEST_TMP/a.bpf" "$TEST_TMP/b.bpf" || fail "fmt changed the compiled filter"
  # every example: formatting twice changes nothing, the filter stays
  local e
  for e in "$CELL_TESTS"/../examples/*.sec; do
    "$CELL_BIN" seccomp fmt "$e" > "$TEST_TMP/once.sec"
    "$CELL_BIN" seccomp fmt --check "$TEST_TMP/once.sec" >/dev/null || fail "fmt is not idempotent on $e"
    "$CELL_BIN" seccomp compile -I "$CELL_TESTS/../examples" "$e" -o "$TEST_TMP/a.bpf" 2>/dev/null
    "$CELL_BIN" seccomp compile -I "$CELL_TESTS/../examples" "$TEST_TMP/once.sec" -o "$TEST_TMP/b.bpf" 2>/dev/null
    cmp -s "$TEST_TMP/a.bpf" "$TEST_TMP/b.bpf" || fail "fmt changed the filter of $e"
  done
  # a file that does not read as a policy: file:line:col, a caret, untouched
  printf '$syscall == read => ALLOW;\n$syscall ? read => LOG;\n' > "$TEST_TMP/bad.sec"
  cp "$TEST_TMP/bad.sec" "$TEST_TMP/bad.orig"
  assert_fails_with "bad.sec:2:10: unexpected character \`?\`" "$CELL_BIN" seccomp fmt -w "$TEST_TMP/bad.sec"
  assert_contains "$LAST_ERR" "             ^"
  cmp -s "$TEST_TMP/bad.sec" "$TEST_TMP/bad.orig" || fail "fmt -w changed a file it could not read"
  [ -z "$(ls "$TEST_TMP" | grep '\.tmp\.')" ] || fail "a temporary file was left behind"
  # usage
  assert_fails_with "-w and --check exclude each other" "$CELL_BIN" seccomp fmt -w --check "$TEST_TMP/p.sec"
  assert_fails_with "-w needs files" "$CELL_BIN" seccomp fmt -w -
}

# convert --to sec --style: a policy in the other spelling, both ways
test_lang_convert_style() {
  cat > "$TEST_TMP/e.sec" <<'POLICY'
// from easyseccomp
$syscall == @mkdir && $arg1 & 2048 <= 100 => ERRNO(EPERM);
$syscall in (@dup, @accept) => ERRNO(ENOENT);
=> ALLOW();
POLICY
  "$CELL_BIN" seccomp convert --to sec --style cell "$TEST_TMP/e.sec" -o "$TEST_TMP/c.sec"
  assert_eq "$(cat "$TEST_TMP/c.sec")" "$(printf '// from easyseccomp\n$syscall == mkdir && $arg1 & 2048 <= 100 => ERRNO(EPERM);\n$syscall in (dup, accept) => ERRNO(ENOENT);\n=> ALLOW;')"
  "$CELL_BIN" seccomp convert --to sec --style easyseccomp "$TEST_TMP/c.sec" -o "$TEST_TMP/e2.sec"
  "$CELL_BIN" seccomp fmt "$TEST_TMP/e.sec" > "$TEST_TMP/e1.sec"
  cmp -s "$TEST_TMP/e1.sec" "$TEST_TMP/e2.sec" || fail "the way back differs: $(diff "$TEST_TMP/e1.sec" "$TEST_TMP/e2.sec")"
  local f
  for f in e c e2; do "$CELL_BIN" seccomp compile "$TEST_TMP/$f.sec" -o "$TEST_TMP/$f.bpf"; done
  cmp -s "$TEST_TMP/e.bpf" "$TEST_TMP/c.bpf" && cmp -s "$TEST_TMP/e.bpf" "$TEST_TMP/e2.bpf" ||
    fail "the spellings compile differently"
  # what easyseccomp cannot read: file:line:col, nothing written
  printf '$syscall == read || $syscall == write => ALLOW;\n=> KILL;\n' > "$TEST_TMP/or.sec"
  assert_fails_with "or.sec:1:18: no easyseccomp form: easyseccomp has no \`||\`" \
    "$CELL_BIN" seccomp convert --to sec --style easyseccomp "$TEST_TMP/or.sec" -o "$TEST_TMP/x.sec"
  [ ! -e "$TEST_TMP/x.sec" ] || fail "an output file was written on error"
  assert_fails_with "--style cell or --style easyseccomp" "$CELL_BIN" seccomp convert --to sec --style go "$TEST_TMP/e.sec"
}
