/* Architectures and lookups over the generated syscall table. */
#include "seccomp/table.h"

#include <stdlib.h>
#include <string.h>

#define AUDIT_64 0x80000000u
#define AUDIT_LE 0x40000000u

/* Order: the names features and --help list. */
const cell_sc_arch cell_sc_arches[] = {
  { "SCMP_ARCH_X86", "x86", 3 | AUDIT_LE, 0, CELL_SC_COL_X86, false, false },
  { "SCMP_ARCH_X86_64", "x86_64", 62 | AUDIT_64 | AUDIT_LE, 0, CELL_SC_COL_X86_64, true, false },
  { "SCMP_ARCH_X32", "x32", 62 | AUDIT_64 | AUDIT_LE, CELL_SC_X32_BIT, CELL_SC_COL_X32, true, false },
  { "SCMP_ARCH_ARM", "arm", 40 | AUDIT_LE, 0, CELL_SC_COL_ARM, false, false },
  { "SCMP_ARCH_AARCH64", "aarch64", 183 | AUDIT_64 | AUDIT_LE, 0, CELL_SC_COL_AARCH64, true, false },
  { "SCMP_ARCH_LOONGARCH64", "loongarch64", 258 | AUDIT_64 | AUDIT_LE, 0, CELL_SC_COL_LOONGARCH64, true, false },
  { "SCMP_ARCH_M68K", "m68k", 4, 0, CELL_SC_COL_M68K, false, true },
  { "SCMP_ARCH_MIPS", "mips", 8, 4000, CELL_SC_COL_MIPS, false, true },
  { "SCMP_ARCH_MIPS64", "mips64", 8 | AUDIT_64, 5000, CELL_SC_COL_MIPS64, true, true },
  { "SCMP_ARCH_MIPS64N32", "mips64n32", 8 | AUDIT_64 | 0x20000000u, 6000, CELL_SC_COL_MIPS64N32, false, true },
  { "SCMP_ARCH_MIPSEL", "mipsel", 8 | AUDIT_LE, 4000, CELL_SC_COL_MIPS, false, false },
  { "SCMP_ARCH_MIPSEL64", "mipsel64", 8 | AUDIT_64 | AUDIT_LE, 5000, CELL_SC_COL_MIPS64, true, false },
  { "SCMP_ARCH_MIPSEL64N32", "mipsel64n32", 8 | AUDIT_64 | AUDIT_LE | 0x20000000u, 6000, CELL_SC_COL_MIPS64N32, false, false },
  { "SCMP_ARCH_PARISC", "parisc", 15, 0, CELL_SC_COL_PARISC, false, true },
  { "SCMP_ARCH_PARISC64", "parisc64", 15 | AUDIT_64, 0, CELL_SC_COL_PARISC64, true, true },
  { "SCMP_ARCH_PPC", "ppc", 20, 0, CELL_SC_COL_PPC, false, true },
  { "SCMP_ARCH_PPC64", "ppc64", 21 | AUDIT_64, 0, CELL_SC_COL_PPC64, true, true },
  { "SCMP_ARCH_PPC64LE", "ppc64le", 21 | AUDIT_64 | AUDIT_LE, 0, CELL_SC_COL_PPC64, true, false },
  { "SCMP_ARCH_RISCV64", "riscv64", 243 | AUDIT_64 | AUDIT_LE, 0, CELL_SC_COL_RISCV64, true, false },
  { "SCMP_ARCH_S390", "s390", 22, 0, CELL_SC_COL_S390, false, true },
  { "SCMP_ARCH_S390X", "s390x", 22 | AUDIT_64, 0, CELL_SC_COL_S390X, true, true },
  { "SCMP_ARCH_SH", "sh", 42 | AUDIT_LE, 0, CELL_SC_COL_SH, false, false },
  { "SCMP_ARCH_SHEB", "sheb", 42, 0, CELL_SC_COL_SH, false, true },
};
const size_t cell_sc_narches = sizeof cell_sc_arches / sizeof cell_sc_arches[0];

static const struct { const char *alias, *name; } aliases[] = {
  { "amd64", "x86_64" }, { "i386", "x86" }, { "i686", "x86" }, { "arm64", "aarch64" },
};

