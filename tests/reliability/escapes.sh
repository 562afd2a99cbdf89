# Escape regressions: each container really tries one attack from runc's
# and crun's advisories (the attacker is tests/reliability/lib/attack.c,
# built static, or busybox), and the test checks the host afterwards:
# cell's binary, a host directory the attack aims at, the host's
# core_pattern and /dev/null, and the host's mounts.
# RELIABILITY_RACE_TRIES sets how many starts race each attacker (make stress).
source "$CELL_TESTS/reliability/lib/leaks.sh"

race_tries() { echo "${RELIABILITY_RACE_TRIES:-8}"; }

# The static attacker, built once per source version.
attacker() {
  local src=$CELL_TESTS/reliability/lib/attack.c bin
  bin=/tmp/cell-attack-$(sha1sum "$src" | cut -c1-12)
  if [ ! -x "$bin" ]; then
    gcc -static -O2 -o "$bin.tmp.$$" "$src" || fail "cannot build the attacker (gcc -static)"
    mv "$bin.tmp.$$" "$bin"
  fi
  echo "$bin"
}

# What an escape would change on the host.
host_snapshot() {
  sha256sum "$CELL_BIN" | cut -d' ' -f1
  cat /proc/sys/kernel/core_pattern
  stat -c '%F %t:%T' /dev/null /dev/console 2>&1
  (cd "$TEST_TMP/host" && find . -printf '%p %s %m\n' | sort && cat secret)
  # The host's own mount points (others' tests mount below /tmp and /run).
  awk '$5 ~ /^\/(dev|proc|sys|etc|usr|bin|sbin|lib|root|boot|var)?(\/(pts|shm|mqueue|fs\/cgroup))?$/ {print $4, $5, $9}' \
    /proc/self/mountinfo | sort | md5sum
  grep -c " $TEST_TMP/host" /proc/self/mountinfo || true
}

host_setup() {
  mkdir -p "$TEST_TMP/host"
  echo "host secret $$" >"$TEST_TMP/host/secret"
  host_snapshot >"$TEST_TMP/host.before"
}

assert_host_untouched() {
  host_snapshot >"$TEST_TMP/host.after"
  diff "$TEST_TMP/host.before" "$TEST_TMP/host.after" >&2 || fail "the host changed: $1"
  grep -rq "HOSTMARKER" "$TEST_TMP/host" && fail "the container wrote into the host directory: $1"
  return 0
}

escape_bundle() {
  make_bundle "$1"
  cfg "$1" 'c["root"]["readonly"] = False'
  cp "$(attacker)" "$1/rootfs/attack"
}

# set_sh DIR SCRIPT: process.args = sh -c SCRIPT, quoted as JSON.
set_sh() {
  set_args "$1" "$(python3 -c 'import json,sys; print(json.dumps(["sh", "-c", sys.argv[1]]))' "$2")"
}

