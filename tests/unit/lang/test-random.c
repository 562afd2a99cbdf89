/* Random policies against a reference: the test's own first-match
 * evaluator of the same rules (a direct reading of the language's
 * definition), compared with the compiled IR and its BPF on random and
 * edge arguments for every architecture of the policy.  This holds the
 * lowering (DNF, narrowing for the IR's precedence, halves, ranges,
 * negated masks) to the language's meaning. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "helpers.h"
#include "seccomp/seccomp.h"
#include "seccomp/table.h"
#include "unit.h"

enum { K_AND, K_OR, K_NOT, K_SYS, K_ARCH, K_CMP, K_MASK, K_IN };
enum { P_FULL, P_LO, P_HI };

typedef struct rnode {
  int kind;
  int a, b;               /* children */
  bool neg;
  unsigned sys;           /* K_SYS: bitmask over pool */
  unsigned archs;         /* K_ARCH: bitmask over cell_sc_arches indexes */
  int arg, part, op;      /* op: 0 == 1 != 2 < 3 <= 4 > 5 >= */
  uint64_t v, m;
  uint64_t lo[3], hi[3];
  int n;
} rnode;

typedef struct rpolicy {
  rnode nodes[256];
  int nn;
  int conds[16];          /* per rule: node or -1 */
  unsigned sets[16];      /* per rule: the syscalls it names */
  uint32_t actions[16];
  int nrules;
  uint32_t def;
  size_t arches[8];
  int narches;
} rpolicy;

static const char *const pool[] = {
  "read", "write", "close", "socket", "clone", "personality", "mmap", "openat", "getpid", "ioctl",
  "fcntl", "prctl", "mprotect", "dup", "kill",
};
#define NPOOL (sizeof pool / sizeof pool[0])
#define ALLSYS 0x80000000u   /* a rule without $syscall: every number */

static uint64_t value(uint64_t *s, bool w32)
{
  static const uint64_t e[] = { 0, 1, 2, 3, 7, 8, 9, 16, 0xff, 0x100, 0x7fffffff, 0x80000000, 0xfffffffe,
                                0xffffffff, 0x100000000ull, 0x100000001ull, 0x7fffffffffffffffull,
                                0xfffffffffffffffeull, 0xffffffff00000000ull };
  uint64_t r = l_rand(s), v;
  switch (r % 3) {
  case 0: v = e[(r >> 8) % (sizeof e / sizeof e[0])]; break;
  case 1: v = (r >> 8) % 20; break;
  default: v = l_rand(s); break;
  }
  return w32 ? (uint32_t) v : v;
}

static int gen(rpolicy *p, uint64_t *s, int depth)
{
  if (p->nn >= 250)
    return -1;
  int i = p->nn++;
  rnode *n = &p->nodes[i];
  memset(n, 0, sizeof *n);
  uint64_t r = l_rand(s);
  if (depth < 3 && r % 10 < 4) {
    n->kind = r % 10 < 2 ? K_AND : r % 10 < 3 ? K_OR : K_NOT;
    n->a = gen(p, s, depth + 1);
    n->b = n->kind == K_NOT ? -1 : gen(p, s, depth + 1);
    if (n->a < 0 || (n->kind != K_NOT && n->b < 0))
      return -1;
    return i;
  }
  r = l_rand(s) % 16;
  n->neg = l_rand(s) % 3 == 0;
  if (r == 0) {
    n->kind = K_SYS;
    n->sys = (unsigned) (l_rand(s) & ((1u << NPOOL) - 1));
    n->sys |= 1u << (l_rand(s) % NPOOL);
  } else if (r == 1) {
    n->kind = K_ARCH;
    n->archs = 1u << p->arches[l_rand(s) % (uint64_t) p->narches];
  } else {
    n->arg = (int) (l_rand(s) % 3);
    n->part = l_rand(s) % 3 == 0 ? (int) (l_rand(s) % 2) + 1 : P_FULL;
    bool w32 = n->part != P_FULL;
    uint64_t max = w32 ? 0xffffffffu : UINT64_MAX;
    if (r < 9) {
      n->kind = K_CMP;
      n->op = (int) (l_rand(s) % 6);
      n->v = value(s, w32);
      /* comparisons the language refuses as impossible */
      if ((n->op == 2 && n->v == 0) || (n->op == 4 && n->v == max))
        n->op = 0;
    } else if (r < 12) {
      /* every comparison of a masked value; values mostly within the mask */
      n->kind = K_MASK;
      n->m = value(s, w32);
      n->m |= 1u << (l_rand(s) % 8);
      n->v = value(s, w32);
      if (l_rand(s) % 4)
        n->v &= n->m;
      n->op = (int) (l_rand(s) % 6);
      if ((n->op == 2 && n->v == 0) || (n->op == 4 && n->v == max))
        n->op = 0;
    } else {
      n->kind = K_IN;
      n->n = 1 + (int) (l_rand(s) % 3);
      for (int k = 0; k < n->n; k++) {
        uint64_t a = value(s, w32), b = l_rand(s) % 2 ? a : value(s, w32);
        n->lo[k] = a < b ? a : b;
        n->hi[k] = a < b ? b : a;
      }
    }
  }
  return i;
}

