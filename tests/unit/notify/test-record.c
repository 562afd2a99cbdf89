/* The recorder (notify/record.c) on a child process, no runtime: it notes
 * every call, answers as the base profile would, and when it is killed in
 * the middle of a stream of calls its standby answers the rest (the one in
 * flight included) and writes the recording; nothing waits. */
#include "unit.h"
#include "helpers.h"
#include "notify/notify.h"
#include "seccomp/lang/lang.h"
#include "seccomp/recording.h"
#include "seccomp/table.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/sched.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#define CALLS 100000

static int base_filter(cell_seccomp_filter *base, cell_seccomp_filter *rf)
{
  static const char pol[] = "$syscall == mkdir => ERRNO(EACCES);\n=> ALLOW;\n";
  cell_sc_lang_opts lo = { .log = &(cell_log) { .fd = -1 } };
  cell_error err = CELL_ERROR_INIT;
  int r = cell_sc_lang_compile_filter("base.sec", pol, strlen(pol), &lo, base, &err);
  if (r == 0)
    r = cell_sc_record_filter(base, rf, &err);
  if (r < 0)
    fprintf(stderr, "  %s\n", err.msg);
  cell_error_clear(&err);
  return r;
}

/* many getppid calls, each checked, and mkdir getting the base's EACCES;
 * after the first thousand, a byte on the pipe says "well under way" */
typedef struct busy {
  long n;
  int ready;
} busy;

static int busy_child(void *arg)
{
  const busy *b = arg;
  pid_t pp = getppid();
  for (long i = 0; i < b->n; i++) {
    if (syscall(SYS_getppid) != pp)
      return 20;
    if (i % 1000 == 0) {
      errno = 0;
      if (mkdir("/nonexistent-cell-record/x", 0755) == 0 || errno != EACCES)
        return 21;
    }
    if (i == 1000 && write(b->ready, "r", 1) != 1)
      return 22;
  }
  return 0;
}

/* clone3 with CLONE_FS: the recorder reads the flags from our memory */
static int clone3_child(void *arg)
{
  (void) arg;
  struct clone_args ca = { .flags = CLONE_FS, .exit_signal = SIGCHLD };
  long pid = syscall(SYS_clone3, &ca, sizeof ca);
  if (pid == 0)
    _exit(0);
  if (pid < 0)
    return 30;
  int st;
  return waitpid((pid_t) pid, &st, 0) == pid && WIFEXITED(st) ? 0 : 31;
}

static int spawn(const char *path, const cell_seccomp_filter *base, int *sock, pid_t pids[2])
{
  cell_notify_record_opts ro = { .path = path, .base = base, .listen_fd = -1 };
  cell_notify_monitor_opts mo = { .container_id = "rec", .log_fd = -1, .record = &ro };
  cell_error err = CELL_ERROR_INIT;
  int r = cell_notify_monitor_spawn2(&mo, sock, pids, &err);
  if (r < 0)
    fprintf(stderr, "  %s\n", err.msg);
  cell_error_clear(&err);
  return r;
}

static const cell_sc_rec_entry *entry(const cell_sc_recording *r, const char *name)
{
  const cell_sc_arch *a = cell_sc_arch_native();
  return cell_sc_rec_find(r, a->audit, (uint32_t) cell_sc_syscall_nr(a, cell_sc_syscall_lookup(name)));
}

