/* Every diagnostic of the language with its line and column, the source
 * line and caret, and no output on error. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include "helpers.h"
#include "unit.h"

typedef struct dcase {
  const char *text;
  bool error;          /* else a warning (and the policy compiles) */
  unsigned line, col;
  const char *msg;     /* a part of the message */
} dcase;

#define D "\n=> ALLOW;"   /* a default to end a case with */

static const dcase cases[] = {
  /* lexer */
  { "$syscall == read ? => ALLOW;" D, true, 1, 18, "unexpected character `?`" },
  { "$syscall == read @ => ALLOW;" D, true, 1, 18, "`@` must be followed by a syscall or an architecture name" },
  { "$syscall == @read@ => ALLOW();" D, true, 1, 19, "`@` must be followed by an architecture name" },
  { "\n  $syscall == read \x01" D, true, 2, 20, "unexpected character 0x01" },
  { "=> ALLOW; /* open", true, 1, 11, "unterminated comment" },
  { "#iff X\n=> ALLOW;", true, 1, 1, "unknown directive `#iff`" },
  { "#else\n=> ALLOW;", true, 1, 1, "`#else` without `#ifdef`" },
  { "#endif\n=> ALLOW;", true, 1, 1, "`#endif` without `#ifdef`" },
  { "\n#ifdef X\n=> ALLOW;", true, 2, 1, "`#ifdef` without `#endif`" },
  { "#ifdef X\n#else\n#else\n#endif\n=> ALLOW;", true, 3, 1, "a second `#else`" },
  { "#ifdef\n=> ALLOW;", true, 1, 7, "`#ifdef` needs a name" },
  { "#ifdef X Y\n#endif\n=> ALLOW;", true, 1, 10, "unexpected text after `#ifdef`" },
  { "$syscall == read && $arg0 == 0x1g => LOG;" D, true, 1, 33, "`g` is not a digit of a base-16 number" },
  { "$syscall == read && $arg0 == 0o9 => LOG;" D, true, 1, 32, "`9` is not a digit of a base-8 number" },
  { "$syscall == read && $arg0 == 09 => LOG;" D, false, 1, 30, "`09` is the decimal number 9" },
  { "$syscall == read && $arg0 == 010 => LOG;" D, false, 1, 30, "write 0o10 for 8" },
  { "$syscall == read && $arg0 == 0x1_0000_0000_0000_0000 => LOG;" D, true, 1, 30, "does not fit in 64 bits" },
  { "$syscall == read && $arg0 == 0x => LOG;" D, true, 1, 30, "needs digits" },
  { "$ == 1 => LOG;" D, true, 1, 1, "`$` must be followed by a variable name" },
  { "include \"x.sec;\n" D, true, 1, 9, "unterminated string" },
  /* syntax */
  { "$syscall == read ALLOW;" D, true, 1, 18, "expected `=>` or a condition, found `ALLOW`" },
  { "$syscall == read => ALLOW" D, true, 2, 1, "expected `;`, found `=>`" },
  { "$syscall == read => PERMIT;" D, true, 1, 21, "expected an action" },
  { "$syscall == read => ERRNO;" D, true, 1, 26, "ERRNO needs a value" },
  { "$syscall == read => ERRNO(70000);" D, true, 1, 27, "at most 65535" },
  { "$syscall == read => ALLOW(1);" D, true, 1, 26, "ALLOW takes no value" },
  { "$syscall == read && ($arg0 == 1 => LOG;" D, true, 1, 33, "expected `)`, found `=>`" },
  { "$foo == 1 => LOG;" D, true, 1, 1, "unknown variable `$foo`" },
  { "$arg6 == 1 => LOG;" D, true, 1, 1, "unknown variable `$arg6`" },
  { "$syscall < read => LOG;" D, true, 1, 10, "$syscall takes ==, !=, in and not in" },
  { "$arch < x86 => LOG;" D, true, 1, 7, "$arch takes ==, !=, in and not in" },
  { "$syscall == read && $arg0.mid == 1 => LOG;" D, true, 1, 27, "expected `lo` or `hi`" },
  { "$syscall == read && $arg0 & 3 < 1 => LOG;" D, false, 0, 0, NULL },
  { "$syscall == read && $arg0 & 3 < 0 => LOG;" D, true, 1, 31, "`$arg0` is never < 0" },
  { "$syscall == read && $arg0 & 3 > 3 => LOG;" D, false, 1, 33, "the comparison is never true" },
  { "$syscall == read && $arg0 & 3 <= 7 => LOG;" D, false, 1, 34, "the comparison is always true" },
  { "$syscall == read && $arg0 in 5 => LOG;" D, true, 1, 32, "expected `..` (a range)" },
  { "frobnicate;" D, true, 1, 1, "unknown statement `frobnicate`" },
  /* names */
  { "$syscall == frobnicate => LOG;" D, true, 1, 13, "unknown syscall `frobnicate`" },
  { "$syscall in (read, writ) => LOG;" D, true, 1, 20, "unknown syscall `writ`" },
  { "$syscall == read && $arg0 == EPERMS => LOG;" D, true, 1, 30, "unknown constant `EPERMS`" },
  { "arch x86_64, vax;" D, true, 1, 14, "unknown architecture `vax`" },
  { "$arch == pdp11 => LOG;" D, true, 1, 10, "unknown architecture `pdp11`" },
  { "define A = 1;\ndefine A = 2;" D, true, 2, 8, "`A` is already defined" },
  { "set S = (read);\n$syscall == read && $arg0 == S => LOG;" D, true, 2, 30, "`S` is a syscall set, not a number" },
  { "define N = 3;\n$syscall in (N) => LOG;" D, true, 2, 14, "`N` is a number, not a syscall set" },
  { "$syscall in () => LOG;" D, true, 1, 14, "an empty list" },
  { "$syscall == 0x100000000 => LOG;" D, true, 1, 13, "does not fit in 32 bits" },
  { "$syscall in KERNEL(6) => LOG;" D, false, 0, 0, NULL },
  { "$syscall in KERNEL(x) => LOG;" D, true, 1, 20, "expected a kernel version" },
  /* impossible comparisons */
  { "$syscall == read && $arg0.lo > 0xffffffff => LOG;" D, true, 1, 30, "`$arg0.lo` is never > 4294967295" },
  { "$syscall == read && $arg0.hi == 0x100000000 => LOG;" D, true, 1, 33, "`$arg0.hi` is 32 bits wide" },
  { "$syscall == read && $arg1 < 0 => LOG;" D, true, 1, 27, "`$arg1` is never < 0" },
  { "$syscall == read && $arg1 > 0xffffffffffffffff => LOG;" D, true, 1, 27, "never >" },
  { "$syscall == read && $arg2 & 0xff == 0x100 => LOG;" D, false, 1, 37, "no bits outside the mask: the comparison is never true" },
  { "$syscall == read && $arg2 & 0xff != 0x100 => LOG;" D, false, 1, 37, "the comparison is always true" },
  { "$syscall == read && $arg2 in 9..3 => LOG;" D, true, 1, 30, "empty range" },
  { "$syscall == read && $arg2 >= 0 => LOG;" D, false, 1, 27, "always true" },
  { "$syscall == read && $arg2.lo <= 0xffffffff => LOG;" D, false, 1, 30, "always true" },
  { "$syscall == read && $arg2 & 0 == 0 => LOG;" D, false, 1, 29, "the mask is 0" },
  /* statements */
  { "$syscall == read => ALLOW;", true, 1, 27, "the policy has no default" },
  { "", true, 1, 1, "the policy has no default" },
  { "=> ALLOW;\n$syscall == read => LOG;", false, 2, 1, "comes after the default at t.sec:1:1 and is never reached" },
  { "=> ALLOW()\n=> KILL();", false, 2, 1, "is never reached" },
  { "$syscall == read => ALLOW()\n=> KILL;", true, 2, 1, "expected `;`, found `=>`" },
  { "arch x86;\narch x86_64;" D, true, 2, 1, "a second `arch` declaration" },
  { "$syscall == read => LOG;\narch x86;" D, true, 2, 1, "`arch` must come before the rules" },
  { "arch x86, x32, x86;" D, true, 1, 16, "listed twice" },
  { "newer => ALLOW;" D, true, 1, 10, "`newer` takes ERRNO(ENOSYS) only" },
  { "badarch => LOG;\nbadarch => LOG;" D, true, 2, 1, "a second `badarch`" },
  { "include \"no-such-file.sec\";" D, true, 1, 9, "cannot include `no-such-file.sec`" },
  { "include \"\";" D, true, 1, 9, "an empty file name" },
  /* meaning */
  { "arch x86_64, x86;\n$arch == x86 && $syscall not in (read) => KILL;" D, true, 2, 1, "a filter has one default" },
  { "$syscall == read && $arg0 == 1 && $arg0 == 2 => LOG;" D, false, 1, 1, "this rule can never match" },
  { "$syscall in (read, write) => ALLOW;\n$syscall == read && $arg0 == 0 => KILL_PROCESS;" D, false, 2, 1,
    "this rule never applies: the rule at t.sec:1:1 decides everything it matches first" },
  { "set IO = (read, write);\n$syscall in IO => ALLOW;\n$syscall in (read, close) => LOG;" D, false, 3, 1,
    "`read` never reaches this rule: the rule at t.sec:2:1 decides it first" },
  { "$syscall == riscv_flush_icache => LOG;" D, false, 1, 13, "does not exist on the policy's architectures" },
  { "define EPERM = 5;" D, false, 1, 8, "hides the built-in constant" },
  { "$arch == aarch64 => LOG;" D, false, 1, 1, "no architecture of the policy is named here" },
  /* easyseccomp's spelling */
  { "$syscall == @mkdr => ALLOW();" D, true, 1, 13, "unknown syscall `mkdr`" },
  { "$syscall in (@read, @wrte) => ALLOW();" D, true, 1, 21, "unknown syscall `wrte`" },
  { "$syscall == @read@vax => ALLOW();" D, true, 1, 13, "unknown architecture `vax`" },
  { "$syscall == @arch_prctl@aarch64 => ALLOW();" D, true, 1, 13, "`arch_prctl` does not exist on aarch64" },
  { "$syscall == @read@x86 => ALLOW();" D, false, 1, 13, "`@read@x86` is the number 3 on every architecture: `close` on x86_64" },
  { "$arch == @read@x86 => KILL();" D, true, 1, 10, "`@read@x86` is a syscall, not an architecture" },
  { "$arch == @vax => KILL();" D, true, 1, 10, "unknown architecture `vax`" },
  { "$arch == 1234 => KILL();" D, true, 1, 10, "no architecture has the audit value 1234" },
  { "$arg0 == @read => KILL();" D, true, 1, 10, "`@read` names a syscall or an architecture, not a number" },
  { "$syscall == @mkdir => ALLOW(1);" D, true, 1, 28, "ALLOW takes no value" },
  { "$syscall == @mkdir => ERRNO(EPREM);" D, true, 1, 29, "unknown constant `EPREM`" },
  { "$syscall == @mkdir => ERRNO();" D, false, 1, 28, "ERRNO() is ERRNO(0)" },
  { "$syscall == @mkdir => ERRNO(EPERM)\n=> ALLOW();", true, 2, 1, "expected `;`, found `=>`" },
  { "$syscall == @mkdir => KIL();" D, true, 1, 23, "expected an action" },
  { "#ifdef X\n$syscall == @mkdir => ALLOW();" D, true, 1, 1, "`#ifdef` without `#endif`" },
  { "$syscall in KERNEL(5.x) => ALLOW();" D, true, 1, 22, "expected a kernel version" },
  { "$arg0 & 10 == 10 && $arg1 = 20 => ERRNO(40);" D, true, 1, 27, "a comparison" },
};

