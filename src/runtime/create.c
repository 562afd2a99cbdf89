/* create: state dir, the clone of the container init, and the runtime's
 * half of the set-up conversation. On any failure nothing is left: the init
 * is killed, the state dir and pid file removed. */
#include "runtime/container.h"
#include "runtime/create.h"
#include "runtime/filter.h"
#include "runtime/hooks.h"
#include "runtime/host-open.h"
#include "runtime/init.h"
#include "runtime/notify-socket.h"
#include "runtime/record.h"
#include "runtime/exec-stub.h"
#include "runtime/start-socket.h"
#include "runtime/sync.h"
#include "linux/namespaces.h"
#include "linux/process.h"
#include "linux/rootfs.h"
#include "linux/userns.h"
#include "util/cleanup.h"
#include "util/fault.h"
#include "util/fdpass.h"
#include "util/fs.h"
#include "cgroups/cgroups.h"
#include "oci/resources.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/sched.h>

pid_t cell_clone_child(unsigned long flags, cell_cgroup *cg, bool *into)
{
  struct clone_args args = { .flags = flags, .exit_signal = SIGCHLD };
  long pid = -1;
  *into = false;
  int cgfd = -1;
  if (cg) {
    cell_error ig = CELL_ERROR_INIT;
    cgfd = cell_cgroup_clone_fd(cg, &ig);   /* owned by cg; -ENOENT: no v2 dir */
    cell_error_clear(&ig);
  }
  if (cgfd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = (uint64_t) cgfd;
    pid = syscall(SYS_clone3, &args, sizeof args);
    *into = pid >= 0;
    args.flags = flags;
    args.cgroup = 0;
  }
  if (pid < 0)
    pid = syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0 && errno == ENOSYS)
    pid = syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);
  return (pid_t) pid;
}

static json_t *annotations_json(const oci_config *c)
{
  json_t *o = json_object();
  for (size_t i = 0; i < c->n_annotations; i++)
    json_object_set_new(o, c->annotations[i].key, json_string(c->annotations[i].value));
  return o;
}

int cell_write_pid_file(const char *path, pid_t pid, cell_error *err)
{
  if (!path)
    return 0;
  char buf[32];
  int n = snprintf(buf, sizeof buf, "%d", (int) pid);
  int r = cell_write_file_atomic(path, buf, (size_t) n, 0644, err);
  if (r < 0)
    return cell_error_wrap(err, "--pid-file");
  return 0;
}

/* Wait for the child and its exit; used on the failure path. */
static void kill_and_reap(pid_t pid)
{
  if (pid <= 0)
    return;
  kill(pid, SIGKILL);
  while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
    ;
}

static int check_terminal_opts(const oci_config *c, const cell_create_opts *o, cell_error *err)
{
  if (!c->process)
    return cell_error_set(err, EINVAL, "%s: process: missing required field", c->config_path);
  if (c->process->terminal && !o->console_socket && (!o->run || o->detach))
    return cell_error_set(err, EINVAL, "process.terminal is true: --console-socket is needed "
                          "to hand the terminal over");
  if (o->console_socket && !c->process->terminal)
    return cell_error_set(err, EINVAL, "--console-socket given but process.terminal is false");
  return 0;
}

/* What the container's cgroups are made of (cgroups.h). */
static int cgroup_config(const oci_config *c, const cell_create_opts *o, cell_cgroup_config *cc,
                         cell_error *err)
{
  *cc = (cell_cgroup_config) { .id = o->id, .cgroups_path = c->linux.cgroups_path,
                               .resources = c->linux.resources.typed,
                               .devices = c->linux.devices, .n_devices = c->linux.n_devices,
                               .add_default_devices = true, .rootless = o->rootless,
                               .log = o->log };
  return cell_cgroup_manager_parse(o->cgroup_manager, &cc->manager, err);
}

