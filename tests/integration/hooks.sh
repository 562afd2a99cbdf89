# Hooks (config.md): every kind runs, where the spec says, with the state on
# stdin; create-time failures and timeouts fail create and leave nothing
# behind; poststart failures only warn; poststop runs on delete.
#
# `assert_fails_with ... || true`: see tests/integration/cli.sh.

HOOK_PATH_ENV=PATH=/usr/sbin:/usr/bin:/sbin:/bin

# hook_setup: a bundle in $B whose container sees the host dir $OUT at /out.
hook_setup() {
  B=$TEST_TMP/b
  OUT=$TEST_TMP/out
  make_bundle "$B"
  mkdir -p "$OUT" "$B/rootfs/out"
  touch "$B/rootfs/in-the-rootfs"
  cfg "$B" "
c['mounts'].append({'destination': '/out', 'type': 'bind', 'source': '$OUT',
                    'options': ['rbind', 'rw']})
c['process']['args'] = ['true']
c.setdefault('annotations', {})['org.example.hooks'] = 'yes'"
}

# add_hook KIND SCRIPT [TIMEOUT]: append `sh -c SCRIPT` to hooks.KIND.
add_hook() {
  local kind=$1 timeout=${3:-}
  printf '%s' "$2" >"$TEST_TMP/hook-script"
  cfg "$B" "
h = {'path': '/bin/sh', 'args': ['sh', '-c', open('$TEST_TMP/hook-script').read()],
     'env': ['$HOOK_PATH_ENV', 'HOOK_KIND=$kind']}
if '$timeout':
    h['timeout'] = int('$timeout')
c.setdefault('hooks', {}).setdefault('$kind', []).append(h)"
}

