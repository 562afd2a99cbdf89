/* The JSON reader (json.h): recursive descent over a private copy of the
 * text. Strings are unescaped in place in that copy and NUL-terminated
 * where their closing quote was; the elements of an array and the members
 * of an object are gathered on two scratch stacks while they are read and
 * copied whole into the document's arena when the array or object closes. */
#include "util/json.h"
#include "util/array.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct chunk {
  struct chunk *next;
  size_t used, size;
  max_align_t data[];
} chunk;

struct cell_jdoc {
  char *text;
  chunk *chunks;
  cell_jv root;
};

typedef struct parser {
  cell_jdoc *doc;
  char *p, *end;
  const char *line_start;
  uint32_t line;
  unsigned depth;
  cell_jv *vals;             /* scratch stack of array elements */
  size_t nvals, cvals;
  cell_jmember *mems;        /* scratch stack of object members */
  size_t nmems, cmems;
  int code;                  /* the first failure: -EINVAL or -ENOMEM */
  uint32_t eline, ecol;
  char emsg[96];
} parser;

static __attribute__((format(printf, 2, 3))) int syntax(parser *ps, const char *fmt, ...)
{
  if (ps->code)
    return ps->code;
  ps->code = -EINVAL;
  ps->eline = ps->line;
  ps->ecol = (uint32_t) (ps->p - ps->line_start) + 1;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ps->emsg, sizeof ps->emsg, fmt, ap);
  va_end(ap);
  return ps->code;
}

static int nomem(parser *ps)
{
  if (!ps->code)
    ps->code = -ENOMEM;
  return ps->code;
}

