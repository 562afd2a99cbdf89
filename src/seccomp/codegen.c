/* The back end: IR -> classic BPF.
 *
 * Shape of the program:
 *   ld arch; jeq AUDIT_1 -> A1; jeq AUDIT_2 -> A2; ... else RET badarch
 *   A:  ld nr  [x86_64: jge X32_BIT -> x32 part / bad arch]
 *       a binary search of JGE over the ranges of numbers with one outcome
 *       (runs of numbers sharing an action are one range), leaves jump to
 *       shared RET blocks, or to an argument block for numbers with
 *       conditional rules
 *   argument blocks: the rules in order (first match), sharing what
 *       their conditions have in common (emit_arg_block); a condition on a
 *       whole 64-bit argument compares both 32-bit halves
 *   RET blocks, one per distinct return value.
 * Unconditionally decided numbers read only arch and nr, so the kernel's
 * action cache can record them.  Jumps are built on labels and resolved
 * at the end; layout.c gives conditional jumps that would reach further
 * than 255 instructions a trampoline. */
#include "seccomp/ir.h"
#include "seccomp/layout.h"
#include "seccomp/seccomp.h"
#include "util/cleanup.h"

#include <errno.h>
#include <stdlib.h>

#define NEXT (-1)
/* What the accumulator holds where a jump lands: a word of seccomp_data
 * as loaded, or nothing known. */
#define ACC_UNSET UINT32_MAX
#define ACC_UNKNOWN (UINT32_MAX - 1)

typedef struct pins {
  uint16_t code;
  uint32_t k;
  int32_t jt, jf;   /* labels (NEXT: the next instruction); JA uses jt */
} pins;

typedef struct gen {
  const cell_sc_ir *ir;
  pins *code;
  size_t n, cap;
  int32_t *lpos;
  size_t nl, lcap;
  uint32_t *lacc;      /* per label: what the accumulator holds there */
  size_t lacap;
  struct ret { uint32_t action; int32_t label; } *rets;
  size_t nrets, rcap, last_ret;
  bool oom;
  /* per arch scratch */
  const cell_sc_rule *sorted;   /* by arch, nr, order: ir->rules, or sorted_own */
  size_t nsorted;
  cell_sc_rule *sorted_own;
  void *scratch;       /* emit_arg_block's arrays */
  size_t scratch_cap;
} gen;

static bool grow(void **p, size_t *cap, size_t need, size_t size)
{
  if (need <= *cap)
    return true;
  size_t n = *cap ? *cap * 2 : 256;
  while (n < need)
    n *= 2;
  void *q = realloc(*p, n * size);
  if (!q)
    return false;
  *p = q;
  *cap = n;
  return true;
}

/* growth out of line: label and emit are called for every label and
 * instruction, and inline they stay small */
static __attribute__((noinline)) bool label_room(gen *g)
{
  if (!grow((void **) &g->lpos, &g->lcap, g->nl + 1, sizeof *g->lpos) ||
      !grow((void **) &g->lacc, &g->lacap, g->nl + 1, sizeof *g->lacc)) {
    g->oom = true;
    return false;
  }
  return true;
}

static inline int32_t label(gen *g)
{
  if ((g->nl >= g->lcap || g->nl >= g->lacap) && !label_room(g))
    return 0;
  g->lpos[g->nl] = -1;
  g->lacc[g->nl] = ACC_UNSET;
  return (int32_t) g->nl++;
}

static void place(gen *g, int32_t l)
{
  if (!g->oom)
    g->lpos[l] = (int32_t) g->n;
}

static __attribute__((noinline)) bool code_room(gen *g)
{
  if (!grow((void **) &g->code, &g->cap, g->n + 1, sizeof *g->code)) {
    g->oom = true;
    return false;
  }
  return true;
}

static inline void emit(gen *g, uint16_t code, uint32_t k, int32_t jt, int32_t jf)
{
  if (g->n >= g->cap && !code_room(g))
    return;
  g->code[g->n++] = (pins) { code, k, jt, jf };
}