# json_field FILE EXPR: python expression on the parsed JSON `s`.
json_field() {
  python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

test_every_hook_kind_runs_with_state() {
  hook_setup
  local k
  for k in prestart createRuntime createContainer poststart poststop; do
    add_hook "$k" "cat > $OUT/$k.json; echo \$HOOK_KIND >> $OUT/order"
  done
  # startContainer runs inside the container: its paths are the container's.
  add_hook startContainer 'cat > /out/startContainer.json; echo $HOOK_KIND >> /out/order'
  cell run -b "$B" hk1
  assert_eq "$(tr '\n' ' ' <"$OUT/order")" \
    "prestart createRuntime createContainer startContainer poststart poststop " "hook order"
  for k in prestart createRuntime createContainer startContainer poststart poststop; do
    [ -s "$OUT/$k.json" ] || fail "$k got no state on stdin"
    assert_eq "$(json_field "$OUT/$k.json" 's["id"]')" hk1 "$k: id"
    assert_eq "$(json_field "$OUT/$k.json" 's["bundle"]')" "$B" "$k: bundle"
    assert_eq "$(json_field "$OUT/$k.json" 's["annotations"]["org.example.hooks"]')" yes \
      "$k: annotations"
    assert_eq "$(json_field "$OUT/$k.json" 's["ociVersion"] != ""')" True "$k: ociVersion"
  done
  assert_eq "$(json_field "$OUT/createRuntime.json" 's["status"]')" created
  assert_eq "$(json_field "$OUT/createContainer.json" 's["status"]')" created
  assert_eq "$(json_field "$OUT/poststop.json" 's["status"]')" stopped
  local pid
  pid=$(json_field "$OUT/createRuntime.json" 's["pid"]')
  [ "$pid" -gt 0 ] || fail "createRuntime state has no pid"
}

test_hooks_run_in_the_right_namespaces() {
  hook_setup
  # createRuntime: the runtime's mount namespace; the pid in its state is the
  # container's init, in the container's mount namespace.
  add_hook createRuntime "
readlink /proc/self/ns/mnt > $OUT/cr.self
pid=\$(sed -n 's/.*\"pid\": *\\([0-9]*\\).*/\\1/p')
echo \$pid > $OUT/cr.pid
readlink /proc/\$pid/ns/mnt > $OUT/cr.container"
  add_hook createContainer "readlink /proc/self/ns/mnt > $OUT/cc.self"
  add_hook startContainer "readlink /proc/self/ns/mnt > /out/sc.self
test -e /in-the-rootfs && echo yes > /out/sc.root"
  cell run -b "$B" hk2
  assert_eq "$(cat "$OUT/cr.self")" "$(readlink /proc/self/ns/mnt)" \
    "createRuntime must run in the runtime's mount namespace"
  [ -s "$OUT/cr.container" ] || fail "createRuntime could not see pid $(cat "$OUT/cr.pid")"
  assert_not_contains "$(cat "$OUT/cr.container")" "$(readlink /proc/self/ns/mnt)" \
    "the container's init has a mount namespace of its own"
  assert_eq "$(cat "$OUT/cc.self")" "$(cat "$OUT/cr.container")" \
    "createContainer must run in the container's mount namespace"
  assert_eq "$(cat "$OUT/sc.self")" "$(cat "$OUT/cr.container")" \
    "startContainer must run in the container's mount namespace"
  assert_eq "$(cat "$OUT/sc.root" 2>/dev/null)" yes "startContainer must see the container's root"
}

test_failing_create_runtime_hook_fails_create() {
  hook_setup
  add_hook createRuntime "sed -n 's/.*\"pid\": *\\([0-9]*\\).*/\\1/p' > $OUT/pid
echo 'no network for you' >&2; exit 3"
  assert_fails_with 'createRuntime hook #1 (`/bin/sh`): exited with status 3: no network for you' \
    cell create -b "$B" hk3 || true
  [ ! -e "$CELL_ROOT/hk3" ] || fail "a state dir was left behind"
  local pid
  pid=$(cat "$OUT/pid")
  [ -n "$pid" ] || fail "the hook did not get the pid"
  sleep 0.2
  ! kill -0 "$pid" 2>/dev/null || fail "the container init $pid is still alive"
  assert_not_contains "$(cell list -q 2>/dev/null || true)" hk3
}

test_failing_create_container_hook_fails_create() {
  hook_setup
  add_hook createContainer "echo 'bad mount' >&2; exit 1"
  assert_fails_with 'createContainer hook #1 (`/bin/sh`): exited with status 1: bad mount' \
    cell run -b "$B" hk4 || true
  [ ! -e "$CELL_ROOT/hk4" ] || fail "a state dir was left behind"
}

test_hook_timeout() {
  hook_setup
  # exec: the hook process itself is the sleep, so the kill ends it.
  add_hook createRuntime "echo \$\$ > $OUT/hookpid; exec sleep 30" 1
  local t0=$SECONDS
  assert_fails_with 'createRuntime hook #1 (`/bin/sh`): timed out after 1s' \
    cell create -b "$B" hk5 || true
  [ $((SECONDS - t0)) -lt 10 ] || fail "the timeout was not enforced"
  [ ! -e "$CELL_ROOT/hk5" ] || fail "a state dir was left behind"
  ! kill -0 "$(cat "$OUT/hookpid")" 2>/dev/null || fail "the timed-out hook still runs"
}

test_failing_poststart_only_warns() {
  hook_setup
  add_hook poststart "echo 'poststart trouble' >&2; exit 1"
  add_hook poststart "touch $OUT/second-poststart"
  local err rc=0
  err=$(cell run -b "$B" hk6 2>&1 >/dev/null) || rc=$?
  assert_eq "$rc" 0 "a failing poststart hook must not fail run"
  assert_contains "$err" 'poststart hook #1 (`/bin/sh`): exited with status 1: poststart trouble'
  assert_contains "$err" warning
  [ -e "$OUT/second-poststart" ] || fail "the hooks after the failing one must still run"
}

test_poststop_runs_on_delete() {
  hook_setup
  add_hook poststop "cat > $OUT/poststop.json"
  add_hook poststop "exit 9"
  add_hook poststop "touch $OUT/after-failure"
  cell create -b "$B" hk7
  [ ! -e "$OUT/poststop.json" ] || fail "poststop ran before delete"
  cell start hk7
  local i
  for i in $(seq 50); do
    [ "$(cell state hk7 | json_field /dev/stdin 's["status"]')" = stopped ] && break
    sleep 0.1
  done
  [ ! -e "$OUT/poststop.json" ] || fail "poststop ran before delete"
  local err
  err=$(cell delete hk7 2>&1) || fail "delete failed: $err"
  [ -s "$OUT/poststop.json" ] || fail "poststop did not run on delete"
  assert_eq "$(json_field "$OUT/poststop.json" 's["id"]')" hk7
  assert_contains "$err" 'poststop hook #2 (`/bin/sh`): exited with status 9'
  [ -e "$OUT/after-failure" ] || fail "poststop hooks after a failing one must still run"
  [ ! -e "$CELL_ROOT/hk7" ] || fail "delete left the state dir"
}

test_hook_env_and_args() {
  hook_setup
  # The hook prints its environment and fails, so that the runtime shows
  # its output in the error; argv[0] comes from args[0].
  cfg "$B" "
c.setdefault('hooks', {})['createRuntime'] = [{
  'path': '/bin/sh', 'args': ['my-hook-name', '-c', 'echo \$0; env; exit 1'],
  'env': ['ONLY=this', '$HOOK_PATH_ENV']}]"
  assert_fails_with 'ONLY=this' cell create -b "$B" hk8 || true
  assert_contains "$LAST_ERR" "my-hook-name"
  assert_not_contains "$LAST_ERR" "CELL_ROOT=" "the runtime's environment leaked into the hook"
}
