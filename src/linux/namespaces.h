/* Namespaces: which to create, which to join by path, id maps, time offsets. */
#ifndef CELL_LINUX_NAMESPACES_H
#define CELL_LINUX_NAMESPACES_H
#include <sys/types.h>
#include "oci/config.h"

typedef struct linux_ns_fds {
  int fd[OCI_NS_KINDS];  /* open fds of linux.namespaces[].path, or -1 */
} linux_ns_fds;

/* Open every namespace path of the config (before cloning: once in the
 * container's mount namespace the paths may not resolve). */
int linux_ns_open_paths(const oci_config *c, linux_ns_fds *fds, cell_error *err);
void linux_ns_close(linux_ns_fds *fds);

/* CLONE_NEW* flags to create with clone(): user, pid, net, ipc, uts, mnt.
 * cgroup and time namespaces are made later by the init itself. */
unsigned long linux_ns_clone_flags(const oci_config *c);
bool linux_ns_is_new(const oci_config *c, oci_ns_kind k);

/* In the runtime, around clone: a pid namespace given by path becomes the
 * runtime's pid_for_children for the clone only. *saved receives the fd to
 * restore with linux_ns_restore_pid. */
int linux_ns_enter_pid_for_children(const linux_ns_fds *fds, int *saved, cell_error *err);
int linux_ns_restore_pid(int saved, cell_error *err);

/* In the runtime: write uid_map and gid_map of the init, itself or
 * through newuidmap/newgidmap (userns.c, userns.h). */
int linux_ns_write_idmaps(pid_t pid, const oci_config *c, cell_error *err);
/* Write /proc/PID/FILE ("uid_map" or "gid_map") from m; field names the
 * mappings in errors. */
int linux_ns_write_map(pid_t pid, const char *file, const oci_idmap *m, size_t n,
                       const char *field, cell_error *err);

/* In the init: join the namespaces given by path (all but pid), non-user
 * ones first and again after the user namespace for those owned by it. */
int linux_ns_join(const oci_config *c, const linux_ns_fds *fds, cell_error *err);
/* In the init: a new time namespace with linux.timeOffsets, entered. */
int linux_ns_setup_time(const oci_config *c, cell_error *err);
/* In the init, after it was placed in its cgroup: a new cgroup namespace. */
int linux_ns_setup_cgroup(const oci_config *c, cell_error *err);

/* In the runtime, once the container's network namespace exists (netns_fd):
 * linux.netDevices moved into it, renamed, their permanent global
 * addresses kept, set up (netdev.c). */
int linux_netdev_move(const oci_config *c, int netns_fd, cell_error *err);
#endif
