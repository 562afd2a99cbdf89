/* Lowering: ordered first-match rules into IR rules, whose meaning is the
 * first match too (seccomp/ir.h).
 *
 * Per architecture and syscall number, the rules that can match form an
 * ordered list of (term, action), a term being an AND of comparisons (the
 * conditions in DNF, $syscall and $arch decided statically).  The list ends
 * at the first term that always holds; each term becomes one IR rule, in
 * order.
 *
 * Numbers outside the table (and not written as numbers in the policy)
 * form one more class: the rules that can match them (those that test
 * arguments alone, easyseccomp's meaning: every syscall number) become the
 * IR's other rules of the arch, up to the first that always holds, whose
 * action is the IR's default.  A number of the table whose list is the
 * same as that class's gets no rules of its own. */
#include "seccomp/lang/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "seccomp/lang/dnf.h"
#include "util/cleanup.h"

enum { F = 0, T = 1, U = 2 };  /* three-valued static results */

typedef struct lower {
  lang_ctx *c;
  cell_sc_ir *ir;
  const cell_sc_arch *a;
  size_t ai;       /* arch index */
  uint32_t nr;
  int32_t row;     /* table row of nr on a, -1 none */
  bool other;      /* the class of numbers the policy does not name */
  uint32_t order;
  uint64_t *rows;  /* per N_SYS node: bitset of the table rows it names */
  size_t words;    /* per node */
  uint8_t *more;   /* per node: it has items other than names */
  struct entry *oe;  /* the class of other numbers on l->a, as emitted */
  size_t noe;
} lower;

/* per rule, for the diagnostics */
typedef struct rule_info {
  bool sat, applied;
  int32_t cutter;           /* first rule that decided a number before this one */
  uint32_t *named;          /* rows the rule names positively (sorted) */
  size_t nnamed;
  uint64_t *named_sat, *named_cut;  /* arch masks per named row */
} rule_info;

static bool sys_match(const lower *l, uint32_t idx, const lang_node *n)
{
  const lang_ctx *c = l->c;
  if (l->other)
    return n->neg;
  if (l->row >= 0 && (l->rows[idx * l->words + (size_t) l->row / 64] >> (l->row % 64) & 1))
    return !n->neg;
  bool found = false;
  for (uint32_t i = 0; l->more[idx] && i < n->n && !found; i++) {
    const lang_sysitem *it = &c->items[n->first + i];
    switch (it->kind) {
    case SYSI_NAME:
      break;   /* in the bitset */
    case SYSI_NUM:
      found = it->v == l->nr;
      break;
    case SYSI_KERNEL:
    case SYSI_NEWER:
      if (l->row >= 0) {
        uint32_t v = lang_kver(l->a, &cell_sc_syscalls[l->row]);
        found = it->kind == SYSI_KERNEL ? v <= it->v : v > it->v;
      }
      break;
    }
  }
  return found != n->neg;
}

/* the bitsets of sys_match */
static int index_sets(lower *l)
{
  lang_ctx *c = l->c;
  l->words = (cell_sc_nsyscalls + 63) / 64;
  l->rows = calloc(c->nnodes * l->words + 1, sizeof *l->rows);
  l->more = calloc(c->nnodes + 1, 1);
  if (!l->rows || !l->more)
    return cell_error_set(c->err, ENOMEM, "out of memory");
  for (size_t i = 0; i < c->nnodes; i++) {
    const lang_node *n = &c->nodes[i];
    if (n->kind != N_SYS)
      continue;
    for (uint32_t k = 0; k < n->n; k++) {
      const lang_sysitem *it = &c->items[n->first + k];
      if (it->kind == SYSI_NAME)
        l->rows[i * l->words + it->v / 64] |= 1ull << (it->v % 64);
      else
        l->more[i] = 1;
    }
  }
  return 0;
}

static int static3(const lower *l, uint32_t idx, bool neg)
{
  const lang_node *n = &l->c->nodes[idx];
  int x, y;
  switch (n->kind) {
  case N_TRUE: return neg ? F : T;
  case N_SYS: return sys_match(l, idx, n) != neg ? T : F;
  case N_ARCH: return (((n->archmask >> l->ai) & 1) != n->neg) != neg ? T : F;
  case N_ARG: return U;
  case N_NOT: return static3(l, n->a, !neg);
  case N_AND:
  case N_OR: {
    bool is_and = (n->kind == N_AND) != neg;
    x = static3(l, n->a, neg);
    if (is_and && x == F)
      return F;
    if (!is_and && x == T)
      return T;
    y = static3(l, n->b, neg);
    if (is_and)
      return y == F ? F : x == T && y == T ? T : U;
    return y == T ? T : x == F && y == F ? F : U;
  }
  }
  return U;
}

