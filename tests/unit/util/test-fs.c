#include "unit.h"
#include "util/error.h"
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* `cell seccomp compile -o /dev/null` once renamed a regular file over the
 * host's /dev/null: a path that is not a regular file is written in place,
 * and its node stays what it was. */
TEST(atomic_write_keeps_a_device_or_fifo)
{
  struct stat before, after;
  cell_error e = CELL_ERROR_INIT;
  CHECK_INT(stat("/dev/null", &before), 0);
  CHECK_INT(cell_write_file_atomic("/dev/null", "x", 1, 0644, &e), 0);
  CHECK_INT(stat("/dev/null", &after), 0);
  CHECK(S_ISCHR(after.st_mode) && after.st_rdev == before.st_rdev && after.st_ino == before.st_ino);

  char dir[] = "/tmp/cell-test-fs.XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  char fifo[64], file[64];
  snprintf(fifo, sizeof fifo, "%s/fifo", dir);
  snprintf(file, sizeof file, "%s/file", dir);
  CHECK_INT(mkfifo(fifo, 0600), 0);
  int rd = open(fifo, O_RDONLY | O_NONBLOCK);
  CHECK(rd >= 0);
  CHECK_INT(cell_write_file_atomic(fifo, "abc", 3, 0644, &e), 0);
  char buf[8] = "";
  CHECK_INT((int) read(rd, buf, sizeof buf), 3);
  CHECK(memcmp(buf, "abc", 3) == 0);
  CHECK_INT(lstat(fifo, &after), 0);
  CHECK(S_ISFIFO(after.st_mode));
  close(rd);
  /* A regular file is still replaced atomically, leaving no temp file. */
  CHECK_INT(cell_write_file_atomic(file, "one", 3, 0600, &e), 0);
  CHECK_INT(cell_write_file_atomic(file, "two!", 4, 0600, &e), 0);
  char *text = NULL;
  size_t len = 0;
  CHECK_INT(cell_read_file(file, &text, &len, &e), 0);
  CHECK_STR(text, "two!");
  free(text);
  unlink(fifo);
  unlink(file);
  CHECK_INT(rmdir(dir), 0);
  cell_error_cleanup(&e);
}

static char *slurp(const char *dir, const char *name)
{
  char path[128];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  char *text = NULL;
  size_t len;
  cell_error e = CELL_ERROR_INIT;
  if (cell_read_file(path, &text, &len, &e) < 0)
    text = NULL;
  cell_error_cleanup(&e);
  return text;
}

static int count_entries(const char *dir)
{
  char cmd[128];
  snprintf(cmd, sizeof cmd, "ls -A %s | wc -l", dir);
  FILE *p = popen(cmd, "r");
  int n = -1;
  if (p && fscanf(p, "%d", &n) != 1)
    n = -1;
  if (p)
    pclose(p);
  return n;
}

/* state.json's writer: right whatever `exists` guesses, no temp file left. */
TEST(replace_file_at_whatever_the_guess)
{
  char dir[] = "/tmp/cell-test-fs.XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  CHECK(dfd >= 0);
  cell_error e = CELL_ERROR_INIT;
  static const struct { bool exists; const char *text; } steps[] = {
    { true, "absent, guessed there" }, { true, "there, guessed there" },
    { false, "there, guessed absent" },
  };
  for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
    CHECK_INT(cell_replace_file_at(dfd, dir, "f", steps[i].text, strlen(steps[i].text), 0600,
                                   steps[i].exists, &e), 0);
    char *t = slurp(dir, "f");
    CHECK_STR(t, steps[i].text);
    free(t);
    CHECK_INT(count_entries(dir), 1);
  }
  CHECK_INT(cell_replace_file_at(dfd, dir, "g", "new", 3, 0600, false, &e), 0);
  char *t = slurp(dir, "g");
  CHECK_STR(t, "new");
  free(t);
  char p[128];
  snprintf(p, sizeof p, "%s/f", dir);
  CHECK_INT(unlink(p), 0);
  snprintf(p, sizeof p, "%s/g", dir);
  CHECK_INT(unlink(p), 0);
  /* An error names the file in its directory. */
  CHECK_INT(rmdir(dir), 0);
  CHECK(cell_replace_file_at(dfd, dir, "f", "x", 1, 0600, false, &e) < 0);
  CHECK(e.msg && strstr(e.msg, dir) && strstr(e.msg, "/f.tmp."));
  close(dfd);
  cell_error_cleanup(&e);
}

/* rm -rf of a tree: files, fifos, symlinks (not followed), nested dirs;
 * a mount inside is refused and left. */
TEST(rm_rf_removes_the_tree_and_stops_at_mounts)
{
  char dir[] = "/tmp/cell-test-fs.XXXXXX", keep[] = "/tmp/cell-test-fs-keep.XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  CHECK(mkdtemp(keep) != NULL);
  char p[256];
  cell_error e = CELL_ERROR_INIT;
  snprintf(p, sizeof p, "%s/kept", keep);
  CHECK_INT(cell_write_file_new(p, "k", 1, 0600, &e), 0);
  const char *files[] = { "a", "d1/b", "d1/d2/c", "d1/d2/d3/d" };
  snprintf(p, sizeof p, "%s/d1/d2/d3", dir);
  CHECK_INT(cell_mkdir_p(p, 0700, &e), 0);
  for (size_t i = 0; i < 4; i++) {
    snprintf(p, sizeof p, "%s/%s", dir, files[i]);
    CHECK_INT(cell_write_file_new(p, "x", 1, 0600, &e), 0);
  }
  for (int i = 0; i < 300; i++) {   /* more than one getdents64 buffer */
    snprintf(p, sizeof p, "%s/d1/many-%03d-with-a-longer-name", dir, i);
    CHECK_INT(cell_write_file_new(p, "", 0, 0600, &e), 0);
  }
  snprintf(p, sizeof p, "%s/d1/fifo", dir);
  CHECK_INT(mkfifo(p, 0600), 0);
  snprintf(p, sizeof p, "%s/d1/link", dir);
  CHECK_INT(symlink(keep, p), 0);
  CHECK_INT(cell_rm_rf(dir, &e), 0);
  CHECK(access(dir, F_OK) < 0 && errno == ENOENT);
  snprintf(p, sizeof p, "%s/kept", keep);
  CHECK(access(p, F_OK) == 0);
  CHECK_INT(cell_rm_rf(dir, &e), 0);   /* gone already: fine */

  /* A mount point below: refused, and the mount's content stays. */
  strcpy(dir, "/tmp/cell-test-fs.XXXXXX");
  CHECK(mkdtemp(dir) != NULL);
  snprintf(p, sizeof p, "%s/m", dir);
  CHECK_INT(mkdir(p, 0700), 0);
  if (mount("none", p, "tmpfs", 0, NULL) == 0) {
    snprintf(p, sizeof p, "%s/m/inside", dir);
    CHECK_INT(cell_write_file_new(p, "i", 1, 0600, &e), 0);
    CHECK_INT(cell_rm_rf(dir, &e), -EXDEV);
    CHECK(e.msg && strstr(e.msg, "a mount point"));
    CHECK(access(p, F_OK) == 0);
    snprintf(p, sizeof p, "%s/m", dir);
    CHECK_INT(umount(p), 0);
    cell_error_clear(&e);
  }
  CHECK_INT(cell_rm_rf(dir, &e), 0);
  CHECK_INT(cell_rm_rf(keep, &e), 0);
  cell_error_cleanup(&e);
}