static int32_t ret_label_find(gen *g, uint32_t action);

static inline int32_t ret_label(gen *g, uint32_t action)
{
  /* runs of numbers with one action ask for the same one again */
  if (g->nrets && g->rets[g->last_ret].action == action)
    return g->rets[g->last_ret].label;
  return ret_label_find(g, action);
}

static int32_t ret_label_find(gen *g, uint32_t action)
{
  for (size_t i = 0; i < g->nrets; i++)
    if (g->rets[i].action == action) {
      g->last_ret = i;
      return g->rets[i].label;
    }
  if (!grow((void **) &g->rets, &g->rcap, g->nrets + 1, sizeof *g->rets)) {
    g->oom = true;
    return 0;
  }
  int32_t l = label(g);
  g->last_ret = g->nrets;
  g->rets[g->nrets++] = (struct ret) { action, l };
  return l;
}

#define LD_ABS (BPF_LD | BPF_W | BPF_ABS)
#define JEQ (BPF_JMP | BPF_JEQ | BPF_K)
#define JGT (BPF_JMP | BPF_JGT | BPF_K)
#define JGE (BPF_JMP | BPF_JGE | BPF_K)
#define JA (BPF_JMP | BPF_JA)
#define AND (BPF_ALU | BPF_AND | BPF_K)
#define RET (BPF_RET | BPF_K)

static void reach(gen *g, int32_t l, uint32_t acc)
{
  if (l == NEXT || g->oom)
    return;
  uint32_t *s = &g->lacc[l];
  *s = *s == ACC_UNSET || *s == acc ? acc : ACC_UNKNOWN;
}

/* A conditional jump; acc is what the accumulator holds (for the targets). */
static void jump(gen *g, uint16_t code, uint32_t k, int32_t T, int32_t F, uint32_t acc)
{
  emit(g, code, k, T, F);
  reach(g, T, acc);
  reach(g, F, acc);
}

/* Load word off unless the accumulator holds it already (*acc). */
static void load(gen *g, uint32_t off, uint32_t *acc)
{
  if (*acc != off)
    emit(g, LD_ABS, off, 0, 0);
  *acc = off;
}

/* One comparison of the 32-bit word at off: T when it holds, F when not. */
static void emit_word(gen *g, uint32_t off, unsigned op, uint32_t v, uint32_t m, int32_t T, int32_t F,
                      uint32_t acc)
{
  load(g, off, &acc);
  switch (op) {
  case CELL_SC_EQ: jump(g, JEQ, v, T, F, acc); break;
  case CELL_SC_NE: jump(g, JEQ, v, F, T, acc); break;
  case CELL_SC_GT: jump(g, JGT, v, T, F, acc); break;
  case CELL_SC_GE: jump(g, JGE, v, T, F, acc); break;
  case CELL_SC_LT: jump(g, JGE, v, F, T, acc); break;
  case CELL_SC_LE: jump(g, JGT, v, F, T, acc); break;
  case CELL_SC_MASKED_EQ:
  case CELL_SC_MASKED_NE:
    if (m != UINT32_MAX) {
      emit(g, AND, m, 0, 0);
      acc = ACC_UNKNOWN;
    }
    if (op == CELL_SC_MASKED_EQ)
      jump(g, JEQ, v & m, T, F, acc);
    else
      jump(g, JEQ, v & m, F, T, acc);
    break;
  }
}

/* Emit one condition: go to T when it holds, F when not.  acc: what the
 * accumulator holds before it. */