static const char *const opname[] = { "==", "!=", "<", "<=", ">", ">=" };

static void print_node(FILE *f, const rpolicy *p, int i)
{
  const rnode *n = &p->nodes[i];
  static const char *const parts[] = { "", ".lo", ".hi" };
  switch (n->kind) {
  case K_AND: case K_OR:
    fputc('(', f);
    print_node(f, p, n->a);
    fputs(n->kind == K_AND ? " && " : " || ", f);
    print_node(f, p, n->b);
    fputc(')', f);
    return;
  case K_NOT:
    fputs("!", f);
    print_node(f, p, n->a);
    return;
  case K_SYS: {
    fprintf(f, "$syscall %sin (", n->neg ? "not " : "");
    bool first = true;
    for (unsigned k = 0; k < NPOOL; k++)
      if (n->sys >> k & 1) {
        fprintf(f, "%s%s", first ? "" : ", ", pool[k]);
        first = false;
      }
    fputc(')', f);
    return;
  }
  case K_ARCH:
    for (size_t k = 0; k < cell_sc_narches; k++)
      if (n->archs >> k & 1)
        fprintf(f, "$arch %s %s", n->neg ? "!=" : "==", cell_sc_arches[k].short_name);
    return;
  case K_CMP:
    fprintf(f, "$arg%d%s %s 0x%llx", n->arg, parts[n->part], opname[n->op], (unsigned long long) n->v);
    return;
  case K_MASK:
    fprintf(f, "$arg%d%s & 0x%llx %s 0x%llx", n->arg, parts[n->part], (unsigned long long) n->m,
            opname[n->op], (unsigned long long) n->v);
    return;
  case K_IN:
    fprintf(f, "$arg%d%s %sin (", n->arg, parts[n->part], n->neg ? "not " : "");
    for (int k = 0; k < n->n; k++) {
      if (n->lo[k] == n->hi[k])
        fprintf(f, "%s0x%llx", k ? ", " : "", (unsigned long long) n->lo[k]);
      else
        fprintf(f, "%s0x%llx..0x%llx", k ? ", " : "", (unsigned long long) n->lo[k], (unsigned long long) n->hi[k]);
    }
    fputc(')', f);
    return;
  }
}

/* the reference meaning */
static bool eval(const rpolicy *p, int i, const cell_sc_arch *a, size_t ai, int sys, const uint64_t args[6])
{
  const rnode *n = &p->nodes[i];
  switch (n->kind) {
  case K_AND: return eval(p, n->a, a, ai, sys, args) && eval(p, n->b, a, ai, sys, args);
  case K_OR: return eval(p, n->a, a, ai, sys, args) || eval(p, n->b, a, ai, sys, args);
  case K_NOT: return !eval(p, n->a, a, ai, sys, args);
  case K_SYS: return (sys >= 0 && (n->sys >> sys & 1)) != n->neg;
  case K_ARCH: return ((n->archs >> ai) & 1) != n->neg;
  default: break;
  }
  uint64_t x = args[n->arg];
  bool trunc = false;
  if (n->part == P_LO)
    x = (uint32_t) x;
  else if (n->part == P_HI)
    x = a->bits64 ? x >> 32 : 0;
  else if (!a->bits64)
    x = (uint32_t) x, trunc = true;
  uint64_t v = trunc ? (uint32_t) n->v : n->v, m = trunc ? (uint32_t) n->m : n->m;
  switch (n->kind) {
  case K_CMP:
    switch (n->op) {
    case 0: return x == v;
    case 1: return x != v;
    case 2: return x < v;
    case 3: return x <= v;
    case 4: return x > v;
    default: return x >= v;
    }
  case K_MASK:
    x &= m;
    switch (n->op) {
    case 0: return x == v;
    case 1: return x != v;
    case 2: return x < v;
    case 3: return x <= v;
    case 4: return x > v;
    default: return x >= v;
    }
  default: {
    bool in = false;
    for (int k = 0; k < n->n; k++) {
      uint64_t lo = trunc ? (uint32_t) n->lo[k] : n->lo[k], hi = trunc ? (uint32_t) n->hi[k] : n->hi[k];
      in |= lo <= hi && x >= lo && x <= hi;
    }
    return in != n->neg;
  }
  }
}

