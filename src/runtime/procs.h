/* Internal to src/runtime: reaching the container's processes. */
#ifndef CELL_RUNTIME_PROCS_H
#define CELL_RUNTIME_PROCS_H
#include <sys/types.h>
#include "util/error.h"
int cell_pidfd_signal(int pidfd, int sig);
/* Signal every process in the pid namespace of init. */
int cell_signal_pidns(pid_t init, int sig, cell_error *err);
/* Wait until the process behind pidfd has exited (timeout_ms < 0: forever). */
int cell_pidfd_wait_exit(int pidfd, int timeout_ms);
#endif
