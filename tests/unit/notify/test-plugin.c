/* Plugins built from the public header, served by the per-container
 * monitor that outlives its spawner. */
#include "unit.h"
#include "helpers.h"
#include "notify/notify.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int plugin_child(void *arg)
{
  int want = (int) (long) arg;
  errno = 0;
  if (mkdir("/nonexistent-cell-notify/x", 0755) == 0 || errno != want)
    return 40 + (errno & 0x3f);
  errno = 0;
  long ppid = syscall(SYS_getppid);  /* the cell plugin CONTINUEs it */
  if (want == EHOSTUNREACH && (ppid <= 0 || ppid != getppid()))
    return 30;
  return 0;
}

/* Spawn a monitor that becomes our child (subreaper) so that we can wait. */
static int spawn_monitor(const cell_notify_monitor_opts *mo, int *sock, pid_t *mon, cell_error *err)
{
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  int r = cell_notify_monitor_spawn(mo, sock, mon, err);
  prctl(PR_SET_CHILD_SUBREAPER, 0);
  return r;
}

static void run_monitor(int *unit_failed_, int *unit_skipped_, const char *plugin,
                        const char *metadata, int want)
{
  cell_notify_monitor_opts mo = { .plugins = plugin, .container_id = "plug", .bundle = "/b",
                                  .log_fd = -1 };
  cell_error err = CELL_ERROR_INIT;
  int sock = -1;
  pid_t mon = -1;
  int r = spawn_monitor(&mo, &sock, &mon, &err);
  CHECK_INT(r, 0);
  if (r < 0) {
    fprintf(stderr, "  %s\n", err.msg);
    cell_error_clear(&err);
    return;
  }
  CHECK(mon > 0);
  cell_seccomp_filter f;
  CHECK_INT(t_filter((int[]) { SYS_mkdir, SYS_getppid }, 2, false, &f), 0);
  pid_t p = t_spawn(&f, sock, -1, "plug", metadata, plugin_child, (void *) (long) want);
  close(sock);
  CHECK_INT(t_wait(p, 5000), 0);
  /* The container is gone: the listener hangs up and the monitor exits. */
  CHECK_INT(t_wait(mon, 5000), 0);
  free(f.insns);
}

TEST(plugin_cell_api_answers_the_chosen_errno)
{
  run_monitor(unit_failed_, unit_skipped_, TEST_PLUGIN, "plugin_errno=113", EHOSTUNREACH);
}

TEST(plugin_crun_api_is_accepted)
{
  run_monitor(unit_failed_, unit_skipped_, TEST_PLUGIN_CRUN, NULL, EHOSTDOWN);
}

TEST(plugin_missing_fails_the_spawn)
{
  cell_notify_monitor_opts mo = { .plugins = "/nonexistent/plugin.so", .log_fd = -1 };
  cell_error err = CELL_ERROR_INIT;
  int sock = -1;
  CHECK(cell_notify_monitor_spawn(&mo, &sock, NULL, &err) < 0);
  CHECK(err.msg && strstr(err.msg, "seccomp plugin `/nonexistent/plugin.so`: dlopen"));
  CHECK_INT(sock, -1);
  cell_error_clear(&err);
  mo.plugins = "/bin/true";  /* loads as nothing: not a shared object */
  CHECK(cell_notify_monitor_spawn(&mo, &sock, NULL, &err) < 0);
  CHECK(err.msg && strstr(err.msg, "seccomp plugin `/bin/true`"));
  cell_error_clear(&err);
}

TEST(monitor_exits_when_the_container_never_hands_over)
{
  cell_notify_monitor_opts mo = { .plugins = TEST_PLUGIN, .log_fd = -1 };
  cell_error err = CELL_ERROR_INIT;
  int sock = -1;
  pid_t mon = -1;
  int r = spawn_monitor(&mo, &sock, &mon, &err);
  CHECK_INT(r, 0);
  cell_error_clear(&err);
  if (r < 0)
    return;
  close(sock);  /* the init died before the hand-off */
  CHECK_INT(t_wait(mon, 5000), 0);
}
