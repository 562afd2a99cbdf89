/* The five capability sets of process.capabilities. Sets arrive as 64-bit
 * masks; numbers above the running kernel's last capability are dropped
 * silently (a config may name caps of a newer kernel). The inheritable set
 * is always set to what is asked, empty when absent (CVE-2022-29162). */
#include "linux/process.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"

#define CELL_CAP_VERSION_3 0x20080522

struct cell_cap_header {
  uint32_t version;
  int pid;
};
struct cell_cap_data {
  uint32_t effective, permitted, inheritable;
};

typedef struct cap_sets {
  uint64_t effective, permitted, inheritable;
} cap_sets;

static int cap_get(cap_sets *s)
{
  struct cell_cap_header h = { CELL_CAP_VERSION_3, 0 };
  struct cell_cap_data d[2];
  memset(d, 0, sizeof d);
  if (syscall(SYS_capget, &h, d) < 0)
    return -errno;
  s->effective = d[0].effective | (uint64_t) d[1].effective << 32;
  s->permitted = d[0].permitted | (uint64_t) d[1].permitted << 32;
  s->inheritable = d[0].inheritable | (uint64_t) d[1].inheritable << 32;
  return 0;
}

static int cap_set(const cap_sets *s)
{
  struct cell_cap_header h = { CELL_CAP_VERSION_3, 0 };
  struct cell_cap_data d[2] = {
    { (uint32_t) s->effective, (uint32_t) s->permitted, (uint32_t) s->inheritable },
    { (uint32_t) (s->effective >> 32), (uint32_t) (s->permitted >> 32),
      (uint32_t) (s->inheritable >> 32) },
  };
  if (syscall(SYS_capset, &h, d) < 0)
    return -errno;
  return 0;
}

/* The kernel's highest capability: /proc/sys/kernel/cap_last_cap, or probed
 * with PR_CAPBSET_READ when /proc is not there. */
static int kernel_last_cap(void)
{
  _cleanup_close_ int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    char buf[16] = "";
    ssize_t n = read(fd, buf, sizeof buf - 1);
    if (n > 0) {
      char *end;
      long v = strtol(buf, &end, 10);
      if (end != buf && v >= 0 && v < 64)
        return (int) v;
    }
  }
  int last = 0;
  while (last < 63 && prctl(PR_CAPBSET_READ, last + 1, 0, 0, 0) >= 0)
    last++;
  return last;
}

/* "CAP_A, CAP_B" for the bits of mask, for messages. */
static void cap_list(uint64_t mask, char *buf, size_t n)
{
  size_t used = 0;
  buf[0] = 0;
  for (int c = 0; c < 64 && used < n; c++) {
    if (!(mask & (UINT64_C(1) << c)))
      continue;
    const char *name = oci_cap_name(c);
    int w = name ? snprintf(buf + used, n - used, "%s%s", used ? ", " : "", name)
                 : snprintf(buf + used, n - used, "%scap %d", used ? ", " : "", c);
    if (w < 0)
      break;
    used += (size_t) w;
  }
}

uint64_t linux_caps_not_granted(const oci_caps *caps)
{
  cap_sets cur = { 0, 0, 0 };
  if (cap_get(&cur) < 0)
    return 0;
  int last = kernel_last_cap();
  uint64_t known = last >= 63 ? ~UINT64_C(0) : (UINT64_C(1) << (last + 1)) - 1;
  uint64_t asked = caps->permitted | caps->effective | caps->ambient | caps->bounding;
  /* Above the kernel's last capability, or not held by us. */
  return (asked & ~known) | (asked & known & ~cur.permitted);
}

void linux_caps_warn_not_granted(const oci_caps *caps, const cell_log *log)
{
  uint64_t ng = linux_caps_not_granted(caps);
  if (!ng)
    return;
  char names[1024];
  cap_list(ng, names, sizeof names);
  cell_log_warn(log, "process.capabilities: %s cannot be granted (the runtime does not hold "
                "%s): the process runs without", names, ng & (ng - 1) ? "them" : "it");
}

uint64_t linux_caps_ambient_skipped(const oci_caps *caps)
{
  return caps->ambient & ~(caps->permitted & caps->inheritable);
}

