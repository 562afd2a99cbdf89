/* Every construct of the language, checked by what the compiled policy
 * does (through the IR's meaning and through the generated BPF). */
#include <errno.h>
#include <stdlib.h>
#include "helpers.h"
#include "unit.h"

#define ALLOW CELL_SC_RET_ALLOW
#define ERR(e) (CELL_SC_RET_ERRNO | (e))
#define KILLP CELL_SC_RET_KILL_PROCESS
#define KILLT CELL_SC_RET_KILL_THREAD

#define COMPILE(text)                                                        \
  cell_sc_ir ir;                                                             \
  cell_error err = CELL_ERROR_INIT;                                          \
  l_diags dg;                                                                \
  int rc_ = l_compile(text, NULL, &ir, &dg, &err);                           \
  if (rc_ < 0)                                                               \
    fprintf(stderr, "  %s\n", err.msg);                                      \
  CHECK_INT(rc_, 0);                                                         \
  CHECK_INT(l_check_fmt(__func__, text, NULL), 0)

#define DONE()                                                               \
  CHECK_INT(l_check_bpf(&ir, 600, 7), 0);                                    \
  cell_sc_ir_free(&ir);                                                      \
  cell_error_cleanup(&err)

#define A(arch, sc, ...) l_act(&ir, arch, sc, (const uint64_t[6]) { __VA_ARGS__ })

TEST(lang_minimal)
{
  COMPILE("=> ALLOW;");
  CHECK_INT(A("x86_64", "read", 0), ALLOW);
  CHECK_INT(ir.narches, 1);
  CHECK_INT(dg.n, 0);
  DONE();
}

TEST(lang_first_match_wins)
{
  COMPILE("$syscall == read => ERRNO(EPERM);\n"
          "$syscall == read => ALLOW;\n"
          "$syscall in (write, close) => ERRNO(5);\n"
          "=> KILL_PROCESS;");
  CHECK_INT(A("x86_64", "read", 0), ERR(1));
  CHECK_INT(A("x86_64", "write", 0), ERR(5));
  CHECK_INT(A("x86_64", "close", 0), ERR(5));
  CHECK_INT(A("x86_64", "openat", 0), KILLP);
  CHECK_INT(A("x86_64", "#4000", 0), KILLP);
  DONE();
}

TEST(lang_less_restrictive_first)
{
  /* ALLOW for flags without CLONE_NEWUSER before a broader ERRNO: the IR's
   * precedence alone would pick ERRNO */
  COMPILE("$syscall == clone && $arg0 & CLONE_NEWUSER == 0 => ALLOW;\n"
          "$syscall == clone => ERRNO(EPERM);\n"
          "$syscall == unshare && $arg0 == 0 => ALLOW;\n"
          "$syscall == unshare && $arg0 < 100 => TRAP;\n"
          "$syscall == unshare => LOG;\n"
          "=> ERRNO(ENOSYS);");
  CHECK_INT(A("x86_64", "clone", 0x11), ALLOW);
  CHECK_INT(A("x86_64", "clone", 0x10000000 | 0x11), ERR(1));
  CHECK_INT(A("x86_64", "unshare", 0), ALLOW);
  CHECK_INT(A("x86_64", "unshare", 5), CELL_SC_RET_TRAP);
  CHECK_INT(A("x86_64", "unshare", 100), CELL_SC_RET_LOG);
  CHECK_INT(A("x86_64", "unshare", 0x100000000ull), CELL_SC_RET_LOG);
  CHECK_INT(A("x86_64", "read", 0), ERR(38));
  DONE();
}

TEST(lang_or_not_parens)
{
  COMPILE("($syscall == read || $syscall == write) && !($arg0 == 1 || $arg0 == 2) => ALLOW;\n"
          "!($syscall != close) => LOG;\n"
          "$syscall == dup && !($arg0 & 0xf0 == 0x10) => TRACE(7);\n"
          "=> ERRNO(1);");
  CHECK_INT(A("x86_64", "read", 0), ALLOW);
  CHECK_INT(A("x86_64", "read", 1), ERR(1));
  CHECK_INT(A("x86_64", "write", 2), ERR(1));
  CHECK_INT(A("x86_64", "write", 3), ALLOW);
  CHECK_INT(A("x86_64", "close", 3), CELL_SC_RET_LOG);
  CHECK_INT(A("x86_64", "dup", 0x13), ERR(1));
  CHECK_INT(A("x86_64", "dup", 0x23), CELL_SC_RET_TRACE | 7);
  DONE();
}

