# The runtime core: lifecycle, state, ids, exit codes, exec, namespaces.

args() { set_args "$@"; }

test_run_exit_code_and_output() {
  make_bundle "$TEST_TMP/b"
  args "$TEST_TMP/b" '["sh", "-c", "echo hello from $(hostname); exit 3"]'
  local out rc=0
  out=$(cell run -b "$TEST_TMP/b" c1) || rc=$?
  assert_eq "$rc" 3 "exit code"
  assert_eq "$out" "hello from cell"
  [ ! -e "$CELL_ROOT/c1" ] || fail "run left its state dir"
}

test_run_killed_by_signal_gives_128_plus_n() {
  make_bundle "$TEST_TMP/b"
  args "$TEST_TMP/b" '["sleep", "100"]'
  local rc=0
  cell run -b "$TEST_TMP/b" --pid-file "$TEST_TMP/pid" c1 &
  local runner=$!
  for _ in $(seq 50); do [ -s "$TEST_TMP/pid" ] && break; sleep 0.1; done
  cell kill c1 KILL
  wait $runner || rc=$?
  assert_eq "$rc" 137 "exit code of a container killed by SIGKILL"
}

test_run_forwards_signals() {
  make_bundle "$TEST_TMP/b"
  # pid 1 ignores signals it has no handler for: this one has one.
  args "$TEST_TMP/b" '["sh", "-c", "trap \"echo got-term; exit 9\" TERM; while :; do sleep 0.1; done"]'
  local rc=0
  "$CELL_BIN" --root "$CELL_ROOT" run -b "$TEST_TMP/b" c2 > "$TEST_TMP/out" &
  local runner=$!
  sleep 0.5
  kill -TERM $runner
  wait $runner || rc=$?
  assert_eq "$rc" 9 "exit code after a forwarded SIGTERM"
  assert_eq "$(cat "$TEST_TMP/out")" "got-term"
}

# The state of a container of `run` from other processes: its pid from
# the moment it runs, `start` refused as runc refuses it, kill and delete.
test_run_seen_from_another_process() {
  make_bundle "$TEST_TMP/b"
  args "$TEST_TMP/b" '["sleep", "100"]'
  "$CELL_BIN" --root "$CELL_ROOT" run -b "$TEST_TMP/b" --pid-file "$TEST_TMP/pid" r1 &
  local runner=$! rc=0 pid st
  for _ in $(seq 50); do [ -s "$TEST_TMP/pid" ] && break; sleep 0.1; done
  pid=$(cat "$TEST_TMP/pid")
  st=$(cell state r1)
  assert_contains "$st" '"status": "running"'
  assert_contains "$st" "\"pid\": $pid"
  assert_eq "$(tr '\0' ' ' </proc/"$pid"/cmdline)" "sleep 100 " "the pid in the state is the program's"
  assert_contains "$(cell list)" running
  assert_fails_with "container \`r1\` is running, not created" cell start r1
  cell kill r1 KILL
  wait $runner || rc=$?
  assert_eq "$rc" 137 "exit code of run"
  [ ! -e "$CELL_ROOT/r1" ] || fail "run left its state dir"
}

# A run whose container was deleted under it (delete -f from elsewhere)
# must not take a new container of the same id for its own.
test_run_leaves_a_new_container_of_its_id_alone() {
  make_bundle "$TEST_TMP/b"
  args "$TEST_TMP/b" '["sleep", "100"]'
  "$CELL_BIN" --root "$CELL_ROOT" run -b "$TEST_TMP/b" --pid-file "$TEST_TMP/pid" r2 \
    2>"$TEST_TMP/run.err" &
  local runner=$! rc=0
  for _ in $(seq 50); do [ -s "$TEST_TMP/pid" ] && break; sleep 0.1; done
  [ -s "$TEST_TMP/pid" ] || fail "run did not start"
  # Held still until the id is taken again: then it reaps and cleans up.
  kill -STOP $runner
  cell delete -f r2
  cell create -b "$TEST_TMP/b" r2
  kill -CONT $runner
  wait $runner || rc=$?
  assert_eq "$rc" 137 "exit code of run"
  assert_contains "$(cat "$TEST_TMP/run.err")" "container \`r2\` does not exist"
  assert_contains "$(cell state r2)" '"status": "created"'
  cell delete -f r2
}

