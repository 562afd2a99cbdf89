# Seccomp user notifications in real containers: the listener hand-off,
# cell-agent and its handlers, plugins through the monitor.  Every test
# skips while `cell run` still refuses NOTIFY rules (no runtime wiring).

CELL_AGENT=${CELL_AGENT:-$CELL_BUILD/cell-agent}
TEST_PLUGIN=${TEST_PLUGIN:-$CELL_BUILD/tests/unit/notify/notify-test-plugin.so}

sh_args() { cfg "$1" "c['process']['args'] = ['sh', '-c', '''$2''']"; }

# seccomp B DEFAULT 'name1 name2' [listenerPath] [metadata]
seccomp_notify() {
  local b=$1 def=$2 names=$3 path=${4:-} md=${5:-}
  cfg "$b" "
s = {'defaultAction': '$def', 'syscalls': []}
names = '$names'.split()
if names:
    s['syscalls'].append({'names': names, 'action': 'SCMP_ACT_NOTIFY' if '$def' != 'SCMP_ACT_NOTIFY' else 'SCMP_ACT_ALLOW'})
if '$path':
    s['listenerPath'] = '$path'
if '$md':
    s['listenerMetadata'] = '$md'
c['linux']['seccomp'] = s"
}

start_agent() {
  [ -x "$CELL_AGENT" ] || skip "no $CELL_AGENT"
  AGENT_SOCK=$TEST_TMP/agent.sock
  AGENT_LOG=$TEST_TMP/agent.log
  "$CELL_AGENT" --socket "$AGENT_SOCK" --log "$AGENT_LOG" "$@" &
  AGENT_PID=$!
  # The agent must not outlive the test, whatever way it ends (skip, fail).
  trap 'rc=$?; set +e; kill "$AGENT_PID" 2>/dev/null; (exit $rc); cell_test_cleanup' EXIT
  for _ in $(seq 50); do [ -S "$AGENT_SOCK" ] && return 0; sleep 0.05; done
  fail "cell-agent did not listen"
}

stop_agent() { kill "$AGENT_PID" 2>/dev/null; wait "$AGENT_PID" 2>/dev/null || true; }

# Skip unless the runtime hands listeners over.
need_notify() {
  make_bundle "$TEST_TMP/probe"
  sh_args "$TEST_TMP/probe" 'true'
  seccomp_notify "$TEST_TMP/probe" SCMP_ACT_ALLOW 'getppid' "$AGENT_SOCK" 'handlers=continue'
  local out
  out=$(cell run -b "$TEST_TMP/probe" probe$RANDOM 2>&1) || {
    [[ "$out" == *NOTIFY* || "$out" == *listener* ]] && skip "cell run does not hand seccomp listeners over yet: $out"
    fail "probe container failed: $out"
  }
}

userns() {
  chmod 755 "$TEST_TMP" "$1" "$1/rootfs"
  chown -R 100000:100000 "$1/rootfs"
  cfg "$1" '
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"] + [{"type": "user"}]
c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
}

test_notify_config_errors_before_start() {
  start_agent
  need_notify
  stop_agent
  make_bundle "$TEST_TMP/b"
  sh_args "$TEST_TMP/b" 'true'
  seccomp_notify "$TEST_TMP/b" SCMP_ACT_ALLOW '' '' 'x=1'
  local out
  out=$(cell run -b "$TEST_TMP/b" m1 2>&1) && fail "metadata without a listener path ran"
  assert_contains "$out" "listenerMetadata"
  assert_contains "$out" "listenerPath"
  seccomp_notify "$TEST_TMP/b" SCMP_ACT_ALLOW 'mkdir'
  assert_fails_with "neither linux.seccomp.listenerPath nor the annotation run.oci.seccomp.plugins" \
    cell run -b "$TEST_TMP/b" m2
  seccomp_notify "$TEST_TMP/b" SCMP_ACT_ALLOW 'mkdir' "$TEST_TMP/nobody.sock"
  assert_fails_with "linux.seccomp.listenerPath: connect to \`$TEST_TMP/nobody.sock\`" \
    cell run -b "$TEST_TMP/b" m3
}

