/* The notification server (cell-agent's core) in a forked process: handlers
 * chosen by listenerMetadata, many containers, garbage, a killed agent,
 * sysinfo from the cgroup. */
#include "unit.h"
#include "helpers.h"
#include "notify/notify.h"
#include "util/fdpass.h"
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct agent_env {
  char *dir;
  char sock[256];
  char log[256];
  pid_t agent;
} agent_env;

static int agent_up(agent_env *e, const char *handlers, const char *plugins)
{
  memset(e, 0, sizeof *e);
  e->dir = t_tmpdir();
  if (!e->dir)
    return -1;
  snprintf(e->sock, sizeof e->sock, "%s/agent.sock", e->dir);
  snprintf(e->log, sizeof e->log, "%s/agent.log", e->dir);
  e->agent = t_agent(e->sock, handlers, plugins, e->log);
  return e->agent > 0 ? 0 : -1;
}

static void agent_down(agent_env *e)
{
  t_agent_stop(e->agent);
  t_rmdir(e->dir);
  free(e->dir);
}

static int conn(agent_env *e)
{
  cell_error err = CELL_ERROR_INIT;
  int fd = cell_notify_connect(e->sock, &err);
  cell_error_clear(&err);
  return fd;
}

/* mkdir of a path that cannot exist must come back with errno (long)arg. */
static int mkdir_gets(void *arg)
{
  errno = 0;
  int r = mkdir("/nonexistent-cell-notify/x", 0755);
  return r < 0 && errno == (int) (long) arg ? 0 : 10 + (errno & 0x3f);
}

static pid_t spawn_mkdir(agent_env *e, const cell_seccomp_filter *f, const char *id,
                         const char *md, int want)
{
  int s = conn(e);
  if (s < 0)
    return -1;
  pid_t p = t_spawn(f, s, -1, id, md, mkdir_gets, (void *) (long) want);
  close(s);
  return p;
}

TEST(agent_errno_handler_from_metadata)
{
  agent_env e;
  CHECK_INT(agent_up(&e, NULL, NULL), 0);
  cell_seccomp_filter f;
  CHECK_INT(t_filter((int[]) { SYS_mkdir }, 1, false, &f), 0);
  CHECK_INT(t_wait(spawn_mkdir(&e, &f, "c-eperm", "handlers=errno:EPERM", EPERM), 5000), 0);
  CHECK_INT(t_wait(spawn_mkdir(&e, &f, "c-77", "handlers=errno:77", 77), 5000), 0);
  /* nobody handles it: ENOTSUP, as crun does; default= changes that */
  CHECK_INT(t_wait(spawn_mkdir(&e, &f, "c-none", "", ENOTSUP), 5000), 0);
  CHECK_INT(t_wait(spawn_mkdir(&e, &f, "c-def", "default=errno:ENOSPC", ENOSPC), 5000), 0);
  CHECK_INT(t_wait(spawn_mkdir(&e, &f, "c-log", "handlers=log", ENOENT), 5000), 0);
  char *st = t_agent_stats(e.sock);
  CHECK(st && strstr(st, "\"id\":\"c-eperm\"") && strstr(st, "\"decision\":\"errno:EPERM\""));
  CHECK(st && strstr(st, "\"syscall\":\"mkdir\""));
  free(st);
  char *log = NULL;
  size_t len;
  cell_error err = CELL_ERROR_INIT;
  CHECK_INT(cell_read_file(e.log, &log, &len, &err), 0);
  CHECK(log && strstr(log, "container=c-eperm") && strstr(log, "syscall=mkdir(83) decision=errno:EPERM handler=errno"));
  CHECK(log && strstr(log, "decision=continue handler=log args=["));
  CHECK(log && strstr(log, "container=c-log pid=") && strstr(log, "forgotten: the listener hung up"));
  free(log);
  cell_error_clear(&err);
  free(f.insns);
  agent_down(&e);
}

