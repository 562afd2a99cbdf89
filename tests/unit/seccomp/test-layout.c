/* layout.c: trampolines for far jumps, on hand-made programs. */
#include "unit.h"
#include "seccomp/ir.h"
#include "seccomp/layout.h"
#include "seccomp/seccomp.h"

#include <errno.h>
#include <stdlib.h>

#define LD (BPF_LD | BPF_IMM)
#define JEQ (BPF_JMP | BPF_JEQ | BPF_K)
#define JA (BPF_JMP | BPF_JA)
#define RET (BPF_RET | BPF_K)

/* Where branch w of the jump at i lands, through any JA: the first
 * instruction that is not one. */
static size_t land(const struct sock_filter *f, size_t len, size_t i, int w)
{
  size_t at = i + 1 + (w ? f[i].jf : f[i].jt);
  while (at < len && f[at].code == JA)
    at += 1 + f[at].k;
  return at;
}

/* n instructions: ld #k with k its index (so that each is told apart),
 * RET at the end. */
static cell_sc_ains *program(size_t n)
{
  cell_sc_ains *p = calloc(n, sizeof *p);
  for (size_t i = 0; i < n; i++)
    p[i] = (cell_sc_ains) { LD, (uint32_t) i, 0, 0 };
  p[n - 1] = (cell_sc_ains) { RET, CELL_SC_RET_ALLOW, 0, 0 };
  return p;
}

TEST(layout_near_jumps_unchanged)
{
  cell_sc_ains *p = program(300);
  p[0] = (cell_sc_ains) { JEQ, 7, 256, 1 };   /* 255 ahead: reaches */
  p[1] = (cell_sc_ains) { JA, 0, 299, 0 };
  struct sock_filter *f = NULL;
  size_t len = 0;
  cell_error err = CELL_ERROR_INIT;
  CHECK_INT(cell_sc_layout(p, 300, &f, &len, &err), 0);
  CHECK_INT(len, 300);
  CHECK_INT(f[0].jt, 255);
  CHECK_INT(f[0].jf, 0);
  CHECK_INT(f[1].k, 297);
  CHECK_INT(f[256].k, 256);
  free(f);
  free(p);
}

TEST(layout_trampolines_reach_their_targets)
{
  cell_sc_ains *p = program(1000);
  /* 0: true branch 255 ahead (reaches until the false branch's trampoline
   * pushes it over, one pass later), false branch to the return */
  p[0] = (cell_sc_ains) { JEQ, 1, 256, 999 };
  /* 10: both far from the start */
  p[10] = (cell_sc_ains) { JEQ, 2, 600, 900 };
  /* 20..29: near jumps over the trampolines of 10, some pushed over */
  for (size_t i = 20; i < 30; i++)
    p[i] = (cell_sc_ains) { JEQ, 3, (uint32_t) (i + 250 + (i - 20)), (uint32_t) (i + 1) };
  struct sock_filter *f = NULL;
  size_t len = 0;
  cell_error err = CELL_ERROR_INIT;
  CHECK_INT(cell_sc_layout(p, 1000, &f, &len, &err), 0);
  CHECK_INT(cell_seccomp_check(f, len, &err), 0);
  /* every original instruction in order, each jump landing on its own
   * target (a return may be reached as a copy of it) */
  size_t at = 0;
  for (size_t i = 0; i < 1000; i++, at++) {
    while (at < len && (f[at].code != p[i].code || f[at].k != p[i].k))
      at++;
    CHECK(at < len);
    if (at >= len)
      break;
    if (p[i].code != JEQ)
      continue;
    for (int w = 0; w < 2; w++) {
      const cell_sc_ains *t = &p[w ? p[i].jf : p[i].jt];
      size_t to = land(f, len, at, w);
      CHECK(to < len && f[to].code == t->code && f[to].k == t->k);
    }
  }
  /* the jump at 0: its true branch's trampoline came last, so it is the
   * one next to the jump, a JA; the false one's is a copy of the return */
  CHECK_INT(f[0].jt, 0);
  CHECK_INT(f[1].code, JA);
  CHECK_INT(f[0].jf, 1);
  CHECK_INT(f[2].code, RET);
  CHECK_INT(f[2].k, CELL_SC_RET_ALLOW);
  CHECK(len > 1000 && len < 1000 + 2 * 12);
  free(f);
  free(p);
}

TEST(layout_too_long_and_bad_jumps)
{
  cell_sc_ains *p = program(CELL_SECCOMP_MAX_INSNS);
  for (size_t i = 0; i + 300 < CELL_SECCOMP_MAX_INSNS; i += 2)
    p[i] = (cell_sc_ains) { JEQ, 0, (uint32_t) (i + 300), (uint32_t) (i + 1) };
  struct sock_filter *f = NULL;
  size_t len = 0;
  cell_error err = CELL_ERROR_INIT;
  CHECK_INT(cell_sc_layout(p, CELL_SECCOMP_MAX_INSNS, &f, &len, &err), -E2BIG);
  CHECK(err.msg && strstr(err.msg, "more than the kernel's limit of 4096"));
  CHECK(f == NULL);
  cell_error_cleanup(&err);

  p[0] = (cell_sc_ains) { JEQ, 0, 0, 1 };   /* to itself */
  CHECK_INT(cell_sc_layout(p, 10, &f, &len, &err), -EINVAL);
  CHECK(err.msg && strstr(err.msg, "instruction 0 jumps outside the program"));
  cell_error_cleanup(&err);
  p[0] = (cell_sc_ains) { JA, 0, 10, 0 };   /* past the end */
  CHECK_INT(cell_sc_layout(p, 10, &f, &len, &err), -EINVAL);
  cell_error_cleanup(&err);
  free(p);
}
