/* libseccomp's meaning of an OCI profile, written for cell from a reading
 * of libseccomp 2.5.4 (src/db.c, src/gen_bpf.c) and checked against the
 * library by tests/unit/seccomp/test-libseccomp.c.
 *
 * runc and crun add a profile's rules one by one with seccomp_rule_add;
 * libseccomp keeps, per architecture and syscall number, either one
 * action (a rule without conditions: the first such rule decides, later
 * conditional ones are dropped, an unconditional one after conditional
 * ones replaces them) or a tree of 32-bit comparisons:
 *  - a rule becomes a chain of nodes sorted by argument; on 64-bit
 *    architectures each comparison is split into nodes on the high and the
 *    low word (EQ/NE/MASKED_EQ: hi, lo; GT/GE/LT/LE: hi >, hi ==, lo), on
 *    32-bit ones (x32 included: libseccomp takes it for a 32-bit ABI) one
 *    node on the low word; NE, LT, LE are stored as EQ, GE, GT with the
 *    action on the false branch;
 *  - the chain is merged into the tree (tree_add): the nodes of one level
 *    are kept in libseccomp's order (argument, hi before lo, operator
 *    class, value), equal nodes are shared, a shorter chain that reaches an
 *    action replaces the longer ones below it (tree_prune), and two chains
 *    that end on the same node with different actions are refused
 *    (EEXIST);
 *  - the filter walks a level node by node: a node whose branch has no
 *    action and no subtree, or whose subtree decides nothing, passes on to
 *    the next node of its level, the last one to its parent's next node,
 *    the top level to the default action (as seccomp_export_pfc prints
 *    it; libseccomp's BPF departs from its own tree where its accumulator
 *    tracking loses a load, see docs/seccomp.md: cell follows the tree).
 * The quirks that decide cases are kept (the datum_full adjustment of
 * tree_add, GT/GE merged with LT/LE nodes of the same value); where libseccomp's structure breaks (a level that loops) it
 * never finishes, and cell refuses the profile instead.
 *
 * The IR gets each tree as its paths in the order the filter walks them,
 * each path a first-match rule of 32-bit conditions (true ones as they
 * are, false ones negated); codegen.c's resumption rules turn the shared
 * prefixes back into one test each.
 *
 * cell differs on purpose in one thing: x32 compares all 64 bits
 * (opts->x32_libseccomp_width gives libseccomp's 32 for the tests). */
#include "seccomp/oci.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NIL (-1)
/* libseccomp loops forever on some corrupted trees; past this many steps
 * of one rule's merge (a few hundred for real profiles, some millions for
 * the worst that finish) cell says so instead */
#define STEP_LIMIT 100000000u
#define PATH_LIMIT 4096u
/* the keys of syscalls an arch lacks (above every real number) */
#define PHANTOM_BASE 0xf0000000u

typedef struct node {
  int32_t lvl_prv, lvl_nxt, nxt_t, nxt_f;
  uint32_t refcnt;
  uint8_t arg, hi, op, op_orig;
  bool act_t_flg, act_f_flg;
  uint32_t mask, datum;
  uint64_t datum_full;
  uint32_t act_t, act_f;
  uint32_t src_t, src_f;   /* the rule that set the action (index in syscalls[]) */
} node;

/* one syscall on one architecture: libseccomp's struct db_sys_list */
typedef struct entry {
  uint16_t arch;
  uint32_t nr;
  int32_t chains;
  bool uncond;             /* decided without conditions */
  bool phantom;            /* a syscall the arch lacks: merged, never emitted */
  uint32_t action, src;    /* then: its action and rule */
  uint32_t first_src;      /* the rule that made the entry */
  const char *name;
} entry;

typedef struct rctx {
  node *n;
  size_t nn, ncap;
  entry *e;
  size_t ne, ecap;
  int32_t *slot[CELL_SC_MAX_ARCHES];  /* per IR arch: nr - base -> entry */
  uint32_t slot_len[CELL_SC_MAX_ARCHES];
  int32_t *pslot[CELL_SC_MAX_ARCHES];  /* per IR arch: table row -> phantom entry */
  bool has_mux[CELL_SC_MAX_ARCHES];    /* the arch multiplexes socket or IPC calls */
  unsigned long steps;
  bool hung;
  uint32_t conflict_src;   /* EEXIST: the existing rule */
  uint32_t conflict_act;
  entry *cur;
  /* findings */
  bool want;
  cell_sc_oci_result *res;
  size_t fcap;
  bool oom;
} rctx;

static bool step(rctx *c)
{
  if (++c->steps > STEP_LIMIT)
    c->hung = true;
  return !c->hung;
}

static int32_t get(rctx *c, int32_t i)
{
  if (i != NIL)
    c->n[i].refcnt++;
  return i;
}

static int32_t new_node(rctx *c)
{
  if (c->nn == c->ncap) {
    size_t cap = c->ncap ? c->ncap * 2 : 64;
    node *q = realloc(c->n, cap * sizeof *q);
    if (!q)
      return NIL;
    c->n = q;
    c->ncap = cap;
  }
  c->n[c->nn] = (node) { .lvl_prv = NIL, .lvl_nxt = NIL, .nxt_t = NIL, .nxt_f = NIL };
  return (int32_t) c->nn++;
}

#define N(i) (c->n[i])

static unsigned node_put(rctx *c, int32_t *p);

static bool leaf(rctx *c, int32_t i)
{
  return N(i).nxt_t == NIL && N(i).nxt_f == NIL;
}

static bool zombie(rctx *c, int32_t i)
{
  return leaf(c, i) && !N(i).act_t_flg && !N(i).act_f_flg;
}

/* the level order: argument, its high word first, operator class, value */
static unsigned arg_prio(const node *a)
{
  return (a->arg << 1u) + (a->hi ? 1u : 0u);
}

static unsigned op_prio(unsigned op)
{
  switch (op) {
  case CELL_SC_MASKED_EQ: case CELL_SC_EQ: case CELL_SC_NE: return 3;
  case CELL_SC_LE: case CELL_SC_LT: return 2;
  case CELL_SC_GE: case CELL_SC_GT: return 1;
  }
  return 0;
}

