/* AppArmor and SELinux labels of the process and of its mounts, applied
 * as runc does (the config check in oci/validate.c refuses them on a host
 * without the module, so here the host has it). */
#include "linux/process.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/host-lsm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int write_attr(const char *const *paths, const char *value, const char *field,
                      cell_error *err)
{
  int fd = -1;
  const char *path = paths[0];
  for (size_t i = 0; fd < 0 && paths[i]; i++)
    fd = open(path = paths[i], O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return cell_error_sys(err, "%s: open `%s`", field, path);
  int r = cell_write_all(fd, value, strlen(value));
  close(fd);
  if (r < 0)
    return cell_error_sys_code(err, r, "%s: write `%s` to `%s`", field, value, path);
  return 0;
}

int linux_apply_exec_labels(const oci_process *p, cell_error *err)
{
  int r;
  if (p->apparmor_profile && *p->apparmor_profile && cell_host_has_apparmor()) {
    static const char *const paths[] = { "/proc/thread-self/attr/apparmor/exec",
                                         "/proc/thread-self/attr/exec", NULL };
    _cleanup_free_ char *v = NULL;
    if (asprintf(&v, "exec %s", p->apparmor_profile) < 0)
      return cell_error_set(err, ENOMEM, "out of memory");
    if ((r = write_attr(paths, v, "process.apparmorProfile", err)) < 0)
      return r;
  }
  if (p->selinux_label && *p->selinux_label && cell_host_has_selinux()) {
    static const char *const paths[] = { "/proc/thread-self/attr/exec", NULL };
    if ((r = write_attr(paths, p->selinux_label, "process.selinuxLabel", err)) < 0)
      return r;
  }
  return 0;
}

char *linux_mount_label_data(const char *data, const char *type, const char *label)
{
  static const char *const unlabeled[] = { "proc", "sysfs", "cgroup", "cgroup2", NULL };
  if (!label || !*label || !cell_host_has_selinux() || (data && strstr(data, "context=")))
    return NULL;
  for (const char *const *u = unlabeled; *u; u++)
    if (type && !strcmp(type, *u))
      return NULL;
  char *out = NULL;
  if (asprintf(&out, "%s%scontext=\"%s\"", data ? data : "", data && *data ? "," : "",
               label) < 0)
    return NULL;
  return out;
}
