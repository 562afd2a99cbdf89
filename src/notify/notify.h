/* Seccomp user notifications, the runtime's side: checks, the hand-off of
 * the listener that cannot deadlock, and the per-container monitor that
 * serves plugins.
 *
 * Call order for a filter with NOTIFY rules (f.has_notify):
 *
 *   parent (cell create / run / exec), before cloning the process:
 *     1. cell_notify_validate(&cfg, err)                  refuse bad configs
 *     2. by cell_notify_route(&cfg):
 *        CELL_NOTIFY_ROUTE_PLUGINS:   cell_notify_monitor_spawn(&mo, &sock, &mpid, err)
 *        CELL_NOTIFY_ROUTE_LISTENER:  sock = cell_notify_connect(path, err)
 *        (the connection is made on the host, before the process pivots
 *        into its rootfs, so the host path is reachable; a missing agent
 *        fails the start right here)
 *     3. hand `sock` to the child (inherit it; not CLOEXEC-sensitive, the
 *        hand-off closes it).  The parent closes its own copy.
 *   child (container init, or the exec'd process), after no_new_privs and
 *   capabilities, as the very last step before execve:
 *     4. cell_notify_message(state_json, pid, metadata, &msg, &len, err)
 *        (pid: the host pid of this process; 0 takes state.pid)
 *     5. cell_notify_install(&f, &(cell_notify_target){ sock, msg, len, 0 }, err)
 *        instead of cell_seccomp_load().  On success the listener has
 *        reached its receiver and no fd of the hand-off is left open.
 *     6. execve.
 *
 * Everything here takes plain values: no runtime or oci headers. */
#ifndef CELL_NOTIFY_H
#define CELL_NOTIFY_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "seccomp/seccomp.h"
#include "util/error.h"
#include "util/log.h"

/* The annotations cell reads, with crun's names and meaning. */
#define CELL_NOTIFY_ANNOTATION_PLUGINS "run.oci.seccomp.plugins"
#define CELL_NOTIFY_ANNOTATION_RECEIVER "run.oci.seccomp.receiver"

/* The notification part of a container's seccomp config, as parsed. */
typedef struct cell_notify_config {
  bool has_notify;               /* the filter can return SECCOMP_RET_USER_NOTIF */
  const char *listener_path;     /* linux.seccomp.listenerPath, or NULL */
  const char *listener_metadata; /* linux.seccomp.listenerMetadata, or NULL */
  const char *plugins;           /* annotation run.oci.seccomp.plugins, or NULL */
  const char *receiver;          /* annotation run.oci.seccomp.receiver, or NULL:
                                  * used as listenerPath when that is unset */
} cell_notify_config;

/* Before anything starts: listenerMetadata without listenerPath is refused
 * (the spec's rule); listenerPath must be absolute and fit a sockaddr_un;
 * a filter with NOTIFY needs a receiver or plugins; plugins must be a
 * non-empty colon-separated list.  0 or -EINVAL naming the field. */
int cell_notify_validate(const cell_notify_config *c, cell_error *err);

typedef enum {
  CELL_NOTIFY_ROUTE_NONE,      /* no NOTIFY: load the filter plainly */
  CELL_NOTIFY_ROUTE_LISTENER,  /* send the listener to listenerPath (or receiver) */
  CELL_NOTIFY_ROUTE_PLUGINS,   /* to a monitor running the plugins (wins, as in crun) */
} cell_notify_route;

/* Which way the listener goes; *path gets the socket for ROUTE_LISTENER. */
cell_notify_route cell_notify_route_of(const cell_notify_config *c, const char **path);

/* Connect to the receiver's unix stream socket. The fd, CLOEXEC, or a
 * negative errno ("linux.seccomp.listenerPath: connect to `P`: ..."). */
int cell_notify_connect(const char *path, cell_error *err);

/* The message the spec defines (ContainerProcessState):
 *   {"ociVersion","fds":["seccompFd"],"pid","metadata","state":{...}}
 * from the container state JSON.  pid 0: state.pid.  *out is a heap
 * string of *len bytes. */
int cell_notify_message(const char *state_json, pid_t pid, const char *metadata,
                        char **out, size_t *len, cell_error *err);

