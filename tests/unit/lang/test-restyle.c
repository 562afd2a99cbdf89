/* `convert --to sec --style`: a policy respelled in cell's or easyseccomp's
 * style.  cell's style and the lenient easyseccomp one compile to the same
 * filter; the strict easyseccomp one to the same decisions on x86_64 for
 * 32-bit arguments, or an error at the first construct easyseccomp cannot
 * read. */
#include <errno.h>
#include <stdlib.h>
#include "helpers.h"
#include "seccomp/seccomp.h"
#include "seccomp/table.h"
#include "unit.h"

static int restyle(const char *text, cell_sc_lang_style st, bool strict, char **out, cell_error *err)
{
  cell_sc_lang_opts o = { .native_arch = "x86_64" };
  return cell_sc_lang_restyle("r.sec", text, strlen(text), &o, st, strict, out, err);
}

static bool same_filter(const char *a, const char *b, const char *const *defs)
{
  cell_seccomp_filter fa, fb;
  cell_error err = CELL_ERROR_INIT;
  int ra = l_filter(a, defs, &fa, &err);
  if (ra < 0)
    fprintf(stderr, "  %s\n", err.msg);
  cell_error_cleanup(&err);
  int rb = l_filter(b, defs, &fb, &err);
  if (rb < 0)
    fprintf(stderr, "  %s\n", err.msg);
  cell_error_cleanup(&err);
  bool same = ra == 0 && rb == 0 && fa.len == fb.len && !memcmp(fa.insns, fb.insns, fa.len * sizeof *fa.insns);
  if (ra == 0)
    cell_seccomp_filter_free(&fa);
  if (rb == 0)
    cell_seccomp_filter_free(&fb);
  return same;
}

typedef struct rcase { const char *from, *to; } rcase;

/* easyseccomp's spelling into cell's */
static const rcase to_cell[] = {
  { "$syscall == @mkdir => ALLOW();\n$arch == @x86_64 && $syscall in (@read, @write) => ERRNO(EPERM);\n"
    "$syscall == @close => TRACE();\n$syscall == @dup && $arg0 == 010 => TRAP();\n=> KILL()\n",
    "$syscall == mkdir => ALLOW;\n$arch == x86_64 && $syscall in (read, write) => ERRNO(EPERM);\n"
    "$syscall == close => TRACE(0);\n$syscall == dup && $arg0 == 10 => TRAP;\n=> KILL;\n" },
  /* what has no other spelling in cell's style stays */
  { "// x\n#ifdef A\n$syscall == @read@x86 => ERRNO(1);\n#else\n$syscall == @read => LOG();\n#endif\n=> ALLOW();\n",
    "// x\n#ifdef A\n$syscall == @read@x86 => ERRNO(1);\n#else\n$syscall == read => LOG;\n#endif\n=> ALLOW;\n" },
  /* what is taken off leaves the tokens apart (found by the fuzz harness) */
  { "arch@x86_64;\n$syscall==@read=>ALLOW();\n=>KILL;", "arch x86_64;\n$syscall == read => ALLOW;\n=> KILL;\n" },
  /* a set named like a syscall: `@read` is the syscall and stays so */
  { "set read = (write);\n$syscall == @read => LOG();\n$syscall in read => ALLOW;\n=> KILL;",
    "set read = (write);\n$syscall == @read => LOG;\n$syscall in read => ALLOW;\n=> KILL;\n" },
};

/* cell's spelling into easyseccomp's */
static const rcase to_easy[] = {
  { "$syscall == mkdir => ALLOW;\n$syscall in (read, write) => ERRNO(EPERM);\n=> KILL;\n",
    "$syscall == @mkdir => ALLOW();\n$syscall in (@read, @write) => ERRNO(EPERM);\n=> KILL();\n" },
  { "/* a service:\n * small */\narch x86_64;\ndefine WRITE = 0x2;\nset IO = (read, write);\n"
    "$syscall in IO => ALLOW;\n"
    "$syscall == openat && $arg2.lo & (O_WRONLY | WRITE) != 0 => ERRNO(EACCES);  // no writes\n"
    "($syscall == socket) && ($arg0 == AF_INET6) => ERRNO(0x61);\n"
    "$syscall == clone && $arg0 & CLONE_NEWUSER == CLONE_NEWUSER => KILL_PROCESS;\n"
    "$syscall in KERNEL(5.4) => LOG;\n"
    "=> ERRNO(ENOSYS);\n",
    "// a service:\n// small\n$syscall in (@read, @write) => ALLOW();\n"
    "$syscall == @openat && $arg2 & 3 != 0 => ERRNO(EACCES);  // no writes\n"
    "$syscall == @socket && $arg0 == 10 => ERRNO(97);\n"
    "$syscall == @clone && $arg0 & 268435456 == 268435456 => KILL_PROCESS();\n"
    "$syscall in KERNEL(5.4) => LOG();\n"
    "=> ERRNO(ENOSYS);\n" },
};

