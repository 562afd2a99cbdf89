# podman (rootful, with conmon) driving the built cell end to end: each test
# has its own podman storage, run and tmp dirs below $TEST_TMP, the busybox
# rootfs imported as an image, --network none, and its cgroups below this
# test's own cgroup. Skips where podman is not installed. Helpers:
# tests/podman/lib.sh. See docs/podman.md.

source "${CELL_TESTS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}/podman/lib.sh"

test_podman_info_names_cell() {
  pm_setup
  assert_eq "$(pm info --format '{{.Host.OCIRuntime.Name}}')" cell "runtime name"
  assert_eq "$(pm info --format '{{.Host.OCIRuntime.Path}}')" "$CELL_BIN" "runtime path"
  assert_contains "$(pm info --format '{{.Host.OCIRuntime.Version}}')" "cell version"
  # --runtime PATH instead of a name from containers.conf.
  assert_eq "$(podman --root "$PM/root" --runroot "$PM/runroot" --tmpdir "$PM/tmp" \
    --storage-driver vfs --runtime "$CELL_BIN" info --format '{{.Host.OCIRuntime.Path}}')" "$CELL_BIN"
}

test_podman_run_rm_output_and_exit_code() {
  pm_setup
  local out rc=0
  out=$(pm_run run --rm "$PM_IMAGE" sh -c 'echo hello; echo to-stderr >&2; exit 3' 2>"$TEST_TMP/err") || rc=$?
  assert_eq "$rc" 3 "exit code of podman run"
  assert_eq "$out" "hello" "output of podman run"
  assert_eq "$(cat "$TEST_TMP/err")" "to-stderr" "stderr of the container"
  assert_eq "$(pm ps -aq)" "" "run --rm left a container"
  assert_eq "$(pm_cell_states)" "" "cell state left"
  # Killed by a signal: 128 + n, as with runc and crun.
  rc=0
  pm_run run --rm --name sk "$PM_IMAGE" sleep 1000 &
  local runner=$!
  for _ in $(seq 100); do
    [ "$(pm inspect -f '{{.State.Status}}' sk 2>/dev/null)" = running ] && break
    sleep 0.1
  done
  pm kill -s KILL sk >/dev/null
  wait $runner || rc=$?
  assert_eq "$rc" 137 "exit code of podman run --rm of a container killed by SIGKILL"
  assert_eq "$(pm ps -aq)" "" "run --rm left a container"
}

test_podman_detached_ps_logs_exec_top() {
  pm_setup
  pm_run run -d --name d1 "$PM_IMAGE" sh -c 'echo started; exec sleep 1000' >/dev/null
  pm_wait_status d1 running
  assert_contains "$(pm ps --format '{{.Names}} {{.Status}}')" "d1 Up"
  sleep 0.2
  assert_eq "$(pm logs d1)" "started" "podman logs"
  local pid; pid=$(pm_pid d1)
  assert_eq "$(readlink /proc/$pid/exe)" /bin/busybox "init of d1 on the host"
  assert_eq "$(pm exec d1 sh -c 'echo in-exec; cat /proc/1/comm')" "$(printf 'in-exec\nsleep')"
  local ns
  for ns in mnt pid uts ipc net; do
    assert_eq "$(pm exec d1 readlink /proc/self/ns/$ns)" "$(readlink /proc/$pid/ns/$ns)" "exec in the $ns namespace"
  done
  assert_eq "$(pm exec -u 1000:1001 -w /tmp -e FOO=bar d1 sh -c 'id -u; id -g; pwd; echo $FOO')" \
    "$(printf '1000\n1001\n/tmp\nbar')" "exec --user --workdir --env"
  local rc=0
  pm exec d1 sh -c 'exit 5' || rc=$?
  assert_eq "$rc" 5 "exit code of exec"
  rc=0
  pm exec d1 nosuchprog 2>"$TEST_TMP/err" || rc=$?
  assert_eq "$rc" 127 "exit code of exec of a missing program"
  assert_contains "$(cat "$TEST_TMP/err")" "nosuchprog"
  # exec -it: a terminal of its own, with the size of ours.
  local out
  out=$(pm_pty 21 55 exec -it d1 sh -c 'sleep 0.3; stty size; tty; exit 7') || rc=$?
  assert_eq "$rc" 7 "exit code of exec -it"
  assert_contains "$out" "21 55" "window size seen by exec -it"
  assert_contains "$out" "/dev/pts/" "exec -it stdin is a terminal"
  local top; top=$(pm top d1 pid args)
  assert_contains "$top" "sleep 1000" "podman top"
  pm rm -f -t 0 d1 >/dev/null
}

