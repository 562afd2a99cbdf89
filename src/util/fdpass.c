#include "util/fdpass.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int cell_send_fd(int sock, int fd, const void *data, size_t len, cell_error *err)
{
  char dummy = 0;
  return cell_send_fds(sock, &fd, fd >= 0, len ? data : &dummy, len ? len : 1, err);
}

int cell_recv_fd(int sock, int *fd, void *data, size_t len, cell_error *err)
{
  size_t n;
  *fd = -1;
  return cell_recv_fds(sock, fd, 1, &n, data, len, err);
}

int cell_unix_connect(const char *path, cell_error *err)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  if (strlen(path) >= sizeof sa.sun_path)
    return cell_error_set(err, ENAMETOOLONG, "socket path `%s` is too long", path);
  strcpy(sa.sun_path, path);
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0)
    return cell_error_sys(err, "socket");
  if (connect(s, (struct sockaddr *) &sa, sizeof sa) < 0) {
    int r = cell_error_sys(err, "connect to `%s`", path);
    close(s);
    return r;
  }
  return s;
}

int cell_send_fds(int sock, const int *fds, size_t n, const void *data, size_t len,
                  cell_error *err)
{
  if (n > CELL_MAX_FDS_PER_MSG || !len)
    return cell_error_set(err, EINVAL, "send fds: %zu fds, %zu bytes", n, len);
  struct iovec iov = { .iov_base = (void *) data, .iov_len = len };
  union { struct cmsghdr h; char buf[CMSG_SPACE(CELL_MAX_FDS_PER_MSG * sizeof(int))]; } u;
  memset(&u, 0, sizeof u);
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
  if (n) {
    msg.msg_control = u.buf;
    msg.msg_controllen = CMSG_SPACE(n * sizeof(int));
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(n * sizeof(int));
    memcpy(CMSG_DATA(c), fds, n * sizeof(int));
  }
  ssize_t r;
  do
    r = sendmsg(sock, &msg, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return cell_error_sys(err, "send fd over socket");
  return 0;
}

int cell_recv_fds(int sock, int *fds, size_t max, size_t *n, void *data, size_t len,
                  cell_error *err)
{
  struct iovec iov = { .iov_base = data, .iov_len = len };
  union { struct cmsghdr h; char buf[CMSG_SPACE(CELL_MAX_FDS_PER_MSG * sizeof(int))]; } u;
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = u.buf, .msg_controllen = sizeof u.buf };
  *n = 0;
  ssize_t r;
  do
    r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return cell_error_sys(err, "receive fd from socket");
  size_t got = 0;
  bool too_many = false;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
      continue;
    size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < k; i++) {
      int fd;
      memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      if (got < max)
        fds[got++] = fd;
      else {
        close(fd);
        too_many = true;
      }
    }
  }
  if (too_many || (msg.msg_flags & MSG_CTRUNC)) {
    for (size_t i = 0; i < got; i++)
      close(fds[i]);
    return cell_error_set(err, EPROTO, "receive fds: more fds than expected");
  }
  *n = got;
  return (int) r;
}
