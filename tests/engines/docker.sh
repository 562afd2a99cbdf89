# Docker (dockerd 20.10 from Debian) driving cell: a dockerd of its own per
# test (lib.sh: private socket, data and exec roots, its own containerd, no
# bridge, no iptables) with cell as runtime `cell` from docs/engines.md's
# daemon.json, runc the default; the busybox image made with `docker
# import`. runc is the oracle: the same probe runs under both runtimes and
# must print the same, besides the values each test expects.

source "${CELL_TESTS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}/engines/lib.sh"

dk_run() { dk run --runtime cell "$@"; }
dk_pid() { dk inspect -f '{{.State.Pid}}' "$1"; }
dk_id() { dk inspect -f '{{.Id}}' "$1"; }
dk_status() { dk inspect -f '{{.State.Status}}' "$1"; }
dk_wait_status() {
  eng_wait_for "container $1 $2" "${3:-10}" eval '[ "$(dk_status '"$1"')" = '"$2"' ]'
}
dk_pty() {
  local rows=$1 cols=$2
  shift 2
  python3 "$CELL_TESTS/podman/pty-run.py" "$rows" "$cols" /usr/bin/docker -H "unix://$DK/docker.sock" "$@"
}

# The host directory of a container's v1 cgroup for controller $2.
dk_cg() {
  local path
  path=$(grep -E "^[0-9]+:([^:]*,)?$2(,[^:]*)?:" "/proc/$1/cgroup" | cut -d: -f3)
  [ -n "$path" ] && echo "/sys/fs/cgroup/$2$path"
}