const cell_sc_arch *cell_sc_arch_by_name(const char *name)
{
  if (!name)
    return NULL;
  for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
    if (strcmp(name, aliases[i].alias) == 0)
      name = aliases[i].name;
  for (size_t i = 0; i < cell_sc_narches; i++)
    if (strcmp(name, cell_sc_arches[i].name) == 0 || strcmp(name, cell_sc_arches[i].short_name) == 0)
      return &cell_sc_arches[i];
  return NULL;
}

const cell_sc_arch *cell_sc_arch_native(void)
{
#if defined(__x86_64__) && defined(__ILP32__)
  return cell_sc_arch_by_name("x32");
#elif defined(__x86_64__)
  return cell_sc_arch_by_name("x86_64");
#elif defined(__i386__)
  return cell_sc_arch_by_name("x86");
#elif defined(__aarch64__)
  return cell_sc_arch_by_name("aarch64");
#elif defined(__arm__)
  return cell_sc_arch_by_name("arm");
#elif defined(__loongarch64)
  return cell_sc_arch_by_name("loongarch64");
#elif defined(__riscv) && __riscv_xlen == 64
  return cell_sc_arch_by_name("riscv64");
#elif defined(__s390x__)
  return cell_sc_arch_by_name("s390x");
#elif defined(__s390__)
  return cell_sc_arch_by_name("s390");
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return cell_sc_arch_by_name("ppc64le");
#elif defined(__powerpc64__)
  return cell_sc_arch_by_name("ppc64");
#elif defined(__powerpc__)
  return cell_sc_arch_by_name("ppc");
#elif defined(__mips__) && _MIPS_SIM == _ABI64
  return cell_sc_arch_by_name(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? "mipsel64" : "mips64");
#elif defined(__mips__) && _MIPS_SIM == _ABIN32
  return cell_sc_arch_by_name(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? "mipsel64n32" : "mips64n32");
#elif defined(__mips__)
  return cell_sc_arch_by_name(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? "mipsel" : "mips");
#elif defined(__hppa64__)
  return cell_sc_arch_by_name("parisc64");
#elif defined(__hppa__)
  return cell_sc_arch_by_name("parisc");
#elif defined(__m68k__)
  return cell_sc_arch_by_name("m68k");
#elif defined(__sh__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  return cell_sc_arch_by_name("sheb");
#elif defined(__sh__)
  return cell_sc_arch_by_name("sh");
#else
#error "unknown architecture: add it to src/seccomp/table.c"
#endif
}

/* FNV-1a, 32 bits, as scripts/gen-syscalls.py computes it for the index */
static uint32_t name_hash(const char *name)
{
  uint32_t h = 2166136261u;
  for (const unsigned char *p = (const unsigned char *) name; *p; p++)
    h = (h ^ *p) * 16777619u;
  return h;
}

/* a profile asks this of every name it has: one hash and, for a name in
 * the table, one strcmp (a bisection took nine) */
const cell_sc_syscall *cell_sc_syscall_lookup(const char *name)
{
  for (uint32_t i = name_hash(name) % CELL_SC_NAME_HASH_SIZE;; i = (i + 1) % CELL_SC_NAME_HASH_SIZE) {
    unsigned row = cell_sc_name_hash[i];
    if (!row)
      return NULL;
    if (strcmp(cell_sc_syscalls[row - 1].name, name) == 0)
      return &cell_sc_syscalls[row - 1];
  }
}

bool cell_sc_rows_sorted(const void *rows, size_t n, size_t stride, size_t name_size)
{
  const char *prev = NULL;
  for (size_t i = 0; i < n; i++) {
    const char *name = (const char *) rows + i * stride;
    if (strnlen(name, name_size) == name_size || (prev && strcmp(prev, name) >= 0))
      return false;
    prev = name;
  }
  return true;
}

const char *cell_sc_syscall_name(const cell_sc_arch *a, uint32_t nr)
{
  for (unsigned i = 0; i < cell_sc_nsyscalls; i++)
    if (cell_sc_syscall_nr(a, &cell_sc_syscalls[i]) == (int64_t) nr)
      return cell_sc_syscalls[i].name;
  return NULL;
}