TEST(lang_diagnostics)
{
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const dcase *k = &cases[i];
    cell_sc_ir ir;
    cell_error err = CELL_ERROR_INIT;
    l_diags dg;
    int r = l_compile(k->text, NULL, &ir, &dg, &err);
    CHECK_INT(l_check_fmt("diagnostic case", k->text, NULL), 0);
    bool ok = true;
    if (k->error) {
      ok = (r == -EINVAL || r == -ENOENT) && dg.n >= 1 && dg.d[dg.n - 1].error && ir.nrules == 0 && ir.narches == 0;
      const l_diag *d = dg.n ? &dg.d[dg.n - 1] : NULL;
      ok = ok && d && d->line == k->line && d->col == k->col && strstr(d->msg, k->msg) &&
           err.msg && strstr(err.msg, "t.sec:") == err.msg && strchr(err.msg, '^');
    } else if (k->msg) {
      const l_diag *d = dg.n ? &dg.d[0] : NULL;
      ok = r == 0 && d && !d->error && d->line == k->line && d->col == k->col && strstr(d->msg, k->msg) &&
           strstr(d->text, "warning: ");
    } else {
      ok = r == 0 && dg.n == 0;
    }
    if (!ok) {
      fprintf(stderr, "  case %zu: %s\n  -> r=%d", i, k->text, r);
      for (int j = 0; j < dg.n; j++)
        fprintf(stderr, " [%s %u:%u %s]", dg.d[j].error ? "error" : "warning", dg.d[j].line, dg.d[j].col,
                dg.d[j].msg);
      fprintf(stderr, "\n");
    }
    CHECK(ok);
    cell_sc_ir_free(&ir);
    cell_error_cleanup(&err);
  }
}

