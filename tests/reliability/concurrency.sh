# Reliability: many runtimes at once. Each test starts its containers at the
# same moment and checks what each one saw, then that nothing is left.
# RELIABILITY_N and RELIABILITY_ROUNDS make the short mode longer (make stress).

source "$CELL_TESTS/reliability/lib/leaks.sh"
rel_n() { echo "${RELIABILITY_N:-50}"; }
rel_rounds() { echo "${RELIABILITY_ROUNDS:-5}"; }

# Every cgroup directory named $1 (a path below a hierarchy root, "" = the
# name anywhere) that exists now, in every mounted hierarchy.
cg_dirs_named() {
  local rel=$1 mp
  for mp in $(awk '$9 == "cgroup" || $9 == "cgroup2" {print $5}' /proc/self/mountinfo | sort -u); do
    [ -d "$mp/$rel" ] && echo "$mp/$rel"
  done
  return 0
}

# Start N `cell run` at once, container I on bundle $1 with `%i` replaced
# by I, ids $2-1..$2-N; each must exit 0 and print exactly $3.
run_at_once() {
  local b=$1 prefix=$2 want=$3 n i pids=()
  n=$(rel_n)
  for i in $(seq "$n"); do
    "$CELL_BIN" --root "$CELL_ROOT" run -b "${b//%i/$i}" "$prefix-$i" >"$TEST_TMP/out.$prefix-$i" 2>&1 &
    pids+=($!)
  done
  local bad=0
  for i in $(seq "$n"); do
    wait "${pids[$((i - 1))]}" || { bad=$((bad + 1)); echo "container $prefix-$i failed: $(cat "$TEST_TMP/out.$prefix-$i")" >&2; }
  done
  [ "$bad" -eq 0 ] || fail "$bad of $n containers failed"
  for i in $(seq "$n"); do
    assert_eq "$(cat "$TEST_TMP/out.$prefix-$i")" "$want" "what container $prefix-$i saw"
  done
  assert_eq "$(ls "$CELL_ROOT")" "" "state dirs left by $prefix"
}

# What a container's process sees of its cpu and memory placement: a v1
# cpuset cgroup whose cpus or mems were never filled makes the move fail,
# and a filled one gives the host's lists.
placement_probe() {
  set_args "$1" '["sh", "-c", "grep -E \"^(Cpus|Mems)_allowed_list\" /proc/self/status | tr \"\\n\" \" \""]'
}

host_allowed() { grep -E '^(Cpus|Mems)_allowed_list' /proc/self/status | tr '\n' ' '; }

# Cgroup directories of containers whose ids start with $1, in every
# hierarchy, wherever the placement put them.
cg_dirs_of() {
  local mp
  for mp in $(awk '$9 == "cgroup" || $9 == "cgroup2" {print $5}' /proc/self/mountinfo | sort -u); do
    find "$mp" -maxdepth 4 -type d -name "$1*"
  done
  return 0
}

# No linux.cgroupsPath: the default placement, runc's rule (<own>/ID on v1,
# <parent of own>/ID on cgroup2), where the containers share the ancestors
# of the runtime's own cgroup. With a default parent of our own (`cell/`,
# before cell followed runc) this raced: one runtime made it, another used
# it before cpuset.cpus/mems were filled (ENOSPC on the move), or a delete
# removed it between another's mkdirs.
test_fifty_at_once_default_placement_five_times() {
  make_bundle "$TEST_TMP/b"
  placement_probe "$TEST_TMP/b"
  local want round
  want=$(host_allowed)
  for round in $(seq "$(rel_rounds)"); do
    run_at_once "$TEST_TMP/b" "d$$-$round" "$want"
    assert_eq "$(cg_dirs_of "d$$-$round-")" "" "cgroups left after round $round"
  done
  rel_report "containers at once, default placement" $(( $(rel_n) * $(rel_rounds) ))
}

# The same with an explicit shared parent below the test's own cgroup
# (a relative cgroupsPath), new each round, so that all of them race to
# make and fill it. Nobody removes a parent it did not make, as runc: the
# test does, once the leaves are gone.
test_fifty_at_once_shared_parent_five_times() {
  make_bundle "$TEST_TMP/b"
  placement_probe "$TEST_TMP/b"
  local want round parent i d left
  want=$(host_allowed)
  for round in $(seq "$(rel_rounds)"); do
    parent=cell-rel-$$-$round
    at_cleanup "for d in \$(cg_dirs_named $parent); do find \$d -depth -type d -delete; done"
    python3 - "$TEST_TMP" "$parent" "$(rel_n)" <<'PY'
import json, os, sys
tmp, parent, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
c = json.load(open(f"{tmp}/b/config.json"))
c["root"]["path"] = f"{tmp}/b/rootfs"
for i in range(1, n + 1):
    os.makedirs(f"{tmp}/b{i}", exist_ok=True)
    c["linux"]["cgroupsPath"] = f"{parent}/c{i}"
    json.dump(c, open(f"{tmp}/b{i}/config.json", "w"))
PY
    run_at_once "$TEST_TMP/b%i" "s$round" "$want"
    left=$(for d in $(cg_dirs_named "$parent"); do find "$d" -mindepth 1 -type d; done)
    assert_eq "$left" "" "container cgroups left after round $round"
    for d in $(cg_dirs_named "$parent"); do rmdir "$d"; done
  done
  rel_report "containers at once, shared relative parent" $(( $(rel_n) * $(rel_rounds) ))
}

