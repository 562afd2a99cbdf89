# Where the spec is silent: what runc and crun users rely on (command lines,
# crun's extensions that podman uses, the lifecycle corners). cell is held
# to crun here (to runc where crun refuses this host).
source "$CELL_TESTS/conformance/lib.sh"


# ---- --version and features -------------------------------------------------

item_version_format() {
  local out; out=$(rt --version)
  local first; first=$(head -1 <<<"$out")
  [[ "$first" =~ ^$RT\ version\ [0-9]+\.[0-9]+\.[0-9]+ ]] || fail "first line: $first"
  grep -qE '^spec: 1\.[0-9]+\.[0-9]+' <<<"$out" || fail "no spec line: $out"
  # A parser looking for a feature word must not find one the runtime
  # lacks: no "-WORD" entries.
  ! grep -qE '(^| )-[A-Z]' <<<"$out" || fail "absent features are listed: $out"
}
test_version_format() {
  conf_item crun "--version: 'NAME version X.Y.Z', a 'spec: 1.x.y' line, only present features named" item_version_format
}

item_features_document() {
  rt features > "$TEST_TMP/f.json" 2>"$TEST_TMP/err" || {
    grep -qi "unknown\|no help topic\|not.*command" "$TEST_TMP/err" && skip "no features command"
    fail "features: $(cat "$TEST_TMP/err")"; }
  python3 - "$TEST_TMP/f.json" <<'PY' || fail "features: $(head -c 400 "$TEST_TMP/f.json")"
import json, sys
f = json.load(open(sys.argv[1]))
assert f["ociVersionMin"].startswith("1.") and f["ociVersionMax"].startswith("1."), "versions"
for k in ("hooks", "mountOptions"):
    assert isinstance(f[k], list) and f[k], k
lin = f["linux"]
assert "mount" in lin["namespaces"] and "CAP_SYS_ADMIN" in lin["capabilities"], "linux"
PY
}
test_features_document() {
  conf_item must "features.md: ociVersionMin/Max, hooks, mountOptions, linux namespaces and capabilities" item_features_document
}

# Every mount option, namespace and capability `features` lists works:
# one container with a mount per option (each shows up), every listed
# namespace, every listed capability in its bounding set.
item_features_lists_what_works() {
  rt features > "$TEST_TMP/f.json" 2>/dev/null || skip "no features command"
  mkdir -p "$TEST_TMP/src"
  python3 - "$TEST_TMP/f.json" "$TEST_TMP/src" > "$TEST_TMP/py" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))
ms, checks = [], []
flag = {"ro": "ro", "nosuid": "nosuid", "nodev": "nodev", "noexec": "noexec", "noatime": "noatime",
        "nodiratime": "nodiratime", "nosymfollow": "nosymfollow"}
for o in f["mountOptions"]:
    if o in ("remount", "idmap", "ridmap", "tmpcopyup", "mand"):
        continue  # need another mount, mappings or a kernel that keeps them
    bind = o in ("bind", "rbind") or o.startswith("r") and o not in ("ro", "rw", "relatime", "remount") \
        or o in ("private", "shared", "slave", "unbindable")
    m = {"destination": "/o/" + o, "options": [o]}
    if bind:
        m.update(type="bind", source=sys.argv[2])
        if o not in ("bind", "rbind"):
            m["options"] = ["rbind", o]
    else:
        m.update(type="tmpfs", source="tmpfs")
    ms.append(m)
    checks.append((o, flag.get(o, "")))
print("c['mounts'] += " + repr(ms))
ns = [n for n in f["linux"]["namespaces"] if n not in ("user", "time")]
print("c['linux']['namespaces'] = " + repr([{"type": n} for n in ns]))
held = int(open("/proc/self/status").read().split("CapBnd:")[1].split()[0], 16)
names = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
         "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
         "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
         "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
         "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
         "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
         "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
         "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
         "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"]