static void *arena_alloc(parser *ps, size_t bytes)
{
  bytes = (bytes + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
  chunk *c = ps->doc->chunks;
  if (!c || c->size - c->used < bytes) {
    size_t size = bytes > 16384 ? bytes : 16384;
    c = malloc(sizeof *c + size);
    if (!c)
      return NULL;
    c->size = size;
    c->used = 0;
    c->next = ps->doc->chunks;
    ps->doc->chunks = c;
  }
  void *r = (char *) c->data + c->used;
  c->used += bytes;
  return r;
}

static void skip_ws(parser *ps)
{
  char *p = ps->p;
  for (; p < ps->end; p++) {
    char c = *p;
    if (c == '\n') {
      ps->line++;
      ps->line_start = p + 1;
    } else if (c != ' ' && c != '\t' && c != '\r') {
      break;
    }
  }
  ps->p = p;
}

static int hex4(parser *ps, const char *s, unsigned *out)
{
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    char c = s[i];
    v <<= 4;
    if (c >= '0' && c <= '9')
      v |= (unsigned) (c - '0');
    else if (c >= 'a' && c <= 'f')
      v |= (unsigned) (c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      v |= (unsigned) (c - 'A' + 10);
    else
      return syntax(ps, "invalid escape '\\u%.4s'", s);
  }
  *out = v;
  return 0;
}

static char *put_utf8(char *d, unsigned cp)
{
  if (cp < 0x80) {
    *d++ = (char) cp;
  } else if (cp < 0x800) {
    *d++ = (char) (0xc0 | (cp >> 6));
    *d++ = (char) (0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    *d++ = (char) (0xe0 | (cp >> 12));
    *d++ = (char) (0x80 | ((cp >> 6) & 0x3f));
    *d++ = (char) (0x80 | (cp & 0x3f));
  } else {
    *d++ = (char) (0xf0 | (cp >> 18));
    *d++ = (char) (0x80 | ((cp >> 12) & 0x3f));
    *d++ = (char) (0x80 | ((cp >> 6) & 0x3f));
    *d++ = (char) (0x80 | (cp & 0x3f));
  }
  return d;
}

/* Length of the UTF-8 sequence at s (< end), 0 when it is not valid
 * (overlong, surrogate, above U+10FFFF, cut short). */
static size_t utf8_len(const unsigned char *s, const unsigned char *end)
{
  unsigned c = s[0];
  size_t n;
  unsigned min;
  if (c >= 0xc2 && c <= 0xdf)
    n = 2, min = 0x80;
  else if (c >= 0xe0 && c <= 0xef)
    n = 3, min = 0x800;
  else if (c >= 0xf0 && c <= 0xf4)
    n = 4, min = 0x10000;
  else
    return 0;
  if ((size_t) (end - s) < n)
    return 0;
  unsigned cp = c & (0x3f >> (n - 1));
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xc0) != 0x80)
      return 0;
    cp = (cp << 6) | (s[i] & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return n;
}

bool cell_utf8_valid(const char *s, size_t n)
{
  const unsigned char *p = (const unsigned char *) s, *end = p + n;
  while (p < end) {
    if (*p < 0x80) {
      p++;
      continue;
    }
    size_t k = utf8_len(p, end);
    if (!k)
      return false;
    p += k;
  }
  return true;
}

/* At the opening quote. Unescapes in place; *s and *n the result. */
static int read_string(parser *ps, const char **s, uint32_t *n)
{
  char *start = ++ps->p, *src = start, *dst = start, *end = ps->end;
  for (;;) {
    /* The plain run: nothing to rewrite while dst == src. */
    while (src < end) {
      unsigned char c = (unsigned char) *src;
      if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
        break;
      if (dst != src)
        *dst = (char) c;
      src++, dst++;
    }
    if (src >= end) {
      ps->p = src;
      return syntax(ps, "premature end of input in a string");
    }
    unsigned char c = (unsigned char) *src;
    if (c == '"') {
      *dst = '\0';
      ps->p = src + 1;
      *s = start;
      *n = (uint32_t) (dst - start);
      return 0;
    }
    if (c < 0x20) {
      ps->p = src;
      return syntax(ps, "control character 0x%x in a string", c);
    }
    if (c >= 0x80) {
      size_t k = utf8_len((const unsigned char *) src, (const unsigned char *) end);
      if (!k) {
        ps->p = src;
        return syntax(ps, "invalid UTF-8 in a string");
      }
      if (dst != src)
        memmove(dst, src, k);
      src += k, dst += k;
      continue;
    }
    /* A backslash. */
    if (end - src < 2) {
      ps->p = src;
      return syntax(ps, "premature end of input in a string");
    }
    char e = src[1], out;
    switch (e) {
    case '"': out = '"'; break;
    case '\\': out = '\\'; break;
    case '/': out = '/'; break;
    case 'b': out = '\b'; break;
    case 'f': out = '\f'; break;
    case 'n': out = '\n'; break;
    case 'r': out = '\r'; break;
    case 't': out = '\t'; break;
    default: out = 0; break;
    }
    if (out) {
      *dst++ = out;
      src += 2;
      continue;
    }
    if (e != 'u') {
      ps->p = src;
      return syntax(ps, "invalid escape '\\%c'", e);
    }
    unsigned cp;
    if (end - src < 6) {
      ps->p = src;
      return syntax(ps, "premature end of input in a string");
    }
    ps->p = src;
    if (hex4(ps, src + 2, &cp) < 0)
      return ps->code;
    src += 6;
    if (cp >= 0xdc00 && cp <= 0xdfff)
      return syntax(ps, "invalid Unicode '\\u%04X' (a lone low surrogate)", cp);
    if (cp >= 0xd800 && cp <= 0xdbff) {
      unsigned lo;
      if (end - src < 6 || src[0] != '\\' || src[1] != 'u')
        return syntax(ps, "invalid Unicode '\\u%04X' (no low surrogate after it)", cp);
      ps->p = src;
      if (hex4(ps, src + 2, &lo) < 0)
        return ps->code;
      if (lo < 0xdc00 || lo > 0xdfff)
        return syntax(ps, "invalid Unicode '\\u%04X\\u%04X'", cp, lo);
      cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
      src += 6;
    }
    if (cp == 0)
      return syntax(ps, "\\u0000 is not allowed in a string");
    dst = put_utf8(dst, cp);
  }
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static int read_number(parser *ps, cell_jv *v)
{
  char *s = ps->p, *p = s, *end = ps->end;
  bool neg = p < end && *p == '-';
  if (neg)
    p++;
  if (p >= end || !is_digit(*p))
    return syntax(ps, "invalid number");
  if (*p == '0' && p + 1 < end && is_digit(p[1]))
    return syntax(ps, "invalid number: a leading zero");
  uint64_t mag = 0;
  bool over = false;
  for (; p < end && is_digit(*p); p++) {
    unsigned d = (unsigned) (*p - '0');
    if (mag > (UINT64_MAX - d) / 10)
      over = true;
    mag = mag * 10 + d;
  }
  bool real = false;
  if (p < end && *p == '.') {
    real = true;
    if (++p >= end || !is_digit(*p)) {
      ps->p = p;
      return syntax(ps, "invalid number: no digit after '.'");
    }
    while (p < end && is_digit(*p))
      p++;
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    real = true;
    p++;
    if (p < end && (*p == '+' || *p == '-'))
      p++;
    if (p >= end || !is_digit(*p)) {
      ps->p = p;
      return syntax(ps, "invalid number: no digit in the exponent");
    }
    while (p < end && is_digit(*p))
      p++;
  }
  if (!real) {
    if (over || (neg && mag > (uint64_t) INT64_MAX + 1))
      return syntax(ps, "integer %.*s is out of range (%s)", (int) (p - s > 40 ? 40 : p - s), s,
                    neg ? "below INT64_MIN" : "above UINT64_MAX");
    v->type = CELL_JV_INT;
    if (neg) {
      v->i = mag == (uint64_t) INT64_MAX + 1 ? INT64_MIN : -(int64_t) mag;
    } else {
      v->u = mag;
      v->big = mag > (uint64_t) INT64_MAX;
    }
    ps->p = p;
    return 0;
  }
  /* strtod needs a terminated token: the byte after it is white space, a
   * delimiter or the end, so borrow it. */
  char buf[64];
  size_t len = (size_t) (p - s);
  char *tok = len < sizeof buf ? buf : malloc(len + 1);
  if (!tok)
    return nomem(ps);
  memcpy(tok, s, len);
  tok[len] = '\0';
  errno = 0;
  double d = strtod(tok, NULL);
  int saved = errno;
  if (tok != buf)
    free(tok);
  if (saved == ERANGE && isinf(d))
    return syntax(ps, "real number %.*s overflows", (int) (len > 40 ? 40 : len), s);
  v->type = CELL_JV_REAL;
  v->d = d;
  ps->p = p;
  return 0;
}

static int read_value(parser *ps, cell_jv *v);

static int literal(parser *ps, const char *word, size_t len, cell_jv_type t, cell_jv *v)
{
  if ((size_t) (ps->end - ps->p) < len || memcmp(ps->p, word, len) != 0)
    return syntax(ps, "invalid token");
  ps->p += len;
  v->type = (uint8_t) t;
  return 0;
}

static int read_array(parser *ps, cell_jv *v)
{
  size_t base = ps->nvals;
  ps->p++;
  skip_ws(ps);
  if (ps->p < ps->end && *ps->p == ']') {
    ps->p++;
  } else {
    for (;;) {
      cell_jv e;
      if (read_value(ps, &e) < 0)
        return ps->code;
      if (cell_grow((void **) &ps->vals, &ps->cvals, ps->nvals + 1, sizeof *ps->vals) < 0)
        return nomem(ps);
      ps->vals[ps->nvals++] = e;
      skip_ws(ps);
      if (ps->p >= ps->end)
        return syntax(ps, "premature end of input: ']' expected");
      char c = *ps->p++;
      if (c == ']')
        break;
      if (c != ',') {
        ps->p--;
        return syntax(ps, "',' or ']' expected");
      }
      skip_ws(ps);
    }
  }
  size_t n = ps->nvals - base;
  v->type = CELL_JV_ARRAY;
  v->n = (uint32_t) n;
  v->items = NULL;
  if (n) {
    cell_jv *items = arena_alloc(ps, n * sizeof *items);
    if (!items)
      return nomem(ps);
    memcpy(items, ps->vals + base, n * sizeof *items);
    v->items = items;
  }
  ps->nvals = base;
  return 0;
}

static int cmp_member_key(const void *a, const void *b)
{
  const cell_jmember *const *x = a, *const *y = b;
  int r = strcmp((*x)->key, (*y)->key);
  /* Equal keys: in document order, so the last of a run is the last one. */
  return r ? r : (*x < *y ? -1 : *x > *y);
}

/* Drops every member whose key comes again later, keeping the order of
 * the rest. */
static int drop_repeated_keys(parser *ps, cell_jmember *m, size_t *n)
{
  size_t k = *n;
  bool any = false;
  if (k <= 16) {
    for (size_t i = 0; i < k; i++)
      for (size_t j = i + 1; j < k && m[i].key; j++)
        if (strcmp(m[i].key, m[j].key) == 0) {
          m[i].key = NULL;
          any = true;
        }
  } else {
    cell_jmember **idx = malloc(k * sizeof *idx);
    if (!idx)
      return nomem(ps);
    for (size_t i = 0; i < k; i++)
      idx[i] = &m[i];
    qsort(idx, k, sizeof *idx, cmp_member_key);
    for (size_t i = 0; i + 1 < k; i++)
      if (strcmp(idx[i]->key, idx[i + 1]->key) == 0) {
        idx[i]->key = NULL;
        any = true;
      }
    free(idx);
  }
  if (!any)
    return 0;
  size_t w = 0;
  for (size_t i = 0; i < k; i++)
    if (m[i].key)
      m[w++] = m[i];
  *n = w;
  return 0;
}

static int read_object(parser *ps, cell_jv *v)
{
  size_t base = ps->nmems;
  ps->p++;
  skip_ws(ps);
  if (ps->p < ps->end && *ps->p == '}') {
    ps->p++;
  } else {
    for (;;) {
      if (ps->p >= ps->end || *ps->p != '"')
        return syntax(ps, ps->p >= ps->end ? "premature end of input: a key expected"
                                           : "a string (a key) expected");
      const char *key;
      uint32_t klen;
      if (read_string(ps, &key, &klen) < 0)
        return ps->code;
      skip_ws(ps);
      if (ps->p >= ps->end || *ps->p != ':')
        return syntax(ps, "':' expected");
      ps->p++;
      skip_ws(ps);
      cell_jv val;
      if (read_value(ps, &val) < 0)
        return ps->code;
      if (cell_grow((void **) &ps->mems, &ps->cmems, ps->nmems + 1, sizeof *ps->mems) < 0)
        return nomem(ps);
      ps->mems[ps->nmems++] = (cell_jmember) { key, val };
      skip_ws(ps);
      if (ps->p >= ps->end)
        return syntax(ps, "premature end of input: '}' expected");
      char c = *ps->p++;
      if (c == '}')
        break;
      if (c != ',') {
        ps->p--;
        return syntax(ps, "',' or '}' expected");
      }
      skip_ws(ps);
    }
  }
  size_t n = ps->nmems - base;
  if (n > 1 && drop_repeated_keys(ps, ps->mems + base, &n) < 0)
    return ps->code;
  v->type = CELL_JV_OBJECT;
  v->n = (uint32_t) n;
  v->members = NULL;
  if (n) {
    cell_jmember *m = arena_alloc(ps, n * sizeof *m);
    if (!m)
      return nomem(ps);
    memcpy(m, ps->mems + base, n * sizeof *m);
    v->members = m;
  }
  ps->nmems = base;
  return 0;
}

/* At the value's first byte (white space skipped). */
static int read_value(parser *ps, cell_jv *v)
{
  *v = (cell_jv) { .line = ps->line, .col = (uint32_t) (ps->p - ps->line_start) + 1 };
  if (ps->p >= ps->end)
    return syntax(ps, "premature end of input: a value expected");
  int r;
  switch (*ps->p) {
  case '{':
  case '[':
    if (++ps->depth > CELL_JSON_MAX_DEPTH)
      return syntax(ps, "nested deeper than %d", CELL_JSON_MAX_DEPTH);
    r = *ps->p == '{' ? read_object(ps, v) : read_array(ps, v);
    ps->depth--;
    return r;
  case '"':
    v->type = CELL_JV_STRING;
    return read_string(ps, &v->s, &v->n);
  case 't':
    return literal(ps, "true", 4, CELL_JV_TRUE, v);
  case 'f':
    return literal(ps, "false", 5, CELL_JV_FALSE, v);
  case 'n':
    return literal(ps, "null", 4, CELL_JV_NULL, v);
  default:
    if (*ps->p == '-' || is_digit(*ps->p))
      return read_number(ps, v);
    if ((unsigned char) *ps->p < 0x20 || (unsigned char) *ps->p >= 0x7f)
      return syntax(ps, "unexpected byte 0x%02x", (unsigned char) *ps->p);
    return syntax(ps, "unexpected '%c'", *ps->p);
  }
}

int cell_json_parse(const char *name, const char *text, size_t len, cell_jdoc **out,
                    cell_error *err)
{
  *out = NULL;
  if (len > UINT32_MAX)
    return cell_error_set(err, EFBIG, "%s%sJSON text of %zu bytes is larger than 4 GiB",
                          name ? name : "", name ? ": " : "", len);
  cell_jdoc *d = calloc(1, sizeof *d);
  if (!d || !(d->text = malloc(len + 1))) {
    free(d);
    return cell_error_set(err, ENOMEM, "%s%sJSON text: out of memory", name ? name : "",
                          name ? ": " : "");
  }
  memcpy(d->text, text, len);
  d->text[len] = '\0';
  parser ps = {
    .doc = d, .p = d->text, .end = d->text + len, .line_start = d->text, .line = 1,
  };
  skip_ws(&ps);
  if (read_value(&ps, &d->root) == 0) {
    skip_ws(&ps);
    if (ps.p < ps.end)
      syntax(&ps, "end of input expected after the value");
  }
  free(ps.vals);
  free(ps.mems);
  if (ps.code) {
    cell_jdoc_free(d);
    if (ps.code == -ENOMEM)
      return cell_error_set(err, ENOMEM, "%s%sJSON text: out of memory", name ? name : "",
                            name ? ": " : "");
    if (name)
      return cell_error_set(err, EINVAL, "%s:%u:%u: %s", name, ps.eline, ps.ecol, ps.emsg);
    return cell_error_set(err, EINVAL, "%u:%u: %s", ps.eline, ps.ecol, ps.emsg);
  }
  *out = d;
  return 0;
}

const cell_jv *cell_jdoc_root(const cell_jdoc *d)
{
  return d ? &d->root : NULL;
}

void cell_jdoc_free(cell_jdoc *d)
{
  if (!d)
    return;
  for (chunk *c = d->chunks, *next; c; c = next) {
    next = c->next;
    free(c);
  }
  free(d->text);
  free(d);
}

void cell_jdoc_freep(cell_jdoc **d)
{
  cell_jdoc_free(*d);
  *d = NULL;
}

const cell_jv *cell_jv_get(const cell_jv *obj, const char *key)
{
  if (!cell_jv_is_object(obj))
    return NULL;
  /* the keys of an object mostly differ in their first byte: a call of
   * strcmp only for those that do not */
  for (uint32_t i = 0; i < obj->n; i++)
    if (obj->members[i].key[0] == key[0] && strcmp(obj->members[i].key, key) == 0)
      return &obj->members[i].value;
  return NULL;
}

const char *cell_jv_type_name(const cell_jv *v)
{
  static const char *const names[] = {
    [CELL_JV_NULL] = "null",    [CELL_JV_FALSE] = "boolean", [CELL_JV_TRUE] = "boolean",
    [CELL_JV_INT] = "integer",  [CELL_JV_REAL] = "real",     [CELL_JV_STRING] = "string",
    [CELL_JV_ARRAY] = "array",  [CELL_JV_OBJECT] = "object",
  };
  return v ? names[v->type] : "absent";
}
