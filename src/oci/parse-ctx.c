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
  size_t d = cell_jpath_kept(&p->at);
  cell_jpath_push_key(&p->at, key, cell_jv_get(p->at.val[d], key));
}

void oci_pctx_push_index(oci_pctx *p, size_t i)
{
  size_t d = cell_jpath_kept(&p->at);
  cell_jpath_push_index(&p->at, i, cell_jv_at(p->at.val[d], i));
}

void oci_pctx_pop(oci_pctx *p) { cell_jpath_pop(&p->at); }

char *oci_pctx_path(const oci_pctx *p, const char *child)
{
  cell_json_pathel c = { child, 0 };
  size_t n = cell_jpath_kept(&p->at);
  size_t len = cell_json_path_fmt(NULL, 0, 0, p->at.el, n);
  if (child)
    len = cell_json_path_fmt(NULL, 0, len, &c, 1);
  char *buf = malloc(len + 1);
  if (!buf)
    return NULL;
  size_t off = cell_json_path_fmt(buf, len + 1, 0, p->at.el, n);
  if (child)
    cell_json_path_fmt(buf, len + 1, off, &c, 1);
  return buf;
}

/* The value at the current path (+ key), or the deepest one on the way. */
static const cell_jv *located(const oci_pctx *p, const char *key)
{
  const cell_jv *v = key ? cell_jv_get(p->at.val[cell_jpath_kept(&p->at)], key) : NULL;
  return v ? v : cell_jpath_value(&p->at);
}