test_create_start_state_delete() {
  make_bundle "$TEST_TMP/b"
  args "$TEST_TMP/b" '["sh", "-c", "read x < /dev/null; sleep 2"]'
  cell create -b "$TEST_TMP/b" --pid-file "$TEST_TMP/pid" c1
  local st pid
  st=$(cell state c1)
  assert_contains "$st" '"status": "created"'
  pid=$(cat "$TEST_TMP/pid")
  assert_contains "$st" "\"pid\": $pid"
  assert_contains "$st" "\"bundle\": \"$TEST_TMP/b\""
  [ -d "/proc/$pid" ] || fail "init $pid not alive"
  # Waiting before the user program: still cell's code, not sh.
  [ "$(readlink /proc/$pid/exe)" != "/bin/busybox" ] || fail "user program already running"
  cell start c1
  assert_contains "$(cell state c1)" '"status": "running"'
  assert_eq "$(readlink /proc/$pid/exe)" "/bin/busybox" "exe after start (as seen from its root)"
  assert_fails_with "only a created container can be started" cell start c1
  assert_fails_with "is running: stop it first or use --force" cell delete c1
  cell kill c1 KILL
  for _ in $(seq 50); do
    [[ "$(cell state c1)" == *'"status": "stopped"'* ]] && break
    sleep 0.1
  done
  assert_contains "$(cell state c1)" '"status": "stopped"'
  assert_contains "$(cell state c1)" '"pid": 0'
  cell delete c1
  assert_fails_with "container \`c1\` does not exist" cell state c1
}

test_ids_refused() {
  make_bundle "$TEST_TMP/b"
  assert_fails_with "container id must not be empty" cell create -b "$TEST_TMP/b" ""
  assert_fails_with "invalid container id \`a/b\`" cell create -b "$TEST_TMP/b" a/b
  assert_fails_with "invalid container id \`..\`" cell create -b "$TEST_TMP/b" ..
  args "$TEST_TMP/b" '["sleep", "10"]'
  cell create -b "$TEST_TMP/b" dup
  assert_fails_with "container \`dup\` already exists" cell create -b "$TEST_TMP/b" dup
  cell delete -f dup
}

test_kill_by_name_and_number() {
  make_bundle "$TEST_TMP/b"
  args "$TEST_TMP/b" '["sh", "-c", "trap \"exit 7\" USR2; while :; do sleep 0.1; done"]'
  cell run -d -b "$TEST_TMP/b" k1
  sleep 0.3
  cell kill k1 SIGUSR2
  wait_stopped k1
  cell delete k1
  cell run -d -b "$TEST_TMP/b" k2
  cell kill k2 9
  wait_stopped k2
  assert_fails_with "unknown signal \`BOGUS\`" cell kill k2 BOGUS
  assert_fails_with "is not running" cell kill k2 TERM
  cell delete k2
}

wait_stopped() {
  for _ in $(seq 100); do
    [[ "$(cell state "$1")" == *'"status": "stopped"'* ]] && return 0
    sleep 0.05
  done
  fail "container $1 did not stop"
}

