/* cell-agent: a seccomp notification agent for many containers.
 *
 *   cell-agent --socket PATH [--log FILE] [--log-format text|json]
 *              [--plugin SO]... [--handlers LIST] [--stats FILE]
 *   cell-agent --socket PATH stats
 *
 * Containers name PATH as linux.seccomp.listenerPath; listenerMetadata
 * chooses their handlers (see cell-agent(8)). */
#include "notify/internal.h"
#include "util/cleanup.h"
#include "util/fdpass.h"
#include "util/fs.h"
#include "cell-config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static volatile sig_atomic_t stop_flag, dump_flag;

static void on_stop(int sig) { (void) sig; stop_flag = 1; }
static void on_dump(int sig) { (void) sig; dump_flag = 1; }

static void usage(FILE *f)
{
  fprintf(f,
          "usage: cell-agent --socket PATH [--log FILE] [--log-format text|json]\n"
          "                  [--plugin SO]... [--handlers LIST] [--stats FILE] [--quiet]\n"
          "       cell-agent --socket PATH stats\n"
          "Serves seccomp user notifications of containers whose linux.seccomp.listenerPath\n"
          "is PATH. listenerMetadata `handlers=mknod,log default=errno:EPERM` picks handlers:\n"
          "mknod, sysinfo, log, continue, errno:N. SIGUSR1 writes the counts to --stats FILE;\n"
          "`stats` prints them. Started by a systemd socket unit (LISTEN_FDS=1), it serves\n"
          "the socket it is handed, which must be bound to PATH. See cell-agent(8).\n");
}

/* Socket activation (sd_listen_fds(3)): a systemd socket unit hands the
 * listening socket over as fd 3, with LISTEN_PID our pid and LISTEN_FDS 1.
 * It must be a listening AF_UNIX stream socket bound to --socket PATH.
 * Returns the fd, -ENOENT when not activated, or an error. */
static int inherited_socket(const char *path, cell_error *err)
{
  const char *pid = getenv("LISTEN_PID"), *n = getenv("LISTEN_FDS");
  if (!pid || !n || strtol(pid, NULL, 10) != getpid())
    return -ENOENT;
  if (strcmp(n, "1"))
    return cell_error_set(err, EINVAL, "socket activation: LISTEN_FDS=%s, cell-agent takes one socket", n);
  unsetenv("LISTEN_PID");
  unsetenv("LISTEN_FDS");
  unsetenv("LISTEN_FDNAMES");
  const int fd = 3;
  int type = 0, acc = 0;
  socklen_t l = sizeof type, la = sizeof acc;
  struct sockaddr_un sa = { 0 };
  socklen_t ls = sizeof sa;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l) < 0 ||
      getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &la) < 0 || getsockname(fd, (struct sockaddr *) &sa, &ls) < 0)
    return cell_error_sys(err, "socket activation: fd 3");
  if (sa.sun_family != AF_UNIX || type != SOCK_STREAM || !acc)
    return cell_error_set(err, EINVAL, "socket activation: fd 3 is not a listening unix stream socket");
  if (ls <= offsetof(struct sockaddr_un, sun_path) || strncmp(sa.sun_path, path, sizeof sa.sun_path))
    return cell_error_set(err, EINVAL, "socket activation: fd 3 is bound to `%.*s`, not to --socket `%s`",
                          (int) (ls > offsetof(struct sockaddr_un, sun_path) ? ls - offsetof(struct sockaddr_un, sun_path) : 0),
                          sa.sun_path, path);
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
    return cell_error_sys(err, "socket activation: fd 3");
  return fd;
}

static int listen_on(const char *path, cell_error *err)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  if (strlen(path) >= sizeof sa.sun_path)
    return cell_error_set(err, ENAMETOOLONG, "--socket `%s`: path too long", path);
  strcpy(sa.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return cell_error_sys(err, "socket");
  struct stat st;
  if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
    unlink(path);  /* a stale socket of an earlier agent */
  if (bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0 || listen(fd, 128) < 0) {
    int r = cell_error_sys(err, "--socket: listen on `%s`", path);
    close(fd);
    return r;
  }
  return fd;
}

static int cmd_stats(const char *path)
{
  cell_error err = CELL_ERROR_INIT;
  int fd = cell_unix_connect(path, &err);
  if (fd < 0) {
    fprintf(stderr, "cell-agent: %s\n", err.msg);
    cell_error_clear(&err);
    return 1;
  }
  const char req[] = "{\"command\":\"stats\"}";
  if (cell_write_all(fd, req, sizeof req - 1) < 0 || shutdown(fd, SHUT_WR) < 0) {
    fprintf(stderr, "cell-agent: send to `%s`: %s\n", path, strerror(errno));
    close(fd);
    return 1;
  }
  _cleanup_free_ char *out = NULL;
  size_t len = 0;
  int r = cell_read_fd(fd, &out, &len);
  close(fd);
  if (r < 0 || len == 0) {
    fprintf(stderr, "cell-agent: no answer from `%s`\n", path);
    return 1;
  }
  fwrite(out, 1, len, stdout);
  return 0;
}

