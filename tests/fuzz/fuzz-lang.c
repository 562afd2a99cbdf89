/* libFuzzer target for the policy language: whatever the text, no crash,
 * no leak, and either an error with nothing produced or an IR whose BPF
 * passes the kernel's rules and agrees with the IR; `fmt` is idempotent on
 * it and the formatted text compiles to the same rules.  Inputs that are
 * JSON go through the JSON conversion too.
 *
 *   build/tests/fuzz/fuzz-lang (tests/fuzz/meson.build): replayer or AFL++
 *   test-lang runs this on tests/fuzz/corpus/lang and examples/ with mutations */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "seccomp/ir.h"
#include "seccomp/lang/lang.h"
#include "seccomp/seccomp.h"
#include "seccomp/table.h"

#define FUZZ_ASSERT(c) do { if (!(c)) __builtin_trap(); } while (0)

static void quiet(void *ctx, const cell_sc_lang_diag *d)
{
  (void) ctx;
  FUZZ_ASSERT(d->message && d->text);
}

static void check_ir(const cell_sc_ir *ir, const uint8_t *data, size_t size)
{
  struct sock_filter *insns = NULL;
  size_t len = 0;
  cell_error err = CELL_ERROR_INIT;
  if (cell_sc_codegen(ir, &insns, &len, &err) < 0) {
    FUZZ_ASSERT(err.msg && !insns);   /* too long: a clear error */
    cell_error_cleanup(&err);
    return;
  }
  FUZZ_ASSERT(cell_seccomp_check(insns, len, &err) == 0);
  /* a few inputs from the data itself */
  for (size_t i = 0; i < 8 && ir->narches; i++) {
    const cell_sc_arch *a = &cell_sc_arches[ir->arches[i % ir->narches]];
    uint64_t args[6] = { 0 };
    uint32_t nr = a->nr_base + (uint32_t) (i * 37);
    for (size_t k = 0; k < 6 && size; k++)
      args[k] = (uint64_t) data[(i * 6 + k) % size] << ((k * 11) % 57);
    cell_seccomp_data d;
    if (cell_seccomp_data_make(&d, a->short_name, nr, args, &err) == 0)
      FUZZ_ASSERT(cell_seccomp_run(insns, len, &d, NULL) == cell_sc_ir_eval(ir, a->audit, nr, args));
    cell_error_cleanup(&err);
  }
  free(insns);
  json_t *j = NULL;
  if (cell_sc_lang_ir_to_json(ir, &j, &err) == 0)
    FUZZ_ASSERT(j);
  json_decref(j);
  cell_error_cleanup(&err);
}

/* `cell seccomp fmt`: formatting twice changes nothing, and the formatted
 * policy compiles as the original did (r, ir) to the same rules. */
static void check_fmt(const char *text, size_t size, const cell_sc_lang_opts *o, int r, const cell_sc_ir *ir)
{
  cell_error err = CELL_ERROR_INIT;
  char *once = NULL, *twice = NULL;
  if (cell_sc_lang_format("fuzz.sec", text, size, &once, &err) < 0) {
    FUZZ_ASSERT(err.msg && !once);
    cell_error_cleanup(&err);
    return;
  }
  FUZZ_ASSERT(cell_sc_lang_format("fuzz.sec", once, strlen(once), &twice, &err) == 0);
  FUZZ_ASSERT(strcmp(once, twice) == 0);
  cell_sc_ir ir2;
  cell_sc_ir_init(&ir2);
  int r2 = cell_sc_lang_compile_string("fuzz.sec", once, strlen(once), o, &ir2, &err);
  FUZZ_ASSERT((r < 0) == (r2 < 0));
  if (r == 0 && r2 == 0) {
    FUZZ_ASSERT(ir->nrules == ir2.nrules && ir->nconds == ir2.nconds && ir->narches == ir2.narches &&
                ir->default_action == ir2.default_action && ir->badarch_action == ir2.badarch_action);
    FUZZ_ASSERT(!ir->nrules || !memcmp(ir->rules, ir2.rules, ir->nrules * sizeof *ir->rules));
    for (size_t i = 0; i < ir->nconds; i++)
      FUZZ_ASSERT(ir->conds[i].arg == ir2.conds[i].arg && ir->conds[i].op == ir2.conds[i].op &&
                  ir->conds[i].value == ir2.conds[i].value && ir->conds[i].mask == ir2.conds[i].mask);
  }
  cell_sc_ir_free(&ir2);
  cell_error_cleanup(&err);
  free(once);
  free(twice);
}

