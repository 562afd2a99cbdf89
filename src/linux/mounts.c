/* One mount of config.json onto the rootfs. The destination is resolved
 * inside the rootfs and held as an O_PATH fd; the mount goes onto that fd
 * (move_mount, or mount(2) on /proc/self/fd/N), so no symlink swapped in
 * later can redirect it. Bind mounts are cloned with open_tree() and get
 * their flags with mount_setattr() before they are attached: no remount
 * window, and flags the kernel locks (nosuid of a source in a user
 * namespace) are kept because only the asked-for bits change. */
#include "linux/fs-internal.h"
#include "linux/process.h"
#include "util/array.h"
#include "util/cleanup.h"
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
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

static int setattr_fd(int fd, unsigned flags, const struct mount_attr *a)
{
  if (!a->attr_set && !a->attr_clr)
    return 0;
  struct mount_attr copy = *a;
  return mount_setattr(fd, "", AT_EMPTY_PATH | flags, &copy, sizeof copy) < 0 ? -errno : 0;
}

/* Make the mount at fd read-only: mount_setattr, or a bind remount that
 * keeps keep (MS_NOSUID...) on kernels without it. */
static int make_ro(int fd, unsigned long keep)
{
  struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };
  int r = setattr_fd(fd, 0, &a);
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

/* Bind srcfd onto tfd (with premade, srcfd is a detached tree to attach
 * as it is: an idmapped one, idmap.c); *mfd gets an fd of the new mount.
 * Plain flags go to the top mount, m's recursive attributes to the whole
 * tree. rootfd/dest re-find the mount on kernels without open_tree. */
static int bind_onto(int srcfd, bool premade, int tfd, const oci_mount *m, int rootfd,
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
    if ((r = setattr_fd(tree, 0, &top)) < 0)
      return cell_error_sys_code(err, r, "set mount flags");
    if ((r = setattr_fd(tree, AT_RECURSIVE, &rec)) < 0)
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

static int set_propagation(int mfd, unsigned long prop, cell_error *err)
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

/* tree >= 0: the idmapped tree made on the host for this mount. host_fd
 * >= 0: the source as the runtime opened it (linux_host_fds), else
 * host_errno is why the runtime could not (0: it did not try). */
static int mount_bind(int rootfd, const oci_mount *m, const char *source, int tree,
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
  r = bind_onto(srcfd, tree >= 0, tfd, m, rootfd, m->destination, &mfd, err);
  if (r < 0)
    return r;
  return set_propagation(mfd, m->propagation, err);
}

/* A new file-system instance (tmpfs, proc, sysfs, devpts, mqueue, ...).
 * With mfdp, *mfdp gets an O_PATH fd of the new mount; without, the mount
 * is opened again only when there is something to set on it. */
static int mount_fs_fd(int rootfd, const oci_mount *m, const char *type, const char *label,
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
    if ((m->flags & MS_RDONLY) && (r = make_ro(mfd, m->flags)) < 0)
      return cell_error_sys_code(err, r, "make read-only after tmpcopyup");
  }
  struct mount_attr rec = { .attr_set = m->attr_set, .attr_clr = m->attr_clr };
  if ((r = setattr_fd(mfd, AT_RECURSIVE, &rec)) < 0)
    return cell_error_sys_code(err, r, "set recursive mount attributes");
  if ((r = set_propagation(mfd, m->propagation, err)) < 0)
    return r;
  if (mfdp)
    *mfdp = cell_steal_fd(&mfd);
  return 0;
}

static int mount_fs(int rootfd, const oci_mount *m, const char *type, const char *label,
                    cell_error *err)
{
  return mount_fs_fd(rootfd, m, type, label, NULL, err);
}

/* sysfs cannot be mounted in a user namespace that does not own the network
 * namespace: bind the host's /sys instead, as runc does. */
static int mount_sysfs(int rootfd, const oci_mount *m, const linux_rootfs_opts *o,
                       cell_error *err)
{
  int r = mount_fs(rootfd, m, "sysfs", NULL, err);
  if (r != -EPERM || !o->in_userns)
    return r;
  cell_error_clear(err);
  oci_mount b = *m;
  b.flags |= MS_BIND | MS_REC;
  b.bind = true;
  return mount_bind(rootfd, &b, "/sys", -1, -1, 0, err);
}

/* ---- cgroup -------------------------------------------------------------- */

/* The caller's process into its cgroups and cgroup namespace, once, before
 * the first mount that shows them (linux_rootfs_opts.before_cgroup_mount). */
static int enter_cgroups(const linux_rootfs_opts *o, cell_error *err)
{
  return o->before_cgroup_mount ? o->before_cgroup_mount(o->arg, err) : 0;
}

