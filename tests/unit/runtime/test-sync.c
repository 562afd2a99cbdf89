/* The runtime <-> init conversation (runtime/sync.c): an init that failed
 * and exited while a message of ours was still unread in its socket. */
#include "unit.h"
#include "runtime/sync.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ours: the runtime's end; the init's end sent its error, left what we
 * sent it unread, and is gone (the kernel then reports ECONNRESET once,
 * ahead of the error). */
static void init_failed_unread(int *ours)
{
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    abort();
  cell_error e = CELL_ERROR_INIT;
  cell_error_set(&e, EIO, "fault injected at init.start");
  cell_sync_send_error(sv[1], &e);
  cell_error_clear(&e);
  if (cell_sync_send_text(sv[0], SYNC_CONFIGURED, "{}", &e) < 0)
    abort();
  close(sv[1]);
  *ours = sv[0];
}

TEST(expect_gets_the_init_error_behind_a_reset)
{
  int fd;
  init_failed_unread(&fd);
  cell_error err = CELL_ERROR_INIT;
  CHECK(cell_sync_expect(fd, SYNC_READY, &err) < 0);
  CHECK_STR(err.msg, "fault injected at init.start");
  CHECK_INT(err.code, EIO);
  cell_error_clear(&err);
  /* Then the end of the conversation. */
  CHECK(cell_sync_expect(fd, SYNC_READY, &err) < 0);
  CHECK_INT(err.code, EPIPE);
  cell_error_clear(&err);
  close(fd);
}

TEST(peer_error_replaces_ours_when_the_init_failed_first)
{
  int fd;
  init_failed_unread(&fd);
  cell_error err = CELL_ERROR_INIT;
  int r = cell_sync_send(fd, SYNC_CGROUPS, &err);
  CHECK(r < 0);
  r = cell_sync_peer_error(fd, r, &err);
  CHECK_INT(r, -EIO);
  CHECK_STR(err.msg, "container init: fault injected at init.start");
  cell_error_clear(&err);
  close(fd);
}

TEST(peer_error_keeps_ours_when_the_init_said_nothing)
{
  int sv[2];
  CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
  cell_error err = CELL_ERROR_INIT;
  int r = cell_error_set(&err, EACCES, "open `/proc/1/setgroups`");
  /* The init is alive and quiet: not waited for. */
  CHECK_INT(cell_sync_peer_error(sv[0], r, &err), -EACCES);
  CHECK_STR(err.msg, "open `/proc/1/setgroups`");
  cell_error_clear(&err);
  /* Gone without a word: ours stays. */
  close(sv[1]);
  r = cell_error_set(&err, EPIPE, "send");
  CHECK_INT(cell_sync_peer_error(sv[0], r, &err), -EPIPE);
  CHECK_STR(err.msg, "send");
  cell_error_clear(&err);
  close(sv[0]);
}
