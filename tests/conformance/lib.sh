# The conformance suite's frame (sourced after tests/lib/common.sh).
#
# Each test_* function checks one item: a MUST or SHOULD of the
# runtime-spec, or, where the spec is silent, what crun does. It calls
#
#   conf_item KIND "TITLE" FUNC
#
# which runs FUNC once per runtime of CONFORMANCE_RUNTIMES (default
# "cell runc crun"; only the installed ones), each time in its own bash,
# with RT set to the runtime and a private state root, and records one row
# per runtime for the table (tests/conformance/table). FUNC returns 0 when
# the runtime does what the item says, 77 when the item cannot be shown
# under this runtime (its last line of output says why), anything else
# when it fails (its output says how). FUNC observes from inside the
# container or from the host, never by an exit code alone.
#
# KIND decides what the test's own result is; the test is about cell:
#   must, should  the spec's words: cell must pass. What runc and crun do
#                 is shown, not judged.
#   crun          the spec is silent and cell is held to crun (to runc when
#                 crun refuses this host or lacks the feature): cell must
#                 pass, and so must the reference when it ran, else the
#                 expectation is not crun's behaviour and the test fails.
#   runc          held to runc where crun 1.8.1 does otherwise: cell and runc
#                 must pass, and docs/conformance.md must name the test.
#   differs       a deliberate difference from crun (or runc, or the
#                 spec's SHOULD): cell must pass, and docs/conformance.md
#                 must name the test.
#
# Inside FUNC:
#   rt ARGS...             the runtime under test ($RT) with its state root
#   conf_bundle DIR [PY]   a busybox bundle for $RT (`cell spec`, terminal
#                          off, cgroups below this test's cgroup, ociVersion
#                          1.0.2-dev: crun 1.8.1 refuses later ones), PY
#                          applied to its config (the dict c)
#   conf_sh DIR SCRIPT [PY]  the same, the program `sh -c SCRIPT`
#   conf_out DIR ID        run DIR's container, print its stdout (its
#                          stderr goes to $TEST_TMP/ID.err); fails on a
#                          non-zero exit
#   conf_wait_status ID S  wait up to 5 s for `state` to say S

CONF_ALL_RUNTIMES="cell runc crun"
CONF_DIR=${CELL_TESTS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}/conformance

conf_runtimes() {
  local r out=
  for r in ${CONFORMANCE_RUNTIMES:-$CONF_ALL_RUNTIMES}; do
    case $r in
      cell) out="$out cell" ;;
      runc|crun) command -v "$r" >/dev/null 2>&1 && out="$out $r" ;;
      *) echo "CONFORMANCE_RUNTIMES: unknown runtime \`$r\`" >&2; return 1 ;;
    esac
  done
  echo $out
}

# crun 1.8.1 refuses hybrid hosts: it runs in a mount namespace of its own
# without the cgroup2 mount (a slave of ours: it sees our mounts, ours
# never see its). It takes a relative cgroupsPath from a
# hierarchy's root, where runc and cell take it from their own cgroup: in
# that namespace each hierarchy shows our own cgroup as its root, so that
# its cgroups land below this test's, as the others' do.
conf_crun() {
  ${CONF_TMO:+timeout -k 2 "$CONF_TMO"} unshare -m --propagation slave sh -c '
    umount /sys/fs/cgroup/unified 2>/dev/null
    while IFS=: read -r n ctl path; do
      [ -n "$ctl" ] && [ "$path" != / ] || continue
      d=/sys/fs/cgroup/${ctl#name=}
      [ -d "$d$path" ] && mount --bind "$d$path" "$d"
    done < /proc/self/cgroup
    root=$1; shift
    exec crun --root "$root" "$@"' crun "$(conf_root crun)" "$@"
}

# Each runtime's state root (CONF_TOP: the test's own temp dir).
conf_root() { echo "${CONF_TOP:-$TEST_TMP}/rt-$1"; }

# conf_rt RUNTIME ARGS: the runtime on its own state root; with CONF_TMO
# set, killed after that many seconds.
conf_rt() {
  local r=$1; shift
  case $r in
    cell) ${CONF_TMO:+timeout -k 2 "$CONF_TMO"} "$CELL_BIN" --root "$(conf_root cell)" "$@" ;;
    runc) ${CONF_TMO:+timeout -k 2 "$CONF_TMO"} runc --root "$(conf_root runc)" "$@" ;;
    crun) conf_crun "$@" ;;
  esac
}
rt() { conf_rt "$RT" "$@"; }