TEST(agent_twenty_containers_share_one_agent)
{
  agent_env e;
  CHECK_INT(agent_up(&e, "errno:EPERM", NULL), 0);
  cell_seccomp_filter f;
  CHECK_INT(t_filter((int[]) { SYS_mkdir }, 1, false, &f), 0);
  pid_t pids[20];
  for (int i = 0; i < 20; i++) {
    char id[32];
    snprintf(id, sizeof id, "twenty-%d", i);
    pids[i] = spawn_mkdir(&e, &f, id, "", EPERM);
  }
  for (int i = 0; i < 20; i++)
    CHECK_INT(t_wait(pids[i], 10000), 0);
  char *st = t_agent_stats(e.sock);
  json_t *j = st ? json_loads(st, 0, NULL) : NULL;
  CHECK(j != NULL);
  CHECK_INT(json_array_size(json_object_get(j, "containers")), 20);
  json_decref(j);
  free(st);
  free(f.insns);
  agent_down(&e);
}

static int raw_send(agent_env *e, const void *data, size_t len, int fd)
{
  int s = conn(e);
  if (s < 0)
    return -1;
  cell_error err = CELL_ERROR_INIT;
  int r = 0;
  if (fd >= 0)
    r = cell_send_fd(s, fd, data, len, &err);
  else if (len)
    r = cell_write_all(s, data, len);
  cell_error_clear(&err);
  close(s);
  return r;
}

TEST(agent_survives_garbage)
{
  agent_env e;
  CHECK_INT(agent_up(&e, "errno:EPERM", NULL), 0);
  signal(SIGPIPE, SIG_IGN);
  raw_send(&e, "{not json", 9, -1);
  char *m = t_message("nofd", getpid(), NULL);
  raw_send(&e, m, strlen(m), -1);                         /* no fd */
  int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  raw_send(&e, m, strlen(m), devnull);                    /* not a listener */
  free(m);
  close(devnull);
  size_t big = 1 << 20;
  char *junk = malloc(big);
  memset(junk, 'j', big);
  raw_send(&e, junk, big, -1);                            /* 1 MiB of junk */
  free(junk);
  raw_send(&e, NULL, 0, -1);                              /* closed at once */
  int idle = conn(&e);                                    /* open and silent */
  cell_seccomp_filter f;
  CHECK_INT(t_filter((int[]) { SYS_mkdir }, 1, false, &f), 0);
  CHECK_INT(t_wait(spawn_mkdir(&e, &f, "after-garbage", "", EPERM), 5000), 0);
  char *st = t_agent_stats(e.sock);
  json_t *j = st ? json_loads(st, 0, NULL) : NULL;
  CHECK_INT(json_integer_value(json_object_get(j, "rejected")), 5);
  json_decref(j);
  free(st);
  char *log = NULL;
  size_t len;
  cell_error err = CELL_ERROR_INIT;
  CHECK_INT(cell_read_file(e.log, &log, &len, &err), 0);
  CHECK(log && strstr(log, "refused: bad JSON: 1:2: "));
  CHECK(log && strstr(log, "refused: no fd came with the message"));
  CHECK(log && strstr(log, "refused: the fd is not a seccomp listener"));
  CHECK(log && strstr(log, "message longer than 65536 bytes; dropped"));
  CHECK(log && strstr(log, "closed without a message"));
  free(log);
  cell_error_clear(&err);
  close(idle);
  free(f.insns);
  agent_down(&e);
}

/* The agent dies while the container runs: a NOTIFY syscall waiting then,
 * and the ones after, fail with ENOSYS. */
static int killed_child(void *arg)
{
  int *p = arg;  /* p[0]: write "ready", p[1]: read "go" */
  errno = 0;
  if (syscall(SYS_getppid) < 0 || errno)
    return 11;
  (void) !write(p[0], "r", 1);
  char c;
  if (read(p[1], &c, 1) != 1)
    return 14;
  errno = 0;
  long v = syscall(SYS_getppid);  /* the agent is stopped now, then killed */
  if (v != -1 || errno != ENOSYS) {
    fprintf(stderr, "  child: pending getppid gave %ld, errno %d\n", v, errno);
    return 12;
  }
  errno = 0;
  v = syscall(SYS_getppid);
  return v == -1 && errno == ENOSYS ? 0 : 13;
}

