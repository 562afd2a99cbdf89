# config.md "POSIX-platform Hooks" and runtime.md's lifecycle steps 3-13.
source "$CELL_TESTS/conformance/lib.sh"

HOOK_ENV="'PATH=/usr/sbin:/usr/bin:/sbin:/bin'"

# hook_paths: $B (the bundle) and $OUT (a host dir the container sees at
# /out) of this attempt: first thing in every item.
hook_paths() { B=$TEST_TMP/b OUT=$TEST_TMP/out; mkdir -p "$OUT"; }

# hook_bundle [PYTHON]: a bundle in $B whose container sees $OUT at /out
# and whose program is `true`.
hook_bundle() {
  hook_paths
  conf_bundle "$B" "
c['mounts'].append({'destination': '/out', 'type': 'bind', 'source': '$OUT', 'options': ['rbind', 'rw']})
c['annotations'] = {'org.example.hooks': 'yes'}
def hook(kind, script, **kw):
    h = {'path': '/bin/sh', 'args': ['sh', '-c', script], 'env': [$HOOK_ENV]}
    h.update(kw)
    c.setdefault('hooks', {}).setdefault(kind, []).append(h)
${1:-}"
}

# Every kind records its state and its place in the order; the
# container-side ones write below /out.
all_hooks() {
  hook_paths
  local k py=
  for k in prestart createRuntime createContainer poststart poststop; do
    py="$py
hook('$k', 'cat > $OUT/$k.json; echo $k >> $OUT/order')"
  done
  hook_bundle "$py
hook('startContainer', 'cat > /out/startContainer.json; echo startContainer >> /out/order')"
}

item_hooks_order() {
  all_hooks
  rt run --bundle "$B" ho1 >/dev/null
  assert_eq "$(tr '\n' ' ' <"$OUT/order")" \
    "prestart createRuntime createContainer startContainer poststart poststop " "hook order"
}
test_hooks_run_in_the_listed_order() {
  conf_item must "Hooks MUST be called in the listed order; prestart before createRuntime before createContainer" item_hooks_order
}

item_hooks_state() {
  all_hooks
  rt run --bundle "$B" hs1 >/dev/null
  local k
  for k in prestart createRuntime createContainer startContainer poststart poststop; do
    [ -s "$OUT/$k.json" ] || fail "$k got no state on stdin"
    python3 - "$OUT/$k.json" "$B" <<'PY' || fail "$k: state $(cat "$OUT/$k.json")"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["id"] == "hs1" and s["bundle"] == sys.argv[2] and s["ociVersion"], s
assert s.get("annotations", {}).get("org.example.hooks") == "yes", s
PY
  done
}
test_hooks_get_the_state_on_stdin() {
  conf_item must "The state of the container MUST be passed to hooks over stdin" item_hooks_state
}

# The status each hook reads. The create-time hooks are lifecycle steps 3
# to 5, after step 2: `created` is "the runtime has finished the create
# operation (after step 2)"; startContainer (step 7) runs before the user
# program: still `created`; poststart (step 9) after it: `running`;
# poststop (step 13): `stopped`.
hook_status_item() {
  local kind=$1 want=$2
  all_hooks
  rt run --bundle "$B" hst >/dev/null
  local got
  got=$(sed -n 's/.*"status": *"\([a-z]*\)".*/\1/p' "$OUT/$kind.json")
  assert_eq "$got" "$want" "status seen by $kind"
}
item_status_prestart() { hook_status_item prestart created; }
item_status_create_runtime() { hook_status_item createRuntime created; }
item_status_create_container() { hook_status_item createContainer created; }
item_status_start_container() { hook_status_item startContainer created; }
item_status_poststart() { hook_status_item poststart running; }
item_status_poststop() { hook_status_item poststop stopped; }
test_hooks_status_prestart() {
  conf_item must "prestart (step 3, after step 2) reads status created" item_status_prestart
}
test_hooks_status_create_runtime() {
  conf_item must "createRuntime (step 4) reads status created" item_status_create_runtime
}
test_hooks_status_create_container() {
  conf_item must "createContainer (step 5) reads status created" item_status_create_container
}
test_hooks_status_start_container() {
  conf_item must "startContainer (step 7, before the program) reads status created" item_status_start_container
}
test_hooks_status_poststart() {
  conf_item must "poststart (step 9, after the program started) reads status running" item_status_poststart
}
test_hooks_status_poststop() {
  conf_item must "poststop (step 13) reads status stopped" item_status_poststop
}

