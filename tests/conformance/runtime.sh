# runtime.md: the state, the lifecycle and the operations.
source "$CELL_TESTS/conformance/lib.sh"

# A bundle whose program writes a marker into the host dir $TEST_TMP/out
# (seen as /out) and then runs ARGS (default: exits).
marker_bundle() {
  mkdir -p "$TEST_TMP/out"
  conf_bundle "$TEST_TMP/b" "
c['mounts'].append({'destination': '/out', 'type': 'bind', 'source': '$TEST_TMP/out',
                    'options': ['rbind', 'rw']})
c['process']['args'] = ['sh', '-c', 'echo ran > /out/marker; ' + '''${1:-true}''']
c['annotations'] = {'org.example.conf': 'yes'}"
}

item_state_fields() {
  marker_bundle 'sleep 100'
  rt create --bundle "$TEST_TMP/b" st1
  rt state st1 > "$TEST_TMP/state.json"
  python3 - "$TEST_TMP/b" "$TEST_TMP/state.json" <<'PY' || fail "state: $(cat "$TEST_TMP/state.json")"
import json, os, sys
s = json.load(open(sys.argv[2]))
assert s["ociVersion"], "no ociVersion"
assert s["id"] == "st1", "id"
assert s["status"] == "created", "status " + s["status"]
assert isinstance(s["pid"], int) and s["pid"] > 0, "pid"
assert os.path.exists("/proc/%d" % s["pid"]), "pid is no live process"
assert s["bundle"] == sys.argv[1] and os.path.isabs(s["bundle"]), "bundle " + s["bundle"]
assert s.get("annotations", {}).get("org.example.conf") == "yes", "annotations"
PY
}
test_state_fields() {
  conf_item must "State: ociVersion, id, status, pid (a live host pid), bundle (absolute), annotations" item_state_fields
}

item_create_does_not_run_program() {
  marker_bundle 'sleep 100'
  rt create --bundle "$TEST_TMP/b" cr1
  sleep 0.3
  [ ! -e "$TEST_TMP/out/marker" ] || fail "the user program ran at create"
  assert_eq "$(conf_status cr1)" created
  rt start cr1
  local i
  for i in $(seq 50); do [ -e "$TEST_TMP/out/marker" ] && break; sleep 0.1; done
  [ -e "$TEST_TMP/out/marker" ] || fail "the user program did not run at start"
  assert_eq "$(conf_status cr1)" running
}
test_create_then_start_runs_the_program() {
  conf_item must "Create: status created, user program not run; Start: it runs, status running" item_create_does_not_run_program
}

item_create_duplicate_id() {
  marker_bundle 'sleep 100'
  rt create --bundle "$TEST_TMP/b" dup1
  local pid; pid=$(conf_pid dup1)
  ! rt create --bundle "$TEST_TMP/b" dup1 2>"$TEST_TMP/err" || fail "a second create with the same id worked"
  [ -s "$TEST_TMP/err" ] || fail "no error message"
  assert_eq "$(conf_pid dup1)" "$pid" "the first container changed"
  assert_eq "$(conf_status dup1)" created
}
test_create_refuses_a_used_id() {
  conf_item must "Create: an id in use is an error and the first container is untouched" item_create_duplicate_id
}

item_create_bad_id() {
  marker_bundle
  local id
  for id in "../esc" "a/b"; do
    ! rt create --bundle "$TEST_TMP/b" "$id" 2>"$TEST_TMP/err" || fail "id \`$id\` accepted"
    [ -s "$TEST_TMP/err" ] || fail "no error message for \`$id\`"
  done
  [ -z "$(rt list -q)" ] || fail "a container was created: $(rt list -q)"
  [ ! -e "$TEST_TMP/esc" ] || fail "the id escaped the state dir"
}
test_create_refuses_an_invalid_id() {
  conf_item must "Create: an invalid id is an error and no container is created" item_create_bad_id
}

item_create_missing_bundle() {
  ! rt create --bundle "$TEST_TMP/nonexistent" nb1 2>"$TEST_TMP/err" || fail "create worked"
  [ -s "$TEST_TMP/err" ] || fail "no error message"
  assert_eq "$(conf_status nb1)" absent
}
test_create_needs_a_bundle() {
  conf_item must "Create: no bundle at the path is an error" item_create_missing_bundle
}