static void emit_cond(gen *g, const cell_sc_arch *a, const cell_sc_cond *c, int32_t T, int32_t F, uint32_t acc)
{
  uint32_t base = 16 + 8u * c->arg;
  uint32_t lo = base + (a->big_endian ? 4 : 0), hi = base + (a->big_endian ? 0 : 4);
  uint64_t v = c->value, m = c->mask;
  bool masked = c->op == CELL_SC_MASKED_EQ || c->op == CELL_SC_MASKED_NE;
  if (masked)
    v &= m;
  uint32_t vl = (uint32_t) v, vh = (uint32_t) (v >> 32);
  uint32_t ml = (uint32_t) m, mh = (uint32_t) (m >> 32);

  if (c->part == CELL_SC_HI && !a->bits64) {
    /* the high word of a 32-bit argument reads as 0 */
    int32_t to = cell_sc_cond_eval(a, c, 0) ? T : F;
    emit(g, JA, 0, to, 0);
    reach(g, to, acc);
    return;
  }
  if (c->part != CELL_SC_FULL || !a->bits64) {
    if (c->part == CELL_SC_FULL && !masked)
      ml = 0;
    emit_word(g, c->part == CELL_SC_HI ? hi : lo, c->op, vl, ml, T, F, acc);
    return;
  }
  switch (c->op) {
  case CELL_SC_EQ:
    load(g, hi, &acc);
    jump(g, JEQ, vh, NEXT, F, acc);
    load(g, lo, &acc);
    jump(g, JEQ, vl, T, F, acc);
    break;
  case CELL_SC_NE:
    load(g, hi, &acc);
    jump(g, JEQ, vh, NEXT, T, acc);
    load(g, lo, &acc);
    jump(g, JEQ, vl, F, T, acc);
    break;
  case CELL_SC_GT:
  case CELL_SC_GE:
    load(g, hi, &acc);
    jump(g, JGT, vh, T, NEXT, acc);
    jump(g, JEQ, vh, NEXT, F, acc);
    load(g, lo, &acc);
    jump(g, c->op == CELL_SC_GT ? JGT : JGE, vl, T, F, acc);
    break;
  case CELL_SC_LT:
  case CELL_SC_LE:
    load(g, hi, &acc);
    jump(g, JGT, vh, F, NEXT, acc);
    jump(g, JEQ, vh, NEXT, T, acc);
    load(g, lo, &acc);
    jump(g, c->op == CELL_SC_LT ? JGE : JGT, vl, F, T, acc);
    break;
  case CELL_SC_MASKED_EQ:
  case CELL_SC_MASKED_NE: {
    bool eq = c->op == CELL_SC_MASKED_EQ;
    int32_t yes = eq ? T : F, no = eq ? F : T;
    if (mh) {
      load(g, hi, &acc);
      if (mh != UINT32_MAX) {
        emit(g, AND, mh, 0, 0);
        acc = ACC_UNKNOWN;
      }
      jump(g, JEQ, vh, ml ? NEXT : yes, no, acc);
    }
    if (ml) {
      acc = mh && mh != UINT32_MAX ? ACC_UNKNOWN : acc;
      load(g, lo, &acc);
      if (ml != UINT32_MAX) {
        emit(g, AND, ml, 0, 0);
        acc = ACC_UNKNOWN;
      }
      jump(g, JEQ, vl, yes, no, acc);
    }
    if (!mh && !ml) {
      emit(g, JA, 0, yes, 0);
      reach(g, yes, acc);
    }
    break;
  }
  }
}

static bool unconditional(const cell_sc_ir *ir, const cell_sc_rule *r)
{
  const cell_sc_arch *a = &cell_sc_arches[r->arch];
  for (size_t i = 0; i < r->ncond; i++)
    if (!cell_sc_cond_trivial(a, &ir->conds[r->cond + i]))
      return false;
  return true;
}

/* The rules of one number in order (first match), the last one possibly
 * unconditional.
 *
 * Rule i's condition j is emitted at label E(i, j); when it fails, what is
 * known (conditions 0..j-1 of rule i hold, j does not) decides where the
 * next rule that can still match resumes: conditions known to hold are
 * skipped, a rule with a condition known to fail is passed over.  So the
 * paths of a decision tree (resolve.c), which share prefixes and differ in
 * one negated comparison, run as the tree itself.  The accumulator is
 * loaded only where some way in may hold another word. */
