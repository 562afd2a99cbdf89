/* The rootfs and bind sources, opened before the container's root could
 * need to reach them. In a user namespace of its own the init is root of
 * that namespace only: it cannot search a directory of the host's root
 * with mode 0700 (a bundle dir, podman's storage), so opening the rootfs
 * or a bind source below one fails with EACCES. The runtime, still root
 * of the host, opens them in the container's mount namespace (a helper
 * joins it, runtime/host-open.c) and hands the O_PATH fds to the init,
 * which mounts from them: one resolution of each path, as when the init
 * opens them itself, and no search permission needed on their parents. */
#include "linux/fs-internal.h"
#include "util/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

bool linux_host_fds_wants(const oci_mount *m)
{
  return m->bind && m->source && *m->source && !m->idmap && !m->n_uid_mappings &&
         !m->n_gid_mappings;
}

int linux_host_fds_alloc(const oci_config *c, linux_host_fds *h, cell_error *err)
{
  *h = (linux_host_fds) LINUX_HOST_FDS_NONE;
  if (!c->n_mounts)
    return 0;
  h->src = malloc(c->n_mounts * sizeof *h->src);
  h->src_errno = calloc(c->n_mounts, sizeof *h->src_errno);
  if (!h->src || !h->src_errno) {
    free(h->src);
    free(h->src_errno);
    *h = (linux_host_fds) LINUX_HOST_FDS_NONE;
    return cell_error_set(err, ENOMEM, "out of memory");
  }
  h->n = c->n_mounts;
  for (size_t i = 0; i < h->n; i++)
    h->src[i] = -1;
  return 0;
}

int linux_host_fds_open(const oci_config *c, linux_host_fds *h, cell_error *err)
{
  int r = linux_host_fds_alloc(c, h, err);
  if (r < 0)
    return r;
  if (c->root_path) {
    h->root = open(c->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    h->root_errno = h->root < 0 ? errno : 0;
    cell_error e = CELL_ERROR_INIT;
    _cleanup_free_ char *mnt = NULL;
    bool shared;
    if (h->root >= 0 && fs_find_mount(c->root_path, &mnt, &shared, &e) == 0) {
      h->root_mnt = open(mnt, O_PATH | O_DIRECTORY | O_CLOEXEC);
      h->root_mnt_errno = h->root_mnt < 0 ? errno : 0;
    } else {
      h->root_mnt_errno = e.code ? e.code : h->root_errno;
    }
    cell_error_clear(&e);
  }
  for (size_t i = 0; i < h->n; i++) {
    const oci_mount *m = &c->mounts[i];
    if (!linux_host_fds_wants(m))
      continue;
    h->src[i] = open(m->source, O_PATH | O_CLOEXEC);
    h->src_errno[i] = h->src[i] < 0 ? errno : 0;
  }
  return 0;
}

void linux_host_fds_close(linux_host_fds *h)
{
  if (h->root >= 0)
    close(h->root);
  if (h->root_mnt >= 0)
    close(h->root_mnt);
  for (size_t i = 0; i < h->n; i++)
    if (h->src[i] >= 0)
      close(h->src[i]);
  free(h->src);
  free(h->src_errno);
  *h = (linux_host_fds) LINUX_HOST_FDS_NONE;
}
