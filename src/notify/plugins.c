/* The plugin host: load shared objects named in run.oci.seccomp.plugins
 * (or cell-agent --plugin), cell's API or crun's. */
#include "notify/internal.h"
#include "util/cleanup.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void *sym(void *dl, const char *prefix, const char *name)
{
  char buf[128];
  snprintf(buf, sizeof buf, "%s%s", prefix, name);
  return dlsym(dl, buf);
}

static int load_one(cn_plugin *p, const char *path, cell_error *err)
{
  memset(p, 0, sizeof *p);
  p->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!p->dl) {
    const char *e = dlerror();
    return cell_error_set(err, ENOENT, "seccomp plugin `%s`: dlopen: %s", path, e ? e : "failed");
  }
  const char *prefix = "cell_seccomp_plugin_";
  int (*version)(void) = (int (*)(void)) sym(p->dl, prefix, "version");
  int want = CELL_SECCOMP_PLUGIN_VERSION;
  if (!version) {
    prefix = "run_oci_seccomp_notify_";
    version = (int (*)(void)) sym(p->dl, prefix, "plugin_version");
    p->crun = true;
    want = 1;
  }
  if (!version) {
    dlclose(p->dl);
    p->dl = NULL;
    return cell_error_set(err, EINVAL, "seccomp plugin `%s`: exports neither "
                          "cell_seccomp_plugin_version nor run_oci_seccomp_notify_plugin_version",
                          path);
  }
  int v = version();
  p->start = (void (*)(void)) sym(p->dl, prefix, "start");
  p->handle = (cell_seccomp_plugin_handle_request_fn) sym(p->dl, prefix, "handle_request");
  p->stop = (cell_seccomp_plugin_stop_fn) sym(p->dl, prefix, "stop");
  const char *missing = !p->handle ? "handle_request" : NULL;
  if (v != want || missing) {
    dlclose(p->dl);
    p->dl = NULL;
    if (missing)
      return cell_error_set(err, EINVAL, "seccomp plugin `%s`: no %s%s", path, prefix, missing);
    return cell_error_set(err, EINVAL, "seccomp plugin `%s`: API version %d, this cell knows %d",
                          path, v, want);
  }
  p->path = strdup(path);
  if (!p->path) {
    dlclose(p->dl);
    p->dl = NULL;
    return cell_error_set(err, ENOMEM, "out of memory");
  }
  return 0;
}

int cn_plugins_load(cn_plugin_set *set, const char *list, cell_error *err)
{
  if (!list || !*list)
    return 0;
  _cleanup_free_ char *copy = strdup(list);
  if (!copy)
    return cell_error_set(err, ENOMEM, "out of memory");
  char *save = NULL;
  for (char *name = strtok_r(copy, ":", &save); name; name = strtok_r(NULL, ":", &save)) {
    cn_plugin *v = realloc(set->v, (set->n + 1) * sizeof *v);
    if (!v)
      return cell_error_set(err, ENOMEM, "out of memory");
    set->v = v;
    int r = load_one(&set->v[set->n], name, err);
    if (r < 0)
      return r;
    set->n++;
  }
  return 0;
}

void cn_plugins_free(cn_plugin_set *set)
{
  for (size_t i = 0; i < set->n; i++) {
    if (set->v[i].dl)
      dlclose(set->v[i].dl);
    free(set->v[i].path);
  }
  free(set->v);
  set->v = NULL;
  set->n = 0;
}
