/* The back end: IR -> classic BPF.
 *
 * Shape of the program:
 *   ld arch; jeq AUDIT_1 -> A1; jeq AUDIT_2 -> A2; ... else RET badarch
 *   A:  ld nr  [x86_64: jge X32_BIT -> x32 part / bad arch]
 *       a binary search of JGE over the ranges of numbers with one outcome
 *       (runs of numbers sharing an action are one range), leaves jump to
 *       shared RET blocks, or to an argument block for numbers with
 *       conditional rules
 *   argument blocks: the rules by precedence, each condition compares
 *       both 32-bit halves of a 64-bit argument
 *   RET blocks, one per distinct return value.
 * Unconditionally decided numbers read only arch and nr, so the kernel's
 * action cache can record them.  Jumps are built on labels and resolved
 * at the end; conditional jumps that would reach further than 255
 * instructions get an unconditional trampoline. */
#include "seccomp/ir.h"
#include "seccomp/seccomp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NEXT (-1)

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
  struct ret { uint32_t action; int32_t label; } *rets;
  size_t nrets, rcap;
  bool oom;
  /* per arch scratch */
  const cell_sc_rule **sorted;
  size_t nsorted;
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

static int32_t label(gen *g)
{
  if (!grow((void **) &g->lpos, &g->lcap, g->nl + 1, sizeof *g->lpos)) {
    g->oom = true;
    return 0;
  }
  g->lpos[g->nl] = -1;
  return (int32_t) g->nl++;
}

static void place(gen *g, int32_t l)
{
  if (!g->oom)
    g->lpos[l] = (int32_t) g->n;
}

static void emit(gen *g, uint16_t code, uint32_t k, int32_t jt, int32_t jf)
{
  if (!grow((void **) &g->code, &g->cap, g->n + 1, sizeof *g->code)) {
    g->oom = true;
    return;
  }
  g->code[g->n++] = (pins) { code, k, jt, jf };
}

