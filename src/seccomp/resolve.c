/* libseccomp's meaning of an OCI profile, written for cell from a reading
 * of libseccomp 2.5.4 (src/db.c, src/gen_bpf.c) and checked against the
 * library by tests/unit/seccomp/test-libseccomp.c.  This file adds the
 * rules as runc does (rule, name, arch, socketcall first), names what it
 * refuses and finds what `check` reports; lstree.c is the tree.
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
 * tree_add, GT/GE merged with LT/LE nodes of the same value); where
 * libseccomp's structure breaks (a level that loops) it never finishes,
 * in the merge, the filter's walk or the free of the tree (at
 * seccomp_release, or the abort of a refused rule, which so turns an
 * EEXIST into a hang), and cell refuses the profile instead.
 *
 * The IR gets each tree as its paths in the order the filter walks them,
 * each path a first-match rule of 32-bit conditions (true ones as they
 * are, false ones negated); codegen.c's resumption rules turn the shared
 * prefixes back into one test each.
 *
 * cell differs on purpose in one thing: x32 compares all 64 bits
 * (opts->x32_libseccomp_width gives libseccomp's 32 for the tests). */
#include "seccomp/oci.h"

#include "seccomp/lstree.h"
#include "util/array.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the keys of syscalls an arch lacks (above every real number) */
#define PHANTOM_BASE 0xf0000000u
/* numbers up to nr_base + SLOT_CAP have a slot; arm's private ones
 * (0xf0000...) are kept in a short list */
#define SLOT_CAP 4096u

typedef struct rctx {
  const cell_sc_profile *p;     /* for the places of messages */
  lstree t;
  lst_entry *e;
  size_t ne, ecap;
  int32_t *slot[CELL_SC_MAX_ARCHES];  /* per IR arch: nr - base -> entry, -1 */
  uint32_t slot_len[CELL_SC_MAX_ARCHES];   /* grown as numbers come */
  int32_t *far[CELL_SC_MAX_ARCHES];   /* per IR arch: the entries past the slots, in order */
  size_t nfar[CELL_SC_MAX_ARCHES], farcap[CELL_SC_MAX_ARCHES];
  int32_t *pslot[CELL_SC_MAX_ARCHES];  /* per IR arch: table row -> phantom entry */
  bool has_mux[CELL_SC_MAX_ARCHES];    /* the arch multiplexes socket or IPC calls */
  /* per IR arch, found once rather than per name */
  struct rarch {
    const cell_sc_arch *a;
    uint16_t arch;
    uint8_t col;
    bool bits32;
    uint32_t base;
  } ra[CELL_SC_MAX_ARCHES];
  cell_sc_mux_index mux;
  /* findings */
  bool want;
  cell_sc_oci_result *res;
  size_t fcap;
  bool oom;
} rctx;

/* ---- driving: the rules as runc adds them ---------------------------------- */

static int32_t *phantom_slots(rctx *c, size_t ai)
{
  if (!c->pslot[ai]) {
    c->pslot[ai] = malloc(cell_sc_nsyscalls * sizeof *c->pslot[ai]);
    if (c->pslot[ai])
      memset(c->pslot[ai], 0xff, cell_sc_nsyscalls * sizeof *c->pslot[ai]);
  }
  return c->pslot[ai];
}

/* room for slot k of arch ai */
static int slot_grow(rctx *c, size_t ai, uint32_t k)
{
  uint32_t len = c->slot_len[ai] ? c->slot_len[ai] : 512;
  while (len <= k)
    len *= 2;
  if (len > SLOT_CAP)
    len = SLOT_CAP;
  int32_t *q = realloc(c->slot[ai], len * sizeof *q);
  if (!q)
    return -ENOMEM;
  memset(q + c->slot_len[ai], 0xff, (len - c->slot_len[ai]) * sizeof *q);
  c->slot[ai] = q;
  c->slot_len[ai] = len;
  return 0;
}

static lst_entry *new_entry(rctx *c, int32_t *ix, size_t ai, uint16_t arch, uint32_t nr, uint32_t src,
                            const char *name)
{
  if (cell_grow((void **) &c->e, &c->ecap, c->ne + 1, sizeof *c->e) < 0)
    return NULL;
  if (ix)
    *ix = (int32_t) c->ne;
  else
    c->far[ai][c->nfar[ai]++] = (int32_t) c->ne;
  c->e[c->ne] = (lst_entry) { .arch = arch, .nr = nr, .chains = NIL, .first_src = src, .name = name };
  return &c->e[c->ne++];
}

