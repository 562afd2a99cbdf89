#!/usr/bin/python3
"""cri.py SCENARIO: a small CRI client (runtime.v1 over gRPC, the messages
of cri.proto) driving containerd's CRI plugin as the kubelet would, and
checking what the containers see. Stubs are generated at run time with
protoc into $CRI_OUT. Scenarios: lifecycle, shared, seccomp, stream.

Environment (set by tests/engines/cri.sh):
  CRI_SOCK       containerd's socket       CRI_OUT      a scratch dir
  CRI_IMAGE      the busybox image         CRI_HANDLER  cell's runtime handler
  CRI_CGPARENT   the pods' cgroup parent (relative)
  CRI_CELL_ROOT, CRI_RUNC_ROOT  the runtimes' state roots (namespace k8s.io)
  CRI_TTY_PROBE  lib.sh's TTY_PROBE
Prints a line per check; exits 1 with the failed check's message."""
import base64
import hashlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse

E = os.environ
OUT = E["CRI_OUT"]
subprocess.run(["protoc", "-I", os.path.dirname(os.path.abspath(__file__)),
                "--python_out=" + OUT, "cri.proto"], check=True)
sys.path.insert(0, OUT)
import grpc  # noqa: E402
import cri_pb2 as pb  # noqa: E402


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)
    print("ok", what.split(":")[0])


def eq(got, want, what):
    check(got == want, f"{what}: got {got!r}, expected {want!r}")


class Cri:
    def __init__(self, sock):
        self.ch = grpc.insecure_channel("unix://" + sock)
        self.pods = []

    def call(self, name, req, timeout=60):
        f = self.ch.unary_unary("/runtime.v1.RuntimeService/" + name,
                                request_serializer=type(req).SerializeToString,
                                response_deserializer=getattr(pb, name + "Response").FromString)
        try:
            return f(req, timeout=timeout)
        except grpc.RpcError as e:
            raise Failure(f"{name}: {e.code().name}: {e.details()}") from None

    def pod(self, name, handler, pod_ns=pb.POD):
        cfg = pb.PodSandboxConfig(
            metadata=pb.PodSandboxMetadata(name=name, uid=name + "-uid", namespace="cell-test"),
            log_directory=os.path.join(OUT, "logs", name),
            linux=pb.LinuxPodSandboxConfig(
                cgroup_parent=E["CRI_CGPARENT"],
                security_context=pb.LinuxSandboxSecurityContext(
                    # No CNI here: the host's network namespace (no traffic
                    # is sent); pid and ipc are the pod's.
                    namespace_options=pb.NamespaceOption(network=pb.NODE, pid=pod_ns,
                                                         ipc=pb.POD))))
        os.makedirs(cfg.log_directory, exist_ok=True)
        r = self.call("RunPodSandbox", pb.RunPodSandboxRequest(config=cfg, runtime_handler=handler))
        self.pods.append(r.pod_sandbox_id)
        return r.pod_sandbox_id, cfg

    def container(self, pod_id, pod_cfg, name, args, tty=False, stdin=False, seccomp=None,
                  start=True):
        sc = pb.LinuxContainerSecurityContext(
            namespace_options=pod_cfg.linux.security_context.namespace_options)
        if seccomp is not None:
            sc.seccomp.CopyFrom(seccomp)
        cfg = pb.ContainerConfig(metadata=pb.ContainerMetadata(name=name),
                                 image=pb.ImageSpec(image=E["CRI_IMAGE"]), command=args,
                                 log_path=name + ".log", tty=tty, stdin=stdin,
                                 linux=pb.LinuxContainerConfig(security_context=sc))
        cid = self.call("CreateContainer", pb.CreateContainerRequest(
            pod_sandbox_id=pod_id, config=cfg, sandbox_config=pod_cfg)).container_id
        if start:
            self.call("StartContainer", pb.StartContainerRequest(container_id=cid))
        return cid

    def exec_sync(self, cid, cmd, timeout=30):
        r = self.call("ExecSync", pb.ExecSyncRequest(container_id=cid, cmd=cmd, timeout=timeout))
        return r.stdout.decode(), r.stderr.decode(), r.exit_code

    def status(self, cid):
        r = self.call("ContainerStatus", pb.ContainerStatusRequest(container_id=cid, verbose=True))
        return r.status, json.loads(r.info.get("info", "{}"))

    def remove_all(self):
        for p in reversed(self.pods):
            self.call("StopPodSandbox", pb.StopPodSandboxRequest(pod_sandbox_id=p))
            self.call("RemovePodSandbox", pb.RemovePodSandboxRequest(pod_sandbox_id=p))
        self.pods = []


