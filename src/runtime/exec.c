/* exec: a further process in a running container. It joins the init's
 * namespaces through its pidfd (setns with several flags at once), forks
 * once more so that it lands inside the pid namespace, and execs with the
 * container's process settings unless overridden. */
#include "runtime/container.h"
#include "runtime/exec-stub.h"
#include "runtime/create.h"
#include "runtime/filter.h"
#include "runtime/record.h"
#include "runtime/init.h"
#include "runtime/tty-proxy.h"
#include "linux/console.h"
#include "linux/process.h"
#include "util/cleanup.h"
#include "util/fault.h"
#include "cgroups/cgroups.h"
#include "util/fdpass.h"
#include "util/fs.h"
#include "util/strv.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The namespaces of pid that differ from ours. */
static int ns_flags_of(pid_t pid)
{
  int flags = 0;
  for (int k = 0; k < OCI_NS_KINDS; k++) {
    char theirs[64], ours[64];
    struct stat a, b;
    snprintf(theirs, sizeof theirs, "/proc/%d/ns/%s", (int) pid, oci_ns_proc_name((oci_ns_kind) k));
    snprintf(ours, sizeof ours, "/proc/self/ns/%s", oci_ns_proc_name((oci_ns_kind) k));
    if (stat(theirs, &a) == 0 && stat(ours, &b) == 0 && a.st_ino != b.st_ino)
      flags |= oci_ns_clone_flag((oci_ns_kind) k);
  }
  return flags;
}

static int parse_user(const char *spec, oci_process *p, cell_error *err)
{
  char *end;
  unsigned long uid = strtoul(spec, &end, 10);
  if (end == spec || (*end && *end != ':'))
    return cell_error_set(err, EINVAL, "--user: `%s` is not UID[:GID]", spec);
  p->user.uid = (uid_t) uid;
  if (*end == ':') {
    const char *g = end + 1;
    unsigned long gid = strtoul(g, &end, 10);
    if (end == g || *end)
      return cell_error_set(err, EINVAL, "--user: `%s` is not UID[:GID]", spec);
    p->user.gid = (gid_t) gid;
  }
  return 0;
}

/* The process to run: --process FILE, or the container's process with the
 * command line and flags applied. */
static int build_process(const cell_exec_opts *o, oci_config *c, cell_error *err)
{
  int r;
  if (o->process_path) {
    oci_process *p = NULL;
    if ((r = oci_process_parse_file(o->process_path, o->log, &p, err)) < 0)
      return cell_error_wrap(err, "--process");
    oci_process_free(c->process);
    c->process = p;
    p->user.keep_original_groups = oci_annotation(c, OCI_ANNOTATION_KEEP_GROUPS) != NULL;
  } else {
    if (!c->process)
      return cell_error_set(err, EINVAL, "the container has no process to take defaults from");
    if (!o->args || !o->args[0])
      return cell_error_set(err, EINVAL, "a command to run is needed (or --process FILE)");
    char **args = cell_strv_dup(o->args);
    if (!args)
      return cell_error_set(err, ENOMEM, "out of memory");
    cell_strv_free(c->process->args);
    c->process->args = args;
    /* The rest (env, user, caps, rlimits...) as the container's process,
     * as runc does. */
    c->process->terminal = o->tty;
  }
  oci_process *p = c->process;
  if (o->cwd) {
    if (o->cwd[0] != '/')
      return cell_error_set(err, EINVAL, "--cwd: `%s` is not an absolute path", o->cwd);
    free(p->cwd);
    p->cwd = strdup(o->cwd);
  }
  for (size_t i = 0; o->env && o->env[i]; i++) {
    if (!strchr(o->env[i], '='))
      return cell_error_set(err, EINVAL, "--env: `%s` is not KEY=VALUE", o->env[i]);
    if (cell_env_set(&p->env, o->env[i]) < 0)
      return cell_error_set(err, ENOMEM, "out of memory");
  }
  if (o->user && (r = parse_user(o->user, p, err)) < 0)
    return r;
  for (size_t i = 0; o->caps && o->caps[i]; i++) {
    int cap = oci_cap_from_name(o->caps[i]);
    if (cap < 0)
      return cell_error_set(err, EINVAL, "--cap: unknown capability `%s`", o->caps[i]);
    p->caps.bounding |= 1ULL << cap;
    p->caps.effective |= 1ULL << cap;
    p->caps.permitted |= 1ULL << cap;
  }
  if (o->no_new_privs)
    p->no_new_privileges = true;
  if (p->terminal && o->detach && !o->console_socket)
    return cell_error_set(err, EINVAL, "--tty with --detach needs --console-socket");
  return 0;
}

