/* The checker: what the kernel's seccomp_check_filter() and
 * bpf_check_classic() accept, so that a program is refused here with a
 * clear message instead of with EINVAL at load time. */
#include "seccomp/seccomp.h"

#include <errno.h>
#include <stdlib.h>

static bool allowed(uint16_t code)
{
  switch (code) {
  case BPF_LD | BPF_W | BPF_ABS:
  case BPF_LD | BPF_W | BPF_LEN:
  case BPF_LDX | BPF_W | BPF_LEN:
  case BPF_RET | BPF_K:
  case BPF_RET | BPF_A:
  case BPF_ALU | BPF_ADD | BPF_K: case BPF_ALU | BPF_ADD | BPF_X:
  case BPF_ALU | BPF_SUB | BPF_K: case BPF_ALU | BPF_SUB | BPF_X:
  case BPF_ALU | BPF_MUL | BPF_K: case BPF_ALU | BPF_MUL | BPF_X:
  case BPF_ALU | BPF_DIV | BPF_K: case BPF_ALU | BPF_DIV | BPF_X:
  case BPF_ALU | BPF_AND | BPF_K: case BPF_ALU | BPF_AND | BPF_X:
  case BPF_ALU | BPF_OR | BPF_K: case BPF_ALU | BPF_OR | BPF_X:
  case BPF_ALU | BPF_XOR | BPF_K: case BPF_ALU | BPF_XOR | BPF_X:
  case BPF_ALU | BPF_LSH | BPF_K: case BPF_ALU | BPF_LSH | BPF_X:
  case BPF_ALU | BPF_RSH | BPF_K: case BPF_ALU | BPF_RSH | BPF_X:
  case BPF_ALU | BPF_NEG:
  case BPF_LD | BPF_IMM:
  case BPF_LDX | BPF_IMM:
  case BPF_MISC | BPF_TAX:
  case BPF_MISC | BPF_TXA:
  case BPF_LD | BPF_MEM:
  case BPF_LDX | BPF_MEM:
  case BPF_ST:
  case BPF_STX:
  case BPF_JMP | BPF_JA:
  case BPF_JMP | BPF_JEQ | BPF_K: case BPF_JMP | BPF_JEQ | BPF_X:
  case BPF_JMP | BPF_JGE | BPF_K: case BPF_JMP | BPF_JGE | BPF_X:
  case BPF_JMP | BPF_JGT | BPF_K: case BPF_JMP | BPF_JGT | BPF_X:
  case BPF_JMP | BPF_JSET | BPF_K: case BPF_JMP | BPF_JSET | BPF_X:
    return true;
  }
  return false;
}

int cell_seccomp_check(const struct sock_filter *f, size_t n, cell_error *err)
{
  if (n == 0)
    return cell_error_set(err, EINVAL, "seccomp: empty program");
  if (n > CELL_SECCOMP_MAX_INSNS)
    return cell_error_set(err, EINVAL, "seccomp: %zu instructions, more than the kernel's limit of %d",
                          n, CELL_SECCOMP_MAX_INSNS);
  bool reads_mem = false;
  for (size_t i = 0; i < n; i++) {
    uint16_t code = f[i].code;
    uint32_t k = f[i].k;
    reads_mem = reads_mem || code == (BPF_LD | BPF_MEM) || code == (BPF_LDX | BPF_MEM);
    if (!allowed(code))
      return cell_error_set(err, EINVAL, "seccomp: instruction %zu: opcode 0x%04x is not allowed in seccomp", i, code);
    if (code == (BPF_LD | BPF_W | BPF_ABS) && (k >= 64 || k % 4))
      return cell_error_set(err, EINVAL,
                            "seccomp: instruction %zu: load at offset %u is outside struct seccomp_data or unaligned", i, k);
    if (code == (BPF_ALU | BPF_DIV | BPF_K) && k == 0)
      return cell_error_set(err, EINVAL, "seccomp: instruction %zu: division by zero", i);
    if ((code == (BPF_ALU | BPF_LSH | BPF_K) || code == (BPF_ALU | BPF_RSH | BPF_K)) && k >= 32)
      return cell_error_set(err, EINVAL, "seccomp: instruction %zu: shift by %u", i, k);
    if ((code == (BPF_LD | BPF_MEM) || code == (BPF_LDX | BPF_MEM) || code == BPF_ST || code == BPF_STX) &&
        k >= BPF_MEMWORDS)
      return cell_error_set(err, EINVAL, "seccomp: instruction %zu: scratch memory word %u out of 0..15", i, k);
    if (BPF_CLASS(code) == BPF_JMP) {
      if (BPF_OP(code) == BPF_JA) {
        if (k >= n - i - 1)
          return cell_error_set(err, EINVAL, "seccomp: instruction %zu: jump past the end", i);
      } else if (i + 1 + f[i].jt >= n || i + 1 + f[i].jf >= n)
        return cell_error_set(err, EINVAL, "seccomp: instruction %zu: jump past the end", i);
    }
  }
  if (BPF_CLASS(f[n - 1].code) != BPF_RET)
    return cell_error_set(err, EINVAL, "seccomp: the program does not end in a return");

  /* scratch memory must be written on every path before it is read;
   * without a read (cell's programs use none) there is nothing to
   * follow */
  if (!reads_mem)
    return 0;
  uint16_t *valid = malloc(n * sizeof *valid);
  if (!valid)
    return cell_error_set(err, ENOMEM, "seccomp: out of memory");
  for (size_t i = 0; i < n; i++)
    valid[i] = 0xffff;
  valid[0] = 0;
  int r = 0;
  for (size_t i = 0; i < n && r == 0; i++) {
    uint16_t code = f[i].code, m = valid[i];
    if (code == (BPF_LD | BPF_MEM) || code == (BPF_LDX | BPF_MEM)) {
      if (!(m & (1u << f[i].k)))
        r = cell_error_set(err, EINVAL, "seccomp: instruction %zu: reads scratch word %u before it is written", i, f[i].k);
    } else if (code == BPF_ST || code == BPF_STX)
      m |= (uint16_t) (1u << f[i].k);
    /* As the kernel's check_load_and_stores(): what is written flows on to
     * the next instruction past a return too (unreachable code is checked
     * all the same); only a jump starts its fall-through afresh. */
    if (BPF_CLASS(code) == BPF_RET) {
      if (i + 1 < n)
        valid[i + 1] &= m;
      continue;
    }
    if (BPF_CLASS(code) == BPF_JMP) {
      if (BPF_OP(code) == BPF_JA)
        valid[i + 1 + f[i].k] &= m;
      else {
        valid[i + 1 + f[i].jt] &= m;
        valid[i + 1 + f[i].jf] &= m;
      }
    } else
      valid[i + 1] &= m;
  }
  free(valid);
  return r;
}
