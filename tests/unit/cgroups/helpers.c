#include "helpers.h"
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

pid_t th_sleeper(void)
{
  pid_t p = fork();
  if (p == 0) {
    for (;;)
      pause();
  }
  return p;
}

void th_reap(pid_t pid)
{
  if (pid <= 0)
    return;
  kill(pid, SIGKILL);
  while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
    ;
}

int th_spawn(th_child *c, int (*fn)(void *), void *arg)
{
  int p[2];
  if (pipe(p) < 0)
    return -errno;
  c->pid = fork();
  if (c->pid < 0)
    return -errno;
  if (c->pid == 0) {
    close(p[1]);
    char b;
    if (read(p[0], &b, 1) != 1)
      _exit(99);
    _exit(fn(arg));
  }
  close(p[0]);
  c->go = p[1];
  return 0;
}

void th_go(th_child *c)
{
  if (c->go >= 0) {
    if (write(c->go, "x", 1) != 1)
      perror("th_go");
    close(c->go);
    c->go = -1;
  }
}

int th_wait(th_child *c)
{
  int st;
  th_go(c);
  if (c->pid <= 0)
    return -1;
  while (waitpid(c->pid, &st, 0) < 0)
    if (errno != EINTR)
      return -1;
  c->pid = 0;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

char *th_read(const char *dir, const char *file)
{
  char path[4096], *out = NULL;
  size_t len;
  cell_error e = CELL_ERROR_INIT;
  snprintf(path, sizeof path, "%s/%s", dir, file);
  if (cell_read_file(path, &out, &len, &e) < 0)
    out = NULL;
  cell_error_clear(&e);
  return out;
}

char *th_name(const char *tag)
{
  char *s = NULL;
  if (asprintf(&s, "cell-unit-%d-%s", (int) getpid(), tag) < 0)
    return NULL;
  return s;
}

bool th_in_procs(const char *dir, pid_t pid)
{
  char *s = th_read(dir, "cgroup.procs");
  bool found = false;
  for (char *p = s; p && *p;) {
    char *end;
    long v = strtol(p, &end, 10);
    if (end == p)
      break;
    found = found || v == pid;
    p = end;
  }
  free(s);
  return found;
}

bool th_host_v2_only(cell_cg_host *h)
{
  cell_error e = CELL_ERROR_INIT;
  if (cell_cg_host_detect(h, &e) < 0) {
    cell_error_clear(&e);
    return false;
  }
  size_t o = 0;
  for (size_t i = 0; i < h->n; i++) {
    if (h->h[i].v2) {
      cell_cg_hierarchy t = h->h[o];
      h->h[o++] = h->h[i];
      h->h[i] = t;
    }
  }
  for (size_t i = o; i < h->n; i++) {
    free(h->h[i].mountpoint);
    free(h->h[i].mount_root);
    free(h->h[i].name);
    free(h->h[i].own);
  }
  h->n = o;
  h->mode = CELL_CG_V2;
  if (!o) {
    cell_cg_host_free(h);
    return false;
  }
  return true;
}

static void each_file(const char *dir, const char *const *files, int how)
{
  for (size_t i = 0; files[i]; i++) {
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, files[i]);
    if (how == 2)
      unlink(p);
    else {
      int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
      if (fd >= 0)
        close(fd);
    }
  }
}

char *th_fake_dir(const char *const *files)
{
  char tmpl[] = "/tmp/cell-cg-fake.XXXXXX";
  if (!mkdtemp(tmpl))
    return NULL;
  each_file(tmpl, files, 1);
  return strdup(tmpl);
}

void th_fake_clear(const char *dir, const char *const *files) { each_file(dir, files, 1); }

void th_fake_rm(char *dir, const char *const *files)
{
  each_file(dir, files, 2);
  rmdir(dir);
  free(dir);
}

bool th_log_open(th_log *w)
{
  if (pipe2(w->fds, O_CLOEXEC | O_NONBLOCK) < 0)
    return false;
  w->log = (cell_log) { .fd = w->fds[1], .format = CELL_LOG_TEXT, .prog = "cell" };
  return true;
}

char *th_log_take(th_log *w)
{
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  if (!buf)
    return NULL;
  for (;;) {
    if (cap - len < 1024) {
      char *nb = realloc(buf, cap *= 2);
      if (!nb) {
        free(buf);
        return NULL;
      }
      buf = nb;
    }
    ssize_t n = read(w->fds[0], buf + len, cap - len - 1);
    if (n <= 0)
      break;
    len += (size_t) n;
  }
  buf[len] = 0;
  return buf;
}

void th_log_close(th_log *w)
{
  close(w->fds[0]);
  close(w->fds[1]);
}
