/* The intermediate form every front end produces and the back end compiles:
 * the default and bad-arch actions, the architectures (native first), and
 * rules (arch, syscall number, conditions on 64-bit arguments ANDed, action,
 * source order).
 *
 * Meaning (cell_sc_ir_eval is its executable definition; the back end and
 * the tests are held to it):
 *  - seccomp_data.arch selects the architecture; x86_64 and x32 share one
 *    AUDIT_ARCH value and are told apart by the x32 bit of nr.  Unlisted
 *    architectures get badarch_action.  On x86_64 without x32, numbers with
 *    the x32 bit get badarch_action, except -1 (a tracer's skip) which gets
 *    the default.
 *  - The rules for (arch, nr) are tried in source order (`order`); the
 *    first one whose conditions all hold decides; none: the default.  Each
 *    front end writes its own meaning in this form: the policy language its
 *    first-match rules, the OCI front end libseccomp's decision tree
 *    (seccomp/resolve.c) as its paths in evaluation order.
 *  - A condition compares the whole 64-bit argument (part FULL), or one of
 *    its 32-bit words (LO, HI) with a 32-bit value.  On 32-bit
 *    architectures FULL compares the low 32 bits of the argument with the
 *    low 32 bits of the value (the kernel passes 32-bit arguments there)
 *    and HI reads 0; on 64-bit ones (x32 included) FULL takes all 64 bits.
 *  - MASKED_EQ holds when (arg & mask) == (value & mask), MASKED_NE when
 *    not.
 *  - others: rules of one architecture for every number that has no rule
 *    of its own there (nr unused), tried in order before the stub and the
 *    default; the policy language's rules on arguments alone
 *    (`$arg0 == 1 => ...`, easyseccomp's meaning: every syscall number).
 *  - enosys_stub: numbers above the highest number of the arch's rules
 *    return ERRNO(ENOSYS) when the default action denies (KILL*, TRAP,
 *    ERRNO other than ENOSYS), so that a libc falls back from a syscall
 *    newer than the profile; -1 keeps the default. */
#ifndef CELL_SECCOMP_IR_H
#define CELL_SECCOMP_IR_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "seccomp/table.h"
#include "util/error.h"

/* Values as libseccomp's enum scmp_compare. */
typedef enum cell_sc_op {
  CELL_SC_NE = 1, CELL_SC_LT, CELL_SC_LE, CELL_SC_EQ, CELL_SC_GE, CELL_SC_GT,
  CELL_SC_MASKED_EQ,
  CELL_SC_MASKED_NE,   /* cell's own: the negation of MASKED_EQ */
} cell_sc_op;

/* Which part of the argument a condition reads. */
enum { CELL_SC_FULL = 0, CELL_SC_LO = 1, CELL_SC_HI = 2 };

typedef struct cell_sc_cond {
  uint8_t arg;     /* 0..5 */
  uint8_t op;      /* cell_sc_op */
  uint64_t value;  /* datum */
  uint64_t mask;   /* MASKED_EQ and MASKED_NE only */
  uint8_t part;    /* CELL_SC_FULL, _LO, _HI (values and masks then 32-bit) */
} cell_sc_cond;

typedef struct cell_sc_rule {
  uint16_t arch;       /* index in cell_sc_arches */
  uint16_t ncond;
  uint32_t nr;         /* as the kernel sees it (bases and x32 bit applied) */
  uint32_t action;     /* SECCOMP_RET_* */
  uint32_t order;      /* position in the source, for ties */
  uint32_t cond;       /* first condition in cell_sc_ir.conds */
} cell_sc_rule;

#define CELL_SC_MAX_ARCHES 32

typedef struct cell_sc_ir {
  uint32_t default_action;
  uint32_t badarch_action;
  uint16_t arches[CELL_SC_MAX_ARCHES];  /* indexes in cell_sc_arches, no duplicates */
  size_t narches;
  cell_sc_rule *rules;
  size_t nrules, rules_cap;
  cell_sc_rule *others;   /* see "others" above */
  size_t nothers, others_cap;
  cell_sc_cond *conds;
  size_t nconds, conds_cap;
  bool enosys_stub;
} cell_sc_ir;

