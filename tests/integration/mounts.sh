# The container's file system: mounts and their options, /dev, masked and
# read-only paths, root.readonly, propagation, symlink escapes, and errors
# that leave nothing mounted on the host.
#
# `assert_fails_with ... || true`: see cli.sh.

args() { cfg "$1" "c['process']['args'] = json.loads('''$2''')"; }
add_mount() { cfg "$1" "c['mounts'].append(json.loads('''$2'''))"; }
# run_sh BUNDLE SCRIPT: run `sh -c SCRIPT` in the container, print its output.
run_sh() {
  python3 - "$1/config.json" "$2" <<'PY'
import json, sys
p, s = sys.argv[1], sys.argv[2]
c = json.load(open(p))
c["process"]["args"] = ["sh", "-c", s]
json.dump(c, open(p, "w"), indent=2)
PY
  cell run -b "$1" "m$RANDOM"
}

test_bind_ro_and_rw() {
  make_bundle "$TEST_TMP/b"
  mkdir "$TEST_TMP/data" && echo hostdata > "$TEST_TMP/data/file"
  add_mount "$TEST_TMP/b" "{\"destination\": \"/ro\", \"type\": \"bind\", \"source\": \"$TEST_TMP/data\", \"options\": [\"bind\", \"ro\"]}"
  add_mount "$TEST_TMP/b" "{\"destination\": \"/rw\", \"source\": \"$TEST_TMP/data\", \"options\": [\"rbind\", \"rw\"]}"
  local out
  out=$(run_sh "$TEST_TMP/b" 'cat /ro/file; touch /ro/x 2>/dev/null || echo ro-refused; touch /rw/y && echo rw-ok; grep " /ro " /proc/mounts')
  assert_contains "$out" "hostdata"
  assert_contains "$out" "ro-refused"
  assert_contains "$out" "rw-ok"
  assert_contains "$out" " /ro ext4 ro," "/ro is not read-only in /proc/mounts"
  [ -e "$TEST_TMP/data/y" ] || fail "write through the rw bind did not reach the host dir"
  [ ! -e "$TEST_TMP/data/x" ] || fail "write through the ro bind reached the host dir"
}

test_relative_bind_source_is_bundle_relative() {
  make_bundle "$TEST_TMP/b"
  mkdir "$TEST_TMP/b/rel" && echo rel > "$TEST_TMP/b/rel/f"
  add_mount "$TEST_TMP/b" '{"destination": "/rel", "type": "bind", "source": "rel", "options": ["rbind"]}'
  assert_eq "$(run_sh "$TEST_TMP/b" 'cat /rel/f')" "rel"
}

test_tmpfs_options_visible() {
  make_bundle "$TEST_TMP/b"
  add_mount "$TEST_TMP/b" '{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "noexec", "size=2m", "mode=1750", "noatime"]}'
  local out
  out=$(run_sh "$TEST_TMP/b" 'grep " /scratch " /proc/mounts; stat -c %a /scratch')
  assert_contains "$out" "tmpfs /scratch tmpfs rw,nosuid,nodev,noexec,noatime,size=2048k,mode=1750"
  assert_contains "$out" "1750"
}

test_tmpcopyup_keeps_contents() {
  make_bundle "$TEST_TMP/b"
  add_mount "$TEST_TMP/b" '{"destination": "/etc", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup", "nosuid"]}'
  local out
  out=$(run_sh "$TEST_TMP/b" 'grep " /etc " /proc/mounts; head -1 /etc/passwd')
  assert_contains "$out" "tmpfs /etc tmpfs"
  assert_contains "$out" "root:x:0:0"
}

