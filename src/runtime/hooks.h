/* OCI hooks (config.md "POSIX-platform Hooks"): run the hooks of one kind in
 * order, each with the container state JSON on its stdin.
 *
 * Where each kind runs is the caller's business (runtime/create.c etc.):
 *   prestart, createRuntime  runtime namespace, after the namespaces exist
 *   createContainer          container mount namespace, before pivot_root
 *   startContainer           inside the container, before the user program
 *   poststart                runtime namespace, after start
 *   poststop                 runtime namespace, on delete
 */
#ifndef CELL_RUNTIME_HOOKS_H
#define CELL_RUNTIME_HOOKS_H

#include "oci/config.h"
#include "util/error.h"
#include "util/log.h"

/* Run every hook of list in order. Each hook is fork+exec'ed with
 * argv = hook->args (argv[0] from args[0]; [path] when args is absent) and
 * exactly hook->env as its environment (empty when absent); state_json is
 * written to its stdin (a hook that does not read it is fine), its stdout and
 * stderr are captured, it inherits no fd beyond 0, 1 and 2, and it is killed
 * with SIGKILL when it runs past hook->timeout seconds.
 *
 * prestart, createRuntime, createContainer, startContainer: the first hook
 * that fails stops the run and returns a negative errno with err reading
 *   "createRuntime hook #1 (`/path`): exited with status 3: <its stderr>"
 *   "createRuntime hook #2 (`/path`): timed out after 2s"
 * poststart, poststop: a failing hook is logged as a warning on log and the
 * remaining hooks still run; the return value is 0.
 *
 * list may be NULL or empty (returns 0). The caller's cwd is the hooks' cwd.
 * SIGPIPE is blocked around the run, so a hook that closes its stdin early
 * never kills the runtime. */
int cell_hooks_run(const oci_hook_list *list, oci_hook_kind kind, const char *state_json,
                   const cell_log *log, cell_error *err);

#endif
