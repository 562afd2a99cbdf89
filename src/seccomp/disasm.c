/* The listing of `cell seccomp disasm`.  Stable format, one line per
 * instruction:
 *   NNNN: OP OPERAND [jt TTTT jf FFFF] [; comment]
 * NNNN is the index (decimal, 4 digits), jump targets are absolute
 * indexes, comments name seccomp_data fields, architectures, syscalls
 * (when the architecture tested on that path is known) and actions. */
#include "seccomp/ir.h"
#include "seccomp/seccomp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct state {
  int64_t acc;     /* offset of the word in A, -1 unknown */
  uint32_t audit;  /* arch known on this path, 0 unknown */
  bool seen;
} state;

static void merge(state *to, state from)
{
  if (!to->seen) {
    *to = from;
    to->seen = true;
    return;
  }
  if (to->acc != from.acc)
    to->acc = -1;
  if (to->audit != from.audit)
    to->audit = 0;
}

static const cell_sc_arch *arch_of(uint32_t audit, uint32_t nr)
{
  for (size_t i = 0; i < cell_sc_narches; i++) {
    const cell_sc_arch *a = &cell_sc_arches[i];
    if (a->audit != audit)
      continue;
    if (a->nr_base == CELL_SC_X32_BIT && nr < CELL_SC_X32_BIT)
      continue;
    if (a->col == CELL_SC_COL_X86_64 && nr >= CELL_SC_X32_BIT)
      continue;
    return a;
  }
  return NULL;
}

static const char *arch_name(uint32_t audit)
{
  for (size_t i = 0; i < cell_sc_narches; i++)
    if (cell_sc_arches[i].audit == audit)
      return cell_sc_arches[i].col == CELL_SC_COL_X86_64 ? "SCMP_ARCH_X86_64/X32" : cell_sc_arches[i].name;
  return NULL;
}

static void field(char *buf, size_t size, uint32_t k, uint32_t audit)
{
  const cell_sc_arch *a = audit ? arch_of(audit, 0) : NULL;
  bool be = a && a->big_endian;
  if (k == 0)
    snprintf(buf, size, "nr");
  else if (k == 4)
    snprintf(buf, size, "arch");
  else if (k == 8 || k == 12)
    snprintf(buf, size, "instruction_pointer.%s", (k == 8) != be ? "lo" : "hi");
  else if (k >= 16 && k < 64)
    snprintf(buf, size, "args[%u].%s", (k - 16) / 8, ((k % 8) == 0) != be ? "lo" : "hi");
  else
    snprintf(buf, size, "offset %u", k);
}

