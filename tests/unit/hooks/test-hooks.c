/* cell_hooks_run: argv, env, stdin, fds, timeouts and the error rules of
 * each hook kind. The test binary doubles as a hook: run as
 * `test-hooks --dump-{env,argv,fds} FILE` it writes what it got and exits. */
#include "unit.h"
#include "runtime/hooks.h"
#include "util/cleanup.h"
#include "util/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- the hook side ------------------------------------------------------ */

__attribute__((constructor)) static void hook_helper(int argc, char **argv, char **envp)
{
  if (argc != 3 || strncmp(argv[1], "--dump-", 7) != 0)
    return;
  FILE *f = fopen(argv[2], "we");
  if (!f)
    _exit(90);
  if (!strcmp(argv[1], "--dump-env")) {
    for (char **e = envp; e && *e; e++)
      fprintf(f, "%s\n", *e);
  } else if (!strcmp(argv[1], "--dump-argv")) {
    for (int i = 0; i < argc; i++)
      fprintf(f, "%s\n", argv[i]);
  } else if (!strcmp(argv[1], "--dump-fds")) {
    DIR *d = opendir("/proc/self/fd");
    if (!d)
      _exit(91);
    struct dirent *de;
    while ((de = readdir(d)))
      if (de->d_name[0] != '.' && atoi(de->d_name) != dirfd(d) &&
          atoi(de->d_name) != fileno(f))
        fprintf(f, "%s\n", de->d_name);
    closedir(d);
  }
  fclose(f);
  _exit(0);
}

/* ---- helpers ------------------------------------------------------------ */

static const char *state = "{\"ociVersion\":\"1.2.0\",\"id\":\"t\",\"status\":\"creating\","
                           "\"pid\":42,\"bundle\":\"/b\"}";

static char *self_exe(void)
{
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n < 0)
    return NULL;
  buf[n] = '\0';
  return strdup(buf);
}

static char *tmp_dir(void)
{
  char tmpl[] = "/tmp/cell-test-hooks.XXXXXX";
  return mkdtemp(tmpl) ? strdup(tmpl) : NULL;
}

static void rm_dir(char *dir)
{
  cell_error e = CELL_ERROR_INIT;
  if (dir)
    cell_rm_rf(dir, &e);
  cell_error_clear(&e);
  free(dir);
}

static char *slurp(const char *path)
{
  char *s = NULL;
  size_t len;
  cell_error e = CELL_ERROR_INIT;
  if (cell_read_file(path, &s, &len, &e) < 0)
    s = NULL;
  cell_error_clear(&e);
  return s;
}

/* A hook running `sh -c SCRIPT`. */
static oci_hook sh_hook(const char *script, char **argv_store)
{
  argv_store[0] = (char *) "sh";
  argv_store[1] = (char *) "-c";
  argv_store[2] = (char *) script;
  argv_store[3] = NULL;
  return (oci_hook) { .path = (char *) "/bin/sh", .args = argv_store };
}

static int run_hooks(oci_hook *hooks, size_t n, oci_hook_kind kind, const cell_log *log,
                     cell_error *err)
{
  oci_hook_list list = { hooks, n };
  return cell_hooks_run(&list, kind, state, NULL, log, err);
}

static int64_t ms_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- tests -------------------------------------------------------------- */

TEST(hooks_empty_list)
{
  cell_error err = CELL_ERROR_INIT;
  oci_hook_list empty = { NULL, 0 };
  CHECK_INT(cell_hooks_run(&empty, OCI_HOOK_CREATE_RUNTIME, state, NULL, NULL, &err), 0);
  CHECK_INT(cell_hooks_run(NULL, OCI_HOOK_PRESTART, state, NULL, NULL, &err), 0);
  CHECK(!cell_error_is_set(&err));
}

TEST(hooks_success)
{
  cell_error err = CELL_ERROR_INIT;
  char *a[4];
  oci_hook h = sh_hook("exit 0", a);
  for (int k = 0; k < OCI_HOOK_KINDS; k++)
    CHECK_INT(run_hooks(&h, 1, (oci_hook_kind) k, NULL, &err), 0);
  CHECK(!cell_error_is_set(&err));
}