def states(root):
    """Ids in a runtime's state root for namespace k8s.io (cell or runc)."""
    d = os.path.join(root, "k8s.io")
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


def host_cg(pid, ctl):
    for line in open(f"/proc/{pid}/cgroup"):
        n, ctls, path = line.rstrip("\n").split(":", 2)
        if ctl in ctls.split(","):
            return f"/sys/fs/cgroup/{ctl}{path}"
    return None


def read(path):
    with open(path) as f:
        return f.read().strip()


# ---- scenarios -------------------------------------------------------------

def lifecycle(c):
    v = c.call("Version", pb.VersionRequest(version="v1"))
    eq((v.runtime_name, v.runtime_api_version), ("containerd", "v1"), "Version")
    pod, cfg = c.pod("p1", E["CRI_HANDLER"])
    st = c.call("PodSandboxStatus", pb.PodSandboxStatusRequest(pod_sandbox_id=pod)).status
    eq((st.state, st.runtime_handler), (pb.SANDBOX_READY, E["CRI_HANDLER"]), "PodSandboxStatus")
    check(pod in states(E["CRI_CELL_ROOT"]), f"the sandbox runs under cell: {pod} not in "
          f"{states(E['CRI_CELL_ROOT'])}")
    cid = c.container(pod, cfg, "c1", ["sleep", "1000"])
    s, info = c.status(cid)
    eq(s.state, pb.CONTAINER_RUNNING, "ContainerStatus after StartContainer")
    check(cid in states(E["CRI_CELL_ROOT"]), "the container runs under cell")
    pid = info["pid"]
    cg = host_cg(pid, "pids") or host_cg(pid, "memory")
    check(cg and cg.endswith(f"/{E['CRI_CGPARENT']}/{cid}"),
          f"container cgroup below the pod's cgroup_parent: {cg}")
    eq(c.exec_sync(cid, ["sh", "-c", "echo out; echo err >&2; exit 3"]), ("out\n", "err\n", 3),
       "ExecSync: stdout, stderr, exit code")
    eq(c.exec_sync(cid, ["sh", "-c", "id -u; tr '\\0' ' ' < /proc/1/cmdline"])[0],
       "0\n/bin/sleep 2147483647 ", "ExecSync: uid, pid 1 is the pod's pause (pid namespace of the pod)")
    try:
        res = c.exec_sync(cid, ["nosuchprog"])
    except Failure as e:
        res = str(e)
    # runc's answer too: the exec fails to start, and says why.
    check(isinstance(res, str) and "nosuchprog" in res and "not found" in res,
          f"ExecSync of a missing program: an error naming it: {res}")
    st = c.call("ContainerStats", pb.ContainerStatsRequest(container_id=cid)).stats
    check(st.attributes.id == cid and st.memory.working_set_bytes.value > 0 and
          st.cpu.usage_core_nano_seconds.value > 0,
          f"ContainerStats: memory {st.memory.working_set_bytes.value}, "
          f"cpu {st.cpu.usage_core_nano_seconds.value}")
    c.call("UpdateContainerResources", pb.UpdateContainerResourcesRequest(
        container_id=cid, linux=pb.LinuxContainerResources(
            memory_limit_in_bytes=64 << 20, cpu_period=100000, cpu_quota=20000, cpu_shares=512)))
    mem, cpu = host_cg(pid, "memory"), host_cg(pid, "cpu")
    if mem:
        eq(read(mem + "/memory.limit_in_bytes"), str(64 << 20), "UpdateContainerResources: memory")
    if cpu:
        eq((read(cpu + "/cpu.cfs_quota_us"), read(cpu + "/cpu.shares")), ("20000", "512"),
           "UpdateContainerResources: cpu quota and shares")
    eq(c.exec_sync(cid, ["echo", "alive"])[0], "alive\n", "ExecSync after the update")
    c.call("StopContainer", pb.StopContainerRequest(container_id=cid, timeout=5))
    s, _ = c.status(cid)
    # sleep is not pid 1 in the pod's pid namespace: TERM ends it.
    eq((s.state, s.exit_code), (pb.CONTAINER_EXITED, 143), "ContainerStatus after StopContainer")
    c.call("RemoveContainer", pb.RemoveContainerRequest(container_id=cid))
    check(cid not in states(E["CRI_CELL_ROOT"]), "RemoveContainer removed cell's state")
    c.call("StopPodSandbox", pb.StopPodSandboxRequest(pod_sandbox_id=pod))
    c.call("RemovePodSandbox", pb.RemovePodSandboxRequest(pod_sandbox_id=pod))
    c.pods.remove(pod)
    eq(states(E["CRI_CELL_ROOT"]), [], "cell's state after RemovePodSandbox")


