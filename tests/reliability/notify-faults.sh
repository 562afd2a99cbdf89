# Notify faults: the agent (or a plugin it hosts) crashes, hangs or is slow
# while containers make NOTIFY calls. The calls fail with ENOSYS once the
# listener is gone (the kernel's answer when no one holds it) or with what
# the plugin decides, they wait only while the agent is alive, the
# containers can always be killed and deleted, the restarted agent takes
# new containers, and nothing is left behind.
source "$CELL_TESTS/reliability/lib/leaks.sh"

CELL_AGENT=${CELL_AGENT:-$(dirname "$CELL_BIN")/cell-agent}
TEST_PLUGIN=$(dirname "$CELL_BIN")/tests/unit/notify/notify-test-plugin.so

agent_up() {
  AGENT_SOCK=$TEST_TMP/agent.sock
  rm -f "$AGENT_SOCK"
  "$CELL_AGENT" --socket "$AGENT_SOCK" --log "$TEST_TMP/agent.log" "$@" &
  AGENT_PID=$!
  at_cleanup "kill -9 $AGENT_PID 2>/dev/null; kill -CONT $AGENT_PID 2>/dev/null"
  local i
  for i in $(seq 100); do [ -S "$AGENT_SOCK" ] && return 0; sleep 0.05; done
  fail "cell-agent did not listen"
}

# A container making N mkdir calls (NOTIFY) and counting the answers.
notify_bundle() {
  local b=$1 n=$2 md=$3
  make_bundle "$b"
  mark_bundle "$b"
  # Containers share the rootfs: each counts in a file of its own.
  N=$n python3 - "$b/config.json" <<'PY2'
import json, os, sys
c = json.load(open(sys.argv[1]))
c["process"]["args"] = ["sh", "-c", "e=$(mktemp); i=0; while [ $i -lt %s ]; do mkdir /x 2>>$e; i=$((i+1)); done; sort $e | sed 's/.*: //' | uniq -c | tr -s ' \\n' ' '" % os.environ["N"]]
json.dump(c, open(sys.argv[1], "w"))
PY2
  S=$AGENT_SOCK M=$md cfg "$b" 'c["root"]["readonly"] = False; c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": os.environ["S"], "listenerMetadata": os.environ["M"], "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY"}]}'
}

# Start $2 containers on bundle $1 (ids $3-1..), wait at most $4 s for all.
run_many() {
  local b=$1 n=$2 prefix=$3 limit=$4 i pids=()
  for i in $(seq "$n"); do
    cellm run -b "$b" "$prefix-$i" >"$TEST_TMP/out.$prefix-$i" 2>&1 &
    pids+=($!)
  done
  echo "${pids[*]}" >"$TEST_TMP/pids.$prefix"
}

wait_many() {
  local prefix=$1 limit=$2 p end
  end=$(( $(date +%s) + limit ))
  for p in $(cat "$TEST_TMP/pids.$prefix"); do
    while kill -0 "$p" 2>/dev/null; do
      [ "$(date +%s)" -lt "$end" ] || fail "a container of $prefix still runs after ${limit}s: its NOTIFY calls hang"
      sleep 0.1
    done
    wait "$p" 2>/dev/null || true
  done
}

no_leaks_of() {
  local prefix=$1 n=$2 i
  for i in $(seq "$n"); do cell delete -f "$prefix-$i" >/dev/null 2>&1 || true; assert_no_leaks "$prefix-$i" "$prefix-$i"; done
}

