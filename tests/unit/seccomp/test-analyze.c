/* The exact decision maps behind `cell seccomp diff` and `explain`
 * (seccomp/analyze.h, explain.h): every fact's condition is read back by
 * an evaluator of the test's own and held against the test's own BPF
 * interpreter on random and edge inputs, for random profiles compiled by
 * cell and by libseccomp (raw BPF of another shape); and the texts of the
 * tools on profiles whose differences are known. */
#include "unit.h"
#include "jv.h"
#include "helpers.h"
#include "seccomp/analyze.h"
#include "seccomp/explain.h"
#include "seccomp/lang/lang.h"
#include "seccomp/table.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

/* ---- an evaluator of the conditions' text ---------------------------------- */

typedef struct rd {
  const char *p;
  bool bad;
} rd;

static bool eat(rd *r, const char *s)
{
  size_t n = strlen(s);
  if (strncmp(r->p, s, n))
    return false;
  r->p += n;
  return true;
}

static uint64_t num(rd *r)
{
  char *end;
  uint64_t v = strtoull(r->p, &end, 0);
  if (end == r->p)
    r->bad = true;
  r->p = end;
  return v;
}

/* "arg2", "arg2.lo", "arg0.hi", "ip": the value it names */
static uint64_t var(rd *r, const cell_sc_arch *a, const uint64_t args[6], uint64_t ip)
{
  uint64_t v;
  if (eat(r, "ip"))
    v = ip;
  else if (eat(r, "arg") && isdigit((unsigned char) *r->p))
    v = args[*r->p++ - '0'];
  else {
    r->bad = true;
    return 0;
  }
  if (eat(r, ".lo"))
    return (uint32_t) v;
  if (eat(r, ".hi"))
    return v >> 32;
  return a && a->bits64 ? v : (uint32_t) v;
}

static bool lit(rd *r, const cell_sc_arch *a, const uint64_t args[6], uint64_t ip)
{
  uint64_t v = var(r, a, args, ip);
  if (eat(r, " & "))
    v &= num(r);
  bool neg = eat(r, " not in (");
  if (neg || eat(r, " in (")) {
    bool found = false;
    do
      found |= num(r) == v;
    while (eat(r, ", "));
    if (!eat(r, ")"))
      r->bad = true;
    return found != neg;
  }
  if (eat(r, " == ")) return v == num(r);
  if (eat(r, " != ")) return v != num(r);
  if (eat(r, " <= ")) return v <= num(r);
  if (eat(r, " >= ")) return v >= num(r);
  if (eat(r, " < ")) return v < num(r);
  if (eat(r, " > ")) return v > num(r);
  r->bad = true;
  return false;
}

static bool eval_when(const char *when, const cell_sc_arch *a, const uint64_t args[6], bool *bad)
{
  rd r = { when, false };
  bool any = false;
  do {
    bool all = true;
    do
      all &= lit(&r, a, args, 0);
    while (!r.bad && eat(&r, " and "));
    any |= all;
  } while (!r.bad && eat(&r, " or "));
  *bad = r.bad || *r.p;
  return any;
}

/* ---- holding facts against the interpreter ---------------------------------- */

static const uint64_t pool[] = {
  0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 0x20000, 0x20008, 0x7e020000, 0x10000000, 0x7fffffff,
  0x80000000, 0xfffffffe, 0xffffffff, 0x100000000ull, 0x100000001ull, 0x1ffffffffull,
  0xffffffff00000000ull, 0xfffffffffffffffeull, 0xffffffffffffffffull,
};

static uint64_t some_value(uint64_t *s)
{
  uint64_t r = t_rand(s);
  switch (r % 5) {
  case 0: return t_rand(s);
  case 1: return (r >> 8) % 40;
  case 2: return pool[(r >> 8) % (sizeof pool / sizeof *pool)] + ((r >> 16) % 3) - 1;
  default: return pool[(r >> 8) % (sizeof pool / sizeof *pool)];
  }
}

