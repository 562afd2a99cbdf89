/* The rootfs as a whole: propagation, the bind of the rootfs onto itself,
 * the mounts of config.json and /dev (prepare), then pivot_root or chroot,
 * readonlyPaths, maskedPaths and root.readonly (finish). The order and the
 * defaults are runc's. */
#include "linux/fs-internal.h"
#include "util/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

int linux_rootfs_prepare(const oci_config *c, const linux_rootfs_opts *o, cell_error *err)
{
  const char *root = c->root_path;
  if (!root)
    return cell_error_set(err, EINVAL, "root.path is not set");

  /* Nothing we mount may reach the host: / rslave unless asked otherwise.
   * An unbindable / could not be bound onto itself below: it is private
   * until the pivot and unbindable after it (linux_rootfs_finish). */
  unsigned long prop = c->linux.rootfs_propagation ? c->linux.rootfs_propagation
                                                   : MS_SLAVE | MS_REC;
  if (prop & MS_UNBINDABLE)
    prop = MS_PRIVATE | (prop & MS_REC);
  /* slave and private over the whole tree (they never reach the host):
   * the rootfs's own mount then stays a slave of the host's peers, and
   * the rootfs bound below one receives the host's events. shared stays
   * on / alone. */
  if (prop & (MS_SLAVE | MS_PRIVATE))
    prop |= MS_REC;
  if (mount(NULL, "/", NULL, prop, NULL) < 0)
    return cell_error_sys(err, "linux.rootfsPropagation: set propagation of /");

  /* A shared parent would copy the rootfs bind to its peers and makes
   * pivot_root fail: make that one mount private. */
  _cleanup_free_ char *parent = NULL;
  bool shared = false;
  int r = fs_find_mount(root, &parent, &shared, err);
  if (r < 0)
    return cell_error_wrap(err, "root.path `%s`", root);
  if (shared && mount(NULL, parent, NULL, MS_PRIVATE, NULL) < 0)
    return cell_error_sys(err, "make `%s` private", parent);

  if (mount(root, root, NULL, MS_BIND | MS_REC, NULL) < 0)
    return cell_error_sys(err, "root.path: bind `%s` onto itself", root);
  _cleanup_close_ int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return cell_error_sys(err, "root.path: open `%s`", root);

  for (size_t i = 0; i < c->n_mounts; i++)
    if ((r = fs_mount_one(rootfd, c, i, o, err)) < 0)
      return r;
  if ((r = fs_setup_dev(rootfd, c, o, err)) < 0)
    return r;
  /* A process.cwd missing from the rootfs is made (mode 0755), as runc and
   * crun do, before a read-only root would forbid it. */
  if (c->process && c->process->cwd) {
    int fd = fs_mkpath_in_root(rootfd, c->process->cwd, true, err);
    if (fd < 0)
      return cell_error_wrap(err, "process.cwd `%s`", c->process->cwd);
    close(fd);
  }
  return 0;
}

static int do_pivot(bool old_shared)
{
  /* pivot_root(".", ".") stacks the old root on top of the new one; it is
   * made rslave (through an fd: "." names the new root for mount(2)) so the
   * detach does not travel back to the host, then detached. */
  _cleanup_close_ int old = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (old < 0)
    return -errno;
  if (syscall(SYS_pivot_root, ".", ".") < 0)
    return -errno;
  struct mount_attr a = { .propagation = MS_SLAVE };
  if (mount_setattr(old, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof a) < 0) {
    if (errno != ENOSYS)
      return -errno;
    /* mount(2) on "." would reach the new root too and undo per-mount
     * propagation; only needed when prepare left the old root shared (its
     * propagation is set again after the pivot). */
    if (old_shared && mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
      return -errno;
  }
  if (umount2(".", MNT_DETACH) < 0)
    return -errno;
  return 0;
}

static int root_readonly(cell_error *err)
{
  struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };
  if (mount_setattr(AT_FDCWD, "/", 0, &a, sizeof a) == 0)
    return 0;
  if (errno != ENOSYS)
    return cell_error_sys(err, "root.readonly: make / read-only");
  struct statvfs sv;
  if (statvfs("/", &sv) < 0)
    return cell_error_sys(err, "root.readonly: statvfs /");
  unsigned long keep = 0;
  if (sv.f_flag & ST_NOSUID) keep |= MS_NOSUID;
  if (sv.f_flag & ST_NODEV) keep |= MS_NODEV;
  if (sv.f_flag & ST_NOEXEC) keep |= MS_NOEXEC;
  if (sv.f_flag & ST_NOATIME) keep |= MS_NOATIME;
  if (sv.f_flag & ST_RELATIME) keep |= MS_RELATIME;
  if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | keep, NULL) < 0)
    return cell_error_sys(err, "root.readonly: remount / read-only");
  return 0;
}

int linux_rootfs_finish(const oci_config *c, const linux_rootfs_opts *o, cell_error *err)
{
  const char *root = c->root_path;
  if (!root)
    return cell_error_set(err, EINVAL, "root.path is not set");
  if (chdir(root) < 0)
    return cell_error_sys(err, "chdir `%s`", root);

  if (o->no_pivot) {
    int r = fs_detach_outside(root, o, err);
    if (r < 0)
      return r;
    if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
      return cell_error_sys(err, "move `%s` onto /", root);
    if (chroot(".") < 0)
      return cell_error_sys(err, "chroot `%s`", root);
  } else {
    int r = do_pivot(c->linux.rootfs_propagation & MS_SHARED);
    if (r < 0)
      return cell_error_sys_code(err, r, "pivot_root into `%s`", root);
  }
  if (chdir("/") < 0)
    return cell_error_sys(err, "chdir /");

  /* Asked-for propagation of the new /, now that it cannot affect the host's. */
  if (c->linux.rootfs_propagation &&
      mount(NULL, "/", NULL, c->linux.rootfs_propagation, NULL) < 0)
    return cell_error_sys(err, "linux.rootfsPropagation: set propagation of the new /");

  _cleanup_close_ int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return cell_error_sys(err, "open /");
  int r;
  if ((r = fs_readonly_paths(rootfd, c->linux.readonly_paths, o, err)) < 0 ||
      (r = fs_masked_paths(rootfd, c->linux.masked_paths, o, err)) < 0)
    return r;
  if (c->root_readonly && (r = root_readonly(err)) < 0)
    return r;
  return 0;
}
