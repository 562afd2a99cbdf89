/* The container's cgroup: create, enter, destroy (the record itself and its
 * JSON form: record.c). */
#include "cgroups/internal.h"
#include "util/cleanup.h"
#include "util/fault.h"
#include "util/fs.h"
#include "util/strv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The file-system directory of hierarchy path p. */
static int dir_of(const cell_cg_hierarchy *h, const char *p, char **out, cell_error *err)
{
  size_t rl = strlen(h->mount_root);
  const char *rest = p;
  if (strcmp(h->mount_root, "/") != 0) {
    if (strncmp(p, h->mount_root, rl) != 0 || (p[rl] && p[rl] != '/'))
      return cell_error_set(err, EINVAL,
                            "cgroup `%s` is outside the part `%s` of the hierarchy mounted at %s",
                            p, h->mount_root, h->mountpoint);
    rest = p + rl;
  }
  *out = cg_join(h->mountpoint, rest);
  return *out ? 0 : cell_error_set(err, ENOMEM, "out of memory");
}

/* cg_read of a file of one value (cpuset.cpus, .mems) in one read(2):
 * the kernel makes such a file whole at once, so a short read is all of
 * it; only one that fills the buffer is read again, to the end. */
static int read_value(const char *dir, const char *file, char **out, cell_error *err)
{
  _cleanup_free_ char *path = cg_join(dir, file);
  if (!path)
    return cell_error_set(err, ENOMEM, "out of memory");
  _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return cell_error_sys(err, "open `%s`", path);
  char buf[4096];
  ssize_t n;
  do
    n = read(fd, buf, sizeof buf);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return cell_error_sys(err, "read `%s`", path);
  if ((size_t) n == sizeof buf)
    return cg_read(dir, file, out, err);
  *out = strndup(buf, (size_t) n);
  return *out ? 0 : cell_error_set(err, ENOMEM, "out of memory");
}

/* A new v1 cpuset cgroup has empty cpus/mems; give it the parent's. A
 * level we have just made (fresh) is written without looking first: it
 * is empty, or holds the parent's values already (cgroup.clone_children),
 * which the kernel takes as no change. 1 when a value of the parent was
 * empty (nothing to give: the parent needs filling first). */
static int cpuset_inherit(const char *dir, bool fresh, cell_error *err)
{
  static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
  _cleanup_free_ char *parent = strdup(dir);
  if (!parent)
    return cell_error_set(err, ENOMEM, "out of memory");
  *strrchr(parent, '/') = 0;
  int empty = 0;
  for (int i = 0; i < 2; i++) {
    _cleanup_free_ char *mine = NULL, *theirs = NULL;
    if (!fresh) {
      if (read_value(dir, files[i], &mine, err) < 0)
        return -err->code;
      if (strspn(mine, " \n") != strlen(mine))
        continue;
    }
    if (read_value(parent, files[i], &theirs, err) < 0)
      return -err->code;
    theirs[strcspn(theirs, "\n")] = 0;
    if (!*theirs)
      empty = 1;
    else if (cg_write(dir, files[i], theirs, NULL, err) < 0)
      return -err->code;
  }
  return empty;
}

/* One walk down d->dir: mkdir each missing component; d->created is the
 * first one made. Ancestors are shared with other runtimes working at the
 * same moment, so a level is made usable before anything goes below it,
 * whoever made it: a v1 cpuset directory another runtime has just made may
 * still have empty cpus/mems (a child of it would inherit nothing, and a
 * move into it fails with ENOSPC), so each level is filled from its parent
 * when empty, which is idempotent. -ENOENT when a level vanished under us
 * (the delete of another container that made a shared parent removed it). */
