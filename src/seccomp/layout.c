/* Far jumps: a conditional jump reaches at most 255 instructions ahead.
 * A branch that goes further jumps to a trampoline placed right after
 * its jump: an unconditional JA to the target, or a copy of the target
 * when that is a return (one instruction fewer on the way).
 *
 * Each trampoline lengthens every jump over it, so one far branch can
 * make another one far.  The layout is found in passes over the original
 * instructions, with nothing moved until it is final: a pass takes the
 * trampolines of the passes before it (their prefix sums give any
 * branch's length in O(1)) and gives one to each branch that is then too
 * long, the jump's true branch before its false one.  Passes end when one
 * adds nothing: every branch left reaches, and each trampoline was needed
 * (a branch is given one only when those already placed make it too
 * long), so this is the least set of trampolines that works.  A pass is
 * linear; there are as many as the longest chain of branches pushed
 * over the limit one after the other, plus one that finds nothing (3 for
 * the default profile).  Then the program is written once.
 *
 * Where both branches of a jump need one, the one given last sits next to
 * the jump (the false branch's when both come in one pass): the order the
 * earlier fix-up, which inserted them one at a time, left them in, so the
 * programs are the same as before. */
#include "seccomp/layout.h"
#include "seccomp/seccomp.h"
#include "util/cleanup.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#define JA (BPF_JMP | BPF_JA)

static bool is_cond(uint16_t code)
{
  return BPF_CLASS(code) == BPF_JMP && BPF_OP(code) != BPF_JA;
}

/* prefix sums: pre[i] = trampolines after the instructions before i */
static void prefix(const uint8_t *cnt, size_t n, uint32_t *pre)
{
  pre[0] = 0;
  for (size_t i = 0; i < n; i++)
    pre[i + 1] = pre[i] + cnt[i];
}

int cell_sc_layout(const cell_sc_ains *p, size_t n, struct sock_filter **out, size_t *len,
                   cell_error *err)
{
  for (size_t i = 0; i < n; i++) {
    if (BPF_CLASS(p[i].code) != BPF_JMP)
      continue;
    bool bad = p[i].jt <= i || p[i].jt >= n;
    if (is_cond(p[i].code))
      bad = bad || p[i].jf <= i || p[i].jf >= n;
    if (bad)
      return cell_error_set(err, EINVAL, "seccomp: internal error: instruction %zu jumps outside the program",
                            i);
  }
  /* per instruction: pre (n + 1), then per branch (2i: true, 2i+1:
   * false) the pass that gave it its trampoline (0: none), then cnt */
  _cleanup_free_ uint32_t *mem = calloc(3 * n + 1 + (n + 3) / 4, sizeof *mem);
  if (!mem)
    return cell_error_set(err, ENOMEM, "seccomp: out of memory");
  uint32_t *pre = mem, *when = mem + n + 1;
  uint8_t *cnt = (uint8_t *) (when + 2 * n);

  size_t total = n;
  bool changed = true;
  for (uint32_t pass = 1; changed && total <= CELL_SECCOMP_MAX_INSNS; pass++) {
    changed = false;
    prefix(cnt, n, pre);
    for (size_t i = 0; i < n; i++) {
      if (!is_cond(p[i].code))
        continue;
      unsigned added = 0;   /* this pass, after i (pre does not count them) */
      for (int w = 0; w < 2; w++) {
        uint32_t t = w ? p[i].jf : p[i].jt;
        if (when[2 * i + w] || t - (i + 1) + pre[t] - pre[i] + added <= 255)
          continue;
        when[2 * i + w] = pass;
        added++;
      }
      if (added) {
        cnt[i] = (uint8_t) (cnt[i] + added);
        total += added;
        changed = true;
      }
    }
  }
  if (total > CELL_SECCOMP_MAX_INSNS)
    return cell_error_set(err, E2BIG,
                          "seccomp: the filter needs %zu instructions, more than the kernel's limit of %d",
                          total, CELL_SECCOMP_MAX_INSNS);

  /* the last pass added nothing: its pre holds, instruction i goes to i + pre[i] */
  struct sock_filter *f = calloc(total ? total : 1, sizeof *f);
  if (!f)
    return cell_error_set(err, ENOMEM, "seccomp: out of memory");
  for (size_t i = 0; i < n; i++) {
    size_t at = i + pre[i];
    f[at].code = p[i].code;
    f[at].k = p[i].k;
    if (BPF_CLASS(p[i].code) != BPF_JMP)
      continue;
    if (!is_cond(p[i].code)) {
      f[at].k = p[i].jt + pre[p[i].jt] - (uint32_t) (at + 1);
      continue;
    }
    /* the branch whose trampoline comes first, right after the jump */
    int first = when[2 * i + 1] && when[2 * i + 1] >= when[2 * i] ? 1 : 0;
    size_t slot = at + 1;
    for (int o = 0; o < 2; o++) {
      int w = o ? 1 - first : first;
      uint32_t t = w ? p[i].jf : p[i].jt;
      size_t to = t + pre[t];
      if (when[2 * i + w]) {
        struct sock_filter *tr = &f[slot];
        if (BPF_CLASS(p[t].code) == BPF_RET)
          *tr = (struct sock_filter) { .code = p[t].code, .k = p[t].k };
        else
          *tr = (struct sock_filter) { .code = JA, .k = (uint32_t) (to - (slot + 1)) };
        to = slot++;
      }
      if (w)
        f[at].jf = (uint8_t) (to - (at + 1));
      else
        f[at].jt = (uint8_t) (to - (at + 1));
    }
  }
  *out = f;
  *len = total;
  return 0;
}
