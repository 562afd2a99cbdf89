/* bench/notify-loop: the container side of bench/notify.sh. Statically
 * linked, bind-mounted into a busybox container whose profile sends getpid
 * (and mknodat) to cell-agent with SCMP_ACT_NOTIFY.
 *
 *   notify-loop SECONDS [mknod]
 *
 * Calls getpid() (or mknodat(AT_FDCWD, "/tmp/n", S_IFCHR, 1:3) and unlink)
 * in a loop until SECONDS have passed, timing each call, and prints one
 * line: "calls N p50_us X p99_us Y". */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_ll(const void *a, const void *b)
{
  long long x = *(const long long *) a, y = *(const long long *) b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
  double secs = argc > 1 ? atof(argv[1]) : 1;
  int mknod_mode = argc > 2 && !strcmp(argv[2], "mknod");
  size_t cap = 1 << 20, n = 0;
  long long *lat = malloc(cap * sizeof *lat);
  if (!lat)
    return 1;
  long long end = now_ns() + (long long) (secs * 1e9);
  for (;;) {
    long long t0 = now_ns();
    if (t0 >= end || n == cap)
      break;
    if (mknod_mode) {
      syscall(SYS_mknodat, AT_FDCWD, "/tmp/n", S_IFCHR | 0600, makedev(1, 3));
      unlink("/tmp/n");
    } else
      syscall(SYS_getpid);
    lat[n++] = now_ns() - t0;
  }
  qsort(lat, n, sizeof *lat, cmp_ll);
  printf("calls %zu p50_us %.1f p99_us %.1f\n", n, n ? lat[n / 2] / 1e3 : 0.0,
         n ? lat[(size_t) (n * 0.99)] / 1e3 : 0.0);
  return 0;
}
