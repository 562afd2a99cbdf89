/* The init's own exe guard (see exe-guard.h): right after the clone, an
 * init alone in new mount and pid namespaces re-executes cell from a
 * read-only bind of the binary made in its mount namespace, with the same
 * command line and its fds named in _CELL_INIT. The new process parses the
 * command line again, reads the config copy of the state dir, compiles the
 * same filter and goes on as the init. The runtime meanwhile makes the
 * cgroups, so the exec costs the container's start little. */
#ifndef CELL_RUNTIME_INIT_REEXEC_H
#define CELL_RUNTIME_INIT_REEXEC_H
#include <stdbool.h>
#include "oci/config.h"
#include "runtime/container.h"
#include "runtime/init.h"

/* Whether the init of this config may take the guard on itself: new mount
 * and pid namespaces, no user namespace. */
bool cell_init_reexec_possible(const oci_config *c);
/* In the cloned init: never returns (execs, or reports over the sync
 * socket and exits). */
__attribute__((noreturn)) void cell_init_reexec(const cell_init_ctx *ctx, char **argv);
/* Are we the re-executed init? */
bool cell_init_is_reexec(void);
/* The re-executed init, with the options of its command line: rebuild the
 * context and run cell_init_main. Never returns. */
__attribute__((noreturn)) void cell_init_resume(const cell_create_opts *o);
#endif
