/* Growing heap arrays: `if (cell_grow((void **) &v, &cap, n + 1, sizeof *v) < 0)`. */
#ifndef CELL_UTIL_ARRAY_H
#define CELL_UTIL_ARRAY_H
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

/* Make room for need elements of size bytes in *p (capacity *cap, doubled
 * from 16). 0, or -ENOMEM with *p untouched. */
static inline int cell_grow(void **p, size_t *cap, size_t need, size_t size)
{
  if (need <= *cap)
    return 0;
  size_t n = *cap ? *cap : 16;
  while (n < need)
    n *= 2;
  void *q = realloc(*p, n * size);
  if (!q)
    return -ENOMEM;
  *p = q;
  *cap = n;
  return 0;
}
#endif