/* ---- argument leaves --------------------------------------------------- */

typedef struct rset { lang_range *r; size_t n; } rset;

static int cmp_range(const void *x, const void *y)
{
  const lang_range *a = x, *b = y;
  return a->lo < b->lo ? -1 : a->lo > b->lo;
}

/* The values the leaf accepts, as sorted disjoint ranges over [0, max]. */
static int leaf_set(const lang_ctx *c, const lang_node *n, uint64_t max, bool truncate, bool neg, rset *out)
{
  size_t cnt = n->n;
  lang_range *r = calloc(cnt + 2, sizeof *r);
  if (!r)
    return -ENOMEM;
  size_t k = 0;
  for (size_t i = 0; i < cnt; i++) {
    lang_range g = c->ranges[n->first + i];
    if (truncate)
      g.lo = (uint32_t) g.lo, g.hi = (uint32_t) g.hi;
    switch (n->op) {
    case CELL_SC_EQ: case CELL_SC_NE: case LANG_OP_IN: case LANG_OP_NOTIN: break;
    case CELL_SC_LT: if (g.lo == 0) continue; g = (lang_range) { 0, g.lo - 1 }; break;
    case CELL_SC_LE: g = (lang_range) { 0, g.lo }; break;
    case CELL_SC_GT: if (g.lo >= max) continue; g = (lang_range) { g.lo + 1, max }; break;
    case CELL_SC_GE: g = (lang_range) { g.lo, max }; break;
    }
    if (g.lo > max || g.lo > g.hi)
      continue;
    if (g.hi > max)
      g.hi = max;
    r[k++] = g;
  }
  qsort(r, k, sizeof *r, cmp_range);
  size_t m = 0;
  for (size_t i = 0; i < k; i++) {
    if (m && (r[m - 1].hi == UINT64_MAX || r[i].lo <= r[m - 1].hi + 1)) {
      if (r[i].hi > r[m - 1].hi)
        r[m - 1].hi = r[i].hi;
    } else {
      r[m++] = r[i];
    }
  }
  bool complement = neg != (n->op == CELL_SC_NE || n->op == LANG_OP_NOTIN);
  if (complement) {
    lang_range *q = calloc(m + 2, sizeof *q);
    if (!q) {
      free(r);
      return -ENOMEM;
    }
    size_t j = 0;
    uint64_t from = 0;
    bool open = true;
    for (size_t i = 0; i < m; i++) {
      if (r[i].lo > from)
        q[j++] = (lang_range) { from, r[i].lo - 1 };
      if (r[i].hi >= max) {
        open = false;
        break;
      }
      from = r[i].hi + 1;
    }
    if (open)
      q[j++] = (lang_range) { from, max };
    free(r);
    r = q;
    m = j;
  }
  out->r = r;
  out->n = m;
  return 0;
}

/* [lo, hi] of a full-width value (max: the top of its domain) */
static int full_range(const cell_sc_arch *a, dnf *d, unsigned arg, uint64_t lo, uint64_t hi, uint64_t max)
{
  cell_sc_cond cs[2];
  size_t n = 0;
  if (lo == hi) {
    cs[n++] = (cell_sc_cond) { (uint8_t) arg, CELL_SC_EQ, lo, 0 };
  } else {
    if (lo > 0)
      cs[n++] = (cell_sc_cond) { (uint8_t) arg, CELL_SC_GE, lo, 0 };
    if (hi < max)
      cs[n++] = (cell_sc_cond) { (uint8_t) arg, CELL_SC_LE, hi, 0 };
  }
  return dnf_add_cond(a, d, cs, n);
}

static cell_sc_op flip(unsigned op)
{
  switch (op) {
  case CELL_SC_EQ: return CELL_SC_NE;
  case CELL_SC_NE: return CELL_SC_EQ;
  case CELL_SC_LT: return CELL_SC_GE;
  case CELL_SC_GE: return CELL_SC_LT;
  case CELL_SC_LE: return CELL_SC_GT;
  default: return CELL_SC_LE;
  }
}

