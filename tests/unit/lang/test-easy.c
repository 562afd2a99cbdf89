/* easyseccomp's spelling: every construct of its language, written by us
 * in its spelling, compiled without a flag, run on x86_64 with 32-bit
 * arguments and checked against the decision easyseccomp's documented
 * meaning gives (first rule that holds, argument compares on 32 bits,
 * syscall names resolved for x86_64); and the same policy in cell's
 * spelling compiles to the very same bytes. */
#include <errno.h>
#include <stdlib.h>
#include "helpers.h"
#include "seccomp/seccomp.h"
#include "seccomp/table.h"
#include "unit.h"

#define ALLOW CELL_SC_RET_ALLOW
#define ERR(e) (CELL_SC_RET_ERRNO | (e))
#define KILLP CELL_SC_RET_KILL_PROCESS
#define KILLT CELL_SC_RET_KILL_THREAD
#define TRAP CELL_SC_RET_TRAP
#define LOG CELL_SC_RET_LOG
#define NOTIF CELL_SC_RET_USER_NOTIF
#define TRACE(n) (CELL_SC_RET_TRACE | (n))

typedef struct ecall {
  const char *sc;          /* x86_64 name, or "#NR" */
  uint64_t a0, a1, a2;
  uint32_t want;
} ecall;

typedef struct ecase {
  const char *name;
  const char *easy, *cell;
  const char *defines[3];
  ecall calls[14];
} ecase;