test_kill_all_reaches_every_process() {
  make_bundle "$TEST_TMP/b"
  args "$TEST_TMP/b" '["sh", "-c", "sleep 100 & sleep 100 & wait"]'
  cell run -d -b "$TEST_TMP/b" ka
  sleep 0.3
  local pid; pid=$(cell state ka | sed -n 's/.*"pid": \([0-9]*\).*/\1/p')
  local ns; ns=$(readlink /proc/$pid/ns/pid)
  cell kill --all ka KILL
  wait_stopped ka
  for p in /proc/[0-9]*; do
    [ "$(readlink $p/ns/pid 2>/dev/null)" != "$ns" ] || [ "$(awk '{print $3}' $p/stat)" = Z ] ||
      fail "process $p survived kill --all"
  done
  cell delete ka
}

test_delete_force_running() {
  make_bundle "$TEST_TMP/b"
  args "$TEST_TMP/b" '["sleep", "100"]'
  cell run -d -b "$TEST_TMP/b" f1
  local pid; pid=$(cell state f1 | sed -n 's/.*"pid": \([0-9]*\).*/\1/p')
  cell delete --force f1
  [ ! -d "/proc/$pid" ] || [ "$(awk '{print $3}' /proc/$pid/stat)" = Z ] || fail "process left"
  [ ! -e "$CELL_ROOT/f1" ] || fail "state dir left"
}

test_delete_created_container_without_force() {
  make_bundle "$TEST_TMP/b"
  args "$TEST_TMP/b" '["true"]'
  cell create -b "$TEST_TMP/b" --pid-file "$TEST_TMP/pid" d1
  local pid; pid=$(cat "$TEST_TMP/pid")
  cell delete d1
  sleep 0.1
  [ ! -d "/proc/$pid" ] || [ "$(awk '{print $3}' /proc/$pid/stat)" = Z ] ||
    fail "init of a deleted created container still runs"
}

test_pid_file_matches_state() {
  make_bundle "$TEST_TMP/b"
  args "$TEST_TMP/b" '["sleep", "100"]'
  cell run -d -b "$TEST_TMP/b" --pid-file "$TEST_TMP/p" p1
  local pid; pid=$(cat "$TEST_TMP/p")
  assert_contains "$(cell state p1)" "\"pid\": $pid"
  ls "$TEST_TMP" | grep -q 'p.tmp' && fail "temp pid file left"
  cell delete -f p1
}

test_list_formats() {
  make_bundle "$TEST_TMP/b"
  args "$TEST_TMP/b" '["sleep", "100"]'
  cell run -d -b "$TEST_TMP/b" l1
  cell create -b "$TEST_TMP/b" l2
  assert_eq "$(cell list -q | sort | tr '\n' ' ')" "l1 l2 "
  local t; t=$(cell list)
  assert_contains "$t" "ID"
  assert_contains "$t" "running"
  assert_contains "$t" "created"
  cell list -f json | python3 -c 'import json,sys; a=json.load(sys.stdin); assert sorted(x["id"] for x in a)==["l1","l2"], a'
  cell delete -f l1
  cell delete -f l2
}

test_missing_executable_fails_at_create_and_leaves_nothing() {
  make_bundle "$TEST_TMP/b"
  args "$TEST_TMP/b" '["/no/such/program"]'
  assert_fails_with "/no/such/program" cell create -b "$TEST_TMP/b" m1
  [ ! -e "$CELL_ROOT/m1" ] || fail "state dir left after a failed create"
  [ -z "$(host_mounts_below "$TEST_TMP/")" ] || fail "mounts left: $(host_mounts_below "$TEST_TMP/")"
  args "$TEST_TMP/b" '["nosuchprog"]'
  assert_fails_with "nosuchprog" cell run -b "$TEST_TMP/b" m2
  [ ! -e "$CELL_ROOT/m2" ] || fail "state dir left after a failed run"
}

