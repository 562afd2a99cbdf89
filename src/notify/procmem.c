/* Reading and writing a notification target's memory safely: open
 * /proc/PID/mem, check the notification is still valid (so the pid was not
 * reused by another process), then copy; act on the copy only. */
#include "notify/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/audit.h>

int cn_mem_open(pid_t pid, bool write)
{
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/mem", (int) pid);
  int fd = open(path, (write ? O_RDWR : O_RDONLY) | O_CLOEXEC);
  return fd < 0 ? -errno : fd;
}

int cn_id_valid(int listener, uint64_t id)
{
  if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0)
    return -errno;
  return 0;
}

ssize_t cn_mem_read_string(int memfd, uint64_t addr, char *buf, size_t size)
{
  size_t got = 0;
  while (got < size) {
    /* Read up to the end of the page, so that a string that ends just
     * before an unmapped page still reads. */
    size_t chunk = 4096 - ((addr + got) & 4095);
    if (chunk > size - got)
      chunk = size - got;
    ssize_t n = pread(memfd, buf + got, chunk, (off_t) (addr + got));
    if (n < 0)
      return errno == EIO ? -EFAULT : -errno;
    if (n == 0)
      return -EFAULT;
    void *nul = memchr(buf + got, 0, (size_t) n);
    if (nul)
      return (char *) nul - buf;
    got += (size_t) n;
  }
  return -ENAMETOOLONG;
}

int cn_mem_write(int memfd, uint64_t addr, const void *buf, size_t len)
{
  ssize_t n = pwrite(memfd, buf, len, (off_t) addr);
  if (n < 0)
    return errno == EIO ? -EFAULT : -errno;
  return (size_t) n == len ? 0 : -EFAULT;
}

int cn_mem_read(int memfd, uint64_t addr, void *buf, size_t len)
{
  ssize_t n = pread(memfd, buf, len, (off_t) addr);
  if (n < 0)
    return errno == EIO ? -EFAULT : -errno;
  return (size_t) n == len ? 0 : -EFAULT;
}

/* The names the log and the stats use most; others show as numbers. The
 * full table belongs to src/seccomp; this one only needs to be readable. */
static const struct { int nr; const char *name; } names[] = {
#define N(x) { SYS_##x, #x }
  N(read), N(write), N(open), N(close), N(stat), N(fstat), N(lstat), N(poll), N(lseek),
  N(mmap), N(mprotect), N(munmap), N(brk), N(rt_sigaction), N(rt_sigprocmask), N(ioctl),
  N(pread64), N(pwrite64), N(readv), N(writev), N(access), N(pipe), N(select),
  N(sched_yield), N(mremap), N(dup), N(dup2), N(nanosleep), N(getpid), N(socket),
  N(connect), N(accept), N(sendto), N(recvfrom), N(sendmsg), N(recvmsg), N(bind),
  N(listen), N(clone), N(fork), N(vfork), N(execve), N(exit), N(wait4), N(kill),
  N(uname), N(fcntl), N(flock), N(fsync), N(truncate), N(ftruncate), N(getdents64),
  N(getcwd), N(chdir), N(fchdir), N(rename), N(mkdir), N(rmdir), N(creat), N(link),
  N(unlink), N(symlink), N(readlink), N(chmod), N(fchmod), N(chown), N(umask),
  N(gettimeofday), N(getrlimit), N(sysinfo), N(getuid), N(getgid), N(setuid), N(setgid),
  N(geteuid), N(getegid), N(getppid), N(setsid), N(mknod), N(statfs), N(fstatfs),
  N(prctl), N(arch_prctl), N(mount), N(umount2), N(sethostname), N(gettid), N(futex),
  N(set_tid_address), N(clock_gettime), N(clock_nanosleep), N(exit_group),
  N(epoll_wait), N(tgkill), N(openat), N(mkdirat), N(mknodat), N(fchownat),
  N(newfstatat), N(unlinkat), N(renameat), N(linkat), N(symlinkat), N(readlinkat),
  N(fchmodat), N(faccessat), N(pselect6), N(ppoll), N(unshare), N(set_robust_list),
  N(utimensat), N(epoll_pwait), N(dup3), N(pipe2), N(prlimit64), N(setns), N(getrandom),
  N(memfd_create), N(execveat), N(statx), N(rseq), N(clone3), N(close_range),
  N(openat2), N(faccessat2), N(seccomp), N(bpf), N(setxattr), N(lsetxattr), N(fsetxattr),
  N(sched_setscheduler), N(ptrace), N(personality), N(chroot), N(pivot_root),
#undef N
};

const char *cn_syscall_name(uint32_t arch, int nr)
{
  if (arch != AUDIT_ARCH_X86_64)
    return NULL;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (names[i].nr == nr)
      return names[i].name;
  return NULL;
}
