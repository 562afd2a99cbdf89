/* linux.devices in a new user namespace. mknod in the container gives no
 * usable node (its file systems are mounted from a user namespace: nodev
 * semantics), and a bind of the host's node keeps the host's owner and
 * needs the path to exist on the host. So the runtime, on the host and
 * before the clone, makes each node on a tmpfs of its own (of the initial
 * user namespace: its nodes work), owned by the host ids that the
 * device's uid and gid map to, and keeps a detached tree of it; the init
 * attaches it at the device's path (devices.c), as it does the idmapped
 * mounts' trees (idmap.c). */
#include "linux/rootfs.h"
#include "util/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* id of the container's namespace -> the host's, through the config's map. */
static int map_id(const oci_idmap *m, size_t n, uint32_t id, uint32_t *host)
{
  for (size_t i = 0; i < n; i++)
    if (id >= m[i].container_id && id - m[i].container_id < m[i].size) {
      *host = m[i].host_id + (id - m[i].container_id);
      return 0;
    }
  return -1;
}

static int make_node(int mfd, size_t i, const oci_config *c, const oci_device *d,
                     cell_error *err)
{
  char name[32];
  snprintf(name, sizeof name, "d%zu", i);
  uint32_t uid, gid;
  if (map_id(c->linux.uid_mappings, c->linux.n_uid_mappings, d->has_uid ? d->uid : 0, &uid) < 0)
    return cell_error_set(err, EINVAL, "uid %u is not mapped in the user namespace",
                          (unsigned) (d->has_uid ? d->uid : 0));
  if (map_id(c->linux.gid_mappings, c->linux.n_gid_mappings, d->has_gid ? d->gid : 0, &gid) < 0)
    return cell_error_set(err, EINVAL, "gid %u is not mapped in the user namespace",
                          (unsigned) (d->has_gid ? d->gid : 0));
  mode_t perm = d->has_file_mode ? (d->file_mode & 07777) : 0666;
  mode_t type = d->type == 'b' ? S_IFBLK : S_IFCHR;
  if (mknodat(mfd, name, type | perm, makedev((unsigned) d->major, (unsigned) d->minor)) < 0)
    return cell_error_sys(err, "mknod");
  if (fchownat(mfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0 || fchmodat(mfd, name, perm, 0) < 0)
    return cell_error_sys(err, "chown or chmod");
  int tree = (int) syscall(SYS_open_tree, mfd, name, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (tree < 0)
    return cell_error_sys(err, "clone the node");
  return tree;
}

int linux_devnodes_prepare(const oci_config *c, linux_idmap_trees *t, cell_error *err)
{
  t->dev_fd = NULL;
  t->n_dev = 0;
  bool userns = c->linux.ns[OCI_NS_USER].present && !c->linux.ns[OCI_NS_USER].path;
  size_t n = c->linux.n_devices;
  bool any = false;
  for (size_t i = 0; userns && i < n; i++)
    any = any || c->linux.devices[i].type != 'p';
  if (!any)
    return 0;
  _cleanup_close_ int fs = (int) syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
  if (fs < 0)
    return cell_error_sys(err, "linux.devices: a tmpfs for the user namespace's device nodes");
  if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "size", "64k", 0) < 0 ||
      syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return cell_error_sys(err, "linux.devices: make the tmpfs for device nodes");
  _cleanup_close_ int mfd = (int) syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, 0);
  if (mfd < 0)
    return cell_error_sys(err, "linux.devices: mount the tmpfs for device nodes");
  t->dev_fd = malloc(n * sizeof *t->dev_fd);
  if (!t->dev_fd)
    return cell_error_set(err, ENOMEM, "out of memory");
  t->n_dev = n;
  for (size_t i = 0; i < n; i++)
    t->dev_fd[i] = -1;
  for (size_t i = 0; i < n; i++) {
    const oci_device *d = &c->linux.devices[i];
    if (d->type == 'p')
      continue;
    int tree = make_node(mfd, i, c, d, err);
    if (tree < 0) {
      cell_error_wrap(err, "linux.devices[%zu] `%s`", i, d->path);
      return tree;
    }
    t->dev_fd[i] = tree;
  }
  return 0;
}
