/* Where diagnostics go: stderr as text, or a --log file, as text or as
 * runc-style JSON lines {"level":"error","msg":"...","time":"..."}.
 * Passed explicitly; there is no global logger. */
#ifndef CELL_UTIL_LOG_H
#define CELL_UTIL_LOG_H
#include <stdbool.h>
#include <stddef.h>

typedef enum { CELL_LOG_TEXT, CELL_LOG_JSON } cell_log_format;

typedef struct cell_log {
  int fd;                 /* -1: stderr */
  cell_log_format format;
  bool debug;
  const char *prog;       /* "cell" */
  long long t0_ns;        /* CLOCK_MONOTONIC at start: debug lines say +ms */
  bool no_warnings;       /* warnings are dropped (see cell_log_said) */
} cell_log;

long long cell_log_now_ns(void);
/* The time now as RFC 3339 with nanoseconds, UTC: "2026-12-04T21:07:45.850123456Z". */
void cell_rfc3339_now(char *buf, size_t len);

/* A copy of log (NULL: stderr) that drops warnings, for input whose warnings
 * were said when it was first read: the config stored at create, read again
 * by start, exec and delete, warns once per container. */
cell_log cell_log_said(const cell_log *log);

void cell_log_write(const cell_log *log, const char *level, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));

#define cell_log_error(log, ...) cell_log_write(log, "error", __VA_ARGS__)
#define cell_log_warn(log, ...) cell_log_write(log, "warning", __VA_ARGS__)
#define cell_log_debug(log, ...) \
  do { if ((log) && (log)->debug) cell_log_write(log, "debug", __VA_ARGS__); } while (0)
#endif
