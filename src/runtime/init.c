#include "runtime/init.h"
#include "cgroups/cgroups.h"
#include "linux/console.h"
#include "linux/process.h"
#include "linux/rootfs.h"
#include "runtime/exec-stub.h"
#include "runtime/hooks.h"
#include "runtime/host-open.h"
#include "runtime/sync.h"
#include "notify/notify.h"
#include "util/cleanup.h"
#include "util/fault.h"
#include "util/fdpass.h"
#include "util/strv.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/close_range.h>
#include <linux/sched.h>
#include <linux/keyctl.h>

static const char default_path[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/* Mark every fd from `from` on close-on-exec except the kept range. A leaked
 * host fd (a cgroup dir, the state dir) must never reach the user program
 * (CVE-2024-21626); CLOEXEC rather than close lets us still report an
 * execve failure. */
static int cloexec_fds(int from, cell_error *err)
{
  if (syscall(SYS_close_range, (unsigned) from, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
    return 0;
  for (int fd = from; fd < 65536; fd++) {
    int fl = fcntl(fd, F_GETFD);
    if (fl >= 0 && fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0)
      return cell_error_sys(err, "mark fd %d close-on-exec", fd);
  }
  return 0;
}

/* The fds of [first, first + n) the caller passed (--preserve-fds,
 * LISTEN_FDS): those open without close-on-exec. Every fd the runtime
 * opens itself is close-on-exec, and one of them may sit in the range
 * when the caller passed fewer than n (the exec stub's memfd, the start
 * connection, an exec's pidfd): it must stay out of the container. */
static unsigned char *inherited_fds(int first, int n)
{
  unsigned char *keep = calloc((size_t) (n > 0 ? n : 1), 1);
  for (int i = 0; keep && i < n; i++) {
    int fl = fcntl(first + i, F_GETFD);
    keep[i] = fl >= 0 && !(fl & FD_CLOEXEC);
  }
  return keep;
}

static int keep_fds(int first, int n, const unsigned char *keep, cell_error *err)
{
  for (int i = 0; i < n; i++) {
    int fd = first + i;
    if (!keep[i])
      continue;
    int fl = fcntl(fd, F_GETFD);
    if (fl < 0)
      continue;  /* not open: nothing to pass */
    if (fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC) < 0)
      return cell_error_sys(err, "keep fd %d for the container", fd);
  }
  return 0;
}

/* chdir to process.cwd, and make sure it is inside the container: a cwd
 * of /proc/self/fd/N through an fd still open here (one the caller leaked
 * to us, before close-on-exec takes it) would land in a host directory
 * (CVE-2024-21626). getcwd() fails with ENOENT when the cwd is not
 * reachable from our root. */
static int chdir_inside(const char *cwd, cell_error *err)
{
  if (chdir(cwd) < 0)
    return cell_error_sys(err, "process.cwd: chdir to `%s`", cwd);
  char buf[PATH_MAX];
  if (!getcwd(buf, sizeof buf) && errno == ENOENT)
    return cell_error_set(err, EPERM, "process.cwd: `%s` is outside the container", cwd);
  return 0;
}

/* The filter goes in; with NOTIFY rules its listener is handed to the
 * receiver by a helper that shares our fd table, so that no syscall of ours
 * (NOTIFY ones included) waits for a receiver that has no listener yet. */
static int load_filter(const cell_exec_filter *ef, cell_error *err)
{
  int r;
  if (ef->notify_sock >= 0) {
    _cleanup_free_ char *msg = NULL;
    size_t len = 0;
    if ((r = cell_notify_message(ef->state_json, ef->pid, ef->metadata, &msg, &len, err)) < 0)
      return r;
    cell_notify_target t = { .sock_fd = ef->notify_sock, .message = msg, .message_len = len };
    if ((r = cell_notify_install(ef->filter, &t, err)) < 0)
      return cell_error_wrap(err, "hand the seccomp listener over");
    return 0;
  }
  int listener = -1;
  if ((r = cell_seccomp_load(ef->filter, &listener, err)) < 0)
    return cell_error_wrap(err, "load the seccomp filter");
  if (listener >= 0)
    close(listener);
  return 0;
}

int cell_init_exec_process(const oci_process *p, const cell_exec_filter *ef,
                           const cell_exec_via *via, int first_kept_fd, int n_kept,
                           char **extra_env, cell_error *err)
{
  int r;
  _cleanup_free_ char *path = NULL;
  if ((r = linux_find_executable(p, &path, err)) < 0)
    return r;
  bool filtered = ef && ef->filter;
  /* Labels first, as root: they take effect at the execve. */
  if ((r = linux_apply_exec_labels(p, err)) < 0)
    return r;
  if (filtered && !p->no_new_privileges && (r = load_filter(ef, err)) < 0)
    return r;
  if ((r = linux_set_user(p, err)) < 0 || (r = linux_apply_caps(&p->caps, err)) < 0)
    return r;
  if ((r = chdir_inside(p->cwd, err)) < 0)
    return r;
  if ((r = linux_apply_no_new_privs(p, err)) < 0)
    return r;
  _cleanup_strv_ char **env = cell_strv_dup(p->env);
  if (p->env && !env)
    return cell_error_set(err, ENOMEM, "out of memory");
  for (size_t i = 0; extra_env && extra_env[i]; i++)
    if (cell_env_set(&env, extra_env[i]) < 0)
      return cell_error_set(err, ENOMEM, "out of memory");
  if (cell_env_find(env, "PATH", 4) < 0 && cell_env_set(&env, default_path) < 0)
    return cell_error_set(err, ENOMEM, "out of memory");
  /* HOME from the user's passwd entry when the environment has none, as
   * runc and crun do ("/" without an entry, "/root" for root). */
  if (cell_env_find(env, "HOME", 4) < 0) {
    _cleanup_free_ char *home = linux_user_home(p->user.uid);
    _cleanup_free_ char *var = NULL;
    if (asprintf(&var, "HOME=%s", home ? home : p->user.uid == 0 ? "/root" : "/") < 0 ||
        cell_env_set(&env, var) < 0)
      return cell_error_set(err, ENOMEM, "out of memory");
  }
  _cleanup_free_ unsigned char *keep = inherited_fds(first_kept_fd, n_kept);
  if (!keep)
    return cell_error_set(err, ENOMEM, "out of memory");
  if ((r = cloexec_fds(3, err)) < 0 || (r = keep_fds(first_kept_fd, n_kept, keep, err)) < 0)
    return r;
  if (filtered && p->no_new_privileges && (r = load_filter(ef, err)) < 0)
    return r;
  cell_log_debug(ef ? ef->log : NULL, "init: user, caps, filter done; exec");
  if (via && via->stub_fd >= 0)
    return cell_exec_stub_exec(via->stub_fd, via->report_fd, path, p->args,
                               env ? env : (char *[]) { NULL }, err);
  execve(path, p->args, env ? env : (char *[]) { NULL });
  return cell_error_sys(err, "exec `%s`", path);
}

static __attribute__((noreturn)) void fail(cell_init_ctx *ctx, cell_error *err)
{
  cell_sync_send_error(ctx->sync_fd, err);
  _exit(1);
}

bool cell_init_needs_double_fork(const oci_config *c)
{
  return c->linux.ns[OCI_NS_USER].path && linux_ns_is_new(c, OCI_NS_PID);
}

void cell_init_double_fork(cell_init_ctx *ctx)
{
  cell_error err = CELL_ERROR_INIT;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  prctl(PR_SET_DUMPABLE, 0);
  int go[2];
  if (linux_ns_join(ctx->config, &ctx->nsfds, &err) < 0)
    fail(ctx, &err);
  if (unshare(CLONE_NEWPID) < 0) {
    cell_error_sys(&err, "linux.namespaces: new pid namespace in the joined user namespace");
    fail(ctx, &err);
  }
  if (pipe2(go, O_CLOEXEC) < 0) {
    cell_error_sys(&err, "pipe");
    fail(ctx, &err);
  }
  /* The init is the runtime's child, like any other: run waits for it. */
  struct clone_args args = { .flags = CLONE_PARENT };
  long pid = syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0 && errno == ENOSYS)
    pid = syscall(SYS_clone, CLONE_PARENT, NULL, NULL, NULL, 0);
  if (pid == 0) {
    /* Speak only once the runtime knows our pid. */
    char c;
    close(go[1]);
    if (read(go[0], &c, 1) != 1)
      _exit(1);
    close(go[0]);
    linux_ns_close(&ctx->nsfds);
    ctx->ns_joined = true;
    return;
  }
  if (pid < 0) {
    cell_error_sys(&err, "clone the container init in its pid namespace");
    fail(ctx, &err);
  }
  char buf[24];
  snprintf(buf, sizeof buf, "%ld", pid);
  if (cell_sync_send_text(ctx->sync_fd, SYNC_PID, buf, &err) < 0)
    _exit(1);  /* the runtime is gone: the init dies with it (pdeathsig) */
  (void) !write(go[1], "g", 1);
  _exit(0);
}

/* Into the container's cgroups, once the runtime has made them while we
 * set up our namespaces and mounts (SYNC_CGROUPS: the v1 `tasks` files it
 * opened; cgroups.h); then the cgroup namespace, whose root is where we
 * are. Before anything that sees cgroups: a cgroup mount, the hooks,
 * pivot_root. Until then our mounts' memory is the runtime's. */
static int enter_cgroups(void *arg, cell_error *err)
{
  cell_init_ctx *ctx = arg;
  if (ctx->cgroups_entered)
    return 0;
  ctx->cgroups_entered = true;
  cell_log_debug(ctx->opts->log, "init: waiting for its cgroups");
  int fds[CELL_MAX_FDS_PER_MSG];
  size_t n = 0;
  _cleanup_free_ char *paths = NULL;
  int r = cell_sync_expect_fds(ctx->sync_fd, SYNC_CGROUPS, fds, CELL_MAX_FDS_PER_MSG, &n, &paths,
                               err);
  if (r < 0)
    return r;
  /* The record cell_cgroup_move_self() takes (and frees): the fds and a
   * path for each, in order. */
  cell_cgroup_self_move m = { .fd = calloc(n ? n : 1, sizeof *m.fd),
                              .path = calloc(n ? n : 1, sizeof *m.path) };
  char *line = paths;
  for (size_t i = 0; i < n; i++) {
    if (m.fd && m.path) {
      char *end = line ? strchr(line, '\n') : NULL;
      m.fd[m.n] = fds[i];
      m.path[m.n++] = line ? strndup(line, end ? (size_t) (end - line) : strlen(line)) : NULL;
      line = end ? end + 1 : NULL;
    } else
      close(fds[i]);
  }
  if (!m.fd || !m.path) {
    cell_cgroup_self_move_close(&m);
    return cell_error_set(err, ENOMEM, "out of memory");
  }
  if ((r = cell_cgroup_move_self(&m, err)) < 0)
    return r;
  cell_log_debug(ctx->opts->log, "init: in its cgroups");
  return linux_ns_setup_cgroup(ctx->config, err);
}

/* Everything up to the wait for start. Errors go to the runtime. */
static int setup(cell_init_ctx *ctx, char **state_json, cell_error *err)
{
  const oci_config *c = ctx->config;
  const oci_process *p = c->process;
  int r;

  if ((r = cell_fault("init.start", err)) < 0)
    return r;
  /* The runtime writes our id maps from our clone on, without waiting for
   * a word of ours, then sends the state JSON for the hooks that run in
   * here. */
  r = cell_sync_expect_text(ctx->sync_fd, SYNC_CONFIGURED, state_json, err);
  /* The maps are written: nothing may open our /proc files from now on. */
  if (ctx->maps_by_owner)
    prctl(PR_SET_DUMPABLE, 0);
  if (r < 0)
    return r;
  if (ctx->userns && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
    return cell_error_sys(err, "become root in the new user namespace");
  if ((!ctx->ns_joined && (r = linux_ns_join(c, &ctx->nsfds, err)) < 0) ||
      (r = linux_ns_setup_time(c, err)) < 0)
    return r;
  linux_ns_close(&ctx->nsfds);
  if ((r = linux_set_hostname(c, err)) < 0)
    return r;
  /* A session keyring of its own, as runc gives (unless --no-new-keyring):
   * keys of the host's session must not be reachable from the container. */
  if (!ctx->opts->no_new_keyring) {
    char name[128];
    snprintf(name, sizeof name, "_ses.%s", ctx->opts->id);
    if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name, 0, 0, 0) < 0 &&
        errno != ENOSYS && errno != EDQUOT && !(ctx->userns && errno == EPERM))
      return cell_error_sys(err, "join a new session keyring");
  }

  /* Namespaced sysctls follow the writer's namespaces, so the runtime's
   * /proc serves; later, readonlyPaths make /proc/sys read-only. */
  if ((r = linux_apply_sysctl(c, err)) < 0)
    return r;
  cell_log_debug(ctx->opts->log, "init: namespaces, hostname, sysctl done");
  linux_rootfs_opts ro = { .no_pivot = ctx->opts->no_pivot, .idmap = ctx->idmap,
                           .in_userns = ctx->userns || c->linux.ns[OCI_NS_USER].path ||
                                        ctx->opts->rootless, /* in the caller's (podman's) */
                           .log = ctx->opts->log,
                           .before_cgroup_mount = enter_cgroups, .arg = ctx };
  /* In a user namespace, the rootfs and bind sources as the runtime opened
   * them (host-open.h): their parents may be closed to our root. */
  linux_host_fds host = LINUX_HOST_FDS_NONE;
  if (cell_host_open_needed(c) && (r = cell_host_open_receive(ctx->sync_fd, c, &host, err)) < 0)
    return r;
  ro.host = &host;
  _cleanup_close_ int rootfd = linux_rootfs_prepare(c, &ro, err);
  linux_host_fds_close(&host);
  ro.host = NULL;
  if (rootfd < 0)
    return rootfd;
  if ((r = enter_cgroups(ctx, err)) < 0 || (r = cell_fault("init.mounts", err)) < 0)
    return r;
  if (c->hooks[OCI_HOOK_PRESTART].n || c->hooks[OCI_HOOK_CREATE_RUNTIME].n) {
    if ((r = cell_sync_send(ctx->sync_fd, SYNC_PREPIVOT, err)) < 0 ||
        (r = cell_sync_expect(ctx->sync_fd, SYNC_HOOKS_DONE, err)) < 0)
      return r;
  }
  if (c->hooks[OCI_HOOK_CREATE_CONTAINER].n) {
    _cleanup_free_ char *hs = cell_hooks_state(*state_json, "created", getpid());
    if ((r = cell_hooks_run(&c->hooks[OCI_HOOK_CREATE_CONTAINER], OCI_HOOK_CREATE_CONTAINER,
                            hs ? hs : *state_json, &ctx->hook_out, ctx->opts->log, err)) < 0)
      return r;
  }
  cell_log_debug(ctx->opts->log, "init: mounts done");
  if ((r = linux_rootfs_finish(c, &ro, rootfd, err)) < 0 || (r = cell_fault("init.pivot", err)) < 0)
    return r;
  close(cell_steal_fd(&rootfd));
  cell_log_debug(ctx->opts->log, "init: pivot_root, masked and read-only paths done");
  if (p->terminal) {
    int master = -1;
    if ((r = linux_console_setup(ctx->console_fd, p, true, &master, err)) < 0)
      return r;
    if (master >= 0)
      close(master);
    if (ctx->console_fd >= 0)
      close(ctx->console_fd);
    ctx->console_fd = -1;
  }
  /* oomScoreAdj: written by the runtime (create.c), not here: a
   * non-dumpable init in a new user namespace cannot open its own
   * /proc/self/oom_score_adj (owned by the host's root). */
  if ((r = linux_apply_rlimits(p, err)) < 0 ||
      (r = linux_apply_personality(&c->linux.personality, err)) < 0 ||
      (r = linux_apply_scheduler(p, err)) < 0 || (r = linux_apply_io_priority(p, err)) < 0)
    return r;
  /* Fail at create, as runc does, when the program or cwd is missing. */
  _cleanup_free_ char *exe = NULL;
  if ((r = linux_find_executable(p, &exe, err)) < 0)
    return r;
  if ((r = chdir_inside(p->cwd, err)) < 0)
    return r;
  return 0;
}

