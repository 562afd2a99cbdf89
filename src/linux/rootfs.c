/* The rootfs as a whole: propagation, the bind of the rootfs onto itself,
 * the mounts of config.json and /dev (prepare), then pivot_root or chroot,
 * readonlyPaths, maskedPaths and root.readonly (finish). The order and the
 * defaults are runc's. */
#include "linux/fs-internal.h"
#include "util/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

/* A shared parent would copy the rootfs bind to its peers and makes
 * pivot_root fail: make that one mount private. Through the root of that
 * mount the runtime opened, when it did (its path may lie below a
 * directory we cannot search). prop: the propagation / was just given;
 * rslave or rprivate left no mount below it shared, nothing to look up. */
static int parent_private(const char *root, const linux_rootfs_opts *o, unsigned long prop,
                          cell_error *err)
{
  if ((prop & MS_REC) && (prop & (MS_SLAVE | MS_PRIVATE)))
    return 0;
  const linux_host_fds *h = o->host;
  bool shared = false;
  int r;
  if (h && h->root_mnt >= 0 && (r = fs_mount_shared(h->root_mnt, &shared, err)) != -ENOSYS) {
    char p[32];
    if (r < 0)
      return cell_error_wrap(err, "root.path `%s`", root);
    if (shared && mount(NULL, fs_fd_path(p, sizeof p, h->root_mnt), NULL, MS_PRIVATE, NULL) < 0)
      return cell_error_sys(err, "make the mount holding `%s` private", root);
    return 0;
  }
  _cleanup_free_ char *parent = NULL;
  if ((r = fs_find_mount(root, &parent, &shared, err)) < 0)
    return cell_error_wrap(err, "root.path `%s`", root);
  if (shared && mount(NULL, parent, NULL, MS_PRIVATE, NULL) < 0)
    return cell_error_sys(err, "make `%s` private", parent);
  return 0;
}

/* The rootfs directory: the runtime's fd of it, else opened here. */
static int open_root(const char *root, const linux_rootfs_opts *o, cell_error *err)
{
  const linux_host_fds *h = o->host;
  if (h && h->root >= 0) {
    int fd = fcntl(h->root, F_DUPFD_CLOEXEC, 3);
    return fd >= 0 ? fd : cell_error_sys(err, "root.path: dup the fd of `%s`", root);
  }
  int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)  /* the runtime's errno tells more than ours (EACCES) */
    return cell_error_sys_code(err, h && h->root_errno ? h->root_errno : errno,
                               "root.path: open `%s`", root);
  return fd;
}

/* The rootfs bound onto itself (pivot_root wants a mount), from its fd;
 * returns an fd of the bind. */
static int bind_root(const char *root, int dirfd, cell_error *err)
{
  _cleanup_close_ int tree = open_tree(dirfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
                                       AT_EMPTY_PATH | AT_RECURSIVE);
  if (tree >= 0) {
    if (move_mount(tree, "", dirfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
      return cell_error_sys(err, "root.path: bind `%s` onto itself", root);
    return cell_steal_fd(&tree);
  }
  if (errno != ENOSYS)
    return cell_error_sys(err, "root.path: clone the tree of `%s`", root);
  /* Kernels before open_tree (5.2): by path. */
  if (mount(root, root, NULL, MS_BIND | MS_REC, NULL) < 0)
    return cell_error_sys(err, "root.path: bind `%s` onto itself", root);
  int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  return fd >= 0 ? fd : cell_error_sys(err, "root.path: open `%s`", root);
}

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

  int r = parent_private(root, o, prop, err);
  if (r < 0)
    return r;
  _cleanup_close_ int dirfd = open_root(root, o, err);
  if (dirfd < 0)
    return dirfd;
  _cleanup_close_ int rootfd = bind_root(root, dirfd, err);
  if (rootfd < 0)
    return rootfd;

  for (size_t i = 0; i < c->n_mounts; i++)
    if ((r = fs_mount_one(rootfd, c, i, o, err)) < 0)
      return r;
  if ((r = fs_setup_dev(rootfd, c, o, err)) < 0)
    return r;
  /* A process.cwd missing from the rootfs is made (mode 0755), as runc and
   * crun do, before a read-only root would forbid it. */
  if (c->process && c->process->cwd && strcmp(c->process->cwd, "/") != 0) {
    int fd = fs_mkpath_in_root(rootfd, c->process->cwd, true, err);
    if (fd < 0)
      return cell_error_wrap(err, "process.cwd `%s`", c->process->cwd);
    close(fd);
  }
  return cell_steal_fd(&rootfd);
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

int linux_rootfs_finish(const oci_config *c, const linux_rootfs_opts *o, int rootfd,
                        cell_error *err)
{
  const char *root = c->root_path;
  if (!root)
    return cell_error_set(err, EINVAL, "root.path is not set");
  if (fchdir(rootfd) < 0)
    return cell_error_sys(err, "chdir `%s`", root);

  if (o->no_pivot) {
    /* Where the rootfs is, from its fd: its path may not be searchable. */
    char p[32], real[PATH_MAX];
    ssize_t n = readlink(fs_fd_path(p, sizeof p, rootfd), real, sizeof real - 1);
    if (n < 0)
      return cell_error_sys(err, "readlink `%s`", p);
    real[n] = '\0';
    int r = fs_detach_outside(real, o, err);
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

  _cleanup_close_ int newroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (newroot < 0)
    return cell_error_sys(err, "open /");
  int r;
  if ((r = fs_readonly_paths(newroot, c->linux.readonly_paths, o, err)) < 0 ||
      (r = fs_masked_paths(newroot, c->linux.masked_paths, o, err)) < 0)
    return r;
  if (c->root_readonly && (r = root_readonly(err)) < 0)
    return r;
  return 0;
}