def shared(c):
    pod, cfg = c.pod("p2", E["CRI_HANDLER"])
    a = c.container(pod, cfg, "a", ["sh", "-c", "echo from-a > /dev/shm/x; exec sleep 1001"])
    b = c.container(pod, cfg, "b", ["sleep", "1002"])
    time.sleep(0.3)
    ns = "for n in ipc pid net uts mnt; do echo $n $(readlink /proc/self/ns/$n); done"
    na = dict(l.split() for l in c.exec_sync(a, ["sh", "-c", ns])[0].split("\n") if l)
    nb = dict(l.split() for l in c.exec_sync(b, ["sh", "-c", ns])[0].split("\n") if l)
    for n in ("ipc", "pid", "net", "uts"):
        eq(na[n], nb[n], f"the {n} namespace of the two containers")
    check(na["mnt"] != nb["mnt"], "each container has a mount namespace of its own")
    eq(na["net"], os.readlink("/proc/self/ns/net"), "the pod's network is the host's (NODE)")
    eq(c.exec_sync(b, ["cat", "/dev/shm/x"])[0], "from-a\n", "/dev/shm written by a, read by b")
    ps = c.exec_sync(b, ["ps", "-o", "pid,args"])[0]
    check("sleep 1001" in ps and "sleep 1002" in ps and "sleep 2147483647" in ps,
          f"b sees the pause, a's and its own processes: {ps}")
    _, ia = c.status(a)
    _, ib = c.status(b)
    check(ia["pid"] != ib["pid"] and a in states(E["CRI_CELL_ROOT"]) and
          b in states(E["CRI_CELL_ROOT"]), "both containers run under cell")
    c.remove_all()
    eq(states(E["CRI_CELL_ROOT"]), [], "cell's state after the pod")


