/* Operating a running container through its cgroup: freeze/thaw, the list
 * of its processes, signalling all of them. */
#include "cgroups/internal.h"
#include "util/cleanup.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void sleep_us(long us)
{
  struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
  nanosleep(&ts, NULL);
}

static long now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* The directory freezing goes through: v1 freezer, else cgroup2's core
 * cgroup.freeze. *v2 tells which. */
static const cell_cgroup_dir *freezer_dir(const cell_cgroup *cg, bool *v2)
{
  const cell_cgroup_dir *d = cell_cgroup_dir_for(cg, CELL_CGC_FREEZER);
  if (d && !d->v2) {
    *v2 = false;
    return d;
  }
  d = cell_cgroup_dir_for(cg, -1);
  *v2 = true;
  return d && d->v2 && cg_file_exists(d->dir, "cgroup.freeze") ? d : NULL;
}

static int read_state(const cell_cgroup_dir *d, bool v2, int *state, cell_error *err)
{
  /* state: 0 thawed, 1 frozen, 2 freezing */
  _cleanup_free_ char *s = NULL;
  if (cg_read(d->dir, v2 ? "cgroup.events" : "freezer.state", &s, err) < 0)
    return -err->code;
  if (v2) {
    uint64_t f = 0;
    if (cg_keyed_u64(s, "frozen", &f) < 0)
      return cell_error_set(err, EINVAL, "%s/cgroup.events has no `frozen` line", d->dir);
    *state = f ? 1 : 0;
  } else
    *state = strncmp(s, "FROZEN", 6) == 0 ? 1 : strncmp(s, "FREEZING", 8) == 0 ? 2 : 0;
  return 0;
}

int cell_cgroup_freeze(const cell_cgroup *cg, bool freeze, cell_error *err)
{
  if (cg->n == 0)
    return cell_error_set(err, ENOTSUP, "%s: the container has no cgroup " CG_NO_CGROUP, freeze ? "pause" : "resume");
  bool v2;
  const cell_cgroup_dir *d = freezer_dir(cg, &v2);
  if (!d)
    return cell_error_set(err, ENOTSUP, "%s: no freezer on this host (no v1 freezer hierarchy "
                          "and no cgroup.freeze)", freeze ? "pause" : "resume");
  const char *file = v2 ? "cgroup.freeze" : "freezer.state";
  const char *value = v2 ? (freeze ? "1" : "0") : (freeze ? "FROZEN" : "THAWED");
  long deadline = now_ms() + 10000;
  for (long us = 100;; us = us < 10000 ? us * 2 : us) {
    int r = cg_write(d->dir, file, value, NULL, err), state;
    if (r < 0)
      return r;
    if ((r = read_state(d, v2, &state, err)) < 0)
      return r;
    if (state == (freeze ? 1 : 0))
      return 0;
    if (now_ms() > deadline) {
      if (freeze) {             /* do not leave it half frozen */
        cell_error e = CELL_ERROR_INIT;
        cg_write(d->dir, file, v2 ? "0" : "THAWED", NULL, &e);
        cell_error_clear(&e);
      }
      return cell_error_set(err, ETIMEDOUT, "%s/%s: the cgroup did not become %s in 10s",
                            d->dir, file, freeze ? "frozen" : "thawed");
    }
    sleep_us(us);
  }
}

int cell_cgroup_is_frozen(const cell_cgroup *cg, bool *frozen, cell_error *err)
{
  *frozen = false;
  bool v2;
  const cell_cgroup_dir *d = cg->n ? freezer_dir(cg, &v2) : NULL;
  if (!d)
    return 0;
  int state, r = read_state(d, v2, &state, err);
  if (r < 0)
    return r;
  *frozen = state != 0;
  return 0;
}

/* ---- processes ----------------------------------------------------------- */

typedef struct pidv {
  pid_t *v;
  size_t n, cap;
} pidv;

