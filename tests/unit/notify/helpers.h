/* Helpers for the notify tests: filters from libseccomp (the oracle),
 * children that install a filter through cell_notify_install, an agent
 * (the notification server) in a forked process, and timeouts. */
#ifndef CELL_TEST_NOTIFY_HELPERS_H
#define CELL_TEST_NOTIFY_HELPERS_H
#include <stdbool.h>
#include <sys/types.h>
#include "seccomp/seccomp.h"

/* A filter whose default is ALLOW and that makes each of nrs[0..n) NOTIFY
 * (default_notify: the default is NOTIFY and nrs are ALLOW). */
int t_filter(const int *nrs, int n, bool default_notify, cell_seccomp_filter *f);

typedef int (*t_child_fn)(void *arg);

/* Fork a child: no_new_privs, cell_notify_install(f, sock, the message
 * for id, its pid and metadata), then fn(arg) (which may exec) and _exit
 * with its value.  Exit 100 + errno when install fails.  The child closes
 * close_fd (the parent's end of a socketpair; -1: none).  Returns the pid. */
pid_t t_spawn(const cell_seccomp_filter *f, int sock, int close_fd, const char *id,
              const char *metadata, t_child_fn fn, void *arg);

/* Wait for pid up to ms; SIGKILL it on timeout. Exit status (0..255),
 * 128+signal, or -ETIMEDOUT. */
int t_wait(pid_t pid, int ms);

/* An agent (cn_server) in a forked process listening on path; handlers
 * are the default handlers, plugins a colon list (or NULL).  Returns its
 * pid once it listens. log: file for its log or NULL. */
pid_t t_agent(const char *path, const char *handlers, const char *plugins, const char *log);
void t_agent_stop(pid_t pid);
/* The agent's stats JSON (heap) via its socket. */
char *t_agent_stats(const char *path);

/* ContainerProcessState for a test "container". */
char *t_message(const char *id, pid_t pid, const char *metadata);

/* A fresh directory under /tmp (heap). */
char *t_tmpdir(void);
void t_rmdir(const char *dir);
#endif
