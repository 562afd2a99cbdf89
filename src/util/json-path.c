#include "util/json-path.h"

#include <stdio.h>
#include <string.h>

const cell_jv *cell_jpath_value(const cell_jpath *p)
{
  size_t d = cell_jpath_kept(p);
  const cell_jv *v = p->val[d];
  while (!v && d > 0)
    v = p->val[--d];
  return v;
}

/* s[0..n) at buf[off..): as much as fits, NUL-terminated */
static void put(char *buf, size_t size, size_t off, const char *s, size_t n)
{
  if (off + 1 >= size) {
    if (size)
      buf[size - 1] = '\0';
    return;
  }
  size_t room = size - off - 1;
  memcpy(buf + off, s, n < room ? n : room);
  buf[off + (n < room ? n : room)] = '\0';
}

size_t cell_json_path_fmt(char *buf, size_t size, size_t off, const cell_json_pathel *el, size_t n)
{
  if (size && off < size)
    buf[off] = '\0';
  for (size_t i = 0; i < n; i++) {
    if (el[i].key) {
      if (off) {
        put(buf, size, off, ".", 1);
        off++;
      }
      size_t k = strlen(el[i].key);
      put(buf, size, off, el[i].key, k);
      off += k;
    } else {
      char idx[32];
      int k = snprintf(idx, sizeof idx, "[%zu]", el[i].index);
      put(buf, size, off, idx, (size_t) k);
      off += (size_t) k;
    }
  }
  return off;
}
