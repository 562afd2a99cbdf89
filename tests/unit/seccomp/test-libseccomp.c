/* The differential test (issue 14): cell's decisions against libseccomp
 * 2.5.4's for the same OCI profile, added as runc adds it (helpers.c:
 * rules with the default action skipped, two conditions on one argument
 * split), on every input the test makes.
 *
 * For each profile:
 *  - cell compiles it (cell_sc_oci_to_ir, codegen, the checker); its
 *    program, run by the test's own interpreter and by sim.c, must give
 *    the IR's decision (cell_sc_ir_eval) on every input;
 *  - libseccomp exports its program (in a worker process: it hangs on
 *    some profiles); run by the interpreter it must give exactly the
 *    decision of cell's model of libseccomp: the IR compiled with x32
 *    compared on 32 bits and without the ENOSYS stub;
 *  - so cell and libseccomp differ only in the two documented ways, each
 *    counted and asserted as exactly that: the ENOSYS stub (cell gives
 *    ERRNO(ENOSYS) where libseccomp gives the denying default, above the
 *    highest syscall of an arch's rules) and x32 width (cell's decision is
 *    the model's with 64-bit compares, libseccomp's the model's with
 *    32-bit ones);
 *  - a profile libseccomp refuses (EEXIST) cell refuses too, naming both
 *    rules, the syscall and both actions; one libseccomp does not finish
 *    cell refuses as such;
 *  - every tenth profile also goes through `convert --to sec`: the policy
 *    must decide as the JSON does on every input.
 * Random profiles: SECCOMP_DIFF_N (2000) of them from SECCOMP_DIFF_SEED
 * (1 unless set; printed; tests/seccomp-sweep runs a range of seeds); at
 * least half are groups of 2-4 rules for one syscall with
 * different actions on the same 1-3 arguments and values from a small set.
 * Real profiles: podman's (/usr/share/containers/seccomp.json) and the
 * Docker- and Kubernetes-shaped ones in data/, on every syscall number of
 * every architecture.  The last line: "differential: N profiles, M
 * inputs, 0 differ". */
#include "unit.h"
#include "jv.h"
#include "helpers.h"
#include "podman-profile.h"
#include "seccomp/lang/lang.h"
#include "seccomp/oci.h"

#include <seccomp.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct stats {
  unsigned long profiles, inputs, differ, stub, x32, refused, hung, lib_bug, converted, conv_inputs;
} stats;

static stats total;

typedef struct compiled {
  cell_sc_ir ir, ir32;   /* cell's; its model of libseccomp (x32 on 32 bits) */
  struct sock_filter *f;
  size_t n;
  char msg[1024];
  int r;
} compiled;

static int compile(json_t *p, compiled *c)
{
  cell_log quiet = { .fd = open("/dev/null", O_WRONLY | O_CLOEXEC), .format = CELL_LOG_TEXT };
  cell_seccomp_opts opts = { .arch = "x86_64", .log = &quiet };
  cell_sc_oci_result res;
  cell_error err = CELL_ERROR_INIT;
  memset(c, 0, sizeof *c);
  cell_sc_ir_init(&c->ir);
  cell_sc_ir_init(&c->ir32);
  _cleanup_jdoc_ cell_jdoc *jd1_ = NULL;
  int r = cell_sc_oci_to_ir(t_jv(p, &jd1_), &opts, &c->ir, &res, &err);
  if (r == 0) {
    opts.x32_libseccomp_width = true;
    _cleanup_jdoc_ cell_jdoc *jd2_ = NULL;
    r = cell_sc_oci_to_ir(t_jv(p, &jd2_), &opts, &c->ir32, &res, &err);
    c->ir32.enosys_stub = false;
  }
  if (r == 0)
    r = cell_sc_codegen(&c->ir, &c->f, &c->n, &err);
  if (r == 0)
    r = cell_seccomp_check(c->f, c->n, &err);
  if (r < 0)
    snprintf(c->msg, sizeof c->msg, "%s", err.msg ? err.msg : "?");
  cell_error_cleanup(&err);
  close(quiet.fd);
  return c->r = r;
}

static void compiled_free(compiled *c)
{
  cell_sc_ir_free(&c->ir);
  cell_sc_ir_free(&c->ir32);
  free(c->f);
}

static void show(const char *why, size_t arch, uint32_t nr, const uint64_t a[6], uint32_t cell, uint32_t lib,
                 uint32_t model)
{
  char b1[32], b2[32], b3[32];
  fprintf(stderr, "  %s: %s nr %#x args %llx %llx %llx %llx %llx %llx: cell %s libseccomp %s model %s\n", why,
          cell_sc_arches[arch].short_name, nr, (unsigned long long) a[0], (unsigned long long) a[1],
          (unsigned long long) a[2], (unsigned long long) a[3], (unsigned long long) a[4],
          (unsigned long long) a[5], cell_seccomp_action_str(cell, b1), cell_seccomp_action_str(lib, b2),
          cell_seccomp_action_str(model, b3));
}

static const t_pfc *cur_pfc;

