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
#endif
