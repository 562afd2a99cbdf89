/* Exact decision maps of seccomp programs (analyze.h). */
#include "seccomp/analyze.h"
#include "seccomp/ir.h"
#include "seccomp/seccomp.h"
#include "seccomp/table.h"
#include "util/array.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NWORDS 16           /* 32-bit words of struct seccomp_data */
#define W_NR 0
#define W_ARCH 1
#define MAX_ATOMS 64        /* per word: truth vectors are uint64_t */
#define MAX_CELLS 4096      /* per word */
#define MAX_COMBOS (1u << 16)
#define MAX_STATES 200000
#define SOLVER_BUDGET 2000000
#define MAX_BLOCKS 4096
#define MAX_PREDS 256       /* predicates to describe one syscall's regions with */     /* masked compares on the number: aligned blocks */

enum { OP_EQ, OP_GT, OP_GE };

typedef struct atom {
  uint32_t mask, k;
  uint8_t op;
} atom;

typedef struct word_atoms {
  atom v[MAX_ATOMS];
  size_t n;
} word_atoms;

typedef struct ctx {
  const cell_sc_prog *progs;
  size_t nprog;
  cell_error *err;
  word_atoms w[NWORDS];
  bool over[NWORDS];        /* more than MAX_ATOMS on that word */
  atom *nr;                 /* the number's comparisons: as many as there are */
  size_t nnr, nrcap;
  bool oom;
} ctx;

/* ---- symbolic run ----------------------------------------------------------- */

typedef struct sv {
  uint8_t sym;              /* 0: constant k; 1: word & mask */
  uint8_t word;
  uint32_t mask, k;
} sv;

typedef struct state {
  size_t pc;
  sv A, X, M[BPF_MEMWORDS];
} state;

typedef struct visited {
  state *v;
  size_t n, cap;
  size_t *buckets;          /* open addressing, index + 1 */
  size_t nb;
} visited;

static uint64_t state_hash(const state *s)
{
  const unsigned char *p = (const unsigned char *) s;
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < sizeof *s; i++)
    h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

/* true when s is new (and now remembered) */
static int visit(visited *vs, const state *s)
{
  if (vs->n * 2 >= vs->nb) {
    size_t nb = vs->nb ? vs->nb * 2 : 1024;
    size_t *b = calloc(nb, sizeof *b);
    if (!b)
      return -ENOMEM;
    for (size_t i = 0; i < vs->n; i++) {
      size_t h = state_hash(&vs->v[i]) & (nb - 1);
      while (b[h])
        h = (h + 1) & (nb - 1);
      b[h] = i + 1;
    }
    free(vs->buckets);
    vs->buckets = b;
    vs->nb = nb;
  }
  size_t h = state_hash(s) & (vs->nb - 1);
  while (vs->buckets[h]) {
    if (memcmp(&vs->v[vs->buckets[h] - 1], s, sizeof *s) == 0)
      return 0;
    h = (h + 1) & (vs->nb - 1);
  }
  if (vs->n >= MAX_STATES)
    return -E2BIG;
  if (cell_grow((void **) &vs->v, &vs->cap, vs->n + 1, sizeof *vs->v) < 0)
    return -ENOMEM;
  vs->v[vs->n] = *s;
  vs->buckets[h] = ++vs->n;
  return 1;
}

static void add_atom(ctx *c, size_t word, uint32_t mask, uint8_t op, uint32_t k)
{
  if (word == W_NR) {
    /* only cut points are needed: duplicates are harmless */
    if (cell_grow((void **) &c->nr, &c->nrcap, c->nnr + 1, sizeof *c->nr) < 0)
      {
      c->oom = true;
      return;
    }
    c->nr[c->nnr++] = (atom) { mask, k, op };
    return;
  }
  word_atoms *w = &c->w[word];
  for (size_t i = 0; i < w->n; i++)
    if (w->v[i].mask == mask && w->v[i].op == op && w->v[i].k == k)
      return;
  if (w->n == MAX_ATOMS) {
    c->over[word] = true;
    return;
  }
  w->v[w->n++] = (atom) { mask, k, op };
}

/* Run prog with the words in `known` (bit w) fixed to vals[w]; every
 * comparison of another word becomes an atom of that word. */
