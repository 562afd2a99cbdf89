/* util/json.h, the JSON reader: its own cases, then jansson as the oracle
 * on seeded random documents and on random mutations of them (the same
 * texts accepted and refused, the same trees). JSON_RANDOM_SEED and
 * JSON_RANDOM_N change the run. */
#include "unit.h"
#include "util/json.h"
#include "util/json-jansson.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>

static const cell_jv *parse_ok(const char *text, cell_jdoc **d)
{
  cell_error e = CELL_ERROR_INIT;
  int r = cell_json_parse("t.json", text, strlen(text), d, &e);
  if (r < 0)
    fprintf(stderr, "  unexpected refusal of `%s`: %s\n", text, e.msg);
  cell_error_clear(&e);
  return r < 0 ? NULL : cell_jdoc_root(*d);
}

/* The message of the refusal, or "" when accepted. */
static const char *refusal(const char *text, size_t len)
{
  static char msg[256];
  cell_jdoc *d = NULL;
  cell_error e = CELL_ERROR_INIT;
  msg[0] = '\0';
  if (cell_json_parse("t.json", text, len, &d, &e) < 0) {
    snprintf(msg, sizeof msg, "%s", e.msg);
    if (d)
      snprintf(msg, sizeof msg, "a document left on refusal");
  }
  cell_jdoc_free(d);
  cell_error_clear(&e);
  return msg;
}

TEST(json_values_and_positions)
{
  cell_jdoc *d = NULL;
  const cell_jv *r = parse_ok("{\n  \"a\": [1, -2, 3.5, true, false, null],\n  \"s\": \"x\\ty\\u00e9\\ud83d\\ude00\",\n"
                              "  \"o\": {\"k\": {}}, \"e\": []\n}\n", &d);
  CHECK(cell_jv_is_object(r));
  CHECK_INT(cell_jv_size(r), 4);
  const cell_jv *a = cell_jv_get(r, "a");
  CHECK_INT(cell_jv_size(a), 6);
  CHECK_INT(cell_jv_int(cell_jv_at(a, 0)), 1);
  CHECK_INT(cell_jv_int(cell_jv_at(a, 1)), -2);
  CHECK(cell_jv_is_real(cell_jv_at(a, 2)) && cell_jv_real(cell_jv_at(a, 2)) == 3.5);
  CHECK(cell_jv_is_true(cell_jv_at(a, 3)) && cell_jv_is_bool(cell_jv_at(a, 4)));
  CHECK(cell_jv_is_null(cell_jv_at(a, 5)));
  CHECK(cell_jv_at(a, 6) == NULL);
  CHECK_INT(cell_jv_at(a, 1)->line, 2);
  CHECK_INT(cell_jv_at(a, 1)->col, 12);
  CHECK_STR(cell_jv_str(cell_jv_get(r, "s")), "x\ty\xc3\xa9\xf0\x9f\x98\x80");
  CHECK_INT(cell_jv_strlen(cell_jv_get(r, "s")), 9);
  CHECK_INT(cell_jv_get(r, "s")->line, 3);
  CHECK(cell_jv_is_object(cell_jv_get(cell_jv_get(r, "o"), "k")));
  CHECK(cell_jv_is_array(cell_jv_get(r, "e")) && cell_jv_size(cell_jv_get(r, "e")) == 0);
  CHECK(cell_jv_get(r, "missing") == NULL && cell_jv_get(a, "a") == NULL);
  CHECK(cell_jv_str(NULL) == NULL && cell_jv_size(NULL) == 0 && !cell_jv_is_null(NULL));
  size_t i;
  const cell_jv *e;
  int64_t sum = 0;
  cell_jv_array_foreach(a, i, e) sum += cell_jv_int(e);
  CHECK_INT(sum, -1); /* 1 - 2, and 3.5 is no integer */
  const char *k;
  int n = 0;
  cell_jv_object_foreach(r, i, k, e) n += k[0];
  CHECK_INT(n, 'a' + 's' + 'o' + 'e');
  cell_jdoc_free(d);
  /* A scalar is a document too. */
  r = parse_ok(" \"x\" ", &d);
  CHECK_STR(cell_jv_str(r), "x");
  cell_jdoc_free(d);
}