static int check_input(stats *st, compiled *c, const struct sock_filter *lf, size_t ln, size_t arch,
                       uint32_t nr, const uint64_t args[6])
{
  unsigned char d[64];
  bool ok;
  t_data(d, arch, nr, args);
  st->inputs++;
  uint32_t audit = cell_sc_arches[arch].audit;
  uint32_t cell = t_interp(c->f, c->n, d, NULL, NULL, &ok);
  uint32_t want = cell_sc_ir_eval(&c->ir, audit, nr, args);
  if (!ok || cell != want || cell_seccomp_run(c->f, c->n, (const cell_seccomp_data *) d, NULL) != cell) {
    show(ok ? "cell's program differs from its IR" : "cell's program ran off", arch, nr, args, cell, 0, want);
    st->differ++;
    return -1;
  }
  if (!lf)
    return 0;
  uint32_t lib = t_interp(lf, ln, d, NULL, NULL, &ok), tree;
  /* where its program and its own statement of the tree disagree (its
   * accumulator tracking loses a load), the tree is libseccomp's meaning */
  if (ok && cur_pfc && t_pfc_eval(cur_pfc, &cell_sc_arches[arch], audit, nr, args, &tree) && tree != lib) {
    st->lib_bug++;
    lib = tree;
  } else if (ok && t_interp_stale_arch) {
    st->lib_bug++;   /* compares the arch word as a number and found nothing: no block */
    return 0;
  }
  uint32_t model = cell_sc_ir_eval(&c->ir32, audit, nr, args);
  if (!ok || lib != model) {
    show(ok ? "libseccomp differs from cell's model of it" : "libseccomp's program ran off", arch, nr, args, cell,
         lib, model);
    st->differ++;
    return -1;
  }
  if (cell == lib)
    return 0;
  c->ir.enosys_stub = false;
  uint32_t nostub = cell_sc_ir_eval(&c->ir, audit, nr, args);
  c->ir.enosys_stub = true;
  /* the stub: cell's decision without it is libseccomp's */
  bool stub = cell == (CELL_SC_RET_ERRNO | ENOSYS) && nostub != cell;
  uint32_t core = stub ? nostub : cell;
  if (core == lib) {
    st->stub++;
    return 0;
  }
  /* x32 width: libseccomp decides as the model with 32-bit compares (the
   * check above), cell as the same model with 64-bit ones */
  uint8_t col = cell_sc_arches[arch].col;
  bool x32 = (col == CELL_SC_COL_X86_64 || col == CELL_SC_COL_X32) && nr >= CELL_SC_X32_BIT && nr != UINT32_MAX;
  if (x32) {
    st->x32++;
    st->stub += stub;
    return 0;
  }
  show("cell differs from libseccomp", arch, nr, args, cell, lib, model);
  st->differ++;
  return -1;
}

/* ---- inputs ---------------------------------------------------------------- */

static const uint64_t edge[] = {
  0, 1, 2, 3, 0xff, 0x100, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0x100000000ull,
  0x100000001ull, 0x1ffffffffull, 0xffffffff00000000ull, 0x8000000000000000ull, UINT64_MAX,
};
#define NEDGE (sizeof edge / sizeof edge[0])

/* the values a profile compares with, per argument */
typedef struct vals { uint64_t v[6][48]; size_t n[6]; } vals;

static void add_val(vals *vs, unsigned arg, uint64_t v)
{
  uint64_t cand[] = { v, v + 1, v - 1, v << 32, v >> 32, v ^ (1ull << 32), v & 0xffffffffu, ~v };
  for (size_t i = 0; i < sizeof cand / sizeof cand[0] && vs->n[arg] < 48; i++)
    vs->v[arg][vs->n[arg]++] = cand[i];
}

static void profile_vals(json_t *p, vals *vs)
{
  memset(vs, 0, sizeof *vs);
  size_t i, j;
  json_t *r, *a;
  json_array_foreach(json_object_get(p, "syscalls"), i, r)
    json_array_foreach(json_object_get(r, "args"), j, a) {
      unsigned arg = (unsigned) json_integer_value(json_object_get(a, "index")) % 6;
      add_val(vs, arg, (uint64_t) json_integer_value(json_object_get(a, "value")));
      json_t *two = json_object_get(a, "valueTwo");
      if (two)
        add_val(vs, arg, (uint64_t) json_integer_value(two));
    }
}

static void rand_args(uint64_t *s, const vals *vs, uint64_t args[6])
{
  for (int k = 0; k < 6; k++) {
    unsigned w = (unsigned) (t_rand(s) % 8);
    if (vs->n[k] && w < 6)
      args[k] = vs->v[k][t_rand(s) % vs->n[k]];
    else if (w < 7)
      args[k] = edge[t_rand(s) % NEDGE];
    else
      args[k] = t_rand(s);
  }
}

/* the numbers a profile's names have on arch (socketcall/ipc included) */
static size_t profile_nrs(json_t *p, size_t arch, uint32_t *out, size_t max)
{
  const cell_sc_arch *a = &cell_sc_arches[arch];
  size_t n = 0, i, k;
  json_t *r, *nm;
  json_array_foreach(json_object_get(p, "syscalls"), i, r)
    json_array_foreach(json_object_get(r, "names"), k, nm) {
      const cell_sc_syscall *s = cell_sc_syscall_lookup(json_string_value(nm));
      if (!s)
        continue;
      int64_t nr = cell_sc_syscall_nr(a, s);
      uint32_t mux, call;
      if (nr >= 0 && n < max)
        out[n++] = (uint32_t) nr;
      if (cell_sc_multiplexed(a, s->name, &mux, &call) && n < max)
        out[n++] = mux;
    }
  return n;
}