static int make_dirs_once(cell_cgroup_dir *d, bool cpuset, cell_error *err)
{
  size_t ml = strlen(d->mountpoint);
  _cleanup_free_ char *buf = strdup(d->dir);
  if (!buf)
    return cell_error_set(err, ENOMEM, "out of memory");
  char *p = buf + ml;
  while (*p) {
    while (*p == '/')
      p++;
    if (!*p)
      break;
    p += strcspn(p, "/");
    char saved = *p;
    *p = 0;
    bool made = mkdir(buf, 0755) == 0;
    if (made) {
      if (!d->created && !(d->created = strdup(buf)))
        return cell_error_set(err, ENOMEM, "out of memory");
    } else if (errno != EEXIST)
      return cell_error_sys(err, "mkdir %s", buf);
    if (cpuset && cpuset_inherit(buf, made, err) < 0)
      return -err->code;
    *p = saved;
  }
  return 0;
}

/* For a plan: the topmost level of d->dir missing now, which the real
 * walk would make (NULL when every level is there). Looked for from the
 * bottom up: a level is there only when every level above it is, so the
 * topmost missing one is the child of the deepest one there, and a new
 * container's directory below an existing parent costs one access(2)
 * instead of one per level of the path. */
static int plan_created(cell_cgroup_dir *d, cell_error *err)
{
  _cleanup_free_ char *buf = strdup(d->dir);
  if (!buf)
    return cell_error_set(err, ENOMEM, "out of memory");
  size_t ml = strlen(d->mountpoint), len = strlen(buf), missing = 0;
  while (len > ml) {
    char saved = buf[len];
    buf[len] = 0;
    bool there = access(buf, F_OK) == 0;
    buf[len] = saved;
    if (there)
      break;
    missing = len;
    do
      len--;
    while (len > ml && buf[len] != '/');
  }
  if (!missing)
    return 0;
  return (d->created = strndup(buf, missing)) ? 0
                                               : cell_error_set(err, ENOMEM, "out of memory");
}

/* make_dirs_once, again from the top while levels vanish under us. Most
 * often only the leaf is missing, and one mkdir(2) of it is the whole
 * walk; a v1 cpuset leaf is then filled from its parent, and should that
 * be empty too, the walk fills every level from the top. */
static int make_dirs(cell_cgroup_dir *d, bool cpuset, cell_error *err)
{
  _cleanup_free_ char *leaf = NULL;
  if (mkdir(d->dir, 0755) == 0) {
    if (!(leaf = strdup(d->dir)))
      return cell_error_set(err, ENOMEM, "out of memory");
    int r = cpuset ? cpuset_inherit(d->dir, true, err) : 0;
    if (r <= 0) {
      free(d->created);
      d->created = cell_steal(&leaf);
      return r;
    }
  } else if (errno == EEXIST && !cpuset) {
    free(d->created);
    d->created = NULL;
    return 0;
  }
  for (int tries = 1;; tries++) {
    free(d->created);
    d->created = NULL;
    int r = make_dirs_once(d, cpuset, err);
    if (r >= 0 && leaf && !d->created)
      d->created = cell_steal(&leaf);   /* the walk found it there: made by us above */
    if (r != -ENOENT || tries == 100)
      return r;
    cell_error_clear(err);
  }
}

/* A cgroup that was there before us must not hold processes: they would
 * share the container's limits and die with it. */
static int check_unused(const cell_cgroup_dir *d, cell_error *err)
{
  _cleanup_free_ char *procs = NULL;
  if (cg_read(d->dir, "cgroup.procs", &procs, err) < 0)
    return -err->code;
  if (procs[strspn(procs, " \n")])
    return cell_error_set(err, EBUSY, "cgroup %s already has processes (%.*s...): another "
                          "container's? Choose another linux.cgroupsPath", d->dir,
                          (int) strcspn(procs, "\n"), procs);
  return 0;
}

static int devrules_for_create(const cell_cgroup_config *cfg, cg_dev_rules *rules)
{
  const oci_resources_typed *r = cfg->resources;
  bool any = (r && r->has_devices) || cfg->n_devices || cfg->add_default_devices;
  memset(rules, 0, sizeof *rules);
  if (!any)
    return 0;
  return cg_dev_rules_build(r ? r->devices : NULL, r ? r->n_devices : 0, cfg->devices,
                            cfg->n_devices, cfg->add_default_devices, rules);
}