static bool chain_lt(const node *a, const node *b)
{
  unsigned x = arg_prio(a), y = arg_prio(b);
  if (x != y)
    return x < y;
  x = op_prio(a->op_orig), y = op_prio(b->op_orig);
  if (x != y)
    return x < y;
  if (a->op_orig == CELL_SC_LE || a->op_orig == CELL_SC_LT)
    return a->datum > b->datum;
  return a->datum < b->datum;
}

static bool chain_eq(const node *a, const node *b)
{
  return arg_prio(a) == arg_prio(b) && a->op == b->op && a->datum == b->datum && a->mask == b->mask;
}

/* a whole level goes when nothing but its own links holds it */
static unsigned level_clean(rctx *c, int32_t i)
{
  unsigned cnt = 0;
  int32_t n = i;
  while (N(n).lvl_prv != NIL && step(c))
    n = N(n).lvl_prv;
  int32_t start = n;
  while (n != NIL && step(c)) {
    unsigned links = (N(n).lvl_prv != NIL) + (N(n).lvl_nxt != NIL);
    if (N(n).refcnt > links)
      return cnt;
    n = N(n).lvl_nxt;
  }
  n = start;
  while (n != NIL && step(c))
    cnt += node_put(c, &n);
  return cnt;
}

static unsigned tree_put(rctx *c, int32_t *t)
{
  unsigned cnt = node_put(c, t);
  if (*t != NIL && !c->hung)
    cnt += level_clean(c, *t);
  return cnt;
}

/* Drop a reference; the last one frees the node and its subtrees and
 * splices its level.  *p moves to a neighbour on the level. */
static unsigned node_put(rctx *c, int32_t *p)
{
  int32_t n = *p;
  unsigned cnt = 0;
  if (n == NIL || !step(c))
    return 0;
  if (--N(n).refcnt == 0) {
    int32_t lp = N(n).lvl_prv, ln = N(n).lvl_nxt, t = N(n).nxt_t, f = N(n).nxt_f;
    if (lp != NIL)
      N(lp).lvl_nxt = NIL;
    if (ln != NIL)
      N(ln).lvl_prv = NIL;
    if (lp != NIL)
      cnt += node_put(c, &lp);
    if (ln != NIL)
      cnt += node_put(c, &ln);
    if (lp != NIL)
      N(lp).lvl_nxt = get(c, ln);
    if (ln != NIL)
      N(ln).lvl_prv = get(c, lp);
    *p = lp != NIL ? lp : ln;
    cnt += tree_put(c, &t);
    cnt += tree_put(c, &f);
    cnt++;
  }
  return cnt;
}

static unsigned tree_remove(rctx *c, int32_t *tree, int32_t target)
{
  unsigned cnt = 0;
  if (*tree == NIL || target == NIL)
    return 0;
  int32_t x = *tree;
  while (N(x).lvl_prv != NIL && step(c))
    x = N(x).lvl_prv;
  do {
    if (x == target)
      goto remove;
    cnt += tree_remove(c, &N(x).nxt_t, target);
    cnt += tree_remove(c, &N(x).nxt_f, target);
    if (zombie(c, x))
      goto remove;
    x = N(x).lvl_nxt;
  } while (x != NIL && cnt == 0 && step(c));
  return cnt;
remove:
  if (x == *tree)
    *tree = N(x).lvl_prv != NIL ? N(x).lvl_prv : N(x).lvl_nxt;
  if (N(x).lvl_prv != NIL)
    N(N(x).lvl_prv).lvl_nxt = N(x).lvl_nxt;
  if (N(x).lvl_nxt != NIL)
    N(N(x).lvl_nxt).lvl_prv = N(x).lvl_prv;
  N(x).lvl_prv = N(x).lvl_nxt = NIL;
  cnt += node_put(c, &x);
  return cnt;
}

/* every action in the tree is action; else -EEXIST and the rule of the
 * first other one in c->conflict_src */
static int act_check(rctx *c, int32_t t, uint32_t action)
{
  if (t == NIL)
    return 0;
  int32_t x = t;
  while (N(x).lvl_prv != NIL && step(c))
    x = N(x).lvl_prv;
  do {
    if (N(x).act_t_flg && N(x).act_t != action) {
      c->conflict_src = N(x).src_t;
      c->conflict_act = N(x).act_t;
      return -EEXIST;
    }
    if (N(x).act_f_flg && N(x).act_f != action) {
      c->conflict_src = N(x).src_f;
      c->conflict_act = N(x).act_f;
      return -EEXIST;
    }
    int r = act_check(c, N(x).nxt_t, action);
    if (r < 0)
      return r;
    if ((r = act_check(c, N(x).nxt_f, action)) < 0)
      return r;
    x = N(x).lvl_nxt;
  } while (x != NIL && step(c));
  return 0;
}

enum {
  IST_MATCH = 1, IST_MATCH_ONCE = 2, IST_X_FINISHED = 0x10, IST_N_FINISHED = 0x20,
  IST_X_PREFIX = 0x100, IST_N_PREFIX = 0x200,
  IST_MATCHSET = IST_MATCH | IST_MATCH_ONCE,
  IST_REDUNDANT = IST_MATCH | IST_X_FINISHED | IST_N_PREFIX,
};

typedef struct pstate { unsigned flags; uint32_t action; } pstate;

static bool act_same(rctx *c, int32_t x, uint32_t action)
{
  uint32_t keep_src = c->conflict_src, keep_act = c->conflict_act;
  bool same = act_check(c, x, action) == 0;
  c->conflict_src = keep_src;
  c->conflict_act = keep_act;
  return same;
}

static unsigned tree_prune(rctx *c, int32_t *existing, int32_t nw, pstate *st);

/* One step of tree_prune: hold x, prune below its branch br (-1: at x
 * itself, with the new chain's subtree), let go (x may be freed then). */