# Only what the runtime holds can be granted (this host's root lacks some).
caps = [c for c in f["linux"]["capabilities"] if c in names and held >> names.index(c) & 1]
print("c['process']['capabilities'] = {'bounding': %r, 'permitted': %r, 'effective': %r}" % (caps, caps, caps))
print("#checks " + " ".join(o + "=" + fl for o, fl in checks))
print("#ncaps %d" % len(caps))
PY
  bundle_sh 'awk "\$5 ~ /^\/o\// {print \$5, \$6}" /proc/self/mountinfo; grep CapBnd /proc/self/status' "$(cat "$TEST_TMP/py")"
  local out; out=$(conf_out "$B" fw1)
  local c o fl line
  for c in $(sed -n 's/^#checks //p' "$TEST_TMP/py"); do
    o=${c%%=*} fl=${c#*=}
    line=$(grep "^/o/$o " <<<"$out" | tail -1) || fail "listed option $o: no mount"
    [ -z "$fl" ] || [[ ",${line#* }," == *",$fl,"* ]] || fail "listed option $o: not applied: $line"
  done
  local n; n=$(sed -n 's/^#ncaps //p' "$TEST_TMP/py")
  local bnd; bnd=$(sed -n 's/^CapBnd:\t//p' <<<"$out")
  [ "$(printf '%d' "0x$bnd" | awk '{ n = 0; x = $1; while (x > 0) { n += x % 2; x = int(x / 2) } print n }')" = "$n" ] ||
    fail "listed capabilities: $n, bounding set $bnd"
}
test_features_lists_what_works() {
  conf_item must "features: each listed mount option is accepted and applied, each namespace and capability accepted" item_features_lists_what_works
}

# ---- crun's extensions ------------------------------------------------------

item_delete_regex() {
  local id
  for id in abc1 abc2 xyz1; do
    conf_sh "$TEST_TMP/$id" 'sleep 100'
    rt create --bundle "$TEST_TMP/$id" $id
  done
  rt delete -f --regex '^abc' 2>"$TEST_TMP/err" || fail "delete --regex: $(cat "$TEST_TMP/err")"
  assert_eq "$(conf_status abc1)" absent
  assert_eq "$(conf_status abc2)" absent
  assert_eq "$(conf_status xyz1)" created "a container that does not match"
  if [ "$RT" = cell ]; then
    ! rt delete -f --regex '(' 2>"$TEST_TMP/err" || fail "a bad pattern was taken"
    cell_says "--regex: \`(\`"
  fi
}
test_delete_force_regex() {
  conf_item crun "delete -f --regex PATTERN deletes the containers whose id matches" item_delete_regex
}

item_keep_original_groups() {
  bundle_sh 'id -G' "c['annotations'] = {'run.oci.keep_original_groups': '1'}
c['process']['user'] = {'uid': 0, 'gid': 0}"
  local out
  out=$(setpriv --groups 4242,4343 bash -c 'source "$CELL_TESTS/lib/common.sh"; source "$CELL_TESTS/conformance/lib.sh"; rt run --bundle "$1" kg1' kg "$B") ||
    fail "run: $out"
  assert_contains "$out" 4242 "the caller's supplementary groups are kept"
  assert_contains "$out" 4343
}
test_keep_original_groups_annotation() {
  conf_item crun "run.oci.keep_original_groups: the caller's supplementary groups are kept" item_keep_original_groups
}

item_checkpoint_clear_error() {
  bundle_sh 'sleep 100'
  rt create --bundle "$B" ck1
  rt start ck1
  ! rt checkpoint --image-path "$TEST_TMP/img" ck1 >/dev/null 2>"$TEST_TMP/err" || skip "checkpoint works here"
  grep -qi "unknown command" "$TEST_TMP/err" && skip "no checkpoint command: $(cat "$TEST_TMP/err")"
  grep -qi criu "$TEST_TMP/err" || fail "the error does not name CRIU: $(cat "$TEST_TMP/err")"
  cell_says "not supported: cell has no CRIU support"
  assert_eq "$(conf_status ck1)" running "the container after a failed checkpoint"
  ! rt restore --image-path "$TEST_TMP/img" --bundle "$B" ck2 >/dev/null 2>"$TEST_TMP/err2" || fail "restore worked"
  grep -qi "criu\|image\|checkpoint" "$TEST_TMP/err2" || fail "unclear restore error: $(cat "$TEST_TMP/err2")"
  assert_eq "$(conf_status ck2)" absent
}
test_checkpoint_restore_clear_error_without_criu() {
  conf_item crun "checkpoint/restore where CRIU cannot work: an error naming CRIU, the container untouched" item_checkpoint_clear_error
}

