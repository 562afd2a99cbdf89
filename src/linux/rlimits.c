/* process.rlimits, set with prlimit on the calling process. */
#include "linux/process.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/resource.h>

/* "unlimited" or the number, for messages. */
static const char *rl_str(uint64_t v, char *buf, size_t n)
{
  if (v == (uint64_t) RLIM_INFINITY)
    return "unlimited";
  snprintf(buf, n, "%" PRIu64, v);
  return buf;
}

int linux_apply_rlimits(const oci_process *p, cell_error *err)
{
  for (size_t i = 0; i < p->n_rlimits; i++) {
    const oci_rlimit *rl = &p->rlimits[i];
    const char *name = rl->name ? rl->name : "rlimit";
    char s[32], h[32], cur[32];
    if (rl->soft > rl->hard)
      return cell_error_set(err, EINVAL, "%s: soft limit %s is above hard limit %s", name,
                            rl_str(rl->soft, s, sizeof s), rl_str(rl->hard, h, sizeof h));
    struct rlimit nl = { .rlim_cur = (rlim_t) rl->soft, .rlim_max = (rlim_t) rl->hard };
    if (prlimit(0, (__rlimit_resource_t) rl->resource, &nl, NULL) == 0)
      continue;
    int e = errno;
    struct rlimit old;
    if (e == EPERM && prlimit(0, (__rlimit_resource_t) rl->resource, NULL, &old) == 0 &&
        (uint64_t) old.rlim_max < rl->hard)
      return cell_error_sys_code(err, e,
                                 "set %s to soft %s hard %s: the hard limit cannot be raised "
                                 "above %s without CAP_SYS_RESOURCE",
                                 name, rl_str(rl->soft, s, sizeof s),
                                 rl_str(rl->hard, h, sizeof h),
                                 rl_str(old.rlim_max, cur, sizeof cur));
    return cell_error_sys_code(err, e, "set %s to soft %s hard %s", name,
                               rl_str(rl->soft, s, sizeof s), rl_str(rl->hard, h, sizeof h));
  }
  return 0;
}