void cell_init_main(cell_init_ctx *ctx)
{
  cell_error err = CELL_ERROR_INIT;
  _cleanup_free_ char *state_json = NULL;
  /* Die with the runtime while it still sets us up. Not dumpable: nothing
   * in the container may open our /proc files (our exe is cell's binary)
   * until the user program replaces us. */
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (!ctx->maps_by_owner)
    prctl(PR_SET_DUMPABLE, 0);
  if (setup(ctx, &state_json, &err) < 0)
    fail(ctx, &err);
  /* From READY on the runtime may exit at any time: stop dying with it
   * before telling it. */
  prctl(PR_SET_PDEATHSIG, 0);
  if (cell_fault("init.ready", &err) < 0)
    fail(ctx, &err);
  if (cell_sync_send(ctx->sync_fd, SYNC_READY, &err) < 0)
    _exit(1);
  close(ctx->sync_fd);

  /* Wait for `start`. Its connection carries back any error from here on:
   * the one start makes on the start socket, or run's pair, connected
   * before the clone, on which a byte says start (EOF: run is gone). */
  int conn;
  if (ctx->start_connected) {
    char go;
    ssize_t n;
    while ((n = read(ctx->start_fd, &go, 1)) < 0 && errno == EINTR)
      ;
    if (n != 1)
      _exit(1);
    conn = ctx->start_fd;
  } else {
    do
      conn = accept4(ctx->start_fd, NULL, NULL, SOCK_CLOEXEC);
    while (conn < 0 && errno == EINTR);
    if (conn < 0)
      _exit(1);
    close(ctx->start_fd);
  }
  cell_log_debug(ctx->opts->log, "init: started");

  const oci_config *c = ctx->config;
  char *extra_env[3] = { NULL };
  char listen_fds[32], listen_pid[] = "LISTEN_PID=1";
  if (ctx->listen_fds) {
    snprintf(listen_fds, sizeof listen_fds, "LISTEN_FDS=%d", ctx->preserve_fds);
    extra_env[0] = listen_fds;
    extra_env[1] = listen_pid;
  }
  _cleanup_free_ char *hook_state = c->hooks[OCI_HOOK_START_CONTAINER].n ?
    cell_hooks_state(state_json, "created", getpid()) : NULL;
  int hr = cell_hooks_run(&c->hooks[OCI_HOOK_START_CONTAINER], OCI_HOOK_START_CONTAINER,
                          hook_state ? hook_state : state_json, &ctx->hook_out,
                          ctx->opts->log, &err);
  cell_hook_output_close(&ctx->hook_out);
  if (hr >= 0) {
    cell_exec_filter ef = { .filter = ctx->filter, .notify_sock = ctx->notify_sock,
                            .state_json = state_json,
                            .metadata = c->linux.seccomp_listener_metadata,
                            .log = ctx->opts->log };
    cell_exec_via via = { .stub_fd = ctx->stub_fd, .report_fd = conn };
    cell_init_exec_process(c->process, &ef, &via, 3, ctx->preserve_fds, extra_env, &err);
  }
  if (err.msg)
    (void) !write(conn, err.msg, strlen(err.msg));
  _exit(127);
}