static unsigned prune_step(rctx *c, int32_t *x, int br, int32_t nw, const pstate *st, unsigned clear,
                           unsigned set, pstate *nx)
{
  get(c, *x);
  *nx = *st;
  nx->flags &= ~clear;
  nx->flags |= set;
  int32_t *where = br < 0 ? x : br ? &N(*x).nxt_f : &N(*x).nxt_t;
  unsigned cnt = tree_prune(c, where, nw, nx);
  return cnt + node_put(c, x);
}

/* Remove the parts of the existing tree that the new chain makes
 * unnecessary (libseccomp's _db_tree_prune).  Returns nodes removed. */
static unsigned tree_prune(rctx *c, int32_t *existing, int32_t nw, pstate *st)
{
  unsigned cnt = 0;
  pstate sn = *st, nx;
  int32_t x = *existing, xn;
  if (nw == NIL || x == NIL)
    goto out;
  if ((st->flags & IST_MATCHSET) == IST_MATCH_ONCE)
    goto out;
  while (N(x).lvl_prv != NIL && step(c))
    x = N(x).lvl_prv;
  do {
    xn = N(x).lvl_nxt;
    if (chain_eq(&N(x), &N(nw))) {
      sn.flags |= IST_MATCHSET;
      if (leaf(c, nw))
        sn.flags |= IST_N_FINISHED;
      if (leaf(c, x))
        sn.flags |= IST_X_FINISHED;
      if ((N(x).act_t_flg || N(x).nxt_t != NIL) && !(N(nw).act_t_flg || N(nw).nxt_t != NIL))
        goto out;
      if ((N(x).act_f_flg || N(x).nxt_f != NIL) && !(N(nw).act_f_flg || N(nw).nxt_f != NIL))
        goto out;
      if ((sn.flags & IST_N_FINISHED) && (sn.flags & IST_X_FINISHED)) {
        if (N(nw).act_t_flg != N(x).act_t_flg || N(nw).act_t != N(x).act_t ||
            N(nw).act_f_flg != N(x).act_f_flg || N(nw).act_f != N(x).act_f)
          goto out;
      }
      for (int br = 0; br < 2; br++) {
        int32_t nsub = br ? N(nw).nxt_f : N(nw).nxt_t;
        if (nsub == NIL)
          continue;
        cnt += prune_step(c, &x, br, nsub, st, 0, IST_MATCHSET, &nx);
        if (nx.flags & IST_MATCH)
          sn.flags |= nx.flags;
        if (x == NIL)
          goto next;
      }
      if (act_same(c, x, sn.action) && (sn.flags & IST_MATCH) && (sn.flags & IST_N_FINISHED) &&
          (sn.flags & IST_X_PREFIX)) {
        cnt += tree_remove(c, &c->cur->chains, x);
        if (c->cur->chains == NIL)
          goto out;
      } else if (act_same(c, x, sn.action) && (sn.flags & IST_MATCH) && (sn.flags & IST_X_FINISHED) &&
                 (sn.flags & IST_N_PREFIX)) {
        goto out;
      }
    } else if (chain_lt(&N(x), &N(nw))) {
      if (st->flags & IST_N_PREFIX)
        goto out;
      for (int br = 0; br < 2; br++) {
        if ((br ? N(x).nxt_f : N(x).nxt_t) == NIL)
          continue;
        cnt += prune_step(c, &x, br, nw, st, IST_MATCH, IST_X_PREFIX, &nx);
        if (nx.flags & IST_MATCH) {
          sn.flags |= nx.flags;
          goto out;
        }
        if (x == NIL)
          goto next;
      }
    } else {
      if (st->flags & IST_X_PREFIX)
        goto out;
      for (int br = 0; br < 2; br++) {
        int32_t nsub = br ? N(nw).nxt_f : N(nw).nxt_t;
        if (nsub == NIL)
          continue;
        cnt += prune_step(c, &x, -1, nsub, st, IST_MATCH, IST_N_PREFIX, &nx);
        if (nx.flags & IST_MATCH) {
          sn.flags |= nx.flags;
          goto out;
        }
        if (x == NIL)
          goto next;
      }
    }
next:
    x = xn;
  } while (x != NIL && step(c));
  sn.flags &= ~(unsigned) IST_MATCH;
out:
  if (sn.flags & IST_MATCH)
    st->flags |= sn.flags;
  else
    st->flags &= ~(unsigned) IST_MATCH;
  return cnt;
}

/* Merge the new chain into the existing tree (libseccomp's _db_tree_add). */
static int tree_add(rctx *c, int32_t *existing, int32_t nw)
{
  int32_t x = *existing;
  do {
    if (!step(c))
      return 0;
    if (chain_eq(&N(x), &N(nw))) {
      for (int br = 0; br < 2; br++) {
        bool nflg = br ? N(nw).act_f_flg : N(nw).act_t_flg;
        if (!nflg)
          continue;
        bool *xflg = br ? &N(x).act_f_flg : &N(x).act_t_flg;
        uint32_t *xact = br ? &N(x).act_f : &N(x).act_t;
        uint32_t nact = br ? N(nw).act_f : N(nw).act_t;
        if (!*xflg) {
          int r = act_check(c, br ? N(x).nxt_f : N(x).nxt_t, nact);
          if (r != 0)
            return r;
          int32_t *sub = br ? &N(x).nxt_f : &N(x).nxt_t;
          node_put(c, sub);
          *sub = NIL;
          *xact = nact;
          *xflg = true;
          if (br)
            N(x).src_f = N(nw).src_f;
          else
            N(x).src_t = N(nw).src_t;
        } else if (nact != *xact) {
          /* libseccomp adjusts the true action by the full 64-bit value
           * on either branch (its false branch sets act_t too) */
          bool adjust = N(nw).hi && (br ? N(nw).datum_full < N(x).datum_full
                                        : N(nw).datum_full > N(x).datum_full);
          if (adjust) {
            N(x).act_t = N(nw).act_t;
            N(x).src_t = N(nw).src_t;
          }
          if (leaf(c, x) || leaf(c, nw)) {
            c->conflict_src = br ? N(x).src_f : N(x).src_t;
            c->conflict_act = br ? N(x).act_f : N(x).act_t;
            return -EEXIST;
          }
        }
      }
      for (int br = 0; br < 2; br++) {
        int32_t nsub = br ? N(nw).nxt_f : N(nw).nxt_t;
        if (nsub == NIL)
          continue;
        int32_t *xsub = br ? &N(x).nxt_f : &N(x).nxt_t;
        if (*xsub != NIL) {
          int r = tree_add(c, xsub, nsub);
          if (r != 0)
            return r;
        } else if (!(br ? N(x).act_f_flg : N(x).act_t_flg)) {
          *xsub = get(c, nsub);
        } else {
          return 0;
        }
      }
      return 0;
    } else if (!chain_lt(&N(x), &N(nw))) {
      if (N(x).lvl_nxt == NIL) {
        N(nw).lvl_prv = get(c, x);
        N(x).lvl_nxt = get(c, nw);
        return 0;
      }
      x = N(x).lvl_nxt;
    } else {
      if (N(x).lvl_prv != NIL) {
        N(N(x).lvl_prv).lvl_nxt = get(c, nw);
        N(nw).lvl_prv = N(x).lvl_prv;
        N(x).lvl_prv = get(c, nw);
        N(nw).lvl_nxt = x;
      } else {
        N(x).lvl_prv = get(c, nw);
        N(nw).lvl_nxt = get(c, x);
      }
      if (*existing == x) {
        *existing = get(c, nw);
        node_put(c, &x);
      }
      return 0;
    }
  } while (x != NIL);
  return 0;
}

