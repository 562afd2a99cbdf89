# Rootless: cell run by a user that is not root, with the bundle of
# `cell spec --rootless`. Each test makes a user of its own (a system user,
# so that useradd gives it no subordinate ids), gives it ranges in
# /etc/subuid and /etc/subgid when it needs them, and removes both at the
# end whatever happens. cell runs as that user through setpriv, with
# XDG_RUNTIME_DIR a private directory of the user's, so its state goes to
# XDG_RUNTIME_DIR/cell. Failure cases check the message and that nothing is
# left: no state dir, no cgroup directory, no process of the user.
# `assert_fails_with ... || true`: see cli.sh (set -e and command substitution).

RL_SUB_COUNT=65536

# rl_user: the user RL_USER (uid RL_UID, gid RL_GID), its runtime dir RL_XDG, and with
# "subids" ranges of RL_SUB_COUNT ids from RL_SUB in /etc/subuid and
# /etc/subgid.
rl_user() {
  [ "$(id -u)" = 0 ] || skip "the rootless tests make a user: run them as root"
  command -v setpriv >/dev/null || skip "no setpriv (util-linux)"
  command -v useradd >/dev/null || skip "no useradd (passwd)"
  RL_USER=cellrl$$
  at_cleanup "rl_remove_user $RL_USER"
  useradd -r -M -d / -s /bin/sh "$RL_USER" || fail "useradd $RL_USER"
  RL_UID=$(id -u "$RL_USER")
  RL_GID=$(id -g "$RL_USER")
  # Somewhere no other test user's ranges are, different for each test.
  RL_SUB=$(( 2000000 + ($$ % 1000) * RL_SUB_COUNT ))
  if [ "${1:-}" = subids ]; then
    echo "$RL_USER:$RL_SUB:$RL_SUB_COUNT" >> /etc/subuid
    echo "$RL_USER:$RL_SUB:$RL_SUB_COUNT" >> /etc/subgid
  fi
  chmod 711 "$TEST_TMP"
  RL_XDG=$TEST_TMP/xdg
  mkdir -m 700 "$RL_XDG"
  chown "$RL_USER:" "$RL_XDG"
  rl_as true 2>/dev/null || skip "setpriv cannot switch to $RL_USER"
  rl_as unshare -U true 2>/dev/null || skip "unprivileged user namespaces are disabled here"
}

# Remove the user, its subordinate ranges and anything it still runs.
# userdel refuses while a process of the user exists, and a killed one
# takes a moment to go: wait for them, and say so if the user stays.
rl_remove_user() {
  local u=$1 pids _
  for _ in $(seq 50); do
    pids=$(ps -o pid=,stat= -u "$u" 2>/dev/null | awk '$2 !~ /^Z/ {print $1}' || true)
    [ -n "$pids" ] || break
    kill -9 $pids 2>/dev/null || true
    sleep 0.1
  done
  sed -i "/^$u:/d" /etc/subuid /etc/subgid 2>/dev/null || true
  for _ in $(seq 30); do
    userdel "$u" 2>/dev/null && return 0
    id "$u" >/dev/null 2>&1 || return 0
    sleep 0.1
  done
  echo "cleanup: userdel $u: $(userdel "$u" 2>&1)" >&2
  return 1
}

# rl_as CMD...: run CMD as the test user, with its XDG_RUNTIME_DIR.
rl_as() {
  setpriv --reuid="$RL_UID" --regid="$RL_GID" --init-groups \
    env HOME=/ XDG_RUNTIME_DIR="$RL_XDG" "$@"
}
# rl_cell ARGS...: the built cell as the test user (no --root: the default).
rl_cell() { rl_as "$CELL_BIN" "$@"; }

# rl_bundle DIR: a busybox rootfs owned by the user, `cell spec --rootless`
# written by the user, no terminal.
rl_bundle() {
  local b=$1 cache
  cache=$(rootfs_cache) || exit $?
  mkdir -p "$b"
  cp -a "$cache" "$b/rootfs"
  chown -R "$RL_USER:" "$b"
  rl_cell spec --rootless -b "$b" || fail "cell spec --rootless as $RL_USER"
  cfg "$b" 'c["process"]["terminal"] = False; c["hostname"] = "rl-host"'
}