def seccomp(c):
    prof = os.path.join(OUT, "deny-mkdir.json")
    with open(prof, "w") as f:
        json.dump({"defaultAction": "SCMP_ACT_ALLOW",
                   "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO",
                                 "errnoRet": 1}]}, f)
    probe = ("grep '^Seccomp:' /proc/self/status; mkdir /tmp/d 2>&1 && echo mkdir-ok; "
             "unshare -U true 2>&1 | sed 's/^unshare: //'; true")
    profiles = {
        "runtime-default": pb.SecurityProfile(profile_type=pb.SecurityProfile.RuntimeDefault),
        "localhost": pb.SecurityProfile(profile_type=pb.SecurityProfile.Localhost,
                                        localhost_ref=prof),
        "unconfined": pb.SecurityProfile(profile_type=pb.SecurityProfile.Unconfined),
    }
    seen = {}
    for handler in ("", E["CRI_HANDLER"]):
        pod, cfg = c.pod("sc-" + (handler or "default"), handler)
        where = E["CRI_CELL_ROOT"] if handler else E["CRI_RUNC_ROOT"]
        other = E["CRI_RUNC_ROOT"] if handler else E["CRI_CELL_ROOT"]
        check(pod in states(where) and pod not in states(other),
              f"runtime_handler {handler!r} runs the pod under {'cell' if handler else 'runc'}")
        for name, p in profiles.items():
            cid = c.container(pod, cfg, name, ["sleep", "1000"], seccomp=p)
            seen[(handler, name)] = c.exec_sync(cid, ["sh", "-c", probe])[0]
        c.remove_all()
    for name in profiles:
        eq(seen[(E["CRI_HANDLER"], name)], seen[("", name)], f"seccomp {name}: cell as runc")
    rd, lh, un = (seen[(E["CRI_HANDLER"], n)] for n in ("runtime-default", "localhost", "unconfined"))
    check("Seccomp:\t2" in rd and "mkdir-ok" in rd and "Operation not permitted" in rd,
          f"RuntimeDefault: a filter denying unshare, allowing mkdir: {rd}")
    check("Seccomp:\t2" in lh and "Operation not permitted" in lh.split("\n")[1],
          f"Localhost {prof}: mkdir denied: {lh}")
    check("Seccomp:\t0" in un and "mkdir-ok" in un, f"Unconfined: no filter: {un}")


# ---- streaming: the websocket flavour of the kubelet's protocol -------------

