# Faults at every step: each phase of create, start, exec, kill and delete
# fails, or its runtime is SIGKILLed, and then `delete -f` must leave no
# state dir, cgroup (any hierarchy), mount or process, and the same id must
# be created again. Steps come from hooks (any build) and from CELL_FAULT
# (src/util/fault.h, in the test build build-asan/ only). The SIGKILLs run
# beside two CPU hogs. RELIABILITY_KILL_ROUNDS (per step) and
# RELIABILITY_KILL_TRIES (random moments) make it longer (make stress).
source "$CELL_TESTS/reliability/lib/leaks.sh"

kill_rounds() { echo "${RELIABILITY_KILL_ROUNDS:-1}"; }
kill_tries() { echo "${RELIABILITY_KILL_TRIES:-15}"; }

sleeper_bundle() {
  make_bundle "$1"
  set_args "$1" '["sleep", "1000"]'
  mark_bundle "$1"
}

# After a fault: delete -f cleans what is left (or there is nothing), then
# nothing remains, then the id works again from scratch.
clean_and_reuse() {
  local id=$1 b=$2 what=$3 out
  out=$(cell delete -f "$id" 2>&1) || [[ "$out" == *"does not exist"* ]] ||
    fail "$what: delete -f failed: $out"
  assert_no_leaks "$id" "$what, after delete -f"
  cellm create -b "$b" "$id" || fail "$what: the id cannot be created again"
  cell delete -f "$id"
  assert_no_leaks "$id" "$what, after the id was used again"
}

# The lifecycle up to the command a step belongs to, then that command
# with env $2 (e.g. CELL_FAULT=...); its exit status in $TEST_TMP/step.rc.
run_step_command() {
  local step=$1 envset=$2 id=$3 b=$4 rc=0
  case $step in
    create.*|init.*|cgroups.mkdir*|hook.prestart|hook.createRuntime|hook.createContainer)
      env $envset CELL_REL_MARK="$(rel_mark)" "$CELL_BIN" --root "$CELL_ROOT" create -b "$b" "$id" \
        >"$TEST_TMP/step.out" 2>&1 || rc=$? ;;
    start.*|hook.startContainer|hook.poststart)
      cellm create -b "$b" "$id"
      env $envset CELL_REL_MARK="$(rel_mark)" "$CELL_BIN" --root "$CELL_ROOT" start "$id" \
        >"$TEST_TMP/step.out" 2>&1 || rc=$? ;;
    exec.*)
      cellm create -b "$b" "$id"; cell start "$id"
      local pid fds
      pid=$(cell state "$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
      fds=$(ls /proc/"$pid"/fd | wc -l)
      env $envset CELL_REL_MARK="$(rel_mark)" "$CELL_BIN" --root "$CELL_ROOT" exec "$id" true \
        >"$TEST_TMP/step.out" 2>&1 || rc=$?
      assert_eq "$(ls /proc/"$pid"/fd | wc -l)" "$fds" "fds of the container's init after $step" ;;
    kill.*)
      cellm create -b "$b" "$id"; cell start "$id"
      env $envset "$CELL_BIN" --root "$CELL_ROOT" kill "$id" KILL >"$TEST_TMP/step.out" 2>&1 || rc=$? ;;
    delete.*|cgroups.rmdir*|hook.poststop)
      cellm create -b "$b" "$id"; cell start "$id"
      env $envset "$CELL_BIN" --root "$CELL_ROOT" delete -f "$id" >"$TEST_TMP/step.out" 2>&1 || rc=$? ;;
    *) fail "no command for step $step" ;;
  esac
  echo "$rc" >"$TEST_TMP/step.rc"
}

# Commands whose own failure must already have cleaned up (before delete -f).
cleans_itself() {
  case $1 in create.*|init.*|cgroups.mkdir*|hook.prestart|hook.createRuntime|hook.createContainer) return 0 ;; esac
  return 1
}

fault_steps() {
  CELL_FAULT=list "$1" --version | while read -r s; do
    case $s in cgroups.mkdir|cgroups.rmdir) echo "$s"; echo "$s@2" ;; *) echo "$s" ;; esac
  done
}

test_fault_hook_only_in_test_builds() {
  # A release cell must not honour CELL_FAULT; the test build must list
  # every step and fail where told.
  make_bundle "$TEST_TMP/b"
  set_args "$TEST_TMP/b" '["true"]'
  if [ "$CELL_BIN" = "$CELL_BUILD/cell" ]; then
    [ -z "$(fault_cell)" ] || fail "the release build $CELL_BIN honours CELL_FAULT"
    CELL_FAULT=create.store,create.cgroups:kill cell run -b "$TEST_TMP/b" r$$
  else
    [ -n "$(fault_cell)" ] || fail "$CELL_BIN has no fault injection: configure it with -Dfault_injection=true"
    assert_eq "$(fault_steps "$CELL_BIN" | wc -l)" 27 "fault steps listed"
    CELL_FAULT=create.store assert_fails_with "fault injected at create.store" cell run -b "$TEST_TMP/b" r$$
  fi
  rel_report "CELL_FAULT honoured in the test build only" 1
}

