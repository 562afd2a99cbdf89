/* Differential fuzz target for both seccomp front ends (issue 14).
 *
 *  - JSON (the input starts with `{`): cell's decision must be libseccomp
 *    2.5.4's for the same profile (its tree as seccomp_export_pfc states
 *    it, else its program), but for the ENOSYS stub and x32 width, on
 *    inputs derived from the profile's values; a profile libseccomp
 *    refuses (EEXIST) cell refuses too, and the other way round.
 *  - a policy (anything else): its program must decide as its IR, and
 *    when it has a JSON form that JSON goes through the JSON check above
 *    and must decide as the policy.
 * Any violation aborts.  Built by tests/fuzz/meson.build as a replayer
 * (make check replays tests/fuzz/corpus/seccomp-diff/) and for AFL++ (make
 * fuzz).  libseccomp runs in a worker process (tests/unit/seccomp/helpers.c,
 * included here so that the target stays one file). */
#define CELL_SOURCE_ROOT "."
#include "../unit/seccomp/helpers.c"
#include "jv.h"

#include "seccomp/lang/lang.h"
#include "seccomp/oci.h"

#define FUZZ_ASSERT(c) do { if (!(c)) __builtin_trap(); } while (0)

static const cell_log quiet_log = { .fd = -1 };

static bool cli_looks_like_json_(const char *text, size_t len)
{
  for (size_t i = 0; i < len; i++)
    if (!strchr(" \t\r\n", text[i]))
      return text[i] == '{';
  return false;
}

static void no_diag(void *ctx, const cell_sc_lang_diag *d)
{
  (void) ctx;
  (void) d;
}

/* the values a profile compares with, and the edges */
static size_t profile_values(const cell_sc_ir *ir, uint64_t *v, size_t max)
{
  static const uint64_t edge[] = { 0, 1, 0xffffffff, 0x100000000ull, UINT64_MAX };
  size_t n = 0;
  for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++)
    v[n++] = edge[i];
  for (size_t i = 0; i < ir->nconds && n + 3 <= max; i++) {
    const cell_sc_cond *c = &ir->conds[i];
    uint64_t x = c->part == CELL_SC_HI ? c->value << 32 : c->value;
    v[n++] = x;
    v[n++] = x + 1;
    v[n++] = x - 1;
  }
  return n;
}

/* cell's program against its IR on inputs from the IR's own numbers */
static void each_input(const cell_sc_ir *ir, void (*fn)(void *, size_t, uint32_t, const uint64_t *), void *ctx)
{
  uint64_t v[64];
  size_t nv = profile_values(ir, v, 64);
  uint64_t s = 0x9e3779b97f4a7c15ull;
  for (size_t i = 0; i < ir->nrules; i++)
    for (unsigned t = 0; t < 8; t++) {
      uint64_t args[6];
      for (int k = 0; k < 6; k++)
        args[k] = t ? v[t_rand(&s) % nv] : 0;
      fn(ctx, ir->rules[i].arch, ir->rules[i].nr + (t == 7), args);
    }
}

typedef struct jctx {
  cell_sc_ir ir, ir32;
  struct sock_filter *f, *lf;
  size_t n, ln;
  t_pfc pfc;
  const cell_sc_ir *policy;   /* when the JSON came from a policy */
} jctx;

static void json_input(void *p, size_t arch, uint32_t nr, const uint64_t *args)
{
  jctx *j = p;
  unsigned char d[64];
  bool ok;
  uint32_t audit = cell_sc_arches[arch].audit;
  t_data(d, arch, nr, args);
  uint32_t cell = t_interp(j->f, j->n, d, NULL, NULL, &ok);
  FUZZ_ASSERT(ok && cell == cell_sc_ir_eval(&j->ir, audit, nr, args));
  if (j->policy)
    FUZZ_ASSERT(cell == cell_sc_ir_eval(j->policy, audit, nr, args));
  if (!j->lf)
    return;
  uint32_t lib = t_interp(j->lf, j->ln, d, NULL, NULL, &ok), tree;
  if (t_pfc_eval(&j->pfc, &cell_sc_arches[arch], audit, nr, args, &tree))
    lib = tree;
  else if (t_interp_stale_arch)
    return;
  FUZZ_ASSERT(ok && lib == cell_sc_ir_eval(&j->ir32, audit, nr, args));
}

