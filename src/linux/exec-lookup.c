/* Finding process.args[0] in the container's root, as execvp would, but
 * with the PATH of process.env instead of the runtime's own. */
#include "linux/process.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/strv.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* 0 when path is a regular file the caller may execute, else -errno. */
static int check_executable(const char *path)
{
  struct stat st;
  if (stat(path, &st) < 0)
    return errno == ENOTDIR ? -ENOENT : -errno;
  if (!S_ISREG(st.st_mode))
    return -EACCES;
  if (faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) < 0)
    return -errno;
  return 0;
}

int linux_find_executable(const oci_process *p, char **path, cell_error *err)
{
  *path = NULL;
  const char *arg0 = p->args ? p->args[0] : NULL;
  if (!arg0 || !*arg0)
    return cell_error_set(err, EINVAL, "process.args[0] is empty");

  if (strchr(arg0, '/')) {
    int r = check_executable(arg0);
    if (r == -ENOENT)
      return cell_error_sys_code(err, ENOENT, "executable file `%s`", arg0);
    if (r == -EACCES)
      return cell_error_set(err, EACCES, "executable file `%s`: permission denied "
                            "(not an executable regular file)", arg0);
    if (r < 0)
      return cell_error_sys_code(err, r, "executable file `%s`", arg0);
    if (!(*path = strdup(arg0)))
      return cell_error_set(err, ENOMEM, "out of memory");
    return 0;
  }

  int i = cell_env_find(p->env, "PATH", 4);
  const char *search = i >= 0 ? p->env[i] + 5 : DEFAULT_PATH;
  _cleanup_free_ char *denied = NULL;
  const char *dir = search;
  for (;;) {
    const char *end = strchrnul(dir, ':');
    int len = (int) (end - dir);
    _cleanup_free_ char *cand = NULL;
    /* An empty element means the current directory, as for execvp. */
    int w = len == 0 ? asprintf(&cand, "./%s", arg0)
                     : asprintf(&cand, "%.*s%s%s", len, dir,
                                dir[len - 1] == '/' ? "" : "/", arg0);
    if (w < 0)
      return cell_error_set(err, ENOMEM, "out of memory");
    int r = check_executable(cand);
    if (r == 0) {
      *path = cell_steal(&cand);
      return 0;
    }
    if (r == -EACCES && !denied)
      denied = cell_steal(&cand);
    if (!*end)
      break;
    dir = end + 1;
  }
  if (denied)
    return cell_error_set(err, EACCES, "executable file `%s` found in $PATH as `%s`: "
                          "permission denied", arg0, denied);
  /* strerror's "No such file or directory" is what podman matches to exit with 127. */
  return cell_error_sys_code(err, ENOENT, "executable file `%s` not found in $PATH", arg0);
}
