# containerd's own client, ctr, driving cell through the runc shim
# (`ctr run --runc-binary CELL`): a containerd of its own per test (see
# lib.sh: private sockets, root, state), the busybox image imported with
# `ctr images import`, cgroups below $ENG_CG. What runc does is the oracle:
# the same scenario runs under runc where that is cheap.

source "${CELL_TESTS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}/engines/lib.sh"

ctd_task_status() { ctd tasks ls | awk -v id="$1" '$1 == id {print $3}'; }
ctd_pid() { ctd tasks ls | awk -v id="$1" '$1 == id {print $2}'; }
ctd_wait_status() {
  eng_wait_for "task $1 $2" 10 eval '[ "$(ctd_task_status '"$1"')" = '"$2"' ]'
}

# ctr run in the foreground: output, exit code, the process's view; then
# with a terminal (-t) of a given size; each as under runc.
test_ctr_run_output_exit_code_and_terminal() {
  ctd_start
  local out rc=0
  out=$(ctd_run --rm "$ENG_IMAGE" fg1 sh -c 'echo hello; cat /proc/1/comm; id -u; exit 3' 2>"$ENG/err") || rc=$?
  assert_eq "$rc" 3 "exit code of ctr run under cell"
  assert_eq "$out" "$(printf 'hello\nsh\n0')" "output of ctr run under cell"
  local rout rrc=0
  rout=$(ctd run --runc-root "$CTD/runc-root" --cgroup "$ENG_CG/fg1r" --rm "$ENG_IMAGE" fg1r \
    sh -c 'echo hello; cat /proc/1/comm; id -u; exit 3' 2>&1) || rrc=$?
  eng_same "$rc:$out" "$rrc:$rout" "ctr run:"
  assert_eq "$(ctd containers ls -q)" "" "ctr run --rm left a container"
  assert_eq "$(eng_cell_states "$CTD_CELL_ROOT/$CTD_NS")" "" "cell state left by ctr run --rm"
  # -t: a terminal of the caller's size, stdin a tty. ctr sets the size
  # after the start (a resize, racing with the program under runc too).
  rc=0
  out=$(python3 "$CELL_TESTS/podman/pty-run.py" 19 73 ctr --address "$CTD/containerd.sock" -n "$CTD_NS" \
    run -t --rm --runc-binary "$CELL_BIN" --runc-root "$CTD_CELL_ROOT" --cgroup "$ENG_CG/tty1" \
    "$ENG_IMAGE" tty1 sh -c "$TTY_PROBE; exit 4") || rc=$?
  assert_eq "$rc" 4 "exit code of ctr run -t"
  assert_contains "$out" "19 73" "window size seen by ctr run -t"
  assert_contains "$out" "/dev/pts/" "ctr run -t: stdin is a terminal"
  # A missing program: a clear error, nothing left behind.
  rc=0
  ctd_run --rm "$ENG_IMAGE" bad1 /no/such/program >/dev/null 2>"$ENG/err" || rc=$?
  [ "$rc" != 0 ] || fail "ctr run of a missing program succeeded"
  assert_contains "$(cat "$ENG/err")" "/no/such/program"
  ctd containers rm bad1 >/dev/null 2>&1 || true
  assert_eq "$(eng_cell_states "$CTD_CELL_ROOT/$CTD_NS")" "" "cell state left by a failed ctr run"
}