# ---- exec ---------------------------------------------------------------------

exec_bundle() {
  bundle_sh 'sleep 100' "c['process']['capabilities'] = {k: ['CAP_KILL'] for k in ('bounding', 'permitted', 'effective')}
c['process']['noNewPrivileges'] = False
c['process']['env'] = ['PATH=/bin:/usr/bin']
${1:-}"
  rt create --bundle "$B" ex1
  rt start ex1
  conf_wait_status ex1 running
}

item_exec_cap() {
  exec_bundle
  local out; out=$(rt exec --cap CAP_SYS_ADMIN --cap CAP_NET_ADMIN ex1 grep -E 'CapEff|CapBnd' /proc/self/status)
  # CAP_KILL 5, CAP_NET_ADMIN 12, CAP_SYS_ADMIN 21
  assert_contains "$out" "CapEff:	0000000000201020"
  assert_contains "$out" "CapBnd:	0000000000201020"
}
test_exec_cap_adds_capabilities() {
  conf_item runc "exec --cap CAP_X adds the capability to the process" item_exec_cap
}

item_exec_no_new_privs() {
  exec_bundle
  assert_contains "$(rt exec ex1 grep NoNewPrivs /proc/self/status)" "NoNewPrivs:	0"
  assert_contains "$(rt exec --no-new-privs ex1 grep NoNewPrivs /proc/self/status)" "NoNewPrivs:	1"
}
test_exec_no_new_privs() {
  conf_item crun "exec --no-new-privs sets no_new_privs for the process" item_exec_no_new_privs
}

home_rootfs() {
  conf_bundle_own "$TEST_TMP/b" "c['process']['args'] = ['sh', '-c', 'echo \$HOME; sleep 100']
c['process']['env'] = ['PATH=/bin:/usr/bin']
c['process']['user'] = {'uid': 1001, 'gid': 1001}
${1:-}"
  B=$TEST_TMP/b
  echo 'conf:x:1001:1001::/home/conf:/bin/sh' >> "$B/rootfs/etc/passwd"
}
item_exec_home() {
  home_rootfs
  rt create --bundle "$B" hm1
  rt start hm1
  conf_wait_status hm1 running
  assert_eq "$(rt exec hm1 sh -c 'echo $HOME')" /home/conf "HOME of exec's process"
  assert_eq "$(rt exec -u 0 hm1 sh -c 'echo $HOME')" /root "HOME of exec -u 0"
  assert_eq "$(rt exec -e HOME=/given hm1 sh -c 'echo $HOME')" /given "a HOME given stays"
}
test_exec_home_from_passwd() {
  conf_item runc "exec: HOME from the user's passwd entry when the environment has none" item_exec_home
}

item_process_home() {
  home_rootfs "c['process']['args'] = ['sh', '-c', 'echo \$HOME']"
  assert_eq "$(conf_out "$B" hm2)" /home/conf
}
test_process_home_from_passwd() {
  conf_item crun "The container process gets HOME from its user's passwd entry when env has none" item_process_home
}

item_exec_tty_detach() {
  exec_bundle
  conf_console
  rt exec -t -d --console-socket "$SOCK" --pid-file "$TEST_TMP/pid" ex1 sh -c 'tty; echo via-pty' \
    2>"$TEST_TMP/err" || fail "exec -t -d: $(cat "$TEST_TMP/err")"
  [ -s "$TEST_TMP/pid" ] || fail "no pid file"
  wait "$RECV" || fail "the console receiver failed"
  local out; out=$(tr -d '\r' < "$TEST_TMP/out")
  assert_contains "$out" /dev/pts/
  assert_contains "$out" via-pty
}
test_exec_tty_detach_console_socket() {
  conf_item crun "exec --tty --detach --console-socket: the pty goes to the socket, exec returns" item_exec_tty_detach
}

item_exec_flags() {
  exec_bundle
  assert_eq "$(rt exec --cwd /etc -e FOO=bar -u 1234:5678 ex1 /bin/sh -c 'pwd; echo $FOO; id -u; id -g')" "/etc
bar
1234
5678"
}
test_exec_cwd_env_user() {
  conf_item crun "exec --cwd, --env, --user" item_exec_flags
}

# ---- the lifecycle's corners ----------------------------------------------------