# The counter the container of test_podman_pause_unpause writes (renamed
# into place, so never read half written).
counter() { cat "/proc/$1/root/tmp/n"; }

test_podman_pause_unpause() {
  pm_setup
  pm_run run -d --name p1 "$PM_IMAGE" sh -c 'i=0; while :; do i=$((i+1)); echo $i > /tmp/n.new; mv /tmp/n.new /tmp/n; sleep 0.05; done' >/dev/null
  pm_wait_status p1 running
  local pid; pid=$(pm_pid p1)
  for _ in $(seq 50); do [ -s "/proc/$pid/root/tmp/n" ] && break; sleep 0.1; done
  pm pause p1 >/dev/null
  assert_eq "$(pm inspect -f '{{.State.Status}}' p1)" paused
  local fz; fz=$(pm_cg_dir "$pid" freezer)
  if [ -f "$fz/freezer.state" ]; then
    assert_eq "$(cat "$fz/freezer.state")" FROZEN "freezer.state of the container"
  else
    assert_contains "$(cat "$fz/cgroup.events")" "frozen 1" "cgroup.events of the container"
  fi
  local n1 n2
  n1=$(counter $pid); sleep 0.4; n2=$(counter $pid)
  assert_eq "$n2" "$n1" "a paused container ran on"
  pm unpause p1 >/dev/null
  assert_eq "$(pm inspect -f '{{.State.Status}}' p1)" running
  sleep 0.4
  [ "$(counter $pid)" -gt "$n2" ] || fail "the container did not resume"
  pm rm -f -t 0 p1 >/dev/null
}

test_podman_stop_sigterm_then_sigkill() {
  pm_setup
  pm_run run -d --name s1 "$PM_IMAGE" sh -c 'trap "echo got-term; exit 4" TERM; echo up; while :; do sleep 0.1; done' >/dev/null
  pm_wait_status s1 running
  sleep 0.3
  pm stop s1 >/dev/null
  assert_eq "$(pm inspect -f '{{.State.Status}} {{.State.ExitCode}}' s1)" "exited 4" "after SIGTERM"
  assert_eq "$(pm logs s1)" "$(printf 'up\ngot-term')"
  # A program that ignores SIGTERM is killed after the timeout.
  pm_run run -d --name s2 "$PM_IMAGE" sh -c 'trap "" TERM; while :; do sleep 0.1; done' >/dev/null
  pm_wait_status s2 running
  sleep 0.3
  local t0 t1
  t0=$(date +%s%N)
  pm stop -t 2 s2 >/dev/null 2>"$TEST_TMP/err"
  t1=$(date +%s%N)
  assert_eq "$(pm inspect -f '{{.State.Status}} {{.State.ExitCode}}' s2)" "exited 137" "after SIGKILL"
  [ $(( (t1 - t0) / 1000000 )) -ge 1900 ] || fail "SIGKILL came before the 2 s timeout"
  assert_contains "$(cat "$TEST_TMP/err")" "resorting to SIGKILL"
  pm rm s1 s2 >/dev/null
}

test_podman_kill_signal() {
  pm_setup
  pm_run run -d --name k1 "$PM_IMAGE" sh -c 'trap "echo got-usr1; exit 5" USR1; while :; do sleep 0.1; done' >/dev/null
  pm_wait_status k1 running
  sleep 0.3
  pm kill -s USR1 k1 >/dev/null
  assert_eq "$(pm wait k1)" 5 "exit code after SIGUSR1"
  assert_eq "$(pm logs k1)" got-usr1
  pm_run run -d --name k2 "$PM_IMAGE" sleep 1000 >/dev/null
  pm_wait_status k2 running
  pm kill -s KILL k2 >/dev/null
  assert_eq "$(pm wait k2)" 137 "exit code after kill -s KILL"
  pm rm k1 k2 >/dev/null
}

