# Helpers of the engine tests (tests/engines/*.sh): real daemons from
# Debian, each started by the test on private sockets, state and data roots
# below $TEST_TMP, with cell ($CELL_BIN) as a runtime, and stopped with
# everything they made, also after a failure (at_cleanup).
#
#   eng_setup               $ENG (a dir below $TEST_TMP), $ENG_CG (a relative
#                           cgroup parent, below the caller's cgroup) and the
#                           clean-up of the cgroups made below it
#   eng_need CMD REASON     skip unless CMD is installed
#   eng_same CELL RUNC WHAT the same output under both runtimes, or a diff
#   eng_snippet NAME        the block of docs/engines.md after
#                           `<!-- test-snippet: NAME -->`, cell's path replaced
#   eng_image_tar OUT REF [CONFIG-JSON]   a docker-archive of the busybox rootfs
#   eng_wait_for DESC SECS CMD...          until CMD succeeds, or fail
#   eng_daemon_wait NAME PID LOG SECS CMD...   until a started daemon answers
#   eng_cell_states ROOT    ids in a cell state root (runtime root of an engine)
#   eng_host_leftovers PATH...  host paths a daemon makes: removed at cleanup
#                           when the test made them
#   eng_kill_pids_of PATTERN   SIGKILL our processes whose command line has
#                           PATTERN (a path below $TEST_TMP: ours only)

ENG_DOC=${CELL_TESTS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}/../docs/engines.md
ENG_IMAGE=localhost/cell-busybox:test
ENG_PAUSE=localhost/cell-pause:test
# The terminal's size once it is set, then its name: ctr and docker set the
# size with a resize after the start, which races with the program (under
# runc too).
TTY_PROBE='for i in $(seq 50); do case $(stty size 2>/dev/null) in ""|"0 "*) sleep 0.1;; *) break;; esac; done; stty size; tty'
# Debian's python3 (python3-grpcio, python3-protobuf are installed for it),
# whatever python3 comes first in PATH.
ENG_PY=/usr/bin/python3

# eng_same CELL RUNC WHAT: the same output under cell as under runc, or a
# failure with the lines that differ.
eng_same() {
  [ "$1" == "$2" ] && return 0
  fail "$3 differ (- cell, + runc):
$(diff <(echo "$1") <(echo "$2") | grep '^[<>]' | sed 's/^</-/; s/^>/+/')"
}

eng_need() {
  command -v "$1" >/dev/null || skip "$1 is not installed (${2:-make deps installs it})"
}

eng_setup() {
  [ "$(id -u)" = 0 ] || skip "the engine tests run the daemons as root"
  [ -x "$CELL_BIN" ] || fail "no cell binary at $CELL_BIN"
  [ -f "$ENG_DOC" ] || fail "no $ENG_DOC"
  ENG=$TEST_TMP/eng
  mkdir -p "$ENG"
  chmod 755 "$TEST_TMP"
  ENG_CG=cell-eng-$$
  at_cleanup eng_cg_cleanup
}

# Every directory named $ENG_CG below the caller's cgroup (v1) or its parent
# (cgroup2), where relative paths land, deepest first.
eng_cg_cleanup() {
  local n ctl own mp base d
  while IFS=: read -r n ctl own; do
    if [ "$n" = 0 ]; then
      mp=$(awk '$9 == "cgroup2" {m = $5} END {print m}' /proc/self/mountinfo)
      base=$(dirname "$own")
    else
      mp=$(awk -v c="${ctl#name=}" '$9 == "cgroup" { n = split($NF, o, ","); for (i = 1; i <= n; i++) if (o[i] == c || o[i] == "name=" c) { print $5; exit } }' /proc/self/mountinfo)
      base=$own
    fi
    d=$mp${base%/}/$ENG_CG
    [ -n "$mp" ] && [ -d "$d" ] || continue
    find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
    [ ! -d "$d" ] || echo "eng_cg_cleanup: $d left" >&2
  done < /proc/self/cgroup
  return 0
}

