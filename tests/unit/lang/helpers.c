#include "helpers.h"
#include "util/fs.h"

#include <dirent.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "seccomp/seccomp.h"
#include "seccomp/table.h"

static void on_diag(void *ctx, const cell_sc_lang_diag *d)
{
  l_diags *dg = ctx;
  if (!dg || dg->n >= (int) (sizeof dg->d / sizeof dg->d[0]))
    return;
  l_diag *x = &dg->d[dg->n++];
  x->error = d->error;
  x->line = d->line;
  x->col = d->col;
  snprintf(x->msg, sizeof x->msg, "%s", d->message);
  snprintf(x->text, sizeof x->text, "%s", d->text);
}

int l_compile(const char *text, const char *const *defines, cell_sc_ir *ir, l_diags *dg, cell_error *err)
{
  size_t nd = 0;
  while (defines && defines[nd])
    nd++;
  const char *dirs[] = { CELL_SOURCE_ROOT "/examples" };
  cell_sc_lang_opts o = {
    .defines = defines, .ndefines = nd, .native_arch = "x86_64", .diag = on_diag, .diag_ctx = dg,
    .include_dirs = dirs, .ninclude_dirs = 1,
  };
  if (dg)
    memset(dg, 0, sizeof *dg);
  cell_sc_ir_init(ir);
  return cell_sc_lang_compile_string("t.sec", text, strlen(text), &o, ir, err);
}

uint32_t l_act(const cell_sc_ir *ir, const char *arch, const char *sc, const uint64_t args[6])
{
  static const uint64_t zero[6];
  const cell_sc_arch *a = cell_sc_arch_by_name(arch);
  if (!a)
    return 0xdeadbeef;
  uint32_t nr;
  if (sc[0] == '#') {
    nr = (uint32_t) strtoull(sc + 1, NULL, 0);
  } else {
    const cell_sc_syscall *s = cell_sc_syscall_lookup(sc);
    int64_t n = s ? cell_sc_syscall_nr(a, s) : -1;
    if (n < 0)
      return 0xdeadbeef;
    nr = (uint32_t) n;
  }
  return cell_sc_ir_eval(ir, a->audit, nr, args ? args : zero);
}

uint64_t l_rand(uint64_t *s)
{
  uint64_t x = *s;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return *s = x;
}

static uint64_t edge(uint64_t *s)
{
  static const uint64_t e[] = { 0, 1, 2, 5, 8, 9, 16, 0xff, 0x100, 0xffffffff, 0x100000000ull,
                                0x100000001ull, 0x7fffffffffffffffull, 0xffffffffffffffffull,
                                0x20000, 0x20008, 0x10000000, 0x80000000, 0xfffffffe };
  uint64_t r = l_rand(s);
  switch (r % 4) {
  case 0: return e[(r >> 8) % (sizeof e / sizeof e[0])];
  case 1: return (r >> 8) & 0xff;
  case 2: return e[(r >> 8) % (sizeof e / sizeof e[0])] | (l_rand(s) & 0xffffffff00000000ull);
  default: return l_rand(s);
  }
}

unsigned l_check_bpf(const cell_sc_ir *ir, unsigned n, uint64_t seed)
{
  struct sock_filter *insns = NULL;
  size_t len = 0;
  cell_error err = CELL_ERROR_INIT;
  unsigned bad = 0;
  if (cell_sc_codegen(ir, &insns, &len, &err) < 0) {
    fprintf(stderr, "  codegen: %s\n", err.msg);
    cell_error_cleanup(&err);
    return 1;
  }
  uint64_t s = seed | 1;
  for (size_t ai = 0; ai < ir->narches; ai++) {
    const cell_sc_arch *a = &cell_sc_arches[ir->arches[ai]];
    uint32_t max = cell_sc_arch_max_nr(a);
    for (unsigned i = 0; i < n; i++) {
      uint64_t args[6];
      for (int k = 0; k < 6; k++)
        args[k] = edge(&s);
      uint32_t nr;
      if (i < max - a->nr_base + 20)
        nr = a->nr_base + i;                  /* every number once, and a few past the end */
      else
        nr = (uint32_t) (l_rand(&s) % 3 == 0 ? l_rand(&s) : a->nr_base + l_rand(&s) % (max - a->nr_base + 40));
      cell_seccomp_data d;
      if (cell_seccomp_data_make(&d, a->short_name, nr, args, &err) < 0) {
        cell_error_cleanup(&err);
        bad++;
        continue;
      }
      uint32_t want = cell_sc_ir_eval(ir, a->audit, nr, args);
      uint32_t got = cell_seccomp_run(insns, len, &d, NULL);
      if (want != got && bad++ < 5)
        fprintf(stderr, "  bpf disagrees: %s nr %u args %llx %llx: ir %08x bpf %08x\n", a->short_name, nr,
                (unsigned long long) args[0], (unsigned long long) args[1], want, got);
    }
  }
  free(insns);
  return bad;
}

