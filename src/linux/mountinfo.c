/* /proc/self/mountinfo for the mount code: each line (cut by
 * util/mountinfo.c, which cgroups/host.c uses too), and the questions the
 * mount code asks of it (the mount holding a path, whether a mount is
 * shared). */
#include "linux/fs-internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/mountinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The whole of /proc/self/mountinfo, read before any line is looked at (a
 * callback may mount), in reads as large as cell_read_fd's buffer, where
 * stdio's buffer of a /proc file (1 KiB) takes one read a line or two. */
int fs_mountinfo_each(fs_mi_fn fn, void *data, cell_error *err)
{
  _cleanup_free_ char *buf = NULL;
  int rr = cell_read_file("/proc/self/mountinfo", &buf, NULL, err);
  if (rr < 0)
    return rr;
  for (char *line = buf, *next; *line; line = next) {
    char *nl = strchr(line, '\n');
    next = nl ? nl + 1 : line + strlen(line);
    if (nl)
      *nl = '\0';
    cell_mi_entry e;
    if (!cell_mountinfo_line(line, &e))
      continue;
    int r = fn(&e, data);
    if (r != 0)
      return r;
  }
  return 0;
}

typedef struct find_ctx {
  const char *path;
  char *best;
  size_t best_len;
  bool shared;
} find_ctx;

static int find_cb(const cell_mi_entry *e, void *data)
{
  find_ctx *f = data;
  size_t n = strlen(e->point);
  bool prefix = strcmp(e->point, "/") == 0 ||
                (strncmp(f->path, e->point, n) == 0 && (f->path[n] == '/' || !f->path[n]));
  if (!prefix || (f->best && n < f->best_len))
    return 0;
  char *p = strdup(e->point);
  if (!p)
    return -ENOMEM;
  free(f->best);
  f->best = p;
  f->best_len = n;
  f->shared = e->opt_fields && strstr(e->opt_fields, "shared:");
  return 0;
}

int fs_find_mount(const char *path, char **mnt, bool *shared, cell_error *err)
{
  _cleanup_free_ char *real = realpath(path, NULL);
  if (!real)
    return cell_error_sys(err, "resolve `%s`", path);
  find_ctx f = { .path = real };
  int r = fs_mountinfo_each(find_cb, &f, err);
  if (r < 0) {
    free(f.best);
    return r == -ENOMEM ? cell_error_set(err, ENOMEM, "out of memory") : r;
  }
  if (!f.best)
    return cell_error_set(err, ENOENT, "no mount holds `%s`", path);
  *mnt = f.best;
  *shared = f.shared;
  return 0;
}

typedef struct shared_ctx {
  unsigned long long id;
  bool found, shared;
} shared_ctx;

static int shared_cb(const cell_mi_entry *e, void *data)
{
  shared_ctx *s = data;
  if (e->id != s->id)
    return 0;
  s->found = true;
  s->shared = e->opt_fields && strstr(e->opt_fields, "shared:");
  return 1;
}

int fs_mount_shared(int fd, bool *shared, cell_error *err)
{
  struct statx sx;
  if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_MNT_ID, &sx) < 0)
    return errno == ENOSYS || errno == EINVAL ? -ENOSYS : cell_error_sys(err, "statx");
  if (!(sx.stx_mask & STATX_MNT_ID))
    return -ENOSYS;
  shared_ctx s = { .id = sx.stx_mnt_id };
  int r = fs_mountinfo_each(shared_cb, &s, err);
  if (r < 0)
    return r;
  if (!s.found)
    return cell_error_set(err, ENOENT, "mount %llu is not in /proc/self/mountinfo", s.id);
  *shared = s.shared;
  return 0;
}