eng_snippet() {
  python3 - "$ENG_DOC" "$1" "$CELL_BIN" <<'PY'
import sys
doc, name, cell = sys.argv[1:]
lines = open(doc).read().split("\n")
mark = f"<!-- test-snippet: {name} -->"
if mark not in lines:
    sys.exit(f"{doc}: no snippet {name}")
i = lines.index(mark) + 1
if not lines[i].startswith("```"):
    sys.exit(f"{doc}: snippet {name} is not a fenced block")
out = []
for line in lines[i + 1:]:
    if line.startswith("```"):
        break
    out.append(line.replace("/usr/local/bin/cell", cell))
print("\n".join(out))
PY
}

eng_image_tar() {
  local out=$1 ref=$2 config=${3:-}
  local rootfs
  rootfs=$(rootfs_cache) || exit $?
  python3 "$CELL_TESTS/engines/mkimage.py" "$rootfs" "$out" "$ref" ${config:+"$config"} ||
    fail "mkimage.py $ref"
}

eng_wait_for() {
  local desc=$1 secs=$2 i
  shift 2
  for ((i = 0; i < secs * 10; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  fail "$desc: not after ${secs}s"
}

# eng_daemon_wait NAME PID LOG SECS CMD...: until CMD answers; fails with
# the log's tail when the daemon exits or stays silent.
eng_daemon_wait() {
  local name=$1 pid=$2 log=$3 secs=$4 i
  shift 4
  for ((i = 0; i < secs * 10; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || fail "$name exited: $(tail -5 "$log")"
    sleep 0.1
  done
  fail "$name did not answer in ${secs}s: $(tail -5 "$log")"
}

# ctd_events FILE: `ctr events` into FILE until the end of the test.
ctd_events() {
  ctr --address "$CTD/containerd.sock" events > "$1" 2>&1 &
  at_cleanup "kill $!"
}

# eng_host_leftovers PATH...: the daemons make these host paths whatever
# their roots (containerd: /run/containerd/fifo for ctr's fifos, .../s for
# shim sockets, .../runc/NS; dockerd: /run/docker/plugins and its trust
# key /etc/docker/key.json). Those that do not exist now are removed at
# cleanup (directories only when empty: nobody else's files go).
eng_host_leftovers() {
  local p
  for p in "$@"; do
    [ -e "$p" ] && continue
    case $p in
      */) at_cleanup "rmdir '$p' 2>/dev/null" ;;
      *) at_cleanup "rm -f '$p'" ;;
    esac
  done
}

eng_cell_states() {
  "$CELL_BIN" --root "$1" list -q 2>/dev/null || true
}

eng_kill_pids_of() {
  local pat=$1 pid
  [[ "$pat" == "$TEST_TMP"/* ]] || return 0
  for pid in $(pgrep -f -- "$pat"); do
    [ "$pid" = $$ ] || [ "$pid" = "$BASHPID" ] || kill -KILL "$pid" 2>/dev/null
  done
  return 0
}

# Host pid of a process in a container whose init is $1, found by comm $2.
eng_child_pid() {
  local pid
  for pid in $(pgrep -P "$1") $1; do
    [ "$(cat /proc/$pid/comm 2>/dev/null)" = "$2" ] && { echo "$pid"; return 0; }
  done
  return 1
}

# ---- containerd -------------------------------------------------------------
#
#   ctd_start [cri]   containerd of its own: $CTD (config.toml with root,
#                     state, sockets, opt below it; the CRI plugin only with
#                     `cri`, then with runc the default runtime and cell from
#                     docs/engines.md), started and waited for; ctd_stop at
#                     cleanup. The busybox image is imported as $ENG_IMAGE
#                     (and the pause image as $ENG_PAUSE with `cri`) into
#                     namespace $CTD_NS.
#   ctd ARGS...       ctr on that socket, namespace $CTD_NS
#   ctd_events FILE   `ctr events` into FILE while the test runs
#   ctd_run ARGS...   ctd run with cell (--runc-binary, --runc-root
#                     $CTD_CELL_ROOT) and a cgroup below $ENG_CG: ARGS are
#                     ctr run's options (as --opt=VALUE), then IMAGE ID CMD...

CTD_NS=cell-test

ctd() { ctr --address "$CTD/containerd.sock" -n "$CTD_NS" "$@"; }

ctd_start() {
  eng_need containerd
  eng_need ctr
  eng_need containerd-shim-runc-v2 "containerd installs it"
  eng_setup
  CTD=$ENG/ctd
  CTD_CELL_ROOT=$CTD/cell-root
  local cri=${1:-}
  [ -z "$cri" ] || CTD_NS=k8s.io
  eng_host_leftovers /run/containerd/ /run/containerd/fifo/ /run/containerd/s/ \
    /run/containerd/runc/ "/run/containerd/runc/$CTD_NS/"
  mkdir -p "$CTD"/{root,state,opt,cni-bin,cni-conf,logs}
  local disabled='"io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"'
  [ -n "$cri" ] || disabled="$disabled, \"io.containerd.grpc.v1.cri\""
  {
    cat <<EOF
version = 2
root = "$CTD/root"
state = "$CTD/state"
disabled_plugins = [$disabled]

[grpc]
  address = "$CTD/containerd.sock"
[ttrpc]
  address = "$CTD/containerd.sock.ttrpc"
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$CTD/opt"
EOF
    if [ -n "$cri" ]; then
      cat <<EOF
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$ENG_PAUSE"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  # Root here lacks CAP_SYS_RESOURCE: no oom_score_adj below containerd's
  # own (the pause's -998 fails under runc as under cell otherwise).
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CTD/cni-bin"
    conf_dir = "$CTD/cni-conf"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        Root = "$CTD/runc-root"
EOF
      # docs/engines.md's snippet as it is; its last table is the options
      # one, where the state root of our own goes.
      eng_snippet containerd-runtime || fail "docs/engines.md: containerd snippet"
      echo "        Root = \"$CTD_CELL_ROOT\""
    fi
  } > "$CTD/config.toml"
  at_cleanup ctd_stop
  containerd --config "$CTD/config.toml" >"$CTD/containerd.log" 2>&1 &
  echo $! > "$CTD/pid"
  eng_daemon_wait containerd "$(cat "$CTD/pid")" "$CTD/containerd.log" 15 \
    ctr --address "$CTD/containerd.sock" version
  eng_image_tar "$ENG/busybox.tar" "$ENG_IMAGE"
  ctd images import "$ENG/busybox.tar" >/dev/null 2>"$CTD/import.err" ||
    fail "ctr images import: $(cat "$CTD/import.err")"
  if [ -n "$cri" ]; then
    eng_image_tar "$ENG/pause.tar" "$ENG_PAUSE" '{"Entrypoint": ["/bin/sleep", "2147483647"], "Cmd": null}'
    ctd images import "$ENG/pause.tar" >/dev/null 2>"$CTD/import.err" ||
      fail "ctr images import (pause): $(cat "$CTD/import.err")"
  fi
}

ctd_run() {
  local opts=()
  while [ $# -gt 0 ] && [[ "$1" == -* ]]; do opts+=("$1"); shift; done
  local image=$1 id=$2
  shift 2
  ctd run --runc-binary "$CELL_BIN" --runc-root "$CTD_CELL_ROOT" \
    --cgroup "$ENG_CG/$id" "${opts[@]}" "$image" "$id" "$@"
}

ctd_stop() {
  set +e
  [ -n "${CTD:-}" ] && [ -f "$CTD/pid" ] || return 0
  local ns id pid
  for ns in $(ctr --address "$CTD/containerd.sock" namespaces ls -q 2>/dev/null); do
    for id in $(ctr --address "$CTD/containerd.sock" -n "$ns" tasks ls -q 2>/dev/null); do
      ctr --address "$CTD/containerd.sock" -n "$ns" tasks kill -a -s KILL "$id" >/dev/null 2>&1
      ctr --address "$CTD/containerd.sock" -n "$ns" tasks rm -f "$id" >/dev/null 2>&1
    done
    for id in $(ctr --address "$CTD/containerd.sock" -n "$ns" containers ls -q 2>/dev/null); do
      ctr --address "$CTD/containerd.sock" -n "$ns" containers rm "$id" >/dev/null 2>&1
    done
  done
  pid=$(cat "$CTD/pid")
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  # Shims outlive containerd; theirs name our socket on their command lines.
  eng_kill_pids_of "$CTD/containerd.sock"
  local root
  for root in "$CTD_CELL_ROOT"/*; do
    [ -d "$root" ] || continue
    for id in $(eng_cell_states "$root"); do
      "$CELL_BIN" --root "$root" delete -f "$id" >/dev/null 2>&1
    done
  done
  rm -f "$CTD/pid"
  return 0
}

# ---- dockerd ----------------------------------------------------------------
#
#   dk_start [DOCKERD-ARGS...]   dockerd of its own ($DK: data root, exec
#                  root, socket, pid file below it; no bridge, no iptables;
#                  its containers' cgroups below $ENG_CG) with daemon.json
#                  from docs/engines.md (cell as runtime `cell`), its own
#                  containerd, and the busybox image imported as $ENG_IMAGE;
#                  dk_stop at cleanup. With $DK_ETC_UPPER (a directory),
#                  dockerd runs in a private mount namespace whose /etc is an
#                  overlay of the host's with that directory's files on top;
#                  with $DK_NO_JSON, daemon.json is empty (flags only).
#   dk ARGS...     Debian's docker client on that socket
#   dk_cell_root   cell's state root under that dockerd

dk() { /usr/bin/docker -H "unix://$DK/docker.sock" "$@"; }

# dockerd 20.10 gives every runc-like runtime the state root of runc.
dk_cell_root() { echo "$DK/exec/runtime-runc/moby"; }

dk_start() {
  eng_need dockerd "docker.io"
  [ -x /usr/bin/docker ] || skip "Debian's docker client /usr/bin/docker is not installed (docker.io)"
  eng_setup
  DK=$ENG/dk
  mkdir -p "$DK"/{data,exec}
  eng_host_leftovers /run/containerd/ /run/containerd/s/ /run/docker/ /run/docker/plugins/ \
    /etc/docker/key.json
  if [ -z "${DK_NO_JSON:-}" ]; then
    eng_snippet docker-daemon-json > "$DK/daemon.json" || fail "docs/engines.md: daemon.json snippet"
  else
    echo '{}' > "$DK/daemon.json"
  fi
  at_cleanup dk_stop
  local launch=(dockerd)
  if [ -n "${DK_ETC_UPPER:-}" ]; then
    mkdir -p "$DK/etc-work"
    launch=(unshare -m --propagation private sh -c 'mount -t overlay -o "lowerdir=/etc,upperdir=$1,workdir=$2" overlay /etc && shift 2 && exec dockerd "$@"' sh "$DK_ETC_UPPER" "$DK/etc-work")
  fi
  "${launch[@]}" --config-file "$DK/daemon.json" --data-root "$DK/data" \
    --exec-root "$DK/exec" -H "unix://$DK/docker.sock" --pidfile "$DK/docker.pid" \
    --iptables=false --ip6tables=false --ip-masq=false --bridge=none --userland-proxy=false \
    --storage-driver overlay2 --cgroup-parent "$ENG_CG" --log-level warn "$@" \
    >"$DK/dockerd.log" 2>&1 &
  echo $! > "$DK/launcher.pid"
  eng_daemon_wait dockerd "$(cat "$DK/launcher.pid")" "$DK/dockerd.log" 30 dk version
  local rootfs
  rootfs=$(rootfs_cache) || exit $?
  tar -C "$rootfs" -cf "$ENG/rootfs.tar" . || fail "tar of the busybox rootfs"
  dk import "$ENG/rootfs.tar" "$ENG_IMAGE" >/dev/null 2>"$DK/import.err" ||
    fail "docker import: $(cat "$DK/import.err")"
}

dk_stop() {
  set +e
  [ -n "${DK:-}" ] && [ -f "$DK/launcher.pid" ] || return 0
  local ids pid
  ids=$(dk ps -aq 2>/dev/null)
  [ -z "$ids" ] || dk rm -f $ids >/dev/null 2>&1
  pid=$(cat "$DK/docker.pid" 2>/dev/null || cat "$DK/launcher.pid")
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" "$(cat "$DK/launcher.pid")" 2>/dev/null
  wait "$(cat "$DK/launcher.pid")" 2>/dev/null
  # dockerd's containerd and the shims name $DK on their command lines.
  eng_kill_pids_of "$DK/"
  local id
  for id in $(eng_cell_states "$(dk_cell_root)"); do
    "$CELL_BIN" --root "$(dk_cell_root)" delete -f "$id" >/dev/null 2>&1
  done
  rm -f "$DK/launcher.pid"
  return 0
}
