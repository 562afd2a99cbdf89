/* Every policy in docs/seccomp-language.md compiles, in its spelling and in
 * the other one; a block marked `sec easyseccomp` followed by one marked
 * `sec cell` is one policy in both spellings: the same filter.  With and
 * without each name the policy tests with #ifdef. */
#include <stdlib.h>
#include "helpers.h"
#include "seccomp/seccomp.h"
#include "unit.h"

static bool compiles_to(const char *text, const char *const *defs, cell_seccomp_filter *f, const char *what)
{
  cell_error err = CELL_ERROR_INIT;
  int r = l_filter(text, defs, f, &err);
  if (r < 0)
    fprintf(stderr, "  %s: %s\n%s", what, err.msg, text);
  cell_error_cleanup(&err);
  return r == 0;
}

static bool same(const cell_seccomp_filter *a, const cell_seccomp_filter *b)
{
  return a->len == b->len && !memcmp(a->insns, b->insns, a->len * sizeof *a->insns);
}

static char *respelled(const char *text, bool easy)
{
  cell_sc_lang_opts o = { .native_arch = "x86_64" };
  char *out = NULL;
  cell_error err = CELL_ERROR_INIT;
  if (cell_sc_lang_restyle("doc.sec", text, strlen(text), &o, easy ? CELL_SC_STYLE_EASYSECCOMP : CELL_SC_STYLE_CELL,
                           false, &out, &err) < 0)
    fprintf(stderr, "  respelling: %s\n", err.msg);
  cell_error_cleanup(&err);
  return out;
}

TEST(lang_doc_examples)
{
  char *doc = l_read("docs/seccomp-language.md");
  CHECK(doc != NULL);
  if (!doc)
    return;
  unsigned blocks = 0, pairs = 0;
  char *prev_easy = NULL;
  for (char *p = doc; (p = strstr(p, "\n```sec")); ) {
    char *info = p + 4, *body = strchr(info, '\n');
    char *end = body ? strstr(body, "\n```\n") : NULL;
    if (!end)
      break;
    bool easy = !strncmp(info, "sec easyseccomp", 15), cell = !strncmp(info, "sec cell", 8);
    char *text = strndup(body + 1, (size_t) (end - body));
    blocks++;
    static const char *const none[] = { NULL }, *const strict[] = { "STRICT", NULL }, *const debug[] = { "DEBUG", NULL };
    const char *const *variants[] = { none, strict, debug };
    for (size_t v = 0; v < 3; v++) {
      cell_seccomp_filter a, b;
      if (!compiles_to(text, variants[v], &a, "a doc example")) {
        CHECK(false);
        continue;
      }
      /* in the other spelling */
      char *other = respelled(text, !easy);
      CHECK(other != NULL);
      if (other && compiles_to(other, variants[v], &b, "a doc example respelled")) {
        if (!same(&a, &b))
          fprintf(stderr, "  a doc example compiles differently respelled:\n%s", other);
        CHECK(same(&a, &b));
        cell_seccomp_filter_free(&b);
      }
      free(other);
      /* the pair */
      if (cell && prev_easy && compiles_to(prev_easy, variants[v], &b, "the easyseccomp block")) {
        if (!same(&a, &b))
          fprintf(stderr, "  the two spellings of a doc example compile differently\n");
        CHECK(same(&a, &b));
        pairs += v == 0;
        cell_seccomp_filter_free(&b);
      }
      cell_seccomp_filter_free(&a);
    }
    if (cell && prev_easy) {
      /* each one written from the other, as the doc says */
      cell_sc_lang_opts o = { .native_arch = "x86_64" };
      char *to_easy = NULL, *to_cell = NULL, *want_easy = NULL, *want_cell = NULL;
      cell_error err = CELL_ERROR_INIT;
      CHECK_INT(cell_sc_lang_restyle("doc.sec", text, strlen(text), &o, CELL_SC_STYLE_EASYSECCOMP, true, &to_easy,
                                     &err), 0);
      CHECK_INT(cell_sc_lang_restyle("doc.sec", prev_easy, strlen(prev_easy), &o, CELL_SC_STYLE_CELL, true,
                                     &to_cell, &err), 0);
      CHECK_INT(cell_sc_lang_format("doc.sec", prev_easy, strlen(prev_easy), &want_easy, &err), 0);
      CHECK_INT(cell_sc_lang_format("doc.sec", text, strlen(text), &want_cell, &err), 0);
      if (to_easy && want_easy)
        CHECK_STR(to_easy, want_easy);
      if (to_cell && want_cell)
        CHECK_STR(to_cell, want_cell);
      free(to_easy);
      free(to_cell);
      free(want_easy);
      free(want_cell);
      cell_error_cleanup(&err);
    }
    free(prev_easy);
    prev_easy = easy ? text : NULL;
    if (!easy)
      free(text);
    p = end + 1;
  }
  free(prev_easy);
  free(doc);
  CHECK(blocks >= 3);
  CHECK(pairs >= 1);
}
