/* Paths inside the rootfs that can never lead out of it (CVE-2021-30465 and
 * the symlink tricks before it): openat2(RESOLVE_IN_ROOT) where the kernel
 * has it, else a walk one component at a time with O_NOFOLLOW, symlinks
 * read and re-rooted by hand, ".." clamped at the root. */
#include "linux/fs-internal.h"
#include "util/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>

#define MAX_SYMLINKS 40

/* Written by hand: snprintf's machinery costs ~750 instructions a call,
 * and the init asks for one or more per mount, masked and read-only path. */
const char *fs_fd_path(char *buf, size_t len, int fd)
{
  static const char pre[] = "/proc/self/fd/";
  char digits[12], *d = digits + sizeof digits;
  unsigned u = fd < 0 ? 0u - (unsigned) fd : (unsigned) fd;
  do
    *--d = (char) ('0' + u % 10);
  while (u /= 10);
  if (fd < 0)
    *--d = '-';
  size_t nd = (size_t) (digits + sizeof digits - d);
  if (len < sizeof pre + nd) {
    snprintf(buf, len, "%s%.*s", pre, (int) nd, d);  /* cut short, as before */
    return buf;
  }
  memcpy(buf, pre, sizeof pre - 1);
  memcpy(buf + sizeof pre - 1, d, nd);
  buf[sizeof pre - 1 + nd] = '\0';
  return buf;
}

/* A stack of O_PATH directory fds from the root down. */
typedef struct fd_stack {
  int *fd;
  size_t n, cap;
} fd_stack;

static void stack_free(fd_stack *s)
{
  for (size_t i = 0; i < s->n; i++)
    close(s->fd[i]);
  free(s->fd);
}

static int stack_push(fd_stack *s, int fd)
{
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 16;
    int *n = realloc(s->fd, cap * sizeof *n);
    if (!n) {
      close(fd);
      return -ENOMEM;
    }
    s->fd = n;
    s->cap = cap;
  }
  s->fd[s->n++] = fd;
  return 0;
}

/* Next component of *rest into name; false at the end. */
static bool next_component(const char **rest, char name[NAME_MAX + 1], int *r)
{
  const char *p = *rest;
  while (*p == '/')
    p++;
  if (!*p)
    return false;
  const char *e = strchrnul(p, '/');
  if ((size_t) (e - p) > NAME_MAX) {
    *r = -ENAMETOOLONG;
    return false;
  }
  memcpy(name, p, (size_t) (e - p));
  name[e - p] = '\0';
  *rest = e;
  return true;
}

static bool at_end(const char *rest)
{
  while (*rest == '/')
    rest++;
  return *rest == '\0';
}

int fs_walk_in_root(int rootfd, const char *path, bool follow_last)
{
  fd_stack st = { 0 };
  _cleanup_free_ char *buf = strdup(path);
  if (!buf)
    return -ENOMEM;
  const char *rest = buf;
  int r = 0, links = 0;
  char name[NAME_MAX + 1];

  int fd = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || (r = stack_push(&st, fd)) < 0) {
    r = fd < 0 ? -errno : r;
    goto out;
  }
  while (next_component(&rest, name, &r)) {
    if (strcmp(name, ".") == 0)
      continue;
    if (strcmp(name, "..") == 0) {
      if (st.n > 1)
        close(st.fd[--st.n]);
      continue;
    }
    bool last = at_end(rest);
    fd = openat(st.fd[st.n - 1], name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      r = -errno;
      goto out;
    }
    struct stat sb;
    if (fstat(fd, &sb) < 0) {
      r = -errno;
      close(fd);
      goto out;
    }
    if (S_ISLNK(sb.st_mode) && (!last || follow_last)) {
      char target[PATH_MAX];
      ssize_t len = readlinkat(fd, "", target, sizeof target - 1);
      close(fd);
      if (len < 0 || ++links > MAX_SYMLINKS) {
        r = len < 0 ? -errno : -ELOOP;
        goto out;
      }
      target[len] = '\0';
      char *nbuf;
      if (asprintf(&nbuf, "%s/%s", target, rest) < 0) {
        r = -ENOMEM;
        goto out;
      }
      free(buf);
      buf = nbuf;
      rest = buf;
      if (target[0] == '/')
        while (st.n > 1)
          close(st.fd[--st.n]);
      continue;
    }
    if (!last && !S_ISDIR(sb.st_mode)) {
      close(fd);
      r = -ENOTDIR;
      goto out;
    }
    if ((r = stack_push(&st, fd)) < 0)
      goto out;
  }
  if (r == 0)
    r = st.fd[--st.n];
out:
  stack_free(&st);
  return r;
}

int fs_open_in_root_walk(int rootfd, const char *path, int flags, mode_t mode)
{
  flags |= O_CLOEXEC;
  if (flags & O_CREAT) {
    /* Resolve the parent, create the last component without following it. */
    _cleanup_free_ char *dir = strdup(path);
    if (!dir)
      return -ENOMEM;
    char *slash = strrchr(dir, '/');
    const char *last = slash ? slash + 1 : dir;
    if (slash)
      *slash = '\0';
    if (!*last || strcmp(last, ".") == 0 || strcmp(last, "..") == 0)
      return -EISDIR;
    _cleanup_close_ int pfd = fs_walk_in_root(rootfd, slash ? dir : ".", true);
    if (pfd < 0)
      return pfd;
    int fd = openat(pfd, last, flags | O_NOFOLLOW, mode);
    if (fd >= 0 || errno != ELOOP || (flags & (O_NOFOLLOW | O_EXCL)))
      return fd >= 0 ? fd : -errno;
    flags &= ~(O_CREAT | O_EXCL);
  }
  _cleanup_close_ int pathfd = fs_walk_in_root(rootfd, path, !(flags & O_NOFOLLOW));
  if (pathfd < 0)
    return pathfd;
  struct stat sb;
  if (fstat(pathfd, &sb) < 0)
    return -errno;
  if ((flags & O_DIRECTORY) && !S_ISDIR(sb.st_mode))
    return -ENOTDIR;
  if (flags & O_PATH)
    return cell_steal_fd(&pathfd);
  if (S_ISLNK(sb.st_mode))
    return -ELOOP;
  char p[32];
  int fd = open(fs_fd_path(p, sizeof p, pathfd), flags & ~(O_NOFOLLOW | O_CREAT | O_EXCL));
  return fd >= 0 ? fd : -errno;
}