/* the architectures libseccomp gets in one filter with x86_64 */
static const char *const le_arches[] = { "x86_64", "x86", "x32", "aarch64", "arm", "riscv64", "mipsel", "mipsel64",
                                         "ppc64le" };
#define NLE (sizeof le_arches / sizeof le_arches[0])

static size_t arch_ix(const char *name)
{
  return cell_sc_arch_index(cell_sc_arch_by_name(name));
}

/* Compare one profile; per rule-named number and arch `per` inputs, and
 * `extra` random ones.  Returns -1 on a difference. */
static int diff_profile(stats *st, json_t *p, uint64_t *s, unsigned per, unsigned extra, bool convert)
{
  compiled c;
  struct sock_filter *lf = NULL;
  size_t ln = 0;
  int bad = 0;
  st->profiles++;
  int cr = compile(p, &c);
  int lr = t_libseccomp(p, "x86_64", 0, &lf, &ln);
  if (lr == -ETIMEDOUT || lr == -EEXIST || cr == -EEXIST || cr == -ELOOP) {
    /* refused: by both, and for the same reason */
    bool same = (lr == -ETIMEDOUT && cr == -ELOOP) || (lr == -EEXIST && cr == -EEXIST);
    if (same && cr == -EEXIST) {
      /* both rules, the syscall and both actions named */
      const char *m = c.msg, *first = strstr(m, "syscalls["), *second = first ? strstr(first + 1, "syscalls[") : NULL;
      same = second && strstr(m, "conflicts with") && strstr(m, "\" (") && strstr(m, " there and ") &&
             strstr(m, " here ");
    }
    if (!same) {
      char *t = json_dumps(p, JSON_COMPACT);
      fprintf(stderr, "  refusal differs: libseccomp %d, cell %d (%s)\n  profile: %s\n", lr, cr, c.msg, t);
      free(t);
      st->differ++;
      bad = -1;
    } else if (lr == -ETIMEDOUT)
      st->hung++;
    else
      st->refused++;
    compiled_free(&c);
    free(lf);
    return bad;
  }
  if (cr < 0 || lr < 0) {
    char *t = json_dumps(p, JSON_COMPACT);
    fprintf(stderr, "  compile: cell %d (%s), libseccomp %d\n  profile: %s\n", cr, c.msg, lr, t);
    free(t);
    st->differ++;
    compiled_free(&c);
    free(lf);
    return -1;
  }
  t_pfc pf;
  t_pfc_parse(t_libseccomp_pfc(), &pf);
  cur_pfc = &pf;
  vals vs;
  profile_vals(p, &vs);
  uint32_t nrs[256];
  for (size_t ai = 0; ai < c.ir.narches && !bad; ai++) {
    size_t arch = c.ir.arches[ai];
    size_t nn = profile_nrs(p, arch, nrs, 256);
    for (size_t k = 0; k < nn && !bad; k++)
      for (unsigned t = 0; t < per && !bad; t++) {
        uint64_t args[6] = { 0 };
        if (t)
          rand_args(s, &vs, args);
        bad = check_input(st, &c, lf, ln, arch, nrs[k] + (t % 17 == 16), args);
      }
  }
  for (unsigned t = 0; t < extra && !bad; t++) {
    size_t arch = t % 3 ? c.ir.arches[t_rand(s) % c.ir.narches] : arch_ix(le_arches[t_rand(s) % NLE]);
    uint32_t base = cell_sc_arches[arch].nr_base;
    static const uint32_t odd[] = { 0x3fffffff, 0x40000000, 0x40000001, 0x7fffffff, 0xfffffffe, 0xffffffff };
    uint32_t nr = t % 5 == 4 ? odd[t_rand(s) % 6] : base + (uint32_t) (t_rand(s) % 600);
    uint64_t args[6];
    rand_args(s, &vs, args);
    bad = check_input(st, &c, lf, ln, arch, nr, args);
  }
  if (!bad && convert) {
    /* `convert --to sec`: the policy decides as the JSON does */
    char *text = NULL;
    cell_error err = CELL_ERROR_INIT;
    cell_sc_ir pir;
    cell_sc_ir_init(&pir);
    cell_log quiet = { .fd = -1 };
    cell_sc_lang_opts lo = { .native_arch = "x86_64", .log = &quiet };
    _cleanup_jdoc_ cell_jdoc *jd3_ = NULL;
    int r = cell_sc_lang_from_json(t_jv(p, &jd3_), &text, &err);
    if (r == 0)
      r = cell_sc_lang_compile_string("converted.sec", text, strlen(text), &lo, &pir, &err);
    if (r < 0) {
      fprintf(stderr, "  convert --to sec: %s\n%s\n", err.msg, text ? text : "");
      bad = -1;
      st->differ++;
    }
    st->converted++;
    for (unsigned t = 0; t < 4 * per && !bad; t++) {
      size_t arch = c.ir.arches[t_rand(s) % c.ir.narches];
      size_t nn = profile_nrs(p, arch, nrs, 256);
      uint32_t nr = nn && t % 4 ? nrs[t_rand(s) % nn] : cell_sc_arches[arch].nr_base + (uint32_t) (t_rand(s) % 600);
      uint64_t args[6];
      rand_args(s, &vs, args);
      uint32_t x = cell_sc_ir_eval(&c.ir, cell_sc_arches[arch].audit, nr, args);
      uint32_t y = cell_sc_ir_eval(&pir, cell_sc_arches[arch].audit, nr, args);
      st->conv_inputs++;
      if (x != y) {
        show("converted policy differs from the JSON", arch, nr, args, x, 0, y);
        fprintf(stderr, "%s\n", text);
        bad = -1;
        st->differ++;
      }
    }
    cell_sc_ir_free(&pir);
    cell_error_cleanup(&err);
    free(text);
  }
  if (bad) {
    char *t = json_dumps(p, JSON_COMPACT);
    fprintf(stderr, "  profile: %s\n", t);
    free(t);
  }
  free(pf.l);
  cur_pfc = NULL;
  compiled_free(&c);
  free(lf);
  return bad;
}

