/* The two ways a config.json mount is made, and what is set on it. The
 * destination is resolved inside the rootfs and held as an O_PATH fd; the
 * mount goes onto that fd (move_mount, or mount(2) on /proc/self/fd/N), so
 * no symlink swapped in later can redirect it. Bind mounts are cloned with
 * open_tree() and get their flags with mount_setattr() before they are
 * attached: no remount window, and flags the kernel locks (nosuid of a
 * source in a user namespace) are kept because only the asked-for bits
 * change. */
#include "linux/fs-internal.h"
#include "linux/process.h"
#include "util/cleanup.h"
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>
/* ---- building blocks ----------------------------------------------------- */

/* MS_* flags of a bind mount -> mount_setattr attributes. */
static void ms_to_attr(unsigned long set, unsigned long clr, struct mount_attr *a)
{
  static const struct { unsigned long ms; uint64_t attr; } map[] = {
    { MS_RDONLY, MOUNT_ATTR_RDONLY },   { MS_NOSUID, MOUNT_ATTR_NOSUID },
    { MS_NODEV, MOUNT_ATTR_NODEV },     { MS_NOEXEC, MOUNT_ATTR_NOEXEC },
    { MS_NODIRATIME, MOUNT_ATTR_NODIRATIME }, { MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW },
  };
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
    if (set & map[i].ms)
      a->attr_set |= map[i].attr;
    else if (clr & map[i].ms)
      a->attr_clr |= map[i].attr;
  }
  const unsigned long atime = MS_NOATIME | MS_STRICTATIME | MS_RELATIME;
  if ((set | clr) & atime) {
    a->attr_clr |= MOUNT_ATTR__ATIME;
    a->attr_set |= (set & MS_NOATIME)       ? MOUNT_ATTR_NOATIME
                   : (set & MS_STRICTATIME) ? MOUNT_ATTR_STRICTATIME
                                            : MOUNT_ATTR_RELATIME;
  }
}

int fs_setattr_fd(int fd, unsigned flags, const struct mount_attr *a)
{
  if (!a->attr_set && !a->attr_clr)
    return 0;
  struct mount_attr copy = *a;
  return mount_setattr(fd, "", AT_EMPTY_PATH | flags, &copy, sizeof copy) < 0 ? -errno : 0;
}

int fs_make_ro(int fd, unsigned long keep)
{
  struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };
  int r = fs_setattr_fd(fd, 0, &a);
  if (r != -ENOSYS)
    return r;
  char p[32];
  keep &= MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME |
          MS_STRICTATIME;
  if (mount(NULL, fs_fd_path(p, sizeof p, fd), NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | keep,
            NULL) < 0)
    return -errno;
  return 0;
}

int fs_bind_onto(int srcfd, bool premade, int tfd, const oci_mount *m, int rootfd,
                 const char *dest, int *mfd, cell_error *err)
{
  struct mount_attr top = { 0 }, rec = { .attr_set = m->attr_set, .attr_clr = m->attr_clr };
  ms_to_attr(m->flags, m->clear_flags, &top);
  bool recursive = m->flags & MS_REC;
  char sp[32], tp[32];

  _cleanup_close_ int tree = premade ? dup(srcfd)
                                     : open_tree(srcfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
                                                 AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0));
  if (premade && tree < 0)
    return cell_error_sys(err, "dup the idmapped tree");
  if (tree >= 0) {
    int r;
    if ((r = fs_setattr_fd(tree, 0, &top)) < 0)
      return cell_error_sys_code(err, r, "set mount flags");
    if ((r = fs_setattr_fd(tree, AT_RECURSIVE, &rec)) < 0)
      return cell_error_sys_code(err, r, "set recursive mount attributes");
    if (move_mount(tree, "", tfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
      return cell_error_sys(err, "attach the bind mount");
    *mfd = cell_steal_fd(&tree);
    return 0;
  }
  if (errno != ENOSYS)
    return cell_error_sys(err, "clone the source tree");

  /* Old kernels: bind, then remount the top with the flags. */
  if (mount(fs_fd_path(sp, sizeof sp, srcfd), fs_fd_path(tp, sizeof tp, tfd), NULL,
            MS_BIND | (recursive ? MS_REC : 0), NULL) < 0)
    return cell_error_sys(err, "bind mount");
  _cleanup_close_ int fd = linux_open_in_root(rootfd, dest, O_PATH, 0, err);
  if (fd < 0)
    return fd;
  unsigned long fl = m->flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME |
                                 MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME);
  if (fl && mount(NULL, fs_fd_path(tp, sizeof tp, fd), NULL, MS_REMOUNT | MS_BIND | fl, NULL) < 0)
    return cell_error_sys(err, "remount with the bind flags");
  if (rec.attr_set || rec.attr_clr)
    return cell_error_set(err, ENOSYS, "recursive mount attributes need mount_setattr (Linux 5.12)");
  *mfd = cell_steal_fd(&fd);
  return 0;
}

