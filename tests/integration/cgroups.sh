# cgroups: placement, resources seen in the hierarchy and enforced, pause /
# resume, update, ps, events, kill --all and cleanup. Containers go below
# this test's own cgroup: cgroupsPath is relative ("cell-it-PID/NAME").
# Skips while the runtime does not place containers in cgroups yet.
# `assert_fails_with ... || true`: see cli.sh (set -e and command substitution).

# Directory of the container's cgroup for CONTROLLER ("" = cgroup2), from
# the view of its init process.
cg_dir() {
  local pid=$1 ctl=$2 line path mp
  if [ -z "$ctl" ]; then
    line=$(grep '^0::' /proc/$pid/cgroup) || return 1
    mp=$(v2_mount)
  else
    line=$(grep -E "^[0-9]+:([^:]*,)?$ctl(,[^:]*)?:" /proc/$pid/cgroup) || return 1
    mp=$(awk -v c="$ctl" '$9 == "cgroup" { n = split($NF, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) { print $5; exit } }' /proc/self/mountinfo)
  fi
  path=${line#*:*:}
  [ -n "$mp" ] || return 1
  echo "$mp$path"
}

# The test's parent cgroup cell-it-$$, in every hierarchy: no container
# removes a parent it did not make alone (two containers share it), so the
# test does, once its containers are gone.
cg_remove_parent() {
  local id
  for id in $(ls "$CELL_ROOT" 2>/dev/null); do
    "$CELL_BIN" --root "$CELL_ROOT" delete -f "$id"
  done
  find /sys/fs/cgroup -maxdepth 8 -depth -type d -path "*/cell-it-$$*" -exec rmdir {} \; 2>/dev/null
  return 0
}

cg_bundle() {
  local b=$1 res=${2:-}
  if [ -z "${CG_PARENT_CLEANUP:-}" ]; then
    CG_PARENT_CLEANUP=1
    at_cleanup cg_remove_parent
  fi
  make_bundle "$b"
  cfg "$b" "c['linux']['cgroupsPath'] = 'cell-it-$$/' + '$(basename "$b")'; c['process']['args'] = ['sleep', '1000']"
  [ -n "$res" ] && cfg "$b" "c['linux']['resources'].update(json.loads('''$res'''))"
  return 0
}

# Start a detached container and check it was placed; skips otherwise.
cg_start() {
  local b=$1 id=$2
  cell run -d -b "$b" "$id" >/dev/null || fail "run -d $id"
  CG_PID=$(cell state "$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
  grep -q "cell-it-$$" /proc/$CG_PID/cgroup || skip "the runtime does not place containers in cgroups yet"
}

# The visible cgroup2 mount (the last one: a later mount shadows).
v2_mount() { awk '$9 == "cgroup2" {m = $5} END {if (m) print m}' /proc/self/mountinfo; }

# Is controller $1 a v1 hierarchy here? CG_PURE_V2: inside
# test_pure_v2_hierarchy's namespace, where cgroup2 covers /sys/fs/cgroup.
has_v1() {
  [ -z "${CG_PURE_V2:-}" ] && grep -qE "^[0-9]+:([^:]*,)?$1(,[^:]*)?:" /proc/self/cgroup
}

# Skip unless controller $1 (v1 name) is usable: a v1 hierarchy or in
# cgroup2's cgroup.controllers.
need_ctl() {
  has_v1 "$1" && return 0
  local v2=$1 mp
  [ "$1" = blkio ] && v2=io
  mp=$(v2_mount)
  [ -n "$mp" ] && grep -qw "$v2" "$mp/cgroup.controllers" && return 0
  skip "no $1 controller on this host's cgroups"
}

test_placed_below_own_cgroup_and_removed() {
  local b=$TEST_TMP/placed
  cg_bundle "$b"
  cg_start "$b" placed
  local own line
  # every hierarchy: the container's cgroup is below ours
  while IFS=: read -r n ctl path; do
    [ -z "${CG_PURE_V2:-}" ] || [ "$n" = 0 ] || continue
    [ -z "${CG_PURE_V1:-}" ] || [ "$n" != 0 ] || continue
    own=$(awk -F: -v n="$n" '$1 == n {print $3}' /proc/self/cgroup)
    [[ "$path" == "${own%/}/cell-it-$$/placed" || "$path" == "/cell-it-$$/placed" ]] ||
      fail "hierarchy $ctl: $path is not below $own"
  done < /proc/$CG_PID/cgroup
  local dirs=() d
  for ctl in memory pids cpu; do
    has_v1 $ctl && d=$(cg_dir "$CG_PID" "$ctl") && dirs+=("$d")
  done
  d=$(cg_dir "$CG_PID" "") && dirs+=("$d")
  cell delete -f placed
  for d in "${dirs[@]}"; do
    [ ! -d "$d" ] || fail "left behind: $d"
    [ ! -d "$(dirname "$d")" ] || fail "left behind: $(dirname "$d")"
  done
}

test_delete_ends_a_stray_process_in_the_cgroup() {
  # A process moved into the container's cgroup from outside its pid
  # namespace outlives the init: delete of the stopped container still
  # ends it and removes the cgroups.
  local b=$TEST_TMP/stray
  cg_bundle "$b"
  cg_start "$b" stray
  sleep 1000 &
  local stray=$! n ctl path mp d dirs=()
  # Into every hierarchy the init is in, as a process joining it would.
  while IFS=: read -r n ctl path; do
    if [ "$n" = 0 ]; then
      mp=$(v2_mount)
    else
      mp=$(awk -v c="${ctl#name=}" '$9 == "cgroup" { n = split($NF, o, ","); for (i = 1; i <= n; i++) if (o[i] == c || o[i] == "name=" c) { print $5; exit } }' /proc/self/mountinfo)
    fi
    [ -n "$mp" ] && [ -d "$mp$path" ] || continue
    echo "$stray" > "$mp$path/cgroup.procs" && dirs+=("$mp$path")
  done < /proc/$CG_PID/cgroup
  [ ${#dirs[@]} -gt 0 ] || fail "could not move a process into the container's cgroups"
  cell kill stray KILL
  for _ in $(seq 50); do
    [ "$(cell state stray | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')" = stopped ] && break
    sleep 0.1
  done
  cell delete stray
  wait "$stray" 2>/dev/null || true
  kill -0 "$stray" 2>/dev/null && fail "the stray process still runs"
  for d in "${dirs[@]}"; do
    [ ! -d "$d" ] || fail "left behind: $d"
  done
}

test_memory_limit_seen_and_oom_reported() {
  local b=$TEST_TMP/mem
  need_ctl memory
  cg_bundle "$b" '{"memory": {"limit": 33554432, "swap": 33554432}}'
  cg_start "$b" mem
  local d
  if has_v1 memory; then
    d=$(cg_dir "$CG_PID" memory)
    assert_eq "$(cat "$d/memory.limit_in_bytes")" 33554432 "memory.limit_in_bytes"
  else
    d=$(cg_dir "$CG_PID" "")
    assert_eq "$(cat "$d/memory.max")" 33554432 "memory.max"
  fi
  cell events --interval 1s mem > "$TEST_TMP/events" 2>&1 &
  local ev=$! i
  # events prints its first stats once the OOM watch is in place
  for i in $(seq 50); do [ -s "$TEST_TMP/events" ] && break; sleep 0.1; done
  # a process that exceeds the limit is OOM-killed
  local rc=0
  cell exec mem sh -c 'x=$(head -c 100000000 /dev/zero | tr "\0" a); echo survived' >/dev/null 2>&1 || rc=$?
  [ "$rc" -ne 0 ] || fail "the memory hog was not killed"
  for i in $(seq 50); do grep -q '"type":"oom"' "$TEST_TMP/events" && break; sleep 0.1; done
  kill $ev 2>/dev/null; wait $ev 2>/dev/null || true
  assert_contains "$(cat "$TEST_TMP/events")" '"type":"oom"' "events reports the OOM kill"
  cell delete -f mem
}

test_pids_limit_makes_fork_fail() {
  local b=$TEST_TMP/pids
  need_ctl pids
  cg_bundle "$b" '{"pids": {"limit": 4}}'
  cg_start "$b" pids
  local out
  out=$(cell exec pids sh -c 'for i in 1 2 3 4 5 6; do sleep 30 >/dev/null 2>&1 & done; echo spawned' 2>&1 || true)
  assert_contains "$out" "fork" "fork fails at the pids limit"
  cell delete -f pids
}

test_cpu_quota_values() {
  local b=$TEST_TMP/cpu
  need_ctl cpu
  cg_bundle "$b" '{"cpu": {"quota": 25000, "period": 100000, "shares": 256}}'
  cg_start "$b" cpu
  if has_v1 cpu; then
    local d; d=$(cg_dir "$CG_PID" cpu)
    assert_eq "$(cat "$d/cpu.cfs_quota_us")" 25000
    assert_eq "$(cat "$d/cpu.cfs_period_us")" 100000
    assert_eq "$(cat "$d/cpu.shares")" 256
  else
    assert_eq "$(cat "$(cg_dir "$CG_PID" "")/cpu.max")" "25000 100000"
  fi
  cell delete -f cpu
}

# The config's rules apply in order, the default devices' rules after them
# (as runc and crun): "deny all" keeps /dev/null usable, a rule denying a
# device the defaults do not name holds.
test_device_rules_in_order_defaults_after() {
  local b=$TEST_TMP/dev
  cg_bundle "$b" '{"devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 10, "minor": 200, "access": "rwm"}, {"allow": false, "type": "c", "major": 10, "minor": 200, "access": "w"}]}'
  cg_start "$b" dev
  local out
  out=$(cell exec dev sh -c 'head -c 1 /dev/zero >/dev/null && echo zero-ok; echo x > /dev/null && echo null-ok' 2>&1 || true)
  assert_contains "$out" "zero-ok" "/dev/zero (a default device) stays usable"
  assert_contains "$out" "null-ok" "/dev/null stays usable"
  if has_v1 devices; then
    local list; list=$(cat "$(cg_dir "$CG_PID" devices)/devices.list")
    assert_contains "$list" "c 10:200 rm" "the later deny of w holds"
    assert_not_contains "$list" "a *:* rwm" "deny all holds"
  fi
  cell delete -f dev
}

test_pause_resume_in_state_and_freezer() {
  local b=$TEST_TMP/pause
  cg_bundle "$b"
  cg_start "$b" pause
  cell pause pause
  assert_contains "$(cell state pause)" '"status": "paused"'
  if has_v1 freezer; then
    assert_eq "$(cat "$(cg_dir "$CG_PID" freezer)/freezer.state")" FROZEN
  else
    assert_contains "$(cat "$(cg_dir "$CG_PID" "")/cgroup.events")" "frozen 1"
  fi
  cell resume pause
  assert_contains "$(cell state pause)" '"status": "running"'
  assert_fails_with "is not paused" cell resume pause || true
  cell delete -f pause
}

test_update_changes_live_limits() {
  local b=$TEST_TMP/upd
  need_ctl memory
  need_ctl pids
  cg_bundle "$b" '{"memory": {"limit": 67108864}, "pids": {"limit": 50}}'
  cg_start "$b" upd
  cell update --memory 128m --pids-limit 60 upd
  echo '{"cpu": {"quota": 30000, "period": 100000}}' > "$TEST_TMP/r.json"
  cell update -r "$TEST_TMP/r.json" upd
  if has_v1 memory; then
    assert_eq "$(cat "$(cg_dir "$CG_PID" memory)/memory.limit_in_bytes")" 134217728
  fi
  if has_v1 pids; then
    assert_eq "$(cat "$(cg_dir "$CG_PID" pids)/pids.max")" 60
  fi
  if has_v1 cpu; then
    assert_eq "$(cat "$(cg_dir "$CG_PID" cpu)/cpu.cfs_quota_us")" 30000
  fi
  assert_fails_with "linux.resources.cpu.cpus" cell update --cpuset-cpus 4095 upd || true
  assert_fails_with "--memory: \`12q\` is not a size" cell update --memory 12q upd || true
  cell delete -f upd
}

# Kernel memory limits: what `docker update -m 128m --memory-swap 256m`
# sends (kernel 0 among the memory fields) is not written, and a limit the
# kernel ignores (Linux 5.16 and later) is a warning; runc takes the same
# update. The kmem file is checked to be untouched by the 0.
test_update_kernel_memory_is_a_warning_as_runc() {
  local b=$TEST_TMP/kmem
  need_ctl memory
  has_v1 memory || skip "no v1 memory hierarchy here: kernel memory is v1 only"
  cg_bundle "$b" '{"memory": {"limit": 67108864}}'
  cg_start "$b" kmem
  local dir; dir=$(cg_dir "$CG_PID" memory)
  local before; before=$(cat "$dir/memory.kmem.limit_in_bytes")
  echo '{"memory": {"limit": 134217728, "swap": 268435456, "kernel": 0, "kernelTCP": 0}}' > "$TEST_TMP/docker.json"
  cell update -r "$TEST_TMP/docker.json" kmem 2>"$TEST_TMP/err"
  assert_eq "$(cat "$TEST_TMP/err")" "" "the update with kernel 0 said something"
  assert_eq "$(cat "$dir/memory.limit_in_bytes")" 134217728 "memory limit after the update"
  assert_eq "$(cat "$dir/memory.memsw.limit_in_bytes")" 268435456 "memory+swap after the update"
  assert_eq "$(cat "$dir/memory.kmem.limit_in_bytes")" "$before" "kmem limit after kernel 0"
  cell update --kernel-memory 8m kmem 2>"$TEST_TMP/err"
  if [ "$(cat "$dir/memory.kmem.limit_in_bytes")" != 8388608 ]; then
    assert_contains "$(cat "$TEST_TMP/err")" "warning: linux.resources.memory.kernel: ignored, this kernel ignores kernel memory limits"
  fi
  assert_eq "$(cell exec kmem cat /proc/self/cgroup >/dev/null && echo alive)" alive
  cell delete -f kmem
  # runc: the same two updates of a container of its own succeed.
  command -v runc >/dev/null || return 0
  local rb=$TEST_TMP/kmem-runc rroot=$TEST_TMP/runc-root
  cg_bundle "$rb" '{"memory": {"limit": 67108864}}'
  runc --root "$rroot" run -d -b "$rb" kmem-runc >/dev/null 2>"$TEST_TMP/runc.err" </dev/null ||
    fail "runc run: $(cat "$TEST_TMP/runc.err")"
  at_cleanup "runc --root '$rroot' delete -f kmem-runc"
  runc --root "$rroot" update -r "$TEST_TMP/docker.json" kmem-runc || fail "runc update with kernel 0"
  runc --root "$rroot" update --kernel-memory 8m kmem-runc 2>/dev/null || fail "runc update --kernel-memory"
  runc --root "$rroot" delete -f kmem-runc
}

test_ps_lists_every_pid_including_exec() {
  local b=$TEST_TMP/ps
  cg_bundle "$b"
  cg_start "$b" ps
  cell exec -d ps sleep 500
  sleep 0.3
  local json
  json=$(cell ps -f json ps)
  python3 - "$json" "$CG_PID" <<'PY' || fail "ps -f json: $json"
import json, sys
pids = json.loads(sys.argv[1])
assert int(sys.argv[2]) in pids, pids
assert len(pids) == 2, pids
PY
  local table
  table=$(cell ps ps)
  assert_contains "$table" "PID"
  assert_contains "$table" "sleep 500"
  cell delete -f ps
}

test_events_stats_numbers_move() {
  local b=$TEST_TMP/stats
  cg_bundle "$b"
  cg_start "$b" stats
  local a z
  a=$(cell events --stats stats)
  assert_contains "$a" '"type":"stats"'
  cell exec stats sh -c 'i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done'
  z=$(cell events --stats stats)
  python3 - "$a" "$z" <<'PY' || fail "cpu usage did not grow: $a / $z"
import json, sys
a, z = (json.loads(x)["data"] for x in sys.argv[1:3])
assert z["cpu"]["usage"]["total"] > a["cpu"]["usage"]["total"]
assert "pids" not in z or z["pids"]["current"] >= 1
assert "memory" not in z or "usage" in z["memory"]
PY
  cell delete -f stats
}

test_kill_all_reaches_every_process() {
  local b=$TEST_TMP/killall
  cg_bundle "$b"
  cfg "$b" "c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] != 'pid']"
  cg_start "$b" killall
  cell exec -d killall sleep 600
  sleep 0.3
  cell kill --all killall KILL
  sleep 0.5
  assert_eq "$(cell ps -f json killall 2>/dev/null || echo '[]')" "[]"
  cell delete -f killall
}

test_systemd_manager_is_refused_without_systemd() {
  [ "$(cat /proc/1/comm)" != systemd ] || skip "systemd runs here"
  local b=$TEST_TMP/sd
  cg_bundle "$TEST_TMP/probe"
  cg_start "$TEST_TMP/probe" probe
  cell delete -f probe
  cg_bundle "$b"
  assert_fails_with "systemd is not running on this host" cell --cgroup-manager systemd run -d -b "$b" sd || true
  [ ! -d "$CELL_ROOT/sd" ] || fail "state left behind"
}

test_unhonourable_value_fails_and_leaves_nothing() {
  local b=$TEST_TMP/bad
  cg_bundle "$TEST_TMP/probe"
  cg_start "$TEST_TMP/probe" probe
  cell delete -f probe
  cg_bundle "$b" '{"cpu": {"cpus": "4095"}}'
  assert_fails_with "linux.resources.cpu.cpus" cell run -d -b "$b" bad || true
  if has_v1 cpuset || grep -qw cpuset "$(v2_mount)/cgroup.controllers" 2>/dev/null; then
    assert_contains "$LAST_ERR" "write \`4095\` to "
  else
    assert_contains "$LAST_ERR" "the cpuset controller is not available"
  fi
  [ ! -d "$CELL_ROOT/bad" ] || fail "state left behind"
  # The v1 cgroups are made once the init exists: it is gone too.
  ! pgrep -f -- "-b $b bad" >/dev/null || fail "a process left behind: $(pgrep -af -- "-b $b bad")"
  local left
  left=$(find /sys/fs/cgroup -maxdepth 6 -type d -name "cell-it-$$" 2>/dev/null)
  [ -z "$left" ] || fail "cgroups left behind: $left"
}

# The runtime makes the v1 directories and the limits while the init makes
# its mounts; the init moves itself in before anything that sees its
# cgroups. A createRuntime hook (in the runtime's namespaces, after the
# mounts) finds the init in every one of the container's cgroups; inside,
# with a cgroup namespace, each hierarchy reads "/" and the mounted
# pids.max is the container's limit.
test_init_in_its_cgroups_before_hooks_and_cgroup_mount() {
  need_ctl pids
  local b=$TEST_TMP/early
  cg_bundle "$b" '{"pids": {"limit": 77}}'
  cat > "$TEST_TMP/hook.sh" <<EOF2
#!/bin/sh
pid=\$(grep -o '"pid": *[0-9]*' | grep -o '[0-9]*\$')
cat /proc/\$pid/cgroup > $TEST_TMP/hook.cg
EOF2
  chmod +x "$TEST_TMP/hook.sh"
  cfg "$b" "c['hooks'] = {'createRuntime': [{'path': '$TEST_TMP/hook.sh'}]}
assert any(n['type'] == 'cgroup' for n in c['linux']['namespaces'])
c['process']['args'] = ['sh', '-c', 'cat /proc/self/cgroup; echo max=\$(cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max)']"
  local out; out=$(cell run -b "$b" early) || fail "run: $out"
  local n ctl path seen=0
  while IFS=: read -r n ctl path; do
    [ -z "${CG_PURE_V2:-}" ] || [ "$n" = 0 ] || continue
    [ -z "${CG_PURE_V1:-}" ] || [ "$n" != 0 ] || continue
    [[ "$path" == */cell-it-$$/early ]] || fail "at the createRuntime hook, hierarchy $n ($ctl): $path"
    seen=$((seen + 1))
  done < "$TEST_TMP/hook.cg"
  [ "$seen" -gt 0 ] || fail "no hierarchy in the hook's view: $(cat "$TEST_TMP/hook.cg")"
  while IFS=: read -r n ctl path; do
    [[ "$n" =~ ^[0-9]+$ ]] || continue
    [ -z "${CG_PURE_V2:-}" ] || [ "$n" = 0 ] || continue
    [ -z "${CG_PURE_V1:-}" ] || [ "$n" != 0 ] || continue
    assert_eq "$path" "/" "inside, hierarchy $n ($ctl)"
  done <<< "$out"
  assert_contains "$out" "max=77"
}

# A v1 cpuset level that is there but empty (made by hand, or by another
# runtime that has not filled it yet) above the container's: the runtime
# makes only the leaf, finds the parent's cpus empty and fills every level
# from the top, so the init can move in and runs on the root's cpus.
test_v1_cpuset_below_an_empty_parent() {
  has_v1 cpuset || skip "no v1 cpuset hierarchy"
  local own mp top b=$TEST_TMP/cpus out
  own=$(awk -F: '$2 ~ /(^|,)cpuset(,|$)/ {print $3}' /proc/self/cgroup)
  mp=$(awk '$9 == "cgroup" && $NF ~ /(^|,)cpuset(,|$)/ {print $5; exit}' /proc/self/mountinfo)
  top=$mp${own%/}/cell-it-$$
  mkdir -p "$top/emptyp"
  at_cleanup "rmdir '$top/emptyp' '$top'"
  local f
  for f in cpus mems; do   # as cgroup.clone_children may have filled them
    echo > "$top/emptyp/cpuset.$f"
    echo > "$top/cpuset.$f"
  done
  [ -z "$(cat "$top/emptyp/cpuset.cpus")" ] || fail "cannot empty $top/emptyp"
  cg_bundle "$b"
  cfg "$b" "c['linux']['cgroupsPath'] = 'cell-it-$$/emptyp/c'
c['process']['args'] = ['sh', '-c', 'grep Cpus_allowed_list /proc/self/status; cat /proc/self/cgroup']"
  out=$(cell run -b "$b" cpus) || fail "run below an empty cpuset parent: $out"
  assert_contains "$out" "Cpus_allowed_list:	$(cat "$mp/cpuset.cpus")"
  assert_eq "$(cat "$top/emptyp/cpuset.cpus")" "$(cat "$mp/cpuset.cpus")" "cpus of the empty parent"
  assert_eq "$(cat "$top/emptyp/cpuset.mems")" "$(cat "$mp/cpuset.mems")" "mems of the empty parent"
  [ ! -d "$top/emptyp/c" ] || fail "the container's cpuset cgroup is left"
  [ -d "$top/emptyp" ] || fail "the parent that was there before is removed"
}

# Run every other test of this file in a private mount namespace after
# SETUP (a shell snippet), with VAR=1 exported; at least MIN must pass.
cg_rerun_in_ns() {
  local var=$1 setup=$2 min=$3
  cg_bundle "$TEST_TMP/probe"
  cg_start "$TEST_TMP/probe" probe
  cell delete -f probe
  unshare -m bash -c '
    mount --make-rprivate / && '"$setup"' || exit 3
    export '"$var"'=1
    source "$CELL_TESTS/lib/common.sh"; source "$CELL_TESTS/integration/cgroups.sh"
    ran=0
    for t in $(declare -F | awk "{print \$3}" | grep "^test_" | grep -v test_pure_); do
      rc=0
      (cell_test_run $t) > "$TEST_TMP/$t.log" 2>&1 || rc=$?
      echo "'"$var"': $t: $([ $rc = 0 ] && echo pass || { [ $rc = 77 ] && echo "skip: $(tail -1 "$TEST_TMP/$t.log")"; } || echo FAIL)"
      [ $rc = 0 ] && ran=$((ran + 1))
      if [ $rc != 0 ] && [ $rc != 77 ]; then cat "$TEST_TMP/$t.log"; exit 1; fi
    done
    [ $ran -ge '"$min"' ] || { echo "only $ran tests ran"; exit 1; }
  ' || fail "a test failed in the $var view"
}

# The tests above once more on a pure cgroup v2 view of this host: cgroup2
# mounted over /sys/fs/cgroup in a private mount namespace. The hierarchy is
# the host's own cgroup2 one, so only the controllers it offers (none on
# this hybrid host: freeze, kill, procs, cpu.stat and eBPF device programs
# are core) are exercised; the others skip inside.
test_pure_v2_hierarchy() {
  [ -z "${CG_PURE_V2:-}${CG_PURE_V1:-}" ] || skip "nested"
  [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ] || skip "pure v2 host: the other tests ran on v2"
  grep -q ' - cgroup2 ' /proc/self/mountinfo || skip "no cgroup2 hierarchy on this host"
  cg_rerun_in_ns CG_PURE_V2 'mount -t cgroup2 cgroup2 /sys/fs/cgroup' 4
}

# And on a pure v1 view: a hybrid host with its cgroup2 mount detached.
test_pure_v1_hierarchy() {
  [ -z "${CG_PURE_V2:-}${CG_PURE_V1:-}" ] || skip "nested"
  [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] || skip "not a hybrid host"
  cg_rerun_in_ns CG_PURE_V1 'umount -l /sys/fs/cgroup/unified' 8
}
