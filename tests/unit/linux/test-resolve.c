/* linux_open_in_root and the fallback walk: symlinks and ".." never leave
 * the root, whichever of the two resolves. */
#include "unit.h"
#include "linux/fs-internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* root/{etc/,tmp/,a/b/} and symlinks that try to get out. */
static char *make_tree(void)
{
  char tmpl[] = "/tmp/cell-resolve.XXXXXX";
  char *d = mkdtemp(tmpl);
  if (!d)
    return NULL;
  char *root = strdup(d);
  char p[512];
  const char *dirs[] = { "etc", "tmp", "a", "a/b" };
  for (size_t i = 0; i < 4; i++) {
    snprintf(p, sizeof p, "%s/%s", root, dirs[i]);
    mkdir(p, 0755);
  }
  static const struct { const char *name, *target; } links[] = {
    { "abs", "/etc" },                 /* absolute: the rootfs's /etc */
    { "up", "../../../../../../../tmp" }, /* .. clamped at the root */
    { "a/b/rel", "../../etc" },
    { "loop1", "loop2" },  { "loop2", "loop1" },
    { "chain", "abs/../a/b/rel" },
    { "dangling", "/nonexistent/x" },
  };
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
    snprintf(p, sizeof p, "%s/%s", root, links[i].name);
    if (symlink(links[i].target, p) < 0)
      return NULL;
  }
  snprintf(p, sizeof p, "%s/etc/file", root);
  close(open(p, O_CREAT | O_WRONLY, 0644));
  return root;
}

static void rm_tree(char *root)
{
  cell_error err = CELL_ERROR_INIT;
  cell_rm_rf(root, &err);
  cell_error_clear(&err);
  free(root);
}

static bool same(int fd, int rootfd, const char *rel)
{
  struct stat a, b;
  if (fstat(fd, &a) < 0 || fstatat(rootfd, rel, &b, AT_SYMLINK_NOFOLLOW) < 0)
    return false;
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

typedef int (*opener)(int rootfd, const char *path, int flags);

static int via_api(int rootfd, const char *path, int flags)
{
  cell_error err = CELL_ERROR_INIT;
  int fd = linux_open_in_root(rootfd, path, flags, 0, &err);
  if (fd < 0 && !err.msg)
    fprintf(stderr, "  `%s`: error without a message\n", path);
  cell_error_clear(&err);
  return fd;
}

static int via_walk(int rootfd, const char *path, int flags)
{
  return fs_open_in_root_walk(rootfd, path, flags, 0);
}

static int check_tree(opener op)
{
  int bad = 0;
  char *root = make_tree();
  if (!root)
    return 1;
  int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  static const struct { const char *path, *expect; } ok[] = {
    { "/abs", "etc" },            { "abs/file", "etc/file" },
    { "/up", "tmp" },             { "/a/b/rel", "etc" },
    { "/../../..", "." },         { "/a/../../../etc", "etc" },
    { "/chain/file", "etc/file" }, { "/", "." },
  };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    int fd = op(rootfd, ok[i].path, O_PATH);
    if (fd < 0 || !same(fd, rootfd, ok[i].expect)) {
      fprintf(stderr, "  resolve `%s`: got %d, expected root/%s\n", ok[i].path, fd, ok[i].expect);
      bad++;
    }
    if (fd >= 0)
      close(fd);
  }
  int fd = op(rootfd, "/loop1", O_PATH);
  if (fd != -ELOOP) {
    fprintf(stderr, "  loop: got %d\n", fd);
    bad++;
  }
  fd = op(rootfd, "/dangling", O_PATH);
  if (fd != -ENOENT) {
    fprintf(stderr, "  dangling: got %d\n", fd);
    bad++;
  }
  fd = op(rootfd, "/abs", O_PATH | O_NOFOLLOW);
  if (fd < 0 || !same(fd, rootfd, "abs")) {
    fprintf(stderr, "  O_NOFOLLOW: got %d\n", fd);
    bad++;
  }
  if (fd >= 0)
    close(fd);
  fd = op(rootfd, "/etc/file/x", O_PATH);
  if (fd != -ENOTDIR) {
    fprintf(stderr, "  file as dir: got %d\n", fd);
    bad++;
  }
  /* Creating through an absolute symlink creates inside the root. */
  fd = op(rootfd, "/abs/new", O_WRONLY | O_CREAT);
  if (fd < 0 || !same(fd, rootfd, "etc/new")) {
    fprintf(stderr, "  create: got %d\n", fd);
    bad++;
  }
  if (fd >= 0)
    close(fd);
  close(rootfd);
  rm_tree(root);
  return bad;
}

TEST(open_in_root_openat2)
{
  CHECK_INT(check_tree(via_api), 0);
}

TEST(open_in_root_fallback_walk)
{
  CHECK_INT(check_tree(via_walk), 0);
}

