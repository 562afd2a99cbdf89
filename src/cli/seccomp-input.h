/* What the `cell seccomp` tools share: reading their inputs and compiling a
 * PROFILE as the runtime would. One file per tool: seccomp-TOOL.c. */
#ifndef CELL_CLI_SECCOMP_INPUT_H
#define CELL_CLI_SECCOMP_INPUT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cli/cli.h"
#include "seccomp/seccomp.h"

/* -D and -I for policies */
typedef struct policy_args {
  const char *defines[64], *dirs[64];
  size_t ndefines, ndirs;
} policy_args;

/* Take option c ('D', its easyseccomp spelling 'd', or 'I') with its argument;
 * -1 when full or another c. */
int cli_policy_opt(policy_args *pa, int c, const char *arg);
/* The whole of path ("-": stdin). */
int cli_read_input(const char *path, char **data, size_t *len, cell_error *err);
/* PROFILE text -> filter: a policy (.sec), an OCI linux.seccomp object, or a
 * whole config.json (it has "ociVersion" or "linux"). pa and log may be NULL. */
int cli_compile_text(const char *path, const char *text, size_t len, const char *arch,
                     const cell_log *log, const policy_args *pa, cell_seccomp_filter *f,
                     cell_error *err);
/* PROFILE's JSON text -> its linux.seccomp object: the whole document, or
 * linux.seccomp of a config.json (one with "ociVersion" or "linux"); then
 * opts gets the prefix for messages and the config's
 * run.oci.seccomp_fail_unknown_syscall. opts also gets source_name (path,
 * for FILE:LINE:COL in messages). *doc is the caller's to free; *sec points
 * into it. */
int cli_profile_json(const char *path, const char *text, size_t len, cell_seccomp_opts *opts,
                     cell_jdoc **doc, const cell_jv **sec, cell_error *err);
/* PROFILE or FILE -> filter: JSON, config.json or a policy compiled as by
 * cli_compile_text, or else raw BPF (checked).  arch: the native one. */
int cli_load_filter(const char *path, const char *arch, const cell_log *log, const policy_args *pa,
                    cell_seccomp_filter *f, cell_error *err);
/* Does text start, after white space, with `{`? */
bool cli_looks_like_json(const char *text, size_t len);
/* A 64-bit number: decimal, 0x hex, octal, or negative two's complement. */
int cli_parse_u64(const char *s, uint64_t *out);

/* The tools; argv[0] is the tool's name. */
int cli_seccomp_check(cell_cli *cli, int argc, char **argv, cell_error *err);
int cli_seccomp_compile(cell_cli *cli, int argc, char **argv, cell_error *err);
int cli_seccomp_convert(cell_cli *cli, int argc, char **argv, cell_error *err);
int cli_seccomp_diff(cell_cli *cli, int argc, char **argv, cell_error *err);
int cli_seccomp_explain(cell_cli *cli, int argc, char **argv, cell_error *err);
int cli_seccomp_disasm(cell_cli *cli, int argc, char **argv, cell_error *err);
int cli_seccomp_fmt(cell_cli *cli, int argc, char **argv, cell_error *err);
int cli_seccomp_simulate(cell_cli *cli, int argc, char **argv, cell_error *err);
int cli_seccomp_record(cell_cli *cli, int argc, char **argv, cell_error *err);
#endif