/* ---- random profiles ------------------------------------------------------- */

static const char *const act_pool[] = {
  "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
  "SCMP_ACT_LOG", "SCMP_ACT_ALLOW", "SCMP_ACT_NOTIFY", "SCMP_ACT_KILL",
};
static const char *const op_pool[] = { "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
                                       "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ" };

static void set_action(uint64_t *s, json_t *o, const char *key, const char *ekey, bool dflt)
{
  /* ERRNO and TRACE often, with different data */
  unsigned k = (unsigned) (t_rand(s) % 12);
  const char *a = k < 3 ? "SCMP_ACT_ERRNO" : k < 5 ? "SCMP_ACT_TRACE" : act_pool[k - 3];
  if (dflt && !strcmp(a, "SCMP_ACT_NOTIFY"))
    a = "SCMP_ACT_KILL_PROCESS";   /* libseccomp refuses NOTIFY as the default */
  json_object_set_new(o, key, json_string(a));
  static const int data[] = { 1, 13, 95, 38 };
  if ((!strcmp(a, "SCMP_ACT_ERRNO") || !strcmp(a, "SCMP_ACT_TRACE")) && t_rand(s) % 4)
    json_object_set_new(o, ekey, json_integer(data[t_rand(s) % 4]));
}

static json_t *cond_json(uint64_t *s, unsigned idx, const uint64_t *pool, size_t np)
{
  json_t *a = json_pack("{s:i, s:I, s:s}", "index", (int) idx, "value",
                        (json_int_t) pool[t_rand(s) % np], "op", op_pool[t_rand(s) % 7]);
  if (t_rand(s) % 2)
    json_object_set_new(a, "valueTwo", json_integer((json_int_t) pool[t_rand(s) % np]));
  return a;
}

static const char *pick_name(uint64_t *s)
{
  static const char *fixed[] = { "socket", "connect", "accept4", "sendmsg", "semop", "shmat", "fcntl",
                                 "clone", "personality", "ioctl", "read", "mmap" };
  size_t n;
  const char **names = t_agreed_names(&n);
  return t_rand(s) % 2 ? fixed[t_rand(s) % 12] : names[t_rand(s) % n];
}

static json_t *random_profile(uint64_t *s, bool overlap)
{
  json_t *p = json_object();
  set_action(s, p, "defaultAction", "defaultErrnoRet", true);
  json_t *archs = json_array();
  size_t narch = t_rand(s) % 4;
  for (size_t i = 0; i < narch; i++)
    json_array_append_new(archs, json_string(cell_sc_arch_by_name(le_arches[1 + t_rand(s) % 4])->name));
  if (t_rand(s) % 4 == 0)
    json_array_append_new(archs, json_string(cell_sc_arch_by_name(le_arches[5 + t_rand(s) % 4])->name));
  json_object_set_new(p, "architectures", archs);
  json_object_set_new(p, "listenerPath", json_string("/run/agent.sock"));
  json_t *calls = json_array();
  /* a small set of values so that rules overlap, 64-bit ones among them */
  uint64_t pool[6];
  size_t np = 2 + t_rand(s) % 4;
  for (size_t i = 0; i < np; i++)
    pool[i] = t_rand(s) % 3 ? edge[t_rand(s) % NEDGE] : t_rand(s);
  if (overlap) {
    size_t groups = 1 + t_rand(s) % 3;
    for (size_t g = 0; g < groups; g++) {
      const char *name = pick_name(s);
      unsigned args[3];
      size_t na = 1 + t_rand(s) % 3;
      for (size_t i = 0; i < na; i++)
        args[i] = (unsigned) (t_rand(s) % 6);
      size_t nr = 2 + t_rand(s) % 3;
      for (size_t k = 0; k < nr; k++) {
        json_t *r = json_object();
        json_object_set_new(r, "names", json_pack("[s]", name));
        set_action(s, r, "action", "errnoRet", false);
        json_t *a = json_array();
        size_t nc = t_rand(s) % 9 == 0 ? 0 : 1 + t_rand(s) % na;
        for (size_t i = 0; i < nc; i++)
          json_array_append_new(a, cond_json(s, args[t_rand(s) % na], pool, np));
        if (nc)
          json_object_set_new(r, "args", a);
        else
          json_decref(a);
        json_array_append_new(calls, r);
      }
    }
  }
  size_t filler = overlap ? t_rand(s) % 3 : 1 + t_rand(s) % 8;
  for (size_t i = 0; i < filler; i++) {
    json_t *r = json_object(), *nm = json_array();
    size_t k = 1 + t_rand(s) % 3;
    for (size_t j = 0; j < k; j++)
      json_array_append_new(nm, json_string(pick_name(s)));
    json_object_set_new(r, "names", nm);
    set_action(s, r, "action", "errnoRet", false);
    size_t nc = t_rand(s) % 4;
    if (nc) {
      json_t *a = json_array();
      for (size_t j = 0; j < nc; j++)
        json_array_append_new(a, cond_json(s, (unsigned) (t_rand(s) % 3), pool, np));
      json_object_set_new(r, "args", a);
    }
    json_array_append_new(calls, r);
  }
  if (t_rand(s) % 2) {
    /* shuffle: the same rules in another order */
    size_t n = json_array_size(calls);
    for (size_t i = n; i > 1; i--) {
      size_t j = t_rand(s) % i;
      json_t *x = json_incref(json_array_get(calls, i - 1));
      json_array_set(calls, i - 1, json_array_get(calls, j));
      json_array_set_new(calls, j, x);
    }
  }
  json_object_set_new(p, "syscalls", calls);
  return p;
}

