#include "helpers.h"
#include "notify/internal.h"
#include "notify/notify.h"
#include "util/fdpass.h"
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int t_filter(const int *nrs, int n, bool default_notify, cell_seccomp_filter *f)
{
  memset(f, 0, sizeof *f);
  scmp_filter_ctx ctx = seccomp_init(default_notify ? SCMP_ACT_NOTIFY : SCMP_ACT_ALLOW);
  if (!ctx)
    return -ENOMEM;
  for (int i = 0; i < n; i++)
    if (seccomp_rule_add(ctx, default_notify ? SCMP_ACT_ALLOW : SCMP_ACT_NOTIFY, nrs[i], 0) < 0) {
      seccomp_release(ctx);
      return -EINVAL;
    }
  int mfd = memfd_create("bpf", MFD_CLOEXEC);
  if (mfd < 0 || seccomp_export_bpf(ctx, mfd) < 0) {
    seccomp_release(ctx);
    return -EIO;
  }
  seccomp_release(ctx);
  off_t len = lseek(mfd, 0, SEEK_END);
  f->insns = malloc((size_t) len);
  if (!f->insns || pread(mfd, f->insns, (size_t) len, 0) != len) {
    close(mfd);
    return -EIO;
  }
  close(mfd);
  f->len = (size_t) len / sizeof(struct sock_filter);
  f->flags = CELL_SECCOMP_FLAG_NEW_LISTENER;
  f->has_notify = true;
  return 0;
}

pid_t t_spawn(const cell_seccomp_filter *f, int sock, int close_fd, const char *id,
              const char *metadata, t_child_fn fn, void *arg)
{
  pid_t pid = fork();
  if (pid != 0)
    return pid;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (close_fd >= 0)
    close(close_fd);
  char *message = t_message(id, getpid(), metadata);
  if (!message)
    _exit(99);
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  cell_error err = CELL_ERROR_INIT;
  cell_notify_target t = { sock, message, strlen(message), 3000 };
  if (cell_notify_install(f, &t, &err) < 0) {
    fprintf(stderr, "  child: %s\n", err.msg);
    _exit(100 + (err.code & 0x7f));
  }
  _exit(fn ? fn(arg) : 0);
}

int t_wait(pid_t pid, int ms)
{
  int pfd = (int) syscall(SYS_pidfd_open, pid, 0);
  if (pfd >= 0) {
    struct pollfd p = { pfd, POLLIN, 0 };
    int r = poll(&p, 1, ms);
    close(pfd);
    if (r == 0) {
      kill(pid, SIGKILL);
      waitpid(pid, NULL, 0);
      return -ETIMEDOUT;
    }
  }
  int st;
  if (waitpid(pid, &st, 0) < 0)
    return -errno;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static volatile sig_atomic_t agent_stop;
static void on_term(int s) { (void) s; agent_stop = 1; }

pid_t t_agent(const char *path, const char *handlers, const char *plugins, const char *log)
{
  int ready[2];
  if (pipe2(ready, O_CLOEXEC) < 0)
    return -1;
  pid_t pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    close(ready[0]);
    struct sigaction sa = { .sa_handler = on_term };
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    cell_error err = CELL_ERROR_INIT;
    cell_log lg = { .fd = log ? open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644) : -1,
                    .prog = "test-agent" };
    if (!log)
      lg.fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    cn_server_opts o = { .log = &lg, .plugins = plugins, .default_handlers = handlers,
                         .log_decisions = true };
    cn_server *s = NULL;
    struct sockaddr_un sa_un = { .sun_family = AF_UNIX };
    snprintf(sa_un.sun_path, sizeof sa_un.sun_path, "%s", path);
    int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    unlink(path);
    if (cn_server_new(&o, &s, &err) < 0 || bind(l, (struct sockaddr *) &sa_un, sizeof sa_un) < 0 ||
        listen(l, 64) < 0 || cn_server_add_listen(s, l, &err) < 0) {
      fprintf(stderr, "  agent: %s\n", err.msg ? err.msg : strerror(errno));
      _exit(1);
    }
    (void) !write(ready[1], "x", 1);
    close(ready[1]);
    int r = cn_server_run(s, &agent_stop, NULL, NULL, &err);
    cn_server_free(s);
    _exit(r < 0 ? 1 : 0);
  }
  close(ready[1]);
  char c;
  ssize_t n = read(ready[0], &c, 1);
  close(ready[0]);
  if (n != 1) {
    waitpid(pid, NULL, 0);
    return -1;
  }
  return pid;
}

void t_agent_stop(pid_t pid)
{
  if (pid <= 0)
    return;
  kill(pid, SIGTERM);
  if (t_wait(pid, 5000) < 0)
    fprintf(stderr, "  agent %d did not stop\n", (int) pid);
}

char *t_agent_stats(const char *path)
{
  cell_error err = CELL_ERROR_INIT;
  int fd = cell_unix_connect(path, &err);
  cell_error_clear(&err);
  if (fd < 0)
    return NULL;
  const char q[] = "{\"command\":\"stats\"}";
  if (write(fd, q, sizeof q - 1) < 0 || shutdown(fd, SHUT_WR) < 0) {
    close(fd);
    return NULL;
  }
  char *out = NULL;
  size_t len;
  if (cell_read_fd(fd, &out, &len) < 0)
    out = NULL;
  close(fd);
  return out;
}

char *t_message(const char *id, pid_t pid, const char *metadata)
{
  char state[512];
  snprintf(state, sizeof state, "{\"ociVersion\":\"1.2.0\",\"id\":\"%s\",\"status\":\"creating\","
           "\"pid\":%d,\"bundle\":\"/b\",\"annotations\":{}}", id, (int) pid);
  char *msg = NULL;
  size_t len;
  cell_error err = CELL_ERROR_INIT;
  if (cell_notify_message(state, pid, metadata, &msg, &len, &err) < 0) {
    cell_error_clear(&err);
    return NULL;
  }
  return msg;
}

char *t_tmpdir(void)
{
  char *d = strdup("/tmp/cell-notify-XXXXXX");
  if (d && !mkdtemp(d)) {
    free(d);
    return NULL;
  }
  return d;
}

void t_rmdir(const char *dir)
{
  cell_error err = CELL_ERROR_INIT;
  if (dir)
    cell_rm_rf(dir, &err);
  cell_error_clear(&err);
}