/* n random inputs: exactly one fact holds for each, and its answers are
 * the interpreter's.  Returns the number of failures (printed). */
static int hold(const cell_sc_prog *p, size_t np, const cell_sc_facts *fs, uint64_t *s, int n)
{
  int fails = 0;
  for (int k = 0; k < n && fails < 5; k++) {
    /* an architecture value the facts name, or another */
    const cell_sc_fact *pick = &fs->v[t_rand(s) % fs->n];
    uint32_t audit = t_rand(s) % 8 == 0 ? (uint32_t) t_rand(s) : pick->audit;
    const cell_sc_arch *a = pick->arch >= 0 && audit == pick->audit ? &cell_sc_arches[pick->arch] : NULL;
    uint32_t nr;
    switch (t_rand(s) % 4) {
    case 0: nr = (uint32_t) t_rand(s); break;
    case 1: nr = pick->lo; break;
    case 2: nr = pick->hi; break;
    default: {
      const cell_sc_syscall *sc = &cell_sc_syscalls[t_rand(s) % cell_sc_nsyscalls];
      int64_t x = a ? cell_sc_syscall_nr(a, sc) : -1;
      nr = x >= 0 ? (uint32_t) x : pick->lo + (uint32_t) (t_rand(s) % 3);
    }
    }
    if (a && (a->col == CELL_SC_COL_X86_64 || a->col == CELL_SC_COL_X32) && t_rand(s) % 4 == 0)
      nr ^= CELL_SC_X32_BIT;
    uint64_t args[6];
    for (int i = 0; i < 6; i++)
      args[i] = some_value(s);
    unsigned char data[64];
    memset(data, 0, sizeof data);
    memcpy(data, &nr, 4);
    memcpy(data + 4, &audit, 4);
    /* the words in the byte order the architecture's filter expects */
    bool named = false;
    const cell_sc_arch *fa = NULL;
    for (size_t i = 0; i < fs->n; i++)
      if (fs->v[i].arch >= 0 && fs->v[i].audit == audit) {
        named = true;
        fa = &cell_sc_arches[fs->v[i].arch];
      }
    bool be = fa && fa->big_endian;
    for (int i = 0; i < 6; i++) {
      uint32_t lo = (uint32_t) args[i], hi = (uint32_t) (args[i] >> 32);
      memcpy(data + 16 + 8 * i + (be ? 4 : 0), &lo, 4);
      memcpy(data + 16 + 8 * i + (be ? 0 : 4), &hi, 4);
    }
    uint32_t want[2];
    for (size_t i = 0; i < np; i++) {
      bool ok = true;
      want[i] = t_interp(p[i].insns, p[i].len, data, NULL, NULL, &ok);
    }
    size_t matches = 0;
    const cell_sc_fact *m = NULL;
    for (size_t i = 0; i < fs->n; i++) {
      const cell_sc_fact *f = &fs->v[i];
      if ((named ? f->audit != audit || f->arch < 0 : f->arch >= 0) || nr < f->lo || nr > f->hi)
        continue;
      bool bad = false;
      const cell_sc_arch *ea = f->arch >= 0 ? &cell_sc_arches[f->arch] : NULL;
      if (f->when && !eval_when(f->when, ea, args, &bad) && !bad)
        continue;
      if (bad) {
        fprintf(stderr, "  cannot read condition `%s`\n", f->when);
        fails++;
        continue;
      }
      matches++;
      m = f;
    }
    if (matches != 1 || (m && (m->ret[0] != want[0] || (np == 2 && m->ret[1] != want[1])))) {
      fprintf(stderr, "  audit %#x nr %#x args %#llx,%#llx,%#llx: %zu facts hold", audit, nr,
              (unsigned long long) args[0], (unsigned long long) args[1],
              (unsigned long long) args[2], matches);
      if (m)
        fprintf(stderr, " (last [%#x..%#x] when %s: %#x/%#x, interpreter %#x/%#x)", m->lo, m->hi,
                m->when ? m->when : "-", m->ret[0], np == 2 ? m->ret[1] : 0, want[0],
                np == 2 ? want[1] : 0);
      fputc('\n', stderr);
      fails++;
    }
  }
  return fails;
}