static void check_json(json_t *p, const cell_sc_ir *policy)
{
  jctx j = { .policy = policy };
  cell_seccomp_opts o = { .arch = "x86_64", .log = &quiet_log };
  cell_sc_oci_result res;
  cell_error err = CELL_ERROR_INIT;
  cell_sc_ir_init(&j.ir);
  cell_sc_ir_init(&j.ir32);
  _cleanup_jdoc_ cell_jdoc *jd1_ = NULL;
  int r = cell_sc_oci_to_ir(t_jv(p, &jd1_), &o, &j.ir, &res, &err);
  if (r == 0) {
    o.x32_libseccomp_width = true;
    _cleanup_jdoc_ cell_jdoc *jd2_ = NULL;
    FUZZ_ASSERT(cell_sc_oci_to_ir(t_jv(p, &jd2_), &o, &j.ir32, &res, &err) == 0);
    j.ir32.enosys_stub = false;
  }
  if (r == 0 && cell_sc_codegen(&j.ir, &j.f, &j.n, &err) < 0)
    r = 1;   /* too long: nothing to compare */
  if (r == 0 || r == -EEXIST) {
    int lr = t_libseccomp(p, "x86_64", 0, &j.lf, &j.ln);
    if (lr != -ETIMEDOUT && lr != -EINVAL && lr != -EDOM)
      FUZZ_ASSERT((lr == -EEXIST) == (r == -EEXIST));
    if (lr == 0 && r == 0) {
      t_pfc_parse(t_libseccomp_pfc(), &j.pfc);
      each_input(&j.ir, json_input, &j);
      free(j.pfc.l);
    }
  }
  free(j.f);
  free(j.lf);
  cell_sc_ir_free(&j.ir);
  cell_sc_ir_free(&j.ir32);
  cell_error_cleanup(&err);
}

static void policy_input(void *p, size_t arch, uint32_t nr, const uint64_t *args)
{
  jctx *j = p;
  unsigned char d[64];
  bool ok;
  t_data(d, arch, nr, args);
  FUZZ_ASSERT(t_interp(j->f, j->n, d, NULL, NULL, &ok) == cell_sc_ir_eval(&j->ir, cell_sc_arches[arch].audit, nr, args));
  FUZZ_ASSERT(ok);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size > 1 << 16)
    return 0;
  if (cli_looks_like_json_((const char *) data, size)) {
    json_t *p = json_loadb((const char *) data, size, 0, NULL);
    if (json_is_object(p))
      check_json(p, NULL);
    json_decref(p);
    return 0;
  }
  jctx j = { 0 };
  cell_error err = CELL_ERROR_INIT;
  cell_sc_lang_opts lo = { .native_arch = "x86_64", .log = &quiet_log, .diag = no_diag, .no_includes = true };
  cell_sc_ir_init(&j.ir);
  if (cell_sc_lang_compile_string("fuzz.sec", (const char *) data, size, &lo, &j.ir, &err) == 0 &&
      cell_sc_codegen(&j.ir, &j.f, &j.n, &err) == 0) {
    each_input(&j.ir, policy_input, &j);
    json_t *js = NULL;
    cell_error e2 = CELL_ERROR_INIT;
    if (cell_sc_lang_ir_to_json(&j.ir, &js, &e2) == 0)
      check_json(js, &j.ir);
    json_decref(js);
    cell_error_cleanup(&e2);
  }
  free(j.f);
  cell_sc_ir_free(&j.ir);
  cell_error_cleanup(&err);
  return 0;
}