test_podman_rm_force_running() {
  pm_setup
  pm_run run -d --name r1 "$PM_IMAGE" sleep 1000 >/dev/null
  pm_wait_status r1 running
  local pid id
  pid=$(pm_pid r1)
  id=$(pm inspect -f '{{.Id}}' r1)
  [ -d "$PM_CELL_ROOT/$id" ] || fail "no cell state for $id in $PM_CELL_ROOT"
  pm rm -f -t 0 r1 >/dev/null
  assert_eq "$(pm ps -aq)" "" "podman still lists r1"
  [ ! -e "$PM_CELL_ROOT/$id" ] || fail "cell state of $id left"
  sleep 0.2
  [ ! -d "/proc/$pid" ] || [ "$(awk '{print $3}' /proc/$pid/stat)" = Z ] || fail "init $pid still runs"
}

test_podman_run_it_terminal_and_window_size() {
  pm_setup
  local out rc=0
  out=$(pm_pty 33 77 run --rm -it --network none --cgroup-parent "$PM_CGPARENT" "$PM_IMAGE" \
    sh -c 'sleep 0.3; stty size; tty; [ -t 0 ] && echo stdin-tty; exit 6') || rc=$?
  assert_eq "$rc" 6 "exit code of run -it"
  assert_contains "$out" "33 77" "window size inside"
  assert_contains "$out" "/dev/pts/0" "the container's terminal"
  assert_contains "$out" "stdin-tty"
}

test_podman_seccomp_profiles() {
  pm_setup
  local out
  # podman's default profile.
  out=$(pm_run run --rm "$PM_IMAGE" grep -E '^Seccomp(_filters)?:' /proc/self/status)
  assert_contains "$out" "$(printf 'Seccomp:\t2')" "default profile"
  assert_contains "$out" "$(printf 'Seccomp_filters:\t1')" "one filter"
  out=$(pm_run run --rm --security-opt seccomp=unconfined "$PM_IMAGE" grep '^Seccomp:' /proc/self/status)
  assert_eq "$out" "$(printf 'Seccomp:\t0')" "seccomp=unconfined"
  cat > "$TEST_TMP/deny-mkdir.json" <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}
EOF
  out=$(pm_run run --rm --security-opt seccomp="$TEST_TMP/deny-mkdir.json" "$PM_IMAGE" \
    sh -c 'mkdir /tmp/x 2>&1; echo rc=$?; touch /tmp/y && echo touch-ok')
  assert_contains "$out" "Permission denied" "mkdir under a profile that denies it with EACCES"
  assert_contains "$out" "rc=1"
  assert_contains "$out" "touch-ok" "other calls allowed"
}

test_podman_no_new_privileges_and_capabilities() {
  pm_setup
  assert_eq "$(pm_run run --rm "$PM_IMAGE" grep NoNewPrivs /proc/self/status)" "$(printf 'NoNewPrivs:\t0')"
  assert_eq "$(pm_run run --rm --security-opt no-new-privileges "$PM_IMAGE" grep NoNewPrivs /proc/self/status)" \
    "$(printf 'NoNewPrivs:\t1')" "no-new-privileges"
  local eff
  eff=$(pm_run run --rm --cap-drop all --cap-add net_raw "$PM_IMAGE" sed -n 's/^CapEff:\t//p' /proc/self/status)
  assert_eq "$eff" 0000000000002000 "CapEff with only CAP_NET_RAW"
  local def add
  def=$(pm_run run --rm "$PM_IMAGE" sed -n 's/^CapEff:\t//p' /proc/self/status)
  add=$(pm_run run --rm --cap-add sys_admin "$PM_IMAGE" sed -n 's/^CapEff:\t//p' /proc/self/status)
  (( (0x$def & (1 << 21)) == 0 )) || fail "CAP_SYS_ADMIN in the default set: $def"
  assert_eq "$(printf '%016x' $(( 0x$def | (1 << 21) )))" "$add" "CapEff with --cap-add sys_admin"
  eff=$(pm_run run --rm --cap-drop chown "$PM_IMAGE" sed -n 's/^CapEff:\t//p' /proc/self/status)
  assert_eq "$(printf '%016x' $(( 0x$def & ~1 )))" "$eff" "CapEff with --cap-drop chown"
}

