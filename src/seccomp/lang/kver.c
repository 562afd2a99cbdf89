/* The kernel release that first had each syscall, for KERNEL(x.y) and
 * NEWER(x.y).  data/syscalls.csv carries no versions today (every row says
 * SCMP_KV_UNDEF), so this is a table of facts of our own: the release that
 * added the syscall on x86_64 or, for syscalls only 32-bit architectures
 * have (the *_time64 family), on those.  Syscalls not listed are older than
 * 2.6.16 and belong to every KERNEL() set.  When the generated table has a
 * version for a row and architecture, that one wins. */
#include "seccomp/lang/internal.h"

#include <string.h>

#define V(a, b, c) ((uint32_t) ((a) << 16 | (b) << 8 | (c)))

/* Names in the rows (no pointers: nothing for ld.so to relocate). */
static const struct { char name[CELL_SC_NAME_SIZE]; uint32_t v; } kvers[] = {  /* sorted */
  { "accept4", V(2, 6, 28) }, { "bpf", V(3, 18, 0) }, { "cachestat", V(6, 5, 0) },
  { "clock_adjtime", V(2, 6, 39) }, { "clock_adjtime64", V(5, 1, 0) },
  { "clock_getres_time64", V(5, 1, 0) }, { "clock_gettime64", V(5, 1, 0) },
  { "clock_nanosleep_time64", V(5, 1, 0) }, { "clock_settime64", V(5, 1, 0) },
  { "clone3", V(5, 3, 0) }, { "close_range", V(5, 9, 0) }, { "copy_file_range", V(4, 5, 0) },
  { "dup3", V(2, 6, 27) }, { "epoll_create1", V(2, 6, 27) }, { "epoll_pwait", V(2, 6, 19) },
  { "epoll_pwait2", V(5, 11, 0) }, { "eventfd", V(2, 6, 22) }, { "eventfd2", V(2, 6, 27) },
  { "execveat", V(3, 19, 0) }, { "faccessat2", V(5, 8, 0) }, { "fallocate", V(2, 6, 23) },
  { "fanotify_init", V(2, 6, 36) }, { "fanotify_mark", V(2, 6, 36) }, { "fchmodat2", V(6, 6, 0) },
  { "file_getattr", V(6, 17, 0) }, { "file_setattr", V(6, 17, 0) }, { "finit_module", V(3, 8, 0) },
  { "fsconfig", V(5, 2, 0) }, { "fsmount", V(5, 2, 0) }, { "fsopen", V(5, 2, 0) },
  { "fspick", V(5, 2, 0) }, { "futex_requeue", V(6, 7, 0) }, { "futex_time64", V(5, 1, 0) },
  { "futex_wait", V(6, 7, 0) }, { "futex_waitv", V(5, 16, 0) }, { "futex_wake", V(6, 7, 0) },
  { "get_robust_list", V(2, 6, 17) }, { "getcpu", V(2, 6, 19) }, { "getrandom", V(3, 17, 0) },
  { "getxattrat", V(6, 13, 0) }, { "inotify_init1", V(2, 6, 27) },
  { "io_pgetevents", V(4, 18, 0) }, { "io_pgetevents_time64", V(5, 1, 0) },
  { "io_uring_enter", V(5, 1, 0) }, { "io_uring_register", V(5, 1, 0) },
  { "io_uring_setup", V(5, 1, 0) }, { "kcmp", V(3, 5, 0) }, { "kexec_file_load", V(3, 17, 0) },
  { "landlock_add_rule", V(5, 13, 0) }, { "landlock_create_ruleset", V(5, 13, 0) },
  { "landlock_restrict_self", V(5, 13, 0) }, { "listmount", V(6, 8, 0) }, { "listns", V(6, 18, 0) },
  { "listxattrat", V(6, 13, 0) }, { "lsm_get_self_attr", V(6, 8, 0) },
  { "lsm_list_modules", V(6, 8, 0) }, { "lsm_set_self_attr", V(6, 8, 0) },
  { "map_shadow_stack", V(6, 6, 0) }, { "membarrier", V(4, 3, 0) }, { "memfd_create", V(3, 17, 0) },
  { "memfd_secret", V(5, 14, 0) }, { "mlock2", V(4, 4, 0) }, { "mount_setattr", V(5, 12, 0) },
  { "move_mount", V(5, 2, 0) }, { "move_pages", V(2, 6, 18) },
  { "mq_timedreceive_time64", V(5, 1, 0) }, { "mq_timedsend_time64", V(5, 1, 0) },
  { "mseal", V(6, 10, 0) }, { "name_to_handle_at", V(2, 6, 39) },
  { "open_by_handle_at", V(2, 6, 39) }, { "open_tree", V(5, 2, 0) }, { "open_tree_attr", V(6, 15, 0) },
  { "openat2", V(5, 6, 0) }, { "perf_event_open", V(2, 6, 31) }, { "pidfd_getfd", V(5, 6, 0) },
  { "pidfd_open", V(5, 3, 0) }, { "pidfd_send_signal", V(5, 1, 0) }, { "pipe2", V(2, 6, 27) },
  { "pkey_alloc", V(4, 9, 0) }, { "pkey_free", V(4, 9, 0) }, { "pkey_mprotect", V(4, 9, 0) },
  { "ppoll_time64", V(5, 1, 0) }, { "preadv", V(2, 6, 30) }, { "preadv2", V(4, 6, 0) },
  { "prlimit64", V(2, 6, 36) }, { "process_madvise", V(5, 10, 0) },
  { "process_mrelease", V(5, 15, 0) }, { "process_vm_readv", V(3, 2, 0) },
  { "process_vm_writev", V(3, 2, 0) }, { "pselect6_time64", V(5, 1, 0) }, { "pwritev", V(2, 6, 30) },
  { "pwritev2", V(4, 6, 0) }, { "quotactl_fd", V(5, 14, 0) }, { "recvmmsg", V(2, 6, 33) },
  { "recvmmsg_time64", V(5, 1, 0) }, { "removexattrat", V(6, 13, 0) }, { "renameat2", V(3, 15, 0) },
  { "riscv_hwprobe", V(6, 4, 0) }, { "rseq", V(4, 18, 0) }, { "rseq_slice_yield", V(7, 0, 0) },
  { "rt_sigtimedwait_time64", V(5, 1, 0) }, { "rt_tgsigqueueinfo", V(2, 6, 31) },
  { "sched_getattr", V(3, 14, 0) }, { "sched_rr_get_interval_time64", V(5, 1, 0) },
  { "sched_setattr", V(3, 14, 0) }, { "seccomp", V(3, 17, 0) }, { "semtimedop_time64", V(5, 1, 0) },
  { "sendmmsg", V(3, 0, 0) }, { "set_mempolicy_home_node", V(5, 17, 0) },
  { "set_robust_list", V(2, 6, 17) }, { "setns", V(3, 0, 0) }, { "setxattrat", V(6, 13, 0) },
  { "signalfd", V(2, 6, 22) }, { "signalfd4", V(2, 6, 27) }, { "splice", V(2, 6, 17) },
  { "statmount", V(6, 8, 0) }, { "statx", V(4, 11, 0) }, { "sync_file_range", V(2, 6, 17) },
  { "syncfs", V(2, 6, 39) }, { "tee", V(2, 6, 17) }, { "timer_gettime64", V(5, 1, 0) },
  { "timer_settime64", V(5, 1, 0) }, { "timerfd_create", V(2, 6, 25) },
  { "timerfd_gettime", V(2, 6, 25) }, { "timerfd_gettime64", V(5, 1, 0) },
  { "timerfd_settime", V(2, 6, 25) }, { "timerfd_settime64", V(5, 1, 0) },
  { "uprobe", V(6, 18, 0) }, { "uretprobe", V(6, 11, 0) }, { "userfaultfd", V(4, 3, 0) },
  { "utimensat", V(2, 6, 22) }, { "utimensat_time64", V(5, 1, 0) }, { "vmsplice", V(2, 6, 17) },
};

uint32_t lang_kver(const cell_sc_arch *a, const cell_sc_syscall *s)
{
  uint16_t t = s->kver[a->col];
  if (t)
    return (uint32_t) (t >> 8) << 16 | (uint32_t) (t & 0xff) << 8;
  size_t lo = 0, hi = sizeof kvers / sizeof kvers[0];
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = strcmp(s->name, kvers[mid].name);
    if (c == 0)
      return kvers[mid].v;
    if (c < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  return 0;
}

uint32_t cell_sc_syscall_kver(const cell_sc_arch *a, const cell_sc_syscall *s)
{
  return lang_kver(a, s);
}

bool lang_kver_sorted(void)
{
  return cell_sc_rows_sorted(kvers, sizeof kvers / sizeof kvers[0], sizeof kvers[0],
                             sizeof kvers[0].name);
}
