/* Fault injection, for test builds only (meson -Dfault_injection=true,
 * which `make check` gives build-asan/; tests/reliability/faults.sh).
 *
 * Each step of the lifecycle that can leave something behind calls
 *
 *   if ((r = cell_fault("create.cgroups", err)) < 0) goto fail;
 *
 * With CELL_FAULT=STEP[@N][:MODE][,...] in the environment, the Nth time
 * (default: every time) a process reaches STEP it
 *   fail        returns -EIO with "fault injected at STEP" (the default),
 *   kill        SIGKILLs itself (a runtime killed at that point),
 *   killparent  SIGKILLs the runtime (the process main() ran in) and
 *               goes on: the runtime, seen from the container init.
 * CELL_FAULT=list makes `cell` print every step and exit. An unknown step
 * name aborts. A release build compiles every call to nothing. */
#ifndef CELL_UTIL_FAULT_H
#define CELL_UTIL_FAULT_H
#include "util/error.h"

#ifdef CELL_FAULT_INJECTION
int cell_fault(const char *step, cell_error *err);
/* First in main(): notes the runtime's pid; CELL_FAULT=list prints the
 * steps and exits 0. */
void cell_fault_main(void);
#else
static inline int cell_fault(const char *step, cell_error *err)
{
  (void) step;
  (void) err;
  return 0;
}
static inline void cell_fault_main(void) {}
#endif
#endif
