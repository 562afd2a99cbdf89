/* Shared pieces of the seccomp tests: an independent cBPF interpreter,
 * libseccomp as an oracle, a random profile generator. */
#ifndef CELL_TEST_SECCOMP_HELPERS_H
#define CELL_TEST_SECCOMP_HELPERS_H
#include <jansson.h>
#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "seccomp/ir.h"
#include "seccomp/seccomp.h"

/* The test's own interpreter (not src/seccomp/sim.c). data is 64 bytes of
 * struct seccomp_data. *loads gets a bitmask of the 32-bit words read
 * (bit k/4). Returns the RET value; sets *ok = false on anything the
 * kernel would not run (bad opcode, out of range jump, falling off). */
uint32_t t_interp(const struct sock_filter *f, size_t n, const void *data, uint32_t *loads,
                  unsigned *steps, bool *ok);
/* Set by t_interp when the program compared the accumulator holding
 * seccomp_data.arch with something that is no AUDIT_ARCH value: the
 * syscall number was never loaded (a libseccomp 2.5.4 bug with x86_64 and
 * x32 in one filter). */
extern bool t_interp_stale_arch;

/* seccomp_data for a filter arch (cell_sc_arches index). */
void t_data(void *out64, size_t arch, uint32_t nr, const uint64_t args[6]);

/* libseccomp's filter for an OCI profile, built as runc does: a rule
 * equal to the default is skipped, names libseccomp does not know are
 * skipped, a rule with two conditions on one argument is split into one
 * rule per condition. optimize: 0 default, 2 binary tree. Returns 0, or
 * the negative errno libseccomp gave (the profile is refused). */
int t_libseccomp(json_t *profile, const char *native, int optimize, struct sock_filter **out,
                 size_t *len);

/* The most CPU time libseccomp took on a profile it finished (ns). */
int64_t t_libseccomp_max_cpu_ns(void);

/* libseccomp's pseudo filter code (seccomp_export_pfc) of the last
 * profile t_libseccomp built, "" when it failed. */
const char *t_libseccomp_pfc(void);

/* libseccomp's pfc text, parsed: t_pfc_eval gives the decision of its
 * tree for a call whose syscall has a block there (false: none, the
 * program's glue decides). Free with free(p->l). */
typedef struct t_pline t_pline;
typedef struct t_pfc { t_pline *l; size_t n; } t_pfc;
void t_pfc_parse(const char *text, t_pfc *out);
bool t_pfc_eval(const t_pfc *p, const cell_sc_arch *a, uint32_t audit, uint32_t nr, const uint64_t args[6],
                uint32_t *out);

/* Names whose numbers libseccomp 2.5.4 and cell's table agree on for every
 * architecture both know. */
const char **t_agreed_names(size_t *n);

/* xorshift random numbers */
uint64_t t_rand(uint64_t *s);

/* A random OCI seccomp profile over arches (indexes of libseccomp-known
 * arches); new reference. */
json_t *t_random_profile(uint64_t *seed, bool same_arg_and);

/* The architectures libseccomp 2.5.4 knows, as cell_sc_arches indexes. */
const size_t *t_lib_arches(size_t *n);

/* Read a file of the tree (relative to the source root), NULL if absent. */
json_t *t_load_json(const char *relpath);
#endif