pid_of() { cell state "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])'; }

test_cve_2019_5736_exe_from_the_process_an_exec_and_a_shared_pid_namespace() {
  # The container's process holds /proc/PID/exe of every process that
  # enters its pid namespace (an exec, another container's init sharing
  # the namespace, cell run as the interpreter of /proc/self/exe) and tries
  # to reopen each for writing once the runtime is gone.
  host_setup
  escape_bundle "$TEST_TMP/a"
  set_args "$TEST_TMP/a" '["/attack", "exe", "8"]'
  cell create -b "$TEST_TMP/a" x5736 >"$TEST_TMP/a.out" 2>&1
  cell start x5736
  local pid i
  pid=$(pid_of x5736)
  make_bundle "$TEST_TMP/b"
  set_args "$TEST_TMP/b" '["true"]'
  P=$pid cfg "$TEST_TMP/b" 'c["linux"]["namespaces"] = [n if n["type"] != "pid" else {"type": "pid", "path": "/proc/%s/ns/pid" % os.environ["P"]} for n in c["linux"]["namespaces"]]'
  printf '#!/proc/self/exe\n' >"$TEST_TMP/a/rootfs/evil"; chmod +x "$TEST_TMP/a/rootfs/evil"
  for i in $(seq 6); do
    cell exec x5736 /bin/true
    cell exec x5736 /proc/self/exe --version >/dev/null 2>&1 || true
    cell exec x5736 /evil --version >/dev/null 2>&1 || true
    cell run -b "$TEST_TMP/b" "y5736-$i" >/dev/null
  done
  while [ -d "/proc/$pid" ] && [ "$(cell state x5736 | grep -c running)" -gt 0 ]; do sleep 0.2; done
  local out; out=$(cat "$TEST_TMP/a.out")
  assert_contains "$out" "held " "the attacker ran"
  assert_contains "$out" " written 0" "exe fds reopened for writing"
  cell delete -f x5736
  assert_host_untouched "CVE-2019-5736"
  rel_report "CVE-2019-5736 /proc/self/exe (process, exec, shared pidns)" 24
}

# Two containers share a volume. The attacker swaps, as fast as it can,
# a directory of the volume with a symlink to a host path; the victim
# mounts the volume and then a tmpfs on a destination through that
# directory. The tmpfs must land inside the victim's root (its own
# mountinfo shows it) or the start must fail, never on the host path.
# With userns, the victim has a user namespace (root is host uid 100000)
# and the volume lies below the 0700 test dir: the runtime opens the
# rootfs and the volume for it.
cve_2021_30465_race() {
  local userns=$1
  host_setup
  local vol=$TEST_TMP/vol tries i ok=0 refused=0
  mkdir -p "$vol/d/x"
  ln -s "$TEST_TMP/host" "$vol/l"
  escape_bundle "$TEST_TMP/a"
  V=$vol cfg "$TEST_TMP/a" 'c["mounts"].append({"destination": "/vol", "type": "bind", "source": os.environ["V"], "options": ["rbind", "rw"]})'
  tries=$(race_tries)
  set_args "$TEST_TMP/a" "[\"/attack\", \"swap\", \"/vol/d\", \"/vol/l\", \"$((tries + 4))\"]"
  cell create -b "$TEST_TMP/a" a30465 >"$TEST_TMP/a.out" 2>&1
  cell start a30465
  make_bundle "$TEST_TMP/b"
  V=$vol cfg "$TEST_TMP/b" 'c["mounts"] += [{"destination": "/vol", "type": "bind", "source": os.environ["V"], "options": ["rbind", "rw"]}, {"destination": "/vol/d/x", "type": "tmpfs", "source": "tmpfs", "options": ["size=7780k"]}]'
  if [ "$userns" = userns ]; then
    chmod 700 "$TEST_TMP"
    chown -R 100000:100000 "$TEST_TMP/b/rootfs"
    cfg "$TEST_TMP/b" '
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"] + [{"type": "user"}]
c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
c["mounts"] = [m for m in c["mounts"] if m["destination"] not in ("/sys", "/sys/fs/cgroup")]'
  fi
  set_sh "$TEST_TMP/b" 'grep -c size=7780k /proc/self/mountinfo || true'
  for i in $(seq "$tries"); do
    if cell run -b "$TEST_TMP/b" "b30465-$i" >"$TEST_TMP/b.out" 2>&1; then
      assert_eq "$(cat "$TEST_TMP/b.out")" 1 "the victim's tmpfs is not inside its root (try $i)"
      ok=$((ok + 1))
    else
      refused=$((refused + 1))
      assert_contains "$(cat "$TEST_TMP/b.out")" "mounts[" "a refused start names the mount"
      [ ! -e "$CELL_ROOT/b30465-$i" ] || fail "a refused start left its state"
    fi
    sleep 0.3
  done
  cell delete -f a30465
  assert_contains "$(cat "$TEST_TMP/a.out")" "swapping " "the attacker ran"
  [ ! -e "$TEST_TMP/host/x" ] || fail "a mount destination was made on the host"
  assert_host_untouched "CVE-2021-30465"
  echo "$tries starts against $(cat "$TEST_TMP/a.out"): $ok inside the root, $refused refused"
  rel_report "CVE-2021-30465 symlink-exchange race${userns:+ ($userns)} ($ok inside, $refused refused)" "$tries"
}

test_cve_2021_30465_symlink_exchange_race_on_a_mount_destination() {
  cve_2021_30465_race ""
}

test_cve_2021_30465_race_with_a_user_namespace_and_a_0700_volume_dir() {
  cve_2021_30465_race userns
}

cwd_probe='ls -a . .. ../.. ../../.. 2>&1 | tr "\n" " "; echo; readlink /proc/self/cwd'

test_cve_2024_21626_cwd_through_a_leaked_fd() {
  # process.cwd and exec --cwd as /proc/self/fd/N, with host directories
  # open in the caller at 7, 8 and 9: the process must never start in a
  # host directory (its listing would show HOSTMARKER).
  host_setup
  mkdir -p "$TEST_TMP/host/HOSTMARKER"
  make_bundle "$TEST_TMP/b"
  local n out
  for n in 3 4 5 6 7 8 9 10 11 12; do
    cfg "$TEST_TMP/b" "c['process']['cwd'] = '/proc/self/fd/$n'"
    set_sh "$TEST_TMP/b" "$cwd_probe"
    out=$(cell run -b "$TEST_TMP/b" "c21626-$n" 7<"$TEST_TMP/host" 8</ 9<"$TEST_TMP" 2>&1) || true
    assert_not_contains "$out" "HOSTMARKER" "process.cwd /proc/self/fd/$n reached the host"
    assert_not_contains "$out" "unreachable" "process.cwd /proc/self/fd/$n is outside the root"
  done
  make_bundle "$TEST_TMP/s"
  set_args "$TEST_TMP/s" '["sleep", "100"]'
  cell run -d -b "$TEST_TMP/s" e21626 7<"$TEST_TMP/host" 8</
  for n in 3 4 5 6 7 8 9 10 11 12; do
    out=$(cell exec --cwd "/proc/self/fd/$n" e21626 sh -c "$cwd_probe" 7<"$TEST_TMP/host" 8</ 9<"$TEST_TMP" 2>&1) || true
    assert_not_contains "$out" "HOSTMARKER" "exec --cwd /proc/self/fd/$n reached the host"
    assert_not_contains "$out" "unreachable" "exec --cwd /proc/self/fd/$n is outside the root"
  done
  cell delete -f e21626
  rmdir "$TEST_TMP/host/HOSTMARKER"
  assert_host_untouched "CVE-2024-21626"
  rel_report "CVE-2024-21626 cwd through leaked fds (run, exec)" 20
}

# A victim whose /dev is a directory it shares with an attacker (a bind of
# $TEST_TMP/devshare) instead of a tmpfs of its own, so that the attacker
# decides what /dev/null and /dev/console are while the victim starts.
shared_dev_bundle() {
  make_bundle "$1"
  D=$TEST_TMP/devshare cfg "$1" 'c["mounts"] = [m for m in c["mounts"] if m["destination"] != "/dev"] + []; c["mounts"].insert(1, {"destination": "/dev", "type": "bind", "source": os.environ["D"], "options": ["rbind", "rw"]})'
}

# Writes go to each masked file: harmless into /dev/null, and the host
# snapshot catches one that reaches core_pattern (restored afterwards).
masked_probe='for f in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug /proc/scsi; do (echo core-cell-test > $f) 2>/dev/null; head -c 64 $f 2>/dev/null | grep -q . && echo "read $f"; done; echo probed'

test_cve_2025_31133_dev_null_replaced_before_masking() {
  # maskedPaths bind /dev/null over files: a /dev/null that is a symlink to
  # core_pattern, to a host file, a regular file or nothing must never
  # become a writable mount over a masked path.
  local saved; saved=$(cat /proc/sys/kernel/core_pattern)
  at_cleanup "printf '%s\n' '$saved' > /proc/sys/kernel/core_pattern"
  host_setup
  mkdir -p "$TEST_TMP/devshare"
  shared_dev_bundle "$TEST_TMP/b"
  set_sh "$TEST_TMP/b" "$masked_probe"
  local kind out rc
  for kind in core-pattern host-file file missing; do
    rm -rf "$TEST_TMP/devshare"; mkdir -p "$TEST_TMP/devshare"
    case $kind in
      core-pattern) ln -s /proc/sys/kernel/core_pattern "$TEST_TMP/devshare/null" ;;
      host-file) ln -s "$TEST_TMP/host/secret" "$TEST_TMP/devshare/null" ;;
      file) echo planted >"$TEST_TMP/devshare/null" ;;
    esac
    rc=0; out=$(cell run -b "$TEST_TMP/b" "n31133-$kind" 2>&1) || rc=$?
    if [ "$rc" -eq 0 ]; then
      assert_contains "$out" probed "the probe ran ($kind)"
      assert_not_contains "$out" "read " "a masked path was readable with /dev/null as $kind"
    fi
    [ ! -e "$CELL_ROOT/n31133-$kind" ] || fail "state left ($kind)"
  done
  # The race: an attacker sharing the directory swaps /dev/null with a
  # symlink to core_pattern while the victim starts, again and again.
  rm -rf "$TEST_TMP/devshare"; mkdir -p "$TEST_TMP/devshare"
  mknod -m 666 "$TEST_TMP/devshare/null" c 1 3
  ln -s /proc/sys/kernel/core_pattern "$TEST_TMP/devshare/evil"
  escape_bundle "$TEST_TMP/a"
  D=$TEST_TMP/devshare cfg "$TEST_TMP/a" 'c["mounts"].append({"destination": "/share", "type": "bind", "source": os.environ["D"], "options": ["rbind", "rw"]})'
  set_args "$TEST_TMP/a" "[\"/attack\", \"swap\", \"/share/null\", \"/share/evil\", \"$(( $(race_tries) + 4 ))\"]"
  cell create -b "$TEST_TMP/a" a31133 >"$TEST_TMP/a.out" 2>&1
  cell start a31133
  local i
  for i in $(seq "$(race_tries)"); do
    out=$(cell run -b "$TEST_TMP/b" "r31133-$i" 2>&1) || true
    assert_not_contains "$out" "read " "a masked path was readable (race try $i)"
  done
  cell delete -f a31133
  assert_host_untouched "CVE-2025-31133"
  rel_report "CVE-2025-31133 /dev/null replaced (4 static, racing)" $(( 4 + $(race_tries) ))
}