/* Where the hand-off sends the listener. */
typedef struct cell_notify_target {
  int sock_fd;          /* connected unix stream socket; consumed (closed) */
  const char *message;  /* sent with the listener as SCM_RIGHTS */
  size_t message_len;
  int timeout_ms;       /* how long to wait for the send; 0: 10 s */
} cell_notify_target;

/* Load f (which needs NEW_LISTENER in its flags) on the calling thread and
 * hand the listener over, whatever syscalls the filter makes NOTIFY:
 *
 *   1. a shared page is mapped and a helper is cloned with CLONE_FILES (it
 *      shares this fd table and is not filtered, it has not the filter);
 *   2. this thread loads the filter; the listener fd number is stored in
 *      the shared page with a plain memory write: no syscall;
 *   3. the helper, polling the page, sends message + fd over sock_fd, closes
 *      sock_fd and the listener in the shared table, and reports;
 *   4. this thread waits for the report by spinning on the page (reading
 *      the clock through the vDSO only) and then reaps the helper.
 *
 * From step 2 on, only the helper makes syscalls until the receiver owns
 * the listener, so a NOTIFY sendmsg, write, close, fcntl, futex, wait4,
 * exit_group, execve or a NOTIFY default action cannot deadlock.  Any
 * later syscall of this process (execve included) goes to the receiver.
 *
 * Returns 0 when the receiver got the listener.  On failure a negative
 * errno with the reason; when the failure came after the filter was
 * loaded, the listener is already closed, so this process's NOTIFY
 * syscalls fail with ENOSYS instead of hanging and it can still report
 * (unless the report itself needs a NOTIFY syscall: then it gets ENOSYS).
 * The process must be single-threaded (or use TSYNC). */
int cell_notify_install(const cell_seccomp_filter *f, const cell_notify_target *t,
                        cell_error *err);

/* ---- the monitor: plugins that outlive `cell create` -------------------- */

/* The recorder (docs/recording.md): a monitor that notes every call of
 * the container in a recording and answers it as the base profile would.
 * A standby process shares the recording and holds every listener too:
 * if the recorder dies, the standby answers (the base's answer, or
 * CONTINUE), keeps recording and writes the file; nothing waits. */
typedef struct cell_notify_record_opts {
  const char *path;                 /* the recording, written atomically every
                                     * second while it changes and at the end */
  const cell_seccomp_filter *base;  /* the profile's own filter; NULL: none */
  int listen_fd;                    /* a listening unix socket where `exec`s
                                     * bring their listeners; -1: none */
} cell_notify_record_opts;

typedef struct cell_notify_monitor_opts {
  const char *plugins;       /* colon-separated, as in run.oci.seccomp.plugins */
  const char *container_id;
  const char *bundle;
  const char *log_path;      /* the monitor's log (one line per decision);
                              * NULL: decisions are not logged, errors go
                              * to the runtime's log_fd if any */
  int log_fd;                /* -1: none */
  cell_log_format log_format;
  const cell_notify_record_opts *record;  /* a recorder instead of plugins */
} cell_notify_monitor_opts;

/* Start the monitor, before the container process is cloned.  It is a
 * daemon (double fork, its own session, stdio on /dev/null) that:
 *   - loads every plugin now (dlopen + symbols + version) and reports
 *     failure back, so a bad plugin fails `create` here;
 *   - then waits on its end of a socketpair for the hand-off message;
 *   - calls the plugins' start(), serves the listener, and exits when the
 *     listener hangs up (POLLHUP: no task uses the filter any more, kernel
 *     >= 5.8) or when the socket closes without a listener.
 * *init_sock gets the other end (CLOEXEC): give it to the process as
 * cell_notify_target.sock_fd.  *monitor_pid (optional) gets the monitor's
 * pid, for the state file / for `delete` to kill a monitor whose container
 * never started. */
int cell_notify_monitor_spawn(const cell_notify_monitor_opts *o, int *init_sock,
                              pid_t *monitor_pid, cell_error *err);
/* The same, also giving the standby's pid (the recorder has one; 0
 * otherwise): pids[0] the monitor, pids[1] the standby. */
int cell_notify_monitor_spawn2(const cell_notify_monitor_opts *o, int *init_sock, pid_t pids[2],
                               cell_error *err);
#endif
