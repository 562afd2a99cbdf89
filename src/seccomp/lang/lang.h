/* cell's seccomp policy language (files *.sec): ordered `CONDITION => ACTION;`
 * rules, first match wins, compiled into the same intermediate form as OCI
 * JSON profiles (seccomp/ir.h).  The language is described in
 * docs/seccomp-language.md and cell-seccomp-language(7).
 *
 * Use:
 *   cell_sc_ir ir; cell_sc_ir_init(&ir);
 *   cell_sc_lang_compile_file("policy.sec", &opts, &ir, err);
 *   cell_sc_codegen(&ir, &insns, &n, err);
 *   cell_sc_ir_free(&ir);
 *
 * Every error is one message "file:line:col: what\n<source line>\n<caret>"
 * in err (the first error ends the compilation, and *out is left empty).
 * Warnings go to opts->diag when set, else to opts->log. */
#ifndef CELL_SECCOMP_LANG_H
#define CELL_SECCOMP_LANG_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include "seccomp/ir.h"
#include "seccomp/seccomp.h"
#include "util/error.h"
#include "util/log.h"

typedef struct cell_sc_lang_diag {
  bool error;            /* else a warning */
  const char *file;
  unsigned line, col;    /* 1-based; 0 when there is no location */
  const char *message;   /* without the location */
  const char *text;      /* the whole formatted diagnostic, with source line and caret */
} cell_sc_lang_diag;

typedef struct cell_sc_lang_opts {
  const char *const *defines;       /* -D NAME, for #ifdef */
  size_t ndefines;
  const char *const *include_dirs;  /* searched after the including file's directory */
  size_t ninclude_dirs;
  const char *native_arch;          /* NULL: the one cell was built for */
  const cell_log *log;              /* warnings when diag is NULL; NULL: stderr */
  void (*diag)(void *ctx, const cell_sc_lang_diag *d);  /* every diagnostic */
  void *diag_ctx;
  bool warnings_are_errors;
  bool no_includes;                 /* `include` is an error (untrusted text) */
} cell_sc_lang_opts;

/* Compile the policy in path (or in text, named name in messages) into
 * *out, which must be initialised with cell_sc_ir_init and empty.  0, or
 * -EINVAL (policy errors), -ENOENT/-EACCES... (files), -ENOMEM. */
int cell_sc_lang_compile_file(const char *path, const cell_sc_lang_opts *opts, cell_sc_ir *out,
                              cell_error *err);
int cell_sc_lang_compile_string(const char *name, const char *text, size_t len,
                                const cell_sc_lang_opts *opts, cell_sc_ir *out, cell_error *err);

/* The policy (text of len bytes named name, or the file name when text is
 * NULL) compiled, checked and ready to load: flags SPEC_ALLOW (optional),
 * NEW_LISTENER when a rule can NOTIFY.  As cell_seccomp_compile_oci. */
int cell_sc_lang_compile_filter(const char *name, const char *text, size_t len,
                                const cell_sc_lang_opts *opts, cell_seccomp_filter *out, cell_error *err);

/* The policy's OCI `linux.seccomp` object (new reference in *out).  -EINVAL
 * naming the rule when the policy has no JSON form (rules that differ
 * between architectures, a denying default without `newer => ERRNO(ENOSYS)`
 * semantics, several architectures' defaults...). */
int cell_sc_lang_ir_to_json(const cell_sc_ir *ir, json_t **out, cell_error *err);
int cell_sc_lang_to_json_file(const char *path, const cell_sc_lang_opts *opts, json_t **out,
                              cell_error *err);

/* An OCI `linux.seccomp` object as policy text (heap, in *out) with the
 * same effect: unconditional rules first, then the conditional ones from
 * the most restrictive action down, `newer => ERRNO(ENOSYS);` (the runc
 * stub the JSON front end applies) and the default.  -EINVAL naming the
 * field for what has no language form (listenerPath, flags are dropped with
 * a comment). */
int cell_sc_lang_from_json(const cell_jv *seccomp, char **out, cell_error *err);

/* The file looks like a policy rather than JSON or raw BPF: its name ends
 * in .sec, or it is text (no NUL byte) whose first non-blank character is
 * not `{` (and its name does not end in .json). */
bool cell_sc_lang_is_policy(const char *path, const char *text, size_t len);

/* The policy text (len bytes, named name in messages) in cell's canonical
 * layout (heap, NUL-terminated, in *out): see docs/seccomp-language.md,
 * "Layout".  Only white space changes (and a default's missing `;` is
 * added); comments and every #ifdef branch are kept.  Idempotent.  -EINVAL
 * with file:line:col when the text does not read as tokens or its
 * parentheses do not pair up. */
int cell_sc_lang_format(const char *name, const char *text, size_t len, char **out, cell_error *err);

typedef enum cell_sc_lang_style { CELL_SC_STYLE_CELL, CELL_SC_STYLE_EASYSECCOMP } cell_sc_lang_style;

/* The policy respelled in style, in the canonical layout (heap, in *out);
 * every #ifdef branch is read (once for each combination of the names the
 * policy tests, with opts->defines too) and respelled.
 *   CELL_SC_STYLE_CELL: `@read` is `read`, `ALLOW()` is `ALLOW`, `TRACE()`
 *     is `TRACE(0)`, `010` is `10`; the compiled filter stays the same.
 *   CELL_SC_STYLE_EASYSECCOMP, strict: a policy easyseccomp reads, with the
 *     decisions the original has on the native architecture for 32-bit
 *     arguments (names with `@`, `ACTION()`, decimal values, sets and
 *     defines written out, `.lo` dropped); -EINVAL at file:line:col for the
 *     first construct easyseccomp cannot read.
 *   CELL_SC_STYLE_EASYSECCOMP, not strict: syscall and architecture names
 *     with `@` and actions with `()` only; cell compiles it to the same
 *     filter.
 * Errors as cell_sc_lang_compile_string's (under some -D NAME: said). */
int cell_sc_lang_restyle(const char *name, const char *text, size_t len, const cell_sc_lang_opts *opts,
                         cell_sc_lang_style style, bool strict, char **out, cell_error *err);

/* The first Linux release that had syscall s on architecture a, as
 * major << 16 | minor << 8 | patch (0: older than 2.6.16): what
 * KERNEL(x.y) and NEWER(x.y) test. */
uint32_t cell_sc_syscall_kver(const cell_sc_arch *a, const cell_sc_syscall *s);

/* Standard base64 with padding (heap), e.g. of a compiled filter for the
 * annotation run.oci.seccomp_bpf_data. */
char *cell_sc_lang_base64(const void *data, size_t len);
#endif