test_bad_config_errors_name_the_place() {
  make_bundle "$TEST_TMP/b"
  cfg "$TEST_TMP/b" 'c["process"]["args"] = "sh"'
  assert_fails_with "config.json:" cell create -b "$TEST_TMP/b" x
  assert_contains "$LAST_ERR" "process.args: expected an array of strings"
  printf '{"ociVersion": "1.0.0",\n  "root": {"path": "rootfs",}\n}' > "$TEST_TMP/b/config.json"
  assert_fails_with "config.json:2:" cell create -b "$TEST_TMP/b" x
  assert_contains "$LAST_ERR" "syntax error"
  [ ! -e "$CELL_ROOT/x" ] || fail "state dir left"
  assert_fails_with "bundle \`$TEST_TMP/nope\`" cell create -b "$TEST_TMP/nope" x
}

test_missing_rootfs_and_cwd() {
  make_bundle "$TEST_TMP/b"
  cfg "$TEST_TMP/b" 'c["root"]["path"] = "nothere"'
  assert_fails_with "root.path: rootfs \`$TEST_TMP/b/nothere\`: No such file or directory" \
    cell create -b "$TEST_TMP/b" x
  # A cwd that is not a directory is refused at create; one that is missing
  # is made (mode 0755), as runc and crun do.
  make_bundle "$TEST_TMP/c"
  cfg "$TEST_TMP/c" 'c["process"]["cwd"] = "/etc/passwd"'
  assert_fails_with "process.cwd: chdir to \`/etc/passwd\`: Not a directory" \
    cell create -b "$TEST_TMP/c" y
  cfg "$TEST_TMP/c" 'c["process"]["cwd"] = "/bin/busybox/sub"'
  assert_fails_with "process.cwd \`/bin/busybox/sub\`: open \`/bin/busybox/sub\` in the rootfs: Not a directory" \
    cell create -b "$TEST_TMP/c" y
  [ ! -e "$CELL_ROOT/x" ] && [ ! -e "$CELL_ROOT/y" ] || fail "state dir left"
  cfg "$TEST_TMP/c" 'c["process"]["cwd"] = "/no/such/dir"; c["process"]["args"] = ["sh", "-c", "pwd; stat -c %a ."]'
  assert_eq "$(cell run -b "$TEST_TMP/c" z </dev/null)" "$(printf '/no/such/dir\n755')"
}

test_log_json_format() {
  make_bundle "$TEST_TMP/b"
  cfg "$TEST_TMP/b" 'c["process"]["args"] = 5'
  "$CELL_BIN" --root "$CELL_ROOT" --log "$TEST_TMP/log.json" --log-format json \
     create -b "$TEST_TMP/b" j1 2>/dev/null && fail "create should fail"
  python3 - "$TEST_TMP/log.json" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert lines[-1]["level"] == "error", lines
assert "process.args: expected an array of strings" in lines[-1]["msg"], lines
assert lines[-1]["time"].endswith("Z"), lines
PY
}

test_exec_joins_the_container() {
  make_bundle "$TEST_TMP/b"
  args "$TEST_TMP/b" '["sleep", "100"]'
  cfg "$TEST_TMP/b" 'c["process"]["env"].append("FROMCONFIG=yes")'
  cell run -d -b "$TEST_TMP/b" e1
  local pid; pid=$(cell state e1 | sed -n 's/.*"pid": \([0-9]*\).*/\1/p')
  assert_eq "$(cell exec e1 hostname)" "cell"
  assert_eq "$(cell exec e1 sh -c 'readlink /proc/1/exe; echo $FROMCONFIG')" "$(printf '/bin/busybox\nyes')"
  local ns
  for ns in mnt pid uts ipc net; do
    assert_eq "$(cell exec e1 readlink /proc/self/ns/$ns)" "$(readlink /proc/$pid/ns/$ns)" "$ns namespace"
  done
  assert_eq "$(cell exec --cwd /tmp -e FOO=bar e1 sh -c 'pwd; echo $FOO')" "$(printf '/tmp\nbar')"
  assert_eq "$(cell exec -u 1000:1001 e1 sh -c 'id -u; id -g')" "$(printf '1000\n1001')"
  local rc=0
  cell exec e1 sh -c 'exit 5' || rc=$?
  assert_eq "$rc" 5 "exec exit code"
  assert_fails_with "nosuchprog" cell exec e1 nosuchprog
  cat > "$TEST_TMP/proc.json" <<'JSON'
{"cwd": "/", "args": ["sh", "-c", "echo from-process-json $A"], "env": ["A=1", "PATH=/bin"], "user": {"uid": 0, "gid": 0}}
JSON
  assert_eq "$(cell exec -p "$TEST_TMP/proc.json" e1)" "from-process-json 1"
  cell exec -d --pid-file "$TEST_TMP/ep" e1 sleep 100
  local epid; epid=$(cat "$TEST_TMP/ep")
  [ "$(readlink /proc/$epid/ns/pid)" = "$(readlink /proc/$pid/ns/pid)" ] || fail "detached exec not in the pid ns"
  cell delete -f e1
}

