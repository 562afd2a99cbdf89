/* linux_console_setup in a child with a private mount namespace, a fresh
 * devpts and a chroot (standing for the container's root): the master must
 * arrive over the console socket, and the slave be stdio, the controlling
 * terminal and /dev/console. */
#include "unit.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "child.h"
#include "linux/console.h"
#include "util/fdpass.h"

static void console_child(const char *dir, int sock, int wfd, bool use_sock)
{
  char p[256];
  if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
    report(wfd, "skip: private mount namespace: %s", strerror(errno));
    return;
  }
  if (mount("tmpfs", dir, "tmpfs", 0, "mode=0755") < 0) {
    report(wfd, "skip: tmpfs: %s", strerror(errno));
    return;
  }
  snprintf(p, sizeof p, "%s/dev", dir);
  mkdir(p, 0755);
  snprintf(p, sizeof p, "%s/dev/pts", dir);
  mkdir(p, 0755);
  if (mount("devpts", p, "devpts", 0, "newinstance,ptmxmode=0666,mode=0620") < 0) {
    report(wfd, "skip: devpts: %s", strerror(errno));
    return;
  }
  snprintf(p, sizeof p, "%s/dev/ptmx", dir);
  if (symlink("pts/ptmx", p) < 0 || chroot(dir) < 0 || chdir("/") < 0) {
    report(wfd, "skip: chroot: %s", strerror(errno));
    return;
  }
  oci_process proc;
  memset(&proc, 0, sizeof proc);
  proc.terminal = true;
  proc.has_console_size = true;
  proc.console_width = 100;
  proc.console_height = 40;
  cell_error err = CELL_ERROR_INIT;
  int master = -1;
  if (linux_console_setup(use_sock ? sock : -1, &proc, true, use_sock ? NULL : &master,
                          &err) < 0) {
    report(wfd, "error: %s", err.msg);
    return;
  }
  struct stat c, s;
  struct winsize ws;
  memset(&ws, 0, sizeof ws);
  ioctl(0, TIOCGWINSZ, &ws);
  bool same = stat("/dev/console", &c) == 0 && fstat(0, &s) == 0 && c.st_rdev == s.st_rdev;
  int fl = fcntl(1, F_GETFD);
  report(wfd, "tty=%d,%d,%d console=%d size=%dx%d ctty=%d sid=%d cloexec=%d master=%d",
         isatty(0), isatty(1), isatty(2), same, ws.ws_col, ws.ws_row,
         tcgetsid(0) == getpid(), getsid(0) == getpid(), (fl & FD_CLOEXEC) != 0,
         master >= 0);
  if (write(1, "hello\n", 6) != 6)
    _exit(2);
}

TEST(console_over_socket)
{
  char dir[] = "/tmp/cell-console.XXXXXX";
  if (!mkdtemp(dir))
    SKIP("mkdtemp");
  int sv[2], rp[2];
  CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
  CHECK(pipe2(rp, O_CLOEXEC) == 0);
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid == 0) {
    close(sv[0]);
    close(rp[0]);
    console_child(dir, sv[1], rp[1], true);
    _exit(0);
  }
  close(sv[1]);
  close(rp[1]);

  /* The master arrives with runc's payload, unless the child failed first. */
  struct pollfd pf = { sv[0], POLLIN, 0 };
  char payload[64] = "";
  int m = -1;
  if (poll(&pf, 1, 10000) == 1) {
    cell_error err = CELL_ERROR_INIT;
    int n = cell_recv_fd(sv[0], &m, payload, sizeof payload - 1, &err);
    if (n > 0)
      payload[n] = 0;
    cell_error_cleanup(&err);
  }
  char got[256] = "";
  size_t used = 0;
  if (m >= 0) {
    /* Output of the child through the pty (ONLCR: \r\n). */
    struct pollfd mp = { m, POLLIN, 0 };
    while (used < sizeof got - 1 && !strstr(got, "hello") && poll(&mp, 1, 10000) == 1) {
      ssize_t r = read(m, got + used, sizeof got - 1 - used);
      if (r <= 0)
        break;
      used += (size_t) r;
      got[used] = 0;
    }
  }
  char rep[1024] = "";
  size_t rn = 0;
  ssize_t r;
  while (rn < sizeof rep - 1 && (r = read(rp[0], rep + rn, sizeof rep - 1 - rn)) > 0)
    rn += (size_t) r;
  rep[rn] = 0;
  waitpid(pid, NULL, 0);
  close(rp[0]);
  close(sv[0]);
  rmdir(dir);
  if (strncmp(rep, "skip", 4) == 0) {
    if (m >= 0)
      close(m);
    SKIP(rep);
  }
  CHECK(m >= 0);
  CHECK_STR(payload, "/dev/ptmx");
  CHECK_STR(rep, "tty=1,1,1 console=1 size=100x40 ctty=1 sid=1 cloexec=0 master=0");
  CHECK(strstr(got, "hello") != NULL);
  if (m >= 0) {
    struct winsize ws;
    memset(&ws, 0, sizeof ws);
    CHECK(ioctl(m, TIOCGWINSZ, &ws) == 0);
    CHECK_INT(ws.ws_col, 100);
    CHECK_INT(ws.ws_row, 40);
    close(m);
  }
}

/* Without a socket the master comes back to the caller. */
static void local_child(int wfd, void *arg)
{
  console_child(arg, -1, wfd, false);
}

TEST(console_master_returned)
{
  char dir[] = "/tmp/cell-console.XXXXXX";
  if (!mkdtemp(dir))
    SKIP("mkdtemp");
  char out[1024];
  in_child(local_child, dir, out, sizeof out);
  rmdir(dir);
  if (strncmp(out, "skip", 4) == 0)
    SKIP(out);
  CHECK_STR(out, "tty=1,1,1 console=1 size=100x40 ctty=1 sid=1 cloexec=0 master=1");
}

TEST(console_no_ptmx)
{
  /* /dev/ptmx of a root without devpts: an error naming it. Run in a chroot
   * of an empty dir. */
  char dir[] = "/tmp/cell-console.XXXXXX";
  if (!mkdtemp(dir))
    SKIP("mkdtemp");
  int p[2];
  CHECK(pipe2(p, O_CLOEXEC) == 0);
  pid_t pid = fork();
  if (pid == 0) {
    close(p[0]);
    if (chroot(dir) < 0)
      _exit(1);
    oci_process proc;
    memset(&proc, 0, sizeof proc);
    cell_error err = CELL_ERROR_INIT;
    int master = -1;
    linux_console_setup(-1, &proc, false, &master, &err);
    report(p[1], "%s", err.msg ? err.msg : "");
    _exit(0);
  }
  close(p[1]);
  char out[512] = "";
  ssize_t n = read(p[0], out, sizeof out - 1);
  out[n > 0 ? n : 0] = 0;
  close(p[0]);
  waitpid(pid, NULL, 0);
  rmdir(dir);
  CHECK_STR(out, "open `/dev/ptmx`: No such file or directory");
}