static unsigned long env_num(const char *name, unsigned long dflt)
{
  const char *v = getenv(name);
  return v && *v ? strtoul(v, NULL, 0) : dflt;
}

TEST(diff_random_profiles)
{
  unsigned long n = env_num("SECCOMP_DIFF_N", 2000);
  /* a fixed seed, so that CI is reproducible; tests/seccomp-sweep tries others */
  uint64_t seed = env_num("SECCOMP_DIFF_SEED", 1);
  if (!seed)
    seed = 1;
  fprintf(stderr, "  SECCOMP_DIFF_SEED=%llu SECCOMP_DIFF_N=%lu\n", (unsigned long long) seed, n);
  stats st = { 0 };
  uint64_t s = seed;
  unsigned failed = 0, overlapping = 0;
  for (unsigned long i = 0; i < n && failed < 5; i++) {
    bool overlap = i % 4 != 3;   /* three in four */
    overlapping += overlap;
    json_t *p = random_profile(&s, overlap);
    if (diff_profile(&st, p, &s, 24, 40, i % 10 == 0) < 0)
      failed++;
    json_decref(p);
  }
  CHECK_INT(failed, 0);
  CHECK_INT(st.differ, 0);
  CHECK(overlapping * 2 >= n);
  CHECK(n < 200 || (st.stub > 0 && st.x32 > 0 && st.refused > 0));
  fprintf(stderr, "  random: %lu profiles (%u with overlapping groups), %lu inputs; %lu refused by both (EEXIST), "
          "%lu that libseccomp does not finish refused by cell; ENOSYS stub %lu, x32 width %lu; "
          "%lu inputs where libseccomp's program departs from its own tree (stale accumulator); %lu converted "
          "to policies, %lu inputs; libseccomp's slowest profile %lld ms of CPU\n",
          st.profiles, overlapping, st.inputs, st.refused, st.hung, st.stub, st.x32, st.lib_bug, st.converted,
          st.conv_inputs, (long long) (t_libseccomp_max_cpu_ns() / 1000000));
  total.profiles += st.profiles;
  total.inputs += st.inputs + st.conv_inputs;
  total.differ += st.differ;
}

/* A real profile on every number of every arch it has, and its rules'
 * numbers with the values they test. */
