#include "runtime/notify-socket.h"
#include "util/cleanup.h"
#include "util/strv.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int cell_notify_socket_setup(oci_config *c, const cell_store *s, const char *host,
                             cell_error *err)
{
  if (!host || !*host || !c->process)
    return 0;
  if (host[0] != '/' && host[0] != '@')
    return cell_error_set(err, EINVAL, "NOTIFY_SOCKET: `%s` is not an absolute path", host);
  if (strlen(host) >= sizeof(((struct sockaddr_un *) 0)->sun_path))
    return cell_error_set(err, ENAMETOOLONG, "NOTIFY_SOCKET: `%s` is too long for a socket",
                          host);
  if (mkdirat(s->dirfd, "notify", 0755) < 0 && errno != EEXIST)
    return cell_error_sys(err, "mkdir `%s/notify`", s->dir);
  oci_mount *ms = realloc(c->mounts, (c->n_mounts + 1) * sizeof *ms);
  if (!ms)
    return cell_error_set(err, ENOMEM, "out of memory");
  c->mounts = ms;
  oci_mount *m = &ms[c->n_mounts];
  memset(m, 0, sizeof *m);
  char **opts = NULL;
  if (!(m->destination = strdup("/run/notify")) || !(m->type = strdup("bind")) ||
      asprintf(&m->source, "%s/notify", s->dir) < 0 || cell_strv_push(&opts, "rbind") < 0 ||
      cell_strv_push(&opts, "ro") < 0 || cell_strv_push(&opts, "nosuid") < 0 ||
      cell_strv_push(&opts, "nodev") < 0 || cell_strv_push(&opts, "noexec") < 0) {
    cell_strv_free(opts);
    free(m->destination);
    free(m->type);
    return cell_error_set(err, ENOMEM, "out of memory");
  }
  m->options = opts;
  c->n_mounts++;
  int r = oci_mount_parse_options(m, err);
  if (r < 0)
    return r;
  if (cell_env_set(&c->process->env, "NOTIFY_SOCKET=" CELL_NOTIFY_SOCKET_IN_CONTAINER) < 0)
    return cell_error_set(err, ENOMEM, "out of memory");
  return 0;
}

static const char *host_of(const cell_state *st)
{
  json_t *v = st->extra ? json_object_get(st->extra, CELL_STATE_NOTIFY_SOCKET) : NULL;
  return json_is_string(v) ? json_string_value(v) : NULL;
}

int cell_notify_socket_bind(const cell_store *s, const cell_state *st, cell_error *err)
{
  if (!host_of(st))
    return -1;
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  int n = snprintf(sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%d/notify/notify.sock",
                   s->dirfd);
  if (n < 0 || (size_t) n >= sizeof sa.sun_path)
    return cell_error_set(err, ENAMETOOLONG, "notify socket path");
  unlinkat(s->dirfd, "notify/notify.sock", 0);
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return cell_error_sys(err, "socket");
  if (bind(fd, (struct sockaddr *) &sa, (socklen_t) (offsetof(struct sockaddr_un, sun_path) +
                                                     (size_t) n + 1)) < 0) {
    int r = cell_error_sys(err, "bind the notify socket in `%s/notify`", s->dir);
    close(fd);
    return r;
  }
  /* The container's user may not be root. */
  fchmodat(s->dirfd, "notify/notify.sock", 0777, 0);
  return fd;
}

static int send_host(const char *host, const char *msg, size_t len, cell_error *err)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  size_t n = strlen(host);
  memcpy(sa.sun_path, host, n);
  if (host[0] == '@')
    sa.sun_path[0] = '\0';
  socklen_t sl = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + n + (host[0] == '@' ? 0 : 1));
  _cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return cell_error_sys(err, "socket");
  if (sendto(fd, msg, len, MSG_NOSIGNAL, (struct sockaddr *) &sa, sl) < 0)
    return cell_error_sys(err, "NOTIFY_SOCKET: send to `%s`", host);
  return 0;
}

static bool has_ready(const char *msg)
{
  for (const char *l = msg; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
    if (strncmp(l, "READY=1", 7) == 0 && (l[7] == '\n' || l[7] == '\0'))
      return true;
  return false;
}

int cell_notify_socket_forward(int fd, const cell_store *s, const cell_state *st,
                               const cell_log *log, cell_error *err)
{
  const char *host = host_of(st);
  int r = 0;
  cell_error ig = CELL_ERROR_INIT;
  _cleanup_close_ int pidfd = cell_state_pidfd(st, &ig);
  cell_error_clear(&ig);
  for (bool ready = false; host && !ready && r == 0;) {
    struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
    if (poll(p, pidfd >= 0 ? 2 : 1, -1) < 0) {
      if (errno == EINTR)
        continue;
      r = cell_error_sys(err, "poll the notify socket");
      break;
    }
    if (p[0].revents & POLLIN) {
      char buf[4096 + 32];
      ssize_t n = recv(fd, buf, 4096, 0);
      if (n <= 0)
        continue;
      buf[n] = '\0';
      size_t len = (size_t) n;
      if ((ready = has_ready(buf)))
        len += (size_t) snprintf(buf + len, sizeof buf - len, "%sMAINPID=%d",
                                 len && buf[len - 1] != '\n' ? "\n" : "", (int) st->pid);
      r = send_host(host, buf, len, err);
      continue;
    }
    if (pidfd >= 0 && p[1].revents) {
      cell_log_warn(log, "container `%s` exited before it sent READY=1 to NOTIFY_SOCKET",
                    st->id);
      break;
    }
  }
  close(fd);
  unlinkat(s->dirfd, "notify/notify.sock", 0);
  return r;
}