TEST(json_integers_are_exact_over_int64_and_uint64)
{
  cell_jdoc *d = NULL;
  const cell_jv *r = parse_ok("[18446744073709551615, 9223372036854775808, 9223372036854775807,"
                              " -9223372036854775808, 0, -0]", &d);
  uint64_t u;
  int64_t s;
  CHECK(cell_jv_u64(cell_jv_at(r, 0), &u) && u == UINT64_MAX);
  CHECK(!cell_jv_i64(cell_jv_at(r, 0), &s));
  CHECK_INT(cell_jv_int(cell_jv_at(r, 0)), INT64_MAX);
  CHECK(cell_jv_u64(cell_jv_at(r, 1), &u) && u == (uint64_t) INT64_MAX + 1);
  CHECK(cell_jv_i64(cell_jv_at(r, 2), &s) && s == INT64_MAX);
  CHECK(cell_jv_i64(cell_jv_at(r, 3), &s) && s == INT64_MIN);
  CHECK(!cell_jv_u64(cell_jv_at(r, 3), &u));
  CHECK(cell_jv_u64(cell_jv_at(r, 5), &u) && u == 0);
  CHECK(cell_jv_real(cell_jv_at(r, 0)) == 18446744073709551615.0);
  /* jansson cannot hold the first two: the copy names where they are. */
  json_t *j = NULL;
  cell_error e = CELL_ERROR_INIT;
  CHECK_INT(cell_jv_to_json(r, &j, &e), -EOVERFLOW);
  CHECK(e.msg && strstr(e.msg, "1:2: integer 18446744073709551615"));
  cell_error_clear(&e);
  CHECK_INT(cell_jv_to_json(cell_jv_at(r, 3), &j, &e), 0);
  CHECK(json_integer_value(j) == INT64_MIN);
  json_decref(j);
  cell_jdoc_free(d);
  CHECK(strstr(refusal("18446744073709551616", 20), "t.json:1:1: integer 18446744073709551616 is out of range (above UINT64_MAX)"));
  CHECK(strstr(refusal("[-9223372036854775809]", 22), "out of range (below INT64_MIN)"));
  CHECK(strstr(refusal("1e999", 5), "real number 1e999 overflows"));
}

TEST(json_repeated_keys_keep_the_last)
{
  cell_jdoc *d = NULL;
  const cell_jv *r = parse_ok("{\"a\":1,\"b\":2,\"a\":3}", &d);
  CHECK_INT(cell_jv_size(r), 2);
  CHECK_INT(cell_jv_int(cell_jv_get(r, "a")), 3);
  CHECK_STR(r->members[0].key, "b");
  cell_jdoc_free(d);
  /* Past the quadratic check's size: the sorted one. */
  char big[4096];
  size_t len = 0;
  len += (size_t) snprintf(big + len, sizeof big - len, "{");
  for (int i = 0; i < 40; i++)
    len += (size_t) snprintf(big + len, sizeof big - len, "%s\"k%d\":%d", i ? "," : "", i % 25, i);
  snprintf(big + len, sizeof big - len, "}");
  r = parse_ok(big, &d);
  CHECK_INT(cell_jv_size(r), 25);
  CHECK_INT(cell_jv_int(cell_jv_get(r, "k3")), 28);
  CHECK_INT(cell_jv_int(cell_jv_get(r, "k24")), 24);
  cell_jdoc_free(d);
}