static const ecase cases[] = {
  { "syscall names", "$syscall == @getpid => ERRNO(EPERM);\n=> ALLOW();\n",
    "$syscall == getpid => ERRNO(EPERM);\n=> ALLOW;\n", { NULL },
    { { "getpid", 0, 0, 0, ERR(1) }, { "getppid", 0, 0, 0, ALLOW }, { "#4000", 0, 0, 0, ALLOW } } },
  { "not equal", "$syscall != @mkdir => ERRNO(EPERM);\n=> ALLOW();\n",
    "$syscall != mkdir => ERRNO(EPERM);\n=> ALLOW;\n", { NULL },
    { { "mkdir", 0, 0, 0, ALLOW }, { "mknodat", 0, 0, 0, ERR(1) }, { "#4000", 0, 0, 0, ERR(1) } } },
  { "a syscall on one architecture",
    /* read is 3 on x86: the number 3, close on x86_64 */
    "$syscall == @read@x86 => ERRNO(5);\n$syscall == @read@x32 => ERRNO(6);\n=> ALLOW();\n",
    "$syscall == 3 => ERRNO(5);\n$syscall == 0x40000000 => ERRNO(6);\n=> ALLOW;\n", { NULL },
    { { "close", 0, 0, 0, ERR(5) }, { "read", 0, 0, 0, ALLOW } } },
  { "architectures", "$arch != @x86_64 => KILL_PROCESS();\n$arch == @x86_64 => ERRNO(7);\n=> ALLOW();\n",
    "$arch != x86_64 => KILL_PROCESS;\n$arch == x86_64 => ERRNO(7);\n=> ALLOW;\n", { NULL },
    { { "read", 0, 0, 0, ERR(7) }, { "#4000", 0, 0, 0, ERR(7) } } },
  { "architectures by number", "$arch == 3221225534 => ERRNO(8);\n=> ALLOW();\n",
    "$arch == x86_64 => ERRNO(8);\n=> ALLOW;\n", { NULL },
    { { "read", 0, 0, 0, ERR(8) } } },
  { "every action",
    "$syscall == @read => ALLOW();\n$syscall == @write => KILL();\n$syscall == @close => KILL_PROCESS();\n"
    "$syscall == @dup => TRAP();\n$syscall == @dup2 => LOG();\n$syscall == @getpid => NOTIFY();\n"
    "$syscall == @getuid => ERRNO(EPERM);\n$syscall == @getgid => ERRNO(10);\n"
    "$syscall == @geteuid => TRACE(7);\n$syscall == @getegid => KILL_THREAD();\n=> ERRNO(ENOSYS);\n",
    "$syscall == read => ALLOW;\n$syscall == write => KILL;\n$syscall == close => KILL_PROCESS;\n"
    "$syscall == dup => TRAP;\n$syscall == dup2 => LOG;\n$syscall == getpid => NOTIFY;\n"
    "$syscall == getuid => ERRNO(EPERM);\n$syscall == getgid => ERRNO(10);\n"
    "$syscall == geteuid => TRACE(7);\n$syscall == getegid => KILL_THREAD;\n=> ERRNO(ENOSYS);\n", { NULL },
    { { "read", 0, 0, 0, ALLOW }, { "write", 0, 0, 0, KILLT }, { "close", 0, 0, 0, KILLP },
      { "dup", 0, 0, 0, TRAP }, { "dup2", 0, 0, 0, LOG }, { "getpid", 0, 0, 0, NOTIF },
      { "getuid", 0, 0, 0, ERR(1) }, { "getgid", 0, 0, 0, ERR(10) }, { "geteuid", 0, 0, 0, TRACE(7) },
      { "getegid", 0, 0, 0, KILLT }, { "getppid", 0, 0, 0, ERR(38) } } },
  { "empty values", "$syscall == @read => TRACE();\n$syscall == @write => ERRNO();\n=> ALLOW();\n",
    "$syscall == read => TRACE(0);\n$syscall == write => ERRNO(0);\n=> ALLOW;\n", { NULL },
    { { "read", 0, 0, 0, TRACE(0) }, { "write", 0, 0, 0, ERR(0) } } },
  { "arguments", "$syscall == @mkdir && $arg0 == 1 => ERRNO(10);\n$syscall == @mkdir && $arg1 == 1 => ERRNO(20);\n"
    "$syscall == @mkdir && $arg2 > 10 => ERRNO(11);\n$syscall == @mkdir && $arg2 >= 5 => ERRNO(12);\n"
    "$syscall == @rmdir && $arg0 <= 5 => ERRNO(13);\n$syscall == @rmdir && $arg0 < 10 => ERRNO(14);\n"
    "=> ALLOW();\n",
    "$syscall == mkdir && $arg0 == 1 => ERRNO(10);\n$syscall == mkdir && $arg1 == 1 => ERRNO(20);\n"
    "$syscall == mkdir && $arg2 > 10 => ERRNO(11);\n$syscall == mkdir && $arg2 >= 5 => ERRNO(12);\n"
    "$syscall == rmdir && $arg0 <= 5 => ERRNO(13);\n$syscall == rmdir && $arg0 < 10 => ERRNO(14);\n"
    "=> ALLOW;\n", { NULL },
    { { "mkdir", 1, 1, 0, ERR(10) }, { "mkdir", 0, 1, 0, ERR(20) }, { "mkdir", 0, 0, 111, ERR(11) },
      { "mkdir", 0, 0, 11, ERR(11) }, { "mkdir", 0, 0, 10, ERR(12) }, { "mkdir", 0, 0, 5, ERR(12) },
      { "mkdir", 0, 0, 4, ALLOW }, { "rmdir", 5, 0, 0, ERR(13) }, { "rmdir", 6, 0, 0, ERR(14) },
      { "rmdir", 9, 0, 0, ERR(14) }, { "rmdir", 10, 0, 0, ALLOW }, { "rmdir", 0xffffffff, 0, 0, ALLOW } } },
  { "masked values, every comparison",
    "$syscall == @mkdir && $arg0 & 1 == 1 => ERRNO(1);\n$syscall == @mkdir && $arg0 & 6 != 6 => ERRNO(2);\n"
    "$syscall == @rmdir && $arg0 & 1 > 0 => ERRNO(3);\n$syscall == @rmdir && $arg0 & 2048 <= 100 => ERRNO(4);\n"
    "$syscall == @unlink && $arg0 & 1 >= 1 => ERRNO(5);\n$syscall == @unlink && $arg0 & 12 < 8 => ERRNO(6);\n"
    "$syscall == @unlink && $arg1 & 4294967040 >= 512 => ERRNO(7);\n=> ALLOW();\n",
    "$syscall == mkdir && $arg0 & 1 == 1 => ERRNO(1);\n$syscall == mkdir && $arg0 & 6 != 6 => ERRNO(2);\n"
    "$syscall == rmdir && $arg0 & 1 > 0 => ERRNO(3);\n$syscall == rmdir && $arg0 & 0x800 <= 100 => ERRNO(4);\n"
    "$syscall == unlink && $arg0 & 1 >= 1 => ERRNO(5);\n$syscall == unlink && $arg0 & 0xc < 8 => ERRNO(6);\n"
    "$syscall == unlink && $arg1 & 0xffffff00 >= 0x200 => ERRNO(7);\n=> ALLOW;\n", { NULL },
    { { "mkdir", 3, 0, 0, ERR(1) }, { "mkdir", 2, 0, 0, ERR(2) }, { "mkdir", 6, 0, 0, ALLOW },
      { "rmdir", 3, 0, 0, ERR(3) }, { "rmdir", 10, 0, 0, ERR(4) }, { "rmdir", 2048, 0, 0, ALLOW },
      { "rmdir", 0xfffff7fe, 0, 0, ERR(4) }, { "unlink", 1, 0, 0, ERR(5) }, { "unlink", 4, 0, 0, ERR(6) },
      { "unlink", 8, 0x1ff, 0, ALLOW }, { "unlink", 12, 0x2ff, 0, ERR(7) }, { "unlink", 8, 0x100, 0, ALLOW },
      { "unlink", 8, 0xffffffff, 0, ERR(7) } } },
  { "several arguments", "$syscall == @mkdir && $arg0 & 10 == 10 && $arg1 == 20 && $arg2 & 30 == 30 => ERRNO(40);\n"
    "=> ERRNO(10);\n",
    "$syscall == mkdir && $arg0 & 10 == 10 && $arg1 == 20 && $arg2 & 30 == 30 => ERRNO(40);\n"
    "=> ERRNO(10);\n", { NULL },
    { { "mkdir", 10, 20, 30, ERR(40) }, { "mkdir", 11, 20, 31, ERR(40) }, { "mkdir", 3, 0, 0, ERR(10) },
      { "mkdir", 10, 20, 29, ERR(10) } } },
  { "arguments without a syscall: every number, outside the table too",
    "$arg0 & 10 == 10 && $arg1 == 20 => ERRNO(40);\n=> ALLOW();\n",
    "$arg0 & 0xa == 0xa && $arg1 == 20 => ERRNO(40);\n=> ALLOW;\n", { NULL },
    { { "mkdir", 10, 20, 0, ERR(40) }, { "#4000", 10, 20, 0, ERR(40) }, { "#4000", 11, 20, 0, ERR(40) },
      { "#335", 0xffffffff, 20, 0, ERR(40) }, { "read", 2, 20, 0, ALLOW }, { "#4000", 10, 21, 0, ALLOW },
      { "getpid", 0xffffffff, 20, 0, ERR(40) }, { "#4000", 8, 20, 0, ALLOW } } },
  { "arguments without a syscall, between named rules",
    "$syscall == @read => ALLOW();\n$arg0 == 1 => ERRNO(1);\n$syscall == @write => LOG();\n=> ALLOW();\n",
    "$syscall == read => ALLOW;\n$arg0 == 1 => ERRNO(1);\n$syscall == write => LOG;\n=> ALLOW;\n", { NULL },
    { { "read", 1, 0, 0, ALLOW }, { "write", 1, 0, 0, ERR(1) }, { "write", 2, 0, 0, LOG },
      { "#4000", 1, 0, 0, ERR(1) }, { "#4000", 2, 0, 0, ALLOW }, { "close", 1, 0, 0, ERR(1) },
      { "close", 0, 0, 0, ALLOW } } },
  { "arguments without a syscall, a denying default",
    "$syscall == @mkdir && $arg0 == 1 => ERRNO(1);\n$arg1 == 2 => ALLOW();\n$syscall != @rmdir && $arg2 > 7 => "
    "TRAP();\n=> KILL_PROCESS();\n",
    "$syscall == mkdir && $arg0 == 1 => ERRNO(1);\n$arg1 == 2 => ALLOW;\n$syscall != rmdir && $arg2 > 7 => TRAP;\n"
    "=> KILL_PROCESS;\n", { NULL },
    { { "mkdir", 1, 2, 0, ERR(1) }, { "mkdir", 0, 2, 0, ALLOW }, { "mkdir", 0, 0, 0, KILLP },
      { "#4000", 0, 2, 0, ALLOW }, { "#4000", 0, 0, 0, KILLP }, { "read", 0, 2, 0, ALLOW },
      { "#4000", 0, 0, 8, TRAP }, { "rmdir", 0, 0, 8, KILLP }, { "read", 0, 0, 8, TRAP },
      { "#4000", 0, 0, 7, KILLP } } },
  { "parenthesised comparisons", "($syscall == @mkdir) && ($arg0 == 1) => ERRNO(3);\n=> ALLOW();\n",
    "$syscall == mkdir && $arg0 == 1 => ERRNO(3);\n=> ALLOW;\n", { NULL },
    { { "mkdir", 1, 0, 0, ERR(3) }, { "mkdir", 2, 0, 0, ALLOW } } },
  { "sets", "$syscall in (@dup, @accept, @socket) => ERRNO(ENOENT);\n$syscall in (@mkdir, @unlink, @close) => ALLOW();\n"
    "$syscall not in (@read, @write) => ERRNO(EIO);\n$syscall == @read && $arg0 in (1, 2, 3) => ERRNO(6);\n"
    "$syscall == @read && $arg0 not in (4, 5) => ERRNO(7);\n=> ALLOW();\n",
    "$syscall in (dup, accept, socket) => ERRNO(ENOENT);\n$syscall in (mkdir, unlink, close) => ALLOW;\n"
    "$syscall not in (read, write) => ERRNO(EIO);\n$syscall == read && $arg0 in (1, 2, 3) => ERRNO(6);\n"
    "$syscall == read && $arg0 not in (4, 5) => ERRNO(7);\n=> ALLOW;\n", { NULL },
    { { "dup", 0, 0, 0, ERR(2) }, { "socket", 0, 0, 0, ERR(2) }, { "close", 0, 0, 0, ALLOW },
      { "mknod", 0, 0, 0, ERR(5) }, { "#4000", 0, 0, 0, ERR(5) }, { "read", 2, 0, 0, ERR(6) },
      { "read", 4, 0, 0, ALLOW }, { "read", 7, 0, 0, ERR(7) }, { "write", 7, 0, 0, ALLOW } } },
  { "kernel releases", "$syscall in KERNEL(4.11) => ALLOW();\n$syscall in KERNEL(5.6.1.2) => LOG();\n"
    "=> ERRNO(ENOSYS);\n",
    "$syscall in KERNEL(4.11) => ALLOW;\n$syscall in KERNEL(5.6.1) => LOG;\n=> ERRNO(ENOSYS);\n", { NULL },
    { { "read", 0, 0, 0, ALLOW }, { "statx", 0, 0, 0, ALLOW }, { "pidfd_open", 0, 0, 0, LOG },
      { "openat2", 0, 0, 0, LOG }, { "close_range", 0, 0, 0, ERR(38) }, { "#4000", 0, 0, 0, ERR(38) } } },
  { "comments, decimal numbers, errno names",
    "// a comment\n$syscall == @mkdir && $arg0 == 010 => ERRNO(EACCES); // 10, not 8\n"
    "$syscall == @mkdir && $arg0 == 0 => ERRNO(ENOSYS);\n=> ALLOW();\n// the end\n",
    "$syscall == mkdir && $arg0 == 10 => ERRNO(EACCES);\n$syscall == mkdir && $arg0 == 0 => ERRNO(ENOSYS);\n"
    "=> ALLOW;\n", { NULL },
    { { "mkdir", 10, 0, 0, ERR(13) }, { "mkdir", 8, 0, 0, ALLOW }, { "mkdir", 0, 0, 0, ERR(38) } } },
  { "#ifdef, defined", "#ifdef ALLOW_MKDIR\n$syscall == @mkdir => ALLOW();\n#endif\n"
    "#ifndef ALLOW_MKDIR\n$syscall == @rmdir => ALLOW();\n#else\n$syscall == @unlink => ALLOW();\n#endif\n"
    "=> ERRNO(EPERM);\n",
    "$syscall == mkdir => ALLOW;\n$syscall == unlink => ALLOW;\n=> ERRNO(EPERM);\n", { "ALLOW_MKDIR", NULL },
    { { "mkdir", 0, 0, 0, ALLOW }, { "unlink", 0, 0, 0, ALLOW }, { "rmdir", 0, 0, 0, ERR(1) },
      { "open", 0, 0, 0, ERR(1) } } },
  { "#ifdef, not defined", "#ifdef NEVER_ALLOWED\n#ifdef ALLOW_MKDIR\n$syscall == @mkdir => ALLOW();\n#endif\n#endif\n"
    "#ifndef ALLOW_MKDIR\n$syscall == @rmdir => ALLOW();\n#else\n$syscall == @unlink => ALLOW();\n#endif\n"
    "=> ERRNO(EPERM);\n",
    "$syscall == rmdir => ALLOW;\n=> ERRNO(EPERM);\n", { "ALLOW_MKDIR_NOT", NULL },
    { { "mkdir", 0, 0, 0, ERR(1) }, { "rmdir", 0, 0, 0, ALLOW }, { "unlink", 0, 0, 0, ERR(1) } } },
  { "a syscall the architecture lacks never matches",
    "$syscall == @socketcall => ERRNO(1);\n$syscall in (@socketcall, @read) => ERRNO(2);\n=> ALLOW();\n",
    "$syscall == socketcall => ERRNO(1);\n$syscall in (socketcall, read) => ERRNO(2);\n=> ALLOW;\n", { NULL },
    { { "read", 0, 0, 0, ERR(2) }, { "write", 0, 0, 0, ALLOW }, { "#102", 0, 0, 0, ALLOW } } },
  { "TRAP keeps its value", "$syscall == @read => TRAP(5);\n=> ALLOW();\n", "$syscall == read => TRAP(5);\n=> ALLOW;\n",
    { NULL }, { { "read", 0, 0, 0, TRAP | 5 } } },
  { "one default per branch, the first one decides",
    "$syscall == @mkdir => ERRNO(1);\n#ifdef STRICT\n=> KILL()\n#endif\n=> ALLOW()\n",
    "$syscall == mkdir => ERRNO(1);\n=> KILL;\n", { "STRICT", NULL },
    { { "mkdir", 0, 0, 0, ERR(1) }, { "read", 0, 0, 0, KILLT } } },
};

