/* Statistics in the shape of runc's `events --stats` data, and OOM events. */
#include "cgroups/internal.h"
#include "util/cleanup.h"
#include "util/strv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

/* JSON has no unsigned 64-bit integers in jansson: "max" becomes INT64_MAX. */
static json_t *num(uint64_t v)
{
  return json_integer(v > (uint64_t) INT64_MAX ? INT64_MAX : (json_int_t) v);
}

/* Set key to the number in DIR/FILE when that file exists. */
static void put_file(json_t *o, const char *key, const char *dir, const char *file)
{
  uint64_t v;
  cell_error e = CELL_ERROR_INIT;
  if (cg_read_u64(dir, file, &v, &e) == 0)
    json_object_set_new(o, key, num(v));
  cell_error_clear(&e);
}

static char *read_quiet(const char *dir, const char *file)
{
  char *s = NULL;
  cell_error e = CELL_ERROR_INIT;
  if (cg_read(dir, file, &s, &e) < 0)
    s = NULL;
  cell_error_clear(&e);
  return s;
}

static json_t *flat_map(const char *text)
{
  json_t *o = json_object();
  for (const char *l = text; l && *l;) {
    const char *sp = strchr(l, ' '), *nl = strchr(l, '\n');
    if (!nl)
      nl = l + strlen(l);
    if (sp && sp < nl) {
      char key[128];
      snprintf(key, sizeof key, "%.*s", (int) (sp - l), l);
      json_object_set_new(o, key, num(strtoull(sp + 1, NULL, 10)));
    }
    l = *nl ? nl + 1 : nl;
  }
  return o;
}

static json_t *percpu(const char *text)
{
  json_t *a = json_array();
  for (const char *s = text; s && *s;) {
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s)
      break;
    json_array_append_new(a, num(v));
    s = end;
  }
  return a;
}

static json_t *cpu_stats(const cell_cgroup *cg)
{
  json_t *cpu = json_object(), *usage = json_object(), *thr = json_object();
  const cell_cgroup_dir *acct = cell_cgroup_dir_for(cg, CELL_CGC_CPUACCT);
  const cell_cgroup_dir *c = cell_cgroup_dir_for(cg, CELL_CGC_CPU);
  const cell_cgroup_dir *v2 = cell_cgroup_dir_for(cg, -1);
  if (acct && !acct->v2) {
    put_file(usage, "total", acct->dir, "cpuacct.usage");
    _cleanup_free_ char *pc = read_quiet(acct->dir, "cpuacct.usage_percpu");
    if (pc)
      json_object_set_new(usage, "percpu", percpu(pc));
    _cleanup_free_ char *pk = read_quiet(acct->dir, "cpuacct.usage_percpu_sys");
    if (pk)
      json_object_set_new(usage, "percpu_kernel", percpu(pk));
    _cleanup_free_ char *pu = read_quiet(acct->dir, "cpuacct.usage_percpu_user");
    if (pu)
      json_object_set_new(usage, "percpu_user", percpu(pu));
    _cleanup_free_ char *st = read_quiet(acct->dir, "cpuacct.stat");
    uint64_t v;
    long hz = sysconf(_SC_CLK_TCK);
    uint64_t ns = hz > 0 ? 1000000000ull / (uint64_t) hz : 10000000ull;
    if (st && cg_keyed_u64(st, "user", &v) == 0)
      json_object_set_new(usage, "user", num(v * ns));
    if (st && cg_keyed_u64(st, "system", &v) == 0)
      json_object_set_new(usage, "kernel", num(v * ns));
  } else if (v2 && v2->v2) {
    /* cpu.stat's usage lines are core in cgroup2: present without the cpu
     * controller. */
    _cleanup_free_ char *st = read_quiet(v2->dir, "cpu.stat");
    uint64_t v;
    if (st && cg_keyed_u64(st, "usage_usec", &v) == 0)
      json_object_set_new(usage, "total", num(v * 1000));
    if (st && cg_keyed_u64(st, "user_usec", &v) == 0)
      json_object_set_new(usage, "user", num(v * 1000));
    if (st && cg_keyed_u64(st, "system_usec", &v) == 0)
      json_object_set_new(usage, "kernel", num(v * 1000));
  }
  if (c) {
    _cleanup_free_ char *st = read_quiet(c->dir, "cpu.stat");
    uint64_t v;
    if (st && cg_keyed_u64(st, "nr_periods", &v) == 0)
      json_object_set_new(thr, "periods", num(v));
    if (st && cg_keyed_u64(st, "nr_throttled", &v) == 0)
      json_object_set_new(thr, "throttled_periods", num(v));
    if (st && cg_keyed_u64(st, "throttled_time", &v) == 0)
      json_object_set_new(thr, "throttled_time", num(v));
    else if (st && cg_keyed_u64(st, "throttled_usec", &v) == 0)
      json_object_set_new(thr, "throttled_time", num(v * 1000));
  }
  json_object_set_new(cpu, "usage", usage);
  json_object_set_new(cpu, "throttling", thr);
  return cpu;
}