/* One hierarchy of the host, as the tmpfs at the destination will hold it. */
typedef struct cg_hier {
  bool v2;
  char *name;                 /* its directory below /sys/fs/cgroup */
  char *root, *point;         /* of the host's mount (mountinfo) */
  char ctrls[256];            /* the controllers, "" for cgroup2 */
  int sub;                    /* O_PATH of its directory in the tmpfs; -1: made
                                 here, reached by name (cg_mount) */
} cg_hier;

typedef struct cg_list {
  int mfd;                    /* the tmpfs */
  cg_hier *v;
  size_t n, cap;
  cell_error *err;
} cg_list;

static void cg_list_free(cg_list *l)
{
  for (size_t i = 0; i < l->n; i++) {
    free(l->v[i].name);
    free(l->v[i].root);
    free(l->v[i].point);
    if (l->v[i].sub >= 0)
      close(l->v[i].sub);
  }
  free(l->v);
}

/* The cgroup path of this process in the hierarchy with these controllers
 * ("" for cgroup2). */
static char *cg_path_of(const char *self, const char *ctrls)
{
  size_t cl = strlen(ctrls);
  for (const char *l = self; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
    const char *c1 = strchr(l, ':');
    const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c2)
      break;
    if ((size_t) (c2 - c1 - 1) == cl && strncmp(c1 + 1, ctrls, cl) == 0)
      return strndup(c2 + 1, strcspn(c2 + 1, "\n"));
  }
  return NULL;
}

/* A hierarchy mounted at /sys/fs/cgroup/NAME on the host: its directory
 * (and cpu -> cpu,cpuacct links) in the tmpfs, for cg_mount later. */
