/* Built-in handlers named in listenerMetadata: errno:N, log, continue and
 * sysinfo (mknod lives in mknod.c). */
#include "notify/internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <unistd.h>
#include <linux/audit.h>

static cn_verdict h_errno(cn_req *r, long arg)
{
  r->resp->error = (int32_t) -arg;
  return CN_REPLY;
}

static cn_verdict h_continue(cn_req *r, long arg)
{
  (void) r;
  (void) arg;
  return CN_CONTINUE;
}

/* Let it run, and log its arguments. */
static cn_verdict h_log(cn_req *r, long arg)
{
  (void) arg;
  const struct seccomp_data *d = &r->req->data;
  snprintf(r->note, sizeof r->note, "args=[%#" PRIx64 ",%#" PRIx64 ",%#" PRIx64 ",%#" PRIx64
           ",%#" PRIx64 ",%#" PRIx64 "] ip=%#" PRIx64, (uint64_t) d->args[0],
           (uint64_t) d->args[1], (uint64_t) d->args[2], (uint64_t) d->args[3],
           (uint64_t) d->args[4], (uint64_t) d->args[5], (uint64_t) d->instruction_pointer);
  return CN_CONTINUE;
}

static int parse_errno(const char *s, long *out)
{
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (*s && !*end && errno == 0 && v > 0 && v < 4096) {
    *out = v;
    return 0;
  }
  for (int e = 1; e < 4096; e++) {
    const char *name = strerrorname_np(e);
    if (name && strcmp(name, s) == 0) {
      *out = e;
      return 0;
    }
  }
  return -EINVAL;
}

int cn_handler_parse(const char *spec, cn_handler *out, cell_error *err)
{
  memset(out, 0, sizeof *out);
  if (strncmp(spec, "errno:", 6) == 0) {
    if (parse_errno(spec + 6, &out->arg) < 0)
      return cell_error_set(err, EINVAL, "handler `%s`: `%s` is not an errno (1..4095 or a "
                            "name such as EPERM)", spec, spec + 6);
    out->name = "errno";
    out->fn = h_errno;
    return 0;
  }
  static const cn_handler builtin[] = {
    { "mknod", cn_handle_mknod, 0 },
    { "sysinfo", cn_handle_sysinfo, 0 },
    { "log", h_log, 0 },
    { "continue", h_continue, 0 },
    { "record", cn_handle_record, 0 },
  };
  for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
    if (strcmp(spec, builtin[i].name) == 0) {
      *out = builtin[i];
      return 0;
    }
  return cell_error_set(err, EINVAL, "unknown handler `%s` (known: mknod, sysinfo, log, "
                        "continue, errno:N)", spec);
}

/* ---- sysinfo from the container's memory cgroup ---------------------------- */

/* The memory cgroup of pid: v1 "N:memory:/p" first, else v2 "0::/p". */
static int memory_cgroup(pid_t pid, char **dir)
{
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/cgroup", (int) pid);
  _cleanup_fclose_ FILE *f = fopen(path, "re");
  if (!f)
    return -errno;
  _cleanup_free_ char *line = NULL, *v2 = NULL;
  size_t cap = 0;
  while (getline(&line, &cap, f) > 0) {
    line[strcspn(line, "\n")] = 0;
    char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c2)
      continue;
    *c2 = 0;
    const char *ctrls = c1 + 1, *p = c2 + 1;
    if (!*ctrls) {
      free(v2);
      if (asprintf(&v2, "/sys/fs/cgroup%s", p) < 0)
        v2 = NULL;
      continue;
    }
    for (const char *s = ctrls; s; s = strchr(s, ',') ? strchr(s, ',') + 1 : NULL)
      if (strncmp(s, "memory", 6) == 0 && (s[6] == ',' || s[6] == 0)) {
        if (asprintf(dir, "/sys/fs/cgroup/memory%s", p) < 0)
          return -ENOMEM;
        return 1;
      }
  }
  if (!v2)
    return -ENOENT;
  *dir = cell_steal(&v2);
  return 2;
}

static int read_u64(const char *dir, const char *file, uint64_t *v)
{
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  _cleanup_free_ char *s = NULL;
  cell_error e = CELL_ERROR_INIT;
  size_t len;
  int r = cell_read_file(path, &s, &len, &e);
  cell_error_clear(&e);
  if (r < 0)
    return r;
  if (strncmp(s, "max", 3) == 0) {
    *v = UINT64_MAX;
    return 0;
  }
  char *end;
  *v = strtoull(s, &end, 10);
  return end == s ? -EINVAL : 0;
}

cn_verdict cn_handle_sysinfo(cn_req *r, long arg)
{
  (void) arg;
  const struct seccomp_data *d = &r->req->data;
  if (d->arch != AUDIT_ARCH_X86_64 || d->nr != SYS_sysinfo)
    return CN_NEXT;
  struct sysinfo si;
  if (sysinfo(&si) < 0) {
    r->resp->error = -errno;
    return CN_REPLY;
  }
  _cleanup_free_ char *dir = NULL;
  uint64_t limit = UINT64_MAX, usage = 0;
  int v = memory_cgroup((pid_t) r->req->pid, &dir);
  if (v > 0) {
    if (read_u64(dir, v == 1 ? "memory.limit_in_bytes" : "memory.max", &limit) < 0)
      limit = UINT64_MAX;
    if (read_u64(dir, v == 1 ? "memory.usage_in_bytes" : "memory.current", &usage) < 0)
      usage = 0;
  }
  uint64_t unit = si.mem_unit ? si.mem_unit : 1, host_total = (uint64_t) si.totalram * unit;
  if (limit < host_total) {
    uint64_t free_b = usage < limit ? limit - usage : 0;
    si.totalram = (unsigned long) (limit / unit);
    si.freeram = (unsigned long) (free_b / unit);
    si.sharedram = 0;
    si.bufferram = 0;
    snprintf(r->note, sizeof r->note, "memory limit %" PRIu64 " usage %" PRIu64 " from %s",
             limit, usage, dir);
  } else {
    snprintf(r->note, sizeof r->note, "no memory limit below the host's (%s)",
             dir ? dir : "no memory cgroup");
  }
  int fd = cn_mem_open((pid_t) r->req->pid, true);
  if (fd < 0) {
    r->resp->error = fd == -ENOENT ? -ESRCH : fd;
    return CN_REPLY;
  }
  int e = cn_id_valid(r->listener, r->req->id);
  if (e == 0)
    e = cn_mem_write(fd, d->args[0], &si, sizeof si);
  close(fd);
  r->resp->error = e;
  return CN_REPLY;
}
