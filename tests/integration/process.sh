# Process set-up as the container's program sees it: capabilities, ids,
# umask, rlimits, noNewPrivileges, hostname, sysctl, oomScoreAdj,
# personality, scheduler, ioPriority, env, cwd, the terminal, and the errors
# of bad values.
#
# `assert_fails_with ... || true`: see cli.sh (set -e and command substitution).

# out_of B CMD...: run CMD in bundle B's container, print its output. The
# arguments travel through the environment, so any quoting survives. The
# rootfs is made 0755 for tests that run as another user.
out_of() {
  local b=$1; shift
  chmod 755 "$b/rootfs"
  OUT_OF_ARGS=$(python3 -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@") \
    cfg "$b" 'import os; c["process"]["args"] = json.loads(os.environ["OUT_OF_ARGS"])'
  cell run -b "$b" "ct$RANDOM"
}

test_caps_custom_sets() {
  make_bundle "$TEST_TMP/b"
  cfg "$TEST_TMP/b" '
s = ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
c["process"]["capabilities"] = {"bounding": s, "effective": s, "permitted": s,
                                "inheritable": ["CAP_KILL"], "ambient": ["CAP_KILL"]}'
  local out
  out=$(out_of "$TEST_TMP/b" grep Cap /proc/self/status)
  assert_contains "$out" "CapInh:	0000000000000020"
  assert_contains "$out" "CapPrm:	0000000000000421"
  assert_contains "$out" "CapEff:	0000000000000421"
  assert_contains "$out" "CapBnd:	0000000000000421"
  assert_contains "$out" "CapAmb:	0000000000000020"
}

# A non-root user keeps only its ambient capabilities across exec.
test_caps_ambient_non_root() {
  make_bundle "$TEST_TMP/b"
  cfg "$TEST_TMP/b" '
s = ["CAP_NET_BIND_SERVICE", "CAP_KILL"]
c["process"]["user"] = {"uid": 1000, "gid": 1000}
c["process"]["capabilities"] = {"bounding": s, "effective": s, "permitted": s,
                                "inheritable": s, "ambient": ["CAP_NET_BIND_SERVICE"]}'
  local out
  out=$(out_of "$TEST_TMP/b" grep Cap /proc/self/status)
  assert_contains "$out" "CapInh:	0000000000000420"
  assert_contains "$out" "CapPrm:	0000000000000400"
  assert_contains "$out" "CapEff:	0000000000000400"
  assert_contains "$out" "CapBnd:	0000000000000420"
  assert_contains "$out" "CapAmb:	0000000000000400"
}

# CVE-2022-29162: no inheritable capabilities unless asked, and none at all
# without process.capabilities.
test_caps_inheritable_empty_by_default() {
  make_bundle "$TEST_TMP/b"
  local out
  out=$(out_of "$TEST_TMP/b" grep Cap /proc/self/status)
  assert_contains "$out" "CapInh:	0000000000000000"
  assert_contains "$out" "CapAmb:	0000000000000000"
  cfg "$TEST_TMP/b" 'del c["process"]["capabilities"]'
  out=$(out_of "$TEST_TMP/b" grep Cap /proc/self/status)
  assert_contains "$out" "CapEff:	0000000000000000"
  assert_contains "$out" "CapBnd:	0000000000000000"
}

test_user_ids_and_groups() {
  make_bundle "$TEST_TMP/b"
  cfg "$TEST_TMP/b" 'c["process"]["user"] = {"uid": 1000, "gid": 1001, "additionalGids": [10, 20]}'
  local out
  out=$(out_of "$TEST_TMP/b" id)
  assert_eq "$out" "uid=1000 gid=1001 groups=10,20"
  out=$(out_of "$TEST_TMP/b" grep -E '^(Uid|Gid|Groups)' /proc/self/status)
  assert_contains "$out" "Uid:	1000	1000	1000	1000"
  assert_contains "$out" "Gid:	1001	1001	1001	1001"
}

test_umask() {
  make_bundle "$TEST_TMP/b"
  assert_eq "$(out_of "$TEST_TMP/b" sh -c umask)" "0022" "default umask"
  cfg "$TEST_TMP/b" 'c["process"]["user"]["umask"] = 0o077'
  assert_eq "$(out_of "$TEST_TMP/b" sh -c umask)" "0077"
}

test_rlimits() {
  make_bundle "$TEST_TMP/b"
  cfg "$TEST_TMP/b" 'c["process"]["rlimits"] = [
    {"type": "RLIMIT_NOFILE", "soft": 1234, "hard": 2345},
    {"type": "RLIMIT_CORE", "soft": 0, "hard": 0}]'
  assert_eq "$(out_of "$TEST_TMP/b" sh -c 'ulimit -n; ulimit -Hn')" "1234
2345"
  local out
  out=$(out_of "$TEST_TMP/b" cat /proc/self/limits)
  [[ "$out" =~ Max\ open\ files\ +1234\ +2345\ +files ]] || fail "limits: $out"
  [[ "$out" =~ Max\ core\ file\ size\ +0\ +0\ +bytes ]] || fail "limits: $out"
}