# "For hooks executed in the runtime namespace, it is the pid as seen by
# the runtime. For hooks executed in the container namespace, it is the
# pid as seen by the container."
item_hooks_pid_view() {
  all_hooks
  rt run --bundle "$B" hp1 >/dev/null
  local cr cc sc
  cr=$(sed -n 's/.*"pid": *\([0-9]*\).*/\1/p' "$OUT/createRuntime.json")
  cc=$(sed -n 's/.*"pid": *\([0-9]*\).*/\1/p' "$OUT/createContainer.json")
  sc=$(sed -n 's/.*"pid": *\([0-9]*\).*/\1/p' "$OUT/startContainer.json")
  [ "${cr:-0}" -gt 1 ] || fail "createRuntime: pid $cr is not a host pid"
  assert_eq "$cc" 1 "createContainer (container namespace) pid"
  assert_eq "$sc" 1 "startContainer (container namespace) pid"
}
test_hooks_state_pid_in_the_hooks_namespace() {
  conf_item must "State pid: the runtime's view for runtime-namespace hooks, the container's for container ones" item_hooks_pid_view
}

item_hooks_namespaces() {
  hook_paths
  hook_bundle "
hook('createRuntime', 'readlink /proc/self/ns/mnt > $OUT/cr.mnt; readlink /proc/self/ns/pid > $OUT/cr.pid')
hook('createContainer', 'readlink /proc/self/ns/mnt > $OUT/cc.mnt')
hook('startContainer', 'readlink /proc/self/ns/mnt > /out/sc.mnt; readlink /proc/self/ns/pid > /out/sc.pid; test -e /bin/busybox && echo yes > /out/sc.root')
hook('poststart', 'readlink /proc/self/ns/mnt > $OUT/ps.mnt')
hook('poststop', 'readlink /proc/self/ns/mnt > $OUT/pp.mnt')"
  cfg "$B" "c['process']['args'] = ['sh', '-c', 'readlink /proc/self/ns/mnt > /out/prog.mnt']"
  rt run --bundle "$B" hn1 >/dev/null
  local host; host=$(readlink /proc/self/ns/mnt)
  [ "$(cat "$OUT/prog.mnt")" != "$host" ] || fail "the container has no mount namespace of its own"
  # crun runs in a private mount namespace of its own (conf_crun): the
  # runtime namespace is then the namespace crun was started in.
  if [ "$RT" != crun ]; then
    assert_eq "$(cat "$OUT/cr.mnt")" "$host" "createRuntime in the runtime's mount namespace"
    assert_eq "$(cat "$OUT/ps.mnt")" "$host" "poststart in the runtime's mount namespace"
    assert_eq "$(cat "$OUT/pp.mnt")" "$host" "poststop in the runtime's mount namespace"
  else
    [ "$(cat "$OUT/cr.mnt")" != "$(cat "$OUT/prog.mnt")" ] || fail "createRuntime ran in the container"
  fi
  assert_eq "$(cat "$OUT/cc.mnt")" "$(cat "$OUT/prog.mnt")" "createContainer in the container's mount namespace"
  assert_eq "$(cat "$OUT/sc.mnt")" "$(cat "$OUT/prog.mnt")" "startContainer in the container's mount namespace"
  [ "$(cat "$OUT/sc.pid")" != "$(cat "$OUT/cr.pid")" ] || fail "startContainer not in the container's pid namespace"
  assert_eq "$(cat "$OUT/sc.root" 2>/dev/null)" yes "startContainer sees the container's root"
}
test_hooks_run_in_their_namespaces() {
  conf_item must "prestart/createRuntime/poststart/poststop in the runtime namespace, createContainer/startContainer in the container's" item_hooks_namespaces
}