TEST(json_refusals_name_line_and_column)
{
  static const struct { const char *text, *msg; } cases[] = {
    { "", "t.json:1:1: premature end of input: a value expected" },
    { "{\"a\":1,}", "t.json:1:8: a string (a key) expected" },
    { "[1,]", "t.json:1:4: unexpected ']'" },
    { "[1 2]", "t.json:1:4: ',' or ']' expected" },
    { "{\"a\" 1}", "t.json:1:6: ':' expected" },
    { "{\n  \"a\": 01}", "t.json:2:8: invalid number: a leading zero" },
    { "[1.]", "t.json:1:4: invalid number: no digit after '.'" },
    { "[1e]", "t.json:1:4: invalid number: no digit in the exponent" },
    { "[-]", "t.json:1:2: invalid number" },
    { "\"a\\u0000b\"", "\\u0000 is not allowed in a string" },
    { "\"\\udc00\"", "a lone low surrogate" },
    { "\"\\ud800x\"", "no low surrogate after it" },
    { "\"\\ud800\\u0041\"", "invalid Unicode '\\uD800\\u0041'" },
    { "\"\\x\"", "t.json:1:2: invalid escape '\\x'" },
    { "\"\\u12g4\"", "invalid escape '\\u12g4'" },
    { "\"a\nb\"", "t.json:1:3: control character 0xa in a string" },
    { "\"\xc0\xaf\"", "invalid UTF-8 in a string" },
    { "\"\xed\xa0\x80\"", "invalid UTF-8 in a string" },
    { "\"\xf4\x90\x80\x80\"", "invalid UTF-8 in a string" },
    { "\"\xe2\x82\"", "invalid UTF-8 in a string" },
    { "\"abc", "premature end of input in a string" },
    { "[true", "premature end of input: ']' expected" },
    { "{\"a\":1", "premature end of input: '}' expected" },
    { "tru", "invalid token" },
    { "nul", "invalid token" },
    { "{} {}", "t.json:1:4: end of input expected after the value" },
    { "[NaN]", "unexpected 'N'" },
    { "// x\n{}", "unexpected '/'" },
    { "\xef\xbb\xbf{}", "unexpected byte 0xef" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    const char *m = refusal(cases[i].text, strlen(cases[i].text));
    if (!strstr(m, cases[i].msg)) {
      fprintf(stderr, "  `%s`: got `%s`, expected `%s`\n", cases[i].text, m, cases[i].msg);
      CHECK(0);
    }
  }
  /* Without a name, a NUL byte in the text, and the depth limit. */
  cell_jdoc *d = NULL;
  cell_error e = CELL_ERROR_INIT;
  CHECK_INT(cell_json_parse(NULL, "[1,\0]", 5, &d, &e), -EINVAL);
  CHECK_STR(e.msg, "1:4: unexpected byte 0x00");
  CHECK(d == NULL);
  cell_error_clear(&e);
  char deep[2 * CELL_JSON_MAX_DEPTH + 4];
  memset(deep, '[', CELL_JSON_MAX_DEPTH + 1);
  memset(deep + CELL_JSON_MAX_DEPTH + 1, ']', CELL_JSON_MAX_DEPTH + 1);
  CHECK(strstr(refusal(deep, 2 * CELL_JSON_MAX_DEPTH + 2), "nested deeper than 1000"));
  CHECK_STR(refusal(deep + 1, 2 * CELL_JSON_MAX_DEPTH), "");
}

/* ---- jansson as the oracle ---------------------------------------------- */

typedef struct rng { uint64_t s; } rng;
static uint64_t next(rng *r)
{
  r->s ^= r->s << 13;
  r->s ^= r->s >> 7;
  r->s ^= r->s << 17;
  return r->s;
}
static unsigned pick(rng *r, unsigned n) { return (unsigned) (next(r) % n); }

typedef struct buf { char *s; size_t len, cap; } buf;
static void put(buf *b, const char *s, size_t n)
{
  if (b->len + n + 1 > b->cap) {
    b->cap = (b->len + n + 1) * 2;
    b->s = realloc(b->s, b->cap);
  }
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = '\0';
}
static void puts_(buf *b, const char *s) { put(b, s, strlen(s)); }

static void ws(rng *r, buf *b)
{
  static const char *const w[] = { "", "", "", " ", "\n", "\t ", "\r\n  " };
  puts_(b, w[pick(r, 7)]);
}

static void gen_string(rng *r, buf *b)
{
  static const char *const parts[] = {
    "a", "seccomp", "SCMP_ACT_ERRNO", " ", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r",
    "\\t", "\\u0041", "\\u00e9", "\\u20AC", "\\ud83d\\ude00", "\xc3\xa9", "\xe2\x82\xac",
    "\xf0\x9f\x98\x80", "k", "names", "x-y_z.1",
  };
  puts_(b, "\"");
  for (unsigned i = 0, n = pick(r, 6); i < n; i++)
    puts_(b, parts[pick(r, sizeof parts / sizeof *parts)]);
  puts_(b, "\"");
}

static void gen_number(rng *r, buf *b)
{
  char t[64];
  switch (pick(r, 7)) {
  case 0: snprintf(t, sizeof t, "%u", pick(r, 10)); break;
  case 1: snprintf(t, sizeof t, "-%u", pick(r, 100000)); break;
  case 2: snprintf(t, sizeof t, "%" PRId64, (int64_t) next(r)); break;
  case 3: snprintf(t, sizeof t, "%s", pick(r, 2) ? "9223372036854775807" : "-9223372036854775808"); break;
  case 4: snprintf(t, sizeof t, "%u.%u", pick(r, 1000), pick(r, 1000)); break;
  case 5: snprintf(t, sizeof t, "%s%ue%s%u", pick(r, 2) ? "-" : "", pick(r, 100),
                   pick(r, 2) ? "-" : "+", pick(r, 300)); break;
  default: snprintf(t, sizeof t, "0.%03uE2", pick(r, 1000)); break;
  }
  puts_(b, t);
}

static void gen_value(rng *r, buf *b, int depth)
{
  unsigned k = pick(r, depth > 5 ? 6 : 9);
  if (k == 0)
    puts_(b, pick(r, 3) ? (pick(r, 2) ? "true" : "false") : "null");
  else if (k <= 2)
    gen_number(r, b);
  else if (k <= 5)
    gen_string(r, b);
  else if (k <= 6) {
    puts_(b, "[");
    for (unsigned i = 0, n = pick(r, 6); i < n; i++) {
      if (i)
        puts_(b, ",");
      ws(r, b);
      gen_value(r, b, depth + 1);
      ws(r, b);
    }
    puts_(b, "]");
  } else {
    puts_(b, "{");
    for (unsigned i = 0, n = pick(r, 7); i < n; i++) {
      if (i)
        puts_(b, ",");
      ws(r, b);
      if (pick(r, 4))
        gen_string(r, b);
      else /* repeated keys */
        puts_(b, pick(r, 2) ? "\"dup\"" : "\"a\"");
      ws(r, b);
      puts_(b, ":");
      ws(r, b);
      gen_value(r, b, depth + 1);
    }
    puts_(b, "}");
  }
}

static bool same(const cell_jv *v, json_t *j)
{
  switch (v->type) {
  case CELL_JV_NULL: return json_is_null(j);
  case CELL_JV_TRUE: return json_is_true(j);
  case CELL_JV_FALSE: return json_is_false(j);
  case CELL_JV_INT: return json_is_integer(j) && !v->big && json_integer_value(j) == v->i;
  case CELL_JV_REAL: return json_is_real(j) && json_real_value(j) == v->d;
  case CELL_JV_STRING:
    return json_is_string(j) && json_string_length(j) == v->n && memcmp(json_string_value(j), v->s, v->n) == 0;
  case CELL_JV_ARRAY:
    if (!json_is_array(j) || json_array_size(j) != v->n)
      return false;
    for (uint32_t i = 0; i < v->n; i++)
      if (!same(&v->items[i], json_array_get(j, i)))
        return false;
    return true;
  default:
    if (!json_is_object(j) || json_object_size(j) != v->n)
      return false;
    for (uint32_t i = 0; i < v->n; i++) {
      json_t *m = json_object_get(j, v->members[i].key);
      if (!m || !same(&v->members[i].value, m))
        return false;
    }
    return true;
  }
}

/* 1 when both read text alike, 0 when they differ (reported), -1 when the
 * difference is jansson's limit on integers (not compared). */
static int compare(const char *text, size_t len, uint64_t seed, int i)
{
  json_error_t je;
  json_t *j = json_loadb(text, len, JSON_DECODE_ANY, &je);
  cell_jdoc *d = NULL;
  cell_error e = CELL_ERROR_INIT;
  int r = cell_json_parse(NULL, text, len, &d, &e);
  int ok = 1;
  if (!j && strstr(je.text, "too big"))
    ok = -1;
  else if (!j != (r < 0) || (j && !same(cell_jdoc_root(d), j))) {
    fprintf(stderr, "  seed 0x%llx #%d: jansson %s, cell %s on `%.*s`\n", (unsigned long long) seed, i,
            j ? "accepts" : je.text, r < 0 ? e.msg : (j ? "reads another tree" : "accepts"),
            (int) (len > 300 ? 300 : len), text);
    ok = 0;
  }
  json_decref(j);
  cell_jdoc_free(d);
  cell_error_clear(&e);
  return ok;
}

TEST(json_reads_as_jansson_does_on_random_documents)
{
  uint64_t seed = getenv("JSON_RANDOM_SEED") ? strtoull(getenv("JSON_RANDOM_SEED"), NULL, 0) : 0x9e3779b97f4a7c15ull;
  int count = getenv("JSON_RANDOM_N") ? atoi(getenv("JSON_RANDOM_N")) : 3000;
  fprintf(stderr, "  seed 0x%llx, %d documents and their mutations (JSON_RANDOM_SEED, JSON_RANDOM_N)\n",
          (unsigned long long) seed, count);
  rng r = { seed | 1 };
  int bad = 0, mutated = 0, refused = 0;
  static const char noise[] = "{}[],:\"\\ 0123456789-+.eEtrufalsn\x01\x7f\xc3\xa9\xed\xff";
  for (int i = 0; i < count && bad < 5; i++) {
    buf b = { 0 };
    ws(&r, &b);
    gen_value(&r, &b, 0);
    ws(&r, &b);
    if (compare(b.s, b.len, seed, i) == 0)
      bad++;
    /* Mutations: a byte changed, inserted or removed, or the text cut. */
    for (int m = 0; m < 4 && b.len; m++) {
      buf t = { 0 };
      put(&t, b.s, b.len);
      size_t at = pick(&r, (unsigned) t.len);
      switch (pick(&r, 4)) {
      case 0: t.s[at] = noise[pick(&r, sizeof noise - 1)]; break;
      case 1: memmove(t.s + at, t.s + at + 1, t.len - at - 1); t.len--; break;
      case 2: t.len = at; break;
      default:
        put(&t, " ", 1);
        memmove(t.s + at + 1, t.s + at, t.len - at - 1);
        t.s[at] = noise[pick(&r, sizeof noise - 1)];
        break;
      }
      int c = compare(t.s, t.len, seed, i);
      mutated++;
      json_t *jt = json_loadb(t.s, t.len, JSON_DECODE_ANY, NULL);
      refused += jt == NULL;
      json_decref(jt);
      if (c == 0)
        bad++;
      free(t.s);
    }
    free(b.s);
  }
  fprintf(stderr, "  %d mutations, %d of them refused by both\n", mutated, refused);
  CHECK_INT(bad, 0);
  CHECK(refused > mutated / 10);
}

TEST(json_u64_for_the_writer)
{
  json_t *o = json_pack("{s:o, s:o, s:o, s:s, s:[o]}", "max", cell_json_u64(UINT64_MAX), "low",
                        cell_json_u64(7), "edge", cell_json_u64((uint64_t) INT64_MAX + 1), "text",
                        "say \"\001cell-u64:1\" here", "list", cell_json_u64(1ull << 63));
  char *s = cell_json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
  CHECK_STR(s, "{\"edge\":9223372036854775808,\"list\":[9223372036854775808],\"low\":7,"
               "\"max\":18446744073709551615,\"text\":\"say \\\"\\u0001cell-u64:1\\\" here\"}");
  /* and the reader takes it back exactly */
  cell_jdoc *d = NULL;
  uint64_t u;
  const cell_jv *r = s ? parse_ok(s, &d) : NULL;
  CHECK(cell_jv_u64(cell_jv_get(r, "max"), &u) && u == UINT64_MAX);
  CHECK_STR(cell_jv_str(cell_jv_get(r, "text")), "say \"\001cell-u64:1\" here");
  cell_jdoc_free(d);
  free(s);
  json_decref(o);
}

/* The compact writer against jansson's encoder: the same bytes, or both
 * refusing. */
static int same_compact(const json_t *j, const char *what)
{
  char *want = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
  char *got = cell_json_compact(j);
  int ok = (!want && !got) || (want && got && strcmp(want, got) == 0);
  if (!ok)
    fprintf(stderr, "  %s: jansson `%s`, cell `%s`\n", what, want ? want : "(refused)",
            got ? got : "(refused)");
  free(want);
  free(got);
  return ok;
}

TEST(json_compact_writes_what_json_dumps_writes)
{
  /* every byte below 0x80 in a string and in a key, NUL included */
  char all[128];
  for (int i = 0; i < 128; i++)
    all[i] = (char) i;
  json_t *o = json_object();
  json_object_setn_new(o, all, sizeof all, json_stringn(all, sizeof all));
  json_object_set_new(o, "u", json_string("\xc3\xa9\xe2\x80\xa8\xf0\x9f\x98\x80/"));
  json_object_set_new(o, "ints", json_pack("[I,I,i,i]", (json_int_t) INT64_MIN, (json_int_t) INT64_MAX,
                                           0, -7));
  json_object_set_new(o, "reals", json_pack("[f,f,f,f]", 1.0, 0.1, 1e300, -2.5e-7));
  json_object_set_new(o, "empty", json_pack("[{},[],\"\",{s:[]}]", "k"));
  json_object_set_new(o, "big", cell_json_u64(UINT64_MAX));  /* a placeholder stays a string */
  json_object_set_new(o, "lit", json_pack("[b,b,n]", 1, 0));
  json_object_set_new(o, "all", json_true()); /* a key set again keeps its place */
  json_object_set_new(o, "u", json_string("again"));
  CHECK(same_compact(o, "edge cases"));
  /* what jansson refuses to write, the writer refuses too */
  json_t *bad = json_pack("{s:[o]}", "k", json_stringn_nocheck("a\xff", 2));
  char *t = cell_json_compact(bad);
  CHECK(t == NULL && same_compact(bad, "not UTF-8"));
  free(t);
  json_decref(bad);
  /* A key that is not UTF-8 (only json_object_setn_new_nocheck makes one;
   * cell's keys come from its reader or from literals): jansson 2.14 writes
   * a cut string, `{":null}`, and goes on; the writer refuses. */
  bad = json_object();
  json_object_setn_new_nocheck(bad, "\xc0\x80", 2, json_null());
  t = cell_json_compact(bad);
  CHECK(t == NULL);
  free(t);
  json_decref(bad);
  json_decref(o);
  /* scalars alone, as JSON_ENCODE_ANY writes them */
  json_t *s = json_integer(-42);
  CHECK(same_compact(s, "integer"));
  json_decref(s);

  /* random documents (the reader's generator), through jansson's tree */
  rng r = { 0x5eed5eedull | 1 };
  int bad_docs = 0, written = 0;
  for (int i = 0; i < 2000 && bad_docs < 5; i++) {
    buf b = { 0 };
    gen_value(&r, &b, 0);
    json_t *j = json_loadb(b.s, b.len, JSON_DECODE_ANY, NULL);
    if (j) {
      written++;
      if (!same_compact(j, b.s))
        bad_docs++;
    }
    json_decref(j);
    free(b.s);
  }
  CHECK_INT(bad_docs, 0);
  CHECK(written > 1000);
  /* the writer's pieces */
  cell_jout out = { 0 };
  cell_jout_raw(&out, "{", 1);
  cell_jout_string(&out, "k\n", 2);
  cell_jout_raw(&out, ":", 1);
  cell_jout_int(&out, INT64_MIN);
  cell_jout_raw(&out, "}", 1);
  size_t len;
  t = cell_jout_take(&out, &len);
  CHECK_STR(t, "{\"k\\n\":-9223372036854775808}");
  CHECK_INT(len, strlen("{\"k\\n\":-9223372036854775808}"));
  free(t);
  cell_jout_string(&out, "\xed\xa0\x80", 3); /* a surrogate: refused, the buffer dropped */
  cell_jout_raw(&out, "x", 1);
  CHECK(cell_jout_take(&out, &len) == NULL && len == 0);
  CHECK(cell_utf8_valid("a\xc3\xa9", 3) && !cell_utf8_valid("\xc3", 1) && cell_utf8_valid("", 0));
}
