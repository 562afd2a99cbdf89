/* kill: signal the container's init (verified by pidfd and start time), or
 * every process of the container with --all. */
#include "runtime/container.h"
#include "runtime/procs.h"
#include "util/cleanup.h"
#include "util/fault.h"
#include "cgroups/cgroups.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int cell_pidfd_wait_exit(int pidfd, int timeout_ms)
{
  struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
  for (;;) {
    int r = poll(&pfd, 1, timeout_ms);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return -errno;
    return r == 0 ? -ETIMEDOUT : 0;
  }
}

int cell_pidfd_signal(int pidfd, int sig)
{
  return (int) syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

static int ns_inode(pid_t pid, const char *ns, ino_t *ino)
{
  char path[64];
  struct stat st;
  snprintf(path, sizeof path, "/proc/%d/ns/%s", (int) pid, ns);
  if (stat(path, &st) < 0)
    return -errno;
  *ino = st.st_ino;
  return 0;
}

int cell_signal_pidns(pid_t init, int sig, cell_error *err)
{
  ino_t want;
  if (ns_inode(init, "pid", &want) < 0)
    return 0;  /* gone already */
  _cleanup_closedir_ DIR *d = opendir("/proc");
  if (!d)
    return cell_error_sys(err, "open /proc");
  struct dirent *de;
  /* Processes in nested pid namespaces are in ours too: compare every
   * level through NSpid would be exact; the own-namespace check plus the
   * init's children suffice for containers that do not nest. */
  while ((de = readdir(d))) {
    char *end;
    long pid = strtol(de->d_name, &end, 10);
    if (*end || pid <= 0)
      continue;
    ino_t ino;
    if (ns_inode((pid_t) pid, "pid", &ino) == 0 && ino == want)
      kill((pid_t) pid, sig);
  }
  return 0;
}

int cell_container_kill(const char *root, const char *id, int sig, bool all, cell_error *err)
{
  _cleanup_store_ cell_store s = { .dirfd = -1 };
  cell_state st;
  int r = cell_store_open_state(&s, &st, root, id, err);
  if (r < 0)
    return r;
  cell_status status = cell_state_status(&st);
  if (status == CELL_STOPPED && !all) {
    r = cell_error_set(err, ESRCH, "container `%s` is not running", id);
    goto out;
  }
  if ((r = cell_fault("kill.signal", err)) < 0)
    goto out;
  if (status != CELL_STOPPED) {
    _cleanup_close_ int pidfd = cell_state_pidfd(&st, err);
    if (pidfd < 0) {
      r = all ? 0 : pidfd;
      if (all)
        cell_error_clear(err);
      goto out;
    }
    json_t *rec = st.extra ? json_object_get(st.extra, "cgroup") : NULL;
    cell_cgroup *cg = NULL;
    if (all && rec && cell_cgroup_from_json(rec, &cg, err) == 0 && cg->n)
      r = cell_cgroup_kill_all(cg, sig, 5000, err);
    else if (all && st.own_pidns)
      r = cell_signal_pidns(st.pid, sig, err);
    cell_cgroup_free(cg);
    if (r >= 0 && cell_pidfd_signal(pidfd, sig) < 0 && errno != ESRCH)
      r = cell_error_sys(err, "signal %d to container `%s`", sig, id);
  }
out:
  cell_state_clear(&st);
  return r < 0 ? r : 0;
}