# createContainer's path resolves in the runtime namespace, startContainer's
# in the container's: a program that exists only on the host, and one that
# exists only in the rootfs.
item_hooks_path_resolution() {
  printf '#!/bin/sh\necho host-only > %s/cc\n' "$TEST_TMP/out" > "$TEST_TMP/host-hook"
  chmod +x "$TEST_TMP/host-hook"
  conf_bundle_own "$TEST_TMP/b"
  mkdir -p "$TEST_TMP/out"
  printf '#!/bin/sh\necho rootfs-only > /out/sc\n' > "$TEST_TMP/b/rootfs/rootfs-hook"
  chmod +x "$TEST_TMP/b/rootfs/rootfs-hook"
  cfg "$TEST_TMP/b" "
c['mounts'].append({'destination': '/out', 'type': 'bind', 'source': '$TEST_TMP/out', 'options': ['rbind', 'rw']})
c['hooks'] = {'createContainer': [{'path': '$TEST_TMP/host-hook', 'env': [$HOOK_ENV]}],
              'startContainer': [{'path': '/rootfs-hook', 'env': [$HOOK_ENV]}]}"
  rt run --bundle "$TEST_TMP/b" hr1 >/dev/null
  assert_eq "$(cat "$TEST_TMP/out/cc" 2>/dev/null)" host-only "createContainer's path from the runtime namespace"
  assert_eq "$(cat "$TEST_TMP/out/sc" 2>/dev/null)" rootfs-only "startContainer's path from the container namespace"
}
test_hooks_paths_resolve_where_the_spec_says() {
  conf_item must "createContainer's path resolves in the runtime namespace, startContainer's in the container's" item_hooks_path_resolution
}

# A failing create-time hook: an error, the container stopped and
# destroyed (step 12): nothing left.
create_hook_failure() {
  local kind=$1
  hook_bundle "hook('$kind', 'cat > $OUT/state.json; echo hook-trouble >&2; exit 3')"
  ! rt create --bundle "$B" hf1 2>"$TEST_TMP/err" || fail "create worked with a failing $kind hook"
  [ -s "$TEST_TMP/err" ] || fail "no error"
  assert_eq "$(conf_status hf1)" absent "the container is still there"
  local pid; pid=$(sed -n 's/.*"pid": *\([0-9]*\).*/\1/p' "$OUT/state.json" 2>/dev/null || true)
  if [ -n "$pid" ] && [ "$pid" -gt 1 ]; then
    sleep 0.2
    [ ! -d "/proc/$pid" ] || [ "$(awk '{print $3}' "/proc/$pid/stat")" = Z ] ||
      fail "the container process $pid still runs"
  fi
}
item_fail_prestart() { create_hook_failure prestart; }
item_fail_create_runtime() { create_hook_failure createRuntime; }
item_fail_create_container() { create_hook_failure createContainer; }
test_hooks_failing_prestart_fails_create() {
  conf_item must "A failing prestart hook: an error, the container stopped and destroyed" item_fail_prestart
}
test_hooks_failing_create_runtime_fails_create() {
  conf_item must "A failing createRuntime hook: an error, the container stopped and destroyed" item_fail_create_runtime
}
test_hooks_failing_create_container_fails_create() {
  conf_item must "A failing createContainer hook: an error, the container stopped and destroyed" item_fail_create_container
}