TEST(lang_diag_caret)
{
  cell_sc_ir ir;
  cell_error err = CELL_ERROR_INIT;
  CHECK_INT(l_compile("=> ALLOW;\n\t$syscall == nope => LOG;", NULL, &ir, NULL, &err), -EINVAL);
  CHECK_STR(err.msg, "t.sec:2:14: unknown syscall `nope`\n"
                     "    \t$syscall == nope => LOG;\n"
                     "    \t            ^");
  cell_error_cleanup(&err);
  cell_sc_ir_free(&ir);
  CHECK_INT(l_compile("// easyseccomp\n  $syscall == @mkdir => ERRNO(EPREM);\n=> ALLOW();", NULL, &ir, NULL, &err),
            -EINVAL);
  CHECK_STR(err.msg, "t.sec:2:31: unknown constant `EPREM`\n"
                     "      $syscall == @mkdir => ERRNO(EPREM);\n"
                     "    " "                              ^");
  cell_error_cleanup(&err);
  cell_sc_ir_free(&ir);
}

/* A NUL byte, even inside a comment, is an error at its place for the
 * compiler, fmt and convert --style. */
TEST(lang_diag_nul_byte)
{
  static const char text[] = "=> ALLOW;\n// a\0b\n";
  cell_sc_ir ir;
  cell_error err = CELL_ERROR_INIT;
  cell_sc_lang_opts o = { .native_arch = "x86_64" };
  cell_sc_ir_init(&ir);
  CHECK_INT(cell_sc_lang_compile_string("n.sec", text, sizeof text - 1, &o, &ir, &err), -EINVAL);
  CHECK(err.msg && strstr(err.msg, "n.sec:2:5: a NUL byte: a policy is text") == err.msg);
  cell_error_cleanup(&err);
  char *out = NULL;
  CHECK_INT(cell_sc_lang_format("n.sec", text, sizeof text - 1, &out, &err), -EINVAL);
  CHECK(!out && err.msg && strstr(err.msg, "n.sec:2:5: a NUL byte"));
  cell_error_cleanup(&err);
  CHECK_INT(cell_sc_lang_restyle("n.sec", text, sizeof text - 1, &o, CELL_SC_STYLE_CELL, true, &out, &err), -EINVAL);
  CHECK(!out && err.msg && strstr(err.msg, "n.sec:2:5: a NUL byte"));
  cell_error_cleanup(&err);
  cell_sc_ir_free(&ir);
}

