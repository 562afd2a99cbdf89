# config.md: root, mounts, process, user, hostname, domainname, annotations,
# extensibility and valid values.
source "$CELL_TESTS/conformance/lib.sh"


# ---- root ---------------------------------------------------------------

item_root_readonly() {
  bundle_sh 'touch /x 2>/dev/null && echo writable; grep -q " / [^ ]* ro[, ]" /proc/self/mounts && echo ro'
  assert_eq "$(conf_out "$B" rr1)" ro
}
test_root_readonly() {
  conf_item must "root.readonly: the root filesystem MUST be read-only inside the container" item_root_readonly
}

item_root_writable() {
  conf_bundle_own "$TEST_TMP/b" "c['root']['readonly'] = False
c['process']['args'] = ['sh', '-c', 'touch /x && echo written']"
  assert_eq "$(conf_out "$TEST_TMP/b" rw1)" written
  [ -e "$TEST_TMP/b/rootfs/x" ] || fail "the write did not reach the rootfs"
}
test_root_readonly_false_is_writable() {
  conf_item must "root.readonly defaults to false: the root filesystem is writable" item_root_writable
}

item_root_path_relative() {
  conf_bundle_own "$TEST_TMP/b" "c['root']['path'] = 'rootfs'
c['process']['args'] = ['cat', '/marker']"
  echo in-this-rootfs > "$TEST_TMP/b/rootfs/marker"
  assert_eq "$(conf_out "$TEST_TMP/b" rp1)" in-this-rootfs
}
test_root_path_relative_to_the_bundle() {
  conf_item must "root.path may be relative to the bundle" item_root_path_relative
}

item_root_path_missing() {
  B=$TEST_TMP/b
  conf_bundle "$B" "c['root']['path'] = '$TEST_TMP/nonexistent'"
  refused rpm
}
test_root_path_must_exist() {
  conf_item must "A directory MUST exist at root.path: an error otherwise" item_root_path_missing
}

# ---- mounts -------------------------------------------------------------

item_mounts_order() {
  mkdir -p "$TEST_TMP/one/sub" "$TEST_TMP/two/sub"
  echo one > "$TEST_TMP/one/f"; echo two > "$TEST_TMP/two/f"
  bundle_sh 'cat /m/f; grep -c " /m/sub " /proc/self/mounts' "
c['mounts'] += [{'destination': '/m', 'type': 'bind', 'source': '$TEST_TMP/one', 'options': ['bind']},
                {'destination': '/m', 'type': 'bind', 'source': '$TEST_TMP/two', 'options': ['bind']},
                {'destination': '/m/sub', 'type': 'tmpfs', 'source': 'tmpfs'}]"
  assert_eq "$(conf_out "$B" mo1 | tr '\n' ' ')" "two 1 " "the later mount on top, the tmpfs inside it"
}
test_mounts_in_the_listed_order() {
  conf_item must "The runtime MUST mount entries in the listed order" item_mounts_order
}

item_mounts_relative_destination() {
  mkdir -p "$TEST_TMP/src" && echo rel > "$TEST_TMP/src/f"
  bundle_sh 'cat /reldest/f' "c['mounts'].append({'destination': 'reldest', 'type': 'bind', 'source': '$TEST_TMP/src', 'options': ['bind']})"
  assert_eq "$(conf_out "$B" md1)" rel
}
test_mounts_relative_destination_is_relative_to_root() {
  conf_item must "A relative destination MUST be interpreted as relative to /" item_mounts_relative_destination
}

item_mounts_bind_relative_source() {
  B=$TEST_TMP/b
  mkdir -p "$B/data" && echo bundle-rel > "$B/data/f"
  conf_sh "$B" 'cat /d/f' "c['mounts'].append({'destination': '/d', 'source': 'data', 'options': ['rbind']})"
  assert_eq "$(conf_out "$B" ms1)" bundle-rel
}
test_mounts_bind_source_relative_to_the_bundle() {
  conf_item must "Bind mount sources are absolute or relative to the bundle; bind/rbind make a bind mount" item_mounts_bind_relative_source
}

