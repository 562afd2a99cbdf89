/* The container's cgroup record: its directories per hierarchy, lookups by
 * controller, and its JSON form in the state file. No file-system access. */
#include "cgroups/internal.h"
#include "util/cleanup.h"
#include "util/strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void dir_free(cell_cgroup_dir *d)
{
  free(d->mountpoint);
  free(d->path);
  free(d->dir);
  free(d->created);
  free(d->name);
}

void cell_cgroup_free(cell_cgroup *cg)
{
  if (!cg)
    return;
  for (size_t i = 0; i < cg->n; i++)
    dir_free(&cg->d[i]);
  free(cg->d);
  if (cg->v2_fd >= 0)
    close(cg->v2_fd);
  free(cg);
}

void cell_cgroup_freep(cell_cgroup **cg) { cell_cgroup_free(*cg); }

cell_cgroup *cg_record_new(cell_cg_mode mode, cell_cgroup_manager m)
{
  cell_cgroup *cg = calloc(1, sizeof *cg);
  if (cg) {
    cg->mode = mode;
    cg->manager = m;
    cg->v2_fd = -1;
  }
  return cg;
}

void cg_record_drop_dir(cell_cgroup *cg, size_t i)
{
  dir_free(&cg->d[i]);
  memmove(&cg->d[i], &cg->d[i + 1], (cg->n - i - 1) * sizeof *cg->d);
  cg->n--;
}

cell_cgroup_dir *cg_record_add_dir(cell_cgroup *cg)
{
  cell_cgroup_dir *a = realloc(cg->d, (cg->n + 1) * sizeof *a);
  if (!a)
    return NULL;
  cg->d = a;
  memset(&a[cg->n], 0, sizeof *a);
  return &a[cg->n++];
}

const cell_cgroup_dir *cell_cgroup_dir_for(const cell_cgroup *cg, int ctl)
{
  if (ctl < 0) {
    for (size_t i = 0; i < cg->n; i++)
      if (cg->d[i].v2)
        return &cg->d[i];
    return cg->n ? &cg->d[0] : NULL;
  }
  for (size_t i = 0; i < cg->n; i++)
    if (!cg->d[i].v2 && (cg->d[i].controllers & CG_BIT(ctl)))
      return &cg->d[i];
  for (size_t i = 0; i < cg->n; i++)
    if (cg->d[i].v2 && (cg->d[i].controllers & CG_BIT(ctl)))
      return &cg->d[i];
  return NULL;
}

/* ---- JSON ---------------------------------------------------------------- */

static const char *manager_name(cell_cgroup_manager m)
{
  return m == CELL_CGM_SYSTEMD ? "systemd" : m == CELL_CGM_DISABLED ? "disabled" : "cgroupfs";
}

json_t *cell_cgroup_to_json(const cell_cgroup *cg)
{
  json_t *dirs = json_array();
  for (size_t i = 0; i < cg->n; i++) {
    const cell_cgroup_dir *d = &cg->d[i];
    char ctl[256] = "";
    for (int c = 0; c < CELL_CGC_COUNT; c++)
      if (d->controllers & CG_BIT(c)) {
        if (*ctl)
          strcat(ctl, " ");
        strcat(ctl, cell_cg_ctl_name(c));
      }
    json_array_append_new(dirs, json_pack("{s:s,s:s,s:s,s:o,s:b,s:s}", "mount", d->mountpoint,
                                          "path", d->path, "dir", d->dir, "created",
                                          d->created ? json_string(d->created) : json_null(),
                                          "v2", d->v2, "controllers", ctl));
  }
  return json_pack("{s:s,s:s,s:o}", "mode", cell_cg_mode_name(cg->mode), "manager",
                   manager_name(cg->manager), "dirs", dirs);
}

int cell_cgroup_from_json(const json_t *j, cell_cgroup **out, cell_error *err)
{
  *out = NULL;
  const char *mode = NULL, *manager = NULL;
  json_t *dirs = NULL;
  if (!j || json_unpack((json_t *) j, "{s:s,s:s,s:o}", "mode", &mode, "manager", &manager,
                        "dirs", &dirs) < 0 || !json_is_array(dirs))
    return cell_error_set(err, EINVAL, "state: `cgroup` is not a cgroup record");
  cell_cg_mode m = strcmp(mode, "v1") == 0 ? CELL_CG_V1 : strcmp(mode, "hybrid") == 0
                   ? CELL_CG_HYBRID : strcmp(mode, "v2") == 0 ? CELL_CG_V2 : CELL_CG_NONE;
  cell_cgroup_manager mg = strcmp(manager, "systemd") == 0 ? CELL_CGM_SYSTEMD
                         : strcmp(manager, "disabled") == 0 ? CELL_CGM_DISABLED
                         : CELL_CGM_CGROUPFS;
  _cleanup_cgroup_ cell_cgroup *cg = cg_record_new(m, mg);
  if (!cg)
    return cell_error_set(err, ENOMEM, "out of memory");
  size_t i;
  json_t *e;
  json_array_foreach(dirs, i, e) {
    const char *mp, *path, *dir, *ctl;
    json_t *created;
    int v2;
    if (json_unpack(e, "{s:s,s:s,s:s,s:o,s:b,s:s}", "mount", &mp, "path", &path, "dir", &dir,
                    "created", &created, "v2", &v2, "controllers", &ctl) < 0)
      return cell_error_set(err, EINVAL, "state: cgroup.dirs[%zu] is malformed", i);
    cell_cgroup_dir *d = cg_record_add_dir(cg);
    if (!d)
      return cell_error_set(err, ENOMEM, "out of memory");
    d->mountpoint = strdup(mp);
    d->path = strdup(path);
    d->dir = strdup(dir);
    d->created = json_is_string(created) ? strdup(json_string_value(created)) : NULL;
    d->v2 = v2;
    _cleanup_strv_ char **w = cg_split_words(ctl);
    for (size_t k = 0; w && w[k]; k++) {
      int c = cell_cg_ctl_from_name(w[k]);
      if (c >= 0)
        d->controllers |= CG_BIT(c);
    }
    if (!d->mountpoint || !d->path || !d->dir)
      return cell_error_set(err, ENOMEM, "out of memory");
  }
  *out = cell_steal(&cg);
  return 0;
}
