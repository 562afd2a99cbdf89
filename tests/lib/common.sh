# Helpers for integration tests. A test script defines functions test_*;
# tests/run-all runs each in its own bash with this file sourced, through
# cell_test_run, which gives it a private temp dir and state root and cleans
# both up, whatever happens.
#
#   make_bundle DIR            busybox bundle from `cell spec`, terminal off
#   cfg DIR 'python statements on c'   edit DIR/config.json (c is the dict)
#   cell ARGS...               the built runtime with --root $CELL_ROOT
#   assert_eq A B [MSG], assert_contains HAYSTACK NEEDLE [MSG],
#   assert_fails_with NEEDLE CMD...   (non-zero exit and NEEDLE in stderr)
#   skip MSG                   exit 77
#   podman_profile FILE        podman's default seccomp profile as podman
#                              writes it (build/tests/podman-profile), or skip
#   at_cleanup 'COMMANDS'      run at the end of the test, whatever happens
#                              (last registered first), before the generic cleanup

CELL_BIN=${CELL_BIN:-$CELL_BUILD/cell}
BUSYBOX=${BUSYBOX:-/usr/bin/busybox}

fail() { echo "FAIL: $*" >&2; exit 1; }
# Host mount points at or below a path (mountinfo field 5). A count of the
# whole table would move with whatever else runs on the machine.
host_mounts_below() { awk -v d="$1" 'index($5, d) == 1' /proc/self/mountinfo; }
skip() { echo "$*"; exit 77; }

cell() { "$CELL_BIN" --root "$CELL_ROOT" "$@"; }

podman_profile() {
  local rc=0
  "$CELL_BUILD/tests/podman-profile" > "$1" || rc=$?
  [ "$rc" -ne 77 ] || skip "no /usr/share/containers/seccomp.json (golang-github-containers-common, with podman)"
  [ "$rc" -eq 0 ] || fail "podman-profile exited $rc"
}

assert_eq() {
  [ "$1" == "$2" ] || fail "${3:-values differ}: got [$1], expected [$2]"
}
assert_contains() {
  [[ "$1" == *"$2"* ]] || fail "${3:-missing text}: [$2] not in [$1]"
}
assert_not_contains() {
  [[ "$1" != *"$2"* ]] || fail "${3:-unexpected text}: [$2] in [$1]"
}
# assert_fails_with NEEDLE CMD...: CMD must exit non-zero with NEEDLE on stderr.
assert_fails_with() {
  local needle=$1; shift
  local out rc
  out=$("$@" 2>&1 >/dev/null) && rc=0 || rc=$?
  [ $rc -ne 0 ] || fail "expected failure of: $*"
  [[ "$out" == *"$needle"* ]] || fail "error of [$*] lacks [$needle]: [$out]"
  LAST_ERR=$out
}

rootfs_cache() {
  local dir=/tmp/cell-test-rootfs-$(id -u)-$(stat -c %Y "$BUSYBOX")
  if [ ! -x "$dir/bin/busybox" ]; then
    [ -x "$BUSYBOX" ] || skip "busybox-static is not installed ($BUSYBOX)"
    local tmp; tmp=$(mktemp -d /tmp/cell-rootfs.XXXXXX)
    mkdir -p "$tmp"/{bin,sbin,etc,proc,sys,dev,tmp,root,usr/bin,usr/sbin,var,run,home}
    cp "$BUSYBOX" "$tmp/bin/busybox"
    local a
    for a in $("$BUSYBOX" --list); do
      [ "$a" = busybox ] || ln -sf busybox "$tmp/bin/$a"
    done
    echo 'root:x:0:0:root:/root:/bin/sh' > "$tmp/etc/passwd"
    printf 'nobody:x:65534:65534:nobody:/:/bin/sh\n' >> "$tmp/etc/passwd"
    printf 'root:x:0:\nnobody:x:65534:\n' > "$tmp/etc/group"
    chmod 1777 "$tmp/tmp"
    chmod 755 "$tmp"
    mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
  fi
  echo "$dir"
}

make_bundle() {
  local b=$1 cache
  cache=$(rootfs_cache) || exit $?
  mkdir -p "$b"
  cp -a "$cache" "$b/rootfs"
  (cd "$b" && cell spec) || fail "cell spec failed"
  cfg "$b" 'c["process"]["terminal"] = False'
}

# set_args DIR JSON-ARRAY: process.args, the JSON given as is.
set_args() {
  CELL_ARGS_JSON=$2 cfg "$1" 'c["process"]["args"] = json.loads(os.environ["CELL_ARGS_JSON"])'
}

cfg() {
  python3 - "$1/config.json" "$2" <<'PY'
import json, os, sys
path, code = sys.argv[1], sys.argv[2]
with open(path) as f:
    c = json.load(f)
exec(code, {"c": c, "json": json, "os": os})
with open(path, "w") as f:
    json.dump(c, f, indent=2)
PY
}

CELL_CLEANUP=()
at_cleanup() { CELL_CLEANUP+=("$1"); }

cell_test_cleanup() {
  local rc=$?
  set +e
  local k
  for ((k = ${#CELL_CLEANUP[@]} - 1; k >= 0; k--)); do
    eval "${CELL_CLEANUP[$k]}" >/dev/null 2>&1
  done
  if [ -d "$CELL_ROOT" ]; then
    local id
    for id in $(ls "$CELL_ROOT" 2>/dev/null); do
      "$CELL_BIN" --root "$CELL_ROOT" delete -f "$id" >/dev/null 2>&1
    done
  fi
  # Anything still mounted below the test dir (a failed test's leftovers).
  if [ -n "${TEST_TMP:-}" ]; then
    awk -v d="$TEST_TMP" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r |
      while read -r m; do umount -l "$m" 2>/dev/null; done
    rm -rf "$TEST_TMP"
  fi
  exit $rc
}

cell_test_run() {
  TEST_TMP=$(mktemp -d /tmp/cell-test.XXXXXX)
  CELL_ROOT=$TEST_TMP/state
  export TEST_TMP CELL_ROOT
  trap cell_test_cleanup EXIT
  set -e
  "$1"
}
