/* Shared pieces of the language tests: compile a policy text with its
 * diagnostics captured, and ask what it does. */
#ifndef CELL_TEST_LANG_HELPERS_H
#define CELL_TEST_LANG_HELPERS_H
#include <stdbool.h>
#include <stdint.h>
#include "seccomp/ir.h"
#include "seccomp/lang/lang.h"

typedef struct l_diag { bool error; unsigned line, col; char msg[512]; char text[1024]; } l_diag;
typedef struct l_diags { int n; l_diag d[16]; } l_diags;

/* Compile text for native x86_64 (defines: NULL-terminated, may be NULL).
 * Returns the compiler's result; *ir is filled on success. */
int l_compile(const char *text, const char *const *defines, cell_sc_ir *ir, l_diags *dg, cell_error *err);

/* The action the IR gives (arch short name, syscall name or "#NR", args;
 * args NULL for zeros); 0xdeadbeef when the syscall has no number there. */
uint32_t l_act(const cell_sc_ir *ir, const char *arch, const char *sc, const uint64_t args[6]);
/* The program the back end builds from ir agrees with the IR on every
 * number of each arch and n random and edge inputs in all; returns the
 * number of disagreements. */
unsigned l_check_bpf(const cell_sc_ir *ir, unsigned n, uint64_t seed);

/* text compiled into a loadable filter for x86_64, diagnostics dropped. */
struct cell_seccomp_filter;
int l_filter(const char *text, const char *const *defines, struct cell_seccomp_filter *f, cell_error *err);
/* fn on each file of the source tree's folder rel whose name ends in suffix
 * (NULL: every file but dot files); the number of files. */
unsigned l_each_file(const char *rel, const char *suffix, void (*fn)(const char *path, char *text, void *ctx),
                     void *ctx);

/* `cell seccomp fmt` holds for text: formatting twice changes nothing and
 * the formatted policy compiles (with defines) to the same filter, or
 * fails as the original does.  Returns the number of failures, printed. */
unsigned l_check_fmt(const char *what, const char *text, const char *const *defines);

uint64_t l_rand(uint64_t *s);
char *l_read(const char *relpath);   /* a file of the source tree, heap */

#include "podman-profile.h"  /* t_podman_profile */
#endif
