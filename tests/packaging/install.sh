# `make install` into a DESTDIR: the tree it makes, and that what it
# installed runs: cell, the default profile, the plugin header with its
# pkg-config file, bash completion, cell-agent's units (socket activation),
# and `make uninstall`.

repo_root() { cd "$CELL_TESTS/.." && pwd; }

# The files of `make install` below PREFIX (issue 15's list).
installed_files() {
  local p=$1
  cat <<EOF2
$p/bin/cell
$p/sbin/cell-agent
$p/share/man/man8/cell.8
$p/share/man/man1/cell-seccomp.1
$p/share/man/man7/cell-seccomp-language.7
$p/share/man/man8/cell-agent.8
$p/include/cell/seccomp-plugin.h
$p/share/pkgconfig/cell-seccomp-plugin.pc
$p/share/cell/seccomp/default.sec
$p/share/cell/seccomp/default.json
$p/share/bash-completion/completions/cell
$p/lib/systemd/system/cell-agent.service
$p/lib/systemd/system/cell-agent.socket
EOF2
}

# make install with the test's build dir at the default prefix.
install_here() {
  make -s -C "$(repo_root)" install BUILD="$CELL_BUILD" DESTDIR="$TEST_TMP/root" >"$TEST_TMP/install.log" 2>&1 ||
    fail "make install: $(tail -20 "$TEST_TMP/install.log")"
  ROOT=$TEST_TMP/root
  P=$ROOT/usr/local
}

test_make_install_destdir() {
  install_here
  local f got want out
  for f in $(installed_files /usr/local); do
    [ -f "$ROOT$f" ] || fail "make install did not install $f"
  done
  want=$(installed_files /usr/local | sort)
  got=$(cd "$ROOT" && find . -type f | sed 's|^\.||' | sort)
  assert_eq "$got" "$want" "the installed files"
  [ -x "$P/bin/cell" ] && [ -x "$P/sbin/cell-agent" ] || fail "binaries not executable"
  # the installed cell runs, from anywhere, and writes the installed profile
  out=$(cd / && "$P/bin/cell" --version)
  assert_contains "$out" "cell version 0.1.0"
  mkdir -p "$TEST_TMP/b"
  (cd / && "$P/bin/cell" spec -b "$TEST_TMP/b" --seccomp)
  python3 - "$TEST_TMP/b/config.json" "$P/share/cell/seccomp/default.json" <<'PY'
import json, sys
c, d = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert c["linux"]["seccomp"] == d, "cell spec --seccomp differs from the installed default.json"
PY
  cmp "$P/share/cell/seccomp/default.sec" "$(repo_root)/profiles/default.sec"
  "$P/bin/cell" seccomp simulate "$P/share/cell/seccomp/default.sec" --arch x86_64 --syscall unshare \
    --args 0x10000000 | grep -qx 'ERRNO(1)' || fail "installed default.sec: unshare(CLONE_NEWUSER) is not EPERM"
  out=$("$P/sbin/cell-agent" --help)
  assert_contains "$out" "cell-agent --socket PATH"
  # the man pages are the repo's
  cmp "$P/share/man/man8/cell.8" "$(repo_root)/docs/man/cell.8"
  # the unit runs the installed agent
  grep -qx 'ExecStart=/usr/local/sbin/cell-agent --socket /run/cell-agent.sock --log-format json' \
    "$P/lib/systemd/system/cell-agent.service" || fail "ExecStart: $(grep ExecStart "$P/lib/systemd/system/cell-agent.service")"
  grep -qx 'ListenStream=/run/cell-agent.sock' "$P/lib/systemd/system/cell-agent.socket" || fail "ListenStream"
}

# A plugin builds against the installed header alone, found by pkg-config.
test_installed_plugin_header_and_pkg_config() {
  install_here
  local cflags
  cflags=$(PKG_CONFIG_PATH= PKG_CONFIG_LIBDIR="$P/share/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$ROOT" \
           pkg-config --cflags cell-seccomp-plugin) || fail "pkg-config does not find cell-seccomp-plugin"
  cflags=$(echo $cflags)
  assert_eq "$cflags" "-I$ROOT/usr/local/include"
  assert_eq "$(PKG_CONFIG_LIBDIR="$P/share/pkgconfig" pkg-config --modversion cell-seccomp-plugin)" 0.1.0
  cc -shared -fPIC -Wall -Wextra -Werror $cflags -o "$TEST_TMP/p.so" "$CELL_TESTS/unit/notify/plugin-errno.c" ||
    fail "the test plugin does not build against the installed header"
  nm -D "$TEST_TMP/p.so" | grep -q ' T cell_seccomp_plugin_handle_request$' || fail "plugin symbols"
}