#define CELL_SC_RET_KILL_PROCESS 0x80000000u
#define CELL_SC_RET_KILL_THREAD 0x00000000u
#define CELL_SC_RET_TRAP 0x00030000u
#define CELL_SC_RET_ERRNO 0x00050000u
#define CELL_SC_RET_USER_NOTIF 0x7fc00000u
#define CELL_SC_RET_TRACE 0x7ff00000u
#define CELL_SC_RET_LOG 0x7ffc0000u
#define CELL_SC_RET_ALLOW 0x7fff0000u
#define CELL_SC_RET_ACTION_FULL 0xffff0000u
#define CELL_SC_RET_DATA 0x0000ffffu

/* 0 (KILL_PROCESS, most restrictive) .. 7 (ALLOW); 8 for unknown values. */
int cell_sc_action_rank(uint32_t ret);
/* The default action denies: the ENOSYS stub applies. */
bool cell_sc_action_denies(uint32_t ret);

void cell_sc_ir_init(cell_sc_ir *ir);
void cell_sc_ir_free(cell_sc_ir *ir);
/* Add arch (index) unless present. -E2BIG when full. */
int cell_sc_ir_add_arch(cell_sc_ir *ir, size_t arch);
bool cell_sc_ir_has_arch(const cell_sc_ir *ir, size_t arch);
/* Room for `more` rules past nrules (a front end that knows how many
 * saves the copies of growing). -ENOMEM. */
int cell_sc_ir_reserve(cell_sc_ir *ir, size_t more);
/* Append a rule (conditions copied). -ENOMEM. */
int cell_sc_ir_add_rule_grow(cell_sc_ir *ir, size_t arch, uint32_t nr, uint32_t action,
                             uint32_t order, const cell_sc_cond *conds, size_t ncond);
static inline int cell_sc_ir_add_rule(cell_sc_ir *ir, size_t arch, uint32_t nr, uint32_t action,
                                      uint32_t order, const cell_sc_cond *conds, size_t ncond)
{
  if (ncond == 0 && ir->nrules < ir->rules_cap) {
    /* the common case of the OCI front end, a number decided outright,
     * without a call */
    ir->rules[ir->nrules++] = (cell_sc_rule) {
      .arch = (uint16_t) arch, .nr = nr, .action = action, .order = order, .cond = (uint32_t) ir->nconds,
    };
    return 0;
  }
  return cell_sc_ir_add_rule_grow(ir, arch, nr, action, order, conds, ncond);
}

/* Append a rule for the numbers of arch without rules of their own. */
int cell_sc_ir_add_other(cell_sc_ir *ir, size_t arch, uint32_t action, uint32_t order,
                         const cell_sc_cond *conds, size_t ncond);

/* The condition always holds on arch (MASKED_EQ with a zero mask). */
bool cell_sc_cond_trivial(const cell_sc_arch *a, const cell_sc_cond *c);
/* The condition that holds exactly when c does not. */
cell_sc_cond cell_sc_cond_not(const cell_sc_cond *c);
/* The same comparison (the mask counts for the masked operators only);
 * inline: the back end asks it for pairs of a block's conditions. */
static inline bool cell_sc_cond_same(const cell_sc_cond *a, const cell_sc_cond *b)
{
  bool masked = a->op == CELL_SC_MASKED_EQ || a->op == CELL_SC_MASKED_NE;
  return a->arg == b->arg && a->op == b->op && a->part == b->part && a->value == b->value &&
         (!masked || a->mask == b->mask);
}
bool cell_sc_cond_eval(const cell_sc_arch *a, const cell_sc_cond *c, uint64_t arg);

/* The action the IR gives a syscall: the definition above. args are the
 * six arguments as the kernel sees them. */
uint32_t cell_sc_ir_eval(const cell_sc_ir *ir, uint32_t audit_arch, uint32_t nr,
                         const uint64_t args[6]);

/* The back end: compile to cBPF.  *out is heap.  -E2BIG past 4096
 * instructions, -ENOMEM. */
struct sock_filter;
int cell_sc_codegen(const cell_sc_ir *ir, struct sock_filter **out, size_t *len,
                    cell_error *err);
#endif
