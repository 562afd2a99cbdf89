#include "util/log.h"
#include "util/fs.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

long long cell_log_now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

cell_log cell_log_said(const cell_log *log)
{
  cell_log l = log ? *log : (cell_log) { .fd = -1, .format = CELL_LOG_TEXT };
  l.no_warnings = true;
  return l;
}

void cell_rfc3339_now(char *buf, size_t len)
{
  struct timespec now;
  struct tm tm;
  clock_gettime(CLOCK_REALTIME, &now);
  gmtime_r(&now.tv_sec, &tm);
  size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf + n, len - n, ".%09ldZ", now.tv_nsec);
}

void cell_log_write(const cell_log *log, const char *level, const char *fmt, ...)
{
  if (log && log->no_warnings && strcmp(level, "warning") == 0)
    return;
  char *msg = NULL;
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&msg, fmt, ap) < 0)
    msg = NULL;
  va_end(ap);
  if (!msg)
    return;

  int fd = (log && log->fd >= 0) ? log->fd : STDERR_FILENO;
  const char *prog = (log && log->prog) ? log->prog : "cell";
  char *line = NULL;
  if (log && log->format == CELL_LOG_JSON) {
    char ts[64];
    cell_rfc3339_now(ts, sizeof ts);
    json_t *o = json_pack("{s:s, s:s, s:s}", "level", level, "msg", msg, "time", ts);
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (s && asprintf(&line, "%s\n", s) < 0)
      line = NULL;
    free(s);
  } else if (fd == STDERR_FILENO && strcmp(level, "debug") == 0) {
    double ms = log && log->t0_ns ? (double) (cell_log_now_ns() - log->t0_ns) / 1e6 : 0;
    if (asprintf(&line, "%s: debug: +%.3fms [%d] %s\n", prog, ms, (int) getpid(), msg) < 0)
      line = NULL;
  } else if (fd == STDERR_FILENO) {
    if (asprintf(&line, "%s: %s%s%s\n", prog,
                 strcmp(level, "error") == 0 ? "" : level,
                 strcmp(level, "error") == 0 ? "" : ": ", msg) < 0)
      line = NULL;
  } else {
    char ts[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (asprintf(&line, "%s %s: %s\n", ts, level, msg) < 0)
      line = NULL;
  }
  if (line)
    (void) cell_write_all(fd, line, strlen(line));
  /* Errors also reach a human on stderr when they went to a log file. */
  if (fd != STDERR_FILENO && strcmp(level, "error") == 0)
    dprintf(STDERR_FILENO, "%s: %s\n", prog, msg);
  free(line);
  free(msg);
}
