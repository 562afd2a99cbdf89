# The command line: --version, --help of each command, usage errors, and
# the output of `spec` and `features`.
#
# `assert_fails_with ... || true`: under set -e the failing command
# substitution inside assert_fails_with would end the test before its checks
# run; in an || list set -e is off and its own `fail` still ends the test.

test_version() {
  local out
  out=$("$CELL_BIN" --version)
  assert_contains "$out" "cell version "
  assert_contains "$out" "spec: 1.2.0"
  assert_contains "$out" "+SECCOMP"
  assert_eq "$("$CELL_BIN" -v)" "$out" "-v and --version differ"
}

test_main_help_lists_commands() {
  local out c
  out=$("$CELL_BIN" --help)
  for c in create start run exec state kill delete list spec features; do
    assert_contains "$out" "  $c " "cell --help lacks $c"
  done
  for c in --root --log --log-format --debug --systemd-cgroup --cgroup-manager; do
    assert_contains "$out" "$c" "cell --help lacks $c"
  done
}

# help_has CMD FLAG...: `cell CMD --help` exits 0 and names every FLAG.
help_has() {
  local cmd=$1 out f
  shift
  out=$("$CELL_BIN" "$cmd" --help) || fail "cell $cmd --help failed"
  assert_contains "$out" "Usage:"
  assert_contains "$out" "cell $cmd " "the usage of cell $cmd"
  for f in "$@"; do
    assert_contains "$out" "$f" "cell $cmd --help lacks $f"
  done
}

test_command_help_lists_flags() {
  help_has create --bundle --pid-file --console-socket --preserve-fds --no-pivot \
    --no-new-keyring --config
  help_has run --bundle --pid-file --console-socket --preserve-fds --no-pivot \
    --no-new-keyring --detach --keep
  help_has exec --process --tty --console-socket --detach --pid-file --cwd --env \
    --user --cap --no-new-privs --preserve-fds
  help_has start
  help_has state
  help_has kill --all
  help_has delete --force
  help_has list --quiet --format
  help_has spec --bundle --rootless
  help_has features
}

test_unknown_command_is_usage_error() {
  local rc=0 err
  err=$("$CELL_BIN" frobnicate 2>&1 >/dev/null) || rc=$?
  assert_eq "$rc" 2 "exit status of an unknown command"
  assert_contains "$err" "unknown command \`frobnicate\`"
  assert_contains "$err" "cell --help"
}

test_unknown_global_flag_is_usage_error() {
  local rc=0 err
  err=$("$CELL_BIN" --frobnicate list 2>&1 >/dev/null) || rc=$?
  assert_eq "$rc" 2 "exit status of an unknown global flag"
  assert_contains "$err" "--frobnicate"
}

test_unknown_flag_is_usage_error() {
  local c rc err
  for c in create start run exec state kill delete list spec features; do
    rc=0
    err=$("$CELL_BIN" --root "$CELL_ROOT" "$c" --frobnicate x 2>&1 >/dev/null) || rc=$?
    assert_eq "$rc" 2 "exit status of cell $c --frobnicate"
    assert_contains "$err" "--frobnicate" "cell $c names the bad flag"
    assert_contains "$err" "Usage:" "cell $c prints its usage"
    assert_contains "$err" "cell $c " "cell $c prints its own usage"
  done
}

test_missing_flag_argument_is_usage_error() {
  local rc=0 err
  err=$("$CELL_BIN" spec --bundle 2>&1 >/dev/null) || rc=$?
  assert_eq "$rc" 2
  assert_contains "$err" "needs an argument"
}

test_spec_writes_valid_config() {
  mkdir -p "$TEST_TMP/b"
  "$CELL_BIN" spec -b "$TEST_TMP/b"
  python3 - "$TEST_TMP/b/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
assert c["ociVersion"] == "1.2.0", c["ociVersion"]
p = c["process"]
assert p["terminal"] is True and p["args"] == ["sh"] and p["cwd"] == "/"
assert p["user"] == {"uid": 0, "gid": 0}
assert "TERM=xterm" in p["env"] and any(e.startswith("PATH=") for e in p["env"])
caps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
for s in ("bounding", "effective", "permitted"):
    assert p["capabilities"][s] == caps, s
assert p["rlimits"] == [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}]
assert p["noNewPrivileges"] is True
assert c["root"] == {"path": "rootfs", "readonly": True}
assert c["hostname"] == "cell"
dests = [m["destination"] for m in c["mounts"]]
assert dests == ["/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys",
                 "/sys/fs/cgroup"], dests
l = c["linux"]
assert [n["type"] for n in l["namespaces"]] == ["pid", "network", "ipc", "uts", "mount",
                                                "cgroup"]