static int compile_json(json_t *j, const char *native, cell_seccomp_filter *f)
{
  cell_seccomp_opts o = { .arch = native, .log = &(cell_log) { .fd = -1 } };
  cell_error err = CELL_ERROR_INIT;
  _cleanup_jdoc_ cell_jdoc *jd1_ = NULL;
  int r = cell_seccomp_compile_oci(t_jv(j, &jd1_), &o, f, &err);
  cell_error_clear(&err);
  return r;
}

static unsigned env_count(const char *name, unsigned def)
{
  const char *v = getenv(name);
  return v && *v ? (unsigned) strtoul(v, NULL, 10) : def;
}

TEST(analyze_facts_exact_on_random_profiles)
{
  uint64_t seed = env_count("SECCOMP_ANALYZE_SEED", 0) ? env_count("SECCOMP_ANALYZE_SEED", 0)
                                                        : 0x5eed0021;
  unsigned n = env_count("SECCOMP_ANALYZE_N", 60);
  fprintf(stderr, "  seed %#llx, %u profile pairs (SECCOMP_ANALYZE_SEED, SECCOMP_ANALYZE_N)\n",
          (unsigned long long) seed, n);
  uint64_t s = seed;
  unsigned pairs = 0;
  for (unsigned i = 0; i < n; i++) {
    json_t *a = t_random_profile(&s, i % 2 == 0), *b = t_random_profile(&s, true);
    const char *na = json_string_value(json_object_get(a, "x-native"));
    cell_seccomp_filter fa, fb;
    if (compile_json(a, na, &fa) < 0) {
      json_decref(a);
      json_decref(b);
      continue;
    }
    /* B: sometimes a profile of its own, sometimes libseccomp's BPF of A */
    struct sock_filter *lib = NULL;
    size_t nlib = 0;
    int rb;
    if (i % 3 == 0 && t_libseccomp(a, na, (int) (i % 2) * 2, &lib, &nlib) == 0) {
      fb = (cell_seccomp_filter) { .insns = lib, .len = nlib };
      rb = 0;
    } else
      rb = compile_json(b, json_string_value(json_object_get(b, "x-native")), &fb);
    if (rb == 0) {
      cell_sc_prog p[2] = { { fa.insns, fa.len }, { fb.insns, fb.len } };
      cell_sc_facts fs;
      cell_error err = CELL_ERROR_INIT;
      int r = cell_sc_analyze(p, 2, false, &fs, &err);
      if (r < 0)
        fprintf(stderr, "  pair %u: %s\n", i, err.msg);
      CHECK(r == 0);
      if (r == 0) {
        int fails = hold(p, 2, &fs, &s, 3000);
        if (fails)
          fprintf(stderr, "  pair %u (seed %#llx)\n", i, (unsigned long long) seed);
        CHECK(fails == 0);
        cell_sc_facts_free(&fs);
        pairs++;
      }
      cell_error_clear(&err);
      cell_seccomp_filter_free(&fb);
    }
    cell_seccomp_filter_free(&fa);
    json_decref(a);
    json_decref(b);
  }
  CHECK(pairs > n / 2);
}

static json_t *load_json_file(const char *path)
{
  return json_load_file(path, 0, NULL);
}

static int compile_file(const char *path, cell_seccomp_filter *f)
{
  cell_error err = CELL_ERROR_INIT;
  cell_sc_lang_opts lo = { .native_arch = "x86_64", .log = &(cell_log) { .fd = -1 } };
  int r = cell_sc_lang_compile_filter(path, NULL, 0, &lo, f, &err);
  if (r < 0)
    fprintf(stderr, "  %s\n", err.msg);
  cell_error_clear(&err);
  return r;
}

