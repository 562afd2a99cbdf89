#include "runtime/start-socket.h"
#include "util/cleanup.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Names relative to the dir fd keep us clear of the 108-byte sun_path limit. */
static int socket_path(const cell_store *s, struct sockaddr_un *sa, socklen_t *len)
{
  memset(sa, 0, sizeof *sa);
  sa->sun_family = AF_UNIX;
  int n = snprintf(sa->sun_path, sizeof sa->sun_path, "/proc/self/fd/%d/start.sock", s->dirfd);
  if (n < 0 || (size_t) n >= sizeof sa->sun_path)
    return -ENAMETOOLONG;
  *len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + (size_t) n + 1);
  return 0;
}

int cell_start_socket_listen(const cell_store *s, cell_error *err)
{
  struct sockaddr_un sa;
  socklen_t len;
  if (socket_path(s, &sa, &len) < 0)
    return cell_error_set(err, ENAMETOOLONG, "start socket path");
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return cell_error_sys(err, "socket");
  if (bind(fd, (struct sockaddr *) &sa, len) < 0 || listen(fd, 1) < 0) {
    int r = cell_error_sys(err, "bind start socket in `%s`", s->dir);
    close(fd);
    return r;
  }
  return fd;
}

int cell_start_socket_connect(const cell_store *s, cell_error *err)
{
  struct sockaddr_un sa;
  socklen_t len;
  if (socket_path(s, &sa, &len) < 0)
    return cell_error_set(err, ENAMETOOLONG, "start socket path");
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return cell_error_sys(err, "socket");
  if (connect(fd, (struct sockaddr *) &sa, len) < 0) {
    int r = cell_error_sys(err, "reach the init of container `%s`", s->id);
    close(fd);
    return r;
  }
  return fd;
}

void cell_start_socket_remove(const cell_store *s)
{
  _cleanup_free_ char *sock = cell_store_path(s, "start.sock");
  if (sock)
    unlink(sock);
}