item_cwd_created() {
  conf_bundle_own "$TEST_TMP/b" "c['process']['cwd'] = '/does/not/exist'
c['process']['args'] = ['pwd']"
  assert_eq "$(conf_out "$TEST_TMP/b" cw1)" /does/not/exist
  [ -d "$TEST_TMP/b/rootfs/does/not/exist" ] || fail "the cwd was not made in the rootfs"
  assert_eq "$(stat -c %a "$TEST_TMP/b/rootfs/does/not/exist")" 755
}
test_process_cwd_created_when_missing() {
  conf_item crun "A process.cwd missing from the rootfs is created (root.readonly too)" item_cwd_created
}

item_delete_frozen() {
  bundle_sh 'sleep 100'
  rt create --bundle "$B" fz1
  rt start fz1
  conf_wait_status fz1 running
  local pid; pid=$(conf_pid fz1)
  rt pause fz1
  assert_eq "$(conf_status fz1)" paused
  rt delete -f fz1 2>"$TEST_TMP/err" || fail "delete -f of a paused container: $(cat "$TEST_TMP/err")"
  assert_eq "$(conf_status fz1)" absent
  sleep 0.2
  [ ! -d "/proc/$pid" ] || [ "$(awk '{print $3}' "/proc/$pid/stat")" = Z ] || fail "the process still runs"
  ! ls -d /sys/fs/cgroup/freezer/"$(conf_cgroup_parent)/$RT-b" 2>/dev/null || fail "the freezer cgroup is left"
  # Frozen behind the runtime's back (freezer.state), with a second process.
  rt create --bundle "$B" fz2
  rt start fz2
  conf_wait_status fz2 running
  rt exec -d fz2 sleep 100
  pid=$(conf_pid fz2)
  local fdir; fdir=/sys/fs/cgroup/freezer$(awk -F: '$2 == "freezer" {print $3}' "/proc/$pid/cgroup")
  # Freeze once both sleeps run: a runtime's own helper still in the
  # cgroup (runc's `runc init` of the exec) can keep it FREEZING for ever.
  local i p n other
  for i in $(seq 50); do
    n=0 other=0
    for p in $(cat "$fdir/cgroup.procs"); do
      case $(cat "/proc/$p/comm" 2>/dev/null) in
        sleep) n=$((n + 1)) ;;
        sh) ;;
        *) other=1 ;;
      esac
    done
    [ "$n" -ge 2 ] && [ "$other" = 0 ] && break
    sleep 0.1
  done
  echo FROZEN > "$fdir/freezer.state"
  rt delete -f fz2 2>"$TEST_TMP/err" || fail "delete -f of a frozen container: $(cat "$TEST_TMP/err")"
  assert_eq "$(conf_status fz2)" absent
  [ ! -d "$fdir" ] || fail "the frozen freezer cgroup is left: $fdir"
}
test_delete_force_of_a_paused_container() {
  conf_item crun "delete -f of a paused (frozen) container: killed and removed, cgroups too" item_delete_frozen
}

# crun refuses a kernel.domainname (kernel.hostname) sysctl that says
# otherwise than the domainname (hostname) field; runc applies both.
item_domainname_and_sysctl() {
  bundle_sh 'cat /proc/sys/kernel/domainname' "c['domainname'] = 'field.example'
c['linux']['sysctl'] = {'kernel.domainname': 'sysctl.example'}"
  ! rt run --bundle "$B" dm1 >/dev/null 2>"$TEST_TMP/err" || fail "the conflicting sysctl was accepted"
  assert_contains "$(cat "$TEST_TMP/err")" "kernel.domainname"
  cell_says "linux.sysctl.kernel.domainname: \`sysctl.example\` conflicts with domainname \`field.example\`"
  bundle_sh 'hostname' "c['hostname'] = 'h1'
c['linux']['sysctl'] = {'kernel.hostname': 'h2'}"
  ! rt run --bundle "$B" dm2 >/dev/null 2>"$TEST_TMP/err" || fail "the conflicting kernel.hostname was accepted"
  assert_contains "$(cat "$TEST_TMP/err")" "kernel.hostname"
  bundle_sh 'cat /proc/sys/kernel/domainname' "c['domainname'] = 'same.example'
c['linux']['sysctl'] = {'kernel.domainname': 'same.example'}"
  assert_eq "$(conf_out "$B" dm3)" same.example "the same value twice"
}
test_domainname_and_a_conflicting_kernel_domainname_sysctl() {
  conf_item crun "domainname (hostname) and a kernel.domainname (kernel.hostname) sysctl that differs: refused, naming the sysctl" item_domainname_and_sysctl
}

