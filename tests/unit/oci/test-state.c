/* The state store: ids, atomic state, status after death and pid reuse. */
#include "unit.h"
#include "runtime/container.h"
#include "runtime/state.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

TEST(id_check)
{
  cell_error err = CELL_ERROR_INIT;
  CHECK(cell_id_check("abc-1.2_x+y", &err) == 0);
  CHECK(cell_id_check("", &err) == -EINVAL);
  CHECK_STR(err.msg, "container id must not be empty");
  CHECK(cell_id_check("..", &err) == -EINVAL);
  CHECK(cell_id_check("a/b", &err) == -EINVAL);
  CHECK_STR(err.msg, "invalid container id `a/b`: no `/`, `.` or `..`");
  CHECK(cell_id_check("a b", &err) == -EINVAL);
  cell_error_clear(&err);
}

TEST(store_create_twice_refused_and_status)
{
  char root[] = "/tmp/cell-unit-state.XXXXXX";
  CHECK(mkdtemp(root) != NULL);
  cell_error err = CELL_ERROR_INIT;
  cell_store s, s2;
  CHECK_INT(cell_store_create(&s, root, "c1", &err), 0);
  CHECK_INT(cell_store_create(&s2, root, "c1", &err), -EEXIST);
  CHECK_STR(err.msg, "container `c1` already exists");
  cell_store_close(&s2);

  /* A live process: status as recorded. */
  pid_t child = fork();
  if (child == 0) {
    pause();
    _exit(0);
  }
  cell_state st = { .id = "c1", .bundle = "/b", .pid = child, .recorded = CELL_RUNNING,
                    .start_time = cell_proc_start_time(child, NULL) };
  CHECK_INT(cell_state_write(&s, &st, &err), 0);
  cell_state back;
  CHECK_INT(cell_state_read(&s, &back, &err), 0);
  CHECK_INT(back.pid, child);
  CHECK_INT(cell_state_status(&back), CELL_RUNNING);
  /* Same pid, another start time: a reused pid is not our container. */
  back.start_time += 1;
  CHECK_INT(cell_state_status(&back), CELL_STOPPED);
  back.start_time -= 1;
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
  CHECK_INT(cell_state_status(&back), CELL_STOPPED);
  cell_state_clear(&back);
  CHECK_INT(cell_store_destroy(&s, &err), 0);
  struct stat sb;
  char dir[256];
  snprintf(dir, sizeof dir, "%s/c1", root);
  CHECK(stat(dir, &sb) < 0 && errno == ENOENT);
  rmdir(root);
  cell_error_clear(&err);
}

TEST(signal_names)
{
  CHECK_INT(cell_signal_parse("TERM"), SIGTERM);
  CHECK_INT(cell_signal_parse("SIGKILL"), SIGKILL);
  CHECK_INT(cell_signal_parse("sigusr1"), SIGUSR1);
  CHECK_INT(cell_signal_parse("9"), 9);
  CHECK_INT(cell_signal_parse("RTMIN+2"), SIGRTMIN + 2);
  CHECK(cell_signal_parse("NOPE") < 0);
  CHECK(cell_signal_parse("0") < 0);
  CHECK(cell_signal_parse("999") < 0);
}
