# config-linux.md: namespaces, id mappings, devices, cgroups, sysctl,
# seccomp, rootfs propagation, masked and read-only paths, personality.
source "$CELL_TESTS/conformance/lib.sh"


# ---- default filesystems --------------------------------------------------

item_default_filesystems() {
  bundle_sh 'for d in /proc /sys /dev/pts /dev/shm; do awk -v d=$d "\$2 == d {print d, \$3}" /proc/self/mounts | tail -1; done'
  assert_eq "$(conf_out "$B" df1 | tr '\n' ' ')" "/proc proc /sys sysfs /dev/pts devpts /dev/shm tmpfs "
}
test_default_filesystems() {
  conf_item should "/proc proc, /sys sysfs, /dev/pts devpts, /dev/shm tmpfs are available" item_default_filesystems
}

# ---- namespaces -----------------------------------------------------------

NS_KINDS="pid net ipc uts mnt cgroup"
ns_of_self() { local k; for k in $NS_KINDS; do echo "$k $(readlink /proc/self/ns/$k)"; done; }

item_namespaces_new() {
  bundle_sh 'for k in pid net ipc uts mnt cgroup; do echo "$k $(readlink /proc/self/ns/$k)"; done'
  local out k host
  out=$(conf_out "$B" ns1)
  for k in $NS_KINDS; do
    host=$(readlink /proc/self/ns/$k)
    [ "$(awk -v k=$k '$1 == k {print $2}' <<<"$out")" != "$host" ] || fail "$k: the container shares the host's namespace"
  done
}
test_namespaces_listed_are_new() {
  conf_item must "A namespace listed without path: the runtime MUST create a new one" item_namespaces_new
}

item_namespaces_inherited() {
  bundle_sh 'for k in ipc uts net cgroup; do echo "$k $(readlink /proc/self/ns/$k)"; done' "
c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] in ('pid', 'mount')]
c.pop('hostname', None)"
  local out k
  out=$(conf_out "$B" ns2)
  for k in ipc uts net cgroup; do
    assert_eq "$(awk -v k=$k '$1 == k {print $2}' <<<"$out")" "$(readlink /proc/self/ns/$k)" "$k namespace"
  done
}
test_namespaces_unlisted_are_inherited() {
  conf_item must "A type not in namespaces: the container MUST inherit the runtime's namespace" item_namespaces_inherited
}

# A network namespace held by a process of the test, joined by path.
item_namespaces_join_path() {
  unshare -n sleep 60 &
  local holder=$!
  sleep 0.2
  local want; want=$(readlink /proc/$holder/ns/net)
  bundle_sh 'readlink /proc/self/ns/net' "
for n in c['linux']['namespaces']:
    if n['type'] == 'network':
        n['path'] = '/proc/$holder/ns/net'"
  local got; got=$(conf_out "$B" ns3)
  kill $holder
  assert_eq "$got" "$want" "the container's network namespace"
}
test_namespaces_path_is_joined() {
  conf_item must "namespaces[].path: the runtime MUST place the container process in that namespace" item_namespaces_join_path
}

item_namespaces_path_wrong_type() {
  bundle_sh true "
for n in c['linux']['namespaces']:
    if n['type'] == 'network':
        n['path'] = '/proc/self/ns/ipc'"
  refused ns4
}
test_namespaces_path_of_another_type_is_an_error() {
  conf_item must "The runtime MUST generate an error if path is not a namespace of type type" item_namespaces_path_wrong_type
}

item_namespaces_duplicate() {
  bundle_sh true "c['linux']['namespaces'].append({'type': 'pid'})"
  refused ns5
}
test_namespaces_duplicate_type_is_an_error() {
  conf_item must "Duplicated namespace types MUST be an error" item_namespaces_duplicate
}