TEST(agent_killed_mid_way_gives_enosys)
{
  agent_env e;
  CHECK_INT(agent_up(&e, "continue", NULL), 0);
  cell_seccomp_filter f;
  CHECK_INT(t_filter((int[]) { SYS_getppid }, 1, false, &f), 0);
  int rp[2], gp[2];
  CHECK_INT(pipe(rp), 0);
  CHECK_INT(pipe(gp), 0);
  int s = conn(&e);
  pid_t p = t_spawn(&f, s, rp[0], "killed", "", killed_child, (int[]) { rp[1], gp[0] });
  close(s);
  close(rp[1]);
  close(gp[0]);
  char c;
  CHECK_INT(read(rp[0], &c, 1), 1);
  kill(e.agent, SIGSTOP);
  CHECK_INT(write(gp[1], "g", 1), 1);
  close(gp[1]);
  usleep(100 * 1000);  /* the child now waits in getppid */
  kill(e.agent, SIGKILL);
  waitpid(e.agent, NULL, 0);
  e.agent = -1;
  CHECK_INT(t_wait(p, 5000), 0);
  close(rp[0]);
  free(f.insns);
  agent_down(&e);
}

/* sysinfo answered from the memory cgroup. */
static int sysinfo_child(void *arg)
{
  (void) arg;
  struct sysinfo si;
  if (sysinfo(&si) < 0)
    return 20;
  unsigned long long total = (unsigned long long) si.totalram * si.mem_unit;
  return total == 64ULL << 20 ? 0 : 21;
}

static char *own_memory_cgroup(void)
{
  char *s = NULL;
  size_t len;
  cell_error err = CELL_ERROR_INIT;
  if (cell_read_file("/proc/self/cgroup", &s, &len, &err) < 0) {
    cell_error_clear(&err);
    return NULL;
  }
  char *out = NULL;
  for (char *l = strtok(s, "\n"); l; l = strtok(NULL, "\n")) {
    char *p = strstr(l, ":memory:");
    if (p && asprintf(&out, "/sys/fs/cgroup/memory%s", p + 8) < 0)
      out = NULL;
  }
  free(s);
  return out;
}

TEST(agent_sysinfo_from_the_memory_cgroup)
{
  char *own = own_memory_cgroup();
  if (!own)
    SKIP("no cgroup v1 memory controller");
  char cg[512];
  snprintf(cg, sizeof cg, "%s/cell-notify-test-%d", own, (int) getpid());
  free(own);
  if (mkdir(cg, 0755) < 0)
    SKIP("cannot create a memory cgroup");
  cell_error err = CELL_ERROR_INIT;
  char path[600];
  snprintf(path, sizeof path, "%s/memory.limit_in_bytes", cg);
  CHECK_INT(cell_write_file(path, "67108864", 8, &err), 0);
  agent_env e;
  CHECK_INT(agent_up(&e, "sysinfo", NULL), 0);
  cell_seccomp_filter f;
  CHECK_INT(t_filter((int[]) { SYS_sysinfo }, 1, false, &f), 0);
  int gate[2];
  CHECK_INT(pipe(gate), 0);
  int s = conn(&e);
  pid_t p = fork();
  if (p == 0) {
    char c;
    close(gate[1]);
    if (read(gate[0], &c, 1) != 1)
      _exit(30);
    pid_t q = t_spawn(&f, s, -1, "sysinfo", "", sysinfo_child, NULL);
    _exit(t_wait(q, 5000));
  }
  close(s);
  close(gate[0]);
  char procs[600], pid[32];
  snprintf(procs, sizeof procs, "%s/cgroup.procs", cg);
  snprintf(pid, sizeof pid, "%d", (int) p);
  CHECK_INT(cell_write_file(procs, pid, strlen(pid), &err), 0);
  CHECK_INT(write(gate[1], "g", 1), 1);
  close(gate[1]);
  CHECK_INT(t_wait(p, 8000), 0);
  cell_error_clear(&err);
  rmdir(cg);
  free(f.insns);
  agent_down(&e);
}