/* In the second child, inside every namespace: finish and exec. */
static __attribute__((noreturn)) void exec_child(const oci_config *c, const cell_exec_opts *o,
                                                cell_exec_filter *ef, int hostpid_fd,
                                                int console_fd, int report_fd)
{
  cell_error err = CELL_ERROR_INIT;
  /* Our pid as the host sees it, for the listener hand-off message: the
   * middle child, still in the host's pid namespace, tells us. */
  if (ef->notify_sock >= 0 && read(hostpid_fd, &ef->pid, sizeof ef->pid) != sizeof ef->pid)
    ef->pid = 0;
  close(hostpid_fd);
  const oci_process *p = c->process;
  int r = 0;
  if (p->terminal) {
    int master = -1;
    r = linux_console_setup(console_fd, p, false, &master, &err);
    if (master >= 0)
      close(master);
  }
  if (r >= 0 && console_fd >= 0)
    close(console_fd);
  if (r >= 0)
    r = linux_apply_rlimits(p, &err);
  if (r >= 0 && cell_fault("exec.child", &err) >= 0)
    cell_init_exec_process(p, ef, NULL, 3, o->preserve_fds, NULL, &err);
  if (err.msg)
    (void) !write(report_fd, err.msg, strlen(err.msg));
  _exit(127);
}