static int collect(ctx *c, const cell_sc_prog *p, uint32_t known, const uint32_t vals[NWORDS])
{
  visited vs = { 0 };
  state *stack = NULL;
  size_t ns = 0, scap = 0;
  int r = 0;
  state s0;
  memset(&s0, 0, sizeof s0);
#define PUSH(st)                                                        \
  do {                                                                  \
    if (cell_grow((void **) &stack, &scap, ns + 1, sizeof *stack) < 0) { \
      r = -ENOMEM;                                                      \
      goto out;                                                         \
    }                                                                   \
    stack[ns++] = (st);                                                 \
  } while (0)
  PUSH(s0);
  while (ns > 0) {
    state s = stack[--ns];
    for (;;) {
      int v = visit(&vs, &s);
      if (v < 0) {
        r = v;
        goto out;
      }
      if (v == 0 || s.pc >= p->len)
        break;
      const struct sock_filter *i = &p->insns[s.pc++];
      uint16_t code = i->code;
      if (BPF_CLASS(code) == BPF_RET)
        break;
      if (code == (BPF_LD | BPF_W | BPF_ABS)) {
        size_t w = i->k / 4;
        if (w >= NWORDS) {
          r = cell_error_set(c->err, EINVAL, "seccomp analysis: instruction %zu loads outside "
                             "seccomp_data", s.pc - 1);
          goto out;
        }
        s.A = (known >> w & 1) ? (sv) { 0, 0, 0, vals[w] } : (sv) { 1, (uint8_t) w, UINT32_MAX, 0 };
        continue;
      }
      switch (code) {
      case BPF_LD | BPF_W | BPF_LEN: s.A = (sv) { 0, 0, 0, 64 }; continue;
      case BPF_LDX | BPF_W | BPF_LEN: s.X = (sv) { 0, 0, 0, 64 }; continue;
      case BPF_LD | BPF_IMM: s.A = (sv) { 0, 0, 0, i->k }; continue;
      case BPF_LDX | BPF_IMM: s.X = (sv) { 0, 0, 0, i->k }; continue;
      case BPF_LD | BPF_MEM: s.A = s.M[i->k % BPF_MEMWORDS]; continue;
      case BPF_LDX | BPF_MEM: s.X = s.M[i->k % BPF_MEMWORDS]; continue;
      case BPF_ST: s.M[i->k % BPF_MEMWORDS] = s.A; continue;
      case BPF_STX: s.M[i->k % BPF_MEMWORDS] = s.X; continue;
      case BPF_MISC | BPF_TAX: s.X = s.A; continue;
      case BPF_MISC | BPF_TXA: s.A = s.X; continue;
      case BPF_JMP | BPF_JA: s.pc += i->k; continue;
      default: break;
      }
      bool xsrc = BPF_SRC(code) == BPF_X;
      if (xsrc && s.X.sym) {
        r = cell_error_set(c->err, EINVAL, "seccomp analysis: instruction %zu uses an argument as "
                           "an operand; only comparisons with constants can be analysed", s.pc - 1);
        goto out;
      }
      uint32_t src = xsrc ? s.X.k : i->k;
      if (BPF_CLASS(code) == BPF_ALU) {
        if (!s.A.sym) {
          uint32_t A = s.A.k;
          switch (BPF_OP(code)) {
          case BPF_ADD: A += src; break;
          case BPF_SUB: A -= src; break;
          case BPF_MUL: A *= src; break;
          case BPF_DIV: if (!src) goto next_path; A /= src; break;
          case BPF_AND: A &= src; break;
          case BPF_OR: A |= src; break;
          case BPF_XOR: A ^= src; break;
          case BPF_LSH: A = src < 32 ? A << src : 0; break;
          case BPF_RSH: A = src < 32 ? A >> src : 0; break;
          case BPF_NEG: A = -A; break;
          default: goto next_path;
          }
          s.A.k = A;
          continue;
        }
        if (BPF_OP(code) == BPF_AND) {
          s.A.mask &= src;
          continue;
        }
        r = cell_error_set(c->err, EINVAL, "seccomp analysis: instruction %zu does arithmetic on "
                           "%s; only AND with a constant can be analysed", s.pc - 1,
                           s.A.word == W_NR ? "the syscall number" : "an argument");
        goto out;
      }
      if (BPF_CLASS(code) != BPF_JMP)
        break;
      bool t;
      if (!s.A.sym) {
        switch (BPF_OP(code)) {
        case BPF_JEQ: t = s.A.k == src; break;
        case BPF_JGT: t = s.A.k > src; break;
        case BPF_JGE: t = s.A.k >= src; break;
        case BPF_JSET: t = (s.A.k & src) != 0; break;
        default: goto next_path;
        }
        s.pc += t ? i->jt : i->jf;
        continue;
      }
      switch (BPF_OP(code)) {
      case BPF_JEQ: add_atom(c, s.A.word, s.A.mask, OP_EQ, src); break;
      case BPF_JGT: add_atom(c, s.A.word, s.A.mask, OP_GT, src); break;
      case BPF_JGE: add_atom(c, s.A.word, s.A.mask, OP_GE, src); break;
      case BPF_JSET: add_atom(c, s.A.word, s.A.mask & src, OP_EQ, 0); break;
      default: goto next_path;
      }
      state other = s;
      other.pc += i->jt;
      PUSH(other);
      s.pc += i->jf;
    }
  next_path:;
  }
out:
#undef PUSH
  free(stack);
  free(vs.v);
  free(vs.buckets);
  if (r == -ENOMEM)
    return cell_error_set(c->err, ENOMEM, "seccomp analysis: out of memory");
  if (r == -E2BIG)
    return cell_error_set(c->err, E2BIG, "seccomp analysis: the program has too many paths");
  return r;
}

/* ---- one word: which outcomes can happen together --------------------------- */

typedef struct lit {
  const atom *a;
  bool want;
} lit;

static bool atom_eval(const atom *a, uint32_t w)
{
  uint32_t v = w & a->mask;
  return a->op == OP_EQ ? v == a->k : a->op == OP_GT ? v > a->k : v >= a->k;
}

/* Can the literal still hold for a value with the bits above `free` as in
 * prefix (the free bits are 0 in prefix)? */
static bool possible(const lit *l, uint32_t prefix, uint32_t free)
{
  const atom *a = l->a;
  uint32_t m = a->mask, lo = prefix & m, hi = (prefix | free) & m;
  switch (a->op) {
  case OP_EQ:
    if (l->want)
      return (a->k & ~m) == 0 && ((lo ^ a->k) & m & ~free) == 0;
    return (m & free) != 0 || lo != a->k;
  case OP_GT: return l->want ? hi > a->k : lo <= a->k;
  default: return l->want ? hi >= a->k : lo < a->k;
  }
}

static int solve_bits(const lit *ls, size_t n, int bit, uint32_t prefix, uint32_t *out, long *budget)
{
  uint32_t free = bit < 0 ? 0 : (uint32_t) ((2ull << bit) - 1);
  if (--*budget < 0)
    return -E2BIG;
  for (size_t i = 0; i < n; i++)
    if (!possible(&ls[i], prefix, free))
      return 0;
  if (bit < 0) {
    *out = prefix;
    return 1;
  }
  for (uint32_t b = 0; b < 2; b++) {
    int r = solve_bits(ls, n, bit - 1, prefix | (b << bit), out, budget);
    if (r != 0)
      return r;
  }
  return 0;
}

