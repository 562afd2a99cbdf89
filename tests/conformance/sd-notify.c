/* A static sd_notify for the conformance suite's busybox containers: sends
 * argv[1] (e.g. "READY=1") as one datagram to $NOTIFY_SOCKET ("@name":
 * abstract). Exit 0 when sent. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
  const char *path = getenv("NOTIFY_SOCKET");
  if (argc != 2 || !path || !*path) {
    fprintf(stderr, "usage: NOTIFY_SOCKET=PATH sd-notify MESSAGE\n");
    return 2;
  }
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  size_t n = strlen(path);
  if (n >= sizeof sa.sun_path)
    return 2;
  memcpy(sa.sun_path, path, n);
  if (path[0] == '@')
    sa.sun_path[0] = '\0';
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || sendto(fd, argv[1], strlen(argv[1]), 0, (struct sockaddr *) &sa,
                       (socklen_t) (offsetof(struct sockaddr_un, sun_path) + n + (path[0] != '@'))) < 0) {
    perror("sd-notify");
    return 1;
  }
  close(fd);
  return 0;
}
