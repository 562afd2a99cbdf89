/* A jansson copy of a tree read by util/json.h, for code that edits what it
 * read and writes it back with jansson (state.json's extras, say). Reading
 * itself is json.h's alone. */
#ifndef CELL_UTIL_JSON_JANSSON_H
#define CELL_UTIL_JSON_JANSSON_H
#include <jansson.h>
#include "util/error.h"
#include "util/json.h"

/* A new reference in *out. Fails with EOVERFLOW naming the line and column
 * for an integer above INT64_MAX (jansson holds none), ENOMEM else. */
int cell_jv_to_json(const cell_jv *v, json_t **out, cell_error *err);
#endif