test_exec_in_stopped_container_refused() {
  make_bundle "$TEST_TMP/b"
  args "$TEST_TMP/b" '["true"]'
  cell run -d -b "$TEST_TMP/b" s1
  wait_stopped s1
  assert_fails_with "cannot exec in container \`s1\`: it is stopped" cell exec s1 true
  cell delete s1
}

test_namespaces_are_new() {
  make_bundle "$TEST_TMP/b"
  args "$TEST_TMP/b" '["sh", "-c", "for n in pid net ipc uts mnt cgroup; do readlink /proc/self/ns/$n; done"]'
  local out; out=$(cell run -b "$TEST_TMP/b" n1)
  local n
  for n in pid net ipc uts mnt cgroup; do
    assert_not_contains "$out" "$(readlink /proc/self/ns/$n)" "$n namespace shared with the host"
  done
}

test_join_network_namespace_by_path() {
  make_bundle "$TEST_TMP/b"
  touch "$TEST_TMP/netns"
  unshare --net="$TEST_TMP/netns" true
  cfg "$TEST_TMP/b" "c['linux']['namespaces'] = [n if n['type'] != 'network' else {'type': 'network', 'path': '$TEST_TMP/netns'} for n in c['linux']['namespaces']]"
  args "$TEST_TMP/b" '["readlink", "/proc/self/ns/net"]'
  local want; want=$(nsenter --net="$TEST_TMP/netns" readlink /proc/self/ns/net)
  assert_eq "$(cell run -b "$TEST_TMP/b" j1)" "$want"
  umount "$TEST_TMP/netns"
}

test_user_namespace_with_mappings() {
  make_bundle "$TEST_TMP/b"
  # The container's root (host uid 100000) must reach its rootfs.
  chmod 755 "$TEST_TMP" "$TEST_TMP/b"
  chown -R 100000:100000 "$TEST_TMP/b/rootfs"
  cfg "$TEST_TMP/b" '
c["linux"]["namespaces"].append({"type": "user"})
c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
c["mounts"] = [m for m in c["mounts"] if m["destination"] not in ("/sys", "/sys/fs/cgroup")]
'
  args "$TEST_TMP/b" '["sh", "-c", "id -u; cat /proc/self/uid_map; stat -c %u /bin/busybox"]'
  local out; out=$(cell run -b "$TEST_TMP/b" u1)
  assert_eq "$(echo "$out" | sed -n 1p)" "0" "uid inside"
  assert_eq "$(echo "$out" | sed -n 2p | tr -s ' ')" " 0 100000 65536" "uid_map inside"
  assert_eq "$(echo "$out" | sed -n 3p)" "0" "owner of files owned by host uid 100000, seen inside"
}

