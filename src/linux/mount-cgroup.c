/* The cgroup mount of config.json: cgroup2 where the host has it at
 * /sys/fs/cgroup, else (v1 or hybrid) a tmpfs with one directory and mount
 * per host hierarchy. The init enters its cgroups (and cgroup namespace)
 * right before the first mount that shows them. */
#include "linux/fs-internal.h"
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
static int cg_collect(const cell_mi_entry *e, void *data)
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
  unsigned long fl = m->flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC);
  const char *fstype = h->v2 ? "cgroup2" : "cgroup";
  if (new_ns) {
    /* A directory cg_collect made in the tmpfs it had just mounted, which
     * nothing else can reach (a new mount namespace, no process of the
     * container yet), needs no O_PATH fd: its name below the tmpfs's
     * (put together without snprintf: this runs for every hierarchy). */
    char tp[32 + NAME_MAX + 1];
    if (h->sub < 0) {
      size_t n = strlen(fs_fd_path(tp, sizeof tp, mfd)), nl = strlen(h->name);
      if (n + 1 + nl >= sizeof tp)
        return cell_error_set(err, ENAMETOOLONG, "cgroup hierarchy `%s`: name too long", h->name);
      tp[n] = '/';
      memcpy(tp + n + 1, h->name, nl + 1);
    } else {
      fs_fd_path(tp, sizeof tp, h->sub);
    }
    if (mount("cgroup", tp, fstype, fl, h->v2 ? NULL : h->ctrls) < 0)
      return cell_error_sys(err, "mount %s `%s`", fstype, h->ctrls);
    return 0;
  }
  _cleanup_free_ char *dest = NULL;
  if (asprintf(&dest, "%s/%s", m->destination, h->name) < 0)
    return cell_error_set(err, ENOMEM, "out of memory");
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
  int r = fs_bind_onto(srcfd, false, h->sub >= 0 ? h->sub : opened, &b, rootfd, dest, &bfd, err);
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
    int r = sub < 0 ? -errno : fs_make_ro(sub, flags);
    if (r < 0)
      return r;
  }
  return (flags & MS_RDONLY) ? fs_make_ro(mfd, flags) : 0;
}

/* type "cgroup": what the host has at /sys/fs/cgroup. */
static int mount_cgroup_host(int rootfd, const oci_mount *m, const oci_config *c,
                             const linux_rootfs_opts *o, cell_error *err)
{
  struct statfs sf;
  if (statfs("/sys/fs/cgroup", &sf) < 0)
    return cell_error_sys(err, "statfs `/sys/fs/cgroup`");
  bool new_ns = c->linux.ns[OCI_NS_CGROUP].present && !c->linux.ns[OCI_NS_CGROUP].path;
  if (sf.f_type == CGROUP2_SUPER_MAGIC) {
    oci_mount v2 = *m;
    int r = enter_cgroups(o, err);
    if (r < 0 || (r = fs_mount_fs(rootfd, &v2, "cgroup2", NULL, err)) >= 0)
      return r;
    if ((r != -EPERM && r != -EBUSY) || !o->in_userns)
      return r;
    cell_error_clear(err);
    v2.flags |= MS_BIND | MS_REC;
    return fs_mount_bind(rootfd, &v2, "/sys/fs/cgroup", -1, -1, 0, err);
  }
  /* v1 or hybrid: a tmpfs holding one directory per hierarchy. */
  oci_mount t = *m;
  t.flags &= ~(unsigned long) MS_RDONLY;
  t.data = (char *) "mode=755";
  t.attr_set = t.attr_clr = 0;
  t.propagation = 0;
  t.copy_up = false;
  _cleanup_close_ int mfd = -1;
  int r = fs_mount_fs_fd(rootfd, &t, "tmpfs", c->linux.mount_label, &mfd, err);
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
  r = fs_setattr_fd(mfd, AT_RECURSIVE, &a);
  if (r == -ENOSYS && !m->attr_set && !m->attr_clr)
    r = cg_ro_fallback(mfd, m->flags);
  if (r < 0)
    return cell_error_sys_code(err, r, "set mount attributes");
  return fs_set_propagation(mfd, m->propagation, err);
}

int fs_mount_cgroup(int rootfd, const oci_mount *m, const oci_config *c,
                    const linux_rootfs_opts *o, cell_error *err)
{
  if (strcmp(m->type, "cgroup") == 0)
    return mount_cgroup_host(rootfd, m, c, o, err);
  int r = enter_cgroups(o, err);
  return r < 0 ? r : fs_mount_fs(rootfd, m, m->type, c->linux.mount_label, err);
}