test_notify_mknod_in_a_user_namespace() {
  start_agent
  need_notify
  make_bundle "$TEST_TMP/b"
  userns "$TEST_TMP/b"
  cfg "$TEST_TMP/b" 'c["root"]["readonly"] = False'
  sh_args "$TEST_TMP/b" 'mknod /tmp/n c 1 3 && echo x > /tmp/n && echo null-ok
mknod /tmp/z c 1 5 && head -c 4 /tmp/z | od -An -tx1
mknod /tmp/b b 8 0 2>/dev/null || echo block-refused
mknod /tmp/m c 1 1 2>/dev/null || echo offlist-refused'
  local out
  out=$(cell run -b "$TEST_TMP/b" without 2>&1 || true)
  assert_not_contains "$out" "null-ok" "mknod worked without the agent"
  seccomp_notify "$TEST_TMP/b" SCMP_ACT_ALLOW 'mknod mknodat' "$AGENT_SOCK" 'handlers=mknod'
  cfg "$TEST_TMP/b" 'for k in c["process"]["capabilities"]: c["process"]["capabilities"][k].append("CAP_MKNOD")'
  out=$(cell run -b "$TEST_TMP/b" with)
  assert_contains "$out" "null-ok"
  assert_contains "$out" " 00 00 00 00"
  assert_contains "$out" "block-refused"
  assert_contains "$out" "offlist-refused"
  assert_contains "$(cat "$AGENT_LOG")" "handler=mknod created \`/tmp/n\` as null (1:3)"
  # Only for a caller that would have been allowed: CAP_MKNOD in its namespace.
  cfg "$TEST_TMP/b" 'for k in c["process"]["capabilities"]: c["process"]["capabilities"][k].remove("CAP_MKNOD")'
  out=$(cell run -b "$TEST_TMP/b" nocap 2>&1 || true)
  assert_not_contains "$out" "null-ok" "mknod worked without CAP_MKNOD"
  assert_contains "$(cat "$AGENT_LOG")" "refused 1:3: the caller has no CAP_MKNOD"
  stop_agent
}

test_notify_no_deadlock_whatever_is_notify() {
  start_agent
  need_notify
  make_bundle "$TEST_TMP/b"
  sh_args "$TEST_TMP/b" 'echo reached'
  local s out
  for s in sendmsg write close fcntl wait4 exit_group execve futex; do
    seccomp_notify "$TEST_TMP/b" SCMP_ACT_ALLOW "$s" "$AGENT_SOCK" 'handlers=continue'
    out=$(timeout 20 "$CELL_BIN" --root "$CELL_ROOT" run -b "$TEST_TMP/b" "d-$s" 2>&1) ||
      fail "NOTIFY $s: container did not finish: $out"
    assert_eq "$out" "reached" "NOTIFY $s"
    assert_contains "$(cat "$AGENT_LOG")" "container=d-$s pid=" "the agent never got d-$s"
  done
  seccomp_notify "$TEST_TMP/b" SCMP_ACT_NOTIFY 'getpid' "$AGENT_SOCK" 'handlers=continue'
  out=$(timeout 20 "$CELL_BIN" --root "$CELL_ROOT" run -b "$TEST_TMP/b" d-default 2>&1) ||
    fail "NOTIFY as default action: $out"
  assert_eq "$out" "reached" "NOTIFY as default action"
  stop_agent
}

test_notify_agent_killed_gives_enosys() {
  start_agent
  need_notify
  make_bundle "$TEST_TMP/b"
  sh_args "$TEST_TMP/b" 'sleep 1; mkdir /tmp/a 2>&1; echo done'
  seccomp_notify "$TEST_TMP/b" SCMP_ACT_ALLOW 'mkdir' "$AGENT_SOCK" 'handlers=continue'
  local out
  "$CELL_BIN" --root "$CELL_ROOT" run -b "$TEST_TMP/b" k1 > "$TEST_TMP/out" 2>&1 &
  local run=$!
  sleep 0.5
  kill -9 "$AGENT_PID"
  timeout 20 tail --pid=$run -f /dev/null || fail "the container hung after the agent died"
  out=$(cat "$TEST_TMP/out")
  assert_contains "$out" "Function not implemented"
  assert_contains "$out" "done"
}

test_notify_twenty_containers_share_one_agent() {
  start_agent
  need_notify
  make_bundle "$TEST_TMP/b"
  sh_args "$TEST_TMP/b" 'mkdir /x 2>&1 | grep -q "Operation not permitted" && echo refused'
  seccomp_notify "$TEST_TMP/b" SCMP_ACT_ALLOW 'mkdir' "$AGENT_SOCK" 'handlers=errno:EPERM'
  local i pids=()
  for i in $(seq 20); do
    "$CELL_BIN" --root "$CELL_ROOT" run -b "$TEST_TMP/b" "t$i" > "$TEST_TMP/out$i" 2>&1 &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || fail "a container failed"; done
  for i in $(seq 20); do assert_eq "$(cat "$TEST_TMP/out$i")" refused "container t$i"; done
  local st
  st=$("$CELL_AGENT" --socket "$AGENT_SOCK" stats)
  assert_eq "$(python3 -c 'import json,sys; print(len([c for c in json.load(sys.stdin)["containers"] if c["id"].startswith("t")]))' <<<"$st")" 20
  stop_agent
}

