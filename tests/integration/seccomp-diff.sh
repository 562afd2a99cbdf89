# `cell seccomp diff` and `explain` from the command line: profiles whose
# differences are known (exact lines), every input form (JSON, config.json,
# .sec, raw BPF, libseccomp's BPF), the exit status, podman's installed
# profile against the project's default, and bad input.  No container.

A_JSON='{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64"],"syscalls":[
 {"names":["read","write","clone3"],"action":"SCMP_ACT_ALLOW"},
 {"names":["clone"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":2114060288,"valueTwo":0,"op":"SCMP_CMP_MASKED_EQ"}]},
 {"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":8,"op":"SCMP_CMP_EQ"}]},
 {"names":["socket"],"action":"SCMP_ACT_ERRNO","errnoRet":22,"args":[{"index":0,"value":16,"op":"SCMP_CMP_EQ"},{"index":2,"value":9,"op":"SCMP_CMP_EQ"}]},
 {"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":16,"op":"SCMP_CMP_NE"}]},
 {"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":2,"value":9,"op":"SCMP_CMP_NE"}]}]}'

B_SEC='arch x86_64;
$syscall in (read, write, clone, socket) => ALLOW;
$syscall == personality && $arg0 in (0, 8) => ALLOW;
$syscall == clone3 => ERRNO(ENOSYS);
=> ERRNO(EPERM);'

two() {
  printf '%s\n' "$A_JSON" > "$TEST_TMP/a.json"
  printf '%s\n' "$B_SEC" > "$TEST_TMP/b.sec"
}

test_seccomp_diff_known_differences() {
  two
  local out rc
  out=$("$CELL_BIN" seccomp diff -l A,B "$TEST_TMP/a.json" "$TEST_TMP/b.sec") && rc=0 || rc=$?
  assert_eq "$rc" 1 "exit status when they differ"
  assert_contains "$out" "x86_64: A fails \`clone\` with EPERM when arg0 & 0x7e020000 != 0 (allowed in B)"
  assert_contains "$out" "x86_64: A allows \`clone3\` (ENOSYS in B)"
  assert_contains "$out" "x86_64: A fails \`personality\` with EPERM when arg0 == 0 (allowed in B)"
  assert_contains "$out" "x86_64: A fails \`socket\` with EINVAL when arg0 == 16 and arg2 == 9 (allowed in B)"
  assert_contains "$out" "x86_64: A fails numbers 472..1073741823 (not in the table) with ENOSYS (EPERM in B)"
  assert_eq "$(tail -1 <<<"$out")" "41 differences"
  # the file names when no labels are given
  out=$("$CELL_BIN" seccomp diff "$TEST_TMP/a.json" "$TEST_TMP/b.sec" || true)
  assert_contains "$out" "$TEST_TMP/a.json allows \`clone3\` (ENOSYS in $TEST_TMP/b.sec)"
}

