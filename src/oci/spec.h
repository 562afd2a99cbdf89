/* The default config.json of `cell spec`, as runc's `runc spec` writes it
 * (hostname "cell"). */
#ifndef CELL_OCI_SPEC_H
#define CELL_OCI_SPEC_H

#include <stdbool.h>
#include <sys/types.h>
#include <jansson.h>

/* A new JSON object (caller owns the reference), or NULL when out of memory.
 * rootless: runc's rootless variant: a user namespace mapping container
 * 0:0 to uid:gid (size 1), no network namespace, /sys as a read-only rbind
 * of the host's, no uid=/gid= mount options, no linux.resources. uid and gid
 * are ignored otherwise. */
json_t *oci_spec_default(bool rootless, uid_t uid, gid_t gid);

#endif
