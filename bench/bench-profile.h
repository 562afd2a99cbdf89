/* The benches' way to read a profile: an OCI config (its linux.seccomp) or
 * a linux.seccomp object alone. */
#ifndef CELL_BENCH_PROFILE_H
#define CELL_BENCH_PROFILE_H
#include <jansson.h>
#include <stdio.h>

/* *root gets the document (json_decref it); returns the seccomp object in
 * it, or NULL after saying why on stderr. */
static inline json_t *bench_load_seccomp(const char *path, json_t **root)
{
  json_error_t je;
  *root = json_load_file(path, 0, &je);
  if (!*root) {
    fprintf(stderr, "%s:%d: %s\n", path, je.line, je.text);
    return NULL;
  }
  json_t *sec = json_object_get(json_object_get(*root, "linux"), "seccomp");
  return sec ? sec : *root;
}
#endif
