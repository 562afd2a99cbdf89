/* Signal names as kill(1), runc and crun accept them. */
#include "runtime/container.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct { const char *name; int sig; } signals[] = {
  { "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "ILL", SIGILL },
  { "TRAP", SIGTRAP }, { "ABRT", SIGABRT }, { "IOT", SIGIOT }, { "BUS", SIGBUS },
  { "FPE", SIGFPE }, { "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV },
  { "USR2", SIGUSR2 }, { "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
  { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD }, { "CLD", SIGCHLD }, { "CONT", SIGCONT },
  { "STOP", SIGSTOP }, { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },
  { "URG", SIGURG }, { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM },
  { "PROF", SIGPROF }, { "WINCH", SIGWINCH }, { "IO", SIGIO }, { "POLL", SIGPOLL },
  { "PWR", SIGPWR }, { "SYS", SIGSYS },
};

int cell_signal_parse(const char *s)
{
  if (!s || !*s)
    return -EINVAL;
  char *end;
  long n = strtol(s, &end, 10);
  if (*end == '\0')
    return (n > 0 && n < NSIG) ? (int) n : -EINVAL;
  if (strncasecmp(s, "SIG", 3) == 0)
    s += 3;
  for (size_t i = 0; i < sizeof signals / sizeof *signals; i++)
    if (strcasecmp(s, signals[i].name) == 0)
      return signals[i].sig;
  /* RTMIN, RTMIN+3, RTMAX-2 */
  if (strncasecmp(s, "RTMIN", 5) == 0 || strncasecmp(s, "RTMAX", 5) == 0) {
    bool min = strncasecmp(s, "RTMIN", 5) == 0;
    int base = min ? SIGRTMIN : SIGRTMAX;
    if (s[5] == '\0')
      return base;
    n = strtol(s + 5, &end, 10);
    if (*end || (min && n < 0) || (!min && n > 0))
      return -EINVAL;
    int sig = base + (int) n;
    return (sig >= SIGRTMIN && sig <= SIGRTMAX) ? sig : -EINVAL;
  }
  return -EINVAL;
}
