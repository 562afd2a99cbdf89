/* The IR's containers and its executable meaning (see ir.h). */
#include "seccomp/ir.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int cell_sc_action_rank(uint32_t ret)
{
  switch (ret & CELL_SC_RET_ACTION_FULL) {
  case CELL_SC_RET_KILL_PROCESS: return 0;
  case CELL_SC_RET_KILL_THREAD: return 1;
  case CELL_SC_RET_TRAP: return 2;
  case CELL_SC_RET_ERRNO: return 3;
  case CELL_SC_RET_USER_NOTIF: return 4;
  case CELL_SC_RET_TRACE: return 5;
  case CELL_SC_RET_LOG: return 6;
  case CELL_SC_RET_ALLOW: return 7;
  default: return 8;
  }
}

bool cell_sc_action_denies(uint32_t ret)
{
  return cell_sc_action_rank(ret) <= 3 && ret != (CELL_SC_RET_ERRNO | ENOSYS);
}

void cell_sc_ir_init(cell_sc_ir *ir)
{
  memset(ir, 0, sizeof *ir);
  ir->badarch_action = CELL_SC_RET_KILL_THREAD;
  ir->enosys_stub = true;
}

void cell_sc_ir_free(cell_sc_ir *ir)
{
  free(ir->rules);
  free(ir->others);
  free(ir->conds);
  ir->rules = ir->others = NULL;
  ir->conds = NULL;
  ir->nrules = ir->nconds = ir->rules_cap = ir->conds_cap = ir->nothers = ir->others_cap = 0;
}

bool cell_sc_ir_has_arch(const cell_sc_ir *ir, size_t arch)
{
  for (size_t i = 0; i < ir->narches; i++)
    if (ir->arches[i] == arch)
      return true;
  return false;
}

int cell_sc_ir_add_arch(cell_sc_ir *ir, size_t arch)
{
  if (cell_sc_ir_has_arch(ir, arch))
    return 0;
  if (ir->narches >= CELL_SC_MAX_ARCHES)
    return -E2BIG;
  ir->arches[ir->narches++] = (uint16_t) arch;
  return 0;
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
  if (need <= *cap)
    return 0;
  size_t n = *cap ? *cap * 2 : 64;
  while (n < need)
    n *= 2;
  void *q = realloc(*p, n * size);
  if (!q)
    return -ENOMEM;
  *p = q;
  *cap = n;
  return 0;
}

int cell_sc_ir_reserve(cell_sc_ir *ir, size_t more)
{
  return grow((void **) &ir->rules, &ir->rules_cap, ir->nrules + more, sizeof *ir->rules);
}

static int add_to(cell_sc_ir *ir, cell_sc_rule **v, size_t *n, size_t *cap, size_t arch, uint32_t nr,
                  uint32_t action, uint32_t order, const cell_sc_cond *conds, size_t ncond)
{
  if (ncond > UINT16_MAX)
    return -E2BIG;
  if (grow((void **) v, cap, *n + 1, sizeof **v) < 0 ||
      grow((void **) &ir->conds, &ir->conds_cap, ir->nconds + ncond, sizeof *ir->conds) < 0)
    return -ENOMEM;
  if (ncond)
    memcpy(ir->conds + ir->nconds, conds, ncond * sizeof *conds);
  (*v)[(*n)++] = (cell_sc_rule) {
    .arch = (uint16_t) arch, .ncond = (uint16_t) ncond, .nr = nr, .action = action,
    .order = order, .cond = (uint32_t) ir->nconds,
  };
  ir->nconds += ncond;
  return 0;
}

int cell_sc_ir_add_rule_grow(cell_sc_ir *ir, size_t arch, uint32_t nr, uint32_t action,
                             uint32_t order, const cell_sc_cond *conds, size_t ncond)
{
  return add_to(ir, &ir->rules, &ir->nrules, &ir->rules_cap, arch, nr, action, order, conds, ncond);
}

int cell_sc_ir_add_other(cell_sc_ir *ir, size_t arch, uint32_t action, uint32_t order,
                         const cell_sc_cond *conds, size_t ncond)
{
  return add_to(ir, &ir->others, &ir->nothers, &ir->others_cap, arch, 0, action, order, conds, ncond);
}

/* The argument word c reads, and the value and mask it compares with. */
static uint64_t cond_word(const cell_sc_arch *a, const cell_sc_cond *c, uint64_t arg, uint64_t *v,
                          uint64_t *m)
{
  *v = c->value;
  *m = c->mask;
  if (c->part == CELL_SC_LO || (c->part == CELL_SC_FULL && !a->bits64)) {
    *v = (uint32_t) *v;
    *m = (uint32_t) *m;
    return (uint32_t) arg;
  }
  if (c->part == CELL_SC_HI) {
    *v = (uint32_t) *v;
    *m = (uint32_t) *m;
    return a->bits64 ? arg >> 32 : 0;
  }
  return arg;
}

