# `cell seccomp check` (issue 14): one line per finding with its place,
# exit 0 clean, 1 warnings with --strict, 2 errors.  Nothing is written.

# check FILE [ARGS]: the output in $OUT, the exit status in $RC
check() {
  OUT=$("$CELL_BIN" seccomp check "$@" 2>&1) && RC=0 || RC=$?
}

test_check_clean_profile() {
  cat > "$TEST_TMP/p.json" <<'EOF2'
{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","write"],"action":"SCMP_ACT_ALLOW"},
 {"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":8,"op":"SCMP_CMP_EQ"}]}]}
EOF2
  check "$TEST_TMP/p.json" --strict; assert_eq "$OUT" ""
  assert_eq "$RC" 0
  assert_eq "$(ls "$TEST_TMP")" "p.json" "check writes nothing"
}

test_check_warnings_and_strict() {
  cat > "$TEST_TMP/p.json" <<'EOF2'
{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
 {"names":["read","nosuchcall"],"action":"SCMP_ACT_ALLOW"},
 {"names":["write"],"action":"SCMP_ACT_ERRNO"},
 {"names":["close"],"action":"SCMP_ACT_LOG","args":[{"index":0,"value":0,"op":"SCMP_CMP_LT"}]},
 {"names":["read"],"action":"SCMP_ACT_LOG","args":[{"index":0,"value":3,"op":"SCMP_CMP_EQ"}]},
 {"names":["fcntl"],"action":"SCMP_ACT_KILL_PROCESS","args":[{"index":1,"value":255,"op":"SCMP_CMP_LE"},{"index":2,"value":255,"op":"SCMP_CMP_NE"}]},
 {"names":["fcntl"],"action":"SCMP_ACT_TRAP","args":[{"index":1,"value":255,"op":"SCMP_CMP_NE"}]},
 {"names":["mmap"],"action":"SCMP_ACT_LOG","args":[{"index":2,"value":1,"op":"SCMP_CMP_EQ"},{"index":2,"value":2,"op":"SCMP_CMP_EQ"}]}
]}
EOF2
  check "$TEST_TMP/p.json"; local out=$OUT
  assert_eq "$RC" 0 "warnings alone exit 0"
  assert_contains "$out" "p.json:2:2: linux.seccomp.syscalls[0]: warning: names[1]: unknown syscall \"nosuchcall\""
  assert_contains "$out" "p.json:3:2: linux.seccomp.syscalls[1]: warning: has the default action ERRNO(1): no effect"
  assert_contains "$out" "linux.seccomp.syscalls[2].args[0]: warning: this condition can never hold"
  assert_contains "$out" "p.json:5:2: linux.seccomp.syscalls[3]: warning: never decides \"read\" (x86_64): linux.seccomp.syscalls[0] decides it"
  assert_contains "$out" "p.json:7:2: linux.seccomp.syscalls[5]: warning: overlaps linux.seccomp.syscalls[4] on \"fcntl\" (x86_64) with another action (TRAP(0) here, KILL_PROCESS there): for args (0, 0, 0, 0, 0, 0) libseccomp's merge gives TRAP(0)"
  assert_contains "$out" "linux.seccomp.syscalls[6]: warning: two conditions on one argument: each is a rule of its own (OR)"
  assert_eq "$(printf '%s\n' "$out" | grep -c ': warning: ')" "$(printf '%s\n' "$out" | wc -l)" "one finding a line"
  check "$TEST_TMP/p.json" --strict
  assert_eq "$RC" 1 "--strict: warnings exit 1"
}

