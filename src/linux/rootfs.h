/* The container's file system: mounts, devices, pivot_root, masked and
 * read-only paths. Runs in the container's new mount namespace, as root of
 * the container's user namespace (maps already written). */
#ifndef CELL_LINUX_ROOTFS_H
#define CELL_LINUX_ROOTFS_H
#include <stdbool.h>
#include "oci/config.h"

/* Detached trees the runtime makes on the host for the init to attach:
 * idmapped bind mounts (idmap.c): fd[i] the idmapped tree for mounts[i],
 * or -1; in a new user namespace, device nodes (devnodes.c): dev_fd[i]
 * the node for linux.devices[i], owned by its mapped uid and gid, or -1. */
typedef struct linux_idmap_trees {
  int *fd;
  size_t n;             /* 0: no idmapped mount */
  int *dev_fd;
  size_t n_dev;         /* 0: no device node made */
} linux_idmap_trees;
/* Both kinds; linux_idmap_close closes both. */
int linux_idmap_prepare(const oci_config *c, linux_idmap_trees *t, cell_error *err);
void linux_idmap_close(linux_idmap_trees *t);
int linux_devnodes_prepare(const oci_config *c, linux_idmap_trees *t, cell_error *err);

/* The rootfs and the bind sources, opened with the runtime's credentials
 * in the container's mount namespace (hostfds.c): in a user namespace the
 * container's root may not search their parents (a 0700 bundle or storage
 * dir), the runtime may. -1 with the errno in *_errno when the open
 * failed; all -1 and 0 when nothing was opened. root_mnt: the root of the
 * mount holding the rootfs (its propagation may need changing). src[i]:
 * mounts[i]'s source, for bind mounts that are not idmapped. */
typedef struct linux_host_fds {
  int root, root_errno;
  int root_mnt, root_mnt_errno;
  int *src, *src_errno;
  size_t n;
} linux_host_fds;
#define LINUX_HOST_FDS_NONE { .root = -1, .root_mnt = -1 }
/* In the container's mount namespace, with the runtime's credentials.
 * Fails only for want of memory: what cannot be opened is noted. */
int linux_host_fds_open(const oci_config *c, linux_host_fds *h, cell_error *err);
/* Room for the fds of c (all -1), for the receiving side. */
int linux_host_fds_alloc(const oci_config *c, linux_host_fds *h, cell_error *err);
void linux_host_fds_close(linux_host_fds *h);
/* Whether mounts[i] gets its source from linux_host_fds. */
bool linux_host_fds_wants(const oci_mount *m);

typedef struct linux_rootfs_opts {
  bool no_pivot;        /* --no-pivot: chroot instead of pivot_root */
  bool in_userns;       /* a new user namespace: devices are bind-mounted, not mknod'ed */
  const cell_log *log;
  const linux_idmap_trees *idmap; /* may be NULL */
  const linux_host_fds *host;     /* may be NULL: paths are opened here */
  /* Called (when set) before the first mount of a cgroup hierarchy (for
   * type cgroup on a v1 host, after the tmpfs that holds the hierarchies
   * and their directories are made): the caller's process enters its
   * cgroups and cgroup namespace. */
  int (*before_cgroup_mount)(void *arg, cell_error *err);
  void *arg;
} linux_rootfs_opts;

/* Before pivot_root: rootfsPropagation (default: make / rslave... rprivate as
 * runc does), bind the rootfs onto itself, every mount of config.mounts with
 * destinations resolved inside the rootfs (no symlink escapes), /dev set up
 * (default devices, linux.devices, /dev symlinks, /dev/pts/ptmx, /dev/shm).
 * createContainer hooks run after this and before linux_rootfs_finish.
 * The rootfs and bind sources come from o->host when it has them, else
 * are opened by path. Returns an fd of the rootfs's bind onto itself, for
 * linux_rootfs_finish. */
int linux_rootfs_prepare(const oci_config *c, const linux_rootfs_opts *o, cell_error *err);

/* pivot_root into the rootfs at rootfd (or chroot), detach the old root,
 * then maskedPaths, readonlyPaths, and root.readonly. cwd is "/" afterwards. */
int linux_rootfs_finish(const oci_config *c, const linux_rootfs_opts *o, int rootfd,
                        cell_error *err);

/* Open path (absolute, as seen inside the rootfs) below rootfd without ever
 * leaving it: openat2(RESOLVE_IN_ROOT) or a careful walk. flags as openat.
 * Symlinks are followed as if rootfd were "/"; magic links (/proc/PID/fd/N,
 * /proc/self/exe) are refused with -ELOOP by openat2, and read as plain
 * symlinks inside the root by the fallback walk. err names the path. */
int linux_open_in_root(int rootfd, const char *path, int flags, mode_t mode, cell_error *err);
#endif
