/* The runtime <-> container init conversation over a SOCK_SEQPACKET pair.
 * Each message is one packet: a header and an optional text payload. */
#ifndef CELL_RUNTIME_SYNC_H
#define CELL_RUNTIME_SYNC_H
#include <stddef.h>
#include <stdint.h>
#include "util/error.h"

typedef enum cell_sync_type {
  SYNC_CONFIGURED = 1, /* runtime -> init: id maps written (the first message: the init
                        * waits for it from its clone on, and sends nothing before) */
  SYNC_PREPIVOT,       /* init -> runtime: mounts done; run prestart/createRuntime */
  SYNC_HOOKS_DONE,     /* runtime -> init */
  SYNC_READY,          /* init -> runtime: waiting for start */
  SYNC_ERROR,          /* either way: code + message, then the sender gives up */
  SYNC_PID,            /* intermediate -> runtime: the init's pid (text), see init.h */
  SYNC_MNTNS,          /* init -> runtime: in its final mount namespace (host-open.h) */
  SYNC_FDS,            /* runtime's helper -> init: opened paths, code = entries (host-open.h) */
  SYNC_CGROUPS,        /* runtime -> init: cgroups made; the v1 `tasks` fds (SCM_RIGHTS), their
                        * paths as text, a line each */
} cell_sync_type;

typedef struct cell_sync_hdr {
  uint32_t type;
  int32_t code;        /* errno for SYNC_ERROR */
} cell_sync_hdr;

int cell_sync_send(int fd, cell_sync_type type, cell_error *err);
/* Send a message with a text payload of any length (one packet). */
int cell_sync_send_text(int fd, cell_sync_type type, const char *text, cell_error *err);
/* Send an error (the cell_error's message and code). */
void cell_sync_send_error(int fd, const cell_error *e);
/* Wait for `want`; a SYNC_ERROR from the peer becomes err ("container
 * init: ..."), EOF becomes "container init exited during set-up". */
int cell_sync_expect(int fd, cell_sync_type want, cell_error *err);
/* r: a step that failed while the peer may have failed first. Its own
 * error, when it sent one, replaces err: waited for when the peer is gone
 * (r is -EPIPE or -ECONNRESET), else taken only if it is already there.
 * Returns the error now in err. */
int cell_sync_peer_error(int fd, int r, cell_error *err);
/* A message with a text payload and n fds (at most CELL_MAX_FDS_PER_MSG). */
int cell_sync_send_fds(int fd, cell_sync_type type, const int *fds, size_t n, const char *text,
                       cell_error *err);
/* Like cell_sync_expect_text, with up to max fds into fds (*n of them,
 * close-on-exec). */
int cell_sync_expect_fds(int fd, cell_sync_type want, int *fds, size_t max, size_t *n,
                         char **text, cell_error *err);
/* Like cell_sync_expect, returning the payload in *text (malloc'ed). */
int cell_sync_expect_text(int fd, cell_sync_type want, char **text, cell_error *err);
#endif
