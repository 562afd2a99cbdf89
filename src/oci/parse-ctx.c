#include "oci/parse-ctx.h"
#include "oci/config.h"
#include "util/cleanup.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void oci_pctx_push_key(oci_pctx *p, const char *key)
{
  if (p->depth < OCI_PATH_MAX_DEPTH)
    p->path[p->depth] = (cell_json_pathel) { key, 0 };
  p->depth++;
}

void oci_pctx_push_index(oci_pctx *p, size_t i)
{
  if (p->depth < OCI_PATH_MAX_DEPTH)
    p->path[p->depth] = (cell_json_pathel) { NULL, i };
  p->depth++;
}

void oci_pctx_pop(oci_pctx *p)
{
  if (p->depth > 0)
    p->depth--;
}

static void append(char **buf, size_t *len, const char *s)
{
  size_t n = strlen(s);
  char *nb = realloc(*buf, *len + n + 1);
  if (!nb)
    return;
  memcpy(nb + *len, s, n + 1);
  *buf = nb;
  *len += n;
}

char *oci_pctx_path(const oci_pctx *p, const char *child)
{
  char *buf = calloc(1, 1);
  size_t len = 0;
  size_t depth = p->depth < OCI_PATH_MAX_DEPTH ? p->depth : OCI_PATH_MAX_DEPTH;
  for (size_t i = 0; i < depth && buf; i++) {
    if (p->path[i].key) {
      if (len)
        append(&buf, &len, ".");
      append(&buf, &len, p->path[i].key);
    } else {
      char idx[32];
      snprintf(idx, sizeof idx, "[%zu]", p->path[i].index);
      append(&buf, &len, idx);
    }
  }
  if (child && buf) {
    if (len)
      append(&buf, &len, ".");
    append(&buf, &len, child);
  }
  return buf;
}

static char *where(oci_pctx *p, const char *key)
{
  char *path = oci_pctx_path(p, key);
  char *s = NULL;
  int line = 0, col = 0;
  if (p->text) {
    cell_json_pathel els[OCI_PATH_MAX_DEPTH + 1];
    size_t depth = p->depth < OCI_PATH_MAX_DEPTH ? p->depth : OCI_PATH_MAX_DEPTH;
    memcpy(els, p->path, depth * sizeof *els);
    if (key)
      els[depth++] = (cell_json_pathel) { key, 0 };
    cell_json_locate(p->text, p->text_len, els, depth, &line, &col);
  }
  int r;
  if (line)
    r = asprintf(&s, "%s:%d:%d: %s", p->name, line, col, path && *path ? path : "(top level)");
  else
    r = asprintf(&s, "%s: %s", p->name, path && *path ? path : "(top level)");
  free(path);
  return r < 0 ? NULL : s;
}

static int vperr(oci_pctx *p, int code, const char *key, const char *fmt, va_list ap)
{
  _cleanup_free_ char *w = where(p, key);
  _cleanup_free_ char *m = NULL;
  if (vasprintf(&m, fmt, ap) < 0)
    m = NULL;
  return cell_error_set(p->err, code, "%s: %s", w ? w : p->name, m ? m : "invalid");
}

int oci_perr(oci_pctx *p, const char *key, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int r = vperr(p, EINVAL, key, fmt, ap);
  va_end(ap);
  return r;
}

int oci_perr_code(oci_pctx *p, int code, const char *key, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int r = vperr(p, code, key, fmt, ap);
  va_end(ap);
  return r;
}

void oci_pwarn(oci_pctx *p, const char *key, const char *fmt, ...)
{
  _cleanup_free_ char *w = where(p, key);
  _cleanup_free_ char *m = NULL;
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&m, fmt, ap) < 0)
    m = NULL;
  va_end(ap);
  cell_log_warn(p->log, "%s: %s", w ? w : p->name, m ? m : "");
}

static json_t *member(json_t *obj, const char *key)
{
  json_t *v = json_object_get(obj, key);
  return json_is_null(v) ? NULL : v;
}

int oci_get_object(oci_pctx *p, json_t *obj, const char *key, json_t **out)
{
  json_t *v = member(obj, key);
  *out = NULL;
  if (!v)
    return 0;
  if (!json_is_object(v))
    return oci_perr(p, key, "expected an object");
  *out = v;
  return 1;
}

int oci_get_array(oci_pctx *p, json_t *obj, const char *key, json_t **out)
{
  json_t *v = member(obj, key);
  *out = NULL;
  if (!v)
    return 0;
  if (!json_is_array(v))
    return oci_perr(p, key, "expected an array");
  *out = v;
  return 1;
}