TEST(lang_restyle_to_cell)
{
  for (size_t i = 0; i < sizeof to_cell / sizeof to_cell[0]; i++) {
    char *out = NULL;
    cell_error err = CELL_ERROR_INIT;
    int r = restyle(to_cell[i].from, CELL_SC_STYLE_CELL, true, &out, &err);
    if (r < 0)
      fprintf(stderr, "  case %zu: %s\n", i, err.msg);
    CHECK_INT(r, 0);
    if (r == 0) {
      CHECK_STR(out, to_cell[i].to);
      const char *defs[] = { "A", NULL };
      CHECK(same_filter(to_cell[i].from, out, NULL));
      CHECK(same_filter(to_cell[i].from, out, defs));
    }
    free(out);
    cell_error_cleanup(&err);
  }
}

TEST(lang_restyle_to_easyseccomp)
{
  for (size_t i = 0; i < sizeof to_easy / sizeof to_easy[0]; i++) {
    char *out = NULL;
    cell_error err = CELL_ERROR_INIT;
    int r = restyle(to_easy[i].from, CELL_SC_STYLE_EASYSECCOMP, true, &out, &err);
    if (r < 0)
      fprintf(stderr, "  case %zu: %s\n", i, err.msg);
    CHECK_INT(r, 0);
    if (r == 0)
      CHECK_STR(out, to_easy[i].to);
    /* and back: the filter of cell's spelling once more, where no `.lo` went */
    char *back = NULL;
    if (r == 0 && !strstr(to_easy[i].from, ".lo")) {
      CHECK_INT(restyle(out, CELL_SC_STYLE_CELL, true, &back, &err), 0);
      CHECK(back && same_filter(to_easy[i].from, back, NULL));
    }
    free(back);
    free(out);
    cell_error_cleanup(&err);
  }
}

/* The decisions of the strict easyseccomp spelling, read by cell, on
 * x86_64 for 32-bit arguments: the original's. */
TEST(lang_restyle_easyseccomp_decides_the_same)
{
  const char *text = to_easy[1].from;
  char *out = NULL;
  cell_error err = CELL_ERROR_INIT;
  CHECK_INT(restyle(text, CELL_SC_STYLE_EASYSECCOMP, true, &out, &err), 0);
  cell_sc_ir a, b;
  CHECK_INT(l_compile(text, NULL, &a, NULL, &err), 0);
  CHECK_INT(l_compile(out ? out : "", NULL, &b, NULL, &err), 0);
  uint64_t s = 99;
  unsigned bad = 0;
  static const char *const calls[] = { "read", "write", "openat", "socket", "clone", "statx", "openat2", "#4000" };
  for (size_t c = 0; c < sizeof calls / sizeof calls[0]; c++)
    for (int k = 0; k < 200; k++) {
      uint64_t args[6];
      for (int q = 0; q < 6; q++)
        args[q] = (uint32_t) (l_rand(&s) % 3 ? l_rand(&s) % 16 : l_rand(&s));
      bad += l_act(&a, "x86_64", calls[c], args) != l_act(&b, "x86_64", calls[c], args);
    }
  CHECK_INT(bad, 0);
  cell_sc_ir_free(&a);
  cell_sc_ir_free(&b);
  free(out);
  cell_error_cleanup(&err);
}

