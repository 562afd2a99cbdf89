/* Cgroups for a caller that is not root (runc's rootless rule): a
 * hierarchy is used when the caller may make the container's directory in
 * it (cgroup v2 delegated to it, the usual case under systemd's
 * user@.service); the others are left out, silently when the config sets no
 * resource that needs them, and an error naming the resource otherwise.
 * All of it is decided before anything is made. */
#include "cgroups/internal.h"
#include "util/cleanup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* May the caller make (or, when it is there, enter) the directory dir of a
 * hierarchy mounted at mp? On no, *why is "DIR: strerror" (malloc'ed). */
static bool may_make(const char *mp, const char *dir, char **why)
{
  *why = NULL;
  _cleanup_free_ char *p = strdup(dir);
  if (!p)
    return false;
  size_t ml = strlen(mp);
  if (access(p, F_OK) == 0) {
    _cleanup_free_ char *procs = cg_join(p, "cgroup.procs");
    if (procs && access(procs, W_OK) == 0)
      return true;
    if (asprintf(why, "%s: %s", procs ? procs : p, strerror(errno)) < 0)
      *why = NULL;
    return false;
  }
  /* The nearest level that exists must let us make the next one. */
  for (;;) {
    char *slash = strrchr(p, '/');
    if (!slash || (size_t) (slash - p) < ml)
      break;
    *slash = 0;
    if (access(p, F_OK) == 0)
      break;
  }
  if (access(p, W_OK | X_OK) == 0)
    return true;
  if (asprintf(why, "%s: %s", p, strerror(errno)) < 0)
    *why = NULL;
  return false;
}

static const char *hierarchy_name(const cell_cgroup_dir *d)
{
  return d->v2 ? "cgroup2" : d->name && *d->name ? d->name : "v1";
}

/* The config field that needs controller c. */
static const char *resource_field(int c)
{
  switch (c) {
  case CELL_CGC_MEMORY: return "linux.resources.memory";
  case CELL_CGC_CPU: return "linux.resources.cpu";
  case CELL_CGC_CPUSET: return "linux.resources.cpu.cpus/mems";
  case CELL_CGC_PIDS: return "linux.resources.pids";
  case CELL_CGC_BLKIO: return "linux.resources.blockIO";
  case CELL_CGC_HUGETLB: return "linux.resources.hugepageLimits";
  case CELL_CGC_NET_CLS: return "linux.resources.network.classID";
  case CELL_CGC_NET_PRIO: return "linux.resources.network.priorities";
  case CELL_CGC_RDMA: return "linux.resources.rdma";
  default: return "linux.resources.unified";
  }
}

/* Why each controller has no usable directory: the first one left out. */
typedef struct why_ctl {
  char *why[CELL_CGC_COUNT];
} why_ctl;

static void why_ctl_free(why_ctl *w)
{
  for (int c = 0; c < CELL_CGC_COUNT; c++)
    free(w->why[c]);
}

int cg_rootless_select(cell_cgroup *cg, const cell_cgroup_config *cfg, cell_error *err)
{
  uint32_t need = cfg->resources ? cg_resources_need_set(cfg->resources) : 0;
  bool unified = cfg->resources && cfg->resources->n_unified;
  uint32_t kept = 0;
  bool kept_v2 = false;
  const cell_log *log = cfg->plan_only ? NULL : cfg->log;   /* said once, not for the plan */
  __attribute__((cleanup(why_ctl_free))) why_ctl left = { { NULL } };
  _cleanup_free_ char *why_v2 = NULL;
  for (size_t i = 0; i < cg->n;) {
    cell_cgroup_dir *d = &cg->d[i];
    _cleanup_free_ char *why = NULL;
    if (may_make(d->mountpoint, d->dir, &why)) {
      cell_log_debug(log, "cgroups: rootless: %s hierarchy used: %s", hierarchy_name(d),
                     d->dir);
      kept |= d->controllers;
      kept_v2 = kept_v2 || d->v2;
      i++;
      continue;
    }
    cell_log_debug(log, "cgroups: rootless: %s hierarchy left out (%s)", hierarchy_name(d),
                   why ? why : "out of memory");
    for (int c = 0; c < CELL_CGC_COUNT; c++)
      if ((d->controllers & CG_BIT(c)) && !left.why[c] && why)
        left.why[c] = strdup(why);
    if (d->v2 && !why_v2 && why)
      why_v2 = strdup(why);
    cg_record_drop_dir(cg, i);
  }
  if (!cg->n)
    cell_log_debug(log, "cgroups: rootless: no cgroup is writable by uid %u; the "
                   "container stays in the caller's cgroups", (unsigned) geteuid());
  for (int c = 0; c < CELL_CGC_COUNT; c++) {
    if (!(need & CG_BIT(c)) || (kept & CG_BIT(c)))
      continue;
    const char *why = left.why[c];
    return cell_error_set(err, EPERM, "%s: rootless (uid %u): no %s cgroup the caller may use "
                          "(%s); remove the limit, or run in a cgroup v2 subtree delegated "
                          "to the caller", resource_field(c), (unsigned) geteuid(),
                          cell_cg_ctl_name(c), why ? why : "no hierarchy has the controller");
  }
  if (unified && !kept_v2)
    return cell_error_set(err, EPERM, "linux.resources.unified: rootless (uid %u): no cgroup2 "
                          "directory the caller may use (%s)", (unsigned) geteuid(),
                          why_v2 ? why_v2 : "no cgroup2 hierarchy");
  return 0;
}

int cell_cgroup_rootless_describe(const cell_cg_host *host, char **out, cell_error *err)
{
  *out = NULL;
  char buf[2048];
  size_t len = 0;
  buf[0] = 0;
  for (size_t i = 0; i < host->n; i++) {
    const cell_cg_hierarchy *h = &host->h[i];
    if (host->mode == CELL_CG_V2 && !h->v2)
      continue;
    _cleanup_free_ char *path = NULL, *dir = NULL, *why = NULL;
    int r = cell_cgroup_placement(h, CELL_CGM_CGROUPFS, NULL, "ID", &path, err);
    if (r < 0)
      return r;
    size_t rl = strcmp(h->mount_root, "/") ? strlen(h->mount_root) : 0;
    if (rl && strncmp(path, h->mount_root, rl) != 0)
      continue;                 /* outside the part mounted here */
    dir = cg_join(h->mountpoint, path + rl);
    if (!dir)
      return cell_error_set(err, ENOMEM, "out of memory");
    if (!may_make(h->mountpoint, dir, &why))
      continue;
    int w = snprintf(buf + len, sizeof buf - len, "%s%s %s", len ? ", " : "",
                     h->v2 ? "cgroup2" : h->name, dir);
    if (w > 0 && (size_t) w < sizeof buf - len)
      len += (size_t) w;
  }
  if (!len)
    snprintf(buf, sizeof buf, "none writable by uid %u: containers run in the caller's "
             "cgroup; a config with resources fails", (unsigned) geteuid());
  return (*out = strdup(buf)) ? 0 : cell_error_set(err, ENOMEM, "out of memory");
}