# Without a mount namespace the container shares the caller's: nothing it
# mounts may stay behind in the caller's mount table. Observed in a mount
# namespace of the test's own, so that a runtime that leaks cannot touch
# the host's.
item_no_mount_namespace() {
  # crun runs in a mount namespace of its own here (conf_crun): what it
  # would leave in its caller's cannot be seen.
  [ "$RT" != crun ] || skip "crun runs in a private mount namespace on this host"
  conf_bundle_own "$TEST_TMP/b" "
c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] != 'mount']
c['root']['readonly'] = False
c['process']['args'] = ['sh', '-c', 'echo ran; readlink /proc/self/ns/mnt']"
  local out
  out=$(unshare -m --propagation private bash -c '
    source "$CELL_TESTS/lib/common.sh"; source "$CELL_TESTS/conformance/lib.sh"
    before=$(wc -l < /proc/self/mountinfo)
    out=$(rt run --bundle "$1" nm1 2>&1) && echo "ran-ok" || echo "refused"
    after=$(wc -l < /proc/self/mountinfo)
    echo "$out"; echo "mounts $before $after"; echo "callers $(readlink /proc/self/ns/mnt)"' nm "$TEST_TMP/b")
  local nums; nums=$(sed -n 's/^mounts //p' <<<"$out")
  assert_eq "${nums% *}" "${nums#* }" "mounts in the caller's namespace before and after"
  if grep -q '^refused' <<<"$out"; then
    # A refusal is allowed (an error, runtime.md) when it says why.
    assert_contains "$out" "mount namespace" "the refusal must name the mount namespace"
    return 0
  fi
  assert_contains "$out" ran
  assert_contains "$out" "$(sed -n 's/^callers //p' <<<"$out")" \
    "the container must be in the caller's mount namespace"
}
test_namespaces_without_mount_namespace() {
  conf_item differs "No mount namespace in the config: refused with the reason, or run; the caller's mount table is left unchanged" item_no_mount_namespace
}

# ---- user namespace -------------------------------------------------------

item_userns_mappings() {
  bundle_sh 'cat /proc/self/uid_map /proc/self/gid_map; id -u' "$CONF_USERNS_PY"
  local out; out=$(conf_out "$B" un1)
  [[ "$(sed -n 1p <<<"$out")" =~ ^\ *0\ +100000\ +65536$ ]] || fail "uid_map: $out"
  [[ "$(sed -n 2p <<<"$out")" =~ ^\ *0\ +100000\ +65536$ ]] || fail "gid_map: $out"
  assert_eq "$(sed -n 3p <<<"$out")" 0
}
test_user_namespace_mappings() {
  conf_item must "uidMappings and gidMappings of a new user namespace" item_userns_mappings
}

item_userns_rootfs_owner_kept() {
  conf_bundle_own "$TEST_TMP/b" "$CONF_USERNS_PY"
  local before; before=$(stat -c %u:%g "$TEST_TMP/b/rootfs/bin/busybox" "$TEST_TMP/b/rootfs/etc")
  conf_out "$TEST_TMP/b" un2 >/dev/null
  assert_eq "$(stat -c %u:%g "$TEST_TMP/b/rootfs/bin/busybox" "$TEST_TMP/b/rootfs/etc")" "$before"
}
test_user_namespace_rootfs_ownership_not_changed() {
  conf_item should "The runtime SHOULD NOT modify the ownership of referenced filesystems" item_userns_rootfs_owner_kept
}

item_time_offsets() {
  bundle_sh 'cat /proc/self/timens_offsets' "
c['linux']['namespaces'].append({'type': 'time'})
c['linux']['timeOffsets'] = {'monotonic': {'secs': 86400, 'nanosecs': 7}, 'boottime': {'secs': 3600}}"
  local out; out=$(conf_out "$B" to1)
  assert_contains "$out" "monotonic"
  [[ "$out" =~ monotonic\ +86400\ +7 ]] || fail "offsets: $out"
  [[ "$out" =~ boottime\ +3600\ +0 ]] || fail "offsets: $out"
}
test_time_namespace_offsets() {
  conf_item must "timeOffsets of a new time namespace" item_time_offsets
}

# ---- devices --------------------------------------------------------------

item_devices_node() {
  bundle_sh 'stat -c "%F %t:%T %a %u:%g" /dev/fuse-like /opt/sda-like' "
c['linux']['devices'] = [
  {'path': '/dev/fuse-like', 'type': 'c', 'major': 10, 'minor': 229, 'fileMode': 0o640, 'uid': 12, 'gid': 34},
  {'path': '/opt/sda-like', 'type': 'b', 'major': 7, 'minor': 0, 'fileMode': 0o600, 'uid': 0, 'gid': 0}]
c['linux']['resources']['devices'] += [{'allow': True, 'type': 'c', 'major': 10, 'minor': 229, 'access': 'rwm'}]"
  local out; out=$(conf_out "$B" dv1)
  assert_eq "$(sed -n 1p <<<"$out")" "character special file a:e5 640 12:34"
  assert_eq "$(sed -n 2p <<<"$out")" "block special file 7:0 600 0:0"
}
test_devices_are_made_as_listed() {
  conf_item must "devices MUST be available: type, major, minor, fileMode, uid, gid; anywhere, not only /dev" item_devices_node
}