test_masked_and_readonly_paths() {
  make_bundle "$TEST_TMP/b"
  echo secret > "$TEST_TMP/b/rootfs/etc/secret"
  mkdir -p "$TEST_TMP/b/rootfs/opt/hidden" && touch "$TEST_TMP/b/rootfs/opt/hidden/inside"
  cfg "$TEST_TMP/b" 'c["linux"]["maskedPaths"] += ["/etc/secret", "/opt/hidden", "/does/not/exist"]'
  cfg "$TEST_TMP/b" 'c["linux"]["readonlyPaths"] += ["/var", "/nope"]'
  cfg "$TEST_TMP/b" 'c["root"]["readonly"] = False'
  local out
  out=$(run_sh "$TEST_TMP/b" '
    echo "secret=[$(cat /etc/secret)]"
    echo "hidden=[$(ls /opt/hidden)]"
    touch /opt/hidden/x 2>/dev/null || echo hidden-ro
    touch /var/x 2>/dev/null || echo var-ro
    echo x 2>/dev/null > /proc/sys/kernel/domainname || echo procsys-ro
    stat -c "kcore=%t:%T" /proc/kcore 2>/dev/null || echo kcore=absent
    touch /etc/writable && echo root-rw')
  assert_contains "$out" "secret=[]"
  assert_contains "$out" "hidden=[]"
  assert_contains "$out" "hidden-ro"
  assert_contains "$out" "var-ro"
  assert_contains "$out" "procsys-ro"
  [[ "$out" == *"kcore=1:3"* || "$out" == *"kcore=absent"* ]] || fail "/proc/kcore not masked: $out"
  assert_contains "$out" "root-rw"
  assert_eq "$(cat "$TEST_TMP/b/rootfs/etc/secret")" "secret" "the masked file itself changed"
}

test_root_readonly() {
  make_bundle "$TEST_TMP/b"
  cfg "$TEST_TMP/b" 'c["root"]["readonly"] = True'
  local out
  out=$(run_sh "$TEST_TMP/b" 'touch /x 2>/dev/null || echo root-ro; touch /tmp/y 2>/dev/null || echo tmp-ro; grep " / " /proc/mounts')
  assert_contains "$out" "root-ro"
  assert_contains "$out" " / ext4 ro"
  [ ! -e "$TEST_TMP/b/rootfs/x" ] || fail "wrote through a read-only root"
}

test_dev_contents() {
  make_bundle "$TEST_TMP/b"
  local out
  out=$(run_sh "$TEST_TMP/b" '
    for d in null zero full random urandom tty; do stat -c "%n %F %t:%T %a" /dev/$d; done
    for l in fd stdin stdout stderr ptmx; do echo "$l -> $(readlink /dev/$l)"; done
    stat -c "%n %F" /dev/shm /dev/pts
    echo hi > /dev/null && echo null-ok')
  assert_contains "$out" "/dev/null character special file 1:3 666"
  assert_contains "$out" "/dev/zero character special file 1:5 666"
  assert_contains "$out" "/dev/full character special file 1:7 666"
  assert_contains "$out" "/dev/random character special file 1:8 666"
  assert_contains "$out" "/dev/urandom character special file 1:9 666"
  assert_contains "$out" "/dev/tty character special file 5:0 666"
  assert_contains "$out" "fd -> /proc/self/fd"
  assert_contains "$out" "stdin -> /proc/self/fd/0"
  assert_contains "$out" "stderr -> /proc/self/fd/2"
  assert_contains "$out" "ptmx -> pts/ptmx"
  assert_contains "$out" "/dev/shm directory"
  assert_contains "$out" "null-ok"
}

# Without a /dev mount the nodes and links go into the image's /dev, over
# what is there: its own ptmx file, and on a second run the nodes and links
# of the first.
test_dev_of_the_image() {
  make_bundle "$TEST_TMP/b"
  cfg "$TEST_TMP/b" 'c["mounts"] = [m for m in c["mounts"] if not m["destination"].startswith("/dev")]'
  mkdir -p "$TEST_TMP/b/rootfs/dev"
  echo image > "$TEST_TMP/b/rootfs/dev/ptmx"
  local out i
  for i in 1 2; do
    out=$(run_sh "$TEST_TMP/b" 'readlink /dev/ptmx; stat -c "%n %F %t:%T %a" /dev/null /dev/tty; readlink /dev/fd')
    assert_contains "$out" "pts/ptmx"
    assert_contains "$out" "/dev/null character special file 1:3 666"
    assert_contains "$out" "/dev/tty character special file 5:0 666"
    assert_contains "$out" "/proc/self/fd"
  done
}

test_linux_devices() {
  make_bundle "$TEST_TMP/b"
  cfg "$TEST_TMP/b" 'c["linux"]["devices"] = [
    {"path": "/dev/mydev", "type": "c", "major": 1, "minor": 7, "fileMode": 0o600, "uid": 1000, "gid": 1001},
    {"path": "/dev/deep/fifo", "type": "p"}]'
  local out
  out=$(run_sh "$TEST_TMP/b" 'stat -c "%F %t:%T %a %u:%g" /dev/mydev; stat -c "%F" /dev/deep/fifo')
  assert_contains "$out" "character special file 1:7 600 1000:1001"
  assert_contains "$out" "fifo"
}

test_propagation_rslave_sees_host_mounts() {
  make_bundle "$TEST_TMP/b"
  mkdir -p "$TEST_TMP/p/sub"
  mount --bind "$TEST_TMP/p" "$TEST_TMP/p"
  mount --make-shared "$TEST_TMP/p"
  add_mount "$TEST_TMP/b" "{\"destination\": \"/p\", \"type\": \"bind\", \"source\": \"$TEST_TMP/p\", \"options\": [\"rbind\", \"rslave\"]}"
  add_mount "$TEST_TMP/b" '{"destination": "/sh", "type": "tmpfs", "source": "tmpfs", "options": ["shared"]}'
  cat > "$TEST_TMP/b/rootfs/t.sh" <<'EOF'
grep -q " /sh .* shared:" /proc/self/mountinfo && echo sh-shared
grep " /p " /proc/self/mountinfo | grep -q master: && echo p-slave
for i in $(seq 100); do [ -e /p/sub/flag ] && { echo seen; exit 0; }; sleep 0.1; done
echo not-seen
EOF
  args "$TEST_TMP/b" '["sh", "/t.sh"]'
  cell run -b "$TEST_TMP/b" prop > "$TEST_TMP/out" &
  local pid=$!
  sleep 0.5
  mount -t tmpfs tmpfs "$TEST_TMP/p/sub"
  touch "$TEST_TMP/p/sub/flag"
  wait $pid
  local out; out=$(cat "$TEST_TMP/out")
  assert_contains "$out" "sh-shared"
  assert_contains "$out" "p-slave"
  assert_contains "$out" "seen"
  assert_not_contains "$out" "not-seen"
}

test_container_mounts_do_not_reach_host() {
  make_bundle "$TEST_TMP/b"
  mkdir -p "$TEST_TMP/p"
  mount --bind "$TEST_TMP/p" "$TEST_TMP/p"
  mount --make-shared "$TEST_TMP/p"
  add_mount "$TEST_TMP/b" "{\"destination\": \"/p\", \"type\": \"bind\", \"source\": \"$TEST_TMP/p\", \"options\": [\"rbind\", \"rslave\"]}"
  add_mount "$TEST_TMP/b" '{"destination": "/p/inner", "type": "tmpfs", "source": "tmpfs"}'
  run_sh "$TEST_TMP/b" 'grep -q " /p/inner " /proc/mounts && echo inner' >/dev/null
  [ -z "$(host_mounts_below "$TEST_TMP/p/")" ] || fail "a container mount reached the host: $(host_mounts_below "$TEST_TMP/p/")"
}

test_symlink_destinations_stay_inside() {
  make_bundle "$TEST_TMP/b"
  ln -s /etc "$TEST_TMP/b/rootfs/evil"
  ln -s ../../../../../../../../tmp "$TEST_TMP/b/rootfs/evil2"
  mkdir "$TEST_TMP/src" && echo planted > "$TEST_TMP/src/f"
  add_mount "$TEST_TMP/b" '{"destination": "/evil", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}'
  add_mount "$TEST_TMP/b" "{\"destination\": \"/evil2/cell-escape-$$\", \"type\": \"bind\", \"source\": \"$TEST_TMP/src\", \"options\": [\"rbind\"]}"
  local out
  out=$(run_sh "$TEST_TMP/b" 'grep " /etc " /proc/mounts; cat /tmp/cell-escape-*/f')
  assert_contains "$out" "tmpfs /etc tmpfs rw,relatime,size=1024k"
  assert_contains "$out" "planted"
  [ ! -e "/tmp/cell-escape-$$" ] || { rmdir "/tmp/cell-escape-$$"; fail "a mount point was created in the host's /tmp"; }
  ! grep -q " /etc " /proc/self/mounts || fail "the host's /etc got a mount"
  [ -d "$TEST_TMP/b/rootfs/tmp/cell-escape-$$" ] || fail "the mount point was not made inside the rootfs"
  [ -z "$(host_mounts_below /etc)" ] || fail "a mount reached the host's /etc"
  [ -z "$(host_mounts_below "$TEST_TMP/")" ] || fail "mounts left: $(host_mounts_below "$TEST_TMP/")"
}

test_no_pivot() {
  make_bundle "$TEST_TMP/b"
  local out
  args "$TEST_TMP/b" '["sh", "-c", "cat /etc/passwd | head -1; ls /bin/busybox"]'
  out=$(cell run --no-pivot -b "$TEST_TMP/b" np)
  assert_contains "$out" "root:x:0:0"
  assert_contains "$out" "/bin/busybox"
}

test_cgroup_mount() {
  make_bundle "$TEST_TMP/b"
  local out
  out=$(run_sh "$TEST_TMP/b" 'ls /sys/fs/cgroup; touch /sys/fs/cgroup/x 2>/dev/null || echo cg-ro')
  [[ "$out" == *memory* || "$out" == *cgroup.controllers* ]] || fail "no cgroup hierarchy inside: $out"
  assert_contains "$out" "cg-ro"
}

test_bad_mount_source_leaves_nothing() {
  make_bundle "$TEST_TMP/b"
  add_mount "$TEST_TMP/b" '{"destination": "/ok", "type": "tmpfs", "source": "tmpfs"}'
  add_mount "$TEST_TMP/b" '{"destination": "/x", "type": "bind", "source": "/nonexistent-cell-src", "options": ["rbind"]}'
  local n; n=$(python3 -c "import json; print(len(json.load(open('$TEST_TMP/b/config.json'))['mounts']) - 1)")
  assert_fails_with "mounts[$n] \`/x\`: source \`/nonexistent-cell-src\`: No such file or directory" \
    cell run -b "$TEST_TMP/b" bad1 || true
  [ ! -e "$CELL_ROOT/bad1" ] || fail "state dir left behind"
  [ -z "$(host_mounts_below "$TEST_TMP/")" ] || fail "mounts left: $(host_mounts_below "$TEST_TMP/")"
}

test_bad_mount_type_is_named() {
  make_bundle "$TEST_TMP/b"
  add_mount "$TEST_TMP/b" '{"destination": "/y", "type": "nosuchfs", "source": "none"}'
  local n; n=$(python3 -c "import json; print(len(json.load(open('$TEST_TMP/b/config.json'))['mounts']) - 1)")
  assert_fails_with "mounts[$n] \`/y\`: mount type \`nosuchfs\`: No such device" \
    cell run -b "$TEST_TMP/b" bad2 || true
  [ -z "$(host_mounts_below "$TEST_TMP/")" ] || fail "mounts left: $(host_mounts_below "$TEST_TMP/")"
}

test_mounts_over_proc_files_refused() {
  make_bundle "$TEST_TMP/b"
  echo fake > "$TEST_TMP/fake"
  ln -s /proc/sys/kernel "$TEST_TMP/b/rootfs/pk"
  add_mount "$TEST_TMP/b" "{\"destination\": \"/pk/core_pattern\", \"type\": \"bind\", \"source\": \"$TEST_TMP/fake\", \"options\": [\"bind\"]}"
  assert_fails_with "\`/pk/core_pattern\`: refusing to mount over a file of /proc" \
    cell run -b "$TEST_TMP/b" p1 || true
  # The files lxcfs replaces stay allowed.
  cfg "$TEST_TMP/b" 'c["mounts"][-1]["destination"] = "/proc/uptime"'
  assert_eq "$(run_sh "$TEST_TMP/b" 'cat /proc/uptime')" "fake"
}

test_user_namespace_binds_devices_and_sysfs() {
  make_bundle "$TEST_TMP/b"
  chmod 755 "$TEST_TMP" "$TEST_TMP/b" "$TEST_TMP/b/rootfs"
  chown -R 100000:100000 "$TEST_TMP/b/rootfs"
  cfg "$TEST_TMP/b" '
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"] + [{"type": "user"}]
c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
  local out
  out=$(run_sh "$TEST_TMP/b" 'grep " /dev/null " /proc/self/mountinfo; stat -c "%t:%T" /dev/null; ls /sys/kernel >/dev/null && echo sys-ok; touch /sys/x 2>/dev/null || echo sys-ro')
  assert_contains "$out" " /dev/null " "/dev/null is not bound from the host"
  assert_contains "$out" "1:3"
  assert_contains "$out" "sys-ok"
  assert_contains "$out" "sys-ro"
}

test_idmapped_bind_mounts() {
  # A host directory owned by host uid/gid 0 (and a file owned by 1000),
  # bound into a container whose root is host uid 100000: plain, its files
  # show as nobody; idmapped with the container's mappings, as 0 and 1000;
  # and what the container creates there lands on the host as 0.
  make_bundle "$TEST_TMP/b"
  chmod 755 "$TEST_TMP" "$TEST_TMP/b" "$TEST_TMP/b/rootfs"
  chown -R 100000:100000 "$TEST_TMP/b/rootfs"
  mkdir -p "$TEST_TMP/data"
  touch "$TEST_TMP/data/f"
  chown 1000:1000 "$TEST_TMP/data/f"
  cfg "$TEST_TMP/b" '
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"] + [{"type": "user"}]
c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
c["mounts"] = [m for m in c["mounts"] if m["destination"] not in ("/sys", "/sys/fs/cgroup")]'
  add_mount "$TEST_TMP/b" "{\"destination\": \"/plain\", \"type\": \"bind\", \"source\": \"$TEST_TMP/data\", \"options\": [\"rbind\"]}"
  add_mount "$TEST_TMP/b" "{\"destination\": \"/mapped\", \"type\": \"bind\", \"source\": \"$TEST_TMP/data\", \"options\": [\"rbind\", \"idmap\"]}"
  add_mount "$TEST_TMP/b" "{\"destination\": \"/explicit\", \"type\": \"bind\", \"source\": \"$TEST_TMP/data\", \"options\": [\"rbind\", \"ridmap\"], \"uidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}], \"gidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}]}"
  local out
  out=$(run_sh "$TEST_TMP/b" 'stat -c "%u:%g" /plain/f /mapped/f /mapped /explicit/f; touch /mapped/new && echo made; grep -c idmapped /proc/self/mountinfo')
  assert_eq "$(echo "$out" | sed -n 1p)" "65534:65534" "plain bind: host uid 1000 is not mapped"
  assert_eq "$(echo "$out" | sed -n 2p)" "1000:1000" "idmapped with the container's mappings"
  assert_eq "$(echo "$out" | sed -n 3p)" "0:0" "the idmapped directory, host root's"
  assert_eq "$(echo "$out" | sed -n 4p)" "1000:1000" "idmapped with the mount's own mappings"
  assert_eq "$(echo "$out" | sed -n 5p)" made "root of the container writes there"
  assert_eq "$(echo "$out" | sed -n 6p)" 2 "idmapped mounts in mountinfo"
  assert_eq "$(stat -c %u:%g "$TEST_TMP/data/new")" "0:0" "owner on the host of what the container made"
  [ -z "$(host_mounts_below "$TEST_TMP/")" ] || fail "mounts left: $(host_mounts_below "$TEST_TMP/")"
}

test_idmapped_mount_errors() {
  make_bundle "$TEST_TMP/b"
  mkdir -p "$TEST_TMP/data"
  add_mount "$TEST_TMP/b" '{"destination": "/t", "type": "tmpfs", "source": "tmpfs", "options": ["idmap"]}'
  local n; n=$(python3 -c "import json; print(len(json.load(open('$TEST_TMP/b/config.json'))['mounts']) - 1)")
  assert_fails_with "mounts[$n]: idmapped mounts must be bind mounts (\`/t\`)" cell run -b "$TEST_TMP/b" e1 || true
  cfg "$TEST_TMP/b" 'c["mounts"].pop()'
  add_mount "$TEST_TMP/b" "{\"destination\": \"/d\", \"type\": \"bind\", \"source\": \"$TEST_TMP/data\", \"options\": [\"bind\", \"idmap\"]}"
  assert_fails_with "mounts[$n].options: idmap without uidMappings and gidMappings takes the container's user namespace mappings: it needs a new user namespace" \
    cell run -b "$TEST_TMP/b" e2 || true
  cfg "$TEST_TMP/b" 'c["mounts"][-1]["uidMappings"] = [{"containerID": 0, "hostID": 1000, "size": 1}]'
  assert_fails_with "mounts[$n].gidMappings: an idmapped mount needs both uidMappings and gidMappings" \
    cell run -b "$TEST_TMP/b" e3 || true
  [ ! -e "$CELL_ROOT/e3" ] || fail "state dir left behind"
}
