# cell's default seccomp profile (profiles/default.sec, built to
# BUILD/profiles/default.json): `cell spec --seccomp` writes it, libseccomp
# reads its JSON as cell compiles it, and a container under it sees what
# the policy's comments promise.

profile_json() { echo "$CELL_BUILD/profiles/default.json"; }

test_spec_seccomp_writes_the_built_profile() {
  local d=$TEST_TMP/b
  mkdir -p "$d" "$d-rootless"
  cell spec -b "$d" --seccomp
  cell spec -b "$d-rootless" --rootless --seccomp
  python3 - "$d/config.json" "$d-rootless/config.json" "$(profile_json)" <<'PY'
import json, sys
a, b, built = (json.load(open(p)) for p in sys.argv[1:4])
assert a["linux"]["seccomp"] == built, "cell spec --seccomp differs from the built default.json"
assert b["linux"]["seccomp"] == built, "cell spec --rootless --seccomp differs"
assert "uidMappings" in b["linux"], "--rootless lost with --seccomp"
del a["linux"]["seccomp"]
PY
  # without --seccomp: runc's config, no profile
  mkdir -p "$TEST_TMP/plain"
  cell spec -b "$TEST_TMP/plain"
  python3 -c 'import json, sys; assert "seccomp" not in json.load(open(sys.argv[1]))["linux"]' \
    "$TEST_TMP/plain/config.json"
  assert_fails_with "already exists" cell spec -b "$d" --seccomp
  assert_fails_with "unknown option" cell spec --seccomp=x
}

# A container under the profile with CAP_SYS_ADMIN and CAP_SYSLOG, so that
# what fails fails because of seccomp; each denial is checked to succeed
# without the profile.
test_default_profile_in_a_container() {
  local b=$TEST_TMP/b out
  make_bundle "$b"
  mkdir -p "$TEST_TMP/s"
  cell spec -b "$TEST_TMP/s" --seccomp
  cfg "$b" "
for s in ('bounding', 'effective', 'permitted'):
    c['process']['capabilities'][s] += ['CAP_SYS_ADMIN', 'CAP_SYSLOG']
c['linux']['seccomp'] = json.load(open('$TEST_TMP/s/config.json'))['linux']['seccomp']
c['process']['args'] = ['sh', '-c', '''
grep ^Seccomp: /proc/self/status
unshare -m true && echo unshare-m ok
unshare -U true 2>&1 || echo unshare-U refused
hostname x 2>&1 || echo hostname refused
dmesg >/dev/null 2>&1 && echo dmesg ok || echo dmesg refused
linux32 uname -m
''']"
  out=$(cell run -b "$b" dp1 2>&1)
  echo "$out"
  assert_contains "$out" "Seccomp:	2"
  assert_contains "$out" "unshare-m ok"
  assert_contains "$out" "Operation not permitted"
  assert_contains "$out" "unshare-U refused"
  assert_contains "$out" "hostname refused"
  assert_contains "$out" "dmesg refused"
  assert_contains "$out" "i686"
  # the same container without the profile: each of those succeeds
  cfg "$b" "del c['linux']['seccomp']"
  out=$(cell run -b "$b" dp2 2>&1)
  echo "$out"
  assert_contains "$out" "Seccomp:	0"
  assert_not_contains "$out" "refused"
  assert_contains "$out" "dmesg ok"
}

# libseccomp's filter for the JSON form (python3-seccomp, Debian's python)
# against cell's, compiled from the JSON and from the policy.
test_default_profile_equals_libseccomp() {
  /usr/bin/python3 -c 'import seccomp' 2>/dev/null ||
    skip "python3-seccomp is not installed for /usr/bin/python3 (make deps)"
  local out
  "$CELL_BIN" seccomp compile "$(profile_json)" -o "$TEST_TMP/json.bpf"
  "$CELL_BIN" seccomp compile "$CELL_TESTS/../profiles/default.sec" -o "$TEST_TMP/sec.bpf"
  cmp "$TEST_TMP/json.bpf" "$TEST_TMP/sec.bpf" || echo "(the two programs differ in form; their decisions are compared below)"
  out=$(/usr/bin/python3 "$CELL_TESTS/lib/libseccomp-oracle.py" "$(profile_json)" "$TEST_TMP/json.bpf" \
        "$CELL_TESTS/../data/syscalls.csv")
  echo "$out"
  assert_contains "$out" " 0 differences"
  out=$(/usr/bin/python3 "$CELL_TESTS/lib/libseccomp-oracle.py" "$(profile_json)" "$TEST_TMP/sec.bpf" \
        "$CELL_TESTS/../data/syscalls.csv")
  echo "$out"
  assert_contains "$out" " 0 differences"
}

# The oracle itself tells a different filter apart (it is no rubber stamp).
test_libseccomp_oracle_sees_differences() {
  /usr/bin/python3 -c 'import seccomp' 2>/dev/null ||
    skip "python3-seccomp is not installed for /usr/bin/python3 (make deps)"
  sed 's/^set HOST_LOG = (syslog);/set HOST_LOG = (acct);/' "$CELL_TESTS/../profiles/default.sec" >"$TEST_TMP/m.sec"
  "$CELL_BIN" seccomp compile "$TEST_TMP/m.sec" -o "$TEST_TMP/m.bpf"
  local out rc=0
  out=$(/usr/bin/python3 "$CELL_TESTS/lib/libseccomp-oracle.py" "$(profile_json)" "$TEST_TMP/m.bpf" \
        "$CELL_TESTS/../data/syscalls.csv") || rc=$?
  echo "$out"
  assert_eq "$rc" 1 "oracle exit status"
  assert_contains "$out" "(syslog)"
}
