# Seccomp in real containers (issue 4): the configured errno, KILL_PROCESS,
# TRAP delivering SIGSYS, LOG allowing, ENOSYS for syscalls newer than the
# profile, a precompiled filter from the annotation run.oci.seccomp_bpf_data,
# and `cell seccomp` against the filter the runtime loads.
#
# The container runs `sc NR [ARGS...]`, a static helper built here, which
# makes one raw syscall and prints "ret=R errno=E" (with -t it first
# installs a SIGSYS handler that prints "SIGSYS syscall=NR").

SC_SRC='
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
static void on_sys(int sig, siginfo_t *si, void *uc)
{
  (void) sig; (void) uc;
  char buf[64];
  int n = snprintf(buf, sizeof buf, "SIGSYS syscall=%d\n", si->si_syscall);
  write(1, buf, (size_t) n);
}
int main(int argc, char **argv)
{
  int i = 1;
  if (argc > 1 && !strcmp(argv[1], "-t")) {
    struct sigaction sa = { .sa_sigaction = on_sys, .sa_flags = SA_SIGINFO };
    sigaction(SIGSYS, &sa, NULL);
    i++;
  }
  long a[6] = { 0 };
  for (int k = 0; k < 6 && i + 1 + k < argc; k++)
    a[k] = strtol(argv[i + 1 + k], 0, 0);
  errno = 0;
  long r = syscall(strtol(argv[i], 0, 0), a[0], a[1], a[2], a[3], a[4], a[5]);
  printf("ret=%ld errno=%d\n", r, r < 0 ? errno : 0);
  return 0;
}'

# sc_bundle DIR: a busybox bundle with /bin/sc
sc_bundle() {
  command -v gcc >/dev/null || skip "gcc is needed to build the syscall helper"
  make_bundle "$1"
  printf '%s\n' "$SC_SRC" > "$TEST_TMP/sc.c"
  gcc -static -O1 -o "$1/rootfs/bin/sc" "$TEST_TMP/sc.c" 2>"$TEST_TMP/gcc.err" ||
    skip "cannot build a static helper: $(tail -1 "$TEST_TMP/gcc.err")"
}

# seccomp DIR JSON: set linux.seccomp
seccomp() {
  SECCOMP_JSON=$2 cfg "$1" 'import os; c["linux"]["seccomp"] = json.loads(os.environ["SECCOMP_JSON"])'
}

sc_run() {
  local b=$1; shift
  SC_ARGS=$(python3 -c 'import json, sys; print(json.dumps(["sc"] + sys.argv[1:]))' "$@") \
    cfg "$b" 'import os; c["process"]["args"] = json.loads(os.environ["SC_ARGS"])'
  cell run -b "$b" "ct$RANDOM"
}

# syscall numbers below are x86_64's: getppid 110, getpgid 121, create_module 174
needs_x86_64() { [ "$(uname -m)" = x86_64 ] || skip "syscall numbers here are x86_64's"; }

test_seccomp_errno() {
  needs_x86_64
  sc_bundle "$TEST_TMP/b"
  seccomp "$TEST_TMP/b" '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
    {"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 122},
    {"names": ["getpgid"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 7, "op": "SCMP_CMP_EQ"}]}]}'
  assert_eq "$(sc_run "$TEST_TMP/b" 110)" "ret=-1 errno=122"
  assert_eq "$(sc_run "$TEST_TMP/b" 121 7)" "ret=-1 errno=1"
  assert_contains "$(sc_run "$TEST_TMP/b" 121 0)" "errno=0"
}

test_seccomp_kill_process() {
  needs_x86_64
  sc_bundle "$TEST_TMP/b"
  seccomp "$TEST_TMP/b" '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
    {"names": ["getppid"], "action": "SCMP_ACT_KILL_PROCESS"}]}'
  local rc=0 out
  out=$(sc_run "$TEST_TMP/b" -t 110) || rc=$?
  assert_eq "$rc" 159 "killed by SIGSYS"
  assert_not_contains "$out" "SIGSYS syscall" "KILL_PROCESS cannot be caught"
}

test_seccomp_trap() {
  needs_x86_64
  sc_bundle "$TEST_TMP/b"
  seccomp "$TEST_TMP/b" '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
    {"names": ["getppid"], "action": "SCMP_ACT_TRAP"}]}'
  local out
  out=$(sc_run "$TEST_TMP/b" -t 110)
  assert_contains "$out" "SIGSYS syscall=110"
}

test_seccomp_log_allows() {
  podman_profile "$TEST_TMP/podman.json"
  needs_x86_64
  sc_bundle "$TEST_TMP/b"
  # podman's profile, with getppid moved from its allow list to LOG
  cfg "$TEST_TMP/b" '
p = json.load(open("'"$TEST_TMP"'/podman.json"))
for s in p["syscalls"]:
    s["names"] = [n for n in s["names"] if n != "getppid"]
p["syscalls"].append({"names": ["getppid"], "action": "SCMP_ACT_LOG"})
c["linux"]["seccomp"] = p'
  assert_eq "$(sc_run "$TEST_TMP/b" 110)" "ret=0 errno=0"
}

