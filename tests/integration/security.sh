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

test_init_reaches_its_program_through_the_exec_stub() {
  # CVE-2019-5736 with a pid namespace of its own: the init execs the user
  # program through the sealed exec stub, so a program that resolves to
  # /proc/self/exe runs the stub (which refuses), never cell's binary.
  make_bundle "$TEST_TMP/b"
  cfg "$TEST_TMP/b" 'c["root"]["readonly"] = False'
  printf '#!/proc/self/exe\n' > "$TEST_TMP/b/rootfs/evil"
  chmod +x "$TEST_TMP/b/rootfs/evil"
  ln -s /proc/self/exe "$TEST_TMP/b/rootfs/evil2"
  local before; before=$(sha256sum "$CELL_BIN" | cut -d' ' -f1)
  local arg rc
  for arg in /evil /evil2; do
    set_args "$TEST_TMP/b" "[\"$arg\", \"--log\", \"/proc/self/exe\", \"spec\"]"
    rc=0
    cell run -b "$TEST_TMP/b" "st${arg#/evil}" >/dev/null 2>&1 || rc=$?
    assert_eq "$rc" 127 "exit code of $arg, run by the stub that refuses it"
  done
  # What the container's processes run as: their own program, not cell.
  set_args "$TEST_TMP/b" '["sh", "-c", "readlink /proc/self/exe; readlink /proc/1/exe"]'
  local out; out=$(cell run -b "$TEST_TMP/b" st3)
  assert_eq "$out" "$(printf '/bin/busybox\n/bin/busybox')" "exe of the container's processes"
  assert_eq "$(sha256sum "$CELL_BIN" | cut -d' ' -f1)" "$before" "the host binary changed"
}

test_exec_waits_for_start_when_the_init_is_cell() {
  # Before start an init going through the stub still runs cell's binary:
  # nothing of the container may see it, so exec waits for start.
  make_bundle "$TEST_TMP/b"
  set_args "$TEST_TMP/b" '["sleep", "100"]'
  cell create -b "$TEST_TMP/b" w1
  assert_fails_with "cannot exec in container \`w1\`: it is created, not started" cell exec w1 true
  cell start w1
  cell exec w1 true
  cell delete -f w1
}

test_exec_stub_reports_exec_failures() {
  # The stub carries the exec's errno back: start (and run) fail with it.
  make_bundle "$TEST_TMP/b"
  cfg "$TEST_TMP/b" 'c["root"]["readonly"] = False'
  printf 'not a program\n' > "$TEST_TMP/b/rootfs/junk"
  chmod +x "$TEST_TMP/b/rootfs/junk"
  set_args "$TEST_TMP/b" '["/junk"]'
  cell create -b "$TEST_TMP/b" x1
  assert_fails_with "start container \`x1\`: exec \`/junk\`: Exec format error" cell start x1
  assert_eq "$(cell state x1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')" stopped
  cell delete x1
  assert_fails_with "exec \`/junk\`: Exec format error" cell run -b "$TEST_TMP/b" x2
  [ ! -e "$CELL_ROOT/x2" ] || fail "state dir left after a failed run"
}

test_host_binary_is_read_only_without_own_namespaces() {
  # Without a pid namespace of its own the init could be seen before it
  # execs, so the runtime re-executes itself from a read-only bind first.
  make_bundle "$TEST_TMP/b"
  cfg "$TEST_TMP/b" 'c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] not in ("pid", "cgroup")]'
  set_args "$TEST_TMP/b" '["true"]'
  exe_stays_read_only "$TEST_TMP/b" g3
}

test_host_binary_is_read_only_with_hooks_in_the_container() {
  # startContainer hooks run in the container before the user program.
  make_bundle "$TEST_TMP/b"
  cfg "$TEST_TMP/b" 'c["hooks"] = {"startContainer": [{"path": "/bin/true"}]}'
  set_args "$TEST_TMP/b" '["true"]'
  exe_stays_read_only "$TEST_TMP/b" g4
}

test_host_binary_is_read_only_when_the_filter_refuses_the_stub() {
  # A filter that denies execveat leaves the stub out.
  make_bundle "$TEST_TMP/b"
  cfg "$TEST_TMP/b" 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["execveat"], "action": "SCMP_ACT_ERRNO"}]}'
  set_args "$TEST_TMP/b" '["true"]'
  exe_stays_read_only "$TEST_TMP/b" g5
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