/* kill: -1 none, 0 the recorder, 1 the standby, once the child is well under way */
static void run(int *unit_failed_, int *unit_skipped_, int kill_which)
{
  char *dir = t_tmpdir();
  char path[4096];
  snprintf(path, sizeof path, "%s/rec.json", dir);
  cell_seccomp_filter base, rf;
  CHECK_INT(base_filter(&base, &rf), 0);
  int sock = -1;
  pid_t pids[2] = { -1, -1 };
  /* the recorder and, once it has gone, its standby become our children */
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  CHECK_INT(spawn(path, &base, &sock, pids), 0);
  CHECK(pids[0] > 0 && pids[1] > 0);
  int ready[2];
  CHECK(pipe2(ready, O_CLOEXEC) == 0);
  busy b = { CALLS, ready[1] };
  pid_t child = t_spawn(&rf, sock, -1, "rec", NULL, busy_child, &b);
  close(sock);
  close(ready[1]);
  char c;
  CHECK(read(ready[0], &c, 1) == 1);
  close(ready[0]);
  if (kill_which >= 0) {
    /* in the middle of its calls */
    siginfo_t si = { 0 };
    CHECK(waitid(P_PID, (id_t) child, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == 0);
    kill(pids[kill_which], SIGKILL);
  }
  /* never a hang: every call answered, the base's EACCES included */
  CHECK_INT(t_wait(child, 60000), 0);
  CHECK(t_wait(pids[0], 10000) >= 0);
  CHECK(t_wait(pids[1], 10000) >= 0);
  prctl(PR_SET_CHILD_SUBREAPER, 0);
  cell_sc_recording *r = malloc(sizeof *r);
  cell_sc_rec_init(r);
  cell_error err = CELL_ERROR_INIT;
  CHECK_INT(cell_sc_rec_read(path, r, &err), 0);
  if (err.msg)
    fprintf(stderr, "  %s\n", err.msg);
  const cell_sc_rec_entry *g = entry(r, "getppid"), *m = entry(r, "mkdir");
  /* the calls before and after the kill (and the child's first getppid);
   * one call may be noted twice when the recorder died between noting and
   * answering it */
  CHECK(g && g->count >= CALLS + 1 && g->count <= CALLS + 2);
  CHECK(m && m->count >= CALLS / 1000 && m->count <= CALLS / 1000 + 1 && m->denied == m->count);
  if (g)
    fprintf(stderr, "  getppid %llu, mkdir %llu (denied %llu)\n", (unsigned long long) g->count,
            m ? (unsigned long long) m->count : 0ull, m ? (unsigned long long) m->denied : 0ull);
  cell_error_clear(&err);
  free(r);
  cell_seccomp_filter_free(&base);
  cell_seccomp_filter_free(&rf);
  t_rmdir(dir);
  free(dir);
}

TEST(recorder_notes_every_call_and_answers_as_the_base)
{
  run(unit_failed_, unit_skipped_, -1);
}

TEST(recorder_killed_mid_stream_its_standby_answers_and_writes)
{
  run(unit_failed_, unit_skipped_, 0);
}

TEST(recorder_standby_killed_the_recorder_goes_on)
{
  run(unit_failed_, unit_skipped_, 1);
}

TEST(recorder_reads_clone3_flags_from_the_caller)
{
  char *dir = t_tmpdir();
  char path[4096];
  snprintf(path, sizeof path, "%s/rec.json", dir);
  cell_seccomp_filter base, rf;
  CHECK_INT(base_filter(&base, &rf), 0);
  int sock = -1;
  pid_t pids[2] = { -1, -1 };
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  CHECK_INT(spawn(path, &base, &sock, pids), 0);
  pid_t child = t_spawn(&rf, sock, -1, "rec", NULL, clone3_child, NULL);
  close(sock);
  CHECK_INT(t_wait(child, 20000), 0);
  CHECK(t_wait(pids[0], 10000) >= 0);
  CHECK(t_wait(pids[1], 10000) >= 0);
  prctl(PR_SET_CHILD_SUBREAPER, 0);
  cell_sc_recording *r = malloc(sizeof *r);
  cell_sc_rec_init(r);
  cell_error err = CELL_ERROR_INIT;
  CHECK_INT(cell_sc_rec_read(path, r, &err), 0);
  const cell_sc_rec_entry *e = entry(r, "clone3");
  CHECK(e && e->count == 1 && e->nargs == 1 && e->ntuples == 1 && !e->more);
  if (e && e->first >= 0)
    CHECK(r->tuples[e->first].v[0] == CLONE_FS);
  cell_error_clear(&err);
  free(r);
  cell_seccomp_filter_free(&base);
  cell_seccomp_filter_free(&rf);
  t_rmdir(dir);
  free(dir);
}