TEST(open_in_root_error_names_path)
{
  char *root = make_tree();
  CHECK(root != NULL);
  if (!root)
    return;
  int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  cell_error err = CELL_ERROR_INIT;
  CHECK_INT(linux_open_in_root(rootfd, "/nope/x", O_PATH, 0, &err), -ENOENT);
  CHECK_STR(err.msg, "open `/nope/x` in the rootfs: No such file or directory");
  cell_error_clear(&err);
  /* fs_open_in_root_opt (masked and read-only paths): a missing path is
   * -ENOENT without a message; any other failure is named. */
  CHECK_INT(fs_open_in_root_opt(rootfd, "/nope/x", O_PATH, &err), -ENOENT);
  CHECK(err.msg == NULL);
  int fd = fs_open_in_root_opt(rootfd, "/etc", O_PATH, &err);
  CHECK(fd >= 0 && err.msg == NULL);
  if (fd >= 0)
    close(fd);
  CHECK_INT(fs_open_in_root_opt(rootfd, "/loop1", O_PATH, &err), -ELOOP);
  CHECK_STR(err.msg, "open `/loop1` in the rootfs: Too many levels of symbolic links");
  cell_error_clear(&err);
  close(rootfd);
  rm_tree(root);
}

TEST(fd_path)
{
  char b[32];
  CHECK_STR(fs_fd_path(b, sizeof b, 0), "/proc/self/fd/0");
  CHECK_STR(fs_fd_path(b, sizeof b, 42), "/proc/self/fd/42");
  CHECK_STR(fs_fd_path(b, sizeof b, 2147483647), "/proc/self/fd/2147483647");
  char s[16];
  CHECK_STR(fs_fd_path(s, sizeof s, 123), "/proc/self/fd/1");  /* cut as snprintf cuts */
}

TEST(mkpath_in_root)
{
  char *root = make_tree();
  CHECK(root != NULL);
  if (!root)
    return;
  int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  cell_error err = CELL_ERROR_INIT;
  /* Through the absolute symlink: created below root/etc, not /etc. */
  int fd = fs_mkpath_in_root(rootfd, "/abs/cell-new/dir", true, &err);
  CHECK(fd >= 0);
  CHECK(same(fd, rootfd, "etc/cell-new/dir"));
  if (fd >= 0)
    close(fd);
  CHECK(access("/etc/cell-new", F_OK) < 0);
  fd = fs_mkpath_in_root(rootfd, "/up/sub/file", false, &err);
  CHECK(fd >= 0);
  CHECK(same(fd, rootfd, "tmp/sub/file"));
  struct stat sb;
  CHECK(fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode));
  if (fd >= 0)
    close(fd);
  /* Existing paths come back as they are. */
  fd = fs_mkpath_in_root(rootfd, "/etc/file", true, &err);
  CHECK(fd >= 0 && same(fd, rootfd, "etc/file"));
  if (fd >= 0)
    close(fd);
  CHECK(fs_mkpath_in_root(rootfd, "/etc/file/below", true, &err) < 0);
  CHECK(err.msg && strstr(err.msg, "/etc/file/below"));
  cell_error_clear(&err);
  close(rootfd);
  rm_tree(root);
}

/* Only the missing tail is made, however deep, trailing slashes and all;
 * a dangling symlink on the way or at the end is made at its target,
 * inside the root. */
TEST(mkpath_in_root_missing_tail)
{
  char *root = make_tree();
  CHECK(root != NULL);
  if (!root)
    return;
  int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  cell_error err = CELL_ERROR_INIT;
  int fd = fs_mkpath_in_root(rootfd, "/a/b/c/d/e//", true, &err);
  CHECK(fd >= 0 && same(fd, rootfd, "a/b/c/d/e"));
  if (fd >= 0)
    close(fd);
  fd = fs_mkpath_in_root(rootfd, "new-top", false, &err);
  CHECK(fd >= 0 && same(fd, rootfd, "new-top"));
  if (fd >= 0)
    close(fd);
  /* dangling -> /nonexistent/x: through it, then at its end. */
  fd = fs_mkpath_in_root(rootfd, "/dangling/below/it", true, &err);
  CHECK(fd >= 0 && same(fd, rootfd, "nonexistent/x/below/it"));
  if (fd >= 0)
    close(fd);
  CHECK(access("/nonexistent", F_OK) < 0);
  char p[512];
  snprintf(p, sizeof p, "%s/tail", root);
  CHECK(symlink("/made/by/link", p) == 0);
  fd = fs_mkpath_in_root(rootfd, "/tail", false, &err);
  CHECK(fd >= 0 && same(fd, rootfd, "made/by/link"));
  struct stat sb;
  CHECK(fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode));
  if (fd >= 0)
    close(fd);
  CHECK(!err.msg);
  cell_error_clear(&err);
  close(rootfd);
  rm_tree(root);
}
