/* The init's start socket: a unix socket in the container's state dir.
 * create binds it before the init is cloned (the init accepts on it and
 * waits); start connects to release the init, and reads back any error
 * of the last steps (EOF: the user program was exec'ed). `run` has no
 * start socket: it keeps one end of a pair made before the clone (create.h). */
#ifndef CELL_RUNTIME_START_SOCKET_H
#define CELL_RUNTIME_START_SOCKET_H
#include "runtime/state.h"
#include "util/error.h"

/* A listening socket bound as start.sock in s's dir (CLOEXEC). */
int cell_start_socket_listen(const cell_store *s, cell_error *err);
/* A connection to the init of s's container (CLOEXEC). */
int cell_start_socket_connect(const cell_store *s, cell_error *err);
/* Remove start.sock (nothing waits on it any more). */
void cell_start_socket_remove(const cell_store *s);
#endif