static uint32_t ref_action(const rpolicy *p, const cell_sc_arch *a, size_t ai, int sys, const uint64_t args[6])
{
  for (int r = 0; r < p->nrules; r++) {
    if (p->sets[r] != ALLSYS && (sys < 0 || !(p->sets[r] >> sys & 1)))
      continue;
    if (p->conds[r] < 0 || eval(p, p->conds[r], a, ai, sys, args))
      return p->actions[r];
  }
  return p->def;
}

static uint32_t random_action(uint64_t *s)
{
  static const uint32_t acts[] = {
    CELL_SC_RET_ALLOW, CELL_SC_RET_ERRNO | 1, CELL_SC_RET_ERRNO | 13, CELL_SC_RET_KILL_PROCESS,
    CELL_SC_RET_KILL_THREAD, CELL_SC_RET_TRAP, CELL_SC_RET_TRACE | 2, CELL_SC_RET_LOG, CELL_SC_RET_USER_NOTIF,
  };
  return acts[l_rand(s) % (sizeof acts / sizeof acts[0])];
}

static void action_str(FILE *f, uint32_t a)
{
  char buf[32];
  const char *s = cell_seccomp_action_str(a, buf);
  if (!strcmp(s, "TRAP(0)"))
    s = "TRAP";
  fputs(s, f);
}