static uint32_t run_on(const cell_seccomp_filter *f, const char *arch, const char *sc, const uint64_t args[6])
{
  const cell_sc_arch *a = cell_sc_arch_by_name(arch);
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
  cell_seccomp_data d;
  cell_error err = CELL_ERROR_INIT;
  if (cell_seccomp_data_make(&d, arch, nr, args, &err) < 0) {
    cell_error_cleanup(&err);
    return 0xdeadbeef;
  }
  return cell_seccomp_run(f->insns, f->len, &d, NULL);
}

static uint32_t run(const cell_seccomp_filter *f, const char *sc, const uint64_t args[6])
{
  return run_on(f, "x86_64", sc, args);
}

TEST(lang_easy_constructs)
{
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const ecase *k = &cases[i];
    cell_seccomp_filter fe, fc;
    cell_error err = CELL_ERROR_INIT;
    CHECK_INT(l_check_fmt(k->name, k->easy, k->defines), 0);
    CHECK_INT(l_check_fmt(k->name, k->cell, NULL), 0);
    int re = l_filter(k->easy, k->defines, &fe, &err);
    if (re < 0)
      fprintf(stderr, "  %s (easyseccomp): %s\n", k->name, err.msg);
    cell_error_cleanup(&err);
    int rc = l_filter(k->cell, NULL, &fc, &err);
    if (rc < 0)
      fprintf(stderr, "  %s (cell): %s\n", k->name, err.msg);
    cell_error_cleanup(&err);
    CHECK_INT(re, 0);
    CHECK_INT(rc, 0);
    if (re < 0 || rc < 0)
      continue;
    bool same = fe.len == fc.len && !memcmp(fe.insns, fc.insns, fe.len * sizeof *fe.insns);
    if (!same)
      fprintf(stderr, "  %s: the two spellings compile differently (%zu and %zu instructions)\n", k->name,
              fe.len, fc.len);
    CHECK(same);
    for (size_t j = 0; j < sizeof k->calls / sizeof k->calls[0] && k->calls[j].sc; j++) {
      const ecall *c = &k->calls[j];
      uint64_t args[6] = { c->a0, c->a1, c->a2, 0, 0, 0 };
      uint32_t got = run(&fe, c->sc, args);
      if (got != c->want)
        fprintf(stderr, "  %s: %s(%#llx, %#llx, %#llx): %08x, easyseccomp's meaning %08x\n", k->name, c->sc,
                (unsigned long long) c->a0, (unsigned long long) c->a1, (unsigned long long) c->a2, got,
                c->want);
      CHECK_INT(got, c->want);
    }
    cell_seccomp_filter_free(&fe);
    cell_seccomp_filter_free(&fc);
  }
}

