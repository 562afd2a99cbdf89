/* Tests write JSON with jansson (the writer cell uses too) and hand it to
 * cell as cell reads it: written out and read back by util/json.h. */
#ifndef CELL_TESTS_JV_H
#define CELL_TESTS_JV_H
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/json.h"

/* j as cell's reader sees it; *doc holds it (free with cell_jdoc_free).
 * NULL, with the reason on stderr, when j is NULL or the reader refuses. */
static inline const cell_jv *t_jv(const json_t *j, cell_jdoc **doc)
{
  *doc = NULL;
  char *text = j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
  if (!text)
    return NULL;
  cell_error e = CELL_ERROR_INIT;
  if (cell_json_parse("<test json>", text, strlen(text), doc, &e) < 0)
    fprintf(stderr, "  t_jv: %s\n", e.msg);
  cell_error_clear(&e);
  free(text);
  return cell_jdoc_root(*doc);
}
/* text as cell reads it (NULL, with the reason on stderr, when refused). */
static inline const cell_jv *t_text(const char *text, cell_jdoc **doc)
{
  cell_error e = CELL_ERROR_INIT;
  *doc = NULL;
  if (cell_json_parse("<test json>", text, strlen(text), doc, &e) < 0)
    fprintf(stderr, "  t_text: %s\n", e.msg);
  cell_error_clear(&e);
  return cell_jdoc_root(*doc);
}
#endif