typedef struct ablk {
  const cell_sc_cond **c;  /* non-trivial conditions of all rules */
  cell_sc_cond *neg;       /* per condition: its negation */
  size_t *first, *n;       /* per rule */
  int32_t *entry;          /* per condition: its label */
  uint32_t *act;           /* per rule */
  size_t nr;
  int32_t tail;            /* after the last rule */
} ablk;

/* -1 fails, 1 holds, 0 unknown under what is known where rule i's
 * condition j fails: conditions first..first+j-1 hold, first+j does not
 * (nk = j + 1) */
static int known(const ablk *b, const cell_sc_cond *c, size_t first, size_t nk)
{
  for (size_t q = 0; q < nk; q++) {
    bool t = q + 1 < nk;
    if (cell_sc_cond_same(c, b->c[first + q]))
      return t ? 1 : -1;
    if (cell_sc_cond_same(c, &b->neg[first + q]))
      return t ? -1 : 1;
  }
  return 0;
}

static int32_t resume(gen *g, const ablk *b, size_t from, size_t first, size_t nk)
{
  for (size_t r = from; r < b->nr; r++) {
    size_t j;
    for (j = 0; j < b->n[r]; j++) {
      int s = known(b, b->c[b->first[r] + j], first, nk);
      if (s < 0)
        break;
      if (s == 0)
        return b->entry[b->first[r] + j];
    }
    if (j == b->n[r])
      return ret_label(g, b->act[r]);
  }
  return b->tail;
}

/* Room for a block of nr rules and total conditions in g's scratch
 * (kept from block to block: a profile has one block per number with
 * conditional rules). */
static bool ablk_room(gen *g, ablk *b, size_t nr, size_t total)
{
  size_t need = (total + 1) * (sizeof *b->c + sizeof *b->neg + sizeof *b->entry) +
                (nr + 1) * (2 * sizeof *b->first + sizeof *b->act);
  if (!grow(&g->scratch, &g->scratch_cap, need, 1))
    return false;
  char *m = g->scratch;   /* the 8-byte aligned arrays first */
  b->neg = (cell_sc_cond *) m;
  m += (total + 1) * sizeof *b->neg;
  b->c = (const cell_sc_cond **) m;
  m += (total + 1) * sizeof *b->c;
  b->first = (size_t *) m;
  m += (nr + 1) * sizeof *b->first;
  b->n = (size_t *) m;
  m += (nr + 1) * sizeof *b->n;
  b->entry = (int32_t *) m;
  m += (total + 1) * sizeof *b->entry;
  b->act = (uint32_t *) m;
  return true;
}

/* The rules in order; what none of them matches gets tail_action. */
static void emit_arg_block(gen *g, const cell_sc_rule *rules, size_t n, uint32_t tail_action)
{
  const cell_sc_ir *ir = g->ir;
  size_t total = 0, nr = 0;
  for (size_t i = 0; i < n; i++) {
    total += rules[i].ncond;
    nr++;
    if (unconditional(ir, &rules[i]))
      break;
  }
  ablk b = { .nr = nr };
  if (!ablk_room(g, &b, nr, total)) {
    g->oom = true;
    return;
  }
  const cell_sc_arch *a = &cell_sc_arches[rules[0].arch];
  size_t m = 0;
  b.tail = ret_label(g, tail_action);
  for (size_t i = 0; i < nr; i++) {
    const cell_sc_rule *r = &rules[i];
    b.first[i] = m;
    for (size_t j = 0; j < r->ncond; j++)
      if (!cell_sc_cond_trivial(a, &ir->conds[r->cond + j])) {
        b.c[m] = &ir->conds[r->cond + j];
        b.neg[m] = cell_sc_cond_not(b.c[m]);
        m++;
      }
    b.n[i] = m - b.first[i];
    b.act[i] = r->action;
    if (!b.n[i])
      b.tail = ret_label(g, r->action);   /* the unconditional one: last */
  }
  for (size_t j = 0; j < m; j++)
    b.entry[j] = label(g);
  if (g->oom)
    return;
  if (m == 0) {   /* the first rule decides alone */
    emit(g, JA, 0, b.tail, 0);
    return;
  }
  reach(g, b.entry[0], ACC_UNKNOWN);
  for (size_t i = 0; i < nr && !g->oom; i++)
    for (size_t j = 0; j < b.n[i] && !g->oom; j++) {
      size_t x = b.first[i] + j;
      uint32_t acc = g->lacc[b.entry[x]];
      if (acc == ACC_UNSET)
        continue;   /* no way in */
      place(g, b.entry[x]);
      int32_t T = j + 1 < b.n[i] ? b.entry[x + 1] : ret_label(g, b.act[i]);
      int32_t F = resume(g, &b, i + 1, b.first[i], j + 1);
      emit_cond(g, a, b.c[x], T, F, acc);
    }
}

