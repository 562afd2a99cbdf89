/* cell's seccomp compiler: OCI `linux.seccomp` JSON (or a precompiled
 * program) to a checked classic-BPF filter, and the loader.
 *
 * Typical use by the runtime:
 *   parent:    cell_seccomp_compile_oci(cfg->linux.seccomp, &opts, &f, err)
 *              (or cell_seccomp_from_base64 for run.oci.seccomp_bpf_data)
 *   container: cell_seccomp_load(&f, &listener_fd, err), after capabilities
 *              are dropped and no_new_privs is set, right before exec
 *   both:      cell_seccomp_filter_free(&f)
 *
 * Everything here works on plain structs: no runtime headers. */
#ifndef CELL_SECCOMP_H
#define CELL_SECCOMP_H
#include <jansson.h>
#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util/error.h"
#include "util/json-path.h"
#include "util/json.h"
#include "util/log.h"

/* The kernel's hard limit on a filter's length. */
#define CELL_SECCOMP_MAX_INSNS 4096

/* SECCOMP_FILTER_FLAG_* (linux/seccomp.h), spelled here so that this header
 * does not depend on the installed kernel headers being new enough. */
#define CELL_SECCOMP_FLAG_TSYNC (1u << 0)
#define CELL_SECCOMP_FLAG_LOG (1u << 1)
#define CELL_SECCOMP_FLAG_SPEC_ALLOW (1u << 2)
#define CELL_SECCOMP_FLAG_NEW_LISTENER (1u << 3)
#define CELL_SECCOMP_FLAG_TSYNC_ESRCH (1u << 4)
#define CELL_SECCOMP_FLAG_WAIT_KILLABLE_RECV (1u << 5)

typedef struct cell_seccomp_filter {
  struct sock_filter *insns;  /* heap */
  size_t len;
  unsigned flags;             /* SECCOMP_FILTER_FLAG_* to load with */
  unsigned optional_flags;    /* subset the loader drops when the kernel refuses it */
  bool has_notify;            /* has SECCOMP_RET_USER_NOTIF: NEW_LISTENER is in flags */
} cell_seccomp_filter;

typedef struct cell_seccomp_opts {
  const char *arch;             /* native architecture ("x86_64", "SCMP_ARCH_X86_64");
                                 * NULL: the one cell was built for */
  bool fail_unknown_syscall;    /* annotation run.oci.seccomp_fail_unknown_syscall */
  const cell_log *log;          /* warnings (unknown syscalls); NULL: stderr */
  bool x32_libseccomp_width;    /* tests only: compare x32 arguments on 32 bits
                                 * as libseccomp does (cell compares 64) */
  /* Optional, for messages "config.json:LINE:COL: linux.seccomp.x: ...":
   * the name of the file the JSON was read from (NULL: no LINE:COL; they
   * are those util/json.c kept in the tree), and the path of the seccomp
   * object inside it (e.g. {"linux"}, {"seccomp"}; empty when the file is
   * the seccomp object itself). */
  const char *source_name;
  const cell_json_pathel *prefix;
  size_t prefix_len;
} cell_seccomp_opts;

/* Compile an OCI linux.seccomp object.  out is filled on success (free with
 * cell_seccomp_filter_free).  Errors name the JSON path (and the line and
 * column when opts->source_name is set) and return -EINVAL; a program longer
 * than 4096 instructions gives -E2BIG. */
int cell_seccomp_compile_oci(const cell_jv *seccomp, const cell_seccomp_opts *opts,
                             cell_seccomp_filter *out, cell_error *err);

/* A precompiled program: raw struct sock_filter array in host byte order.
 * It is checked with cell_seccomp_check first.  Flags: SPEC_ALLOW
 * (optional); has_notify when it can return USER_NOTIF. */
int cell_seccomp_from_bpf(const void *data, size_t len, cell_seccomp_filter *out,
                          cell_error *err);
/* The same from base64 text, as in the annotation run.oci.seccomp_bpf_data. */
int cell_seccomp_from_base64(const char *text, cell_seccomp_filter *out, cell_error *err);

/* The kernel's rules for a seccomp program (and a few more): 1..4096
 * instructions, only the opcodes seccomp accepts, loads of aligned 32-bit
 * words inside struct seccomp_data, scratch memory written before read,
 * jumps inside the program, no division by constant zero, and every path
 * ends in a RET.  0 or -EINVAL with the instruction named. */
int cell_seccomp_check(const struct sock_filter *insns, size_t n, cell_error *err);

/* Install f on the calling thread with seccomp(2) SECCOMP_SET_MODE_FILTER
 * and f->flags (needs no_new_privs or CAP_SYS_ADMIN).  Flags in
 * f->optional_flags that the kernel refuses (EINVAL) are dropped and the
 * call retried.  With NEW_LISTENER, *listener_fd gets the notification fd
 * (else -1).  0 or a negative errno. */
int cell_seccomp_load(const cell_seccomp_filter *f, int *listener_fd, cell_error *err);

void cell_seccomp_filter_free(cell_seccomp_filter *f);

/* The `linux.seccomp` object of the features document (features-linux.md):
 * enabled, actions, operators, archs, knownFlags, supportedFlags (probed on
 * the running kernel). New reference. */
json_t *cell_seccomp_features(void);

/* ---- tools: simulate and disassemble ------------------------------------ */

/* struct seccomp_data, with arguments as two 32-bit words in the order the
 * filter's architecture stores them. */
typedef struct cell_seccomp_data {
  uint32_t nr;
  uint32_t arch;
  uint64_t ip;
  uint32_t args[12];
} cell_seccomp_data;

/* Fill d for arch (a name as cell_sc_arch_by_name takes), syscall number nr
 * and six 64-bit arguments.  -EINVAL for an unknown arch. */
int cell_seccomp_data_make(cell_seccomp_data *d, const char *arch, uint32_t nr,
                           const uint64_t args[6], cell_error *err);

/* Run a (checked) program on d.  Returns the SECCOMP_RET_* value; *steps
 * (optional) gets the number of instructions executed. */
uint32_t cell_seccomp_run(const struct sock_filter *insns, size_t n,
                          const cell_seccomp_data *d, unsigned *steps);

/* "ALLOW", "ERRNO(1)", "KILL_PROCESS", "KILL_THREAD", "TRAP(0)", "TRACE(5)",
 * "LOG", "NOTIFY", "UNKNOWN(0x...)": the stable spelling of a return
 * value. buf needs 32 bytes. */
const char *cell_seccomp_action_str(uint32_t ret, char buf[32]);

/* A listing of the program, one instruction a line:
 *   "0042: jeq #0x3b            jt 0043 jf 0050   ; execve"
 * with syscall names resolved against the architectures the program tests.
 * Heap string. */
char *cell_seccomp_disasm(const struct sock_filter *insns, size_t n);
#endif