# run, exit codes, stdout/stderr, -d, logs, exec (-t, -u, -w, -e), top,
# stats, pause/unpause, cp, commit, stop of a TERM trap, restart, kill;
# labels, which dockerd 20.10 does not pass to the runtime.
test_docker_lifecycle_exec_logs_cp_commit_stop_restart_kill() {
  dk_start
  local rts; rts=$(dk info --format '{{json .Runtimes}}')
  assert_contains "$rts" "\"cell\":{\"path\":\"$CELL_BIN\"}" "docker info runtimes"
  assert_eq "$(dk info --format '{{.DefaultRuntime}}')" runc "default runtime"
  local out rc=0 rout rrc=0 probe='echo hello; echo to-stderr >&2; cat /proc/1/comm; id; hostname | wc -c; exit 3'
  out=$(dk_run --rm "$ENG_IMAGE" sh -c "$probe" 2>"$ENG/err") || rc=$?
  assert_eq "$rc" 3 "exit code of docker run under cell"
  assert_eq "$(cat "$ENG/err")" to-stderr "stderr of docker run"
  rout=$(dk run --rm "$ENG_IMAGE" sh -c "$probe" 2>/dev/null) || rrc=$?
  eng_same "$rc:$out" "$rrc:$rout" "docker run:"
  # -d with a label; a TERM trap that says it ran.
  dk_run -d --name d1 --label cell.test=yes "$ENG_IMAGE" \
    sh -c 'trap "echo got-term; exit 0" TERM; echo started; while :; do sleep 1 & wait; done' >/dev/null
  dk_wait_status d1 running
  local id pid; id=$(dk_id d1); pid=$(dk_pid d1)
  assert_eq "$(eng_cell_states "$(dk_cell_root)")" "$id" "cell's state has d1"
  grep -q "/$ENG_CG/$id\$" /proc/$pid/cgroup || fail "d1 is not below $ENG_CG: $(cat /proc/$pid/cgroup)"
  assert_eq "$(dk inspect -f '{{index .Config.Labels "cell.test"}}' d1)" yes "label of d1"
  local cfgjson="$(dk_cell_root)/$id/config.json"
  [ -f "$cfgjson" ] || cfgjson=$(find "$DK/exec" -path "*/$id/config.json" | head -1)
  [ -f "$cfgjson" ] || fail "no config.json of d1 below $DK/exec"
  assert_not_contains "$(cat "$cfgjson")" "cell.test" "dockerd 20.10 passed a label to the runtime"
  eng_wait_for "d1's log" 5 eval '[ -n "$(dk logs d1)" ]'
  assert_eq "$(dk logs d1)" started "docker logs"
  # exec
  rc=0
  out=$(dk exec d1 sh -c 'echo in-exec; cat /proc/1/comm; exit 5') || rc=$?
  assert_eq "$rc:$out" "$(printf '5:in-exec\nsh')" "docker exec: exit code and output"
  assert_eq "$(dk exec -u 1000:1001 -w /tmp -e FOO=bar d1 sh -c 'id -u; id -g; pwd; echo $FOO')" \
    "$(printf '1000\n1001\n/tmp\nbar')" "docker exec -u -w -e"
  local ns
  for ns in mnt pid uts ipc net cgroup; do
    assert_eq "$(dk exec d1 readlink /proc/self/ns/$ns)" "$(readlink /proc/$pid/ns/$ns)" "exec in d1's $ns namespace"
  done
  rc=0
  out=$(dk_pty 17 59 exec -it d1 sh -c "$TTY_PROBE; exit 6") || rc=$?
  assert_eq "$rc" 6 "exit code of docker exec -it"
  assert_contains "$out" "17 59" "window size seen by docker exec -it"
  assert_contains "$out" "/dev/pts/" "docker exec -it: a terminal"
  rc=0
  dk exec d1 nosuchprog >"$ENG/err" 2>&1 || rc=$?
  assert_eq "$rc" 126 "docker exec of a missing program (as runc)"
  assert_contains "$(cat "$ENG/err")" nosuchprog
  # top and stats
  assert_contains "$(dk top d1)" "sleep 1" "docker top"
  out=$(dk stats --no-stream --format '{{.MemUsage}} {{.PIDs}}' d1)
  [[ "$out" =~ ^[0-9.]+[KMG]i?B\ /\ .*\ [1-9][0-9]*$ ]] || fail "docker stats: [$out]"
  # pause / unpause
  dk pause d1 >/dev/null
  assert_eq "$(dk_status d1)" paused "status after docker pause"
  local fz; fz=$(dk_cg "$pid" freezer)
  [ -z "$fz" ] || assert_eq "$(cat "$fz/freezer.state")" FROZEN "freezer of d1 when paused"
  dk unpause d1 >/dev/null
  assert_eq "$(dk_status d1)" running "status after docker unpause"
  # cp both ways
  echo from-host > "$ENG/in.txt"
  dk cp "$ENG/in.txt" d1:/tmp/in.txt
  assert_eq "$(dk exec d1 cat /tmp/in.txt)" from-host "docker cp into d1"
  dk exec d1 sh -c 'echo from-d1 > /tmp/out.txt'
  dk cp d1:/tmp/out.txt "$ENG/out.txt"
  assert_eq "$(cat "$ENG/out.txt")" from-d1 "docker cp out of d1"
  # commit: a new image with the change, run under cell
  dk exec d1 sh -c 'echo committed > /committed'
  dk commit d1 localhost/cell-committed:test >/dev/null
  assert_eq "$(dk_run --rm localhost/cell-committed:test cat /committed)" committed "docker commit"
  # stop: TERM reaches the trap, well before the 20 s grace period
  local t0; t0=$(date +%s)
  dk stop -t 20 d1 >/dev/null
  [ $(( $(date +%s) - t0 )) -lt 10 ] || fail "docker stop waited for the grace period: TERM missed the trap"
  assert_eq "$(dk inspect -f '{{.State.ExitCode}}' d1)" 0 "exit code after docker stop"
  assert_eq "$(dk logs d1)" "$(printf 'started\ngot-term')" "logs after docker stop"
  # restart: a new init, the same container
  dk restart -t 20 d1 >/dev/null
  dk_wait_status d1 running
  local pid2; pid2=$(dk_pid d1)
  [ "$pid2" != "$pid" ] || fail "docker restart kept pid $pid"
  eng_wait_for "second start in the log" 5 eval '[ "$(dk logs d1 | grep -c started)" = 2 ]'
  # kill
  dk kill -s KILL d1 >/dev/null
  dk_wait_status d1 exited
  assert_eq "$(dk inspect -f '{{.State.ExitCode}}' d1)" 137 "exit code after docker kill -s KILL"
  dk rm d1 >/dev/null
  assert_eq "$(eng_cell_states "$(dk_cell_root)")" "" "cell state left after docker rm"
}

