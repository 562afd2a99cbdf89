#include "runtime/tty-proxy.h"
#include "util/fdpass.h"
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

int cell_tty_proxy_start(cell_tty_proxy *p, int sock)
{
  char name[256];
  cell_error err = CELL_ERROR_INIT;
  p->master = -1;
  p->raw = false;
  p->stdin_open = true;
  int r = cell_recv_fd(sock, &p->master, name, sizeof name, &err);
  cell_error_clear(&err);
  if (r < 0 || p->master < 0)
    return -EPROTO;
  if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &p->saved) == 0) {
    struct termios raw = p->saved;
    cfmakeraw(&raw);
    if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
      p->raw = true;
  }
  cell_tty_proxy_resize(p);
  return 0;
}

void cell_tty_proxy_resize(cell_tty_proxy *p)
{
  struct winsize ws;
  if (p->master >= 0 && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
    ioctl(p->master, TIOCSWINSZ, &ws);
}

static bool copy_once(int from, int to)
{
  char buf[8192];
  ssize_t n = read(from, buf, sizeof buf);
  if (n <= 0)
    return n < 0 && errno == EINTR;
  return cell_write_all(to, buf, (size_t) n) == 0;
}

void cell_tty_proxy_pump(cell_tty_proxy *p, int fd, short revents)
{
  if (fd == STDIN_FILENO && p->stdin_open && (revents & (POLLIN | POLLHUP))) {
    if (!copy_once(STDIN_FILENO, p->master))
      p->stdin_open = false;
  } else if (fd == p->master && (revents & (POLLIN | POLLHUP))) {
    copy_once(p->master, STDOUT_FILENO);
  }
}

void cell_tty_proxy_stop(cell_tty_proxy *p)
{
  if (p->master >= 0) {
    int fl = fcntl(p->master, F_GETFL);
    fcntl(p->master, F_SETFL, fl | O_NONBLOCK);
    while (copy_once(p->master, STDOUT_FILENO))
      ;
    close(p->master);
    p->master = -1;
  }
  if (p->raw)
    tcsetattr(STDIN_FILENO, TCSANOW, &p->saved);
  p->raw = false;
}
