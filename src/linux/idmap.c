/* Idmapped bind mounts (mounts[].uidMappings/gidMappings, idmap/ridmap).
 * Giving a mount an idmapping needs privilege over the source's file
 * system (CAP_SYS_ADMIN in its user namespace: the host's), which the
 * container's init lacks once it is in a user namespace of its own. So
 * the runtime makes each one on the host, before the clone, as a detached
 * tree (open_tree OPEN_TREE_CLONE + mount_setattr MOUNT_ATTR_IDMAP); the
 * init inherits the fd and attaches it at its destination. */
#include "linux/namespaces.h"
#include "linux/rootfs.h"
#include "util/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* A user namespace with these mappings, held by the returned fd: a child
 * made in it waits until the fd is open, then exits. */
static int make_userns(const oci_idmap *uid, size_t nu, const oci_idmap *gid, size_t ng,
                       cell_error *err)
{
  int hold[2];
  if (pipe2(hold, O_CLOEXEC) < 0)
    return cell_error_sys(err, "pipe");
  pid_t pid = (pid_t) syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0);
  if (pid == 0) {
    char c;
    close(hold[1]);
    (void) !read(hold[0], &c, 1);
    _exit(0);
  }
  close(hold[0]);
  int r = 0, fd = -1;
  if (pid < 0) {
    r = cell_error_sys(err, "clone a user namespace for the idmapping");
  } else if ((r = linux_ns_write_map(pid, "uid_map", uid, nu, "uidMappings", err)) >= 0 &&
             (r = linux_ns_write_map(pid, "gid_map", gid, ng, "gidMappings", err)) >= 0) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/user", (int) pid);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
      r = cell_error_sys(err, "open %s", path);
  }
  close(hold[1]);
  if (pid > 0)
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
      ;
  return r < 0 ? r : fd;
}

static int prepare_one(const oci_config *c, const oci_mount *m, cell_error *err)
{
  const oci_idmap *uid = m->uid_mappings, *gid = m->gid_mappings;
  size_t nu = m->n_uid_mappings, ng = m->n_gid_mappings;
  if (!nu) {
    /* idmap alone: the container's user namespace mappings. */
    uid = c->linux.uid_mappings;
    nu = c->linux.n_uid_mappings;
    gid = c->linux.gid_mappings;
    ng = c->linux.n_gid_mappings;
  }
  _cleanup_close_ int userns = make_userns(uid, nu, gid, ng, err);
  if (userns < 0)
    return userns;
  _cleanup_close_ int src = open(m->source, O_PATH | O_CLOEXEC);
  if (src < 0)
    return cell_error_sys(err, "source `%s`", m->source);
  bool recursive = m->flags & MS_REC;
  int tree = (int) syscall(SYS_open_tree, src, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
                           AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0));
  if (tree < 0)
    return cell_error_sys(err, "clone the source tree of `%s`", m->source);
  struct mount_attr a = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t) userns };
  if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | (m->ridmap ? AT_RECURSIVE : 0),
              &a, sizeof a) < 0) {
    int e = errno;
    close(tree);
    return cell_error_sys_code(err, e, "idmap the mount of `%s`%s", m->source,
                               e == EINVAL ? " (does its file system support idmapped "
                               "mounts?)" : "");
  }
  return tree;
}

int linux_idmap_prepare(const oci_config *c, linux_idmap_trees *t, cell_error *err)
{
  t->fd = NULL;
  t->n = 0;
  int r = linux_devnodes_prepare(c, t, err);
  if (r < 0) {
    linux_idmap_close(t);
    return r;
  }
  bool any = false;
  for (size_t i = 0; i < c->n_mounts && !any; i++)
    any = c->mounts[i].idmap || c->mounts[i].n_uid_mappings;
  if (!any)
    return 0;
  t->fd = malloc(c->n_mounts * sizeof *t->fd);
  if (!t->fd)
    return cell_error_set(err, ENOMEM, "out of memory");
  t->n = c->n_mounts;
  for (size_t i = 0; i < t->n; i++)
    t->fd[i] = -1;
  for (size_t i = 0; i < t->n; i++) {
    const oci_mount *m = &c->mounts[i];
    if (!m->idmap && !m->n_uid_mappings)
      continue;
    if ((t->fd[i] = prepare_one(c, m, err)) < 0) {
      cell_error_wrap(err, "mounts[%zu] `%s`", i, m->destination);
      r = t->fd[i];
      t->fd[i] = -1;
      linux_idmap_close(t);
      return r;
    }
  }
  return 0;
}

void linux_idmap_close(linux_idmap_trees *t)
{
  for (size_t i = 0; i < t->n; i++)
    if (t->fd[i] >= 0)
      close(t->fd[i]);
  free(t->fd);
  t->fd = NULL;
  t->n = 0;
  for (size_t i = 0; i < t->n_dev; i++)
    if (t->dev_fd[i] >= 0)
      close(t->dev_fd[i]);
  free(t->dev_fd);
  t->dev_fd = NULL;
  t->n_dev = 0;
}