item_mounts_fs_data() {
  bundle_sh 'grep " /t " /proc/self/mounts' "c['mounts'].append({'destination': '/t', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['size=1m', 'mode=711', 'nr_inodes=77']})"
  local out; out=$(conf_out "$B" mf1)
  assert_contains "$out" "size=1024k"
  assert_contains "$out" "nr_inodes=77"
  assert_contains "$out" "mode=711"
}
test_mounts_unknown_options_are_filesystem_data() {
  conf_item should "Unknown options are passed to the filesystem as the data argument" item_mounts_fs_data
}

# ---- process ------------------------------------------------------------

item_process_cwd() {
  bundle_sh 'pwd' "c['process']['cwd'] = '/tmp'"
  assert_eq "$(conf_out "$B" pc1)" /tmp
}
test_process_cwd() {
  conf_item must "process.cwd is the working directory of the program" item_process_cwd
}

item_process_cwd_relative() {
  bundle_sh 'pwd' "c['process']['cwd'] = 'tmp'"
  refused pcr
}
test_process_cwd_must_be_absolute() {
  conf_item must "process.cwd MUST be an absolute path" item_process_cwd_relative
}

item_process_env() {
  bundle_sh 'env | sort' "c['process']['env'] = ['PATH=/bin:/usr/bin', 'A=1', 'B=two words', 'EMPTY=']"
  local out; out=$(conf_out "$B" pe1 | grep -v '^PWD=\|^SHLVL=\|^HOME=\|^TERM=' | tr '\n' ' ')
  assert_eq "$out" "A=1 B=two words EMPTY= PATH=/bin:/usr/bin "
}
test_process_env() {
  conf_item must "process.env: the program's environment" item_process_env
}

item_process_args_path_lookup() {
  conf_bundle "$TEST_TMP/b" "c['process']['args'] = ['echo', 'found', 'via PATH']
c['process']['env'] = ['PATH=/nothing:/bin']"
  assert_eq "$(conf_out "$TEST_TMP/b" pa1)" "found via PATH"
}
test_process_args_first_entry_as_execvp_file() {
  conf_item must "process.args[0] has execvp's file semantics (searched in PATH)" item_process_args_path_lookup
}

item_process_args_empty() {
  B=$TEST_TMP/b
  conf_bundle "$B" "c['process']['args'] = []"
  if rt create --bundle "$B" pae >/dev/null 2>"$TEST_TMP/err"; then
    ! rt start pae 2>"$TEST_TMP/err" || fail "an empty process.args started"
  fi
  [ -s "$TEST_TMP/err" ] || fail "no error message"
}
test_process_args_needs_one_entry() {
  conf_item must "process.args: at least one entry is REQUIRED" item_process_args_empty
}

item_terminal() {
  B=$TEST_TMP/b
  conf_bundle "$B" "c['process']['terminal'] = True
c['process']['consoleSize'] = {'height': 31, 'width': 101}
c['process']['args'] = ['sh', '-c', 'tty; stty size; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-tty']"
  conf_console
  rt run --bundle "$B" --console-socket "$SOCK" -d tt1 >/dev/null 2>"$TEST_TMP/err" ||
    rt run --bundle "$B" --console-socket "$SOCK" tt1 >/dev/null 2>"$TEST_TMP/err" ||
    fail "run with a terminal: $(cat "$TEST_TMP/err")"
  wait "$RECV" || fail "the console receiver failed"
  local out; out=$(tr -d '\r' < "$TEST_TMP/out")
  assert_contains "$out" /dev/pts/
  assert_contains "$out" "31 101"
  assert_contains "$out" all-tty
}
test_process_terminal_and_console_size() {
  conf_item must "process.terminal: a pty on the standard streams; consoleSize applied" item_terminal
}

item_console_size_ignored() {
  bundle_sh '[ -t 1 ] && echo tty || echo no-tty' "c['process']['consoleSize'] = {'height': 10, 'width': 10}"
  assert_eq "$(conf_out "$B" cs1)" no-tty
}
test_process_console_size_ignored_without_terminal() {
  conf_item must "Runtimes MUST ignore consoleSize if terminal is false or unset" item_console_size_ignored
}

