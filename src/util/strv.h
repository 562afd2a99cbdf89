/* NULL-terminated string vectors. */
#ifndef CELL_UTIL_STRV_H
#define CELL_UTIL_STRV_H
#include <stddef.h>
size_t cell_strv_len(char *const *v);
void cell_strv_free(char **v);
/* Append a copy of s; returns 0 or -ENOMEM. *v may be NULL. */
int cell_strv_push(char ***v, const char *s);
/* Append s itself (ownership taken on success). */
int cell_strv_push_owned(char ***v, char *s);
char **cell_strv_dup(char *const *v);
/* Index of the "KEY=" entry in an env vector, or -1. */
int cell_env_find(char *const *env, const char *key, size_t keylen);
/* Set or replace "KEY=VALUE" given as one string. */
int cell_env_set(char ***env, const char *kv);
/* The next field of a line of space-separated fields at *cur, cut in
 * place; NULL past the last (strtok_r's " ", without its strspn and
 * strcspn per field: mountinfo is read this way). */
char *cell_field(char **cur);
#endif
