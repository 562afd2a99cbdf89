/* Where a container's cgroup goes: the manager and linux.cgroupsPath. */
#include "cgroups/internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool systemd_is_pid1(char **comm)
{
  size_t len;
  cell_error e = CELL_ERROR_INIT;
  *comm = NULL;
  if (cell_read_file("/proc/1/comm", comm, &len, &e) < 0) {
    cell_error_clear(&e);
    return false;
  }
  (*comm)[strcspn(*comm, "\n")] = 0;
  return strcmp(*comm, "systemd") == 0 && access("/run/systemd/system", F_OK) == 0;
}

int cell_cgroup_manager_parse(const char *name, cell_cgroup_manager *out, cell_error *err)
{
  if (!name || strcmp(name, "cgroupfs") == 0) {
    *out = CELL_CGM_CGROUPFS;
    return 0;
  }
  if (strcmp(name, "disabled") == 0) {
    *out = CELL_CGM_DISABLED;
    return 0;
  }
  if (strcmp(name, "systemd") == 0) {
    _cleanup_free_ char *comm = NULL;
    if (!systemd_is_pid1(&comm))
      return cell_error_set(err, ENOTSUP,
                            "cgroup manager `systemd`: systemd is not running on this host "
                            "(PID 1 is `%s`, /run/systemd/system %s); use "
                            "--cgroup-manager cgroupfs",
                            comm ? comm : "unknown",
                            access("/run/systemd/system", F_OK) == 0 ? "exists" : "is missing");
    *out = CELL_CGM_SYSTEMD;
    return 0;
  }
  return cell_error_set(err, EINVAL,
                        "cgroup manager `%s`: expected cgroupfs, systemd or disabled", name);
}

static int check_components(const char *p, const char *what, cell_error *err)
{
  const char *s = p;
  while (*s) {
    while (*s == '/')
      s++;
    size_t len = strcspn(s, "/");
    if ((len == 2 && strncmp(s, "..", 2) == 0) || (len == 1 && s[0] == '.'))
      return cell_error_set(err, EINVAL, "linux.cgroupsPath `%s`: %s has a `%.*s` component",
                            p, what, (int) len, s);
    s += len;
  }
  if (strpbrk(p, "\n"))
    return cell_error_set(err, EINVAL, "linux.cgroupsPath: a newline is not allowed");
  return 0;
}

/* "a-b-c.slice" -> "/a.slice/a-b.slice/a-b-c.slice" ("-.slice" is the root). */
static int slice_path(const char *slice, char **out, cell_error *err)
{
  size_t len = strlen(slice);
  if (len < 7 || strcmp(slice + len - 6, ".slice") != 0 || strchr(slice, '/'))
    return cell_error_set(err, EINVAL, "linux.cgroupsPath: `%s` is not a systemd slice name",
                          slice);
  if (strcmp(slice, "-.slice") == 0)
    return (*out = strdup("/")) ? 0 : cell_error_set(err, ENOMEM, "out of memory");
  size_t base = len - 6;
  char *buf = malloc(len * len + 2);
  if (!buf)
    return cell_error_set(err, ENOMEM, "out of memory");
  size_t o = 0;
  for (size_t i = 0; i <= base; i++) {
    if (i == base || slice[i] == '-') {
      if (i == 0 || slice[i - 1] == '-') {
        free(buf);
        return cell_error_set(err, EINVAL, "linux.cgroupsPath: bad slice name `%s`", slice);
      }
      o += (size_t) sprintf(buf + o, "/%.*s.slice", (int) i, slice);
    }
  }
  *out = buf;
  return 0;
}

static int systemd_path(const char *cp, const char *id, char **out, cell_error *err)
{
  /* "slice:prefix:name"; empty parts take system.slice, "cell", the id. */
  const char *c1 = cp ? strchr(cp, ':') : NULL;
  const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
  if (cp && *cp && !c2)
    return cell_error_set(err, EINVAL,
                          "linux.cgroupsPath `%s`: the systemd manager expects slice:prefix:name",
                          cp);
  _cleanup_free_ char *slice = c1 ? strndup(cp, (size_t) (c1 - cp)) : strdup("");
  _cleanup_free_ char *prefix = c2 ? strndup(c1 + 1, (size_t) (c2 - c1 - 1)) : strdup("cell");
  const char *name = c2 ? c2 + 1 : id;
  if (!slice || !prefix)
    return cell_error_set(err, ENOMEM, "out of memory");
  if (strchr(prefix, '/') || strchr(name, '/'))
    return cell_error_set(err, EINVAL, "linux.cgroupsPath `%s`: `/` in a unit name", cp);
  _cleanup_free_ char *tree = NULL;
  int r = slice_path(*slice ? slice : "system.slice", &tree, err);
  if (r < 0)
    return r;
  /* name may itself be a unit ("foo.scope"); otherwise a scope is made. */
  size_t nl = strlen(name);
  bool unit = nl > 6 && (strcmp(name + nl - 6, ".scope") == 0 || strcmp(name + nl - 6, ".slice") == 0);
  if (unit ? asprintf(out, "%s/%s", strcmp(tree, "/") ? tree : "", name) < 0
           : asprintf(out, "%s/%s%s%s.scope", strcmp(tree, "/") ? tree : "", prefix,
                      *prefix ? "-" : "", name) < 0)
    return cell_error_set(err, ENOMEM, "out of memory");
  return 0;
}

/* Collapse "//" and drop a trailing "/" (keeps "/"). */
static void normalize(char *p)
{
  char *o = p;
  for (char *s = p; *s; s++)
    if (!(*s == '/' && o > p && o[-1] == '/'))
      *o++ = *s;
  if (o > p + 1 && o[-1] == '/')
    o--;
  *o = 0;
}

int cell_cgroup_placement(const cell_cg_hierarchy *h, cell_cgroup_manager m,
                          const char *cgroups_path, const char *id, char **out,
                          cell_error *err)
{
  *out = NULL;
  if (m == CELL_CGM_SYSTEMD)
    return systemd_path(cgroups_path, id, out, err);
  /* No cgroupsPath: the id, relative, as runc (its cgroup Name), so that
   * tools that find a container's cgroup by runc's rule find ours. */
  const char *cp = cgroups_path;
  if (!cp || !*cp) {
    if (!id || !*id || strchr(id, '/'))
      return cell_error_set(err, EINVAL, "cgroup placement: a container id is needed");
    cp = id;
  }
  int r = check_components(cp, cp[0] == '/' ? "the path" : "the relative path", err);
  if (r < 0)
    return r;
  if (cp[0] == '/') {
    char *p = cg_join("/", cp);
    if (!p)
      return cell_error_set(err, ENOMEM, "out of memory");
    normalize(p);
    *out = p;
    return 0;
  }
  /* Relative: below our own cgroup; on v2 below its parent, since our own
   * cgroup has processes (us) and could not enable controllers for a child
   * (runc's fs and fs2 drivers do the same). */
  _cleanup_free_ char *base = strdup(h->own ? h->own : "/");
  if (!base)
    return cell_error_set(err, ENOMEM, "out of memory");
  if (h->v2 && strcmp(base, "/") != 0) {
    char *slash = strrchr(base, '/');
    if (slash == base)
      base[1] = 0;
    else if (slash)
      *slash = 0;
  }
  char *p = cg_join(base, cp);
  if (!p)
    return cell_error_set(err, ENOMEM, "out of memory");
  normalize(p);
  *out = p;
  return 0;
}