assert l["resources"]["devices"] == [{"allow": False, "access": "rwm"}]
assert "/proc/kcore" in l["maskedPaths"] and "/proc/sys" in l["readonlyPaths"]
assert "uidMappings" not in l and "seccomp" not in l
PY
  # Two-space indentation, as runc's is a tab and crun's two spaces.
  assert_contains "$(sed -n 2p "$TEST_TMP/b/config.json")" '  "ociVersion"'
}

test_spec_default_dir_is_cwd() {
  mkdir -p "$TEST_TMP/here"
  (cd "$TEST_TMP/here" && "$CELL_BIN" spec)
  [ -f "$TEST_TMP/here/config.json" ] || fail "cell spec did not write ./config.json"
}

test_spec_rootless() {
  mkdir -p "$TEST_TMP/b"
  "$CELL_BIN" spec --rootless --bundle "$TEST_TMP/b"
  python3 - "$TEST_TMP/b/config.json" "$(id -u)" "$(id -g)" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
uid, gid = int(sys.argv[2]), int(sys.argv[3])
l = c["linux"]
ns = [n["type"] for n in l["namespaces"]]
assert "user" in ns and "network" not in ns, ns
assert l["uidMappings"] == [{"containerID": 0, "hostID": uid, "size": 1}]
assert l["gidMappings"] == [{"containerID": 0, "hostID": gid, "size": 1}]
assert "resources" not in l
sys_m = [m for m in c["mounts"] if m["destination"] == "/sys"][0]
assert sys_m["source"] == "/sys" and "rbind" in sys_m["options"], sys_m
for m in c["mounts"]:
    for o in m.get("options", []):
        assert not o.startswith(("uid=", "gid=")), (m, o)
PY
}

test_spec_refuses_to_overwrite() {
  mkdir -p "$TEST_TMP/b"
  echo '{"mine": true}' >"$TEST_TMP/b/config.json"
  assert_fails_with "already exists" "$CELL_BIN" spec -b "$TEST_TMP/b" || true
  assert_contains "$LAST_ERR" "$TEST_TMP/b/config.json"
  assert_eq "$(cat "$TEST_TMP/b/config.json")" '{"mine": true}' "config.json was changed"
}

test_spec_missing_bundle_dir() {
  assert_fails_with "$TEST_TMP/nope" "$CELL_BIN" spec -b "$TEST_TMP/nope" || true
  assert_contains "$LAST_ERR" "No such file or directory"
}

test_spec_is_accepted_by_runc() {
  command -v runc >/dev/null || skip "runc is not installed"
  make_bundle "$TEST_TMP/b"
  cfg "$TEST_TMP/b" 'c["process"]["args"] = ["true"]; c["linux"]["cgroupsPath"] = "cell-test-spec-%d" % __import__("os").getpid()'
  (cd "$TEST_TMP/b" && runc --root "$TEST_TMP/runc" run "spec$$") ||
    fail "runc does not run the config of cell spec"
}

test_features_json() {
  "$CELL_BIN" features >"$TEST_TMP/f.json"
  python3 - "$TEST_TMP/f.json" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))
assert f["ociVersionMin"] == "1.0.0" and f["ociVersionMax"] == "1.2.0"
assert f["hooks"] == ["prestart", "createRuntime", "createContainer", "startContainer",
                      "poststart", "poststop"], f["hooks"]
mo = f["mountOptions"]
for o in ("ro", "rw", "bind", "rbind", "rro", "rprivate", "tmpcopyup", "nosymfollow", "idmap"):
    assert o in mo, o
assert mo == sorted(mo)
l = f["linux"]
assert sorted(l["namespaces"]) == ["cgroup", "ipc", "mount", "network", "pid", "time",
                                   "user", "uts"], l["namespaces"]
assert l["capabilities"][0] == "CAP_CHOWN" and "CAP_SYS_ADMIN" in l["capabilities"]
assert "CAP_CHECKPOINT_RESTORE" in l["capabilities"]
assert l["cgroup"] == {"v1": True, "v2": True, "systemd": False, "systemdUser": False}
assert "enabled" in l["seccomp"]
for k in ("apparmor", "selinux"):
    assert l[k] == {"enabled": True}, k
assert l["intelRdt"] == {"enabled": False}
assert l["mountExtensions"] == {"idmap": {"enabled": True}}
assert l["netDevices"] == {"enabled": True}
assert "run.oci.cell.version" in f["annotations"]
assert "run.oci.seccomp_bpf_data" in f["potentiallyUnsafeConfigAnnotations"]
PY
}

test_features_capabilities_match_kernel() {
  # Every capability the kernel knows is named (cap_last_cap is the highest).
  local last n
  last=$(cat /proc/sys/kernel/cap_last_cap)
  n=$("$CELL_BIN" features | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["linux"]["capabilities"]))')
  [ "$n" -ge $((last + 1)) ] || fail "features names $n capabilities, the kernel has $((last + 1))"
}