/* ---- masked values ----------------------------------------------------- */
/* x = arg & m compared with a constant, as ORs of masked compares: x and V
 * agree on the bits above some bit b and differ at b in the right way. */

static uint64_t above(unsigned b) { return b == 63 ? 0 : ~((2ull << b) - 1); }

static int mterm(const cell_sc_arch *a, dnf *d, unsigned arg, uint64_t mask, uint64_t value)
{
  if (mask == 0)
    return dnf_set_true(d);
  cell_sc_cond cnd = { (uint8_t) arg, CELL_SC_MASKED_EQ, value, mask };
  return dnf_add_cond(a, d, &cnd, 1);
}

/* x < V (lt) or x > V (!lt), or equal too (eq). */
static int masked_order(const cell_sc_arch *a, dnf *d, unsigned arg, uint64_t m, uint64_t V, bool lt, bool eq)
{
  int r = 0;
  for (int b = 63; b >= 0 && r >= 0; b--) {
    uint64_t bit = 1ull << b, hi = m & above((unsigned) b);
    bool vb = V & bit, in = m & bit;
    if (vb && !in) {
      /* x has 0 here: below V if it agrees above; never above V */
      if (lt)
        r = mterm(a, d, arg, hi, V & hi);
      return r;
    }
    if (in && vb == lt)
      r = mterm(a, d, arg, hi | bit, (V & hi) | (lt ? 0 : bit));
  }
  if (r >= 0 && eq)
    r = mterm(a, d, arg, m, V);   /* V has no bits outside m, or the loop returned */
  return r;
}

/* lo <= x <= hi, x within [0, max] */
static int masked_range(const cell_sc_arch *a, dnf *d, unsigned arg, uint64_t m, uint64_t lo, uint64_t hi,
                        uint64_t max)
{
  if (lo == hi)
    return (lo & ~m) ? 0 : mterm(a, d, arg, m, lo);
  dnf ge = { 0 }, le = { 0 };
  int r = lo == 0 ? dnf_set_true(&ge) : masked_order(a, &ge, arg, m, lo, false, true);
  if (r >= 0)
    r = hi >= max ? dnf_set_true(&le) : masked_order(a, &le, arg, m, hi, true, true);
  if (r >= 0)
    r = dnf_and(a, &ge, &le);
  else
    dnf_free(&le);
  if (r >= 0)
    r = dnf_or(d, &ge);
  else
    dnf_free(&ge);
  return r;
}

/* `$argN & MASK OP V` and `$argN & MASK in (...)` on l->a. */
static int lower_masked(const lower *l, const lang_node *n, bool neg, dnf *out)
{
  const cell_sc_arch *a = l->a;
  const uint64_t M = 0xffffffffu;
  const lang_ctx *c = l->c;
  uint64_t m = n->mask, max = UINT64_MAX;
  unsigned shift = 0;
  bool truncate = false;
  if (n->part == PART_LO) {
    m &= M, max = M;
  } else if (n->part == PART_HI) {
    max = M;
    if (!a->bits64)   /* the high half reads as 0 */
      m = 0;
    else
      shift = 32;
  } else if (!a->bits64) {
    m &= M, max = M, truncate = true;   /* the low words, as for plain values */
  }
  if (n->op == CELL_SC_EQ || n->op == CELL_SC_NE) {
    bool eq = (n->op == CELL_SC_EQ) != neg;
    uint64_t cm = n->mask, cv = c->ranges[n->first].lo;
    if (n->part == PART_LO) {
      cm &= M;
    } else if (n->part == PART_HI) {
      if (!a->bits64)
        return (cv == 0) == eq ? dnf_set_true(out) : 0;
      cm <<= 32, cv <<= 32;
    }
    uint64_t wm = a->bits64 ? cm : (cm & M), wv = a->bits64 ? cv : (cv & M);
    if (wv & ~wm)   /* bits the masked value never has */
      return eq ? 0 : dnf_set_true(out);
    if (wm == 0)
      return eq ? dnf_set_true(out) : 0;
    cell_sc_cond cnd = { n->arg, CELL_SC_MASKED_EQ, cv & cm, cm };
    return eq ? dnf_add_cond(a, out, &cnd, 1) : dnf_not_cond(a, &cnd, out);
  }
  rset rs;
  int r = leaf_set(c, n, max, truncate, neg, &rs);
  if (r < 0)
    return r;
  /* the masked value lies in [0, m] */
  for (size_t i = 0; r >= 0 && i < rs.n; i++) {
    uint64_t lo = rs.r[i].lo, hi = rs.r[i].hi < m ? rs.r[i].hi : m;
    if (lo > hi)
      continue;
    if (m == 0)
      r = dnf_set_true(out);   /* x = 0, and 0 is in this range */
    else
      r = masked_range(a, out, n->arg, m << shift, lo << shift, hi << shift, m << shift);
  }
  free(rs.r);
  if (r < 0)
    dnf_free(out);
  return r;
}

