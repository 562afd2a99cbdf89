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

/* How a container process loads its filter (cell_init_exec_process). */
typedef struct cell_exec_filter {
  const cell_seccomp_filter *filter;  /* NULL: no filter */
  int notify_sock;        /* NOTIFY: where the listener goes (receiver or
                             monitor), consumed by the hand-off; else -1 */
  const char *state_json; /* for the hand-off message */
  const char *metadata;   /* linux.seccomp.listenerMetadata */
  pid_t pid;              /* host pid of the process; 0: the state's pid */
  const cell_log *log;    /* for --debug stamps; may be NULL */
} cell_exec_filter;

/* For a filter with NOTIFY rules: check the notification config
 * (listenerMetadata needs listenerPath, NOTIFY needs a receiver or plugins)
 * and open the way to the receiver: a connection to listenerPath (or the
 * annotation run.oci.seccomp.receiver), or a plugin monitor that outlives
 * this command. *sock is -1 when f has no NOTIFY. In the runtime, before
 * the process is cloned. */
int cell_filter_notify_open(const oci_config *c, const cell_seccomp_filter *f, const char *id,
                            const cell_log *log, int *sock, cell_error *err);

static inline void cell_filter_freep(cell_seccomp_filter *f) { cell_seccomp_filter_free(f); }
#define _cleanup_filter_ __attribute__((cleanup(cell_filter_freep)))

/* *present is false when the config asks for no filter. */
int cell_filter_prepare(const oci_config *c, const cell_log *log, cell_seccomp_filter *f,
                        bool *present, cell_error *err);
#endif