# The cgroup parent of every container of this test (one per runtime).
conf_cgroup_parent() { echo "cell-conf-${CONF_PID:-$$}"; }

# The test's base config and a rootfs the runtimes share (made once per
# test by conf_item; runtimes run one after the other).
conf_base() {
  local cache
  cache=$(rootfs_cache) || exit $?
  # Reachable from a user namespace's root (mktemp made the dir 0700).
  chmod 755 "$CONF_TOP"
  cp -a "$cache" "$CONF_TOP/rootfs"
  # Mount points the items use, there already: in a user namespace the
  # container's root may not make them in this rootfs.
  mkdir -p "$CONF_TOP/rootfs/m" "$CONF_TOP/rootfs/out" "$CONF_TOP/rootfs/o"
  mkdir -p "$CONF_TOP/spec"
  (cd "$CONF_TOP/spec" && "$CELL_BIN" spec) || fail "cell spec failed"
  python3 - "$CONF_TOP/spec/config.json" "$CONF_TOP/base.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["ociVersion"] = "1.0.2-dev"
c["process"]["terminal"] = False
c["process"]["args"] = ["true"]
json.dump(c, open(sys.argv[2], "w"), indent=1)
PY
}

# conf_bundle DIR [PYTHON]: DIR/config.json from the base, root.path the
# shared rootfs, then PYTHON run on the dict c (with json, os).
# conf_bundle_own: the same with a rootfs of its own (DIR/rootfs), for
# items that change the rootfs.
conf_bundle() {
  local b=$1
  mkdir -p "$b"
  python3 - "$CONF_TOP/base.json" "$b" "${2:-}" "${CONF_OWN_ROOTFS:+rootfs}" <<PY
import json, os, sys
c = json.load(open(sys.argv[1]))
c["root"]["path"] = sys.argv[4] or "$CONF_TOP/rootfs"
c["linux"]["cgroupsPath"] = "$(conf_cgroup_parent)/$RT-" + os.path.basename(sys.argv[2])
exec(sys.argv[3], {"c": c, "json": json, "os": os})
json.dump(c, open(os.path.join(sys.argv[2], "config.json"), "w"), indent=1)
PY
}
conf_bundle_own() {
  local cache
  cache=$(rootfs_cache) || exit $?
  mkdir -p "$1"
  cp -a "$cache" "$1/rootfs"
  CONF_OWN_ROOTFS=1 conf_bundle "$@"
}

# conf_sh DIR SCRIPT [PY]: a bundle whose program is `sh -c SCRIPT`.
conf_sh() {
  CONF_SH=$2 conf_bundle "$1" "c['process']['args'] = ['sh', '-c', os.environ['CONF_SH']]
${3:-}"
}

# bundle_sh SCRIPT [PY]: conf_sh into $B ($TEST_TMP/b).
B=
bundle_sh() { B=$TEST_TMP/b; conf_sh "$B" "$@"; }
# refused ID: create of $B must fail with a message and leave no container.
refused() {
  ! rt create --bundle "$B" "$1" >/dev/null 2>"$TEST_TMP/err" || fail "create $1 worked"
  [ -s "$TEST_TMP/err" ] || fail "no error message"
  assert_eq "$(conf_status "$1")" absent "a container was left"
}

# cell_says TEXT: under cell, the last error ($TEST_TMP/err) must say TEXT
# (cell's own messages; the other runtimes word theirs their way).
cell_says() {
  [ "$RT" = cell ] || return 0
  assert_contains "$(cat "$TEST_TMP/err")" "$1" "cell's error message"
}

