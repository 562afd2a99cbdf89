/* Helpers for tests that change the state of a process: run the change in a
 * forked child that reports back through a pipe. */
#ifndef CELL_TESTS_PROC_CHILD_H
#define CELL_TESTS_PROC_CHILD_H
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* fn runs in a child with report(), which writes to the pipe; the child
 * exits after fn. The report (NUL-terminated) lands in out; returns the
 * child's exit status or -1. */
typedef void (*child_fn)(int wfd, void *arg);

static inline void report(int wfd, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));
static inline void report(int wfd, const char *fmt, ...)
{
  char buf[4096];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n > (int) sizeof buf - 1)
    n = (int) sizeof buf - 1;
  if (n > 0 && write(wfd, buf, (size_t) n) < 0)
    _exit(3);
}

static inline int in_child(child_fn fn, void *arg, char *out, size_t len)
{
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0)
    return -1;
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    close(p[0]);
    close(p[1]);
    return -1;
  }
  if (pid == 0) {
    close(p[0]);
    fn(p[1], arg);
    _exit(0);
  }
  close(p[1]);
  size_t used = 0;
  for (;;) {
    if (used + 1 >= len)
      break;
    ssize_t r = read(p[0], out + used, len - 1 - used);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    used += (size_t) r;
  }
  out[used] = 0;
  close(p[0]);
  int st;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR)
      return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The value of "Name:" in /proc/self/status, tabs and spaces trimmed. */
static inline void status_field(const char *name, char *buf, size_t n)
{
  buf[0] = 0;
  FILE *f = fopen("/proc/self/status", "re");
  if (!f)
    return;
  char line[512];
  size_t nl = strlen(name);
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, name, nl) == 0 && line[nl] == ':') {
      char *v = line + nl + 1;
      while (*v == ' ' || *v == '\t')
        v++;
      v[strcspn(v, "\n")] = 0;
      for (size_t e = strlen(v); e > 0 && (v[e - 1] == ' ' || v[e - 1] == '\t'); e--)
        v[e - 1] = 0;
      for (char *t = v; *t; t++)
        if (*t == '\t')
          *t = ' ';
      size_t l = strlen(v);
      if (l >= n)
        l = n - 1;
      memcpy(buf, v, l);
      buf[l] = 0;
      break;
    }
  }
  fclose(f);
}
#endif