/* mkdir d's directory (and the missing levels above it). */
static int make_dir(cell_cgroup_dir *d, cell_error *err)
{
  int r = make_dirs(d, !d->v2 && (d->controllers & CG_BIT(CELL_CGC_CPUSET)), err);
  if (r < 0)
    return cell_error_wrap(err, "create cgroup `%s` in the %s hierarchy", d->path,
                           d->v2 ? "cgroup2" : d->name);
  if (!d->created && (r = check_unused(d, err)) < 0)
    return r;
  return cell_fault("cgroups.mkdir", err);
}

/* linux.resources and the device rules, once every directory is made. */
static int apply_created(cell_cgroup *cg, const cell_cgroup_config *cfg, cell_error *err)
{
  __attribute__((cleanup(cg_dev_rules_free))) cg_dev_rules rules = { 0 };
  /* A user namespace cannot make device nodes, and a rootless caller can
   * neither write v1 devices.* nor attach a device program: no rules. */
  if (!cfg->rootless && devrules_for_create(cfg, &rules) < 0)
    return cell_error_set(err, ENOMEM, "out of memory");
  if (!cfg->resources && !rules.v)
    return 0;
  return cg_apply(cg, cfg->resources, rules.v ? &rules : NULL, false, cfg->log, err);
}

int cell_cgroup_create_rest(cell_cgroup *cg, const cell_cgroup_config *cfg, cell_error *err)
{
  if (!cg->v1_pending)
    return 0;
  cg->v1_pending = false;
  int r;
  for (size_t i = 0; i < cg->n; i++)
    if (!cg->d[i].v2 && (r = make_dir(&cg->d[i], err)) < 0)
      return r;
  return apply_created(cg, cfg, err);
}

int cell_cgroup_create(const cell_cg_host *host, const cell_cgroup_config *cfg,
                       cell_cgroup **out, cell_error *err)
{
  *out = NULL;
  if (cfg->manager == CELL_CGM_DISABLED) {
    *out = cg_record_new(CELL_CG_NONE, CELL_CGM_DISABLED);
    return *out ? 0 : cell_error_set(err, ENOMEM, "out of memory");
  }
  cell_cg_host detected = { 0 };
  if (!host) {
    int r = cell_cg_host_detect(&detected, err);
    if (r < 0)
      return cell_error_wrap(err, "detect cgroups");
    host = &detected;
  }
  int r = 0;
  cell_cgroup *cg = cg_record_new(host->mode, cfg->manager);
  if (!cg) {
    r = cell_error_set(err, ENOMEM, "out of memory");
    goto out;
  }
  if (host->mode == CELL_CG_NONE || host->n == 0) {
    r = cell_error_set(err, ENOTSUP, "no cgroup file system is mounted on this host "
                                     "(use --cgroup-manager disabled)");
    goto out;
  }
  uint32_t v1_mask = 0;
  for (size_t i = 0; i < host->n; i++)
    if (!host->h[i].v2)
      v1_mask |= host->h[i].controllers;
  for (size_t i = 0; i < host->n; i++) {
    const cell_cg_hierarchy *h = &host->h[i];
    if (host->mode == CELL_CG_V2 && !h->v2)
      continue;
    cell_cgroup_dir *d = cg_record_add_dir(cg);
    if (!d) {
      r = cell_error_set(err, ENOMEM, "out of memory");
      goto fail;
    }
    d->v2 = h->v2;
    d->controllers = h->v2 ? h->controllers & ~v1_mask : h->controllers;
    if ((r = cell_cgroup_placement(h, cfg->manager, cfg->cgroups_path, cfg->id, &d->path,
                                   err)) < 0 ||
        (r = dir_of(h, d->path, &d->dir, err)) < 0)
      goto fail;
    if (!(d->mountpoint = strdup(h->mountpoint)) || !(d->name = strdup(h->name))) {
      r = cell_error_set(err, ENOMEM, "out of memory");
      goto fail;
    }
  }
  /* Rootless: only the hierarchies the caller may write, decided before
   * anything is made (rootless.c). */
  if (cfg->rootless && (r = cg_rootless_select(cg, cfg, err)) < 0)
    goto fail;
  bool defer = false;
  for (size_t i = 0; i < cg->n; i++) {
    cell_cgroup_dir *d = &cg->d[i];
    if (cfg->plan_only) {
      if ((r = plan_created(d, err)) < 0)
        goto fail;
    } else if (cfg->defer_v1 && !d->v2)
      defer = true;
    else if ((r = make_dir(d, err)) < 0)
      goto fail;
  }
  if (cfg->plan_only)
    goto done;
  /* v2 controllers the resources need and no v1 hierarchy holds. */
  uint32_t need = cfg->resources ? cg_resources_need(cfg->resources) & ~v1_mask : 0;
  for (size_t i = 0; i < cg->n; i++)
    /* Controllers this hierarchy lacks altogether are reported by apply,
     * naming the field; here only those it has but must pass down. */
    if (cg->d[i].v2 && (r = cg_v2_enable(&cg->d[i], need & cg->d[i].controllers, err)) < 0)
      goto fail;
  cg->v1_pending = defer;
  if (!defer && (r = apply_created(cg, cfg, err)) < 0)
    goto fail;
done:
  *out = cg;
  cg = NULL;
  goto out;
fail:
  if (!cfg->plan_only) {
    cell_error e2 = CELL_ERROR_INIT;
    cell_cgroup_destroy(cg, 1000, &e2);
    cell_error_clear(&e2);
  }
out:
  cell_cgroup_free(cg);
  if (host == &detected)
    cell_cg_host_free(&detected);
  return r;
}