/* ---- rule chains --------------------------------------------------------- */

typedef struct chain_arg { bool valid; uint8_t op; uint64_t datum, mask; } chain_arg;

static int32_t mk(rctx *c, uint8_t arg, bool hi, uint8_t op, uint8_t orig, uint32_t mask, uint32_t datum,
                  uint64_t full)
{
  int32_t i = new_node(c);
  if (i == NIL) {
    c->oom = true;
    return NIL;
  }
  N(i).arg = arg;
  N(i).hi = hi;
  N(i).op = op;
  N(i).op_orig = orig;
  N(i).mask = mask;
  N(i).datum = datum & mask;
  N(i).datum_full = full;
  return i;
}

/* The chain of one rule (libseccomp's _db_rule_gen); NIL when it has no
 * comparison left (unconditional). */
static int32_t gen_chain(rctx *c, const chain_arg *ch, bool bits32, uint32_t action, uint32_t src)
{
  int32_t prev[4] = { NIL, NIL, NIL, NIL }, root = NIL;
  bool tf = false;
  for (uint8_t i = 0; i < 6 && !c->oom; i++) {
    const chain_arg *a = &ch[i];
    if (!a->valid)
      continue;
    uint32_t mlo = (uint32_t) a->mask, mhi = (uint32_t) (a->mask >> 32);
    bool masked = a->op == CELL_SC_MASKED_EQ;
    if (bits32) {
      if (masked && mlo == 0)
        continue;
      uint8_t op = a->op;
      bool ntf = true;
      switch (op) {
      case CELL_SC_NE: op = CELL_SC_EQ; ntf = false; break;
      case CELL_SC_LT: op = CELL_SC_GE; ntf = false; break;
      case CELL_SC_LE: op = CELL_SC_GT; ntf = false; break;
      default: break;
      }
      int32_t n = mk(c, i, false, op, a->op, mlo, (uint32_t) a->datum, a->datum);
      if (n == NIL)
        return NIL;
      for (int k = 0; k < 4 && prev[k] != NIL; k++) {
        if (tf)
          N(prev[k]).nxt_t = get(c, n);
        else
          N(prev[k]).nxt_f = get(c, n);
      }
      prev[0] = n;
      prev[1] = NIL;
      if (root == NIL)
        root = get(c, n);
      tf = ntf;
      continue;
    }
    if (masked && mlo == 0 && mhi == 0)
      continue;
    uint32_t dhi = (uint32_t) (a->datum >> 32), dlo = (uint32_t) a->datum;
    int32_t n0, n1, n2 = NIL;
    bool range = a->op == CELL_SC_GT || a->op == CELL_SC_GE || a->op == CELL_SC_LT || a->op == CELL_SC_LE;
    if (range) {
      n0 = mk(c, i, true, CELL_SC_GT, a->op, mhi, dhi, a->datum);
      n1 = mk(c, i, true, CELL_SC_EQ, a->op, mhi, dhi, a->datum);
      n2 = mk(c, i, false, a->op == CELL_SC_GT || a->op == CELL_SC_LE ? CELL_SC_GT : CELL_SC_GE, a->op, mlo,
              dlo, a->datum);
    } else {
      uint8_t op = masked ? CELL_SC_MASKED_EQ : CELL_SC_EQ;
      n0 = mk(c, i, true, op, a->op, mhi, dhi, a->datum);
      n1 = mk(c, i, false, op, a->op, mlo, dlo, a->datum);
    }
    if (c->oom)
      return NIL;
    for (int k = 0; k < 4 && prev[k] != NIL; k++) {
      if (tf)
        N(prev[k]).nxt_t = get(c, n0);
      else
        N(prev[k]).nxt_f = get(c, n0);
    }
    prev[0] = prev[1] = prev[2] = prev[3] = NIL;
    if (range) {
      N(n0).nxt_f = get(c, n1);
      N(n1).nxt_t = get(c, n2);
    } else {
      N(n0).nxt_t = get(c, n1);
    }
    if (root == NIL)
      root = get(c, n0);
    switch (a->op) {
    case CELL_SC_GT: case CELL_SC_GE: prev[0] = n0; prev[1] = n2; tf = true; break;
    case CELL_SC_EQ: case CELL_SC_MASKED_EQ: prev[0] = n1; tf = true; break;
    case CELL_SC_LE: case CELL_SC_LT: prev[0] = n1; prev[1] = n2; tf = false; break;
    default: prev[0] = n0; prev[1] = n1; tf = false; break;   /* NE */
    }
  }
  if (root == NIL)
    return NIL;
  for (int k = 0; k < 4 && prev[k] != NIL; k++) {
    if (tf) {
      N(prev[k]).act_t_flg = true;
      N(prev[k]).act_t = action;
      N(prev[k]).src_t = src;
    } else {
      N(prev[k]).act_f_flg = true;
      N(prev[k]).act_f = action;
      N(prev[k]).src_f = src;
    }
  }
  return root;
}

