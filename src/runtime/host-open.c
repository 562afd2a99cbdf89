/* The helper that opens a user-namespaced container's rootfs and bind
 * sources in its mount namespace with the runtime's credentials, and the
 * init's side of the hand-over (host-open.h). */
#include "runtime/host-open.h"
#include "runtime/sync.h"
#include "util/cleanup.h"
#include "util/fdpass.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define IDX_ROOT -1
#define IDX_ROOT_MNT -2

typedef struct host_entry {
  int32_t index;
  int32_t code;        /* 0: an fd comes with it, else the errno of its open */
} host_entry;

typedef struct host_packet {
  cell_sync_hdr h;     /* SYNC_FDS, code = number of entries */
  host_entry e[CELL_MAX_FDS_PER_MSG];
} host_packet;

bool cell_host_open_needed(const oci_config *c)
{
  return c->linux.ns[OCI_NS_USER].present;
}

/* Queue one entry; a full packet goes out. */
static int put(int sock, host_packet *p, int fds[], size_t *nfd, int32_t index, int fd,
               int code, cell_error *err)
{
  p->e[p->h.code] = (host_entry) { .index = index, .code = fd >= 0 ? 0 : (code ? code : EIO) };
  p->h.code++;
  if (fd >= 0)
    fds[(*nfd)++] = fd;
  if (p->h.code < CELL_MAX_FDS_PER_MSG)
    return 0;
  int r = cell_send_fds(sock, fds, *nfd, p, sizeof p->h + (size_t) p->h.code * sizeof p->e[0], err);
  p->h.code = 0;
  *nfd = 0;
  return r;
}

static int flush_and_end(int sock, host_packet *p, int fds[], size_t *nfd, cell_error *err)
{
  int r = 0;
  if (p->h.code)
    r = cell_send_fds(sock, fds, *nfd, p, sizeof p->h + (size_t) p->h.code * sizeof p->e[0], err);
  host_packet end = { .h = { .type = SYNC_FDS, .code = 0 } };
  if (r == 0)
    r = cell_send_fds(sock, NULL, 0, &end, sizeof end.h, err);
  return r;
}

/* In the helper child: 0 or an errno, its exit status. */
static int helper(pid_t init, const oci_config *c, int sock, const cell_log *log)
{
  cell_error err = CELL_ERROR_INIT;
  host_packet p = { .h = { .type = SYNC_FDS } };
  int fds[CELL_MAX_FDS_PER_MSG];
  size_t nfd = 0;
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/ns/mnt", (int) init);
  _cleanup_close_ int ns = open(path, O_RDONLY | O_CLOEXEC);
  if (ns < 0 || setns(ns, CLONE_NEWNS) < 0) {
    /* No privilege over the container's namespaces: the init opens the
     * paths itself. */
    cell_log_debug(log, "host-open: cannot join the mount namespace of %d (%m): the init "
                   "opens its paths", (int) init);
    int r = flush_and_end(sock, &p, fds, &nfd, &err);
    cell_error_clear(&err);
    return r < 0 ? -r : 0;
  }
  linux_host_fds h = LINUX_HOST_FDS_NONE;
  int r = linux_host_fds_open(c, &h, &err);
  if (r == 0 && c->root_path)
    r = put(sock, &p, fds, &nfd, IDX_ROOT, h.root, h.root_errno, &err);
  if (r == 0 && c->root_path)
    r = put(sock, &p, fds, &nfd, IDX_ROOT_MNT, h.root_mnt, h.root_mnt_errno, &err);
  for (size_t i = 0; r == 0 && i < h.n; i++)
    if (linux_host_fds_wants(&c->mounts[i]))
      r = put(sock, &p, fds, &nfd, (int32_t) i, h.src[i], h.src_errno[i], &err);
  if (r == 0)
    r = flush_and_end(sock, &p, fds, &nfd, &err);
  linux_host_fds_close(&h);
  cell_error_clear(&err);
  return r < 0 ? -r : 0;
}

int cell_host_open_serve(pid_t init, const oci_config *c, int sync_fd, const cell_log *log,
                         cell_error *err)
{
  pid_t pid = fork();
  if (pid < 0)
    return cell_error_sys(err, "fork the helper that opens the rootfs and bind sources");
  if (pid == 0)
    _exit(helper(init, c, sync_fd, log));
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return cell_error_sys(err, "wait for the helper that opens the rootfs and bind sources");
  if (!WIFEXITED(status))
    return cell_error_set(err, EIO, "the helper that opens the rootfs and bind sources died "
                          "of signal %d", WTERMSIG(status));
  if (WEXITSTATUS(status))
    return cell_error_sys_code(err, -WEXITSTATUS(status),
                               "hand the rootfs and bind sources to the container init");
  return 0;
}

static int store(linux_host_fds *h, const host_entry *e, int fd, cell_error *err)
{
  int *slot, *code;
  if (e->index == IDX_ROOT) {
    slot = &h->root;
    code = &h->root_errno;
  } else if (e->index == IDX_ROOT_MNT) {
    slot = &h->root_mnt;
    code = &h->root_mnt_errno;
  } else if (e->index >= 0 && (size_t) e->index < h->n) {
    slot = &h->src[e->index];
    code = &h->src_errno[e->index];
  } else {
    if (fd >= 0)
      close(fd);
    return cell_error_set(err, EPROTO, "host-open: bad entry %d", (int) e->index);
  }
  if (*slot >= 0)
    close(*slot);
  *slot = fd;
  *code = e->code;
  return 0;
}

int cell_host_open_receive(int sync_fd, const oci_config *c, linux_host_fds *h,
                           cell_error *err)
{
  int r = cell_sync_send(sync_fd, SYNC_MNTNS, err);
  if (r < 0 || (r = linux_host_fds_alloc(c, h, err)) < 0)
    return r;
  for (;;) {
    host_packet p;
    int fds[CELL_MAX_FDS_PER_MSG];
    size_t nfd = 0;
    int got = cell_recv_fds(sync_fd, fds, CELL_MAX_FDS_PER_MSG, &nfd, &p, sizeof p, err);
    if (got < 0) {
      r = got;
      goto fail;
    }
    if (got < (int) sizeof p.h || p.h.type != SYNC_FDS || p.h.code < 0 ||
        (size_t) got != sizeof p.h + (size_t) p.h.code * sizeof p.e[0]) {
      for (size_t i = 0; i < nfd; i++)
        close(fds[i]);
      r = cell_error_set(err, EPROTO, "host-open: unexpected message (type %u, %d bytes)",
                         got >= (int) sizeof p.h ? p.h.type : 0, got);
      goto fail;
    }
    if (p.h.code == 0 && nfd == 0)
      return 0;
    size_t k = 0;
    r = 0;
    for (int32_t i = 0; i < p.h.code; i++) {
      int fd = -1;
      if (p.e[i].code == 0)
        fd = k < nfd ? fds[k++] : -1;
      if (r == 0)
        r = store(h, &p.e[i], fd, err);
      else if (fd >= 0)
        close(fd);
    }
    while (k < nfd)
      close(fds[k++]);
    if (r < 0)
      goto fail;
  }
fail:
  linux_host_fds_close(h);
  return r;
}