item_rlimits() {
  bundle_sh 'ulimit -Sn; ulimit -Hn; ulimit -Ss; ulimit -Hs' "c['process']['rlimits'] = [
  {'type': 'RLIMIT_NOFILE', 'soft': 123, 'hard': 456},
  {'type': 'RLIMIT_STACK', 'soft': 4096 * 1024, 'hard': 8192 * 1024}]"
  assert_eq "$(conf_out "$B" rl1 | tr '\n' ' ')" "123 456 4096 8192 "
}
test_process_rlimits_soft_and_hard_match() {
  conf_item must "rlimits: rlim_cur MUST match soft, rlim_max MUST match hard" item_rlimits
}

item_rlimits_unknown() {
  bundle_sh true "c['process']['rlimits'] = [{'type': 'RLIMIT_NOSUCH', 'soft': 1, 'hard': 1}]"
  refused rlu
}
test_process_rlimits_unknown_type_is_an_error() {
  conf_item must "rlimits: a type that maps to no kernel interface MUST be an error" item_rlimits_unknown
}

item_rlimits_duplicate() {
  bundle_sh true "c['process']['rlimits'] = [{'type': 'RLIMIT_NOFILE', 'soft': 10, 'hard': 10},
  {'type': 'RLIMIT_NOFILE', 'soft': 20, 'hard': 20}]"
  refused rld
}
test_process_rlimits_duplicate_type_is_an_error() {
  conf_item must "rlimits: duplicated entries with the same type MUST be an error" item_rlimits_duplicate
}

item_caps_sets() {
  bundle_sh 'grep ^Cap /proc/self/status' "c['process']['user'] = {'uid': 1000, 'gid': 1000}
c['process']['noNewPrivileges'] = False
c['process']['capabilities'] = {
  'bounding': ['CAP_CHOWN', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],
  'permitted': ['CAP_CHOWN', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],
  'inheritable': ['CAP_KILL', 'CAP_NET_BIND_SERVICE'],
  'effective': ['CAP_KILL', 'CAP_NET_BIND_SERVICE'],
  'ambient': ['CAP_NET_BIND_SERVICE']}"
  local out; out=$(conf_out "$B" cap1)
  # CAP_CHOWN 0, CAP_KILL 5, CAP_NET_BIND_SERVICE 10
  assert_contains "$out" "CapInh:	0000000000000420"
  assert_contains "$out" "CapPrm:	0000000000000400"
  assert_contains "$out" "CapEff:	0000000000000400"
  assert_contains "$out" "CapBnd:	0000000000000421"
  assert_contains "$out" "CapAmb:	0000000000000400"
}
test_process_capabilities_sets() {
  conf_item must "capabilities: bounding, permitted, inheritable, effective, ambient (a non-root user keeps only the ambient ones)" item_caps_sets
}

item_caps_root_sets() {
  bundle_sh 'grep ^Cap /proc/self/status' "c['process']['capabilities'] = {
  'bounding': ['CAP_CHOWN', 'CAP_KILL'], 'permitted': ['CAP_CHOWN', 'CAP_KILL'],
  'effective': ['CAP_KILL']}"
  local out; out=$(conf_out "$B" cap2)
  # For root the execve makes the effective set the permitted one.
  assert_contains "$out" "CapPrm:	0000000000000021"
  assert_contains "$out" "CapBnd:	0000000000000021"
  assert_contains "$out" "CapInh:	0000000000000000"
  assert_contains "$out" "CapAmb:	0000000000000000"
}
test_process_capabilities_root() {
  conf_item must "capabilities of a root process: the sets as given" item_caps_root_sets
}

item_caps_unknown() {
  bundle_sh 'echo ran' "c['process']['capabilities']['bounding'].append('CAP_TEST')"
  ! rt run --bundle "$B" cu1 > "$TEST_TMP/out" 2>"$TEST_TMP/err" || fail "CAP_TEST accepted: $(cat "$TEST_TMP/out")"
  assert_contains "$(cat "$TEST_TMP/err")" CAP_TEST
  cell_says "process.capabilities.bounding[3]: unknown capability \`CAP_TEST\`"
  assert_not_contains "$(cat "$TEST_TMP/out")" ran "the program ran"
}
test_process_capabilities_unknown_name_is_an_error() {
  conf_item differs "An unknown capability name (CAP_TEST) is refused, the error naming it" item_caps_unknown
}

