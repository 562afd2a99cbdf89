# The classic escapes of field-notes §7.

# exe_stays_read_only BUNDLE ID: create, keep an O_PATH fd of the init's
# /proc/PID/exe until every cell process is gone (no more "text file
# busy"), then that fd must not reopen for writing.
exe_stays_read_only() {
  local b=$1 id=$2
  cell create -b "$b" --pid-file "$TEST_TMP/pid" "$id"
  local pid; pid=$(cat "$TEST_TMP/pid")
  python3 - "$pid" "$CELL_BIN" "$CELL_ROOT" "$id" <<'PY2'
import os, subprocess, sys
pid, cell, root, cid = sys.argv[1:]
fd = os.open(f"/proc/{pid}/exe", os.O_PATH)
# Let the init exec its program and every cell process end.
subprocess.run([cell, "--root", root, "start", cid], check=True)
subprocess.run([cell, "--root", root, "delete", "-f", cid], check=True)
try:
    os.open(f"/proc/self/fd/{fd}", os.O_WRONLY)
except OSError as e:
    assert e.errno == 30, f"expected EROFS, got {e}"  # EROFS
else:
    raise SystemExit("the host binary could be opened for writing")
PY2
}

test_host_binary_is_read_only_to_the_container() {
  # CVE-2019-5736: the init runs cell's code until it execs the user
  # program. With new mount and pid namespaces the init re-executes itself
  # from a read-only bind in its own mount namespace.
  make_bundle "$TEST_TMP/b"
  set_args "$TEST_TMP/b" '["true"]'
  exe_stays_read_only "$TEST_TMP/b" g1
}

test_host_binary_is_read_only_without_own_namespaces() {
  # Without a pid namespace of its own the init could be seen before any
  # re-exec of its own, so the runtime re-executes itself first.
  make_bundle "$TEST_TMP/b"
  cfg "$TEST_TMP/b" 'c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] not in ("pid", "cgroup")]'
  set_args "$TEST_TMP/b" '["true"]'
  exe_stays_read_only "$TEST_TMP/b" g3
}

test_exec_through_proc_self_exe_cannot_write_the_binary() {
  # The attack: a container program that is `#!/proc/self/exe` makes the
  # exec'ing runtime run itself inside the container, which then opens its
  # own exe for writing.
  make_bundle "$TEST_TMP/b"
  cfg "$TEST_TMP/b" 'c["root"]["readonly"] = False'
  printf '#!/proc/self/exe\n' > "$TEST_TMP/b/rootfs/evil"
  chmod +x "$TEST_TMP/b/rootfs/evil"
  set_args "$TEST_TMP/b" '["sleep", "100"]'
  cell run -d -b "$TEST_TMP/b" g2
  local before; before=$(sha256sum "$CELL_BIN" | cut -d' ' -f1)
  # The runtime binary runs inside the container as /evil's interpreter; it
  # must not be able to open that binary for writing.
  cell exec g2 /evil seccomp compile /dev/null -o /proc/self/exe >/dev/null 2>&1 || true
  cell exec g2 sh -c 'for p in /proc/[0-9]*; do : >> $p/exe; done' 2>/dev/null || true
  assert_eq "$(sha256sum "$CELL_BIN" | cut -d' ' -f1)" "$before" "the host binary changed"
  cell delete -f g2
}

test_no_host_fd_reaches_the_container() {
  # CVE-2024-21626: fds the runtime holds (state dir, cgroup dirs, the log)
  # must never be open in the container, whatever the caller passed.
  make_bundle "$TEST_TMP/b"
  set_args "$TEST_TMP/b" '["sh", "-c", "ls -l /proc/self/fd | grep -v \"^total\" | wc -l; readlink /proc/self/cwd"]'
  local out
  out=$("$CELL_BIN" --root "$CELL_ROOT" --log "$TEST_TMP/log" run -b "$TEST_TMP/b" f1 7<"$TEST_TMP/b/config.json")
  # stdin, stdout, stderr and the fd ls opens.
  assert_eq "$(echo "$out" | head -1)" "4" "fds open in the container"
  assert_eq "$(echo "$out" | tail -1)" "/" "cwd of the container process"
}