/* Rules on arguments alone with cell's own statements: `newer` (the stub
 * starts above the table's highest number, as such a rule names them
 * all) and every x86 ABI; the program agrees with the IR everywhere. */
TEST(lang_args_alone_with_newer_and_arches)
{
  static const char *const policies[] = {
    "newer => ERRNO(ENOSYS);\n$syscall == mkdir => ALLOW;\n$arg0 == 7 => ERRNO(1);\n=> KILL_PROCESS;\n",
    "arch x86_64, x86, x32;\n$syscall == mkdir => ALLOW;\n$arg0 == 7 || $arg1.hi == 1 => ERRNO(1);\n"
    "$syscall not in (read) && $arg2 & 0xf0 > 0x20 => LOG;\n=> ERRNO(EPERM);\n",
  };
  cell_sc_ir ir;
  cell_error err = CELL_ERROR_INIT;
  CHECK_INT(l_compile(policies[0], NULL, &ir, NULL, &err), 0);
  uint64_t seven[6] = { 7 }, zero[6] = { 0 };
  CHECK_INT(l_act(&ir, "x86_64", "mkdir", seven), ALLOW);
  CHECK_INT(l_act(&ir, "x86_64", "read", seven), ERR(1));
  CHECK_INT(l_act(&ir, "x86_64", "read", zero), KILLP);
  CHECK_INT(l_act(&ir, "x86_64", "#400", zero), KILLP);   /* a gap in the table */
  CHECK_INT(l_act(&ir, "x86_64", "#4000", seven), ERR(1));
  CHECK_INT(l_act(&ir, "x86_64", "#4000", zero), ERR(ENOSYS));
  CHECK_INT(l_check_bpf(&ir, 3000, 11), 0);
  cell_sc_ir_free(&ir);
  CHECK_INT(l_compile(policies[1], NULL, &ir, NULL, &err), 0);
  uint64_t hi[6] = { 0, 0x100000000ull, 0x30 };
  CHECK_INT(l_act(&ir, "x86", "#4000", seven), ERR(1));
  CHECK_INT(l_act(&ir, "x86", "#4000", hi), LOG);   /* .hi reads 0 on x86 */
  CHECK_INT(l_act(&ir, "x32", "#1073745824", hi), ERR(1));
  CHECK_INT(l_act(&ir, "x32", "read", hi), ERR(1));
  CHECK_INT(l_act(&ir, "x86_64", "read", (uint64_t[6]) { 0, 0, 0x30 }), ERR(EPERM));
  CHECK_INT(l_act(&ir, "x86_64", "write", (uint64_t[6]) { 0, 0, 0x30 }), LOG);
  CHECK_INT(l_act(&ir, "x86", "mkdir", seven), ALLOW);
  CHECK_INT(l_check_bpf(&ir, 3000, 12), 0);
  cell_sc_ir_free(&ir);
  cell_error_cleanup(&err);
}

