/* The one JSON reader: every JSON text cell takes in (config.json, seccomp
 * profiles, state.json, hooks' state, notification messages, recordings) is
 * read here into a read-only tree that lives in one document. jansson stays
 * the writer (json_pack, json_dumps); cell_jv_to_json (json-jansson.h) gives
 * a jansson copy of a subtree to code that edits it and writes it back.
 *
 * Why not jansson's decoder:
 *  - integers: OCI fields are uint64 (seccomp argument values, resources)
 *    and runc takes any of them; jansson refuses every integer above
 *    INT64_MAX ("too big integer"). Here an integer is exact from INT64_MIN
 *    to UINT64_MAX.
 *  - cost: jansson allocates per value and hashes per object, about 160
 *    instructions a byte of a seccomp profile; this copies the text once,
 *    unescapes strings in place and allocates arrays whole.
 *
 * The grammar is RFC 8259's, as strict as jansson's default: one value with
 * optional white space around it, UTF-8 checked inside strings, no \u0000,
 * no lone surrogates, no comments, no leading zeros, no trailing commas,
 * nesting at most CELL_JSON_MAX_DEPTH. A number with a fraction or an
 * exponent is a real. When an object repeats a key the last one counts (as
 * with jansson and Go's encoding/json); the earlier ones are dropped. */
#ifndef CELL_UTIL_JSON_H
#define CELL_UTIL_JSON_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util/error.h"

#define CELL_JSON_MAX_DEPTH 1000

typedef enum cell_jv_type {
  CELL_JV_NULL,
  CELL_JV_FALSE,
  CELL_JV_TRUE,
  CELL_JV_INT,
  CELL_JV_REAL,
  CELL_JV_STRING,
  CELL_JV_ARRAY,
  CELL_JV_OBJECT,
} cell_jv_type;

typedef struct cell_jmember cell_jmember;
typedef struct cell_jv {
  uint8_t type;          /* cell_jv_type */
  bool big;              /* CELL_JV_INT above INT64_MAX: the value is in u */
  uint32_t line, col;    /* where the value starts, 1-based (col in bytes) */
  uint32_t n;            /* string bytes, array elements, object members */
  union {
    const char *s;       /* NUL-terminated, no NUL inside */
    int64_t i;
    uint64_t u;
    double d;
    const struct cell_jv *items;
    const cell_jmember *members;
  };
} cell_jv;

struct cell_jmember {
  const char *key;
  cell_jv value;
};

typedef struct cell_jdoc cell_jdoc;

/* Reads text[0..len) into *out (free with cell_jdoc_free). On a syntax
 * error: -EINVAL and "NAME:LINE:COL: what" in err (NAME omitted when NULL);
 * -ENOMEM when memory runs out. */
int cell_json_parse(const char *name, const char *text, size_t len, cell_jdoc **out,
                    cell_error *err);
const cell_jv *cell_jdoc_root(const cell_jdoc *d);
void cell_jdoc_free(cell_jdoc *d);
void cell_jdoc_freep(cell_jdoc **d);
#define _cleanup_jdoc_ __attribute__((cleanup(cell_jdoc_freep)))

/* Every accessor takes NULL (an absent member) and answers as for a value
 * of another type. */
static inline bool cell_jv_is(const cell_jv *v, cell_jv_type t) { return v && v->type == t; }
static inline bool cell_jv_is_null(const cell_jv *v) { return cell_jv_is(v, CELL_JV_NULL); }
static inline bool cell_jv_is_true(const cell_jv *v) { return cell_jv_is(v, CELL_JV_TRUE); }
static inline bool cell_jv_is_bool(const cell_jv *v)
{
  return v && (v->type == CELL_JV_TRUE || v->type == CELL_JV_FALSE);
}
static inline bool cell_jv_is_int(const cell_jv *v) { return cell_jv_is(v, CELL_JV_INT); }
static inline bool cell_jv_is_real(const cell_jv *v) { return cell_jv_is(v, CELL_JV_REAL); }
static inline bool cell_jv_is_number(const cell_jv *v)
{
  return v && (v->type == CELL_JV_INT || v->type == CELL_JV_REAL);
}
static inline bool cell_jv_is_string(const cell_jv *v) { return cell_jv_is(v, CELL_JV_STRING); }
static inline bool cell_jv_is_array(const cell_jv *v) { return cell_jv_is(v, CELL_JV_ARRAY); }
static inline bool cell_jv_is_object(const cell_jv *v) { return cell_jv_is(v, CELL_JV_OBJECT); }

/* The string, or NULL for any other value; its length in bytes. */
static inline const char *cell_jv_str(const cell_jv *v) { return cell_jv_is_string(v) ? v->s : NULL; }
static inline size_t cell_jv_strlen(const cell_jv *v) { return cell_jv_is_string(v) ? v->n : 0; }

/* An integer: true and *out when it fits; false for other values. */
static inline bool cell_jv_i64(const cell_jv *v, int64_t *out)
{
  if (!cell_jv_is_int(v) || v->big)
    return false;
  *out = v->i;
  return true;
}
static inline bool cell_jv_u64(const cell_jv *v, uint64_t *out)
{
  if (!cell_jv_is_int(v) || (!v->big && v->i < 0))
    return false;
  *out = v->u;
  return true;
}
/* An integer as int64 (above INT64_MAX: INT64_MAX), 0 for other values. */
static inline int64_t cell_jv_int(const cell_jv *v)
{
  return !cell_jv_is_int(v) ? 0 : v->big ? INT64_MAX : v->i;
}
/* A number as a double, 0 for other values. */
static inline double cell_jv_real(const cell_jv *v)
{
  if (cell_jv_is_real(v))
    return v->d;
  if (cell_jv_is_int(v))
    return v->big ? (double) v->u : (double) v->i;
  return 0;
}

/* Elements of an array, members of an object; 0 for other values. */
static inline size_t cell_jv_size(const cell_jv *v)
{
  return v && (v->type == CELL_JV_ARRAY || v->type == CELL_JV_OBJECT) ? v->n : 0;
}
static inline const cell_jv *cell_jv_at(const cell_jv *a, size_t i)
{
  return cell_jv_is_array(a) && i < a->n ? &a->items[i] : NULL;
}
/* The member named key (NULL when absent or obj is no object). */
const cell_jv *cell_jv_get(const cell_jv *obj, const char *key);

#define cell_jv_array_foreach(arr, idx, elem)                                               \
  for ((idx) = 0; cell_jv_is_array(arr) && (idx) < (arr)->n && (((elem) = &(arr)->items[idx]), 1); \
       (idx)++)
#define cell_jv_object_foreach(obj, idx, k, val)                                             \
  for ((idx) = 0; cell_jv_is_object(obj) && (idx) < (obj)->n &&                              \
                  (((k) = (obj)->members[idx].key), ((val) = &(obj)->members[idx].value), 1); \
       (idx)++)

/* Is s[0..n) UTF-8 as JSON strings must be (no overlong forms, no
 * surrogates, nothing above U+10FFFF)? The reader's rule, for writers. */
bool cell_utf8_valid(const char *s, size_t n);

/* "string", "integer", ... for messages. */
const char *cell_jv_type_name(const cell_jv *v);
#endif