TEST(hooks_failure_message_has_stderr)
{
  cell_error err = CELL_ERROR_INIT;
  char *a[4];
  oci_hook h = sh_hook("echo out; echo 'it broke' >&2; exit 3", a);
  int r = run_hooks(&h, 1, OCI_HOOK_CREATE_RUNTIME, NULL, &err);
  CHECK(r < 0);
  CHECK_STR(err.msg, "createRuntime hook #1 (`/bin/sh`): exited with status 3: it broke");
  cell_error_clear(&err);

  /* No stderr: stdout is shown instead. */
  h = sh_hook("echo only-stdout; exit 1", a);
  CHECK(run_hooks(&h, 1, OCI_HOOK_PRESTART, NULL, &err) < 0);
  CHECK_STR(err.msg, "prestart hook #1 (`/bin/sh`): exited with status 1: only-stdout");
  cell_error_clear(&err);

  /* Nothing at all: just the status. */
  h = sh_hook("exit 7", a);
  CHECK(run_hooks(&h, 1, OCI_HOOK_START_CONTAINER, NULL, &err) < 0);
  CHECK_STR(err.msg, "startContainer hook #1 (`/bin/sh`): exited with status 7");
  cell_error_clear(&err);
}

TEST(hooks_killed_by_signal)
{
  cell_error err = CELL_ERROR_INIT;
  char *a[4];
  oci_hook h = sh_hook("kill -SEGV $$", a);
  CHECK(run_hooks(&h, 1, OCI_HOOK_CREATE_CONTAINER, NULL, &err) < 0);
  CHECK_STR(err.msg, "createContainer hook #1 (`/bin/sh`): killed by signal SIGSEGV");
  cell_error_clear(&err);
}

TEST(hooks_first_failure_stops_the_rest)
{
  _cleanup_free_ char *dir = tmp_dir();
  char *a[4], *b[4];
  _cleanup_free_ char *script = NULL;
  CHECK(asprintf(&script, "touch %s/second", dir) > 0);
  oci_hook hooks[2] = { sh_hook("exit 1", a), sh_hook(script, b) };
  cell_error err = CELL_ERROR_INIT;
  CHECK(run_hooks(hooks, 2, OCI_HOOK_CREATE_RUNTIME, NULL, &err) < 0);
  CHECK(err.msg && strstr(err.msg, "createRuntime hook #1 "));
  _cleanup_free_ char *second = NULL;
  CHECK(asprintf(&second, "%s/second", dir) > 0);
  CHECK(access(second, F_OK) < 0);
  cell_error_clear(&err);

  /* The message numbers the hook that failed. */
  oci_hook ok_then_fail[2] = { sh_hook("exit 0", a), sh_hook("exit 2", b) };
  CHECK(run_hooks(ok_then_fail, 2, OCI_HOOK_CREATE_RUNTIME, NULL, &err) < 0);
  CHECK_STR(err.msg, "createRuntime hook #2 (`/bin/sh`): exited with status 2");
  cell_error_clear(&err);
  rm_dir(cell_steal(&dir));
}