/* One comparison of an argument on l->a as a DNF. */
static int lower_arg(const lower *l, const lang_node *n, bool neg, dnf *out)
{
  const cell_sc_arch *a = l->a;
  const uint64_t M = 0xffffffffu;
  const lang_ctx *c = l->c;
  int r;
  *out = (dnf) { 0 };
  uint64_t v = c->ranges[n->first].lo;
  if (n->has_mask)
    return lower_masked(l, n, neg, out);
  bool plain = n->op != LANG_OP_IN && n->op != LANG_OP_NOTIN;
  bool full = n->part == PART_FULL || (n->part == PART_LO && !a->bits64);
  if (full && plain) {
    /* as OCI: on 32-bit architectures the IR compares the low words */
    cell_sc_cond cnd = { n->arg, neg ? flip(n->op) : n->op, v, 0 };
    return dnf_add_cond(a, out, &cnd, 1);
  }
  uint64_t max = full && a->bits64 ? UINT64_MAX : M;
  rset rs;
  if ((r = leaf_set(c, n, max, full && !a->bits64, neg, &rs)) < 0)
    return r;
  if (n->part == PART_HI && !a->bits64) {
    bool zero = rs.n && rs.r[0].lo == 0;
    free(rs.r);
    return zero ? dnf_set_true(out) : 0;
  }
  if (full && rs.n == 2 && rs.r[0].lo == 0 && rs.r[1].hi == max && rs.r[0].hi + 2 == rs.r[1].lo) {
    cell_sc_cond cnd = { n->arg, CELL_SC_NE, rs.r[0].hi + 1, 0 };
    r = dnf_add_cond(a, out, &cnd, 1);
  } else {
    r = 0;
    for (size_t i = 0; r >= 0 && i < rs.n; i++) {
      if (full)
        r = full_range(a, out, n->arg, rs.r[i].lo, rs.r[i].hi, max);
      else if (n->part == PART_LO) {
        cell_sc_cond cnd = { n->arg, DNF_LORANGE, rs.r[i].lo, rs.r[i].hi };
        r = rs.r[i].lo == 0 && rs.r[i].hi == M ? dnf_set_true(out) : dnf_add_cond(a, out, &cnd, 1);
      }
      else
        r = full_range(a, out, n->arg, rs.r[i].lo << 32, rs.r[i].hi << 32 | M, UINT64_MAX);
    }
  }
  free(rs.r);
  if (r < 0)
    dnf_free(out);
  return r;
}

/* The condition of node idx (negated when neg) on l's arch and number. */
static int lower_node(const lower *l, uint32_t idx, bool neg, dnf *out)
{
  const lang_node *n = &l->c->nodes[idx];
  int r;
  *out = (dnf) { 0 };
  switch (n->kind) {
  case N_TRUE:
  case N_SYS:
  case N_ARCH:
    return static3(l, idx, neg) == T ? dnf_set_true(out) : 0;
  case N_ARG:
    return lower_arg(l, n, neg, out);
  case N_NOT:
    return lower_node(l, n->a, !neg, out);
  case N_AND:
  case N_OR: {
    bool is_and = (n->kind == N_AND) != neg;
    int sa = static3(l, n->a, neg), sb = static3(l, n->b, neg);
    if (is_and && (sa == F || sb == F))
      return 0;
    if (!is_and && (sa == T || sb == T))
      return dnf_set_true(out);
    dnf b;
    if ((r = lower_node(l, n->a, neg, out)) < 0)
      return r;
    if ((r = lower_node(l, n->b, neg, &b)) < 0) {
      dnf_free(out);
      return r;
    }
    r = is_and ? dnf_and(l->a, out, &b) : dnf_or(out, &b);
    if (r < 0)
      dnf_free(out);
    return r;
  }
  }
  return -EINVAL;
}