test_cve_2025_52565_dev_console_symlink_to_a_host_path() {
  # A tty container whose /dev/console is a symlink to a host file or to
  # core_pattern: the pty must not be mounted over the target.
  host_setup
  local kind out
  for kind in host-file core-pattern; do
    rm -rf "$TEST_TMP/devshare"; mkdir -p "$TEST_TMP/devshare"
    mknod -m 666 "$TEST_TMP/devshare/null" c 1 3
    mkdir -p "$TEST_TMP/devshare/pts"; ln -s pts/ptmx "$TEST_TMP/devshare/ptmx"
    case $kind in
      host-file) ln -s "$TEST_TMP/host/secret" "$TEST_TMP/devshare/console" ;;
      core-pattern) ln -s /proc/sys/kernel/core_pattern "$TEST_TMP/devshare/console" ;;
    esac
    shared_dev_bundle "$TEST_TMP/b-$kind"
    cfg "$TEST_TMP/b-$kind" 'c["process"]["terminal"] = True'
    set_args "$TEST_TMP/b-$kind" '["sh", "-c", "echo pwned > /dev/console; grep -c /dev/console /proc/self/mountinfo"]'
    out=$(cell run -b "$TEST_TMP/b-$kind" "c52565-$kind" </dev/null 2>&1) || true
    assert_not_contains "$out" "open \`/dev/ptmx\`" "the tty container did not get that far"
    [ -L "$TEST_TMP/devshare/console" ] || fail "the /dev/console symlink was replaced on the host side ($kind)"
    [ ! -e "$CELL_ROOT/c52565-$kind" ] || fail "state left ($kind)"
  done
  assert_host_untouched "CVE-2025-52565: $out"
  rel_report "CVE-2025-52565 /dev/console symlink (tty)" 2
}

