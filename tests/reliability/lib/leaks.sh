# What a container may leave behind, for the reliability tests. Source it
# from a test script: source "$CELL_TESTS/reliability/lib/leaks.sh".
#
#   mark_bundle DIR              process.env gets CELL_REL_MARK=<token of this test>
#   cellm ARGS...                cell with the same marker in its environment
#   leaks ID                     prints every leftover of container ID, one a line:
#                                state dir, cgroup dirs (every hierarchy, below
#                                our own cgroup), host mounts below $TEST_TMP or
#                                (but $REL_MOUNTS_OK, the test's own) or on the
#                                cell binary, processes carrying the marker
#   assert_no_leaks ID WHAT      fails with the list when there is any
#   start_load                   two CPU hogs for the rest of the test
#   fault_cell                   the cell binary with CELL_FAULT (test builds), or ""

rel_mark() { echo "rel$$"; }

mark_bundle() {
  CELL_REL_TOKEN=$(rel_mark) cfg "$1" 'c["process"]["env"].append("CELL_REL_MARK=" + os.environ["CELL_REL_TOKEN"])'
}

cellm() { CELL_REL_MARK=$(rel_mark) "$CELL_BIN" --root "$CELL_ROOT" "$@"; }

# Each hierarchy's mount point and our own cgroup in it.
own_cgroup_dirs() {
  local mp fs root own
  while read -r mp fs root; do
    if [ "$fs" = cgroup2 ]; then
      own=$(awk -F: '$1 == "0" {print $3}' /proc/self/cgroup)
    else
      own=$(awk -F: -v m="$(basename "$mp")" '{n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == m || "name=" m == a[i]) print $3}' /proc/self/cgroup | head -1)
      [ -n "$own" ] || own=$(awk -F: -v m="$(basename "$mp")" '$2 == m {print $3}' /proc/self/cgroup)
    fi
    [ "$root" = / ] || own=${own#"$root"}
    echo "$mp${own:-}"
  done < <(awk '$9 == "cgroup" || $9 == "cgroup2" {print $5, $9, $4}' /proc/self/mountinfo | sort -u)
}

# Below our own cgroup and beside it (runc's default on cgroup2 is the
# parent of the runtime's own cgroup).
cgroup_leaks() {
  local d
  for d in $(own_cgroup_dirs); do
    [ -d "$d" ] && find "$d" -mindepth 1 -maxdepth 3 -type d -name "$1" 2>/dev/null
    [ -d "$d/.." ] && [ "$(cd "$d/.." && pwd)" != "$(cd "$d" && pwd)" ] &&
      find "$(cd "$d/.." && pwd)" -mindepth 1 -maxdepth 1 -type d -name "$1" 2>/dev/null
  done | sort -u
  return 0
}

process_leaks() {
  local f pid
  for f in $(grep -lszx "CELL_REL_MARK=$(rel_mark)" /proc/[0-9]*/environ); do
    pid=${f#/proc/}; pid=${pid%/environ}
    echo "process $pid: $(tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null)"
  done
  return 0
}

leaks() {
  local d
  for d in $(own_cgroup_dirs); do
    [ -d "$d" ] && find "$d" -mindepth 1 -maxdepth 3 -type d -name "$1" 2>/dev/null
  done
  return 0
}

process_leaks() {
  local tok f pid
  tok=CELL_REL_MARK=$(rel_mark)
  for f in /proc/[0-9]*/environ; do
    pid=${f#/proc/}; pid=${pid%/environ}
    [ "$pid" = $$ ] || [ "$pid" = "$BASHPID" ] && continue
    if { tr '\0' '\n' <"$f"; } 2>/dev/null | grep -qx "$tok"; then
      echo "process $pid: $(tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null)"
    fi
  done
  return 0
}

leaks() {
  local id=$1
  [ -e "$CELL_ROOT/$id" ] && echo "state dir $CELL_ROOT/$id: $(ls "$CELL_ROOT/$id" | tr '\n' ' ')"
  cgroup_leaks "$id" | sed 's/^/cgroup /'
  host_mounts_below "$TEST_TMP" | awk -v ok="${REL_MOUNTS_OK:-}" '$5 != ok {print "mount " $5}'
  awk -v b="$CELL_BIN" '$5 == b {print "mount " $5}' /proc/self/mountinfo
  process_leaks
}

assert_no_leaks() {
  local left
  left=$(leaks "$1")
  [ -z "$left" ] || fail "$2: left behind: $(echo "$left" | head -20 | tr '\n' ';')"
}

start_load() {
  local i
  for i in 1 2; do
    if command -v stress-ng >/dev/null; then
      stress-ng --cpu 1 --timeout 3600 >/dev/null 2>&1 &
    else
      (while :; do :; done) &
    fi
    at_cleanup "kill $! 2>/dev/null; wait $! 2>/dev/null"
  done
}

fault_cell() {
  [ -n "$(CELL_FAULT=list "$CELL_BIN" --version 2>/dev/null | grep -x create.store)" ] && echo "$CELL_BIN"
  return 0
}

# rel_report ITEM TRIES: the row of the reliability table this test fills
# (tests/reliability/stress reads it; the test fails on the first failure
# or leak, so a passing test had none).
rel_report() { echo "REL-TABLE|$1|$2"; }
