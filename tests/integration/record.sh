# Recording a container's syscalls (docs/recording.md): `cell run
# --record-seccomp`, the annotation run.cell.seccomp.record, `cell exec`
# into a recorded container, a base profile's denials, a killed recorder,
# and `cell seccomp record` turning the recording into a profile under
# which the same workload runs and what it never did is denied.

# rec_bundle DIR: busybox, the host's network (a loopback server of the
# test), a writable rootfs and a fresh tmpfs on /tmp for every run.
rec_bundle() {
  make_bundle "$1"
  cfg "$1" '
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]
c["root"]["readonly"] = False
c["mounts"].append({"destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
                    "options": ["nosuid", "nodev", "mode=1777"]})'
}

sh_args() { CELL_SH=$2 cfg "$1" 'c["process"]["args"] = ["sh", "-c", os.environ["CELL_SH"]]'; }

# A busybox httpd on 127.0.0.1, stopped at the end of the test. The page
# is a CGI script that waits a little before it answers, so that wget
# always waits for data (poll) rather than only when it happens to.
start_httpd() {
  mkdir -p "$TEST_TMP/www/cgi-bin"
  echo "page from the loopback server" > "$TEST_TMP/www/index.html"
  # The body comes 0.3 s after the headers, so that wget always waits for
  # it (poll after EAGAIN) in every run: in the recorded ones, slowed by
  # the recorder, and in those under the profile. With the body right
  # behind the headers, whether wget polls was a matter of timing.
  printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n"\nsleep 0.3\ncat %s\n' \
    "$TEST_TMP/www/index.html" > "$TEST_TMP/www/cgi-bin/page"
  chmod 755 "$TEST_TMP/www/cgi-bin/page"
  HTTP_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$BUSYBOX" httpd -f -p "127.0.0.1:$HTTP_PORT" -h "$TEST_TMP/www" &
  HTTPD_PID=$!
  at_cleanup "kill $HTTPD_PID"
  for _ in $(seq 50); do
    "$BUSYBOX" wget -q -O /dev/null "http://127.0.0.1:$HTTP_PORT/index.html" 2>/dev/null && return 0
    sleep 0.1
  done
  fail "busybox httpd did not answer on port $HTTP_PORT"
}

WORKLOAD='ls / > /tmp/ls.txt && echo "ls: $(wc -l < /tmp/ls.txt) entries"
mkdir -p /tmp/w/d && echo hello > /tmp/w/d/f
wget -q -O /tmp/w/page "http://127.0.0.1:$PORT/cgi-bin/page" && cat /tmp/w/page
tar -cf /tmp/w.tar -C /tmp w && tar -tf /tmp/w.tar | sort | tr "\n" " " && echo
echo workload done'

# same_output WANT GOT WHAT: on a difference, the lines that differ
same_output() {
  [ "$1" == "$2" ] && return 0
  diff <(printf '%s\n' "$1") <(printf '%s\n' "$2") | head -20 >&2
  fail "$3: the output differs from the recorded run's"
}

names_in() {
  python3 -c 'import json, sys; print(" ".join(sorted({s["name"] or "?" for s in json.load(open(sys.argv[1]))["syscalls"]})))' "$1"
}