test_podman_read_only_user_tmpfs_volumes() {
  pm_setup
  local out
  out=$(pm_run run --rm --read-only "$PM_IMAGE" sh -c 'touch /x 2>&1; touch /tmp/y && echo tmp-writable')
  assert_contains "$out" "Read-only file system" "--read-only root"
  assert_contains "$out" "tmp-writable" "podman's /tmp tmpfs on a read-only root"
  assert_eq "$(pm_run run --rm --user 1234:5678 "$PM_IMAGE" sh -c 'id -u; id -g')" "$(printf '1234\n5678')" "--user"
  out=$(pm_run run --rm --tmpfs /scratch:size=1m,mode=1777 "$PM_IMAGE" \
    sh -c 'grep " /scratch " /proc/mounts; stat -c %a /scratch')
  assert_contains "$out" "tmpfs /scratch tmpfs" "--tmpfs"
  assert_contains "$out" "size=1024k"
  assert_contains "$out" "1777"
  echo host-data > "$PM/hostdir/f"
  out=$(pm_run run --rm -v "$PM/hostdir:/data:ro" "$PM_IMAGE" sh -c 'cat /data/f; echo x > /data/g 2>&1 || echo ro-refused')
  assert_contains "$out" "host-data" "-v HOST:CTR:ro reads"
  assert_contains "$out" "ro-refused" "-v HOST:CTR:ro refuses writes"
  [ ! -e "$PM/hostdir/g" ] || fail "write through a :ro volume"
  pm_run run --rm -v "$PM/hostdir:/data" "$PM_IMAGE" sh -c 'echo from-container > /data/g'
  assert_eq "$(cat "$PM/hostdir/g")" from-container "-v HOST:CTR writes"
}

# Prints the container's memory limit, pids limit and cpu quota/period as
# the container sees them in its cgroups (v1 or v2).
read_limits_inside='
if [ -f /sys/fs/cgroup/memory.max ]; then
  cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max; cat /sys/fs/cgroup/cpu.max
else
  cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max
  echo $(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) $(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)
fi'

test_podman_memory_pids_cpus_limits() {
  pm_setup
  local out
  out=$(pm_run run --rm --memory 64m --pids-limit 77 --cpus 1.5 "$PM_IMAGE" sh -c "$read_limits_inside")
  assert_eq "$out" "$(printf '67108864\n77\n150000 100000')" "limits seen inside"
  # The same on the host, below the parent this test gave.
  pm_run run -d --name l1 --memory 32m --pids-limit 20 "$PM_IMAGE" sleep 1000 >/dev/null
  pm_wait_status l1 running
  local pid dir; pid=$(pm_pid l1)
  dir=$(pm_cg_dir "$pid" memory)
  assert_contains "$dir" "$PM_CGPARENT/libpod-" "the container's cgroup"
  if [ -f "$dir/memory.limit_in_bytes" ]; then
    assert_eq "$(cat "$dir/memory.limit_in_bytes")" 33554432 "memory limit on the host"
    assert_eq "$(cat "$(pm_cg_dir "$pid" pids)/pids.max")" 20 "pids limit on the host"
  else
    assert_eq "$(cat "$dir/memory.max")" 33554432 "memory limit on the host"
    assert_eq "$(cat "$dir/pids.max")" 20 "pids limit on the host"
  fi
  # The pids limit holds: 20 processes at most.
  out=$(pm exec l1 sh -c 'for i in $(seq 30); do sleep 5 & done 2>&1; wait' 2>&1 || true)
  assert_contains "$out" "Resource temporarily unavailable" "forks beyond --pids-limit"
  pm rm -f -t 0 l1 >/dev/null
}

