/* Sources, and diagnostics "file:line:col: message" with the source line
 * and a caret under the column. */
#include "seccomp/lang/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "util/cleanup.h"

#define LANG_MAX_FILE (16u << 20)

static int add_src(lang_ctx *c, char *name, char *text, size_t len, uint32_t *idx)
{
  lang_src *s = realloc(c->srcs, (c->nsrcs + 1) * sizeof *s);
  if (!s) {
    free(name);
    free(text);
    return cell_error_set(c->err, ENOMEM, "out of memory");
  }
  c->srcs = s;
  s[c->nsrcs] = (lang_src) { name, text, len };
  *idx = (uint32_t) c->nsrcs++;
  return 0;
}

int lang_add_text(lang_ctx *c, const char *name, const char *text, size_t len, uint32_t *idx)
{
  char *n = strdup(name ? name : "<policy>");
  char *t = malloc(len + 1);
  if (!n || !t) {
    free(n);
    free(t);
    return cell_error_set(c->err, ENOMEM, "out of memory");
  }
  memcpy(t, text, len);
  t[len] = 0;
  int r = add_src(c, n, t, len, idx);
  const char *nul = r < 0 ? NULL : memchr(t, 0, len);
  if (nul) {
    /* a policy is text: say where it stops being so */
    lang_loc at = { *idx, 1, 1, (uint32_t) (nul - t) };
    for (const char *p = t; p < nul; p++)
      if (*p == '\n')
        at.line++, at.col = 1;
      else
        at.col++;
    return lang_error(c, at, "a NUL byte: a policy is text");
  }
  return r;
}

static int read_file(const char *path, char **text, size_t *len)
{
  _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  struct stat st;
  if (fstat(fd, &st) < 0)
    return -errno;
  if (S_ISDIR(st.st_mode))
    return -EISDIR;
  size_t cap = 4096, n = 0;
  _cleanup_free_ char *buf = malloc(cap);
  if (!buf)
    return -ENOMEM;
  for (;;) {
    if (n + 1 >= cap) {
      if (cap >= LANG_MAX_FILE)
        return -EFBIG;
      char *b = realloc(buf, cap * 2);
      if (!b)
        return -ENOMEM;
      buf = b;
      cap *= 2;
    }
    ssize_t r = read(fd, buf + n, cap - n - 1);
    if (r < 0) {
      if (errno == EINTR)
        continue;
      return -errno;
    }
    if (r == 0)
      break;
    n += (size_t) r;
  }
  buf[n] = 0;
  *text = cell_steal(&buf);
  *len = n;
  return 0;
}

int lang_add_file(lang_ctx *c, const char *path, uint32_t from, lang_loc at, uint32_t *idx)
{
  _cleanup_free_ char *found = NULL;
  char *text = NULL;
  size_t len = 0;
  int r = -ENOENT;
  if (from != UINT32_MAX && path[0] != '/') {
    /* the including file's directory first, then -I directories */
    const char *inc = c->srcs[from].name, *slash = strrchr(inc, '/');
    if (asprintf(&found, "%.*s%s", slash ? (int) (slash - inc + 1) : 0, inc, path) < 0)
      return cell_error_set(c->err, ENOMEM, "out of memory");
    r = read_file(found, &text, &len);
    for (size_t i = 0; r == -ENOENT && c->opts && i < c->opts->ninclude_dirs; i++) {
      free(found);
      if (asprintf(&found, "%s/%s", c->opts->include_dirs[i], path) < 0) {
        found = NULL;
        return cell_error_set(c->err, ENOMEM, "out of memory");
      }
      r = read_file(found, &text, &len);
    }
  } else {
    found = strdup(path);
    if (!found)
      return cell_error_set(c->err, ENOMEM, "out of memory");
    r = read_file(found, &text, &len);
  }
  if (r < 0) {
    if (from == UINT32_MAX)
      return cell_error_sys_code(c->err, r, "read `%s`", path);
    lang_error(c, at, "cannot include `%s`: %s", path, strerror(-r));
    c->err->code = -r;
    return r;
  }
  if (memchr(text, 0, len)) {
    free(text);
    if (from == UINT32_MAX)
      return cell_error_set(c->err, EINVAL, "%s: a policy is text; this file holds NUL bytes", path);
    return lang_error(c, at, "cannot include `%s`: it holds NUL bytes", path);
  }
  return add_src(c, cell_steal(&found), text, len, idx);
}

