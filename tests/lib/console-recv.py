#!/usr/bin/env python3
"""A console socket for tests: listen on SOCK, take the pty master a runtime
sends with SCM_RIGHTS, then copy what the container writes to stdout until
the pty closes. Writes the payload and the window size to INFO.

  console-recv.py SOCK INFO [INPUT]   (INPUT: text written to the master)
"""
import array, errno, fcntl, os, socket, struct, sys, termios

sock_path, info_path = sys.argv[1], sys.argv[2]
data_in = sys.argv[3] if len(sys.argv) > 3 else None

srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(sock_path)
srv.listen(1)
srv.settimeout(60)
conn, _ = srv.accept()
fds = array.array("i")
msg, anc, _, _ = conn.recvmsg(4096, socket.CMSG_LEN(fds.itemsize))
for level, kind, payload in anc:
    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
        fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
if not fds:
    sys.exit("console-recv: no fd received")
master = fds[0]
rows, cols, _, _ = struct.unpack("HHHH", fcntl.ioctl(master, termios.TIOCGWINSZ, b"\0" * 8))
with open(info_path, "w") as f:
    f.write("payload=%s\nsize=%dx%d\n" % (msg.decode(errors="replace"), cols, rows))
if data_in is not None:
    os.write(master, data_in.encode())
out = sys.stdout.buffer
while True:
    try:
        chunk = os.read(master, 4096)
    except OSError as e:
        if e.errno == errno.EIO:   # every slave fd closed: the container ended
            break
        raise
    if not chunk:
        break
    out.write(chunk)
    out.flush()