static int complex_error(lang_ctx *c, const lang_rule *rule, int r, const char *what)
{
  if (r == -ENOMEM)
    return cell_error_set(c->err, ENOMEM, "out of memory");
  return lang_error(c, rule->loc, "this rule is too complex to compile (%s: more than %d alternatives)",
                    what, DNF_MAX_TERMS);
}

/* ---- per number -------------------------------------------------------- */

typedef struct entry {
  dnf d;           /* the rule's condition for this number */
  uint32_t action;
  size_t rule;
} entry;

static int add_term(lower *l, const dnf_term *tm, uint32_t action)
{
  dnf x;
  int r = dnf_expand(l->a, tm, &x);
  for (size_t t = 0; r >= 0 && t < x.n; t++)
    r = l->other ? cell_sc_ir_add_other(l->ir, l->ai, action, l->order++, x.t[t].c, x.t[t].n)
                 : cell_sc_ir_add_rule(l->ir, l->ai, l->nr, action, l->order++, x.t[t].c, x.t[t].n);
  if (r >= 0)
    dnf_free(&x);
  return r;
}

/* The terms of the entries in order: the IR takes the first match too. */
static int emit(lower *l, entry *e, size_t ne)
{
  lang_ctx *c = l->c;
  int r = 0;
  for (size_t j = 0; j < ne && r >= 0; j++) {
    for (size_t t = 0; t < e[j].d.n && r >= 0; t++)
      r = add_term(l, &e[j].d.t[t], e[j].action);
    if (r == -ENOMEM)
      return cell_error_set(c->err, ENOMEM, "out of memory");
    if (r < 0)
      return complex_error(c, &c->rules[e[j].rule], r,
                           l->other ? "the syscalls it does not name"
                                    : cell_sc_syscall_name(l->a, l->nr) ?: "a syscall");
  }
  return 0;
}

static ssize_t named_pos(const rule_info *ri, int32_t row)
{
  size_t lo = 0, hi = ri->nnamed;
  while (row >= 0 && lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (ri->named[mid] == (uint32_t) row)
      return (ssize_t) mid;
    if (ri->named[mid] < (uint32_t) row)
      lo = mid + 1;
    else
      hi = mid;
  }
  return -1;
}

static bool dnf_same(const dnf *x, const dnf *y)
{
  if (x->n != y->n)
    return false;
  for (size_t t = 0; t < x->n; t++) {
    if (x->t[t].n != y->t[t].n)
      return false;
    for (size_t k = 0; k < x->t[t].n; k++) {
      const cell_sc_cond *a = &x->t[t].c[k], *b = &y->t[t].c[k];
      if (a->arg != b->arg || a->op != b->op || a->value != b->value || a->mask != b->mask || a->part != b->part)
        return false;
    }
  }
  return true;
}

/* The list of a number is that of the other numbers: they share its rules. */
static bool same_as_others(const lower *l, const entry *e, size_t ne)
{
  if (ne != l->noe)
    return false;
  for (size_t j = 0; j < ne; j++)
    if (e[j].rule != l->oe[j].rule || e[j].action != l->oe[j].action || !dnf_same(&e[j].d, &l->oe[j].d))
      return false;
  return true;
}

/* The rules for l->nr (l->row), or for the other numbers (l->other).
 * *named: some rule can match it. */
