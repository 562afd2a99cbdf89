#!/usr/bin/env python3
"""pty-run.py ROWS COLS CMD [ARGS...]

Runs CMD with a new pseudo-terminal of ROWS x COLS as its controlling
terminal and stdin/stdout/stderr, copies what it writes to our stdout
(carriage returns dropped) and exits with CMD's exit status. Gives up after
60 seconds without output."""
import fcntl
import os
import pty
import select
import struct
import sys
import termios


def main():
    if len(sys.argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    rows, cols = int(sys.argv[1]), int(sys.argv[2])
    pid, fd = pty.fork()
    if pid == 0:
        # The size is set on our side of the terminal before the program runs.
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        try:
            os.execvp(sys.argv[3], sys.argv[3:])
        finally:
            os._exit(127)
    out = bytearray()
    while True:
        try:
            ready, _, _ = select.select([fd], [], [], 60)
            if not ready:
                break
            data = os.read(fd, 4096)
        except OSError:  # EIO: the other side is closed
            break
        if not data:
            break
        out += data
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
