/* Entry points: a policy file or text into the IR. */
#include "seccomp/lang/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int setup(lang_ctx *c, const cell_sc_lang_opts *opts, cell_error *err)
{
  memset(c, 0, sizeof *c);
  c->opts = opts;
  c->err = err;
  c->badarch_action = CELL_SC_RET_KILL_THREAD;
  size_t n = opts ? opts->ndefines : 0;
  for (size_t i = 0; i < n; i++) {
    int r = lang_define(c, opts->defines[i], strlen(opts->defines[i]));
    if (r < 0)
      return r;
  }
  return 0;
}

static int run(lang_ctx *c, cell_sc_ir *out)
{
  cell_sc_ir ir;
  int r;
  cell_sc_ir_init(&ir);
  if ((r = lang_parse_src(c, 0)) < 0 || (r = lang_parse_finish(c)) < 0 || (r = lang_lower(c, &ir)) < 0) {
    cell_sc_ir_free(&ir);
    return r;
  }
  if (c->opts && c->opts->warnings_are_errors && c->nwarnings) {
    cell_sc_ir_free(&ir);
    return cell_error_set(c->err, EINVAL, "%u warning%s treated as errors", c->nwarnings,
                          c->nwarnings == 1 ? "" : "s");
  }
  cell_sc_ir_free(out);
  *out = ir;
  return 0;
}

int cell_sc_lang_compile_file(const char *path, const cell_sc_lang_opts *opts, cell_sc_ir *out,
                              cell_error *err)
{
  lang_ctx c;
  uint32_t idx;
  int r = setup(&c, opts, err);
  if (r >= 0 && (r = lang_add_file(&c, path, UINT32_MAX, (lang_loc) { 0 }, &idx)) >= 0)
    r = run(&c, out);
  lang_ctx_free(&c);
  return r;
}

int cell_sc_lang_compile_string(const char *name, const char *text, size_t len,
                                const cell_sc_lang_opts *opts, cell_sc_ir *out, cell_error *err)
{
  lang_ctx c;
  uint32_t idx;
  int r = setup(&c, opts, err);
  if (r >= 0 && (r = lang_add_text(&c, name, text, len, &idx)) >= 0)
    r = run(&c, out);
  lang_ctx_free(&c);
  return r;
}

int lang_parse_recording(lang_ctx *c, const char *name, const char *text, size_t len,
                         const cell_sc_lang_opts *opts, cell_error *err)
{
  uint32_t idx;
  int r = setup(c, opts, err);
  c->record = true;
  if (r >= 0 && (r = lang_add_text(c, name, text, len, &idx)) >= 0 && (r = lang_parse_src(c, idx)) >= 0)
    r = lang_parse_finish(c);
  return r;
}

bool cell_sc_lang_is_policy(const char *path, const char *text, size_t len)
{
  size_t pl = path ? strlen(path) : 0;
  if (pl >= 4 && strcmp(path + pl - 4, ".sec") == 0)
    return true;
  if (pl >= 5 && strcmp(path + pl - 5, ".json") == 0)
    return false;
  if (text && memchr(text, 0, len))   /* a raw BPF program */
    return false;
  for (size_t i = 0; text && i < len; i++) {
    if (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')
      continue;
    return text[i] != '{';
  }
  return false;
}

char *cell_sc_lang_base64(const void *data, size_t len)
{
  static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const unsigned char *p = data;
  char *out = malloc((len + 2) / 3 * 4 + 1), *o = out;
  if (!out)
    return NULL;
  for (size_t i = 0; i < len; i += 3) {
    uint32_t v = (uint32_t) p[i] << 16 | (i + 1 < len ? (uint32_t) p[i + 1] << 8 : 0) | (i + 2 < len ? p[i + 2] : 0);
    *o++ = abc[v >> 18 & 63];
    *o++ = abc[v >> 12 & 63];
    *o++ = i + 1 < len ? abc[v >> 6 & 63] : '=';
    *o++ = i + 2 < len ? abc[v & 63] : '=';
  }
  *o = 0;
  return out;
}