test_failure_at_every_step_leaves_nothing() {
  local fc step rc id=f$$ n=0
  fc=$(fault_cell)
  [ -n "$fc" ] || { test_fault_hook_only_in_test_builds; return; }
  sleeper_bundle "$TEST_TMP/b"
  for step in $(fault_steps "$fc"); do
    run_step_command "$step" "CELL_FAULT=$step" "$id" "$TEST_TMP/b"; rc=$(cat "$TEST_TMP/step.rc")
    [ "$rc" -ne 0 ] || fail "$step: the command succeeded despite the fault"
    grep -q "fault injected at ${step%@*}" "$TEST_TMP/step.out" ||
      fail "$step: the error does not say so: $(cat "$TEST_TMP/step.out")"
    if cleans_itself "$step"; then assert_no_leaks "$id" "failed $step, before delete -f"; fi
    clean_and_reuse "$id" "$TEST_TMP/b" "failed $step"
    n=$((n + 1))
  done
  echo "$n steps failed, nothing left"
  rel_report "CELL_FAULT failure at every step" "$n"
}

sigkill_at_every_step() {
  local mode=$1 fc step rc id=k$$ round n=0
  fc=$(fault_cell)
  [ -n "$fc" ] || { test_fault_hook_only_in_test_builds; return; }
  sleeper_bundle "$TEST_TMP/b"
  start_load
  for round in $(seq "$(kill_rounds)"); do
    for step in $(fault_steps "$fc"); do
      [ "$mode" = killparent ] && [[ $step != init.* ]] && continue
      run_step_command "$step" "CELL_FAULT=$step:$mode" "$id" "$TEST_TMP/b"; rc=$(cat "$TEST_TMP/step.rc")
      [ "$rc" -ne 0 ] || [ "$mode" = killparent ] || fail "$step: the command survived its SIGKILL"
      clean_and_reuse "$id" "$TEST_TMP/b" "SIGKILL at $step ($mode)"
      n=$((n + 1))
    done
  done
  echo "$n SIGKILLs under load, nothing left after delete -f"
  rel_report "SIGKILL ($mode) at every step, under load" "$n"
}

test_sigkill_of_the_runtime_at_every_step_under_load() { sigkill_at_every_step kill; }

test_runtime_killed_while_the_init_sets_up_under_load() {
  # The init SIGKILLs its runtime at each of its steps: before ready it
  # dies with it (pdeathsig); once ready it lives on, and delete -f must
  # find it through the state.
  sigkill_at_every_step killparent
}

# run is create and start in one process, the init released over a pair
# made before the clone. Its steps, failed or SIGKILLed.
run_steps() {
  fault_steps "$1" | while read -r s; do
    case $s in create.*|init.*|start.*|cgroups.mkdir*) echo "$s" ;; esac
  done
}
run_with() {
  local envset=$1 id=$2 b=$3 rc=0
  env $envset CELL_REL_MARK="$(rel_mark)" timeout 60 "$CELL_BIN" --root "$CELL_ROOT" run -b "$b" "$id" \
    >"$TEST_TMP/step.out" 2>&1 || rc=$?
  echo "$rc" >"$TEST_TMP/step.rc"
}