TEST(lang_64bit_args_and_halves)
{
  COMPILE("$syscall == read && $arg0 == 0x100000000 => ALLOW;\n"
          "$syscall == read && $arg0.hi == 2 => LOG;\n"
          "$syscall == read && $arg0.lo >= 0xfffffff0 => TRAP;\n"
          "$syscall == write && $arg1.lo < 10 && $arg1.hi != 0 => ALLOW;\n"
          "$syscall == write && $arg1 > 0xfffffffffffffff0 => LOG;\n"
          "$syscall == close && $arg2 & 0xff00000000 == 0x1200000000 => ALLOW;\n"
          "=> ERRNO(1);");
  CHECK_INT(A("x86_64", "read", 0x100000000ull), ALLOW);
  CHECK_INT(A("x86_64", "read", 0), ERR(1));
  CHECK_INT(A("x86_64", "read", 0x200000005ull), CELL_SC_RET_LOG);
  CHECK_INT(A("x86_64", "read", 0x3fffffff5ull), CELL_SC_RET_TRAP);
  CHECK_INT(A("x86_64", "read", 0xffffffefull), ERR(1));
  CHECK_INT(A("x86_64", "write", 0, 0x500000009ull), ALLOW);
  CHECK_INT(A("x86_64", "write", 0, 9), ERR(1));
  CHECK_INT(A("x86_64", "write", 0, 0x50000000aull), ERR(1));
  CHECK_INT(A("x86_64", "write", 0, 0xfffffffffffffff1ull), CELL_SC_RET_LOG);
  CHECK_INT(A("x86_64", "close", 0, 0, 0x1234567890ull), ALLOW);
  CHECK_INT(A("x86_64", "close", 0, 0, 0x1334567890ull), ERR(1));
  DONE();
}

TEST(lang_in_ranges)
{
  COMPILE("$syscall == read && $arg0 in (1, 3, 10..20) => ALLOW;\n"
          "$syscall == read && $arg0 not in 0..100 => LOG;\n"
          "$syscall == write && $arg0.lo in 5..0x10000 => ALLOW;\n"
          "$syscall == write && $arg0.lo not in (0, 2..3) => TRAP;\n"
          "=> ERRNO(1);");
  CHECK_INT(A("x86_64", "read", 1), ALLOW);
  CHECK_INT(A("x86_64", "read", 2), ERR(1));
  CHECK_INT(A("x86_64", "read", 15), ALLOW);
  CHECK_INT(A("x86_64", "read", 21), ERR(1));
  CHECK_INT(A("x86_64", "read", 101), CELL_SC_RET_LOG);
  CHECK_INT(A("x86_64", "write", 0x700000005ull), ALLOW);
  CHECK_INT(A("x86_64", "write", 0x10000), ALLOW);
  CHECK_INT(A("x86_64", "write", 0x10001), CELL_SC_RET_TRAP);
  CHECK_INT(A("x86_64", "write", 1), CELL_SC_RET_TRAP);
  CHECK_INT(A("x86_64", "write", 3), ERR(1));
  CHECK_INT(A("x86_64", "write", 0x100000000ull), ERR(1));
  DONE();
}

TEST(lang_literals_and_constants)
{
  COMPILE("define MINE = 0x10 | 0o7 | 0b1000000 | 1_000;\n"
          "$syscall == read && $arg0 == MINE => ALLOW;\n"
          "$syscall == read && $arg0 == -1 => LOG;\n"
          "$syscall == read && $arg0 == 0o777 => TRAP;\n"
          "$syscall == socket && $arg0 == AF_INET && $arg1 & SOCK_STREAM == SOCK_STREAM => ALLOW;\n"
          "$syscall == mmap && $arg2 & (PROT_WRITE | PROT_EXEC) == PROT_WRITE | PROT_EXEC => KILL_THREAD;\n"
          "$syscall == personality && $arg0 in (PER_LINUX, PER_LINUX32, 0xffffffff) => ALLOW;\n"
          "$syscall == open && $arg1 & O_CREAT == O_CREAT => ERRNO(EACCES);\n"
          "$syscall == write && $arg0 == 18446744073709551615 => ALLOW;\n"
          "=> ERRNO(1);");
  CHECK_INT(A("x86_64", "read", 0x10 | 7 | 64 | 1000), ALLOW);
  CHECK_INT(A("x86_64", "read", UINT64_MAX), CELL_SC_RET_LOG);
  CHECK_INT(A("x86_64", "read", 0777), CELL_SC_RET_TRAP);
  CHECK_INT(A("x86_64", "socket", 2, 1 | 0x80000), ALLOW);
  CHECK_INT(A("x86_64", "socket", 10, 1), ERR(1));
  CHECK_INT(A("x86_64", "mmap", 0, 0, 7), KILLT);
  CHECK_INT(A("x86_64", "mmap", 0, 0, 3), ERR(1));
  CHECK_INT(A("x86_64", "personality", 8), ALLOW);
  CHECK_INT(A("x86_64", "personality", 0xffffffff), ALLOW);
  CHECK_INT(A("x86_64", "open", 0, 0100), ERR(13));
  CHECK_INT(A("x86_64", "write", UINT64_MAX), ALLOW);
  DONE();
}