/* Drop from the bounding set every capability not in keep, one prctl each
 * (no read first: a capability already out drops again without error), and
 * find on the way the kernel's last capability (*last): above it the
 * PR_CAPBSET_* calls fail with EINVAL. Without CAP_SETPCAP every drop fails
 * with EPERM (checked before the number), which is an error only for a
 * capability still in the set. */
static int drop_bounding(uint64_t keep, int *last, cell_error *err)
{
  int c = 0;
  for (; c < 64; c++) {
    bool kept = keep & (UINT64_C(1) << c);
    if (prctl(kept ? PR_CAPBSET_READ : PR_CAPBSET_DROP, c, 0, 0, 0) >= 0)
      continue;
    if (errno == EINVAL)
      break;
    int e = errno;
    if (!kept && e == EPERM) {
      int in = prctl(PR_CAPBSET_READ, c, 0, 0, 0);
      if (in < 0 && errno == EINVAL)
        break;
      if (in == 0)
        continue;
    }
    if (kept)
      return cell_error_sys_code(err, e, "read the bounding set");
    return cell_error_sys_code(err, e, "drop %s from the bounding set",
                               oci_cap_name(c) ? oci_cap_name(c) : "capability");
  }
  *last = c - 1;
  return 0;
}

int linux_apply_caps(const oci_caps *caps, cell_error *err)
{
  /* The kernel's last capability comes from the bounding-set loop below. */
  int last = 63;
  uint64_t known;
  cap_sets want = {
    .effective = caps->effective,
    .permitted = caps->permitted,
    .inheritable = caps->inheritable,
  };
  uint64_t bounding = caps->bounding;
  uint64_t ambient = caps->ambient;
  char names[1024];

  /* After a uid change under PR_SET_KEEPCAPS only the permitted set is left:
   * make it effective again so that we hold CAP_SETPCAP for the drops. */
  cap_sets cur = { 0, 0, 0 };
  int r = cap_get(&cur);
  if (r < 0)
    return cell_error_sys_code(err, r, "capget");
  if (cur.effective != cur.permitted) {
    cap_sets raised = { cur.permitted, cur.permitted, cur.inheritable };
    if ((r = cap_set(&raised)) < 0)
      return cell_error_sys_code(err, r, "capset (raising the effective set)");
  }

  if ((r = drop_bounding(bounding, &last, err)) < 0)
    return r;
  known = last >= 63 ? ~UINT64_C(0) : (UINT64_C(1) << (last + 1)) - 1;
  want.effective &= known;
  want.permitted &= known;
  want.inheritable &= known;
  ambient &= known;

  if (want.effective & ~want.permitted) {
    cap_list(want.effective & ~want.permitted, names, sizeof names);
    return cell_error_set(err, EPERM,
                          "process.capabilities.effective: %s not in the permitted set", names);
  }
  /* What this process does not hold cannot be granted: dropped (the spec:
   * logged as a warning, by the runtime: linux_caps_not_granted), the
   * container runs without it. */
  want.permitted &= cur.permitted;
  want.effective &= want.permitted;
  want.inheritable &= cur.permitted | cur.inheritable;
  ambient &= want.permitted;
  if ((r = cap_set(&want)) < 0) {
    return cell_error_sys_code(err, r, "capset (effective %#llx permitted %#llx "
                               "inheritable %#llx)", (unsigned long long) want.effective,
                               (unsigned long long) want.permitted,
                               (unsigned long long) want.inheritable);
  }

  /* Ambient: start from nothing, then raise what the kernel allows (a cap
   * must be permitted and inheritable; runc warns about the others and crun
   * ignores them, so they are skipped: see linux_caps_ambient_skipped). */
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && ambient)
    return cell_error_sys(err, "prctl PR_CAP_AMBIENT_CLEAR_ALL");
  uint64_t raise = ambient & want.permitted & want.inheritable;
  for (int c = 0; c <= last; c++) {
    if (!(raise & (UINT64_C(1) << c)))
      continue;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
      return cell_error_sys(err, "raise ambient capability %s",
                            oci_cap_name(c) ? oci_cap_name(c) : "?");
  }

  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    return cell_error_sys(err, "prctl PR_SET_KEEPCAPS 0");
  return 0;
}

int linux_apply_no_new_privs(const oci_process *p, cell_error *err)
{
  if (!p->no_new_privileges)
    return 0;
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return cell_error_sys(err, "prctl PR_SET_NO_NEW_PRIVS");
  return 0;
}