static int one_number(lower *l, rule_info *info, bool *named)
{
  lang_ctx *c = l->c;
  entry *e = NULL;
  size_t ne = 0, cap = 0;
  int r = 0;
  int32_t cutter = -1;
  *named = false;
  for (size_t i = 0; i < c->nrules && r >= 0; i++) {
    const lang_rule *rule = &c->rules[i];
    rule_info *ri = &info[i];
    int s = static3(l, rule->cond, false);
    if (s == F)
      continue;
    /* the stub starts above the numbers the rules can reach by $syscall */
    if (!rule->is_default)
      *named = true;
    ssize_t np = named_pos(ri, l->row);
    if (cutter >= 0) {
      if (ri->cutter < 0)
        ri->cutter = cutter;
      if (np >= 0)
        ri->named_cut[np] |= 1ull << l->ai;
      continue;
    }
    dnf d;
    if ((r = lower_node(l, rule->cond, false, &d)) < 0) {
      r = complex_error(c, rule, r, "its condition");
      break;
    }
    if (dnf_is_false(&d))
      continue;
    ri->sat = ri->applied = true;
    if (np >= 0)
      ri->named_sat[np] |= 1ull << l->ai;
    if (dnf_is_true(&d))
      cutter = (int32_t) i;
    if (ne == cap) {
      size_t nc = cap ? cap * 2 : 8;
      entry *q = realloc(e, nc * sizeof *q);
      if (!q) {
        dnf_free(&d);
        r = cell_error_set(c->err, ENOMEM, "out of memory");
        break;
      }
      e = q;
      cap = nc;
    }
    e[ne++] = (entry) { d, rule->action, i };
  }
  if (r >= 0) {
    /* what falls through gets the default anyway */
    while (ne && e[ne - 1].action == l->ir->default_action) {
      ne--;
      dnf_free(&e[ne].d);
    }
    if (l->other) {
      /* kept for the numbers of the table to compare with */
      r = emit(l, e, ne);
      l->oe = e;
      l->noe = ne;
      return r;
    }
    if (l->noe && same_as_others(l, e, ne))
      r = 0;   /* the other rules decide it */
    else if (l->noe && ne == 0)
      r = cell_sc_ir_add_rule(l->ir, l->ai, l->nr, l->ir->default_action, l->order++, NULL, 0) < 0
            ? cell_error_set(c->err, ENOMEM, "out of memory") : 0;
    else
      r = emit(l, e, ne);
  }
  for (size_t i = 0; i < ne; i++) {
    dnf_free(&e[i].d);
  }
  free(e);
  return r;
}

static void free_others(lower *l)
{
  for (size_t i = 0; i < l->noe; i++)
    dnf_free(&l->oe[i].d);
  free(l->oe);
  l->oe = NULL;
  l->noe = 0;
}

/* The action for numbers the policy does not name, on l->a. */
static int other_action(lower *l, uint32_t *action)
{
  lang_ctx *c = l->c;
  l->other = true;
  l->row = -1;
  for (size_t i = 0; i < c->nrules; i++) {
    const lang_rule *rule = &c->rules[i];
    int s = static3(l, rule->cond, false);
    if (s == F)
      continue;
    dnf d;
    int r = lower_node(l, rule->cond, false, &d);
    if (r < 0)
      return complex_error(c, rule, r, "its condition");
    bool t = dnf_is_true(&d);
    dnf_free(&d);
    if (!t)
      continue;   /* on arguments: one of the other rules (one_arch) */
    l->other = false;
    *action = rule->action;
    return (int) i;
  }
  l->other = false;
  return lang_error_noloc(c, "no rule decides the syscalls the policy does not name");
}

static int cmp_u32(const void *x, const void *y)
{
  uint32_t a = *(const uint32_t *) x, b = *(const uint32_t *) y;
  return a < b ? -1 : a > b;
}

/* Rows a rule names positively: the diagnostics speak of them. */
static int collect_named(const lang_ctx *c, uint32_t idx, bool neg, uint32_t **v, size_t *n, size_t *cap)
{
  const lang_node *nd = &c->nodes[idx];
  switch (nd->kind) {
  case N_NOT: return collect_named(c, nd->a, !neg, v, n, cap);
  case N_AND:
  case N_OR: {
    int r = collect_named(c, nd->a, neg, v, n, cap);
    return r < 0 ? r : collect_named(c, nd->b, neg, v, n, cap);
  }
  case N_SYS:
    if (nd->neg == neg)
      for (uint32_t i = 0; i < nd->n; i++) {
        const lang_sysitem *it = &c->items[nd->first + i];
        if (it->kind != SYSI_NAME)
          continue;
        if (*n == *cap) {
          size_t nc = *cap ? *cap * 2 : 8;
          uint32_t *q = realloc(*v, nc * sizeof *q);
          if (!q)
            return -ENOMEM;
          *v = q;
          *cap = nc;
        }
        (*v)[(*n)++] = it->v;
      }
    return 0;
  default:
    return 0;
  }
}