item_devices_fifo() {
  bundle_sh 'stat -c "%F %a" /dev/myfifo' "c['linux']['devices'] = [{'path': '/dev/myfifo', 'type': 'p', 'fileMode': 0o600}]"
  assert_eq "$(conf_out "$B" dv2)" "fifo 600"
}
test_devices_fifo_needs_no_numbers() {
  conf_item must "devices of type p: major and minor are not required" item_devices_fifo
}

item_devices_mismatch() {
  conf_bundle_own "$TEST_TMP/b" "c['linux']['devices'] = [{'path': '/etc/passwd', 'type': 'c', 'major': 1, 'minor': 3}]"
  B=$TEST_TMP/b
  refused dv3
  cell_says "linux.devices[0] \`/etc/passwd\`: a file that is not this device is there"
  assert_contains "$(head -1 "$B/rootfs/etc/passwd")" "root:" "the file was replaced"
}
test_devices_existing_file_that_differs_is_an_error() {
  conf_item must "A file at path that does not match the requested device MUST be an error" item_devices_mismatch
}

item_default_devices() {
  bundle_sh 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T" /dev/$d; done; ls -l /dev/ptmx; head -c 4 /dev/zero | wc -c; echo x > /dev/null && echo null-ok; echo x > /dev/full 2>/dev/null || echo full-enospc'
  local out; out=$(conf_out "$B" dd1)
  local want='/dev/null character special file 1:3
/dev/zero character special file 1:5
/dev/full character special file 1:7
/dev/random character special file 1:8
/dev/urandom character special file 1:9
/dev/tty character special file 5:0'
  assert_contains "$out" "$want"
  [[ "$out" == *"/dev/ptmx -> pts/ptmx"* ]] || [[ "$out" == *"/dev/ptmx"* ]] || fail "no /dev/ptmx: $out"
  assert_contains "$out" "4
null-ok
full-enospc"
}
test_default_devices() {
  conf_item must "The runtime MUST supply /dev/null, zero, full, random, urandom, tty, ptmx (usable)" item_default_devices
}

item_dev_console() {
  B=$TEST_TMP/b
  conf_bundle "$B" "c['process']['terminal'] = True
c['process']['args'] = ['sh', '-c', 'stat -c \"%t %T\" /dev/console; tty']"
  conf_console
  rt run --bundle "$B" --console-socket "$SOCK" -d tc1 >/dev/null 2>"$TEST_TMP/err" ||
    fail "run with a terminal: $(cat "$TEST_TMP/err")"
  wait "$RECV" || fail "the console receiver failed"
  local out; out=$(tr -d '\r' < "$TEST_TMP/out")
  # The pty slave: major 136.
  assert_contains "$out" "88 "
  assert_contains "$out" /dev/pts/
}
test_default_devices_console_with_terminal() {
  conf_item must "/dev/console is the pseudoterminal pty when terminal is enabled" item_dev_console
}

# ---- cgroups --------------------------------------------------------------

# devices.list as the container's cgroup shows it (from the host).
devices_list_of() {
  local path
  path=$(awk -F: '$2 == "devices" {print $3}' "/proc/$1/cgroup")
  cat "/sys/fs/cgroup/devices$path/devices.list"
}

# A device the defaults do not name: "allow rwm, then deny w" ends with
# rm; the reverse order with rwm.
item_devices_allowlist_order() {
  bundle_sh 'sleep 5' "
c['linux']['resources']['devices'] = [
  {'allow': False, 'access': 'rwm'},
  {'allow': True, 'type': 'c', 'major': 10, 'minor': 200, 'access': 'rwm'},
  {'allow': False, 'type': 'c', 'major': 10, 'minor': 200, 'access': 'w'},
  {'allow': False, 'type': 'c', 'major': 10, 'minor': 201, 'access': 'w'},
  {'allow': True, 'type': 'c', 'major': 10, 'minor': 201, 'access': 'rwm'}]"
  rt create --bundle "$B" da1
  local list; list=$(devices_list_of "$(conf_pid da1)" | sort | tr '\n' ',')
  assert_contains "$list" "c 10:200 rm," "allow rwm then deny w"
  assert_contains "$list" "c 10:201 rwm," "deny w then allow rwm"
}
test_cgroups_devices_rules_in_the_listed_order() {
  conf_item must "Allowed device list: the runtime MUST apply entries in the listed order" item_devices_allowlist_order
}