TEST(lang_sets_and_kernel)
{
  COMPILE("set IO = (read, write, readv, writev,);\n"
          "set MORE = (IO, close);\n"
          "$syscall in MORE => ALLOW;\n"
          "$syscall in NEWER(5.4) => ERRNO(ENOSYS);\n"
          "$syscall in KERNEL(3.0) => LOG;\n"
          "$syscall not in (exit, exit_group) => ERRNO(EPERM);\n"
          "=> KILL_PROCESS;");
  CHECK_INT(A("x86_64", "read", 0), ALLOW);
  CHECK_INT(A("x86_64", "close", 0), ALLOW);
  CHECK_INT(A("x86_64", "clone3", 0), ERR(1));     /* 5.3: not newer than 5.4, not in 3.0 */
  CHECK_INT(A("x86_64", "openat2", 0), ERR(38));   /* 5.6 */
  CHECK_INT(A("x86_64", "fchmodat2", 0), ERR(38));
  CHECK_INT(A("x86_64", "openat", 0), CELL_SC_RET_LOG);
  CHECK_INT(A("x86_64", "seccomp", 0), ERR(1));    /* 3.17 */
  CHECK_INT(A("x86_64", "exit", 0), CELL_SC_RET_LOG);
  CHECK_INT(A("x86_64", "#3000", 0), ERR(1));      /* not named: the `not in` rule */
  DONE();
}

TEST(lang_clone3_newer)
{
  COMPILE("$syscall in NEWER(5.2) => ERRNO(ENOSYS);\n=> ALLOW;");
  CHECK_INT(A("x86_64", "clone3", 0), ERR(38));
  CHECK_INT(A("x86_64", "clone", 0), ALLOW);
  DONE();
}

TEST(lang_arch_rules)
{
  COMPILE("arch x86_64, x86, x32;\n"
          "$arch == x32 && $syscall in KERNEL(7.0) => KILL_PROCESS;\n"
          "$arch == x86 && $syscall == socketcall && $arg0 == 1 => ERRNO(EACCES);\n"
          "$arch in (x86_64, x86) && $syscall == read && $arg0 == 0x100000003 => LOG;\n"
          "$syscall in (read, write, socketcall) => ALLOW;\n"
          "=> ERRNO(EPERM);");
  CHECK_INT(ir.narches, 3);
  CHECK_INT(A("x32", "read", 0), KILLP);
  CHECK_INT(A("x32", "#4000", 0), ERR(1));  /* not named: the default */
  CHECK_INT(A("x86", "socketcall", 1), ERR(13));
  CHECK_INT(A("x86", "socketcall", 2), ALLOW);
  CHECK_INT(A("x86_64", "read", 0x100000003ull), CELL_SC_RET_LOG);
  CHECK_INT(A("x86_64", "read", 3), ALLOW);
  CHECK_INT(A("x86", "read", 3), CELL_SC_RET_LOG);  /* 32-bit: the low words compare */
  CHECK_INT(A("x86", "write", 3), ALLOW);
  CHECK_INT(A("aarch64", "read", 3), KILLT);         /* not in the list: badarch */
  DONE();
}

TEST(lang_badarch_and_newer)
{
  COMPILE("badarch => KILL_PROCESS;\nnewer => ERRNO(ENOSYS);\n$syscall in (read, write, openat) => ALLOW;\n=> ERRNO(EPERM);");
  CHECK_INT(A("aarch64", "read", 0), KILLP);
  CHECK_INT(A("x86_64", "read", 0), ALLOW);
  CHECK_INT(A("x86_64", "close", 0), ERR(1));        /* 3 < 257 (openat): known to the policy */
  CHECK_INT(A("x86_64", "#400", 0), ERR(38));        /* above: newer than the policy */
  CHECK_INT(A("x86_64", "mseal", 0), ERR(38));
  CHECK(ir.enosys_stub);
  DONE();
}