static lst_entry *entry_slow(rctx *c, size_t ai, uint16_t arch, uint32_t nr, uint32_t src, const char *name)
{
  const cell_sc_arch *a = &cell_sc_arches[arch];
  int32_t *ix = NULL;   /* where the entry's index is kept; NULL: the far list */
  if (nr >= PHANTOM_BASE) {
    if (!phantom_slots(c, ai))
      return NULL;
    ix = &c->pslot[ai][nr - PHANTOM_BASE];
  } else if (nr >= a->nr_base && nr - a->nr_base < SLOT_CAP) {
    uint32_t k = nr - a->nr_base;
    if (k >= c->slot_len[ai] && slot_grow(c, ai, k) < 0)
      return NULL;
    ix = &c->slot[ai][k];
  } else {
    for (size_t i = 0; i < c->nfar[ai]; i++)
      if (c->e[c->far[ai][i]].nr == nr)
        return &c->e[c->far[ai][i]];
    if (cell_grow((void **) &c->far[ai], &c->farcap[ai], c->nfar[ai] + 1, sizeof *c->far[ai]) < 0)
      return NULL;
  }
  if (ix && *ix >= 0)
    return &c->e[*ix];
  return new_entry(c, ix, ai, arch, nr, src, name);
}

/* The entry of (arch, nr), made on first use (src, name: the rule and
 * name that made it); NULL when out of memory.  Inline for a number
 * with a slot already; the rest (growth, phantoms, far numbers) in
 * entry_slow. */
static inline lst_entry *entry_of(rctx *c, size_t ai, uint16_t arch, uint32_t nr, uint32_t src, const char *name)
{
  uint32_t base = c->ra[ai].base, k = nr - base;
  if (nr < PHANTOM_BASE && nr >= base && k < c->slot_len[ai]) {
    int32_t *ix = &c->slot[ai][k];
    if (*ix >= 0)
      return &c->e[*ix];
    if (c->ne < c->ecap) {
      *ix = (int32_t) c->ne;
      c->e[c->ne] = (lst_entry) { .arch = arch, .nr = nr, .chains = NIL, .first_src = src, .name = name };
      return &c->e[c->ne++];
    }
  }
  return entry_slow(c, ai, arch, nr, src, name);
}

/* A rule on a syscall the arch lacks: only conditional rules can be
 * refused there, so a rule without conditions just marks the row (later
 * conditional ones are dropped, as libseccomp drops them).  1: nothing to
 * merge, 0: merge into the phantom entry, -ENOMEM. */