test_seccomp_diff_every_input_form_decides_alike() {
  two
  # the JSON, inside a config.json, its raw BPF, and libseccomp's BPF of it
  python3 -c 'import json,sys; print(json.dumps({"ociVersion": "1.0.2", "linux": {"seccomp": json.load(open(sys.argv[1]))}}))' \
    "$TEST_TMP/a.json" > "$TEST_TMP/config.json"
  "$CELL_BIN" seccomp compile "$TEST_TMP/a.json" -o "$TEST_TMP/a.bpf"
  local out
  out=$("$CELL_BIN" seccomp diff "$TEST_TMP/a.json" "$TEST_TMP/config.json")
  assert_eq "$out" "no differences: both decide every call alike"
  out=$("$CELL_BIN" seccomp diff "$TEST_TMP/config.json" "$TEST_TMP/a.bpf")
  assert_eq "$out" "no differences: both decide every call alike"
  # Debian's python3 (python3-seccomp), whatever python3 is first in PATH
  /usr/bin/python3 - "$TEST_TMP/a.json" "$TEST_TMP/lib.bpf" <<'PY' || fail "python3-seccomp could not export the filter"
import json, sys, seccomp
p = json.load(open(sys.argv[1]))
f = seccomp.SyscallFilter(seccomp.ERRNO(1))
ops = {"SCMP_CMP_EQ": seccomp.EQ, "SCMP_CMP_NE": seccomp.NE, "SCMP_CMP_MASKED_EQ": seccomp.MASKED_EQ}
for r in p["syscalls"]:
    act = seccomp.ALLOW if r["action"] == "SCMP_ACT_ALLOW" else seccomp.ERRNO(r.get("errnoRet", 1))
    for n in r["names"]:
        args = [seccomp.Arg(a["index"], ops[a["op"]], a["value"], a.get("valueTwo", 0))
                if a["op"] == "SCMP_CMP_MASKED_EQ" else seccomp.Arg(a["index"], ops[a["op"]], a["value"])
                for a in r.get("args", [])]
        f.add_rule(act, n, *args)
with open(sys.argv[2], "wb") as o:
    f.export_bpf(o)
PY
  # libseccomp's program differs in shape and in what it does with numbers
  # above the profile's (no ENOSYS stub) and with x32: the syscalls agree
  out=$("$CELL_BIN" seccomp diff -l cell,libseccomp "$TEST_TMP/a.json" "$TEST_TMP/lib.bpf" || true)
  assert_not_contains "$out" "\`clone\`"
  assert_not_contains "$out" "\`socket\`"
  assert_not_contains "$out" "\`personality\`"
  assert_contains "$out" "x86_64: cell fails numbers 472..1073741823 (not in the table) with ENOSYS (EPERM in libseccomp)"
}

test_seccomp_explain_profile_and_its_bpf() {
  two
  "$CELL_BIN" seccomp compile "$TEST_TMP/a.json" -o "$TEST_TMP/a.bpf"
  local j b
  j=$("$CELL_BIN" seccomp explain "$TEST_TMP/a.json")
  b=$("$CELL_BIN" seccomp explain "$TEST_TMP/a.bpf")
  assert_eq "$j" "$b" "explain of the JSON and of its BPF"
  assert_contains "$j" "x86_64:
  EPERM: every syscall not listed below"
  assert_contains "$j" "  network:
    socket: EINVAL when arg0 == 16 and arg2 == 9; otherwise allowed"
  assert_contains "$j" "    clone: allowed when arg0 & 0x7e020000 == 0; otherwise EPERM"
  assert_contains "$j" "    personality: allowed when arg0 == 8; otherwise EPERM"
  assert_contains "$j" "  io:
    ENOSYS (1): epoll_pwait2
    allowed (2): read, write"
  assert_contains "$j" "other architectures: KILL_THREAD"
  # a policy and the JSON convert makes of it
  "$CELL_BIN" seccomp convert --to json "$CELL_TESTS/../examples/podman-default.sec" > "$TEST_TMP/pd.json"
  assert_eq "$("$CELL_BIN" seccomp explain "$TEST_TMP/pd.json")" \
    "$("$CELL_BIN" seccomp explain "$CELL_TESTS/../examples/podman-default.sec")" "explain of a policy and of its JSON"
}

