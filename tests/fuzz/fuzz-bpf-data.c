/* Fuzz target: the precompiled filter of the annotation
 * run.oci.seccomp_bpf_data (base64 of raw struct sock_filter, as crun
 * takes it) and the raw bytes themselves.
 *
 * Whatever the input: no crash; a refusal comes with a message; a program
 * cell accepts (cell_seccomp_check, which is at least as strict as the
 * kernel) is accepted by the kernel too: a child process loads it with
 * seccomp(2) and reports a refusal; and the interpreter runs it on a few
 * inputs without leaving the program. Any violation aborts. */
#include "seccomp/seccomp.h"
#include "seccomp/table.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The kernel's verdict on a program cell accepted: abort when it refuses.
 * The child loads it with seccomp(2) and stores the outcome in shared
 * memory: once loaded, the filter may refuse or kill every syscall, so
 * the answer must take none. */
static void kernel_agrees(const cell_seccomp_filter *f)
{
  static volatile int *word;
  if (!word) {
    void *m = mmap(NULL, sizeof *word, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
      return;
    word = m;
  }
  *word = 0;
  pid_t pid = fork();
  if (pid == 0) {
    struct sock_fprog prog = { .len = (unsigned short) f->len, .filter = f->insns };
    int e = 0;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
        syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
      e = errno;
    *word = e + 1;
    for (;;)
      ;  /* until the parent's SIGKILL */
  }
  if (pid < 0)
    return;
  while (!*word && waitpid(pid, NULL, WNOHANG) == 0)
    usleep(20);
  int e = *word - 1;
  kill(pid, SIGKILL);
  while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
    ;
  if (e > 0 && e != ENOMEM) {
    fprintf(stderr, "cell accepted a program of %zu instructions the kernel refuses: %s\n",
            f->len, strerror(e));
    abort();
  }
}

static void accepted(const cell_seccomp_filter *f, const uint8_t *data, size_t size)
{
  cell_error err = CELL_ERROR_INIT;
  if (!f->insns || f->len == 0 || f->len > 4096 || cell_seccomp_check(f->insns, f->len, &err) < 0)
    abort();
  uint64_t h = size;
  for (int k = 0; k < 16; k++) {
    uint64_t args[6];
    for (int i = 0; i < 6; i++) {
      h = h * 6364136223846793005ull + (size ? data[(size_t) (k * 6 + i) % size] : 0) + 1;
      args[i] = h;
    }
    const cell_sc_arch *a = &cell_sc_arches[(h >> 33) % cell_sc_narches];
    cell_seccomp_data d;
    if (cell_seccomp_data_make(&d, a->short_name, a->nr_base + (uint32_t) ((h >> 40) % 512),
                               args, &err) == 0) {
      unsigned steps = 0;
      cell_seccomp_run(f->insns, f->len, &d, &steps);
      if (steps > f->len)
        abort();  /* a checked program has no backward jump */
    }
    cell_error_cleanup(&err);
  }
  kernel_agrees(f);
}

static void refused(int r, cell_error *err)
{
  if (r >= 0 || !err->msg || !*err->msg)
    abort();
  cell_error_cleanup(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size > 1 << 17)
    return 0;
  /* As annotation text. */
  char *text = malloc(size + 1);
  if (!text)
    return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  cell_seccomp_filter f = { 0 };
  cell_error err = CELL_ERROR_INIT;
  int r = cell_seccomp_from_base64(text, &f, &err);
  if (r == 0)
    accepted(&f, data, size);
  else
    refused(r, &err);
  cell_seccomp_filter_free(&f);
  free(text);
  /* As the raw program. */
  memset(&f, 0, sizeof f);
  r = cell_seccomp_from_bpf(data, size, &f, &err);
  if (r == 0)
    accepted(&f, data, size);
  else
    refused(r, &err);
  cell_seccomp_filter_free(&f);
  return 0;
}
