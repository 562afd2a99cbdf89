/* The container init: the child that create() clones. It sets the
 * container up step by step, reports to the runtime over the sync socket,
 * waits on the start socket (or run's start pair), and finally execs the
 * user program. */
#ifndef CELL_RUNTIME_INIT_H
#define CELL_RUNTIME_INIT_H
#include <stdbool.h>
#include "linux/namespaces.h"
#include "linux/rootfs.h"
#include "oci/config.h"
#include "runtime/container.h"
#include "runtime/filter.h"
#include "runtime/hooks.h"
#include "seccomp/seccomp.h"

typedef struct cell_init_ctx {
  const oci_config *config;
  const cell_create_opts *opts;
  linux_ns_fds nsfds;
  int sync_fd;          /* init's end of the sync socketpair */
  int start_fd;         /* listening start socket, or with start_connected the
                           init's end of run's start pair */
  bool start_connected; /* run: wait for a byte on start_fd (EOF: the runtime is
                           gone before start, give up), no accept */
  int console_fd;       /* connected --console-socket, or -1 */
  int preserve_fds;     /* fds 3..3+n-1 kept for the user program */
  bool listen_fds;      /* LISTEN_FDS passed on */
  bool userns;          /* a new user namespace (maps come from the runtime) */
  bool maps_by_owner;   /* the runtime is not root: it (or newuidmap) opens our
                           uid_map as our owner, which needs us dumpable until
                           the maps are written (SYNC_CONFIGURED) */
  const cell_seccomp_filter *filter; /* NULL: none */
  int notify_sock;      /* NOTIFY: the way to the listener's receiver, or -1 */
  int stub_fd;          /* the exec stub's memfd (exec-stub.h), or -1 */
  bool ns_joined;       /* namespaces joined and made already (double fork) */
  bool cgroups_entered; /* SYNC_CGROUPS taken (enter_cgroups in init.c) */
  const linux_idmap_trees *idmap; /* idmapped mounts made by the runtime */
  cell_hook_output hook_out; /* where createContainer/startContainer print */
} cell_init_ctx;

/* A user namespace joined by path with a new pid namespace: the pid
 * namespace must be made inside the joined user namespace (it owns what
 * the container may do with /proc), so the clone is only an intermediate.
 * It joins the namespaces, unshares the pid namespace, clones the init as
 * a child of the runtime (CLONE_PARENT), sends the init's pid (SYNC_PID)
 * and exits. Returns in the init, with ctx->ns_joined set; never in the
 * intermediate. */
bool cell_init_needs_double_fork(const oci_config *c);
void cell_init_double_fork(cell_init_ctx *ctx);

/* Never returns: execs the user program or _exit()s after reporting. */
__attribute__((noreturn)) void cell_init_main(cell_init_ctx *ctx);

/* Steps shared with exec: user, caps, no_new_privs, umask, cwd, the
 * seccomp filter, then execve. The filter goes in before the user and
 * capabilities change when no_new_privs is off (loading it then needs
 * CAP_SYS_ADMIN), else as late as possible, as runc and crun do. Returns
 * only on failure. */
typedef struct cell_exec_via {
  int stub_fd;          /* exec through the stub in this memfd, or -1: directly */
  int report_fd;        /* where the stub reports an exec failure */
} cell_exec_via;
int cell_init_exec_process(const oci_process *p, const cell_exec_filter *filter,
                           const cell_exec_via *via, int first_kept_fd, int n_kept,
                           char **extra_env, cell_error *err);
#endif