# This host's root lacks CAP_SYS_RESOURCE: asking for it must not fail
# the container, and must be said (config.md: "MUST be logged as a
# warning", "SHOULD NOT fail").
item_caps_not_granted() {
  grep -q "^CapBnd:.*" /proc/self/status
  local bnd; bnd=$(sed -n 's/^CapBnd:\t//p' /proc/self/status)
  (( (0x$bnd >> 24) & 1 )) && skip "the runtime holds CAP_SYS_RESOURCE here"
  bundle_sh 'grep ^CapPrm /proc/self/status' "
for k in ('bounding', 'permitted', 'effective'):
    c['process']['capabilities'][k] = ['CAP_KILL', 'CAP_SYS_RESOURCE']"
  rt run --bundle "$B" cng > "$TEST_TMP/out" 2>"$TEST_TMP/err" || fail "run failed: $(cat "$TEST_TMP/err")"
  assert_contains "$(cat "$TEST_TMP/out")" "CapPrm:	0000000000000020" "the process has what can be granted"
  grep -qi "CAP_SYS_RESOURCE\|capabilit" "$TEST_TMP/err" || fail "no warning: $(cat "$TEST_TMP/err")"
  cell_says "process.capabilities: CAP_SYS_RESOURCE cannot be granted"
}
test_process_capabilities_not_granted_warn() {
  conf_item should "A capability the runtime cannot grant: a warning, the container runs without it" item_caps_not_granted
}

item_nnp() {
  bundle_sh 'grep ^NoNewPrivs /proc/self/status' "c['process']['noNewPrivileges'] = True"
  assert_contains "$(conf_out "$B" nn1)" "NoNewPrivs:	1"
  cfg "$B" "c['process']['noNewPrivileges'] = False"
  assert_contains "$(conf_out "$B" nn2)" "NoNewPrivs:	0"
}
test_process_no_new_privileges() {
  conf_item must "noNewPrivileges: no_new_privs set when true, not when false" item_nnp
}

item_oom_score_adj() {
  bundle_sh 'cat /proc/self/oom_score_adj' "c['process']['oomScoreAdj'] = 345"
  assert_eq "$(conf_out "$B" oo1)" 345
}
test_process_oom_score_adj_set() {
  conf_item must "If oomScoreAdj is set, the runtime MUST set oom_score_adj to the value" item_oom_score_adj
}

item_oom_score_adj_unset() {
  bundle_sh 'cat /proc/self/oom_score_adj' "c['process'].pop('oomScoreAdj', None)"
  local want
  want=$(sh -c 'echo 123 > /proc/self/oom_score_adj; exec cat /proc/self/oom_score_adj')
  local got
  got=$(echo 123 > /proc/self/oom_score_adj; conf_out "$B" oo2)
  assert_eq "$got" "$want" "oom_score_adj of the program (the runtime's was 123)"
}
test_process_oom_score_adj_unset() {
  conf_item must "If oomScoreAdj is not set, the runtime MUST NOT change oom_score_adj" item_oom_score_adj_unset
}

item_user() {
  bundle_sh 'id -u; id -g; id -G' "c['process']['user'] = {'uid': 1234, 'gid': 567, 'additionalGids': [8, 9]}"
  assert_eq "$(conf_out "$B" us1 | tr '\n' ' ')" "1234 567 567 8 9 "
}
test_process_user_uid_gid_additional_gids() {
  conf_item must "user: uid, gid and additionalGids of the process" item_user
}

item_umask() {
  bundle_sh 'umask' "c['process']['user']['umask'] = 63"
  assert_eq "$(conf_out "$B" um1)" 0077
}
test_process_user_umask() {
  conf_item must "user.umask is the process's umask" item_umask
}

# The spec: "If unspecified, the umask should not be changed from the
# calling process' umask"; runc and crun set 0022, which images expect.
item_umask_unset() {
  bundle_sh 'umask' "c['process']['user'].pop('umask', None)"
  local got; got=$(umask 0027; conf_out "$B" um2)
  assert_eq "$got" 0022 "the umask with none given (the caller's was 0027)"
}
test_process_user_umask_unset_is_0022() {
  conf_item differs "user.umask unset: 0022 as runc and crun set it (the spec SHOULD: the caller's)" item_umask_unset
}