class Ws:
    """A websocket client (RFC 6455) just big enough for the CRI streaming
    server's v4.channel.k8s.io: binary messages whose first byte is the
    channel (0 stdin, 1 stdout, 2 stderr, 3 status, 4 resize)."""

    def __init__(self, url):
        u = urllib.parse.urlsplit(url)
        self.s = socket.create_connection((u.hostname, u.port), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        path = u.path + ("?" + u.query if u.query else "")
        self.s.sendall((f"GET {path} HTTP/1.1\r\nHost: {u.netloc}\r\nUpgrade: websocket\r\n"
                        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                        f"Sec-WebSocket-Version: 13\r\n"
                        f"Sec-WebSocket-Protocol: v4.channel.k8s.io\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.s.recv(1)
            if not chunk:
                raise Failure(f"websocket {url}: closed during the handshake: {head!r}")
            head += chunk
        lines = head.decode(errors="replace").split("\r\n")
        if " 101 " not in lines[0]:
            raise Failure(f"websocket {url}: {lines[0]}")
        want = base64.b64encode(hashlib.sha1(
            (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
        hdr = {l.split(":", 1)[0].lower(): l.split(":", 1)[1].strip() for l in lines[1:] if ":" in l}
        if hdr.get("sec-websocket-accept") != want:
            raise Failure(f"websocket {url}: bad Sec-WebSocket-Accept")
        self.buf = b""

    def send(self, channel, data, opcode=2):
        payload = bytes([channel]) + data
        mask = os.urandom(4)
        n = len(payload)
        head = bytes([0x80 | opcode])
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + n.to_bytes(2, "big")
        else:
            head += bytes([0x80 | 127]) + n.to_bytes(8, "big")
        self.s.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def _take(self, n):
        while len(self.buf) < n:
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv(self):
        """(channel, data), or None when the server closed."""
        while True:
            try:
                b0, b1 = self._take(2)
                n = b1 & 0x7F
                if n == 126:
                    n = int.from_bytes(self._take(2), "big")
                elif n == 127:
                    n = int.from_bytes(self._take(8), "big")
                data = self._take(n)
            except (EOFError, ConnectionResetError):
                return None
            op = b0 & 0x0F
            if op == 8:
                return None
            if op == 9:
                self.s.sendall(bytes([0x8A, 0x80]) + os.urandom(4))
                continue
            if op in (1, 2) and data:
                return data[0], data[1:]

    def close(self):
        try:
            self.s.sendall(bytes([0x88, 0x80]) + os.urandom(4))
        except OSError:
            pass
        self.s.close()


def drain(ws, until=None, secs=30):
    """Everything per channel until the server closes, or until `until`
    (bytes) is in stdout."""
    got = {1: b"", 2: b"", 3: b""}
    end = time.time() + secs
    while time.time() < end:
        m = ws.recv()
        if m is None:
            break
        ch, data = m
        got[ch] = got.get(ch, b"") + data
        if until and until in got[1]:
            break
    return {k: v.decode(errors="replace").replace("\r", "") for k, v in got.items()}


def exit_code_of(status):
    s = json.loads(status) if status else {}
    if s.get("status") == "Success":
        return 0
    for cause in (s.get("details") or {}).get("causes", []):
        if cause.get("reason") == "ExitCode":
            return int(cause["message"])
    raise Failure(f"exec status: {status!r}")


# The terminal probe of lib.sh: its size once set, then its name.
TTY_PROBE = E["CRI_TTY_PROBE"]


def stream(c):
    pod, cfg = c.pod("st", E["CRI_HANDLER"])
    cid = c.container(pod, cfg, "t", ["sh", "-c", "while read l; do echo attached:$l; done"],
                      tty=True, stdin=True)
    # Exec without a terminal: stdout and stderr apart, the exit code.
    url = c.call("Exec", pb.ExecRequest(container_id=cid, cmd=["sh", "-c", "echo o; echo e >&2; exit 4"],
                                        stdout=True, stderr=True)).url
    check(url.startswith("http://127.0.0.1:"), f"Exec gives a streaming URL on loopback: {url}")
    ws = Ws(url)
    got = drain(ws)
    ws.close()
    eq((got[1], got[2], exit_code_of(got[3])), ("o\n", "e\n", 4), "Exec: stdout, stderr, exit code")
    # Exec with a terminal: the size we set, stdin through it.
    url = c.call("Exec", pb.ExecRequest(container_id=cid, cmd=["sh", "-c", TTY_PROBE +
                                        "; read l; echo got:$l; exit 7"],
                                        tty=True, stdin=True, stdout=True)).url
    ws = Ws(url)
    ws.send(4, json.dumps({"Width": 61, "Height": 23}).encode())
    ws.send(0, b"hello\n")
    got = drain(ws)
    ws.close()
    check("23 61" in got[1] and "/dev/pts/" in got[1] and "got:hello" in got[1],
          f"Exec -t: size, terminal, stdin: {got[1]!r}")
    eq(exit_code_of(got[3]), 7, "Exec -t: exit code")
    # Attach to the container's own terminal.
    url = c.call("Attach", pb.AttachRequest(container_id=cid, stdin=True, tty=True, stdout=True)).url
    ws = Ws(url)
    ws.send(0, b"ping\n")
    got = drain(ws, until=b"attached:ping", secs=15)
    ws.close()
    check("attached:ping" in got[1], f"Attach -t: the container's answer: {got[1]!r}")
    c.remove_all()
    eq(states(E["CRI_CELL_ROOT"]), [], "cell's state after the pod")


def main():
    c = Cri(E["CRI_SOCK"])
    try:
        globals()[sys.argv[1]](c)
    except Failure as e:
        print("FAIL:", e, file=sys.stderr)
        return 1
    finally:
        try:
            c.remove_all()
        except Failure as e:
            print("clean-up:", e, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
