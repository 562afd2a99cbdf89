#include "util/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *vformat(const char *fmt, va_list ap)
{
  char *s = NULL;
  if (vasprintf(&s, fmt, ap) < 0)
    return NULL;
  return s;
}

static int store(cell_error *e, int code, char *msg)
{
  if (code < 0)
    code = -code;
  if (code == 0)
    code = EINVAL;
  free(e->msg);
  e->msg = msg ? msg : strdup("out of memory formatting an error");
  e->code = code;
  return -code;
}

int cell_error_set(cell_error *e, int code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *m = vformat(fmt, ap);
  va_end(ap);
  return store(e, code, m);
}

static int sys_code(cell_error *e, int code, const char *fmt, va_list ap)
{
  if (code < 0)
    code = -code;
  if (code == 0)
    code = EIO;
  char *m = vformat(fmt, ap);
  char *full = NULL;
  if (m && asprintf(&full, "%s: %s", m, strerror(code)) < 0)
    full = NULL;
  free(m);
  return store(e, code, full);
}

int cell_error_sys(cell_error *e, const char *fmt, ...)
{
  int code = errno;
  va_list ap;
  va_start(ap, fmt);
  int r = sys_code(e, code, fmt, ap);
  va_end(ap);
  return r;
}

int cell_error_sys_code(cell_error *e, int code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int r = sys_code(e, code, fmt, ap);
  va_end(ap);
  return r;
}

int cell_error_vwrap(cell_error *e, const char *fmt, va_list ap)
{
  if (!e->msg)
    return store(e, e->code, vformat(fmt, ap));
  char *ctx = vformat(fmt, ap);
  char *full = NULL;
  if (ctx && asprintf(&full, "%s: %s", ctx, e->msg) < 0)
    full = NULL;
  free(ctx);
  if (!full)
    return -e->code;
  free(e->msg);
  e->msg = full;
  return -e->code;
}

int cell_error_wrap(cell_error *e, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int r = cell_error_vwrap(e, fmt, ap);
  va_end(ap);
  return r;
}

void cell_error_clear(cell_error *e)
{
  free(e->msg);
  e->msg = NULL;
  e->code = 0;
}

void cell_error_move(cell_error *dst, cell_error *src)
{
  cell_error_clear(dst);
  *dst = *src;
  src->msg = NULL;
  src->code = 0;
}

void cell_error_cleanup(cell_error *e) { cell_error_clear(e); }
