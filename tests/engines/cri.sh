# Kubernetes' CRI through containerd's CRI plugin, with cell as the
# runtime handler from docs/engines.md (the RuntimeClass's handler) and
# runc the default: tests/engines/cri.py speaks runtime.v1 over gRPC (stubs
# generated from cri.proto at run time) as the kubelet does. A containerd of
# its own per test (lib.sh), the busybox image and a pause image (busybox
# sleep) imported into namespace k8s.io, no CNI: pods use the host's network
# namespace, their pid and ipc namespaces are the pod's.

source "${CELL_TESTS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}/engines/lib.sh"

cri_run() {
  [ -x "$ENG_PY" ] || skip "Debian's python3 is not installed ($ENG_PY)"
  "$ENG_PY" -c 'import grpc, google.protobuf' 2>/dev/null ||
    skip "python3-grpcio or python3-protobuf is not installed (make deps installs them)"
  eng_need protoc "protobuf-compiler; make deps installs it"
  ctd_start cri
  local handler
  handler=$(eng_snippet runtimeclass | awk '$1 == "handler:" {print $2}')
  [ -n "$handler" ] || fail "docs/engines.md: no handler in the RuntimeClass snippet"
  mkdir -p "$ENG/cri"
  CRI_SOCK=$CTD/containerd.sock CRI_OUT=$ENG/cri CRI_IMAGE=$ENG_IMAGE CRI_HANDLER=$handler \
    CRI_CGPARENT=$ENG_CG CRI_CELL_ROOT=$CTD_CELL_ROOT CRI_RUNC_ROOT=$CTD/runc-root CRI_TTY_PROBE=$TTY_PROBE \
    "$ENG_PY" "$CELL_TESTS/engines/cri.py" "$1" > "$ENG/cri.out" 2>&1 || {
      cat "$ENG/cri.out"
      echo "--- containerd log:"
      grep -iE 'level=(error|warn)' "$CTD/containerd.log" | tail -5
      fail "cri.py $1"
    }
  cat "$ENG/cri.out"
}

# Version; RunPodSandbox with runtime_handler cell; CreateContainer,
# StartContainer, ContainerStatus; ExecSync (stdout, stderr, exit code, the
# pod's pid namespace); ContainerStats; UpdateContainerResources seen in
# the cgroup; StopContainer (exit 143), RemoveContainer, StopPodSandbox,
# RemovePodSandbox, and nothing left in cell's state.
test_cri_pod_lifecycle_execsync_stats_update() { cri_run lifecycle; }

# Two containers of a pod share its ipc, pid, network and uts namespaces
# (/dev/shm, ps), each with a mount namespace of its own.
test_cri_two_containers_share_the_pods_namespaces() { cri_run shared; }

# securityContext.seccomp RuntimeDefault, Localhost and Unconfined, in a pod
# of the default handler (runc) and of cell's: the same under both, and
# each pod under the runtime its handler names.
test_cri_seccomp_profiles_and_runtime_handler_with_runc_the_default() { cri_run seccomp; }

# Exec (with and without a terminal) and Attach (to the container's
# terminal) through the CRI streaming server's URLs, spoken as websocket.
test_cri_exec_and_attach_with_a_tty() { cri_run stream; }