# oomScoreAdj with a new user namespace (Docker sets it on every container,
# so --userns-remap failed): the non-dumpable init cannot open its own
# /proc/self/oom_score_adj there; the runtime writes it, as runc's does.
# Raised above the runtime's own value (lowering needs CAP_SYS_RESOURCE).
test_oom_score_adj_with_a_new_user_namespace_as_runc() {
  make_bundle "$TEST_TMP/b"
  chmod 755 "$TEST_TMP" "$TEST_TMP/b"
  chown -R 100000:100000 "$TEST_TMP/b/rootfs"
  local want=$(( $(cat /proc/self/oom_score_adj) + 7 ))
  cfg "$TEST_TMP/b" '
c["linux"]["namespaces"].append({"type": "user"})
c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
c["mounts"] = [m for m in c["mounts"] if m["destination"] not in ("/sys", "/sys/fs/cgroup")]
c["process"]["oomScoreAdj"] = '"$want"'
'
  args "$TEST_TMP/b" '["sh", "-c", "cat /proc/self/oom_score_adj; id -u"]'
  local out; out=$(cell run -b "$TEST_TMP/b" o1)
  assert_eq "$out" "$(printf '%s\n0' "$want")" "oom_score_adj and uid inside"
  if command -v runc >/dev/null; then
    assert_eq "$(runc --root "$TEST_TMP/runc-root" run -b "$TEST_TMP/b" o1r </dev/null)" "$out" "the same under runc"
  fi
}

test_join_user_namespace_with_new_pid_namespace() {
  # As podman does for a pod's containers: the user namespace is joined by
  # path, the pid namespace (and the others) are new, made inside it.
  make_bundle "$TEST_TMP/b"
  chmod 755 "$TEST_TMP" "$TEST_TMP/b"
  chown -R 100000:100000 "$TEST_TMP/b/rootfs"
  unshare --user sleep 1000 &
  local holder=$!
  for _ in $(seq 50); do
    [ "$(readlink /proc/$holder/ns/user)" != "$(readlink /proc/self/ns/user)" ] && break
    sleep 0.05
  done
  echo "0 100000 65536" > /proc/$holder/uid_map
  echo "0 100000 65536" > /proc/$holder/gid_map
  cfg "$TEST_TMP/b" "
c['linux']['namespaces'].append({'type': 'user', 'path': '/proc/$holder/ns/user'})
c['hostname'] = 'joined'
c['mounts'] = [m for m in c['mounts'] if m['destination'] not in ('/sys', '/sys/fs/cgroup')]
"
  args "$TEST_TMP/b" '["sh", "-c", "readlink /proc/self/ns/user; echo $$; cat /proc/self/uid_map; hostname; ps -o pid | wc -l; id -u"]'
  local out rc=0
  out=$(cell run -b "$TEST_TMP/b" ju1) || rc=$?
  local want; want=$(readlink /proc/$holder/ns/user)
  kill "$holder"; wait "$holder" 2>/dev/null || true
  assert_eq "$rc" 0 "exit code"
  assert_eq "$(echo "$out" | sed -n 1p)" "$want" "the joined user namespace"
  assert_eq "$(echo "$out" | sed -n 2p)" 1 "pid of the container's process in its new pid namespace"
  assert_eq "$(echo "$out" | sed -n 3p | tr -s ' ')" " 0 100000 65536" "uid_map inside"
  assert_eq "$(echo "$out" | sed -n 4p)" joined "hostname"
  # ps's header, sh, ps (and wc): only the container's processes.
  [ "$(echo "$out" | sed -n 5p)" -le 4 ] || fail "ps sees processes outside the container: $out"
  assert_eq "$(echo "$out" | sed -n 6p)" 0 "uid inside"
}

test_time_namespace_offsets() {
  make_bundle "$TEST_TMP/b"
  cfg "$TEST_TMP/b" '
c["linux"]["namespaces"].append({"type": "time"})
c["linux"]["timeOffsets"] = {"boottime": {"secs": 86400000, "nanosecs": 0}}
'
  args "$TEST_TMP/b" '["cat", "/proc/uptime"]'
  local up; up=$(cell run -b "$TEST_TMP/b" t1 | cut -d. -f1)
  [ "$up" -gt 86400000 ] || fail "boottime offset not applied: uptime $up"
}