test_failure_at_every_step_of_run_leaves_nothing() {
  local fc step rc id=fr$$ n=0
  fc=$(fault_cell)
  [ -n "$fc" ] || { test_fault_hook_only_in_test_builds; return; }
  sleeper_bundle "$TEST_TMP/b"
  for step in $(run_steps "$fc"); do
    run_with "CELL_FAULT=$step" "$id" "$TEST_TMP/b"; rc=$(cat "$TEST_TMP/step.rc")
    [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "$step: run did not fail (exit $rc)"
    grep -q "fault injected at ${step%@*}" "$TEST_TMP/step.out" ||
      fail "$step: the error does not say so: $(cat "$TEST_TMP/step.out")"
    # run deletes what it made when it fails: no delete -f needed.
    assert_no_leaks "$id" "run failed at $step"
    clean_and_reuse "$id" "$TEST_TMP/b" "run failed at $step"
    n=$((n + 1))
  done
  echo "$n steps of run failed, nothing left"
  rel_report "CELL_FAULT failure at every step of run" "$n"
}

test_sigkill_of_run_at_every_step_under_load() {
  local fc step rc id=kr$$ n=0
  fc=$(fault_cell)
  [ -n "$fc" ] || { test_fault_hook_only_in_test_builds; return; }
  sleeper_bundle "$TEST_TMP/b"
  start_load
  for step in $(run_steps "$fc"); do
    [[ $step == init.* ]] && continue   # the init's own SIGKILL: the create steps cover it
    run_with "CELL_FAULT=$step:kill" "$id" "$TEST_TMP/b"; rc=$(cat "$TEST_TMP/step.rc")
    assert_eq "$rc" 137 "$step: exit of the SIGKILLed run"
    clean_and_reuse "$id" "$TEST_TMP/b" "SIGKILL of run at $step"
    n=$((n + 1))
  done
  echo "$n SIGKILLs of run under load, nothing left after delete -f"
  rel_report "SIGKILL of run at every step, under load" "$n"
}

test_run_killed_before_start_leaves_no_init_waiting() {
  # Killed once its init is ready, before it releases it: nothing can
  # start that init any more (run holds the only way to it), so it exits,
  # and the container reads stopped; delete -f removes the rest.
  local fc id=kw$$ st
  fc=$(fault_cell)
  [ -n "$fc" ] || { test_fault_hook_only_in_test_builds; return; }
  sleeper_bundle "$TEST_TMP/b"
  run_with "CELL_FAULT=create.done:kill" "$id" "$TEST_TMP/b"
  assert_eq "$(cat "$TEST_TMP/step.rc")" 137 "exit of the SIGKILLed run"
  for _ in $(seq 50); do
    st=$(cell state "$id" 2>&1) || fail "state after the SIGKILL: $st"
    [[ "$st" == *'"status": "stopped"'* ]] && break
    sleep 0.1
  done
  assert_contains "$st" '"status": "stopped"' "the container of the killed run"
  assert_eq "$(process_leaks)" "" "processes of the killed run"
  assert_fails_with "is stopped, not created" cell start "$id"
  clean_and_reuse "$id" "$TEST_TMP/b" "run SIGKILLed before start"
}

# A hook that fails (exit 1) or SIGKILLs the process that runs it ($PPID:
# the runtime, or the init for hooks in the container).
hook_bundle() {
  local b=$1 kind=$2 action=$3
  sleeper_bundle "$b"
  HK=$kind HA=$action cfg "$b" 'c["hooks"] = {os.environ["HK"]: [{"path": "/bin/sh", "args": ["sh", "-c", os.environ["HA"]]}]}'
}

hook_faults() {
  local action=$1 kind rc id n=0
  for kind in prestart createRuntime createContainer startContainer poststart poststop; do
    id=h$$-$kind
    hook_bundle "$TEST_TMP/b-$kind" "$kind" "$action"
    run_step_command "hook.$kind" "" "$id" "$TEST_TMP/b-$kind"; rc=$(cat "$TEST_TMP/step.rc")
    case "$action:$kind" in
      "exit 1:poststart"|"exit 1:poststop") [ "$rc" -eq 0 ] || fail "a failing $kind hook is a warning: $(cat "$TEST_TMP/step.out")" ;;
      "exit 1:"*) [ "$rc" -ne 0 ] || fail "a failing $kind hook did not fail the command"
                  if cleans_itself "hook.$kind"; then assert_no_leaks "$id" "failed $kind hook, before delete -f"; fi ;;
    esac
    make_bundle "$TEST_TMP/plain-$kind"; set_args "$TEST_TMP/plain-$kind" '["sleep", "1000"]'; mark_bundle "$TEST_TMP/plain-$kind"
    clean_and_reuse "$id" "$TEST_TMP/plain-$kind" "$kind hook: $action"
    n=$((n + 1))
  done
  echo "$n hooks: $action, nothing left"
  rel_report "hook: $action, at every hook" "$n"
}

test_failing_hook_at_every_hook_step_leaves_nothing() { hook_faults "exit 1"; }

test_hook_sigkilling_its_runtime_at_every_hook_step_leaves_nothing() {
  hook_faults 'kill -9 $PPID'
}

