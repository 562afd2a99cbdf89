#include "unit.h"
#include "util/error.h"
#include "util/strv.h"
#include <errno.h>

TEST(error_chain)
{
  cell_error e = CELL_ERROR_INIT;
  errno = ENOENT;
  int r = cell_error_sys(&e, "open `%s`", "/x");
  CHECK_INT(r, -ENOENT);
  cell_error_wrap(&e, "create `%s`", "c1");
  CHECK_STR(e.msg, "create `c1`: open `/x`: No such file or directory");
  CHECK_INT(e.code, ENOENT);
  cell_error_clear(&e);
  CHECK(e.msg == NULL);
  r = cell_error_set(&e, 0, "bad");
  CHECK_INT(r, -EINVAL);
  cell_error_clear(&e);
}

TEST(env_set_replaces)
{
  char **env = NULL;
  cell_env_set(&env, "A=1");
  cell_env_set(&env, "B=2");
  cell_env_set(&env, "A=3");
  CHECK_INT(cell_strv_len(env), 2);
  CHECK_STR(env[0], "A=3");
  cell_strv_free(env);
}

/* mountinfo's fields, as strtok_r(" ") cut them: runs of spaces are one
 * separator, none is empty, the text is cut in place. */
TEST(field_splits_like_strtok)
{
  char line[] = "  36 35 98:0 /mnt1 /mnt2 rw,noatime  - ext3 /dev/root rw ";
  const char *want[] = { "36", "35", "98:0", "/mnt1", "/mnt2", "rw,noatime", "-", "ext3", "/dev/root", "rw" };
  char *cur = line, *f;
  size_t n = 0;
  while ((f = cell_field(&cur)) && n < 10)
    CHECK_STR(f, want[n++]);
  CHECK_INT(n, 10);
  CHECK(cell_field(&cur) == NULL);
  char empty[] = "   ";
  cur = empty;
  CHECK(cell_field(&cur) == NULL);
}