test_agent_killed_while_containers_make_notify_calls_then_restarted() {
  agent_up
  notify_bundle "$TEST_TMP/b" 3000 "handlers=errno:EPERM"
  run_many "$TEST_TMP/b" 10 k
  sleep 1
  kill -9 "$AGENT_PID"
  wait_many k 60
  local i out before=0 after=0
  for i in $(seq 10); do
    out=$(cat "$TEST_TMP/out.k-$i")
    [[ "$out" == *"Operation not permitted"* ]] && before=$((before + 1))
    [[ "$out" == *"Function not implemented"* ]] && after=$((after + 1))
    [[ "$out" =~ ^\ *([0-9]+\ [A-Z][a-z ]+)+$ ]] || fail "container k-$i: $out"
  done
  [ "$after" -ge 1 ] || fail "no container saw ENOSYS after the agent died"
  no_leaks_of k 10
  # The agent comes back on the same socket and takes new containers.
  agent_up
  notify_bundle "$TEST_TMP/c" 3 "handlers=errno:EPERM"
  assert_eq "$(cellm run -b "$TEST_TMP/c" k-new)" " 3 Operation not permitted " "a container after the restart"
  no_leaks_of k-new 0
  assert_no_leaks k-new "the container after the restart"
  echo "10 containers: $before answered before the kill, $after got ENOSYS after it"
  rel_report "notify: agent SIGKILLed under 10 containers, restarted" 11
}

test_agent_stopped_containers_wait_and_stay_killable() {
  agent_up
  notify_bundle "$TEST_TMP/b" 5 "handlers=errno:EPERM"
  kill -STOP "$AGENT_PID"
  run_many "$TEST_TMP/b" 3 s
  sleep 1
  local p
  for p in $(cat "$TEST_TMP/pids.s"); do kill -0 "$p" 2>/dev/null || fail "a container did not wait for the stopped agent"; done
  local i
  for i in 1 2 3; do
    timeout 20 "$CELL_BIN" --root "$CELL_ROOT" delete -f "s-$i" || fail "delete -f of a container waiting on a stopped agent: $?"
  done
  wait_many s 20
  kill -CONT "$AGENT_PID"
  assert_eq "$(cellm run -b "$TEST_TMP/b" s-new)" " 5 Operation not permitted " "a container once the agent runs again"
  no_leaks_of s 3
  assert_no_leaks s-new "the container after the agent resumed"
  rel_report "notify: agent stopped, containers killed, agent resumed" 4
}

test_plugin_crash_takes_the_agent_down_not_the_containers() {
  [ -f "$TEST_PLUGIN" ] || fail "no test plugin at $TEST_PLUGIN"
  agent_up --plugin "$TEST_PLUGIN"
  notify_bundle "$TEST_TMP/b" 4 "plugin_crash"
  run_many "$TEST_TMP/b" 3 p
  wait_many p 30
  kill -0 "$AGENT_PID" 2>/dev/null && fail "the agent survived a plugin that aborts"
  local i
  # Each container got ENOSYS once the listener was gone, or lost the
  # agent during the hand-off, or (started after the crash) could not
  # reach it, and said so.
  local out
  for i in 1 2 3; do
    out=$(cat "$TEST_TMP/out.p-$i")
    [[ "$out" == *"Function not implemented"* || "$out" == *"listenerPath: connect to"*"Connection refused"* ||
       "$out" == *"hand the seccomp listener over: send"* ]] ||
      fail "container p-$i: $out"
  done
  no_leaks_of p 3
  agent_up --plugin "$TEST_PLUGIN"
  notify_bundle "$TEST_TMP/c" 2 "plugin_errno=28"
  assert_eq "$(cellm run -b "$TEST_TMP/c" p-new)" " 2 No space left on device " "after the restart"
  assert_no_leaks p-new "the container after the restart"
  rel_report "notify: plugin aborts the agent, restarted" 4
}

test_slow_plugin_delays_calls_without_losing_them() {
  [ -f "$TEST_PLUGIN" ] || fail "no test plugin at $TEST_PLUGIN"
  agent_up --plugin "$TEST_PLUGIN"
  notify_bundle "$TEST_TMP/b" 4 "plugin_errno=28 plugin_sleep_ms=150"
  local t0 t1 i
  t0=$(date +%s%N)
  run_many "$TEST_TMP/b" 4 w
  wait_many w 60
  t1=$(date +%s%N)
  for i in 1 2 3 4; do assert_eq "$(cat "$TEST_TMP/out.w-$i")" " 4 No space left on device " "container w-$i"; done
  # 16 answers of 150 ms each, one at a time in the agent.
  [ $(( (t1 - t0) / 1000000 )) -ge 2400 ] || fail "the plugin's delay did not apply"
  no_leaks_of w 4
  rel_report "notify: slow plugin (150 ms per call)" 4
}