test_seccomp_enosys_for_new_syscalls() {
  podman_profile "$TEST_TMP/podman.json"
  needs_x86_64
  sc_bundle "$TEST_TMP/b"
  # podman's profile with EPERM as the default: a number above every one the
  # profile names gets ENOSYS (so libc falls back), a known unlisted one EPERM
  cfg "$TEST_TMP/b" '
p = json.load(open("'"$TEST_TMP"'/podman.json"))
p["defaultErrnoRet"] = 1
c["linux"]["seccomp"] = p'
  assert_eq "$(sc_run "$TEST_TMP/b" 1000)" "ret=-1 errno=38"
  assert_eq "$(sc_run "$TEST_TMP/b" 174)" "ret=-1 errno=1"   # create_module
}

test_seccomp_precompiled_annotation() {
  needs_x86_64
  sc_bundle "$TEST_TMP/b"
  echo '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
    {"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 77}]}' > "$TEST_TMP/p.json"
  cell seccomp compile "$TEST_TMP/p.json" -o "$TEST_TMP/p.bpf"
  local b64; b64=$(base64 -w0 "$TEST_TMP/p.bpf")
  cfg "$TEST_TMP/b" 'c.setdefault("annotations", {})["run.oci.seccomp_bpf_data"] = "'"$b64"'"'
  # linux.seccomp says otherwise: the annotation's program is what runs
  seccomp "$TEST_TMP/b" '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
    {"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5}]}'
  assert_eq "$(sc_run "$TEST_TMP/b" 110)" "ret=-1 errno=77"
  assert_eq "$(cell seccomp simulate "$TEST_TMP/p.bpf" --arch x86_64 --syscall getppid)" "ERRNO(77)"
  # a program that is no valid filter is refused before the container starts
  cfg "$TEST_TMP/b" 'c["annotations"]["run.oci.seccomp_bpf_data"] = "AAAAAAAAAAA="'
  assert_fails_with "seccomp" cell run -b "$TEST_TMP/b" ct2 || true
}

test_seccomp_podman_profile_runs() {
  podman_profile "$TEST_TMP/podman.json"
  make_bundle "$TEST_TMP/b"
  cfg "$TEST_TMP/b" '
c["linux"]["seccomp"] = json.load(open("'"$TEST_TMP"'/podman.json"))
c["process"]["args"] = ["sh", "-c", "echo hello; ls / | wc -l"]'
  local out; out=$(cell run -b "$TEST_TMP/b" ct1)
  assert_contains "$out" "hello"
}

test_seccomp_bad_profile_error() {
  make_bundle "$TEST_TMP/b"
  seccomp "$TEST_TMP/b" '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_NOPE"}]}'
  assert_fails_with 'linux.seccomp.syscalls[0].action: unknown action "SCMP_ACT_NOPE"' cell run -b "$TEST_TMP/b" ct1 || true
}

test_seccomp_refused_filter_leaves_nothing() {
  # A profile refused at compile, in each of its forms, fails the create
  # with its message and leaves no state dir, cgroup or process.
  local b=$TEST_TMP/bad
  make_bundle "$b"
  cfg "$b" "c['linux']['cgroupsPath'] = 'cell-it-$$/bad'; c['process']['args'] = ['sleep', '1000']"
  local form want
  for form in json policy bpf; do
    case $form in
      json)
        seccomp "$b" '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 7, "value": 1, "op": "SCMP_CMP_EQ"}]}]}'
        want='linux.seccomp.syscalls[0].args[0].index' ;;
      policy)
        cfg "$b" 'c["linux"].pop("seccomp", None); c.setdefault("annotations", {})["run.cell.seccomp_policy"] = "$syscall == => ALLOW;"'
        want='annotations.run.cell.seccomp_policy' ;;
      bpf)
        cfg "$b" 'c["annotations"] = {"run.oci.seccomp_bpf_data": "not base64!"}'
        want='annotations.run.oci.seccomp_bpf_data' ;;
    esac
    assert_fails_with "$want" cell run -d -b "$b" bad || true
    [ ! -e "$CELL_ROOT/bad" ] || fail "$form: state dir left behind"
    ! pgrep -f -- "-b $b bad" >/dev/null || fail "$form: a process left behind"
    local left
    left=$(find /sys/fs/cgroup -maxdepth 6 -type d -path "*cell-it-$$*" 2>/dev/null)
    [ -z "$left" ] || fail "$form: cgroups left behind: $left"
  done
}