TEST(analyze_podman_profile_against_the_project_default)
{
  json_t *pod = load_json_file("/usr/share/containers/seccomp.json");
  if (!pod)
    SKIP("no /usr/share/containers/seccomp.json (golang-github-containers-common)");
  cell_seccomp_filter fa, fb;
  CHECK(compile_json(pod, "x86_64", &fa) == 0);
  CHECK(compile_file(CELL_SOURCE_ROOT "/examples/podman-default.sec", &fb) == 0);
  cell_sc_prog p[2] = { { fa.insns, fa.len }, { fb.insns, fb.len } };
  cell_sc_facts fs;
  cell_error err = CELL_ERROR_INIT;
  CHECK(cell_sc_analyze(p, 2, false, &fs, &err) == 0);
  uint64_t s = 21;
  CHECK(hold(p, 2, &fs, &s, 20000) == 0);
  cell_sc_facts_free(&fs);
  /* the texts: what differs is where podman's file relies on capability
   * conditions (includes/excludes) and archMap, which the JSON front end
   * does not read, so socket's audit rule is allowed there */
  char *text = NULL;
  size_t nd = 0;
  const char *labels[2] = { "podman", "cell" };
  CHECK(cell_sc_diff(p, labels, &text, &nd, &err) == 0);
  CHECK(nd > 0);
  CHECK(strstr(text, "x86_64: podman allows `socket` when arg0 == 16 and arg2 == 9 (EINVAL in cell)\n") != NULL);
  CHECK(strstr(text, "x32, x86: podman kills the thread on `personality` when arg0 in (0, 8, 0x20000, "
                     "0x20008, 0xffffffff) (allowed in cell)\n") != NULL);
  free(text);
  cell_error_clear(&err);
  cell_seccomp_filter_free(&fa);
  cell_seccomp_filter_free(&fb);
  json_decref(pod);
}

static const char a_json[] =
  "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\"],\"syscalls\":["
  "{\"names\":[\"read\",\"write\",\"clone3\"],\"action\":\"SCMP_ACT_ALLOW\"},"
  "{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":2114060288,"
  "\"valueTwo\":0,\"op\":\"SCMP_CMP_MASKED_EQ\"}]},"
  "{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":8,\"op\":\"SCMP_CMP_EQ\"}]},"
  "{\"names\":[\"mmap\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":2,\"value\":7,\"op\":\"SCMP_CMP_LT\"}]},"
  "{\"names\":[\"lseek\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":1,\"value\":4294967296,\"op\":\"SCMP_CMP_GT\"}]},"
  "{\"names\":[\"kill\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13,\"args\":[{\"index\":1,\"value\":9,\"op\":\"SCMP_CMP_EQ\"}]}]}";

static const char b_sec[] =
  "arch x86_64;\n"
  "$syscall in (read, write, clone) => ALLOW;\n"
  "$syscall == personality && $arg0 in (0, 8) => ALLOW;\n"
  "$syscall == mmap && $arg2 <= 7 => ALLOW;\n"
  "$syscall == lseek => ALLOW;\n"
  "$syscall == kill && $arg1 == 9 => ERRNO(EACCES);\n"
  "$syscall == clone3 => ERRNO(ENOSYS);\n"
  "=> ERRNO(EPERM);\n";

static void two(cell_seccomp_filter *fa, cell_seccomp_filter *fb)
{
  json_t *a = json_loads(a_json, 0, NULL);
  cell_error err = CELL_ERROR_INIT;
  cell_sc_lang_opts lo = { .native_arch = "x86_64", .log = &(cell_log) { .fd = -1 } };
  if (compile_json(a, "x86_64", fa) < 0 ||
      cell_sc_lang_compile_filter("b.sec", b_sec, strlen(b_sec), &lo, fb, &err) < 0)
    abort();
  json_decref(a);
}