# The list the kernel ends with for "deny all, then allow a few": crun's.
item_devices_list_deny_all() {
  bundle_sh 'sleep 5' "
c['linux']['resources']['devices'] = [
  {'allow': False, 'access': 'rwm'},
  {'allow': True, 'type': 'c', 'major': 10, 'minor': 200, 'access': 'rwm'},
  {'allow': True, 'type': 'b', 'major': 7, 'access': 'r'}]"
  rt run -d --bundle "$B" da2 >/dev/null 2>&1 || rt create --bundle "$B" da2
  local pid; pid=$(conf_pid da2)
  local list; list=$(devices_list_of "$pid" | sort | tr '\n' ',')
  assert_contains "$list" "c 10:200 rwm,"
  assert_contains "$list" "b 7:* r,"
  local d
  for d in "c 1:3 rwm" "c 1:5 rwm" "c 1:7 rwm" "c 1:8 rwm" "c 1:9 rwm" "c 5:0 rwm" "c 5:2 rwm" "c 136:* rwm"; do
    assert_contains "$list" "$d," "default device rule"
  done
  [[ "$list" != *"a *:* rwm"* ]] || fail "all devices allowed: $list"
}
test_cgroups_devices_deny_all_keeps_the_default_devices() {
  conf_item crun "Deny all then allow a few: the config's rules and the default devices' rules, nothing more" item_devices_list_deny_all
}

item_cgroups_path_consistent() {
  bundle_sh 'sleep 10'
  rt create --bundle "$B" cp1
  local p1; p1=$(awk -F: '$2 == "pids" {print $3}' "/proc/$(conf_pid cp1)/cgroup")
  rt delete -f cp1
  rt create --bundle "$B" cp2
  local p2; p2=$(awk -F: '$2 == "pids" {print $3}' "/proc/$(conf_pid cp2)/cgroup")
  assert_eq "$p2" "$p1" "the same cgroupsPath, the same place"
  assert_contains "$p1" "$(conf_cgroup_parent)/$RT-b"
}
test_cgroups_path_consistent() {
  conf_item must "The runtime MUST consistently attach to the same place given the same cgroupsPath" item_cgroups_path_consistent
}

# cgroup_file_of PID CONTROLLER FILE: a file of the container's cgroup.
cgroup_file_of() {
  local path d=/sys/fs/cgroup/$2
  if [ "$2" = unified ]; then
    path=$(awk -F: '$1 == 0 {print $3}' "/proc/$1/cgroup")
  else
    path=$(awk -F: -v c="$2" '$2 == c {print $3}' "/proc/$1/cgroup")
  fi
  cat "$d$path/$3"
}

