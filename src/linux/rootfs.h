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

typedef struct linux_rootfs_opts {
  bool no_pivot;        /* --no-pivot: chroot instead of pivot_root */
  bool in_userns;       /* a new user namespace: devices are bind-mounted, not mknod'ed */
  const cell_log *log;
  const linux_idmap_trees *idmap; /* may be NULL */
} linux_rootfs_opts;

/* Before pivot_root: rootfsPropagation (default: make / rslave... rprivate as
 * runc does), bind the rootfs onto itself, every mount of config.mounts with
 * destinations resolved inside the rootfs (no symlink escapes), /dev set up
 * (default devices, linux.devices, /dev symlinks, /dev/pts/ptmx, /dev/shm).
 * createContainer hooks run after this and before linux_rootfs_finish. */
int linux_rootfs_prepare(const oci_config *c, const linux_rootfs_opts *o, cell_error *err);

/* pivot_root into the rootfs (or chroot), detach the old root, then
 * maskedPaths, readonlyPaths, and root.readonly. cwd is "/" afterwards. */
int linux_rootfs_finish(const oci_config *c, const linux_rootfs_opts *o, cell_error *err);

/* Open path (absolute, as seen inside the rootfs) below rootfd without ever
 * leaving it: openat2(RESOLVE_IN_ROOT) or a careful walk. flags as openat.
 * Symlinks are followed as if rootfd were "/"; magic links (/proc/PID/fd/N,
 * /proc/self/exe) are refused with -ELOOP by openat2, and read as plain
 * symlinks inside the root by the fallback walk. err names the path. */
int linux_open_in_root(int rootfd, const char *path, int flags, mode_t mode, cell_error *err);
#endif