# A detached task: exec (with and without a terminal, as another user),
# ps, pause/resume (seen in the freezer and by the task), metrics, kill
# of one process and of all (-a), events, and a checkpoint refused.
test_ctr_task_exec_ps_pause_metrics_kill_events_checkpoint() {
  ctd_start
  ctd_events "$ENG/events"
  ctd_run -d --log-uri="file://$ENG/t1.log" "$ENG_IMAGE" t1 \
    sh -c 'trap "echo got-term; exit 9" TERM; echo started; sleep 1000 & wait' >/dev/null
  ctd_wait_status t1 RUNNING
  local pid; pid=$(ctd_pid t1)
  assert_eq "$(readlink /proc/$pid/exe)" /bin/busybox "init of t1 on the host"
  assert_eq "$(eng_cell_states "$CTD_CELL_ROOT/$CTD_NS")" t1 "cell's state has the task"
  grep -q "/$ENG_CG/t1\$" /proc/$pid/cgroup || fail "t1 is not in $ENG_CG/t1: $(cat /proc/$pid/cgroup)"
  # exec
  local out rc=0
  out=$(ctd tasks exec --exec-id e1 t1 sh -c 'echo in-exec; cat /proc/1/comm; exit 5') || rc=$?
  assert_eq "$rc" 5 "exit code of ctr tasks exec"
  assert_eq "$out" "$(printf 'in-exec\nsh')" "output of ctr tasks exec"
  local ns
  out=$(ctd tasks exec --exec-id e2 t1 sh -c 'for n in mnt pid uts ipc net; do readlink /proc/self/ns/$n; done')
  assert_eq "$out" "$(for ns in mnt pid uts ipc net; do readlink /proc/$pid/ns/$ns; done)" "exec in t1's namespaces"
  assert_eq "$(ctd tasks exec --exec-id e3 --user 1000:1001 t1 sh -c 'id -u; id -g')" "$(printf '1000\n1001')" "exec --user"
  # exec -t: a terminal of its own
  rc=0
  out=$(python3 "$CELL_TESTS/podman/pty-run.py" 23 61 ctr --address "$CTD/containerd.sock" -n "$CTD_NS" \
    tasks exec -t --exec-id e4 t1 sh -c "$TTY_PROBE; exit 6") || rc=$?
  assert_eq "$rc" 6 "exit code of ctr tasks exec -t"
  assert_contains "$out" "23 61" "window size seen by ctr tasks exec -t"
  assert_contains "$out" "/dev/pts/" "ctr tasks exec -t: a terminal"
  # ps: the init and its sleep, as host pids
  local sleeper; sleeper=$(eng_child_pid "$pid" sleep) || fail "no sleep below $pid"
  out=$(ctd tasks ps t1 | awk 'NR > 1 {print $1}' | sort -n | tr '\n' ' ')
  assert_eq "$out" "$(printf '%s\n' "$pid" "$sleeper" | sort -n | tr '\n' ' ')" "ctr tasks ps"
  # pause / resume
  ctd tasks pause t1
  assert_eq "$(ctd_task_status t1)" PAUSED "status after pause"
  local fz; fz=$(grep -E '^[0-9]+:freezer:' /proc/$pid/cgroup | cut -d: -f3)
  if [ -n "$fz" ]; then
    assert_eq "$(cat /sys/fs/cgroup/freezer$fz/freezer.state)" FROZEN "freezer of t1 when paused"
  fi
  assert_contains "$(grep State /proc/$sleeper/status)" "S" "state of a frozen process"
  ctd tasks resume t1
  assert_eq "$(ctd_task_status t1)" RUNNING "status after resume"
  assert_eq "$(ctd tasks exec --exec-id e5 t1 echo alive)" alive "exec after resume"
  # metrics: the cgroup's numbers
  out=$(ctd tasks metrics --format json t1)
  python3 - "$out" <<'PY' || fail "ctr tasks metrics: $out"
import json, sys
m = json.loads(sys.argv[1])
data = m.get("Data") or m.get("data") or m
text = json.dumps(data)
assert "memory" in text.lower() and "pids" in text.lower(), text[:300]
PY
  # checkpoint: refused, with cell's reason, and the task runs on
  rc=0
  ctd tasks checkpoint t1 >/dev/null 2>"$ENG/err" || rc=$?
  [ "$rc" != 0 ] || fail "checkpoint of t1 succeeded"
  assert_contains "$(cat "$ENG/err")" "not supported: cell has no CRIU support" "ctr checkpoint error"
  assert_eq "$(ctd_task_status t1)" RUNNING "status after the refused checkpoint"
  # kill: TERM reaches the init's trap
  ctd tasks kill -s TERM t1
  ctd_wait_status t1 STOPPED
  eng_wait_for "t1's log" 5 grep -q got-term "$ENG/t1.log"
  assert_eq "$(cat "$ENG/t1.log")" "$(printf 'started\ngot-term')" "what t1 wrote (the TERM trap ran)"
  ctd tasks rm t1 >/dev/null
  # kill -a: every process of the container, not only the init
  ctd_run -d "$ENG_IMAGE" t2 sh -c 'sleep 1000 & sleep 1000 & sleep 1000' >/dev/null
  ctd_wait_status t2 RUNNING
  local pid2; pid2=$(ctd_pid t2)
  eng_wait_for "three sleeps in t2" 5 eval '[ "$(pgrep -P '"$pid2"' | wc -l)" -ge 2 ]'
  local kids; kids=$(pgrep -P "$pid2")
  ctd tasks kill -a -s KILL t2
  ctd_wait_status t2 STOPPED
  local k
  for k in $kids; do
    eng_wait_for "sleep $k of t2 gone" 5 eval '! kill -0 '"$k"
  done
  ctd tasks rm t2 >/dev/null
  ctd containers rm t1 t2
  # events: what containerd saw of all that
  sleep 0.3
  local ev; ev=$(cat "$ENG/events")
  local topic
  for topic in /tasks/create /tasks/start /tasks/exec-added /tasks/exec-started /tasks/paused \
               /tasks/resumed /tasks/exit /tasks/delete /containers/delete; do
    assert_contains "$ev" "$topic" "ctr events"
  done
  assert_eq "$(eng_cell_states "$CTD_CELL_ROOT/$CTD_NS")" "" "cell state left"
}

