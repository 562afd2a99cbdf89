/* The listener hand-off that cannot deadlock.
 *
 * Once the filter is loaded, every syscall of this thread may be a NOTIFY
 * one that waits for the receiver, and the receiver does not have the
 * listener yet.  So after seccomp(2) this thread makes no syscall until the
 * receiver owns the listener: an unfiltered helper sharing the fd table
 * (CLONE_FILES) does the sending.  The two meet on a MAP_SHARED page. */
#include "notify/notify.h"
#include "util/cleanup.h"
#include "util/fdpass.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/seccomp.h>

enum {
  H_WAIT,         /* the filter is not loaded yet */
  H_LOADED,       /* listener_fd is valid: send it */
  H_LOAD_FAILED,  /* nothing to send: exit */
  H_SENT,         /* done: the receiver owns the listener */
  H_SEND_FAILED,  /* err_* say why; the listener is closed */
};

typedef struct handoff_page {
  _Atomic int state;
  int listener_fd;
  int err_code;
  char err_msg[1024];
} handoff_page;

#ifndef SECCOMP_SET_MODE_FILTER
#define SECCOMP_SET_MODE_FILTER 1
#endif

/* The helper: unfiltered, same fd table.  Never returns. */
static __attribute__((noreturn)) void helper_main(handoff_page *pg, pid_t parent,
                                                  const cell_notify_target *t)
{
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent)
    _exit(1);
  struct timespec ts = { 0, 10 * 1000 };
  int st;
  while ((st = atomic_load_explicit(&pg->state, memory_order_acquire)) == H_WAIT) {
    nanosleep(&ts, NULL);
    if (ts.tv_nsec < 1000 * 1000)
      ts.tv_nsec *= 2;
  }
  if (st != H_LOADED) {
    close(t->sock_fd);
    _exit(0);
  }
  int timeout = t->timeout_ms > 0 ? t->timeout_ms : 10000;
  struct timeval tv = { timeout / 1000, (timeout % 1000) * 1000 };
  (void) setsockopt(t->sock_fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  cell_error err = CELL_ERROR_INIT;
  int r = cell_send_fd(t->sock_fd, pg->listener_fd, t->message, t->message_len, &err);
  /* Close both in the shared table: the receiver holds its own reference,
   * and on failure no reference is left, so NOTIFY syscalls get ENOSYS.
   * shutdown first: the receiver sees the end of the message even when a
   * copy of the socket is still open elsewhere (a runtime's parent). */
  shutdown(t->sock_fd, SHUT_RDWR);
  close(t->sock_fd);
  close(pg->listener_fd);
  if (r < 0) {
    pg->err_code = -r;
    snprintf(pg->err_msg, sizeof pg->err_msg, "send the seccomp listener to its receiver: %s",
             err.msg ? err.msg : strerror(-r));
    cell_error_clear(&err);
    atomic_store_explicit(&pg->state, H_SEND_FAILED, memory_order_release);
    _exit(1);
  }
  atomic_store_explicit(&pg->state, H_SENT, memory_order_release);
  _exit(0);
}

/* Milliseconds on CLOCK_MONOTONIC through the vDSO (no syscall on any
 * usual clock source).  -1 when the clock fails (then we only spin). */
static long long now_ms(void)
{
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
    return -1;
  return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield" ::: "memory");
#endif
}

/* seccomp(2) with the optional flags dropped one at a time on EINVAL.  No
 * syscall after the successful one.  Returns the listener fd or -errno. */
static int load(const cell_seccomp_filter *f)
{
  struct sock_fprog prog = { .len = (unsigned short) f->len, .filter = f->insns };
  unsigned flags = f->flags | CELL_SECCOMP_FLAG_NEW_LISTENER;
  unsigned optional = f->optional_flags & ~CELL_SECCOMP_FLAG_NEW_LISTENER;
  /* TSYNC and NEW_LISTENER together need TSYNC_ESRCH (kernel 5.7). */
  if (flags & CELL_SECCOMP_FLAG_TSYNC)
    flags |= CELL_SECCOMP_FLAG_TSYNC_ESRCH;
  for (;;) {
    long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
    if (r >= 0)
      return (int) r;
    if (errno != EINVAL || !optional)
      return -errno;
    unsigned drop = optional & -optional;  /* lowest optional flag */
    optional &= ~drop;
    flags &= ~drop;
  }
}

int cell_notify_install(const cell_seccomp_filter *f, const cell_notify_target *t,
                        cell_error *err)
{
  if (!f || !f->insns || f->len == 0 || f->len > CELL_SECCOMP_MAX_INSNS) {
    if (t->sock_fd >= 0)
      close(t->sock_fd);
    return cell_error_set(err, EINVAL, "seccomp: no filter to load");
  }
  if (t->sock_fd < 0)
    return cell_error_set(err, EINVAL, "seccomp: no socket to send the listener to");
  handoff_page *pg = mmap(NULL, sizeof *pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                          -1, 0);
  if (pg == MAP_FAILED) {
    int r = cell_error_sys(err, "seccomp listener hand-off: mmap a shared page");
    close(t->sock_fd);
    return r;
  }
  atomic_init(&pg->state, H_WAIT);
  pg->listener_fd = -1;
  pid_t self = getpid();
  /* Like fork, but the child shares our fd table: no CLONE_VM, so it runs
   * on a copy of this stack and needs none of its own. */
  long pid = syscall(SYS_clone, (unsigned long) (CLONE_FILES | SIGCHLD), NULL, NULL, NULL, 0);
  if (pid < 0) {
    int r = cell_error_sys(err, "seccomp listener hand-off: clone the helper");
    close(t->sock_fd);
    munmap(pg, sizeof *pg);
    return r;
  }
  if (pid == 0)
    helper_main(pg, self, t);

  int fd = load(f);
  /* ---- from here until H_SENT: no syscall unless the load failed ---- */
  if (fd < 0) {
    atomic_store_explicit(&pg->state, H_LOAD_FAILED, memory_order_release);
    int code = -fd;
    waitpid((pid_t) pid, NULL, __WALL);
    munmap(pg, sizeof *pg);
    return cell_error_sys_code(err, code, "seccomp(SECCOMP_SET_MODE_FILTER) with a new listener");
  }
  pg->listener_fd = fd;
  atomic_store_explicit(&pg->state, H_LOADED, memory_order_release);

  int timeout = t->timeout_ms > 0 ? t->timeout_ms : 10000;
  long long start = now_ms(), deadline = start < 0 ? -1 : start + timeout + 2000;
  int st;
  unsigned long spins = 0;
  while ((st = atomic_load_explicit(&pg->state, memory_order_acquire)) == H_LOADED) {
    cpu_relax();
    /* The helper has its own send timeout; this one only guards against a
     * helper that was killed.  Check the clock now and then. */
    if (deadline >= 0 && (++spins & 0xfff) == 0 && now_ms() > deadline)
      break;
  }
  /* ---- the receiver has the listener now, or nobody will ---- */
  if (st == H_SENT) {
    waitpid((pid_t) pid, NULL, __WALL);  /* may be NOTIFY: it is served now */
    munmap(pg, sizeof *pg);
    return 0;
  }
  if (st == H_LOADED) {
    kill((pid_t) pid, SIGKILL);
    return cell_error_set(err, ETIMEDOUT,
                          "send the seccomp listener to its receiver: the helper did not "
                          "report within %d ms", timeout + 2000);
  }
  int r = cell_error_set(err, pg->err_code ? pg->err_code : EIO, "%s", pg->err_msg);
  waitpid((pid_t) pid, NULL, __WALL);
  munmap(pg, sizeof *pg);
  return r;
}
