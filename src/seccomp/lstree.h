/* libseccomp's decision tree for one syscall on one architecture
 * (lstree.c): what resolve.c merges the rules of a profile into. */
#ifndef CELL_SECCOMP_LSTREE_H
#define CELL_SECCOMP_LSTREE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "seccomp/ir.h"

#define NIL (-1)
/* libseccomp loops forever on some corrupted trees; past this many steps
 * of one rule's merge (a few hundred for real profiles, some millions for
 * the worst that finish) cell says so instead */
#define STEP_LIMIT 100000000u
#define PATH_LIMIT 4096u
/* node_put recurses along levels and into subtrees; past this depth
 * libseccomp's stack would be gone long before it finished */
#define DEPTH_LIMIT 20000u

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
/* 32 bytes, no padding: the default profile makes 1880 of them. */
typedef struct lst_entry {
  uint32_t nr;
  int32_t chains;          /* NIL: none */
  uint32_t action, src;    /* when uncond: its action and rule */
  uint32_t first_src;      /* the rule that made the entry */
  uint16_t arch;
  bool uncond;             /* decided without conditions */
  bool phantom;            /* a syscall the arch lacks: merged, never emitted */
  const char *name;
} lst_entry;
_Static_assert(sizeof(lst_entry) == 24 + sizeof(const char *), "lst_entry has no padding");

/* One condition of a rule as libseccomp's chain holds it (by argument). */
typedef struct chain_arg { bool valid; uint8_t op; uint64_t datum, mask; } chain_arg;

/* The node arena of a profile's trees. */
typedef struct lstree {
  node *n;
  size_t nn, ncap;
  unsigned long steps;     /* of the current merge, emission or release */
  unsigned depth;          /* of node_put's recursion */
  bool hung, oom;
  uint32_t conflict_src;   /* EEXIST: the existing rule and its action */
  uint32_t conflict_act;
  lst_entry *cur;
} lstree;

/* Count a step; false once past STEP_LIMIT (t->hung). */
bool lst_step(lstree *t);
/* seccomp_rule_add of one rule (chain ch, 32- or 64-bit nodes) to entry e:
 * 0, -EEXIST (t->conflict_src/act name the existing rule), -ELOOP (it
 * would not finish), -ENOMEM. */
int lst_rule_add(lstree *t, lst_entry *e, const chain_arg ch[6], bool bits32, uint32_t action, uint32_t src);
/* The same for a rule without conditions (no chain to build): 0, or
 * -ELOOP where the free of the conditional rules it replaces would not end. */
int lst_replace_uncond(lstree *t, lst_entry *e, uint32_t action, uint32_t src);
static inline int lst_rule_add_uncond(lstree *t, lst_entry *e, uint32_t action, uint32_t src)
{
  if (e->uncond)
    return 0;   /* decided without conditions already: dropped */
  if (e->chains != NIL)
    return lst_replace_uncond(t, e, action, src);
  e->uncond = true;
  e->action = action;
  e->src = src;
  return 0;
}
/* The paths of e's tree as IR rules for (e->arch, e->nr), in the order the
 * filter walks them: 0, -ELOOP, -E2BIG (more than PATH_LIMIT), -ENOMEM. */
int lst_emit(lstree *t, const lst_entry *e, cell_sc_ir *ir);
/* libseccomp freeing e's tree (seccomp_release, or the abort of a
 * seccomp_rule_add that failed): 0, or -ELOOP where that never ends (a
 * merge can leave a level that loops, which only a walk back along it,
 * as the free does, finds).  The tree is gone afterwards. */
int lst_release(lstree *t, lst_entry *e);
void lst_free(lstree *t);
#endif
