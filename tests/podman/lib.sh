# Helpers for tests/integration/podman.sh: a podman of its own per test.
#
#   pm_setup        skips without podman/conmon/root; makes $PM (storage, run
#                   and tmp dirs, containers.conf, storage.conf below
#                   $TEST_TMP), imports the busybox rootfs as $PM_IMAGE, picks
#                   $PM_CGPARENT below this test's own cgroup and installs
#                   pm_cleanup before common.sh's cleanup.
#   pm ARGS...      podman with that storage, cgroupfs, file events, runtime
#                   cell ($CELL_BIN). cell keeps its state in its default
#                   root, $PM_CELL_ROOT: podman's exit command (`podman
#                   container cleanup`) does not pass --runtime-flag on, so a
#                   root of our own would see the clean-up miss it.
#   pm_run ARGS...  pm run --network none --cgroup-parent $PM_CGPARENT ARGS...
#   pm_pid NAME     the host pid of a container's init
#   pm_wait_status NAME STATUS   until podman reports that status
#   pm_pty ROWS COLS ARGS...     pm ARGS... on a terminal of that size
#   pm_rm_retry NAME             pm rm -f, retried while podman's removal
#                   races with its own clean-up process (user namespaces)
#
# Everything a test makes is removed by pm_cleanup, also after a failure:
# the containers (podman rm -af, then cell delete -f of what is left), the
# conmon processes of this test, mounts below $TEST_TMP, the cgroups below
# $PM_CGPARENT and the cgroup directories made on the way to it.

PM_IMAGE=localhost/busybox:cell-test
PM_CELL_ROOT=/run/cell

pm_setup() {
  command -v podman >/dev/null || skip "podman is not installed (make deps installs it)"
  command -v conmon >/dev/null || [ -x /usr/libexec/podman/conmon ] ||
    skip "conmon is not installed (make deps installs it)"
  [ "$(id -u)" = 0 ] || skip "the podman tests run podman rootful: they need root"
  [ -x "$CELL_BIN" ] || fail "no cell binary at $CELL_BIN"
  PM=$TEST_TMP/pm
  mkdir -p "$PM"/{root,runroot,tmp,hostdir}
  chmod 755 "$TEST_TMP"
  pm_pick_cgroup_parent
  trap 'pm_rc=$?; pm_cleanup; (exit $pm_rc); cell_test_cleanup' EXIT
  # The host's hard RLIMIT_NOFILE (20000 here) is below podman's default
  # 1048576: the ulimits are set. runtime_supports_json makes podman and
  # conmon pass --log-format=json --log FILE to cell, as they do for crun.
  cat > "$PM/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
netns = "none"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "cell"
runtime_supports_json = ["cell", "crun", "runc"]

[engine.runtimes]
cell = ["$CELL_BIN"]
EOF
  cat > "$PM/storage.conf" <<EOF
[storage]
driver = "vfs"
graphroot = "$PM/root"
runroot = "$PM/runroot"
EOF
  export CONTAINERS_CONF=$PM/containers.conf CONTAINERS_STORAGE_CONF=$PM/storage.conf
  local rootfs
  rootfs=$(rootfs_cache) || exit $?
  tar -C "$rootfs" -cf "$PM/rootfs.tar" . || fail "tar of the busybox rootfs"
  pm import "$PM/rootfs.tar" "$PM_IMAGE" >/dev/null 2>"$PM/import.err" ||
    fail "podman import: $(cat "$PM/import.err")"
}

pm() {
  podman --root "$PM/root" --runroot "$PM/runroot" --tmpdir "$PM/tmp" \
    --storage-driver vfs --cgroup-manager cgroupfs --events-backend file \
    --runtime cell "$@"
}

pm_rm_retry() {
  local i err
  for i in 1 2 3 4 5; do
    err=$(pm rm -f -t 0 "$1" 2>&1 >/dev/null) && return 0
    pm container exists "$1" || return 0
    sleep 0.2
  done
  fail "podman rm $1: $err"
}

pm_run() {
  local sub=$1; shift
  pm "$sub" --network none --cgroup-parent "$PM_CGPARENT" "$@"
}