item_fail_start_container() {
  hook_paths
  hook_bundle "hook('startContainer', 'echo no > /out/tried; exit 4')"
  cfg "$B" "c['process']['args'] = ['sh', '-c', 'echo ran > /out/prog']"
  rt create --bundle "$B" hf2
  ! rt start hf2 2>"$TEST_TMP/err" || fail "start worked with a failing startContainer hook"
  [ -e "$OUT/tried" ] || fail "the hook did not run"
  sleep 0.3
  [ ! -e "$OUT/prog" ] || fail "the user program ran"
  local st; st=$(conf_status hf2)
  [ "$st" = stopped ] || [ "$st" = absent ] || fail "the container is $st, not stopped"
}
test_hooks_failing_start_container_fails_start() {
  conf_item must "A failing startContainer hook: start fails, the program does not run, the container is stopped" item_fail_start_container
}

item_fail_poststart() {
  hook_paths
  hook_bundle "
hook('poststart', 'echo trouble >&2; exit 1')
hook('poststart', 'touch $OUT/second')"
  cfg "$B" "c['process']['args'] = ['sh', '-c', 'sleep 0.5; echo ran > /out/prog']"
  rt run --bundle "$B" hf3 >/dev/null 2>"$TEST_TMP/err" || fail "run failed: $(cat "$TEST_TMP/err")"
  [ -e "$OUT/second" ] || fail "the remaining poststart hooks did not run"
  [ -e "$OUT/prog" ] || fail "the program did not go on"
  [ -s "$TEST_TMP/err" ] || fail "no warning"
}
test_hooks_failing_poststart_warns_and_goes_on() {
  conf_item must "A failing poststart hook: a warning, the remaining hooks and the lifecycle go on" item_fail_poststart
}

item_fail_poststop() {
  hook_paths
  hook_bundle "
hook('poststop', 'exit 9')
hook('poststop', 'touch $OUT/second')"
  rt create --bundle "$B" hf4
  rt start hf4
  conf_wait_status hf4 stopped
  rt delete hf4 2>"$TEST_TMP/err" || fail "delete failed: $(cat "$TEST_TMP/err")"
  [ -e "$OUT/second" ] || fail "the remaining poststop hooks did not run"
  assert_eq "$(conf_status hf4)" absent
  [ -s "$TEST_TMP/err" ] || fail "no warning"
}
test_hooks_failing_poststop_warns_and_delete_goes_on() {
  conf_item must "A failing poststop hook: a warning, the remaining hooks run and the container is deleted" item_fail_poststop
}

item_poststop_at_delete() {
  hook_paths
  hook_bundle "hook('poststop', 'touch $OUT/poststop')"
  rt create --bundle "$B" hpd
  rt start hpd
  conf_wait_status hpd stopped
  [ ! -e "$OUT/poststop" ] || fail "poststop ran before delete"
  rt delete hpd
  [ -e "$OUT/poststop" ] || fail "poststop did not run at delete"
}
test_hooks_poststop_runs_at_delete() {
  conf_item must "poststop is called after the container is deleted, before delete returns" item_poststop_at_delete
}

item_poststart_before_start_returns() {
  hook_paths
  hook_bundle "hook('poststart', 'sleep 0.5; touch $OUT/poststart')"
  cfg "$B" "c['process']['args'] = ['sleep', '10']"
  rt create --bundle "$B" hps
  rt start hps
  [ -e "$OUT/poststart" ] || fail "start returned before its poststart hook ended"
}
test_hooks_poststart_runs_before_start_returns() {
  conf_item must "poststart is called after the program is executed, before start returns" item_poststart_before_start_returns
}

item_hook_timeout() {
  hook_paths
  hook_bundle "hook('createRuntime', 'echo \$\$ > $OUT/hookpid; exec sleep 30', timeout=1)"
  local t0=$SECONDS
  ! rt create --bundle "$B" ht1 2>"$TEST_TMP/err" || fail "create worked with a hook past its timeout"
  [ $((SECONDS - t0)) -lt 15 ] || fail "the timeout was not enforced ($((SECONDS - t0)) s)"
  assert_eq "$(conf_status ht1)" absent
  sleep 0.2
  ! kill -0 "$(cat "$OUT/hookpid")" 2>/dev/null || fail "the timed-out hook still runs"
}
test_hooks_timeout_aborts_the_hook() {
  conf_item must "timeout: the number of seconds before aborting the hook" item_hook_timeout
}

