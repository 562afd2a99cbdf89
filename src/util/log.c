#include "util/log.h"
#include "util/fs.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
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

/* UTC calendar fields of t. Not gmtime_r: glibc's loads the time zone
 * (/etc/localtime) on first use, which UTC never needs. Days to civil date
 * after Howard Hinnant's public domain algorithm. */
static void utc(time_t t, struct tm *tm)
{
  int64_t days = t / 86400, secs = t % 86400;
  if (secs < 0)
    secs += 86400, days--;
  days += 719468;
  int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  int64_t doe = days - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  *tm = (struct tm) {
    .tm_year = (int) (yoe + era * 400 + (m <= 2) - 1900), .tm_mon = (int) m - 1,
    .tm_mday = (int) (doy - (153 * mp + 2) / 5 + 1), .tm_hour = (int) (secs / 3600),
    .tm_min = (int) (secs / 60 % 60), .tm_sec = (int) (secs % 60),
  };
}

void cell_rfc3339_now(char *buf, size_t len)
{
  struct timespec now;
  struct tm tm;
  clock_gettime(CLOCK_REALTIME, &now);
  utc(now.tv_sec, &tm);
  snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, now.tv_nsec);
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
    char ts[64];
    time_t t = time(NULL);
    struct tm tm;
    utc(t, &tm);
    snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
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
