/* Passing fds over unix sockets with SCM_RIGHTS. */
#ifndef CELL_UTIL_FDPASS_H
#define CELL_UTIL_FDPASS_H
#include <stddef.h>
#include "util/error.h"
/* Send one fd with a payload (at least one byte is sent). */
int cell_send_fd(int sock, int fd, const void *data, size_t len, cell_error *err);
/* Receive up to len bytes and an optional fd (*fd = -1 when none came). */
int cell_recv_fd(int sock, int *fd, void *data, size_t len, cell_error *err);
/* Connect a SOCK_STREAM unix socket to path (CLOEXEC). */
int cell_unix_connect(const char *path, cell_error *err);
#endif
