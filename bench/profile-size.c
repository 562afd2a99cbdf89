/* bench/profile-size: how compile and load grow with the size of a profile.
 *
 *   profile-size [SEED] [SIZES...]        (default sizes 10 100 1000 10000)
 *
 * For each size N a random OCI profile of N rules (seeded; printed): the
 * default action ERRNO, each rule one x86_64 syscall (names drawn from the
 * whole table, so they repeat past ~370), ALLOW or ERRNO or LOG (one
 * action per syscall), each with one or two argument conditions (EQ, NE,
 * GT, LE, MASKED_EQ on arguments 0..2). Per size:
 *  - parse: json_loads of the profile text (what `cell seccomp compile`
 *    and `cell run` do), compile: cell_seccomp_compile_oci, the medians of
 *    repeated runs, and compile/(N log2 N) to show the growth;
 *  - insns: the program length (past 4096 the kernel refuses it: cell
 *    says so, E2BIG, and the load is "-");
 *  - load: seccomp(2) of the program in a child (the kernel checks it and
 *    fills its action cache), median of 5;
 *  - executed instructions per syscall over every x86_64 number with
 *    random arguments (mean, worst), and log2 of the distinct syscalls;
 *  - libseccomp's time for the same job (seccomp_init .. export), for
 *    N <= BENCH_LIBSECCOMP_MAX (default 1000; it is slow past that).
 * With BENCH_PROFILE_DIR set, each profile is also written there as
 * rules-N.json (for callgrind of `cell seccomp compile`).
 */
#include "seccomp/seccomp.h"
#include "seccomp/table.h"
#include "helpers.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
  qsort(v, (size_t) n, sizeof *v, cmp_d);
  return v[n / 2];
}

static const char *ops[] = { "SCMP_CMP_EQ", "SCMP_CMP_NE", "SCMP_CMP_GT", "SCMP_CMP_LE",
                             "SCMP_CMP_MASKED_EQ" };
static const char *acts[] = { "SCMP_ACT_ALLOW", "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO",
                              "SCMP_ACT_LOG" };

static json_t *random_profile(uint64_t *s, size_t n, size_t *distinct)
{
  const cell_sc_arch *a = cell_sc_arch_by_name("x86_64");
  const cell_sc_syscall *pool[1024];
  size_t np = 0;
  for (unsigned i = 0; i < cell_sc_nsyscalls && np < 1024; i++)
    if (cell_sc_syscall_nr(a, &cell_sc_syscalls[i]) >= 0)
      pool[np++] = &cell_sc_syscalls[i];
  /* a syscall's rules share the action its first one drew: two rules
   * ending on one comparison with different actions are refused (EEXIST,
   * as libseccomp refuses them), which past a few hundred random rules
   * would refuse every profile */
  signed char *act = malloc(np);
  memset(act, -1, np);
  *distinct = 0;
  json_t *calls = json_array();
  for (size_t i = 0; i < n; i++) {
    size_t k = (size_t) (t_rand(s) % np);
    unsigned drawn = (unsigned) (t_rand(s) % 4);
    if (act[k] < 0) {
      act[k] = (signed char) drawn;
      (*distinct)++;
    }
    json_t *r = json_pack("{s:[s], s:s}", "names", pool[k]->name, "action", acts[act[k]]);
    {
      json_t *args = json_array();
      size_t na = 1 + t_rand(s) % 2;
      unsigned first = (unsigned) (t_rand(s) % 3);
      for (size_t j = 0; j < na; j++) {
        unsigned op = (unsigned) (t_rand(s) % 5);
        json_t *c = json_pack("{s:i, s:I, s:s}", "index", (int) ((first + j) % 3), "value",
                              (json_int_t) (t_rand(s) % 65536), "op", ops[op]);
        if (op == 4)
          json_object_set_new(c, "valueTwo", json_integer((json_int_t) (t_rand(s) % 256)));
        json_array_append_new(args, c);
      }
      json_object_set_new(r, "args", args);
    }
    json_array_append_new(calls, r);
  }
  free(act);
  return json_pack("{s:s, s:i, s:[s], s:o}", "defaultAction", "SCMP_ACT_ERRNO",
                   "defaultErrnoRet", 1, "architectures", "SCMP_ARCH_X86_64", "syscalls", calls);
}

/* seccomp(2) of f in a child; seconds, or -1 if the kernel refused. The
 * filter may deny the child any syscall after the load (write, exit_group:
 * it then dies of the hlt in _exit), so the figure comes back through
 * shared memory. */
static double load_time(const struct sock_filter *f, size_t n)
{
  double *t = mmap(NULL, sizeof *t, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (t == MAP_FAILED)
    return -1;
  *t = -1;
  pid_t pid = fork();
  if (pid == 0) {
    struct sock_fprog prog = { .len = (unsigned short) n, .filter = (struct sock_filter *) f };
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);   /* no core from that hlt */
    double t0 = now();
    long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
    *t = r < 0 ? -2 : now() - t0;
    _exit(0);
  }
  if (pid > 0)
    waitpid(pid, NULL, 0);
  double v = *t;
  munmap(t, sizeof *t);
  return v < 0 ? -1 : v;
}