test_record_busybox_workload_then_run_under_the_profile() {
  start_httpd
  local b=$TEST_TMP/b out want
  rec_bundle "$b"
  sh_args "$b" "PORT=$HTTP_PORT; $WORKLOAD"
  out=$(cell run --record-seccomp "$TEST_TMP/rec.json" -b "$b" rec1)
  assert_contains "$out" "page from the loopback server"
  assert_contains "$out" "w/ w/d/ w/d/f w/page"
  assert_contains "$out" "workload done"
  want=$out
  # a second recording of the same workload, merged below
  out=$(cell run --record-seccomp "$TEST_TMP/rec2.json" -b "$b" rec2)
  same_output "$want" "$out" "the second recorded run"
  [ -s "$TEST_TMP/rec.json" ] || fail "no recording written"
  local names; names=$(names_in "$TEST_TMP/rec.json")
  for s in execve socket connect mkdir openat getdents64 poll exit_group; do
    assert_contains " $names " " $s " "the recording lacks $s"
  done
  # the syscall this test will try later was never made
  assert_not_contains " $names " " symlink "
  assert_not_contains " $names " " symlinkat "
  # the argument values of the chosen syscalls: socket's domain AF_INET (2)
  python3 - "$TEST_TMP/rec.json" <<'PY' || fail "no socket(AF_INET, ...) in the recording"
import json, sys
r = json.load(open(sys.argv[1]))
s = [x for x in r["syscalls"] if x["name"] == "socket"][0]
assert s["args"]["index"] == [0, 1, 2]
assert any(v["v"][0] == 2 for v in s["args"]["values"])
assert r["cellSeccompRecording"] == 1 and r["container"] == "rec1" and r["base"] is False
# the arguments the issue names are noted for each of those syscalls the
# workload made (the test's own table), and no others' arguments
want = {"clone": [0], "unshare": [0], "socket": [0, 1, 2], "personality": [0], "ioctl": [1],
        "prctl": [0], "fcntl": [1], "mmap": [2], "mprotect": [2], "kill": [1], "tkill": [1],
        "tgkill": [2]}
made = {x["name"]: x for x in r["syscalls"]}
for name, x in made.items():
    if name in want:
        assert x["args"]["index"] == want[name] and x["args"]["values"], x
    else:
        assert "args" not in x, x
print("arguments noted for", sorted(set(made) & set(want)))
assert len(set(made) & set(want)) >= 4, sorted(made)
PY
  cell seccomp record -o "$TEST_TMP/prof.json" "$TEST_TMP/rec.json" "$TEST_TMP/rec2.json"
  cell seccomp record -o "$TEST_TMP/prof.sec" "$TEST_TMP/rec.json" "$TEST_TMP/rec2.json"
  grep -q "from 2 recordings" "$TEST_TMP/prof.sec" || fail "the recordings were not merged"
  grep -q '"comment": "[0-9]* calls*"' "$TEST_TMP/prof.json" || fail "no counts in the JSON profile"
  grep -q '^\$syscall == socket && \$arg0 == 2 ' "$TEST_TMP/prof.sec" || fail "no socket argument rule: $(cat "$TEST_TMP/prof.sec")"
  # the same workload under the JSON profile and under the policy
  CELL_PROF=$TEST_TMP/prof.json cfg "$b" 'c["linux"]["seccomp"] = json.load(open(os.environ["CELL_PROF"]))'
  out=$(cell run -b "$b" run-json 2>&1) || fail "the workload failed under its profile: $out"
  same_output "$want" "$out" "under the JSON profile"
  CELL_PROF=$TEST_TMP/prof.sec cfg "$b" 'c["annotations"] = {"run.cell.seccomp_policy_file": os.environ["CELL_PROF"]}'
  out=$(cell run -b "$b" run-sec 2>&1) || fail "the workload failed under its policy: $out"
  same_output "$want" "$out" "under the policy"
  # the class, not only the example: every x86_64 syscall the recordings
  # lack is denied by the profile (simulated), every recorded one without
  # argument rules is allowed
  python3 - "$CELL_BIN" "$TEST_TMP/prof.json" "$TEST_TMP/rec.json" "$TEST_TMP/rec2.json" \
    "$CELL_TESTS/../data/syscalls.csv" <<'PY' || fail "the profile does not match the recordings"
import csv, json, subprocess, sys
cell, prof, recs, table = sys.argv[1], sys.argv[2], sys.argv[3:5], sys.argv[5]
seen = set()
for f in recs:
    seen |= {s["name"] for s in json.load(open(f))["syscalls"] if s.get("arch") == "SCMP_ARCH_X86_64"}
argful = {n for r in json.load(open(prof))["syscalls"] if r.get("args") for n in r["names"]}
always = {"exit", "exit_group", "restart_syscall", "rt_sigreturn", "sigreturn"}
rows = [r for r in csv.reader(open(table)) if r and not r[0].startswith("#")]
bad, n = [], 0
for r in rows:
    name, nr = r[0], r[3]
    if not nr.isdigit() or name in argful:
        continue
    got = subprocess.run([cell, "seccomp", "simulate", prof, "--arch", "x86_64", "--syscall", name],
                         capture_output=True, text=True, check=True).stdout.strip()
    n += 1
    want_allow = name in seen or name in always
    if want_allow != (got == "ALLOW") or (not want_allow and got not in ("ERRNO(1)", "ERRNO(38)")):
        bad.append(f"{name}: {got} (recorded: {name in seen})")
print(f"{n} syscalls simulated, {len(seen)} recorded")
assert n > 300 and not bad, bad
PY
  # a syscall the workload never made is denied, inside the container
  sh_args "$b" 'ln -s /tmp/w /tmp/link 2>&1; echo "ln exit $?"'
  out=$(cell run -b "$b" run-denied 2>&1)
  assert_contains "$out" "Operation not permitted"
  assert_contains "$out" "ln exit 1"
  # while without a filter it works
  cfg "$b" 'c["annotations"] = {}; c["linux"].pop("seccomp", None)'
  out=$(cell run -b "$b" run-free 2>&1)
  assert_contains "$out" "ln exit 0"
}

