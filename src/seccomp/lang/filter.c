/* A policy straight to a loadable filter, as cell_seccomp_compile_oci does
 * for JSON: IR, back end, the kernel's rules checked, the load flags. */
#include "seccomp/lang/internal.h"

#include <errno.h>
#include <string.h>
#include "seccomp/seccomp.h"

int cell_sc_lang_compile_filter(const char *name, const char *text, size_t len,
                                const cell_sc_lang_opts *opts, cell_seccomp_filter *out, cell_error *err)
{
  cell_sc_ir ir;
  memset(out, 0, sizeof *out);
  cell_sc_ir_init(&ir);
  int r = name && !text ? cell_sc_lang_compile_file(name, opts, &ir, err)
                        : cell_sc_lang_compile_string(name, text, len, opts, &ir, err);
  if (r == 0)
    r = cell_sc_codegen(&ir, &out->insns, &out->len, err);
  bool notify = ir.default_action == CELL_SC_RET_USER_NOTIF;
  for (size_t i = 0; i < ir.nrules; i++)
    notify |= (ir.rules[i].action & CELL_SC_RET_ACTION_FULL) == CELL_SC_RET_USER_NOTIF;
  for (size_t i = 0; i < ir.nothers; i++)
    notify |= (ir.others[i].action & CELL_SC_RET_ACTION_FULL) == CELL_SC_RET_USER_NOTIF;
  cell_sc_ir_free(&ir);
  if (r < 0) {
    cell_seccomp_filter_free(out);
    return r;
  }
  if ((r = cell_seccomp_check(out->insns, out->len, err)) < 0) {
    cell_seccomp_filter_free(out);
    return cell_error_wrap(err, "seccomp: internal error, generated program rejected");
  }
  /* as for JSON profiles without flags: SPEC_ALLOW, dropped when the kernel lacks it */
  out->flags = out->optional_flags = CELL_SECCOMP_FLAG_SPEC_ALLOW;
  out->has_notify = notify;
  if (notify)
    out->flags |= CELL_SECCOMP_FLAG_NEW_LISTENER;
  return 0;
}
