/* Reading and writing cgroup files, with messages that name the file, the
 * value and the config field behind it; paths and word lists. */
#include "cgroups/internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cg_open_write(const char *dir, const char *file, const char *value, const char *field,
                  char **path, cell_error *err)
{
  if (!(*path = cg_join(dir, file)))
    return cell_error_set(err, ENOMEM, "out of memory");
  int fd = open(*path, O_WRONLY | O_CLOEXEC);
  if (fd >= 0)
    return fd;
  if (errno == ENOENT)
    return cell_error_set(err, ENOENT,
                          "cannot set `%s`%s%s%s: %s does not exist (the kernel or this host "
                          "does not support it)",
                          value, field ? " (" : "", field ? field : "", field ? ")" : "", *path);
  return cell_error_sys(err, "open %s", *path);
}

int cg_write_fd(int fd, const char *path, const char *value, const char *field,
                cell_error *err)
{
  /* One write(2) per value: cgroup files parse each write as a whole. */
  size_t len = strlen(value);
  ssize_t w;
  do
    w = write(fd, value, len);
  while (w < 0 && errno == EINTR);
  if (w < 0)
    return cell_error_sys(err, "write `%s` to %s%s%s%s", value, path, field ? " (" : "",
                          field ? field : "", field ? ")" : "");
  return 0;
}

int cg_write(const char *dir, const char *file, const char *value, const char *field,
             cell_error *err)
{
  _cleanup_free_ char *path = NULL;
  _cleanup_close_ int fd = cg_open_write(dir, file, value, field, &path, err);
  return fd < 0 ? fd : cg_write_fd(fd, path, value, field, err);
}

int cg_writef(const char *dir, const char *file, const char *field, cell_error *err,
              const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  _cleanup_free_ char *v = NULL;
  int n = vasprintf(&v, fmt, ap);
  va_end(ap);
  if (n < 0)
    return cell_error_set(err, ENOMEM, "out of memory");
  return cg_write(dir, file, v, field, err);
}

int cg_read(const char *dir, const char *file, char **out, cell_error *err)
{
  _cleanup_free_ char *path = cg_join(dir, file);
  if (!path)
    return cell_error_set(err, ENOMEM, "out of memory");
  size_t len;
  return cell_read_file(path, out, &len, err);
}

int cg_read_u64(const char *dir, const char *file, uint64_t *out, cell_error *err)
{
  _cleanup_free_ char *text = NULL;
  int r = cg_read(dir, file, &text, err);
  if (r < 0)
    return r;
  if (strncmp(text, "max", 3) == 0) {
    *out = UINT64_MAX;
    return 0;
  }
  char *end;
  errno = 0;
  long long v = strtoll(text, &end, 10);
  if (errno || end == text)
    return cell_error_set(err, EINVAL, "%s/%s: not a number: `%.40s`", dir, file, text);
  *out = v < 0 ? UINT64_MAX : (uint64_t) v;
  return 0;
}

int cg_keyed_u64(const char *text, const char *key, uint64_t *out)
{
  size_t kl = strlen(key);
  for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
    if (strncmp(l, key, kl) == 0 && l[kl] == ' ') {
      *out = strtoull(l + kl + 1, NULL, 10);
      return 0;
    }
  }
  return -ENOENT;
}

bool cg_file_exists(const char *dir, const char *file)
{
  _cleanup_free_ char *path = cg_join(dir, file);
  return path && access(path, F_OK) == 0;
}

char *cg_join(const char *a, const char *b)
{
  size_t la = strlen(a);
  while (la > 1 && a[la - 1] == '/')
    la--;
  while (*b == '/')
    b++;
  char *s = NULL;
  if (!*b)
    return strndup(a, la);
  if (asprintf(&s, "%.*s%s%s", (int) la, a, (la == 1 && a[0] == '/') ? "" : "/", b) < 0)
    return NULL;
  return s;
}

char **cg_split_words(const char *s)
{
  char **v = calloc(1, sizeof *v);
  if (!v)
    return NULL;
  while (s && *s) {
    size_t skip = strspn(s, " \t\n");
    s += skip;
    size_t len = strcspn(s, " \t\n");
    if (!len)
      break;
    char *w = strndup(s, len);
    if (!w || cell_strv_push_owned(&v, w) < 0) {
      free(w);
      cell_strv_free(v);
      return NULL;
    }
    s += len;
  }
  return v;
}