int fs_set_propagation(int mfd, unsigned long prop, cell_error *err)
{
  char p[32];
  if (prop && mount(NULL, fs_fd_path(p, sizeof p, mfd), NULL, prop, NULL) < 0)
    return cell_error_sys(err, "set propagation");
  return 0;
}

/* Copy the tree below from into to (tmpcopyup): files, dirs, symlinks,
 * device nodes and fifos, with modes and owners. */
static int copy_tree(int from, int to, cell_error *err)
{
  int dfd = openat(from, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return cell_error_sys(err, "tmpcopyup: open the directory");
  _cleanup_closedir_ DIR *d = fdopendir(dfd);
  if (!d) {
    close(dfd);
    return cell_error_sys(err, "tmpcopyup: read the directory");
  }
  struct dirent *de;
  while ((errno = 0, de = readdir(d))) {
    const char *n = de->d_name;
    if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
      continue;
    struct stat sb;
    if (fstatat(dfd, n, &sb, AT_SYMLINK_NOFOLLOW) < 0)
      return cell_error_sys(err, "tmpcopyup: stat `%s`", n);
    int r = 0;
    if (S_ISDIR(sb.st_mode)) {
      if (mkdirat(to, n, 0700) < 0)
        return cell_error_sys(err, "tmpcopyup: mkdir `%s`", n);
      _cleanup_close_ int sfd = openat(dfd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      _cleanup_close_ int tfd = openat(to, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sfd < 0 || tfd < 0)
        return cell_error_sys(err, "tmpcopyup: open `%s`", n);
      if ((r = copy_tree(sfd, tfd, err)) < 0)
        return r;
    } else if (S_ISREG(sb.st_mode)) {
      _cleanup_close_ int sfd = openat(dfd, n, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      _cleanup_close_ int tfd = openat(to, n, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (sfd < 0 || tfd < 0)
        return cell_error_sys(err, "tmpcopyup: open `%s`", n);
      char buf[65536];
      ssize_t got;
      while ((got = read(sfd, buf, sizeof buf)) > 0)
        if ((r = cell_write_all(tfd, buf, (size_t) got)) < 0)
          return cell_error_sys_code(err, r, "tmpcopyup: write `%s`", n);
      if (got < 0)
        return cell_error_sys(err, "tmpcopyup: read `%s`", n);
    } else if (S_ISLNK(sb.st_mode)) {
      char target[PATH_MAX];
      ssize_t len = readlinkat(dfd, n, target, sizeof target - 1);
      if (len < 0)
        return cell_error_sys(err, "tmpcopyup: readlink `%s`", n);
      target[len] = '\0';
      if (symlinkat(target, to, n) < 0)
        return cell_error_sys(err, "tmpcopyup: symlink `%s`", n);
    } else if (mknodat(to, n, sb.st_mode, sb.st_rdev) < 0) {
      return cell_error_sys(err, "tmpcopyup: mknod `%s`", n);
    }
    if (fchownat(to, n, sb.st_uid, sb.st_gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != EINVAL)
      return cell_error_sys(err, "tmpcopyup: chown `%s`", n);
    if (!S_ISLNK(sb.st_mode) && fchmodat(to, n, sb.st_mode & 07777, 0) < 0)
      return cell_error_sys(err, "tmpcopyup: chmod `%s`", n);
  }
  if (errno)
    return cell_error_sys(err, "tmpcopyup: read the directory");
  return 0;
}

/* ---- the kinds of mounts ------------------------------------------------- */

/* Mounts over files of procfs can redirect the runtime's own later writes
 * (CVE-2019-19921, CVE-2025-52881): like runc, only proc itself and a few
 * files lxcfs-style tools replace may go there. Checked on the opened
 * target, so a symlink into /proc does not get around it. */
static int check_target(int tfd, const oci_mount *m, const char *type, cell_error *err)
{
  static const char *const allowed[] = {
    "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat", "/proc/swaps",
    "/proc/uptime", "/proc/loadavg", "/proc/slabinfo", "/proc/net/dev",
    "/proc/sys/kernel/ns_last_pid", NULL,
  };
  struct statfs sf;
  if (fstatfs(tfd, &sf) < 0)
    return cell_error_sys(err, "statfs the mount point");
  if (sf.f_type != PROC_SUPER_MAGIC || (type && strcmp(type, "proc") == 0))
    return 0;
  for (const char *const *a = allowed; *a; a++)
    if (strcmp(m->destination, *a) == 0)
      return 0;
  return cell_error_set(err, EPERM, "refusing to mount over a file of /proc");
}

int fs_mount_bind(int rootfd, const oci_mount *m, const char *source, int tree,
                  int host_fd, int host_errno, cell_error *err)
{
  if (!source || !*source)
    return cell_error_set(err, EINVAL, "a bind mount needs a source");
  _cleanup_close_ int opened = tree >= 0 || host_fd >= 0 ? -1 : open(source, O_PATH | O_CLOEXEC);
  int srcfd = tree >= 0 ? tree : host_fd >= 0 ? host_fd : opened;
  if (srcfd < 0)  /* the runtime's errno tells more than ours (EACCES) */
    return cell_error_sys_code(err, host_errno ? host_errno : errno, "source `%s`", source);
  struct stat sb;
  if (fstat(srcfd, &sb) < 0)
    return cell_error_sys(err, "stat source `%s`", source);
  _cleanup_close_ int tfd = fs_mkpath_in_root(rootfd, m->destination, S_ISDIR(sb.st_mode), err);
  if (tfd < 0)
    return tfd;
  int r = check_target(tfd, m, NULL, err);
  if (r < 0)
    return r;
  _cleanup_close_ int mfd = -1;
  r = fs_bind_onto(srcfd, tree >= 0, tfd, m, rootfd, m->destination, &mfd, err);
  if (r < 0)
    return r;
  return fs_set_propagation(mfd, m->propagation, err);
}

int fs_mount_fs_fd(int rootfd, const oci_mount *m, const char *type, const char *label,
                   int *mfdp, cell_error *err)
{
  _cleanup_close_ int tfd = fs_mkpath_in_root(rootfd, m->destination, true, err);
  if (tfd < 0)
    return tfd;
  int r = check_target(tfd, m, type, err);
  if (r < 0)
    return r;
  _cleanup_close_ int olddir = -1;
  unsigned long flags = m->flags & ~(MS_BIND | MS_REC | MS_SHARED | MS_PRIVATE | MS_SLAVE |
                                     MS_UNBINDABLE);
  if (m->copy_up) {
    olddir = openat(tfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (olddir < 0)
      return cell_error_sys(err, "tmpcopyup: open the old directory");
    flags &= ~(unsigned long) MS_RDONLY;
  }
  char tp[32];
  const char *src = m->source && *m->source ? m->source : type;
  _cleanup_free_ char *labeled = linux_mount_label_data(m->data, type, label);
  if (mount(src, fs_fd_path(tp, sizeof tp, tfd), type, flags, labeled ? labeled : m->data) < 0) {
    if (errno == ENODEV)
      return cell_error_sys(err, "mount type `%s`", type);
    return cell_error_sys(err, "mount `%s` (type `%s`%s%s)", src, type,
                          m->data ? ", options " : "", m->data ? m->data : "");
  }
  if (!mfdp && !m->copy_up && !m->attr_set && !m->attr_clr && !m->propagation)
    return 0;
  _cleanup_close_ int mfd = linux_open_in_root(rootfd, m->destination, O_PATH | O_DIRECTORY, 0, err);
  if (mfd < 0)
    return mfd;
  if (m->copy_up) {
    _cleanup_close_ int to = openat(mfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat sb;
    if (to < 0 || fstat(olddir, &sb) < 0)
      return cell_error_sys(err, "tmpcopyup: open the new mount");
    if ((r = copy_tree(olddir, to, err)) < 0)
      return r;
    /* The old directory's mode and owner, unless the options set them. */
    const char *d = m->data ? m->data : "";
    if ((!strstr(d, "mode=") && fchmod(to, sb.st_mode & 07777) < 0) ||
        (!strstr(d, "uid=") && !strstr(d, "gid=") && fchown(to, sb.st_uid, sb.st_gid) < 0))
      return cell_error_sys(err, "tmpcopyup: chmod the new mount");
    if ((m->flags & MS_RDONLY) && (r = fs_make_ro(mfd, m->flags)) < 0)
      return cell_error_sys_code(err, r, "make read-only after tmpcopyup");
  }
  struct mount_attr rec = { .attr_set = m->attr_set, .attr_clr = m->attr_clr };
  if ((r = fs_setattr_fd(mfd, AT_RECURSIVE, &rec)) < 0)
    return cell_error_sys_code(err, r, "set recursive mount attributes");
  if ((r = fs_set_propagation(mfd, m->propagation, err)) < 0)
    return r;
  if (mfdp)
    *mfdp = cell_steal_fd(&mfd);
  return 0;
}

int fs_mount_fs(int rootfd, const oci_mount *m, const char *type, const char *label,
                cell_error *err)
{
  return fs_mount_fs_fd(rootfd, m, type, label, NULL, err);
}