char *cell_seccomp_disasm(const struct sock_filter *f, size_t n)
{
  char *out = NULL;
  size_t outlen = 0;
  FILE *m = open_memstream(&out, &outlen);
  if (!m)
    return NULL;
  state *st = calloc(n ? n : 1, sizeof *st);
  if (!st) {
    fclose(m);
    free(out);
    return NULL;
  }
  if (n)
    st[0] = (state) { -1, 0, true };
  for (size_t i = 0; i < n; i++) {
    const struct sock_filter *p = &f[i];
    state s = st[i];
    char op[64] = "", comment[128] = "", buf[32];
    bool jump = false;
    switch (p->code) {
    case BPF_LD | BPF_W | BPF_ABS:
      snprintf(op, sizeof op, "ld [%u]", p->k);
      field(comment, sizeof comment, p->k, s.audit);
      s.acc = p->k;
      break;
    case BPF_LD | BPF_W | BPF_LEN: snprintf(op, sizeof op, "ld #len"); s.acc = -1; break;
    case BPF_LDX | BPF_W | BPF_LEN: snprintf(op, sizeof op, "ldx #len"); break;
    case BPF_LD | BPF_IMM: snprintf(op, sizeof op, "ld #0x%x", p->k); s.acc = -1; break;
    case BPF_LDX | BPF_IMM: snprintf(op, sizeof op, "ldx #0x%x", p->k); break;
    case BPF_LD | BPF_MEM: snprintf(op, sizeof op, "ld M[%u]", p->k); s.acc = -1; break;
    case BPF_LDX | BPF_MEM: snprintf(op, sizeof op, "ldx M[%u]", p->k); break;
    case BPF_ST: snprintf(op, sizeof op, "st M[%u]", p->k); break;
    case BPF_STX: snprintf(op, sizeof op, "stx M[%u]", p->k); break;
    case BPF_MISC | BPF_TAX: snprintf(op, sizeof op, "tax"); break;
    case BPF_MISC | BPF_TXA: snprintf(op, sizeof op, "txa"); s.acc = -1; break;
    case BPF_RET | BPF_K:
      snprintf(op, sizeof op, "ret #0x%08x", p->k);
      snprintf(comment, sizeof comment, "%s", cell_seccomp_action_str(p->k, buf));
      break;
    case BPF_RET | BPF_A: snprintf(op, sizeof op, "ret a"); break;
    case BPF_ALU | BPF_NEG: snprintf(op, sizeof op, "neg"); s.acc = -1; break;
    case BPF_JMP | BPF_JA:
      snprintf(op, sizeof op, "ja %04zu", i + 1 + p->k);
      break;
    default: {
      static const char *alu[] = { "add", "sub", "mul", "div", "or", "and", "lsh", "rsh",
                                   "neg", "mod", "xor" };
      static const char *jmp[] = { "ja", "jeq", "jgt", "jge", "jset" };
      const char *name = NULL;
      if (BPF_CLASS(p->code) == BPF_ALU && BPF_OP(p->code) >> 4 < 11) {
        name = alu[BPF_OP(p->code) >> 4];
        s.acc = -1;
      } else if (BPF_CLASS(p->code) == BPF_JMP && BPF_OP(p->code) >> 4 < 5) {
        name = jmp[BPF_OP(p->code) >> 4];
        jump = true;
      }
      if (!name)
        snprintf(op, sizeof op, "unknown 0x%04x", p->code);
      else if (BPF_SRC(p->code) == BPF_X)
        snprintf(op, sizeof op, "%s x", name);
      else
        snprintf(op, sizeof op, "%s #0x%x", name, p->k);
      if (jump && BPF_SRC(p->code) == BPF_K) {
        if (s.acc == 4 && arch_name(p->k))
          snprintf(comment, sizeof comment, "%s", arch_name(p->k));
        else if (s.acc == 0 && s.audit && !(p->k == CELL_SC_X32_BIT && BPF_OP(p->code) == BPF_JGE)) {
          const cell_sc_arch *a = arch_of(s.audit, p->k);
          const char *sc = a ? cell_sc_syscall_name(a, p->k) : NULL;
          if (sc)
            snprintf(comment, sizeof comment, "%s", sc);
        }
      }
    }
    }
    if (jump)
      fprintf(m, "%04zu: %-22s jt %04zu jf %04zu", i, op, i + 1 + p->jt, i + 1 + p->jf);
    else
      fprintf(m, "%04zu: %-22s", i, op);
    if (comment[0])
      fprintf(m, "%s; %s", jump ? "  " : "                    ", comment);
    fputc('\n', m);

    /* propagate */
    if (BPF_CLASS(p->code) == BPF_RET)
      continue;
    if (p->code == (BPF_JMP | BPF_JA)) {
      if (i + 1 + p->k < n)
        merge(&st[i + 1 + p->k], s);
    } else if (jump) {
      state t = s;
      if (p->code == (BPF_JMP | BPF_JEQ | BPF_K) && s.acc == 4)
        t.audit = p->k;
      if (i + 1 + p->jt < n)
        merge(&st[i + 1 + p->jt], t);
      if (i + 1 + p->jf < n)
        merge(&st[i + 1 + p->jf], s);
    } else if (i + 1 < n)
      merge(&st[i + 1], s);
  }
  free(st);
  fclose(m);
  return out;
}
