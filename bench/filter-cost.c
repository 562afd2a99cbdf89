/* bench/filter-cost: what a loaded seccomp filter costs the kernel, in ns
 * per syscall, for cell's filter of a profile, libseccomp's filter of the
 * same profile (its default layout and its binary tree), and no filter.
 *
 *   filter-cost PROFILE.json [CALLS]
 *
 * Two syscalls are timed in a loop of CALLS calls (default 100000), the
 * median of 15 such loops, each filter in a child of its own; the filters
 * take turns for 5 rounds and each figure is its lowest round (other load
 * on the machine only ever adds):
 *  - getpid(): allowed for every argument, so the kernel's action cache
 *    (kernel 5.11+) answers without running the filter;
 *  - personality(0xffffffff): podman's profile allows personality for a few
 *    argument values only, so the filter runs and checks the argument.
 * The children set no_new_privs and load with seccomp(2) or prctl(2). */
#include "seccomp/seccomp.h"
#include "jv.h"
#include "helpers.h"
#include "bench-profile.h"

#include <errno.h>
#include <stdbool.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LOOPS 15
#define ROUNDS 5

static long long now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double time_calls(long nr, unsigned long arg, long calls)
{
  double v[LOOPS];
  for (int l = 0; l < LOOPS; l++) {
    long long t0 = now_ns();
    for (long i = 0; i < calls; i++)
      syscall(nr, arg);
    v[l] = (double) (now_ns() - t0) / (double) calls;
  }
  qsort(v, LOOPS, sizeof v[0], cmp_d);
  return v[LOOPS / 2];
}

/* In a child: load the program (none when n == 0), time both syscalls,
 * send the two figures back through a pipe. */
static int run_child(const struct sock_filter *f, size_t n, long calls, double out[2])
{
  int p[2];
  if (pipe(p) < 0)
    return -errno;
  pid_t pid = fork();
  if (pid < 0)
    return -errno;
  if (pid == 0) {
    close(p[0]);
    if (n) {
      struct sock_fprog prog = { .len = (unsigned short) n, .filter = (struct sock_filter *) f };
      if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
          syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
        perror("filter-cost: load the filter");
        _exit(1);
      }
    }
    double r[2] = { time_calls(SYS_getpid, 0, calls),
                    time_calls(SYS_personality, 0xffffffffUL, calls) };
    if (write(p[1], r, sizeof r) != (ssize_t) sizeof r)
      _exit(1);
    _exit(0);
  }
  close(p[1]);
  ssize_t got = read(p[0], out, 2 * sizeof(double));
  close(p[0]);
  int st;
  waitpid(pid, &st, 0);
  return got == (ssize_t) (2 * sizeof(double)) && WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : -EIO;
}

int main(int argc, char **argv)
{
  if (argc < 2) {
    fprintf(stderr, "usage: %s PROFILE.json [CALLS]\n", argv[0]);
    return 2;
  }
  long calls = argc > 2 ? atol(argv[2]) : 100000;
  json_t *p;
  json_t *sec = bench_load_seccomp(argv[1], &p);
  if (!sec)
    return 1;
  cell_seccomp_opts opts = { .arch = "x86_64" };
  cell_error err = CELL_ERROR_INIT;
  cell_seccomp_filter f;
  _cleanup_jdoc_ cell_jdoc *jd1_ = NULL;
  if (cell_seccomp_compile_oci(t_jv(sec, &jd1_), &opts, &f, &err) < 0) {
    fprintf(stderr, "cell: %s\n", err.msg);
    return 1;
  }
  struct sock_filter *lf = NULL, *tf = NULL;
  size_t ln = 0, tn = 0;
  if (t_libseccomp(sec, "x86_64", 0, &lf, &ln) < 0 || t_libseccomp(sec, "x86_64", 2, &tf, &tn) < 0) {
    fprintf(stderr, "libseccomp refused the profile\n");
    return 1;
  }
  struct { const char *name; const struct sock_filter *f; size_t n; } set[] = {
    { "no filter", NULL, 0 },
    { "cell", f.insns, f.len },
    { "libseccomp", lf, ln },
    { "libseccomp bin tree", tf, tn },
  };
  printf("kernel cost of the filter, ns per syscall (median of %d loops of %ld calls, "
         "best of %d rounds)\n", LOOPS, calls, ROUNDS);
  printf("  %-20s %6s %12s %12s %14s\n", "filter", "insns", "getpid", "+ vs none",
         "personality(~0)");
  enum { NSET = sizeof set / sizeof set[0] };
  double best[NSET][2];
  bool ok[NSET];
  for (size_t i = 0; i < NSET; i++) {
    best[i][0] = best[i][1] = 1e12;
    ok[i] = true;
  }
  for (int round = 0; round < ROUNDS; round++)
    for (size_t i = 0; i < NSET; i++) {
      double r[2];
      if (!ok[i] || run_child(set[i].f, set[i].n, calls, r) < 0) {
        ok[i] = false;
        continue;
      }
      for (int k = 0; k < 2; k++)
        if (r[k] < best[i][k])
          best[i][k] = r[k];
    }
  double *base = best[0];
  for (size_t i = 0; i < NSET; i++) {
    double *r = best[i];
    if (!ok[i]) {
      printf("  %-20s %6zu   failed\n", set[i].name, set[i].n);
      continue;
    }
    printf("  %-20s %6zu %9.1f ns %+9.1f ns %9.1f ns %+7.1f\n", set[i].name, set[i].n, r[0],
           r[0] - base[0], r[1], r[1] - base[1]);
  }
  printf("  (the last column: personality's cost above no filter; target for cell: <= +30 ns)\n");
  cell_seccomp_filter_free(&f);
  free(lf);
  free(tf);
  json_decref(p);
  return 0;
}