resources_item() {
  local py=$1; shift
  bundle_sh 'sleep 10' "$py"
  rt create --bundle "$B" rs1
  local pid; pid=$(conf_pid rs1)
  local check ctl file want
  for check in "$@"; do
    ctl=${check%%/*}; file=${check#*/}; want=${file#*=}; file=${file%%=*}
    assert_eq "$(cgroup_file_of "$pid" "$ctl" "$file")" "$want" "$ctl/$file"
  done
}
item_resources_memory() {
  resources_item "c['linux']['resources']['memory'] = {'limit': 67108864, 'reservation': 33554432, 'swappiness': 10, 'disableOOMKiller': True}" \
    memory/memory.limit_in_bytes=67108864 memory/memory.soft_limit_in_bytes=33554432 memory/memory.swappiness=10
}
test_cgroups_memory() {
  conf_item must "resources.memory: limit, reservation, swappiness applied (create applies every property)" item_resources_memory
}
item_resources_cpu() {
  resources_item "c['linux']['resources']['cpu'] = {'shares': 512, 'quota': 50000, 'period': 100000, 'cpus': '0', 'mems': '0'}" \
    cpu/cpu.shares=512 cpu/cpu.cfs_quota_us=50000 cpu/cpu.cfs_period_us=100000 cpuset/cpuset.cpus=0 cpuset/cpuset.mems=0
}
test_cgroups_cpu() {
  conf_item must "resources.cpu: shares, quota, period, cpus, mems applied" item_resources_cpu
}
item_resources_pids() {
  resources_item "c['linux']['resources']['pids'] = {'limit': 42}" pids/pids.max=42
}
test_cgroups_pids() {
  conf_item must "resources.pids.limit applied" item_resources_pids
}

# runtime.md Create: "If the runtime cannot apply a property as specified
# in the configuration, it MUST generate an error and a new container MUST
# NOT be created": blkio weights are not available on this kernel.
item_resource_not_applicable() {
  ls /sys/fs/cgroup/blkio/blkio.weight >/dev/null 2>&1 && skip "this host has blkio.weight"
  bundle_sh true "c['linux']['resources']['blockIO'] = {'weight': 500}"
  refused rna
  cell_says "linux.resources.blockIO.weight"
}
test_cgroups_resource_the_host_cannot_apply_is_an_error() {
  conf_item must "A resource the host cannot apply (blockIO.weight here): an error, no container" item_resource_not_applicable
}

item_resources_hugepages() {
  local d=/sys/fs/cgroup/unified
  [ -e "$d/cgroup.controllers" ] && grep -qw hugetlb "$d/cgroup.controllers" || skip "no hugetlb controller"
  [ "$RT" != crun ] || skip "crun runs without the cgroup2 mount here (hugetlb is there)"
  resources_item "c['linux']['resources']['hugepageLimits'] = [{'pageSize': '2MB', 'limit': 4194304}]" \
    unified/hugetlb.2MB.max=4194304
}
test_cgroups_hugepage_limits() {
  conf_item must "resources.hugepageLimits applied (hugetlb, in cgroup2 on this host)" item_resources_hugepages
}

item_unified_missing_controller() {
  bundle_sh true "c['linux']['resources']['unified'] = {'io.max': '1:3 rbps=1024'}"
  refused uc1
}
test_cgroups_unified_controller_not_present_is_an_error() {
  conf_item must "unified: a controller that is not present MUST be an error" item_unified_missing_controller
}

item_intel_rdt_without_resctrl() {
  ! grep -q resctrl /proc/self/mountinfo || skip "resctrl is mounted here"
  bundle_sh true "c['linux']['intelRdt'] = {'closID': 'conf', 'l3CacheSchema': 'L3:0=f'}"
  refused rd1
  cell_says "linux.intelRdt: no resctrl file system is mounted"
}
test_intel_rdt_without_resctrl_is_an_error() {
  conf_item must "intelRdt without a mounted resctrl MUST be an error" item_intel_rdt_without_resctrl
}

# ---- sysctl ---------------------------------------------------------------

item_sysctl() {
  bundle_sh 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/msgmax' "c['linux']['sysctl'] = {'net.ipv4.ip_forward': '1', 'kernel.msgmax': '4321'}"
  assert_eq "$(conf_out "$B" sy1 | tr '\n' ' ')" "1 4321 "
}
test_sysctl_applied() {
  conf_item must "sysctl: the kernel parameters are set for the container" item_sysctl
}

# ---- seccomp --------------------------------------------------------------

item_seccomp_errno() {
  bundle_sh 'mkdir /tmp/d 2>&1; echo; chmod 600 /etc 2>&1; echo' "
c['mounts'].append({'destination': '/tmp', 'type': 'tmpfs', 'source': 'tmpfs'})
c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [
  {'names': ['mkdir', 'mkdirat'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 1},
  {'names': ['chmod', 'fchmodat', 'fchmodat2'], 'action': 'SCMP_ACT_ERRNO'}]}"
  local out; out=$(conf_out "$B" sc1)
  assert_contains "$out" "Operation not permitted"
  [ "$(grep -c 'Operation not permitted' <<<"$out")" = 2 ] || fail "errnoRet and the EPERM default: $out"
}
test_seccomp_errno_and_its_default() {
  conf_item must "seccomp: SCMP_ACT_ERRNO with errnoRet, EPERM when not specified" item_seccomp_errno
}

item_seccomp_invalid_values() {
  bundle_sh true "c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_NOPE'}"
  refused si1
  bundle_sh true "c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'flags': ['SECCOMP_FILTER_FLAG_NOPE']}"
  refused si2
  bundle_sh true "c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': [], 'action': 'SCMP_ACT_ERRNO'}]}"
  refused si3
}
test_seccomp_invalid_values_are_errors() {
  conf_item must "seccomp: an unknown action or flag, a rule with no names: errors" item_seccomp_invalid_values
}

item_seccomp_errno_ret_on_allow() {
  bundle_sh true "c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [
  {'names': ['mkdir'], 'action': 'SCMP_ACT_ALLOW', 'errnoRet': 5}]}"
  refused se2
}
test_seccomp_errno_ret_on_an_action_without_errno() {
  conf_item must "errnoRet on an action that takes no errno: the runtime MUST print an error and fail" item_seccomp_errno_ret_on_allow
}

