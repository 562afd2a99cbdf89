#include "util/json-jansson.h"

#include <errno.h>

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
