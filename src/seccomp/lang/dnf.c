/* Conditions in disjunctive normal form over IR comparisons: the algebra
 * the lowering uses (or, and, negation), with the simplifications that keep
 * it small (a true term absorbs the rest, contradictory terms drop out). */
#include "seccomp/lang/dnf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void dnf_free(dnf *d)
{
  for (size_t i = 0; i < d->n; i++)
    free(d->t[i].c);
  free(d->t);
  d->t = NULL;
  d->n = d->cap = 0;
}

bool dnf_is_true(const dnf *d)
{
  for (size_t i = 0; i < d->n; i++)
    if (d->t[i].n == 0)
      return true;
  return false;
}

static int push_term(dnf *d, dnf_term t)
{
  if (d->n >= DNF_MAX_TERMS) {
    free(t.c);
    return -E2BIG;
  }
  if (d->n == d->cap) {
    size_t n = d->cap ? d->cap * 2 : 4;
    dnf_term *q = realloc(d->t, n * sizeof *q);
    if (!q) {
      free(t.c);
      return -ENOMEM;
    }
    d->t = q;
    d->cap = n;
  }
  d->t[d->n++] = t;
  return 0;
}

int dnf_set_true(dnf *d)
{
  dnf_free(d);
  return push_term(d, (dnf_term) { NULL, 0 });
}

bool dnf_cond_eval(const cell_sc_arch *a, const cell_sc_cond *c, uint64_t arg)
{
  if (c->op == DNF_LORANGE) {
    uint64_t lo = (uint32_t) arg;
    return lo >= c->value && lo <= c->mask;
  }
  if (c->op == DNF_MASKED_NE) {
    cell_sc_cond e = *c;
    e.op = CELL_SC_MASKED_EQ;
    return !cell_sc_cond_eval(a, &e, arg);
  }
  return cell_sc_cond_eval(a, c, arg);
}

/* The least x >= lo with (x & m) == v (v within m) and x <= max, or false. */
static bool next_match(uint64_t lo, uint64_t m, uint64_t v, uint64_t max, uint64_t *x)
{
  if ((lo & m) == v) {
    *x = lo;
    return lo <= max;
  }
  for (unsigned i = 0; i < 64; i++) {
    uint64_t bit = 1ull << i, above = i == 63 ? 0 : ~((bit << 1) - 1);
    if (lo & bit)
      continue;
    if ((m & bit) && !(v & bit))
      continue;
    if ((lo ^ v) & m & above)
      continue;
    uint64_t r = (lo & above) | bit | (v & (bit - 1));
    *x = r;
    return r <= max;
  }
  return false;
}

/* The values an argument can take under the comparisons of a term;
 * false when they exclude each other. */
static bool term_possible(const cell_sc_arch *a, const dnf_term *t)
{
  uint64_t max = a->bits64 ? UINT64_MAX : 0xffffffffu;
  for (size_t i = 0; i < t->n; i++) {
    uint8_t arg = t->c[i].arg;
    bool seen = false;
    for (size_t k = 0; k < i; k++)
      seen |= t->c[k].arg == arg;
    if (seen)
      continue;
    uint64_t lo = 0, hi = max, m = 0, mv = 0, rlo = 0, rhi = 0xffffffffu;
    bool has_eq = false, has_range = false;
    uint64_t eq = 0;
    for (size_t k = i; k < t->n; k++) {
      const cell_sc_cond *c = &t->c[k];
      if (c->arg != arg || c->part != CELL_SC_FULL || c->op == CELL_SC_MASKED_NE)
        continue;   /* word and masked != comparisons: not reasoned about */
      uint64_t v = a->bits64 ? c->value : (uint32_t) c->value;
      switch (c->op) {
      case CELL_SC_EQ:
        if (has_eq && eq != v)
          return false;
        has_eq = true, eq = v;
        break;
      case CELL_SC_LT:
        if (v == 0)
          return false;
        if (v - 1 < hi)
          hi = v - 1;
        break;
      case CELL_SC_LE:
        if (v < hi)
          hi = v;
        break;
      case CELL_SC_GT:
        if (v == max)
          return false;
        if (v + 1 > lo)
          lo = v + 1;
        break;
      case CELL_SC_GE:
        if (v > lo)
          lo = v;
        break;
      case CELL_SC_MASKED_EQ: {
        uint64_t cm = a->bits64 ? c->mask : (uint32_t) c->mask, cv = c->value & cm;
        if ((mv & cm & m) != (cv & m))
          return false;
        m |= cm, mv |= cv;
        break;
      }
      case DNF_LORANGE:
        has_range = true;
        if (c->value > rlo)
          rlo = c->value;
        if (c->mask < rhi)
          rhi = c->mask;
        break;
      default:
        break;
      }
    }
    if (lo > hi || rlo > rhi)
      return false;
    if (has_eq) {
      if (eq < lo || eq > hi)
        return false;
      for (size_t k = i; k < t->n; k++)
        if (t->c[k].arg == arg && !dnf_cond_eval(a, &t->c[k], eq))
          return false;
      continue;
    }
    uint64_t x;
    if (m && !next_match(lo, m, mv, hi, &x))
      return false;
    /* a masked != whose bits the masked == pin to its value */
    for (size_t k = i; k < t->n; k++) {
      const cell_sc_cond *c = &t->c[k];
      if (c->arg != arg || c->op != DNF_MASKED_NE)
        continue;
      uint64_t cm = a->bits64 ? c->mask : (uint32_t) c->mask;
      if ((cm & m) == cm && (mv & cm) == (c->value & cm))
        return false;
    }
    if (has_range && m) {
      /* a value of the low half in [rlo, rhi] matching the low bits of the mask */
      uint64_t lm = m & 0xffffffffu, lv = mv & 0xffffffffu;
      if (lm && !next_match(rlo, lm, lv, rhi, &x))
        return false;
    }
  }
  return true;
}

