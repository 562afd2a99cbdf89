/* Maps a path inside a JSON document (keys and array indexes) to the line and
 * column where that value starts, for error messages such as
 * "config.json:12:7: process.args: expected an array of strings".
 * Parsing itself is jansson's; this only skips through already valid text. */
#ifndef CELL_UTIL_JSON_LOC_H
#define CELL_UTIL_JSON_LOC_H
#include <stddef.h>
#include "util/json-path.h"

/* Returns 0 and sets *line and *col (1-based) of the value at path, or of the
 * deepest ancestor found when the path does not exist (returns 1 then). */
int cell_json_locate(const char *text, size_t len, const cell_json_pathel *path,
                     size_t depth, int *line, int *col);
#endif