# RLIM_INFINITY as runc's Go types write it (uint64 18446744073709551615,
# podman's --ulimit core=-1): jansson refused it as a "too big integer".
test_rlimits_unlimited_as_uint64_max() {
  make_bundle "$TEST_TMP/b"
  cfg "$TEST_TMP/b" 'c["process"]["rlimits"] = [
    {"type": "RLIMIT_CORE", "soft": 2**64 - 1, "hard": 2**64 - 1},
    {"type": "RLIMIT_FSIZE", "soft": 2**63, "hard": 2**64 - 1}]'
  local out
  out=$(out_of "$TEST_TMP/b" cat /proc/self/limits)
  [[ "$out" =~ Max\ core\ file\ size\ +unlimited\ +unlimited\ +bytes ]] || fail "limits: $out"
  [[ "$out" =~ Max\ file\ size\ +9223372036854775808\ +unlimited\ +bytes ]] || fail "limits: $out"
}

test_rlimit_above_hard_limit_fails() {
  local hard
  hard=$(ulimit -Hn)
  [ "$hard" != unlimited ] || skip "no hard RLIMIT_NOFILE here"
  local eff
  eff=$(awk '/^CapEff:/ {print $2}' /proc/self/status)
  (( (0x$eff >> 24) & 1 )) && skip "CAP_SYS_RESOURCE held: the hard limit can be raised"
  make_bundle "$TEST_TMP/b"
  local want=$((hard + 10000))
  cfg "$TEST_TMP/b" "c['process']['rlimits'] = [{'type': 'RLIMIT_NOFILE', 'soft': $want, 'hard': $want}]"
  cfg "$TEST_TMP/b" 'c["process"]["args"] = ["true"]'
  assert_fails_with "RLIMIT_NOFILE" cell run -b "$TEST_TMP/b" rl1 || true
  assert_contains "$LAST_ERR" "hard $want"
  assert_contains "$LAST_ERR" "above $hard"
  [ ! -e "$CELL_ROOT/rl1" ] || fail "state of a failed create left behind"
}

test_no_new_privileges() {
  make_bundle "$TEST_TMP/b"
  cfg "$TEST_TMP/b" 'c["process"]["noNewPrivileges"] = True'
  assert_contains "$(out_of "$TEST_TMP/b" grep NoNewPrivs /proc/self/status)" "NoNewPrivs:	1"
  cfg "$TEST_TMP/b" 'c["process"]["noNewPrivileges"] = False'
  assert_contains "$(out_of "$TEST_TMP/b" grep NoNewPrivs /proc/self/status)" "NoNewPrivs:	0"
}

test_hostname_domainname() {
  make_bundle "$TEST_TMP/b"
  cfg "$TEST_TMP/b" 'c["hostname"] = "box1"; c["domainname"] = "example.org"'
  assert_eq "$(out_of "$TEST_TMP/b" sh -c 'hostname; cat /proc/sys/kernel/domainname')" "box1
example.org"
}

test_sysctl_namespaced() {
  make_bundle "$TEST_TMP/b"
  cfg "$TEST_TMP/b" '
ns = [n["type"] for n in c["linux"]["namespaces"]]
for t in ("ipc", "network", "uts"):
    if t not in ns:
        c["linux"]["namespaces"].append({"type": t})
c["linux"]["sysctl"] = {"kernel.msgmax": "12345", "net.ipv4.ip_forward": "1",
                        "kernel.domainname": "sysctl.example"}'
  assert_eq "$(out_of "$TEST_TMP/b" cat /proc/sys/kernel/msgmax /proc/sys/net/ipv4/ip_forward \
    /proc/sys/kernel/domainname)" "12345
1
sysctl.example"
}

test_sysctl_not_namespaced_refused() {
  make_bundle "$TEST_TMP/b"
  cfg "$TEST_TMP/b" 'c["linux"]["sysctl"] = {"vm.swappiness": "10"}'
  assert_fails_with "sysctl \`vm.swappiness\` is not namespaced" cell run -b "$TEST_TMP/b" s1 || true
  [ ! -e "$CELL_ROOT/s1" ] || fail "state of a refused config left behind"
  # net.* in the host's network namespace.
  cfg "$TEST_TMP/b" '
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]
c["linux"]["sysctl"] = {"net.ipv4.ip_forward": "1"}'
  assert_fails_with "sysctl \`net.ipv4.ip_forward\` needs a network namespace" \
    cell run -b "$TEST_TMP/b" s2 || true
}