static void diff_real(int *unit_failed_, json_t *p, const char *what)
{
  stats st = { 0 };
  compiled c;
  struct sock_filter *lf = NULL;
  size_t ln = 0;
  CHECK_INT(compile(p, &c), 0);
  CHECK_INT(t_libseccomp(p, "x86_64", 0, &lf, &ln), 0);
  if (c.r < 0 || !lf) {
    fprintf(stderr, "  %s: %s\n", what, c.msg);
    compiled_free(&c);
    free(lf);
    return;
  }
  uint64_t s = 7;
  t_pfc pf;
  t_pfc_parse(t_libseccomp_pfc(), &pf);
  cur_pfc = &pf;
  vals vs;
  profile_vals(p, &vs);
  int bad = 0;
  size_t archs[NLE];
  for (size_t i = 0; i < NLE; i++)
    archs[i] = arch_ix(le_arches[i]);
  for (size_t ai = 0; ai < NLE && !bad; ai++) {
    const cell_sc_arch *a = &cell_sc_arches[archs[ai]];
    uint32_t max = cell_sc_arch_max_nr(a) + 10;
    for (uint32_t nr = a->nr_base; nr <= max && !bad; nr = nr + 1 == a->nr_base + 1024 && max > a->nr_base + 0x10000 ? max - 64 : nr + 1)
      for (int t = 0; t < 4 && !bad; t++) {
        uint64_t args[6] = { 0 };
        if (t == 1)
          for (int k = 0; k < 6; k++)
            args[k] = 0xffffffff00000000ull;   /* high words set */
        else if (t > 1)
          rand_args(&s, &vs, args);
        bad = check_input(&st, &c, lf, ln, archs[ai], nr, args);
      }
    static const uint32_t odd[] = { 0x3fffffff, 0x40000000 - 1, 0x40000000 + 600, 0x7fffffff, 0xfffffffe,
                                    0xffffffff };
    for (size_t e = 0; e < 6 && !bad; e++)
      bad = check_input(&st, &c, lf, ln, archs[ai], odd[e], (uint64_t[6]) { 0 });
  }
  /* the rules' own numbers with the values they compare, many times */
  uint32_t nrs[1024];
  for (size_t ai = 0; ai < c.ir.narches && !bad; ai++) {
    size_t nn = profile_nrs(p, c.ir.arches[ai], nrs, 1024);
    for (size_t k = 0; k < nn && !bad; k++)
      for (int t = 0; t < 60 && !bad; t++) {
        uint64_t args[6];
        rand_args(&s, &vs, args);
        bad = check_input(&st, &c, lf, ln, c.ir.arches[ai], nrs[k], args);
      }
  }
  CHECK_INT(st.differ, 0);
  fprintf(stderr, "  %s: %lu inputs, cell %zu instructions, libseccomp %zu; ENOSYS stub %lu, x32 width %lu, "
          "libseccomp broken %lu\n", what, st.inputs, c.n, ln, st.stub, st.x32, st.lib_bug);
  total.profiles++;
  total.inputs += st.inputs;
  total.differ += st.differ;
  free(pf.l);
  cur_pfc = NULL;
  compiled_free(&c);
  free(lf);
}

TEST(diff_podman_default)
{
  json_t *p = t_podman_profile("amd64", "SCMP_ARCH_X86_64", t_podman_caps);
  if (!p)
    SKIP(T_PODMAN_PROFILE " not found (Debian's golang-github-containers-common, with podman)");
  CHECK(json_array_size(json_object_get(p, "syscalls")) > 10);
  CHECK_INT(json_array_size(json_object_get(p, "architectures")), 3);
  diff_real(unit_failed_, p, "podman");
  json_decref(p);
}

/* The project's own default profile (profiles/default.sec, which the build
 * turns into build/profiles/default.json the same way) and the podman
 * example, as the JSON `convert --to json` makes of them: against
 * libseccomp, and each policy against its JSON on every number. */
/* libseccomp 2.5.4 and cell's table give name the same number on the arches of ir */
static bool lib_agrees(const char *name, const cell_sc_ir *ir)
{
  const cell_sc_syscall *row = cell_sc_syscall_lookup(name);
  if (!row || seccomp_syscall_resolve_name(name) == __NR_SCMP_ERROR)
    return false;
  for (size_t i = 0; i < ir->narches; i++) {
    const cell_sc_arch *a = &cell_sc_arches[ir->arches[i]];
    int lib = seccomp_syscall_resolve_name_arch(seccomp_arch_resolve_name(a->short_name), name);
    int64_t ours = cell_sc_syscall_nr(a, row);
    if (lib < 0 ? ours >= 0 : ours != lib)
      return false;
  }
  return true;
}

static void diff_policy_as_json(int *unit_failed_, const char *rel)
{
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", CELL_SOURCE_ROOT, rel);
  cell_log quiet = { .fd = -1 };
  cell_sc_lang_opts lo = { .native_arch = "x86_64", .log = &quiet };
  cell_sc_ir pir;
  cell_error err = CELL_ERROR_INIT;
  json_t *j = NULL;
  cell_sc_ir_init(&pir);
  CHECK_INT(cell_sc_lang_compile_file(path, &lo, &pir, &err), 0);
  CHECK_INT(cell_sc_lang_ir_to_json(&pir, &j, &err), 0);
  if (err.msg)
    fprintf(stderr, "  %s: %s\n", rel, err.msg);
  if (j) {
    char what[256];
    snprintf(what, sizeof what, "%s as JSON", rel);
    /* for libseccomp: without the syscalls whose numbers 2.5.4 does not
     * know on these arches (runc and crun skip them; cell's table follows
     * Linux 7.1) */
    json_t *known = json_deep_copy(j), *calls = json_array(), *r;
    size_t i, k;
    json_array_foreach(json_object_get(known, "syscalls"), i, r) {
      json_t *names = json_array(), *nm;
      json_array_foreach(json_object_get(r, "names"), k, nm)
        if (lib_agrees(json_string_value(nm), &pir))
          json_array_append(names, nm);
      if (json_array_size(names)) {
        json_object_set_new(r, "names", names);
        json_array_append(calls, r);
      } else
        json_decref(names);
    }
    json_object_set_new(known, "syscalls", calls);
    diff_real(unit_failed_, known, what);
    json_decref(known);
    compiled c;
    CHECK_INT(compile(j, &c), 0);
    unsigned bad = 0;
    for (size_t ai = 0; ai < pir.narches; ai++) {
      const cell_sc_arch *a = &cell_sc_arches[pir.arches[ai]];
      for (uint32_t nr = a->nr_base; nr < a->nr_base + 1100; nr++)
        for (int t = 0; t < 4; t++) {
          uint64_t args[6] = { t == 1 ? 16 : t == 3 ? 0x10000000 : 0, t == 2 ? 0x7e020000 : 0, t ? 9 : 0, 0, 0, 0 };
          bad += cell_sc_ir_eval(&pir, a->audit, nr, args) != cell_sc_ir_eval(&c.ir, a->audit, nr, args);
        }
    }
    CHECK_INT(bad, 0);
    compiled_free(&c);
  }
  json_decref(j);
  cell_sc_ir_free(&pir);
  cell_error_cleanup(&err);
}

