/* readonlyPaths and maskedPaths, applied after pivot_root as runc does
 * (read-only first, then masks). Every target is opened inside the root as
 * an O_PATH fd and the new mount is attached to that fd, so a path swapped
 * for a symlink cannot send the mount elsewhere (CVE-2019-16884), and the
 * /dev/null bound over masked files is checked to be the null device, not
 * a symlink or a file planted in its place (CVE-2025-31133). Paths that do
 * not exist are skipped. */
#include "linux/fs-internal.h"
#include "util/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

int fs_remount_ro_at(int rootfd, const char *path, int fd, bool recursive, cell_error *err)
{
  _cleanup_close_ int tree = open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
                                                 (recursive ? AT_RECURSIVE : 0));
  if (tree >= 0) {
    struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };
    if (mount_setattr(tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &a, sizeof a) < 0)
      return cell_error_sys(err, "make `%s` read-only", path);
    if (move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
      return cell_error_sys(err, "attach read-only `%s`", path);
    return 0;
  }
  if (errno != ENOSYS)
    return cell_error_sys(err, "clone `%s`", path);
  /* Old kernels: bind onto itself, then remount keeping the flags. */
  char p[32];
  if (mount(fs_fd_path(p, sizeof p, fd), p, NULL, MS_BIND | (recursive ? MS_REC : 0), NULL) < 0)
    return cell_error_sys(err, "bind `%s`", path);
  _cleanup_close_ int nfd = linux_open_in_root(rootfd, path, O_PATH, 0, err);
  if (nfd < 0)
    return nfd;
  struct statvfs sv;
  if (fstatvfs(nfd, &sv) < 0)
    return cell_error_sys(err, "statvfs `%s`", path);
  unsigned long keep = 0;
  if (sv.f_flag & ST_NOSUID) keep |= MS_NOSUID;
  if (sv.f_flag & ST_NODEV) keep |= MS_NODEV;
  if (sv.f_flag & ST_NOEXEC) keep |= MS_NOEXEC;
  if (sv.f_flag & ST_NOATIME) keep |= MS_NOATIME;
  if (sv.f_flag & ST_NODIRATIME) keep |= MS_NODIRATIME;
  if (sv.f_flag & ST_RELATIME) keep |= MS_RELATIME;
  if (mount(NULL, fs_fd_path(p, sizeof p, nfd), NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | keep,
            NULL) < 0)
    return cell_error_sys(err, "remount `%s` read-only", path);
  return 0;
}

/* O_PATH fd of path inside the root, -ENOENT quietly when missing. */
static int open_target(int rootfd, const char *path, cell_error *err)
{
  return fs_open_in_root_opt(rootfd, path, O_PATH, err);
}

int fs_readonly_paths(int rootfd, char *const *paths, const linux_rootfs_opts *o, cell_error *err)
{
  (void) o;
  for (size_t i = 0; paths && paths[i]; i++) {
    _cleanup_close_ int fd = open_target(rootfd, paths[i], err);
    if (fd == -ENOENT)
      continue;
    int r = fd < 0 ? fd : fs_remount_ro_at(rootfd, paths[i], fd, true, err);
    if (r < 0)
      return cell_error_wrap(err, "linux.readonlyPaths[%zu]", i);
  }
  return 0;
}

static int mask_dir(int fd, const char *path, cell_error *err)
{
  _cleanup_close_ int fsfd = fsopen("tmpfs", FSOPEN_CLOEXEC);
  if (fsfd >= 0) {
    if (fsconfig(fsfd, FSCONFIG_SET_STRING, "size", "0", 0) < 0 ||
        fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
      return cell_error_sys(err, "create a tmpfs to mask `%s`", path);
    _cleanup_close_ int mnt = fsmount(fsfd, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
                                                             MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
    if (mnt < 0)
      return cell_error_sys(err, "create a tmpfs to mask `%s`", path);
    if (move_mount(mnt, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
      return cell_error_sys(err, "mask `%s`", path);
    return 0;
  }
  if (errno != ENOSYS)
    return cell_error_sys(err, "fsopen tmpfs to mask `%s`", path);
  char p[32];
  if (mount("tmpfs", fs_fd_path(p, sizeof p, fd), "tmpfs",
            MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0") < 0)
    return cell_error_sys(err, "mask `%s`", path);
  return 0;
}

/* The container's /dev/null as an O_PATH fd, checked to be the null device
 * (CVE-2025-31133); opened once for all the masked files. */
static int open_null(int rootfd, const char *path, cell_error *err)
{
  _cleanup_close_ int null = linux_open_in_root(rootfd, "/dev/null", O_PATH | O_NOFOLLOW, 0, err);
  if (null < 0)
    return null;
  struct stat sb;
  if (fstat(null, &sb) < 0)
    return cell_error_sys(err, "stat `/dev/null`");
  if (!S_ISCHR(sb.st_mode) || sb.st_rdev != makedev(1, 3))
    return cell_error_set(err, EPERM, "mask `%s`: `/dev/null` is not the null device", path);
  return cell_steal_fd(&null);
}

static int mask_file(int null, int fd, const char *path, cell_error *err)
{
  _cleanup_close_ int tree = open_tree(null, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
  if (tree >= 0) {
    if (move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
      return cell_error_sys(err, "mask `%s`", path);
    return 0;
  }
  if (errno != ENOSYS)
    return cell_error_sys(err, "clone `/dev/null`");
  char sp[32], tp[32];
  if (mount(fs_fd_path(sp, sizeof sp, null), fs_fd_path(tp, sizeof tp, fd), NULL, MS_BIND, NULL) < 0)
    return cell_error_sys(err, "mask `%s`", path);
  return 0;
}

int fs_masked_paths(int rootfd, char *const *paths, const linux_rootfs_opts *o, cell_error *err)
{
  (void) o;
  _cleanup_close_ int null = -1;
  for (size_t i = 0; paths && paths[i]; i++) {
    _cleanup_close_ int fd = open_target(rootfd, paths[i], err);
    if (fd == -ENOENT)
      continue;
    int r = fd;
    struct stat sb;
    if (fd >= 0 && fstat(fd, &sb) < 0)
      r = cell_error_sys(err, "stat `%s`", paths[i]);
    else if (fd >= 0 && S_ISDIR(sb.st_mode))
      r = mask_dir(fd, paths[i], err);
    else if (fd >= 0) {
      if (null < 0)
        null = open_null(rootfd, paths[i], err);
      r = null < 0 ? null : mask_file(null, fd, paths[i], err);
    }
    if (r < 0)
      return cell_error_wrap(err, "linux.maskedPaths[%zu]", i);
  }
  return 0;
}