test_record_annotation_and_a_base_profile() {
  local b=$TEST_TMP/b out
  rec_bundle "$b"
  sh_args "$b" 'mkdir /tmp/x 2>&1; chmod 700 /tmp 2>&1; echo done'
  # the base allows, but answers mkdir with EACCES
  cfg "$b" '
c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}
c["annotations"] = {"run.cell.seccomp.record": "rec.json"}'
  out=$(cell run -b "$b" ann)
  assert_contains "$out" "Permission denied"
  assert_contains "$out" "done"
  # relative to the bundle
  [ -s "$b/rec.json" ] || fail "no recording in the bundle"
  python3 - "$b/rec.json" <<'PY' || fail "mkdir is not recorded as denied: $(cat "$b/rec.json")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["base"] is True
m = [x for x in r["syscalls"] if x["name"] in ("mkdir", "mkdirat")]
assert m and all(x["denied"] == x["count"] and x["deniedWith"] == "ERRNO(13)" for x in m), m
c = [x for x in r["syscalls"] if x["name"] in ("chmod", "fchmodat")]
assert c and all("denied" not in x for x in c), c
PY
  out=$(cell seccomp record --format sec "$b/rec.json")
  assert_contains "$out" "=> ERRNO(EACCES);  // denied by the base: 1 call"
}

test_record_covers_every_exec() {
  local b=$TEST_TMP/b out
  rec_bundle "$b"
  sh_args "$b" 'while [ ! -e /tmp/stop ]; do sleep 0.1; done; echo init done'
  cell run -d --record-seccomp "$TEST_TMP/rec.json" -b "$b" ex1
  out=$(cell exec ex1 sh -c 'mkfifo /tmp/fifo && echo fifo made; touch /tmp/stop')
  assert_contains "$out" "fifo made"
  for _ in $(seq 100); do
    [ "$(cell state ex1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')" = stopped ] && break
    sleep 0.1
  done
  cell delete ex1
  # delete waited for the recorder: the recording is whole
  local names; names=$(names_in "$TEST_TMP/rec.json")
  assert_contains " $names " " mknodat " "the exec's mkfifo is not in the recording: $names"
  assert_contains " $names " "nanosleep " "the init's sleep is not in the recording: $names"
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert "partial" not in r and r["ended"]' \
    "$TEST_TMP/rec.json" || fail "the recording was not finished by delete"
}

# recorder_pid N: the recorder (0) or its standby (1) of container ex
recorder_pid() {
  python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["extra"]["record"]["recorder"][int(sys.argv[2])]["pid"])' \
    "$CELL_ROOT/$1/state.json" "$2"
}

killed_run() {
  local b=$1 id=$2 which=$3 pid=
  cell run --record-seccomp "$TEST_TMP/$id.json" -b "$b" "$id" > "$TEST_TMP/$id.out" 2>&1 &
  local run=$!
  for _ in $(seq 100); do
    pid=$(recorder_pid "$id" "$which" 2>/dev/null) && [ -n "$pid" ] && break
    sleep 0.05
  done
  [ -n "$pid" ] || fail "no recorder pid in the state of $id"
  sleep 0.5
  kill -9 "$pid"
  timeout 30 tail --pid=$run -f /dev/null || fail "the container hung after its recorder (pid $pid) was killed"
  wait $run || fail "the container failed after its recorder was killed: $(cat "$TEST_TMP/$id.out")"
}

