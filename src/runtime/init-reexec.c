#include "runtime/init-reexec.h"
#include "runtime/exe-guard.h"
#include "runtime/sync.h"
#include "linux/namespaces.h"
#include "util/cleanup.h"
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#define INIT_ENV "_CELL_INIT"

bool cell_init_reexec_possible(const oci_config *c)
{
  return linux_ns_is_new(c, OCI_NS_MOUNT) && linux_ns_is_new(c, OCI_NS_PID) &&
         !linux_ns_is_new(c, OCI_NS_USER) && !c->linux.ns[OCI_NS_USER].path;
}

bool cell_init_is_reexec(void)
{
  return getenv(INIT_ENV) != NULL;
}

/* The fds of the context that must survive the exec, in a fixed order. */
static int *ctx_fds(cell_init_ctx *ctx, size_t i)
{
  switch (i) {
  case 0: return &ctx->sync_fd;
  case 1: return &ctx->start_fd;
  case 2: return &ctx->console_fd;
  case 3: return &ctx->notify_sock;
  default: return &ctx->nsfds.fd[i - 4];
  }
}
#define N_CTX_FDS (4 + OCI_NS_KINDS)

static int set_cloexec(int fd, bool on)
{
  int fl = fcntl(fd, F_GETFD);
  if (fl < 0)
    return -errno;
  return fcntl(fd, F_SETFD, on ? fl | FD_CLOEXEC : fl & ~FD_CLOEXEC) < 0 ? -errno : 0;
}

void cell_init_reexec(const cell_init_ctx *ctx_in, char **argv)
{
  cell_init_ctx ctx = *ctx_in;
  cell_error err = CELL_ERROR_INIT;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  prctl(PR_SET_DUMPABLE, 0);
  char val[256];
  size_t n = 0;
  for (size_t i = 0; i < N_CTX_FDS; i++) {
    int fd = *ctx_fds(&ctx, i);
    if (fd >= 0 && set_cloexec(fd, false) < 0) {
      cell_error_sys(&err, "exe guard: keep fd %d across the init's re-exec", fd);
      goto fail;
    }
    n += (size_t) snprintf(val + n, sizeof val - n, "%d,", fd);
  }
  /* The fds passed on to the user program, CLOEXEC or not (as without the
   * re-exec: the init clears CLOEXEC on them before its last exec). */
  for (int fd = 3; fd < 3 + ctx.preserve_fds; fd++)
    (void) set_cloexec(fd, false);
  snprintf(val + n, sizeof val - n, "%d,%d,%d,%lld", ctx.preserve_fds, ctx.listen_fds,
           ctx.filter != NULL, ctx.opts->log ? ctx.opts->log->t0_ns : 0);
  cell_exe_guard_reexec_here(argv, INIT_ENV, val, &err);
fail:
  cell_sync_send_error(ctx.sync_fd, &err);
  _exit(1);
}

static int parse_env(cell_init_ctx *ctx, bool *has_filter, long long *t0, cell_error *err)
{
  const char *v = getenv(INIT_ENV);
  char *end;
  long vals[N_CTX_FDS + 4];
  for (size_t i = 0; i < sizeof vals / sizeof *vals; i++) {
    errno = 0;
    long long x = strtoll(v, &end, 10);
    bool last = i + 1 == sizeof vals / sizeof *vals;
    if (errno || end == v || *end != (last ? '\0' : ','))
      return cell_error_set(err, EINVAL, "exe guard: malformed " INIT_ENV);
    vals[i] = (long) x;
    if (last)
      *t0 = x;
    v = end + 1;
  }
  for (size_t i = 0; i < N_CTX_FDS; i++) {
    int *fd = ctx_fds(ctx, i);
    *fd = (int) vals[i];
    if (*fd >= 0 && set_cloexec(*fd, true) < 0)
      return cell_error_sys(err, "exe guard: fd %d of the init", *fd);
  }
  ctx->preserve_fds = (int) vals[N_CTX_FDS];
  ctx->listen_fds = vals[N_CTX_FDS + 1] != 0;
  *has_filter = vals[N_CTX_FDS + 2] != 0;
  return 0;
}

/* The config as create parsed it: the copy in the state dir, named as the
 * user's file so that messages read the same. */
static int load_config(const cell_create_opts *o, const cell_log *log, oci_config **c,
                       cell_error *err)
{
  char bundle[PATH_MAX];
  if (!realpath(o->bundle ? o->bundle : ".", bundle))
    return cell_error_sys(err, "bundle `%s`", o->bundle ? o->bundle : ".");
  _cleanup_free_ char *copy = NULL, *name = NULL, *text = NULL;
  if (asprintf(&copy, "%s/%s/config.json", o->root, o->id) < 0 ||
      (o->config_path ? !(name = strdup(o->config_path))
                      : asprintf(&name, "%s/config.json", bundle) < 0))
    return cell_error_set(err, ENOMEM, "out of memory");
  size_t len;
  int r = cell_read_file(copy, &text, &len, err);
  if (r < 0)
    return r;
  return oci_config_parse(text, len, name, bundle, log, c, err);
}

void cell_init_resume(const cell_create_opts *o)
{
  cell_error err = CELL_ERROR_INIT;
  cell_init_ctx ctx = { .sync_fd = -1 };
  bool has_filter = false;
  long long t0 = 0;
  int r = parse_env(&ctx, &has_filter, &t0, &err);
  unsetenv(INIT_ENV);
  if (ctx.sync_fd < 0)
    _exit(1);
  /* One timeline with the runtime's debug lines. */
  cell_log log = *o->log;
  if (t0)
    log.t0_ns = t0;
  cell_create_opts opts = *o;
  opts.log = &log;
  oci_config *c = NULL;
  cell_seccomp_filter filter = { 0 };
  bool filtered = false;
  if (r >= 0 && (r = cell_exe_guard_exe_readonly(&err)) == 0)
    r = cell_error_set(&err, EROFS, "exe guard: the init's binary is still writable after "
                       "re-executing from a read-only bind mount");
  if (r >= 0)
    r = load_config(o, &log, &c, &err);
  /* The same config compiles to the same filter the runtime checked. */
  if (r >= 0 && has_filter)
    r = cell_filter_prepare(c, &log, &filter, &filtered, &err);
  if (r < 0) {
    cell_error_wrap(&err, "re-executed init");
    cell_sync_send_error(ctx.sync_fd, &err);
    _exit(1);
  }
  cell_log_debug(opts.log, "init: re-executed from a read-only bind");
  ctx.config = c;
  ctx.opts = &opts;
  ctx.userns = false;
  ctx.filter = filtered ? &filter : NULL;
  cell_init_main(&ctx);
}
