/* The per-container monitor: a small daemon that owns the listener for the
 * container's life and serves it with the plugins of run.oci.seccomp.plugins,
 * so that they keep working after `cell create` or `cell run -d` returns. */
#include "notify/notify.h"
#include "notify/internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static __attribute__((noreturn)) void monitor_main(const cell_notify_monitor_opts *o, int sock,
                                                   int report, int pidpipe)
{
  cell_error err = CELL_ERROR_INIT;
  int logfd = -1;
  if (o->log_path) {
    logfd = open(o->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (logfd < 0) {
      cell_error_sys(&err, "seccomp monitor: open log `%s`", o->log_path);
      (void) cell_write_all(report, err.msg, strlen(err.msg));
      _exit(1);
    }
  } else if (o->log_fd >= 0)
    logfd = o->log_fd;
  else
    logfd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  /* stdio to /dev/null so that no terminal or pipe of the caller stays
   * open, errors of the log reach nobody by surprise. */
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) {
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    if (null > 2)
      close(null);
  }
  int listen_fd = o->record ? o->record->listen_fd : -1;
  int keep[] = { sock, report, logfd, pidpipe, listen_fd };
  cell_close_fds_from(3, keep, 5);
  cell_log log = { .fd = logfd >= 0 ? logfd : -1, .format = o->log_format,
                   .prog = o->record ? "cell-recorder" : "cell-monitor" };
  if (o->record)
    cn_record_main(o, sock, report, pidpipe, &log);
  pid_t pids[2] = { getpid(), 0 };
  (void) !write(pidpipe, pids, sizeof pids);
  close(pidpipe);
  cn_server_opts so = { .log = &log, .plugins = o->plugins, .exit_when_idle = true,
                        .log_decisions = o->log_path != NULL };
  cn_server *s = NULL;
  if (cn_server_new(&so, &s, &err) < 0 || cn_server_add_conn(s, sock, &err) < 0) {
    cell_error_wrap(&err, "seccomp monitor");
    (void) cell_write_all(report, err.msg, strlen(err.msg));
    _exit(1);
  }
  /* Ready: the plugins loaded.  Closing the report pipe tells the runtime. */
  close(report);
  int r = cn_server_run(s, NULL, NULL, NULL, &err);
  if (r < 0)
    cell_log_error(&log, "%s", err.msg);
  cn_server_free(s);
  _exit(r < 0 ? 1 : 0);
}

int cell_notify_monitor_spawn(const cell_notify_monitor_opts *o, int *init_sock,
                              pid_t *monitor_pid, cell_error *err)
{
  pid_t pids[2];
  int r = cell_notify_monitor_spawn2(o, init_sock, pids, err);
  if (r == 0 && monitor_pid)
    *monitor_pid = pids[0];
  return r;
}

int cell_notify_monitor_spawn2(const cell_notify_monitor_opts *o, int *init_sock, pid_t pids[2],
                               cell_error *err)
{
  int sp[2], rp[2], pp[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
    return cell_error_sys(err, "seccomp monitor: socketpair");
  if (pipe2(rp, O_CLOEXEC) < 0) {
    int r = cell_error_sys(err, "seccomp monitor: pipe");
    close(sp[0]);
    close(sp[1]);
    return r;
  }
  if (pipe2(pp, O_CLOEXEC) < 0) {
    int r = cell_error_sys(err, "seccomp monitor: pipe");
    close(sp[0]);
    close(sp[1]);
    close(rp[0]);
    close(rp[1]);
    return r;
  }
  pid_t c = fork();
  if (c < 0) {
    int r = cell_error_sys(err, "seccomp monitor: fork");
    close(sp[0]);
    close(sp[1]);
    close(rp[0]);
    close(rp[1]);
    close(pp[0]);
    close(pp[1]);
    return r;
  }
  if (c == 0) {
    /* Double fork: the monitor is nobody's child but init's (or a
     * subreaper's), in its own session, and outlives `cell create`. */
    close(sp[0]);
    close(rp[0]);
    close(pp[0]);
    setsid();
    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    pid_t m = fork();
    if (m < 0)
      _exit(1);
    if (m > 0)
      _exit(0);
    /* The monitor says its pid (and its standby's) itself. */
    monitor_main(o, sp[1], rp[1], pp[1]);
  }
  close(sp[1]);
  close(rp[1]);
  close(pp[1]);
  int status;
  while (waitpid(c, &status, 0) < 0 && errno == EINTR)
    ;
  pid_t got[2] = { -1, 0 };
  if (read(pp[0], got, sizeof got) != sizeof got)
    got[0] = -1;
  close(pp[0]);
  pid_t m = got[0];
  _cleanup_free_ char *msg = NULL;
  size_t len = 0;
  int r = cell_read_fd(rp[0], &msg, &len);
  close(rp[0]);
  if (m < 0 || (r >= 0 && len > 0)) {
    close(sp[0]);
    if (r >= 0 && len > 0)
      return cell_error_set(err, EINVAL, "%s", msg);
    return cell_error_set(err, ECHILD, "seccomp monitor: it did not start");
  }
  *init_sock = sp[0];
  pids[0] = m;
  pids[1] = got[1];
  return 0;
}