test_cve_2025_52881_proc_writes_redirected_through_a_shared_mount() {
  # The runtime writes oom_score_adj, sysctls and id maps through /proc. A
  # container whose /proc is not procfs (a shared directory with symlinks
  # to a host file planted where those files should be) must not get the
  # writes redirected: refused, or written to the real procfs.
  host_setup
  local fake=$TEST_TMP/fakeproc out rc
  mkdir -p "$fake/self" "$fake/sys/net/ipv4" "$fake/sys/kernel"
  for f in oom_score_adj setgroups uid_map gid_map; do ln -s "$TEST_TMP/host/secret" "$fake/self/$f"; done
  ln -s "$TEST_TMP/host/secret" "$fake/sys/net/ipv4/ip_forward"
  ln -s /proc/sys/kernel/core_pattern "$fake/sys/kernel/shm_rmid_forced"
  make_bundle "$TEST_TMP/b"
  F=$fake cfg "$TEST_TMP/b" 'c["mounts"] = [m if m["destination"] != "/proc" else {"destination": "/proc", "type": "bind", "source": os.environ["F"], "options": ["rbind", "rw"]} for m in c["mounts"]]; c["process"]["oomScoreAdj"] = 123; c["linux"]["sysctl"] = {"net.ipv4.ip_forward": "1", "kernel.shm_rmid_forced": "1"}'
  set_args "$TEST_TMP/b" '["cat", "/proc/self/oom_score_adj"]'
  rc=0; out=$(cell run -b "$TEST_TMP/b" p52881 2>&1) || rc=$?
  [ "$rc" -ne 0 ] && assert_contains "$out" "/proc" "the refusal names /proc"
  [ ! -e "$CELL_ROOT/p52881" ] || fail "state left"
  assert_host_untouched "CVE-2025-52881: $out"
  rel_report "CVE-2025-52881 /proc writes through a non-procfs /proc" 1
}