TEST(hooks_poststart_poststop_failure_warns)
{
  _cleanup_free_ char *dir = tmp_dir();
  _cleanup_free_ char *logp = NULL, *script = NULL, *second = NULL;
  CHECK(asprintf(&logp, "%s/log", dir) > 0);
  CHECK(asprintf(&script, "touch %s/second", dir) > 0);
  CHECK(asprintf(&second, "%s/second", dir) > 0);
  int kinds[] = { OCI_HOOK_POSTSTART, OCI_HOOK_POSTSTOP };
  for (size_t i = 0; i < 2; i++) {
    int fd = open(logp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    CHECK(fd >= 0);
    cell_log log = { .fd = fd, .format = CELL_LOG_TEXT, .prog = "cell" };
    char *a[4], *b[4];
    oci_hook hooks[2] = { sh_hook("echo gone wrong >&2; exit 4", a), sh_hook(script, b) };
    cell_error err = CELL_ERROR_INIT;
    CHECK_INT(run_hooks(hooks, 2, (oci_hook_kind) kinds[i], &log, &err), 0);
    CHECK(!cell_error_is_set(&err));
    close(fd);
    CHECK(access(second, F_OK) == 0);
    unlink(second);
    _cleanup_free_ char *text = slurp(logp);
    _cleanup_free_ char *want = NULL;
    CHECK(asprintf(&want, "warning: %s hook #1 (`/bin/sh`): exited with status 4: gone wrong",
                   kinds[i] == OCI_HOOK_POSTSTART ? "poststart" : "poststop") > 0);
    CHECK(text && strstr(text, want));
  }
  rm_dir(cell_steal(&dir));
}

TEST(hooks_timeout_kills)
{
  cell_error err = CELL_ERROR_INIT;
  char *a[4];
  oci_hook h = sh_hook("sleep 30", a);
  h.has_timeout = true;
  h.timeout = 1;
  int64_t t0 = ms_now();
  CHECK(run_hooks(&h, 1, OCI_HOOK_CREATE_RUNTIME, NULL, &err) < 0);
  int64_t took = ms_now() - t0;
  CHECK_STR(err.msg, "createRuntime hook #1 (`/bin/sh`): timed out after 1s");
  CHECK(took >= 900 && took < 5000);
  cell_error_clear(&err);

  /* A hook that ends in time is fine. */
  h = sh_hook("sleep 0.1", a);
  h.has_timeout = true;
  h.timeout = 5;
  CHECK_INT(run_hooks(&h, 1, OCI_HOOK_CREATE_RUNTIME, NULL, &err), 0);

  /* A poststop timeout only warns. */
  h = sh_hook("sleep 30", a);
  h.has_timeout = true;
  h.timeout = 1;
  int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
  cell_log quiet = { .fd = devnull, .format = CELL_LOG_TEXT, .prog = "cell" };
  CHECK_INT(run_hooks(&h, 1, OCI_HOOK_POSTSTOP, &quiet, &err), 0);
  close(devnull);
}

TEST(hooks_background_child_does_not_hold_us)
{
  /* The hook exits at once but leaves a child holding its stdout/stderr. */
  cell_error err = CELL_ERROR_INIT;
  char *a[4];
  oci_hook h = sh_hook("sleep 3 & exit 0", a);
  int64_t t0 = ms_now();
  CHECK_INT(run_hooks(&h, 1, OCI_HOOK_CREATE_RUNTIME, NULL, &err), 0);
  CHECK(ms_now() - t0 < 2000);
}

TEST(hooks_state_on_stdin)
{
  _cleanup_free_ char *dir = tmp_dir();
  _cleanup_free_ char *script = NULL, *path = NULL;
  CHECK(asprintf(&path, "%s/stdin", dir) > 0);
  CHECK(asprintf(&script, "cat > %s", path) > 0);
  char *a[4];
  oci_hook h = sh_hook(script, a);
  cell_error err = CELL_ERROR_INIT;
  CHECK_INT(run_hooks(&h, 1, OCI_HOOK_CREATE_RUNTIME, NULL, &err), 0);
  _cleanup_free_ char *got = slurp(path);
  CHECK_STR(got, state);
  rm_dir(cell_steal(&dir));
}

TEST(hooks_large_state_unread)
{
  /* 1 MiB of state, a hook that never reads it: no SIGPIPE, no hang. */
  size_t n = 1 << 20;
  _cleanup_free_ char *big = malloc(n + 1);
  CHECK(big != NULL);
  memset(big, 'x', n);
  big[n] = '\0';
  char *a[4];
  oci_hook h = sh_hook("exit 0", a);
  oci_hook_list list = { &h, 1 };
  cell_error err = CELL_ERROR_INIT;
  CHECK_INT(cell_hooks_run(&list, OCI_HOOK_POSTSTART, big, NULL, NULL, &err), 0);

  /* And one that reads all of it. */
  h = sh_hook("wc -c >/dev/null", a);
  CHECK_INT(cell_hooks_run(&list, OCI_HOOK_CREATE_RUNTIME, big, NULL, NULL, &err), 0);
  CHECK(!cell_error_is_set(&err));
}

TEST(hooks_env_exactly_as_given)
{
  _cleanup_free_ char *exe = self_exe(), *dir = tmp_dir();
  _cleanup_free_ char *out = NULL;
  CHECK(asprintf(&out, "%s/env", dir) > 0);
  char *args[] = { (char *) "helper", (char *) "--dump-env", out, NULL };
  char *env[] = { (char *) "A=1", (char *) "B=two words", NULL };
  oci_hook h = { .path = exe, .args = args, .env = env };
  cell_error err = CELL_ERROR_INIT;
  CHECK_INT(run_hooks(&h, 1, OCI_HOOK_CREATE_RUNTIME, NULL, &err), 0);
  _cleanup_free_ char *got = slurp(out);
  CHECK_STR(got, "A=1\nB=two words\n");

  /* No env: an empty environment, not the runtime's. */
  h.env = NULL;
  CHECK_INT(run_hooks(&h, 1, OCI_HOOK_CREATE_RUNTIME, NULL, &err), 0);
  _cleanup_free_ char *none = slurp(out);
  CHECK_STR(none, "");
  rm_dir(cell_steal(&dir));
}

TEST(hooks_argv)
{
  _cleanup_free_ char *exe = self_exe(), *dir = tmp_dir();
  _cleanup_free_ char *out = NULL;
  CHECK(asprintf(&out, "%s/argv", dir) > 0);
  char *args[] = { (char *) "my-argv0", (char *) "--dump-argv", out, NULL };
  oci_hook h = { .path = exe, .args = args };
  cell_error err = CELL_ERROR_INIT;
  CHECK_INT(run_hooks(&h, 1, OCI_HOOK_CREATE_RUNTIME, NULL, &err), 0);
  _cleanup_free_ char *got = slurp(out);
  _cleanup_free_ char *want = NULL;
  CHECK(asprintf(&want, "my-argv0\n--dump-argv\n%s\n", out) > 0);
  CHECK_STR(got, want);

  /* No args: argv is [path]; the hook runs (sh with no script reads stdin). */
  oci_hook bare = { .path = (char *) "/bin/true" };
  CHECK_INT(run_hooks(&bare, 1, OCI_HOOK_CREATE_RUNTIME, NULL, &err), 0);
  rm_dir(cell_steal(&dir));
}

TEST(hooks_no_fd_leak)
{
  _cleanup_free_ char *exe = self_exe(), *dir = tmp_dir();
  _cleanup_free_ char *out = NULL;
  CHECK(asprintf(&out, "%s/fds", dir) > 0);
  /* An fd without O_CLOEXEC, as a careless caller might hold. */
  int leaky = open("/dev/null", O_RDONLY);
  CHECK(leaky >= 3);
  char *args[] = { (char *) "helper", (char *) "--dump-fds", out, NULL };
  oci_hook h = { .path = exe, .args = args };
  cell_error err = CELL_ERROR_INIT;
  CHECK_INT(run_hooks(&h, 1, OCI_HOOK_CREATE_RUNTIME, NULL, &err), 0);
  close(leaky);
  _cleanup_free_ char *got = slurp(out);
  CHECK_STR(got, "0\n1\n2\n");
  rm_dir(cell_steal(&dir));
}

TEST(hooks_exec_failure)
{
  cell_error err = CELL_ERROR_INIT;
  oci_hook h = { .path = (char *) "/nonexistent/hook" };
  CHECK(run_hooks(&h, 1, OCI_HOOK_CREATE_RUNTIME, NULL, &err) < 0);
  CHECK_STR(err.msg, "createRuntime hook #1 (`/nonexistent/hook`): exec `/nonexistent/hook`: "
                     "No such file or directory");
  cell_error_clear(&err);
}

TEST(hooks_runtime_without_stdio)
{
  /* A runtime started with 0, 1 and 2 closed (as daemons sometimes do):
   * the hook still gets the state on its stdin and its own stdout. */
  _cleanup_free_ char *dir = tmp_dir();
  _cleanup_free_ char *script = NULL, *path = NULL;
  CHECK(asprintf(&path, "%s/stdin", dir) > 0);
  CHECK(asprintf(&script, "cat > %s && echo out && echo err >&2", path) > 0);
  fflush(NULL);
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    close(0);
    close(1);
    close(2);
    char *a[4];
    oci_hook h = sh_hook(script, a);
    cell_error err = CELL_ERROR_INIT;
    int r = run_hooks(&h, 1, OCI_HOOK_CREATE_RUNTIME, NULL, &err);
    _exit(r == 0 ? 0 : 1);
  }
  int status = 0;
  CHECK(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  _cleanup_free_ char *got = slurp(path);
  CHECK_STR(got, state);
  rm_dir(cell_steal(&dir));
}

TEST(hooks_output_to_files)
{
  /* cell_hook_output: stdout and stderr appended to the given files, and a
   * failing hook's message then has nothing of them. */
  _cleanup_free_ char *dir = tmp_dir();
  _cleanup_free_ char *op = NULL, *ep = NULL;
  CHECK(asprintf(&op, "%s/out", dir) > 0);
  CHECK(asprintf(&ep, "%s/err", dir) > 0);
  cell_hook_output o = { open(op, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600),
                         open(ep, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600) };
  CHECK(o.out_fd >= 0 && o.err_fd >= 0);
  char *a[4], *b[4];
  oci_hook hooks[2] = { sh_hook("echo one; echo uno >&2", a),
                        sh_hook("echo two; echo dos >&2; exit 5", b) };
  oci_hook_list list = { hooks, 2 };
  cell_error err = CELL_ERROR_INIT;
  CHECK(cell_hooks_run(&list, OCI_HOOK_CREATE_RUNTIME, state, &o, NULL, &err) < 0);
  CHECK(strstr(err.msg, "exited with status 5") != NULL);
  CHECK(strstr(err.msg, "dos") == NULL);
  cell_error_clear(&err);
  cell_hook_output_close(&o);
  CHECK_INT(o.out_fd, -1);
  _cleanup_free_ char *out = slurp(op), *errs = slurp(ep);
  CHECK_STR(out, "one\ntwo\n");
  CHECK_STR(errs, "uno\ndos\n");
  rm_dir(cell_steal(&dir));
}

TEST(hooks_state_status_and_pid)
{
  _cleanup_free_ char *a = cell_hooks_state(state, "created", 1);
  CHECK(a != NULL);
  CHECK(strstr(a, "\"status\":\"created\"") != NULL);
  CHECK(strstr(a, "\"pid\":1") != NULL);
  CHECK(strstr(a, "\"id\":\"t\"") != NULL);
  _cleanup_free_ char *b = cell_hooks_state(state, "created", 0);
  CHECK(b != NULL && strstr(b, "\"pid\":42") != NULL);
  CHECK(cell_hooks_state("[1]", "created", 0) == NULL);
  CHECK(cell_hooks_state("not json", "created", 0) == NULL);
  CHECK(cell_hooks_state("{} {}", "created", 0) == NULL);
  CHECK(cell_hooks_state(NULL, "created", 0) == NULL);
  /* the rest of the state is passed on as it is */
  _cleanup_free_ char *c = cell_hooks_state("{\"id\":\"t\",\"annotations\":{\"a\":\"\\u00e9\"},"
                                            "\"status\":\"creating\"}", "running", 5);
  CHECK_STR(c, "{\"id\":\"t\",\"annotations\":{\"a\":\"\u00e9\"},\"status\":\"running\",\"pid\":5}");
}
