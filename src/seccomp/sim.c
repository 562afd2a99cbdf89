/* A classic-BPF interpreter with the kernel's seccomp semantics, for
 * `cell seccomp simulate`, the tests and the bench. */
#include "seccomp/ir.h"
#include "seccomp/seccomp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int cell_seccomp_data_make(cell_seccomp_data *d, const char *arch, uint32_t nr,
                           const uint64_t args[6], cell_error *err)
{
  const cell_sc_arch *a = cell_sc_arch_by_name(arch);
  if (!a)
    return cell_error_set(err, EINVAL, "seccomp: unknown architecture \"%s\"", arch ? arch : "");
  memset(d, 0, sizeof *d);
  d->nr = nr;
  d->arch = a->audit;
  for (int i = 0; i < 6; i++) {
    uint64_t v = args ? args[i] : 0;
    d->args[2 * i + (a->big_endian ? 1 : 0)] = (uint32_t) v;
    d->args[2 * i + (a->big_endian ? 0 : 1)] = (uint32_t) (v >> 32);
  }
  return 0;
}

uint32_t cell_seccomp_run(const struct sock_filter *f, size_t n, const cell_seccomp_data *d,
                          unsigned *steps)
{
  uint32_t A = 0, X = 0, M[BPF_MEMWORDS] = { 0 };
  const unsigned char *data = (const unsigned char *) d;
  unsigned count = 0;
  size_t pc = 0;
  uint32_t ret = 0;  /* KILL_THREAD when running off the end: the checker forbids it */
  while (pc < n) {
    const struct sock_filter *i = &f[pc++];
    count++;
    uint32_t src = BPF_SRC(i->code) == BPF_X ? X : i->k;
    switch (i->code) {
    case BPF_LD | BPF_W | BPF_ABS:
      if (i->k + 4 > sizeof *d)
        goto out;
      memcpy(&A, data + i->k, 4);
      break;
    case BPF_LD | BPF_W | BPF_LEN: A = sizeof *d; break;
    case BPF_LDX | BPF_W | BPF_LEN: X = sizeof *d; break;
    case BPF_LD | BPF_IMM: A = i->k; break;
    case BPF_LDX | BPF_IMM: X = i->k; break;
    case BPF_LD | BPF_MEM: A = M[i->k % BPF_MEMWORDS]; break;
    case BPF_LDX | BPF_MEM: X = M[i->k % BPF_MEMWORDS]; break;
    case BPF_ST: M[i->k % BPF_MEMWORDS] = A; break;
    case BPF_STX: M[i->k % BPF_MEMWORDS] = X; break;
    case BPF_MISC | BPF_TAX: X = A; break;
    case BPF_MISC | BPF_TXA: A = X; break;
    case BPF_RET | BPF_K: ret = i->k; goto out;
    case BPF_RET | BPF_A: ret = A; goto out;
    case BPF_ALU | BPF_NEG: A = -A; break;
    case BPF_JMP | BPF_JA: pc += i->k; break;
    default:
      if (BPF_CLASS(i->code) == BPF_ALU) {
        switch (BPF_OP(i->code)) {
        case BPF_ADD: A += src; break;
        case BPF_SUB: A -= src; break;
        case BPF_MUL: A *= src; break;
        case BPF_DIV:
          if (src == 0) {
            ret = 0;
            goto out;
          }
          A /= src;
          break;
        case BPF_AND: A &= src; break;
        case BPF_OR: A |= src; break;
        case BPF_XOR: A ^= src; break;
        case BPF_LSH: A = src < 32 ? A << src : 0; break;
        case BPF_RSH: A = src < 32 ? A >> src : 0; break;
        default: goto out;
        }
      } else if (BPF_CLASS(i->code) == BPF_JMP) {
        bool t;
        switch (BPF_OP(i->code)) {
        case BPF_JEQ: t = A == src; break;
        case BPF_JGT: t = A > src; break;
        case BPF_JGE: t = A >= src; break;
        case BPF_JSET: t = (A & src) != 0; break;
        default: goto out;
        }
        pc += t ? i->jt : i->jf;
      } else
        goto out;
    }
  }
out:
  if (steps)
    *steps = count;
  return ret;
}

const char *cell_seccomp_action_str(uint32_t ret, char buf[32])
{
  uint32_t data = ret & CELL_SC_RET_DATA;
  switch (ret & CELL_SC_RET_ACTION_FULL) {
  case CELL_SC_RET_KILL_PROCESS: snprintf(buf, 32, "KILL_PROCESS"); break;
  case CELL_SC_RET_KILL_THREAD: snprintf(buf, 32, "KILL_THREAD"); break;
  case CELL_SC_RET_TRAP: snprintf(buf, 32, "TRAP(%u)", data); break;
  case CELL_SC_RET_ERRNO: snprintf(buf, 32, "ERRNO(%u)", data); break;
  case CELL_SC_RET_USER_NOTIF: snprintf(buf, 32, "NOTIFY"); break;
  case CELL_SC_RET_TRACE: snprintf(buf, 32, "TRACE(%u)", data); break;
  case CELL_SC_RET_LOG: snprintf(buf, 32, "LOG"); break;
  case CELL_SC_RET_ALLOW: snprintf(buf, 32, "ALLOW"); break;
  default: snprintf(buf, 32, "UNKNOWN(0x%08x)", ret); break;
  }
  return buf;
}
