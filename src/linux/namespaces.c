#include "linux/namespaces.h"
#include "util/cleanup.h"
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

bool linux_ns_is_new(const oci_config *c, oci_ns_kind k)
{
  return c->linux.ns[k].present && !c->linux.ns[k].path;
}

int linux_ns_open_paths(const oci_config *c, linux_ns_fds *fds, cell_error *err)
{
  for (int k = 0; k < OCI_NS_KINDS; k++)
    fds->fd[k] = -1;
  for (int k = 0; k < OCI_NS_KINDS; k++) {
    const char *path = c->linux.ns[k].path;
    if (!path)
      continue;
    fds->fd[k] = open(path, O_RDONLY | O_CLOEXEC);
    if (fds->fd[k] < 0) {
      int r = cell_error_sys(err, "linux.namespaces: open %s namespace `%s`",
                             oci_ns_name((oci_ns_kind) k), path);
      linux_ns_close(fds);
      return r;
    }
  }
  return 0;
}

void linux_ns_close(linux_ns_fds *fds)
{
  for (int k = 0; k < OCI_NS_KINDS; k++) {
    if (fds->fd[k] >= 0)
      close(fds->fd[k]);
    fds->fd[k] = -1;
  }
}

unsigned long linux_ns_clone_flags(const oci_config *c)
{
  static const oci_ns_kind at_clone[] = { OCI_NS_USER, OCI_NS_PID, OCI_NS_NETWORK,
                                          OCI_NS_IPC, OCI_NS_UTS, OCI_NS_MOUNT };
  unsigned long flags = 0;
  for (size_t i = 0; i < sizeof at_clone / sizeof *at_clone; i++)
    if (linux_ns_is_new(c, at_clone[i]))
      flags |= (unsigned long) oci_ns_clone_flag(at_clone[i]);
  /* Joining a user namespace by path and creating the others inside it is
   * done by the init with unshare(), after setns(); a new pid namespace
   * then needs a second fork (runtime/init.h, cell_init_double_fork). */
  if (c->linux.ns[OCI_NS_USER].path)
    flags &= ~(unsigned long) (CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS);
  return flags;
}

int linux_ns_enter_pid_for_children(const linux_ns_fds *fds, int *saved, cell_error *err)
{
  *saved = -1;
  if (fds->fd[OCI_NS_PID] < 0)
    return 0;
  *saved = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
  if (*saved < 0)
    return cell_error_sys(err, "open /proc/self/ns/pid");
  if (setns(fds->fd[OCI_NS_PID], CLONE_NEWPID) < 0) {
    int r = cell_error_sys(err, "linux.namespaces: join pid namespace");
    close(*saved);
    *saved = -1;
    return r;
  }
  return 0;
}

int linux_ns_restore_pid(int saved, cell_error *err)
{
  if (saved < 0)
    return 0;
  int r = 0;
  if (setns(saved, CLONE_NEWPID) < 0)
    r = cell_error_sys(err, "restore pid namespace");
  close(saved);
  return r;
}

int linux_ns_write_map(pid_t pid, const char *file, const oci_idmap *m, size_t n,
                       const char *field, cell_error *err)
{
  char buf[4096];
  size_t len = 0;
  for (size_t i = 0; i < n; i++) {
    int w = snprintf(buf + len, sizeof buf - len, "%u %u %u\n", m[i].container_id,
                     m[i].host_id, m[i].size);
    if (w < 0 || (size_t) w >= sizeof buf - len)
      return cell_error_set(err, E2BIG, "%s: too many mappings", field);
    len += (size_t) w;
  }
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/%s", (int) pid, file);
  int r = cell_write_file(path, buf, len, err);
  if (r < 0)
    return cell_error_wrap(err, "%s", field);
  return 0;
}

int linux_ns_join(const oci_config *c, const linux_ns_fds *fds, cell_error *err)
{
  bool pending[OCI_NS_KINDS] = { false };
  for (int k = 0; k < OCI_NS_KINDS; k++) {
    if (k == OCI_NS_PID || k == OCI_NS_USER || fds->fd[k] < 0)
      continue;
    if (setns(fds->fd[k], oci_ns_clone_flag((oci_ns_kind) k)) < 0) {
      if (errno == EPERM && fds->fd[OCI_NS_USER] >= 0) {
        pending[k] = true;  /* owned by the user namespace we join next */
        continue;
      }
      return cell_error_sys(err, "linux.namespaces: join %s namespace `%s`",
                            oci_ns_name((oci_ns_kind) k), c->linux.ns[k].path);
    }
  }
  if (fds->fd[OCI_NS_USER] >= 0) {
    if (setns(fds->fd[OCI_NS_USER], CLONE_NEWUSER) < 0)
      return cell_error_sys(err, "linux.namespaces: join user namespace `%s`",
                            c->linux.ns[OCI_NS_USER].path);
    if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
      return cell_error_sys(err, "become root in the joined user namespace");
    for (int k = 0; k < OCI_NS_KINDS; k++)
      if (pending[k] && setns(fds->fd[k], oci_ns_clone_flag((oci_ns_kind) k)) < 0)
        return cell_error_sys(err, "linux.namespaces: join %s namespace `%s`",
                              oci_ns_name((oci_ns_kind) k), c->linux.ns[k].path);
    /* New namespaces are owned by the joined user namespace. */
    static const oci_ns_kind later[] = { OCI_NS_NETWORK, OCI_NS_IPC, OCI_NS_UTS,
                                         OCI_NS_MOUNT };
    int flags = 0;
    for (size_t i = 0; i < sizeof later / sizeof *later; i++)
      if (linux_ns_is_new(c, later[i]))
        flags |= oci_ns_clone_flag(later[i]);
    if (flags && unshare(flags) < 0)
      return cell_error_sys(err, "unshare namespaces in the joined user namespace");
  }
  return 0;
}

int linux_ns_setup_time(const oci_config *c, cell_error *err)
{
  if (!linux_ns_is_new(c, OCI_NS_TIME)) {
    /* A time namespace given by path was joined with the others. */
    return 0;
  }
  if (unshare(CLONE_NEWTIME) < 0)
    return cell_error_sys(err, "linux.namespaces: new time namespace");
  char buf[256];
  size_t len = 0;
  const oci_time_offset *mono = &c->linux.time_monotonic, *boot = &c->linux.time_boottime;
  if (mono->present)
    len += (size_t) snprintf(buf + len, sizeof buf - len, "monotonic %lld %u\n",
                             (long long) mono->secs, mono->nanosecs);
  if (boot->present)
    len += (size_t) snprintf(buf + len, sizeof buf - len, "boottime %lld %u\n",
                             (long long) boot->secs, boot->nanosecs);
  if (len) {
    int r = cell_write_file("/proc/self/timens_offsets", buf, len, err);
    if (r < 0)
      return cell_error_wrap(err, "linux.timeOffsets");
  }
  _cleanup_close_ int fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return cell_error_sys(err, "open /proc/self/ns/time_for_children");
  if (setns(fd, CLONE_NEWTIME) < 0)
    return cell_error_sys(err, "enter the new time namespace");
  return 0;
}

int linux_ns_setup_cgroup(const oci_config *c, cell_error *err)
{
  if (linux_ns_is_new(c, OCI_NS_CGROUP) && unshare(CLONE_NEWCGROUP) < 0)
    return cell_error_sys(err, "linux.namespaces: new cgroup namespace");
  return 0;
}
