/* The differential test.  cell's filter is held exactly to the IR's
 * meaning (cell_sc_ir_eval) on every input, and compared with libseccomp
 * 2.5.4's exported filter for the same profile.  Differences with
 * libseccomp are allowed, counted and printed only in these classes:
 *  - the ENOSYS stub (cell only; asserted to be ERRNO(ENOSYS) where the
 *    model without stub gives the default);
 *  - AND on one argument: libseccomp gets runc's split (OR), and is
 *    compared with cell's compile of that same split profile;
 *  - several conditional rules on one syscall: libseccomp's tree merge
 *    decides (and is buggy: it drops matching rules, see the report); its
 *    answer must still be the default or one of those rules' actions;
 *  - x32: libseccomp compares 32 bits (it takes x32 for a 32-bit ABI),
 *    cell all 64 (the kernel hands x32 syscalls 64-bit registers);
 *  - libseccomp 2.5.4 programs for x86_64 + x32 that compare the arch word
 *    as if it were the syscall number (its accumulator tracking loses the
 *    `ld nr`): detected by the interpreter and skipped;
 *  - profiles libseccomp refuses (EEXIST, ...) or loops on: only the model
 *    comparison runs, and the longest prefix of their rules that
 *    libseccomp accepts is compared in full.
 * libseccomp keeps one byte order per filter, so a profile's arches follow
 * its native one ("x-native", x86_64 or a big-endian arch; libseccomp then
 * gets that arch instead of the host's and its output is byte-swapped). */
#include "unit.h"
#include "helpers.h"
#include "seccomp/oci.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct stats {
  unsigned inputs, profiles, reduced, lib_refused, lib_hung, stub, ambiguous, conflict, x32_32bit, lib_bug, mismatches;
} stats;

static int compile(json_t *p, cell_sc_ir *ir, struct sock_filter **f, size_t *n)
{
  cell_log quiet = { .fd = open("/dev/null", O_WRONLY | O_CLOEXEC), .format = CELL_LOG_TEXT };
  const char *native = json_string_value(json_object_get(p, "x-native"));
  cell_seccomp_opts opts = { .arch = native ? native : "x86_64", .log = &quiet };
  cell_sc_oci_result res;
  cell_error err = CELL_ERROR_INIT;
  cell_sc_ir_init(ir);
  int r = cell_sc_oci_to_ir(p, &opts, ir, &res, &err);
  if (r == 0)
    r = cell_sc_codegen(ir, f, n, &err);
  if (r == 0)
    r = cell_seccomp_check(*f, *n, &err);
  if (r < 0)
    fprintf(stderr, "  compile: %s\n", err.msg);
  cell_error_cleanup(&err);
  close(quiet.fd);
  return r;
}

/* rules of (arch family, nr) */
static size_t rule_arch(size_t arch, uint32_t nr)
{
  const cell_sc_arch *a = &cell_sc_arches[arch];
  if (a->col == CELL_SC_COL_X86_64 || a->col == CELL_SC_COL_X32)
    return cell_sc_arch_index(cell_sc_arch_by_name(nr >= CELL_SC_X32_BIT ? "x32" : "x86_64"));
  return arch;
}

/* libseccomp's meaning of the IR, written again here: no ENOSYS stub, x32
 * compared on 32 bits (libseccomp takes x32 for a 32-bit ABI).  Returns
 * the action; when several conditional rules with different actions match,
 * *amb is set and set[] holds them (libseccomp's result then depends on its
 * tree order). */
