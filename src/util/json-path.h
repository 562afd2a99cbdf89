/* Where a reader of a util/json.h tree is: the path it walked from the
 * value it started at (keys and array indexes) and the value each step
 * reached, so that a message names both the field and its place in the
 * text, "config.json:12:7: process.args: expected an array of strings".
 * The line and column are those util/json.c kept for the value; nothing
 * reads the text a second time. */
#ifndef CELL_UTIL_JSON_PATH_H
#define CELL_UTIL_JSON_PATH_H
#include <stddef.h>
#include "util/json.h"

typedef struct cell_json_pathel {
  const char *key;   /* object member, or NULL for an array index */
  size_t index;
} cell_json_pathel;

/* Deeper steps are counted (pop stays right) but not kept: messages name
 * the first CELL_JPATH_MAX_DEPTH of them. */
#define CELL_JPATH_MAX_DEPTH 24

typedef struct cell_jpath {
  cell_json_pathel el[CELL_JPATH_MAX_DEPTH];
  /* val[i]: the value el[0..i) reach; val[0] the start (NULL: no line:col
   * at all), NULL past an absent member. */
  const cell_jv *val[CELL_JPATH_MAX_DEPTH + 1];
  size_t depth;
} cell_jpath;

/* Start a walk at v (NULL: messages without line:col). */
static inline void cell_jpath_init(cell_jpath *p, const cell_jv *v)
{
  p->val[0] = v;
  p->depth = 0;
}

/* One step down, to v (the member key, or the element i; NULL when absent). */
static inline void cell_jpath_push(cell_jpath *p, cell_json_pathel el, const cell_jv *v)
{
  if (p->depth < CELL_JPATH_MAX_DEPTH) {
    p->el[p->depth] = el;
    p->val[p->depth + 1] = v;
  }
  p->depth++;
}
static inline void cell_jpath_push_key(cell_jpath *p, const char *key, const cell_jv *v)
{
  cell_jpath_push(p, (cell_json_pathel) { key, 0 }, v);
}
static inline void cell_jpath_push_index(cell_jpath *p, size_t i, const cell_jv *v)
{
  cell_jpath_push(p, (cell_json_pathel) { NULL, i }, v);
}
static inline void cell_jpath_pop(cell_jpath *p)
{
  if (p->depth > 0)
    p->depth--;
}
/* The steps kept: p->el[0..n). */
static inline size_t cell_jpath_kept(const cell_jpath *p)
{
  return p->depth < CELL_JPATH_MAX_DEPTH ? p->depth : CELL_JPATH_MAX_DEPTH;
}

/* The value the path reaches, or when it ends at an absent member the
 * deepest one on the way; NULL when the walk has no start. */
const cell_jv *cell_jpath_value(const cell_jpath *p);

/* Write el[0..n) after the off bytes already in buf ("process.args[2]",
 * with a "." before a key when off > 0), as snprintf does: buf (of size
 * bytes) stays NUL-terminated, and the length the whole text would have
 * is returned (off included). buf may be NULL when size is 0. */
size_t cell_json_path_fmt(char *buf, size_t size, size_t off, const cell_json_pathel *el, size_t n);
#endif
