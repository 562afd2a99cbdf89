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
  free(ir->conds);
  ir->rules = NULL;
  ir->conds = NULL;
  ir->nrules = ir->nconds = ir->rules_cap = ir->conds_cap = 0;
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

int cell_sc_ir_add_rule(cell_sc_ir *ir, size_t arch, uint32_t nr, uint32_t action,
                        uint32_t order, const cell_sc_cond *conds, size_t ncond)
{
  if (ncond > UINT16_MAX)
    return -E2BIG;
  if (grow((void **) &ir->rules, &ir->rules_cap, ir->nrules + 1, sizeof *ir->rules) < 0 ||
      grow((void **) &ir->conds, &ir->conds_cap, ir->nconds + ncond, sizeof *ir->conds) < 0)
    return -ENOMEM;
  if (ncond)
    memcpy(ir->conds + ir->nconds, conds, ncond * sizeof *conds);
  ir->rules[ir->nrules++] = (cell_sc_rule) {
    .arch = (uint16_t) arch, .ncond = (uint16_t) ncond, .nr = nr, .action = action,
    .order = order, .cond = (uint32_t) ir->nconds,
  };
  ir->nconds += ncond;
  return 0;
}

bool cell_sc_cond_trivial(const cell_sc_arch *a, const cell_sc_cond *c)
{
  if (c->op != CELL_SC_MASKED_EQ)
    return false;
  return a->bits64 ? c->mask == 0 : (uint32_t) c->mask == 0;
}

bool cell_sc_cond_eval(const cell_sc_arch *a, const cell_sc_cond *c, uint64_t arg)
{
  uint64_t v = c->value, m = c->mask;
  if (!a->bits64) {
    arg = (uint32_t) arg;
    v = (uint32_t) v;
    m = (uint32_t) m;
  }
  switch (c->op) {
  case CELL_SC_NE: return arg != v;
  case CELL_SC_LT: return arg < v;
  case CELL_SC_LE: return arg <= v;
  case CELL_SC_EQ: return arg == v;
  case CELL_SC_GE: return arg >= v;
  case CELL_SC_GT: return arg > v;
  case CELL_SC_MASKED_EQ: return (arg & m) == (v & m);
  }
  return false;
}

static bool rule_unconditional(const cell_sc_ir *ir, const cell_sc_rule *r)
{
  const cell_sc_arch *a = &cell_sc_arches[r->arch];
  for (size_t i = 0; i < r->ncond; i++)
    if (!cell_sc_cond_trivial(a, &ir->conds[r->cond + i]))
      return false;
  return true;
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

  const cell_sc_rule *uncond = NULL, *best = NULL;
  bool any = false;
  uint32_t max = 0;
  for (size_t i = 0; i < ir->nrules; i++) {
    const cell_sc_rule *r = &ir->rules[i];
    if (r->arch != arch)
      continue;
    any = true;
    if (r->nr > max)
      max = r->nr;
    if (r->nr != nr)
      continue;
    if (rule_unconditional(ir, r)) {
      if (!uncond || r->order < uncond->order)
        uncond = r;
      continue;
    }
    bool match = true;
    for (size_t j = 0; j < r->ncond && match; j++) {
      const cell_sc_cond *c = &ir->conds[r->cond + j];
      match = cell_sc_cond_eval(a, c, args[c->arg]);
    }
    if (!match)
      continue;
    int rk = cell_sc_action_rank(r->action);
    if (!best || rk < cell_sc_action_rank(best->action) ||
        (rk == cell_sc_action_rank(best->action) && r->order < best->order))
      best = r;
  }
  if (uncond)
    return uncond->action;
  if (best)
    return best->action;
  if (ir->enosys_stub && any && nr > max && nr != UINT32_MAX &&
      cell_sc_action_denies(ir->default_action))
    return CELL_SC_RET_ERRNO | ENOSYS;
  return ir->default_action;
}