item_config_change_after_create() {
  marker_bundle
  rt create --bundle "$TEST_TMP/b" cc1
  cfg "$TEST_TMP/b" "c['process']['args'] = ['sh', '-c', 'echo changed > /out/marker']"
  rt start cc1
  conf_wait_status cc1 stopped
  assert_eq "$(cat "$TEST_TMP/out/marker")" ran "the program was taken from the edited config"
}
test_config_changes_after_create_have_no_effect() {
  conf_item must "Lifecycle step 2: updates to config.json after create do not affect the container" item_config_change_after_create
}

item_start_not_created() {
  marker_bundle 'sleep 100'
  rt create --bundle "$TEST_TMP/b" sn1
  rt start sn1
  conf_wait_status sn1 running
  local pid; pid=$(conf_pid sn1)
  ! rt start sn1 2>"$TEST_TMP/err" || fail "start of a running container worked"
  [ -s "$TEST_TMP/err" ] || fail "no error message"
  assert_eq "$(conf_status sn1)" running
  assert_eq "$(conf_pid sn1)" "$pid" "the container changed"
  rt kill sn1 KILL
  conf_wait_status sn1 stopped
  ! rt start sn1 2>"$TEST_TMP/err" || fail "start of a stopped container worked"
  assert_eq "$(conf_status sn1)" stopped
}
test_start_refuses_a_container_that_is_not_created() {
  conf_item must "Start: a container that is not created: error, no effect" item_start_not_created
}

item_start_nonexistent() {
  ! rt start nosuch 2>"$TEST_TMP/err" || fail "start worked"
  [ -s "$TEST_TMP/err" ] || fail "no error message"
}
test_start_unknown_container() {
  conf_item must "Start: a container that does not exist is an error" item_start_nonexistent
}

item_start_without_process() {
  conf_bundle "$TEST_TMP/b" "del c['process']"
  if rt create --bundle "$TEST_TMP/b" np1 2>"$TEST_TMP/err"; then
    ! rt start np1 2>"$TEST_TMP/err" || fail "start without process worked"
  fi
  [ -s "$TEST_TMP/err" ] || fail "no error message"
  [ "$(conf_status np1)" != running ] || fail "the container runs"
}
test_start_without_process_is_an_error() {
  conf_item must "Start: an error when process is not set" item_start_without_process
}

item_state_errors() {
  ! rt state nosuch 2>"$TEST_TMP/err" || fail "state of an unknown container worked"
  [ -s "$TEST_TMP/err" ] || fail "no error message"
  ! rt state 2>"$TEST_TMP/err" >/dev/null || fail "state without an id worked"
  [ -s "$TEST_TMP/err" ] || fail "no error message without an id"
}
test_state_errors() {
  conf_item must "Query State: no id, or an unknown container, is an error" item_state_errors
}

item_kill_signal() {
  marker_bundle "trap 'echo usr1 > /out/sig; exit 0' USR1; while :; do sleep 0.1; done"
  rt create --bundle "$TEST_TMP/b" k1
  rt start k1
  local i
  for i in $(seq 50); do [ -e "$TEST_TMP/out/marker" ] && break; sleep 0.1; done
  rt kill k1 USR1
  for i in $(seq 50); do [ -e "$TEST_TMP/out/sig" ] && break; sleep 0.1; done
  assert_eq "$(cat "$TEST_TMP/out/sig" 2>/dev/null)" usr1 "the process did not get SIGUSR1"
  conf_wait_status k1 stopped
}
test_kill_sends_the_signal() {
  conf_item must "Kill: the signal reaches the container process; status stopped once it ended" item_kill_signal
}

item_kill_created() {
  marker_bundle
  rt create --bundle "$TEST_TMP/b" kc1
  rt kill kc1 KILL
  conf_wait_status kc1 stopped
  [ ! -e "$TEST_TMP/out/marker" ] || fail "the program ran"
}
test_kill_a_created_container() {
  conf_item must "Kill: a created container can be signalled" item_kill_created
}