/* `convert --style`: cell's spelling and the lenient easyseccomp one
 * compile to the rules of the original; the strict one may refuse. */
static void check_restyle(const char *text, size_t size, const cell_sc_lang_opts *o, const cell_sc_ir *ir)
{
  unsigned tests = 0;
  for (size_t i = 0; i + 3 <= size; i++)
    tests += text[i] == '#' && text[i + 1] == 'i' && text[i + 2] == 'f';
  if (tests > 3)
    return;   /* 2^names readings: keep the fuzzer fast */
  for (int k = 0; k < 3; k++) {
    cell_error err = CELL_ERROR_INIT;
    char *out = NULL;
    int r = cell_sc_lang_restyle("fuzz.sec", text, size, o, k ? CELL_SC_STYLE_EASYSECCOMP : CELL_SC_STYLE_CELL,
                                 k == 2, &out, &err);
    if (r < 0) {
      FUZZ_ASSERT(err.msg && !out);
    } else if (k < 2) {
      cell_sc_ir ir2;
      cell_sc_ir_init(&ir2);
      FUZZ_ASSERT(cell_sc_lang_compile_string("fuzz.sec", out, strlen(out), o, &ir2, &err) == 0);
      FUZZ_ASSERT(ir->nrules == ir2.nrules && ir->nconds == ir2.nconds && ir->default_action == ir2.default_action);
      FUZZ_ASSERT(!ir->nrules || !memcmp(ir->rules, ir2.rules, ir->nrules * sizeof *ir->rules));
      cell_sc_ir_free(&ir2);
    }
    free(out);
    cell_error_cleanup(&err);
  }
}

static void one(const char *text, size_t size, const uint8_t *data, size_t dsize)
{
  cell_sc_lang_opts o = { .native_arch = "x86_64", .diag = quiet, .no_includes = true };
  static const char *const defs[] = { "A", "DEBUG" };
  if (dsize && (data[0] & 1)) {
    o.defines = defs;
    o.ndefines = 2;
  }
  cell_sc_ir ir;
  cell_error err = CELL_ERROR_INIT;
  cell_sc_ir_init(&ir);
  int r = cell_sc_lang_compile_string("fuzz.sec", text, size, &o, &ir, &err);
  if (r < 0) {
    /* an error, and no partial output */
    FUZZ_ASSERT(err.msg && ir.nrules == 0 && ir.narches == 0 && !ir.rules);
  } else {
    FUZZ_ASSERT(!err.msg && ir.narches >= 1);
    check_ir(&ir, data, dsize);
  }
  cell_error_cleanup(&err);
  check_fmt(text, size, &o, r, &ir);
  if (r == 0)
    check_restyle(text, size, &o, &ir);
  cell_sc_ir_free(&ir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size > 1 << 16)
    return 0;
  one((const char *) data, size, data, size);
  if (size && data[0] == '{') {
    char *text = NULL;
    cell_error err = CELL_ERROR_INIT;
    _cleanup_jdoc_ cell_jdoc *doc = NULL;
    const cell_jv *j = cell_json_parse(NULL, (const char *) data, size, &doc, &err) == 0 ? cell_jdoc_root(doc) : NULL;
    const cell_jv *sec = cell_jv_get(j, "linux") ? cell_jv_get(cell_jv_get(j, "linux"), "seccomp") : j;
    cell_error_clear(&err);
    if (sec && cell_sc_lang_from_json(sec, &text, &err) == 0)
      one(text, strlen(text), data, size);
    free(text);
    cell_error_cleanup(&err);
  }
  return 0;
}