test_record_killed_recorder_never_blocks_the_container() {
  local b=$TEST_TMP/b out
  rec_bundle "$b"
  cfg "$b" '
c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [{"names": ["chmod", "fchmodat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
  sh_args "$b" 'sleep 1.5; mkdir /tmp/a && echo made; chmod 700 /tmp/a 2>&1; ls -d /tmp/a; echo done'
  # the recorder dies: its standby answers, the base's EPERM included
  killed_run "$b" k1 0
  out=$(cat "$TEST_TMP/k1.out")
  assert_contains "$out" "made"
  assert_contains "$out" "Operation not permitted"
  assert_contains "$out" "/tmp/a"
  assert_contains "$out" "done"
  # and writes the recording, with what came after the kill
  local names; names=$(names_in "$TEST_TMP/k1.json")
  assert_contains " $names " " mkdir " "calls after the kill are not recorded: $names"
  assert_contains " $names " "nanosleep "
  # the standby dies instead: the recorder goes on alone
  killed_run "$b" k2 1
  out=$(cat "$TEST_TMP/k2.out")
  assert_contains "$out" "made"
  assert_contains "$out" "done"
  names=$(names_in "$TEST_TMP/k2.json")
  assert_contains " $names " " mkdir "
}

test_record_refuses_what_it_cannot_do() {
  local b=$TEST_TMP/b
  rec_bundle "$b"
  sh_args "$b" 'true'
  assert_fails_with "--record-seccomp: the recording's directory \`$TEST_TMP/nowhere\`: No such file or directory" \
    cell run --record-seccomp "$TEST_TMP/nowhere/rec.json" -b "$b" bad1
  cfg "$b" 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/x.sock"}'
  assert_fails_with "the recorder needs the seccomp listener, and this config sends it elsewhere" \
    cell run --record-seccomp "$TEST_TMP/rec.json" -b "$b" bad2
  [ ! -e "$TEST_TMP/rec.json" ] || fail "a refused run wrote a recording"
  [ -z "$(ls "$CELL_ROOT" 2>/dev/null)" ] || fail "a refused run left state: $(ls "$CELL_ROOT")"
}

test_seccomp_record_tool_errors_and_merging() {
  printf '{"cellSeccompRecording":1,"syscalls":[{"arch":"SCMP_ARCH_X86_64","name":"read","nr":0,"count":2}]}' > "$TEST_TMP/a.json"
  printf '{"cellSeccompRecording":1,"syscalls":[{"arch":"SCMP_ARCH_X86_64","name":"write","nr":1,"count":3},{"arch":"SCMP_ARCH_X86_64","name":"read","nr":0,"count":1}]}' > "$TEST_TMP/b.json"
  local out
  out=$("$CELL_BIN" seccomp record --format sec --newer none "$TEST_TMP/a.json" "$TEST_TMP/b.json")
  assert_contains "$out" "from 2 recordings: 6 calls of 2 syscalls."
  assert_contains "$out" '$syscall == read => ALLOW;  // 3 calls'
  assert_contains "$out" '$syscall == write => ALLOW;  // 3 calls'
  assert_not_contains "$out" "NEWER"
  assert_fails_with "expected at least one RECORDING" "$CELL_BIN" seccomp record
  assert_fails_with "$TEST_TMP/none.json: unable to open" "$CELL_BIN" seccomp record "$TEST_TMP/none.json"
  echo '{"syscalls":[]}' > "$TEST_TMP/c.json"
  assert_fails_with "$TEST_TMP/c.json:1:1: cellSeccompRecording: missing: not a cell seccomp recording" \
    "$CELL_BIN" seccomp record "$TEST_TMP/c.json"
  # a bad value, and a file that is no JSON: named by line and column
  printf '{"cellSeccompRecording": 1,\n "syscalls": [\n  {"arch": "SCMP_ARCH_X86_64", "nr": 0, "count": "two"}]}\n' > "$TEST_TMP/d.json"
  assert_fails_with "$TEST_TMP/d.json:3:50: syscalls[0].count: expected a number >= 0" \
    "$CELL_BIN" seccomp record "$TEST_TMP/d.json"
  printf '{"cellSeccompRecording": 1,\n "syscalls": [}\n' > "$TEST_TMP/e.json"
  assert_fails_with "$TEST_TMP/e.json:2:15: " "$CELL_BIN" seccomp record "$TEST_TMP/e.json"
  assert_fails_with "--format: \`xml\` is neither json nor sec" "$CELL_BIN" seccomp record --format xml "$TEST_TMP/a.json"
  assert_fails_with "--newer: \`five\` is not a release such as 5.0 (or none)" \
    "$CELL_BIN" seccomp record --newer five "$TEST_TMP/a.json"
  # written atomically, and nothing on an error
  "$CELL_BIN" seccomp record -o "$TEST_TMP/p.json" "$TEST_TMP/a.json"
  python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["defaultAction"]=="SCMP_ACT_ERRNO"' "$TEST_TMP/p.json"
  "$CELL_BIN" seccomp record -o "$TEST_TMP/q.json" "$TEST_TMP/c.json" 2>/dev/null && fail "a bad recording was accepted"
  [ ! -e "$TEST_TMP/q.json" ] || fail "a failed record left an output"
}
