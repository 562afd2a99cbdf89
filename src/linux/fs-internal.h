/* Private helpers of the container file-system code (rootfs.c, mounts.c,
 * mount-ops.c, mount-cgroup.c, devices.c, paths.c, resolve.c). Not for use outside src/linux/. */
#ifndef CELL_LINUX_FS_INTERNAL_H
#define CELL_LINUX_FS_INTERNAL_H
#include <stdbool.h>
#include <sys/types.h>
#include "linux/rootfs.h"
#include "util/mountinfo.h"

/* ---- resolve.c: paths inside the rootfs -------------------------------- */

/* The careful walk used when openat2(RESOLVE_IN_ROOT) is not available:
 * resolves path below rootfd, following symlinks as if rootfd were "/",
 * ".." never climbing above it. Returns an O_PATH fd or -errno (no err set:
 * callers add the path). follow_last: follow a final symlink. */
int fs_walk_in_root(int rootfd, const char *path, bool follow_last);

/* Like linux_open_in_root, but a missing path is -ENOENT with err left
 * untouched: for paths that may be absent (masked and read-only paths),
 * whose message would only be formatted, with strerror, to be dropped. */
int fs_open_in_root_opt(int rootfd, const char *path, int flags, cell_error *err);

/* Like linux_open_in_root, forcing the fallback walk (for tests). */
int fs_open_in_root_walk(int rootfd, const char *path, int flags, mode_t mode);

/* Make sure path exists below rootfd (creating missing directories with
 * mode 0755 and, when !dir, the final component as an empty file), and
 * return an O_PATH fd of it. Symlinks are followed inside the root. */
int fs_mkpath_in_root(int rootfd, const char *path, bool dir, cell_error *err);

/* "/proc/self/fd/N" in buf (at least 32 bytes). */
const char *fs_fd_path(char *buf, size_t len, int fd);

/* ---- mounts.c: one config.json mount ------------------------------------ */

/* Mount c->mounts[i] below rootfd. */
int fs_mount_one(int rootfd, const oci_config *c, size_t i, const linux_rootfs_opts *o,
                 cell_error *err);

/* ---- mount-ops.c: binds and new file systems ---------------------------- */

struct mount_attr;
/* mount_setattr of a on the mount at fd (flags: AT_RECURSIVE); 0 when a
 * sets nothing; -errno. */
int fs_setattr_fd(int fd, unsigned flags, const struct mount_attr *a);
/* Make the mount at fd read-only: mount_setattr, or a bind remount that
 * keeps keep (MS_NOSUID...) on kernels without it. -errno. */
int fs_make_ro(int fd, unsigned long keep);
/* Bind srcfd onto tfd (with premade, srcfd is a detached tree to attach as
 * it is: an idmapped one); *mfd gets an fd of the new mount. Plain flags
 * go to the top mount, m's recursive attributes to the whole tree.
 * rootfd/dest re-find the mount on kernels without open_tree. */
int fs_bind_onto(int srcfd, bool premade, int tfd, const oci_mount *m, int rootfd,
                 const char *dest, int *mfd, cell_error *err);
/* MS_SHARED, MS_SLAVE... (0: nothing) on the mount at mfd. */
int fs_set_propagation(int mfd, unsigned long prop, cell_error *err);
/* Bind source (or tree >= 0: the idmapped tree made on the host; host_fd
 * >= 0: the source as the runtime opened it, else host_errno is why it
 * could not, 0 when it did not try) onto m->destination. */
int fs_mount_bind(int rootfd, const oci_mount *m, const char *source, int tree,
                  int host_fd, int host_errno, cell_error *err);
/* A new file-system instance of type at m->destination. With mfdp, *mfdp
 * gets an O_PATH fd of the new mount. */
int fs_mount_fs_fd(int rootfd, const oci_mount *m, const char *type, const char *label,
                   int *mfdp, cell_error *err);
int fs_mount_fs(int rootfd, const oci_mount *m, const char *type, const char *label,
                cell_error *err);

/* ---- mount-cgroup.c: the cgroup mount ----------------------------------- */

/* m of type "cgroup" (the host's hierarchies, as they are) or "cgroup2";
 * enters the cgroups first (linux_rootfs_opts.before_cgroup_mount). */
int fs_mount_cgroup(int rootfd, const oci_mount *m, const oci_config *c,
                    const linux_rootfs_opts *o, cell_error *err);

/* ---- mountinfo.c: /proc/self/mountinfo ---------------------------------- */

/* 0: on to the next line; anything else stops the walk and is returned. */
typedef int (*fs_mi_fn)(const cell_mi_entry *e, void *data);
/* fn for each line of /proc/self/mountinfo, the whole file read first (fn
 * may mount). */
int fs_mountinfo_each(fs_mi_fn fn, void *data, cell_error *err);
/* The mount point of the mount holding path (longest mountinfo prefix), and
 * whether it is shared. *mnt is malloc'ed. */
int fs_find_mount(const char *path, char **mnt, bool *shared, cell_error *err);

/* Whether the mount whose root fd is is shared; -ENOSYS (err untouched)
 * when statx cannot tell its mount id (before Linux 5.8). */
int fs_mount_shared(int fd, bool *shared, cell_error *err);

/* --no-pivot: detach every mount that is neither the rootfs (real: its
 * canonical path), below it, nor one of its ancestors, so that a chroot
 * escape finds nothing (as runc). */
int fs_detach_outside(const char *real, const linux_rootfs_opts *o, cell_error *err);

/* ---- devices.c: /dev --------------------------------------------------- */

/* Default devices, linux.devices, /dev symlinks, /dev/ptmx, /dev/shm. */
int fs_setup_dev(int rootfd, const oci_config *c, const linux_rootfs_opts *o,
                 cell_error *err);

/* ---- paths.c: after pivot_root ----------------------------------------- */

int fs_readonly_paths(int rootfd, char *const *paths, const linux_rootfs_opts *o,
                      cell_error *err);
int fs_masked_paths(int rootfd, char *const *paths, const linux_rootfs_opts *o,
                    cell_error *err);
/* Bind the tree at fd (path below rootfd) onto itself and make it
 * read-only, keeping its other flags (the whole tree when recursive). */
int fs_remount_ro_at(int rootfd, const char *path, int fd, bool recursive, cell_error *err);
#endif