test_preserve_fds_and_no_leaked_fds() {
  make_bundle "$TEST_TMP/b"
  echo preserved > "$TEST_TMP/data"
  args "$TEST_TMP/b" '["sh", "-c", "cat <&3; ls /proc/self/fd | tr \"\\n\" \" \""]'
  local out; out=$(cell run --preserve-fds 1 -b "$TEST_TMP/b" pf 3<"$TEST_TMP/data" 4<"$TEST_TMP/data")
  assert_contains "$out" "preserved"
  # 0 1 2 3 and the fd ls itself opens; 4 was not preserved.
  assert_eq "$(echo "$out" | tail -1)" "0 1 2 3 4 " "fds in the container (4 is ls's own dir fd)"
  args "$TEST_TMP/b" '["ls", "/proc/self/fd"]'
  assert_eq "$(cell run -b "$TEST_TMP/b" pf2 5<"$TEST_TMP/data" | tr '\n' ' ')" "0 1 2 3 " "host fd 5 leaked"
}

test_annotations_in_state() {
  make_bundle "$TEST_TMP/b"
  args "$TEST_TMP/b" '["sleep", "10"]'
  cfg "$TEST_TMP/b" 'c["annotations"] = {"org.example.key": "v1"}'
  cell create -b "$TEST_TMP/b" a1
  assert_contains "$(cell state a1)" '"org.example.key": "v1"'
  cell delete -f a1
}

test_config_flag_and_bundle_default_cwd() {
  make_bundle "$TEST_TMP/b"
  args "$TEST_TMP/b" '["echo", "alt"]'
  mv "$TEST_TMP/b/config.json" "$TEST_TMP/b/other.json"
  (cd "$TEST_TMP/b" && assert_eq "$("$CELL_BIN" --root "$CELL_ROOT" run -f other.json c1)" alt)
}

test_state_from_a_hook_during_create() {
  # Hooks often ask the runtime for the state: create must not deadlock them.
  make_bundle "$TEST_TMP/b"
  args "$TEST_TMP/b" '["true"]'
  printf '#!/bin/sh\n"%s" --root "%s" state h1 > "%s/seen"\n' "$CELL_BIN" "$CELL_ROOT" "$TEST_TMP" > "$TEST_TMP/hook"
  chmod +x "$TEST_TMP/hook"
  cfg "$TEST_TMP/b" "c['hooks'] = {'createRuntime': [{'path': '$TEST_TMP/hook', 'timeout': 5}]}"
  cell create -b "$TEST_TMP/b" h1
  assert_contains "$(cat "$TEST_TMP/seen")" '"status": "creating"'
  assert_contains "$(cat "$TEST_TMP/seen")" '"id": "h1"'
  assert_not_contains "$(cat "$TEST_TMP/seen")" '"pid": 0' "pid during create"
  cell delete -f h1
}

test_listen_fds_are_passed_on() {
  # Socket activation: LISTEN_FDS from the caller reaches the container with
  # its fds, and LISTEN_PID names the container's process.
  make_bundle "$TEST_TMP/b"
  echo activated > "$TEST_TMP/sock-stand-in"
  args "$TEST_TMP/b" '["sh", "-c", "echo $LISTEN_FDS $LISTEN_PID; cat <&3"]'
  local out
  out=$(LISTEN_FDS=1 "$CELL_BIN" --root "$CELL_ROOT" run -b "$TEST_TMP/b" lf1 3<"$TEST_TMP/sock-stand-in")
  assert_eq "$out" "$(printf '1 1\nactivated')"
}

