/* Which linux.sysctl keys a container may set: only those that belong to a
 * namespace the container has of its own, as runc decides. */
#ifndef CELL_OCI_SYSCTL_CHECK_H
#define CELL_OCI_SYSCTL_CHECK_H
#include "oci/config.h"

/* 0 when key may be written in the container described by c, else -EINVAL
 * (or the errno of a failed stat of a namespace path) with err naming the key:
 *  - kernel.msgmax, msgmnb, msgmni, sem, shmall, shmmax, shmmni,
 *    shm_rmid_forced and fs.mqueue.*: an ipc namespace that is not the host's;
 *  - net.*: a network namespace that is not the host's;
 *  - kernel.hostname, kernel.domainname: a uts namespace;
 *  - anything else: "sysctl `vm.x` is not namespaced".
 * "Host" means the namespace of the calling process: a namespace joined by a
 * path that is the caller's own counts as the host's. Keys may be written
 * with dots or with slashes ("net/ipv4/conf/eth0.100/forwarding"). */
int oci_sysctl_check(const char *key, const oci_config *c, cell_error *err);
#endif