/* 0+ fd or -errno. */
static int open_in_root_raw(int rootfd, const char *path, int flags, mode_t mode)
{
  struct open_how how = {
    .flags = (uint64_t) (flags | O_CLOEXEC),
    .mode = (flags & (O_CREAT | __O_TMPFILE)) ? mode : 0,
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  if (!*path)
    path = "/";
  for (int tries = 0; tries < 16; tries++) {
    long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof how);
    if (fd >= 0)
      return (int) fd;
    if (errno == ENOSYS || errno == E2BIG)
      return fs_open_in_root_walk(rootfd, path, flags, mode);
    if (errno != EAGAIN && errno != EINTR)
      return -errno;
  }
  return -EAGAIN;
}

int linux_open_in_root(int rootfd, const char *path, int flags, mode_t mode, cell_error *err)
{
  int fd = open_in_root_raw(rootfd, path, flags, mode);
  if (fd < 0)
    return cell_error_sys_code(err, fd, "open `%s` in the rootfs", path);
  return fd;
}

int fs_open_in_root_opt(int rootfd, const char *path, int flags, cell_error *err)
{
  int fd = open_in_root_raw(rootfd, path, flags, 0);
  if (fd < 0 && fd != -ENOENT)
    return cell_error_sys_code(err, fd, "open `%s` in the rootfs", path);
  return fd;
}

static int mkpath_in_root(int rootfd, const char *path, bool dir, int depth, cell_error *err);

/* A component that is a dangling symlink: make its target instead (inside
 * the root, as the walk resolves it), then the rest of the path below it,
 * as runc does. */
static int mkpath_via_link(int rootfd, int parent, const char *prefix, const char *name,
                           const char *rest, bool dir, int depth, cell_error *err)
{
  char target[PATH_MAX];
  ssize_t n = readlinkat(parent, name, target, sizeof target - 1);
  if (n < 0)
    return -ENOENT;
  target[n] = '\0';
  if (depth > 40)
    return cell_error_set(err, ELOOP, "create `%s` in the rootfs: too many symlinks", prefix);
  _cleanup_free_ char *next = NULL;
  /* prefix ends with name: a relative target is relative to its dir. */
  size_t dlen = strlen(prefix) - strlen(name);
  if (asprintf(&next, "%s%.*s%s%s%s", target[0] == '/' ? "" : "/", target[0] == '/' ? 0 : (int) dlen,
               prefix, target, *rest ? "/" : "", rest) < 0)
    return cell_error_set(err, ENOMEM, "out of memory");
  return mkpath_in_root(rootfd, next, dir, depth + 1, err);
}

int fs_mkpath_in_root(int rootfd, const char *path, bool dir, cell_error *err)
{
  return mkpath_in_root(rootfd, path, dir, 0, err);
}

/* Only what is missing is made: the path's parent (made the same way
 * when missing), then the last component in it, then the path opened again
 * from the root. */
static int mkpath_in_root(int rootfd, const char *path, bool dir, int depth, cell_error *err)
{
  int fd = open_in_root_raw(rootfd, path, O_PATH, 0);
  if (fd >= 0 || fd != -ENOENT) {
    if (fd < 0)
      return cell_error_sys_code(err, fd, "open `%s` in the rootfs", path);
    return fd;
  }
  _cleanup_free_ char *buf = strdup(path);
  if (!buf)
    return cell_error_set(err, ENOMEM, "out of memory");
  size_t n = strlen(buf);
  while (n > 1 && buf[n - 1] == '/')
    buf[--n] = '\0';
  char *slash = strrchr(buf, '/');
  const char *name = slash ? slash + 1 : buf;
  if (!*name)  /* the root itself */
    return cell_error_sys_code(err, fd, "open `%s` in the rootfs", path);
  _cleanup_close_ int parent = -1;
  if (slash && slash != buf) {
    *slash = '\0';
    parent = mkpath_in_root(rootfd, buf, true, depth, err);
    *slash = '/';
  } else {
    parent = open_in_root_raw(rootfd, "/", O_PATH | O_DIRECTORY, 0);
    if (parent < 0)
      return cell_error_sys_code(err, parent, "open the rootfs");
  }
  if (parent < 0)
    return parent;
  int r;
  if (!dir) {
    r = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (r >= 0)
      close(r);
  } else {
    r = mkdirat(parent, name, 0755);
  }
  if (r < 0 && errno != EEXIST)
    return cell_error_sys(err, "create `%s` in the rootfs", buf);
  fd = open_in_root_raw(rootfd, buf, O_PATH, 0);
  if (fd == -ENOENT) {
    int l = mkpath_via_link(rootfd, parent, buf, name, "", dir, depth, err);
    if (l != -ENOENT)
      return l;
  }
  if (fd < 0)
    return cell_error_sys_code(err, fd, "open `%s` in the rootfs", buf);
  return fd;
}
