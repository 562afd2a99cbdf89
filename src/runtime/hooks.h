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

#include <sys/types.h>
#include "oci/config.h"
#include "runtime/exe-guard.h"
#include "util/error.h"
#include "util/log.h"

/* Where the hooks' stdout and stderr go: crun's annotations
 * run.oci.hooks.stdout and run.oci.hooks.stderr name files the output is
 * appended to (opened by the runtime, on the host, before anything runs
 * in the container); -1: captured, shown in the error of a failing hook
 * and in the debug log. */
#define CELL_ANNOTATION_HOOKS_STDOUT "run.oci.hooks.stdout"
#define CELL_ANNOTATION_HOOKS_STDERR "run.oci.hooks.stderr"
typedef struct cell_hook_output {
  int out_fd, err_fd;
} cell_hook_output;
#define CELL_HOOK_OUTPUT_NONE ((cell_hook_output) { -1, -1 })
int cell_hook_output_open(const oci_config *c, cell_hook_output *o, cell_error *err);
void cell_hook_output_close(cell_hook_output *o);

/* The state a hook reads on stdin (runtime.md "State"): state_json with
 * "status": `status` and, when pid > 0, "pid": pid. The create-time hooks
 * and startContainer read "created": they are lifecycle steps 3, 4, 5
 * and 7, after step 2, and the user program has not run; hooks in the
 * container namespace read the pid as the container sees it. Malloc'ed;
 * NULL when state_json is not a JSON object. */
char *cell_hooks_state(const char *state_json, const char *status, pid_t pid);

/* Run every hook of list in order. Each hook is fork+exec'ed with
 * argv = hook->args (argv[0] from args[0]; [path] when args is absent) and
 * exactly hook->env as its environment (empty when absent); state_json is
 * written to its stdin (a hook that does not read it is fine), its stdout and
 * stderr go to out's files or are captured (out may be NULL), it inherits no
 * fd beyond 0, 1 and 2, and it is killed
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
                   const cell_hook_output *out, const cell_log *log, cell_error *err);

/* Hooks that run in the runtime's namespaces (prestart, createRuntime,
 * poststart, poststop): in the host's mount namespace even when the exe
 * guard gave us a private one (guard may be NULL), with c's output
 * annotations. */
int cell_hooks_run_in_runtime_ns(const oci_config *c, oci_hook_kind kind, const char *state_json,
                                 const cell_log *log, const cell_exe_guard *guard,
                                 cell_error *err);

#endif
