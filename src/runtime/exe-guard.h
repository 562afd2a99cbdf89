/* CVE-2019-5736: a container must never be able to write the host's cell
 * binary through /proc/PID/exe of a cell process that entered it. cell
 * never re-executes itself inside a container, but its init and exec
 * children run cell's code until they exec the user program. So every
 * command that makes such children first makes sure that /proc/self/exe
 * is on a read-only mount:
 *  - when the binary already sits on a read-only mount, nothing is done;
 *  - otherwise cell re-executes itself once from a read-only bind mount of
 *    its binary in a private mount namespace (slave of the host's), which
 *    costs one execve and no copy.
 * Hooks that must run in the runtime's mount namespace are run in the host's
 * one, through the fd kept here.
 * create and run do better for the usual container, one with new mount and
 * pid namespaces and no user namespace: the runtime stays as it is and the
 * init re-executes itself from a read-only bind made in its own new mount
 * namespace, right after the clone, while the runtime makes the cgroups
 * (runtime/init-reexec.h). No other process can see the init before that
 * exec: its pid namespace holds only itself. */
#ifndef CELL_RUNTIME_EXE_GUARD_H
#define CELL_RUNTIME_EXE_GUARD_H
#include "util/error.h"

typedef struct cell_exe_guard {
  int host_mntns;   /* the caller's mount namespace, or -1 when unchanged */
  int own_mntns;    /* ours, to come back to */
} cell_exe_guard;

/* 1: the binary already sits on a read-only mount, 0: it does not. */
int cell_exe_guard_exe_readonly(cell_error *err);
/* May not return (re-exec with argv). */
int cell_exe_guard_apply(char **argv, cell_exe_guard *g, cell_error *err);
/* Switch to the host's mount namespace (when the guard moved us) and back;
 * *cwd keeps the working directory across the two switches. */
int cell_exe_guard_enter_host(const cell_exe_guard *g, int *cwd, cell_error *err);
int cell_exe_guard_leave_host(const cell_exe_guard *g, int cwd, cell_error *err);
/* In a process alone in a new mount namespace: bind the binary read-only
 * onto itself there (the namespace made a slave first, so the bind stays
 * ours) and execve it with argv and env_name=env_value added. Returns
 * only on failure. */
int cell_exe_guard_reexec_here(char **argv, const char *env_name, const char *env_value,
                               cell_error *err);
#endif