static int cg_collect(const mi_entry *e, void *data)
{
  cg_list *l = data;
  cell_error *err = l->err;
  const char *pre = "/sys/fs/cgroup/";
  bool v2 = strcmp(e->fstype, "cgroup2") == 0;
  if ((!v2 && strcmp(e->fstype, "cgroup") != 0) || strncmp(e->point, pre, strlen(pre)) != 0)
    return 0;
  const char *name = e->point + strlen(pre);
  if (!*name || strchr(name, '/'))
    return 0;
  if (cell_grow((void **) &l->v, &l->cap, l->n + 1, sizeof *l->v) < 0)
    return cell_error_set(err, ENOMEM, "out of memory");
  cg_hier *h = &l->v[l->n];
  *h = (cg_hier) { .v2 = v2, .sub = -1, .name = strdup(name), .root = strdup(e->root),
                   .point = strdup(e->point) };
  l->n++;
  if (!h->name || !h->root || !h->point)
    return cell_error_set(err, ENOMEM, "out of memory");
  /* Controllers: the super options without rw/ro and friends. */
  if (!v2) {
    _cleanup_free_ char *sup = strdup(e->super);
    char *save = NULL;
    for (char *t = sup ? strtok_r(sup, ",", &save) : NULL; t; t = strtok_r(NULL, ",", &save)) {
      if (strcmp(t, "rw") == 0 || strcmp(t, "ro") == 0 || strcmp(t, "noprefix") == 0 ||
          strncmp(t, "release_agent=", 14) == 0 || strcmp(t, "clone_children") == 0 ||
          strcmp(t, "xattr") == 0 || strcmp(t, "nsdelegate") == 0 ||
          strcmp(t, "memory_recursiveprot") == 0)
        continue;
      if (*h->ctrls)
        strncat(h->ctrls, ",", sizeof h->ctrls - strlen(h->ctrls) - 1);
      strncat(h->ctrls, t, sizeof h->ctrls - strlen(h->ctrls) - 1);
    }
  }
  bool made = mkdirat(l->mfd, name, 0755) == 0;
  if (!made && errno != EEXIST)
    return cell_error_sys(err, "mkdir `%s`", name);
  if (!made && (h->sub = openat(l->mfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
    return cell_error_sys(err, "open `%s`", name);
  /* cpu,cpuacct is also reachable as cpu and cpuacct. */
  if (strchr(name, ',')) {
    _cleanup_free_ char *parts = strdup(name);
    char *save = NULL;
    for (char *t = parts ? strtok_r(parts, ",", &save) : NULL; t; t = strtok_r(NULL, ",", &save))
      if (symlinkat(name, l->mfd, t) < 0 && errno != EEXIST)
        return cell_error_sys(err, "symlink `%s`", t);
  }
  return 0;
}

/* The hierarchy itself onto its directory: a new mount in a cgroup
 * namespace of our own (its root is where we are), else a bind of our own
 * cgroup of the host's mount (self: /proc/self/cgroup). */
static int cg_mount(int rootfd, int mfd, const oci_mount *m, const cg_hier *h, bool new_ns,
                    const char *self, cell_error *err)
{
  _cleanup_free_ char *dest = NULL;
  if (asprintf(&dest, "%s/%s", m->destination, h->name) < 0)
    return cell_error_set(err, ENOMEM, "out of memory");
  unsigned long fl = m->flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC);
  const char *fstype = h->v2 ? "cgroup2" : "cgroup";
  if (new_ns) {
    /* A directory cg_collect made in the tmpfs it had just mounted, which
     * nothing else can reach (a new mount namespace, no process of the
     * container yet), needs no O_PATH fd: its name below the tmpfs's. */
    char tp[32 + NAME_MAX + 1];
    if (h->sub < 0)
      snprintf(tp, sizeof tp, "/proc/self/fd/%d/%s", mfd, h->name);
    else
      fs_fd_path(tp, sizeof tp, h->sub);
    if (mount("cgroup", tp, fstype, fl, h->v2 ? NULL : h->ctrls) < 0)
      return cell_error_sys(err, "mount %s `%s`", fstype, h->ctrls);
    return 0;
  }
  _cleanup_close_ int opened = -1;
  if (h->sub < 0 &&
      (opened = openat(mfd, h->name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
    return cell_error_sys(err, "open `%s`", h->name);
  /* Our own cgroup of the host hierarchy, mountinfo root taken off. */
  _cleanup_free_ char *cg = cg_path_of(self, h->ctrls);
  const char *rel = cg ? cg : "/";
  size_t rl = strlen(h->root);
  if (strcmp(h->root, "/") != 0 && strncmp(rel, h->root, rl) == 0)
    rel += rl;
  _cleanup_free_ char *src = NULL;
  if (asprintf(&src, "%s%s", h->point, rel) < 0)
    return cell_error_set(err, ENOMEM, "out of memory");
  _cleanup_close_ int srcfd = open(src, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (srcfd < 0)
    return cell_error_sys(err, "open `%s`", src);
  oci_mount b = { .flags = MS_BIND | fl };
  _cleanup_close_ int bfd = -1;
  int r = bind_onto(srcfd, false, h->sub >= 0 ? h->sub : opened, &b, rootfd, dest, &bfd, err);
  if (r < 0)
    return cell_error_wrap(err, "bind `%s`", src);
  return 0;
}

/* Without mount_setattr: each hierarchy, then the tmpfs, read-only. */
static int cg_ro_fallback(int mfd, unsigned long flags)
{
  int dfd = openat(mfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return -errno;
  _cleanup_closedir_ DIR *d = fdopendir(dfd);
  if (!d) {
    close(dfd);
    return -errno;
  }
  struct dirent *de;
  while ((de = readdir(d))) {
    if (de->d_type != DT_DIR || de->d_name[0] == '.')
      continue;
    _cleanup_close_ int sub = openat(dfd, de->d_name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int r = sub < 0 ? -errno : make_ro(sub, flags);
    if (r < 0)
      return r;
  }
  return (flags & MS_RDONLY) ? make_ro(mfd, flags) : 0;
}

static int mount_cgroup(int rootfd, const oci_mount *m, const oci_config *c,
                        const linux_rootfs_opts *o, cell_error *err)
{
  struct statfs sf;
  if (statfs("/sys/fs/cgroup", &sf) < 0)
    return cell_error_sys(err, "statfs `/sys/fs/cgroup`");
  bool new_ns = c->linux.ns[OCI_NS_CGROUP].present && !c->linux.ns[OCI_NS_CGROUP].path;
  if (sf.f_type == CGROUP2_SUPER_MAGIC) {
    oci_mount v2 = *m;
    int r = enter_cgroups(o, err);
    if (r < 0 || (r = mount_fs(rootfd, &v2, "cgroup2", NULL, err)) >= 0)
      return r;
    if ((r != -EPERM && r != -EBUSY) || !o->in_userns)
      return r;
    cell_error_clear(err);
    v2.flags |= MS_BIND | MS_REC;
    return mount_bind(rootfd, &v2, "/sys/fs/cgroup", -1, -1, 0, err);
  }
  /* v1 or hybrid: a tmpfs holding one directory per hierarchy. */
  oci_mount t = *m;
  t.flags &= ~(unsigned long) MS_RDONLY;
  t.data = (char *) "mode=755";
  t.attr_set = t.attr_clr = 0;
  t.propagation = 0;
  t.copy_up = false;
  _cleanup_close_ int mfd = -1;
  int r = mount_fs_fd(rootfd, &t, "tmpfs", c->linux.mount_label, &mfd, err);
  if (r < 0)
    return r;
  /* Everything but the hierarchies' own mounts is done before we wait
   * for our cgroups: those must see where we are. */
  __attribute__((cleanup(cg_list_free))) cg_list l = { .mfd = mfd, .err = err };
  if ((r = fs_mountinfo_each(cg_collect, &l, err)) < 0 || (r = enter_cgroups(o, err)) < 0)
    return r;
  _cleanup_free_ char *self = NULL;
  size_t len;
  if (!new_ns && (r = cell_read_file("/proc/self/cgroup", &self, &len, err)) < 0)
    return r;
  for (size_t i = 0; i < l.n; i++)
    if ((r = cg_mount(rootfd, mfd, m, &l.v[i], new_ns, self, err)) < 0)
      return r;
  struct mount_attr a = { .attr_set = m->attr_set, .attr_clr = m->attr_clr };
  if (m->flags & MS_RDONLY)
    a.attr_set |= MOUNT_ATTR_RDONLY;
  r = setattr_fd(mfd, AT_RECURSIVE, &a);
  if (r == -ENOSYS && !m->attr_set && !m->attr_clr)
    r = cg_ro_fallback(mfd, m->flags);
  if (r < 0)
    return cell_error_sys_code(err, r, "set mount attributes");
  return set_propagation(mfd, m->propagation, err);
}

/* ---- entry --------------------------------------------------------------- */

static int mount_dispatch(int rootfd, const oci_config *c, size_t i,
                          const linux_rootfs_opts *o, cell_error *err)
{
  const oci_mount *m = &c->mounts[i];
  if (m->idmap || m->n_uid_mappings || m->n_gid_mappings) {
    int tree = o->idmap && i < o->idmap->n ? o->idmap->fd[i] : -1;
    if (tree < 0)
      return cell_error_set(err, EINVAL, "idmapped mount not prepared by the runtime");
    return mount_bind(rootfd, m, m->source, tree, -1, 0, err);
  }
  if (m->bind) {
    const linux_host_fds *h = o->host;
    bool from_host = h && i < h->n;
    return mount_bind(rootfd, m, m->source, -1, from_host ? h->src[i] : -1,
                      from_host ? h->src_errno[i] : 0, err);
  }
  const char *type = m->type;
  if (!type || !*type || strcmp(type, "none") == 0)
    return cell_error_set(err, EINVAL, "no type and no bind option");
  int r;
  if (strcmp(type, "cgroup2") == 0 && (r = enter_cgroups(o, err)) < 0)
    return r;
  if (strcmp(type, "cgroup") == 0)
    return mount_cgroup(rootfd, m, c, o, err);
  if (strcmp(type, "sysfs") == 0)
    return mount_sysfs(rootfd, m, o, err);
  return mount_fs(rootfd, m, type, c->linux.mount_label, err);
}

int fs_mount_one(int rootfd, const oci_config *c, size_t i, const linux_rootfs_opts *o,
                 cell_error *err)
{
  const oci_mount *m = &c->mounts[i];
  int r = mount_dispatch(rootfd, c, i, o, err);
  if (r < 0)
    return cell_error_wrap(err, "mounts[%zu] `%s`", i, m->destination);
  return 0;
}

/* ---- --no-pivot ------------------------------------------------------------ */

typedef struct detach_ctx {
  const char *root;
  char **points;
  size_t n;
} detach_ctx;

static bool path_below(const char *p, const char *dir)
{
  size_t n = strlen(dir);
  if (strcmp(dir, "/") == 0)
    return true;
  return strncmp(p, dir, n) == 0 && (p[n] == '/' || !p[n]);
}

static int detach_cb(const mi_entry *e, void *data)
{
  detach_ctx *d = data;
  if (path_below(d->root, e->point) || path_below(e->point, d->root))
    return 0;
  char **n = realloc(d->points, (d->n + 1) * sizeof *n);
  if (!n)
    return -ENOMEM;
  d->points = n;
  if (!(d->points[d->n] = strdup(e->point)))
    return -ENOMEM;
  d->n++;
  return 0;
}

int fs_detach_outside(const char *real, const linux_rootfs_opts *o, cell_error *err)
{
  detach_ctx d = { .root = real };
  int r = fs_mountinfo_each(detach_cb, &d, err);
  if (r == -ENOMEM)
    r = cell_error_set(err, ENOMEM, "out of memory");
  /* Children come after their parents in mountinfo: undo in reverse. */
  for (size_t i = d.n; i-- > 0;) {
    if (r == 0 && umount2(d.points[i], MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
      cell_log_debug(o->log, "--no-pivot: cannot detach `%s`: %m", d.points[i]);
    free(d.points[i]);
  }
  free(d.points);
  return r;
}
