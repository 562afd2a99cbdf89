/* Fault injection (fault.h): compiled only with -Dfault_injection=true. */
#include "util/fault.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Every step, in lifecycle order: a name the code uses must be here. */
static const char *const steps[] = {
  "create.config",      /* config parsed, filter compiled: nothing made yet */
  "create.store",       /* state dir made and locked */
  "create.plan",        /* state.json records where the cgroups will go */
  "cgroups.mkdir",      /* after each hierarchy's directory (@N: the Nth) */
  "create.cgroups",     /* the cgroup2 directory made; v1 and resources after the clone */
  "create.state",       /* config copy written, state.json still the plan */
  "create.clone",       /* the init cloned (runtime side) */
  "init.start",         /* the init's first act, in its cgroup2 directory */
  "init.mounts",        /* rootfs mounts made, before pivot_root */
  "init.pivot",         /* after pivot_root, masked and read-only paths */
  "init.ready",         /* set up, no longer dying with the runtime */
  "create.hello",       /* the init is cloned, before its id maps (it says no hello) */
  "create.enter",       /* id maps written, pid recorded */
  "create.cgroups_rest", /* every cgroup made, resources applied, the init told to enter */
  "create.ready",       /* the init is ready; state not yet `created` */
  "create.done",        /* state `created` and --pid-file written */
  "start.connect",      /* before releasing the init */
  "start.running",      /* the program runs; state not yet `running` */
  "exec.prepare",       /* exec: config loaded, process built */
  "exec.clone",         /* exec: the middle child cloned (runtime side) */
  "exec.child",         /* exec: in the container, before the exec */
  "kill.signal",        /* kill: before the signal */
  "delete.kill",        /* delete: processes killed, cgroups still there */
  "cgroups.rmdir",      /* after each hierarchy's directory is removed (@N) */
  "delete.cgroups",     /* delete: cgroups gone, state dir still there */
};

/* The runtime, as main() saw it: a container init in a pid namespace of
 * its own has no parent to ask for (getppid() is 0, and kill(0) would hit
 * the caller's whole process group). */
static pid_t runtime_pid;

void cell_fault_main(void)
{
  runtime_pid = getpid();
  const char *spec = getenv("CELL_FAULT");
  if (!spec || strcmp(spec, "list") != 0)
    return;
  for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
    printf("%s\n", steps[i]);
  exit(0);
}

/* Is step named in spec (a comma-separated list of STEP[@N][:MODE])? *nth
 * and *mode (NUL-terminated, at most 15 characters) from the entry. */
static bool wanted(const char *spec, const char *step, long *nth, char mode[16])
{
  size_t sl = strlen(step);
  for (const char *p = spec; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
    size_t len = strcspn(p, ",");
    size_t name = strcspn(p, "@:,");
    if (name != sl || strncmp(p, step, sl) != 0)
      continue;
    *nth = p[name] == '@' ? strtol(p + name + 1, NULL, 10) : 0;
    const char *m = memchr(p, ':', len);
    size_t ml = m ? len - (size_t) (m + 1 - p) : 0;
    if (ml > 15)
      ml = 15;
    memcpy(mode, m ? m + 1 : "", ml);
    mode[ml] = 0;
    return true;
  }
  return false;
}

int cell_fault(const char *step, cell_error *err)
{
  static long seen[sizeof steps / sizeof *steps];
  size_t i = 0;
  while (i < sizeof steps / sizeof *steps && strcmp(steps[i], step) != 0)
    i++;
  if (i == sizeof steps / sizeof *steps) {
    fprintf(stderr, "cell_fault: unknown step `%s` (add it to src/util/fault.c)\n", step);
    abort();
  }
  const char *spec = getenv("CELL_FAULT");
  long nth;
  char mode[16];
  seen[i]++;
  if (!spec || !wanted(spec, step, &nth, mode) || (nth > 0 && seen[i] != nth))
    return 0;
  if (strcmp(mode, "kill") == 0)
    kill(getpid(), SIGKILL);
  if (strcmp(mode, "killparent") == 0) {
    if (runtime_pid > 1 && runtime_pid != getpid())
      kill(runtime_pid, SIGKILL);
    return 0;
  }
  return cell_error_set(err, EIO, "fault injected at %s", step);
}