/* The decisions that differ, as docs/seccomp-language.md lists them: cell
 * keeps its stronger meaning.  easyseccomp's decision is the one its
 * generator gives (no arch check, 32-bit loads of nr and arguments). */
typedef struct ediff {
  const char *what, *policy, *arch, *sc;
  uint64_t a0;
  uint32_t easy, cell;
} ediff;

static const ediff differences[] = {
  { "argument width", "$syscall == @getpid && $arg0 == 1 => ERRNO(1);\n=> ALLOW();\n", "x86_64", "getpid",
    0x100000001ull, ERR(1), ALLOW },
  { "argument width, 32-bit call", "$syscall == @getpid && $arg0 == 1 => ERRNO(1);\n=> ALLOW();\n", "x86_64",
    "getpid", 1, ERR(1), ERR(1) },
  { "values over 32 bits", "$syscall == @getpid && $arg0 == 4294967296 => ERRNO(1);\n=> ALLOW();\n", "x86_64",
    "getpid", 0, ERR(1), ALLOW },
  /* x86's getpid is 20, x86_64's writev */
  { "the architecture", "$syscall == @writev => ERRNO(1);\n=> ALLOW();\n", "x86", "getpid", 0, ERR(1), KILLT },
  { "the architecture, listed", "arch x86_64, x86;\n$syscall == @writev => ERRNO(1);\n=> ALLOW();\n", "x86",
    "getpid", 0, ERR(1), ALLOW },
  { "x32", "$arch == @x32 => ERRNO(3);\n$arch == @x86_64 => ERRNO(2);\n=> ALLOW();\n", "x32", "read", 0, ERR(2),
    KILLT },
  /* -1, a tracer's skip: no syscall runs; cell gives it the default, as the OCI front end */
  { "a tracer's skip", "$arg0 == 1 => ERRNO(1);\n=> ALLOW();\n", "x86_64", "#0xffffffff", 1, ERR(1), ALLOW },
  { "x32, listed", "arch x86_64, x32;\n$arch == @x32 && $syscall == @read => ERRNO(3);\n"
    "$arch == @x86_64 && $syscall == @read => ERRNO(2);\n=> ALLOW();\n", "x32", "read", 0, ALLOW, ERR(3) },
};

