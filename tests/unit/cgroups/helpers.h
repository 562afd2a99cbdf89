/* Shared by the cgroups unit tests: processes to put in cgroups, and the
 * test's own place in each hierarchy. */
#ifndef CELL_TEST_CGROUPS_HELPERS_H
#define CELL_TEST_CGROUPS_HELPERS_H
#include <stdbool.h>
#include <sys/types.h>
#include "cgroups/cgroups.h"

/* A child blocked in pause(); -1 on failure. */
pid_t th_sleeper(void);
/* SIGKILL and reap (no-op for pid <= 0). */
void th_reap(pid_t pid);
/* A child that waits for a byte on a pipe, then runs fn and exits with its
 * value. th_go() releases it; th_wait() returns the exit status or -1. */
typedef struct th_child { pid_t pid; int go; } th_child;
int th_spawn(th_child *c, int (*fn)(void *), void *arg);
void th_go(th_child *c);
int th_wait(th_child *c);
/* Read DIR/FILE into a static-lifetime-free buffer (caller frees). */
char *th_read(const char *dir, const char *file);
/* "cell-unit-PID-TAG": a unique relative cgroupsPath for this test. */
char *th_name(const char *tag);
/* Is pid in cgroup.procs of dir? */
bool th_in_procs(const char *dir, pid_t pid);
/* Detected host reduced to its cgroup2 hierarchy with mode V2 (false when
 * there is none). */
bool th_host_v2_only(cell_cg_host *h);
/* A directory of empty files named files[] (NULL-terminated) standing in
 * for a cgroup directory; th_fake_clear empties them, th_fake_rm removes
 * them and frees dir. */
char *th_fake_dir(const char *const *files);
void th_fake_clear(const char *dir, const char *const *files);
void th_fake_rm(char *dir, const char *const *files);
/* A log whose lines go to a pipe: th_log_open() fills w (false on failure),
 * th_log_take() returns what was logged so far (caller frees; "" when
 * nothing), th_log_close() closes both ends. */
typedef struct th_log { int fds[2]; cell_log log; } th_log;
bool th_log_open(th_log *w);
char *th_log_take(th_log *w);
void th_log_close(th_log *w);
#endif
