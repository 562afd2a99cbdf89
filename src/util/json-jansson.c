#include "util/json-jansson.h"

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