# Config code: a new user namespace, ids 0-65535 from 100000 (no cgroup
# mount: a user namespace cannot mount cgroup v1 hierarchies).
CONF_USERNS_PY="
c['linux']['namespaces'].append({'type': 'user'})
c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': 100000, 'size': 65536}]
c['linux']['gidMappings'] = [{'containerID': 0, 'hostID': 100000, 'size': 65536}]
c['mounts'] = [m for m in c['mounts'] if m['type'] != 'cgroup']"

# conf_console: a console socket at $TEST_TMP/console.sock (in $SOCK) whose
# receiver (pid in $RECV) writes what the pty shows to $TEST_TMP/out.
conf_console() {
  SOCK=$TEST_TMP/console.sock
  python3 "$CELL_TESTS/lib/console-recv.py" "$SOCK" "$TEST_TMP/info" > "$TEST_TMP/out" &
  RECV=$!
  local i
  for i in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.05; done
}

conf_out() {
  local b=$1 id=$2
  rt run --bundle "$b" "$id" 2>"$TEST_TMP/$id.err" ||
    fail "$RT run $id failed: $(tail -5 "$TEST_TMP/$id.err")"
}

# conf_status ID: the status field of `state ID`, or "absent".
conf_status() {
  local s
  s=$(rt state "$1" 2>/dev/null) || { echo absent; return 0; }
  sed -n 's/.*"status": *"\([a-z]*\)".*/\1/p' <<<"$s"
}
conf_pid() {
  rt state "$1" | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p'
}

conf_wait_status() {
  local i
  for i in $(seq 50); do
    [ "$(conf_status "$1")" = "$2" ] && return 0
    sleep 0.1
  done
  fail "$1 is $(conf_status "$1"), not $2"
}

# conf_state_field ID EXPR: python expression on the state JSON `s`.
conf_state_field() {
  rt state "$1" | python3 -c 'import json,sys; s=json.load(sys.stdin); print(eval(sys.argv[1]))' "$2"
}

# Remove what a runtime left of this test: its containers, then the
# cgroup directories below the parent (runc and crun leave the parent).
# A freezer left FROZEN (or stuck FREEZING) is thawed first: a runtime's
# list or delete can wait forever on it (runc 1.1.5 does), so each of its
# calls here is bounded too, and what still runs in the cgroups is killed.
conf_sweep() {
  local r=$1 id
  local parent self d f pids
  parent=$(conf_cgroup_parent)
  conf_cgroup_dirs() {
    while IFS=: read -r _ ctl self; do
      if [ -z "$ctl" ]; then d=/sys/fs/cgroup/unified
      else d=/sys/fs/cgroup/${ctl#name=}; fi
      [ -d "$d$self/$parent" ] && echo "$d$self/$parent"
    done < /proc/self/cgroup
    return 0
  }
  for f in $(conf_cgroup_dirs); do
    find "$f" -name freezer.state -exec sh -c 'echo THAWED > "$1"' _ {} \; 2>/dev/null
  done
  for id in $(CONF_TMO=20 conf_rt "$r" list -q 2>/dev/null); do
    CONF_TMO=20 conf_rt "$r" delete -f "$id" >/dev/null 2>&1
  done
  for f in $(conf_cgroup_dirs); do
    pids=$(find "$f" -name cgroup.procs -exec cat {} + 2>/dev/null)
    [ -z "$pids" ] || kill -9 $pids 2>/dev/null
  done
  [ -z "${pids:-}" ] || sleep 0.2
  for f in $(conf_cgroup_dirs); do
    find "$f" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null
    rmdir "$f" 2>/dev/null
  done
  return 0
}

# One runtime's attempt, in a bash of its own (run by conf_item). Every fd
# above 2 is closed first: a container process left behind must not hold
# what the test's caller holds (the test lock, a pipe).
conf_attempt() {
  local fn=$1 fd
  for fd in /proc/$$/fd/*; do
    fd=${fd##*/}
    [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-" 2>/dev/null
  done
  set -e
  cd "$TEST_TMP/$RT"
  TEST_TMP=$TEST_TMP/$RT
  "$fn"
}

conf_reference() {
  local r
  for r in crun runc; do
    case " $CONF_RAN " in *" $r "*) ;; *) continue ;; esac
    [ "${CONF_RESULT[$r]}" = skip ] && continue
    echo "$r"; return 0
  done
}