bool dnf_terms_overlap(const cell_sc_arch *a, const dnf_term *x, const dnf_term *y)
{
  cell_sc_cond buf[64];
  if (x->n + y->n > sizeof buf / sizeof buf[0])
    return true;
  if (x->n)
    memcpy(buf, x->c, x->n * sizeof *buf);
  if (y->n)
    memcpy(buf + x->n, y->c, y->n * sizeof *buf);
  dnf_term t = { buf, x->n + y->n };
  return term_possible(a, &t);
}

static bool same_cond(const cell_sc_cond *x, const cell_sc_cond *y)
{
  return x->arg == y->arg && x->op == y->op && x->value == y->value && x->part == y->part &&
         ((x->op != CELL_SC_MASKED_EQ && x->op != DNF_LORANGE && x->op != DNF_MASKED_NE) || x->mask == y->mask);
}

/* Append a copy of the conjunction x && y to d (dropped when impossible). */
static int push_and(const cell_sc_arch *a, dnf *d, const dnf_term *x, const dnf_term *y)
{
  dnf_term t = { NULL, 0 };
  size_t n = x->n + y->n;
  if (n) {
    t.c = malloc(n * sizeof *t.c);
    if (!t.c)
      return -ENOMEM;
  }
  for (size_t i = 0; i < x->n; i++)
    t.c[t.n++] = x->c[i];
  for (size_t i = 0; i < y->n; i++) {
    bool dup = false;
    for (size_t k = 0; k < t.n && !dup; k++)
      dup = same_cond(&t.c[k], &y->c[i]);
    if (!dup)
      t.c[t.n++] = y->c[i];
  }
  if (!term_possible(a, &t)) {
    free(t.c);
    return 0;
  }
  return push_term(d, t);
}

int dnf_or(dnf *d, dnf *x)
{
  if (dnf_is_true(d)) {
    dnf_free(x);
    return 0;
  }
  if (dnf_is_true(x)) {
    dnf_free(x);
    return dnf_set_true(d);
  }
  for (size_t i = 0; i < x->n; i++) {
    int r = push_term(d, x->t[i]);
    x->t[i].c = NULL;
    if (r < 0) {
      dnf_free(x);
      return r;
    }
  }
  free(x->t);
  x->t = NULL;
  x->n = x->cap = 0;
  return 0;
}

int dnf_and(const cell_sc_arch *a, dnf *d, dnf *x)
{
  dnf out = { 0 };
  int r = 0;
  if ((size_t) d->n * x->n > DNF_MAX_TERMS * 4)
    r = -E2BIG;
  for (size_t i = 0; r >= 0 && i < d->n; i++)
    for (size_t k = 0; r >= 0 && k < x->n; k++)
      r = push_and(a, &out, &d->t[i], &x->t[k]);
  dnf_free(x);
  dnf_free(d);
  if (r < 0) {
    dnf_free(&out);
    return r;
  }
  if (dnf_is_true(&out)) {
    dnf_free(&out);
    return dnf_set_true(d);
  }
  *d = out;
  return 0;
}

int dnf_add_cond(const cell_sc_arch *a, dnf *d, const cell_sc_cond *conds, size_t n)
{
  dnf_term t = { (cell_sc_cond *) conds, n };
  dnf_term empty = { NULL, 0 };
  if (dnf_is_true(d))
    return 0;
  if (n == 0)
    return dnf_set_true(d);
  return push_and(a, d, &t, &empty);
}