/* libseccomp's db_rule_add for one syscall entry. */
static int rule_add(rctx *c, entry *e, const chain_arg *ch, bool bits32, uint32_t action, uint32_t src)
{
  c->steps = 0;
  int32_t nw = gen_chain(c, ch, bits32, action, src);
  if (c->oom)
    return -ENOMEM;
  c->cur = e;
  bool removed = false;
  for (;;) {
    if (e->uncond && !removed) {
      /* the syscall is decided without conditions: the new rule is
       * dropped */
      tree_put(c, &nw);
      return 0;
    }
    if (e->chains == NIL) {
      /* an empty entry (new, or its tree pruned away) */
      e->chains = nw;
      e->uncond = nw == NIL;
      if (e->uncond) {
        e->action = action;
        e->src = src;
      }
      return 0;
    }
    if (nw == NIL) {
      /* unconditional after conditional rules: they go */
      tree_put(c, &e->chains);
      e->chains = NIL;
      e->uncond = true;
      e->action = action;
      e->src = src;
      return 0;
    }
    pstate st = { 0, action };
    unsigned cnt = tree_prune(c, &e->chains, nw, &st);
    if (c->hung)
      return -ELOOP;
    if (cnt > 0) {
      removed = true;
      if (e->chains == NIL)
        continue;
    } else if ((st.flags & IST_REDUNDANT) == IST_REDUNDANT) {
      tree_put(c, &nw);
      return 0;
    }
    break;
  }
  int r = tree_add(c, &e->chains, nw);
  if (c->hung)
    return -ELOOP;
  if (r < 0)
    return r;
  tree_put(c, &nw);
  return c->hung ? -ELOOP : 0;
}

/* ---- the IR ---------------------------------------------------------------- */

/* The tree as libseccomp's filter walks it (gen_bpf.c, and the same as
 * its export_pfc prints): the nodes of a level in order; a node's branch
 * is its action, or its subtree, or nothing (on to the next node); a
 * subtree that decides nothing passes on to the parent's next node.  Each
 * path becomes one IR rule, in that order. */
typedef struct emitter {
  rctx *c;
  cell_sc_ir *ir;
  const entry *e;
  cell_sc_cond path[64];
  size_t depth;
  uint32_t order;
  unsigned paths;
  int err;
} emitter;

static cell_sc_cond literal(const node *n)
{
  cell_sc_cond k = { .arg = n->arg, .op = n->op, .value = n->datum, .part = n->hi ? CELL_SC_HI : CELL_SC_LO };
  if (n->op == CELL_SC_MASKED_EQ)
    k.mask = n->mask;
  return k;
}

static void level(emitter *m, int32_t i);

static void branch(emitter *m, cell_sc_cond lit, int32_t sub, bool flg, uint32_t act)
{
  if (sub == NIL && !flg)
    return;
  if (m->depth >= sizeof m->path / sizeof m->path[0]) {
    m->err = -ELOOP;
    return;
  }
  m->path[m->depth++] = lit;
  if (sub != NIL)
    level(m, sub);
  else if (++m->paths > PATH_LIMIT)
    m->err = -E2BIG;
  else if (cell_sc_ir_add_rule(m->ir, m->e->arch, m->e->nr, act, m->order++, m->path, m->depth) < 0)
    m->err = -ENOMEM;
  m->depth--;
}

static void level(emitter *m, int32_t i)
{
  rctx *c = m->c;
  while (N(i).lvl_prv != NIL && step(c))
    i = N(i).lvl_prv;
  for (; i != NIL && !m->err; i = N(i).lvl_nxt) {
    if (!step(c)) {
      m->err = -ELOOP;
      return;
    }
    node n = N(i);
    cell_sc_cond lit = literal(&n);
    branch(m, lit, n.nxt_t, n.act_t_flg, n.act_t);
    branch(m, cell_sc_cond_not(&lit), n.nxt_f, n.act_f_flg, n.act_f);
  }
}

/* ---- driving: the rules as runc adds them ---------------------------------- */

static entry *entry_of(rctx *c, size_t ai, uint16_t arch, uint32_t nr, uint32_t src, const char *name)
{
  const cell_sc_arch *a = &cell_sc_arches[arch];
  uint32_t k = nr - a->nr_base;
  int32_t *ps = NULL;
  if (nr >= PHANTOM_BASE) {
    if (!c->pslot[ai]) {
      c->pslot[ai] = malloc(cell_sc_nsyscalls * sizeof *c->pslot[ai]);
      if (!c->pslot[ai])
        return NULL;
      memset(c->pslot[ai], 0xff, cell_sc_nsyscalls * sizeof *c->pslot[ai]);
    }
    ps = &c->pslot[ai][nr - PHANTOM_BASE];
    if (*ps >= 0)
      return &c->e[*ps];
    k = UINT32_MAX;
  }
  if (nr >= a->nr_base && k < c->slot_len[ai] && c->slot[ai][k] >= 0)
    return &c->e[c->slot[ai][k]];
  if (!ps && !(nr >= a->nr_base && k < c->slot_len[ai]))
    for (size_t i = 0; i < c->ne; i++)
      if (c->e[i].arch == arch && c->e[i].nr == nr)
        return &c->e[i];
  if (c->ne == c->ecap) {
    size_t cap = c->ecap ? c->ecap * 2 : 256;
    entry *q = realloc(c->e, cap * sizeof *q);
    if (!q)
      return NULL;
    c->e = q;
    c->ecap = cap;
  }
  if (ps)
    *ps = (int32_t) c->ne;
  else if (nr >= a->nr_base && k < c->slot_len[ai])
    c->slot[ai][k] = (int32_t) c->ne;
  c->e[c->ne] = (entry) { .arch = arch, .nr = nr, .chains = NIL, .first_src = src, .name = name };
  return &c->e[c->ne++];
}

