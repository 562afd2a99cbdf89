/* Conditions in disjunctive normal form: an OR of terms, each an AND of IR
 * comparisons.  No terms: false; a term without comparisons: true.
 * Functions return 0, -ENOMEM, or -E2BIG past DNF_MAX_TERMS terms. */
#ifndef CELL_SECCOMP_LANG_DNF_H
#define CELL_SECCOMP_LANG_DNF_H
#include <stdbool.h>
#include <stddef.h>
#include "seccomp/ir.h"

#define DNF_MAX_TERMS 4096

/* An internal comparison: the low 32 bits of the argument lie in
 * [value, mask].  It keeps negations of ranges of a half small; it becomes
 * masked compares (an OR of aligned blocks) when emitted (dnf_expand). */
#define DNF_LORANGE 50

/* Another: (arg & mask) != (value & mask), a single comparison until it
 * is emitted as an OR over the mask's bits. */
#define DNF_MASKED_NE 51

/* c holds for the argument value arg on a (DNF_LORANGE included). */
bool dnf_cond_eval(const cell_sc_arch *a, const cell_sc_cond *c, uint64_t arg);

typedef struct dnf_term { cell_sc_cond *c; size_t n; } dnf_term;
typedef struct dnf { dnf_term *t; size_t n, cap; } dnf;

void dnf_free(dnf *d);
bool dnf_is_true(const dnf *d);
static inline bool dnf_is_false(const dnf *d) { return d->n == 0; }
int dnf_set_true(dnf *d);
/* d = d || x; x is consumed. */
int dnf_or(dnf *d, dnf *x);
/* d = d && x; x is consumed.  Terms that cannot hold on a are dropped. */
int dnf_and(const cell_sc_arch *a, dnf *d, dnf *x);
/* d = d || (conds[0] && ...). */
int dnf_add_cond(const cell_sc_arch *a, dnf *d, const cell_sc_cond *conds, size_t n);
/* out = !c, out = !x (new). */
int dnf_not_cond(const cell_sc_arch *a, const cell_sc_cond *c, dnf *out);
int dnf_not(const cell_sc_arch *a, const dnf *x, dnf *out);
int dnf_copy(const dnf *x, dnf *out);
/* The two terms can hold at once (conservative: true when unsure). */
bool dnf_terms_overlap(const cell_sc_arch *a, const dnf_term *x, const dnf_term *y);
/* t with its internal comparisons (DNF_LORANGE, DNF_MASKED_NE) turned into
 * IR ones: an OR of terms (new). */
int dnf_expand(const cell_sc_arch *a, const dnf_term *t, dnf *out);
#endif