rel_lifecycle_n() { echo "${RELIABILITY_LIFECYCLE_N:-100}"; }
rel_lifecycle_rounds() { echo "${RELIABILITY_LIFECYCLE_ROUNDS:-2}"; }

# `cell state ID` as JSON's status, or "" when the id is gone.
status_of() { cell state "$1" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])' 2>/dev/null || true; }

test_fifty_parallel_creates_of_one_id() {
  # Exactly one wins; every other says "already exists"; the state is the
  # winner's, complete, and nothing is left once it is deleted.
  make_bundle "$TEST_TMP/b"
  set_args "$TEST_TMP/b" '["sleep", "1000"]'
  local n i pids=() won=0 exists=0 other=""
  n=$(rel_n)
  for i in $(seq "$n"); do
    "$CELL_BIN" --root "$CELL_ROOT" create -b "$TEST_TMP/b" --pid-file "$TEST_TMP/pid.$i" one \
      >"$TEST_TMP/c.$i" 2>&1 &
    pids+=($!)
  done
  for i in $(seq "$n"); do
    if wait "${pids[$((i - 1))]}"; then
      won=$((won + 1)); winner=$i
    elif grep -q "container \`one\` already exists" "$TEST_TMP/c.$i"; then
      exists=$((exists + 1))
    else
      other+="$i: $(cat "$TEST_TMP/c.$i"); "
    fi
  done
  assert_eq "$won" 1 "creates that won"
  assert_eq "$other" "" "creates that failed otherwise"
  assert_eq "$exists" $((n - 1)) "creates told the id exists"
  assert_eq "$(status_of one)" created "state of the winner"
  local pid; pid=$(cell state one | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
  assert_eq "$(cat "$TEST_TMP/pid.$winner")" "$pid" "the winner's --pid-file"
  for i in $(seq "$n"); do [ "$i" = "$winner" ] || [ ! -e "$TEST_TMP/pid.$i" ] || fail "a loser wrote --pid-file"; done
  assert_eq "$(cell list -q)" one "list"
  cell delete -f one
  assert_eq "$(cg_dirs_of one)" "" "cgroups left"
  assert_eq "$(ls "$CELL_ROOT")" "" "state left"
  rel_report "parallel creates of one id" "$n"
}

# One container's whole life, as a background job: create, start, kill,
# wait for it to stop, delete. Any failure is written to $TEST_TMP/err.ID.
one_life() {
  local id=$1 b=$2 k
  {
    "$CELL_BIN" --root "$CELL_ROOT" create -b "$b" "$id" >/dev/null 2>&1 </dev/null &&
    "$CELL_BIN" --root "$CELL_ROOT" start "$id" &&
    "$CELL_BIN" --root "$CELL_ROOT" kill "$id" KILL &&
    for k in $(seq 200); do
      [ "$(status_of "$id")" = stopped ] && break
      sleep 0.05
    done &&
    "$CELL_BIN" --root "$CELL_ROOT" delete "$id"
  } >"$TEST_TMP/err.$id" 2>&1 || echo "exit $?" >>"$TEST_TMP/err.$id"
}

test_hundred_lifecycles_in_parallel_twice_with_list_and_state_beside() {
  make_bundle "$TEST_TMP/b"
  set_args "$TEST_TMP/b" '["sleep", "1000"]'
  local n round i pids watcher bad
  n=$(rel_lifecycle_n)
  for round in $(seq "$(rel_lifecycle_rounds)"); do
    # list and state in a loop beside them: they must never fail, and
    # state may only say "does not exist" for an id not made yet or gone.
    ( while [ ! -e "$TEST_TMP/stop" ]; do
        "$CELL_BIN" --root "$CELL_ROOT" list >/dev/null 2>>"$TEST_TMP/list.err" || echo "list failed" >>"$TEST_TMP/list.err"
        "$CELL_BIN" --root "$CELL_ROOT" list -f json | python3 -c 'import json,sys; json.load(sys.stdin)' 2>>"$TEST_TMP/list.err" ||
          echo "list -f json is not JSON" >>"$TEST_TMP/list.err"
        for i in 1 $((n / 2)) "$n"; do
          out=$("$CELL_BIN" --root "$CELL_ROOT" state "l$round-$i" 2>&1) || [[ "$out" == *"does not exist"* || "$out" == *"still being created"* ]] ||
            echo "state: $out" >>"$TEST_TMP/list.err"
        done
      done ) &
    watcher=$!
    pids=()
    for i in $(seq "$n"); do one_life "l$round-$i" "$TEST_TMP/b" & pids+=($!); done
    for i in "${pids[@]}"; do wait "$i"; done
    touch "$TEST_TMP/stop"; wait "$watcher"; rm -f "$TEST_TMP/stop"
    bad=$(cat "$TEST_TMP"/err.l$round-* | head -5)
    assert_eq "$bad" "" "lifecycles of round $round"
    assert_eq "$(cat "$TEST_TMP/list.err" 2>/dev/null | head -5)" "" "list and state beside round $round"
    assert_eq "$(ls "$CELL_ROOT")" "" "state dirs after round $round"
    assert_eq "$(cg_dirs_of "l$round-")" "" "cgroups after round $round"
  done
  rel_report "parallel lifecycles with list and state beside" $(( $(rel_lifecycle_rounds) * n ))
}
