#include "runtime/exec-stub.h"
#include "stub/exec-stub-abi.h"
#include "seccomp/table.h"
#include "util/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/seccomp.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

/* exec-stub-blob.c, generated from src/stub/exec-stub.c at build time. */
extern const unsigned char cell_exec_stub_elf[];
extern const size_t cell_exec_stub_elf_len;

bool cell_exec_stub_built(void)
{
  return cell_exec_stub_elf_len > 0;
}

int cell_exec_stub_open(cell_error *err)
{
  if (!cell_exec_stub_built())
    return cell_error_set(err, ENOTSUP, "exec stub: none built for this architecture");
  /* MFD_EXEC asks for an executable memfd where vm.memfd_noexec is 1;
   * kernels before 6.3 do not know the flag (EINVAL) and allow exec. */
  int fd = memfd_create("cell-exec-stub", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  if (fd < 0 && errno == EINVAL)
    fd = memfd_create("cell-exec-stub", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0)
    return cell_error_sys(err, "exec stub: memfd_create");
  size_t off = 0;
  while (off < cell_exec_stub_elf_len) {
    ssize_t w = write(fd, cell_exec_stub_elf + off, cell_exec_stub_elf_len - off);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      int r = cell_error_sys(err, "exec stub: write memfd");
      close(fd);
      return r;
    }
    off += (size_t) w;
  }
  int seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
  if (fcntl(fd, F_ADD_SEALS, seals | F_SEAL_EXEC) < 0 &&
      (errno != EINVAL || fcntl(fd, F_ADD_SEALS, seals) < 0)) {
    int r = cell_error_sys(err, "exec stub: seal memfd");
    close(fd);
    return r;
  }
  return fd;
}

bool cell_exec_stub_filter_allows(const cell_seccomp_filter *f)
{
  if (!f)
    return true;
  const cell_sc_arch *a = cell_sc_arch_native();
  if (!a)
    return false;
  /* The pointers are whatever they will be: a filter that looks at them
   * (none should) must allow both of these. */
  static const uint64_t ptrs[] = { 0x1000, 0x7ffc00000000ull };
  for (size_t i = 0; i < sizeof ptrs / sizeof *ptrs; i++) {
    uint64_t args[6] = { 3, ptrs[i], ptrs[i] + 64, ptrs[i] + 128, AT_EMPTY_PATH, 0 };
    cell_seccomp_data d;
    cell_error ig = CELL_ERROR_INIT;
    int r = cell_seccomp_data_make(&d, a->short_name, (uint32_t) SYS_execveat, args, &ig);
    cell_error_clear(&ig);
    if (r < 0)
      return false;
    uint32_t ret = cell_seccomp_run(f->insns, f->len, &d, NULL);
    if ((ret & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_ALLOW &&
        (ret & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_LOG)
      return false;
  }
  return true;
}

int cell_exec_stub_exec(int stub_fd, int report_fd, const char *path, char *const argv[],
                        char *const envp[], cell_error *err)
{
  size_t n = 0;
  while (argv && argv[n])
    n++;
  _cleanup_free_ char **sargv = calloc(n + 4, sizeof *sargv);
  char fdbuf[16];
  if (!sargv)
    return cell_error_set(err, ENOMEM, "out of memory");
  snprintf(fdbuf, sizeof fdbuf, "%d", report_fd);
  sargv[0] = (char *) CELL_EXEC_STUB_MAGIC;
  sargv[1] = fdbuf;
  sargv[2] = (char *) path;
  for (size_t i = 0; i < n; i++)
    sargv[3 + i] = argv[i];
  /* The stub marks it close-on-exec again before the user program. */
  int fl = fcntl(report_fd, F_GETFD);
  if (fl < 0 || fcntl(report_fd, F_SETFD, fl & ~FD_CLOEXEC) < 0)
    return cell_error_sys(err, "exec stub: keep the report fd");
  syscall(SYS_execveat, stub_fd, "", sargv, envp, AT_EMPTY_PATH);
  int e = errno;
  fcntl(report_fd, F_SETFD, fl);
  return cell_error_sys_code(err, -e, "exec `%s` through the exec stub", path);
}

bool cell_exec_stub_failure(const char *reply, size_t len, int *errnum)
{
  size_t plen = strlen(CELL_EXEC_STUB_ERRNO_PREFIX);
  if (len <= plen || memcmp(reply, CELL_EXEC_STUB_ERRNO_PREFIX, plen) != 0)
    return false;
  int e = 0;
  for (size_t i = plen; i < len; i++) {
    if (reply[i] < '0' || reply[i] > '9' || e > 100000)
      return false;
    e = e * 10 + (reply[i] - '0');
  }
  *errnum = e;
  return true;
}