int main(int argc, char **argv)
{
  uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 20;
  size_t sizes[16] = { 10, 100, 1000, 10000 };
  size_t nsizes = 4;
  if (argc > 2) {
    nsizes = 0;
    for (int i = 2; i < argc && nsizes < 16; i++)
      sizes[nsizes++] = strtoul(argv[i], NULL, 10);
  }
  const char *lm = getenv("BENCH_LIBSECCOMP_MAX");
  size_t lib_max = lm ? strtoul(lm, NULL, 10) : 1000;
  const cell_sc_arch *x86_64 = cell_sc_arch_by_name("x86_64");
  uint32_t maxnr = cell_sc_arch_max_nr(x86_64);

  printf("profile size: random profiles (seed %llu), one x86_64 syscall per rule, each "
         "with argument conditions\n", (unsigned long long) seed);
  printf("  %6s %6s %9s %10s %9s %6s %9s %14s %6s %12s\n", "rules", "names", "parse", "compile",
         "c/NlogN", "insns", "load", "exec mean/max", "log2n", "libseccomp");
  for (size_t si = 0; si < nsizes; si++) {
    size_t n = sizes[si], distinct;
    uint64_t s = seed ^ (n * 0x9e3779b97f4a7c15ULL);
    json_t *prof = random_profile(&s, n, &distinct);
    char *text = json_dumps(prof, JSON_COMPACT);
    const char *dir = getenv("BENCH_PROFILE_DIR");
    if (dir) {
      char path[4096];
      snprintf(path, sizeof path, "%s/rules-%zu.json", dir, n);
      FILE *fp = fopen(path, "w");
      if (!fp || fputs(text, fp) < 0 || fclose(fp) != 0) {
        fprintf(stderr, "profile-size: %s: %s\n", path, strerror(errno));
        return 1;
      }
    }
    int reps = n >= 10000 ? 5 : n >= 1000 ? 15 : 51;
    double tp[51], tc[51];
    cell_seccomp_opts opts = { .arch = "x86_64" };
    cell_seccomp_filter f = { 0 };
    bool have = false;
    size_t too_big = 0;
    for (int r = 0; r < reps; r++) {
      double t0 = now();
      _cleanup_jdoc_ cell_jdoc *doc = NULL;
      cell_error perr = CELL_ERROR_INIT;
      if (cell_json_parse("profile", text, strlen(text), &doc, &perr) < 0) {
        fprintf(stderr, "profile-size: %s\n", perr.msg);
        return 1;
      }
      double t1 = now();
      cell_error err = CELL_ERROR_INIT;
      if (have)
        cell_seccomp_filter_free(&f);
      int rc = cell_seccomp_compile_oci(cell_jdoc_root(doc), &opts, &f, &err);
      double t2 = now();
      have = rc >= 0;
      if (rc == -E2BIG && err.msg)
        sscanf(strstr(err.msg, "needs ") ? strstr(err.msg, "needs ") : "", "needs %zu", &too_big);
      else if (rc < 0) {
        fprintf(stderr, "profile-size: %zu rules: %s\n", n, err.msg);
        return 1;
      }
      cell_error_clear(&err);
      tp[r] = t1 - t0;
      tc[r] = t2 - t1;
    }
    double parse = median(tp, reps), comp = median(tc, reps);
    double nlogn = (double) n * log2((double) n);
    char insns[16], load[24], exec[32], lib[24];
    if (have) {
      snprintf(insns, sizeof insns, "%zu", f.len);
      double tl[5];
      int ok = 0;
      for (int r = 0; r < 5; r++)
        if ((tl[ok] = load_time(f.insns, f.len)) >= 0)
          ok++;
      if (ok)
        snprintf(load, sizeof load, "%.1f us", median(tl, ok) * 1e6);
      else
        snprintf(load, sizeof load, "refused");
      uint64_t rs = seed;
      double sum = 0;
      unsigned worst = 0;
      for (uint32_t nr = 0; nr <= maxnr; nr++) {
        uint64_t args[6];
        for (int k = 0; k < 6; k++)
          args[k] = t_rand(&rs) % 4 ? t_rand(&rs) % 65536 : 0;
        cell_seccomp_data d;
        cell_seccomp_data_make(&d, "x86_64", nr, args, NULL);
        unsigned steps;
        cell_seccomp_run(f.insns, f.len, &d, &steps);
        sum += steps;
        if (steps > worst)
          worst = steps;
      }
      snprintf(exec, sizeof exec, "%.1f/%u", sum / (maxnr + 1), worst);
    } else {
      snprintf(insns, sizeof insns, ">4096");
      snprintf(load, sizeof load, "-");
      snprintf(exec, sizeof exec, "(%zu insns)", too_big);
    }
    if (n <= lib_max) {
      struct sock_filter *lf = NULL;
      size_t ln;
      double t0 = now();
      int lr = t_libseccomp(prof, "x86_64", 0, &lf, &ln);
      double lt = now() - t0;
      free(lf);
      if (lr < 0)
        snprintf(lib, sizeof lib, "refused");
      else
        snprintf(lib, sizeof lib, "%.0f us", lt * 1e6);
    } else
      snprintf(lib, sizeof lib, "-");
    printf("  %6zu %6zu %6.0f us %7.0f us %6.1f ns %6s %9s %14s %6.1f %12s\n", n, distinct,
           parse * 1e6, comp * 1e6, comp * 1e9 / nlogn, insns, load, exec, log2((double) distinct),
           lib);
    if (have)
      cell_seccomp_filter_free(&f);
    free(text);
    json_decref(prof);
  }
  printf("  (c/NlogN: compile time per N log2 N in ns; flat or falling means n log n or better)\n");
  return 0;
}