bool cell_sc_cond_trivial(const cell_sc_arch *a, const cell_sc_cond *c)
{
  uint64_t v, m;
  if (c->op != CELL_SC_MASKED_EQ)
    return false;
  cond_word(a, c, 0, &v, &m);
  return m == 0;
}

bool cell_sc_cond_eval(const cell_sc_arch *a, const cell_sc_cond *c, uint64_t arg)
{
  uint64_t v, m;
  arg = cond_word(a, c, arg, &v, &m);
  switch (c->op) {
  case CELL_SC_NE: return arg != v;
  case CELL_SC_LT: return arg < v;
  case CELL_SC_LE: return arg <= v;
  case CELL_SC_EQ: return arg == v;
  case CELL_SC_GE: return arg >= v;
  case CELL_SC_GT: return arg > v;
  case CELL_SC_MASKED_EQ: return (arg & m) == (v & m);
  case CELL_SC_MASKED_NE: return (arg & m) != (v & m);
  }
  return false;
}

cell_sc_cond cell_sc_cond_not(const cell_sc_cond *c)
{
  static const uint8_t inv[] = {
    [CELL_SC_NE] = CELL_SC_EQ, [CELL_SC_EQ] = CELL_SC_NE, [CELL_SC_LT] = CELL_SC_GE,
    [CELL_SC_GE] = CELL_SC_LT, [CELL_SC_LE] = CELL_SC_GT, [CELL_SC_GT] = CELL_SC_LE,
    [CELL_SC_MASKED_EQ] = CELL_SC_MASKED_NE, [CELL_SC_MASKED_NE] = CELL_SC_MASKED_EQ,
  };
  cell_sc_cond n = *c;
  n.op = c->op < sizeof inv ? inv[c->op] : c->op;
  return n;
}

uint32_t cell_sc_ir_eval(const cell_sc_ir *ir, uint32_t audit_arch, uint32_t nr,
                         const uint64_t args[6])
{
  const size_t x86_64 = 1, x32 = 2;  /* indexes in cell_sc_arches */
  size_t arch = SIZE_MAX;
  for (size_t i = 0; i < ir->narches; i++)
    if (cell_sc_arches[ir->arches[i]].audit == audit_arch) {
      arch = ir->arches[i];
      break;
    }
  if (arch == SIZE_MAX)
    return ir->badarch_action;
  if (arch == x86_64 || arch == x32) {
    bool has64 = cell_sc_ir_has_arch(ir, x86_64), has32 = cell_sc_ir_has_arch(ir, x32);
    if (nr >= CELL_SC_X32_BIT) {
      if (!has32)
        return nr == UINT32_MAX ? ir->default_action : ir->badarch_action;
      arch = x32;
    } else {
      if (!has64)
        return ir->badarch_action;
      arch = x86_64;
    }
  }
  const cell_sc_arch *a = &cell_sc_arches[arch];

  const cell_sc_rule *first = NULL;
  bool any = false;
  uint32_t max = 0;
  for (size_t i = 0; i < ir->nrules; i++) {
    const cell_sc_rule *r = &ir->rules[i];
    if (r->arch != arch)
      continue;
    any = true;
    if (r->nr > max)
      max = r->nr;
    if (r->nr != nr || (first && first->order < r->order))
      continue;
    bool match = true;
    for (size_t j = 0; j < r->ncond && match; j++) {
      const cell_sc_cond *c = &ir->conds[r->cond + j];
      match = cell_sc_cond_eval(a, c, args[c->arg]);
    }
    if (match)
      first = r;
  }
  if (first)
    return first->action;
  bool own = false;
  for (size_t i = 0; i < ir->nrules && !own; i++)
    own = ir->rules[i].arch == arch && ir->rules[i].nr == nr;
  for (size_t i = 0; i < ir->nothers && !own && !first; i++) {
    const cell_sc_rule *r = &ir->others[i];
    bool match = r->arch == arch;
    for (size_t j = 0; j < r->ncond && match; j++) {
      const cell_sc_cond *c = &ir->conds[r->cond + j];
      match = cell_sc_cond_eval(a, c, args[c->arg]);
    }
    if (match)
      first = r;   /* the others are stored in order */
  }
  if (first)
    return first->action;
  if (ir->enosys_stub && any && nr > max && nr != UINT32_MAX &&
      cell_sc_action_denies(ir->default_action))
    return CELL_SC_RET_ERRNO | ENOSYS;
  return ir->default_action;
}
