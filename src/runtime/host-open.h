/* The rootfs and bind sources of a container with a user namespace, opened
 * by the runtime (linux_host_fds, src/linux/hostfds.c). Once in its final
 * mount namespace the init says SYNC_MNTNS; the runtime forks a helper
 * that joins that mount namespace, opens the paths with the runtime's
 * credentials and sends them to the init over the sync socket as SYNC_FDS
 * packets: entries {index, errno} (index -1 the rootfs, -2 the root of its
 * mount, i mounts[i]'s source), one fd for each entry whose errno is 0; a
 * packet with no entries ends them. A helper that cannot join (a runtime
 * without privilege over the container's namespaces) sends the end alone,
 * and the init opens the paths itself, as it does without a user
 * namespace. */
#ifndef CELL_RUNTIME_HOST_OPEN_H
#define CELL_RUNTIME_HOST_OPEN_H
#include <stdbool.h>
#include <sys/types.h>
#include "linux/rootfs.h"
#include "oci/config.h"
#include "util/log.h"

/* Both sides: whether the init is in a user namespace (new or joined). */
bool cell_host_open_needed(const oci_config *c);
/* Runtime: after SYNC_MNTNS from init, serve it; returns once the helper
 * is done. */
int cell_host_open_serve(pid_t init, const oci_config *c, int sync_fd, const cell_log *log,
                         cell_error *err);
/* Init: say SYNC_MNTNS and take the fds into *h (allocated here). */
int cell_host_open_receive(int sync_fd, const oci_config *c, linux_host_fds *h,
                           cell_error *err);
#endif