static uint32_t lib_model(const cell_sc_ir *ir, size_t arch, uint32_t nr, const uint64_t args[6],
                          bool *amb, uint32_t *set, size_t *nset, bool *conflict)
{
  *amb = false;
  *conflict = false;
  *nset = 0;

  bool have_first = false;
  const cell_sc_arch *fa = &cell_sc_arches[arch];
  bool listed = false;
  for (size_t i = 0; i < ir->narches; i++)
    listed |= cell_sc_arches[ir->arches[i]].audit == fa->audit;
  if (!listed)
    return ir->badarch_action;
  size_t ra = arch;
  if (fa->col == CELL_SC_COL_X86_64 || fa->col == CELL_SC_COL_X32) {
    ra = rule_arch(arch, nr);
    if (!cell_sc_ir_has_arch(ir, ra))
      return ra == 1 || nr != UINT32_MAX ? ir->badarch_action : ir->default_action;
  }
  cell_sc_arch a = cell_sc_arches[ra];
  if (a.col == CELL_SC_COL_X32)
    a.bits64 = false;
  const cell_sc_rule *uncond = NULL, *best = NULL;
  for (size_t i = 0; i < ir->nrules; i++) {
    const cell_sc_rule *r = &ir->rules[i];
    if (r->arch != ra || r->nr != nr)
      continue;
    bool u = true, match = true;
    for (size_t j = 0; j < r->ncond; j++) {
      const cell_sc_cond *c = &ir->conds[r->cond + j];
      if (!cell_sc_cond_trivial(&a, c))
        u = false;
      if (!cell_sc_cond_eval(&a, c, args[c->arg]))
        match = false;
    }
    if (u) {
      if (!uncond || r->order < uncond->order)
        uncond = r;
      continue;
    }
    if (have_first)
      *conflict = true;

    have_first = true;
    if (!match)
      continue;
    bool dup = false;
    for (size_t k = 0; k < *nset; k++)
      dup |= set[k] == r->action;
    if (!dup && *nset < 64)
      set[(*nset)++] = r->action;
    int rk = cell_sc_action_rank(r->action);
    if (!best || rk < cell_sc_action_rank(best->action) ||
        (rk == cell_sc_action_rank(best->action) && r->order < best->order))
      best = r;
  }
  if (uncond) {
    *conflict = false;
    return uncond->action;
  }
  *amb = *nset >= 2;
  return best ? best->action : ir->default_action;
}

static bool lib_has_rule_action(const cell_sc_ir *ir, size_t arch, uint32_t nr, uint32_t action)
{
  size_t ra = rule_arch(arch, nr);
  for (size_t i = 0; i < ir->nrules; i++)
    if (ir->rules[i].arch == ra && ir->rules[i].nr == nr && ir->rules[i].action == action)
      return true;
  return false;
}

static bool in_set(uint32_t v, const uint32_t *set, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (set[i] == v)
      return true;
  return false;
}

static int check_input(stats *st, cell_sc_ir *ir, const struct sock_filter *cf, size_t cn,
                       const struct sock_filter *lf, size_t ln, size_t arch, uint32_t nr,
                       const uint64_t args[6])
{
  unsigned char d[64];
  t_data(d, arch, nr, args);
  bool ok1, ok2;
  uint32_t loads = 0;
  uint32_t cell = t_interp(cf, cn, d, &loads, NULL, &ok1);
  bool stale = t_interp_stale_arch;
  uint32_t model = cell_sc_ir_eval(ir, cell_sc_arches[arch].audit, nr, args);
  st->inputs++;
  const char *why = NULL;
  if (!ok1)
    why = "cell's program ran off";
  else if (stale)
    why = "cell compared arch with a syscall number";
  else if (cell != model)
    why = "cell != model";
  else if (cell_seccomp_run(cf, cn, (const cell_seccomp_data *) d, NULL) != cell)
    why = "sim.c != test interpreter";
  uint32_t lib = 0, nostub = 0;
  if (!why && lf) {
    lib = t_interp(lf, ln, d, NULL, NULL, &ok2);
    ir->enosys_stub = false;
    nostub = cell_sc_ir_eval(ir, cell_sc_arches[arch].audit, nr, args);
    ir->enosys_stub = true;
    if (cell != nostub) {
      if (cell == (CELL_SC_RET_ERRNO | ENOSYS) && nostub == ir->default_action)
        st->stub++;
      else
        why = "stub difference of an unexpected kind";
    }
    if (!why && !ok2)
      why = "libseccomp's program ran off";
    if (!why && t_interp_stale_arch) {
      st->lib_bug++;
      return 0;
    }
    if (!why && lib != nostub) {
      bool amb, conflict;
      uint32_t set[64];
      size_t nset;
      uint32_t lm = lib_model(ir, arch, nr, args, &amb, set, &nset, &conflict);
      if (amb && in_set(lib, set, nset))
        st->ambiguous++;
      else if (conflict && (lib == ir->default_action || in_set(lib, set, nset) || lib_has_rule_action(ir, arch, nr, lib)))
        st->conflict++;
      else if (lm == lib && rule_arch(arch, nr) == 2)
        st->x32_32bit++;
      else
        why = "libseccomp differs";
    }
  }
  if (why) {
    char b1[32], b2[32], b3[32];
    fprintf(stderr, "  %s: arch %s nr %u args %llx %llx %llx: cell %s model %s lib %s\n", why,
            cell_sc_arches[arch].name, nr, (unsigned long long) args[0],
            (unsigned long long) args[1], (unsigned long long) args[2],
            cell_seccomp_action_str(cell, b1), cell_seccomp_action_str(model, b2),
            lf ? cell_seccomp_action_str(lib, b3) : "-");
    st->mismatches++;
  }
  return why ? -1 : 0;
}