TEST(lang_easy_differences)
{
  for (size_t i = 0; i < sizeof differences / sizeof differences[0]; i++) {
    const ediff *k = &differences[i];
    cell_seccomp_filter f;
    cell_error err = CELL_ERROR_INIT;
    int r = l_filter(k->policy, NULL, &f, &err);
    if (r < 0)
      fprintf(stderr, "  %s: %s\n", k->what, err.msg);
    cell_error_cleanup(&err);
    CHECK_INT(r, 0);
    if (r < 0)
      continue;
    uint64_t args[6] = { k->a0 };
    uint32_t got = run_on(&f, k->arch, k->sc, args);
    if (got != k->cell)
      fprintf(stderr, "  %s: %08x, expected %08x (easyseccomp: %08x)\n", k->what, got, k->cell, k->easy);
    CHECK_INT(got, k->cell);
    cell_seccomp_filter_free(&f);
  }
}

/* ---- random policies in easyseccomp's spelling against its meaning ------ */

enum { E_SYS, E_SYSIN, E_ARCH, E_ARG, E_MASK, E_ARGIN };

typedef struct eterm {
  int kind;
  bool neg;             /* != or not in */
  unsigned sys;         /* E_SYS: pool index; E_SYSIN: bitmask over the pool */
  int arg, op;          /* op: 0 == 1 != 2 < 3 <= 4 > 5 >= */
  uint32_t v, m, set[3];
  int nset;
} eterm;

typedef struct erule { eterm t[3]; int n; uint32_t action; bool is_default; } erule;

static const char *const epool[] = { "read", "write", "close", "mkdir", "rmdir", "socket", "getpid",
                                     "openat", "ioctl", "prctl", "dup" };
#define EPOOL (sizeof epool / sizeof epool[0])
/* rules that test arguments of syscalls they do not name (`$syscall !=`,
 * or no $syscall at all) */
#define ARGS_OF_UNNAMED 1
static const char *const eops[] = { "==", "!=", "<", "<=", ">", ">=" };

static uint32_t evalue(uint64_t *s)
{
  static const uint32_t e[] = { 0, 1, 2, 3, 7, 8, 10, 16, 255, 256, 2048, 0x7fffffff, 0x80000000,
                                0xfffffffe, 0xffffffff };
  uint64_t r = l_rand(s);
  return r % 3 ? e[(r >> 8) % (sizeof e / sizeof e[0])] : (uint32_t) (r >> 16);
}

static bool ecmp(uint32_t x, int op, uint32_t v)
{
  switch (op) {
  case 0: return x == v;
  case 1: return x != v;
  case 2: return x < v;
  case 3: return x <= v;
  case 4: return x > v;
  default: return x >= v;
  }
}

/* easyseccomp's meaning on x86_64: the first rule whose comparisons all
 * hold, arguments and values compared on their low 32 bits, names
 * resolved for x86_64. */
