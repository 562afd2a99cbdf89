/* The last step of the back end (layout.c): a program whose jumps name
 * absolute instructions -> struct sock_filter, with trampolines for the
 * conditional jumps that reach further than 255 instructions. */
#ifndef CELL_SECCOMP_LAYOUT_H
#define CELL_SECCOMP_LAYOUT_H
#include <stddef.h>
#include <stdint.h>
#include "util/error.h"

typedef struct cell_sc_ains {
  uint16_t code;
  uint32_t k;
  uint32_t jt, jf;   /* absolute targets of a jump (JA: jt) */
} cell_sc_ains;

/* *out is heap, *len its length.  -E2BIG when the program with its
 * trampolines needs more than CELL_SECCOMP_MAX_INSNS instructions,
 * -EINVAL for a jump that does not go forward inside the program. */
struct sock_filter;
int cell_sc_layout(const cell_sc_ains *p, size_t n, struct sock_filter **out, size_t *len,
                   cell_error *err);
#endif
