/* `cell seccomp fmt`: the canonical layout on hand-written cases, and on
 * every example and seed policy: idempotent, and the compiled filter is
 * the same before and after. */
#include <errno.h>
#include <stdlib.h>
#include "helpers.h"
#include "unit.h"

typedef struct fcase { const char *in, *out; } fcase;

static const fcase golden[] = {
  /* spacing */
  { "$syscall==read=>ALLOW;", "$syscall == read => ALLOW;\n" },
  { "  $syscall   in(read,write ,close)&&$arg0&0x3!=0=>ERRNO( EPERM ) ;",
    "$syscall in (read, write, close) && $arg0 & 0x3 != 0 => ERRNO(EPERM);\n" },
  { "$syscall==read&&!($arg0.lo==-1||$arg1 in 1 .. 5)=>TRACE(~0&0xff);\n=>KILL;",
    "$syscall == read && !($arg0.lo == -1 || $arg1 in 1..5) => TRACE(~0 & 0xff);\n=> KILL;\n" },
  { "set S=(read,KERNEL( 5 . 4 ),NEWER(6.1),);define X=1<<3|2;arch x86_64,x86;",
    "set S = (read, KERNEL(5.4), NEWER(6.1),);\ndefine X = 1 << 3 | 2;\narch x86_64, x86;\n" },
  /* easyseccomp's spelling stays as it is */
  { "$syscall==@mkdir&&$arg0&2048<=100=>ERRNO(10);\n$syscall==@read@x86=>ALLOW();=>ALLOW()",
    "$syscall == @mkdir && $arg0 & 2048 <= 100 => ERRNO(10);\n$syscall == @read@x86 => ALLOW();\n=> ALLOW();\n" },
  /* the default's missing `;`, before what follows */
  { "#ifdef X\n=> KILL()\n#endif\n", "#ifdef X\n=> KILL();\n#endif\n" },
  { "=> KILL // why\n=> ALLOW", "=> KILL;  // why\n=> ALLOW;\n" },
  /* directives, blank lines, comments */
  { "\n\n#  ifdef   DEBUG   // debugging\n\n\n=> LOG;\n#else\n=> ERRNO(1);   // deny\n#endif\n\n",
    "#ifdef DEBUG  // debugging\n\n=> LOG;\n#else\n=> ERRNO(1);  // deny\n#endif\n" },
  { "// head\n\n/* block\n   comment */\n$syscall == read /* inline */ => ALLOW; // tail\n=> KILL;",
    "// head\n\n/* block\n   comment */\n$syscall == read /* inline */ => ALLOW;  // tail\n=> KILL;\n" },
  /* a long list: `(` ends its line, items indented, `)` back at the start */
  { "set IO = (read, write, readv, writev, pread64, pwrite64, close, lseek, fstat, newfstatat, openat, getdents64);",
    "set IO = (\n    read, write, readv, writev, pread64, pwrite64, close, lseek, fstat, newfstatat, openat,\n"
    "    getdents64\n);\n" },
  /* comments and directives inside a list */
  { "set IO = (read, // the first\n  write,\n#ifdef X\n  close,\n#endif\n  // last\n  dup);",
    "set IO = (\n    read,  // the first\n    write,\n#ifdef X\n    close,\n#endif\n    // last\n    dup\n);\n" },
  { "set IO = ( // why\nread, write);", "set IO = (  // why\n    read, write\n);\n" },
  /* a long condition breaks before && and => */
  { "$syscall == clone && $arg0 & (CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC) != 0 "
    "&& $arg1 == 0 => ERRNO(EPERM);",
    "$syscall == clone\n    && $arg0 & (CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC) != 0\n"
    "    && $arg1 == 0 => ERRNO(EPERM);\n" },
  { "", "" },
  { "// only a comment", "// only a comment\n" },
};

TEST(lang_fmt_layout)
{
  for (size_t i = 0; i < sizeof golden / sizeof golden[0]; i++) {
    char *out = NULL;
    cell_error err = CELL_ERROR_INIT;
    int r = cell_sc_lang_format("g.sec", golden[i].in, strlen(golden[i].in), &out, &err);
    if (r < 0)
      fprintf(stderr, "  case %zu: %s\n", i, err.msg);
    CHECK_INT(r, 0);
    if (r == 0 && strcmp(out, golden[i].out) != 0)
      fprintf(stderr, "  case %zu:\n--- got\n%s--- expected\n%s---\n", i, out, golden[i].out);
    if (r == 0)
      CHECK_STR(out, golden[i].out);
    CHECK_INT(l_check_fmt("golden", golden[i].in, NULL), 0);
    free(out);
    cell_error_cleanup(&err);
  }
}

TEST(lang_fmt_errors)
{
  static const struct { const char *in; const char *msg; } bad[] = {
    { "$syscall == read => ALLOW;\n$syscall ? read", "g.sec:2:10: unexpected character `?`" },
    { "set S = (read, write;\n=> ALLOW;", "g.sec:1:9: cannot format: `(` without `)`" },
    { "=> ALLOW);", "g.sec:1:9: cannot format: `)` without `(`" },
    { "=> ALLOW; /* open", "g.sec:1:11: unterminated comment" },
    { "#iff X\n=> ALLOW;", "g.sec:1:1: unknown directive `#iff`" },
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char *out = NULL;
    cell_error err = CELL_ERROR_INIT;
    CHECK_INT(cell_sc_lang_format("g.sec", bad[i].in, strlen(bad[i].in), &out, &err), -EINVAL);
    CHECK(out == NULL);
    CHECK(err.msg && strstr(err.msg, bad[i].msg) == err.msg && strchr(err.msg, '^'));
    if (!err.msg || strstr(err.msg, bad[i].msg) != err.msg)
      fprintf(stderr, "  case %zu: %s\n", i, err.msg ? err.msg : "(none)");
    cell_error_cleanup(&err);
  }
}

/* The names a policy tests with #ifdef / #ifndef: each one is tried. */
static void defines_of(const char *text, char names[8][32], size_t *n)
{
  *n = 0;
  for (const char *p = text; (p = strchr(p, '#')) && *n < 8; p++) {
    const char *q = p + 1;
    if (strncmp(q, "ifdef", 5) && strncmp(q, "ifndef", 6))
      continue;
    q += q[2] == 'n' ? 6 : 5;
    while (*q == ' ' || *q == '\t')
      q++;
    size_t k = 0;
    while (k < 31 && (q[k] == '_' || (q[k] >= 'A' && q[k] <= 'Z') || (q[k] >= 'a' && q[k] <= 'z') ||
                      (q[k] >= '0' && q[k] <= '9')))
      k++;
    memcpy(names[*n], q, k);
    names[(*n)++][k] = 0;
  }
}

static void check_file(const char *path, char *text, void *ctx)
{
  unsigned *bad = ctx;
  char names[8][32];
  size_t nn;
  defines_of(text, names, &nn);
  *bad += l_check_fmt(path, text, NULL);
  for (size_t k = 0; k < nn; k++) {
    const char *defs[] = { names[k], NULL };
    *bad += l_check_fmt(path, text, defs);
  }
}

TEST(lang_fmt_examples_and_seeds)
{
  unsigned bad = 0, files = l_each_file("examples", ".sec", check_file, &bad);
  files += l_each_file("tests/fuzz/corpus/lang", ".sec", check_file, &bad);
  files += l_each_file("profiles", ".sec", check_file, &bad);
  CHECK_INT(bad, 0);
  CHECK(files >= 8);
}