# In a user namespace mknod gives no usable node, and runc and crun bind
# the host's node (which must exist, and keeps the host's owner): cell
# attaches a node the runtime made, owned by the mapped uid and gid.
item_userns_device_owner() {
  bundle_sh 'stat -c "%t:%T %u:%g %a" /dev/mynull; echo x > /dev/mynull && echo usable' "$CONF_USERNS_PY
c['linux']['devices'] = [{'path': '/dev/mynull', 'type': 'c', 'major': 1, 'minor': 3, 'fileMode': 0o606, 'uid': 1000, 'gid': 1001}]"
  assert_eq "$(conf_out "$B" ud1 | tr '\n' ' ')" "1:3 1000:1001 606 usable "
}
test_user_namespace_device_owner() {
  conf_item differs "linux.devices in a user namespace: usable, with the uid, gid and mode asked for" item_userns_device_owner
}

# A real-time task needs real-time time in its cpu cgroup (v1 with
# CONFIG_RT_GROUP_SCHED): the test gives the containers' parent some of
# the root's, and the container asks for a share of it (realtimeRuntime).
item_sched_fifo() {
  local cpu
  cpu=/sys/fs/cgroup/cpu$(awk -F: '$2 ~ /(^|,)cpu(,|$)/ {print $3}' /proc/self/cgroup)
  cpu=${cpu%/}/$(conf_cgroup_parent)
  if [ -e "${cpu%/*}/cpu.rt_runtime_us" ]; then
    mkdir -p "$cpu" && echo 50000 > "$cpu/cpu.rt_runtime_us" ||
      fail "could not give $cpu real-time time"
    bundle_sh 'grep ^policy /proc/self/sched' "c['process']['scheduler'] = {'policy': 'SCHED_FIFO', 'priority': 10}
c['linux'].setdefault('resources', {})['cpu'] = {'realtimePeriod': 1000000, 'realtimeRuntime': 10000}"
  else
    bundle_sh 'grep ^policy /proc/self/sched' "c['process']['scheduler'] = {'policy': 'SCHED_FIFO', 'priority': 10}"
  fi
  if rt run --bundle "$B" sf1 > "$TEST_TMP/out" 2>"$TEST_TMP/err"; then
    [[ "$(cat "$TEST_TMP/out")" =~ policy\ +:\ +1 ]] || fail "policy: $(cat "$TEST_TMP/out")"
    return 0
  fi
  grep -qi "sched\|operation not permitted\|permission" "$TEST_TMP/err" || fail "unclear error: $(cat "$TEST_TMP/err")"
  assert_eq "$(conf_status sf1)" absent
  skip "SCHED_FIFO refused here (no real-time headroom for the container's cgroup): $(tail -1 "$TEST_TMP/err")"
}
test_scheduler_fifo() {
  conf_item must "scheduler SCHED_FIFO: applied, or a clear error where the host gives no real-time headroom" item_sched_fifo
}

# ---- NOTIFY_SOCKET ------------------------------------------------------------

# A datagram socket of the test as the caller's NOTIFY_SOCKET; the
# container sends READY=1 half a second after it starts, with a static
# sd_notify put into it.
item_notify_socket() {
  local helper=$CELL_BUILD/tests/conformance/conf-sd-notify
  [ -x "$helper" ] || fail "$helper is not built"
  local sock=$TEST_TMP/host-notify.sock
  python3 - "$sock" "$TEST_TMP/got" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); s.settimeout(30)
msgs = []
while True:
    m = s.recv(4096).decode()
    msgs.append(m)
    if "READY=1" in m.split("\n"):
        break
open(sys.argv[2], "w").write("%.3f\n" % time.monotonic() + "\n--\n".join(msgs) + "\n")
PY
  local rpid=$! i
  for i in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
  bundle_sh 'echo "$NOTIFY_SOCKET" > /out/env; /sd-notify STATUS=starting; sleep 0.5; /sd-notify READY=1; sleep 100' "