typedef struct cell {
  uint32_t witness;
  uint64_t truth;           /* bit i: atom i holds */
} cell;

typedef struct word_cells {
  cell *v;
  size_t n, cap;
} word_cells;

static int cells_rec(const word_atoms *wa, lit *ls, size_t depth, word_cells *out, long *budget)
{
  if (depth == wa->n) {
    uint32_t w = 0;
    int r = solve_bits(ls, depth, 31, 0, &w, budget);
    if (r <= 0)
      return r;
    if (out->n == MAX_CELLS)
      return -E2BIG;
    if (cell_grow((void **) &out->v, &out->cap, out->n + 1, sizeof *out->v) < 0)
      return -ENOMEM;
    uint64_t t = 0;
    for (size_t i = 0; i < wa->n; i++)
      t |= (uint64_t) atom_eval(&wa->v[i], w) << i;
    out->v[out->n++] = (cell) { w, t };
    return 1;
  }
  for (int want = 1; want >= 0; want--) {
    ls[depth] = (lit) { &wa->v[depth], want != 0 };
    uint32_t w;
    int r = solve_bits(ls, depth + 1, 31, 0, &w, budget);
    if (r < 0)
      return r;
    if (r == 0)
      continue;
    if ((r = cells_rec(wa, ls, depth + 1, out, budget)) < 0)
      return r;
  }
  return 0;
}

static int word_cells_of(const word_atoms *wa, word_cells *out, cell_error *err)
{
  lit ls[MAX_ATOMS];
  long budget = SOLVER_BUDGET;
  out->n = 0;
  int r = cells_rec(wa, ls, 0, out, &budget);
  if (r == -ENOMEM)
    return cell_error_set(err, ENOMEM, "seccomp analysis: out of memory");
  if (r < 0)
    return cell_error_set(err, E2BIG, "seccomp analysis: the comparisons on one word are too "
                          "many to decide exactly");
  return 0;
}

/* ---- facts ---------------------------------------------------------------------- */

static int add_fact(cell_sc_facts *f, cell_sc_fact fact)
{
  if (cell_grow((void **) &f->v, &f->cap, f->n + 1, sizeof *f->v) < 0)
    return -ENOMEM;
  f->v[f->n++] = fact;
  return 0;
}

void cell_sc_facts_free(cell_sc_facts *f)
{
  for (size_t i = 0; i < f->n; i++)
    free(f->v[i].when);
  free(f->v);
  memset(f, 0, sizeof *f);
}

/* The argument space of one architecture value and number. */
typedef struct space {
  const cell_sc_arch *a;    /* NULL: unknown architecture */
  size_t nw;
  uint8_t words[NWORDS];    /* words with atoms */
  word_atoms *atoms[NWORDS];
  word_cells cells[NWORDS];
  size_t ncombo;
  uint32_t *ret;            /* [ncombo * nprog] */
} space;

static void space_free(space *s)
{
  for (size_t i = 0; i < NWORDS; i++)
    free(s->cells[i].v);
  free(s->ret);
}

/* cell index of word slot j in combo */
static size_t cell_of(const space *s, size_t combo, size_t j)
{
  for (size_t k = 0; k < j; k++)
    combo /= s->cells[k].n;
  return combo % s->cells[j].n;
}

/* ---- conditions: predicates on the arguments ------------------------------------- */

typedef struct pred {
  int arg;                  /* 0..5, -1: the instruction pointer */
  bool word_level;          /* a 32-bit atom of one word, else a 64-bit (or the
                             * argument's whole width) comparison */
  bool hi;                  /* word_level: the high word */
  uint8_t op;               /* OP_EQ, OP_GT, OP_GE */
  uint64_t mask, value;
  uint64_t *bits;           /* truth per combo */
} pred;

typedef struct preds {
  pred *v;
  size_t n, cap;
  size_t words;             /* uint64_t per bitset */
} preds;

static int pred_add(preds *ps, pred p)
{
  for (size_t i = 0; i < ps->n; i++) {
    pred *q = &ps->v[i];
    if (q->arg == p.arg && q->word_level == p.word_level && q->hi == p.hi && q->op == p.op &&
        q->mask == p.mask && q->value == p.value)
      return 0;
  }
  if (ps->n == MAX_PREDS)
    return -E2BIG;
  if (cell_grow((void **) &ps->v, &ps->cap, ps->n + 1, sizeof *ps->v) < 0)
    return -ENOMEM;
  p.bits = calloc(ps->words ? ps->words : 1, sizeof *p.bits);
  if (!p.bits)
    return -ENOMEM;
  ps->v[ps->n++] = p;
  return 0;
}

static void preds_free(preds *ps)
{
  for (size_t i = 0; i < ps->n; i++)
    free(ps->v[i].bits);
  free(ps->v);
}

/* the word index of argument arg's low / high word on a */
static size_t arg_word(const cell_sc_arch *a, int arg, bool hi)
{
  size_t base = arg < 0 ? 2 : 4 + 2 * (size_t) arg;
  bool be = a && a->big_endian;
  return base + ((hi != be) ? 1 : 0);
}

static int word_arg(const cell_sc_arch *a, size_t w, bool *hi)
{
  bool be = a && a->big_endian;
  *hi = ((w & 1) != 0) != be;
  return w < 4 ? -1 : (int) (w - 4) / 2;
}

/* The value of argument arg at combo (64 bits; the high word 0 on 32-bit
 * architectures). */
