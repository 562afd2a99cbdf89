/* The container lifecycle: what the CLI commands call. */
#ifndef CELL_RUNTIME_CONTAINER_H
#define CELL_RUNTIME_CONTAINER_H
#include <stdbool.h>
#include <sys/types.h>
#include "oci/config.h"
#include "runtime/exe-guard.h"
#include "runtime/state.h"
#include "util/error.h"
#include "util/log.h"

typedef struct cell_create_opts {
  const char *root;            /* state root (--root) */
  const char *id;
  const char *bundle;          /* default "." */
  const char *config_path;     /* crun -f; default BUNDLE/config.json */
  const char *pid_file;
  const char *console_socket;
  int preserve_fds;
  bool no_pivot;
  bool no_new_keyring;
  const char *cgroup_manager;  /* cgroupfs, systemd, disabled */
  bool rootless;               /* the caller is not root (cell_cgroup_config.rootless) */
  const char *notify_socket;   /* the caller's NOTIFY_SOCKET (notify-socket.h), or NULL */
  const cell_log *log;
  /* Set by `run`: the container is started, waited for and deleted by this
   * process; a terminal without --console-socket is proxied here. */
  bool run;
  bool detach;
  bool keep;                   /* run --keep (crun): do not delete on exit */
  const char *record_seccomp;  /* --record-seccomp PATH: record the syscalls there */
  char **argv;                 /* the whole command line, for the exe guard */
} cell_create_opts;

/* create: everything up to the wait for `start`. */
int cell_container_create(const cell_create_opts *o, cell_error *err);
/* run: create + start + wait (or detach). Returns the exit status to use
 * (the container's, 128+N when killed by signal N). */
int cell_container_run(const cell_create_opts *o, cell_error *err);
int cell_container_start(const char *root, const char *id, const cell_log *log,
                         cell_error *err);
int cell_container_kill(const char *root, const char *id, int sig, bool all,
                        cell_error *err);
int cell_container_delete(const char *root, const char *id, bool force, const cell_log *log,
                          cell_error *err);
/* The status and state JSON (runc's fields). */
int cell_container_state(const char *root, const char *id, char **json, cell_error *err);

typedef struct cell_exec_opts {
  const char *root, *id;
  const char *process_path;    /* --process FILE */
  char **args;                 /* or a command line */
  bool tty;
  const char *console_socket;
  const char *cwd;
  char **env;                  /* -e KEY=VALUE (added) */
  const char *user;            /* -u UID[:GID] */
  char **caps;                 /* --cap CAP_X (added) */
  bool no_new_privs;
  bool detach;
  const char *pid_file;
  int preserve_fds;
  const cell_log *log;
} cell_exec_opts;

int cell_container_exec(const cell_exec_opts *o, cell_error *err);

/* Signal names: "TERM", "SIGTERM", "15" -> 15; -EINVAL when unknown. */
int cell_signal_parse(const char *s);
#endif
