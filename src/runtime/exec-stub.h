/* The exec stub: how the container's init reaches the user program without
 * ever exec'ing it as cell (CVE-2019-5736).
 *
 * The danger is the init's last execve: until it succeeds the init's
 * /proc/self/exe is cell's binary on the host, and a program that resolves
 * to /proc/self/exe (a `#!/proc/self/exe` script, a symlink to it) makes
 * the kernel run that binary inside the container, where the container may
 * open it for writing once cell has exited. So the init does not exec the
 * user program itself: it execs a tiny freestanding program (src/stub/)
 * from a sealed memfd, which then execs the user program. Whatever the
 * second exec resolves /proc/self/exe to is the sealed memfd.
 *
 * Before that last exec the init runs cell's code with cell's binary as its
 * exe, but it sits alone in a new pid namespace (nothing in the container
 * can name it) and is not dumpable. So the stub serves every config with a
 * new pid namespace, no createContainer or startContainer hooks (they run
 * in the container meanwhile) and a seccomp filter that lets
 * execveat(fd, "", ..., AT_EMPTY_PATH) through; `exec` into such a
 * container waits for start (it is refused while created). The others make
 * the runtime re-execute itself from a read-only bind first (exe-guard.h).
 *
 * The stub costs one exec of a program with no libc and no dynamic loader
 * (about 0.1 ms here); re-executing cell costs several times that. */
#ifndef CELL_RUNTIME_EXEC_STUB_H
#define CELL_RUNTIME_EXEC_STUB_H
/* The key in state.json's runtime extras saying the init goes through the
 * stub: `exec` is refused until start (the init is cell until then). */
#define CELL_STATE_EXEC_STUB "execStub"
#include <stdbool.h>
#include <stddef.h>
#include "seccomp/seccomp.h"
#include "util/error.h"

/* Whether this build embeds a stub (not every architecture has one). */
bool cell_exec_stub_built(void);
/* A sealed, executable memfd holding the stub (CLOEXEC); a negative errno
 * when the kernel refuses (vm.memfd_noexec, say). */
int cell_exec_stub_open(cell_error *err);
/* Does filter f (NULL: none) let the init's exec of the stub through? */
bool cell_exec_stub_filter_allows(const cell_seccomp_filter *f);
/* exec PATH with argv and envp through the stub in stub_fd; report_fd stays
 * open in the stub to carry an exec failure back (see
 * cell_exec_stub_failure) and is closed by the successful exec. Returns
 * only on failure of the exec of the stub itself. */
int cell_exec_stub_exec(int stub_fd, int report_fd, const char *path, char *const argv[],
                        char *const envp[], cell_error *err);
/* A reply read from the report fd: when it is the stub's exec failure,
 * *errnum gets the errno and true is returned. */
bool cell_exec_stub_failure(const char *reply, size_t len, int *errnum);
#endif