c['mounts'].append({'destination': '/sd-notify', 'type': 'bind', 'source': '$helper', 'options': ['bind', 'ro']})
c['mounts'].append({'destination': '/out', 'type': 'bind', 'source': '$TEST_TMP', 'options': ['bind']})"
  NOTIFY_SOCKET=$sock rt create --bundle "$B" nt1 2>"$TEST_TMP/err" || fail "create: $(cat "$TEST_TMP/err")"
  [ ! -s "$TEST_TMP/got" ] || fail "a message came before start"
  local t0; t0=$(python3 -c 'import time; print("%.3f" % time.monotonic())')
  NOTIFY_SOCKET=$sock rt start nt1 2>"$TEST_TMP/err" || fail "start: $(cat "$TEST_TMP/err")"
  local t1; t1=$(python3 -c 'import time; print("%.3f" % time.monotonic())')
  wait $rpid || fail "no READY=1 reached the caller's socket"
  local pid; pid=$(conf_pid nt1)
  # Where the socket is inside is the runtime's business (runc and cell:
  # /run/notify/notify.sock, crun: below the caller's path).
  [ -n "$(cat "$TEST_TMP/env")" ] || fail "no NOTIFY_SOCKET in the container"
  assert_contains "$(cat "$TEST_TMP/got")" "READY=1"
  [ "$RT" != cell ] || assert_contains "$(cat "$TEST_TMP/got")" "MAINPID=$pid" "cell adds MAINPID"
  python3 -c "import sys; sys.exit(0 if float('$t1') - float('$t0') >= 0.4 else 1)" ||
    fail "start returned before the container said READY=1 ($t0 .. $t1)"
  local got_at; got_at=$(head -1 "$TEST_TMP/got")
  python3 -c "import sys; sys.exit(0 if float('$got_at') <= float('$t1') + 0.05 else 1)" ||
    fail "READY=1 came after start returned"
}
test_notify_socket_ready_after_start() {
  conf_item crun "NOTIFY_SOCKET: the container's READY=1 (with MAINPID) reaches the caller's socket during start, and start waits for it" item_notify_socket
}

# ---- netDevices (runtime-spec 1.2) --------------------------------------------

# The runtime runs in a network namespace of the test's own, where a veth
# pair with an address is made; one end moves into the container.
netns_run() {
  unshare -n bash -c '
    set -e
    ip link add cv0 type veth peer name cv1
    ip addr add 10.199.0.1/24 dev cv0
    ip link set lo up
    source "$CELL_TESTS/lib/common.sh"; source "$CELL_TESTS/conformance/lib.sh"
    rc=0; "$@" || rc=$?
    ip -o link show cv0 2>/dev/null | sed "s/^/host-side: /" || true
    exit $rc' nd "$@"
}
item_net_devices() {
  bundle_sh 'ip -o addr show dev eth7 | grep -o "inet [0-9./]*"; ip -o link show eth7 | grep -o "<[^>]*>"' "
c['linux']['netDevices'] = {'cv0': {'name': 'eth7'}}"
  local out; out=$(netns_run rt run --bundle "$B" nd1 2>&1) || fail "run: $out"
  assert_contains "$out" "inet 10.199.0.1/24" "the address moved with the device"
  [[ "$out" =~ \<[^\>]*UP[^\>]*\> ]] || fail "the device is not up: $out"
  assert_not_contains "$out" "host-side:" "the device is still in the runtime's namespace"
}
test_net_devices_moved_renamed_addresses_kept_up() {
  conf_item must "netDevices: the device is moved and renamed, its permanent addresses kept, set up" item_net_devices
}

item_net_devices_name_taken() {
  bundle_sh true "c['linux']['netDevices'] = {'cv0': {'name': 'lo'}}"
  local out; out=$(netns_run rt run --bundle "$B" nd2 2>&1) && fail "a name taken in the container was accepted: $out"
  assert_contains "$out" "host-side:" "a failed move must leave the device in the runtime's namespace"
  [ "$(conf_status nd2)" = absent ] || fail "a container was left"
}
test_net_devices_name_taken_is_an_error() {
  conf_item must "netDevices: a name that exists in the container's namespace MUST be an error" item_net_devices_name_taken
}