# The place in config.json of an error deep in args: line and column of the
# value, found here in the text as written.
test_seccomp_bad_profile_error_place() {
  make_bundle "$TEST_TMP/b"
  seccomp "$TEST_TMP/b" '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO",
    "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 2, "op": "SCMP_CMP_LIKE"}]}]}'
  local line col
  line=$(grep -n '"SCMP_CMP_LIKE"' "$TEST_TMP/b/config.json" | cut -d: -f1)
  col=$(awk -v l="$line" 'NR == l { print index($0, "\"SCMP_CMP_LIKE\"") }' "$TEST_TMP/b/config.json")
  assert_fails_with "config.json:$line:$col: linux.seccomp.syscalls[0].args[1].op: unknown operator \"SCMP_CMP_LIKE\"" \
    cell run -b "$TEST_TMP/b" ct1
}

test_seccomp_exec_gets_the_filter() {
  needs_x86_64
  sc_bundle "$TEST_TMP/b"
  seccomp "$TEST_TMP/b" '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
    {"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 121}]}'
  cfg "$TEST_TMP/b" 'c["process"]["args"] = ["sleep", "30"]'
  cell run -d -b "$TEST_TMP/b" ctx >/dev/null
  local out; out=$(cell exec ctx sc 110)
  cell kill ctx KILL >/dev/null 2>&1 || true
  assert_eq "$out" "ret=-1 errno=121"
}

test_seccomp_tools() {
  local p=$TEST_TMP/podman.json
  podman_profile "$p"
  "$CELL_BIN" seccomp compile "$p" -o "$TEST_TMP/f.bpf"
  local size; size=$(stat -c %s "$TEST_TMP/f.bpf")
  [ $((size % 8)) -eq 0 ] && [ "$size" -gt 800 ] || fail "odd program size $size"
  local l; l=$("$CELL_BIN" seccomp disasm "$TEST_TMP/f.bpf")
  assert_contains "$l" "0000: ld [4]                                    ; arch"
  assert_contains "$l" "; SCMP_ARCH_X86"
  assert_contains "$l" "; personality"
  assert_contains "$l" "; ERRNO(38)"
  assert_eq "$("$CELL_BIN" seccomp simulate "$p" --arch x86_64 --syscall read)" "ALLOW"
  assert_eq "$("$CELL_BIN" seccomp simulate "$TEST_TMP/f.bpf" --arch x86_64 --syscall kexec_load)" "ERRNO(1)"
  assert_eq "$("$CELL_BIN" seccomp simulate "$p" --arch x86 --syscall socket --args 16,3,9)" "ERRNO(22)"
  assert_eq "$("$CELL_BIN" seccomp simulate "$p" --arch x32 --syscall 0x40000000)" "ALLOW"
  assert_eq "$("$CELL_BIN" seccomp simulate "$TEST_TMP/f.bpf" --arch aarch64 --syscall read)" "KILL_THREAD"
  # compiling PROFILE for the simulated arch makes it the native one
  assert_eq "$("$CELL_BIN" seccomp simulate "$p" --arch aarch64 --syscall read)" "ALLOW"
  assert_eq "$("$CELL_BIN" seccomp simulate "$p" --arch x86_64 --syscall 5000)" "ERRNO(38)"
  # a whole config.json works too, and so does stdout
  echo "{\"ociVersion\": \"1.2.0\", \"linux\": {\"seccomp\": $(cat "$p")}}" > "$TEST_TMP/config.json"
  "$CELL_BIN" seccomp compile "$TEST_TMP/config.json" > "$TEST_TMP/g.bpf"
  cmp "$TEST_TMP/f.bpf" "$TEST_TMP/g.bpf" || fail "config.json and profile compile differently"
  assert_contains "$("$CELL_BIN" seccomp compile --help)" "Usage: cell seccomp compile PROFILE"
  assert_contains "$("$CELL_BIN" seccomp disasm --help)" "Usage: cell seccomp disasm FILE"
  assert_contains "$("$CELL_BIN" seccomp simulate --help)" "Usage: cell seccomp simulate"
  assert_contains "$("$CELL_BIN" seccomp --help)" "Usage: cell seccomp COMMAND"
  assert_fails_with "no syscall \`frob\` on x86_64" "$CELL_BIN" seccomp simulate "$p" --arch x86_64 --syscall frob || true
  assert_fails_with "unknown architecture \`vax\`" "$CELL_BIN" seccomp simulate "$p" --arch vax --syscall read || true
  head -c 12 "$TEST_TMP/f.bpf" > "$TEST_TMP/bad.bpf"
  assert_fails_with "12 bytes is not a whole number of 8-byte instructions" "$CELL_BIN" seccomp disasm "$TEST_TMP/bad.bpf" || true
  echo '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": 1}]}' > "$TEST_TMP/bad.json"
  assert_fails_with "bad.json:1:80: linux.seccomp.syscalls[0].action: expected a string" "$CELL_BIN" seccomp compile "$TEST_TMP/bad.json" -o "$TEST_TMP/x" || true
  [ ! -e "$TEST_TMP/x" ] || fail "output written for an invalid profile"
}