/* The container's cgroups before the clone: with plan, only where they
 * will go (cgroups.h: plan_only); else the cgroup2 directory, and the
 * rest (v1, linux.resources) later with cell_cgroup_create_rest, while
 * the init sets itself up. */
static int make_cgroup(const oci_config *c, const cell_create_opts *o, cell_cg_host *host,
                       bool plan, cell_cgroup **cg, cell_error *err)
{
  cell_cgroup_config cc;
  int r = cgroup_config(c, o, &cc, err);
  if (r < 0)
    return r;
  if (cc.manager != CELL_CGM_DISABLED && host->n == 0 && (r = cell_cg_host_detect(host, err)) < 0)
    return cell_error_wrap(err, "detect cgroups");
  cc.plan_only = plan;
  cc.defer_v1 = !plan;
  return cell_cgroup_create(cc.manager == CELL_CGM_DISABLED ? NULL : host, &cc, cg, err);
}

/* The rest of the cgroups (make_cgroup), then the init moves itself
 * into the v1 ones through the `tasks` files we open for it. */
static int finish_cgroups(const oci_config *c, const cell_create_opts *o, cell_cgroup *cg,
                          pid_t pid, bool into_v2, int sync_fd, cell_error *err)
{
  cell_cgroup_config cc;
  int r;
  if ((r = cgroup_config(c, o, &cc, err)) < 0 || (r = cell_cgroup_create_rest(cg, &cc, err)) < 0 ||
      (r = cell_cgroup_enter_rest(cg, pid, true, into_v2, err)) < 0)
    return r;
  cell_cgroup_self_move m;
  if ((r = cell_cgroup_self_move_open(cg, &m, err)) < 0)
    return r;
  size_t len = 1;
  for (size_t i = 0; i < m.n; i++)
    len += strlen(m.path[i]) + 1;
  _cleanup_free_ char *paths = malloc(len);
  if (!paths) {
    cell_cgroup_self_move_close(&m);
    return cell_error_set(err, ENOMEM, "out of memory");
  }
  char *p = paths;
  *p = 0;
  for (size_t i = 0; i < m.n; i++)
    p += sprintf(p, "%s%s", i ? "\n" : "", m.path[i]);
  r = cell_sync_send_fds(sync_fd, SYNC_CGROUPS, m.fd, m.n, paths, err);
  cell_cgroup_self_move_close(&m);
  /* Gone during set-up: its own message says why. */
  return r < 0 ? cell_sync_peer_error(sync_fd, r, err) : r;
}

/* The state before anything else exists: status creating, no pid, and
 * where the cgroups will go, so that a runtime killed from here on leaves
 * what `delete -f` needs to clean. */
static int record_plan(const oci_config *c, const cell_create_opts *o, cell_cg_host *host,
                       cell_store *s, cell_state *st, cell_error *err)
{
  cell_cgroup *plan = NULL;
  int r = make_cgroup(c, o, host, true, &plan, err);
  if (r < 0)
    return r;
  st->extra = json_pack("{s:o}", "cgroup", cell_cgroup_to_json(plan));
  cell_cgroup_free(plan);
  return cell_state_write(s, st, err);
}

/* CVE-2019-5736 (exec-stub.h, exe-guard.h): with a pid namespace of its
 * own and no hooks inside the container the init goes through the exec
 * stub (*stub_fd; `exec` then waits for start, see exec.c); otherwise, or
 * when the filter or the kernel will not let the stub be exec'ed, we
 * re-execute from a read-only bind now, before anything exists. Nothing
 * is needed when the binary sits on a read-only mount. */