typedef struct seg {
  uint32_t start;
  int32_t label;
  size_t first, count;  /* rules for an argument block, else count 0 */
} seg;

static void emit_search(gen *g, const seg *s, size_t l, size_t r)
{
  if (r - l == 3 && s[l].label == s[l + 2].label && s[l + 2].start - s[l + 1].start == 1) {
    emit(g, JEQ, s[l + 1].start, s[l + 1].label, s[l].label);
    return;
  }
  size_t m = (l + r) / 2;
  int32_t lr = r - m == 1 ? s[m].label : label(g);
  int32_t ll = m - l == 1 ? s[l].label : label(g);
  emit(g, JGE, s[m].start, lr, ll);
  if (m - l > 1) {
    place(g, ll);
    emit_search(g, s, l, m);
  }
  if (r - m > 1) {
    place(g, lr);
    emit_search(g, s, m, r);
  }
}

static inline int add_seg(seg **segs, size_t *n, size_t *cap, seg s)
{
  if (*n && (*segs)[*n - 1].label == s.label && s.count == 0 && (*segs)[*n - 1].count == 0)
    return 0;
  if (!grow((void **) segs, cap, *n + 1, sizeof **segs))
    return -ENOMEM;
  (*segs)[(*n)++] = s;
  return 0;
}