test_notify_agent_survives_garbage() {
  start_agent
  need_notify
  python3 - "$AGENT_SOCK" <<'PY'
import socket, sys, array
def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect(sys.argv[1]); return s
s = conn(); s.sendall(b"{bad json"); s.close()
s = conn(); s.sendall(b'{"ociVersion":"1.2.0","fds":["seccompFd"],"pid":1,"state":{}}'); s.close()
s = conn()
try:
    s.sendall(b"j" * (1 << 20))
except OSError:
    pass
s.close()
s = conn(); s.close()
PY
  make_bundle "$TEST_TMP/b"
  sh_args "$TEST_TMP/b" 'mkdir /x 2>&1 | grep -q "Operation not permitted" && echo refused'
  seccomp_notify "$TEST_TMP/b" SCMP_ACT_ALLOW 'mkdir' "$AGENT_SOCK" 'handlers=errno:1'
  assert_eq "$(cell run -b "$TEST_TMP/b" g1)" refused
  local log; log=$(cat "$AGENT_LOG")
  assert_contains "$log" "refused: bad JSON"
  assert_contains "$log" "refused: no fd came with the message"
  assert_contains "$log" "message longer than 65536 bytes"
  assert_contains "$log" "closed without a message"
  stop_agent
}

test_notify_plugin_in_a_detached_container() {
  [ -f "$TEST_PLUGIN" ] || skip "no test plugin at $TEST_PLUGIN"
  start_agent
  need_notify
  stop_agent
  make_bundle "$TEST_TMP/b"
  sh_args "$TEST_TMP/b" 'sleep 0.5; mkdir /x 2>/err; cat /err > /result'
  seccomp_notify "$TEST_TMP/b" SCMP_ACT_ALLOW 'mkdir'
  cfg "$TEST_TMP/b" "c.setdefault('annotations', {})['run.oci.seccomp.plugins'] = '$TEST_PLUGIN'
c['root']['readonly'] = False"
  cell create -b "$TEST_TMP/b" p1
  cell start p1
  for _ in $(seq 100); do
    [[ "$(cell state p1)" == *'"status": "stopped"'* ]] && break
    sleep 0.1
  done
  assert_contains "$(cat "$TEST_TMP/b/rootfs/result")" "No space left on device"
  cell delete p1
  # run -d: the runtime is gone at once, the monitor answers.
  rm -f "$TEST_TMP/b/rootfs/result"
  cell run -d -b "$TEST_TMP/b" p2 </dev/null >/dev/null 2>&1
  for _ in $(seq 100); do
    [ -s "$TEST_TMP/b/rootfs/result" ] && break
    sleep 0.1
  done
  assert_contains "$(cat "$TEST_TMP/b/rootfs/result")" "No space left on device"
  cell delete -f p2
}

test_notify_each_exec_hands_over_its_own_listener() {
  start_agent
  need_notify
  make_bundle "$TEST_TMP/b"
  userns "$TEST_TMP/b"
  cfg "$TEST_TMP/b" 'c["root"]["readonly"] = False'
  cfg "$TEST_TMP/b" 'for k in c["process"]["capabilities"]: c["process"]["capabilities"][k].append("CAP_MKNOD")'
  seccomp_notify "$TEST_TMP/b" SCMP_ACT_ALLOW 'mknod mknodat' "$AGENT_SOCK" 'handlers=mknod'
  sh_args "$TEST_TMP/b" 'sleep 100'
  cell run -d -b "$TEST_TMP/b" ex1
  local pid; pid=$(cell state ex1 | sed -n 's/.*"pid": \([0-9]*\).*/\1/p')
  # The exec'd process has a filter (and a listener) of its own.
  assert_eq "$(cell exec ex1 sh -c 'mknod /tmp/e c 1 5 && head -c 2 /tmp/e | od -An -tx1')" " 00 00"
  assert_eq "$(cell exec ex1 sh -c 'mknod /tmp/f c 1 3 && echo ok')" "ok"
  local log; log=$(cat "$AGENT_LOG")
  assert_contains "$log" "created \`/tmp/e\` as zero (1:5)"
  assert_contains "$log" "created \`/tmp/f\` as null (1:3)"
  # Three listeners reached the agent: the init's and one per exec, each
  # message naming its own process (the exec'd ones are not the init).
  local pids
  pids=$(sed -n 's/.*container=ex1 pid=\([0-9]*\) accepted.*/\1/p' "$AGENT_LOG" | sort -u)
  assert_eq "$(echo "$pids" | wc -l)" 3 "listeners handed over for container ex1"
  echo "$pids" | grep -qx "$pid" || fail "the init's listener did not name the init ($pid): $pids"
  cell delete -f ex1
  stop_agent
}
