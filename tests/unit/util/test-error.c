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