TEST(lang_restyle_no_easyseccomp_form)
{
  static const struct { const char *text; const char *msg; } bad[] = {
    { "$syscall == read || $syscall == write => ALLOW;\n=> KILL;", "r.sec:1:18: no easyseccomp form: easyseccomp has no `||`" },
    { "!($syscall == read) => ALLOW;\n=> KILL;", "r.sec:1:1: no easyseccomp form: easyseccomp has no `!`" },
    { "$syscall == read && $arg0.hi == 1 => LOG;\n=> KILL;", "r.sec:1:26: no easyseccomp form: easyseccomp reads no high half" },
    { "$arg0 in 1..5 => LOG;\n=> KILL;", "r.sec:1:11: no easyseccomp form: easyseccomp has no ranges" },
    { "$syscall in NEWER(6.1) => LOG;\n=> KILL;", "r.sec:1:13: no easyseccomp form: NEWER() has no easyseccomp form" },
    { "$syscall in (read, KERNEL(5.4)) => LOG;\n=> KILL;", "r.sec:1:20: no easyseccomp form: easyseccomp reads KERNEL(x.y) only alone" },
    { "arch x86_64, x86;\n=> KILL;", "r.sec:1:1: no easyseccomp form: easyseccomp checks no architecture" },
    { "badarch => ERRNO(1);\n=> KILL;", "r.sec:1:1: no easyseccomp form: easyseccomp has no `badarch`" },
    { "newer => ERRNO(ENOSYS);\n=> KILL;", "r.sec:1:1: no easyseccomp form: easyseccomp has no `newer`" },
    { "#define X\n=> KILL;", "r.sec:1:1: no easyseccomp form: easyseccomp has no #define" },
    { "#ifdef debug\n#endif\n=> KILL;", "r.sec:1:1: no easyseccomp form: easyseccomp's #ifdef names are upper case" },
    { "$syscall == read => TRAP(5);\n=> KILL;", "r.sec:1:21: no easyseccomp form: TRAP with a value" },
    { "$syscall == read && $arg0 == 0x100000000 => LOG;\n=> KILL;", "r.sec:1:30: no easyseccomp form: easyseccomp's values are 32 bits wide" },
    { "$syscall == read && $arg0 in (1, 2) => LOG;\n=> KILL;", "r.sec:1:21: no easyseccomp form: easyseccomp reads `in` and `not in` only as a rule's whole condition" },
    { "$syscall in (read, write) && $arg0 == 1 => LOG;\n=> KILL;", "r.sec:1:1: no easyseccomp form: easyseccomp reads `in`" },
    { "$syscall == read && $arg0 & 3 in (1, 2) => LOG;\n=> KILL;", "r.sec:1:21: no easyseccomp form: easyseccomp has no masked `in`" },
    { "set S = (read, write);\n$syscall == S => LOG;\n=> KILL;", "r.sec:2:13: no easyseccomp form: a set of several syscalls after ==" },
    /* not a policy at all, under some define: said so */
    { "#ifdef XX\n$syscall == nope => LOG;\n#endif\n=> KILL;", "with -D XX: r.sec:2:13: unknown syscall `nope`" },
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char *out = NULL;
    cell_error err = CELL_ERROR_INIT;
    int r = restyle(bad[i].text, CELL_SC_STYLE_EASYSECCOMP, true, &out, &err);
    bool ok = r == -EINVAL && !out && err.msg && strstr(err.msg, bad[i].msg) == err.msg && strchr(err.msg, '^');
    if (!ok)
      fprintf(stderr, "  case %zu: r=%d %s\n", i, r, err.msg ? err.msg : "(none)");
    CHECK(ok);
    free(out);
    cell_error_cleanup(&err);
    /* the lenient spelling compiles as the original */
    if (i < 17 && i != 3) {
      CHECK_INT(restyle(bad[i].text, CELL_SC_STYLE_EASYSECCOMP, false, &out, &err), 0);
      if (out && strncmp(bad[i].text, "#define", 7) && strncmp(bad[i].text, "#ifdef", 6))
        CHECK(same_filter(bad[i].text, out, NULL));
      free(out);
      cell_error_cleanup(&err);
    }
  }
}

/* Every example and seed policy: cell's spelling and the lenient
 * easyseccomp one compile to the filter of the original. */
static void both_spellings(const char *path, char *text, void *ctx)
{
  unsigned *bad = ctx;
  for (int st = 0; st < 2; st++) {
    char *out = NULL;
    cell_error err = CELL_ERROR_INIT;
    cell_seccomp_filter f;
    if (l_filter(text, NULL, &f, &err) < 0) {   /* seeds that do not compile */
      cell_error_cleanup(&err);
      return;
    }
    cell_seccomp_filter_free(&f);
    int r = restyle(text, st ? CELL_SC_STYLE_EASYSECCOMP : CELL_SC_STYLE_CELL, false, &out, &err);
    if (r < 0 || !same_filter(text, out, NULL)) {
      fprintf(stderr, "  %s in %s's spelling: %s\n%s", path, st ? "easyseccomp" : "cell", err.msg ? err.msg : "",
              out ? out : "");
      (*bad)++;
    }
    free(out);
    cell_error_cleanup(&err);
  }
}

TEST(lang_restyle_examples)
{
  unsigned bad = 0, n = l_each_file("examples", ".sec", both_spellings, &bad);
  n += l_each_file("tests/fuzz/corpus/lang", ".sec", both_spellings, &bad);
  n += l_each_file("profiles", ".sec", both_spellings, &bad);
  CHECK(n >= 8);
  CHECK_INT(bad, 0);
}
