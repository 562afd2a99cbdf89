/* libseccomp's per-syscall decision tree (its src/db.c, written again for
 * cell): chains of 32-bit comparisons merged as seccomp_rule_add merges
 * them, and the tree's paths written into the IR in the order libseccomp's
 * filter walks them.  resolve.c drives it rule by rule. */
#include "seccomp/lstree.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool lst_step(lstree *c)
{
  if (++c->steps > STEP_LIMIT)
    c->hung = true;
  return !c->hung;
}

static int32_t get(lstree *c, int32_t i)
{
  if (i != NIL)
    c->n[i].refcnt++;
  return i;
}

static int32_t new_node(lstree *c)
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

static unsigned node_put(lstree *c, int32_t *p);

static bool leaf(lstree *c, int32_t i)
{
  return N(i).nxt_t == NIL && N(i).nxt_f == NIL;
}

static bool zombie(lstree *c, int32_t i)
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
static unsigned level_clean(lstree *c, int32_t i)
{
  unsigned cnt = 0;
  int32_t n = i;
  while (N(n).lvl_prv != NIL && lst_step(c))
    n = N(n).lvl_prv;
  int32_t start = n;
  while (n != NIL && lst_step(c)) {
    unsigned links = (N(n).lvl_prv != NIL) + (N(n).lvl_nxt != NIL);
    if (N(n).refcnt > links)
      return cnt;
    n = N(n).lvl_nxt;
  }
  n = start;
  while (n != NIL && lst_step(c))
    cnt += node_put(c, &n);
  return cnt;
}

static unsigned tree_put(lstree *c, int32_t *t)
{
  unsigned cnt = node_put(c, t);
  if (*t != NIL && !c->hung)
    cnt += level_clean(c, *t);
  return cnt;
}

/* Drop a reference; the last one frees the node and its subtrees and
 * splices its level.  *p moves to a neighbour on the level. */
static unsigned node_put(lstree *c, int32_t *p)
{
  int32_t n = *p;
  unsigned cnt = 0;
  if (n == NIL || !lst_step(c))
    return 0;
  if (c->depth >= DEPTH_LIMIT) {
    c->hung = true;
    return 0;
  }
  c->depth++;
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
  c->depth--;
  return cnt;
}

static unsigned tree_remove(lstree *c, int32_t *tree, int32_t target)
{
  unsigned cnt = 0;
  if (*tree == NIL || target == NIL)
    return 0;
  int32_t x = *tree;
  while (N(x).lvl_prv != NIL && lst_step(c))
    x = N(x).lvl_prv;
  do {
    if (x == target)
      goto remove;
    cnt += tree_remove(c, &N(x).nxt_t, target);
    cnt += tree_remove(c, &N(x).nxt_f, target);
    if (zombie(c, x))
      goto remove;
    x = N(x).lvl_nxt;
  } while (x != NIL && cnt == 0 && lst_step(c));
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
static int act_check(lstree *c, int32_t t, uint32_t action)
{
  if (t == NIL)
    return 0;
  int32_t x = t;
  while (N(x).lvl_prv != NIL && lst_step(c))
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
  } while (x != NIL && lst_step(c));
  return 0;
}

enum {
  IST_MATCH = 1, IST_MATCH_ONCE = 2, IST_X_FINISHED = 0x10, IST_N_FINISHED = 0x20,
  IST_X_PREFIX = 0x100, IST_N_PREFIX = 0x200,
  IST_MATCHSET = IST_MATCH | IST_MATCH_ONCE,
  IST_REDUNDANT = IST_MATCH | IST_X_FINISHED | IST_N_PREFIX,
};

typedef struct pstate { unsigned flags; uint32_t action; } pstate;

static bool act_same(lstree *c, int32_t x, uint32_t action)
{
  uint32_t keep_src = c->conflict_src, keep_act = c->conflict_act;
  bool same = act_check(c, x, action) == 0;
  c->conflict_src = keep_src;
  c->conflict_act = keep_act;
  return same;
}

