# Containers with a user namespace of their own, run by root, as
# Kubernetes and podman run them: a rootfs and volumes below directories
# the container's root cannot search (the test dir is 0700, like a bundle
# or storage dir), plain and idmapped volumes and who owns their files
# inside and outside, symlinked sources, and errors that leave nothing.
#
# `assert_fails_with ... || true`: see cli.sh.

add_mount() { cfg "$1" "c['mounts'].append(json.loads('''$2'''))"; }
# run_sh BUNDLE SCRIPT [ARGS...]: run `sh -c SCRIPT` in the container.
run_sh() {
  local b=$1 s=$2; shift 2
  CELL_SH=$s cfg "$b" 'c["process"]["args"] = ["sh", "-c", os.environ["CELL_SH"]]'
  cell run "$@" -b "$b" "u$RANDOM"
}

# userns_bundle DIR: a bundle whose root is host uid/gid 100000 (65536
# ids), its rootfs owned by that root; the bundle dir and every parent up
# to the 0700 test dir closed to anyone else.
userns_bundle() {
  make_bundle "$1"
  chmod 700 "$TEST_TMP" "$1"
  chown -R 100000:100000 "$1/rootfs"
  echo 'u1000:x:1000:1000::/:/bin/sh' >>"$1/rootfs/etc/passwd"
  cfg "$1" '
c["root"]["readonly"] = False
for k in ("bounding", "effective", "permitted"):
    c["process"]["capabilities"][k] = sorted(set(c["process"]["capabilities"].get(k, []) + ["CAP_SETUID", "CAP_SETGID", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER"]))
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"] + [{"type": "user"}]
c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
}

assert_nothing_left() {
  local id=$1
  [ ! -e "$CELL_ROOT/$id" ] || fail "state dir of $id left behind"
  [ -z "$(host_mounts_below "$TEST_TMP/")" ] || fail "mounts left: $(host_mounts_below "$TEST_TMP/")"
  ! ps -eo args | grep -v grep | grep -q -- " $id\$" || fail "a process of $id is left: $(ps -eo pid,args | grep -- " $id\$")"
}

test_rootfs_below_a_0700_bundle() {
  userns_bundle "$TEST_TMP/b"
  [ "$(stat -c %a "$TEST_TMP/b")" = 700 ] || fail "the bundle is not 0700"
  local out flag
  for flag in "" --no-pivot; do
    out=$(run_sh "$TEST_TMP/b" 'id -u; id -g; cat /proc/self/uid_map; stat -c %u:%g /etc/passwd; echo made >/tmp/by-root; stat -c %u:%g /tmp/by-root; pwd' $flag)
    assert_eq "$(echo "$out" | sed -n 1,2p | tr '\n' ' ')" "0 0 " "root inside ($flag)"
    assert_eq "$(echo "$out" | sed -n 3p | tr -s ' ')" " 0 100000 65536" "uid_map ($flag)"
    assert_eq "$(echo "$out" | sed -n 4p)" "0:0" "/etc/passwd owned by the container's root ($flag)"
    assert_eq "$(echo "$out" | sed -n 5p)" "0:0" "a file made by root inside ($flag)"
    assert_eq "$(echo "$out" | sed -n 6p)" "/" "cwd ($flag)"
    assert_eq "$(stat -c %u:%g "$TEST_TMP/b/rootfs/tmp/by-root")" "100000:100000" "the same file seen on the host ($flag)"
    rm "$TEST_TMP/b/rootfs/tmp/by-root"
  done
  # create, start, exec, delete: the same through the lifecycle.
  CELL_SH='sleep 30' cfg "$TEST_TMP/b" 'c["process"]["args"] = ["sh", "-c", os.environ["CELL_SH"]]'
  cell create -b "$TEST_TMP/b" life
  cell start life
  assert_eq "$(cell exec life sh -c 'id -u; ls /bin/busybox')" "$(printf '0\n/bin/busybox')"
  cell delete -f life
  assert_nothing_left life
}

test_bind_sources_below_a_0700_dir() {
  userns_bundle "$TEST_TMP/b"
  # /pods is 0700 (kubelet's and podman's volume dirs are closed); the
  # volume below it belongs to the container's root, one file to host root.
  mkdir -p "$TEST_TMP/pods/vol"
  chmod 700 "$TEST_TMP/pods"
  echo from-root >"$TEST_TMP/pods/vol/host-root"
  echo single >"$TEST_TMP/pods/file"
  chown 100000:100000 "$TEST_TMP/pods/vol" "$TEST_TMP/pods/file"
  chmod 777 "$TEST_TMP/pods/vol"
  add_mount "$TEST_TMP/b" "{\"destination\": \"/vol\", \"type\": \"bind\", \"source\": \"$TEST_TMP/pods/vol\", \"options\": [\"rbind\", \"rw\"]}"
  add_mount "$TEST_TMP/b" "{\"destination\": \"/etc/single\", \"type\": \"bind\", \"source\": \"$TEST_TMP/pods/file\", \"options\": [\"bind\", \"ro\"]}"
  local out
  out=$(run_sh "$TEST_TMP/b" 'ls -ln /vol | tail -n +2 | awk "{print \$3, \$4, \$9}"; cat /vol/host-root /etc/single; echo x >/vol/by-root && echo wrote; echo y >>/etc/single 2>/dev/null || echo ro-refused; su -s /bin/sh u1000 -c "echo z >/vol/by-1000" && echo wrote-1000')
  assert_eq "$(echo "$out" | sed -n 1p)" "65534 65534 host-root" "a host root file shows as nobody"
  assert_eq "$(echo "$out" | sed -n 2,3p | tr '\n' ' ')" "from-root single " "contents through the binds"
  assert_eq "$(echo "$out" | sed -n 4,6p | tr '\n' ' ')" "wrote ro-refused wrote-1000 " "writes"
  assert_eq "$(stat -c %u:%g "$TEST_TMP/pods/vol/by-root")" "100000:100000" "root's file on the host"
  assert_eq "$(stat -c %u:%g "$TEST_TMP/pods/vol/by-1000")" "101000:101000" "uid 1000's file on the host"
  assert_eq "$(cat "$TEST_TMP/pods/file")" single "the ro file is unchanged"
  [ -z "$(host_mounts_below "$TEST_TMP/")" ] || fail "mounts left: $(host_mounts_below "$TEST_TMP/")"
}

test_idmapped_volumes_below_a_0700_dir_owners_inside_and_outside() {
  # Kubernetes' form: uidMappings/gidMappings on the mount, no idmap
  # option; and idmap (the container's maps) and ridmap.
  userns_bundle "$TEST_TMP/b"
  mkdir -p "$TEST_TMP/pods/vol/sub"
  chmod 700 "$TEST_TMP/pods"
  touch "$TEST_TMP/pods/vol/root-file" "$TEST_TMP/pods/vol/u1000-file"
  chown 1000:1000 "$TEST_TMP/pods/vol/u1000-file"
  chmod 777 "$TEST_TMP/pods/vol"
  local maps='"uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}], "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}]'
  add_mount "$TEST_TMP/b" "{\"destination\": \"/k8s\", \"type\": \"bind\", \"source\": \"$TEST_TMP/pods/vol\", \"options\": [\"rbind\", \"rprivate\", \"rw\"], $maps}"
  add_mount "$TEST_TMP/b" "{\"destination\": \"/idmap\", \"type\": \"bind\", \"source\": \"$TEST_TMP/pods/vol\", \"options\": [\"rbind\", \"idmap\"]}"
  add_mount "$TEST_TMP/b" "{\"destination\": \"/plain\", \"type\": \"bind\", \"source\": \"$TEST_TMP/pods/vol\", \"options\": [\"rbind\"]}"
  local out
  out=$(run_sh "$TEST_TMP/b" 'for d in /k8s /idmap /plain; do stat -c "%n %u:%g" $d/root-file $d/u1000-file; done; touch /k8s/by-root /plain/by-root-plain; su -s /bin/sh u1000 -c "touch /k8s/by-1000 /plain/by-1000-plain"; stat -c "%n %u:%g" /k8s/by-root /k8s/by-1000 /idmap/by-1000 /plain/by-root-plain')
  assert_eq "$(echo "$out" | sed -n 1,6p | tr '\n' ' ')" "/k8s/root-file 0:0 /k8s/u1000-file 1000:1000 /idmap/root-file 0:0 /idmap/u1000-file 1000:1000 /plain/root-file 65534:65534 /plain/u1000-file 65534:65534 " "owners inside"
  assert_eq "$(echo "$out" | sed -n 7,10p | tr '\n' ' ')" "/k8s/by-root 0:0 /k8s/by-1000 1000:1000 /idmap/by-1000 1000:1000 /plain/by-root-plain 0:0 " "new files inside"
  # Outside: through the idmapped mount the original ids, through the
  # plain bind the host ids of the container's users.
  local v=$TEST_TMP/pods/vol
  assert_eq "$(stat -c '%u:%g' "$v/by-root" "$v/by-1000" "$v/by-root-plain" "$v/by-1000-plain" | tr '\n' ' ')" \
    "0:0 1000:1000 100000:100000 101000:101000 " "owners on the host"
  [ -z "$(host_mounts_below "$TEST_TMP/")" ] || fail "mounts left: $(host_mounts_below "$TEST_TMP/")"
}

test_symlinked_bind_source_is_resolved_once_on_the_host() {
  # The source a symlink (absolute, then relative) into the closed dir:
  # the container gets its target. Retargeted between create and start,
  # the container still has what was opened at create.
  userns_bundle "$TEST_TMP/b"
  mkdir -p "$TEST_TMP/pods/a" "$TEST_TMP/pods/other"
  chmod 700 "$TEST_TMP/pods"
  echo A >"$TEST_TMP/pods/a/which"
  echo OTHER >"$TEST_TMP/pods/other/which"
  chmod 755 "$TEST_TMP/pods/a" "$TEST_TMP/pods/other"
  ln -s "$TEST_TMP/pods/a" "$TEST_TMP/pods/link"
  ln -s a "$TEST_TMP/pods/rel"
  add_mount "$TEST_TMP/b" "{\"destination\": \"/abs\", \"type\": \"bind\", \"source\": \"$TEST_TMP/pods/link\", \"options\": [\"rbind\"]}"
  add_mount "$TEST_TMP/b" "{\"destination\": \"/rel\", \"type\": \"bind\", \"source\": \"$TEST_TMP/pods/rel\", \"options\": [\"rbind\"]}"
  assert_eq "$(run_sh "$TEST_TMP/b" 'cat /abs/which /rel/which' | tr '\n' ' ')" "A A " "symlinked sources"
  CELL_SH='cat /abs/which /rel/which' cfg "$TEST_TMP/b" 'c["process"]["args"] = ["sh", "-c", os.environ["CELL_SH"]]'
  cell create -b "$TEST_TMP/b" swapped >"$TEST_TMP/out" 2>&1
  ln -sfn "$TEST_TMP/pods/other" "$TEST_TMP/pods/link"
  ln -sfn other "$TEST_TMP/pods/rel"
  cell start swapped
  local i
  for i in $(seq 50); do [ "$(wc -l <"$TEST_TMP/out")" -ge 2 ] && break; sleep 0.1; done
  assert_eq "$(tr '\n' ' ' <"$TEST_TMP/out")" "A A " "what was opened at create"
  cell delete -f swapped
}

test_destination_symlink_to_a_host_path_stays_inside() {
  # A rootfs symlink to a host path, and one climbing with ..: mounts
  # through them land inside the rootfs, even with the rootfs opened by
  # the runtime.
  userns_bundle "$TEST_TMP/b"
  mkdir -p "$TEST_TMP/host"
  ln -s "$TEST_TMP/host" "$TEST_TMP/b/rootfs/evil"
  ln -s ../../../../../../../.. "$TEST_TMP/b/rootfs/up"
  add_mount "$TEST_TMP/b" '{"destination": "/evil/x", "type": "tmpfs", "source": "tmpfs", "options": ["size=7780k"]}'
  add_mount "$TEST_TMP/b" '{"destination": "/up/y", "type": "tmpfs", "source": "tmpfs", "options": ["size=7788k"]}'
  local out
  out=$(run_sh "$TEST_TMP/b" 'grep -c -e size=7780k -e size=7788k /proc/self/mountinfo; ls -d /y')
  assert_eq "$out" "$(printf '2\n/y')" "the tmpfs mounts are the container's"
  [ ! -e "$TEST_TMP/host/x" ] || fail "a mount point was made on the host"
  [ ! -e /y ] || fail "a mount point was made at the host's /"
  [ -z "$(host_mounts_below "$TEST_TMP/")" ] || fail "mounts left: $(host_mounts_below "$TEST_TMP/")"
}

test_missing_bind_source_is_named_and_leaves_nothing() {
  userns_bundle "$TEST_TMP/b"
  mkdir -p "$TEST_TMP/pods"
  chmod 700 "$TEST_TMP/pods"
  add_mount "$TEST_TMP/b" "{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$TEST_TMP/pods/gone\", \"options\": [\"rbind\"]}"
  local n; n=$(python3 -c "import json; print(len(json.load(open('$TEST_TMP/b/config.json'))['mounts']) - 1)")
  assert_fails_with "mounts[$n] \`/data\`: source \`$TEST_TMP/pods/gone\`: No such file or directory" \
    cell run -b "$TEST_TMP/b" miss1 || true
  assert_nothing_left miss1
  # The same through create, and with the source a dangling symlink.
  ln -s "$TEST_TMP/pods/nowhere" "$TEST_TMP/pods/gone"
  assert_fails_with "mounts[$n] \`/data\`: source \`$TEST_TMP/pods/gone\`: No such file or directory" \
    cell create -b "$TEST_TMP/b" miss2 || true
  assert_nothing_left miss2
  assert_eq "$(cell list -q)" "" "no container listed"
}

test_missing_rootfs_below_a_0700_dir_is_named() {
  userns_bundle "$TEST_TMP/b"
  mv "$TEST_TMP/b/rootfs" "$TEST_TMP/b/elsewhere"
  assert_fails_with "rootfs \`$TEST_TMP/b/rootfs\`: No such file or directory" \
    cell run -b "$TEST_TMP/b" noroot || true
  assert_nothing_left noroot
}

test_pod_container_joins_the_sandbox_user_namespace_with_idmapped_volumes() {
  # Kubernetes' pod shape: the sandbox makes the user namespace; a
  # container joins it by path (no maps of its own: a new pid namespace
  # through the second fork), with an idmapped and a plain volume below
  # 0700 dirs and its rootfs in a 0700 bundle.
  userns_bundle "$TEST_TMP/sandbox"
  CELL_SH='sleep 100' cfg "$TEST_TMP/sandbox" 'c["process"]["args"] = ["sh", "-c", os.environ["CELL_SH"]]'
  cell run -d -b "$TEST_TMP/sandbox" sandbox
  at_cleanup 'cell delete -f sandbox'
  local pid; pid=$(cell state sandbox | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
  userns_bundle "$TEST_TMP/app"
  mkdir -p "$TEST_TMP/pods/vol"
  chmod 700 "$TEST_TMP/pods"
  chmod 777 "$TEST_TMP/pods/vol"
  touch "$TEST_TMP/pods/vol/root-file"
  PID=$pid V=$TEST_TMP/pods/vol cfg "$TEST_TMP/app" '
del c["linux"]["uidMappings"], c["linux"]["gidMappings"]
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "user"] + [{"type": "user", "path": "/proc/%s/ns/user" % os.environ["PID"]}]
m = [{"containerID": 0, "hostID": 100000, "size": 65536}]
c["mounts"] += [{"destination": "/vol", "type": "bind", "source": os.environ["V"], "options": ["rbind", "rw"], "uidMappings": m, "gidMappings": m},
                {"destination": "/plain", "type": "bind", "source": os.environ["V"], "options": ["rbind", "rw"]}]'
  local out
  out=$(run_sh "$TEST_TMP/app" 'id -u; cat /proc/self/uid_map | tr -s " "; echo $$; stat -c "%n %u:%g" /vol/root-file /plain/root-file; touch /vol/by-app /plain/by-app-plain')
  assert_eq "$(echo "$out" | sed -n 1,3p | tr '\n' ' ')" "0  0 100000 65536 1 " "root of the joined namespace, pid 1 of its own"
  assert_eq "$(echo "$out" | sed -n 4,5p | tr '\n' ' ')" "/vol/root-file 0:0 /plain/root-file 65534:65534 " "owners inside"
  assert_eq "$(stat -c %u:%g "$TEST_TMP/pods/vol/by-app" "$TEST_TMP/pods/vol/by-app-plain" | tr '\n' ' ')" \
    "0:0 100000:100000 " "owners on the host"
  cell delete -f sandbox
  assert_nothing_left sandbox
}