static int exe_guard(const oci_config *c, const cell_create_opts *o,
                     const cell_seccomp_filter *filter, cell_exe_guard *guard, int *stub_fd,
                     cell_error *err)
{
  /* The re-executed copy picks up the host's mount namespace for hooks. */
  if (cell_exe_guard_is_copy())
    return cell_exe_guard_apply(o->argv, guard, err);
  int r = cell_exe_guard_exe_readonly(err);
  if (r != 0)
    return r < 0 ? r : 0;
  /* createContainer and startContainer hooks run inside the container
   * while the init still runs cell's binary: not with the stub. */
  if (linux_ns_is_new(c, OCI_NS_PID) && !c->hooks[OCI_HOOK_CREATE_CONTAINER].n &&
      !c->hooks[OCI_HOOK_START_CONTAINER].n && cell_exec_stub_built() &&
      cell_exec_stub_filter_allows(filter)) {
    cell_error e = CELL_ERROR_INIT;
    *stub_fd = cell_exec_stub_open(&e);
    if (*stub_fd < 0)
      cell_log_debug(o->log, "%s: re-executing from a read-only bind instead", e.msg);
    cell_error_clear(&e);
    if (*stub_fd >= 0)
      return 0;
  }
  return cell_exe_guard_apply(o->argv, guard, err);
}

/* linux.netDevices into the container's network namespace: the one given
 * by path (the init joins it later), else the init's new one. */
static int move_net_devices(const oci_config *c, pid_t pid, cell_error *err)
{
  if (!c->linux.n_net_devices)
    return 0;
  char proc[64];
  const char *path = c->linux.ns[OCI_NS_NETWORK].path;
  if (!path) {
    snprintf(proc, sizeof proc, "/proc/%d/ns/net", (int) pid);
    path = proc;
  }
  _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return cell_error_sys(err, "linux.netDevices: open the network namespace `%s`", path);
  struct stat a, b;
  if (fstat(fd, &a) == 0 && stat("/proc/self/ns/net", &b) == 0 && a.st_ino == b.st_ino)
    return cell_error_set(err, EINVAL, "linux.netDevices: the container's network namespace is "
                          "the runtime's own");
  return linux_netdev_move(c, fd, err);
}

/* What the init waits for from its clone on (it says nothing before):
 * its id maps, oom_score_adj and network devices, then SYNC_CONFIGURED
 * with the state for its hooks (*state_json; *hook_json for ours). When
 * the init failed first, its own error is reported. */
static int configure_init(const oci_config *c, const cell_create_opts *o, pid_t pid,
                          cell_state *st, char **state_json, char **hook_json, int sync_fd,
                          cell_error *err)
{
  int r;
  st->pid = pid;
  if ((r = linux_ns_write_idmaps(pid, c, err)) < 0 ||
      (r = linux_apply_oom_score_adj(c->process, pid, err)) < 0 ||
      (r = move_net_devices(c, pid, err)) < 0)
    return cell_sync_peer_error(sync_fd, r, err);
  st->start_time = cell_proc_start_time(pid, NULL);
  *state_json = cell_state_json_string(st, CELL_CREATING, false);
  *hook_json = cell_state_json_string(st, CELL_CREATED, false);
  cell_log_debug(o->log, "id maps written");
  if ((r = cell_sync_send_text(sync_fd, SYNC_CONFIGURED, *state_json, err)) < 0)
    return cell_sync_peer_error(sync_fd, r, err);
  return 0;
}