/* A rule on a syscall the arch lacks: only conditional rules can be
 * refused there, so a rule without conditions just marks the row (later
 * conditional ones are dropped, as libseccomp drops them).  1: nothing to
 * merge, 0: merge into the phantom entry, -ENOMEM. */
static int phantom_skip(rctx *c, size_t ai, size_t row, const chain_arg *ch, bool bits32)
{
  if (!c->pslot[ai]) {
    c->pslot[ai] = malloc(cell_sc_nsyscalls * sizeof *c->pslot[ai]);
    if (!c->pslot[ai])
      return -ENOMEM;
    memset(c->pslot[ai], 0xff, cell_sc_nsyscalls * sizeof *c->pslot[ai]);
  }
  int32_t *ps = &c->pslot[ai][row];
  bool uncond = true;
  for (int i = 0; i < 6; i++)
    if (ch[i].valid && (ch[i].op != CELL_SC_MASKED_EQ || (bits32 ? (uint32_t) ch[i].mask : ch[i].mask) != 0))
      uncond = false;
  if (*ps == -2)
    return 1;   /* decided without conditions already */
  if (uncond && *ps < 0) {
    *ps = -2;
    return 1;
  }
  return 0;
}

static const char *act_text(uint32_t a, char buf[32])
{
  return cell_seccomp_action_str(a, buf);
}

static int refuse(rctx *c, const cell_seccomp_opts *opts, int r, const entry *e, uint32_t src,
                  uint32_t action, cell_error *err)
{
  char loc[256], path[256], oloc[256], opath[256], oref[600], b1[32], b2[32];
  const char *an = cell_sc_arches[e->arch].short_name;
  cell_sc_oci_where(opts, src, loc, sizeof loc, path, sizeof path);
  if (r == -ENOMEM)
    return cell_error_set(err, ENOMEM, "seccomp: out of memory");
  if (r == -EEXIST) {
    cell_sc_oci_where(opts, c->conflict_src, oloc, sizeof oloc, opath, sizeof opath);
    size_t ol = strlen(oloc);
    if (ol >= 2)
      oloc[ol - 2] = 0;   /* "file:line:col" without ": " */
    snprintf(oref, sizeof oref, "%s%s%s%s", opath, ol ? " (" : "", oloc, ol ? ")" : "");
    return cell_error_set(err, EEXIST,
                          "%s%s: conflicts with %s on \"%s\" (%s): %s there and %s here decide the same "
                          "arguments; libseccomp refuses the profile (EEXIST), and so do runc and crun",
                          loc, path, oref, e->name, an, act_text(c->conflict_act, b1), act_text(action, b2));
  }
  if (r == -E2BIG)
    return cell_error_set(err, E2BIG, "%s%s: the rules for \"%s\" (%s) make more than %u paths", loc, path,
                          e->name, an, PATH_LIMIT);
  return cell_error_set(err, ELOOP,
                        "%s%s: libseccomp does not finish merging the rules for \"%s\" (%s) "
                        "(its tree of comparisons loops), so runc and crun hang on this profile; cell refuses it",
                        loc, path, e->name, an);
}

static void add_finding(rctx *c, cell_sc_finding f)
{
  cell_sc_oci_result *res = c->res;
  for (size_t i = 0; i < res->nfindings; i++) {
    cell_sc_finding *g = &res->findings[i];
    if (g->kind == f.kind && g->rule == f.rule && g->other == f.other && g->cond == f.cond &&
        (f.kind == CELL_SC_FIND_NEVER || !strcmp(g->syscall, f.syscall)))
      return;
  }
  if (res->nfindings == c->fcap) {
    size_t cap = c->fcap ? c->fcap * 2 : 16;
    cell_sc_finding *q = realloc(res->findings, cap * sizeof *q);
    if (!q) {
      c->oom = true;
      return;
    }
    res->findings = q;
    c->fcap = cap;
  }
  res->findings[res->nfindings++] = f;
}

/* the rule's conditions on arch as a chain; false when two are on one
 * argument (the caller splits) */
static void chain_of(const cell_sc_cond *conds, size_t n, chain_arg ch[6])
{
  memset(ch, 0, 6 * sizeof *ch);
  for (size_t i = 0; i < n; i++) {
    const cell_sc_cond *k = &conds[i];
    ch[k->arg] = (chain_arg) { true, k->op, k->value,
                               k->op == CELL_SC_MASKED_EQ ? k->mask : UINT64_MAX };
  }
}

static bool rules_match(const cell_sc_arch *a, const cell_sc_cond *k, size_t n, const uint64_t args[6])
{
  for (size_t i = 0; i < n; i++)
    if (!cell_sc_cond_eval(a, &k[i], args[k[i].arg]))
      return false;
  return true;
}