test_check_refused_profile() {
  cat > "$TEST_TMP/config.json" <<'EOF2'
{"ociVersion":"1.0.2","linux":{"seccomp":{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
 {"names":["read"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":3,"op":"SCMP_CMP_EQ"}]},
 {"names":["read"],"action":"SCMP_ACT_KILL_PROCESS","args":[{"index":0,"value":3,"op":"SCMP_CMP_EQ"}]}]}}}
EOF2
  check "$TEST_TMP/config.json"; local out=$OUT
  assert_eq "$RC" 2
  assert_contains "$out" "config.json:3:2: linux.seccomp.syscalls[1]: error: conflicts with linux.seccomp.syscalls[0] ($TEST_TMP/config.json:2:2) on \"read\" (x86_64): ERRNO(1) there and KILL_PROCESS here decide the same arguments; libseccomp refuses the profile (EEXIST)"
  # compile refuses it the same way, and so does the runtime (cell create)
  assert_fails_with "libseccomp refuses the profile (EEXIST)" "$CELL_BIN" seccomp compile "$TEST_TMP/config.json" -o "$TEST_TMP/f.bpf"
  [ ! -e "$TEST_TMP/f.bpf" ] || fail "compile wrote a refused profile"
}

test_check_bad_input() {
  echo '{"defaultAction":"SCMP_ACT_BOGUS"}' > "$TEST_TMP/a.json"
  check "$TEST_TMP/a.json"; assert_eq "$OUT" "$TEST_TMP/a.json:1:18: linux.seccomp.defaultAction: error: unknown action \"SCMP_ACT_BOGUS\""
  assert_eq "$RC" 2
  echo '{"defaultAction":' > "$TEST_TMP/b.json"
  check "$TEST_TMP/b.json"; assert_eq "$OUT" "$TEST_TMP/b.json:2:1: error: premature end of input: a value expected"
  assert_eq "$RC" 2
  echo '{"ociVersion":"1.0.2","linux":{}}' > "$TEST_TMP/c.json"
  check "$TEST_TMP/c.json"; assert_eq "$OUT" "$TEST_TMP/c.json: error: no linux.seccomp in this config"
  assert_eq "$RC" 2
  check "$TEST_TMP/none.json"; assert_eq "$OUT" "$TEST_TMP/none.json: error: open \`$TEST_TMP/none.json\`: No such file or directory"
  assert_eq "$RC" 2
  echo '{"ociVersion":"1.0.2","annotations":{"run.oci.seccomp_fail_unknown_syscall":"1"},"linux":{"seccomp":{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["nosuchcall"],"action":"SCMP_ACT_ERRNO"}]}}}' > "$TEST_TMP/d.json"
  check "$TEST_TMP/d.json"
  assert_contains "$OUT" "linux.seccomp.syscalls[0].names[0]: error: unknown syscall \"nosuchcall\" (annotation run.oci.seccomp_fail_unknown_syscall is set)"
  assert_eq "$RC" 2
  check --arch nosucharch "$TEST_TMP/a.json"
  assert_eq "$RC" 2 "usage error"
}

test_check_policy() {
  printf '$syscall == read => ALLOW;\n$syscall == read && $arg0 == 1 => LOG;\n=> ERRNO(EPERM);\n' > "$TEST_TMP/p.sec"
  check "$TEST_TMP/p.sec"; local out=$OUT
  assert_eq "$RC" 0
  assert_eq "$out" "$TEST_TMP/p.sec:2:1: warning: this rule never applies: the rule at $TEST_TMP/p.sec:1:1 decides everything it matches first"
  check "$TEST_TMP/p.sec" --strict
  assert_eq "$RC" 1
  printf '$syscall == nosuch => ALLOW;\n' > "$TEST_TMP/e.sec"
  check "$TEST_TMP/e.sec"; assert_contains "$OUT" "e.sec:1:13: error: "
  assert_eq "$RC" 2
}

# Errors name the place of the value at fault: the last of repeated keys
# (the one that counts), deep in args of a config.json, in architectures
# and flags, a wrong type at the top; compile says the same.
test_check_error_places() {
  printf '{"defaultAction": "SCMP_ACT_ERRNO",\n "defaultAction": "SCMP_ACT_MAYBE"}\n' > "$TEST_TMP/a.json"
  check "$TEST_TMP/a.json"; assert_eq "$OUT" "$TEST_TMP/a.json:2:19: linux.seccomp.defaultAction: error: unknown action \"SCMP_ACT_MAYBE\""
  assert_eq "$RC" 2
  assert_fails_with "$TEST_TMP/a.json:2:19: linux.seccomp.defaultAction: unknown action \"SCMP_ACT_MAYBE\"" \
    "$CELL_BIN" seccomp compile "$TEST_TMP/a.json" -o "$TEST_TMP/f.bpf"
  cat > "$TEST_TMP/c.json" <<'EOF2'
{"ociVersion": "1.2.0", "linux": {"seccomp": {
  "defaultAction": "SCMP_ACT_ERRNO",
  "syscalls": [
    {"names": ["read"], "action": "SCMP_ACT_ALLOW"},
    {"names": ["write"], "action": "SCMP_ACT_ALLOW", "args": [
      {"index": 0, "value": 1, "op": "SCMP_CMP_EQ"},
      {"index": 1, "value": 2, "valueTwo": -1, "op": "SCMP_CMP_MASKED_EQ"},
      {"index": 2, "value": "3", "op": "SCMP_CMP_EQ"}]}]}}}
EOF2
  check "$TEST_TMP/c.json"; assert_eq "$OUT" "$TEST_TMP/c.json:8:29: linux.seccomp.syscalls[1].args[2].value: error: expected an integer"
  assert_fails_with "$TEST_TMP/c.json:8:29: linux.seccomp.syscalls[1].args[2].value: expected an integer" \
    "$CELL_BIN" seccomp compile "$TEST_TMP/c.json" -o "$TEST_TMP/f.bpf"
  printf '{"defaultAction": "SCMP_ACT_ERRNO",\n "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86",\n   "SCMP_ARCH_Z80"]}\n' > "$TEST_TMP/d.json"
  check "$TEST_TMP/d.json"; assert_eq "$OUT" "$TEST_TMP/d.json:3:4: linux.seccomp.architectures[2]: error: unknown architecture \"SCMP_ARCH_Z80\""
  printf '{"defaultAction": "SCMP_ACT_ERRNO",\n "flags": ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_FAST"]}\n' > "$TEST_TMP/e.json"
  check "$TEST_TMP/e.json"; assert_eq "$OUT" "$TEST_TMP/e.json:2:41: linux.seccomp.flags[1]: error: unknown flag \"SECCOMP_FILTER_FLAG_FAST\""
  printf '{"defaultAction": "SCMP_ACT_ERRNO",\n "syscalls": "read"}\n' > "$TEST_TMP/g.json"
  check "$TEST_TMP/g.json"; assert_eq "$OUT" "$TEST_TMP/g.json:2:14: linux.seccomp.syscalls: error: expected an array"
  [ ! -e "$TEST_TMP/f.bpf" ] || fail "compile wrote a refused profile"
}

test_check_real_profiles() {
  check "$CELL_TESTS/../examples/podman-default.sec" --strict
  assert_eq "$RC" 0 "the example policy is clean"
  check "$CELL_TESTS/unit/seccomp/data/kubernetes-shaped.json"
  assert_eq "$RC" 0
}

test_runtime_refuses_what_libseccomp_refuses() {
  make_bundle "$TEST_TMP/b"
  cfg "$TEST_TMP/b" 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
    {"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 3, "op": "SCMP_CMP_EQ"}]},
    {"names": ["getpid"], "action": "SCMP_ACT_KILL_PROCESS", "args": [{"index": 0, "value": 3, "op": "SCMP_CMP_EQ"}]}]}'
  assert_fails_with 'linux.seccomp.syscalls[1]: conflicts with linux.seccomp.syscalls[0]' cell create -b "$TEST_TMP/b" refused1
  assert_contains "$LAST_ERR" '"getpid" (x86_64): ERRNO(1) there and KILL_PROCESS here'
  assert_eq "$(cell list -q 2>/dev/null | grep -c refused1 || true)" "0" "no container left"
  [ ! -e "$CELL_ROOT/refused1" ] || fail "state left behind"
}

