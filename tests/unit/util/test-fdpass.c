#include "unit.h"
#include "util/fdpass.h"
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static bool same_file(int a, int b)
{
  struct stat x, y;
  return fstat(a, &x) == 0 && fstat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

TEST(fds_go_over_a_seqpacket_pair_in_one_message)
{
  int sv[2], p[2];
  CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
  CHECK(pipe2(p, O_CLOEXEC) == 0);
  int dev = open("/dev/null", O_PATH | O_CLOEXEC);
  int out[3] = { p[0], p[1], dev };
  cell_error err = CELL_ERROR_INIT;
  CHECK_INT(cell_send_fds(sv[0], out, 3, "abc", 3, &err), 0);
  CHECK_INT(cell_send_fds(sv[0], NULL, 0, "end", 3, &err), 0);
  int in[4] = { -1, -1, -1, -1 };
  size_t n = 9;
  char buf[8] = "";
  CHECK_INT(cell_recv_fds(sv[1], in, 4, &n, buf, sizeof buf, &err), 3);
  CHECK_INT((int) n, 3);
  CHECK(strncmp(buf, "abc", 3) == 0);
  for (int i = 0; i < 3; i++) {
    CHECK(same_file(in[i], out[i]));
    CHECK(fcntl(in[i], F_GETFD) & FD_CLOEXEC);
    close(in[i]);
  }
  /* No fds: none counted. */
  CHECK_INT(cell_recv_fds(sv[1], in, 4, &n, buf, sizeof buf, &err), 3);
  CHECK_INT((int) n, 0);
  /* More than asked for: an error, and none kept open. */
  CHECK_INT(cell_send_fds(sv[0], out, 2, "x", 1, &err), 0);
  int one = -1;
  CHECK(cell_recv_fds(sv[1], &one, 1, &n, buf, sizeof buf, &err) == -EPROTO);
  CHECK(err.msg && strstr(err.msg, "more fds than expected"));
  cell_error_clear(&err);
  CHECK_INT((int) n, 0);
  CHECK(one < 0 || fcntl(one, F_GETFD) < 0);
  /* The one-fd forms on top. */
  CHECK_INT(cell_send_fd(sv[0], dev, NULL, 0, &err), 0);
  CHECK_INT(cell_recv_fd(sv[1], &one, buf, sizeof buf, &err), 1);
  CHECK(one >= 0 && same_file(one, dev));
  close(one);
  CHECK_INT(cell_send_fd(sv[0], -1, "y", 1, &err), 0);
  CHECK_INT(cell_recv_fd(sv[1], &one, buf, sizeof buf, &err), 1);
  CHECK_INT(one, -1);
  for (int i = 0; i < 3; i++)
    close(out[i]);
  close(sv[0]);
  close(sv[1]);
}