/* findings of one entry: rules that contributed and how they overlap */
static void entry_findings(rctx *c, const cell_sc_profile *p, const entry *e, const cell_sc_ir *ir,
                           size_t first_rule, size_t end_rule, const uint32_t *added, size_t nadded)
{
  const cell_sc_arch *a = &cell_sc_arches[e->arch];
  /* which rules still decide something */
  for (size_t i = 0; i < nadded; i++) {
    const cell_sc_oci_rule *ri = &p->rules[added[i]];
    bool decides = false;
    if (e->uncond)
      decides = e->src == ri->index;
    else
      for (size_t k = first_rule; k < end_rule && !decides; k++)
        decides = ir->rules[k].action == ri->action;
    if (!decides) {
      size_t other = e->uncond ? e->src : e->first_src;
      for (size_t j = 0; j < i && !e->uncond; j++)
        if (p->rules[added[j]].action != ri->action)
          other = p->rules[added[j]].index;
      if (other != ri->index)
        add_finding(c, (cell_sc_finding) { .kind = CELL_SC_FIND_SHADOWED, .rule = ri->index, .other = other,
                                           .syscall = e->name, .arch = e->arch, .action = ri->action });
    }
  }
  /* overlaps: two rules with different actions that one call matches */
  static const uint64_t vals[] = { 0, 1, 2, 3, 0xff, 0x100, 0x7fffffff, 0x80000000, 0xffffffff,
                                   0x100000000ull, UINT64_MAX };
  for (size_t i = 0; i < nadded && !e->uncond; i++)
    for (size_t j = 0; j < i; j++) {
      const cell_sc_oci_rule *x = &p->rules[added[j]], *y = &p->rules[added[i]];
      if (x->action == y->action || x->split || y->split)
        continue;
      const cell_sc_cond *kx = &p->conds[x->first_cond], *ky = &p->conds[y->first_cond];
      uint64_t args[6] = { 0 };
      bool found = false;
      /* values from the rules themselves, then the usual edges */
      for (size_t t = 0; t < 64 && !found; t++) {
        for (int ar = 0; ar < 6; ar++) {
          uint64_t cand[24];
          size_t nc = 0;
          for (size_t q = 0; q < x->ncond; q++)
            if (kx[q].arg == ar) {
              cand[nc++] = kx[q].value;
              cand[nc++] = kx[q].value + 1;
              cand[nc++] = kx[q].value - 1;
            }
          for (size_t q = 0; q < y->ncond; q++)
            if (ky[q].arg == ar) {
              cand[nc++] = ky[q].value;
              cand[nc++] = ky[q].value + 1;
              cand[nc++] = ky[q].value - 1;
            }
          if (!nc)
            continue;
          for (size_t q = 0; q < sizeof vals / sizeof vals[0] && nc < 24; q++)
            cand[nc++] = vals[q];
          args[ar] = cand[(t * (size_t) (ar + 7) + t / (size_t) (ar + 1)) % nc];
        }
        found = rules_match(a, kx, x->ncond, args) && rules_match(a, ky, y->ncond, args);
        if (t == 0 && !found)
          memset(args, 0, sizeof args), found = rules_match(a, kx, x->ncond, args) && rules_match(a, ky, y->ncond, args);
      }
      if (!found)
        continue;
      uint32_t d = cell_sc_ir_eval(ir, a->audit, e->nr, args);
      add_finding(c, (cell_sc_finding) { .kind = CELL_SC_FIND_OVERLAP, .rule = y->index, .other = x->index,
                                         .syscall = e->name, .arch = e->arch, .action = y->action,
                                         .other_action = x->action, .decides = d,
                                         .args = { args[0], args[1], args[2], args[3], args[4], args[5] } });
    }
}

static bool never_holds(const cell_sc_cond *k)
{
  return (k->op == CELL_SC_LT && k->value == 0) || (k->op == CELL_SC_GT && k->value == UINT64_MAX);
}