int main(int argc, char **argv)
{
  static const struct option opts[] = {
    { "socket", required_argument, NULL, 's' }, { "log", required_argument, NULL, 'l' },
    { "log-format", required_argument, NULL, 'f' }, { "plugin", required_argument, NULL, 'p' },
    { "handlers", required_argument, NULL, 'H' }, { "stats", required_argument, NULL, 'S' },
    { "quiet", no_argument, NULL, 'q' }, { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' }, { NULL, 0, NULL, 0 },
  };
  const char *sock = NULL, *logpath = NULL, *handlers = NULL, *stats = NULL;
  _cleanup_free_ char *plugins = NULL;
  cell_log log = { .fd = -1, .format = CELL_LOG_TEXT, .prog = "cell-agent" };
  bool quiet = false;
  int c;
  while ((c = getopt_long(argc, argv, "s:l:p:H:S:qhV", opts, NULL)) != -1) {
    switch (c) {
    case 's': sock = optarg; break;
    case 'l': logpath = optarg; break;
    case 'f':
      if (strcmp(optarg, "json") == 0)
        log.format = CELL_LOG_JSON;
      else if (strcmp(optarg, "text") != 0) {
        fprintf(stderr, "cell-agent: --log-format: `%s` is neither text nor json\n", optarg);
        return 2;
      }
      break;
    case 'p': {
      char *n = NULL;
      if (asprintf(&n, "%s%s%s", plugins ? plugins : "", plugins ? ":" : "", optarg) < 0)
        return 1;
      free(plugins);
      plugins = n;
      break;
    }
    case 'H': handlers = optarg; break;
    case 'S': stats = optarg; break;
    case 'q': quiet = true; break;
    case 'h': usage(stdout); return 0;
    case 'V': printf("cell-agent %s\n", CELL_VERSION); return 0;
    default: usage(stderr); return 2;
    }
  }
  if (!sock) {
    fprintf(stderr, "cell-agent: --socket PATH is required\n");
    usage(stderr);
    return 2;
  }
  if (optind < argc) {
    if (strcmp(argv[optind], "stats") == 0 && optind + 1 == argc)
      return cmd_stats(sock);
    fprintf(stderr, "cell-agent: unknown command `%s`\n", argv[optind]);
    return 2;
  }
  if (logpath) {
    log.fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (log.fd < 0) {
      fprintf(stderr, "cell-agent: --log: open `%s`: %s\n", logpath, strerror(errno));
      return 1;
    }
  }
  cell_error err = CELL_ERROR_INIT;
  if (handlers) {
    /* Check the list now rather than at the first container. */
    _cleanup_free_ char *l = strdup(handlers);
    char *save = NULL;
    for (char *h = strtok_r(l, ",", &save); h; h = strtok_r(NULL, ",", &save)) {
      cn_handler hd;
      if (cn_handler_parse(h, &hd, &err) < 0) {
        fprintf(stderr, "cell-agent: --handlers: %s\n", err.msg);
        return 2;
      }
    }
  }
  struct sigaction sa = { .sa_handler = on_stop };
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sa.sa_handler = on_dump;
  sigaction(SIGUSR1, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  cn_server_opts so = { .log = &log, .plugins = plugins, .default_handlers = handlers,
                        .log_decisions = !quiet };
  cn_server *s = NULL;
  int lfd = -1;
  bool activated = false;
  int r = cn_server_new(&so, &s, &err);
  if (r >= 0) {
    lfd = inherited_socket(sock, &err);
    activated = lfd >= 0;
    if (lfd == -ENOENT)
      lfd = listen_on(sock, &err);
    if (lfd < 0)
      r = lfd;
  }
  if (r >= 0)
    r = cn_server_add_listen(s, lfd, &err);
  if (r >= 0) {
    cell_log_write(&log, "info", "listening on %s%s", sock, activated ? " (socket activation)" : "");
    r = cn_server_run(s, &stop_flag, &dump_flag, stats, &err);
  }
  if (r < 0)
    fprintf(stderr, "cell-agent: %s\n", err.msg);
  else if (stats) {
    _cleanup_free_ char *st = cn_server_stats(s);
    if (st)
      (void) cell_write_file_atomic(stats, st, strlen(st), 0644, &err);
  }
  cn_server_free(s);
  if (lfd >= 0) {
    close(lfd);
    if (!activated)  /* the socket unit's, else */
      unlink(sock);
  }
  cell_error_clear(&err);
  if (log.fd >= 0)
    close(log.fd);
  return r < 0 ? 1 : 0;
}