/* the first of g->sorted whose arch is arch or above */
static size_t arch_bound(const gen *g, size_t arch)
{
  size_t lo = 0, hi = g->nsorted;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (g->sorted[mid].arch < arch)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* The search over numbers [lo, hi] of arch; nr is in the accumulator. */
static int emit_tree(gen *g, size_t arch, uint32_t lo, uint32_t hi)
{
  const cell_sc_ir *ir = g->ir;
  /* the arch's rules: sorted by arch first */
  size_t first = arch_bound(g, arch), end = arch_bound(g, arch + 1);
  /* numbers without rules of their own: the arch's other rules, then the
   * default (oblock[0]) or the ENOSYS stub (oblock[1]) */
  size_t nothers = 0;
  for (size_t i = 0; i < ir->nothers; i++)
    nothers += ir->others[i].arch == arch;
  cell_sc_rule *others = NULL;
  if (nothers) {
    others = malloc(nothers * sizeof *others);
    if (!others)
      return -ENOMEM;
    nothers = 0;
    for (size_t i = 0; i < ir->nothers; i++)
      if (ir->others[i].arch == arch)
        others[nothers++] = ir->others[i];
  }
  int32_t oblock[2] = { -1, -1 };
  int32_t def = ret_label(g, ir->default_action), enosys = -1;
  bool stub = ir->enosys_stub && end > first && cell_sc_action_denies(ir->default_action);
  if (stub)
    enosys = ret_label(g, CELL_SC_RET_ERRNO | ENOSYS);
  if (nothers && unconditional(ir, &others[0])) {
    def = ret_label(g, others[0].action);
    if (stub)
      enosys = def;
  } else if (nothers) {
    def = oblock[0] = label(g);
    if (stub)
      enosys = oblock[1] = label(g);
  }
  seg *segs = NULL;
  size_t nseg = 0, cap = 0;
  uint64_t cur = lo;
  int r = 0;
  const cell_sc_rule *rs = g->sorted;
  for (size_t i = first; i < end && r == 0;) {
    const cell_sc_rule *x = &rs[i];
    uint32_t nr = x->nr;
    size_t j = i + 1;
    while (j < end && rs[j].nr == nr)
      j++;
    if (nr < lo || nr > hi) {  /* cannot happen for IRs built by the front ends */
      i = j;
      continue;
    }
    if (nr > cur)
      r = add_seg(&segs, &nseg, &cap, (seg) { (uint32_t) cur, def, 0, 0 });
    /* the first rule decides alone when it has no conditions */
    if (r == 0) {
      if (x->ncond == 0 || unconditional(ir, x))
        r = add_seg(&segs, &nseg, &cap, (seg) { nr, ret_label(g, x->action), 0, 0 });
      else
        r = add_seg(&segs, &nseg, &cap, (seg) { nr, label(g), i, j - i });
    }
    cur = (uint64_t) nr + 1;
    i = j;
  }
  if (r == 0 && cur <= hi) {
    if (stub) {
      if (cur < UINT32_MAX)
        r = add_seg(&segs, &nseg, &cap, (seg) { (uint32_t) cur, enosys, 0, 0 });
      if (r == 0 && hi == UINT32_MAX)
        r = add_seg(&segs, &nseg, &cap, (seg) { UINT32_MAX, def, 0, 0 });
    } else
      r = add_seg(&segs, &nseg, &cap, (seg) { (uint32_t) cur, def, 0, 0 });
  }
  if (r == 0 && !g->oom) {
    if (nseg == 1)
      emit(g, JA, 0, segs[0].label, 0);
    else
      emit_search(g, segs, 0, nseg);
    for (size_t i = 0; i < nseg; i++) {
      if (!segs[i].count)
        continue;
      place(g, segs[i].label);
      emit_arg_block(g, rs + segs[i].first, segs[i].count, ir->default_action);
    }
    for (int k = 0; k < 2; k++)
      if (oblock[k] >= 0) {
        place(g, oblock[k]);
        emit_arg_block(g, others, nothers, k ? CELL_SC_RET_ERRNO | ENOSYS : ir->default_action);
      }
  }
  free(others);
  free(segs);
  return r < 0 ? r : g->oom ? -ENOMEM : 0;
}

static inline int rule_cmp(const cell_sc_rule *x, const cell_sc_rule *y)
{
  if (x->arch != y->arch)
    return x->arch < y->arch ? -1 : 1;
  if (x->nr != y->nr)
    return x->nr < y->nr ? -1 : 1;
  if (x->order != y->order)
    return x->order < y->order ? -1 : 1;
  return x < y ? -1 : x > y;
}

static int by_arch_nr(const void *a, const void *b)
{
  return rule_cmp(*(const cell_sc_rule *const *) a, *(const cell_sc_rule *const *) b);
}

/* Labels -> absolute targets; layout.c places the trampolines. */
static int resolve(gen *g, struct sock_filter **out, size_t *len, cell_error *err)
{
  _cleanup_free_ cell_sc_ains *p = malloc((g->n ? g->n : 1) * sizeof *p);
  if (!p)
    return cell_error_set(err, ENOMEM, "seccomp: out of memory");
  for (size_t i = 0; i < g->n; i++) {
    const pins *c = &g->code[i];
    p[i] = (cell_sc_ains) { c->code, c->k, 0, 0 };
    if (BPF_CLASS(c->code) == BPF_JMP) {
      p[i].jt = c->jt == NEXT ? i + 1 : (uint32_t) g->lpos[c->jt];
      if (BPF_OP(c->code) != BPF_JA)
        p[i].jf = c->jf == NEXT ? i + 1 : (uint32_t) g->lpos[c->jf];
    }
  }
  return cell_sc_layout(p, g->n, out, len, err);
}

int cell_sc_codegen(const cell_sc_ir *ir, struct sock_filter **out, size_t *len, cell_error *err)
{
  gen g = { .ir = ir };
  int r = 0;
  bool in_order = true;   /* resolve.c writes them so */
  for (size_t i = 1; i < ir->nrules && in_order; i++)
    in_order = rule_cmp(&ir->rules[i - 1], &ir->rules[i]) < 0;
  g.sorted = ir->rules;
  g.nsorted = ir->nrules;
  if (!in_order) {
    const cell_sc_rule **by = malloc(ir->nrules * sizeof *by);
    g.sorted_own = malloc(ir->nrules * sizeof *g.sorted_own);
    if (!by || !g.sorted_own) {
      free(by);
      free(g.sorted_own);
      return cell_error_set(err, ENOMEM, "seccomp: out of memory");
    }
    for (size_t i = 0; i < ir->nrules; i++)
      by[i] = &ir->rules[i];
    qsort(by, ir->nrules, sizeof *by, by_arch_nr);
    for (size_t i = 0; i < ir->nrules; i++)
      g.sorted_own[i] = *by[i];
    free(by);
    g.sorted = g.sorted_own;
  }

  const size_t x86_64 = 1, x32 = 2;
  bool has64 = cell_sc_ir_has_arch(ir, x86_64), has32 = cell_sc_ir_has_arch(ir, x32);
  /* arch groups in IR order; x86_64 and x32 form one */
  size_t groups[CELL_SC_MAX_ARCHES], ng = 0;
  bool x86_done = false;
  for (size_t i = 0; i < ir->narches; i++) {
    size_t a = ir->arches[i];
    if (a == x86_64 || a == x32) {
      if (x86_done)
        continue;
      x86_done = true;
    }
    groups[ng++] = a;
  }
  int32_t glabel[CELL_SC_MAX_ARCHES];
  int32_t bad = ret_label(&g, ir->badarch_action);
  emit(&g, LD_ABS, 4, 0, 0);
  for (size_t i = 0; i < ng; i++) {
    glabel[i] = label(&g);
    emit(&g, JEQ, cell_sc_arches[groups[i]].audit, glabel[i], i + 1 == ng ? bad : NEXT);
  }
  if (ng == 0)
    emit(&g, JA, 0, bad, 0);
  for (size_t i = 0; i < ng && r == 0 && !g.oom; i++) {
    size_t a = groups[i];
    place(&g, glabel[i]);
    emit(&g, LD_ABS, 0, 0, 0);
    if (a == x86_64 || a == x32) {
      if (has64 && has32) {
        int32_t l32 = label(&g);
        emit(&g, JGE, CELL_SC_X32_BIT, l32, NEXT);
        r = emit_tree(&g, x86_64, 0, CELL_SC_X32_BIT - 1);
        place(&g, l32);
        if (r == 0)
          r = emit_tree(&g, x32, CELL_SC_X32_BIT, UINT32_MAX);
      } else if (has64) {
        int32_t hi = label(&g);
        emit(&g, JGE, CELL_SC_X32_BIT, hi, NEXT);
        r = emit_tree(&g, x86_64, 0, CELL_SC_X32_BIT - 1);
        place(&g, hi);
        emit(&g, JEQ, UINT32_MAX, ret_label(&g, ir->default_action), bad);
      } else {
        emit(&g, JGE, CELL_SC_X32_BIT, NEXT, bad);
        r = emit_tree(&g, x32, CELL_SC_X32_BIT, UINT32_MAX);
      }
    } else
      r = emit_tree(&g, a, 0, UINT32_MAX);
  }
  for (size_t i = 0; i < g.nrets && !g.oom; i++) {
    place(&g, g.rets[i].label);
    emit(&g, RET, g.rets[i].action, 0, 0);
  }
  if (r == 0 && g.oom)
    r = -ENOMEM;
  if (r == 0)
    r = resolve(&g, out, len, err);
  else
    r = cell_error_set(err, -r, "seccomp: out of memory");
  free(g.code);
  free(g.lpos);
  free(g.lacc);
  free(g.rets);
  free(g.sorted_own);
  free(g.scratch);
  return r;
}