item_seccomp_metadata_without_path() {
  bundle_sh true "c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'listenerMetadata': 'x'}"
  refused se3
}
test_seccomp_listener_metadata_needs_listener_path() {
  conf_item must "listenerMetadata MUST NOT be set if listenerPath is not set" item_seccomp_metadata_without_path
}

# A receiver of the seccomp listener: takes one connection, prints the
# state it got and whether an fd came with it.
seccomp_receiver() {
  python3 - "$1" "$2" <<'PY' &
import array, json, socket, sys
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(sys.argv[1]); srv.listen(1); srv.settimeout(30)
c, _ = srv.accept()
fds = array.array("i")
msg, anc, _, _ = c.recvmsg(65536, socket.CMSG_LEN(4 * 4))
for lvl, kind, data in anc:
    fds.frombytes(data[: len(data) - len(data) % 4])
s = json.loads(msg.decode())
with open(sys.argv[2], "w") as f:
    f.write("fds=%d names=%s pid=%s metadata=%s id=%s\n" % (len(fds), s.get("fds"), s.get("pid") > 0,
            s.get("metadata"), s["state"]["id"]))
PY
}

item_seccomp_listener() {
  local sock=$TEST_TMP/agent.sock
  seccomp_receiver "$sock" "$TEST_TMP/got"
  local i; for i in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
  bundle_sh 'echo ran' "c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': '$sock',
  'listenerMetadata': 'meta', 'syscalls': [{'names': ['mknodat'], 'action': 'SCMP_ACT_NOTIFY'}]}"
  rt run --bundle "$B" sl1 >/dev/null 2>"$TEST_TMP/err" || fail "run: $(cat "$TEST_TMP/err")"
  wait
  assert_eq "$(cat "$TEST_TMP/got")" "fds=1 names=['seccompFd'] pid=True metadata=meta id=sl1"
}
test_seccomp_listener_gets_the_container_process_state() {
  conf_item must "listenerPath: one container process state with the seccompFd over SCM_RIGHTS" item_seccomp_listener
}

# listenerPath without a NOTIFY rule: the kernel gives a listener all the
# same, and crun sends it (the spec: the value is ignored).
item_seccomp_listener_without_notify() {
  local sock=$TEST_TMP/agent.sock
  seccomp_receiver "$sock" "$TEST_TMP/got"
  local i; for i in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
  bundle_sh 'echo ran' "c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': '$sock',
  'syscalls': [{'names': ['mknodat'], 'action': 'SCMP_ACT_ERRNO'}]}"
  rt run --bundle "$B" sl2 >/dev/null 2>"$TEST_TMP/err" || fail "run: $(cat "$TEST_TMP/err")"
  local w; for w in $(seq 50); do [ -s "$TEST_TMP/got" ] && break; sleep 0.1; done
  kill %1 2>/dev/null || true
  # metadata is OPTIONAL: absent (crun) or empty.
  assert_eq "$(sed 's/metadata= /metadata=None /' "$TEST_TMP/got" 2>/dev/null)" \
    "fds=1 names=['seccompFd'] pid=True metadata=None id=sl2" "the agent got no listener"
}
test_seccomp_listener_path_without_notify_rule() {
  conf_item crun "listenerPath with no SCMP_ACT_NOTIFY rule: the listener is still sent" item_seccomp_listener_without_notify
}

# ---- rootfs propagation ---------------------------------------------------