test_mount_destinations_through_dotdot_and_absolute_symlinks_stay_inside() {
  # Each destination alone: its tmpfs shows in the container's own
  # mountinfo, or the start is refused naming the mount; never a mount
  # point on the host.
  host_setup
  local d i=0 out rc inside=0 refused=0
  for d in /../../../../a1 /x/../../../a2 /toroot/a3 /tohost/a4 /tohost/../../a5 /toroot/../../a6; do
    i=$((i + 1))
    make_bundle "$TEST_TMP/b$i"
    cfg "$TEST_TMP/b$i" 'c["root"]["readonly"] = False'
    ln -s / "$TEST_TMP/b$i/rootfs/toroot"
    ln -s "$TEST_TMP/host" "$TEST_TMP/b$i/rootfs/tohost"
    D=$d cfg "$TEST_TMP/b$i" 'c["mounts"].append({"destination": os.environ["D"], "type": "tmpfs", "source": "tmpfs", "options": ["size=6004k"]})'
    set_sh "$TEST_TMP/b$i" 'grep -c size=6004k /proc/self/mountinfo || true'
    rc=0; out=$(cell run -b "$TEST_TMP/b$i" "md$i" 2>&1) || rc=$?
    if [ "$rc" -eq 0 ]; then
      assert_eq "$out" 1 "the tmpfs for $d inside the container"; inside=$((inside + 1))
    else
      assert_contains "$out" "mounts[" "the refusal of $d names the mount"; refused=$((refused + 1))
    fi
  done
  for d in a1 a2 a3 a4 a5 a6; do [ ! -e "$TEST_TMP/host/$d" ] && [ ! -e "/$d" ] || fail "a mount point $d was made on the host"; done
  assert_host_untouched "mount destinations"
  echo "$inside inside the root, $refused refused"
  rel_report "mount destinations via .. and symlinks ($inside inside, $refused refused)" 6
}

test_proc_and_sys_over_mounts_are_refused_or_stay_procfs() {
  host_setup
  mkdir -p "$TEST_TMP/fake"
  local dest out rc
  local i=0
  for dest in /proc /sys /proc/sys /proc/self /proc/sysrq-trigger; do
    i=$((i + 1))
    make_bundle "$TEST_TMP/b$i"
    D=$dest F=$TEST_TMP/fake cfg "$TEST_TMP/b$i" 'c["mounts"].append({"destination": os.environ["D"], "type": "bind", "source": os.environ["F"], "options": ["rbind", "rw"]})'
    set_sh "$TEST_TMP/b$i" 'stat -f -c %T /proc /proc/self /proc/sys | tr "\n" " "'
    rc=0; out=$(cell run -b "$TEST_TMP/b$i" "o$i" 2>&1) || rc=$?
    if [ "$rc" -eq 0 ]; then
      assert_eq "$out" "proc proc proc " "/proc after a mount over $dest"
    else
      assert_contains "$out" "mounts[" "the refusal of a mount over $dest names the field"
    fi
  done
  assert_host_untouched "proc and sys over-mounts"
  rel_report "/proc and /sys over-mounts" 5
}

