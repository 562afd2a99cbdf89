# A new user's first steps: `git clone` of this repository into an empty
# directory (no reference folder beside it), `make demo` there, then
# `make install PREFIX=... DESTDIR=...` and `make uninstall` from that
# clone. CELL_DEMO_DEPS=0 skips the apt-get part of make demo (the test
# machine has the packages; `make deps` in .ci/run installs them).

test_demo_from_a_fresh_clone() {
  local repo clone out before after
  repo=$(cd "$CELL_TESTS/.." && pwd)
  git -C "$repo" rev-parse --git-dir >/dev/null 2>&1 || skip "not a git checkout: nothing to clone"
  # the committed tree (what a clone gets); uncommitted changes are not in it
  clone=$TEST_TMP/new/cell
  mkdir -p "$TEST_TMP/new"
  git clone -q "$repo" "$clone"
  [ ! -e "$TEST_TMP/new/shared" ] || fail "the clone has a reference folder beside it"
  before=$(ls -d /tmp/cell-demo.* 2>/dev/null | sort)
  out=$(CELL_DEMO_DEPS=0 make --no-print-directory -C "$clone" demo 2>&1) || fail "make demo in a fresh clone: $(tail -40 <<<"$out")"
  echo "$out"
  after=$(ls -d /tmp/cell-demo.* 2>/dev/null | sort)
  assert_eq "$after" "$before" "demo directories left in /tmp"
  # built there, with nothing from outside
  [ -x "$clone/build/cell" ] && [ -f "$clone/build/profiles/default.json" ] || fail "no build in the clone"
  # shows() TEXT: the demo printed it (the failure names the text, last)
  shows() { grep -qF -- "$1" <<<"$out" || fail "make demo did not print [$1]"; }
  # what the profile allows, inside the container
  shows "Seccomp:	2"
  shows "a new mount namespace"
  shows "none /home tmpfs"
  shows "i686"
  # what it denies, inside the container
  shows "unshare(0x10000000): Operation not permitted"
  shows "sethostname: Operation not permitted"
  shows "klogctl: Operation not permitted"
  shows "swapon: /dev/null: Operation not permitted"
  # and as `cell seccomp simulate` has it
  grep -Eq '^ +unshare\(0x10000000\) +ERRNO\(1\)$' <<<"$out" || fail "simulate: unshare(CLONE_NEWUSER)"
  grep -Eq '^ +unshare\(0x20000\) +ALLOW$' <<<"$out" || fail "simulate: unshare(CLONE_NEWNS)"
  grep -Eq '^ +io_uring_setup +ERRNO\(38\)$' <<<"$out" || fail "simulate: io_uring_setup"
  grep -Eq '^ +socket\(16,3,9\) +ERRNO\(22\)$' <<<"$out" || fail "simulate: the audit socket"
  assert_not_contains "$out" "demo: "
  # one line at the end says where to look next
  assert_contains "$(tail -1 <<<"$out")" "Next: README.md"

  # make install with a PREFIX and a DESTDIR, from the clone's build
  local root=$TEST_TMP/inst p
  p=$root/opt/cell
  make -s -C "$clone" install PREFIX=/opt/cell DESTDIR="$root" >"$TEST_TMP/install.log" 2>&1 ||
    fail "make install: $(tail -20 "$TEST_TMP/install.log")"
  for f in bin/cell sbin/cell-agent share/cell/seccomp/default.json share/cell/seccomp/default.sec \
           share/man/man8/cell.8 include/cell/seccomp-plugin.h share/pkgconfig/cell-seccomp-plugin.pc \
           share/bash-completion/completions/cell lib/systemd/system/cell-agent.socket; do
    [ -f "$p/$f" ] || fail "make install PREFIX=/opt/cell: no $p/$f"
  done
  grep -q '^prefix=/opt/cell$' "$p/share/pkgconfig/cell-seccomp-plugin.pc" || fail "pkg-config prefix"
  grep -q '^ExecStart=/opt/cell/sbin/cell-agent ' "$p/lib/systemd/system/cell-agent.service" || fail "unit prefix"
  assert_contains "$("$p/bin/cell" --version)" "cell version"
  make -s -C "$clone" uninstall PREFIX=/opt/cell DESTDIR="$root" >/dev/null
  assert_eq "$(cd "$root" && find . -type f)" "" "files left by make uninstall"
}