# The installed agent under socket activation: it serves the socket it is
# handed, refuses one bound elsewhere, and leaves the socket to its owner.
test_installed_agent_socket_activation() {
  command -v systemd-socket-activate >/dev/null || skip "systemd-socket-activate is missing (package systemd)"
  install_here
  local sock=$TEST_TMP/agent.sock out pid
  systemd-socket-activate -l "$sock" "$P/sbin/cell-agent" --socket "$sock" --log "$TEST_TMP/agent.log" \
    >"$TEST_TMP/act.out" 2>&1 &
  pid=$!
  at_cleanup "kill $pid; wait $pid"
  for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
  out=$(timeout 10 "$P/sbin/cell-agent" --socket "$sock" stats) || fail "stats over the activated socket"
  assert_contains "$out" '"containers":[]'
  grep -q "listening on $sock (socket activation)" "$TEST_TMP/agent.log" || fail "log: $(cat "$TEST_TMP/agent.log")"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  # bound to another path: a clear error, exit 1
  systemd-socket-activate -l "$TEST_TMP/other.sock" "$P/sbin/cell-agent" --socket "$sock" \
    >"$TEST_TMP/act2.out" 2>&1 &
  pid=$!
  at_cleanup "kill $pid"
  for _ in $(seq 50); do [ -S "$TEST_TMP/other.sock" ] && break; sleep 0.1; done
  timeout 5 "$P/sbin/cell-agent" --socket "$TEST_TMP/other.sock" stats >/dev/null 2>&1 || true
  for _ in $(seq 50); do grep -q "not to --socket" "$TEST_TMP/act2.out" && break; sleep 0.1; done
  assert_contains "$(cat "$TEST_TMP/act2.out")" "socket activation: fd 3 is bound to \`$TEST_TMP/other.sock\`, not to --socket \`$sock\`"
  # the units name what the agent takes, and systemd reads them
  # systemd reads the units without a complaint (a copy whose ExecStart is
  # the DESTDIR's agent, so that it exists)
  command -v systemd-analyze >/dev/null || fail "systemd-analyze is missing (package systemd)"
  mkdir -p "$TEST_TMP/units"
  sed "s|=/usr/local/sbin/cell-agent |=$P/sbin/cell-agent |" "$P/lib/systemd/system/cell-agent.service" \
    >"$TEST_TMP/units/cell-agent.service"
  cp "$P/lib/systemd/system/cell-agent.socket" "$TEST_TMP/units/"
  out=$(systemd-analyze verify --man=no "$TEST_TMP/units/cell-agent.socket" "$TEST_TMP/units/cell-agent.service" 2>&1) ||
    fail "systemd-analyze verify: $out"
  assert_eq "$out" "" "systemd-analyze verify"
}

# bash completion: commands, options from --help, ids from `cell list -q`
# under the --root of the line, signals, seccomp tools and their options.
test_installed_bash_completion() {
  install_here
  make_bundle "$TEST_TMP/b"
  cell create -b "$TEST_TMP/b" comp-one
  comp() {  # comp WORD... : the completions of the last word
    PATH=$P/bin:$PATH bash -c '
      source "$0"
      COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
      _cell
      printf "%s\n" "${COMPREPLY[@]}"' "$P/share/bash-completion/completions/cell" "$@"
  }
  local out
  out=$(comp cell "")
  assert_contains "$out" "create"; assert_contains "$out" "seccomp"; assert_contains "$out" "features"
  assert_eq "$(comp cell sta | tr '\n' ' ')" "start state "
  assert_eq "$(comp cell --root "$CELL_ROOT" kill "")" "comp-one"
  assert_eq "$(comp cell --root "$CELL_ROOT" state co)" "comp-one"
  assert_eq "$(comp cell --root "$TEST_TMP/none" delete "")" ""
  out=$(comp cell --root "$CELL_ROOT" kill comp-one "")
  assert_contains "$out" "TERM"; assert_contains "$out" "KILL"
  assert_eq "$(comp cell spec --s)" "--seccomp"
  assert_eq "$(comp cell --log-format "")" "$(printf 'text\njson')"
  out=$(comp cell seccomp "" | tr '\n' ' ')
  for w in compile convert disasm simulate; do assert_contains " $out" " $w "; done
  assert_not_contains "$out" "-"
  assert_contains "$(comp cell seccomp convert --)" "--to"
  assert_eq "$(comp cell seccomp convert --to "" | tr '\n' ' ')" "sec json "
  assert_contains "$(comp cell run --)" "--bundle"
}

test_make_uninstall() {
  install_here
  make -s -C "$(repo_root)" uninstall BUILD="$CELL_BUILD" DESTDIR="$ROOT" >"$TEST_TMP/uninstall.log" 2>&1 ||
    fail "make uninstall: $(tail -20 "$TEST_TMP/uninstall.log")"
  local left
  left=$(cd "$ROOT" && find . -type f)
  assert_eq "$left" "" "files left by make uninstall"
  [ ! -e "$P/share/cell" ] && [ ! -e "$P/include/cell" ] || fail "cell's directories are left"
  # a second uninstall has nothing to do and is no error
  make -s -C "$(repo_root)" uninstall BUILD="$CELL_BUILD" DESTDIR="$ROOT" >/dev/null
}