static int phantom_skip(rctx *c, size_t ai, size_t row, const chain_arg *ch, bool bits32)
{
  if (!phantom_slots(c, ai))
    return -ENOMEM;
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

static int refuse(rctx *c, const cell_seccomp_opts *opts, int r, const lst_entry *e, uint32_t src,
                  uint32_t action, cell_error *err)
{
  char loc[256], path[256], oloc[256], opath[256], oref[600], b1[32], b2[32];
  const char *an = cell_sc_arches[e->arch].short_name;
  cell_sc_oci_where(c->p, opts, src, loc, sizeof loc, path, sizeof path);
  if (r == -ENOMEM)
    return cell_error_set(err, ENOMEM, "seccomp: out of memory");
  if (r == -EEXIST) {
    cell_sc_oci_where(c->p, opts, c->t.conflict_src, oloc, sizeof oloc, opath, sizeof opath);
    size_t ol = strlen(oloc);
    if (ol >= 2)
      oloc[ol - 2] = 0;   /* "file:line:col" without ": " */
    snprintf(oref, sizeof oref, "%s%s%s%s", opath, ol ? " (" : "", oloc, ol ? ")" : "");
    return cell_error_set(err, EEXIST,
                          "%s%s: conflicts with %s on \"%s\" (%s): %s there and %s here decide the same "
                          "arguments; libseccomp refuses the profile (EEXIST), and so do runc and crun",
                          loc, path, oref, e->name, an, act_text(c->t.conflict_act, b1), act_text(action, b2));
  }
  if (r == -E2BIG)
    return cell_error_set(err, E2BIG, "%s%s: the rules for \"%s\" (%s) make more than %u paths", loc, path,
                          e->name, an, PATH_LIMIT);
  return cell_error_set(err, ELOOP,
                        "%s%s: libseccomp does not finish merging the rules for \"%s\" (%s) "
                        "(its tree of comparisons loops), so runc and crun hang on this profile; cell refuses it",
                        loc, path, e->name, an);
}

/* libseccomp frees every tree of the filter: at seccomp_release (runc and
 * crun release the filter once it is loaded or refused) and when a
 * seccomp_rule_add fails (its transaction's abort frees the half-merged
 * filters).  A merge can leave a level that loops back on itself, which
 * the filter's walk never meets but the free does: then libseccomp never
 * returns.  NULL, or the entry whose free would not end. */
static const lst_entry *release_all(rctx *c)
{
  for (size_t i = 0; i < c->ne; i++)
    if (c->e[i].chains != NIL && lst_release(&c->t, &c->e[i]) < 0)
      return &c->e[i];
  return NULL;
}

static int refuse_release(const rctx *c, const cell_seccomp_opts *opts, const lst_entry *e, bool refused,
                          cell_error *err)
{
  char loc[256], path[256];
  cell_sc_oci_where(c->p, opts, e->first_src, loc, sizeof loc, path, sizeof path);
  return cell_error_set(err, ELOOP,
                        "%s%s: libseccomp does not finish freeing its tree for \"%s\" (%s) "
                        "(a level of it loops)%s, so runc and crun hang on this profile; cell refuses it",
                        loc, path, e->name, cell_sc_arches[e->arch].short_name,
                        refused ? " when a later rule is refused" : "");
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
static void entry_findings(rctx *c, const cell_sc_profile *p, const lst_entry *e, const cell_sc_ir *ir,
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

static int rctx_init(rctx *c, const cell_sc_profile *p, const cell_sc_ir *ir, bool x32_32)
{
  cell_sc_mux_index_init(&c->mux);
  const cell_sc_syscall *sk = c->mux.socketcall, *ip = c->mux.ipc;
  for (size_t i = 0; i < ir->narches; i++) {
    const cell_sc_arch *a = &cell_sc_arches[ir->arches[i]];
    c->has_mux[i] = (sk && cell_sc_syscall_nr(a, sk) >= 0) || (ip && cell_sc_syscall_nr(a, ip) >= 0);
    c->ra[i] = (struct rarch) { a, ir->arches[i], a->col, !a->bits64 || (x32_32 && a->col == CELL_SC_COL_X32),
                                a->nr_base };
  }
  /* one entry per (arch, number) at most: per arch, the profile's names
   * (or the table) and the two multiplexers; room for them all at once
   * instead of growing (and copying) as they come */
  size_t names = 0;
  for (size_t i = 0; i < p->nrules; i++)
    names += p->rules[i].nnames;
  if (names > cell_sc_nsyscalls)
    names = cell_sc_nsyscalls;
  size_t cap = (names + 2) * (ir->narches ? ir->narches : 1);
  c->e = malloc(cap * sizeof *c->e);
  if (!c->e)
    return -ENOMEM;
  c->ecap = cap;
  return 0;
}

static void rctx_free(rctx *c)
{
  for (size_t i = 0; i < CELL_SC_MAX_ARCHES; i++) {
    free(c->slot[i]);
    free(c->far[i]);
    free(c->pslot[i]);
  }
  lst_free(&c->t);
  free(c->e);
}
#define _cleanup_rctx_ __attribute__((cleanup(rctx_free)))

/* seccomp_rule_add of one name on arch ai (socketcall/ipc first, call:
 * its number there or 0): 0, the error of a refusal that is not EEXIST;
 * the first EEXIST goes to *fe and *fconf (see add_call).  Inline in
 * both callers: the rules with conditions go through it arch by arch. */
static inline __attribute__((always_inline)) int
add_arch(rctx *c, const cell_seccomp_opts *opts, size_t ai, const cell_sc_oci_rule *rule, const cell_sc_syscall *s,
         uint32_t call, const cell_sc_syscall *muxer, const chain_arg ch[6], bool none, size_t *fe, uint32_t fconf[2],
         cell_error *err)
{
  const struct rarch *ra = &c->ra[ai];
  const cell_sc_arch *a = ra->a;
  int64_t mux_nr = call ? cell_sc_syscall_nr(a, muxer) : -1;
  int64_t nr = cell_sc_syscall_nr(a, s);
  int r = 0;
  for (int form = 0; form < 2 && r == 0; form++) {
    int64_t n = form == 0 ? mux_nr : nr;
    /* a syscall this arch lacks: libseccomp still merges the rule
     * under a placeholder number (and may refuse it there), except
     * on the arches whose own rule hook (socketcall/ipc) drops it */
    bool phantom = form == 1 && n < 0 && mux_nr < 0 && !c->has_mux[ai];
    if (phantom) {
      n = PHANTOM_BASE + (s - cell_sc_syscalls);
      int pr = phantom_skip(c, ai, (size_t) (s - cell_sc_syscalls), ch, ra->bits32);
      if (pr < 0)
        r = cell_error_set(err, ENOMEM, "seccomp: out of memory");
      if (pr != 0)
        continue;
    }
    if (n < 0)
      continue;
    chain_arg fc[6];
    const chain_arg *rc = ch;
    if (form == 0) {   /* socketcall(call, ...): the call number on arg0 */
      memcpy(fc, ch, sizeof fc);
      fc[0] = (chain_arg) { true, CELL_SC_EQ, call, UINT64_MAX };
      rc = fc;
    }
    lst_entry *e = entry_of(c, ai, ra->arch, (uint32_t) n, (uint32_t) rule->index,
                            form == 0 ? muxer->name : s->name);
    if (!e)
      return cell_error_set(err, ENOMEM, "seccomp: out of memory");
    e->phantom = phantom;
    int rr = form == 1 && none ? lst_rule_add_uncond(&c->t, e, rule->action, (uint32_t) rule->index)
                               : lst_rule_add(&c->t, e, rc, ra->bits32, rule->action, (uint32_t) rule->index);
    if (rr == -EEXIST) {
      if (*fe == SIZE_MAX) {
        *fe = (size_t) (e - c->e);
        fconf[0] = c->t.conflict_src;
        fconf[1] = c->t.conflict_act;
      }
      break;   /* the arch's own hook stops at its first failure */
    }
    if (rr < 0)
      r = refuse(c, opts, rr, e, (uint32_t) rule->index, rule->action, err);
  }
  return r;
}

/* add_call of a rule without conditions on a name that is not
 * multiplexed, most names of a profile: on each arch that has it, its
 * number is decided there first, or was before (the rule is dropped) */
static int add_simple(rctx *c, const cell_seccomp_opts *opts, const cell_sc_ir *ir, const cell_sc_oci_rule *rule,
                      const cell_sc_syscall *s, const chain_arg ch[6], size_t *fe, uint32_t fconf[2],
                      cell_error *err)
{
  uint32_t src = (uint32_t) rule->index, action = rule->action;
  int r = 0;
  for (size_t ai = 0; ai < ir->narches && r == 0; ai++) {
    const struct rarch *ra = &c->ra[ai];
    int32_t n0 = s->nr[ra->col];
    if (n0 < 0) {   /* the arch lacks it: see add_arch */
      if (c->has_mux[ai])
        continue;   /* its socketcall/ipc hook drops the rule */
      int32_t *ps = c->pslot[ai] ? &c->pslot[ai][s - cell_sc_syscalls] : NULL;
      if (ps && *ps == -2)
        continue;   /* decided without conditions before */
      if (ps && *ps == NIL) {
        *ps = -2;   /* now decided so (phantom_skip) */
        continue;
      }
      r = add_arch(c, opts, ai, rule, s, 0, NULL, ch, true, fe, fconf, err);
      continue;
    }
    uint32_t k = (uint32_t) n0;   /* its slot: nr - base */
    if (k < c->slot_len[ai]) {
      int32_t ix = c->slot[ai][k];
      if (ix < 0 && c->ne < c->ecap) {
        c->slot[ai][k] = (int32_t) c->ne;
        c->e[c->ne++] = (lst_entry) { .arch = ra->arch, .nr = k + ra->base, .chains = NIL, .uncond = true,
                                      .action = action, .src = src, .first_src = src, .name = s->name };
        continue;
      }
      if (ix >= 0 && c->e[ix].uncond)
        continue;
    }
    lst_entry *e = entry_of(c, ai, ra->arch, k + ra->base, src, s->name);
    if (!e)
      return cell_error_set(err, ENOMEM, "seccomp: out of memory");
    int rr = lst_rule_add_uncond(&c->t, e, action, src);
    if (rr < 0)
      r = refuse(c, opts, rr, e, src, action, err);
  }
  return r;
}

/* One seccomp_rule_add (one name; of a split rule, one condition): every
 * arch gets the rule even when one refuses it, as db_col_rule_add does;
 * the first refusal (EEXIST) is the answer, in *fe (an index in c->e) and
 * *fconf.  none: the rule has no conditions (ch is empty).  0, or the
 * error of a refusal that is not EEXIST. */
static int add_call(rctx *c, const cell_seccomp_opts *opts, const cell_sc_ir *ir, const cell_sc_oci_rule *rule,
                    const cell_sc_syscall *s, const chain_arg ch[6], bool none, size_t *fe, uint32_t fconf[2],
                    cell_error *err)
{
  const cell_sc_syscall *muxer = NULL;
  uint32_t call = (uint32_t) cell_sc_mux_call_row(&c->mux, s, &muxer);
  if (!call && none)
    return add_simple(c, opts, ir, rule, s, ch, fe, fconf, err);
  int r = 0;
  for (size_t ai = 0; ai < ir->narches && r == 0; ai++)
    r = add_arch(c, opts, ai, rule, s, call, muxer, ch, none, fe, fconf, err);
  return r;
}

/* seccomp_rule_add, rule by rule, name by name (split rules: condition
 * by condition), architecture by architecture, socketcall/ipc first;
 * the first `calls` calls only (SIZE_MAX: all). */
static int add_rules(rctx *c, const cell_sc_profile *p, const cell_seccomp_opts *opts, const cell_sc_ir *ir,
                     bool x32_32, size_t calls, cell_error *err)
{
  int r = 0;
  size_t done = 0;
  for (size_t ri = 0; ri < p->nrules && r == 0; ri++) {
    const cell_sc_oci_rule *rule = &p->rules[ri];
    const cell_sc_cond *conds = &p->conds[rule->first_cond];
    if (c->want)
      for (size_t k = 0; k < rule->ncond; k++)
        if (never_holds(&conds[k]))
          add_finding(c, (cell_sc_finding) { .kind = CELL_SC_FIND_NEVER, .rule = rule->index, .cond = k,
                                             .action = rule->action });
    if (rule->action == p->default_action)
      continue;   /* runc and crun skip it (libseccomp would say EACCES) */
    size_t parts = rule->split ? rule->ncond : 1;
    chain_arg whole[6];   /* the chain of a rule not split: one for all its names */
    if (!rule->split)
      chain_of(conds, rule->ncond, whole);
    for (size_t ni = 0; ni < rule->nnames && r == 0; ni++) {
      const cell_sc_syscall *s = p->names[rule->first_name + ni].row;
      if (!s)
        continue;
      for (size_t part = 0; part < parts && r == 0; part++) {
        if (done++ == calls)
          return 0;
        chain_arg ch[6];
        if (rule->split)
          chain_of(&conds[part], 1, ch);
        size_t fe = SIZE_MAX;
        uint32_t fconf[2] = { 0, 0 };
        r = add_call(c, opts, ir, rule, s, rule->split ? ch : whole, !rule->split && rule->ncond == 0, &fe,
                     fconf, err);
        if (r != 0 || fe == SIZE_MAX)
          continue;
        /* refused: the transaction's abort frees the half-merged
         * filters, then runc's seccomp_release those from before the
         * rule; either may never end */
        const lst_entry *he = release_all(c);
        if (he)
          return refuse_release(c, opts, he, true, err);
        {
          /* the filters from before the rule, merged again */
          _cleanup_rctx_ rctx before = { 0 };
          _cleanup_error_ cell_error ignored = CELL_ERROR_INIT;
          if (rctx_init(&before, p, ir, x32_32) < 0 ||
              add_rules(&before, p, opts, ir, x32_32, done - 1, &ignored) < 0)
            return cell_error_set(err, ENOMEM, "seccomp: out of memory");
          if ((he = release_all(&before)) != NULL)
            return refuse_release(c, opts, he, true, err);
        }
        c->t.conflict_src = fconf[0];
        c->t.conflict_act = fconf[1];
        return refuse(c, opts, -EEXIST, &c->e[fe], (uint32_t) rule->index, rule->action, err);
      }
    }
  }
  return r;
}

/* Entry e into the IR (and its findings). */
static int emit_entry(rctx *c, const cell_sc_profile *p, const cell_seccomp_opts *opts, cell_sc_ir *ir,
                      const lst_entry *e, bool want_findings, cell_error *err)
{
  size_t before = ir->nrules;
  if (e->phantom)
    return 0;
  if (e->uncond) {
    if (cell_sc_ir_add_rule(ir, e->arch, e->nr, e->action, 0, NULL, 0) < 0)
      return cell_error_set(err, ENOMEM, "seccomp: out of memory");
  } else if (e->chains != NIL) {
    int er = lst_emit(&c->t, e, ir);
    if (er)
      return refuse(c, opts, er, e, e->first_src, 0, err);
    else if (ir->nrules == before &&
             cell_sc_ir_add_rule(ir, e->arch, e->nr, ir->default_action, 0, NULL, 0) < 0)
      return cell_error_set(err, ENOMEM, "seccomp: out of memory");   /* named, decides nothing */
  }
  if (want_findings) {
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
        uint32_t call = s ? (uint32_t) cell_sc_mux_call_row(&c->mux, s, &mx) : 0;
        const cell_sc_arch *a = &cell_sc_arches[e->arch];
        here = s && (cell_sc_syscall_nr(a, s) == e->nr || (call && cell_sc_syscall_nr(a, mx) == e->nr));
      }
      if (here)
        added[nadded++] = (uint32_t) ri;
    }
    entry_findings(c, p, e, ir, before, ir->nrules, added, nadded);
  }
  return 0;
}

int cell_sc_resolve(const cell_sc_profile *p, const cell_seccomp_opts *opts, cell_sc_ir *ir,
                    bool want_findings, cell_sc_oci_result *res, cell_error *err)
{
  rctx c = { .p = p, .want = want_findings, .res = res };
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
  if (rctx_init(&c, p, ir, x32_32) < 0)
    r = cell_error_set(err, ENOMEM, "seccomp: out of memory");
  else
    r = add_rules(&c, p, opts, ir, x32_32, SIZE_MAX, err);

  /* the entries into the IR, by arch and number (the back end then need
   * not sort): the slot arrays in order, then the few numbers past them */
  size_t order_ai[CELL_SC_MAX_ARCHES];
  for (size_t i = 0; i < ir->narches; i++) {
    size_t j = i;
    while (j > 0 && ir->arches[order_ai[j - 1]] > ir->arches[i]) {
      order_ai[j] = order_ai[j - 1];
      j--;
    }
    order_ai[j] = i;
  }
  if (r == 0 && cell_sc_ir_reserve(ir, c.ne) < 0)   /* one rule an entry, most of them */
    r = cell_error_set(err, ENOMEM, "seccomp: out of memory");
  for (size_t q = 0; q < ir->narches && r == 0; q++) {
    size_t ai = order_ai[q];
    const int32_t *slot = c.slot[ai];
    for (uint32_t k = 0, len = c.slot_len[ai]; k < len && r == 0; k++) {
      if (slot[k] < 0)
        continue;
      const lst_entry *e = &c.e[slot[k]];
      if (e->uncond && !e->phantom && !want_findings && ir->nrules < ir->rules_cap)
        /* most entries: a number decided outright, one rule (room reserved) */
        ir->rules[ir->nrules++] = (cell_sc_rule) { .arch = e->arch, .nr = e->nr, .action = e->action,
                                                   .cond = (uint32_t) ir->nconds };
      else
        r = emit_entry(&c, p, opts, ir, e, want_findings, err);
    }
    for (size_t i = 0; i < c.nfar[ai] && r == 0; i++)
      r = emit_entry(&c, p, opts, ir, &c.e[c.far[ai][i]], want_findings, err);
  }
  if (r == 0 && !c.oom) {
    /* seccomp_release after the load */
    const lst_entry *he = release_all(&c);
    if (he)
      r = refuse_release(&c, opts, he, false, err);
  }
  if (r == 0 && c.oom)
    r = cell_error_set(err, ENOMEM, "seccomp: out of memory");
  rctx_free(&c);
  return r;
}

void cell_sc_oci_result_free(cell_sc_oci_result *res)
{
  free(res->findings);
  res->findings = NULL;
  res->nfindings = 0;
}

int cell_sc_oci_to_ir(const cell_jv *seccomp, const cell_seccomp_opts *opts, cell_sc_ir *ir,
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
