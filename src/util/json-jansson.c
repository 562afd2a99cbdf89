#include "util/json-jansson.h"
#include "util/array.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *copy(const cell_jv *v, const cell_jv **big)
{
  switch (v->type) {
  case CELL_JV_NULL:
    return json_null();
  case CELL_JV_FALSE:
    return json_false();
  case CELL_JV_TRUE:
    return json_true();
  case CELL_JV_INT:
    if (v->big) {
      *big = v;
      return NULL;
    }
    return json_integer(v->i);
  case CELL_JV_REAL:
    return json_real(v->d);
  case CELL_JV_STRING:
    return json_stringn_nocheck(v->s, v->n);
  case CELL_JV_ARRAY: {
    json_t *a = json_array();
    for (uint32_t i = 0; a && i < v->n; i++)
      if (json_array_append_new(a, copy(&v->items[i], big)) < 0) {
        json_decref(a);
        return NULL;
      }
    return a;
  }
  default: {
    json_t *o = json_object();
    for (uint32_t i = 0; o && i < v->n; i++)
      if (json_object_set_new_nocheck(o, v->members[i].key, copy(&v->members[i].value, big)) < 0) {
        json_decref(o);
        return NULL;
      }
    return o;
  }
  }
}

int cell_jv_to_json(const cell_jv *v, json_t **out, cell_error *err)
{
  const cell_jv *big = NULL;
  *out = copy(v, &big);
  if (*out)
    return 0;
  if (big)
    return cell_error_set(err, EOVERFLOW, "%u:%u: integer %llu is above what can be kept (INT64_MAX)",
                          big->line, big->col, (unsigned long long) big->u);
  return cell_error_set(err, ENOMEM, "copy of a JSON value: out of memory");
}

/* A control character no string of cell's holds; jansson escapes it as
 * \u0001 in what it writes. */
#define U64_MARK "\001cell-u64:"
#define U64_MARK_DUMPED "\"\\u0001cell-u64:"

json_t *cell_json_u64(uint64_t v)
{
  if (v <= INT64_MAX)
    return json_integer((json_int_t) v);
  char s[48];
  snprintf(s, sizeof s, U64_MARK "%" PRIu64, v);
  return json_string(s);
}

char *cell_json_dumps(const json_t *j, size_t flags)
{
  char *s = json_dumps(j, flags);
  if (!s)
    return NULL;
  /* A string "\u0001cell-u64:DIGITS" -> DIGITS, in place (it only gets
   * shorter); only where a string starts, never inside one. */
  size_t ml = strlen(U64_MARK_DUMPED);
  char *w = s, *r = s;
  while (*r) {
    if (*r != '"') {
      *w++ = *r++;
      continue;
    }
    if (strncmp(r, U64_MARK_DUMPED, ml) == 0) {
      r += ml;
      while (*r >= '0' && *r <= '9')
        *w++ = *r++;
      r++; /* its closing quote */
      continue;
    }
    /* another string: copied to its closing quote */
    *w++ = *r++;
    while (*r && *r != '"') {
      if (*r == '\\' && r[1])
        *w++ = *r++;
      *w++ = *r++;
    }
    if (*r)
      *w++ = *r++;
  }
  *w = '\0';
  return s;
}

/* The compact writer (json-jansson.h). Deeper than the reader's limit: a
 * tree read back (at most CELL_JSON_MAX_DEPTH) and nested in another still
 * writes; the bound is for the stack, against a tree that holds itself. */
#define JOUT_MAX_DEPTH (2 * CELL_JSON_MAX_DEPTH)

static bool jout_room(cell_jout *o, size_t n)
{
  if (o->failed)
    return false;
  if (cell_grow((void **) &o->s, &o->cap, o->len + n + 1, 1) < 0) {
    o->failed = true;
    return false;
  }
  return true;
}

void cell_jout_raw(cell_jout *o, const char *s, size_t n)
{
  if (!jout_room(o, n))
    return;
  memcpy(o->s + o->len, s, n);
  o->len += n;
  o->s[o->len] = '\0';
}

