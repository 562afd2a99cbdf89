/* The OCI front end: the one reader of linux.seccomp JSON (oci.c) and
 * libseccomp's resolution of what it read into the IR (resolve.c).
 * `compile`, `convert`, `check`, the runtime, the tests and the fuzzers
 * all read profiles through here. */
#ifndef CELL_SECCOMP_OCI_H
#define CELL_SECCOMP_OCI_H
#include "seccomp/ir.h"
#include "seccomp/seccomp.h"

/* One name of a rule: its row in the syscall table (NULL: unknown to
 * cell, skipped with a warning as runc and crun skip it). */
typedef struct cell_sc_oci_name {
  const char *name;             /* borrowed from the JSON */
  const cell_sc_syscall *row;
} cell_sc_oci_name;

/* One entry of linux.seccomp.syscalls[], validated. */
typedef struct cell_sc_oci_rule {
  size_t index;                 /* its position in syscalls[] */
  uint32_t action;              /* SECCOMP_RET_* with data */
  size_t first_name, nnames;    /* in names */
  size_t first_cond, ncond;     /* in conds, in JSON order */
  bool split;                   /* two conditions on one argument: each is
                                 * a rule of its own, as runc adds them */
} cell_sc_oci_rule;

typedef struct cell_sc_profile {
  const cell_jv *json;          /* the linux.seccomp object read (borrowed) */
  uint32_t default_action;
  uint16_t arches[CELL_SC_MAX_ARCHES];  /* native first, then as listed */
  size_t narches;
  bool arches_listed;           /* `architectures` is present and not empty */
  unsigned flags;               /* SECCOMP_FILTER_FLAG_* */
  unsigned optional_flags;      /* defaulted ones the loader may drop */
  bool has_notify;
  const char *listener_path;    /* borrowed, or NULL */
  const char *flag_names[8];    /* as written, for `convert` */
  size_t nflag_names;
  cell_sc_oci_rule *rules;
  size_t nrules;
  cell_sc_oci_name *names;
  size_t nnames;
  cell_sc_cond *conds;
  size_t nconds;
  size_t skipped;               /* unknown syscall names skipped */
} cell_sc_profile;

/* Read and validate a linux.seccomp object (borrowed strings point into
 * it: keep it alive while p is used).  Errors name the JSON path (and the
 * line and column when opts->source_name is set).  Unknown names warn on
 * opts->log (fail with opts->fail_unknown_syscall).  Free p with
 * cell_sc_profile_free also on failure. */
int cell_sc_oci_read(const cell_jv *seccomp, const cell_seccomp_opts *opts, cell_sc_profile *p,
                     cell_error *err);
void cell_sc_profile_free(cell_sc_profile *p);

/* "config.json:12:5: " (or "" without opts->source_name) and
 * "linux.seccomp.syscalls[3]" for rule index idx of p (SIZE_MAX: the
 * seccomp object itself). */
void cell_sc_oci_where(const cell_sc_profile *p, const cell_seccomp_opts *opts, size_t idx,
                       char *loc, size_t lsize, char *path, size_t psize);

/* What the resolution found, for `cell seccomp check` (resolve.c). */
typedef enum cell_sc_finding_kind {
  CELL_SC_FIND_SHADOWED,   /* rule never decides: an earlier rule decides first */
  CELL_SC_FIND_OVERLAP,    /* two rules with different actions match one call */
  CELL_SC_FIND_NEVER,      /* a condition that can never hold */
} cell_sc_finding_kind;

typedef struct cell_sc_finding {
  cell_sc_finding_kind kind;
  size_t rule, other;           /* rule indexes (other: the earlier one) */
  size_t cond;                  /* NEVER: the condition's position in args */
  const char *syscall;
  uint16_t arch;
  uint32_t action, other_action, decides;  /* OVERLAP: who decides the example */
  uint64_t args[6];             /* OVERLAP: an example call both match */
} cell_sc_finding;

typedef struct cell_sc_oci_result {
  unsigned flags;           /* SECCOMP_FILTER_FLAG_* */
  unsigned optional_flags;  /* defaulted ones the loader may drop */
  bool has_notify;
  size_t skipped;           /* unknown syscall names skipped */
  cell_sc_finding *findings;    /* only when asked (cell_sc_resolve) */
  size_t nfindings;
} cell_sc_oci_result;

/* libseccomp's meaning of a profile, per architecture: the rules of one
 * syscall merged into its decision tree as seccomp_rule_add does (with
 * runc's habits: rules with the default action skipped, two conditions on
 * one argument split), written into the IR as the tree's paths.  A profile
 * libseccomp refuses (EEXIST: two rules decide the same arguments
 * differently) or does not finish is refused with both rules named.
 * With want_findings, res->findings gets what `check` reports (heap). */
int cell_sc_resolve(const cell_sc_profile *p, const cell_seccomp_opts *opts, cell_sc_ir *ir,
                    bool want_findings, cell_sc_oci_result *res, cell_error *err);

/* Read and resolve. ir must be initialised (cell_sc_ir_init); freed by the
 * caller also on failure. */
int cell_sc_oci_to_ir(const cell_jv *seccomp, const cell_seccomp_opts *opts, cell_sc_ir *ir,
                      cell_sc_oci_result *res, cell_error *err);
void cell_sc_oci_result_free(cell_sc_oci_result *res);
#endif
