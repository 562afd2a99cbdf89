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
 * create and run need none of this for a container with a pid namespace of
 * its own: its init reaches the user program through the exec stub
 * (exec-stub.h). */
#ifndef CELL_RUNTIME_EXE_GUARD_H
#define CELL_RUNTIME_EXE_GUARD_H
#include <stdbool.h>
#include "util/error.h"

typedef struct cell_exe_guard {
  int host_mntns;   /* the caller's mount namespace, or -1 when unchanged */
  int own_mntns;    /* ours, to come back to */
} cell_exe_guard;

/* Are we the copy that cell_exe_guard_apply re-executed? */
bool cell_exe_guard_is_copy(void);
/* 1: no guard is needed: the binary sits on a read-only mount, or the
 * caller is not root and the binary is root's, writable by no one else (a
 * container of a caller that is not root has no privilege over it);
 * 0: the guard is needed. */
int cell_exe_guard_exe_readonly(cell_error *err);
/* May not return (re-exec with argv). */
int cell_exe_guard_apply(char **argv, cell_exe_guard *g, cell_error *err);
/* Switch to the host's mount namespace (when the guard moved us) and back;
 * *cwd keeps the working directory across the two switches. */
int cell_exe_guard_enter_host(const cell_exe_guard *g, int *cwd, cell_error *err);
int cell_exe_guard_leave_host(const cell_exe_guard *g, int cwd, cell_error *err);

#endif