void cell_jout_string(cell_jout *o, const char *s, size_t n)
{
  /* At worst 6 bytes (\u00XX) a byte, and the quotes. */
  if (!jout_room(o, 6 * n + 2))
    return;
  static const char hex[] = "0123456789ABCDEF";
  const unsigned char *p = (const unsigned char *) s, *end = p + n;
  char *w = o->s + o->len;
  *w++ = '"';
  while (p < end) {
    unsigned char c = *p;
    if (c >= 0x80) {
      /* A run of non-ASCII bytes: copied once it is checked. */
      const unsigned char *q = p;
      while (q < end && *q >= 0x80)
        q++;
      if (!cell_utf8_valid((const char *) p, (size_t) (q - p))) {
        o->failed = true;
        return;
      }
      memcpy(w, p, (size_t) (q - p));
      w += q - p;
      p = q;
      continue;
    }
    p++;
    if (c >= 0x20 && c != '"' && c != '\\') {
      *w++ = (char) c;
      continue;
    }
    *w++ = '\\';
    switch (c) {
    case '"': *w++ = '"'; break;
    case '\\': *w++ = '\\'; break;
    case '\b': *w++ = 'b'; break;
    case '\f': *w++ = 'f'; break;
    case '\n': *w++ = 'n'; break;
    case '\r': *w++ = 'r'; break;
    case '\t': *w++ = 't'; break;
    default:
      *w++ = 'u';
      *w++ = '0';
      *w++ = '0';
      *w++ = hex[c >> 4];
      *w++ = hex[c & 15];
    }
  }
  *w++ = '"';
  *w = '\0';
  o->len = (size_t) (w - o->s);
}

void cell_jout_int(cell_jout *o, long long v)
{
  char t[24], *p = t + sizeof t;
  unsigned long long u = v < 0 ? 0ull - (unsigned long long) v : (unsigned long long) v;
  do
    *--p = (char) ('0' + u % 10);
  while (u /= 10);
  if (v < 0)
    *--p = '-';
  cell_jout_raw(o, p, (size_t) (t + sizeof t - p));
}

static void jout_value(cell_jout *o, const json_t *j, int depth)
{
  if (o->failed)
    return;
  if (!j || depth > JOUT_MAX_DEPTH) {
    o->failed = true;
    return;
  }
  switch (json_typeof(j)) {
  case JSON_NULL: cell_jout_raw(o, "null", 4); break;
  case JSON_TRUE: cell_jout_raw(o, "true", 4); break;
  case JSON_FALSE: cell_jout_raw(o, "false", 5); break;
  case JSON_INTEGER: cell_jout_int(o, (long long) json_integer_value(j)); break;
  case JSON_STRING: cell_jout_string(o, json_string_value(j), json_string_length(j)); break;
  case JSON_REAL: {
    /* Rare (no state holds one): jansson's own spelling of the double. */
    char *t = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!t)
      o->failed = true;
    else
      cell_jout_raw(o, t, strlen(t));
    free(t);
    break;
  }
  case JSON_ARRAY:
    cell_jout_raw(o, "[", 1);
    for (size_t i = 0, n = json_array_size(j); i < n; i++) {
      if (i)
        cell_jout_raw(o, ",", 1);
      jout_value(o, json_array_get(j, i), depth + 1);
    }
    cell_jout_raw(o, "]", 1);
    break;
  case JSON_OBJECT: {
    const char *k;
    size_t kl;
    json_t *v;
    bool first = true;
    cell_jout_raw(o, "{", 1);
    /* json_object_foreach's order is json_dumps' (insertion order). */
    json_object_keylen_foreach((json_t *) j, k, kl, v) {
      if (!first)
        cell_jout_raw(o, ",", 1);
      first = false;
      cell_jout_string(o, k, kl);
      cell_jout_raw(o, ":", 1);
      jout_value(o, v, depth + 1);
    }
    cell_jout_raw(o, "}", 1);
    break;
  }
  }
}

void cell_jout_value(cell_jout *o, const json_t *j)
{
  jout_value(o, j, 0);
}

char *cell_jout_take(cell_jout *o, size_t *len)
{
  if (!o->failed && !jout_room(o, 0))
    o->failed = true;
  char *s = o->failed ? NULL : o->s;
  if (!s)
    free(o->s);
  if (len)
    *len = s ? o->len : 0;
  *o = (cell_jout) { 0 };
  return s;
}

char *cell_json_compact(const json_t *j)
{
  cell_jout o = { 0 };
  cell_jout_value(&o, j);
  return cell_jout_take(&o, NULL);
}