TEST(lang_halves_on_32bit)
{
  COMPILE("arch x86;\n"
          "$syscall == read && $arg0.hi == 0 && $arg0.lo == 7 => ALLOW;\n"
          "$syscall == read && $arg0.hi != 0 => LOG;\n"
          "=> ERRNO(1);");
  CHECK_INT(A("x86", "read", 7), ALLOW);
  CHECK_INT(A("x86", "read", 0x500000007ull), ALLOW);  /* the kernel has no high word there */
  CHECK_INT(A("x86", "read", 8), ERR(1));
  DONE();
}

TEST(lang_actions)
{
  COMPILE("$syscall == read => ALLOW;\n$syscall == write => ERRNO(EBADF);\n$syscall == close => KILL_PROCESS;\n"
          "$syscall == dup => KILL_THREAD;\n$syscall == dup2 => KILL;\n$syscall == dup3 => TRAP;\n"
          "$syscall == pipe => TRAP(3);\n$syscall == pipe2 => TRACE(9);\n$syscall == open => LOG;\n"
          "$syscall == openat => NOTIFY;\n=> ERRNO(0);");
  CHECK_INT(A("x86_64", "read", 0), ALLOW);
  CHECK_INT(A("x86_64", "write", 0), ERR(9));
  CHECK_INT(A("x86_64", "close", 0), KILLP);
  CHECK_INT(A("x86_64", "dup", 0), KILLT);
  CHECK_INT(A("x86_64", "dup2", 0), KILLT);
  CHECK_INT(A("x86_64", "dup3", 0), CELL_SC_RET_TRAP);
  CHECK_INT(A("x86_64", "pipe", 0), CELL_SC_RET_TRAP | 3);
  CHECK_INT(A("x86_64", "pipe2", 0), CELL_SC_RET_TRACE | 9);
  CHECK_INT(A("x86_64", "open", 0), CELL_SC_RET_LOG);
  CHECK_INT(A("x86_64", "openat", 0), CELL_SC_RET_USER_NOTIF);
  CHECK_INT(A("x86_64", "mmap", 0), ERR(0));
  DONE();
}

TEST(lang_comments_and_ifdef)
{
  const char *text = "// a comment\n/* a\n block */ $syscall == read => ALLOW; // trailing\n"
                     "#ifdef DEBUG\n$syscall == write => LOG;\n#else\n$syscall == write => ERRNO(3);\n#endif\n"
                     "#ifndef DEBUG\n$syscall == close => TRAP;\n#endif\n"
                     "#define LATER\n#ifdef LATER\n$syscall == dup => LOG;\n#endif\n"
                     "=> ERRNO(1);";
  cell_sc_ir ir;
  cell_error err = CELL_ERROR_INIT;
  const char *defs[] = { "DEBUG", NULL };
  CHECK_INT(l_compile(text, NULL, &ir, NULL, &err), 0);
  CHECK_INT(A("x86_64", "read", 0), ALLOW);
  CHECK_INT(A("x86_64", "write", 0), ERR(3));
  CHECK_INT(A("x86_64", "close", 0), CELL_SC_RET_TRAP);
  CHECK_INT(A("x86_64", "dup", 0), CELL_SC_RET_LOG);
  cell_sc_ir_free(&ir);
  CHECK_INT(l_compile(text, defs, &ir, NULL, &err), 0);
  CHECK_INT(A("x86_64", "write", 0), CELL_SC_RET_LOG);
  CHECK_INT(A("x86_64", "close", 0), ERR(1));
  cell_sc_ir_free(&ir);
  cell_error_cleanup(&err);
}

TEST(lang_syscall_numbers)
{
  COMPILE("$syscall == 0 => LOG;\n$syscall in (5000, 0x40000010) => TRAP;\n=> ALLOW;");
  CHECK_INT(A("x86_64", "read", 0), CELL_SC_RET_LOG);
  CHECK_INT(A("x86_64", "#5000", 0), CELL_SC_RET_TRAP);
  CHECK_INT(A("x86_64", "#5001", 0), ALLOW);
  DONE();
}

TEST(lang_tables_sorted)
{
  extern bool lang_kver_sorted(void);
  extern bool lang_const_sorted(void);
  CHECK(lang_kver_sorted());
  CHECK(lang_const_sorted());
}

/* The examples with their expected actions. */
typedef struct expect { const char *arch, *sc; uint64_t a[3]; uint32_t action; } expect;