TEST(lang_diag_warnings_as_errors)
{
  cell_sc_ir ir;
  cell_error err = CELL_ERROR_INIT;
  cell_sc_lang_opts o = { .native_arch = "x86_64", .warnings_are_errors = true,
                          .diag = NULL, .log = &(cell_log) { .fd = open("/dev/null", O_WRONLY | O_CLOEXEC) } };
  const char *text = "$syscall == read && $arg0 >= 0 => LOG;\n=> ALLOW;";
  cell_sc_ir_init(&ir);
  CHECK_INT(cell_sc_lang_compile_string("w.sec", text, strlen(text), &o, &ir, &err), -EINVAL);
  CHECK(err.msg && strstr(err.msg, "1 warning treated as errors"));
  CHECK_INT(ir.nrules, 0);
  close(o.log->fd);
  cell_error_cleanup(&err);
  cell_sc_ir_free(&ir);
}

TEST(lang_include)
{
  char dir[] = "/tmp/lang-inc-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  char p[256], q[256];
  snprintf(p, sizeof p, "%s/main.sec", dir);
  snprintf(q, sizeof q, "%s/common.sec", dir);
  FILE *f = fopen(q, "w");
  fputs("set IO = (read, write);\n$syscall == close => LOG;\n", f);
  fclose(f);
  f = fopen(p, "w");
  fputs("include \"common.sec\";\n$syscall in IO => ALLOW;\n=> ERRNO(1);\n", f);
  fclose(f);
  cell_sc_ir ir;
  cell_sc_ir_init(&ir);
  cell_error err = CELL_ERROR_INIT;
  cell_sc_lang_opts o = { .native_arch = "x86_64" };
  CHECK_INT(cell_sc_lang_compile_file(p, &o, &ir, &err), 0);
  CHECK_INT(l_act(&ir, "x86_64", "read", NULL), CELL_SC_RET_ALLOW);
  CHECK_INT(l_act(&ir, "x86_64", "close", NULL), CELL_SC_RET_LOG);
  cell_sc_ir_free(&ir);
  /* a cycle */
  f = fopen(q, "w");
  fputs("include \"main.sec\";\n", f);
  fclose(f);
  cell_sc_ir_init(&ir);
  CHECK_INT(cell_sc_lang_compile_file(p, &o, &ir, &err), -EINVAL);
  CHECK(err.msg && strstr(err.msg, "nested too deeply"));
  cell_error_cleanup(&err);
  /* a missing file */
  CHECK_INT(cell_sc_lang_compile_file("/nonexistent/x.sec", &o, &ir, &err), -ENOENT);
  CHECK(err.msg && strstr(err.msg, "read `/nonexistent/x.sec`"));
  cell_error_cleanup(&err);
  cell_sc_ir_free(&ir);
  unlink(p);
  unlink(q);
  rmdir(dir);
}
