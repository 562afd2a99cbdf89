/* process.terminal: a pty from the container's own devpts (after
 * pivot_root /dev/ptmx is the container's, usually a symlink to pts/ptmx),
 * the slave as controlling terminal and stdio, the master to the caller. */
#include "linux/console.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fdpass.h"

#define PTMX_MAJOR 5
#define PTMX_MINOR 2
#define PTY_SLAVE_MAJOR_FIRST 136   /* UNIX98_PTY_SLAVE_MAJOR .. +7 */
#define PTY_SLAVE_MAJOR_LAST 143

/* The slave of master m: TIOCGPTPEER opens it through the master, so no
 * path in the container can swap it; older kernels go through /dev/pts/N. */
static int open_slave(int m, const char *name, cell_error *err)
{
  int s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (s < 0 && (errno == EINVAL || errno == ENOTTY))
    s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW);
  if (s < 0)
    return cell_error_sys(err, "open pty slave `%s`", name);
  struct stat st;
  if (fstat(s, &st) < 0) {
    int r = cell_error_sys(err, "fstat pty slave `%s`", name);
    close(s);
    return r;
  }
  if (!S_ISCHR(st.st_mode) || major(st.st_rdev) < PTY_SLAVE_MAJOR_FIRST ||
      major(st.st_rdev) > PTY_SLAVE_MAJOR_LAST) {
    close(s);
    return cell_error_set(err, EXDEV, "`%s` is not a pty slave", name);
  }
  return s;
}

/* Bind the slave over /dev/console, creating it as an empty file when it
 * is missing. A symlink or directory there is refused, and with /proc the
 * mount goes through fds so that nothing can be swapped in between. */
static int bind_console_to(int s, const char *name, cell_error *err)
{
  const char *console = "/dev/console";
  _cleanup_close_ int t = open(console, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (t < 0 && errno == ENOENT) {
    int c = open(console, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (c < 0 && errno != EEXIST)
      return cell_error_sys(err, "create `%s`", console);
    if (c >= 0)
      close(c);
    t = open(console, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  }
  if (t < 0)
    return cell_error_sys(err, "open `%s`", console);
  struct stat st;
  if (fstat(t, &st) < 0)
    return cell_error_sys(err, "fstat `%s`", console);
  if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))
    return cell_error_set(err, EINVAL, "`%s` is neither a file nor a device: refusing to "
                          "mount the console over it", console);
  char src[64], dst[64];
  snprintf(src, sizeof src, "/proc/self/fd/%d", s);
  snprintf(dst, sizeof dst, "/proc/self/fd/%d", t);
  if (access(src, F_OK) < 0) {
    /* No /proc in the container (yet): fall back to the paths. */
    snprintf(src, sizeof src, "%s", name);
    snprintf(dst, sizeof dst, "%s", console);
  }
  if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
    return cell_error_sys(err, "bind `%s` onto `%s`", name, console);
  return 0;
}

int linux_console_setup(int console_sock, const oci_process *p, bool bind_console,
                        int *master, cell_error *err)
{
  if (master)
    *master = -1;
  if (console_sock < 0 && !master)
    return cell_error_set(err, EINVAL, "process.terminal: no console socket to send the "
                          "pty master to");
  _cleanup_close_ int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (m < 0)
    return cell_error_sys(err, "open `/dev/ptmx`");
  struct stat st;
  if (fstat(m, &st) < 0)
    return cell_error_sys(err, "fstat `/dev/ptmx`");
  if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != PTMX_MAJOR ||
      minor(st.st_rdev) != PTMX_MINOR)
    return cell_error_set(err, EXDEV, "`/dev/ptmx` is not the pty multiplexer");
  int unlock = 0;
  if (ioctl(m, TIOCSPTLCK, &unlock) < 0)
    return cell_error_sys(err, "unlock pty (TIOCSPTLCK)");
  unsigned n = 0;
  if (ioctl(m, TIOCGPTN, &n) < 0)
    return cell_error_sys(err, "pty number (TIOCGPTN)");
  char name[32];
  snprintf(name, sizeof name, "/dev/pts/%u", n);

  _cleanup_close_ int s = open_slave(m, name, err);
  if (s < 0)
    return s;
  if (p->has_console_size) {
    struct winsize ws = { .ws_row = (unsigned short) p->console_height,
                          .ws_col = (unsigned short) p->console_width };
    if (ioctl(m, TIOCSWINSZ, &ws) < 0)
      return cell_error_sys(err, "process.consoleSize %ux%u (TIOCSWINSZ)",
                            p->console_width, p->console_height);
  }
  if (bind_console) {
    int r = bind_console_to(s, name, err);
    if (r < 0)
      return r;
  }

  /* A new session whose controlling terminal is the slave. */
  if (setsid() < 0 && getsid(0) != getpid())
    return cell_error_sys(err, "setsid");
  if (ioctl(s, TIOCSCTTY, 0) < 0)
    return cell_error_sys(err, "make `%s` the controlling terminal (TIOCSCTTY)", name);
  /* dup2 onto itself would keep O_CLOEXEC: move the slave above 2 first. */
  if (s <= 2) {
    int hi = fcntl(s, F_DUPFD_CLOEXEC, 3);
    if (hi < 0)
      return cell_error_sys(err, "dup pty slave");
    close(s);
    s = hi;
  }
  for (int fd = 0; fd <= 2; fd++)
    if (dup2(s, fd) < 0)
      return cell_error_sys(err, "dup2 pty slave onto fd %d", fd);

  if (console_sock < 0) {
    *master = cell_steal_fd(&m);
    return 0;
  }
  /* runc sends the master's file name ("/dev/ptmx") as the payload. */
  static const char payload[] = "/dev/ptmx";
  int r = cell_send_fd(console_sock, m, payload, sizeof payload - 1, err);
  if (r < 0)
    return cell_error_wrap(err, "send the pty master over the console socket");
  return 0;
}
