/* NOTIFY_SOCKET (sd_notify) from the container to the caller, as runc and
 * crun do it: podman and systemd units (Type=notify) rely on it.
 *
 *   create: the caller's socket (NOTIFY_SOCKET or --notify-socket) is
 *     recorded in the state; ROOT/ID/notify is bind-mounted read-only at
 *     /run/notify in the container and the process gets
 *     NOTIFY_SOCKET=/run/notify/notify.sock;
 *   start: ROOT/ID/notify/notify.sock is bound (a datagram socket) before
 *     the init is released; once it runs, what the container sends is
 *     passed on to the caller's socket until READY=1, which goes with
 *     MAINPID=<the container process's host pid>; start returns then (or
 *     when the container process exits first). READY=1 thus reaches the
 *     caller only after start. */
#ifndef CELL_RUNTIME_NOTIFY_SOCKET_H
#define CELL_RUNTIME_NOTIFY_SOCKET_H
#include "oci/config.h"
#include "runtime/state.h"
#include "util/error.h"
#include "util/log.h"

#define CELL_STATE_NOTIFY_SOCKET "notify_socket"
#define CELL_NOTIFY_SOCKET_IN_CONTAINER "/run/notify/notify.sock"

/* create, in the new state dir, before the init is cloned: c (in memory)
 * gets the mount and the variable; host is the caller's socket path
 * ("@name": abstract). */
int cell_notify_socket_setup(oci_config *c, const cell_store *s, const char *host,
                             cell_error *err);
/* start, before the init is released: the bound socket (CLOEXEC), or -1
 * when the container has no NOTIFY_SOCKET. */
int cell_notify_socket_bind(const cell_store *s, const cell_state *st, cell_error *err);
/* After the release, with the store unlocked: pass messages on until
 * READY=1 or the process's exit. Closes fd and removes the socket. */
int cell_notify_socket_forward(int fd, const cell_store *s, const cell_state *st,
                               const cell_log *log, cell_error *err);
#endif
