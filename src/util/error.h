/* The one way to fail: a function returns a negative errno and fills a
 * cell_error with a message, the errno, and the context it passed through.
 *
 *   if (mkdir(p, 0700) < 0)
 *     return cell_error_sys(err, "mkdir `%s`", p);          -> -errno
 *   ...
 *   if (r < 0)
 *     return cell_error_wrap(err, "create container `%s`", id);
 *
 * The CLI prints the result once: "create container `a`: mkdir `/x`: Permission denied".
 */
#ifndef CELL_UTIL_ERROR_H
#define CELL_UTIL_ERROR_H

#include <stdarg.h>

typedef struct cell_error {
  int code;      /* positive errno; 0 when no error is set */
  char *msg;     /* heap string, context chain joined by ": " */
} cell_error;

#define CELL_ERROR_INIT { 0, NULL }

/* Set an error with an explicit errno (no strerror appended). Returns -code. */
int cell_error_set(cell_error *e, int code, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));
/* Set an error from the current errno, appending ": strerror(errno)". */
int cell_error_sys(cell_error *e, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));
/* Like cell_error_sys with an explicit (positive or negative) errno. */
int cell_error_sys_code(cell_error *e, int code, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));
/* Prepend context to an already set error. Returns -code. */
int cell_error_wrap(cell_error *e, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));
int cell_error_vwrap(cell_error *e, const char *fmt, va_list ap);

void cell_error_clear(cell_error *e);
static inline int cell_error_is_set(const cell_error *e) { return e->msg != 0; }
/* Move src into dst (dst cleared first). */
void cell_error_move(cell_error *dst, cell_error *src);

void cell_error_cleanup(cell_error *e);
#define _cleanup_error_ __attribute__((cleanup(cell_error_cleanup)))

#endif
