/* The container's seccomp filter, as the runtime prepares it: compiled in
 * the runtime process (cell's own compiler, or a precompiled program from
 * the annotation run.oci.seccomp_bpf_data), loaded by the container
 * process right before execve. */
#ifndef CELL_RUNTIME_FILTER_H
#define CELL_RUNTIME_FILTER_H
#include <stdbool.h>
#include "oci/config.h"
#include "seccomp/seccomp.h"

#define CELL_ANNOTATION_BPF_DATA "run.oci.seccomp_bpf_data"
#define CELL_ANNOTATION_FAIL_UNKNOWN "run.oci.seccomp_fail_unknown_syscall"
/* A policy in cell's language (docs/seccomp-language.md), replacing linux.seccomp. */
#define CELL_ANNOTATION_POLICY "run.cell.seccomp_policy"
#define CELL_ANNOTATION_POLICY_FILE "run.cell.seccomp_policy_file"

/* *present is false when the config asks for no filter. */
int cell_filter_prepare(const oci_config *c, const cell_log *log, cell_seccomp_filter *f,
                        bool *present, cell_error *err);
#endif
