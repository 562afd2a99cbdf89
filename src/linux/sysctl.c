/* linux.sysctl: written through the container's /proc/sys after pivot_root.
 * Which keys are allowed is decided earlier by oci_sysctl_check(). */
#include "linux/process.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/types.h>
#include <linux/magic.h>

#include "util/cleanup.h"
#include "util/fs.h"

/* /proc/sys/KEY with dots turned into slashes, unless the key is already
 * written with slashes (then dots belong to names: "eth0.100"). */
static char *sysctl_path(const char *key)
{
  char *path = NULL;
  if (asprintf(&path, "/proc/sys/%s", key) < 0)
    return NULL;
  if (!strchr(key, '/'))
    for (char *p = path + strlen("/proc/sys/"); *p; p++)
      if (*p == '.')
        *p = '/';
  return path;
}

static int write_one(const char *key, const char *value, cell_error *err)
{
  if (!*key || key[0] == '/' || strstr(key, ".."))
    return cell_error_set(err, EINVAL, "sysctl `%s` is not a valid key", key);
  _cleanup_free_ char *path = sysctl_path(key);
  if (!path)
    return cell_error_set(err, ENOMEM, "out of memory");
  /* No symlinks, and it must really be procfs: a container-controlled mount
   * over /proc must not redirect the write. */
  _cleanup_close_ int fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    if (errno == ENOENT)
      return cell_error_set(err, ENOENT, "sysctl `%s`: no such key (`%s` does not exist)",
                            key, path);
    return cell_error_sys(err, "sysctl `%s`: open `%s`", key, path);
  }
  struct statfs sfs;
  if (fstatfs(fd, &sfs) < 0)
    return cell_error_sys(err, "sysctl `%s`: fstatfs `%s`", key, path);
  if (sfs.f_type != PROC_SUPER_MAGIC)
    return cell_error_set(err, EXDEV, "sysctl `%s`: `%s` is not on procfs", key, path);
  size_t len = strlen(value);
  ssize_t w;
  do
    w = write(fd, value, len);
  while (w < 0 && errno == EINTR);
  if (w < 0)
    return cell_error_sys(err, "sysctl `%s` = `%s`: write `%s`", key, value, path);
  if ((size_t) w != len)
    return cell_error_set(err, EIO, "sysctl `%s` = `%s`: short write to `%s`", key, value,
                          path);
  return 0;
}

int linux_apply_sysctl(const oci_config *c, cell_error *err)
{
  for (size_t i = 0; i < c->linux.n_sysctl; i++) {
    int r = write_one(c->linux.sysctl[i].key, c->linux.sysctl[i].value, err);
    if (r < 0)
      return r;
  }
  return 0;
}
