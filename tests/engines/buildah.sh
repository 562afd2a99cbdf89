# buildah (Debian's 1.28) with cell as its OCI runtime through
# docs/engines.md's containers.conf: storage, run root and tmp dirs below
# $TEST_TMP, the busybox image from a docker-archive we make, no network.

source "${CELL_TESTS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}/engines/lib.sh"

bh() {
  buildah --root "$ENG/bh/root" --runroot "$ENG/bh/runroot" --storage-driver vfs "$@"
}

bh_setup() {
  eng_need buildah
  eng_setup
  mkdir -p "$ENG"/bh/{root,runroot,tmp}
  # docs/engines.md's snippet, with cgroupfs (systemd is not PID 1 here)
  # in its [engine] table.
  eng_snippet containers-conf | sed 's/^\[engine\]$/[engine]\ncgroup_manager = "cgroupfs"/' \
    > "$ENG/containers.conf" || fail "docs/engines.md: containers.conf snippet"
  grep -q '^cgroup_manager = "cgroupfs"$' "$ENG/containers.conf" || fail "no [engine] table in the snippet"
  export CONTAINERS_CONF=$ENG/containers.conf TMPDIR=$ENG/bh/tmp
  at_cleanup bh_cleanup
  eng_image_tar "$ENG/busybox.tar" "$ENG_IMAGE"
}

bh_cleanup() {
  bh rm --all >/dev/null 2>&1
  bh rmi --all --force >/dev/null 2>&1
  local id
  for id in $(eng_cell_states /run/cell); do
    "$CELL_BIN" --root /run/cell state "$id" 2>/dev/null | grep -q "\"bundle\": *\"$ENG/" &&
      "$CELL_BIN" --root /run/cell delete -f "$id" >/dev/null 2>&1
  done
  return 0
}

bh_in_cell_state() {
  "$CELL_BIN" --root /run/cell list -f json 2>/dev/null | grep -q "\"bundle\": *\"$ENG/"
}

# from, run (output, exit code, the runtime is cell, the config's warnings
# said once: buildah printed the ambient-capabilities one three times),
# commit, and a run of the committed image.
test_buildah_from_run_commit_with_cell() {
  bh_setup
  local w
  w=$(bh from --pull-never "docker-archive:$ENG/busybox.tar") || fail "buildah from"
  local out rc=0
  out=$(bh run --network none "$w" -- sh -c 'echo hello; id -u; cat /proc/1/comm; exit 3' 2>"$ENG/err") || rc=$?
  assert_eq "$rc" 3 "exit code of buildah run"
  assert_eq "$out" "$(printf 'hello\n0\nsh')" "output of buildah run"
  # One run, one create: each of the config's warnings at most once.
  local n
  for n in ambient "unknown field" "unknown syscall"; do
    [ "$(grep -c "$n" "$ENG/err")" -le 1 ] || fail "buildah run said a warning more than once: $(cat "$ENG/err")"
  done
  assert_eq "$(grep -c warning "$ENG/err")" 1 "warnings of one buildah run (the ambient one)"
  # The runtime that runs it is cell: its state root has the container.
  bh run --network none "$w" -- sleep 3 2>>"$ENG/err" &
  local runner=$!
  eng_wait_for "buildah's container in cell's state" 10 bh_in_cell_state
  wait $runner || fail "buildah run sleep 3"
  bh run --network none "$w" -- sh -c 'echo built > /built' 2>>"$ENG/err"
  bh commit "$w" localhost/cell-built:test >/dev/null 2>"$ENG/commit.err" || fail "buildah commit: $(cat "$ENG/commit.err")"
  local w2; w2=$(bh from --pull-never localhost/cell-built:test)
  assert_eq "$(bh run --network none "$w2" -- cat /built 2>>"$ENG/err")" built "a run of the committed image"
  assert_not_contains "$(grep -v 'exit status 3' "$ENG/err")" "rror" "what buildah run said"
}