static int init_info(lang_ctx *c, rule_info *info)
{
  for (size_t i = 0; i < c->nrules; i++) {
    rule_info *ri = &info[i];
    size_t cap = 0;
    ri->cutter = -1;
    if (collect_named(c, c->rules[i].cond, false, &ri->named, &ri->nnamed, &cap) < 0)
      return cell_error_set(c->err, ENOMEM, "out of memory");
    if (ri->nnamed)
      qsort(ri->named, ri->nnamed, sizeof *ri->named, cmp_u32);
    size_t m = 0;
    for (size_t k = 0; k < ri->nnamed; k++)
      if (!m || ri->named[m - 1] != ri->named[k])
        ri->named[m++] = ri->named[k];
    ri->nnamed = m;
    ri->named_sat = calloc(m + 1, sizeof *ri->named_sat);
    ri->named_cut = calloc(m + 1, sizeof *ri->named_cut);
    if (!ri->named_sat || !ri->named_cut)
      return cell_error_set(c->err, ENOMEM, "out of memory");
  }
  return 0;
}

static void free_info(rule_info *info, size_t n)
{
  for (size_t i = 0; info && i < n; i++) {
    free(info[i].named);
    free(info[i].named_sat);
    free(info[i].named_cut);
  }
  free(info);
}

static void report(lang_ctx *c, rule_info *info)
{
  for (size_t i = 0; i < c->nrules; i++) {
    const lang_rule *rule = &c->rules[i];
    rule_info *ri = &info[i];
    if (rule->is_default)
      continue;
    if (!ri->applied && ri->cutter < 0) {
      lang_warn(c, rule->loc, "this rule can never match");
      continue;
    }
    if (!ri->applied) {
      const lang_loc *at = &c->rules[ri->cutter].loc;
      lang_warn(c, rule->loc, "this rule never applies: the rule at %s:%u:%u decides everything it matches first",
                c->srcs[at->src].name, at->line, at->col);
      continue;
    }
    /* names whose every match an earlier rule takes */
    char list[200] = "";
    size_t len = 0, count = 0;
    for (size_t k = 0; k < ri->nnamed; k++) {
      if (!ri->named_cut[k] || ri->named_sat[k])
        continue;
      count++;
      if (len < 120)
        len += (size_t) snprintf(list + len, sizeof list - len, "%s`%s`", len ? ", " : "",
                                 cell_sc_syscalls[ri->named[k]].name);
      else if (len < sizeof list - 8 && list[len - 1] != '.')
        len += (size_t) snprintf(list + len, sizeof list - len, ", ...");
    }
    if (count) {
      const lang_loc *at = &c->rules[ri->cutter].loc;
      lang_warn(c, rule->loc, "%s never reach%s this rule: the rule at %s:%u:%u decides %s first", list,
                count == 1 ? "es" : "", c->srcs[at->src].name, at->line, at->col, count == 1 ? "it" : "them");
    }
  }
}