int cell_container_exec(const cell_exec_opts *o, cell_error *err)
{
  _cleanup_store_ cell_store s = { .dirfd = -1 };
  cell_state st;
  int r = cell_store_open_state(&s, &st, o->root, o->id, err);
  if (r < 0)
    return r;
  _cleanup_config_ oci_config *c = NULL;
  _cleanup_close_ int pidfd = -1, console_fd = -1, notify_sock = -1;
  _cleanup_free_ char *state_json = NULL;
  int hostpid[2] = { -1, -1 };
  _cleanup_free_ char *msg = NULL;  /* before any goto: cleanups run at `out` */
  size_t n = 0;
  int report[2] = { -1, -1 }, pidpipe[2] = { -1, -1 }, console[2] = { -1, -1 };
  int flags = 0;
  bool proxy = false, has_filter = false;
  _cleanup_filter_ cell_seccomp_filter filter = { 0 };
  /* The container's filter warned (unknown syscalls...) at create. */
  cell_log said = cell_log_said(o->log);
  _cleanup_record_ cell_record record = { 0 };
  json_t *recorded = st.extra ? json_object_get(st.extra, CELL_STATE_RECORD) : NULL;
  cell_status cstatus = cell_state_status(&st);
  if (cstatus != CELL_RUNNING && cstatus != CELL_CREATED) {
    r = cell_error_set(err, EINVAL, "cannot exec in container `%s`: it is %s", o->id,
                       cell_status_name(cstatus));
    goto out;
  }
  /* An init going through the exec stub runs cell's binary until start:
   * nothing of the container may see it before (exec-stub.h). */
  if (cstatus == CELL_CREATED && st.extra &&
      json_is_true(json_object_get(st.extra, CELL_STATE_EXEC_STUB))) {
    r = cell_error_set(err, EBUSY, "cannot exec in container `%s`: it is created, not "
                       "started (its init still runs cell's binary)", o->id);
    goto out;
  }
  /* The container's filter applies to every process in it. */
  if ((r = cell_load_stored_config(&s, &st, o->log, &c, err)) < 0 ||
      (r = build_process(o, c, err)) < 0 || (r = cell_fault("exec.prepare", err)) < 0 ||
      (r = cell_filter_prepare(c, &said, &filter, &has_filter, err)) < 0 ||
      (recorded && (r = cell_record_plan(&filter, &has_filter, &record, err)) < 0))
    goto out;
  if (!linux_ns_is_new(c, OCI_NS_USER))
    linux_caps_warn_not_granted(&c->process->caps, o->log);
  if ((pidfd = cell_state_pidfd(&st, err)) < 0) {
    r = pidfd;
    goto out;
  }
  /* The container may be deleted while this process runs: do not hold the
   * lock past set-up. */
  flags = ns_flags_of(st.pid);

  proxy = c->process->terminal && !o->console_socket;
  if (c->process->terminal && o->console_socket &&
      (console_fd = cell_unix_connect(o->console_socket, err)) < 0) {
    r = cell_error_wrap(err, "--console-socket");
    goto out;
  }
  if (proxy) {
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, console) < 0) {
      r = cell_error_sys(err, "socketpair for the terminal");
      goto out;
    }
    console_fd = console[1];
  }
  /* Each exec hands its own listener over (the spec's rule); a recorded
   * container's goes to its recorder. */
  if (recorded)
    r = cell_record_connect(recorded, s.dirfd, &notify_sock, err);
  else if (has_filter)
    r = cell_filter_notify_open(c, &filter, o->id, o->log, &notify_sock, err);
  if (r < 0)
    goto out;
  state_json = cell_state_json_string(&st, CELL_RUNNING, false);
  if (pipe2(report, O_CLOEXEC) < 0 || pipe2(pidpipe, O_CLOEXEC) < 0 ||
      pipe2(hostpid, O_CLOEXEC) < 0) {
    r = cell_error_sys(err, "pipe");
    goto out;
  }
  /* The grandchild becomes ours when the middle child exits. */
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old);
  cell_cgroup *cg = NULL;
  json_t *rec = st.extra ? json_object_get(st.extra, "cgroup") : NULL;
  if (rec && (r = cell_cgroup_from_json(rec, &cg, err)) < 0)
    goto out;
  /* Born in the cgroup2 directory when there is one (clone3), moving
   * itself into the v1 ones: no cgroup.procs write (cgroups.h). */
  bool into_v2 = false;
  pid_t mid = cell_clone_child(0, cg, &into_v2);
  if (mid == 0) {
    close(s.dirfd);  /* the store lock stays with this command */
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(report[0]);
    close(pidpipe[0]);
    if (console[0] >= 0)
      close(console[0]);
    cell_error cerr = CELL_ERROR_INIT;
    prctl(PR_SET_DUMPABLE, 0);
    if (cg && cell_cgroup_enter_self(cg, into_v2, &cerr) < 0) {
      (void) !write(report[1], cerr.msg, strlen(cerr.msg));
      _exit(1);
    }
    if (setns(pidfd, flags) < 0) {
      cell_error_sys(&cerr, "join the namespaces of container `%s`", o->id);
      (void) !write(report[1], cerr.msg, strlen(cerr.msg));
      _exit(1);
    }
    pid_t child = fork();
    if (child == 0) {
      close(hostpid[1]);
      cell_exec_filter ef = { .filter = has_filter ? &filter : NULL, .notify_sock = notify_sock,
                              .state_json = state_json,
                              .metadata = c->linux.seccomp_listener_metadata };
      exec_child(c, o, &ef, hostpid[0], console_fd, report[1]);
    }
    (void) !write(hostpid[1], &child, sizeof child);
    (void) !write(pidpipe[1], &child, sizeof child);
    _exit(child < 0 ? 1 : 0);
  }
  cell_cgroup_free(cg);
  close(report[1]);
  close(pidpipe[1]);
  close(hostpid[0]);
  close(hostpid[1]);
  if (notify_sock >= 0)
    close(cell_steal_fd(&notify_sock));  /* the exec'd process's now */
  if (console[1] >= 0) {
    close(console[1]);
    console_fd = -1;
  }
  cell_store_close(&s);
  pid_t child = -1;
  if (mid > 0) {
    while (waitpid(mid, NULL, 0) < 0 && errno == EINTR)
      ;
    if (read(pidpipe[0], &child, sizeof child) != sizeof child)
      child = -1;
  }
  close(pidpipe[0]);
  cell_read_fd(report[0], &msg, &n);
  close(report[0]);
  int fr = mid > 0 && n == 0 && child > 0 ? cell_fault("exec.clone", err) : 0;
  if (fr < 0 || mid < 0 || n > 0 || child <= 0) {
    if (child > 0 && fr < 0)
      kill(child, SIGKILL);
    if (child > 0)
      waitpid(child, NULL, 0);
    if (console[0] >= 0)
      close(console[0]);
    sigprocmask(SIG_SETMASK, &old, NULL);
    r = fr < 0 ? fr : mid < 0 ? cell_error_sys(err, "fork") :
        cell_error_set(err, EINVAL, "exec in container `%s`: %s", o->id,
                       n ? msg : "the process could not be started");
    goto out;
  }
  if ((r = cell_write_pid_file(o->pid_file, child, err)) < 0) {
    sigprocmask(SIG_SETMASK, &old, NULL);
    goto out;
  }
  int status = 0;
  if (!o->detach) {
    cell_tty_proxy tty = { .master = -1 };
    if (proxy)
      cell_tty_proxy_start(&tty, console[0]);
    status = cell_wait_forwarding(child, proxy ? &tty : NULL);
    if (proxy)
      cell_tty_proxy_stop(&tty);
  }
  if (console[0] >= 0)
    close(console[0]);
  sigprocmask(SIG_SETMASK, &old, NULL);
  r = status;
out:
  cell_state_clear(&st);
  return r;
}