test_oom_score_adj() {
  make_bundle "$TEST_TMP/b"
  cfg "$TEST_TMP/b" 'c["process"]["oomScoreAdj"] = 300'
  assert_eq "$(out_of "$TEST_TMP/b" cat /proc/self/oom_score_adj)" "300"
}

test_personality_linux32() {
  make_bundle "$TEST_TMP/b"
  [ "$(uname -m)" = x86_64 ] || skip "LINUX32 checked on x86_64 only"
  cfg "$TEST_TMP/b" 'c["linux"]["personality"] = {"domain": "LINUX32"}'
  assert_eq "$(out_of "$TEST_TMP/b" uname -m)" "i686"
}

test_scheduler_and_io_priority() {
  make_bundle "$TEST_TMP/b"
  cfg "$TEST_TMP/b" '
c["process"]["scheduler"] = {"policy": "SCHED_BATCH", "nice": 7}
c["process"]["ioPriority"] = {"class": "IOPRIO_CLASS_BE", "priority": 3}'
  local out
  out=$(out_of "$TEST_TMP/b" sh -c 'grep ^policy /proc/self/sched; cut -d" " -f19 /proc/self/stat; ionice')
  [[ "$out" =~ policy\ +:\ +3 ]] || fail "policy: $out"
  assert_contains "$out" "
7
"
  assert_contains "$out" "best-effort: prio 3"
}

test_env_and_cwd() {
  make_bundle "$TEST_TMP/b"
  cfg "$TEST_TMP/b" 'c["process"]["env"] = ["FOO=bar baz", "PATH=/bin:/sbin"]; c["process"]["cwd"] = "/tmp"'
  assert_eq "$(out_of "$TEST_TMP/b" sh -c 'pwd; echo "$FOO"; echo "$PATH"')" "/tmp
bar baz
/bin:/sbin"
}

test_terminal_console_socket() {
  make_bundle "$TEST_TMP/b"
  cfg "$TEST_TMP/b" '
c["process"]["terminal"] = True
c["process"]["consoleSize"] = {"height": 30, "width": 100}
c["process"]["args"] = ["sh", "-c", "tty; stty size; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-tty; ls -l /dev/console"]'
  local sock=$TEST_TMP/console.sock
  python3 "$CELL_TESTS/lib/console-recv.py" "$sock" "$TEST_TMP/info" > "$TEST_TMP/out" &
  local rpid=$!
  local i
  for i in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
  cell run -b "$TEST_TMP/b" --console-socket "$sock" tty1 > "$TEST_TMP/run.out" 2>&1 ||
    fail "run with a console socket: $(cat "$TEST_TMP/run.out")"
  wait "$rpid" || fail "console receiver failed"
  local out info
  out=$(tr -d '\r' < "$TEST_TMP/out")
  info=$(cat "$TEST_TMP/info")
  assert_contains "$info" "payload=/dev/ptmx"
  assert_contains "$info" "size=100x30"
  assert_contains "$out" "/dev/pts/0"
  assert_contains "$out" "30 100"
  assert_contains "$out" "all-tty"
  assert_contains "$out" "136,"   # /dev/console is the pty slave
}

test_unknown_executable_fails() {
  make_bundle "$TEST_TMP/b"
  cfg "$TEST_TMP/b" 'c["process"]["args"] = ["nosuchprog"]'
  assert_fails_with "executable file \`nosuchprog\` not found in \$PATH" \
    cell run -b "$TEST_TMP/b" x1 || true
  [ ! -e "$CELL_ROOT/x1" ] || fail "state left behind"
  cfg "$TEST_TMP/b" 'c["process"]["args"] = ["/etc/passwd"]'
  assert_fails_with "\`/etc/passwd\`: permission denied" cell run -b "$TEST_TMP/b" x2 || true
}

# A missing cwd is made (as runc and crun do); one that cannot be made is
# an error naming process.cwd, and nothing is left.
test_missing_cwd_is_made_bad_cwd_fails() {
  make_bundle "$TEST_TMP/b"
  cfg "$TEST_TMP/b" 'c["process"]["cwd"] = "/nonexistent/sub"; c["process"]["args"] = ["pwd"]'
  assert_eq "$(cell run -b "$TEST_TMP/b" c0)" /nonexistent/sub
  [ -d "$TEST_TMP/b/rootfs/nonexistent/sub" ] || fail "the cwd was not made in the rootfs"
  cfg "$TEST_TMP/b" 'c["process"]["cwd"] = "/etc/passwd/sub"'
  assert_fails_with "process.cwd \`/etc/passwd/sub\`" cell run -b "$TEST_TMP/b" c1 || true
  [ ! -e "$CELL_ROOT/c1" ] || fail "state left behind"
}
