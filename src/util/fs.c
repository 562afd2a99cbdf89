#include "util/fs.h"
#include "util/cleanup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/close_range.h>

int cell_write_all(int fd, const void *buf, size_t len)
{
  const char *p = buf;
  while (len > 0) {
    ssize_t w = write(fd, p, len);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      return -errno;
    }
    p += w;
    len -= (size_t) w;
  }
  return 0;
}

int cell_write_file_atomic(const char *path, const void *data, size_t len,
                           mode_t mode, cell_error *err)
{
  /* A device, fifo or socket (-o /dev/null, /dev/stdout) is written in
   * place: renaming a new file over it would replace the node itself. */
  struct stat st;
  if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
    return cell_write_file(path, data, len, err);
  _cleanup_free_ char *tmp = NULL;
  if (asprintf(&tmp, "%s.tmp.%d", path, (int) getpid()) < 0)
    return cell_error_set(err, ENOMEM, "write `%s`", path);
  _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    return cell_error_sys(err, "open `%s`", tmp);
  int r = cell_write_all(fd, data, len);
  if (r < 0) {
    unlink(tmp);
    return cell_error_sys_code(err, r, "write `%s`", tmp);
  }
  /* Replacing: exchange the two names, then drop the old content. A
   * rename over an existing file would be as atomic, but ext4 then starts
   * writeback of the new file (auto_da_alloc), several times the cost. */
  if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_EXCHANGE) == 0) {
    unlink(tmp);
    return 0;
  }
  if (rename(tmp, path) < 0) {
    int saved = errno;
    unlink(tmp);
    return cell_error_sys_code(err, saved, "rename `%s` to `%s`", tmp, path);
  }
  return 0;
}

int cell_replace_file_at(int dirfd, const char *dir, const char *name, const void *data,
                         size_t len, mode_t mode, bool exists, cell_error *err)
{
  int fd = -1;
  int r = cell_replace_file_at_kept(dirfd, dir, name, data, len, mode, exists, &fd, err);
  if (fd >= 0)
    close(fd);
  return r;
}

int cell_replace_file_at_kept(int dirfd, const char *dir, const char *name, const void *data,
                              size_t len, mode_t mode, bool exists, int *kept, cell_error *err)
{
  *kept = -1;
  char tmp[NAME_MAX + 1];
  if (snprintf(tmp, sizeof tmp, "%s.tmp.%d", name, (int) getpid()) >= (int) sizeof tmp)
    return cell_error_set(err, ENAMETOOLONG, "write `%s/%s`", dir, name);
  _cleanup_close_ int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    return cell_error_sys(err, "open `%s/%s`", dir, tmp);
  int r = cell_write_all(fd, data, len);
  if (r < 0) {
    unlinkat(dirfd, tmp, 0);
    return cell_error_sys_code(err, r, "write `%s/%s`", dir, tmp);
  }
  /* As cell_write_file_atomic: exchange, then drop the old content. */
  if (exists && renameat2(dirfd, tmp, dirfd, name, RENAME_EXCHANGE) == 0) {
    unlinkat(dirfd, tmp, 0);
    *kept = cell_steal_fd(&fd);
    return 0;
  }
  if (renameat(dirfd, tmp, dirfd, name) < 0) {
    int saved = errno;
    unlinkat(dirfd, tmp, 0);
    return cell_error_sys_code(err, saved, "rename `%s/%s` to `%s/%s`", dir, tmp, dir, name);
  }
  *kept = cell_steal_fd(&fd);
  return 0;
}

int cell_write_file_new(const char *path, const void *data, size_t len, mode_t mode,
                        cell_error *err)
{
  _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0)
    return cell_error_sys(err, "create `%s`", path);
  int r = cell_write_all(fd, data, len);
  if (r < 0) {
    unlink(path);
    return cell_error_sys_code(err, r, "write `%s`", path);
  }
  return 0;
}

int cell_write_file_at(int dirfd, const char *path, const void *data, size_t len,
                       cell_error *err)
{
  _cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return cell_error_sys(err, "open `%s`", path);
  int r = cell_write_all(fd, data, len);
  if (r < 0)
    return cell_error_sys_code(err, r, "write `%s`", path);
  return 0;
}

int cell_write_file(const char *path, const void *data, size_t len, cell_error *err)
{
  return cell_write_file_at(AT_FDCWD, path, data, len, err);
}

int cell_read_fd(int fd, char **out, size_t *len)
{
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  if (!buf)
    return -ENOMEM;
  for (;;) {
    if (n + 1 >= cap) {
      char *nb = realloc(buf, cap * 2);
      if (!nb) {
        free(buf);
        return -ENOMEM;
      }
      buf = nb;
      cap *= 2;
    }
    ssize_t r = read(fd, buf + n, cap - n - 1);
    if (r < 0) {
      if (errno == EINTR)
        continue;
      int saved = errno;
      free(buf);
      return -saved;
    }
    if (r == 0)
      break;
    n += (size_t) r;
  }
  buf[n] = '\0';
  *out = buf;
  if (len)
    *len = n;
  return 0;
}

