#include "runtime/sync.h"
#include "util/fdpass.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

static int send_msg(int fd, uint32_t type, int32_t code, const char *text, cell_error *err)
{
  cell_sync_hdr h = { .type = type, .code = code };
  struct iovec iov[2] = { { &h, sizeof h }, { (void *) text, text ? strlen(text) : 0 } };
  struct msghdr msg = { .msg_iov = iov, .msg_iovlen = text ? 2 : 1 };
  ssize_t r;
  do
    r = sendmsg(fd, &msg, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return err ? cell_error_sys(err, "sync with container init") : -errno;
  return 0;
}

int cell_sync_send(int fd, cell_sync_type type, cell_error *err)
{
  return send_msg(fd, type, 0, NULL, err);
}

int cell_sync_send_text(int fd, cell_sync_type type, const char *text, cell_error *err)
{
  return send_msg(fd, type, 0, text ? text : "", err);
}

void cell_sync_send_error(int fd, const cell_error *e)
{
  (void) send_msg(fd, SYNC_ERROR, e->code ? e->code : EIO, e->msg ? e->msg : "unknown error",
                  NULL);
}

int cell_sync_send_fds(int fd, cell_sync_type type, const int *fds, size_t n, const char *text,
                       cell_error *err)
{
  size_t tl = text ? strlen(text) : 0;
  char *buf = malloc(sizeof(cell_sync_hdr) + tl);
  if (!buf)
    return cell_error_set(err, ENOMEM, "out of memory");
  cell_sync_hdr h = { .type = type };
  memcpy(buf, &h, sizeof h);
  if (tl)
    memcpy(buf + sizeof h, text, tl);
  int r = cell_send_fds(fd, fds, n, buf, sizeof h + tl, err);
  free(buf);
  return r < 0 ? cell_error_wrap(err, "sync with container init") : 0;
}

/* recv(MSG_PEEK) of the next message. A peer that exited with messages of
 * ours unread leaves ECONNRESET on our socket, reported once and ahead of
 * what it sent before it went (its error): that one report is skipped. */
static ssize_t peek(int fd, void *buf, size_t len, int flags)
{
  ssize_t n;
  bool reset = false;
  for (;;) {
    n = recv(fd, buf, len, MSG_PEEK | flags);
    if (n >= 0 || (errno != EINTR && (errno != ECONNRESET || reset)))
      return n;
    reset |= errno == ECONNRESET;
  }
}

/* One message: its header checked against want, its payload in *text,
 * its fds (none when fds is NULL: any that came are an error). */
static int expect(int fd, cell_sync_type want, int *fds, size_t max, size_t *n, char **text,
                  cell_error *err)
{
  if (text)
    *text = NULL;
  if (n)
    *n = 0;
  ssize_t size = peek(fd, NULL, 0, MSG_TRUNC);
  if (size < 0)
    return cell_error_sys(err, "sync with container init");
  if (size == 0)
    return cell_error_set(err, EPIPE, "container init exited during set-up");
  char *buf = malloc((size_t) size + 1);
  if (!buf)
    return cell_error_set(err, ENOMEM, "out of memory");
  int tmp[1];
  size_t got = 0;
  int rr = cell_recv_fds(fd, fds ? fds : tmp, fds ? max : 0, &got, buf, (size_t) size, err);
  if (rr < 0) {
    free(buf);
    return cell_error_wrap(err, "sync with container init");
  }
  ssize_t r = rr;
  if (r < (ssize_t) sizeof(cell_sync_hdr)) {
    free(buf);
    for (size_t i = 0; fds && i < got; i++)
      close(fds[i]);
    return cell_error_set(err, EPROTO, "short sync message from container init");
  }
  buf[r] = '\0';
  cell_sync_hdr h;
  memcpy(&h, buf, sizeof h);
  const char *payload = buf + sizeof h;
  int ret = 0;
  if (h.type == SYNC_ERROR)
    ret = cell_error_set(err, h.code, "%s", payload);
  else if (h.type != (uint32_t) want)
    ret = cell_error_set(err, EPROTO, "unexpected sync message %u (wanted %u)", h.type,
                         (unsigned) want);
  else if (text && !(*text = strdup(payload)))
    ret = cell_error_set(err, ENOMEM, "out of memory");
  free(buf);
  if (ret < 0)
    for (size_t i = 0; fds && i < got; i++)
      close(fds[i]);
  else if (n)
    *n = got;
  return ret;
}

int cell_sync_expect_text(int fd, cell_sync_type want, char **text, cell_error *err)
{
  return expect(fd, want, NULL, 0, NULL, text, err);
}

int cell_sync_expect_fds(int fd, cell_sync_type want, int *fds, size_t max, size_t *n,
                         char **text, cell_error *err)
{
  return expect(fd, want, fds, max, n, text, err);
}

int cell_sync_peer_error(int fd, int r, cell_error *err)
{
  struct pollfd p = { .fd = fd, .events = POLLIN };
  if (r != -EPIPE && r != -ECONNRESET && poll(&p, 1, 0) != 1)
    return r;
  cell_sync_hdr h;
  ssize_t n = peek(fd, &h, sizeof h, 0);
  if (n != (ssize_t) sizeof h || h.type != SYNC_ERROR)
    return r;
  cell_error e = CELL_ERROR_INIT;
  expect(fd, SYNC_ERROR, NULL, 0, NULL, NULL, &e);
  cell_error_move(err, &e);
  return cell_error_wrap(err, "container init");
}

int cell_sync_expect(int fd, cell_sync_type want, cell_error *err)
{
  return cell_sync_expect_text(fd, want, NULL, err);
}
