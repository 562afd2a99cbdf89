/* Passing fds over unix sockets with SCM_RIGHTS. */
#ifndef CELL_UTIL_FDPASS_H
#define CELL_UTIL_FDPASS_H
#include <stddef.h>
#include "util/error.h"
/* Send one fd with a payload (at least one byte is sent). */
int cell_send_fd(int sock, int fd, const void *data, size_t len, cell_error *err);
/* Receive up to len bytes and an optional fd (*fd = -1 when none came). */
int cell_recv_fd(int sock, int *fd, void *data, size_t len, cell_error *err);
/* Send n fds (at most CELL_MAX_FDS_PER_MSG, n may be 0) with a payload of
 * len > 0 bytes, in one message. */
#define CELL_MAX_FDS_PER_MSG 64
int cell_send_fds(int sock, const int *fds, size_t n, const void *data, size_t len,
                  cell_error *err);
/* Receive one message: up to len bytes (returned) and up to max fds into
 * fds (*n of them, close-on-exec). More fds than max is an error (every
 * fd that came is closed). */
int cell_recv_fds(int sock, int *fds, size_t max, size_t *n, void *data, size_t len,
                  cell_error *err);
/* Connect a SOCK_STREAM unix socket to path (CLOEXEC). */
int cell_unix_connect(const char *path, cell_error *err);
#endif
