/* bench/seccomp-bench: compile time and filter quality of cell's seccomp
 * compiler against libseccomp, in one process.
 *
 *   seccomp-bench PROFILE.json [ITERATIONS]
 *
 * PROFILE is an OCI linux.seccomp object (bench/seccomp passes cell's
 * default).  Prints:
 *  - compile time: parsed JSON -> exported BPF, mean over ITERATIONS, for
 *    cell (cell_seccomp_compile_oci) and libseccomp (seccomp_init, arches,
 *    rules as crun adds them, seccomp_export_bpf), and the ratio;
 *  - program length and instructions executed per syscall (mean, worst)
 *    on x86_64 with zero arguments, over every number 0..max+10 and over
 *    the busybox workload below (weighted by call count), for cell,
 *    libseccomp's default and libseccomp's binary tree
 *    (SCMP_FLTATR_CTL_OPTIMIZE = 2).
 */
#include "seccomp/seccomp.h"
#include "jv.h"
#include "seccomp/table.h"

#include <errno.h>
#include "helpers.h"
#include "bench-profile.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* `strace -f -c busybox sh -c 'for i in 1 2 3 4 5; do ls -l / >/dev/null;
 * cat /etc/passwd | grep root | wc -l >/dev/null; echo hi > /tmp/bb.$$;
 * sort /tmp/bb.$$ >/dev/null; rm /tmp/bb.$$; sleep 0.01; done'` with
 * Debian 12's busybox-static, kernel 6.18 (2026-12-01): 1327 calls. */
static const struct { const char *name; unsigned calls; } busybox[] = {
  { "newfstatat", 327 }, { "close", 125 }, { "brk", 105 }, { "wait4", 60 },
  { "prctl", 56 }, { "set_robust_list", 56 }, { "dup2", 55 }, { "openat", 50 },
  { "read", 50 }, { "readlink", 46 }, { "rt_sigaction", 41 }, { "clone", 35 },
  { "rt_sigreturn", 35 }, { "write", 25 }, { "mprotect", 21 }, { "prlimit64", 21 },
  { "getuid", 21 }, { "arch_prctl", 21 }, { "set_tid_address", 21 }, { "getrandom", 21 },
  { "rseq", 21 }, { "execve", 21 }, { "ioctl", 20 }, { "fcntl", 20 },
  { "getdents64", 10 }, { "sendfile", 10 }, { "pipe2", 10 }, { "clock_nanosleep", 5 },
  { "lseek", 5 }, { "access", 5 }, { "unlink", 5 }, { "getpid", 1 }, { "uname", 1 },
  { "getppid", 1 },
};

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

typedef struct quality { double mean_all, mean_bb; unsigned worst_all, worst_bb; } quality;

static quality measure(const struct sock_filter *f, size_t n)
{
  const cell_sc_arch *x86_64 = cell_sc_arch_by_name("x86_64");
  uint32_t max = cell_sc_arch_max_nr(x86_64) + 10;
  quality q = { 0 };
  uint64_t args[6] = { 0 };
  double sum = 0;
  for (uint32_t nr = 0; nr <= max; nr++) {
    cell_seccomp_data d;
    cell_seccomp_data_make(&d, "x86_64", nr, args, NULL);
    unsigned steps;
    cell_seccomp_run(f, n, &d, &steps);
    sum += steps;
    if (steps > q.worst_all)
      q.worst_all = steps;
  }
  q.mean_all = sum / (max + 1);
  double calls = 0;
  sum = 0;
  for (size_t i = 0; i < sizeof busybox / sizeof busybox[0]; i++) {
    int64_t nr = cell_sc_syscall_nr(x86_64, cell_sc_syscall_lookup(busybox[i].name));
    cell_seccomp_data d;
    cell_seccomp_data_make(&d, "x86_64", (uint32_t) nr, args, NULL);
    unsigned steps;
    cell_seccomp_run(f, n, &d, &steps);
    sum += (double) steps * busybox[i].calls;
    calls += busybox[i].calls;
    if (steps > q.worst_bb)
      q.worst_bb = steps;
  }
  q.mean_bb = sum / calls;
  return q;
}

int main(int argc, char **argv)
{
  if (argc < 2) {
    fprintf(stderr, "usage: %s PROFILE.json [ITERATIONS]\n", argv[0]);
    return 2;
  }
  int iters = argc > 2 ? atoi(argv[2]) : 200;
  json_t *p;
  json_t *sec = bench_load_seccomp(argv[1], &p);
  if (!sec)
    return 1;
  cell_seccomp_opts opts = { .arch = "x86_64" };
  cell_error err = CELL_ERROR_INIT;
  cell_seccomp_filter f;
  /* read once, as before: the loop times the compile alone */
  _cleanup_jdoc_ cell_jdoc *doc = NULL;
  const cell_jv *jsec = t_jv(sec, &doc);
  if (!jsec)
    return 1;
  double t0 = now();
  for (int i = 0; i < iters; i++) {
    if (cell_seccomp_compile_oci(jsec, &opts, &f, &err) < 0) {
      fprintf(stderr, "cell: %s\n", err.msg);
      return 1;
    }
    if (i + 1 < iters)
      cell_seccomp_filter_free(&f);
  }
  double cell_t = (now() - t0) / iters;

  /* libseccomp builds the filter as the differential test's oracle does
   * (tests/unit/seccomp/helpers.c: runc's way of feeding it a profile). */
  int lib_iters = iters / 10 > 5 ? iters / 10 : 5;
  size_t ln = 0, tn = 0;
  struct sock_filter *lf = NULL, *tf = NULL;
  t0 = now();
  for (int i = 0; i < lib_iters; i++) {
    free(lf);
    if (t_libseccomp(sec, "x86_64", 0, &lf, &ln) < 0) {
      fprintf(stderr, "libseccomp refused the profile\n");
      return 1;
    }
  }
  double lib_t = (now() - t0) / lib_iters;
  t0 = now();
  for (int i = 0; i < lib_iters; i++) {
    free(tf);
    t_libseccomp(sec, "x86_64", 2, &tf, &tn);
  }
  double tree_t = (now() - t0) / lib_iters;

  printf("compile time (parsed JSON -> BPF), mean of %d / %d runs:\n", iters, lib_iters);
  printf("  cell                 %9.1f us\n", cell_t * 1e6);
  printf("  libseccomp           %9.1f us  (%.0fx cell)\n", lib_t * 1e6, lib_t / cell_t);
  printf("  libseccomp bin tree  %9.1f us  (%.0fx cell)\n", tree_t * 1e6, tree_t / cell_t);
  quality qc = measure(f.insns, f.len), ql = measure(lf, ln), qt = measure(tf, tn);
  printf("instructions executed per syscall on x86_64 (args 0):\n");
  printf("  %-20s %8s %18s %18s\n", "", "length", "all nrs mean/worst", "busybox mean/worst");
  printf("  %-20s %8zu %12.1f / %-5u %12.1f / %-5u\n", "cell", f.len, qc.mean_all, qc.worst_all,
         qc.mean_bb, qc.worst_bb);
  printf("  %-20s %8zu %12.1f / %-5u %12.1f / %-5u\n", "libseccomp", ln, ql.mean_all, ql.worst_all,
         ql.mean_bb, ql.worst_bb);
  printf("  %-20s %8zu %12.1f / %-5u %12.1f / %-5u\n", "libseccomp bin tree", tn, qt.mean_all,
         qt.worst_all, qt.mean_bb, qt.worst_bb);
  cell_seccomp_filter_free(&f);
  free(lf);
  free(tf);
  json_decref(p);
  return 0;
}
