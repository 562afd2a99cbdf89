/* Recording a container's syscalls: the runtime's side (record.h). */
#include "runtime/record.h"
#include "runtime/procs.h"
#include "runtime/state.h"
#include "notify/notify.h"
#include "seccomp/recording.h"
#include "util/cleanup.h"
#include "util/fdpass.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

static int check_dir(const char *what, const char *path, cell_error *err)
{
  _cleanup_free_ char *dir = strdup(path);
  if (!dir)
    return cell_error_set(err, ENOMEM, "out of memory");
  char *slash = strrchr(dir, '/');
  if (slash == dir)
    slash[1] = 0;
  else if (slash)
    *slash = 0;
  struct stat sb;
  if (stat(dir, &sb) < 0)
    return cell_error_sys(err, "%s: the recording's directory `%s`", what, dir);
  if (!S_ISDIR(sb.st_mode))
    return cell_error_set(err, ENOTDIR, "%s: `%s` is not a directory", what, dir);
  return 0;
}

int cell_record_path(const oci_config *c, const char *cli_path, char **path, cell_error *err)
{
  *path = NULL;
  const char *ann = oci_annotation(c, CELL_ANNOTATION_RECORD);
  const char *what = cli_path ? "--record-seccomp" : "annotations." CELL_ANNOTATION_RECORD;
  const char *p = cli_path ? cli_path : ann;
  if (!p)
    return 0;
  if (!*p)
    return cell_error_set(err, EINVAL, "%s: an empty path", what);
  if (c->linux.seccomp_listener_path || oci_annotation(c, CELL_NOTIFY_ANNOTATION_PLUGINS) ||
      oci_annotation(c, CELL_NOTIFY_ANNOTATION_RECEIVER))
    return cell_error_set(err, EINVAL, "%s: the recorder needs the seccomp listener, and this "
                          "config sends it elsewhere (linux.seccomp.listenerPath, or the "
                          "annotation %s or %s): a filter has one listener", what,
                          CELL_NOTIFY_ANNOTATION_PLUGINS, CELL_NOTIFY_ANNOTATION_RECEIVER);
  char *abs = NULL;
  if (p[0] == '/')
    abs = strdup(p);
  else if (cli_path) {
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
      return cell_error_sys(err, "%s: getcwd", what);
    if (asprintf(&abs, "%s/%s", cwd, p) < 0)
      abs = NULL;
  } else if (asprintf(&abs, "%s/%s", c->bundle, p) < 0)
    abs = NULL;
  if (!abs)
    return cell_error_set(err, ENOMEM, "out of memory");
  int r = check_dir(what, abs, err);
  if (r < 0) {
    free(abs);
    return r;
  }
  *path = abs;
  return 0;
}

int cell_record_plan(cell_seccomp_filter *f, bool *present, cell_record *rec, cell_error *err)
{
  rec->has_base = *present;
  if (*present) {
    rec->base = *f;
    memset(f, 0, sizeof *f);
  }
  int r = cell_sc_record_filter(rec->has_base ? &rec->base : NULL, f, err);
  if (r < 0)
    return r;
  *present = true;
  return 0;
}

void cell_record_clear(cell_record *rec)
{
  free(rec->path);
  rec->path = NULL;
  if (rec->has_base)
    cell_seccomp_filter_free(&rec->base);
  rec->has_base = false;
}

static int sock_addr(int dirfd, struct sockaddr_un *sa, socklen_t *len)
{
  memset(sa, 0, sizeof *sa);
  sa->sun_family = AF_UNIX;
  int n = snprintf(sa->sun_path, sizeof sa->sun_path, "/proc/self/fd/%d/%s", dirfd,
                   CELL_RECORD_SOCKET);
  *len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + (size_t) n + 1);
  return 0;
}

int cell_record_spawn(const cell_record *rec, int dirfd, const char *id, const cell_log *log,
                      int *sock, json_t **extra, cell_error *err)
{
  *sock = -1;
  *extra = NULL;
  struct sockaddr_un sa;
  socklen_t len;
  sock_addr(dirfd, &sa, &len);
  _cleanup_close_ int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (lfd < 0)
    return cell_error_sys(err, "seccomp recording: socket");
  if (bind(lfd, (struct sockaddr *) &sa, len) < 0 || listen(lfd, 16) < 0)
    return cell_error_sys(err, "seccomp recording: bind the exec socket in the state dir");
  cell_notify_record_opts ro = { .path = rec->path, .base = rec->has_base ? &rec->base : NULL,
                                 .listen_fd = lfd };
  cell_notify_monitor_opts mo = {
    .container_id = id, .log_fd = log && log->fd >= 0 ? log->fd : -1,
    .log_format = log ? log->format : CELL_LOG_TEXT, .record = &ro,
  };
  pid_t pids[2];
  int r = cell_notify_monitor_spawn2(&mo, sock, pids, err);
  if (r < 0)
    return r;
  json_t *procs = json_array();
  for (int i = 0; i < 2; i++)
    if (pids[i] > 0)
      json_array_append_new(procs, json_pack("{s:i, s:I}", "pid", (int) pids[i], "start",
                                             (json_int_t) cell_proc_start_time(pids[i], NULL)));
  *extra = json_pack("{s:s, s:s, s:o}", "path", rec->path, "socket", CELL_RECORD_SOCKET,
                     "recorder", procs);
  return 0;
}

int cell_record_connect(json_t *extra, int dirfd, int *sock, cell_error *err)
{
  *sock = -1;
  if (!json_is_object(extra))
    return 0;
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d/%s", dirfd, CELL_RECORD_SOCKET);
  int fd = cell_unix_connect(path, err);
  if (fd < 0)
    return cell_error_wrap(err, "seccomp recording to `%s`: reach the recorder",
                           json_string_value(json_object_get(extra, "path")));
  *sock = fd;
  return 0;
}

void cell_record_wait(json_t *extra, int timeout_ms)
{
  json_t *procs = json_object_get(extra, "recorder");
  for (size_t i = 0; i < json_array_size(procs); i++) {
    json_t *p = json_array_get(procs, i);
    pid_t pid = (pid_t) json_integer_value(json_object_get(p, "pid"));
    uint64_t start = (uint64_t) json_integer_value(json_object_get(p, "start"));
    if (pid <= 0)
      continue;
    _cleanup_close_ int pfd = (int) syscall(SYS_pidfd_open, pid, 0);
    /* the pid may be another process by now: only wait for ours */
    if (pfd >= 0 && cell_proc_start_time(pid, NULL) == start)
      cell_pidfd_wait_exit(pfd, timeout_ms);
  }
}