item_kill_stopped() {
  marker_bundle
  rt create --bundle "$TEST_TMP/b" ks1
  rt start ks1
  conf_wait_status ks1 stopped
  ! rt kill ks1 TERM 2>"$TEST_TMP/err" || fail "kill of a stopped container worked"
  [ -s "$TEST_TMP/err" ] || fail "no error message"
  assert_eq "$(conf_status ks1)" stopped
  ! rt kill nosuch TERM 2>/dev/null || fail "kill of an unknown container worked"
}
test_kill_refuses_a_stopped_container() {
  conf_item must "Kill: a container neither created nor running: error, no effect" item_kill_stopped
}

item_delete_running() {
  marker_bundle 'sleep 100'
  rt create --bundle "$TEST_TMP/b" dr1
  rt start dr1
  conf_wait_status dr1 running
  local pid; pid=$(conf_pid dr1)
  ! rt delete dr1 2>"$TEST_TMP/err" || fail "delete of a running container worked"
  [ -s "$TEST_TMP/err" ] || fail "no error message"
  assert_eq "$(conf_status dr1)" running
  kill -0 "$pid" || fail "the process was killed"
}
test_delete_refuses_a_running_container() {
  conf_item must "Delete: a running container: error, no effect" item_delete_running
}

# The container's cgroup directories, from the host (v1 and v2).
cgroup_dirs_of() {
  local pid=$1 ctl path d
  while IFS=: read -r _ ctl path; do
    if [ -z "$ctl" ]; then d=/sys/fs/cgroup/unified; else d=/sys/fs/cgroup/${ctl#name=}; fi
    [ -d "$d$path" ] && [[ "$path" == *cell-conf-* ]] && echo "$d$path"
  done < "/proc/$pid/cgroup"
}

item_delete_resources() {
  marker_bundle 'sleep 100'
  rt create --bundle "$TEST_TMP/b" dd1
  local pid dirs
  pid=$(conf_pid dd1)
  dirs=$(cgroup_dirs_of "$pid")
  [ -n "$dirs" ] || fail "no cgroup below the test's found for pid $pid"
  rt kill dd1 KILL
  conf_wait_status dd1 stopped
  rt delete dd1
  assert_eq "$(conf_status dd1)" absent
  local d
  for d in $dirs; do [ ! -d "$d" ] || fail "cgroup $d left"; done
  ! rt delete dd1 2>/dev/null || fail "delete of a deleted container worked"
  # The id may be used again.
  rt create --bundle "$TEST_TMP/b" dd1
  assert_eq "$(conf_status dd1)" created
}
test_delete_removes_what_create_made() {
  conf_item must "Delete: the resources of create are gone (state, cgroups); the id is free again" item_delete_resources
}

item_delete_created() {
  marker_bundle
  rt create --bundle "$TEST_TMP/b" dc1
  local pid; pid=$(conf_pid dc1)
  rt delete dc1 2>"$TEST_TMP/err" || fail "delete of a created container failed: $(cat "$TEST_TMP/err")"
  assert_eq "$(conf_status dc1)" absent
  sleep 0.1
  [ ! -d "/proc/$pid" ] || [ "$(awk '{print $3}' "/proc/$pid/stat")" = Z ] ||
    fail "the init of the deleted container still runs"
}
test_delete_a_created_container() {
  conf_item differs "Delete of a created container without --force removes it (the spec: an error)" item_delete_created
}

item_errors_leave_nothing() {
  marker_bundle
  cfg "$TEST_TMP/b" "c['mounts'].append({'destination': '/x', 'type': 'bind', 'source': '$TEST_TMP/nonexistent', 'options': ['bind']})"
  local before
  before=$(ls /sys/fs/cgroup/pids/ | grep -c cell-conf || true)
  ! rt create --bundle "$TEST_TMP/b" el1 2>"$TEST_TMP/err" || fail "create with a missing bind source worked"
  [ -s "$TEST_TMP/err" ] || fail "no error message"
  assert_eq "$(conf_status el1)" absent
  [ -z "$(rt list -q)" ] || fail "a container is listed"
  ! ls -d /sys/fs/cgroup/*/"$(conf_cgroup_parent)/$RT-b" /sys/fs/cgroup/memory/*/*/"$(conf_cgroup_parent)/$RT-b" 2>/dev/null |
    grep -q . || fail "a cgroup was left"
}
test_errors_leave_the_environment_unchanged() {
  conf_item must "Errors: a failed create leaves no container and no cgroup" item_errors_leave_nothing
}