int cell_create_container(const cell_create_opts *o, cell_created *out, cell_error *err)
{
  int r;
  memset(out, 0, sizeof *out);
  out->pid = -1;
  out->tty_sock = -1;
  out->start_conn = -1;
  out->store.dirfd = -1;
  out->guard = (cell_exe_guard) { .host_mntns = -1, .own_mntns = -1 };
  _cleanup_config_ oci_config *c = NULL;
  if ((r = oci_config_load(o->bundle ? o->bundle : ".", o->config_path, o->log, &c, err)) < 0)
    return r;
  /* A caller that is not root: maps it may use, newuidmap when needed. */
  if ((r = check_terminal_opts(c, o, err)) < 0 || (r = linux_userns_check(c, err)) < 0)
    return r;
  /* In a user namespace of its own the init holds every capability. */
  if (!linux_ns_is_new(c, OCI_NS_USER))
    linux_caps_warn_not_granted(&c->process->caps, o->log);
  cell_log_debug(o->log, "config parsed");
  /* Compiled here, before anything exists, so a bad profile leaves nothing. */
  _cleanup_filter_ cell_seccomp_filter filter = { 0 };
  bool has_filter;
  if ((r = cell_filter_prepare(c, o->log, &filter, &has_filter, err)) < 0)
    return r;
  /* Recorded: the filter sends the calls to a recorder, which answers as
   * the profile (the base) would; the stub is chosen by the base. */
  _cleanup_record_ cell_record rec = { 0 };
  if ((r = cell_record_path(c, o->record_seccomp, &rec.path, err)) < 0 ||
      (rec.path && (r = cell_record_plan(&filter, &has_filter, &rec, err)) < 0))
    return r;
  cell_log_debug(o->log, "seccomp filter ready");
  const cell_seccomp_filter *stub_filter = rec.path ? (rec.has_base ? &rec.base : NULL)
                                                    : has_filter ? &filter : NULL;
  _cleanup_close_ int stub_fd = -1;
  if ((r = exe_guard(c, o, stub_filter, &out->guard, &stub_fd, err)) < 0 ||
      (r = cell_fault("create.config", err)) < 0)
    return r;

  cell_store *s = &out->store;
  if ((r = cell_store_create(s, o->root, o->id, err)) < 0)
    return r;

  cell_cgroup *cg = NULL;
  cell_cg_host host = { 0 };
  _cleanup_close_ int console_fd = -1, start_fd = -1, notify_sock = -1;
  int sync_fds[2] = { -1, -1 };
  linux_ns_fds nsfds;
  for (int k = 0; k < OCI_NS_KINDS; k++)
    nsfds.fd[k] = -1;
  linux_idmap_trees idmap = { 0 };
  pid_t pid = -1;
  cell_state st = { 0 };
  char created[64];
  _cleanup_free_ char *state_json = NULL, *hook_json = NULL;
  /* Where the container-side hooks' output goes, opened on the host. */
  cell_hook_output hook_out = CELL_HOOK_OUTPUT_NONE;
  _cleanup_free_ char *cfg_copy = cell_store_path(s, "config.json");
  cell_rfc3339_now(created, sizeof created);
  st.id = (char *) o->id;
  st.bundle = c->bundle;
  st.rootfs = c->root_path;
  st.created = created;
  st.oci_version = c->oci_version;
  st.recorded = CELL_CREATING;
  st.own_pidns = linux_ns_is_new(c, OCI_NS_PID);
  st.annotations = annotations_json(c);
  /* Before the clone: the init is born in the cgroup2 one (clone3
   * CLONE_INTO_CGROUP); the v1 ones are made while it sets itself up, and
   * it moves itself into them (finish_cgroups, cgroups.h). */
  if ((r = cell_fault("create.store", err)) < 0 ||
      (r = record_plan(c, o, &host, s, &st, err)) < 0 || (r = cell_fault("create.plan", err)) < 0 ||
      (r = make_cgroup(c, o, &host, false, &cg, err)) < 0)
    goto fail;
  cell_log_debug(o->log, "cgroup2 made");

  /* The config as it was at create: delete and exec read it later, once
   * state.json exists (a new dir, locked by us: no atomic rename needed). */
  if ((r = cell_fault("create.cgroups", err)) < 0 ||
      (r = cell_write_file_new(cfg_copy, c->text, c->text_len, 0600, err)) < 0 ||
      (r = cell_notify_socket_setup(c, s, o->notify_socket, err)) < 0)
    goto fail;
  if (o->notify_socket && *o->notify_socket && c->process)
    json_object_set_new(st.extra, CELL_STATE_NOTIFY_SOCKET, json_string(o->notify_socket));
  /* Until start the init runs cell's binary (exec-stub.h). */
  if (stub_fd >= 0)
    json_object_set_new(st.extra, CELL_STATE_EXEC_STUB, json_true());
  /* The state keeps the plan of the cgroups until they are all made; it
   * is written again with the pid, once the init is there. */
  if ((r = cell_fault("create.state", err)) < 0)
    goto fail;
  cell_log_debug(o->log, "state dir written");

  /* run with a terminal and no --console-socket: we hold the master. */
  if (o->run && !o->detach && !o->console_socket && c->process->terminal) {
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
      r = cell_error_sys(err, "socketpair for the terminal");
      goto fail;
    }
    out->tty_sock = pair[0];
    console_fd = pair[1];
  }
  if (o->console_socket && (console_fd = cell_unix_connect(o->console_socket, err)) < 0) {
    r = cell_error_wrap(err, "--console-socket");
    goto fail;
  }
  /* run starts the init itself, over a pair made now: no socket to bind,
   * connect and accept. A separate `start` finds start.sock. */
  if (o->run) {
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
      r = cell_error_sys(err, "socketpair to start the init");
      goto fail;
    }
    out->start_conn = pair[0];
    start_fd = pair[1];
  } else if ((start_fd = cell_start_socket_listen(s, err)) < 0) {
    r = start_fd;
    goto fail;
  }
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sync_fds) < 0) {
    r = cell_error_sys(err, "socketpair");
    goto fail;
  }
  if ((r = linux_ns_open_paths(c, &nsfds, err)) < 0 ||
      (r = linux_idmap_prepare(c, &idmap, err)) < 0 ||
      ((c->hooks[OCI_HOOK_CREATE_CONTAINER].n || c->hooks[OCI_HOOK_START_CONTAINER].n) &&
       (r = cell_hook_output_open(c, &hook_out, err)) < 0))
    goto fail;
  /* NOTIFY: reach the listener's receiver now, from the host, so that a
   * missing agent fails here and the path resolves outside the rootfs. */
  if (rec.path) {
    json_t *rx = NULL;
    if ((r = cell_record_spawn(&rec, s->dirfd, o->id, o->log, &notify_sock, &rx, err)) < 0)
      goto fail;
    json_object_set_new(st.extra, CELL_STATE_RECORD, rx);
  } else if (has_filter &&
             (r = cell_filter_notify_open(c, &filter, o->id, o->log, &notify_sock, err)) < 0)
    goto fail;

  /* --preserve-fds, or LISTEN_FDS from a socket-activating caller. */
  int preserve = o->preserve_fds;
  bool listen_fds = false;
  const char *lf = getenv("LISTEN_FDS");
  if (lf && *lf) {
    int n = atoi(lf);
    if (n > 0) {
      preserve += n;
      listen_fds = true;
    }
  }

  cell_log_debug(o->log, "sockets made, cloning the init");
  int saved_pidns = -1;
  if ((r = linux_ns_enter_pid_for_children(&nsfds, &saved_pidns, err)) < 0)
    goto fail;
  bool double_fork = cell_init_needs_double_fork(c);
  /* Asked here, not in the child: once we have written its uid_map (we
   * do not wait for it), the child's geteuid() is 0. */
  bool maps_by_owner = linux_ns_is_new(c, OCI_NS_USER) && geteuid() != 0;
  unsigned long clone_flags = linux_ns_clone_flags(c);
  if (double_fork)
    clone_flags &= ~(unsigned long) CLONE_NEWPID;  /* made by the intermediate */
  bool into_v2 = false;
  pid = cell_clone_child(clone_flags, cg, &into_v2);
  if (pid == 0) {
    /* The lock belongs to this command, not to the container: an init that
     * kept the locked fd would block every later command on the id. */
    close(s->dirfd);
    close(sync_fds[0]);
    /* run's end: held here too, the init would never see run go. */
    if (out->start_conn >= 0)
      close(out->start_conn);
    cell_init_ctx ctx = {
      .config = c, .opts = o, .nsfds = nsfds, .sync_fd = sync_fds[1], .start_fd = start_fd,
      .start_connected = out->start_conn >= 0,
      .console_fd = console_fd, .preserve_fds = preserve, .listen_fds = listen_fds,
      .userns = linux_ns_is_new(c, OCI_NS_USER),
      .maps_by_owner = maps_by_owner,
      .filter = has_filter ? &filter : NULL,
      .notify_sock = notify_sock, .stub_fd = stub_fd, .idmap = &idmap, .hook_out = hook_out,
    };
    if (double_fork)
      cell_init_double_fork(&ctx);
    cell_init_main(&ctx);
  }
  int clone_errno = errno;
  if ((r = linux_ns_restore_pid(saved_pidns, err)) < 0)
    goto fail;
  if (pid < 0) {
    r = cell_error_sys_code(err, clone_errno, "clone the container init");
    goto fail;
  }
  if ((r = cell_fault("create.clone", err)) < 0)
    goto fail;
  close(sync_fds[1]);
  sync_fds[1] = -1;
  if (out->start_conn >= 0)
    close(cell_steal_fd(&start_fd));  /* the init's end: its EOF must be the init's */
  linux_ns_close(&nsfds);
  linux_idmap_close(&idmap);
  cell_hook_output_close(&hook_out);
  if (notify_sock >= 0)
    close(cell_steal_fd(&notify_sock));  /* the init's now */

  cell_log_debug(o->log, "init cloned");
  if (double_fork) {
    /* The clone was the intermediate: the init's pid comes from it. */
    _cleanup_free_ char *txt = NULL;
    r = cell_sync_expect_text(sync_fds[0], SYNC_PID, &txt, err);
    pid_t mid = pid;
    while (waitpid(mid, NULL, 0) < 0 && errno == EINTR)
      ;
    pid = -1;
    if (r < 0)
      goto fail_init;
    char *end;
    long p = strtol(txt, &end, 10);
    if (p <= 0 || *end) {
      r = cell_error_set(err, EPROTO, "bad pid `%s` from the container init", txt);
      goto fail;
    }
    pid = (pid_t) p;
  }
  if ((r = cell_fault("create.hello", err)) < 0 ||
      (r = configure_init(c, o, pid, &st, &state_json, &hook_json, sync_fds[0], err)) < 0)
    goto fail;
  /* The pid, for hooks that ask `cell state` while we are still creating
   * (the init runs none before SYNC_CGROUPS, below), and for `delete -f`
   * should we be killed from here on: once ready, the init no longer dies
   * with us. */
  if ((r = cell_state_write(s, &st, err)) < 0 || (r = cell_fault("create.enter", err)) < 0)
    goto fail;
  cell_log_debug(o->log, "state.json with the pid");
  if (cell_host_open_needed(c)) {
    if ((r = cell_sync_expect(sync_fds[0], SYNC_MNTNS, err)) < 0)
      goto fail_init;
    if ((r = cell_host_open_serve(pid, c, sync_fds[0], o->log, err)) < 0)
      goto fail;
    cell_log_debug(o->log, "rootfs and bind sources handed to the init");
  }
  /* While the init makes its mounts. */
  if ((r = finish_cgroups(c, o, cg, pid, into_v2, sync_fds[0], err)) < 0 ||
      (r = cell_fault("create.cgroups_rest", err)) < 0)
    goto fail;
  json_object_set_new(st.extra, "cgroup", cell_cgroup_to_json(cg));
  cell_log_debug(o->log, "cgroups made, the init moves itself in");
  if (c->hooks[OCI_HOOK_PRESTART].n || c->hooks[OCI_HOOK_CREATE_RUNTIME].n) {
    if ((r = cell_sync_expect(sync_fds[0], SYNC_PREPIVOT, err)) < 0)
      goto fail_init;
    if ((r = cell_hooks_run_in_runtime_ns(c, OCI_HOOK_PRESTART, hook_json, o->log,
                                          &out->guard, err)) < 0 ||
        (r = cell_hooks_run_in_runtime_ns(c, OCI_HOOK_CREATE_RUNTIME, hook_json, o->log,
                                          &out->guard, err)) < 0)
      goto fail;
    if ((r = cell_sync_send(sync_fds[0], SYNC_HOOKS_DONE, err)) < 0)
      goto fail;
  }
  if ((r = cell_sync_expect(sync_fds[0], SYNC_READY, err)) < 0)
    goto fail_init;
  if ((r = cell_fault("create.ready", err)) < 0)
    goto fail;
  cell_log_debug(o->log, "init ready");
  close(sync_fds[0]);
  sync_fds[0] = -1;

  /* run keeps the lock into start, so only `state` and `list` could read
   * `created` before `running`, in a window of microseconds where nothing
   * of the container runs: the file goes from creating (with the pid)
   * straight to running, unless startContainer hooks run in that window. */
  st.recorded = CELL_CREATED;
  bool write_created = !o->run || c->hooks[OCI_HOOK_START_CONTAINER].n;
  if ((write_created && (r = cell_state_write(s, &st, err)) < 0) ||
      (r = cell_write_pid_file(o->pid_file, pid, err)) < 0 || (r = cell_fault("create.done", err)) < 0)
    goto fail;
  /* What we wrote (run: the status it starts from), for `run` to start
   * from without reading it back. */
  out->state = st;
  out->state.id = strdup(o->id);
  out->state.bundle = c->bundle ? strdup(c->bundle) : NULL;
  out->state.rootfs = c->root_path ? strdup(c->root_path) : NULL;
  out->state.created = strdup(created);
  out->state.oci_version = c->oci_version ? strdup(c->oci_version) : NULL;
  if (!out->state.id || !out->state.created || (c->bundle && !out->state.bundle) ||
      (c->root_path && !out->state.rootfs) || (c->oci_version && !out->state.oci_version))
    cell_state_clear(&out->state);
  cell_cgroup_free(cg);
  cell_cg_host_free(&host);
  cell_log_debug(o->log, "created");
  out->pid = pid;
  out->config = cell_steal(&c);
  return 0;