int cell_sc_resolve(const cell_sc_profile *p, const cell_seccomp_opts *opts, cell_sc_ir *ir,
                    bool want_findings, cell_sc_oci_result *res, cell_error *err)
{
  rctx c = { .want = want_findings, .res = res };
  int r = 0;
  memset(res, 0, sizeof *res);
  res->flags = p->flags;
  res->optional_flags = p->optional_flags;
  res->has_notify = p->has_notify;
  res->skipped = p->skipped;
  ir->default_action = p->default_action;
  for (size_t i = 0; i < p->narches; i++)
    (void) cell_sc_ir_add_arch(ir, p->arches[i]);
  bool x32_32 = opts && opts->x32_libseccomp_width;
  for (size_t i = 0; i < ir->narches; i++) {
    const cell_sc_arch *a = &cell_sc_arches[ir->arches[i]];
    const cell_sc_syscall *sk = cell_sc_syscall_lookup("socketcall"), *ip = cell_sc_syscall_lookup("ipc");
    c.has_mux[i] = (sk && cell_sc_syscall_nr(a, sk) >= 0) || (ip && cell_sc_syscall_nr(a, ip) >= 0);
    /* arm's private numbers (0xf0000...) are looked up one by one */
    c.slot_len[i] = cell_sc_arch_max_nr(a) - a->nr_base + 1;
    if (c.slot_len[i] > 4096)
      c.slot_len[i] = 4096;
    c.slot[i] = malloc(c.slot_len[i] * sizeof *c.slot[i]);
    if (!c.slot[i]) {
      r = cell_error_set(err, ENOMEM, "seccomp: out of memory");
      goto out;
    }
    memset(c.slot[i], 0xff, c.slot_len[i] * sizeof *c.slot[i]);
  }

  /* seccomp_rule_add, rule by rule, name by name (split rules: condition
   * by condition), architecture by architecture, socketcall/ipc first */
  for (size_t ri = 0; ri < p->nrules && r == 0; ri++) {
    const cell_sc_oci_rule *rule = &p->rules[ri];
    const cell_sc_cond *conds = &p->conds[rule->first_cond];
    if (want_findings)
      for (size_t k = 0; k < rule->ncond; k++)
        if (never_holds(&conds[k]))
          add_finding(&c, (cell_sc_finding) { .kind = CELL_SC_FIND_NEVER, .rule = rule->index, .cond = k,
                                              .action = rule->action });
    if (rule->action == p->default_action)
      continue;   /* runc and crun skip it (libseccomp would say EACCES) */
    size_t parts = rule->split ? rule->ncond : 1;
    for (size_t ni = 0; ni < rule->nnames && r == 0; ni++) {
      const cell_sc_syscall *s = p->names[rule->first_name + ni].row;
      if (!s)
        continue;
      const cell_sc_syscall *muxer = NULL;
      uint32_t call = (uint32_t) cell_sc_mux_call(s->name, &muxer);
      for (size_t part = 0; part < parts && r == 0; part++) {
        chain_arg ch[6];
        if (rule->split)
          chain_of(&conds[part], 1, ch);
        else
          chain_of(conds, rule->ncond, ch);
        for (size_t ai = 0; ai < ir->narches && r == 0; ai++) {
          uint16_t arch = ir->arches[ai];
          const cell_sc_arch *a = &cell_sc_arches[arch];
          bool bits32 = !a->bits64 || (x32_32 && a->col == CELL_SC_COL_X32);
          int64_t mux_nr = call ? cell_sc_syscall_nr(a, muxer) : -1;
          int64_t nr = cell_sc_syscall_nr(a, s);
          for (int form = 0; form < 2 && r == 0; form++) {
            int64_t n = form == 0 ? mux_nr : nr;
            /* a syscall this arch lacks: libseccomp still merges the rule
             * under a placeholder number (and may refuse it there), except
             * on the arches whose own rule hook (socketcall/ipc) drops it */
            bool phantom = form == 1 && n < 0 && mux_nr < 0 && !c.has_mux[ai];
            if (phantom) {
              n = PHANTOM_BASE + (s - cell_sc_syscalls);
              int pr = phantom_skip(&c, ai, (size_t) (s - cell_sc_syscalls), ch, bits32);
              if (pr < 0)
                r = cell_error_set(err, ENOMEM, "seccomp: out of memory");
              if (pr != 0)
                continue;
            }
            if (n < 0)
              continue;
            chain_arg fc[6];
            memcpy(fc, ch, sizeof fc);
            if (form == 0)   /* socketcall(call, ...): the call number on arg0 */
              fc[0] = (chain_arg) { true, CELL_SC_EQ, call, UINT64_MAX };
            entry *e = entry_of(&c, ai, arch, (uint32_t) n, (uint32_t) rule->index,
                                form == 0 ? muxer->name : s->name);
            if (!e) {
              r = cell_error_set(err, ENOMEM, "seccomp: out of memory");
              break;
            }
            e->phantom = phantom;
            int rr = rule_add(&c, e, fc, bits32, rule->action, (uint32_t) rule->index);
            if (rr < 0)
              r = refuse(&c, opts, rr, e, (uint32_t) rule->index, rule->action, err);
          }
        }
      }
    }
  }

  /* the entries into the IR, by arch and number (the back end then need
   * not sort): the slot arrays in order, then the few numbers past them */
  size_t *seq = malloc((c.ne + 1) * sizeof *seq), nseq = 0;
  if (!seq && r == 0)
    r = cell_error_set(err, ENOMEM, "seccomp: out of memory");
  size_t order_ai[CELL_SC_MAX_ARCHES];
  for (size_t i = 0; i < ir->narches; i++) {
    size_t j = i;
    while (j > 0 && ir->arches[order_ai[j - 1]] > ir->arches[i]) {
      order_ai[j] = order_ai[j - 1];
      j--;
    }
    order_ai[j] = i;
  }
  for (size_t q = 0; q < ir->narches && seq; q++) {
    size_t ai = order_ai[q];
    for (uint32_t k = 0; k < c.slot_len[ai]; k++)
      if (c.slot[ai][k] >= 0)
        seq[nseq++] = (size_t) c.slot[ai][k];
    for (size_t i = 0; i < c.ne; i++) {
      const entry *e = &c.e[i];
      const cell_sc_arch *a = &cell_sc_arches[e->arch];
      if (e->arch == ir->arches[ai] && !e->phantom && !(e->nr >= a->nr_base && e->nr - a->nr_base < c.slot_len[ai]))
        seq[nseq++] = i;
    }
  }
  for (size_t si = 0; si < nseq && r == 0; si++) {
    entry *e = &c.e[seq[si]];
    size_t before = ir->nrules;
    if (e->phantom)
      continue;
    if (e->uncond) {
      if (cell_sc_ir_add_rule(ir, e->arch, e->nr, e->action, 0, NULL, 0) < 0)
        r = cell_error_set(err, ENOMEM, "seccomp: out of memory");
    } else if (e->chains != NIL) {
      emitter m = { .c = &c, .ir = ir, .e = e };
      c.steps = 0;
      level(&m, e->chains);
      if (m.err)
        r = refuse(&c, opts, m.err, e, e->first_src, 0, err);
      else if (ir->nrules == before &&
               cell_sc_ir_add_rule(ir, e->arch, e->nr, ir->default_action, 0, NULL, 0) < 0)
        r = cell_error_set(err, ENOMEM, "seccomp: out of memory");   /* named, decides nothing */
    }
    if (r == 0 && want_findings) {
      /* the rules added to this entry, in order */
      uint32_t added[256];
      size_t nadded = 0;
      for (size_t ri = 0; ri < p->nrules && nadded < 256; ri++) {
        const cell_sc_oci_rule *rule = &p->rules[ri];
        if (rule->action == p->default_action)
          continue;
        bool here = false;
        for (size_t ni = 0; ni < rule->nnames && !here; ni++) {
          const cell_sc_syscall *s = p->names[rule->first_name + ni].row;
          const cell_sc_syscall *mx = NULL;
          uint32_t call = s ? (uint32_t) cell_sc_mux_call(s->name, &mx) : 0;
          const cell_sc_arch *a = &cell_sc_arches[e->arch];
          here = s && (cell_sc_syscall_nr(a, s) == e->nr || (call && cell_sc_syscall_nr(a, mx) == e->nr));
        }
        if (here)
          added[nadded++] = (uint32_t) ri;
      }
      entry_findings(&c, p, e, ir, before, ir->nrules, added, nadded);
    }
  }
  free(seq);
  if (r == 0 && c.oom)
    r = cell_error_set(err, ENOMEM, "seccomp: out of memory");
out:
  for (size_t i = 0; i < ir->narches; i++) {
    free(c.slot[i]);
    free(c.pslot[i]);
  }
  free(c.n);
  free(c.e);
  return r;
}

void cell_sc_oci_result_free(cell_sc_oci_result *res)
{
  free(res->findings);
  res->findings = NULL;
  res->nfindings = 0;
}

int cell_sc_oci_to_ir(json_t *seccomp, const cell_seccomp_opts *opts, cell_sc_ir *ir,
                      cell_sc_oci_result *res, cell_error *err)
{
  cell_sc_profile p;
  int r = cell_sc_oci_read(seccomp, opts, &p, err);
  if (r == 0)
    r = cell_sc_resolve(&p, opts, ir, false, res, err);
  else
    memset(res, 0, sizeof *res);
  cell_sc_profile_free(&p);
  return r;
}