# --memory-limit: the limit seen in the container's cgroup, an allocation
# above it killed, reported by containerd as an OOM event and exit 137.
test_ctr_memory_limit_and_oom_event() {
  ctd_start
  ctd_events "$ENG/events"
  ctd_run -d --memory-limit=33554432 "$ENG_IMAGE" m1 sleep 1000 >/dev/null
  ctd_wait_status m1 RUNNING
  local pid; pid=$(ctd_pid m1)
  local mcg; mcg=$(grep -E '^[0-9]+:memory:' /proc/$pid/cgroup | cut -d: -f3)
  if [ -n "$mcg" ]; then
    assert_eq "$(cat /sys/fs/cgroup/memory$mcg/memory.limit_in_bytes)" 33554432 "memory limit of m1"
  fi
  ctd tasks kill -s KILL m1
  ctd_wait_status m1 STOPPED
  ctd tasks rm m1 >/dev/null
  ctd containers rm m1
  local rc=0
  ctd_run --rm --memory-limit=16777216 "$ENG_IMAGE" oom1 sh -c 'x=$(head -c 200000000 /dev/zero | tr "\0" y); echo survived' \
    >"$ENG/oom.out" 2>&1 || rc=$?
  assert_eq "$rc" 137 "exit code of a task killed by the OOM killer"
  assert_not_contains "$(cat "$ENG/oom.out")" survived
  sleep 0.3
  assert_contains "$(cat "$ENG/events")" "/tasks/oom" "ctr events after the OOM kill"
}

# --uidmap/--gidmap: a user namespace; root inside is the mapped uid
# outside; files of the image belong to the container's root.
test_ctr_uidmap_gidmap() {
  ctd_start
  ctd_run -d --uidmap=0:200000:65536 --gidmap=0:300000:65536 "$ENG_IMAGE" u1 sleep 1000 >/dev/null
  ctd_wait_status u1 RUNNING
  local pid; pid=$(ctd_pid u1)
  assert_eq "$(stat -c %u:%g /proc/$pid)" 200000:300000 "owner of u1's init on the host"
  local out
  out=$(ctd tasks exec --exec-id e1 u1 sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u; stat -c %u /bin/busybox')
  assert_eq "$(echo "$out" | tr -s ' ' | sed 's/^ //')" "$(printf '0 200000 65536\n0 300000 65536\n0\n0')" "user namespace seen in u1"
  ctd tasks kill -s KILL u1
  ctd_wait_status u1 STOPPED
  ctd tasks rm u1 >/dev/null
  ctd containers rm u1
}
