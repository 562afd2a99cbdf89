#include "util/json-loc.h"

#include <string.h>

typedef struct scan {
  const char *s;
  size_t len, pos;
} scan;

static void ws(scan *sc)
{
  while (sc->pos < sc->len && strchr(" \t\r\n", sc->s[sc->pos]))
    sc->pos++;
}

/* Skip a string starting at '"'; returns 0 or -1. */
static int skip_string(scan *sc)
{
  sc->pos++;
  while (sc->pos < sc->len) {
    char c = sc->s[sc->pos++];
    if (c == '\\')
      sc->pos++;
    else if (c == '"')
      return 0;
  }
  return -1;
}

static int skip_value(scan *sc)
{
  ws(sc);
  if (sc->pos >= sc->len)
    return -1;
  char c = sc->s[sc->pos];
  if (c == '"')
    return skip_string(sc);
  if (c == '{' || c == '[') {
    int depth = 0;
    while (sc->pos < sc->len) {
      c = sc->s[sc->pos];
      if (c == '"') {
        if (skip_string(sc) < 0)
          return -1;
        continue;
      }
      if (c == '{' || c == '[')
        depth++;
      else if (c == '}' || c == ']') {
        if (--depth == 0) {
          sc->pos++;
          return 0;
        }
      }
      sc->pos++;
    }
    return -1;
  }
  while (sc->pos < sc->len && !strchr(",}] \t\r\n", sc->s[sc->pos]))
    sc->pos++;
  return 0;
}

/* With sc at '{', find member key; leaves sc at its value. */
static int find_key(scan *sc, const char *key)
{
  size_t klen = strlen(key);
  sc->pos++;
  for (;;) {
    ws(sc);
    if (sc->pos >= sc->len || sc->s[sc->pos] != '"')
      return -1;
    size_t start = sc->pos + 1;
    if (skip_string(sc) < 0)
      return -1;
    size_t end = sc->pos - 1;
    ws(sc);
    if (sc->pos >= sc->len || sc->s[sc->pos] != ':')
      return -1;
    sc->pos++;
    ws(sc);
    if (end - start == klen && memcmp(sc->s + start, key, klen) == 0)
      return 0;
    if (skip_value(sc) < 0)
      return -1;
    ws(sc);
    if (sc->pos >= sc->len || sc->s[sc->pos] != ',')
      return -1;
    sc->pos++;
  }
}

static int find_index(scan *sc, size_t index)
{
  sc->pos++;
  for (size_t i = 0;; i++) {
    ws(sc);
    if (sc->pos >= sc->len || sc->s[sc->pos] == ']')
      return -1;
    if (i == index)
      return 0;
    if (skip_value(sc) < 0)
      return -1;
    ws(sc);
    if (sc->pos >= sc->len || sc->s[sc->pos] != ',')
      return -1;
    sc->pos++;
  }
}

int cell_json_locate(const char *text, size_t len, const cell_json_pathel *path,
                     size_t depth, int *line, int *col)
{
  scan sc = { text, len, 0 };
  size_t found = 0;
  ws(&sc);
  size_t best = sc.pos;
  for (size_t i = 0; i < depth; i++) {
    ws(&sc);
    if (sc.pos >= sc.len)
      break;
    char c = sc.s[sc.pos];
    size_t save = sc.pos;
    int r = -1;
    if (path[i].key && c == '{')
      r = find_key(&sc, path[i].key);
    else if (!path[i].key && c == '[')
      r = find_index(&sc, path[i].index);
    if (r < 0) {
      sc.pos = save;
      break;
    }
    best = sc.pos;
    found++;
  }
  int l = 1, cl = 1;
  for (size_t i = 0; i < best && i < len; i++) {
    if (text[i] == '\n') {
      l++;
      cl = 1;
    } else
      cl++;
  }
  *line = l;
  *col = cl;
  return found == depth ? 0 : 1;
}