static char *format(lang_ctx *c, lang_loc loc, bool has_loc, const char *kind, const char *msg)
{
  char *out = NULL;
  size_t n = 0;
  FILE *f = open_memstream(&out, &n);
  if (!f)
    return NULL;
  if (!has_loc) {
    fprintf(f, "%s%s", kind, msg);
  } else {
    const lang_src *s = &c->srcs[loc.src];
    fprintf(f, "%s:%u:%u: %s%s", s->name, loc.line, loc.col, kind, msg);
    size_t bol = loc.off;
    if (bol > s->len)
      bol = s->len;
    while (bol > 0 && s->text[bol - 1] != '\n')
      bol--;
    size_t eol = bol;
    while (eol < s->len && s->text[eol] != '\n')
      eol++;
    fprintf(f, "\n    %.*s\n    ", (int) (eol - bol), s->text + bol);
    for (size_t i = bol; i < loc.off && i < eol; i++)
      fputc(s->text[i] == '\t' ? '\t' : ' ', f);
    fputc('^', f);
  }
  if (fclose(f) != 0) {
    free(out);
    return NULL;
  }
  return out;
}

static void emit(lang_ctx *c, lang_loc loc, bool has_loc, bool error, const char *msg, const char *text)
{
  if (!c->opts || !c->opts->diag)
    return;
  cell_sc_lang_diag d = {
    .error = error, .file = has_loc ? c->srcs[loc.src].name : NULL,
    .line = has_loc ? loc.line : 0, .col = has_loc ? loc.col : 0, .message = msg, .text = text,
  };
  c->opts->diag(c->opts->diag_ctx, &d);
}

static int verror(lang_ctx *c, lang_loc loc, bool has_loc, const char *fmt, va_list ap)
{
  if (cell_error_is_set(c->err))   /* the first error is the one reported */
    return -(c->err->code ? c->err->code : EINVAL);
  _cleanup_free_ char *msg = NULL;
  if (vasprintf(&msg, fmt, ap) < 0)
    return cell_error_set(c->err, ENOMEM, "out of memory");
  _cleanup_free_ char *text = format(c, loc, has_loc, "", msg);
  if (!text)
    return cell_error_set(c->err, ENOMEM, "out of memory");
  emit(c, loc, has_loc, true, msg, text);
  return cell_error_set(c->err, EINVAL, "%s", text);
}

int lang_error(lang_ctx *c, lang_loc loc, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int r = verror(c, loc, true, fmt, ap);
  va_end(ap);
  return r;
}

int lang_error_noloc(lang_ctx *c, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int r = verror(c, (lang_loc) { 0 }, false, fmt, ap);
  va_end(ap);
  return r;
}

void lang_warn(lang_ctx *c, lang_loc loc, const char *fmt, ...)
{
  _cleanup_free_ char *msg = NULL;
  va_list ap;
  va_start(ap, fmt);
  int r = vasprintf(&msg, fmt, ap);
  va_end(ap);
  if (r < 0) {
    msg = NULL;
    return;
  }
  c->nwarnings++;
  bool to_log = !c->opts || !c->opts->diag;
  /* the log says "warning" itself */
  _cleanup_free_ char *text = format(c, loc, true, to_log ? "" : "warning: ", msg);
  if (!text)
    return;
  if (!to_log)
    emit(c, loc, true, false, msg, text);
  else
    cell_log_warn(c->opts ? c->opts->log : NULL, "%s", text);
}

void lang_ctx_free(lang_ctx *c)
{
  for (size_t i = 0; i < c->nsrcs; i++) {
    free(c->srcs[i].name);
    free(c->srcs[i].text);
  }
  free(c->srcs);
  free(c->nodes);
  free(c->items);
  free(c->ranges);
  free(c->rules);
  for (size_t i = 0; i < c->ndefs; i++)
    free(c->defs[i].name);
  free(c->defs);
  for (size_t i = 0; i < c->ndefines; i++)
    free(c->defines[i]);
  free(c->defines);
  free(c->roles);
}
