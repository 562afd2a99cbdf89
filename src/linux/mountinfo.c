/* /proc/self/mountinfo, the one reader of it: each line as an mi_entry
 * (fs-internal.h), and the questions the mount code asks of it (the mount
 * holding a path, whether a mount is shared). */
#include "linux/fs-internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Undo the octal escapes of mountinfo (\040 for a space) in place. */
static void unescape(char *s)
{
  char *d = s;
  for (; *s; s++) {
    if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
        s[3] >= '0' && s[3] <= '7') {
      *d++ = (char) ((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
      s += 3;
    } else {
      *d++ = *s;
    }
  }
  *d = '\0';
}

/* line: one line, its newline already cut. */
static bool parse_mi_line(char *line, mi_entry *e)
{
  char *f[6] = { 0 }, *cur = line, *tok;
  int i = 0;
  /* id parent maj:min root point opts [optional...] - fstype source super */
  while ((tok = cell_field(&cur))) {
    i++;
    if (i == 1)
      e->id = strtoull(tok, NULL, 10);
    else if (i == 4)
      e->root = tok;
    else if (i == 5)
      e->point = tok;
    else if (i == 7)
      e->opt_fields = tok;
    if (i >= 7 && tok[0] == '-' && !tok[1]) {
      f[0] = cell_field(&cur);
      f[1] = cell_field(&cur);
      f[2] = cell_field(&cur);
      break;
    }
  }
  if (!e->point || !f[0])
    return false;
  if (e->opt_fields && strcmp(e->opt_fields, "-") == 0)
    e->opt_fields = NULL;
  e->fstype = f[0];
  e->source = f[1];
  e->super = f[2] ? f[2] : (char *) "";
  unescape(e->root);
  unescape(e->point);
  return true;
}

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
    mi_entry e = { 0 };
    if (!parse_mi_line(line, &e))
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

static int find_cb(const mi_entry *e, void *data)
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

static int shared_cb(const mi_entry *e, void *data)
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