int cell_read_file_at(int dirfd, const char *path, char **out, size_t *len,
                      cell_error *err)
{
  _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return cell_error_sys(err, "open `%s`", path);
  int r = cell_read_fd(fd, out, len);
  if (r < 0)
    return cell_error_sys_code(err, r, "read `%s`", path);
  return 0;
}

int cell_read_file(const char *path, char **out, size_t *len, cell_error *err)
{
  return cell_read_file_at(AT_FDCWD, path, out, len, err);
}

int cell_mkdir_p(const char *path, mode_t mode, cell_error *err)
{
  /* Usually all there but the last one, or all of it. */
  if (mkdir(path, mode) == 0 || errno == EEXIST)
    return 0;
  if (errno != ENOENT)
    return cell_error_sys(err, "mkdir `%s`", path);
  _cleanup_free_ char *p = strdup(path);
  if (!p)
    return cell_error_set(err, ENOMEM, "mkdir `%s`", path);
  for (char *s = p + 1; *s; s++) {
    if (*s != '/')
      continue;
    *s = '\0';
    if (mkdir(p, mode) < 0 && errno != EEXIST)
      return cell_error_sys(err, "mkdir `%s`", p);
    *s = '/';
  }
  if (mkdir(p, mode) < 0 && errno != EEXIST)
    return cell_error_sys(err, "mkdir `%s`", p);
  return 0;
}

struct linux_dirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

/* NAME in parent: a directory is emptied and removed, anything else
 * unlinked; dev is that of the tree's top (NAME is the top when top). The
 * entries come from getdents64, whose d_type spares an open(2) of each
 * file to learn that it is one (and fdopendir's fstat and fcntls). */
static int rm_rf_at(int parent, const char *name, bool top, dev_t dev, cell_error *err)
{
  _cleanup_close_ int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOTDIR || errno == ELOOP) {
      if (unlinkat(parent, name, 0) < 0 && errno != ENOENT)
        return cell_error_sys(err, "unlink `%s`", name);
      return 0;
    }
    if (errno == ENOENT)
      return 0;
    return cell_error_sys(err, "open `%s`", name);
  }
  struct stat st;
  if (fstat(fd, &st) < 0)
    return cell_error_sys(err, "stat `%s`", name);
  if (top)
    dev = st.st_dev;
  else if (st.st_dev != dev)
    return cell_error_set(err, EXDEV, "refusing to remove `%s`: a mount point", name);
  _cleanup_free_ char *buf = malloc(4096);
  if (!buf)
    return cell_error_set(err, ENOMEM, "out of memory");
  for (;;) {
    long n = syscall(SYS_getdents64, fd, buf, 4096);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return cell_error_sys(err, "read directory `%s`", name);
    if (n == 0)
      break;
    for (long off = 0; off < n;) {
      const struct linux_dirent64 *de = (const void *) (buf + off);
      off += de->d_reclen;
      if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
        continue;
      /* A file as d_type says: unlinked at once (EISDIR: it was replaced
       * by a directory since, which the walk below takes). */
      if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN) {
        if (unlinkat(fd, de->d_name, 0) == 0 || errno == ENOENT)
          continue;
        if (errno != EISDIR) {
          cell_error_sys(err, "unlink `%s`", de->d_name);
          return cell_error_wrap(err, "%s", name);
        }
      }
      int r = rm_rf_at(fd, de->d_name, false, dev, err);
      if (r < 0)
        return cell_error_wrap(err, "%s", name);
    }
  }
  if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return cell_error_sys(err, "rmdir `%s`", name);
  return 0;
}

int cell_rm_rf(const char *path, cell_error *err)
{
  return rm_rf_at(AT_FDCWD, path, true, 0, err);
}

static int cmp_int(const void *a, const void *b)
{
  return *(const int *) a - *(const int *) b;
}

int cell_close_fds_from(int first, const int *keep, size_t nkeep)
{
  int sorted[64];
  if (nkeep > 64)
    return -E2BIG;
  memcpy(sorted, keep, nkeep * sizeof(int));
  qsort(sorted, nkeep, sizeof(int), cmp_int);
  unsigned int lo = (unsigned int) first;
  for (size_t i = 0; i <= nkeep; i++) {
    unsigned int hi = i < nkeep ? (unsigned int) sorted[i] : ~0U;
    if (i < nkeep && sorted[i] < first)
      continue;
    if (hi > lo && syscall(SYS_close_range, lo, hi - 1, 0) < 0) {
      /* Pre-5.9 kernels: walk by hand. */
      for (unsigned int fd = lo; fd < hi && fd < 65536; fd++)
        close((int) fd);
    }
    if (hi == ~0U)
      break;
    lo = hi + 1;
  }
  return 0;
}