TEST(diff_project_default_profile)
{
  diff_policy_as_json(unit_failed_, "profiles/default.sec");
  diff_policy_as_json(unit_failed_, "examples/podman-default.sec");
}

/* Profiles in the shape of Docker's default and of a Kubernetes
 * RuntimeDefault with site rules, written for this test. */
TEST(diff_shaped_profiles)
{
  static const char *const files[] = { "docker-shaped", "kubernetes-shaped" };
  for (size_t i = 0; i < 2; i++) {
    char path[128];
    snprintf(path, sizeof path, "tests/unit/seccomp/data/%s.json", files[i]);
    json_t *p = t_load_json(path);
    CHECK(p != NULL);
    if (p)
      diff_real(unit_failed_, p, files[i]);
    json_decref(p);
  }
}

/* The examples of issue 14, with libseccomp's answers. */
TEST(diff_issue_examples)
{
  json_t *a = json_loads("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"fcntl\"],"
                         "\"action\":\"SCMP_ACT_KILL_PROCESS\",\"args\":[{\"index\":1,\"value\":255,\"op\":"
                         "\"SCMP_CMP_LE\"},{\"index\":2,\"value\":255,\"op\":\"SCMP_CMP_NE\"}]},{\"names\":"
                         "[\"fcntl\"],\"action\":\"SCMP_ACT_TRAP\",\"args\":[{\"index\":1,\"value\":255,\"op\":"
                         "\"SCMP_CMP_NE\"}]}]}", 0, NULL);
  json_t *b = json_loads("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"sendmsg\"],"
                         "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":95,\"args\":[{\"index\":1,\"value\":"
                         "2114060288,\"op\":\"SCMP_CMP_MASKED_EQ\",\"valueTwo\":0},{\"index\":5,\"value\":"
                         "8589934591,\"op\":\"SCMP_CMP_NE\"}]},{\"names\":[\"sendmsg\"],\"action\":"
                         "\"SCMP_ACT_ERRNO\",\"errnoRet\":13,\"args\":[{\"index\":3,\"value\":4294967296,"
                         "\"op\":\"SCMP_CMP_MASKED_EQ\",\"valueTwo\":0}]}]}", 0, NULL);
  compiled c;
  uint64_t zero[6] = { 0 };
  size_t x86_64 = arch_ix("x86_64");
  CHECK_INT(compile(a, &c), 0);
  CHECK_INT(cell_sc_ir_eval(&c.ir, cell_sc_arches[x86_64].audit, 72, zero), CELL_SC_RET_TRAP);
  compiled_free(&c);
  CHECK_INT(compile(b, &c), 0);
  CHECK_INT(cell_sc_ir_eval(&c.ir, cell_sc_arches[x86_64].audit, 46, zero), CELL_SC_RET_ERRNO | 13);
  compiled_free(&c);
  stats st = { 0 };
  uint64_t s = 3;
  CHECK_INT(diff_profile(&st, a, &s, 200, 50, true), 0);
  CHECK_INT(diff_profile(&st, b, &s, 200, 50, true), 0);
  /* the EEXIST class: two rules ending on one comparison */
  json_t *e = json_loads("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":"
                         "\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":3,\"op\":\"SCMP_CMP_EQ\"}]},"
                         "{\"names\":[\"write\"],\"action\":\"SCMP_ACT_LOG\"},{\"names\":[\"read\"],\"action\":"
                         "\"SCMP_ACT_KILL_PROCESS\",\"args\":[{\"index\":0,\"value\":3,\"op\":\"SCMP_CMP_EQ\"}]}]}",
                         0, NULL);
  CHECK_INT(compile(e, &c), -EEXIST);
  CHECK_STR(c.msg, "linux.seccomp.syscalls[2]: conflicts with linux.seccomp.syscalls[0] on \"read\" (x86_64): "
                   "ERRNO(1) there and KILL_PROCESS here decide the same arguments; libseccomp refuses the "
                   "profile (EEXIST), and so do runc and crun");
  compiled_free(&c);
  CHECK_INT(diff_profile(&st, e, &s, 10, 10, false), 0);
  CHECK_INT(st.refused, 1);
  CHECK_INT(st.differ, 0);
  total.profiles += st.profiles;
  total.inputs += st.inputs + st.conv_inputs;
  json_decref(a);
  json_decref(b);
  json_decref(e);
}