char *l_read(const char *relpath)
{
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", CELL_SOURCE_ROOT, relpath);
  char *buf = NULL;
  cell_error err = CELL_ERROR_INIT;
  if (cell_read_file(path, &buf, NULL, &err) < 0)
    buf = NULL;
  cell_error_clear(&err);
  return buf;
}

static void fmt_quiet(void *ctx, const cell_sc_lang_diag *d)
{
  (void) ctx;
  (void) d;
}

int l_filter(const char *text, const char *const *defines, cell_seccomp_filter *f, cell_error *err)
{
  size_t nd = 0;
  while (defines && defines[nd])
    nd++;
  const char *dirs[] = { CELL_SOURCE_ROOT "/examples" };
  cell_sc_lang_opts o = { .defines = defines, .ndefines = nd, .native_arch = "x86_64", .diag = fmt_quiet,
                          .include_dirs = dirs, .ninclude_dirs = 1 };
  return cell_sc_lang_compile_filter("e.sec", text, strlen(text), &o, f, err);
}

unsigned l_check_fmt(const char *what, const char *text, const char *const *defines)
{
  cell_error err = CELL_ERROR_INIT;
  char *once = NULL, *twice = NULL;
  unsigned bad = 0;
  if (cell_sc_lang_format("f.sec", text, strlen(text), &once, &err) < 0) {
    /* text that does not read as tokens: the compiler refuses it too */
    cell_seccomp_filter f;
    cell_error e2 = CELL_ERROR_INIT;
    if (l_filter(text, defines, &f, &e2) == 0) {
      fprintf(stderr, "  fmt %s: refused (%s) but it compiles\n", what, err.msg);
      cell_seccomp_filter_free(&f);
      bad++;
    }
    cell_error_cleanup(&e2);
    cell_error_cleanup(&err);
    return bad;
  }
  if (cell_sc_lang_format("f.sec", once, strlen(once), &twice, &err) < 0 || strcmp(once, twice) != 0) {
    fprintf(stderr, "  fmt %s: not idempotent%s%s\n--- once\n%s--- twice\n%s", what, err.msg ? ": " : "",
            err.msg ? err.msg : "", once, twice ? twice : "");
    bad++;
  }
  cell_error_cleanup(&err);
  cell_seccomp_filter a, b;
  int ra = l_filter(text, defines, &a, &err);
  cell_error_cleanup(&err);
  int rb = l_filter(once, defines, &b, &err);
  cell_error_cleanup(&err);
  if (ra != rb) {
    fprintf(stderr, "  fmt %s: the original %s, the formatted one %s\n%s", what, ra ? "fails" : "compiles",
            rb ? "fails" : "compiles", once);
    bad++;
  } else if (ra == 0 && (a.len != b.len || memcmp(a.insns, b.insns, a.len * sizeof *a.insns) != 0)) {
    fprintf(stderr, "  fmt %s: the formatted policy compiles to another filter\n%s", what, once);
    bad++;
  }
  if (ra == 0)
    cell_seccomp_filter_free(&a);
  if (rb == 0)
    cell_seccomp_filter_free(&b);
  free(once);
  free(twice);
  return bad;
}

unsigned l_each_file(const char *rel, const char *suffix, void (*fn)(const char *path, char *text, void *ctx),
                     void *ctx)
{
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", CELL_SOURCE_ROOT, rel);
  DIR *d = opendir(path);
  unsigned n = 0;
  if (!d)
    return 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    size_t l = strlen(e->d_name), sl = suffix ? strlen(suffix) : 0;
    if (e->d_name[0] == '.' || l < sl || (suffix && strcmp(e->d_name + l - sl, suffix)))
      continue;
    char rp[4096];
    snprintf(rp, sizeof rp, "%s/%s", rel, e->d_name);
    char *t = l_read(rp);
    if (!t)
      continue;
    fn(rp, t, ctx);
    n++;
    free(t);
  }
  closedir(d);
  return n;
}