static uint32_t emodel(const erule *rs, int nr_rules, uint32_t nr, const uint64_t args[6])
{
  for (int i = 0; i < nr_rules; i++) {
    bool all = true;
    for (int k = 0; k < rs[i].n && all; k++) {
      const eterm *t = &rs[i].t[k];
      uint32_t x = (uint32_t) args[t->arg];
      bool h = false;
      switch (t->kind) {
      case E_SYS:
        h = (nr == (uint32_t) cell_sc_syscall_nr(cell_sc_arch_by_name("x86_64"),
                                                 cell_sc_syscall_lookup(epool[t->sys]))) != t->neg;
        break;
      case E_SYSIN:
        for (unsigned p = 0; p < EPOOL; p++)
          if (t->sys >> p & 1)
            h |= nr == (uint32_t) cell_sc_syscall_nr(cell_sc_arch_by_name("x86_64"),
                                                     cell_sc_syscall_lookup(epool[p]));
        h = h != t->neg;
        break;
      case E_ARCH: h = !t->neg; break;   /* every call here is x86_64 */
      case E_ARG: h = ecmp(x, t->op, t->v); break;
      case E_MASK: h = ecmp(x & t->m, t->op, t->v); break;
      default:
        for (int q = 0; q < t->nset; q++)
          h |= x == t->set[q];
        h = h != t->neg;
      }
      all = h;
    }
    if (all)
      return rs[i].action;
  }
  return 0xdeadbeef;
}

static void eprint(FILE *f, const erule *rs, int n, bool easy)
{
  const char *at = easy ? "@" : "", *par = easy ? "()" : "";
  for (int i = 0; i < n; i++) {
    const erule *r = &rs[i];
    for (int k = 0; k < r->n; k++) {
      const eterm *t = &r->t[k];
      fputs(k ? " && " : "", f);
      switch (t->kind) {
      case E_SYS: fprintf(f, "$syscall %s %s%s", t->neg ? "!=" : "==", at, epool[t->sys]); break;
      case E_SYSIN: {
        fprintf(f, "$syscall %sin (", t->neg ? "not " : "");
        bool first = true;
        for (unsigned p = 0; p < EPOOL; p++)
          if (t->sys >> p & 1) {
            fprintf(f, "%s%s%s", first ? "" : ", ", at, epool[p]);
            first = false;
          }
        fputc(')', f);
        break;
      }
      case E_ARCH: fprintf(f, "$arch %s %sx86_64", t->neg ? "!=" : "==", at); break;
      case E_ARG: fprintf(f, "$arg%d %s %u", t->arg, eops[t->op], t->v); break;
      case E_MASK: fprintf(f, "$arg%d & %u %s %u", t->arg, t->m, eops[t->op], t->v); break;
      default:
        fprintf(f, "$arg%d %sin (", t->arg, t->neg ? "not " : "");
        for (int q = 0; q < t->nset; q++)
          fprintf(f, "%s%u", q ? ", " : "", t->set[q]);
        fputc(')', f);
      }
    }
    char buf[32];
    const char *a = cell_seccomp_action_str(r->action, buf);
    if (!strcmp(a, "TRAP(0)"))
      a = "TRAP";
    bool arg = strchr(a, '(') != NULL;
    fprintf(f, "%s=> %s%s;\n", r->n ? " " : "", a, arg ? "" : par);
  }
}