uint32_t cell_sc_arch_max_nr(const cell_sc_arch *a)
{
  uint32_t max = 0;
  for (unsigned i = 0; i < cell_sc_nsyscalls; i++) {
    int64_t n = cell_sc_syscall_nr(a, &cell_sc_syscalls[i]);
    if (n > (int64_t) max)
      max = (uint32_t) n;
  }
  return max;
}

/* The call numbers are the kernel's SYS_* (linux/net.h) and ipc's
 * SEMOP.. (linux/ipc.h); sorted by name for bsearch. */
typedef struct muxed_call { const char *name; uint8_t call; bool ipc; } muxed_call;
static const muxed_call muxed[] = {
  { "accept", 5, false }, { "accept4", 18, false }, { "bind", 2, false },
  { "connect", 3, false }, { "getpeername", 7, false }, { "getsockname", 6, false },
  { "getsockopt", 15, false }, { "listen", 4, false }, { "msgctl", 14, true },
  { "msgget", 13, true }, { "msgrcv", 12, true }, { "msgsnd", 11, true },
  { "recv", 10, false }, { "recvfrom", 12, false }, { "recvmmsg", 19, false },
  { "recvmsg", 17, false }, { "semctl", 3, true }, { "semget", 2, true },
  { "semop", 1, true }, { "semtimedop", 4, true }, { "send", 9, false },
  { "sendmmsg", 20, false }, { "sendmsg", 16, false }, { "sendto", 11, false },
  { "setsockopt", 14, false }, { "shmat", 21, true }, { "shmctl", 24, true },
  { "shmdt", 22, true }, { "shmget", 23, true }, { "shutdown", 13, false },
  { "socket", 1, false }, { "socketpair", 8, false },
};

static int by_mux_name(const void *key, const void *elem)
{
  return strcmp(key, ((const muxed_call *) elem)->name);
}

int cell_sc_mux_call(const char *name, const cell_sc_syscall **mux)
{
  const muxed_call *m = bsearch(name, muxed, sizeof muxed / sizeof muxed[0], sizeof muxed[0], by_mux_name);
  if (!m)
    return 0;
  *mux = cell_sc_syscall_lookup(m->ipc ? "ipc" : "socketcall");
  return *mux ? m->call : 0;
}

_Static_assert(sizeof muxed / sizeof muxed[0] == CELL_SC_NMUXED, "CELL_SC_NMUXED is the size of muxed[]");

void cell_sc_mux_index_init(cell_sc_mux_index *m)
{
  m->socketcall = cell_sc_syscall_lookup("socketcall");
  m->ipc = cell_sc_syscall_lookup("ipc");
  m->n = 0;
  memset(m->bits, 0, sizeof m->bits);
  /* both tables are sorted by name: the rows come out ascending */
  for (size_t i = 0; i < CELL_SC_NMUXED; i++) {
    const cell_sc_syscall *s = cell_sc_syscall_lookup(muxed[i].name);
    if (!s)
      continue;
    m->row[m->n] = s;
    m->call[m->n] = muxed[i].call;
    m->ipc_call[m->n] = muxed[i].ipc;
    m->n++;
    size_t row = (size_t) (s - cell_sc_syscalls);
    m->bits[row / 64] |= 1ull << (row % 64);
  }
}

int cell_sc_mux_call_row(const cell_sc_mux_index *m, const cell_sc_syscall *s, const cell_sc_syscall **mux)
{
  size_t row = (size_t) (s - cell_sc_syscalls);
  if (!(m->bits[row / 64] >> (row % 64) & 1))
    return 0;   /* most names: one bit, no search */
  size_t lo = 0, hi = m->n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (m->row[mid] == s) {
      *mux = m->ipc_call[mid] ? m->ipc : m->socketcall;
      return *mux ? m->call[mid] : 0;
    }
    if (m->row[mid] < s)
      lo = mid + 1;
    else
      hi = mid;
  }
  return 0;
}

int cell_sc_multiplexed(const cell_sc_arch *a, const char *name, uint32_t *mux_nr, uint32_t *call)
{
  const cell_sc_syscall *m;
  int c = cell_sc_mux_call(name, &m);
  int64_t n = c ? cell_sc_syscall_nr(a, m) : -1;
  if (n < 0)
    return 0;
  *mux_nr = (uint32_t) n;
  *call = (uint32_t) c;
  return 1;
}