test_sigkill_at_random_moments_under_load() {
  # The issue's measurement: `cell create` killed at a random moment of
  # its run on a loaded machine, then delete -f: nothing may be left.
  sleeper_bundle "$TEST_TMP/b"
  start_load
  local t0 t1 span i rc mid=0 tries
  t0=$(date +%s%N); cellm create -b "$TEST_TMP/b" m$$; t1=$(date +%s%N); cell delete -f m$$
  span=$(( (t1 - t0) / 1000 ))   # microseconds
  tries=$(kill_tries)
  for i in $(seq "$tries"); do
    # Not through a function: $! must be the runtime itself.
    CELL_REL_MARK=$(rel_mark) "$CELL_BIN" --root "$CELL_ROOT" create -b "$TEST_TMP/b" m$$ >/dev/null 2>&1 &
    local p=$!
    sleep "$(printf '0.%06d' $(( (RANDOM * 32768 + RANDOM) % (span + 1) )))"
    kill -9 "$p" 2>/dev/null || true
    rc=0; wait "$p" 2>/dev/null || rc=$?
    [ "$rc" -eq 137 ] && mid=$((mid + 1))
    cell delete -f m$$ >/dev/null 2>&1 || true
    assert_no_leaks m$$ "try $i (create killed: $([ "$rc" -eq 137 ] && echo yes || echo no))"
  done
  echo "$tries tries, $mid creates killed midway (create takes ${span}us here), nothing left"
  rel_report "SIGKILL of create at random moments, under load ($mid midway)" "$tries"
}

# A small tmpfs as --root, filled so that create runs out of room at each
# point; each failure must be clear and leave no container and no
# half-written state.json.
test_full_state_root_gives_a_clear_error_and_no_half_state() {
  sleeper_bundle "$TEST_TMP/b"
  local root=$TEST_TMP/small free i rc out ok=0 failed=0
  mkdir -p "$root"
  mount -t tmpfs -o size=64k,nr_inodes=64 tmpfs "$root"
  at_cleanup "umount -l '$root'"
  REL_MOUNTS_OK=$root
  for free in 0 4096 8192 12288 65536; do
    rm -f "$root/fill"
    local avail=$(( $(stat -f -c '%a * %S' "$root") ))
    [ "$avail" -gt "$free" ] && head -c $((avail - free)) /dev/zero >"$root/fill" 2>/dev/null
    rc=0
    CELL_REL_MARK=$(rel_mark) "$CELL_BIN" --root "$root" create -b "$TEST_TMP/b" d$$ >"$TEST_TMP/out" 2>&1 || rc=$?
    out=$(cat "$TEST_TMP/out")
    if [ "$rc" -eq 0 ]; then
      ok=$((ok + 1))
      python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$root/d$$/state.json" || fail "bad state.json"
      "$CELL_BIN" --root "$root" delete -f d$$
    else
      failed=$((failed + 1))
      assert_contains "$out" "No space left on device" "error with $free bytes free"
      [ ! -e "$root/d$$" ] || fail "with $free bytes free: state dir left: $(ls -la "$root/d$$")"
    fi
    CELL_ROOT=$root assert_no_leaks d$$ "create with $free bytes free"
  done
  [ "$failed" -ge 1 ] && [ "$ok" -ge 1 ] || fail "expected both outcomes: $failed failed, $ok created"
  # Out of inodes: the state dir itself cannot be made.
  rm -f "$root/fill"
  i=0; while touch "$root/inode$i" 2>/dev/null; do i=$((i + 1)); done
  assert_fails_with "No space left on device" "$CELL_BIN" --root "$root" create -b "$TEST_TMP/b" e$$
  [ ! -e "$root/e$$" ] || fail "state dir left with no inodes"
  CELL_ROOT=$root assert_no_leaks e$$ "create with no inodes"
  rel_report "full state root (5 fill levels, no inodes)" 6
}

test_read_only_state_root_gives_a_clear_error() {
  sleeper_bundle "$TEST_TMP/b"
  local root=$TEST_TMP/ro
  mkdir -p "$root"
  mount -t tmpfs tmpfs "$root"
  at_cleanup "umount -l '$root'"
  REL_MOUNTS_OK=$root
  CELL_ROOT=$root cellm create -b "$TEST_TMP/b" o$$
  CELL_ROOT=$root cell start o$$
  mount -o remount,ro "$root"
  assert_fails_with "Read-only file system" "$CELL_BIN" --root "$root" create -b "$TEST_TMP/b" n$$
  [ -z "$(cgroup_leaks n$$)" ] || fail "create on a read-only root left cgroups: $(cgroup_leaks n$$)"
  # What exists stays readable, and a delete says why it cannot finish.
  assert_contains "$("$CELL_BIN" --root "$root" state o$$)" '"status": "running"'
  assert_fails_with "Read-only file system" "$CELL_BIN" --root "$root" delete -f o$$
  mount -o remount,rw "$root"
  "$CELL_BIN" --root "$root" delete -f o$$
  CELL_ROOT=$root assert_no_leaks o$$ "delete once the root is writable again"
  CELL_ROOT=$root assert_no_leaks n$$ "create on a read-only root"
  rel_report "read-only state root (create, state, delete)" 3
}