# Options whose effect the process sees: --init, --read-only with --tmpfs,
# a bind mount and a named volume, --cap-drop ALL, --cgroupns private,
# --device, --sysctl, --ulimit; the same probe under runc prints the same.
# Then a healthcheck going from starting to healthy.
test_docker_options_init_readonly_volumes_caps_devices_sysctl_ulimit_health() {
  dk_start
  mkdir -p "$ENG/vol"
  dk volume create cellvol >/dev/null
  local probe='cat /proc/1/comm; echo ppid=$PPID; grep -E "^Cap(Eff|Bnd)" /proc/self/status
    touch /rootfile 2>&1; echo w > /tmp/f && cat /tmp/f; awk "\$2 == \"/tmp\" {print \$3}" /proc/mounts
    echo vol > /data/f && cat /data/f; echo named > /named/f; cat /named/f
    stat -c %t:%T /dev/mynull; cat /proc/sys/kernel/msgmax; ulimit -n; ulimit -Hn
    sed "s/^[0-9]*://" /proc/self/cgroup | sort -u'
  local opts=(--rm --init --read-only --tmpfs /tmp:size=1m -v "$ENG/vol:/data" -v cellvol:/named
              --cap-drop ALL --cgroupns private --device /dev/null:/dev/mynull
              --sysctl kernel.msgmax=4096 --ulimit nofile=1000:1000)
  local out rout
  out=$(dk_run "${opts[@]}" "$ENG_IMAGE" sh -c "$probe" 2>&1) || fail "docker run with options: $out"
  rout=$(dk run "${opts[@]}" "$ENG_IMAGE" sh -c "$probe" 2>&1) || fail "docker run with options under runc: $rout"
  eng_same "$out" "$rout" "the options probe under cell and under runc:"
  assert_contains "$out" "docker-init" "--init: pid 1"
  assert_contains "$out" "ppid=1" "--init: the command is pid 1's child"
  assert_contains "$out" "CapEff:	0000000000000000" "--cap-drop ALL"
  assert_contains "$out" "Read-only file system" "--read-only"
  assert_contains "$out" "$(printf 'w\ntmpfs')" "--tmpfs /tmp"
  assert_contains "$out" "$(printf 'vol\nnamed')" "volumes"
  assert_contains "$out" "$(printf '1:3\n4096\n1000\n1000')" "--device, --sysctl, --ulimit"
  assert_contains "$out" "$(printf ':/\nname=systemd:/')" "--cgroupns private: cgroups seen at /"
  assert_eq "$(cat "$ENG/vol/f")" vol "the bind mount on the host"
  # healthcheck: unhealthy until the file exists, then healthy
  dk_run -d --name h1 --health-cmd 'test -f /tmp/ok' --health-interval 1s --health-retries 1 \
    "$ENG_IMAGE" sleep 1000 >/dev/null
  eng_wait_for "h1 unhealthy" 15 eval '[ "$(dk inspect -f "{{.State.Health.Status}}" h1)" = unhealthy ]'
  dk exec h1 touch /tmp/ok
  eng_wait_for "h1 healthy" 15 eval '[ "$(dk inspect -f "{{.State.Health.Status}}" h1)" = healthy ]'
  assert_eq "$(dk inspect -f '{{(index .State.Health.Log 0).ExitCode}}' h1)" 1 "first health probe"
  dk rm -f h1 >/dev/null
}

# -m and an OOM kill (137, OOMKilled), --pids-limit, and docker update
# (-m 128m --memory-swap 256m, the update that failed on kernel memory,
# --pids-limit, --cpus) of a cell container and of a runc one.
test_docker_memory_oom_pids_limit_and_update() {
  dk_start
  local rc=0
  dk_run --name oom1 -m 16m --memory-swap 16m "$ENG_IMAGE" \
    sh -c 'x=$(head -c 200000000 /dev/zero | tr "\0" y); echo survived' >"$ENG/oom.out" 2>&1 || rc=$?
  assert_eq "$rc" 137 "exit code of docker run -m 16m of a memory hog"
  assert_eq "$(dk inspect -f '{{.State.OOMKilled}}' oom1)" true "OOMKilled"
  assert_not_contains "$(cat "$ENG/oom.out")" survived
  dk rm oom1 >/dev/null
  # --pids-limit: fork fails past it
  local out
  out=$(dk_run --rm --pids-limit 8 "$ENG_IMAGE" sh -c 'for i in $(seq 20); do sleep 10 & done 2>&1 | grep -c "fork\|resource" ; true')
  [ "${out:-0}" -ge 1 ] || fail "--pids-limit 8: 20 forks all succeeded"
  local name rt pid mem pids cpu
  for rt in cell runc; do
    name=u-$rt
    dk run -d --runtime "$rt" --name "$name" -m 64m --pids-limit 40 "$ENG_IMAGE" sleep 1000 >/dev/null
    dk_wait_status "$name" running
    pid=$(dk_pid "$name")
    dk update -m 128m --memory-swap 256m "$name" >/dev/null 2>"$ENG/err" ||
      fail "docker update -m 128m --memory-swap 256m of a $rt container: $(cat "$ENG/err")"
    dk update --pids-limit 50 --cpus 0.5 "$name" >/dev/null 2>"$ENG/err" ||
      fail "docker update --pids-limit --cpus of a $rt container: $(cat "$ENG/err")"
    mem=$(dk_cg "$pid" memory); pids=$(dk_cg "$pid" pids); cpu=$(dk_cg "$pid" cpu)
    if [ -n "$mem" ]; then
      assert_eq "$(cat "$mem/memory.limit_in_bytes") $(cat "$mem/memory.memsw.limit_in_bytes")" \
        "134217728 268435456" "memory and memory+swap of $name after docker update"
    fi
    [ -z "$pids" ] || assert_eq "$(cat "$pids/pids.max")" 50 "pids.max of $name after docker update"
    [ -z "$cpu" ] || assert_eq "$(cat "$cpu/cpu.cfs_quota_us")/$(cat "$cpu/cpu.cfs_period_us")" \
      50000/100000 "cpu quota of $name after docker update --cpus 0.5"
    assert_eq "$(dk inspect -f '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}' "$name")" \
      "134217728 268435456" "docker inspect of $name after the update"
  done
  assert_eq "$(dk exec u-cell echo alive)" alive "the cell container after the updates"
  dk rm -f u-cell u-runc >/dev/null
}