TEST(diff_known_differences_exact_text)
{
  cell_seccomp_filter fa, fb;
  two(&fa, &fb);
  cell_sc_prog p[2] = { { fa.insns, fa.len }, { fb.insns, fb.len } };
  const char *labels[2] = { "A", "B" };
  char *text = NULL;
  size_t nd = 0;
  cell_error err = CELL_ERROR_INIT;
  CHECK(cell_sc_diff(p, labels, &text, &nd, &err) == 0);
  /* B's stub starts above kill (62) + 1; A's above lseek... the highest
   * number A names is clone3's 435: everything between is ENOSYS in one
   * and EPERM in the other */
  const char *want[] = {
    "x86_64: A fails `clone` with EPERM when arg0 & 0x7e020000 != 0 (allowed in B)\n",
    "x86_64: A allows `clone3` (ENOSYS in B)\n",
    "x86_64: A fails `lseek` with EPERM when arg1 <= 0x100000000 (allowed in B)\n",
    "x86_64: A fails `mmap` with EPERM when arg2 == 7 (allowed in B)\n",
    "x86_64: A fails `personality` with EPERM when arg0 == 0 (allowed in B)\n",
  };
  for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
    if (!strstr(text, want[i]))
      fprintf(stderr, "  missing: %s", want[i]);
    CHECK(strstr(text, want[i]) != NULL);
  }
  /* kill decides alike: EACCES for signal 9, EPERM otherwise, in both */
  CHECK(strstr(text, "`kill`") == NULL);
  /* A's JSON gets the ENOSYS stub above its highest number (clone3, 435),
   * B has none */
  CHECK(strstr(text, "x86_64: A fails numbers 472..1073741823 (not in the table) with ENOSYS (EPERM in B)\n") != NULL);
  /* and the same pair the other way round */
  cell_sc_prog q[2] = { p[1], p[0] };
  const char *lb[2] = { "B", "A" };
  char *back = NULL;
  size_t nb = 0;
  CHECK(cell_sc_diff(q, lb, &back, &nb, &err) == 0);
  CHECK(nb == nd);
  CHECK(strstr(back, "x86_64: B allows `clone` when arg0 & 0x7e020000 != 0 (EPERM in A)\n") != NULL);
  /* a filter against itself */
  cell_sc_prog same[2] = { p[0], p[0] };
  char *none = NULL;
  size_t nn = 1;
  CHECK(cell_sc_diff(same, labels, &none, &nn, &err) == 0);
  CHECK(nn == 0);
  CHECK_STR(none, "no differences: both decide every call alike\n");
  free(text);
  free(back);
  free(none);
  cell_seccomp_filter_free(&fa);
  cell_seccomp_filter_free(&fb);
}

TEST(explain_json_and_its_bpf_read_the_same)
{
  cell_seccomp_filter fa, fb;
  two(&fa, &fb);
  /* the JSON's own filter, and the same bytes loaded as raw BPF */
  cell_seccomp_filter raw;
  cell_error err = CELL_ERROR_INIT;
  CHECK(cell_seccomp_from_bpf(fa.insns, fa.len * sizeof *fa.insns, &raw, &err) == 0);
  char *t1 = NULL, *t2 = NULL;
  cell_sc_prog p1 = { fa.insns, fa.len }, p2 = { raw.insns, raw.len };
  CHECK(cell_sc_explain(&p1, &t1, &err) == 0);
  CHECK(cell_sc_explain(&p2, &t2, &err) == 0);
  CHECK_STR(t1, t2);
  CHECK(strstr(t1, "x86_64:\n  EPERM: every syscall not listed below\n") != NULL);
  CHECK(strstr(t1, "    clone: allowed when arg0 & 0x7e020000 == 0; otherwise EPERM\n") != NULL);
  CHECK(strstr(t1, "    personality: allowed when arg0 == 8; otherwise EPERM\n") != NULL);
  CHECK(strstr(t1, "    mmap: allowed when arg2 < 7; otherwise EPERM\n") != NULL);
  CHECK(strstr(t1, "    lseek: allowed when arg1 > 0x100000000; otherwise EPERM\n") != NULL);
  CHECK(strstr(t1, "    kill: EACCES when arg1 == 9; otherwise EPERM\n") != NULL);
  CHECK(strstr(t1, "  io:\n    ENOSYS (1): epoll_pwait2\n    allowed (2): read, write\n") != NULL);
  CHECK(strstr(t1, "other architectures: KILL_THREAD\n") != NULL);
  /* libseccomp's BPF of the same JSON reads the same too */
  json_t *a = json_loads(a_json, 0, NULL);
  struct sock_filter *lib = NULL;
  size_t nlib = 0;
  if (t_libseccomp(a, "x86_64", 2, &lib, &nlib) == 0) {
    char *t3 = NULL;
    cell_sc_prog p3 = { lib, nlib };
    CHECK(cell_sc_explain(&p3, &t3, &err) == 0);
    CHECK(t3 && strstr(t3, "    personality: allowed when arg0 == 8; otherwise EPERM\n") != NULL);
    free(t3);
    free(lib);
  }
  json_decref(a);
  free(t1);
  free(t2);
  cell_seccomp_filter_free(&raw);
  cell_seccomp_filter_free(&fa);
  cell_seccomp_filter_free(&fb);
}