static json_t *mem_entry(const char *dir, const char *prefix)
{
  json_t *o = json_object();
  char f[96];
  static const char *const k[][2] = { { "limit", "limit_in_bytes" }, { "usage", "usage_in_bytes" },
                                      { "max", "max_usage_in_bytes" }, { "failcnt", "failcnt" } };
  for (size_t i = 0; i < 4; i++) {
    snprintf(f, sizeof f, "%s%s", prefix, k[i][1]);
    put_file(o, k[i][0], dir, f);
  }
  return o;
}

static json_t *memory_stats(const cell_cgroup *cg)
{
  const cell_cgroup_dir *d = cell_cgroup_dir_for(cg, CELL_CGC_MEMORY);
  if (!d)
    return NULL;
  json_t *m = json_object();
  _cleanup_free_ char *st = read_quiet(d->dir, "memory.stat");
  uint64_t v;
  if (!d->v2) {
    json_object_set_new(m, "usage", mem_entry(d->dir, "memory."));
    json_object_set_new(m, "swap", mem_entry(d->dir, "memory.memsw."));
    json_object_set_new(m, "kernel", mem_entry(d->dir, "memory.kmem."));
    json_object_set_new(m, "kernelTCP", mem_entry(d->dir, "memory.kmem.tcp."));
    if (st && cg_keyed_u64(st, "cache", &v) == 0)
      json_object_set_new(m, "cache", num(v));
  } else {
    json_t *u = json_object(), *sw = json_object();
    put_file(u, "usage", d->dir, "memory.current");
    put_file(u, "limit", d->dir, "memory.max");
    put_file(u, "max", d->dir, "memory.peak");
    _cleanup_free_ char *ev = read_quiet(d->dir, "memory.events");
    if (ev && cg_keyed_u64(ev, "max", &v) == 0)
      json_object_set_new(u, "failcnt", num(v));
    /* v1's memsw is memory+swap; keep that meaning. */
    uint64_t cur = 0, swc = 0, swmax = 0, max = 0;
    cell_error e = CELL_ERROR_INIT;
    if (cg_read_u64(d->dir, "memory.swap.current", &swc, &e) == 0) {
      cg_read_u64(d->dir, "memory.current", &cur, &e);
      json_object_set_new(sw, "usage", num(swc + cur));
      if (cg_read_u64(d->dir, "memory.swap.max", &swmax, &e) == 0 &&
          cg_read_u64(d->dir, "memory.max", &max, &e) == 0)
        json_object_set_new(sw, "limit", num(swmax == UINT64_MAX || max == UINT64_MAX
                                             ? UINT64_MAX : swmax + max));
    }
    cell_error_clear(&e);
    json_object_set_new(m, "usage", u);
    json_object_set_new(m, "swap", sw);
    if (st && cg_keyed_u64(st, "file", &v) == 0)
      json_object_set_new(m, "cache", num(v));
  }
  if (st)
    json_object_set_new(m, "raw", flat_map(st));
  return m;
}

static json_t *pids_stats(const cell_cgroup *cg)
{
  const cell_cgroup_dir *d = cell_cgroup_dir_for(cg, CELL_CGC_PIDS);
  if (!d)
    return NULL;
  json_t *p = json_object();
  put_file(p, "current", d->dir, "pids.current");
  uint64_t v;
  cell_error e = CELL_ERROR_INIT;
  if (cg_read_u64(d->dir, "pids.max", &v, &e) == 0)
    json_object_set_new(p, "limit", num(v == UINT64_MAX ? 0 : v));   /* runc: 0 = no limit */
  cell_error_clear(&e);
  return p;
}