test_seccomp_diff_podman_profile_against_the_project_default() {
  local pod=/usr/share/containers/seccomp.json own=$CELL_TESTS/../examples/podman-default.sec
  [ -f "$pod" ] || skip "no $pod (golang-github-containers-common)"
  local out rc
  out=$("$CELL_BIN" seccomp diff -l podman,cell "$pod" "$own") && rc=0 || rc=$?
  assert_eq "$rc" 1
  # podman's file lists its 32-bit ABIs in archMap and conditions rules on
  # capabilities (includes/excludes), which an OCI runtime is not given:
  # the runtime reads it as x86_64 only, capability rules applying
  assert_contains "$out" "x86_64: podman allows \`socket\` when arg0 == 16 and arg2 == 9 (EINVAL in cell)"
  assert_contains "$out" "x32, x86: podman kills the thread on \`personality\` when arg0 in (0, 8, 0x20000, 0x20008, 0xffffffff) (allowed in cell)"
  assert_contains "$out" "x86: podman kills the thread on numbers 222..223, 251, 285, 387..392, 415, 472..0xffffffff (not in the table) (ENOSYS in cell)"
  assert_not_contains "$out" "x86_64: podman allows \`clone3\`"
  # every unconditional difference checked against simulate, on the BPF
  # (simulate --arch ARCH would compile a profile with ARCH as the native)
  printf '%s\n' "$out" > "$TEST_TMP/diff.txt"
  "$CELL_BIN" seccomp compile "$pod" -o "$TEST_TMP/pod.bpf" 2>/dev/null
  "$CELL_BIN" seccomp compile "$own" -o "$TEST_TMP/own.bpf"
  python3 - "$CELL_BIN" "$TEST_TMP/pod.bpf" "$TEST_TMP/own.bpf" "$TEST_TMP/diff.txt" <<'PY' || fail "a diff line disagrees with simulate"
import re, subprocess, sys
cell, a, b, d = sys.argv[1:5]
lines = open(d).read().splitlines()
checked = 0
for l in lines:
    m = re.match(r"([\w, ]+): podman .*? \((\S+) in cell\)$", l)
    if not m or " when " in l or "numbers" in l:
        continue
    for arch in m.group(1).split(", "):
        for name in re.findall(r"`(\w+)`", l):
            sa = subprocess.run([cell, "seccomp", "simulate", a, "--arch", arch, "--syscall", name], capture_output=True, text=True).stdout.strip()
            sb = subprocess.run([cell, "seccomp", "simulate", b, "--arch", arch, "--syscall", name], capture_output=True, text=True).stdout.strip()
            assert sa != sb, (arch, name, sa, sb)
            checked += 1
assert checked > 500, checked
PY
}

test_seccomp_diff_explain_bad_input() {
  two
  echo '{"defaultAction": "SCMP_ACT_NOPE"}' > "$TEST_TMP/bad.json"
  assert_fails_with "bad.json:1:" "$CELL_BIN" seccomp diff "$TEST_TMP/bad.json" "$TEST_TMP/b.sec"
  assert_fails_with "defaultAction" "$CELL_BIN" seccomp explain "$TEST_TMP/bad.json"
  assert_fails_with "expected two profiles, A and B" "$CELL_BIN" seccomp diff "$TEST_TMP/a.json"
  assert_fails_with "--labels: expected A,B, not \`x\`" "$CELL_BIN" seccomp diff -l x "$TEST_TMP/a.json" "$TEST_TMP/b.sec"
  assert_fails_with "$TEST_TMP/none.sec" "$CELL_BIN" seccomp explain "$TEST_TMP/none.sec"
  printf 'ab\0' > "$TEST_TMP/odd.bpf"
  assert_fails_with "is not a whole number of 8-byte instructions" "$CELL_BIN" seccomp explain "$TEST_TMP/odd.bpf"
  # a program that does arithmetic on an argument is refused, not guessed
  python3 -c 'import struct,sys; open(sys.argv[1],"wb").write(struct.pack("<HBBI",0x20,0,0,16)+struct.pack("<HBBI",0x04,0,0,1)+struct.pack("<HBBI",0x15,0,1,5)+struct.pack("<HBBI",0x06,0,0,0x7fff0000)+struct.pack("<HBBI",0x06,0,0,0x50001))' "$TEST_TMP/arith.bpf"
  assert_fails_with "instruction 1 does arithmetic on an argument" "$CELL_BIN" seccomp explain "$TEST_TMP/arith.bpf"
}
