/* Which cgroup hierarchies this host has, where, and where we are in each. */
#include "cgroups/internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/mountinfo.h"
#include "util/strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <linux/magic.h>

static const char *const ctl_v1[CELL_CGC_COUNT] = {
  "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids",
  "hugetlb", "net_cls", "net_prio", "rdma", "perf_event", "misc",
};
static const char *const ctl_v2[CELL_CGC_COUNT] = {
  "cpu", NULL, "cpuset", "memory", NULL, NULL, "io", "pids",
  "hugetlb", NULL, NULL, "rdma", "perf_event", "misc",
};

const char *cell_cg_ctl_name(cell_cg_ctl c) { return c < CELL_CGC_COUNT ? ctl_v1[c] : NULL; }
const char *cell_cg_ctl_v2_name(cell_cg_ctl c) { return c < CELL_CGC_COUNT ? ctl_v2[c] : NULL; }

int cell_cg_ctl_from_name(const char *name)
{
  for (int i = 0; i < CELL_CGC_COUNT; i++)
    if (strcmp(name, ctl_v1[i]) == 0 || (ctl_v2[i] && strcmp(name, ctl_v2[i]) == 0))
      return i;
  return -1;
}

const char *cell_cg_mode_name(cell_cg_mode m)
{
  switch (m) {
  case CELL_CG_V1: return "v1";
  case CELL_CG_HYBRID: return "hybrid";
  case CELL_CG_V2: return "v2";
  default: return "none";
  }
}


/* The n bytes of a comma-separated list at s (v1 super options, or the
 * controllers of a /proc/self/cgroup line) -> controller mask, and the
 * last "name=x" in it (*named points into s, NULL when none). Read in
 * place: this runs for every cgroup mount and, through own_path, for every
 * line of /proc/self/cgroup per hierarchy. */
static uint32_t v1_controllers_n(const char *s, size_t n, const char **named, size_t *named_len)
{
  uint32_t mask = 0;
  const char *end = s + n;
  *named = NULL;
  *named_len = 0;
  while (s < end) {
    const char *comma = memchr(s, ',', (size_t) (end - s));
    size_t len = (size_t) ((comma ? comma : end) - s);
    if (len >= 5 && memcmp(s, "name=", 5) == 0) {
      *named = s;
      *named_len = len;
    } else if (len) {
      for (int i = 0; i < CELL_CGC_COUNT; i++)
        if (ctl_v1[i][0] == s[0] && strncmp(s, ctl_v1[i], len) == 0 && !ctl_v1[i][len])
          mask |= CG_BIT(i);
    }
    s += len + 1;
  }
  return mask;
}

/* v1 super options -> controller mask and "name=x" (malloc'ed; NULL when
 * none, or out of memory). */
static uint32_t v1_controllers(const char *opts, char **named)
{
  const char *nm;
  size_t nl;
  uint32_t mask = v1_controllers_n(opts, strlen(opts), &nm, &nl);
  *named = nm ? strndup(nm, nl) : NULL;
  return mask;
}

/* The /proc/self/cgroup line for a hierarchy: "ID:LIST:PATH", its path
 * malloc'ed (NULL when no line is for it). */
static char *own_path(const char *proc_cgroup, bool v2, uint32_t mask, const char *named)
{
  for (const char *line = proc_cgroup, *next; line && *line; line = next) {
    const char *nl = strchr(line, '\n');
    const char *end = nl ? nl : line + strlen(line);
    next = nl ? nl + 1 : NULL;
    const char *c1 = memchr(line, ':', (size_t) (end - line));
    const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t) (end - c1 - 1)) : NULL;
    if (!c2)
      continue;
    const char *list = c1 + 1, *path = c2 + 1;
    size_t list_len = (size_t) (c2 - list);
    if (v2) {
      if (!list_len && line[0] == '0')
        return strndup(path, (size_t) (end - path));
      continue;
    }
    if (!list_len)
      continue;
    const char *lnamed;
    size_t lnl;
    uint32_t lmask = v1_controllers_n(list, list_len, &lnamed, &lnl);
    bool same = lmask == mask && ((!lnamed && !named) ||
                                  (lnamed && named && strlen(named) == lnl && memcmp(lnamed, named, lnl) == 0));
    if (same)
      return strndup(path, (size_t) (end - path));
  }
  return NULL;
}

void cell_cg_host_free(cell_cg_host *host)
{
  for (size_t i = 0; i < host->n; i++) {
    free(host->h[i].mountpoint);
    free(host->h[i].mount_root);
    free(host->h[i].name);
    free(host->h[i].own);
  }
  free(host->h);
  host->h = NULL;
  host->n = 0;
}

static bool preferred(const char *mp)
{
  return strncmp(mp, "/sys/fs/cgroup", 14) == 0 && (mp[14] == 0 || mp[14] == '/');
}

static int v2_read_controllers(cell_cg_hierarchy *h, cell_error *err)
{
  _cleanup_free_ char *text = NULL;
  if (cg_read(h->mountpoint, "cgroup.controllers", &text, err) < 0)
    return -err->code;
  _cleanup_strv_ char **w = cg_split_words(text);
  for (size_t i = 0; w && w[i]; i++) {
    int c = cell_cg_ctl_from_name(w[i]);
    if (c >= 0)
      h->controllers |= CG_BIT(c);
  }
  return 0;
}