static uint64_t arg_value(const space *s, size_t combo, int arg)
{
  uint64_t v = 0;
  for (size_t j = 0; j < s->nw; j++) {
    bool hi;
    if (word_arg(s->a, s->words[j], &hi) != arg)
      continue;
    uint32_t w = s->cells[j].v[cell_of(s, combo, j)].witness;
    v |= hi ? (uint64_t) w << 32 : w;
  }
  return v;
}

static bool pred_eval(const space *s, const pred *p, size_t combo)
{
  if (p->word_level) {
    size_t w = arg_word(s->a, p->arg, p->hi);
    for (size_t j = 0; j < s->nw; j++)
      if (s->words[j] == w) {
        uint32_t x = s->cells[j].v[cell_of(s, combo, j)].witness & (uint32_t) p->mask;
        uint32_t k = (uint32_t) p->value;
        return p->op == OP_EQ ? x == k : p->op == OP_GT ? x > k : x >= k;
      }
    return false;
  }
  uint64_t x = arg_value(s, combo, p->arg) & p->mask;
  return p->op == OP_EQ ? x == p->value : p->op == OP_GT ? x > p->value : x >= p->value;
}

static const atom *find_atom(const word_atoms *wa, uint8_t op, uint32_t mask, uint32_t k)
{
  for (size_t i = 0; wa && i < wa->n; i++)
    if (wa->v[i].op == op && wa->v[i].mask == mask && wa->v[i].k == k)
      return &wa->v[i];
  return NULL;
}

/* The atoms of an argument's words as predicates: the low word's as the
 * argument itself (lo_word false: a 32-bit architecture) or as its low
 * word, the high word's as its high word. */
static int atoms_as_preds(preds *ps, int arg, bool lo_word, const word_atoms *lo,
                          const word_atoms *hi)
{
  for (size_t i = 0; lo && i < lo->n; i++)
    if (pred_add(ps, (pred) { arg, lo_word, false, lo->v[i].op, lo->v[i].mask, lo->v[i].k }) < 0)
      return -ENOMEM;
  for (size_t i = 0; hi && i < hi->n; i++)
    if (pred_add(ps, (pred) { arg, true, true, hi->v[i].op, hi->v[i].mask, hi->v[i].k }) < 0)
      return -ENOMEM;
  return 0;
}

/* Predicates whose truth is constant on every cell: the atoms themselves,
 * and the 64-bit comparisons the back ends build from pairs of them. */
static int build_preds(const space *s, preds *ps)
{
  bool bits64 = s->a && s->a->bits64;
  for (int arg = -1; arg < 6; arg++) {
    const word_atoms *lo = NULL, *hi = NULL;
    for (size_t j = 0; j < s->nw; j++) {
      bool h;
      if (word_arg(s->a, s->words[j], &h) != arg)
        continue;
      if (h)
        hi = s->atoms[j];
      else
        lo = s->atoms[j];
    }
    if (!lo && !hi)
      continue;
    if (!bits64) {
      /* 32-bit: the low word is the argument */
      if (atoms_as_preds(ps, arg, false, lo, hi) < 0)
        return -ENOMEM;
      continue;
    }
    /* equalities, masked or not: a low and a high one together, or one
     * alone when its mask leaves the other word out */
    for (size_t i = 0; lo && i < lo->n; i++) {
      const atom *l = &lo->v[i];
      if (l->op != OP_EQ)
        continue;
      for (size_t k = 0; hi && k < hi->n; k++) {
        const atom *h = &hi->v[k];
        if (h->op == OP_EQ &&
            pred_add(ps, (pred) { arg, false, false, OP_EQ, (uint64_t) h->mask << 32 | l->mask,
                                  (uint64_t) h->k << 32 | l->k }) < 0)
          return -ENOMEM;
      }
      if (l->mask != UINT32_MAX &&
          pred_add(ps, (pred) { arg, false, false, OP_EQ, l->mask, l->k }) < 0)
        return -ENOMEM;
    }
    for (size_t k = 0; hi && k < hi->n; k++) {
      const atom *h = &hi->v[k];
      if (h->op == OP_EQ && h->mask != UINT32_MAX &&
          pred_add(ps, (pred) { arg, false, false, OP_EQ, (uint64_t) h->mask << 32,
                                (uint64_t) h->k << 32 }) < 0)
        return -ENOMEM;
    }
    /* orderings: high > H, high == H, low > L (or >=) */
    for (size_t i = 0; lo && i < lo->n; i++) {
      const atom *l = &lo->v[i];
      if (l->op == OP_EQ || l->mask != UINT32_MAX)
        continue;
      for (size_t k = 0; hi && k < hi->n; k++) {
        const atom *h = &hi->v[k];
        if (h->op != OP_EQ || h->mask != UINT32_MAX || !find_atom(hi, OP_GT, UINT32_MAX, h->k))
          continue;
        if (pred_add(ps, (pred) { arg, false, false, l->op, UINT64_MAX,
                                  (uint64_t) h->k << 32 | l->k }) < 0)
          return -ENOMEM;
      }
    }
    /* and the atoms, as a last resort */
    if (atoms_as_preds(ps, arg, true, lo, hi) < 0)
      return -ENOMEM;
  }
  for (size_t i = 0; i < ps->n; i++)
    for (size_t c = 0; c < s->ncombo; c++)
      if (pred_eval(s, &ps->v[i], c))
        ps->v[i].bits[c / 64] |= 1ull << (c % 64);
  return 0;
}

typedef struct term {
  size_t n;
  uint16_t p[MAX_PREDS];     /* predicate index */
  bool neg[MAX_PREDS];
} term;