int cell_cgroup_clone_fd(cell_cgroup *cg, cell_error *err)
{
  if (cg->v2_fd >= 0)
    return cg->v2_fd;
  for (size_t i = 0; i < cg->n; i++) {
    if (!cg->d[i].v2)
      continue;
    int fd = open(cg->d[i].dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
      return cell_error_sys(err, "open %s", cg->d[i].dir);
    return cg->v2_fd = fd;
  }
  return cell_error_set(err, ENOENT, "the container has no cgroup v2 directory");
}

int cell_cgroup_enter(const cell_cgroup *cg, pid_t pid, cell_error *err)
{
  return cell_cgroup_enter_rest(cg, pid, false, false, err);
}

int cell_cgroup_enter_rest(const cell_cgroup *cg, pid_t pid, bool v1_done, bool v2_done,
                           cell_error *err)
{
  for (size_t i = 0; i < cg->n; i++) {
    if (cg->d[i].v2 ? v2_done : v1_done)
      continue;
    int r = cg_writef(cg->d[i].dir, "cgroup.procs", NULL, err, "%d", (int) pid);
    if (r < 0)
      return cell_error_wrap(err, "move process %d into its cgroup", (int) pid);
  }
  return 0;
}

int cell_cgroup_self_move_open(const cell_cgroup *cg, cell_cgroup_self_move *m,
                               cell_error *err)
{
  memset(m, 0, sizeof *m);
  size_t n = 0;
  for (size_t i = 0; i < cg->n; i++)
    n += !cg->d[i].v2;
  if (!n)
    return 0;
  m->fd = malloc(n * sizeof *m->fd);
  m->path = calloc(n, sizeof *m->path);
  if (!m->fd || !m->path) {
    cell_cgroup_self_move_close(m);
    return cell_error_set(err, ENOMEM, "out of memory");
  }
  for (size_t i = 0; i < cg->n; i++) {
    if (cg->d[i].v2)
      continue;
    char *path = cg_join(cg->d[i].dir, "tasks");
    int fd = path ? open(path, O_WRONLY | O_CLOEXEC) : -1;
    if (fd < 0) {
      int r = path ? cell_error_sys(err, "open %s", path)
                   : cell_error_set(err, ENOMEM, "out of memory");
      free(path);
      cell_cgroup_self_move_close(m);
      return r;
    }
    m->fd[m->n] = fd;
    m->path[m->n++] = path;
  }
  return 0;
}

int cell_cgroup_move_self(cell_cgroup_self_move *m, cell_error *err)
{
  int r = 0;
  for (size_t i = 0; i < m->n && r == 0; i++) {
    ssize_t w;
    do
      w = write(m->fd[i], "0", 1);
    while (w < 0 && errno == EINTR);
    if (w != 1)
      r = cell_error_sys(err, "move into the container's cgroup: write 0 to %s", m->path[i]);
  }
  cell_cgroup_self_move_close(m);
  return r;
}

int cell_cgroup_enter_self(const cell_cgroup *cg, bool v2_done, cell_error *err)
{
  cell_cgroup_self_move m;
  int r = cell_cgroup_self_move_open(cg, &m, err);
  if (r >= 0)
    r = cell_cgroup_move_self(&m, err);
  if (r >= 0)
    r = cell_cgroup_enter_rest(cg, getpid(), true, v2_done, err);
  return r;
}

void cell_cgroup_self_move_close(cell_cgroup_self_move *m)
{
  for (size_t i = 0; i < m->n; i++) {
    close(m->fd[i]);
    free(m->path[i]);
  }
  free(m->fd);
  free(m->path);
  memset(m, 0, sizeof *m);
}

/* ---- destroy ------------------------------------------------------------- */

static void sleep_ms(int ms)
{
  struct timespec ts = { ms / 1000, (long) (ms % 1000) * 1000000L };
  nanosleep(&ts, NULL);
}

static long now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* rmdir with EBUSY retried until deadline. */
static int rmdir_wait(const char *dir, long deadline, cell_error *err)
{
  for (;;) {
    if (rmdir(dir) == 0 || errno == ENOENT)
      return 0;
    if (errno != EBUSY || now_ms() >= deadline)
      return cell_error_sys(err, "rmdir %s", dir);
    sleep_ms(10);
  }
}

/* Remove dir's child cgroups (made inside the container), deepest first. */
static int rm_children(const char *dir, long deadline, int depth, cell_error *err)
{
  if (depth > 64)
    return cell_error_set(err, ELOOP, "%s: cgroup tree too deep", dir);
  _cleanup_closedir_ DIR *dh = opendir(dir);
  if (!dh)
    return errno == ENOENT ? 0 : cell_error_sys(err, "opendir %s", dir);
  struct dirent *de;
  while ((de = readdir(dh))) {
    if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
      continue;
    _cleanup_free_ char *sub = cg_join(dir, de->d_name);
    if (!sub)
      return cell_error_set(err, ENOMEM, "out of memory");
    int r;
    if ((r = rm_children(sub, deadline, depth + 1, err)) < 0 ||
        (r = rmdir_wait(sub, deadline, err)) < 0)
      return r;
  }
  return 0;
}

int cell_cgroup_destroy(const cell_cgroup *cg, int timeout_ms, cell_error *err)
{
  long deadline = now_ms() + (timeout_ms < 0 ? 0 : timeout_ms);
  int first = 0;
  for (size_t i = 0; i < cg->n; i++) {
    const cell_cgroup_dir *d = &cg->d[i];
    if (!d->created)
      continue;                 /* it was there before us: not ours to remove */
    cell_error e = CELL_ERROR_INIT;
    /* Child cgroups made inside the container are rare: look for them
     * only when the plain rmdir says the directory is not empty. */
    int r = 0;
    if (rmdir(d->dir) < 0 && errno != ENOENT) {
      r = rm_children(d->dir, deadline, 0, &e);
      if (r >= 0)
        r = rmdir_wait(d->dir, deadline, &e);
    }
    /* The ancestors we made, up to d->created: once each. EBUSY there
     * means another container's cgroup lives beside ours: keep it. */
    _cleanup_free_ char *p = strdup(d->dir);
    size_t cl = strlen(d->created);
    if (!p && r >= 0)
      r = cell_error_set(&e, ENOMEM, "out of memory");
    while (r >= 0 && p) {
      char *slash = strrchr(p, '/');
      if (!slash || slash == p)
        break;
      *slash = 0;
      if (strlen(p) < cl || rmdir(p) < 0)
        break;
    }
    if (r >= 0)
      r = cell_fault("cgroups.rmdir", &e);
    if (r < 0 && !first) {
      first = r;
      cell_error_move(err, &e);
    }
    cell_error_clear(&e);
  }
  return first ? cell_error_wrap(err, "remove the container's cgroup") : 0;
}