TEST(lang_easy_random)
{
  uint64_t s = getenv("LANG_EASY_SEED") ? strtoull(getenv("LANG_EASY_SEED"), NULL, 0) : 0x9e3779b97f4a7c15ull;
  int count = getenv("LANG_EASY_N") ? atoi(getenv("LANG_EASY_N")) : 300;
  fprintf(stderr, "  seed 0x%llx, %d policies (LANG_EASY_SEED, LANG_EASY_N)\n", (unsigned long long) s, count);
  s |= 1;
  static const uint32_t acts[] = { ALLOW, ERR(1), ERR(13), KILLP, KILLT, TRAP, TRACE(2), LOG };
  unsigned bad = 0, inputs = 0, big = 0;
  for (int iter = 0; iter < count && bad < 3; iter++) {
    erule rs[9];
    int n = 1 + (int) (l_rand(&s) % 8);
    for (int i = 0; i < n; i++) {
      erule *r = &rs[i];
      memset(r, 0, sizeof *r);
      r->action = acts[l_rand(&s) % (sizeof acts / sizeof acts[0])];
      /* a name first: rules on arguments alone need the whole number space */
      r->t[0].kind = E_SYS;
      r->t[0].sys = (unsigned) (l_rand(&s) % EPOOL);
      r->t[0].neg = l_rand(&s) % 5 == 0;
      r->n = 1;
      if (l_rand(&s) % 6 == 0) {   /* `in` stands alone in easyseccomp */
        r->t[0].kind = l_rand(&s) % 2 ? E_SYSIN : E_ARGIN;
        if (r->t[0].kind == E_SYSIN) {
          r->t[0].sys = (unsigned) (l_rand(&s) & ((1u << EPOOL) - 1)) | 1u << (l_rand(&s) % EPOOL);
        } else {
          /* `$argN in` with a name before it, as cell needs one */
          r->t[0].kind = E_SYS;
          r->t[0].neg &= ARGS_OF_UNNAMED;
          r->t[1] = (eterm) { .kind = E_ARGIN, .arg = (int) (l_rand(&s) % 6), .neg = l_rand(&s) % 2 };
          r->t[1].nset = 1 + (int) (l_rand(&s) % 3);
          for (int q = 0; q < r->t[1].nset; q++)
            r->t[1].set[q] = evalue(&s);
          r->n = 2;
        }
        continue;
      }
      int more = (int) (l_rand(&s) % 3);
      if (r->t[0].neg && !ARGS_OF_UNNAMED)
        more = 0;
      for (int k = 0; k < more; k++) {
        eterm *t = &r->t[r->n++];
        uint64_t w = l_rand(&s) % 10;
        t->arg = (int) (l_rand(&s) % 6);
        t->op = (int) (l_rand(&s) % 6);
        t->v = evalue(&s);
        if (w == 0) {
          t->kind = E_ARCH;
          t->neg = l_rand(&s) % 2;
        } else if (w < 6) {
          t->kind = E_ARG;
        } else {
          t->kind = E_MASK;
          t->m = evalue(&s) | 1u << (l_rand(&s) % 12);
        }
        /* comparisons that never hold are refused in both spellings */
        if (t->kind != E_ARCH && ((t->op == 2 && t->v == 0) || (t->op == 4 && t->v == 0xffffffff)))
          t->op = 0;
      }
      /* a rule on arguments alone: every syscall number, outside the table too */
      if (ARGS_OF_UNNAMED && r->n > 1 && r->t[0].kind == E_SYS && l_rand(&s) % 4 == 0) {
        memmove(&r->t[0], &r->t[1], (size_t) (r->n - 1) * sizeof r->t[0]);
        r->n--;
      }
    }
    rs[n] = (erule) { .n = 0, .action = acts[l_rand(&s) % (sizeof acts / sizeof acts[0])], .is_default = true };
    char *easy = NULL, *cell = NULL;
    size_t len;
    FILE *f = open_memstream(&easy, &len);
    eprint(f, rs, n + 1, true);
    fclose(f);
    f = open_memstream(&cell, &len);
    eprint(f, rs, n + 1, false);
    fclose(f);
    cell_seccomp_filter fe, fc;
    cell_error err = CELL_ERROR_INIT;
    int re = l_filter(easy, NULL, &fe, &err);
    if (re == -E2BIG) {
      /* a filter over the kernel's 4096 instructions: a limit, not a difference */
      big++;
      cell_error_cleanup(&err);
      free(easy);
      free(cell);
      continue;
    }
    if (re < 0) {
      fprintf(stderr, "  policy %d does not compile: %s\n%s", iter, err.msg, easy);
      cell_error_cleanup(&err);
      bad++;
      free(easy);
      free(cell);
      continue;
    }
    int rc = l_filter(cell, NULL, &fc, &err);
    cell_error_cleanup(&err);
    bool same = rc == 0 && fe.len == fc.len && !memcmp(fe.insns, fc.insns, fe.len * sizeof *fe.insns);
    unsigned diffs = 0;
    const cell_sc_arch *a = cell_sc_arch_by_name("x86_64");
    for (int sys = -1; sys < (int) EPOOL; sys++) {
      uint32_t nr = sys < 0 ? 4000 : (uint32_t) cell_sc_syscall_nr(a, cell_sc_syscall_lookup(epool[sys]));
      for (int t = 0; t < 40; t++) {
        uint64_t args[6];
        for (int q = 0; q < 6; q++)
          args[q] = evalue(&s);   /* 32-bit arguments */
        /* and values of the policy, and their neighbours */
        const erule *r = &rs[l_rand(&s) % (uint64_t) (n + 1)];
        if (r->n) {
          const eterm *tm = &r->t[l_rand(&s) % (uint64_t) r->n];
          args[tm->arg] = (uint32_t) (tm->v + (uint32_t) (l_rand(&s) % 3) - 1);
        }
        uint32_t want = emodel(rs, n + 1, nr, args);
        uint32_t got = run(&fe, sys < 0 ? "#4000" : epool[sys], args);
        inputs++;
        if (want != got && diffs++ < 3)
          fprintf(stderr, "  policy %d: %s(%#llx, %#llx, %#llx, %#llx, %#llx, %#llx): cell %08x, easyseccomp %08x\n",
                  iter, sys < 0 ? "#4000" : epool[sys], (unsigned long long) args[0], (unsigned long long) args[1],
                  (unsigned long long) args[2], (unsigned long long) args[3], (unsigned long long) args[4],
                  (unsigned long long) args[5], got, want);
      }
    }
    if (!same)
      fprintf(stderr, "  policy %d: the two spellings compile differently\n", iter);
    if (diffs || !same) {
      fprintf(stderr, "%s", easy);
      bad++;
    }
    cell_seccomp_filter_free(&fe);
    if (rc == 0)
      cell_seccomp_filter_free(&fc);
    free(easy);
    free(cell);
  }
  fprintf(stderr, "  easyseccomp: %d policies, %u inputs, %u differ, %u over 4096 instructions\n", count, inputs,
          bad, big);
  CHECK_INT(bad, 0);
  CHECK(big * 100 <= (unsigned) count);
}