rl_maps() {
  local b=$1 u=$2 g=$3
  CELL_U="$u" CELL_G="$g" cfg "$b" '
c["linux"]["uidMappings"] = json.loads(os.environ["CELL_U"])
c["linux"]["gidMappings"] = json.loads(os.environ["CELL_G"])'
}

# rl_two OWN SIZE: a map of root to OWN and 1..SIZE to RL_SUB on.
rl_two() {
  echo '[{"containerID": 0, "hostID": '"$1"', "size": 1}, {"containerID": 1, "hostID": '"$RL_SUB"', "size": '"$2"'}]'
}

# Nothing of container ID left: state dir, cgroup directories, processes.
rl_nothing_left() {
  local id=$1 left
  [ ! -e "$RL_XDG/cell/$id" ] || fail "state dir left behind: $RL_XDG/cell/$id"
  left=$(find /sys/fs/cgroup -maxdepth 5 -type d -name "$id" 2>/dev/null)
  [ -z "$left" ] || fail "cgroups left behind: $left"
  # Zombies are not counted: whoever adopted a killed init reaps it when it
  # will, and a later test user may get the same uid.
  left=$(ps -o pid=,stat=,args= -u "$RL_USER" 2>/dev/null | awk '$2 !~ /^Z/' || true)
  [ -z "$left" ] || fail "processes of $RL_USER left behind: $left"
}

# Kill container ID, wait until it is stopped, delete it.
rl_kill_delete() {
  rl_cell kill "$1" KILL
  for _ in $(seq 50); do
    rl_cell state "$1" | grep -q '"stopped"' && break
    sleep 0.1
  done
  rl_cell delete "$1" || fail "delete $1"
}

# The visible cgroup2 mount (the last one: a later mount shadows).
rl_v2_mount() { awk '$9 == "cgroup2" {m = $5} END {if (m) print m}' /proc/self/mountinfo; }

test_rootless_single_mapping_written_by_the_runtime() {
  rl_user
  rl_bundle "$TEST_TMP/b"
  set_args "$TEST_TMP/b" '["sh", "-c", "id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; hostname"]'
  local out
  out=$(rl_cell run -b "$TEST_TMP/b" r1) || fail "rootless run: $out"
  out=$(echo "$out" | tr -s ' \t' ' ' | sed 's/^ //')
  assert_eq "$(echo "$out" | sed -n 1p)" 0 "uid inside"
  assert_eq "$(echo "$out" | sed -n 2p)" 0 "gid inside"
  assert_eq "$(echo "$out" | sed -n 3p)" "0 $RL_UID 1" "uid_map: root is the caller"
  assert_eq "$(echo "$out" | sed -n 4p)" "0 $RL_GID 1" "gid_map: root is the caller's gid"
  assert_eq "$(echo "$out" | sed -n 5p)" deny "setgroups denied before gid_map"
  assert_eq "$(echo "$out" | sed -n 6p)" rl-host "hostname"
  rl_nothing_left r1
}

