/* Process attributes the kernel keeps per task: oomScoreAdj, personality,
 * scheduler (sched_setattr) and ioPriority (ioprio_set). */
#include "linux/process.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"

int linux_apply_oom_score_adj(const oci_process *p, pid_t pid, cell_error *err)
{
  if (!p || !p->has_oom_score_adj)
    return 0;
  char buf[32], path[64];
  int n = snprintf(buf, sizeof buf, "%d", p->oom_score_adj);
  if (pid > 0)
    snprintf(path, sizeof path, "/proc/%d/oom_score_adj", (int) pid);
  else
    snprintf(path, sizeof path, "/proc/self/oom_score_adj");
  _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return cell_error_sys(err, "oomScoreAdj %d: open `%s`", p->oom_score_adj, path);
  ssize_t w;
  do
    w = write(fd, buf, (size_t) n);
  while (w < 0 && errno == EINTR);
  if (w < 0) {
    if (errno == EACCES || errno == EPERM)
      return cell_error_sys(err, "oomScoreAdj %d: write `%s` (lowering it needs "
                            "CAP_SYS_RESOURCE)", p->oom_score_adj, path);
    return cell_error_sys(err, "oomScoreAdj %d: write `%s`", p->oom_score_adj, path);
  }
  return 0;
}

int linux_apply_personality(const oci_personality *per, cell_error *err)
{
  if (!per->present)
    return 0;
  if (personality(per->domain) < 0)
    return cell_error_sys(err, "personality %s",
                          per->domain == PER_LINUX32 ? "LINUX32" :
                          per->domain == PER_LINUX ? "LINUX" : "(unknown domain)");
  return 0;
}

/* The kernel's struct sched_attr, SCHED_ATTR_SIZE_VER1 (with the
 * utilization clamps); named ours so it never meets libc's. */
struct cell_sched_attr {
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime, sched_deadline, sched_period;
  uint32_t sched_util_min, sched_util_max;
};
#define CELL_SCHED_ATTR_SIZE_VER0 48
#define CELL_SCHED_FLAG_UTIL_CLAMP 0x60

static const char *policy_name(int policy)
{
  switch (policy) {
  case 0: return "SCHED_OTHER";
  case 1: return "SCHED_FIFO";
  case 2: return "SCHED_RR";
  case 3: return "SCHED_BATCH";
  case 4: return "SCHED_ISO";
  case 5: return "SCHED_IDLE";
  case 6: return "SCHED_DEADLINE";
  default: return "(unknown policy)";
  }
}

int linux_apply_scheduler(const oci_process *p, cell_error *err)
{
  const oci_scheduler *s = &p->scheduler;
  if (!s->present)
    return 0;
  struct cell_sched_attr a;
  memset(&a, 0, sizeof a);
  a.size = sizeof a;
  a.sched_policy = (uint32_t) s->policy;
  a.sched_flags = s->flags;
  a.sched_nice = s->nice;
  a.sched_priority = (uint32_t) s->priority;
  a.sched_runtime = s->runtime;
  a.sched_deadline = s->deadline;
  a.sched_period = s->period;
  long r = syscall(SYS_sched_setattr, 0, &a, 0);
  /* Kernels before 5.3 know only the first version of the struct. */
  if (r < 0 && errno == E2BIG && !(s->flags & CELL_SCHED_FLAG_UTIL_CLAMP)) {
    a.size = CELL_SCHED_ATTR_SIZE_VER0;
    r = syscall(SYS_sched_setattr, 0, &a, 0);
  }
  if (r < 0)
    return cell_error_sys(err,
                          "sched_setattr policy %s nice %d priority %d flags %#" PRIx64
                          " runtime %" PRIu64 " deadline %" PRIu64 " period %" PRIu64,
                          policy_name(s->policy), s->nice, s->priority, s->flags,
                          s->runtime, s->deadline, s->period);
  return 0;
}

#define CELL_IOPRIO_WHO_PROCESS 1
#define CELL_IOPRIO_CLASS_SHIFT 13

int linux_apply_io_priority(const oci_process *p, cell_error *err)
{
  const oci_io_priority *io = &p->io_priority;
  if (!io->present)
    return 0;
  static const char *const classes[] = { "IOPRIO_CLASS_NONE", "IOPRIO_CLASS_RT",
                                         "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE" };
  const char *cname = io->klass >= 0 && io->klass <= 3 ? classes[io->klass] : "(unknown class)";
  if (io->priority < 0 || io->priority > 7)
    return cell_error_set(err, EINVAL, "ioPriority %s priority %d: must be 0 to 7", cname,
                          io->priority);
  int value = (io->klass << CELL_IOPRIO_CLASS_SHIFT) | io->priority;
  if (syscall(SYS_ioprio_set, CELL_IOPRIO_WHO_PROCESS, 0, value) < 0)
    return cell_error_sys(err, "ioprio_set %s priority %d", cname, io->priority);
  return 0;
}
