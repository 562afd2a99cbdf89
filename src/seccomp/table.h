/* The syscall table and the architectures seccomp knows.
 *
 * The table itself (cell_sc_syscalls) is generated at build time by
 * scripts/gen-syscalls.py from data/syscalls.csv: one row per name, one
 * number per table column (-1 when the syscall does not exist there).  Some
 * filter architectures share a column (big and little endian variants); the
 * number the kernel sees is the column's number plus the arch's nr_base
 * (mips bases, the x32 bit). */
#ifndef CELL_SECCOMP_TABLE_H
#define CELL_SECCOMP_TABLE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cell_sc_table_col {
  CELL_SC_COL_X86, CELL_SC_COL_X86_64, CELL_SC_COL_X32, CELL_SC_COL_ARM,
  CELL_SC_COL_AARCH64, CELL_SC_COL_LOONGARCH64, CELL_SC_COL_M68K,
  CELL_SC_COL_MIPS, CELL_SC_COL_MIPS64, CELL_SC_COL_MIPS64N32,
  CELL_SC_COL_PARISC, CELL_SC_COL_PARISC64, CELL_SC_COL_PPC, CELL_SC_COL_PPC64,
  CELL_SC_COL_RISCV64, CELL_SC_COL_S390, CELL_SC_COL_S390X, CELL_SC_COL_SH,
  CELL_SC_NCOLS
};

/* The name is stored in the row, not pointed to: a table of pointers is
 * 508 relocations that ld.so writes into 16 pages of .data.rel.ro at every
 * start of cell (16 page faults before main); rows of bytes stay in
 * .rodata, shared with the page cache and read only by the lookups.
 * gen-syscalls.py asserts that the longest name fits. */
#define CELL_SC_NAME_SIZE 32

typedef struct cell_sc_syscall {
  char name[CELL_SC_NAME_SIZE];  /* NUL-terminated */
  int32_t nr[CELL_SC_NCOLS];     /* -1: absent on that column */
  uint16_t kver[CELL_SC_NCOLS];  /* major << 8 | minor; 0: unknown */
} cell_sc_syscall;

extern const cell_sc_syscall cell_sc_syscalls[];  /* sorted by name */
extern const unsigned cell_sc_nsyscalls;
/* The rows by name (generated with the table): slot h of a name's hash
 * h, or the first slot after it holding the row, is row + 1; 0 ends
 * the probe.  At most half full. */
#define CELL_SC_NAME_HASH_SIZE 2048u
extern const uint16_t cell_sc_name_hash[CELL_SC_NAME_HASH_SIZE];
extern const char cell_sc_table_version[];

/* The x32 ABI arrives with AUDIT_ARCH_X86_64 and this bit set in nr. */
#define CELL_SC_X32_BIT 0x40000000u

typedef struct cell_sc_arch {
  const char *name;        /* OCI / libseccomp name: "SCMP_ARCH_X86_64" */
  const char *short_name;  /* "x86_64", as --arch takes it */
  uint32_t audit;          /* AUDIT_ARCH_* value in seccomp_data.arch */
  uint32_t nr_base;        /* added to the table number */
  uint8_t col;             /* enum cell_sc_table_col */
  bool bits64;             /* arguments are 64 bits wide */
  bool big_endian;         /* high word of an argument comes first */
} cell_sc_arch;

extern const cell_sc_arch cell_sc_arches[];
extern const size_t cell_sc_narches;

/* By "SCMP_ARCH_X86_64" or "x86_64" (also "amd64", "i386", "arm64"); NULL
 * when unknown. */
const cell_sc_arch *cell_sc_arch_by_name(const char *name);
/* The architecture this binary was built for. */
const cell_sc_arch *cell_sc_arch_native(void);
/* Index in cell_sc_arches. */
static inline size_t cell_sc_arch_index(const cell_sc_arch *a) { return (size_t) (a - cell_sc_arches); }

/* Row of name, or NULL. */
const cell_sc_syscall *cell_sc_syscall_lookup(const char *name);
/* The number the kernel sees for row on arch, or -1 when absent there
 * (inline: the OCI front end asks it per name and arch). */
static inline int64_t cell_sc_syscall_nr(const cell_sc_arch *a, const cell_sc_syscall *s)
{
  int32_t n = s->nr[a->col];
  if (n < 0)
    return -1;
  return (int64_t) (uint32_t) ((uint32_t) n + a->nr_base);
}
/* The name of number nr on arch, or NULL. */
const char *cell_sc_syscall_name(const cell_sc_arch *a, uint32_t nr);
/* For the tables of names kept in their rows (no pointers to relocate):
 * n rows of stride bytes, each starting with a char[name_size]; whether
 * every name is NUL-terminated in its row and they are in strcmp order. */
bool cell_sc_rows_sorted(const void *rows, size_t n, size_t stride, size_t name_size);
/* Highest number known on arch. */
uint32_t cell_sc_arch_max_nr(const cell_sc_arch *a);

/* Socket and IPC calls reachable through socketcall(2) / ipc(2) on arch:
 * returns 1 and sets the multiplexer's number and the call number (its
 * first argument, SYS_SOCKET = 1 ...) when name is one of them and arch has
 * the multiplexer; 0 otherwise. */
int cell_sc_multiplexed(const cell_sc_arch *a, const char *name, uint32_t *mux_nr,
                        uint32_t *call);
/* The same, arch-independent part: the call number (0 when name is not
 * multiplexed) and the multiplexer's row in *mux. */
int cell_sc_mux_call(const char *name, const cell_sc_syscall **mux);

/* cell_sc_mux_call by row, for callers that ask it of every name of a
 * profile: the multiplexed rows found once (a few dozen lookups) instead
 * of a search by name per question. */
#define CELL_SC_NMUXED 32
typedef struct cell_sc_mux_index {
  const cell_sc_syscall *socketcall, *ipc;
  size_t n;
  const cell_sc_syscall *row[CELL_SC_NMUXED];   /* ascending */
  uint8_t call[CELL_SC_NMUXED];
  bool ipc_call[CELL_SC_NMUXED];
  uint64_t bits[CELL_SC_NAME_HASH_SIZE / 2 / 64];   /* by row: multiplexed */
} cell_sc_mux_index;
void cell_sc_mux_index_init(cell_sc_mux_index *m);
/* cell_sc_mux_call(s->name, mux), s a row of cell_sc_syscalls. */
int cell_sc_mux_call_row(const cell_sc_mux_index *m, const cell_sc_syscall *s, const cell_sc_syscall **mux);
#endif