fail_init:
  cell_error_wrap(err, "container init");
fail:
  {
    cell_error ignore = CELL_ERROR_INIT;
    kill_and_reap(pid);
    if (sync_fds[0] >= 0)
      close(sync_fds[0]);
    if (sync_fds[1] >= 0)
      close(sync_fds[1]);
    linux_ns_close(&nsfds);
    linux_idmap_close(&idmap);
    cell_hook_output_close(&hook_out);
    if (o->pid_file)
      unlink(o->pid_file);
    if (out->tty_sock >= 0)
      close(out->tty_sock);
    out->tty_sock = -1;
    if (out->start_conn >= 0)
      close(out->start_conn);
    out->start_conn = -1;
    json_decref(st.annotations);
    json_decref(st.extra);
    if (cg)
      cell_cgroup_destroy(cg, 2000, &ignore);
    cell_error_clear(&ignore);
    cell_cgroup_free(cg);
    cell_cg_host_free(&host);
    cell_store_destroy(s, &ignore);
    cell_error_clear(&ignore);
  }
  return r;
}

int cell_container_create(const cell_create_opts *o, cell_error *err)
{
  cell_created cr;
  int r = cell_create_container(o, &cr, err);
  if (r < 0)
    return r;
  cell_created_release(&cr);
  return 0;
}

void cell_created_release(cell_created *cr)
{
  oci_config_free(cr->config);
  cr->config = NULL;
  if (cr->tty_sock >= 0)
    close(cr->tty_sock);
  cr->tty_sock = -1;
  if (cr->start_conn >= 0)
    close(cr->start_conn);
  cr->start_conn = -1;
  cell_store_close(&cr->store);
  cell_state_clear(&cr->state);
}