item_hook_timeout_zero() {
  hook_paths
  hook_bundle "hook('createRuntime', 'true', timeout=0)"
  ! rt create --bundle "$B" ht0 2>"$TEST_TMP/err" || fail "timeout 0 accepted"
  [ -s "$TEST_TMP/err" ] || fail "no error"
  assert_eq "$(conf_status ht0)" absent
}
test_hooks_timeout_must_be_positive() {
  conf_item must "If set, timeout MUST be greater than zero" item_hook_timeout_zero
}

item_hook_relative_path() {
  hook_paths
  hook_bundle "c['hooks'] = {'createRuntime': [{'path': 'bin/sh', 'args': ['sh', '-c', 'touch $OUT/ran']}]}"
  ! rt create --bundle "$B" hrp 2>"$TEST_TMP/err" || fail "a relative hook path was accepted"
  [ ! -e "$OUT/ran" ] || fail "the hook ran"
  assert_eq "$(conf_status hrp)" absent
}
test_hooks_path_must_be_absolute() {
  conf_item must "path MUST be absolute" item_hook_relative_path
}

# env: exactly the hook's env (the runtime's own is not inherited), argv[0]
# from args[0]: crun's behaviour (the spec: environ's semantics).
item_hook_env_args() {
  hook_paths
  hook_bundle "c['hooks'] = {'createRuntime': [{'path': '/bin/sh',
  'args': ['my-hook', '-c', 'echo \$0 > $OUT/argv0; env > $OUT/env'], 'env': ['ONLY=this']}]}"
  CONF_MARK=leak rt run --bundle "$B" he1 >/dev/null
  assert_eq "$(cat "$OUT/argv0")" my-hook "argv[0]"
  local env; env=$(grep -v '^PWD=\|^SHLVL=\|^_=' "$OUT/env" | sort | tr '\n' ' ')
  assert_eq "$env" "ONLY=this " "the hook's environment"
}
test_hooks_env_and_args_as_given() {
  conf_item crun "A hook gets exactly its env and args (argv[0] = args[0]), nothing of the runtime's environment" item_hook_env_args
}

# crun's annotations run.oci.hooks.stdout / run.oci.hooks.stderr: the
# hooks' output is appended to those files.
item_hook_output_files() {
  hook_paths
  hook_bundle "
c['annotations']['run.oci.hooks.stdout'] = '$TEST_TMP/hooks.out'
c['annotations']['run.oci.hooks.stderr'] = '$TEST_TMP/hooks.err'
hook('createRuntime', 'echo cr-out; echo cr-err >&2')
hook('poststop', 'echo pp-out; echo pp-err >&2')"
  rt run --bundle "$B" hof >/dev/null 2>&1
  assert_eq "$(cat "$TEST_TMP/hooks.out" 2>/dev/null | tr '\n' ' ')" "cr-out pp-out " "hooks' stdout"
  assert_eq "$(cat "$TEST_TMP/hooks.err" 2>/dev/null | tr '\n' ' ')" "cr-err pp-err " "hooks' stderr"
}
test_hooks_output_goes_to_the_annotated_files() {
  conf_item crun "run.oci.hooks.stdout/stderr: the hooks' stdout and stderr are passed on to these files" item_hook_output_files
}

# What the hook printed reaches the user when it fails (runc's message
# carries it; crun's does not).
item_hook_failure_shows_output() {
  hook_paths
  hook_bundle "hook('createRuntime', 'echo why-it-failed >&2; exit 2')"
  ! rt create --bundle "$B" hfo 2>"$TEST_TMP/err" || fail "create worked"
  assert_contains "$(cat "$TEST_TMP/err")" why-it-failed "the hook's stderr in the error"
}
test_hooks_failure_message_carries_the_hook_output() {
  conf_item differs "A failing hook's stderr is in the error message (as runc; crun drops it)" item_hook_failure_shows_output
}