/* the combos a term selects */
static void term_bits(const preds *ps, const term *t, uint64_t *out, size_t ncombo)
{
  size_t nw = ps->words;
  for (size_t i = 0; i < nw; i++)
    out[i] = ~0ull;
  if (ncombo % 64)
    out[nw - 1] = (1ull << (ncombo % 64)) - 1;
  for (size_t k = 0; k < t->n; k++) {
    const uint64_t *b = ps->v[t->p[k]].bits;
    for (size_t i = 0; i < nw; i++)
      out[i] &= t->neg[k] ? ~b[i] : b[i];
  }
}

static bool subset(const uint64_t *a, const uint64_t *b, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (a[i] & ~b[i])
      return false;
  return true;
}

static void value_str(char *buf, size_t len, uint64_t v)
{
  if (v < 4096)
    snprintf(buf, len, "%" PRIu64, v);
  else
    snprintf(buf, len, "%#" PRIx64, v);
}

static bool full_mask(const pred *p, const space *s)
{
  if (p->word_level || !(s->a && s->a->bits64))
    return (uint32_t) p->mask == UINT32_MAX;
  return p->mask == UINT64_MAX;
}

/* "arg0", "ip", or a word of one on a 64-bit architecture: "arg0.hi" */
static void lit_str(FILE *f, const space *s, const pred *p, bool neg)
{
  char v[32], m[32];
  value_str(v, sizeof v, p->value);
  value_str(m, sizeof m, p->mask);
  if (p->arg < 0)
    fputs("ip", f);
  else
    fprintf(f, "arg%d", p->arg);
  if (p->word_level && (p->hi || (s->a && s->a->bits64)))
    fputs(p->hi ? ".hi" : ".lo", f);
  if (!full_mask(p, s))
    fprintf(f, " & %s", m);
  switch (p->op) {
  case OP_EQ: fprintf(f, " %s %s", neg ? "!=" : "==", v); break;
  case OP_GT: fprintf(f, " %s %s", neg ? "<=" : ">", v); break;
  default: fprintf(f, " %s %s", neg ? "<" : ">=", v); break;
  }
}

/* A literal that can join an `in (...)` list: a whole-argument equality. */
static bool listable(const space *s, const preds *ps, const term *t, size_t k)
{
  const pred *p = &ps->v[t->p[k]];
  return p->op == OP_EQ && full_mask(p, s) && !(p->word_level && s->a && s->a->bits64);
}

static int cmp_u64(const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
  return x < y ? -1 : x > y;
}

/* Print a term: its literals joined by "and", negated equalities on one
 * argument gathered into `not in (...)`. */
static void term_str(FILE *f, const space *s, const preds *ps, const term *t)
{
  bool done[MAX_PREDS] = { false };
  bool first = true;
  for (size_t k = 0; k < t->n; k++) {
    if (done[k])
      continue;
    const pred *p = &ps->v[t->p[k]];
    fputs(first ? "" : " and ", f);
    first = false;
    if (t->neg[k] && listable(s, ps, t, k)) {
      uint64_t vals[MAX_PREDS];
      size_t nv = 0;
      for (size_t j = k; j < t->n; j++)
        if (!done[j] && t->neg[j] && listable(s, ps, t, j) && ps->v[t->p[j]].arg == p->arg) {
          vals[nv++] = ps->v[t->p[j]].value;
          done[j] = true;
        }
      if (nv > 1) {
        qsort(vals, nv, sizeof *vals, cmp_u64);
        if (p->arg < 0)
          fputs("ip not in (", f);
        else
          fprintf(f, "arg%d not in (", p->arg);
        for (size_t j = 0; j < nv; j++) {
          char v[32];
          value_str(v, sizeof v, vals[j]);
          fprintf(f, "%s%s", j ? ", " : "", v);
        }
        fputc(')', f);
        continue;
      }
    }
    done[k] = true;
    /* `>= v` and `<= v` (not `> v`) on one argument: `== v` */
    if (!p->word_level && full_mask(p, s) && !t->neg[k] && p->op == OP_GE) {
      size_t j = 0;
      while (j < t->n && !(t->neg[j] && ps->v[t->p[j]].op == OP_GT && !done[j] &&
                           !ps->v[t->p[j]].word_level && ps->v[t->p[j]].arg == p->arg &&
                           ps->v[t->p[j]].value == p->value && full_mask(&ps->v[t->p[j]], s)))
        j++;
      if (j < t->n) {
        done[j] = true;
        pred eq = *p;
        eq.op = OP_EQ;
        lit_str(f, s, &eq, false);
        continue;
      }
    }
    lit_str(f, s, p, t->neg[k]);
  }
}

/* Terms that differ only in one whole-argument equality on the same
 * argument print as one with `in (...)`. */
static bool same_but(const term *a, const term *b, size_t ka, size_t kb)
{
  if (a->n != b->n)
    return false;
  for (size_t i = 0; i < a->n; i++) {
    if (i == ka)
      continue;
    bool found = false;
    for (size_t j = 0; j < b->n && !found; j++)
      found = j != kb && a->p[i] == b->p[j] && a->neg[i] == b->neg[j];
    if (!found)
      return false;
  }
  return true;
}