static void check_example(int *unit_failed_, int *unit_skipped_, const char *file, const char *const *defs,
                          const expect *e, size_t n)
{
  char *text = l_read(file);
  if (!text)
    SKIP("example not found");
  cell_sc_ir ir;
  cell_error err = CELL_ERROR_INIT;
  l_diags dg;
  int r = l_compile(text, defs, &ir, &dg, &err);
  if (r < 0)
    fprintf(stderr, "  %s\n", err.msg);
  CHECK_INT(r, 0);
  CHECK_INT(dg.n, 0);
  for (size_t i = 0; i < n; i++) {
    uint64_t args[6] = { e[i].a[0], e[i].a[1], e[i].a[2] };
    uint32_t got = l_act(&ir, e[i].arch, e[i].sc, args);
    if (got != e[i].action)
      fprintf(stderr, "  %s: %s %s %llx %llx %llx: %08x, expected %08x\n", file, e[i].arch, e[i].sc,
              (unsigned long long) args[0], (unsigned long long) args[1], (unsigned long long) args[2], got,
              e[i].action);
    CHECK_INT(got, e[i].action);
  }
  CHECK_INT(l_check_bpf(&ir, 500, 21), 0);
  cell_sc_ir_free(&ir);
  cell_error_cleanup(&err);
  free(text);
}

TEST(lang_example_service)
{
  static const expect e[] = {
    { "x86_64", "read", { 0 }, ALLOW },
    { "x86_64", "mmap", { 0, 4096, 3 }, ALLOW },
    { "x86_64", "mmap", { 0, 4096, 7 }, KILLP },
    { "x86_64", "mmap", { 0, 4096, 0x100000006ull }, KILLP },
    { "x86", "mmap2", { 0, 4096, 6 }, ERR(1) },               /* not in the sets */
    { "x86_64", "mprotect", { 0, 4096, 5 }, ALLOW },
    { "x86_64", "clone", { 0x10000000 | 0x10000 }, ERR(1) },  /* NEWUSER with THREAD */
    { "x86_64", "clone", { 0x10000 | 0x100 }, ALLOW },
    { "x86_64", "clone", { 0x11 }, ERR(1) },                  /* fork: the default */
    { "x86_64", "clone3", { 0 }, ERR(38) },
    { "x86_64", "socket", { 2, 1 }, ALLOW },
    { "x86_64", "socket", { 16, 3 }, ERR(97) },
    { "x86_64", "socket", { 0x100000002ull, 1 }, ERR(97) },   /* 64-bit: the high word counts */
    { "x86", "socket", { 0x100000002ull, 1 }, ALLOW },        /* 32-bit: it does not exist */
    { "x86_64", "listen", { 3 }, ALLOW },
    { "x86_64", "execve", { 0 }, ERR(1) },
    { "x86_64", "mseal", { 0 }, ERR(38) },                    /* 6.10: newer than 5.10 */
    { "x86_64", "#4000", { 0 }, ERR(1) },
  };
  check_example(unit_failed_, unit_skipped_, "examples/service.sec", NULL, e, sizeof e / sizeof e[0]);
  static const expect d[] = {
    { "x86_64", "read", { 0 }, ALLOW },
    { "x86_64", "execve", { 0 }, CELL_SC_RET_LOG },
    { "x86_64", "mmap", { 0, 4096, 7 }, KILLP },
  };
  const char *defs[] = { "DEBUG", NULL };
  check_example(unit_failed_, unit_skipped_, "examples/service.sec", defs, d, sizeof d / sizeof d[0]);
}

TEST(lang_example_per_arch)
{
  static const expect e[] = {
    { "x32", "read", { 0 }, KILLP },
    { "x86", "socketcall", { 1 }, ALLOW },
    { "x86", "socketcall", { 2 }, ERR(1) },
    { "x86_64", "lseek", { 3, 0x100000000ull, 0 }, ERR(22) },
    { "x86_64", "lseek", { 3, 0x100000000ull, 1 }, ALLOW },
    { "x86", "lseek", { 3, 0x100000000ull, 0 }, ALLOW },      /* no high word on x86 */
    { "x86_64", "lseek", { 3, 5, 0 }, ALLOW },
    { "x86_64", "execve", { 0 }, KILLP },
    { "aarch64", "read", { 0 }, KILLT },
  };
  check_example(unit_failed_, unit_skipped_, "examples/per-arch.sec", NULL, e, sizeof e / sizeof e[0]);
}
