#include "util/strv.h"
#include "util/cleanup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

size_t cell_strv_len(char *const *v)
{
  size_t n = 0;
  while (v && v[n])
    n++;
  return n;
}

void cell_strv_free(char **v)
{
  for (size_t i = 0; v && v[i]; i++)
    free(v[i]);
  free(v);
}

void cell_strv_freep(char ***v) { cell_strv_free(*v); }

int cell_strv_push_owned(char ***v, char *s)
{
  size_t n = cell_strv_len(*v);
  char **nv = realloc(*v, (n + 2) * sizeof(char *));
  if (!nv)
    return -ENOMEM;
  nv[n] = s;
  nv[n + 1] = NULL;
  *v = nv;
  return 0;
}

int cell_strv_push(char ***v, const char *s)
{
  char *c = strdup(s);
  if (!c)
    return -ENOMEM;
  int r = cell_strv_push_owned(v, c);
  if (r < 0)
    free(c);
  return r;
}

char **cell_strv_dup(char *const *v)
{
  size_t n = cell_strv_len(v);
  char **r = calloc(n + 1, sizeof(char *));
  if (!r)
    return NULL;
  for (size_t i = 0; i < n; i++) {
    r[i] = strdup(v[i]);
    if (!r[i]) {
      cell_strv_free(r);
      return NULL;
    }
  }
  return r;
}

int cell_env_find(char *const *env, const char *key, size_t keylen)
{
  for (size_t i = 0; env && env[i]; i++)
    if (strncmp(env[i], key, keylen) == 0 && env[i][keylen] == '=')
      return (int) i;
  return -1;
}

int cell_env_set(char ***env, const char *kv)
{
  const char *eq = strchr(kv, '=');
  size_t keylen = eq ? (size_t) (eq - kv) : strlen(kv);
  int i = cell_env_find(*env, kv, keylen);
  if (i < 0)
    return cell_strv_push(env, kv);
  char *c = strdup(kv);
  if (!c)
    return -ENOMEM;
  free((*env)[i]);
  (*env)[i] = c;
  return 0;
}

char *cell_field(char **cur)
{
  char *s = *cur;
  while (*s == ' ')
    s++;
  if (!*s) {
    *cur = s;
    return NULL;
  }
  char *e = s;
  while (*e && *e != ' ')
    e++;
  if (*e)
    *e++ = '\0';
  *cur = e;
  return s;
}