static void dnf_str(FILE *f, const space *s, const preds *ps, const term *ts, size_t nt)
{
  bool *used = calloc(nt ? nt : 1, sizeof *used);
  bool first = true;
  for (size_t i = 0; i < nt; i++) {
    if (used && used[i])
      continue;
    fputs(first ? "" : " or ", f);
    first = false;
    /* a positive whole-argument equality that other terms share the rest with */
    size_t key = SIZE_MAX;
    uint64_t vals[64];
    size_t nv = 0;
    for (size_t k = 0; used && k < ts[i].n && key == SIZE_MAX; k++) {
      if (ts[i].neg[k] || !listable(s, ps, &ts[i], k))
        continue;
      nv = 0;
      vals[nv++] = ps->v[ts[i].p[k]].value;
      for (size_t j = i + 1; j < nt && nv < 64; j++) {
        if (used[j])
          continue;
        for (size_t kb = 0; kb < ts[j].n; kb++)
          if (!ts[j].neg[kb] && listable(s, ps, &ts[j], kb) &&
              ps->v[ts[j].p[kb]].arg == ps->v[ts[i].p[k]].arg && same_but(&ts[i], &ts[j], k, kb)) {
            vals[nv++] = ps->v[ts[j].p[kb]].value;
            used[j] = true;
            break;
          }
      }
      if (nv > 1)
        key = k;
    }
    if (key == SIZE_MAX) {
      term_str(f, s, ps, &ts[i]);
      continue;
    }
    term rest = ts[i];
    memmove(rest.p + key, rest.p + key + 1, (rest.n - key - 1) * sizeof *rest.p);
    memmove(rest.neg + key, rest.neg + key + 1, (rest.n - key - 1) * sizeof *rest.neg);
    rest.n--;
    qsort(vals, nv, sizeof *vals, cmp_u64);
    int arg = ps->v[ts[i].p[key]].arg;
    if (arg < 0)
      fputs("ip in (", f);
    else
      fprintf(f, "arg%d in (", arg);
    for (size_t j = 0; j < nv; j++) {
      char v[32];
      value_str(v, sizeof v, vals[j]);
      fprintf(f, "%s%s", j ? ", " : "", v);
    }
    fputc(')', f);
    if (rest.n) {
      fputs(" and ", f);
      term_str(f, s, ps, &rest);
    }
  }
  free(used);
}

/* A condition that holds on exactly the combos in `want` (ncombo bits). */
static char *describe(const space *s, const preds *ps, const uint64_t *want)
{
  size_t nw = ps->words;
  uint64_t *covered = calloc(nw, sizeof *covered), *sel = calloc(nw, sizeof *sel);
  term *ts = NULL;
  size_t nt = 0;
  char *out = NULL;
  size_t len = 0;
  if (!covered || !sel)
    goto done;
  for (size_t c = 0; c < s->ncombo; c++) {
    if (!(want[c / 64] >> (c % 64) & 1) || (covered[c / 64] >> (c % 64) & 1))
      continue;
    term t = { 0 };
    for (size_t i = 0; i < ps->n && t.n < MAX_PREDS; i++) {
      t.p[t.n] = (uint16_t) i;
      t.neg[t.n++] = !(ps->v[i].bits[c / 64] >> (c % 64) & 1);
    }
    /* drop what is not needed: the word-level atoms first (they read
     * worst), then the others from the last */
    for (int pass = 0; pass < 2; pass++)
      for (size_t k = t.n; k-- > 0;) {
        if (ps->v[t.p[k]].word_level != (pass == 0))
          continue;
        term u = t;
        memmove(u.p + k, u.p + k + 1, (u.n - k - 1) * sizeof *u.p);
        memmove(u.neg + k, u.neg + k + 1, (u.n - k - 1) * sizeof *u.neg);
        u.n--;
        term_bits(ps, &u, sel, s->ncombo);
        if (subset(sel, want, nw))
          t = u;
      }
    term_bits(ps, &t, sel, s->ncombo);
    for (size_t i = 0; i < nw; i++)
      covered[i] |= sel[i];
    term *nts = realloc(ts, (nt + 1) * sizeof *nts);
    if (!nts)
      goto done;
    ts = nts;
    ts[nt++] = t;
  }
  FILE *f = open_memstream(&out, &len);
  if (f) {
    dnf_str(f, s, ps, ts, nt);
    fclose(f);
  }
done:
  free(covered);
  free(sel);
  free(ts);
  return out;
}

/* ---- one architecture value and number -------------------------------------------- */

static int run_space(ctx *c, space *s, uint32_t audit, uint32_t nr)
{
  uint32_t vals[NWORDS] = { nr, audit };
  memset(c->w, 0, sizeof c->w);
  memset(c->over, 0, sizeof c->over);
  for (size_t i = 0; i < c->nprog; i++) {
    int r = collect(c, &c->progs[i], 1u << W_NR | 1u << W_ARCH, vals);
    if (r < 0)
      return r;
  }
  for (size_t w = 2; w < NWORDS; w++)
    if (c->over[w])
      return cell_error_set(c->err, E2BIG, "seccomp analysis: syscall %u: more than %d "
                            "comparisons on one argument word", nr, MAX_ATOMS);
  s->nw = 0;
  s->ncombo = 1;
  for (size_t w = 2; w < NWORDS; w++) {
    if (!c->w[w].n)
      continue;
    size_t j = s->nw++;
    s->words[j] = (uint8_t) w;
    s->atoms[j] = &c->w[w];
    int r = word_cells_of(&c->w[w], &s->cells[j], c->err);
    if (r < 0)
      return r;
    if (s->cells[j].n == 0)
      return cell_error_set(c->err, EINVAL, "seccomp analysis: internal error, a word without "
                            "values");
    if (s->ncombo * s->cells[j].n > MAX_COMBOS)
      return cell_error_set(c->err, E2BIG, "seccomp analysis: syscall %u has more than %u argument "
                            "regions to compare", nr, MAX_COMBOS);
    s->ncombo *= s->cells[j].n;
  }
  free(s->ret);
  s->ret = malloc(s->ncombo * c->nprog * sizeof *s->ret);
  if (!s->ret)
    return cell_error_set(c->err, ENOMEM, "seccomp analysis: out of memory");
  for (size_t k = 0; k < s->ncombo; k++) {
    cell_seccomp_data d;
    memset(&d, 0, sizeof d);
    uint32_t *words = (uint32_t *) &d;
    words[W_NR] = nr;
    words[W_ARCH] = audit;
    for (size_t j = 0; j < s->nw; j++)
      words[s->words[j]] = s->cells[j].v[cell_of(s, k, j)].witness;
    for (size_t i = 0; i < c->nprog; i++)
      s->ret[k * c->nprog + i] = cell_seccomp_run(c->progs[i].insns, c->progs[i].len, &d, NULL);
  }
  return 0;
}