static char *where(oci_pctx *p, const char *key)
{
  char *path = oci_pctx_path(p, key);
  char *s = NULL;
  const cell_jv *v = located(p, key);
  int r;
  if (v)
    r = asprintf(&s, "%s:%u:%u: %s", p->name, v->line, v->col,
                 path && *path ? path : "(top level)");
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

static const cell_jv *member(const cell_jv *obj, const char *key)
{
  const cell_jv *v = cell_jv_get(obj, key);
  return cell_jv_is_null(v) ? NULL : v;
}

int oci_get_object(oci_pctx *p, const cell_jv *obj, const char *key, const cell_jv **out)
{
  const cell_jv *v = member(obj, key);
  *out = NULL;
  if (!v)
    return 0;
  if (!cell_jv_is_object(v))
    return oci_perr(p, key, "expected an object");
  *out = v;
  return 1;
}

int oci_get_array(oci_pctx *p, const cell_jv *obj, const char *key, const cell_jv **out)
{
  const cell_jv *v = member(obj, key);
  *out = NULL;
  if (!v)
    return 0;
  if (!cell_jv_is_array(v))
    return oci_perr(p, key, "expected an array");
  *out = v;
  return 1;
}

int oci_get_string(oci_pctx *p, const cell_jv *obj, const char *key, char **out)
{
  const cell_jv *v = member(obj, key);
  if (!v)
    return 0;
  if (!cell_jv_is_string(v))
    return oci_perr(p, key, "expected a string");
  char *s = strdup(cell_jv_str(v));
  if (!s)
    return cell_error_set(p->err, ENOMEM, "out of memory");
  free(*out);
  *out = s;
  return 1;
}

int oci_get_bool(oci_pctx *p, const cell_jv *obj, const char *key, bool *out)
{
  const cell_jv *v = member(obj, key);
  if (!v)
    return 0;
  if (!cell_jv_is_bool(v))
    return oci_perr(p, key, "expected true or false");
  *out = cell_jv_is_true(v);
  return 1;
}

int oci_get_int64(oci_pctx *p, const cell_jv *obj, const char *key, int64_t min, int64_t max,
                  int64_t *out)
{
  const cell_jv *v = member(obj, key);
  if (!v)
    return 0;
  if (!cell_jv_is_int(v))
    return oci_perr(p, key, "expected an integer");
  int64_t i;
  if (!cell_jv_i64(v, &i))      /* above INT64_MAX */
    return oci_perr(p, key, "%" PRIu64 " is out of range [%" PRId64 ", %" PRId64 "]", v->u,
                    min, max);
  if (i < min || i > max)
    return oci_perr(p, key, "%" PRId64 " is out of range [%" PRId64 ", %" PRId64 "]", i, min,
                    max);
  *out = i;
  return 1;
}

int oci_get_uint64(oci_pctx *p, const cell_jv *obj, const char *key, uint64_t *out)
{
  const cell_jv *v = member(obj, key);
  if (!v)
    return 0;
  /* Integers are exact up to UINT64_MAX. Integral reals are taken too
   * (1e6, or 1.8446744073709552e19 as UINT64_MAX, as some writers put
   * 64-bit values). */
  if (cell_jv_is_real(v)) {
    double d = cell_jv_real(v);
    if (d == 18446744073709551616.0) {     /* 2^64, UINT64_MAX as a double */
      *out = UINT64_MAX;
      return 1;
    }
    if (d >= 0 && d < 18446744073709551616.0 && d == (double) (uint64_t) d) {
      *out = (uint64_t) d;
      return 1;
    }
    return oci_perr(p, key, "expected a non-negative integer");
  }
  if (!cell_jv_u64(v, out))
    return oci_perr(p, key, "expected a non-negative integer");
  return 1;
}

int oci_get_uint32(oci_pctx *p, const cell_jv *obj, const char *key, uint32_t *out)
{
  int64_t v;
  int r = oci_get_int64(p, obj, key, 0, UINT32_MAX, &v);
  if (r > 0)
    *out = (uint32_t) v;
  return r;
}

int oci_get_strv(oci_pctx *p, const cell_jv *obj, const char *key, char ***out)
{
  const cell_jv *v = member(obj, key);
  if (!v)
    return 0;
  if (!cell_jv_is_array(v))
    return oci_perr(p, key, "expected an array of strings");
  size_t n = cell_jv_size(v);
  char **strv = calloc(n + 1, sizeof(char *));
  if (!strv)
    return cell_error_set(p->err, ENOMEM, "out of memory");
  for (size_t i = 0; i < n; i++) {
    const cell_jv *e = cell_jv_at(v, i);
    if (!cell_jv_is_string(e) || !(strv[i] = strdup(cell_jv_str(e)))) {
      for (size_t j = 0; j < i; j++)
        free(strv[j]);
      free(strv);
      if (cell_jv_is_string(e))
        return cell_error_set(p->err, ENOMEM, "out of memory");
      return oci_perr(p, key, "expected an array of strings");
    }
  }
  char **old = *out;
  for (size_t i = 0; old && old[i]; i++)
    free(old[i]);
  free(old);
  *out = strv;
  return 1;
}

static void free_kv(oci_kv *kv, size_t n)
{
  for (size_t j = 0; j < n; j++) {
    free(kv[j].key);
    free(kv[j].value);
  }
  free(kv);
}

int oci_get_kv(oci_pctx *p, const cell_jv *obj, const char *key, oci_kv **out, size_t *n)
{
  const cell_jv *v;
  int r = oci_get_object(p, obj, key, &v);
  if (r <= 0)
    return r;
  size_t count = cell_jv_size(v), i;
  oci_kv *kv = calloc(count ? count : 1, sizeof *kv);
  if (!kv)
    return cell_error_set(p->err, ENOMEM, "out of memory");
  const char *k;
  const cell_jv *val;
  cell_jv_object_foreach(v, i, k, val) {
    if (!cell_jv_is_string(val)) {
      free_kv(kv, i);
      oci_pctx_push_key(p, key);
      r = oci_perr(p, k, "expected a string value");
      oci_pctx_pop(p);
      return r;
    }
    kv[i].key = strdup(k);
    kv[i].value = strdup(cell_jv_str(val));
    if (!kv[i].key || !kv[i].value) {
      free_kv(kv, i + 1);
      return cell_error_set(p->err, ENOMEM, "out of memory");
    }
  }
  *out = kv;
  *n = count;
  return 1;
}

int oci_require(oci_pctx *p, int r, const char *key)
{
  if (r == 0)
    return oci_perr(p, key, "missing required field");
  return r;
}
