/* Conversions between policies and OCI JSON profiles. */
#include "seccomp/lang/internal.h"

#include <errno.h>

int cell_sc_lang_ir_to_json(const cell_sc_ir *ir, json_t **out, cell_error *err)
{
  (void) ir;
  *out = NULL;
  return cell_error_set(err, ENOSYS, "not yet");
}

int cell_sc_lang_to_json_file(const char *path, const cell_sc_lang_opts *opts, json_t **out,
                              cell_error *err)
{
  (void) path; (void) opts;
  *out = NULL;
  return cell_error_set(err, ENOSYS, "not yet");
}

int cell_sc_lang_from_json(json_t *seccomp, char **out, cell_error *err)
{
  (void) seccomp;
  *out = NULL;
  return cell_error_set(err, ENOSYS, "not yet");
}
