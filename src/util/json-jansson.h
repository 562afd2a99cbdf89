/* jansson beside util/json.h: a jansson copy of a tree read by json.h, for
 * code that edits what it read and writes it back (state.json's extras,
 * say), and uint64 integers for jansson's writer. Reading itself is
 * json.h's alone. */
#ifndef CELL_UTIL_JSON_JANSSON_H
#define CELL_UTIL_JSON_JANSSON_H
#include <jansson.h>
#include "util/error.h"
#include "util/json.h"

/* A new reference in *out. Fails with EOVERFLOW naming the line and column
 * for an integer above INT64_MAX (jansson holds none), ENOMEM else. */
int cell_jv_to_json(const cell_jv *v, json_t **out, cell_error *err);

/* An integer exact up to UINT64_MAX for the writer: jansson holds int64
 * only, so a value above INT64_MAX is a placeholder that cell_json_dumps
 * writes as the number (runc reads uint64 fields and refuses the negative
 * two's complement spelling). NULL when memory runs out. */
json_t *cell_json_u64(uint64_t v);
/* json_dumps, with cell_json_u64's placeholders written as numbers. */
char *cell_json_dumps(const json_t *j, size_t flags);

/* The compact writer: the very text of json_dumps(j, JSON_COMPACT |
 * JSON_ENCODE_ANY), placeholders included (as strings), at a fraction of
 * its cost (jansson's encoder spends ~150 instructions a byte: a UTF-8
 * decode and a callback per character, a formatted key and a hash table
 * per object against loops). For the writes on every container's path
 * (state.json three times a `run`). Text is appended to a cell_jout; what
 * jansson would refuse to write (a string that is not UTF-8; here also
 * nesting deeper than twice CELL_JSON_MAX_DEPTH, for the stack) or a failed
 * allocation marks it failed. */
typedef struct cell_jout {
  char *s;
  size_t len, cap;
  bool failed;
} cell_jout;
void cell_jout_raw(cell_jout *o, const char *s, size_t n);
/* s[0..n) as a JSON string, quoted and escaped. */
void cell_jout_string(cell_jout *o, const char *s, size_t n);
void cell_jout_int(cell_jout *o, long long v);
void cell_jout_value(cell_jout *o, const json_t *j);
/* The text, NUL-terminated (free it), and its length; NULL when the writer
 * failed (the buffer is freed either way). */
char *cell_jout_take(cell_jout *o, size_t *len);
/* cell_jout_value of j alone: json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY). */
char *cell_json_compact(const json_t *j);
#endif