/* v1 "8:0 Read 4096" lines (a "Total N" line is skipped). */
static json_t *blkio_v1_list(const char *text)
{
  json_t *a = json_array();
  for (const char *l = text; l && *l;) {
    unsigned maj, min;
    char op[16];
    unsigned long long v;
    if (sscanf(l, "%u:%u %15s %llu", &maj, &min, op, &v) == 4)
      json_array_append_new(a, json_pack("{s:I,s:I,s:s,s:o}", "major", (json_int_t) maj,
                                         "minor", (json_int_t) min, "op", op, "value", num(v)));
    const char *nl = strchr(l, '\n');
    l = nl ? nl + 1 : NULL;
  }
  return a;
}

static json_t *blkio_stats(const cell_cgroup *cg)
{
  const cell_cgroup_dir *d = cell_cgroup_dir_for(cg, CELL_CGC_BLKIO);
  if (!d)
    return NULL;
  json_t *b = json_object();
  if (!d->v2) {
    static const char *const pre[] = { "blkio.throttle.", "blkio.bfq.", "blkio." };
    for (size_t i = 0; i < 3; i++) {
      char f1[96], f2[96];
      snprintf(f1, sizeof f1, "%sio_service_bytes_recursive", pre[i]);
      snprintf(f2, sizeof f2, "%sio_serviced_recursive", pre[i]);
      _cleanup_free_ char *s1 = read_quiet(d->dir, f1), *s2 = read_quiet(d->dir, f2);
      if (!s1 && !s2)
        continue;
      json_object_set_new(b, "ioServiceBytesRecursive", blkio_v1_list(s1));
      json_object_set_new(b, "ioServicedRecursive", blkio_v1_list(s2));
      break;
    }
    return b;
  }
  json_t *bytes = json_array(), *ios = json_array();
  _cleanup_free_ char *st = read_quiet(d->dir, "io.stat");
  for (const char *l = st; l && *l;) {
    unsigned maj, min;
    if (sscanf(l, "%u:%u", &maj, &min) == 2) {
      static const char *const keys[][3] = { { "rbytes=", "Read", "b" }, { "wbytes=", "Write", "b" },
                                             { "rios=", "Read", "i" }, { "wios=", "Write", "i" } };
      const char *nl = strchr(l, '\n');
      for (size_t k = 0; k < 4; k++) {
        const char *p = strstr(l, keys[k][0]);
        if (!p || (nl && p > nl))
          continue;
        json_array_append_new(keys[k][2][0] == 'b' ? bytes : ios,
                              json_pack("{s:I,s:I,s:s,s:o}", "major", (json_int_t) maj, "minor",
                                        (json_int_t) min, "op", keys[k][1], "value",
                                        num(strtoull(p + strlen(keys[k][0]), NULL, 10))));
      }
    }
    const char *nl = strchr(l, '\n');
    l = nl ? nl + 1 : NULL;
  }
  json_object_set_new(b, "ioServiceBytesRecursive", bytes);
  json_object_set_new(b, "ioServicedRecursive", ios);
  return b;
}

static json_t *hugetlb_stats(const cell_cgroup *cg)
{
  const cell_cgroup_dir *d = cell_cgroup_dir_for(cg, CELL_CGC_HUGETLB);
  if (!d)
    return NULL;
  json_t *h = json_object();
  _cleanup_closedir_ DIR *dh = opendir("/sys/kernel/mm/hugepages");
  struct dirent *de;
  while (dh && (de = readdir(dh))) {
    unsigned long kb;
    if (sscanf(de->d_name, "hugepages-%lukB", &kb) != 1)
      continue;
    char size[32];
    if (kb >= 1048576 && kb % 1048576 == 0)
      snprintf(size, sizeof size, "%luGB", kb / 1048576);
    else if (kb >= 1024 && kb % 1024 == 0)
      snprintf(size, sizeof size, "%luMB", kb / 1024);
    else
      snprintf(size, sizeof size, "%luKB", kb);
    json_t *e = json_object();
    char f[96];
    if (!d->v2) {
      snprintf(f, sizeof f, "hugetlb.%s.usage_in_bytes", size);
      put_file(e, "usage", d->dir, f);
      snprintf(f, sizeof f, "hugetlb.%s.max_usage_in_bytes", size);
      put_file(e, "max", d->dir, f);
      snprintf(f, sizeof f, "hugetlb.%s.failcnt", size);
      put_file(e, "failcnt", d->dir, f);
    } else {
      snprintf(f, sizeof f, "hugetlb.%s.current", size);
      put_file(e, "usage", d->dir, f);
      snprintf(f, sizeof f, "hugetlb.%s.events", size);
      _cleanup_free_ char *ev = read_quiet(d->dir, f);
      uint64_t v;
      if (ev && cg_keyed_u64(ev, "max", &v) == 0)
        json_object_set_new(e, "failcnt", num(v));
    }
    if (json_object_size(e))
      json_object_set_new(h, size, e);
    else
      json_decref(e);
  }
  return h;
}

