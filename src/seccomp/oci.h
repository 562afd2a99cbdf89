/* The OCI front end: linux.seccomp JSON -> IR (see ir.h for the meaning).
 * Also used by the tests and the fuzzer to hold the back end to
 * cell_sc_ir_eval. */
#ifndef CELL_SECCOMP_OCI_H
#define CELL_SECCOMP_OCI_H
#include "seccomp/ir.h"
#include "seccomp/seccomp.h"

typedef struct cell_sc_oci_result {
  unsigned flags;           /* SECCOMP_FILTER_FLAG_* */
  unsigned optional_flags;  /* defaulted ones the loader may drop */
  bool has_notify;
  size_t skipped;           /* unknown syscall names skipped */
} cell_sc_oci_result;

/* ir must be initialised (cell_sc_ir_init); freed by the caller also on
 * failure. */
int cell_sc_oci_to_ir(json_t *seccomp, const cell_seccomp_opts *opts, cell_sc_ir *ir,
                      cell_sc_oci_result *res, cell_error *err);
#endif