/* Facts for numbers [lo, hi] of one architecture value (nr = lo stands
 * for all of them). */
static int interval_facts(ctx *c, int32_t arch, uint32_t audit, uint32_t lo, uint32_t hi,
                          bool only_diff, cell_sc_facts *out)
{
  space s;
  memset(&s, 0, sizeof s);
  s.a = arch >= 0 ? &cell_sc_arches[arch] : NULL;
  int r = run_space(c, &s, audit, lo);
  if (r < 0) {
    space_free(&s);
    return r;
  }
  size_t np = c->nprog;
  /* the distinct decision tuples */
  size_t ngroups = 0;
  uint32_t (*groups)[CELL_SC_MAX_PROGS] = malloc(s.ncombo * sizeof *groups);
  size_t *gof = malloc(s.ncombo * sizeof *gof);
  preds ps = { .words = (s.ncombo + 63) / 64 };
  uint64_t *want = calloc(ps.words, sizeof *want);
  if (!groups || !gof || !want) {
    r = -ENOMEM;
    goto done;
  }
  for (size_t k = 0; k < s.ncombo; k++) {
    size_t g = 0;
    while (g < ngroups && memcmp(groups[g], &s.ret[k * np], np * sizeof(uint32_t)))
      g++;
    if (g == ngroups)
      memcpy(groups[ngroups++], &s.ret[k * np], np * sizeof(uint32_t));
    gof[k] = g;
  }
  bool need_preds = ngroups > 1;
  if (need_preds && (r = build_preds(&s, &ps)) < 0) {
    if (r == -E2BIG)
      r = cell_error_set(c->err, E2BIG, "seccomp analysis: syscall %u: too many argument "
                         "comparisons to describe", lo);
    goto done;
  }
  for (size_t g = 0; g < ngroups; g++) {
    if (only_diff && np == 2 && groups[g][0] == groups[g][1])
      continue;
    cell_sc_fact f = { .arch = arch, .audit = audit, .lo = lo, .hi = hi };
    memcpy(f.ret, groups[g], np * sizeof(uint32_t));
    if (need_preds) {
      memset(want, 0, ps.words * sizeof *want);
      for (size_t k = 0; k < s.ncombo; k++)
        if (gof[k] == g)
          want[k / 64] |= 1ull << (k % 64);
      f.when = describe(&s, &ps, want);
      if (!f.when) {
        r = -ENOMEM;
        goto done;
      }
    }
    if ((r = add_fact(out, f)) < 0) {
      free(f.when);
      goto done;
    }
  }
done:
  free(groups);
  free(gof);
  free(want);
  preds_free(&ps);
  space_free(&s);
  if (r == -ENOMEM)
    return cell_error_set(c->err, ENOMEM, "seccomp analysis: out of memory");
  return r;
}

/* ---- numbers and architectures ------------------------------------------------------ */

typedef struct bounds {
  uint64_t *v;
  size_t n, cap;
} bounds;

static int bound_add(bounds *b, uint64_t x)
{
  if (x > UINT32_MAX)
    return 0;
  if (cell_grow((void **) &b->v, &b->cap, b->n + 1, sizeof *b->v) < 0)
    return -ENOMEM;
  b->v[b->n++] = x;
  return 0;
}

static int arch_facts(ctx *c, int32_t arch, uint32_t audit, bool only_diff, cell_sc_facts *out)
{
  uint32_t vals[NWORDS] = { 0, audit };
  memset(c->w, 0, sizeof c->w);
  memset(c->over, 0, sizeof c->over);
  c->nnr = 0;
  for (size_t i = 0; i < c->nprog; i++) {
    int r = collect(c, &c->progs[i], 1u << W_ARCH, vals);
    if (r < 0)
      return r;
  }
  bounds b = { 0 };
  int r = c->oom ? -ENOMEM : bound_add(&b, 0);
  bool x86 = arch >= 0 && (cell_sc_arches[arch].col == CELL_SC_COL_X86_64 ||
                           cell_sc_arches[arch].col == CELL_SC_COL_X32);
  if (r == 0 && x86)
    r = bound_add(&b, CELL_SC_X32_BIT);
  for (size_t i = 0; r == 0 && i < c->nnr; i++) {
    const atom *a = &c->nr[i];
    if (a->mask == UINT32_MAX) {
      uint64_t k = a->k;
      r = a->op == OP_EQ ? (bound_add(&b, k) < 0 ? -ENOMEM : bound_add(&b, k + 1))
          : a->op == OP_GT ? bound_add(&b, k + 1) : bound_add(&b, k);
      continue;
    }
    /* a masked comparison is constant on aligned blocks of its lowest bit */
    if (!a->mask)
      continue;
    uint64_t step = a->mask & -a->mask;
    if ((1ull << 32) / step > MAX_BLOCKS) {
      r = cell_error_set(c->err, E2BIG, "seccomp analysis: a masked comparison of the syscall "
                         "number (mask %#x) cuts it into too many pieces", a->mask);
      break;
    }
    for (uint64_t x = step; r == 0 && x <= UINT32_MAX; x += step)
      r = bound_add(&b, x);
  }
  /* the atoms of this pass were on the number; the argument passes reuse c->w */
  if (r == 0) {
    qsort(b.v, b.n, sizeof *b.v, cmp_u64);
    size_t m = 0;
    for (size_t i = 0; i < b.n; i++)
      if (!m || b.v[m - 1] != b.v[i])
        b.v[m++] = b.v[i];
    b.n = m;
    for (size_t i = 0; r == 0 && i < b.n; i++) {
      uint32_t lo = (uint32_t) b.v[i];
      uint32_t hi = i + 1 < b.n ? (uint32_t) (b.v[i + 1] - 1) : UINT32_MAX;
      int32_t a = arch;
      if (x86) {
        const cell_sc_arch *x = cell_sc_arch_by_name(lo >= CELL_SC_X32_BIT ? "x32" : "x86_64");
        a = (int32_t) cell_sc_arch_index(x);
      }
      r = interval_facts(c, a, audit, lo, hi, only_diff, out);
    }
  }
  free(b.v);
  if (r == -ENOMEM)
    return cell_error_set(c->err, ENOMEM, "seccomp analysis: out of memory");
  return r;
}