test_podman_userns_mappings() {
  pm_setup
  local out
  # No --rm: with user namespaces podman 4.3's own removal races with the
  # `podman container cleanup` that conmon starts (EBUSY on userdata/shm,
  # runc alike), so the container is removed afterwards, with retries.
  out=$(pm_run run --name u0 --uidmap 0:100000:65536 --gidmap 0:100000:65536 "$PM_IMAGE" \
    sh -c 'id -u; cat /proc/self/uid_map /proc/self/gid_map; stat -c %u:%g /bin/busybox; readlink /proc/self/ns/user')
  pm_rm_retry u0
  assert_eq "$(echo "$out" | sed -n 1p)" 0 "uid inside"
  assert_eq "$(echo "$out" | sed -n 2p | tr -s ' ')" " 0 100000 65536" "uid_map"
  assert_eq "$(echo "$out" | sed -n 3p | tr -s ' ')" " 0 100000 65536" "gid_map"
  assert_eq "$(echo "$out" | sed -n 4p)" "0:0" "image files owned by the mapped root"
  assert_not_contains "$out" "$(readlink /proc/self/ns/user)" "user namespace shared with the host"
  pm_run run -d --name u1 --uidmap 0:200000:1000 --gidmap 0:200000:1000 "$PM_IMAGE" sleep 1000 >/dev/null
  pm_wait_status u1 running
  local pid; pid=$(pm_pid u1)
  assert_eq "$(awk '/^Uid:/ {print $2}' /proc/$pid/status)" 200000 "host uid of the container's root"
  pm_rm_retry u1
}

test_podman_update_memory_running() {
  pm_setup
  pm update --help >/dev/null 2>&1 || skip "this podman ($(podman --version)) has no update command"
  pm_run run -d --name up1 --memory 64m "$PM_IMAGE" sleep 1000 >/dev/null
  pm_wait_status up1 running
  pm update --memory 96m up1 >/dev/null
  local out
  out=$(pm exec up1 sh -c "$read_limits_inside")
  assert_eq "$(echo "$out" | sed -n 1p)" 100663296 "memory limit inside after podman update"
  local dir; dir=$(pm_cg_dir "$(pm_pid up1)" memory)
  if [ -f "$dir/memory.limit_in_bytes" ]; then
    assert_eq "$(cat "$dir/memory.limit_in_bytes")" 100663296 "memory limit on the host after update"
  fi
  assert_eq "$(pm inspect -f '{{.State.Status}}' up1)" running
  pm rm -f -t 0 up1 >/dev/null
}

test_podman_runtime_error_reaches_the_user() {
  pm_setup
  # podman passes the profile on; cell refuses it at create, and the error
  # travels through cell's JSON log (--log-format=json --log) to podman.
  cat > "$TEST_TMP/bad.json" <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_BOGUS"}]}
EOF
  local rc=0 err
  pm_run run --rm --name bad1 --security-opt seccomp="$TEST_TMP/bad.json" "$PM_IMAGE" true \
    >/dev/null 2>"$TEST_TMP/err" || rc=$?
  err=$(cat "$TEST_TMP/err")
  assert_eq "$rc" 126 "exit code of podman run when the runtime fails"
  assert_contains "$err" "Error: OCI runtime error: cell: " "podman's message"
  assert_contains "$err" 'linux.seccomp.syscalls[0].action: unknown action "SCMP_ACT_BOGUS"' "cell's message"
  assert_contains "$err" "/userdata/config.json:1:" "the place in config.json"
  assert_not_contains "$err" "does not exist" "a second error from podman's clean-up"
  assert_eq "$(pm ps -aq)" "" "a container left"
  assert_eq "$(pm_cell_states)" "" "cell state left"
  # A missing program: podman's exit code 127, as with runc and crun.
  rc=0
  pm_run run --rm "$PM_IMAGE" nosuchprog 2>"$TEST_TMP/err" || rc=$?
  assert_eq "$rc" 127 "exit code for a missing program"
  assert_contains "$(cat "$TEST_TMP/err")" "executable file \`nosuchprog\` not found in \$PATH"
}