TEST(lang_random_policies)
{
  uint64_t s = getenv("LANG_RANDOM_SEED") ? strtoull(getenv("LANG_RANDOM_SEED"), NULL, 0) : 0x2545f4914f6cdd1dull;
  int count = getenv("LANG_RANDOM_N") ? atoi(getenv("LANG_RANDOM_N")) : 400;
  fprintf(stderr, "  seed 0x%llx, %d policies (LANG_RANDOM_SEED, LANG_RANDOM_N)\n", (unsigned long long) s, count);
  s |= 1;
  unsigned bad = 0, complex = 0, total = 0, onedef = 0, nevery = 0;
  static const char *const arch_pool[] = { "x86", "x32", "aarch64", "s390x" };
  for (int iter = 0; iter < count && bad < 3; iter++) {
    rpolicy *p = calloc(1, sizeof *p);
    p->arches[p->narches++] = cell_sc_arch_index(cell_sc_arch_by_name("x86_64"));
    for (int k = 0; k < 4; k++)
      if (l_rand(&s) % 3 == 0)
        p->arches[p->narches++] = cell_sc_arch_index(cell_sc_arch_by_name(arch_pool[k]));
    p->nrules = 1 + (int) (l_rand(&s) % 8);
    bool ok = true, every = false;
    for (int r = 0; r < p->nrules && ok; r++) {
      p->sets[r] = (unsigned) (l_rand(&s) & ((1u << NPOOL) - 1));
      p->sets[r] |= 1u << (l_rand(&s) % NPOOL);
      p->conds[r] = l_rand(&s) % 4 == 0 ? -1 : gen(p, &s, 0);
      ok = p->conds[r] >= -1 && !(p->conds[r] == -1 && false);
      /* a rule on its condition alone: every syscall number, outside the table too */
      if (p->conds[r] >= 0 && l_rand(&s) % 6 == 0)
        p->sets[r] = ALLSYS, every = true;
      p->actions[r] = random_action(&s);
    }
    do
      p->def = random_action(&s);
    while (p->def == CELL_SC_RET_USER_NOTIF);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    fputs("arch ", f);
    for (int k = 0; k < p->narches; k++)
      fprintf(f, "%s%s", k ? ", " : "", cell_sc_arches[p->arches[k]].short_name);
    fputs(";\n", f);
    for (int r = 0; r < p->nrules; r++) {
      if (p->sets[r] == ALLSYS) {
        print_node(f, p, p->conds[r]);
        fputs(" => ", f);
        action_str(f, p->actions[r]);
        fputs(";\n", f);
        continue;
      }
      fputs("$syscall in (", f);
      bool first = true;
      for (unsigned k = 0; k < NPOOL; k++)
        if (p->sets[r] >> k & 1) {
          fprintf(f, "%s%s", first ? "" : ", ", pool[k]);
          first = false;
        }
      fputc(')', f);
      if (p->conds[r] >= 0) {
        fputs(" && ", f);
        print_node(f, p, p->conds[r]);
      }
      fputs(" => ", f);
      action_str(f, p->actions[r]);
      fputs(";\n", f);
    }
    fputs("=> ", f);
    action_str(f, p->def);
    fputs(";\n", f);
    fclose(f);

    cell_sc_ir ir;
    cell_error err = CELL_ERROR_INIT;
    int rc = ok ? l_compile(text, NULL, &ir, NULL, &err) : -1;
    if (iter % 8 == 0)
      bad += l_check_fmt("random policy", text, NULL);
    total++;
    nevery += every;
    if (rc < 0) {
      if (err.msg && strstr(err.msg, "too complex")) {
        complex++;
        if (getenv("LANG_DEBUG"))
          fprintf(stderr, "  complex %d: %s\n%s", iter, err.msg, text);
      }
      else if (every && err.msg && strstr(err.msg, "a filter has one default"))
        onedef++;   /* a rule on $arch alone decides the other numbers of one arch */
      else if (ok) {
        fprintf(stderr, "  policy %d does not compile: %s\n%s", iter, err.msg, text);
        bad++;
      }
    } else {
      struct sock_filter *insns = NULL;
      size_t n = 0;
      bool have_bpf = cell_sc_codegen(&ir, &insns, &n, &err) == 0;
      unsigned diffs = 0;
      for (int k = 0; k < p->narches; k++) {
        const cell_sc_arch *a = &cell_sc_arches[p->arches[k]];
        /* -1: a number outside the table; -2: one of the table the policy never names */
        for (int sys = -2; sys < (int) NPOOL; sys++) {
          int64_t nr = sys == -1 ? (int64_t) a->nr_base + 4000
                     : cell_sc_syscall_nr(a, cell_sc_syscall_lookup(sys < 0 ? "uname" : pool[sys]));
          if (nr < 0)
            continue;
          for (int t = 0; t < 24; t++) {
            uint64_t args[6];
            for (int q = 0; q < 6; q++) {
              /* one call at a time: the order of evaluation is unspecified */
              uint64_t x = value(&s, false);
              if (l_rand(&s) % 4 == 0)
                x ^= (uint64_t) (l_rand(&s) % 4) << 32;
              args[q] = x;
            }
            uint32_t want = ref_action(p, a, p->arches[k], sys < 0 ? -1 : sys, args);
            uint32_t got = cell_sc_ir_eval(&ir, a->audit, (uint32_t) nr, args);
            uint32_t bpf = got;
            if (have_bpf) {
              cell_seccomp_data d;
              cell_seccomp_data_make(&d, a->short_name, (uint32_t) nr, args, &err);
              bpf = cell_seccomp_run(insns, n, &d, NULL);
            }
            if ((want != got || got != bpf) && diffs++ < 3)
              fprintf(stderr, "  policy %d: %s %s args %llx %llx %llx: want %08x ir %08x bpf %08x\n", iter,
                      a->short_name, sys == -1 ? "other" : sys < 0 ? "uname" : pool[sys], (unsigned long long) args[0],
                      (unsigned long long) args[1], (unsigned long long) args[2], want, got, bpf);
          }
        }
      }
      if (diffs) {
        fprintf(stderr, "%s", text);
        bad++;
      }
      free(insns);
    }
    cell_sc_ir_free(&ir);
    cell_error_cleanup(&err);
    free(text);
    free(p);
  }
  CHECK_INT(bad, 0);
  /* "too complex" must stay rare */
  CHECK(complex * 20 <= total);
  CHECK(onedef * 10 <= total);
  fprintf(stderr, "  %u policies with rules on every number (%u refused: one default)\n", nevery, onedef);
  if (complex)
    fprintf(stderr, "  %u of %u random policies too complex to compile\n", complex, total);
}
