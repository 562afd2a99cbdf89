#include "runtime/sync.h"

#include <errno.h>
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

int cell_sync_expect_text(int fd, cell_sync_type want, char **text, cell_error *err)
{
  if (text)
    *text = NULL;
  ssize_t size;
  do
    size = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
  while (size < 0 && errno == EINTR);
  if (size < 0)
    return cell_error_sys(err, "sync with container init");
  if (size == 0)
    return cell_error_set(err, EPIPE, "container init exited during set-up");
  char *buf = malloc((size_t) size + 1);
  if (!buf)
    return cell_error_set(err, ENOMEM, "out of memory");
  ssize_t r;
  do
    r = recv(fd, buf, (size_t) size, 0);
  while (r < 0 && errno == EINTR);
  if (r < (ssize_t) sizeof(cell_sync_hdr)) {
    free(buf);
    if (r < 0)
      return cell_error_sys(err, "sync with container init");
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
  else if (text)
    *text = strdup(payload);
  free(buf);
  return ret;
}

int cell_sync_expect(int fd, cell_sync_type want, cell_error *err)
{
  return cell_sync_expect_text(fd, want, NULL, err);
}
