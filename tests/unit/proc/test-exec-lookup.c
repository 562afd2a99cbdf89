/* linux_find_executable: PATH of process.env, default PATH, explicit paths. */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux/process.h"

typedef struct lookup_dir {
  char root[64];
} lookup_dir;

static void mkfile(const char *dir, const char *name, mode_t mode)
{
  char p[256];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  int fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, mode);
  if (fd >= 0)
    close(fd);
  chmod(p, mode);
}

/* root/a: tool (0644), other (0755); root/b: tool (0755), dir/ (a directory) */
static bool setup(lookup_dir *d)
{
  snprintf(d->root, sizeof d->root, "/tmp/cell-lookup.XXXXXX");
  if (!mkdtemp(d->root))
    return false;
  char a[128], b[128], sub[160];
  snprintf(a, sizeof a, "%s/a", d->root);
  snprintf(b, sizeof b, "%s/b", d->root);
  mkdir(a, 0755);
  mkdir(b, 0755);
  mkfile(a, "tool", 0644);
  mkfile(a, "other", 0755);
  mkfile(a, "noexec", 0644);
  mkfile(b, "tool", 0755);
  snprintf(sub, sizeof sub, "%s/dir", b);
  mkdir(sub, 0755);
  return true;
}

static void teardown(lookup_dir *d)
{
  static const char *const files[] = { "a/tool", "a/other", "a/noexec", "b/tool", "b/dir",
                                       "a", "b", "" };
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    char p[160];
    snprintf(p, sizeof p, "%s/%s", d->root, files[i]);
    if (unlink(p) < 0)
      rmdir(p);
  }
}

static int lookup(const char *arg0, const char *path_env, char **out, cell_error *err)
{
  char env_buf[512];
  char *env[3] = { (char *) "FOO=bar", NULL, NULL };
  if (path_env) {
    snprintf(env_buf, sizeof env_buf, "PATH=%s", path_env);
    env[1] = env_buf;
  }
  char *args[] = { (char *) arg0, NULL };
  oci_process p;
  memset(&p, 0, sizeof p);
  p.args = args;
  p.env = env;
  return linux_find_executable(&p, out, err);
}

TEST(exec_lookup_path)
{
  lookup_dir d;
  if (!setup(&d))
    SKIP("mkdtemp");
  /* Root may execute any file with one x bit; a/tool has none. */
  char path[256], want[256];
  snprintf(path, sizeof path, "%s/a:%s/b", d.root, d.root);
  char *out = NULL;
  cell_error err = CELL_ERROR_INIT;
  CHECK_INT(lookup("tool", path, &out, &err), 0);
  snprintf(want, sizeof want, "%s/b/tool", d.root);
  CHECK_STR(out, want);
  free(out);
  out = NULL;
  CHECK_INT(lookup("other", path, &out, &err), 0);
  snprintf(want, sizeof want, "%s/a/other", d.root);
  CHECK_STR(out, want);
  free(out);
  out = NULL;

  CHECK_INT(lookup("nosuch", path, &out, &err), -ENOENT);
  CHECK_STR(err.msg, "executable file `nosuch` not found in $PATH: No such file or directory");
  CHECK(out == NULL);
  cell_error_clear(&err);

  CHECK_INT(lookup("noexec", path, &out, &err), -EACCES);
  snprintf(want, sizeof want, "executable file `noexec` found in $PATH as `%s/a/noexec`: "
           "permission denied", d.root);
  CHECK_STR(err.msg, want);
  cell_error_clear(&err);

  /* A directory is not an executable. */
  CHECK_INT(lookup("dir", path, &out, &err), -EACCES);
  cell_error_clear(&err);
  teardown(&d);
}

TEST(exec_lookup_default_path)
{
  char *out = NULL;
  cell_error err = CELL_ERROR_INIT;
  /* No PATH in process.env: the default PATH, which has /bin. */
  CHECK_INT(lookup("sh", NULL, &out, &err), 0);
  CHECK(out && (strcmp(out, "/usr/bin/sh") == 0 || strcmp(out, "/bin/sh") == 0 ||
                strcmp(out, "/usr/sbin/sh") == 0 || strcmp(out, "/sbin/sh") == 0));
  free(out);
  out = NULL;
  /* An empty PATH element is the current directory. */
  CHECK_INT(lookup("sh", ":/nonexistent", &out, &err), -ENOENT);
  cell_error_clear(&err);
}

TEST(exec_lookup_explicit)
{
  char *out = NULL;
  cell_error err = CELL_ERROR_INIT;
  CHECK_INT(lookup("/bin/sh", "/nonexistent", &out, &err), 0);
  CHECK_STR(out, "/bin/sh");
  free(out);
  out = NULL;
  CHECK_INT(lookup("/no/such/prog", NULL, &out, &err), -ENOENT);
  CHECK_STR(err.msg, "executable file `/no/such/prog`: No such file or directory");
  cell_error_clear(&err);
  CHECK_INT(lookup("/etc/passwd", NULL, &out, &err), -EACCES);
  CHECK(err.msg && strstr(err.msg, "`/etc/passwd`: permission denied"));
  cell_error_clear(&err);
  CHECK_INT(lookup("/tmp", NULL, &out, &err), -EACCES);
  cell_error_clear(&err);
  CHECK_INT(lookup("", NULL, &out, &err), -EINVAL);
  CHECK_STR(err.msg, "process.args[0] is empty");
  cell_error_clear(&err);
}