TEST(explain_facts_exact_on_the_example_policies)
{
  static const char *files[] = { "examples/podman-default.sec", "examples/service.sec",
                                 "examples/per-arch.sec" };
  uint64_t s = 77;
  for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", CELL_SOURCE_ROOT, files[i]);
    cell_seccomp_filter f;
    if (compile_file(path, &f) < 0) {
      CHECK(0);
      continue;
    }
    cell_sc_prog p = { f.insns, f.len };
    cell_sc_facts fs;
    cell_error err = CELL_ERROR_INIT;
    CHECK(cell_sc_analyze(&p, 1, false, &fs, &err) == 0);
    CHECK(hold(&p, 1, &fs, &s, 5000) == 0);
    cell_sc_facts_free(&fs);
    cell_seccomp_filter_free(&f);
  }
}

TEST(analyze_refuses_what_it_cannot_read)
{
  /* arithmetic on an argument: refused with the instruction named */
  struct sock_filter prog[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 16),
    BPF_STMT(BPF_ALU | BPF_ADD | BPF_K, 1),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 5, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, 0x7fff0000),
    BPF_STMT(BPF_RET | BPF_K, 0x00050001),
  };
  cell_sc_prog p = { prog, 5 };
  cell_sc_facts fs;
  cell_error err = CELL_ERROR_INIT;
  CHECK(cell_sc_analyze(&p, 1, false, &fs, &err) == -EINVAL);
  CHECK_STR(err.msg, "seccomp analysis: instruction 1 does arithmetic on an argument; only AND "
                     "with a constant can be analysed");
  cell_error_clear(&err);
}

TEST(family_table_covers_the_syscalls)
{
  CHECK(cell_sc_family_sorted());
  static const char *others =
    " afs_syscall atomic_barrier atomic_cmpxchg_32 break breakpoint getpmsg gtty lock mpx "
    "multiplexer prof profil putpmsg riscv_hwprobe rtas s390_guarded_storage s390_pci_mmio_read "
    "s390_pci_mmio_write s390_runtime_instr s390_sthyi security spu_create spu_run stty swapcontext "
    "switch_endian syscall sys_debug_setcontext sysmips tuxcall usr26 usr32 vserver ";
  for (unsigned i = 0; i < cell_sc_nsyscalls; i++) {
    const char *n = cell_sc_syscalls[i].name;
    char key[64];
    snprintf(key, sizeof key, " %s ", n);
    bool other = strcmp(cell_sc_family(n), "other") == 0;
    if (other != (strstr(others, key) != NULL))
      fprintf(stderr, "  %s: family %s\n", n, cell_sc_family(n));
    CHECK(other == (strstr(others, key) != NULL));
  }
  CHECK_STR(cell_sc_family("openat"), "files");
  CHECK_STR(cell_sc_family("socket"), "network");
  CHECK_STR(cell_sc_family("clone3"), "processes");
  CHECK_STR(cell_sc_family("mmap"), "memory");
  CHECK_STR(cell_sc_family("futex"), "ipc");
}