# The parent goes below the cgroup this test runs in. On a v1 or hybrid host
# the memory controller's path is taken (the one the host confines us to);
# the same path is used in every hierarchy, so the directories on the way
# that did not exist are remembered and removed afterwards.
pm_pick_cgroup_parent() {
  local own
  own=$(sed -n 's/^[0-9]*:memory:\(.*\)$/\1/p' /proc/self/cgroup)
  [ -n "$own" ] || own=$(sed -n 's/^0::\(.*\)$/\1/p' /proc/self/cgroup)
  own=${own%/}
  PM_CGPARENT=$own/cell-podman-$$
  PM_CG_MADE=()
  local mp rel d
  for mp in $(awk '$9 == "cgroup" || $9 == "cgroup2" {print $5}' /proc/self/mountinfo); do
    rel=
    for d in $(echo "${own#/}" | tr '/' ' '); do
      rel=$rel/$d
      [ -d "$mp$rel" ] || PM_CG_MADE+=("$mp$rel")
    done
  done
}

pm_cleanup() {
  set +e
  [ -n "${PM:-}" ] && [ -d "$PM" ] || return 0
  local id
  pm rm -af -t 0 >/dev/null 2>&1
  # conmon and the `podman container cleanup` it runs when a container
  # exits name our storage on their command lines: wait for them, so that
  # none creates anything below $PM while it is removed; then end them.
  local pid pids
  for _ in $(seq 50); do
    pids=$(pgrep -f -- "$PM/" | grep -vx "$$")
    [ -z "$pids" ] && break
    sleep 0.1
  done
  for pid in $pids; do kill -KILL "$pid" 2>/dev/null; done
  [ -n "$pids" ] && pm rm -af -t 0 >/dev/null 2>&1
  for id in $(pm_cell_states); do
    "$CELL_BIN" --root "$PM_CELL_ROOT" delete -f "$id" >/dev/null 2>&1
  done
  # Mounts below $TEST_TMP: vfs does not mount, the containers' shm does.
  awk -v d="$TEST_TMP" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r |
    while read -r m; do umount -l "$m"; done
  local mp dir i
  for mp in $(awk '$9 == "cgroup" || $9 == "cgroup2" {print $5}' /proc/self/mountinfo); do
    dir=$mp$PM_CGPARENT
    [ -d "$dir" ] && find "$dir" -depth -type d -exec rmdir {} \; 2>/dev/null
    [ -d "$dir" ] && echo "pm_cleanup: cgroup $dir left" >&2
  done
  for ((i = ${#PM_CG_MADE[@]} - 1; i >= 0; i--)); do
    rmdir "${PM_CG_MADE[$i]}" 2>/dev/null
  done
  return 0
}

# Ids of the containers in cell's state whose bundle is in this test's storage.
pm_cell_states() {
  "$CELL_BIN" --root "$PM_CELL_ROOT" list -f json 2>/dev/null | python3 -c '
import json, sys
d = sys.argv[1] + "/"
for c in json.load(sys.stdin) or []:
    if c.get("bundle", "").startswith(d):
        print(c["id"])' "$PM"
}

pm_pid() { pm inspect -f '{{.State.Pid}}' "$1"; }

pm_wait_status() {
  local st
  for _ in $(seq 100); do
    st=$(pm inspect -f '{{.State.Status}}' "$1")
    [ "$st" = "$2" ] && return 0
    sleep 0.1
  done
  fail "container $1 is $st, not $2"
}

pm_pty() {
  local rows=$1 cols=$2; shift 2
  python3 "$CELL_TESTS/podman/pty-run.py" "$rows" "$cols" \
    podman --root "$PM/root" --runroot "$PM/runroot" --tmpdir "$PM/tmp" \
    --storage-driver vfs --cgroup-manager cgroupfs --events-backend file \
    --runtime cell "$@"
}

# The host directory of the cgroup of PID for controller CTL (v1), or of its
# cgroup2 cgroup when CTL is empty or not a v1 hierarchy here.
pm_cg_dir() {
  local pid=$1 ctl=$2 path mp
  path=$(grep -E "^[0-9]+:([^:]*,)?$ctl(,[^:]*)?:" /proc/$pid/cgroup | cut -d: -f3)
  if [ -n "$ctl" ] && [ -n "$path" ]; then
    mp=$(awk -v c="$ctl" '$9 == "cgroup" { n = split($NF, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) { print $5; exit } }' /proc/self/mountinfo)
  else
    path=$(sed -n 's/^0:://p' /proc/$pid/cgroup)
    mp=$(awk '$9 == "cgroup2" {m = $5} END {print m}' /proc/self/mountinfo)
  fi
  echo "$mp$path"
}