int cell_cg_host_parse(const char *mountinfo, const char *proc_cgroup, bool read_v2,
                       cell_cg_host *host, cell_error *err)
{
  memset(host, 0, sizeof *host);
  bool v2_at_root = false, have_v1 = false;
  /* One copy of the text, cut into lines in place. */
  _cleanup_free_ char *text = strdup(mountinfo);
  if (!text)
    goto oom;
  for (char *l = text, *next; l && *l; l = next) {
    char *nl = strchr(l, '\n');
    next = nl ? nl + 1 : NULL;
    if (nl)
      *nl = '\0';
    cell_mi_entry m;
    if (!cell_mountinfo_line(l, &m))
      continue;
    bool v2 = strcmp(m.fstype, "cgroup2") == 0;
    if (!v2 && strcmp(m.fstype, "cgroup") != 0)
      continue;
    char *named = NULL;
    uint32_t mask = v2 ? 0 : v1_controllers(m.super, &named);
    _cleanup_free_ char *named_owned = named;
    if (!v2 && !mask && !named)
      continue;
    /* One entry per hierarchy. A later mount shadows an earlier one (for
     * cgroup2 mounted over /sys/fs/cgroup in a private namespace), except
     * that one outside /sys/fs/cgroup never replaces one inside. */
    cell_cg_hierarchy *dup = NULL;
    for (size_t i = 0; i < host->n; i++) {
      const cell_cg_hierarchy *e = &host->h[i];
      if (e->v2 != v2)
        continue;
      if (v2 || (e->controllers == mask &&
                 (named ? strcmp(e->name, named) == 0 : strncmp(e->name, "name=", 5) != 0)))
        dup = &host->h[i];
    }
    if (dup) {
      if (preferred(dup->mountpoint) && !preferred(m.point))
        continue;
      free(dup->mountpoint);
      free(dup->mount_root);
      dup->mountpoint = strdup(m.point);
      dup->mount_root = strdup(m.root);
      if (!dup->mountpoint || !dup->mount_root)
        goto oom;
      continue;
    }
    _cleanup_free_ char *own = own_path(proc_cgroup, v2, mask, named);
    if (!own)
      continue;                 /* we are not in it (another ns's mount) */
    cell_cg_hierarchy *a = realloc(host->h, (host->n + 1) * sizeof *a);
    if (!a)
      goto oom;
    host->h = a;
    cell_cg_hierarchy *h = &a[host->n++];
    memset(h, 0, sizeof *h);
    h->v2 = v2;
    h->controllers = mask;
    h->mountpoint = strdup(m.point);
    h->mount_root = strdup(m.root);
    h->own = cell_steal(&own);
    if (v2)
      h->name = strdup("");
    else if (named)
      h->name = strdup(named);
    else {
      /* "cpu,cpuacct" in the kernel's order */
      char buf[256] = "";
      for (int i = 0; i < CELL_CGC_COUNT; i++)
        if (mask & CG_BIT(i)) {
          if (*buf)
            strcat(buf, ",");
          strcat(buf, ctl_v1[i]);
        }
      h->name = strdup(buf);
    }
    if (!h->mountpoint || !h->mount_root || !h->name)
      goto oom;
    if (v2)
      v2_at_root = v2_at_root || strcmp(h->mountpoint, "/sys/fs/cgroup") == 0;
    else
      have_v1 = true;
  }
  bool have_v2 = false;
  for (size_t i = 0; i < host->n; i++) {
    cell_cg_hierarchy *h = &host->h[i];
    if (!h->v2)
      continue;
    have_v2 = true;
    if (read_v2 && v2_read_controllers(h, err) < 0) {
      cell_error_wrap(err, "cgroup2 hierarchy at %s", h->mountpoint);
      cell_cg_host_free(host);
      return -err->code;
    }
  }
  host->mode = v2_at_root || (have_v2 && !have_v1) ? CELL_CG_V2
             : have_v2 ? CELL_CG_HYBRID : have_v1 ? CELL_CG_V1 : CELL_CG_NONE;
  return 0;
oom:
  cell_cg_host_free(host);
  return cell_error_set(err, ENOMEM, "out of memory reading the cgroup mounts");
}

int cell_cg_host_detect(cell_cg_host *host, cell_error *err)
{
  _cleanup_free_ char *mi = NULL, *pc = NULL;
  size_t len;
  int r;
  if ((r = cell_read_file("/proc/self/mountinfo", &mi, &len, err)) < 0 ||
      (r = cell_read_file("/proc/self/cgroup", &pc, &len, err)) < 0)
    return r;
  if ((r = cell_cg_host_parse(mi, pc, true, host, err)) < 0)
    return r;
  /* statfs decides the mode (mountinfo may list stale or foreign mounts). */
  struct statfs fs, uni;
  bool root_ok = statfs("/sys/fs/cgroup", &fs) == 0;
  if (root_ok && fs.f_type == CGROUP2_SUPER_MAGIC)
    host->mode = CELL_CG_V2;
  else if (statfs("/sys/fs/cgroup/unified", &uni) == 0 && uni.f_type == CGROUP2_SUPER_MAGIC)
    host->mode = CELL_CG_HYBRID;
  else if (root_ok && fs.f_type == TMPFS_MAGIC)
    host->mode = CELL_CG_V1;
  if (host->mode == CELL_CG_V2) {
    /* On a unified host, v1 mounts elsewhere (rare) are ignored. */
    size_t o = 0;
    for (size_t i = 0; i < host->n; i++) {
      if (host->h[i].v2) {
        host->h[o++] = host->h[i];
        continue;
      }
      free(host->h[i].mountpoint);
      free(host->h[i].mount_root);
      free(host->h[i].name);
      free(host->h[i].own);
    }
    host->n = o;
  } else if (host->mode == CELL_CG_V1) {
    for (size_t i = 0; i < host->n; i++)
      if (host->h[i].v2)
        host->mode = CELL_CG_HYBRID;
  }
  return 0;
}
