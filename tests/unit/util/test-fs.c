#include "unit.h"
#include "util/error.h"
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