propagation_item() {
  local prop=$1 want=$2
  local py="c['linux']['rootfsPropagation'] = '$prop'"
  if [ "$want" = slave ]; then
    # A slave needs a master: the rootfs in a shared mount of the test's.
    mkdir -p "$TEST_TMP/shared"
    mount -t tmpfs -o size=16m tmpfs "$TEST_TMP/shared"
    mount --make-shared "$TEST_TMP/shared"
    cp -a "$CONF_TOP/rootfs" "$TEST_TMP/shared/rootfs"
    py="$py
c['root']['path'] = '$TEST_TMP/shared/rootfs'"
  fi
  bundle_sh 'awk "\$5 == \"/\"" /proc/self/mountinfo' "$py"
  local out; out=$(conf_out "$B" rp1)
  [ "$want" = slave ] && umount -l "$TEST_TMP/shared"
  case $want in
    shared) [[ "$out" =~ \ shared:[0-9]+ ]] || fail "/ is not shared: $out" ;;
    slave) [[ "$out" =~ \ master:[0-9]+ ]] || fail "/ is not a slave: $out"
           [[ ! "$out" =~ \ shared: ]] || fail "/ is shared: $out" ;;
    private) [[ ! "$out" =~ \ (shared|master): ]] || fail "/ is not private: $out" ;;
    unbindable) assert_contains "$out" unbindable ;;
  esac
}
item_prop_shared() { propagation_item shared shared; }
item_prop_slave() { propagation_item slave slave; }
item_prop_private() { propagation_item private private; }
item_prop_unbindable() { propagation_item unbindable unbindable; }
test_rootfs_propagation_shared() { conf_item must "rootfsPropagation shared" item_prop_shared; }
test_rootfs_propagation_slave() { conf_item must "rootfsPropagation slave" item_prop_slave; }
test_rootfs_propagation_private() { conf_item must "rootfsPropagation private" item_prop_private; }
test_rootfs_propagation_unbindable() { conf_item must "rootfsPropagation unbindable" item_prop_unbindable; }

# ---- masked and read-only paths -------------------------------------------

item_masked_paths() {
  bundle_sh 'cat /proc/kcore 2>/dev/null | head -c 100 | wc -c; ls /sys/firmware | wc -l; cat /etc/masked-file 2>/dev/null | wc -c' "
c['linux']['maskedPaths'] = ['/proc/kcore', '/sys/firmware', '/etc/masked-file']"
  echo secret > "$CONF_TOP/rootfs/etc/masked-file"
  local out; out=$(conf_out "$B" mp1)
  assert_eq "$(tr '\n' ' ' <<<"$out")" "0 0 0 " "masked paths must read as empty"
}
test_masked_paths_cannot_be_read() {
  conf_item must "maskedPaths: the paths cannot be read" item_masked_paths
}

item_readonly_paths() {
  bundle_sh '(echo 1 > /proc/sys/kernel/ns_last_pid) 2>/dev/null && echo written; awk "\$5 == \"/proc/sys\" {print \$6}" /proc/self/mountinfo | tail -1' "
c['linux']['readonlyPaths'] = ['/proc/sys']"
  local out; out=$(conf_out "$B" ro1)
  assert_not_contains "$out" written
  [[ ",$out," == *",ro,"* ]] || fail "/proc/sys is not mounted read-only: $out"
}
test_readonly_paths_are_read_only() {
  conf_item must "readonlyPaths: the paths are read-only inside the container" item_readonly_paths
}

item_mount_label_without_selinux() {
  [ ! -d /sys/fs/selinux ] || skip "the host has SELinux"
  bundle_sh true "c['linux']['mountLabel'] = 'system_u:object_r:container_file_t:s0'"
  refused ml1
  cell_says "linux.mountLabel"
}
test_mount_label_without_selinux() {
  conf_item runc "mountLabel on a host without SELinux: refused, not ignored" item_mount_label_without_selinux
}

item_personality() {
  [ "$(uname -m)" = x86_64 ] || skip "LINUX32 is checked on x86_64"
  bundle_sh 'uname -m' "c['linux']['personality'] = {'domain': 'LINUX32'}"
  assert_eq "$(conf_out "$B" pe1)" i686
}
test_personality_linux32() {
  conf_item must "personality LINUX32: uname shows a 32-bit CPU" item_personality
}