test_device_paths_outside_dev_stay_inside_and_relative_hook_paths_are_refused() {
  # A linux.devices path outside /dev, or climbing out with `..`: the node
  # is made inside the root (as runc and crun do) or refused, never on the
  # host. A hook with a relative path is refused naming it.
  host_setup
  local p i=0 out rc
  for p in /tmp/evil "/dev/../../../..$TEST_TMP/host/evil" /dev/../etc/evil; do
    i=$((i + 1))
    make_bundle "$TEST_TMP/b$i"
    P=$p cfg "$TEST_TMP/b$i" 'c["linux"]["devices"] = [{"path": os.environ["P"], "type": "c", "major": 1, "minor": 3}]'
    P=$p cfg "$TEST_TMP/b$i" 'import os.path; c["process"]["args"] = ["sh", "-c", "ls -l " + os.path.normpath(os.environ["P"])]'
    rc=0; out=$(cell run -b "$TEST_TMP/b$i" "dv$i" 2>&1) || rc=$?
    if [ "$rc" -eq 0 ]; then assert_contains "$out" "1,   3" "device $p inside the container"
    else assert_contains "$out" "linux.devices[0]" "the refusal of $p names the field"; fi
    [ ! -e "$CELL_ROOT/dv$i" ] || fail "state left for device $p"
  done
  [ ! -e "$TEST_TMP/host/evil" ] && [ ! -e /tmp/evil ] || fail "a device node was made on the host"
  i=0
  for p in true ./true ../bin/true; do
    i=$((i + 1))
    make_bundle "$TEST_TMP/h$i"
    P=$p cfg "$TEST_TMP/h$i" 'c["hooks"] = {"prestart": [{"path": os.environ["P"]}]}'
    assert_fails_with "hooks.prestart[0].path" cell run -b "$TEST_TMP/h$i" "hk$i"
  done
  assert_host_untouched "device and hook paths"
  rel_report "device paths outside /dev, relative hook paths" 6
}

# cell with every fd above 3 of ours closed: only fd 3 is the caller's.
cell_fd3() {
  python3 -c 'import os, sys; os.closerange(4, 65536); os.execv(sys.argv[1], sys.argv[1:])' \
    "$CELL_BIN" --root "$CELL_ROOT" "$@"
}

test_preserve_fds_past_what_exists() {
  # More fds asked for than the caller has: the container gets the
  # caller's and never one of the runtime's own (the exec stub's memfd,
  # an exec's pidfd or pipes), for run and for exec.
  make_bundle "$TEST_TMP/b"
  set_sh "$TEST_TMP/b" 'for f in /proc/self/fd/*; do [ ${f##*/} -gt 2 ] && readlink $f; done | grep -c -e memfd -e pidfd -e pipe -e socket; ls /proc/self/fd | wc -l'
  local n out
  for n in 1 5 100 1000; do
    out=$(cell_fd3 run --preserve-fds "$n" -b "$TEST_TMP/b" pf1 3<"$TEST_TMP/b/config.json" </dev/null 2>&1) ||
      fail "--preserve-fds $n with one extra fd open: $out"
    # No runtime fd; stdin, stdout, stderr, fd 3 and the one ls opens.
    assert_eq "$(echo $out)" "0 5" "fds in the container with --preserve-fds $n"
  done
  make_bundle "$TEST_TMP/s"
  set_args "$TEST_TMP/s" '["sleep", "100"]'
  cell run -d -b "$TEST_TMP/s" pf3 </dev/null
  for n in 1 5 100; do
    out=$(cell_fd3 exec --preserve-fds "$n" pf3 sh -c 'for f in /proc/self/fd/*; do [ ${f##*/} -gt 2 ] && readlink $f; done | grep -c -e memfd -e pidfd -e pipe -e socket -e anon; ls /proc/self/fd | wc -l' 3<"$TEST_TMP/b/config.json" </dev/null 2>&1) ||
      fail "exec --preserve-fds $n: $out"
    assert_eq "$(echo $out)" "0 5" "fds in an exec with --preserve-fds $n"
  done
  cell delete -f pf3
  assert_fails_with "--preserve-fds" cell run --preserve-fds -1 -b "$TEST_TMP/b" pf2
  assert_fails_with "--preserve-fds" cell run --preserve-fds 19000 -b "$TEST_TMP/b" pf2
  rel_report "--preserve-fds past what exists (run, exec)" 9
}
