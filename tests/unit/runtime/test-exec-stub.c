/* The exec stub: the memfd, the exec through it, its failure report, its
 * refusal to run as anything else, and the filter check. */
#include "unit.h"
#include "jv.h"
#include "runtime/exec-stub.h"
#include "stub/exec-stub-abi.h"
#include "util/cleanup.h"
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

TEST(stub_failure_parse)
{
  int e = 0;
  const char ok[] = CELL_EXEC_STUB_ERRNO_PREFIX "13";
  CHECK(cell_exec_stub_failure(ok, strlen(ok), &e));
  CHECK_INT(e, 13);
  const char bad[] = CELL_EXEC_STUB_ERRNO_PREFIX "1x";
  CHECK(!cell_exec_stub_failure(bad, strlen(bad), &e));
  const char none[] = CELL_EXEC_STUB_ERRNO_PREFIX;
  CHECK(!cell_exec_stub_failure(none, strlen(none), &e));
  CHECK(!cell_exec_stub_failure("exec `x`: boom", 14, &e));
}

/* Run path with args through the stub in a child whose stdout is a pipe;
 * out gets stdout, report what came back on the report fd. Returns the
 * child's wait status. */
static int run_through_stub(const char *path, char *const argv[], char **out, char **report)
{
  cell_error err = CELL_ERROR_INIT;
  int stub = cell_exec_stub_open(&err);
  if (stub < 0) {
    fprintf(stderr, "  %s\n", err.msg);
    cell_error_clear(&err);
    return -1;
  }
  int o[2], rep[2];
  if (pipe2(o, O_CLOEXEC) < 0 || pipe2(rep, O_CLOEXEC) < 0)
    return -1;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(o[1], 1);
    char *envp[] = { "X=1", NULL };
    cell_exec_stub_exec(stub, rep[1], path, argv, envp, &err);
    _exit(99);
  }
  close(o[1]);
  close(rep[1]);
  close(stub);
  size_t n;
  cell_read_fd(o[0], out, &n);
  cell_read_fd(rep[0], report, &n);
  close(o[0]);
  close(rep[0]);
  int ws = 0;
  waitpid(pid, &ws, 0);
  return ws;
}

TEST(stub_execs_the_program)
{
  if (!cell_exec_stub_built())
    SKIP("no exec stub for this architecture");
  _cleanup_free_ char *out = NULL, *report = NULL;
  char *argv[] = { "sh", "-c", "echo $0 $X; readlink /proc/self/exe", NULL };
  int ws = run_through_stub("/bin/sh", argv, &out, &report);
  CHECK(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
  CHECK(out && strncmp(out, "sh 1\n", 5) == 0);
  /* The report fd was closed by the exec: nothing came back. */
  CHECK_STR(report, "");
}

TEST(stub_reports_exec_failure)
{
  if (!cell_exec_stub_built())
    SKIP("no exec stub for this architecture");
  _cleanup_free_ char *out = NULL, *report = NULL;
  char *argv[] = { "nothing", NULL };
  int ws = run_through_stub("/nonexistent/program", argv, &out, &report);
  CHECK(WIFEXITED(ws) && WEXITSTATUS(ws) == 127);
  int e = 0;
  CHECK(report && cell_exec_stub_failure(report, strlen(report), &e));
  CHECK_INT(e, ENOENT);
}

TEST(stub_refuses_to_run_otherwise)
{
  if (!cell_exec_stub_built())
    SKIP("no exec stub for this architecture");
  cell_error err = CELL_ERROR_INIT;
  int stub = cell_exec_stub_open(&err);
  CHECK(stub >= 0);
  /* As a script's interpreter would be: argv[0] is a path, not the magic. */
  pid_t pid = fork();
  if (pid == 0) {
    char *argv[] = { "/proc/self/exe", "1", "/bin/true", "true", NULL };
    char *envp[] = { NULL };
    syscall(SYS_execveat, stub, "", argv, envp, AT_EMPTY_PATH);
    _exit(99);
  }
  int ws = 0;
  waitpid(pid, &ws, 0);
  CHECK(WIFEXITED(ws) && WEXITSTATUS(ws) == 127);
  /* Sealed: no writes. */
  CHECK(write(stub, "x", 1) < 0 && errno == EPERM);
  close(stub);
}

static bool allows(const char *profile)
{
  json_error_t je;
  json_t *j = json_loads(profile, 0, &je);
  cell_seccomp_filter f = { 0 };
  cell_error err = CELL_ERROR_INIT;
  cell_seccomp_opts o = { 0 };
  _cleanup_jdoc_ cell_jdoc *jd1_ = NULL;
  int r = cell_seccomp_compile_oci(t_jv(j, &jd1_), &o, &f, &err);
  json_decref(j);
  if (r < 0) {
    fprintf(stderr, "  %s\n", err.msg);
    cell_error_clear(&err);
    return false;
  }
  bool a = cell_exec_stub_filter_allows(&f);
  cell_seccomp_filter_free(&f);
  return a;
}

TEST(filter_check)
{
  CHECK(cell_exec_stub_filter_allows(NULL));
  CHECK(allows("{\"defaultAction\": \"SCMP_ACT_ALLOW\"}"));
  CHECK(allows("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
               "{\"names\": [\"execveat\", \"execve\"], \"action\": \"SCMP_ACT_ALLOW\"}]}"));
  CHECK(!allows("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
                "{\"names\": [\"execve\"], \"action\": \"SCMP_ACT_ALLOW\"}]}"));
  CHECK(!allows("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
                "{\"names\": [\"execveat\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"));
  /* Refused only with AT_EMPTY_PATH (0x1000) in the flags: refused for us. */
  CHECK(!allows("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
                "{\"names\": [\"execveat\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": ["
                "{\"index\": 4, \"value\": 4096, \"valueTwo\": 4096, \"op\": \"SCMP_CMP_MASKED_EQ\"}]}]}"));
}