# Without linux.cgroupsPath a container goes where runc puts it: at
# <own cgroup>/<id> in each v1 hierarchy (runc's fs driver) and at
# <parent of own cgroup>/<id> in cgroup2 (fs2: its own cgroup has processes,
# so no controllers could be enabled for a child). runc runs the same bundle
# and its container's /proc/PID/cgroup must read the same but for the id.
test_default_cgroup_placement_is_runcs() {
  make_bundle "$TEST_TMP/b"
  args "$TEST_TMP/b" '["sleep", "100"]'
  local id=dflt-$$ rid=dflt-runc-$$ rroot=$TEST_TMP/runc-root
  cell run -d -b "$TEST_TMP/b" "$id"
  local pid; pid=$(cell state "$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
  local n ctl path own want mp
  while IFS=: read -r n ctl path; do
    own=$(awk -F: -v n="$n" '$1 == n {print $3}' /proc/self/cgroup)
    if [ "$n" = 0 ]; then
      want=$(dirname "$own")
    else
      want=$own
    fi
    want=${want%/}/$id
    assert_eq "$path" "$want" "hierarchy $n ($ctl) of a container placed by default"
  done < /proc/$pid/cgroup
  local dirs=()
  for mp in $(awk '$9 == "cgroup" || $9 == "cgroup2" {print $5}' /proc/self/mountinfo | sort -u); do
    dirs+=($(find "$mp" -maxdepth 5 -type d -name "$id"))
  done
  [ ${#dirs[@]} -gt 0 ] || fail "no cgroup directory named $id"
  if command -v runc >/dev/null; then
    at_cleanup "runc --root '$rroot' delete -f $rid"
    runc --root "$rroot" run -d -b "$TEST_TMP/b" "$rid" </dev/null >/dev/null 2>"$TEST_TMP/runc.err" ||
      fail "runc run: $(cat "$TEST_TMP/runc.err")"
    local rpid; rpid=$(runc --root "$rroot" state "$rid" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
    assert_eq "$(sed "s|/$rid\$|/ID|" /proc/$rpid/cgroup)" "$(sed "s|/$id\$|/ID|" /proc/$pid/cgroup)" \
      "cgroups of the same bundle under runc and under cell"
    runc --root "$rroot" delete -f "$rid"
  fi
  cell delete -f "$id"
  local d
  for d in "${dirs[@]}"; do
    [ ! -e "$d" ] || fail "$d left behind"
  done
}

# A config's warnings (here: ambient capabilities that are not inheritable,
# an unknown linux.resources field, an unknown syscall in the seccomp
# profile) are said once, by create, not by every command that reads the
# stored copy again (start, exec, delete): buildah said them three times.
test_config_warnings_said_once_per_container() {
  make_bundle "$TEST_TMP/b"
  args "$TEST_TMP/b" '["sleep", "100"]'
  cfg "$TEST_TMP/b" '
caps = c["process"]["capabilities"]
caps["ambient"] = ["CAP_NET_RAW"]
caps["inheritable"] = []
c["linux"].setdefault("resources", {})["bogusField"] = 1
c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [{"names": ["no_such_syscall_zz"], "action": "SCMP_ACT_ERRNO"}]}'
  local out=$TEST_TMP/err
  cell create -b "$TEST_TMP/b" w1 2>"$out.create"
  cell start w1 2>"$out.start"
  cell exec w1 true 2>"$out.exec"
  cell state w1 >/dev/null 2>"$out.state"
  cell kill w1 KILL 2>"$out.kill"
  cell delete -f w1 2>"$out.delete"
  local said; said=$(cat "$out.create")
  assert_contains "$said" "ambient capabilities not in both permitted and inheritable are dropped"
  assert_contains "$said" "linux.resources.bogusField: unknown field ignored"
  assert_contains "$said" 'unknown syscall "no_such_syscall_zz" skipped'
  assert_eq "$(grep -c warning "$out.create")" 3 "warnings of create"
  local cmd
  for cmd in start exec state kill delete; do
    assert_eq "$(cat "$out.$cmd")" "" "what $cmd said"
  done
}