# Argument values are uint64 (runc's Go type): every one up to
# 18446744073709551615 is taken, by the tools and by the runtime, and means
# what its two's complement spelling means; one above it is refused naming
# the place.
test_uint64_argument_values() {
  cat > "$TEST_TMP/p.json" <<'EOF2'
{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
 {"names":["personality"],"action":"SCMP_ACT_ERRNO","errnoRet":22,"args":[{"index":0,"value":18446744073709551615,"op":"SCMP_CMP_EQ"}]},
 {"names":["mkdir"],"action":"SCMP_ACT_ERRNO","errnoRet":1,"args":[{"index":1,"value":18446744069414584320,"valueTwo":0,"op":"SCMP_CMP_MASKED_EQ"}]}]}
EOF2
  check "$TEST_TMP/p.json" --strict; assert_eq "$OUT" ""
  assert_eq "$RC" 0
  assert_eq "$("$CELL_BIN" seccomp simulate "$TEST_TMP/p.json" --arch x86_64 --syscall personality --args -1)" "ERRNO(22)"
  assert_eq "$("$CELL_BIN" seccomp simulate "$TEST_TMP/p.json" --arch x86_64 --syscall personality --args 0xffffffff)" "ALLOW"
  sed 's/18446744073709551615/-1/' "$TEST_TMP/p.json" > "$TEST_TMP/q.json"
  "$CELL_BIN" seccomp compile "$TEST_TMP/p.json" -o "$TEST_TMP/p.bpf" || fail "compile of p.json"
  "$CELL_BIN" seccomp compile "$TEST_TMP/q.json" -o "$TEST_TMP/q.bpf" || fail "compile of q.json"
  cmp -s "$TEST_TMP/p.bpf" "$TEST_TMP/q.bpf" || fail "18446744073709551615 and -1 give different programs"
  sed 's/18446744073709551615/18446744073709551616/' "$TEST_TMP/p.json" > "$TEST_TMP/r.json"
  check "$TEST_TMP/r.json"
  assert_eq "$OUT" "$TEST_TMP/r.json:2:94: error: integer 18446744073709551616 is out of range (above UINT64_MAX)"
  assert_eq "$RC" 2
  assert_fails_with "r.json:2:94: integer 18446744073709551616 is out of range (above UINT64_MAX)" \
    "$CELL_BIN" seccomp compile "$TEST_TMP/r.json" -o "$TEST_TMP/r.bpf"
  # what cell writes, runc reads: no negative spelling
  printf '%s\n' '$syscall == personality && $arg0 == 0xffffffffffffffff => ERRNO(22);' \
    '$syscall == mkdir && $arg1 & 0xffffffff00000000 == 0 => ERRNO(1);' '=> ALLOW;' > "$TEST_TMP/u.sec"
  "$CELL_BIN" seccomp convert --to json "$TEST_TMP/u.sec" -o "$TEST_TMP/u.json" || fail "convert"
  assert_eq "$(python3 -c 'import json,sys
for r in json.load(open(sys.argv[1]))["syscalls"]:
  for a in r["args"]: print(r["names"][0], a["value"], a.get("valueTwo", "-"))' "$TEST_TMP/u.json" | sort)" \
    "mkdir 18446744069414584320 0
personality 18446744073709551615 -"
  "$CELL_BIN" seccomp compile "$TEST_TMP/u.json" -o "$TEST_TMP/u.bpf" || fail "compile of u.json"
  cmp -s "$TEST_TMP/p.bpf" "$TEST_TMP/u.bpf" || fail "the policy's JSON gives another program than p.json"
  # the runtime: mkdir's mode has no high bits, so the masked rule denies it
  make_bundle "$TEST_TMP/b"
  cfg "$TEST_TMP/b" "c['linux']['seccomp'] = json.load(open('$TEST_TMP/p.json'))
c['process']['args'] = ['sh', '-c', 'mkdir /tmp/d 2>&1; echo rc=\$?']"
  local out; out=$(cell run -b "$TEST_TMP/b" u64ct 2>&1) || true
  assert_contains "$out" "Operation not permitted"
  assert_contains "$out" "rc=1"
}
