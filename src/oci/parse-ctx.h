/* Internal to src/oci: walking a document read by util/json.h with a path
 * stack, so that every error names the place: "config.json:12:7:
 * process.args: expected an array of strings". The line and column are
 * those of the value the path reaches (or of the deepest value on the way
 * when it ends at an absent member). */
#ifndef CELL_OCI_PARSE_CTX_H
#define CELL_OCI_PARSE_CTX_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "util/error.h"
#include "util/json-path.h"
#include "util/json.h"
#include "util/log.h"

typedef struct oci_pctx {
  const char *name;         /* file name for messages */
  /* the path walked from the document, which at.val[0] is (set it; NULL:
   * no line:col) */
  cell_jpath at;
  const cell_log *log;
  cell_error *err;
} oci_pctx;

void oci_pctx_push_key(oci_pctx *p, const char *key);
void oci_pctx_push_index(oci_pctx *p, size_t i);
void oci_pctx_pop(oci_pctx *p);
/* "process.args[2]" for the current path (+ optional child key). */
char *oci_pctx_path(const oci_pctx *p, const char *child);

/* Error at the current path, or at its member `key` when key != NULL.
 * Returns -EINVAL (or -code). */
int oci_perr(oci_pctx *p, const char *key, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));
int oci_perr_code(oci_pctx *p, int code, const char *key, const char *fmt, ...)
  __attribute__((format(printf, 4, 5)));
void oci_pwarn(oci_pctx *p, const char *key, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));

/* Member readers. Each returns 1 when found and converted, 0 when absent
 * (or JSON null), and a negative errno after reporting a type error. */
int oci_get_object(oci_pctx *p, const cell_jv *obj, const char *key, const cell_jv **out);
int oci_get_array(oci_pctx *p, const cell_jv *obj, const char *key, const cell_jv **out);
int oci_get_string(oci_pctx *p, const cell_jv *obj, const char *key, char **out);
int oci_get_bool(oci_pctx *p, const cell_jv *obj, const char *key, bool *out);
int oci_get_int64(oci_pctx *p, const cell_jv *obj, const char *key, int64_t min, int64_t max,
                  int64_t *out);
int oci_get_uint64(oci_pctx *p, const cell_jv *obj, const char *key, uint64_t *out);
int oci_get_uint32(oci_pctx *p, const cell_jv *obj, const char *key, uint32_t *out);
/* Array of strings -> NULL-terminated vector. */
int oci_get_strv(oci_pctx *p, const cell_jv *obj, const char *key, char ***out);
/* Object of string values -> kv array. */
struct oci_kv;
int oci_get_kv(oci_pctx *p, const cell_jv *obj, const char *key, struct oci_kv **out, size_t *n);
/* Required member helpers: error "missing required field" when absent. */
int oci_require(oci_pctx *p, int r, const char *key);



/* Parsers of the parts of config.json, shared between parse.c and process.c. */
struct oci_process;
struct oci_config;
int oci_parse_process(oci_pctx *p, const cell_jv *obj, struct oci_process **out);
int oci_validate(oci_pctx *p, struct oci_config *c);
#endif