/* The cells of the architecture word: one value for each. */
static int arch_cells(ctx *c, word_cells *wc)
{
  uint32_t vals[NWORDS] = { 0 };
  memset(c->w, 0, sizeof c->w);
  memset(c->over, 0, sizeof c->over);
  for (size_t i = 0; i < c->nprog; i++) {
    int r = collect(c, &c->progs[i], 0, vals);
    if (r < 0)
      return r;
  }
  if (c->over[W_ARCH])
    return cell_error_set(c->err, E2BIG, "seccomp analysis: more than %d architecture "
                          "comparisons", MAX_ATOMS);
  word_atoms wa = c->w[W_ARCH];
  return word_cells_of(&wa, wc, c->err);
}

/* The table's architecture for an audit value (x86_64 for x86_64/x32). */
static int32_t arch_of_audit(uint32_t audit)
{
  for (size_t i = 0; i < cell_sc_narches; i++)
    if (cell_sc_arches[i].audit == audit && cell_sc_arches[i].col != CELL_SC_COL_X32)
      return (int32_t) i;
  return -1;
}

static size_t arch_rank(uint32_t audit)
{
  const cell_sc_arch *n = cell_sc_arch_native();
  if (n && n->audit == audit)
    return 0;
  int32_t a = arch_of_audit(audit);
  return a < 0 ? SIZE_MAX : (size_t) a + 1;
}

int cell_sc_analyze(const cell_sc_prog *progs, size_t nprog, bool only_diff, cell_sc_facts *out,
                    cell_error *err)
{
  memset(out, 0, sizeof *out);
  if (nprog < 1 || nprog > CELL_SC_MAX_PROGS)
    return cell_error_set(err, EINVAL, "seccomp analysis: 1 or 2 programs");
  ctx *c = calloc(1, sizeof *c);
  if (!c)
    return cell_error_set(err, ENOMEM, "seccomp analysis: out of memory");
  c->progs = progs;
  c->nprog = nprog;
  c->err = err;
  word_cells wc = { 0 };
  int r = arch_cells(c, &wc);
  word_atoms archs = c->w[W_ARCH];  /* the passes below reuse c->w */
  /* the native architecture first, then the table's order */
  for (size_t i = 1; i < wc.n; i++)
    for (size_t j = i; j > 0 && arch_rank(wc.v[j].witness) < arch_rank(wc.v[j - 1].witness); j--) {
      cell t = wc.v[j];
      wc.v[j] = wc.v[j - 1];
      wc.v[j - 1] = t;
    }
  /* the named architectures first, in the table's order, then the rest */
  for (int pass = 0; r == 0 && pass < 2; pass++)
    for (size_t i = 0; r == 0 && i < wc.n; i++) {
      uint32_t audit = wc.v[i].witness;
      int32_t a = arch_of_audit(audit);
      /* a cell holding one architecture value is that architecture;
       * one that holds many stands for the architectures nobody names */
      bool point = false;
      for (size_t k = 0; k < archs.n; k++)
        if ((wc.v[i].truth >> k & 1) && archs.v[k].op == OP_EQ && archs.v[k].mask == UINT32_MAX)
          point = true;
      if (!point)
        a = -1;
      if ((pass == 0) != (a >= 0))
        continue;
      r = arch_facts(c, a, audit, only_diff, out);
    }
  free(wc.v);
  free(c->nr);
  free(c);
  if (r < 0)
    cell_sc_facts_free(out);
  return r;
}

int cell_sc_filter_arches(const struct sock_filter *insns, size_t len, bool *arches, size_t n)
{
  cell_sc_prog p = { insns, len };
  cell_sc_facts f;
  cell_error e = { 0, NULL };
  int r = cell_sc_analyze(&p, 1, false, &f, &e);
  cell_error_clear(&e);
  if (r < 0)
    return r;
  /* An architecture is named when one of its syscalls gets another answer
   * than the architectures nobody names (x32 under an x86_64-only
   * filter gets that answer: it is not named). */
  bool have_other = false;
  uint32_t other = 0;
  for (size_t i = 0; i < f.n && !have_other; i++)
    if (f.v[i].arch < 0) {
      have_other = true;
      other = f.v[i].ret[0];
    }
  int count = 0;
  for (size_t i = 0; i < f.n; i++) {
    int32_t a = f.v[i].arch;
    if (a < 0 || (size_t) a >= n || arches[a] || (have_other && f.v[i].ret[0] == other))
      continue;
    bool named = false;
    for (unsigned k = 0; k < cell_sc_nsyscalls && !named; k++) {
      int64_t nr = cell_sc_syscall_nr(&cell_sc_arches[a], &cell_sc_syscalls[k]);
      named = nr >= f.v[i].lo && nr <= f.v[i].hi;
    }
    if (named) {
      arches[a] = true;
      count++;
    }
  }
  cell_sc_facts_free(&f);
  return count;
}
