/* One mount of config.json onto the rootfs: which kind it is (mount-ops.c
 * makes binds and new file systems, mount-cgroup.c the cgroup mount), and
 * the detach of everything outside the rootfs for --no-pivot. */
#include "linux/fs-internal.h"
#include "linux/process.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

/* sysfs cannot be mounted in a user namespace that does not own the network
 * namespace: bind the host's /sys instead, as runc does. */
static int mount_sysfs(int rootfd, const oci_mount *m, const linux_rootfs_opts *o,
                       cell_error *err)
{
  int r = fs_mount_fs(rootfd, m, "sysfs", NULL, err);
  if (r != -EPERM || !o->in_userns)
    return r;
  cell_error_clear(err);
  oci_mount b = *m;
  b.flags |= MS_BIND | MS_REC;
  b.bind = true;
  return fs_mount_bind(rootfd, &b, "/sys", -1, -1, 0, err);
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
    return fs_mount_bind(rootfd, m, m->source, tree, -1, 0, err);
  }
  if (m->bind) {
    const linux_host_fds *h = o->host;
    bool from_host = h && i < h->n;
    return fs_mount_bind(rootfd, m, m->source, -1, from_host ? h->src[i] : -1,
                         from_host ? h->src_errno[i] : 0, err);
  }
  const char *type = m->type;
  if (!type || !*type || strcmp(type, "none") == 0)
    return cell_error_set(err, EINVAL, "no type and no bind option");
  if (strcmp(type, "cgroup") == 0 || strcmp(type, "cgroup2") == 0)
    return fs_mount_cgroup(rootfd, m, c, o, err);
  if (strcmp(type, "sysfs") == 0)
    return mount_sysfs(rootfd, m, o, err);
  return fs_mount_fs(rootfd, m, type, c->linux.mount_label, err);
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

static int detach_cb(const cell_mi_entry *e, void *data)
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