# The host has no AppArmor (and no SELinux): a confinement asked for and
# not given must not be silently absent.
no_lsm() {
  [ ! -d /sys/kernel/security/apparmor ] || skip "the host has AppArmor"
  [ ! -d /sys/fs/selinux ] || skip "the host has SELinux"
}
item_apparmor_refused() {
  no_lsm
  bundle_sh true "c['process']['apparmorProfile'] = 'some-profile'"
  refused aa1
  cell_says "process.apparmorProfile: \`some-profile\`: this host has no AppArmor"
}
test_process_apparmor_profile_without_apparmor() {
  conf_item crun "apparmorProfile on a host without AppArmor: refused, not ignored" item_apparmor_refused
}
item_selinux_refused() {
  no_lsm
  bundle_sh true "c['process']['selinuxLabel'] = 'system_u:system_r:container_t:s0'"
  refused se1
  cell_says "process.selinuxLabel: \`system_u:system_r:container_t:s0\`: this host has no SELinux"
  # The opt-out runs it, and says what is dropped.
  bundle_sh 'echo ran' "c['process']['selinuxLabel'] = 'x_t'
c['annotations'] = {'run.cell.lsm_optional': 'true'}"
  if [ "$RT" = cell ]; then
    rt run --bundle "$B" se2 > "$TEST_TMP/out" 2>"$TEST_TMP/err" || fail "lsm_optional: $(cat "$TEST_TMP/err")"
    assert_eq "$(cat "$TEST_TMP/out")" ran
    cell_says "the container runs without it"
  fi
}
test_process_selinux_label_without_selinux() {
  conf_item crun "selinuxLabel on a host without SELinux: refused, not ignored" item_selinux_refused
}

# ---- hostname, domainname, annotations, extensibility --------------------

item_hostname() {
  bundle_sh 'hostname' "c['hostname'] = 'conf-host'"
  assert_eq "$(conf_out "$B" hn1)" conf-host
  [ "$(hostname)" != conf-host ] || fail "the host's name changed"
}
test_hostname() {
  conf_item must "hostname: the container's hostname in its UTS namespace" item_hostname
}

item_domainname() {
  bundle_sh 'cat /proc/sys/kernel/domainname' "c['domainname'] = 'conf.example'"
  assert_eq "$(conf_out "$B" dn1)" conf.example
  [ "$(cat /proc/sys/kernel/domainname)" != conf.example ] || fail "the host's domainname changed"
}
test_domainname() {
  conf_item must "domainname: the container's domainname in its UTS namespace" item_domainname
}

item_annotations_state() {
  B=$TEST_TMP/b
  conf_bundle "$B" "c['annotations'] = {'com.example.key': 'value', 'com.example.empty': ''}
c['process']['args'] = ['sleep', '10']"
  rt create --bundle "$B" an1
  rt state an1 > "$TEST_TMP/state"
  python3 - "$TEST_TMP/state" <<'PY' || fail "annotations in state: $(cat "$TEST_TMP/state")"
import json, sys
a = json.load(open(sys.argv[1]))["annotations"]
assert a["com.example.key"] == "value" and a["com.example.empty"] == "", a
PY
}
test_annotations_in_the_state() {
  conf_item must "annotations: a key-value map, values may be empty, shown in the state" item_annotations_state
}

item_unknown_properties() {
  bundle_sh 'echo ran' "c['org.example.unknown'] = {'deep': [1, 2]}
c['process']['org.example.unknownProcessField'] = True
c['linux']['org.example.unknownLinuxField'] = 'x'
c['mounts'][0]['org.example.unknownMountField'] = 1"
  assert_eq "$(conf_out "$B" up1)" ran
}
test_extensibility_unknown_properties_ignored() {
  conf_item must "Runtimes MUST ignore unknown properties, not generate errors" item_unknown_properties
}

item_invalid_values() {
  bundle_sh true "c['linux']['namespaces'].append({'type': 'nosuchns'})"
  refused iv1
  bundle_sh true "c['process']['user']['uid'] = 'root'"
  refused iv2
}
test_valid_values_invalid_ones_are_errors() {
  conf_item must "Runtimes MUST generate an error when invalid or unsupported values are encountered" item_invalid_values
}