int cell_cgroup_stats(const cell_cgroup *cg, json_t **out, cell_error *err)
{
  *out = NULL;
  if (cg->n == 0)
    return cell_error_set(err, ENOTSUP, "stats: the container has no cgroup "
                          CG_NO_CGROUP);
  json_t *o = json_object();
  json_object_set_new(o, "cpu", cpu_stats(cg));
  json_t *m = memory_stats(cg), *p = pids_stats(cg), *b = blkio_stats(cg), *h = hugetlb_stats(cg);
  if (m)
    json_object_set_new(o, "memory", m);
  if (p)
    json_object_set_new(o, "pids", p);
  if (b)
    json_object_set_new(o, "blkio", b);
  if (h)
    json_object_set_new(o, "hugetlb", h);
  *out = o;
  return 0;
}

/* ---- OOM ----------------------------------------------------------------- */

static int oom_count_v2(const char *path, uint64_t *n, cell_error *err)
{
  _cleanup_free_ char *dir = strdup(path);
  if (!dir)
    return cell_error_set(err, ENOMEM, "out of memory");
  *strrchr(dir, '/') = 0;
  _cleanup_free_ char *ev = NULL;
  if (cg_read(dir, "memory.events", &ev, err) < 0)
    return -err->code;
  *n = 0;
  cg_keyed_u64(ev, "oom_kill", n);
  return 0;
}

static int oom_open_v1(const char *dir, cell_cgroup_oom *w, cell_error *err)
{
  _cleanup_free_ char *ctl = cg_join(dir, "memory.oom_control");
  if (!ctl)
    return cell_error_set(err, ENOMEM, "out of memory");
  w->efd_ctl = open(ctl, O_RDONLY | O_CLOEXEC);
  if (w->efd_ctl < 0)
    return cell_error_sys(err, "open %s", ctl);
  w->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (w->fd < 0)
    return cell_error_sys(err, "eventfd");
  return cg_writef(dir, "cgroup.event_control", "OOM events", err, "%d %d", w->fd, w->efd_ctl);
}

int cell_cgroup_oom_open(const cell_cgroup *cg, cell_cgroup_oom *w, cell_error *err)
{
  *w = (cell_cgroup_oom) { .fd = -1, .efd_ctl = -1 };
  const cell_cgroup_dir *d = cg->n ? cell_cgroup_dir_for(cg, CELL_CGC_MEMORY) : NULL;
  if (!d)
    return cell_error_set(err, ENOTSUP, "OOM events: no memory controller for the container");
  int r;
  if (d->v2) {
    w->v2 = true;
    if (!(w->events_path = cg_join(d->dir, "memory.events")))
      return cell_error_set(err, ENOMEM, "out of memory");
    if ((r = oom_count_v2(w->events_path, &w->seen, err)) < 0)
      goto fail;
    w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (w->fd < 0 || inotify_add_watch(w->fd, w->events_path, IN_MODIFY) < 0) {
      r = cell_error_sys(err, "inotify on %s", w->events_path);
      goto fail;
    }
    return 0;
  }
  if ((r = oom_open_v1(d->dir, w, err)) < 0)
    goto fail;
  return 0;
fail:
  cell_cgroup_oom_close(w);
  return r;
}

int cell_cgroup_oom_read(cell_cgroup_oom *w, uint64_t *n, cell_error *err)
{
  *n = 0;
  if (w->v2) {
    char buf[4096];
    while (read(w->fd, buf, sizeof buf) > 0)
      ;
    uint64_t now;
    int r = oom_count_v2(w->events_path, &now, err);
    if (r < 0)
      return r;
    *n = now > w->seen ? now - w->seen : 0;
    w->seen = now;
    return 0;
  }
  uint64_t v;
  ssize_t got = read(w->fd, &v, sizeof v);
  if (got == sizeof v)
    *n = v;
  else if (got < 0 && errno != EAGAIN)
    return cell_error_sys(err, "read OOM eventfd");
  return 0;
}

void cell_cgroup_oom_close(cell_cgroup_oom *w)
{
  if (w->fd >= 0)
    close(w->fd);
  if (w->efd_ctl >= 0)
    close(w->efd_ctl);
  free(w->events_path);
  *w = (cell_cgroup_oom) { .fd = -1, .efd_ctl = -1 };
}