static int collect(const char *dir, pidv *out, int depth, cell_error *err)
{
  _cleanup_free_ char *procs = NULL;
  if (cg_read(dir, "cgroup.procs", &procs, err) < 0)
    return err->code == ENOENT && depth > 0 ? (cell_error_clear(err), 0) : -err->code;
  for (char *s = procs; *s;) {
    char *end;
    long p = strtol(s, &end, 10);
    if (end == s)
      break;
    if (out->n == out->cap) {
      size_t cap = out->cap ? out->cap * 2 : 32;
      pid_t *v = realloc(out->v, cap * sizeof *v);
      if (!v)
        return cell_error_set(err, ENOMEM, "out of memory");
      out->v = v;
      out->cap = cap;
    }
    out->v[out->n++] = (pid_t) p;
    s = end;
  }
  if (depth > 32)
    return 0;
  _cleanup_closedir_ DIR *dh = opendir(dir);
  if (!dh)
    return 0;
  struct dirent *de;
  while ((de = readdir(dh))) {
    if (de->d_type != DT_DIR || de->d_name[0] == '.')
      continue;
    _cleanup_free_ char *sub = cg_join(dir, de->d_name);
    if (!sub)
      return cell_error_set(err, ENOMEM, "out of memory");
    int r = collect(sub, out, depth + 1, err);
    if (r < 0)
      return r;
  }
  return 0;
}

static int cmp_pid(const void *a, const void *b)
{
  pid_t x = *(const pid_t *) a, y = *(const pid_t *) b;
  return (x > y) - (x < y);
}

int cell_cgroup_pids(const cell_cgroup *cg, pid_t **out, size_t *n, cell_error *err)
{
  *out = NULL;
  *n = 0;
  if (cg->n == 0)
    return cell_error_set(err, ENOTSUP, "the container has no cgroup " CG_NO_CGROUP);
  /* cgroup2 when there is one (it holds every process of the container),
   * else the pids or freezer hierarchy, else any. */
  const cell_cgroup_dir *d = cell_cgroup_dir_for(cg, -1);
  if (!d->v2) {
    const cell_cgroup_dir *p = cell_cgroup_dir_for(cg, CELL_CGC_PIDS);
    if (!p)
      p = cell_cgroup_dir_for(cg, CELL_CGC_FREEZER);
    if (p)
      d = p;
  }
  pidv v = { 0 };
  int r = collect(d->dir, &v, 0, err);
  if (r < 0) {
    free(v.v);
    return r;
  }
  if (v.n)
    qsort(v.v, v.n, sizeof *v.v, cmp_pid);
  size_t o = 0;                 /* threads of one process appear once in procs */
  for (size_t i = 0; i < v.n; i++)
    if (o == 0 || v.v[o - 1] != v.v[i])
      v.v[o++] = v.v[i];
  *out = v.v;
  *n = o;
  return 0;
}

int cell_cgroup_kill_all(const cell_cgroup *cg, int sig, int timeout_ms, cell_error *err)
{
  if (cg->n == 0)
    return cell_error_set(err, ENOTSUP, "kill --all: the container has no cgroup "
                          CG_NO_CGROUP);
  long deadline = now_ms() + (timeout_ms < 0 ? 0 : timeout_ms);
  const cell_cgroup_dir *v2 = cell_cgroup_dir_for(cg, -1);
  bool used_kill = false;
  if (sig == SIGKILL && v2 && v2->v2 && cg_file_exists(v2->dir, "cgroup.kill")) {
    int r = cg_write(v2->dir, "cgroup.kill", "1", NULL, err);
    if (r < 0)
      return r;
    used_kill = true;
  }
  bool frozen = false;
  cell_error e = CELL_ERROR_INIT;
  if (sig == SIGKILL && cell_cgroup_is_frozen(cg, &frozen, &e) == 0 && frozen)
    cell_cgroup_freeze(cg, false, &e);   /* v1 frozen tasks die only once thawed */
  cell_error_clear(&e);
  for (long us = 200;; us = us < 20000 ? us * 2 : us) {
    _cleanup_free_ pid_t *pids = NULL;
    size_t n;
    int r = cell_cgroup_pids(cg, &pids, &n, err);
    if (r < 0)
      return r;
    if (n == 0)
      return 0;
    if (!used_kill)
      for (size_t i = 0; i < n; i++)
        if (kill(pids[i], sig) < 0 && errno != ESRCH)
          return cell_error_sys(err, "kill(%d, %d)", (int) pids[i], sig);
    if (sig != SIGKILL)
      return 0;
    if (now_ms() > deadline)
      return cell_error_set(err, ETIMEDOUT, "kill --all: %zu process%s still in %s after %d ms",
                            n, n == 1 ? "" : "es", cell_cgroup_dir_for(cg, -1)->dir,
                            timeout_ms);
    sleep_us(us);
  }
}