/* !c as a DNF. */
int dnf_not_cond(const cell_sc_arch *a, const cell_sc_cond *c, dnf *out)
{
  cell_sc_cond n = *c;
  *out = (dnf) { 0 };
  switch (c->op) {
  case CELL_SC_EQ: n.op = CELL_SC_NE; break;
  case CELL_SC_NE: n.op = CELL_SC_EQ; break;
  case CELL_SC_LT: n.op = CELL_SC_GE; break;
  case CELL_SC_GE: n.op = CELL_SC_LT; break;
  case CELL_SC_LE: n.op = CELL_SC_GT; break;
  case CELL_SC_GT: n.op = CELL_SC_LE; break;
  case DNF_LORANGE: {
    int r = 0;
    if (c->value > 0) {
      cell_sc_cond k = { c->arg, DNF_LORANGE, 0, c->value - 1 };
      r = dnf_add_cond(a, out, &k, 1);
    }
    if (r >= 0 && c->mask < 0xffffffffu) {
      cell_sc_cond k = { c->arg, DNF_LORANGE, c->mask + 1, 0xffffffffu };
      r = dnf_add_cond(a, out, &k, 1);
    }
    if (r < 0)
      dnf_free(out);
    return r;
  }
  case CELL_SC_MASKED_EQ:
    n.op = DNF_MASKED_NE;
    break;
  case DNF_MASKED_NE:
  case CELL_SC_MASKED_NE:
    n.op = CELL_SC_MASKED_EQ;
    break;
  default:
    return -EINVAL;
  }
  return dnf_add_cond(a, out, &n, 1);
}

int dnf_not(const cell_sc_arch *a, const dnf *x, dnf *out)
{
  *out = (dnf) { 0 };
  int r = dnf_set_true(out);
  for (size_t i = 0; r >= 0 && i < x->n; i++) {
    /* !(c1 && c2 ...) = !c1 || !c2 ... */
    dnf nt = { 0 };
    for (size_t k = 0; r >= 0 && k < x->t[i].n; k++) {
      dnf nc;
      if ((r = dnf_not_cond(a, &x->t[i].c[k], &nc)) >= 0)
        r = dnf_or(&nt, &nc);
    }
    if (r >= 0)
      r = dnf_and(a, out, &nt);
    else
      dnf_free(&nt);
  }
  if (r < 0)
    dnf_free(out);
  return r;
}

int dnf_copy(const dnf *x, dnf *out)
{
  *out = (dnf) { 0 };
  for (size_t i = 0; i < x->n; i++) {
    dnf_term t = { NULL, x->t[i].n };
    if (t.n) {
      t.c = malloc(t.n * sizeof *t.c);
      if (!t.c) {
        dnf_free(out);
        return -ENOMEM;
      }
      memcpy(t.c, x->t[i].c, t.n * sizeof *t.c);
    }
    int r = push_term(out, t);
    if (r < 0) {
      dnf_free(out);
      return r;
    }
  }
  return 0;
}

int dnf_expand(const cell_sc_arch *a, const dnf_term *t, dnf *out)
{
  *out = (dnf) { 0 };
  cell_sc_cond rest[64 + 12];
  size_t nrest = 0;
  uint64_t lo[6], hi[6];
  bool has[6] = { false };
  for (size_t i = 0; i < t->n; i++) {
    const cell_sc_cond *c = &t->c[i];
    if (c->op != DNF_LORANGE) {
      if (nrest >= 64)
        return -E2BIG;
      rest[nrest] = *c;
      if (c->op == DNF_MASKED_NE)   /* the IR has it */
        rest[nrest].op = CELL_SC_MASKED_NE;
      nrest++;
      continue;
    }
    unsigned g = c->arg % 6;
    if (!has[g])
      lo[g] = 0, hi[g] = 0xffffffffu, has[g] = true;
    if (c->value > lo[g])
      lo[g] = c->value;
    if (c->mask < hi[g])
      hi[g] = c->mask;
  }
  for (unsigned g = 0; g < 6; g++) {
    if (!has[g])
      continue;
    if (lo[g] > hi[g])
      return 0;
    /* a range of the low word: compared on that word (on 32-bit
     * architectures the whole argument is that word) */
    uint8_t part = a->bits64 ? CELL_SC_LO : CELL_SC_FULL;
    if (lo[g] == hi[g])
      rest[nrest++] = (cell_sc_cond) { (uint8_t) g, CELL_SC_EQ, lo[g], 0, part };
    else {
      if (lo[g] > 0)
        rest[nrest++] = (cell_sc_cond) { (uint8_t) g, CELL_SC_GE, lo[g], 0, part };
      if (hi[g] < 0xffffffffu)
        rest[nrest++] = (cell_sc_cond) { (uint8_t) g, CELL_SC_LE, hi[g], 0, part };
    }
  }
  dnf_term base = { rest, nrest };
  return push_and(a, out, &base, &(dnf_term) { NULL, 0 });
}