/* A profile refused (EEXIST) after an earlier merge left a level that
 * loops: libseccomp's abort frees the half-merged filter and never ends
 * (seed 52 of the random profiles found it), so cell refuses it as a
 * profile libseccomp does not finish, naming the tree, not the conflict. */
TEST(diff_refused_then_hung)
{
  static const char loops[] =
      "{\"names\":[\"sendmsg\"],\"action\":\"SCMP_ACT_KILL_PROCESS\",\"args\":[{\"index\":4,\"value\":2,\"op\":"
      "\"SCMP_CMP_LT\"},{\"index\":1,\"value\":1,\"op\":\"SCMP_CMP_GT\"},{\"index\":2,\"value\":1,\"op\":"
      "\"SCMP_CMP_GT\"}]},{\"names\":[\"sendmsg\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13,\"args\":"
      "[{\"index\":4,\"value\":2,\"op\":\"SCMP_CMP_NE\"},{\"index\":1,\"value\":1,\"op\":\"SCMP_CMP_GE\"},"
      "{\"index\":2,\"value\":1,\"op\":\"SCMP_CMP_GT\"}]}";
  static const char conflict[] =
      "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":5,\"args\":[{\"index\":0,\"value\":3,"
      "\"op\":\"SCMP_CMP_EQ\"}]},{\"names\":[\"read\"],\"action\":\"SCMP_ACT_TRAP\",\"args\":[{\"index\":0,"
      "\"value\":3,\"op\":\"SCMP_CMP_EQ\"}]}";
  static const char *const arches[] = { "", "\"architectures\":[\"SCMP_ARCH_AARCH64\",\"SCMP_ARCH_X86\"]," };
  stats st = { 0 };
  uint64_t s = 52;
  for (size_t i = 0; i < 2; i++) {
    char text[2048];
    snprintf(text, sizeof text, "{\"defaultAction\":\"SCMP_ACT_ERRNO\",%s\"syscalls\":[%s,%s]}", arches[i], loops,
             conflict);
    json_t *p = json_loads(text, 0, NULL);
    compiled c;
    CHECK_INT(compile(p, &c), -ELOOP);
    CHECK_STR(c.msg, "linux.seccomp.syscalls[0]: libseccomp does not finish freeing its tree for \"sendmsg\" "
                     "(x86_64) (a level of it loops) when a later rule is refused, so runc and crun hang on "
                     "this profile; cell refuses it");
    compiled_free(&c);
    CHECK_INT(diff_profile(&st, p, &s, 4, 4, false), 0);
    json_decref(p);
  }
  /* without the loop the same conflict is libseccomp's EEXIST */
  char text[1024];
  snprintf(text, sizeof text, "{\"defaultAction\":\"SCMP_ACT_ERRNO\",%s\"syscalls\":[%s]}", arches[1], conflict);
  json_t *p = json_loads(text, 0, NULL);
  CHECK_INT(diff_profile(&st, p, &s, 4, 4, false), 0);
  json_decref(p);
  CHECK_INT(st.hung, 2);
  CHECK_INT(st.refused, 1);
  CHECK_INT(st.differ, 0);
  total.profiles += st.profiles;
  total.inputs += st.inputs + st.conv_inputs;
}

/* x32: the one deliberate difference, on an example. */
TEST(diff_x32_width)
{
  json_t *p = json_loads("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\","
                         "\"SCMP_ARCH_X32\"],\"syscalls\":[{\"names\":[\"personality\"],\"action\":"
                         "\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":8,\"op\":\"SCMP_CMP_EQ\"}]}]}",
                         0, NULL);
  compiled c;
  CHECK_INT(compile(p, &c), 0);
  size_t x32 = arch_ix("x32");
  const cell_sc_syscall *s = cell_sc_syscall_lookup("personality");
  uint32_t nr = (uint32_t) cell_sc_syscall_nr(&cell_sc_arches[x32], s);
  uint64_t hi[6] = { 0x100000008ull };
  /* cell: 0x100000008 is not 8; libseccomp compares the low 32 bits */
  CHECK_INT(cell_sc_ir_eval(&c.ir, cell_sc_arches[x32].audit, nr, hi), CELL_SC_RET_ALLOW);
  CHECK_INT(cell_sc_ir_eval(&c.ir32, cell_sc_arches[x32].audit, nr, hi), CELL_SC_RET_ERRNO | EPERM);
  stats st = { 0 };
  CHECK_INT(check_input(&st, &c, NULL, 0, x32, nr, hi), 0);
  struct sock_filter *lf = NULL;
  size_t ln = 0;
  CHECK_INT(t_libseccomp(p, "x86_64", 0, &lf, &ln), 0);
  if (lf) {
    CHECK_INT(check_input(&st, &c, lf, ln, x32, nr, hi), 0);
    CHECK_INT(st.x32 + st.lib_bug, 1);
  }
  free(lf);
  compiled_free(&c);
  json_decref(p);
}

/* last: the summary of the suite */
TEST(zz_differential_summary)
{
  printf("differential: %lu profiles, %lu inputs, %lu differ\n", total.profiles, total.inputs, total.differ);
  fflush(stdout);
  CHECK_INT(total.differ, 0);
}