conf_documented() {
  grep -q "\b$1\b" "$CONF_DIR/../../docs/conformance.md" 2>/dev/null ||
    fail "$1 is a deliberate difference but docs/conformance.md does not name it"
}

declare -A CONF_RESULT
conf_item() {
  local kind=$1 title=$2 fn=$3
  local script=${BASH_SOURCE[1]} r rc log note
  local name=$(basename "$script" .sh)/${FUNCNAME[1]#test_}
  CONF_RAN=
  CONF_PID=$$ CONF_TOP=$TEST_TMP
  export CONF_PID CONF_TOP
  conf_base
  # Whatever happens to this test, every runtime's containers and cgroups go.
  for r in $(conf_runtimes); do at_cleanup "conf_sweep $r"; done
  for r in $(conf_runtimes); do
    mkdir -p "$TEST_TMP/$r"
    chmod 755 "$TEST_TMP/$r"
    log=$TEST_TMP/$r.log
    RT=$r timeout -k 5 120 bash -c '
      source "$CELL_TESTS/lib/common.sh"; source "$CELL_TESTS/conformance/lib.sh"
      source "$0"; conf_attempt "$1"' "$script" "$fn" >"$log" 2>&1 && rc=0 || rc=$?
    conf_sweep "$r"
    case $rc in
      0) CONF_RESULT[$r]=pass; note= ;;
      77) CONF_RESULT[$r]=skip; note=$(tail -1 "$log") ;;
      124|137) CONF_RESULT[$r]=fail; note="timed out after 120 s" ;;
      *) CONF_RESULT[$r]=fail; note=$(grep -m1 '^FAIL: ' "$log" | cut -c7- || true)
         [ -n "$note" ] || note=$(tail -1 "$log") ;;
    esac
    CONF_RAN="$CONF_RAN $r"
    printf '%-5s %-5s %s\n' "$r" "${CONF_RESULT[$r]}" "$note"
    [ "${CONF_RESULT[$r]}" = pass ] || sed 's/^/      /' "$log" | tail -15
    [ -n "${CONFORMANCE_RESULTS:-}" ] &&
      printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$kind" "$r" "${CONF_RESULT[$r]}" "$note" \
        >>"$CONFORMANCE_RESULTS"
  done
  echo "item: $name ($kind): $title"
  case " $CONF_RAN " in
    *" cell "*) ;;
    *) echo "cell not among CONFORMANCE_RUNTIMES: nothing to judge"; return 0 ;;
  esac
  case ${CONF_RESULT[cell]} in
    pass) ;;
    skip) skip "$(tail -1 "$TEST_TMP/cell.log")" ;;
    *) fail "cell fails $name" ;;
  esac
  local ref
  case $kind in
    must|should) ;;
    crun)
      ref=$(conf_reference)
      if [ -n "$ref" ] && [ "${CONF_RESULT[$ref]}" != pass ]; then
        fail "$ref, the reference here, does not do what $name expects: fix the item or list it in docs/conformance.md as a difference"
      fi ;;
    runc)
      case " $CONF_RAN " in
        *" runc "*) [ "${CONF_RESULT[runc]}" = pass ] ||
          fail "runc does not do what $name expects: fix the item" ;;
      esac
      conf_documented "$name" ;;
    differs) conf_documented "$name" ;;
    *) fail "conf_item: unknown kind \`$kind\`" ;;
  esac
  return 0
}