test_rootless_state_under_xdg_runtime_dir_and_lifecycle() {
  rl_user
  rl_bundle "$TEST_TMP/b"
  set_args "$TEST_TMP/b" '["sleep", "1000"]'
  at_cleanup "rl_cell delete -f r2"
  rl_cell run -d -b "$TEST_TMP/b" r2 </dev/null >/dev/null || fail "rootless run -d"
  [ -f "$RL_XDG/cell/r2/state.json" ] || fail "no state in \$XDG_RUNTIME_DIR/cell/r2"
  assert_eq "$(stat -c %U "$RL_XDG/cell/r2")" "$RL_USER" "owner of the state dir"
  local out pid
  out=$(rl_cell list)
  assert_contains "$out" "r2"
  assert_contains "$out" "$RL_USER" "list names the owner"
  out=$(rl_cell exec r2 sh -c 'id -u; hostname')
  assert_eq "$out" "0
rl-host" "exec sees root and the container's hostname"
  pid=$(rl_cell state r2 | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
  assert_eq "$(stat -c %u /proc/$pid)" "$RL_UID" "the init runs as the caller on the host"
  # --root still overrides.
  out=$(rl_cell --root "$RL_XDG/other" list -q)
  assert_eq "$out" "" "another --root"
  rl_kill_delete r2
  rl_nothing_left r2
}

test_rootless_features_and_debug_say_no_cgroup_on_v1() {
  rl_user
  local mp
  mp=$(rl_v2_mount)
  local own
  own=$(grep '^0::' /proc/self/cgroup | cut -d: -f3)
  if [ -n "$mp" ] && rl_as test -w "$mp${own%/}"; then
    skip "this test's cgroup2 directory is writable by $RL_USER"
  fi
  local out
  out=$(rl_cell features)
  assert_contains "$out" '"run.oci.cell.rootless.cgroups": "rootless: none writable by uid '"$RL_UID"
  out=$("$CELL_BIN" features)
  assert_contains "$out" '"run.oci.cell.rootless.cgroups": "not rootless: every hierarchy"'
  rl_bundle "$TEST_TMP/b"
  set_args "$TEST_TMP/b" '["true"]'
  out=$(rl_cell --debug run -b "$TEST_TMP/b" r3 2>&1) || fail "rootless run: $out"
  assert_contains "$out" "cgroups: rootless: no cgroup is writable by uid $RL_UID"
  assert_contains "$out" "hierarchy left out ("
  rl_nothing_left r3
}

test_rootless_subuid_ranges_through_newuidmap() {
  command -v newuidmap >/dev/null || skip "no newuidmap (Debian package uidmap)"
  rl_user subids
  rl_bundle "$TEST_TMP/b"
  rl_maps "$TEST_TMP/b" "$(rl_two "$RL_UID" "$RL_SUB_COUNT")" "$(rl_two "$RL_GID" "$RL_SUB_COUNT")"
  # runc's rootless spec keeps only CAP_AUDIT_WRITE, CAP_KILL and
  # CAP_NET_BIND_SERVICE; chown needs CAP_CHOWN.
  cfg "$TEST_TMP/b" '
c["root"]["readonly"] = False
for k in ("bounding", "effective", "permitted"):
    c["process"]["capabilities"][k].append("CAP_CHOWN")'
  set_args "$TEST_TMP/b" '["sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; touch /tmp/f; chown 1000:1001 /tmp/f; stat -c %u:%g /tmp/f"]'
  local out
  out=$(rl_cell run -b "$TEST_TMP/b" r4) || fail "rootless run with ranges: $out"
  out=$(echo "$out" | tr -s ' \t' ' ' | sed 's/^ //')
  assert_eq "$(echo "$out" | sed -n 1p)" "0 $RL_UID 1"
  assert_eq "$(echo "$out" | sed -n 2p)" "1 $RL_SUB $RL_SUB_COUNT" "uid_map: the subuid range"
  assert_eq "$(echo "$out" | sed -n 3p)" "0 $RL_GID 1"
  assert_eq "$(echo "$out" | sed -n 4p)" "1 $RL_SUB $RL_SUB_COUNT" "gid_map: the subgid range"
  assert_eq "$(echo "$out" | sed -n 5p)" allow "newgidmap leaves setgroups allowed"
  assert_eq "$(echo "$out" | sed -n 6p)" "1000:1001" "owner inside"
  assert_eq "$(stat -c %u:%g "$TEST_TMP/b/rootfs/tmp/f")" "$((RL_SUB + 999)):$((RL_SUB + 1000))" \
    "owner on the host: from the subordinate ranges"
  rl_nothing_left r4
}

test_rootless_mapping_the_caller_may_not_use() {
  rl_user subids
  rl_bundle "$TEST_TMP/b"
  rl_maps "$TEST_TMP/b" '[{"containerID": 0, "hostID": 0, "size": 1}]' \
    '[{"containerID": 0, "hostID": '$RL_GID', "size": 1}]'
  assert_fails_with "linux.uidMappings[0]: host uids 0-0 (hostID 0, size 1) are not yours to map" rl_cell run -b "$TEST_TMP/b" r5 || true
  assert_fails_with "ranges /etc/subuid gives \`$RL_USER\` ($RL_SUB-$((RL_SUB + RL_SUB_COUNT - 1)))" rl_cell run -b "$TEST_TMP/b" r5 || true
  rl_nothing_left r5
}

test_rootless_subuid_range_too_small() {
  rl_user subids
  rl_bundle "$TEST_TMP/b"
  rl_maps "$TEST_TMP/b" '[{"containerID": 0, "hostID": '$RL_UID', "size": 1}]' \
    "$(rl_two "$RL_GID" $((RL_SUB_COUNT + 1)))"
  local hi=$((RL_SUB + RL_SUB_COUNT))
  assert_fails_with "linux.gidMappings[1]: host gids $RL_SUB-$hi (hostID $RL_SUB, size $((RL_SUB_COUNT + 1))) are not yours to map" rl_cell run -b "$TEST_TMP/b" r6 || true
  assert_fails_with "/etc/subgid gives \`$RL_USER\` ($RL_SUB-$((hi - 1)))" rl_cell run -b "$TEST_TMP/b" r6 || true
  rl_nothing_left r6
}

test_rootless_no_subuid_ranges_at_all() {
  rl_user
  rl_bundle "$TEST_TMP/b"
  rl_maps "$TEST_TMP/b" "$(RL_SUB=3000000 rl_two "$RL_UID" 10)" "$(RL_SUB=3000000 rl_two "$RL_GID" 10)"
  assert_fails_with "ranges /etc/subuid gives \`$RL_USER\` (none)" rl_cell run -b "$TEST_TMP/b" r7 || true
  rl_nothing_left r7
}

test_rootless_missing_newuidmap() {
  rl_user subids
  rl_bundle "$TEST_TMP/b"
  rl_maps "$TEST_TMP/b" "$(rl_two "$RL_UID" 10)" "$(rl_two "$RL_GID" 10)"
  mkdir -p "$TEST_TMP/emptybin"
  assert_fails_with "linux.uidMappings: mapping more than your own uid ($RL_UID) needs newuidmap (Debian package uidmap), not found in PATH ($TEST_TMP/emptybin)" \
    rl_as PATH="$TEST_TMP/emptybin" "$CELL_BIN" run -b "$TEST_TMP/b" r8 || true
  rl_nothing_left r8
}

test_rootless_resources_without_a_cgroup_fail_naming_the_resource() {
  rl_user
  rl_bundle "$TEST_TMP/b"
  cfg "$TEST_TMP/b" 'c["linux"]["resources"] = {"memory": {"limit": 67108864}}'
  assert_fails_with "linux.resources.memory: rootless (uid $RL_UID): no memory cgroup the caller may use" rl_cell run -b "$TEST_TMP/b" r9 || true
  assert_contains "$LAST_ERR" "Permission denied"
  rl_nothing_left r9
  # 0 is "not set" (as engines send it): no cgroup needed.
  cfg "$TEST_TMP/b" 'c["linux"]["resources"] = {"memory": {"limit": 0}}; c["process"]["args"] = ["true"]'
  rl_cell run -b "$TEST_TMP/b" r9 || fail "a limit of 0 needs no cgroup"
  rl_nothing_left r9
}

# A cgroup2 subtree delegated to the user (a directory of its own below
# this test's cgroup, the caller in a leaf of it, as systemd's user@.service
# does it): the container's cgroup goes there, resources are applied.
test_rootless_delegated_cgroup_v2_is_used() {
  rl_user
  local mp own
  mp=$(rl_v2_mount)
  [ -n "$mp" ] || skip "no cgroup2 hierarchy on this host"
  own=$(grep '^0::' /proc/self/cgroup | cut -d: -f3)
  own=${own%/}
  local deleg=$mp$own/cell-rl-$$
  # hugetlb, when this cgroup2 hierarchy has it, to see a resource applied;
  # enabled here only for the test (undone last, once deleg is gone).
  local huge=
  if grep -qw hugetlb "$mp$own/cgroup.controllers" 2>/dev/null && [ -e /sys/kernel/mm/hugepages/hugepages-2048kB ]; then
    if grep -qw hugetlb "$mp$own/cgroup.subtree_control"; then
      huge=1
    elif echo +hugetlb > "$mp$own/cgroup.subtree_control" 2>/dev/null; then
      at_cleanup "echo -hugetlb > '$mp$own/cgroup.subtree_control'"
      huge=1
    fi
  fi
  mkdir "$deleg" || fail "mkdir $deleg"
  at_cleanup "rmdir '$deleg'"
  mkdir "$deleg/caller"
  at_cleanup "rmdir '$deleg/caller'"
  chown -R "$RL_USER:" "$deleg"
  rl_bundle "$TEST_TMP/b"
  set_args "$TEST_TMP/b" '["sleep", "1000"]'
  [ -n "$huge" ] && cfg "$TEST_TMP/b" 'c["linux"]["resources"] = {"hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}]}'
  at_cleanup "rl_cell delete -f r10"
  local out
  # Not in a $(...): the detached container keeps the stdio it is given.
  sh -c 'echo $$ > "$1/caller/cgroup.procs" && shift && exec "$@"' sh "$deleg" \
    setpriv --reuid="$RL_UID" --regid="$RL_GID" --init-groups env HOME=/ XDG_RUNTIME_DIR="$RL_XDG" \
    "$CELL_BIN" --debug run -d -b "$TEST_TMP/b" r10 </dev/null >/dev/null 2>"$TEST_TMP/debug" ||
    fail "rootless run in a delegated cgroup: $(cat "$TEST_TMP/debug")"
  out=$(cat "$TEST_TMP/debug")
  assert_contains "$out" "cgroups: rootless: cgroup2 hierarchy used: $deleg/r10"
  local pid
  pid=$(rl_cell state r10 | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
  assert_eq "$(grep '^0::' /proc/$pid/cgroup | cut -d: -f3)" "$own/cell-rl-$$/r10" "the init's cgroup2"
  if [ -n "$huge" ]; then
    assert_eq "$(cat "$deleg/r10/hugetlb.2MB.max")" 4194304 "hugepageLimits applied"
  fi
  # features, from the same place, names the directory.
  out=$(sh -c 'echo $$ > "$1/caller/cgroup.procs" && shift && exec "$@"' sh "$deleg" \
    setpriv --reuid="$RL_UID" --regid="$RL_GID" --init-groups "$CELL_BIN" features)
  assert_contains "$out" "\"run.oci.cell.rootless.cgroups\": \"rootless: cgroup2 $deleg/ID"
  rl_kill_delete r10
  [ ! -d "$deleg/r10" ] || fail "cgroup left behind: $deleg/r10"
  rl_nothing_left r10
}

# ---- podman rootless with cell ------------------------------------------------
# The test user runs podman with cell as its runtime: podman makes the user
# namespace (the user's id and its subordinate range) and runs cell inside it
# as its root. Storage (vfs), config and runtime dirs are the user's, below
# $TEST_TMP; the image is the busybox rootfs, imported by the user.

# prl_setup: the user with subids, its podman ($PRL) and the image $PRL_IMAGE.
PRL_IMAGE=localhost/busybox:cell-rootless
prl_setup() {
  command -v podman >/dev/null || skip "podman is not installed (make deps installs it)"
  command -v newuidmap >/dev/null || skip "newuidmap is not installed (package uidmap)"
  rl_user subids
  PRL=$TEST_TMP/prl
  mkdir -p "$PRL"/{root,runroot,config,data,vol}
  cat > "$PRL/containers.conf" <<CONF
[containers]
netns = "none"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "cell"
[engine.runtimes]
cell = ["$CELL_BIN"]
CONF
  cat > "$PRL/storage.conf" <<CONF
[storage]
driver = "vfs"
graphroot = "$PRL/root"
runroot = "$PRL/runroot"
CONF
  chown -R "$RL_USER:" "$PRL"
  at_cleanup prl_cleanup
  local cache; cache=$(rootfs_cache) || exit $?
  tar -C "$cache" -cf "$TEST_TMP/bb.tar" . && chmod 644 "$TEST_TMP/bb.tar"
  prl import "$TEST_TMP/bb.tar" "$PRL_IMAGE" >/dev/null || fail "podman import as $RL_USER"
}
prl() {
  rl_as env CONTAINERS_CONF="$PRL/containers.conf" CONTAINERS_STORAGE_CONF="$PRL/storage.conf" \
    XDG_CONFIG_HOME="$PRL/config" XDG_DATA_HOME="$PRL/data" podman "$@"
}
prl_cleanup() {
  prl rm -af -t 0 >/dev/null 2>&1
  prl pod rm -af >/dev/null 2>&1
  # Its storage holds files of the subordinate ids: root removes it.
  true
}

test_podman_rootless_run_keep_id_auto_volume_exec() {
  prl_setup
  local out
  # podman's user namespace: root is the user, 1.. its subordinate range
  out=$(prl run --rm "$PRL_IMAGE" sh -c 'id -u; cat /proc/self/uid_map') ||
    fail "podman run as $RL_USER: $out"
  assert_contains "$out" "0"
  [[ "$out" =~ 0[[:space:]]+$RL_UID[[:space:]]+1 ]] || fail "uid_map: $out"
  [[ "$out" =~ 1[[:space:]]+$RL_SUB[[:space:]]+$RL_SUB_COUNT ]] || fail "uid_map: $out"
  out=$(prl run --rm --userns=keep-id "$PRL_IMAGE" id -u)
  assert_eq "$out" "$RL_UID" "--userns=keep-id"
  out=$(prl run --rm --userns=auto "$PRL_IMAGE" cat /proc/self/uid_map)
  [[ "$out" =~ 0[[:space:]]+[1-9][0-9]*[[:space:]]+[1-9] ]] || fail "--userns=auto: $out"
  # a volume: what root makes inside is the user's on the host
  out=$(prl run --rm -v "$PRL/vol:/v" "$PRL_IMAGE" sh -c 'echo hi > /v/f; stat -c "%u %s" /v/f')
  assert_eq "$out" "0 3" "the file inside"
  assert_eq "$(stat -c %u "$PRL/vol/f")" "$RL_UID" "the file on the host"
  # exec into a detached container, state below XDG_RUNTIME_DIR/cell
  local id
  id=$(prl run -d "$PRL_IMAGE" sleep 100) || fail "podman run -d: $id"
  [ -d "$RL_XDG/cell/$id" ] || fail "no state dir at $RL_XDG/cell/$id"
  out=$(prl exec "$id" sh -c 'echo exec-ok; id -u')
  assert_eq "$out" "$(printf 'exec-ok\n0')" "podman exec"
  prl rm -f -t 0 "$id" >/dev/null || fail "podman rm -f"
  [ ! -e "$RL_XDG/cell/$id" ] || fail "state dir left behind: $RL_XDG/cell/$id"
}

# slirp4netns opens /dev/net/tun as the user; this host's is 0600, so the
# test opens it up for its own run and puts the mode back.
test_podman_rootless_pod_and_port_forwarding() {
  prl_setup
  command -v slirp4netns >/dev/null || skip "slirp4netns is not installed"
  local mode; mode=$(stat -c %a /dev/net/tun) || skip "no /dev/net/tun"
  at_cleanup "chmod $mode /dev/net/tun"
  chmod 666 /dev/net/tun
  local out port=$(( 20000 + $$ % 10000 ))
  prl pod create --name "pod$$" >/dev/null || fail "podman pod create"
  out=$(prl run --rm --pod "pod$$" "$PRL_IMAGE" sh -c 'readlink /proc/self/ns/uts') ||
    fail "podman run --pod: $out"
  local infra; infra=$(prl pod inspect -f '{{.InfraContainerID}}' "pod$$")
  local ipid; ipid=$(prl inspect -f '{{.State.Pid}}' "$infra")
  assert_eq "$out" "$(readlink "/proc/$ipid/ns/uts")" "the pod's uts namespace"
  prl pod rm -f "pod$$" >/dev/null || fail "podman pod rm"
  mkdir -p "$TEST_TMP/www" && echo page-from-the-container > "$TEST_TMP/www/index.html"
  chmod -R a+rX "$TEST_TMP/www"
  local id
  id=$(prl run -d --network slirp4netns -p "127.0.0.1:$port:80" -v "$TEST_TMP/www:/www:ro" \
    "$PRL_IMAGE" httpd -f -p 80 -h /www) || fail "podman run -p: $id"
  for _ in $(seq 50); do
    out=$(python3 -c 'import sys,urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=2).read().decode().strip())' \
      "http://127.0.0.1:$port/" 2>/dev/null) && break
    sleep 0.2
  done
  assert_eq "$out" page-from-the-container "a page through the forwarded port"
  prl rm -f -t 0 "$id" >/dev/null
}
