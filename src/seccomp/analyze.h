/* What classic-BPF seccomp programs decide, exactly, for every input: the
 * ground `cell seccomp diff` and `explain` stand on.  It reads programs,
 * not profiles, so JSON, config.json, policies and raw BPF all go through
 * it the same way (compile first) and the answer is what the kernel
 * would do.
 *
 * How: a symbolic run of each program finds the comparisons it makes on
 * each 32-bit word of struct seccomp_data (the architecture, the number,
 * the words of the arguments): `(word & mask) == k`, `> k`, `>= k`.  The
 * comparisons of all programs on one word cut its 2^32 values into cells
 * whose values every program treats alike (an exact solver over the bits
 * finds which combinations of outcomes can happen, and a value of each).
 * Architecture values and syscall numbers are cut into intervals; for
 * each, the argument words' cells multiply into a finite set of inputs
 * that stand for all, and each program is run on each.  The decisions
 * are then described as conditions on the 64-bit arguments (greedy and
 * checked: a condition holds on exactly the inputs it claims).
 *
 * Programs that do arithmetic on an argument or the number (other than
 * AND with a constant) are refused, not guessed at. */
#ifndef CELL_SECCOMP_ANALYZE_H
#define CELL_SECCOMP_ANALYZE_H
#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util/error.h"

#define CELL_SC_MAX_PROGS 2

typedef struct cell_sc_prog {
  const struct sock_filter *insns;  /* checked (cell_seccomp_check) */
  size_t len;
} cell_sc_prog;

/* One region of the input space with constant decisions. */
typedef struct cell_sc_fact {
  int32_t arch;        /* index in cell_sc_arches (x32 told from x86_64 by the
                        * number), -1: an architecture value no program names */
  uint32_t audit;      /* seccomp_data.arch (for arch -1: one that stands for all) */
  uint32_t lo, hi;     /* syscall numbers as the kernel sees them, inclusive */
  char *when;          /* the argument condition, "arg0 == 5 and arg2 != 9 or ...";
                        * NULL: whatever the arguments */
  uint32_t ret[CELL_SC_MAX_PROGS];  /* each program's SECCOMP_RET_* value */
} cell_sc_fact;

typedef struct cell_sc_facts {
  cell_sc_fact *v;
  size_t n, cap;
} cell_sc_facts;

/* The facts of nprog (1 or 2) programs, by architecture then number.
 * With only_diff, only where the decisions differ.  For one number and
 * architecture the facts with conditions partition the arguments. */
int cell_sc_analyze(const cell_sc_prog *progs, size_t nprog, bool only_diff, cell_sc_facts *out,
                    cell_error *err);
void cell_sc_facts_free(cell_sc_facts *f);

/* The architectures program tells apart (arches[i] for cell_sc_arches[i],
 * x32 when it tests the x32 bit of x86_64 numbers... as for the others: an
 * architecture whose value it compares).  Returns how many, -EINVAL when
 * it cannot be read. */
int cell_sc_filter_arches(const struct sock_filter *insns, size_t len, bool *arches, size_t n);
#endif