# Seccomp: Docker's default profile (filter on, and what it denies),
# unconfined, and a profile of our own with --security-opt seccomp=FILE;
# each under cell and under runc.
test_docker_seccomp_default_unconfined_and_profile_file() {
  dk_start
  python3 - "$ENG/profile.json" <<'PY'
import json, sys
json.dump({"defaultAction": "SCMP_ACT_ALLOW",
           "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]},
          open(sys.argv[1], "w"))
PY
  local probe='grep "^Seccomp:" /proc/self/status; mkdir /tmp/d 2>&1 && echo mkdir-ok; touch /tmp/f && echo touch-ok
    unshare -U true 2>&1 | sed "s/^unshare: //"; true'
  local opt out rout
  for opt in "" seccomp=unconfined "seccomp=$ENG/profile.json"; do
    out=$(dk_run --rm ${opt:+--security-opt "$opt"} "$ENG_IMAGE" sh -c "$probe" 2>&1)
    rout=$(dk run --rm ${opt:+--security-opt "$opt"} "$ENG_IMAGE" sh -c "$probe" 2>&1)
    eng_same "$out" "$rout" "seccomp probe (${opt:-default profile}):"
    case $opt in
      "") assert_contains "$out" "Seccomp:	2" "Docker's default profile is a filter"
          assert_contains "$out" "mkdir-ok" "mkdir under the default profile"
          assert_contains "$out" "Operation not permitted" "unshare -U under Docker's default profile" ;;
      seccomp=unconfined) assert_contains "$out" "Seccomp:	0" "seccomp=unconfined" ;;
      *) assert_contains "$out" "Seccomp:	2" "a profile file is a filter"
         assert_contains "$out" "mkdir: can't create directory '/tmp/d': Operation not permitted" "mkdir denied by the profile"
         assert_contains "$out" "touch-ok" "touch allowed by the profile" ;;
    esac
  done
  # A broken profile: dockerd refuses it before any runtime runs.
  echo '{"defaultAction": "SCMP_ACT_NOPE"}' > "$ENG/bad.json"
  assert_fails_with "SCMP_ACT_NOPE" dk_run --rm --security-opt "seccomp=$ENG/bad.json" "$ENG_IMAGE" true || true
}

# --userns-remap: dockerd maps the containers' root to a subordinate range.
# The host has no /etc/subuid; dockerd runs in a private mount namespace
# whose /etc is an overlay of the host's with passwd, group, subuid and
# subgid files of ours naming a user `cellremap` (the host's /etc is not
# touched). cell comes from --add-runtime here, not daemon.json.
test_docker_userns_remap() {
  eng_setup
  mkdir -p "$ENG/etc-up"
  # A user of its own (dockerd refuses to remap root onto itself).
  getent passwd cellremap >/dev/null && fail "a user cellremap exists on this host"
  { cat /etc/passwd; echo 'cellremap:x:64999:64999::/nonexistent:/usr/sbin/nologin'; } > "$ENG/etc-up/passwd"
  { cat /etc/group; echo 'cellremap:x:64999:'; } > "$ENG/etc-up/group"
  echo cellremap:231072:65536 > "$ENG/etc-up/subuid"
  echo cellremap:231072:65536 > "$ENG/etc-up/subgid"
  DK_ETC_UPPER=$ENG/etc-up DK_NO_JSON=1 dk_start --add-runtime "cell=$CELL_BIN" --userns-remap cellremap
  local out
  out=$(dk_run --rm "$ENG_IMAGE" sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u; stat -c %u:%g /bin/busybox; touch /x && echo write-ok')
  assert_eq "$(echo "$out" | tr -s ' ' | sed 's/^ //')" \
    "$(printf '0 231072 65536\n0 231072 65536\n0\n0:0\nwrite-ok')" "--userns-remap seen in the container"
  dk_run -d --name r1 "$ENG_IMAGE" sleep 1000 >/dev/null
  dk_wait_status r1 running
  assert_eq "$(stat -c %u:%g /proc/$(dk_pid r1))" 231072:231072 "owner of r1's init on the host"
  local rout
  rout=$(dk run --rm "$ENG_IMAGE" sh -c 'cat /proc/self/uid_map; id -u' | tr -s ' ' | sed 's/^ //')
  assert_eq "$rout" "$(printf '0 231072 65536\n0')" "--userns-remap under runc"
  dk rm -f r1 >/dev/null
}
