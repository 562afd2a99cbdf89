/* Loading with raw seccomp(2), and the features report. */
#include "seccomp/seccomp.h"
#include "seccomp/table.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SECCOMP_SET_MODE_FILTER
#define SECCOMP_SET_MODE_FILTER 1
#endif

static long sys_seccomp(unsigned op, unsigned flags, void *arg)
{
  return syscall(SYS_seccomp, op, flags, arg);
}

int cell_seccomp_load(const cell_seccomp_filter *f, int *listener_fd, cell_error *err)
{
  if (listener_fd)
    *listener_fd = -1;
  if (!f || !f->insns || f->len == 0 || f->len > CELL_SECCOMP_MAX_INSNS)
    return cell_error_set(err, EINVAL, "seccomp: no filter to load");
  struct sock_fprog prog = { .len = (unsigned short) f->len, .filter = f->insns };
  unsigned flags = f->flags, optional = f->optional_flags;
  /* TSYNC and NEW_LISTENER both use the return value; TSYNC_ESRCH (5.7)
   * makes TSYNC report failure through errno instead */
  if ((flags & CELL_SECCOMP_FLAG_TSYNC) && (flags & CELL_SECCOMP_FLAG_NEW_LISTENER))
    flags |= CELL_SECCOMP_FLAG_TSYNC_ESRCH;
  for (;;) {
    long r = sys_seccomp(SECCOMP_SET_MODE_FILTER, flags, &prog);
    if (r >= 0) {
      if (flags & CELL_SECCOMP_FLAG_NEW_LISTENER) {
        if (listener_fd)
          *listener_fd = (int) r;
        else
          close((int) r);
      } else if (r > 0 && (flags & CELL_SECCOMP_FLAG_TSYNC))
        return cell_error_set(err, EAGAIN, "seccomp: TSYNC: thread %ld could not be synchronised", r);
      return 0;
    }
    if (errno == EINVAL && (flags & optional)) {
      unsigned drop = flags & optional;
      drop &= -drop;  /* lowest optional flag first */
      flags &= ~drop;
      optional &= ~drop;
      continue;
    }
    return cell_error_sys(err, "seccomp(SECCOMP_SET_MODE_FILTER, flags 0x%x, %zu instructions)",
                          flags, f->len);
  }
}

static const char *const action_names[] = {
  "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
  "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE",
  "SCMP_ACT_TRAP",
};
static const char *const op_names[] = {
  "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT",
  "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE",
};
static const struct { const char *name; unsigned flag; } flag_names[] = {
  { "SECCOMP_FILTER_FLAG_TSYNC", CELL_SECCOMP_FLAG_TSYNC },
  { "SECCOMP_FILTER_FLAG_LOG", CELL_SECCOMP_FLAG_LOG },
  { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", CELL_SECCOMP_FLAG_SPEC_ALLOW },
  { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", CELL_SECCOMP_FLAG_WAIT_KILLABLE_RECV },
};

static json_t *strings(const char *const *v, size_t n)
{
  json_t *a = json_array();
  for (size_t i = 0; a && i < n; i++)
    json_array_append_new(a, json_string(v[i]));
  return a;
}

json_t *cell_seccomp_features(void)
{
  const char *archs[64];
  size_t na = 0;
  for (size_t i = 0; i < cell_sc_narches && na < 64; i++)
    archs[na++] = cell_sc_arches[i].name;
  const char *known[8], *supported[8];
  size_t nk = 0, ns = 0;
  for (size_t i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++) {
    known[nk++] = flag_names[i].name;
    /* a NULL program: EFAULT when the flag is known, EINVAL when not */
    errno = 0;
    if (sys_seccomp(SECCOMP_SET_MODE_FILTER, flag_names[i].flag, NULL) < 0 && errno == EFAULT)
      supported[ns++] = flag_names[i].name;
  }
  return json_pack("{s:b, s:o, s:o, s:o, s:o, s:o}",
                   "enabled", 1,
                   "actions", strings(action_names, sizeof action_names / sizeof action_names[0]),
                   "operators", strings(op_names, sizeof op_names / sizeof op_names[0]),
                   "archs", strings(archs, na),
                   "knownFlags", strings(known, nk),
                   "supportedFlags", strings(supported, ns));
}