test_podman_device_sysctl_hostname_env() {
  pm_setup
  # podman gives --device's fileMode with the file type bits of the host's node.
  local out
  out=$(pm_run run --rm --device /dev/null:/dev/mynull --sysctl kernel.msgmax=4096 \
    --hostname box1 -e GREETING=hi -w /tmp "$PM_IMAGE" \
    sh -c 'stat -c "%F %t:%T %a" /dev/mynull; echo x > /dev/mynull && echo wrote;
           cat /proc/sys/kernel/msgmax; hostname; echo $GREETING; pwd')
  assert_eq "$out" "$(printf 'character special file 1:3 666\nwrote\n4096\nbox1\nhi\n/tmp')"
}

test_podman_oci_hooks_dir() {
  pm_setup
  # podman reads hooks from --hooks-dir and writes them into config.json;
  # cell runs them with the container's state on stdin.
  mkdir -p "$PM/hooks"
  printf '#!/bin/sh\ncat > "%s/hook-$1.json"\n' "$PM" > "$PM/hook.sh"
  chmod +x "$PM/hook.sh"
  local stage
  for stage in prestart poststop; do
    cat > "$PM/hooks/$stage.json" <<EOF2
{"version": "1.0.0", "hook": {"path": "$PM/hook.sh", "args": ["hook.sh", "$stage"]},
 "when": {"always": true}, "stages": ["$stage"]}
EOF2
  done
  pm --hooks-dir "$PM/hooks" run --name h1 --network none --cgroup-parent "$PM_CGPARENT" "$PM_IMAGE" true
  local id; id=$(pm inspect -f '{{.Id}}' h1)
  pm rm h1 >/dev/null
  for stage in prestart poststop; do
    [ -s "$PM/hook-$stage.json" ] || fail "the $stage hook did not run"
    python3 - "$PM/hook-$stage.json" "$id" "$stage" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["id"] == sys.argv[2], s
assert s["bundle"].endswith("/userdata"), s
if sys.argv[3] == "prestart":
    assert s["pid"] > 0, s
PY
  done
}

test_podman_pod_shares_namespaces() {
  pm_setup
  # Containers of a pod join the infra container's namespaces by path.
  pm pod create --name pod1 --network none --cgroup-parent "$PM_CGPARENT" \
    --infra-image "$PM_IMAGE" --infra-command 'sleep 1000' >/dev/null
  pm pod start pod1 >/dev/null
  local infra; infra=$(pm pod inspect -f '{{.InfraContainerID}}' pod1)
  local ipid; ipid=$(pm_pid "$infra")
  [ "$ipid" -gt 0 ] || fail "infra container not running"
  local out ns
  out=$(pm run --rm --pod pod1 "$PM_IMAGE" sh -c 'for n in ipc uts net; do readlink /proc/self/ns/$n; done')
  for ns in ipc uts net; do
    assert_contains "$out" "$(readlink /proc/$ipid/ns/$ns)" "$ns namespace of the pod"
  done
  pm pod rm -f -t 0 pod1 >/dev/null
}

test_podman_seccomp_recording() {
  pm_setup
  local out
  # podman's annotation reaches cell: the container is recorded under
  # podman's own default profile (the base), and podman run --rm returns
  # once the recording is whole (delete waits for the recorder).  The
  # subshell makes sh fork: busybox runs mkdir in-process otherwise, and the
  # denial below needs a fork (ln is not one of busybox's no-fork applets);
  # the same redirection in both (sh's fcntl commands are argument rules).
  out=$(pm_run run --rm --annotation "run.cell.seccomp.record=$TEST_TMP/pod.json" "$PM_IMAGE" \
    sh -c '(mkdir /tmp/x) 2>&1 && echo made')
  assert_eq "$out" made
  python3 - "$TEST_TMP/pod.json" <<'PY' || fail "unexpected recording: $(head -c 600 "$TEST_TMP/pod.json")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["base"] is True and "partial" not in r
names = {s["name"] for s in r["syscalls"]}
assert {"execve", "mkdir", "exit_group"} <= names, names
PY
  "$CELL_BIN" seccomp record -o "$TEST_TMP/prof.json" "$TEST_TMP/pod.json"
  out=$(pm_run run --rm --security-opt seccomp="$TEST_TMP/prof.json" "$PM_IMAGE" \
    sh -c '(mkdir /tmp/x) 2>&1 && echo made')
  assert_eq "$out" made "the workload under the profile recorded from it"
  out=$(pm_run run --rm --security-opt seccomp="$TEST_TMP/prof.json" "$PM_IMAGE" \
    sh -c '(ln -s /tmp /tmp/l) 2>&1; echo rc=$?')
  assert_contains "$out" "Operation not permitted" "a syscall the recording never saw"
  assert_contains "$out" "rc=1"
}