/* Every number of the table on l->a, and the numbers the policy writes. */
static int one_arch(lower *l, rule_info *info, const uint32_t *nums, size_t nnums)
{
  lang_ctx *c = l->c;
  bool x86ish = l->ai == 1 || l->ai == 2;   /* x86_64, x32: the x32 bit tells them apart */
  size_t cnt = 0;
  _cleanup_free_ uint64_t *order = malloc((cell_sc_nsyscalls + nnums + 1) * sizeof *order);
  if (!order)
    return cell_error_set(c->err, ENOMEM, "out of memory");
  for (unsigned row = 0; row < cell_sc_nsyscalls; row++) {
    int64_t nr = cell_sc_syscall_nr(l->a, &cell_sc_syscalls[row]);
    if (nr >= 0)
      order[cnt++] = (uint64_t) nr << 32 | row;
  }
  for (size_t k = 0; k < nnums; k++) {
    uint32_t nr = nums[k];
    if (x86ish && ((nr & CELL_SC_X32_BIT) != 0) != (l->ai == 2))
      continue;
    if ((k && nums[k - 1] == nr) || cell_sc_syscall_name(l->a, nr))
      continue;   /* twice, or a number the table has */
    order[cnt++] = (uint64_t) nr << 32 | 0xffffffffu;
  }
  /* the other numbers first: the numbers of the table compare with them */
  free_others(l);
  l->other = true;
  l->row = -1;
  l->nr = 0;
  bool onamed;
  int ro = one_number(l, info, &onamed);
  l->other = false;
  if (ro < 0)
    return ro;
  /* no order needed: the back end sorts */
  int64_t max_named = -1;
  for (size_t k = 0; k < cnt; k++) {
    uint32_t nr = (uint32_t) (order[k] >> 32), row = (uint32_t) order[k];
    l->nr = nr;
    l->row = row == 0xffffffffu ? -1 : (int32_t) row;
    l->other = false;
    bool named;
    int r = one_number(l, info, &named);
    if (r < 0)
      return r;
    if (named && (int64_t) nr > max_named)
      max_named = nr;
  }
  if (c->enosys_stub && max_named >= 0) {
    /* the stub starts above the highest number the policy names */
    bool have = false;
    for (size_t i = 0; i < l->ir->nrules && !have; i++)
      have = l->ir->rules[i].arch == l->ai && l->ir->rules[i].nr == (uint32_t) max_named;
    if (!have && l->noe) {
      /* it shares the other rules: it gets them as its own */
      l->nr = (uint32_t) max_named;
      int r = emit(l, l->oe, l->noe);
      if (r < 0)
        return r;
    } else if (!have && cell_sc_ir_add_rule(l->ir, l->ai, (uint32_t) max_named, l->ir->default_action,
                                            l->order++, NULL, 0) < 0)
      return cell_error_set(c->err, ENOMEM, "out of memory");
  }
  return 0;
}

int lang_lower(lang_ctx *c, cell_sc_ir *ir)
{
  lower l = { .c = c, .ir = ir };
  int r = 0;
  rule_info *info = calloc(c->nrules + 1, sizeof *info);
  uint32_t *nums = NULL;
  size_t nnums = 0;
  if (!info)
    return cell_error_set(c->err, ENOMEM, "out of memory");
  if ((r = init_info(c, info)) < 0 || (r = index_sets(&l)) < 0)
    goto out;
  for (size_t i = 0; i < c->narches; i++)
    if ((r = cell_sc_ir_add_arch(ir, c->arches[i])) < 0) {
      r = cell_error_set(c->err, -r, "too many architectures");
      goto out;
    }
  if (c->has_badarch)
    ir->badarch_action = c->badarch_action;
  ir->enosys_stub = c->enosys_stub;
  /* numbers written in the policy */
  nums = malloc((c->nitems + 1) * sizeof *nums);
  if (!nums) {
    r = cell_error_set(c->err, ENOMEM, "out of memory");
    goto out;
  }
  for (size_t i = 0; i < c->nitems; i++)
    if (c->items[i].kind == SYSI_NUM)
      nums[nnums++] = c->items[i].v;
  if (nnums)
    qsort(nums, nnums, sizeof *nums, cmp_u32);

  /* the default: what the numbers the policy does not name get */
  int def_rule = -1;
  for (size_t i = 0; i < c->narches; i++) {
    l.ai = c->arches[i];
    l.a = &cell_sc_arches[l.ai];
    uint32_t action = 0;
    if ((r = other_action(&l, &action)) < 0)
      goto out;
    if (i == 0) {
      ir->default_action = action;
      def_rule = r;
    } else if (action != ir->default_action) {
      r = lang_error(c, c->rules[r].loc,
                     "syscalls the policy does not name get a different action on `%s` than on `%s` "
                     "(the rule at %u:%u); a filter has one default",
                     l.a->short_name, cell_sc_arches[c->arches[0]].short_name,
                     c->rules[def_rule].loc.line, c->rules[def_rule].loc.col);
      goto out;
    }
    info[r].applied = true;
  }

  for (size_t i = 0; i < c->narches && r >= 0; i++) {
    l.ai = c->arches[i];
    l.a = &cell_sc_arches[l.ai];
    if ((r = one_arch(&l, info, nums, nnums)) < 0)
      goto out;
  }
  report(c, info);
out:
  free_others(&l);
  free(l.rows);
  free(l.more);
  free(nums);
  free_info(info, c->nrules);
  return r < 0 ? r : 0;
}