static unsigned tree_prune(lstree *c, int32_t *existing, int32_t nw, pstate *st);

/* One step of tree_prune: hold x, prune below its branch br (-1: at x
 * itself, with the new chain's subtree), let go (x may be freed then). */
static unsigned prune_step(lstree *c, int32_t *x, int br, int32_t nw, const pstate *st, unsigned clear,
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
static unsigned tree_prune(lstree *c, int32_t *existing, int32_t nw, pstate *st)
{
  unsigned cnt = 0;
  pstate sn = *st, nx;
  int32_t x = *existing, xn;
  if (nw == NIL || x == NIL)
    goto out;
  if ((st->flags & IST_MATCHSET) == IST_MATCH_ONCE)
    goto out;
  while (N(x).lvl_prv != NIL && lst_step(c))
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
  } while (x != NIL && lst_step(c));
  sn.flags &= ~(unsigned) IST_MATCH;
out:
  if (sn.flags & IST_MATCH)
    st->flags |= sn.flags;
  else
    st->flags &= ~(unsigned) IST_MATCH;
  return cnt;
}

/* Merge the new chain into the existing tree (libseccomp's _db_tree_add). */
static int tree_add(lstree *c, int32_t *existing, int32_t nw)
{
  int32_t x = *existing;
  do {
    if (!lst_step(c))
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


static int32_t mk(lstree *c, uint8_t arg, bool hi, uint8_t op, uint8_t orig, uint32_t mask, uint32_t datum,
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
static int32_t gen_chain(lstree *c, const chain_arg *ch, bool bits32, uint32_t action, uint32_t src)
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
/* lst_rule_add_uncond after conditional rules: they go (a free that may
 * never end) */
int lst_replace_uncond(lstree *c, lst_entry *e, uint32_t action, uint32_t src)
{
  c->steps = 0;
  c->cur = e;
  tree_put(c, &e->chains);
  e->chains = NIL;
  e->uncond = true;
  e->action = action;
  e->src = src;
  return c->hung ? -ELOOP : 0;
}

int lst_rule_add(lstree *c, lst_entry *e, const chain_arg ch[6], bool bits32, uint32_t action, uint32_t src)
{
  c->steps = 0;
  int32_t nw = gen_chain(c, ch, bits32, action, src);
  if (c->oom)
    return -ENOMEM;
  if (nw == NIL)
    return lst_rule_add_uncond(c, e, action, src);
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
  if (r < 0) {
    /* refused: the new chain is let go all the same, half merged */
    tree_put(c, &nw);
    return c->hung ? -ELOOP : r;
  }
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
  lstree *c;
  cell_sc_ir *ir;
  const lst_entry *e;
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
  lstree *c = m->c;
  while (N(i).lvl_prv != NIL && lst_step(c))
    i = N(i).lvl_prv;
  for (; i != NIL && !m->err; i = N(i).lvl_nxt) {
    if (!lst_step(c)) {
      m->err = -ELOOP;
      return;
    }
    node n = N(i);
    cell_sc_cond lit = literal(&n);
    branch(m, lit, n.nxt_t, n.act_t_flg, n.act_t);
    branch(m, cell_sc_cond_not(&lit), n.nxt_f, n.act_f_flg, n.act_f);
  }
}

int lst_emit(lstree *c, const lst_entry *e, cell_sc_ir *ir)
{
  emitter m = { .c = c, .ir = ir, .e = e };
  c->steps = 0;
  level(&m, e->chains);
  return m.err;
}

int lst_release(lstree *c, lst_entry *e)
{
  c->steps = 0;
  c->depth = 0;
  tree_put(c, &e->chains);
  e->chains = NIL;
  return c->hung ? -ELOOP : 0;
}

void lst_free(lstree *c)
{
  free(c->n);
  c->n = NULL;
  c->nn = c->ncap = 0;
}