static int32_t ret_label(gen *g, uint32_t action)
{
  for (size_t i = 0; i < g->nrets; i++)
    if (g->rets[i].action == action)
      return g->rets[i].label;
  if (!grow((void **) &g->rets, &g->rcap, g->nrets + 1, sizeof *g->rets)) {
    g->oom = true;
    return 0;
  }
  int32_t l = label(g);
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

/* Emit one condition: go to T when it holds, F when not. */
static void emit_cond(gen *g, const cell_sc_arch *a, const cell_sc_cond *c, int32_t T, int32_t F)
{
  uint32_t base = 16 + 8u * c->arg;
  uint32_t lo = base + (a->big_endian ? 4 : 0), hi = base + (a->big_endian ? 0 : 4);
  uint64_t v = c->value, m = c->mask;
  if (c->op == CELL_SC_MASKED_EQ)
    v &= m;
  uint32_t vl = (uint32_t) v, vh = (uint32_t) (v >> 32);
  uint32_t ml = (uint32_t) m, mh = (uint32_t) (m >> 32);

  if (!a->bits64) {
    emit(g, LD_ABS, lo, 0, 0);
    switch (c->op) {
    case CELL_SC_EQ: emit(g, JEQ, vl, T, F); break;
    case CELL_SC_NE: emit(g, JEQ, vl, F, T); break;
    case CELL_SC_GT: emit(g, JGT, vl, T, F); break;
    case CELL_SC_GE: emit(g, JGE, vl, T, F); break;
    case CELL_SC_LT: emit(g, JGE, vl, F, T); break;
    case CELL_SC_LE: emit(g, JGT, vl, F, T); break;
    case CELL_SC_MASKED_EQ:
      if (ml != UINT32_MAX)
        emit(g, AND, ml, 0, 0);
      emit(g, JEQ, vl, T, F);
      break;
    }
    return;
  }
  switch (c->op) {
  case CELL_SC_EQ:
    emit(g, LD_ABS, hi, 0, 0);
    emit(g, JEQ, vh, NEXT, F);
    emit(g, LD_ABS, lo, 0, 0);
    emit(g, JEQ, vl, T, F);
    break;
  case CELL_SC_NE:
    emit(g, LD_ABS, hi, 0, 0);
    emit(g, JEQ, vh, NEXT, T);
    emit(g, LD_ABS, lo, 0, 0);
    emit(g, JEQ, vl, F, T);
    break;
  case CELL_SC_GT:
  case CELL_SC_GE:
    emit(g, LD_ABS, hi, 0, 0);
    emit(g, JGT, vh, T, NEXT);
    emit(g, JEQ, vh, NEXT, F);
    emit(g, LD_ABS, lo, 0, 0);
    emit(g, c->op == CELL_SC_GT ? JGT : JGE, vl, T, F);
    break;
  case CELL_SC_LT:
  case CELL_SC_LE:
    emit(g, LD_ABS, hi, 0, 0);
    emit(g, JGT, vh, F, NEXT);
    emit(g, JEQ, vh, NEXT, T);
    emit(g, LD_ABS, lo, 0, 0);
    emit(g, c->op == CELL_SC_LT ? JGE : JGT, vl, F, T);
    break;
  case CELL_SC_MASKED_EQ:
    if (mh) {
      emit(g, LD_ABS, hi, 0, 0);
      if (mh != UINT32_MAX)
        emit(g, AND, mh, 0, 0);
      emit(g, JEQ, vh, ml ? NEXT : T, F);
    }
    if (ml) {
      emit(g, LD_ABS, lo, 0, 0);
      if (ml != UINT32_MAX)
        emit(g, AND, ml, 0, 0);
      emit(g, JEQ, vl, T, F);
    }
    break;
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

/* Rules of one number, all conditional, sorted by precedence. */
static void emit_arg_block(gen *g, const cell_sc_rule **rules, size_t n)
{
  const cell_sc_ir *ir = g->ir;
  /* insertion sort by (rank, order); n is small */
  for (size_t i = 1; i < n; i++) {
    const cell_sc_rule *r = rules[i];
    int rk = cell_sc_action_rank(r->action);
    size_t j = i;
    while (j > 0) {
      const cell_sc_rule *p = rules[j - 1];
      int pk = cell_sc_action_rank(p->action);
      if (pk < rk || (pk == rk && p->order < r->order))
        break;
      rules[j] = p;
      j--;
    }
    rules[j] = r;
  }
  int32_t def = ret_label(g, ir->default_action);
  for (size_t i = 0; i < n; i++) {
    const cell_sc_rule *r = rules[i];
    const cell_sc_arch *a = &cell_sc_arches[r->arch];
    int32_t fail = i + 1 == n ? def : label(g);
    int32_t act = ret_label(g, r->action);
    size_t last = 0;
    for (size_t j = 0; j < r->ncond; j++)
      if (!cell_sc_cond_trivial(a, &ir->conds[r->cond + j]))
        last = j;
    for (size_t j = 0; j < r->ncond; j++) {
      const cell_sc_cond *c = &ir->conds[r->cond + j];
      if (cell_sc_cond_trivial(a, c))
        continue;
      if (j == last)
        emit_cond(g, a, c, act, fail);
      else {
        int32_t cont = label(g);
        emit_cond(g, a, c, cont, fail);
        place(g, cont);
      }
    }
    if (i + 1 < n)
      place(g, fail);
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

static int add_seg(seg **segs, size_t *n, size_t *cap, seg s)
{
  if (*n && (*segs)[*n - 1].label == s.label && s.count == 0 && (*segs)[*n - 1].count == 0)
    return 0;
  if (!grow((void **) segs, cap, *n + 1, sizeof **segs))
    return -ENOMEM;
  (*segs)[(*n)++] = s;
  return 0;
}

/* The search over numbers [lo, hi] of arch; nr is in the accumulator. */
static int emit_tree(gen *g, size_t arch, uint32_t lo, uint32_t hi)
{
  const cell_sc_ir *ir = g->ir;
  size_t first = 0;
  while (first < g->nsorted && g->sorted[first]->arch != arch)
    first++;
  size_t end = first;
  while (end < g->nsorted && g->sorted[end]->arch == arch)
    end++;
  int32_t def = ret_label(g, ir->default_action);
  seg *segs = NULL;
  size_t nseg = 0, cap = 0;
  uint64_t cur = lo;
  int r = 0;
  for (size_t i = first; i < end && r == 0;) {
    uint32_t nr = g->sorted[i]->nr;
    size_t j = i;
    const cell_sc_rule *uncond = NULL;
    while (j < end && g->sorted[j]->nr == nr) {
      if (!uncond && unconditional(ir, g->sorted[j]))
        uncond = g->sorted[j];
      j++;
    }
    if (nr < lo || nr > hi) {  /* cannot happen for IRs built by the front ends */
      i = j;
      continue;
    }
    if (nr > cur)
      r = add_seg(&segs, &nseg, &cap, (seg) { (uint32_t) cur, def, 0, 0 });
    if (r == 0) {
      if (uncond)
        r = add_seg(&segs, &nseg, &cap, (seg) { nr, ret_label(g, uncond->action), 0, 0 });
      else
        r = add_seg(&segs, &nseg, &cap, (seg) { nr, label(g), i, j - i });
    }
    cur = (uint64_t) nr + 1;
    i = j;
  }
  if (r == 0 && cur <= hi) {
    bool stub = ir->enosys_stub && end > first && cell_sc_action_denies(ir->default_action);
    if (stub) {
      if (cur < UINT32_MAX)
        r = add_seg(&segs, &nseg, &cap, (seg) { (uint32_t) cur, ret_label(g, CELL_SC_RET_ERRNO | ENOSYS), 0, 0 });
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
      emit_arg_block(g, g->sorted + segs[i].first, segs[i].count);
    }
  }
  free(segs);
  return r < 0 ? r : g->oom ? -ENOMEM : 0;
}

static int by_arch_nr(const void *a, const void *b)
{
  const cell_sc_rule *x = *(const cell_sc_rule *const *) a, *y = *(const cell_sc_rule *const *) b;
  if (x->arch != y->arch)
    return x->arch < y->arch ? -1 : 1;
  if (x->nr != y->nr)
    return x->nr < y->nr ? -1 : 1;
  if (x->order != y->order)
    return x->order < y->order ? -1 : 1;
  return x < y ? -1 : x > y;
}

typedef struct rins {
  uint16_t code;
  uint32_t k;
  uint32_t jt, jf;  /* absolute targets */
} rins;

static bool is_cond(uint16_t code)
{
  return BPF_CLASS(code) == BPF_JMP && BPF_OP(code) != BPF_JA;
}

/* Labels -> absolute targets, then trampolines for far conditional jumps. */
static int resolve(gen *g, struct sock_filter **out, size_t *len, cell_error *err)
{
  size_t n = g->n, cap = n + 16;
  rins *p = malloc(cap * sizeof *p);
  if (!p)
    return cell_error_set(err, ENOMEM, "seccomp: out of memory");
  for (size_t i = 0; i < n; i++) {
    pins *c = &g->code[i];
    p[i] = (rins) { c->code, c->k, 0, 0 };
    if (BPF_CLASS(c->code) == BPF_JMP) {
      p[i].jt = c->jt == NEXT ? i + 1 : (uint32_t) g->lpos[c->jt];
      if (BPF_OP(c->code) != BPF_JA)
        p[i].jf = c->jf == NEXT ? i + 1 : (uint32_t) g->lpos[c->jf];
    }
  }
  bool changed = true;
  while (changed && n <= CELL_SECCOMP_MAX_INSNS) {
  changed = false;
  for (size_t i = 0; i < n; i++) {
    if (!is_cond(p[i].code))
      continue;
    for (int which = 0; which < 2; which++) {
      uint32_t t = which ? p[i].jf : p[i].jt;
      if (t - (i + 1) <= 255)
        continue;
      if (n + 1 > cap) {
        cap *= 2;
        rins *q = realloc(p, cap * sizeof *p);
        if (!q) {
          free(p);
          return cell_error_set(err, ENOMEM, "seccomp: out of memory");
        }
        p = q;
      }
      memmove(p + i + 2, p + i + 1, (n - i - 1) * sizeof *p);
      n++;
      for (size_t j = 0; j < n; j++) {
        if (j == i + 1 || BPF_CLASS(p[j].code) != BPF_JMP)
          continue;
        if (p[j].jt >= i + 1)
          p[j].jt++;
        if (is_cond(p[j].code) && p[j].jf >= i + 1)
          p[j].jf++;
      }
      uint32_t far = which ? p[i].jf : p[i].jt;
      /* a jump to a return is the return itself, one step shorter */
      p[i + 1] = BPF_CLASS(p[far].code) == BPF_RET ? p[far] : (rins) { JA, 0, far, 0 };
      if (which)
        p[i].jf = (uint32_t) i + 1;
      else
        p[i].jt = (uint32_t) i + 1;
      changed = true;
    }
  }
  }
  if (n > CELL_SECCOMP_MAX_INSNS) {
    free(p);
    return cell_error_set(err, E2BIG,
                          "seccomp: the filter needs %zu instructions, more than the kernel's limit of %d",
                          n, CELL_SECCOMP_MAX_INSNS);
  }
  struct sock_filter *f = calloc(n ? n : 1, sizeof *f);
  if (!f) {
    free(p);
    return cell_error_set(err, ENOMEM, "seccomp: out of memory");
  }
  for (size_t i = 0; i < n; i++) {
    f[i].code = p[i].code;
    f[i].k = p[i].k;
    if (BPF_CLASS(p[i].code) == BPF_JMP) {
      if (BPF_OP(p[i].code) == BPF_JA)
        f[i].k = p[i].jt - (uint32_t) (i + 1);
      else {
        f[i].jt = (uint8_t) (p[i].jt - (i + 1));
        f[i].jf = (uint8_t) (p[i].jf - (i + 1));
      }
    }
  }
  free(p);
  *out = f;
  *len = n;
  return 0;
}

int cell_sc_codegen(const cell_sc_ir *ir, struct sock_filter **out, size_t *len, cell_error *err)
{
  gen g = { .ir = ir };
  int r = 0;
  g.sorted = malloc((ir->nrules ? ir->nrules : 1) * sizeof *g.sorted);
  if (!g.sorted)
    return cell_error_set(err, ENOMEM, "seccomp: out of memory");
  for (size_t i = 0; i < ir->nrules; i++)
    g.sorted[i] = &ir->rules[i];
  g.nsorted = ir->nrules;
  qsort(g.sorted, g.nsorted, sizeof *g.sorted, by_arch_nr);

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
  free(g.rets);
  free(g.sorted);
  return r;
}