static const uint64_t interesting[] = {
  0, 1, 2, 3, 4, 8, 9, 15, 16, 17, 0x20000, 0x20008, 0x7fffffff, 0x80000000, 0xfffffffe,
  0xffffffff, 0x100000000ull, 0x100000001ull, 0x1ffffffffull, 0xffffffff00000000ull,
  0x8000000000000000ull, 0xfffffffffffffffeull, 0xffffffffffffffffull,
};
#define NINT (sizeof interesting / sizeof interesting[0])

static uint64_t rand_arg(uint64_t *s)
{
  uint64_t v = interesting[t_rand(s) % NINT];
  switch (t_rand(s) % 5) {
  case 0: return v;
  case 1: return v + 1;
  case 2: return v - 1;
  case 3: return v ^ (1ull << (t_rand(s) % 64));
  default: return t_rand(s) % 4 ? v : t_rand(s);
  }
}

static uint32_t rand_nr(uint64_t *s, const cell_sc_ir *ir, size_t arch)
{
  const cell_sc_arch *a = &cell_sc_arches[arch];
  uint32_t base = a->nr_base;
  switch (t_rand(s) % 8) {
  case 0: return base + (uint32_t) (t_rand(s) % 600);
  case 1: {
    static const uint32_t edge[] = { 0, 0x3fffffff, 0x40000000, 0x40000001, 0x400001ff, 0x7fffffff,
                                     0x80000000, 0xfffffffe, 0xffffffff, 1000, 4095, 4096, 5999, 6000 };
    return edge[t_rand(s) % (sizeof edge / sizeof edge[0])];
  }
  case 2: return base + 440 + (uint32_t) (t_rand(s) % 60);
  default:
    if (ir->nrules) {
      const cell_sc_rule *r = &ir->rules[t_rand(s) % ir->nrules];
      return r->nr + (t_rand(s) % 5 == 0 ? 1 : 0);
    }
    return base;
  }
}

/* The rule split runc applies when a rule has two conditions on one
 * argument: one rule per condition. */
static json_t *runc_split(json_t *p)
{
  json_t *q = json_deep_copy(p);
  json_t *calls = json_object_get(q, "syscalls"), *out = json_array();
  size_t i, j;
  json_t *r, *a;
  json_array_foreach(calls, i, r) {
    json_t *args = json_object_get(r, "args");
    int count[6] = { 0 };
    bool split = false;
    json_array_foreach(args, j, a)
      split |= ++count[json_integer_value(json_object_get(a, "index"))] > 1;
    if (!split) {
      json_array_append(out, r);
      continue;
    }
    json_array_foreach(args, j, a) {
      json_t *one = json_deep_copy(r);
      json_object_set_new(one, "args", json_pack("[O]", a));
      json_array_append_new(out, one);
    }
  }
  json_object_set_new(q, "syscalls", out);
  return q;
}

