# `make deb`: the Debian package builds from debian/ with dpkg-buildpackage,
# lintian has nothing to say, the package holds what it should, its cell
# runs from an extracted root, and podman finds it by name through the
# package's containers.conf drop-in.

repo_root() { cd "$CELL_TESTS/.." && pwd; }

test_deb_builds_installs_and_runs_by_name() {
  local t
  for t in dpkg-buildpackage:dpkg-dev dh:debhelper lintian:lintian; do
    command -v "${t%%:*}" >/dev/null || skip "${t%%:*} is missing (package ${t#*:}; make deps)"
  done
  local out=$TEST_TMP/deb arch deb x f
  arch=$(dpkg --print-architecture)
  make -s -C "$(repo_root)" deb DEB_OUT="$out" >"$TEST_TMP/deb.log" 2>&1 ||
    fail "make deb: $(tail -30 "$TEST_TMP/deb.log")"
  deb=$out/cell_0.1.0_$arch.deb
  [ -f "$deb" ] || fail "no $deb"
  # lintian: no error, no warning (make deb fails on those), and no info
  # tag but the one debian/cell.lintian-overrides explains
  ! grep -E '^[EWI]: ' "$out/lintian.log" || fail "lintian tags: $(cat "$out/lintian.log")"
  # the contents
  dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\.||' >"$TEST_TMP/list"
  for f in /usr/bin/cell /usr/sbin/cell-agent /usr/share/man/man8/cell.8.gz \
           /usr/share/man/man1/cell-seccomp.1.gz /usr/share/man/man7/cell-seccomp-language.7.gz \
           /usr/share/man/man8/cell-agent.8.gz /usr/include/cell/seccomp-plugin.h \
           /usr/share/pkgconfig/cell-seccomp-plugin.pc /usr/share/cell/seccomp/default.sec \
           /usr/share/cell/seccomp/default.json /usr/share/bash-completion/completions/cell \
           /lib/systemd/system/cell-agent.service /lib/systemd/system/cell-agent.socket \
           /etc/containers/containers.conf.d/cell.conf /usr/share/doc/cell/copyright \
           /usr/share/doc/cell/changelog.gz; do
    grep -qx "$f" "$TEST_TMP/list" || fail "the package lacks $f"
  done
  assert_eq "$(dpkg-deb -f "$deb" Package Version Architecture | tr '\n' ' ')" \
    "Package: cell Version: 0.1.0 Architecture: $arch "
  assert_contains "$(dpkg-deb -f "$deb" Depends)" "libjansson4"
  assert_eq "$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)" "/etc/containers/containers.conf.d/cell.conf"
  # the socket unit is installed, not enabled or started
  assert_not_contains "$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./postinst)" "deb-systemd-invoke start"
  # extracted into a scratch root, the package's cell runs
  x=$TEST_TMP/x
  dpkg -x "$deb" "$x"
  assert_contains "$("$x/usr/bin/cell" --version)" "cell version 0.1.0"
  assert_contains "$("$x/usr/sbin/cell-agent" --help)" "cell-agent --socket PATH"
  mkdir -p "$TEST_TMP/b"
  "$x/usr/bin/cell" spec -b "$TEST_TMP/b" --seccomp
  python3 - "$TEST_TMP/b/config.json" "$x/usr/share/cell/seccomp/default.json" "$CELL_BUILD/profiles/default.json" <<'PY'
import json, sys
c, pkg, built = (json.load(open(p)) for p in sys.argv[1:4])
assert c["linux"]["seccomp"] == pkg, "the package's cell spec --seccomp differs from its default.json"
assert pkg == built, "the package's default.json differs from the build tree's"
PY
  grep -qx 'cell = \["/usr/bin/cell"\]' "$x/etc/containers/containers.conf.d/cell.conf" ||
    fail "cell.conf: $(cat "$x/etc/containers/containers.conf.d/cell.conf")"
  grep -qx 'ExecStart=/usr/sbin/cell-agent --socket /run/cell-agent.sock --log-format json' \
    "$x/lib/systemd/system/cell-agent.service" || fail "ExecStart of the package's unit"

  # podman --runtime cell, by name: in a private mount namespace the
  # package's /usr/bin and /etc/containers lie over the host's (overlays),
  # as if it were installed; podman reads its drop-in and runs /usr/bin/cell.
  source "$CELL_TESTS/podman/lib.sh"
  pm_setup
  export PM PM_IMAGE PM_CGPARENT
  export -f pm
  local res
  # /etc/containers gets a writable upper layer in the test dir (podman
  # writes its network lock there); what it writes goes with the test.
  mkdir -p "$TEST_TMP/etc-up" "$TEST_TMP/etc-work"
  res=$(env -u CONTAINERS_CONF unshare -m --propagation private bash -c '
    set -e
    mount -t overlay overlay -o lowerdir="$0/usr/bin":/usr/bin /usr/bin
    mount -t overlay overlay -o lowerdir="$0/etc/containers":/etc/containers,upperdir="$1/etc-up",workdir="$1/etc-work" /etc/containers
    pm info --format "runtime {{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Path}}"
    pm run --rm --network none --cgroup-parent "$PM_CGPARENT" --ulimit nofile=4096:4096 \
      --ulimit nproc=4096:4096 "$PM_IMAGE" sh -c "echo in the container; grep ^Seccomp: /proc/self/status"
    ' "$x" "$TEST_TMP" 2>&1) || fail "podman --runtime cell with the package: $res"
  echo "$res"
  assert_contains "$res" "runtime cell /usr/bin/cell"
  assert_contains "$res" "in the container"
  assert_contains "$res" "Seccomp:	2"
}
