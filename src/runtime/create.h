/* Internal to src/runtime: create() as a step that run() builds on. */
#ifndef CELL_RUNTIME_CREATE_H
#define CELL_RUNTIME_CREATE_H
#include <sys/socket.h>
#include <sys/un.h>
#include "runtime/container.h"

typedef struct cell_created {
  cell_store store;     /* still locked */
  pid_t pid;            /* the init, our child */
  oci_config *config;
  int tty_sock;         /* run's end of the console socket pair, or -1 */
  int start_conn;       /* run's end of the start pair (no start socket: start
                         * is a byte on it, and its EOF says the program was
                         * exec'ed, as a start socket's connection does), or -1 */
  cell_exe_guard guard; /* where runtime-namespace hooks run */
  cell_state state;     /* what state.json now holds, but status created where
                         * run left it creating (owned; id NULL when out of
                         * memory: read it back) */
} cell_created;

int cell_create_container(const cell_create_opts *o, cell_created *out, cell_error *err);
/* clone3 with flags (SIGCHLD on exit), the child born in cg's cgroup2
 * directory when it has one (*into says so; else it must be moved there).
 * cg may be NULL. Returns as fork(). */
struct cell_cgroup;
pid_t cell_clone_child(unsigned long flags, struct cell_cgroup *cg, bool *into);
void cell_created_release(cell_created *cr);
int cell_write_pid_file(const char *path, pid_t pid, cell_error *err);

/* delete with the container's config at hand (NULL: read the copy). */
int cell_container_delete_known(const char *root, const char *id, bool force,
                                const oci_config *config, const cell_log *log, cell_error *err);
/* run's delete -f, through its own store s (unlocked, its dir fd open):
 * locked again, gone when the dir was deleted meanwhile; st is the state
 * run last wrote, used as it is while state.json is still the file kept
 * open in state_fd (cell_state_is_kept), else read again. s is closed. */
int cell_container_delete_run(cell_store *s, cell_state *st, int state_fd,
                              const oci_config *config, const cell_log *log, cell_error *err);
/* Load the config copy kept in the state dir. */
int cell_load_stored_config(const cell_store *s, const cell_state *st, const cell_log *log,
                            oci_config **out, cell_error *err);
/* start with the store already locked, through conn (run's end of the
 * start pair, cell_created) or, when -1, the start socket. *notify_fd gets
 * the bound NOTIFY_SOCKET of the container (notify-socket.h) or -1: the
 * caller unlocks the store, then passes its messages on. With state_fd,
 * the state.json of `running` stays open in *state_fd (else -1), for
 * cell_container_delete_run. */
int cell_start_locked(cell_store *s, cell_state *st, const oci_config *c, const cell_log *log,
                      const cell_exe_guard *guard, int conn, int *notify_fd, int *state_fd,
                      cell_error *err);
/* Wait for our child pid, forwarding every signal we get to it and pumping
 * the terminal proxy when given. Returns its exit status (128+N). */
struct cell_tty_proxy;
int cell_wait_forwarding(pid_t pid, struct cell_tty_proxy *tty);
#endif