static int diff_profile(stats *st, json_t *p, uint64_t *s, unsigned inputs, bool split)
{
  cell_sc_ir ir;
  struct sock_filter *cf = NULL, *lf = NULL;
  size_t cn = 0, ln = 0;
  int bad = 0;
  st->profiles++;
  if (compile(p, &ir, &cf, &cn) < 0) {
    cell_sc_ir_free(&ir);
    return -1;
  }
  json_t *libp = split ? runc_split(p) : json_incref(p);
  int lr = t_libseccomp(libp, "x86_64", 0, &lf, &ln);
  if (lr == -ETIMEDOUT)
    st->lib_hung++;
  else if (lr < 0) {
    st->lib_refused++;
    if (getenv("SECCOMP_TEST_VERBOSE"))
      fprintf(stderr, "  libseccomp refused: %d\n", lr);
  }
  /* with a split profile the libseccomp comparison is against cell's
   * compile of the split profile; cell's own (AND) against the model */
  cell_sc_ir sir;
  struct sock_filter *sf = NULL;
  size_t sn = 0;
  bool have_split = split && lr == 0 && compile(libp, &sir, &sf, &sn) == 0;
  size_t na;
  const size_t *la = t_lib_arches(&na);
  for (unsigned k = 0; k < inputs && bad < 3; k++) {
    size_t arch;
    if (k % 4 == 0)
      arch = la[t_rand(s) % na];  /* often not in the profile: bad arch */
    else {
      arch = ir.arches[t_rand(s) % ir.narches];
    }
    uint32_t nr = rand_nr(s, &ir, arch);
    uint64_t args[6];
    for (int i = 0; i < 6; i++)
      args[i] = rand_arg(s);
    if (check_input(st, &ir, cf, cn, split ? NULL : (lr == 0 ? lf : NULL), ln, arch, nr, args) < 0)
      bad++;
    if (have_split && check_input(st, &sir, sf, sn, lf, ln, arch, nr, args) < 0)
      bad++;
  }
  if (bad) {
    char *txt = json_dumps(p, JSON_COMPACT);
    fprintf(stderr, "  profile: %s\n", txt);
    free(txt);
  }
  if (have_split)
    cell_sc_ir_free(&sir);
  free(sf);
  json_decref(libp);
  cell_sc_ir_free(&ir);
  free(cf);
  free(lf);
  return bad ? -1 : 0;
}

TEST(diff_podman_default)
{
  json_t *p = t_load_json("tests/unit/seccomp/data/podman-default.json");
  CHECK(p != NULL);
  if (!p)
    return;
  cell_sc_ir ir;
  struct sock_filter *cf = NULL, *lf = NULL;
  size_t cn = 0, ln = 0;
  CHECK_INT(compile(p, &ir, &cf, &cn), 0);
  CHECK_INT(t_libseccomp(p, "x86_64", 0, &lf, &ln), 0);
  stats st = { 0 };
  uint64_t s = 42;
  const char *archs[] = { "x86_64", "x86", "x32", "aarch64", "arm", "s390x" };
  for (size_t ai = 0; ai < 6; ai++) {
    size_t arch = cell_sc_arch_index(cell_sc_arch_by_name(archs[ai]));
    uint32_t base = cell_sc_arches[arch].nr_base;
    for (uint32_t n = 0; n < 1100; n++) {
      uint32_t nr = n < 1000 ? base + n : (uint32_t) t_rand(&s);
      uint64_t args[6] = { 0 };
      for (int rep = 0; rep < 3; rep++) {
        for (int i = 0; i < 6; i++)
          args[i] = rep == 0 ? 0 : rand_arg(&s);
        if (check_input(&st, &ir, cf, cn, lf, ln, arch, nr, args) < 0)
          goto out;
      }
    }
    uint32_t edges[] = { 0x3fffffff, 0x40000000 - 1, 0x40000000 + 600, 0x7fffffff, 0xfffffffe, 0xffffffff };
    for (size_t e = 0; e < 6; e++) {
      uint64_t args[6] = { 0 };
      if (check_input(&st, &ir, cf, cn, lf, ln, arch, edges[e], args) < 0)
        goto out;
    }
  }
  /* socket, personality and clone with the values their rules test */
  {
    size_t x86_64 = cell_sc_arch_index(cell_sc_arch_by_name("x86_64"));
    size_t x86 = cell_sc_arch_index(cell_sc_arch_by_name("x86"));
    uint32_t nrs[][2] = { { 41, 359 }, { 135, 136 }, { 56, 120 }, { 56, 120 } };
    for (int i = 0; i < 4; i++)
      for (unsigned v = 0; v < NINT * NINT; v++) {
        uint64_t args[6] = { interesting[v % NINT], interesting[v / NINT], interesting[(v * 7) % NINT], 0, 0, 0 };
        if (check_input(&st, &ir, cf, cn, lf, ln, x86_64, nrs[i][0], args) < 0 ||
            check_input(&st, &ir, cf, cn, lf, ln, x86, nrs[i][1], args) < 0)
          goto out;
      }
  }
out:
  CHECK_INT(st.mismatches, 0);
  CHECK_INT(st.ambiguous, 0);
  CHECK_INT(st.stub, 0);  /* the default is already ERRNO(ENOSYS) */
  fprintf(stderr, "  podman: %u inputs, cell %zu instructions, libseccomp %zu\n", st.inputs, cn, ln);
  cell_sc_ir_free(&ir);
  free(cf);
  free(lf);
  json_decref(p);
}

