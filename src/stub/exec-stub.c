/* cell-exec-stub: the last step of a container's init, run from a sealed
 * memfd (see runtime/exec-stub.h). Freestanding: no libc, no dynamic
 * loader, a few hundred bytes of code, so that its exec costs little.
 *
 *   argv: MAGIC, REPORT_FD, PATH, ARG0, ARG1, ...   envp: the program's
 *
 * It marks REPORT_FD close-on-exec and execs PATH with ARG0.. and envp. If
 * that fails it writes "\1cell-exec-stub errno=N" to REPORT_FD and exits
 * 127. Run any other way (as a script's interpreter through
 * /proc/self/exe, say) it exits 127 at once. */
#include "stub/exec-stub-abi.h"

#if defined(__x86_64__)
#define SYS_write 1
#define SYS_fcntl 72
#define SYS_execve 59
#define SYS_exit_group 231

static long sys3(long n, long a, long b, long c)
{
  long r;
  __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return r;
}

__asm__(".text\n"
        ".global _start\n"
        "_start:\n"
        "  xor %rbp, %rbp\n"
        "  mov %rsp, %rdi\n"
        "  and $-16, %rsp\n"
        "  call stub_main\n"
        "  hlt\n");
#else
#error "cell-exec-stub: no syscall glue for this architecture"
#endif

static __attribute__((noreturn)) void stub_exit(int code)
{
  for (;;)
    sys3(SYS_exit_group, code, 0, 0);
}

static int streq(const char *a, const char *b)
{
  while (*a && *a == *b)
    a++, b++;
  return *a == *b;
}

static int parse_fd(const char *s)
{
  int n = 0;
  if (!*s)
    return -1;
  for (; *s; s++) {
    if (*s < '0' || *s > '9' || n > 1000000)
      return -1;
    n = n * 10 + (*s - '0');
  }
  return n;
}

__attribute__((noreturn, used)) void stub_main(long *sp)
{
  long argc = sp[0];
  char **argv = (char **) (sp + 1);
  char **envp = argv + argc + 1;
  if (argc < 4 || !streq(argv[0], CELL_EXEC_STUB_MAGIC))
    stub_exit(127);
  int fd = parse_fd(argv[1]);
  if (fd < 0)
    stub_exit(127);
  sys3(SYS_fcntl, fd, 2 /* F_SETFD */, 1 /* FD_CLOEXEC */);
  long r = sys3(SYS_execve, (long) argv[2], (long) (argv + 3), (long) envp);
  /* "\1cell-exec-stub errno=" and the number. */
  char msg[sizeof CELL_EXEC_STUB_ERRNO_PREFIX + 12];
  int n = 0;
  for (const char *p = CELL_EXEC_STUB_ERRNO_PREFIX; *p; p++)
    msg[n++] = *p;
  unsigned long e = (unsigned long) -r;
  char digits[12];
  int k = 0;
  do
    digits[k++] = (char) ('0' + e % 10);
  while ((e /= 10) && k < 11);
  while (k)
    msg[n++] = digits[--k];
  sys3(SYS_write, fd, (long) msg, n);
  stub_exit(127);
}