int oci_get_string(oci_pctx *p, json_t *obj, const char *key, char **out)
{
  json_t *v = member(obj, key);
  if (!v)
    return 0;
  if (!json_is_string(v))
    return oci_perr(p, key, "expected a string");
  char *s = strdup(json_string_value(v));
  if (!s)
    return cell_error_set(p->err, ENOMEM, "out of memory");
  free(*out);
  *out = s;
  return 1;
}

int oci_get_bool(oci_pctx *p, json_t *obj, const char *key, bool *out)
{
  json_t *v = member(obj, key);
  if (!v)
    return 0;
  if (!json_is_boolean(v))
    return oci_perr(p, key, "expected true or false");
  *out = json_is_true(v);
  return 1;
}

int oci_get_int64(oci_pctx *p, json_t *obj, const char *key, int64_t min, int64_t max,
                  int64_t *out)
{
  json_t *v = member(obj, key);
  if (!v)
    return 0;
  if (!json_is_integer(v))
    return oci_perr(p, key, "expected an integer");
  json_int_t i = json_integer_value(v);
  if (i < min || i > max)
    return oci_perr(p, key, "%" JSON_INTEGER_FORMAT " is out of range [%" PRId64 ", %" PRId64 "]",
                    i, min, max);
  *out = i;
  return 1;
}

int oci_get_uint64(oci_pctx *p, json_t *obj, const char *key, uint64_t *out)
{
  json_t *v = member(obj, key);
  if (!v)
    return 0;
  /* jansson holds integers as long long: values above INT64_MAX arrive as
   * reals; accept exact non-negative integral reals for 64-bit fields. */
  if (json_is_real(v)) {
    double d = json_real_value(v);
    if (d >= 0 && d <= 18446744073709551615.0 && d == (double) (uint64_t) d) {
      *out = d >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t) d;
      return 1;
    }
    return oci_perr(p, key, "expected a non-negative integer");
  }
  if (!json_is_integer(v) || json_integer_value(v) < 0)
    return oci_perr(p, key, "expected a non-negative integer");
  *out = (uint64_t) json_integer_value(v);
  return 1;
}

int oci_get_uint32(oci_pctx *p, json_t *obj, const char *key, uint32_t *out)
{
  int64_t v;
  int r = oci_get_int64(p, obj, key, 0, UINT32_MAX, &v);
  if (r > 0)
    *out = (uint32_t) v;
  return r;
}

int oci_get_strv(oci_pctx *p, json_t *obj, const char *key, char ***out)
{
  json_t *v = member(obj, key);
  if (!v)
    return 0;
  if (!json_is_array(v))
    return oci_perr(p, key, "expected an array of strings");
  size_t n = json_array_size(v);
  char **strv = calloc(n + 1, sizeof(char *));
  if (!strv)
    return cell_error_set(p->err, ENOMEM, "out of memory");
  for (size_t i = 0; i < n; i++) {
    json_t *e = json_array_get(v, i);
    if (!json_is_string(e)) {
      for (size_t j = 0; j < i; j++)
        free(strv[j]);
      free(strv);
      return oci_perr(p, key, "expected an array of strings");
    }
    strv[i] = strdup(json_string_value(e));
  }
  char **old = *out;
  for (size_t i = 0; old && old[i]; i++)
    free(old[i]);
  free(old);
  *out = strv;
  return 1;
}

int oci_get_kv(oci_pctx *p, json_t *obj, const char *key, oci_kv **out, size_t *n)
{
  json_t *v;
  int r = oci_get_object(p, obj, key, &v);
  if (r <= 0)
    return r;
  size_t count = json_object_size(v), i = 0;
  oci_kv *kv = calloc(count ? count : 1, sizeof *kv);
  if (!kv)
    return cell_error_set(p->err, ENOMEM, "out of memory");
  const char *k;
  json_t *val;
  json_object_foreach(v, k, val) {
    if (!json_is_string(val)) {
      for (size_t j = 0; j < i; j++) {
        free(kv[j].key);
        free(kv[j].value);
      }
      free(kv);
      oci_pctx_push_key(p, key);
      r = oci_perr(p, k, "expected a string value");
      oci_pctx_pop(p);
      return r;
    }
    kv[i].key = strdup(k);
    kv[i].value = strdup(json_string_value(val));
    i++;
  }
  *out = kv;
  *n = i;
  return 1;
}

int oci_require(oci_pctx *p, int r, const char *key)
{
  if (r == 0)
    return oci_perr(p, key, "missing required field");
  return r;
}
