/* bench/seccomp-bench: compile time and filter quality of cell's seccomp
 * compiler against libseccomp, in one process.
 *
 *   seccomp-bench PROFILE.json [ITERATIONS]
 *
 * PROFILE is an OCI linux.seccomp object (bench/seccomp passes podman's
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
#include "seccomp/table.h"

#include <errno.h>
#include <seccomp.h>
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

static uint32_t lib_action(json_t *o, const char *key, const char *ekey)
{
  const char *s = json_string_value(json_object_get(o, key));
  json_t *e = json_object_get(o, ekey);
  uint32_t data = e ? (uint32_t) json_integer_value(e) : EPERM;
  if (!s) return SCMP_ACT_KILL;
  if (!strcmp(s, "SCMP_ACT_KILL") || !strcmp(s, "SCMP_ACT_KILL_THREAD")) return SCMP_ACT_KILL;
  if (!strcmp(s, "SCMP_ACT_KILL_PROCESS")) return SCMP_ACT_KILL_PROCESS;
  if (!strcmp(s, "SCMP_ACT_TRAP")) return SCMP_ACT_TRAP;
  if (!strcmp(s, "SCMP_ACT_ERRNO")) return SCMP_ACT_ERRNO(data);
  if (!strcmp(s, "SCMP_ACT_TRACE")) return SCMP_ACT_TRACE(data);
  if (!strcmp(s, "SCMP_ACT_LOG")) return SCMP_ACT_LOG;
  if (!strcmp(s, "SCMP_ACT_NOTIFY")) return SCMP_ACT_NOTIFY;
  return SCMP_ACT_ALLOW;
}

static enum scmp_compare lib_op(const char *s)
{
  static const char *n[] = { "", "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
                             "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ" };
  for (int i = 1; i < 8; i++)
    if (s && !strcmp(s, n[i]))
      return (enum scmp_compare) i;
  return SCMP_CMP_EQ;
}

/* As crun does it: one rule per name, conditions as given. */
static int lib_compile(json_t *p, int optimize, int fd)
{
  uint32_t def = lib_action(p, "defaultAction", "defaultErrnoRet");
  scmp_filter_ctx ctx = seccomp_init(def);
  if (!ctx)
    return -ENOMEM;
  if (optimize)
    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, (uint32_t) optimize);
  size_t i, j, k;
  json_t *v, *a, *n;
  json_array_foreach(json_object_get(p, "architectures"), i, v) {
    const cell_sc_arch *arch = cell_sc_arch_by_name(json_string_value(v));
    if (arch)
      seccomp_arch_add(ctx, seccomp_arch_resolve_name(arch->short_name));
  }
  int r = 0;
  json_array_foreach(json_object_get(p, "syscalls"), i, v) {
    uint32_t act = lib_action(v, "action", "errnoRet");
    if (act == def)
      continue;
    struct scmp_arg_cmp c[6];
    unsigned nc = 0;
    json_array_foreach(json_object_get(v, "args"), j, a) {
      if (nc == 6)
        break;
      json_t *two = json_object_get(a, "valueTwo");
      c[nc++] = (struct scmp_arg_cmp) {
        (unsigned) json_integer_value(json_object_get(a, "index")),
        lib_op(json_string_value(json_object_get(a, "op"))),
        (uint64_t) json_integer_value(json_object_get(a, "value")),
        two ? (uint64_t) json_integer_value(two) : 0 };
    }
    json_array_foreach(json_object_get(v, "names"), k, n) {
      int nr = seccomp_syscall_resolve_name(json_string_value(n));
      if (nr == __NR_SCMP_ERROR)
        continue;
      if ((r = seccomp_rule_add_array(ctx, act, nr, nc, c)) < 0)
        goto out;
    }
  }
  if (ftruncate(fd, 0) == 0 && lseek(fd, 0, SEEK_SET) == 0)
    r = seccomp_export_bpf(ctx, fd);
out:
  seccomp_release(ctx);
  return r;
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

static struct sock_filter *read_fd(int fd, size_t *n)
{
  off_t size = lseek(fd, 0, SEEK_END);
  struct sock_filter *f = malloc((size_t) size + 1);
  if (!f || pread(fd, f, (size_t) size, 0) != size) {
    free(f);
    return NULL;
  }
  *n = (size_t) size / sizeof *f;
  return f;
}

int main(int argc, char **argv)
{
  if (argc < 2) {
    fprintf(stderr, "usage: %s PROFILE.json [ITERATIONS]\n", argv[0]);
    return 2;
  }
  int iters = argc > 2 ? atoi(argv[2]) : 200;
  json_error_t je;
  json_t *p = json_load_file(argv[1], 0, &je);
  if (!p) {
    fprintf(stderr, "%s:%d: %s\n", argv[1], je.line, je.text);
    return 1;
  }
  json_t *sec = json_object_get(json_object_get(p, "linux"), "seccomp");
  if (!sec)
    sec = p;
  cell_seccomp_opts opts = { .arch = "x86_64" };
  cell_error err = CELL_ERROR_INIT;
  cell_seccomp_filter f;
  double t0 = now();
  for (int i = 0; i < iters; i++) {
    if (cell_seccomp_compile_oci(sec, &opts, &f, &err) < 0) {
      fprintf(stderr, "cell: %s\n", err.msg);
      return 1;
    }
    if (i + 1 < iters)
      cell_seccomp_filter_free(&f);
  }
  double cell_t = (now() - t0) / iters;

  int fd = memfd_create("bpf", 0);
  int lib_iters = iters / 10 > 5 ? iters / 10 : 5;
  t0 = now();
  for (int i = 0; i < lib_iters; i++)
    if (lib_compile(sec, 0, fd) < 0) {
      fprintf(stderr, "libseccomp refused the profile\n");
      return 1;
    }
  double lib_t = (now() - t0) / lib_iters;
  size_t ln, tn;
  struct sock_filter *lf = read_fd(fd, &ln);
  t0 = now();
  for (int i = 0; i < lib_iters; i++)
    lib_compile(sec, 2, fd);
  double tree_t = (now() - t0) / lib_iters;
  struct sock_filter *tf = read_fd(fd, &tn);
  close(fd);

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