/* The largest prefix of p's rules that libseccomp accepts (NULL if none or
 * it hangs): refused profiles would otherwise only meet the model. */
static json_t *accepted_prefix(json_t *p, bool split)
{
  json_t *q = json_deep_copy(p);
  json_t *calls = json_object_get(q, "syscalls");
  while (json_array_size(calls) > 1) {
    json_array_remove(calls, json_array_size(calls) - 1);
    json_t *libp = split ? runc_split(q) : json_incref(q);
    struct sock_filter *f = NULL;
    size_t n;
    int r = t_libseccomp(libp, "x86_64", 0, &f, &n);
    json_decref(libp);
    free(f);
    if (r == 0)
      return q;
    if (r == -ETIMEDOUT)
      break;
  }
  json_decref(q);
  return NULL;
}

static void random_run(int *unit_failed_, int *unit_skipped_, bool same_arg, unsigned profiles,
                       uint64_t seed)
{
  (void) unit_skipped_;
  stats st = { 0 };
  uint64_t s = seed;
  unsigned failed_profiles = 0;
  for (unsigned i = 0; i < profiles && failed_profiles < 5; i++) {
    json_t *p = t_random_profile(&s, same_arg);
    unsigned refused = st.lib_refused;
    if (diff_profile(&st, p, &s, 120, same_arg) < 0)
      failed_profiles++;
    if (st.lib_refused > refused) {
      json_t *q = accepted_prefix(p, same_arg);
      if (q) {
        st.reduced++;
        if (diff_profile(&st, q, &s, 120, same_arg) < 0)
          failed_profiles++;
        json_decref(q);
      }
    }
    json_decref(p);
  }
  CHECK_INT(failed_profiles, 0);
  CHECK_INT(st.mismatches, 0);
  CHECK(st.stub > 0);
  fprintf(stderr, "  %u profiles (%u refused by libseccomp, then compared cut to the rules it accepts: %u; %u hung it), %u inputs: %u ENOSYS stub, %u "
          "overlapping rules, %u libseccomp tree merges of several conditional rules, %u x32 32-bit compares, %u libseccomp missing nr loads\n", st.profiles,
          st.lib_refused, st.reduced, st.lib_hung, st.inputs, st.stub, st.ambiguous, st.conflict, st.x32_32bit, st.lib_bug);
}

TEST(diff_random_profiles)
{
  random_run(unit_failed_, unit_skipped_, false, 2500, 0x9e3779b97f4a7c15ull);
}

TEST(diff_random_profiles_same_argument)
{
  random_run(unit_failed_, unit_skipped_, true, 500, 0x1234567887654321ull);
}
