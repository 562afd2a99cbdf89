/* OCI hooks: fork+exec each hook with the state on stdin, its output
 * captured, a pidfd to wait for it with a deadline, and the spec's error
 * rules (see hooks.h). */
#include "runtime/hooks.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json-jansson.h"
#include "util/json.h"

#include <jansson.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How much of a hook's stdout/stderr is kept for the error message; the
 * rest is read and dropped so that the hook never blocks on a full pipe. */
#define HOOK_CAPTURE_MAX 4096

typedef struct hook_capture {
  char buf[HOOK_CAPTURE_MAX + 1];
  size_t len;
} hook_capture;

/* The fds of one hook run, closed whatever happens. */
typedef struct hook_fds {
  int in_r, in_w, out_r, out_w, err_r, err_w, exec_r, exec_w, pidfd;
} hook_fds;

static void hook_fds_close(hook_fds *f)
{
  int *all[] = { &f->in_r, &f->in_w, &f->out_r, &f->out_w, &f->err_r, &f->err_w,
                 &f->exec_r, &f->exec_w, &f->pidfd };
  for (size_t i = 0; i < sizeof all / sizeof *all; i++)
    if (*all[i] >= 0) {
      close(*all[i]);
      *all[i] = -1;
    }
}

static int64_t now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int set_nonblock(int fd)
{
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
    return -errno;
  return 0;
}

/* Read what is available from *fd into cap; closes *fd at EOF. */
static void capture_read(int *fd, hook_capture *cap)
{
  char tmp[4096];
  for (;;) {
    ssize_t n = read(*fd, tmp, sizeof tmp);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno == EAGAIN)
      return;
    if (n <= 0) {
      close(*fd);
      *fd = -1;
      return;
    }
    size_t room = HOOK_CAPTURE_MAX - cap->len;
    size_t take = (size_t) n < room ? (size_t) n : room;
    memcpy(cap->buf + cap->len, tmp, take);
    cap->len += take;
    cap->buf[cap->len] = '\0';
  }
}

/* Write what the pipe takes of the state; closes *fd when done or when the
 * hook closed its stdin (EPIPE is not an error: hooks need not read it). */
static void feed_stdin(int *fd, const char *data, size_t len, size_t *off)
{
  while (*off < len) {
    ssize_t n = write(*fd, data + *off, len - *off);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno == EAGAIN)
      return;
    if (n < 0)
      break; /* EPIPE and friends */
    *off += (size_t) n;
  }
  close(*fd);
  *fd = -1;
}

/* The child side: stdio onto the pipes, nothing else open, default signal
 * state, exec. Reports an exec failure's errno on exec_w. */
__attribute__((noreturn)) static void hook_child(const oci_hook *h, hook_fds *f,
                                                  const cell_hook_output *o)
{
  static char *const empty_env[] = { NULL };
  char *default_argv[] = { h->path, NULL };
  char *const *argv = (h->args && h->args[0]) ? h->args : default_argv;
  char *const *envp = h->env ? h->env : empty_env;
  int e;

  /* All pipe ends are above 2 (pipe_cloexec), so these cannot clobber one
   * another. */
  if (dup2(f->in_r, 0) < 0 || dup2(o && o->out_fd >= 0 ? o->out_fd : f->out_w, 1) < 0 ||
      dup2(o && o->err_fd >= 0 ? o->err_fd : f->err_w, 2) < 0)
    goto fail;
  /* Only exec_w (close-on-exec) survives until the exec. */
  if (cell_close_fds_from(3, &f->exec_w, 1) < 0)
    goto fail;

  struct sigaction dfl = { .sa_handler = SIG_DFL };
  for (int sig = 1; sig < NSIG; sig++)
    (void) sigaction(sig, &dfl, NULL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);

  execve(h->path, argv, envp);
fail:
  e = errno;
  (void) !write(f->exec_w, &e, sizeof e);
  _exit(127);
}

static void describe_status(int status, char *buf, size_t size)
{
  if (WIFEXITED(status))
    snprintf(buf, size, "exited with status %d", WEXITSTATUS(status));
  else if (WIFSIGNALED(status)) {
    const char *abbrev = sigabbrev_np(WTERMSIG(status));
    if (abbrev)
      snprintf(buf, size, "killed by signal SIG%s", abbrev);
    else
      snprintf(buf, size, "killed by signal %d", WTERMSIG(status));
  } else
    snprintf(buf, size, "ended with wait status 0x%x", (unsigned) status);
}

/* The hook's output as one line for a message: trailing space trimmed,
 * inner newlines (and NULs) turned into spaces. */
static void flatten(hook_capture *cap)
{
  while (cap->len > 0 && (cap->buf[cap->len - 1] == '\n' || cap->buf[cap->len - 1] == ' ' ||
                          cap->buf[cap->len - 1] == '\r' || cap->buf[cap->len - 1] == '\t'))
    cap->buf[--cap->len] = '\0';
  for (size_t i = 0; i < cap->len; i++)
    if (cap->buf[i] == '\n' || cap->buf[i] == '\0')
      cap->buf[i] = ' ';
}

/* Wait for the hook to end, feeding stdin and draining its output. Returns
 * 0 with *status set, or -ETIMEDOUT after killing it. */
static int hook_wait(pid_t pid, hook_fds *f, int timeout_s, const char *state, size_t state_len,
                     size_t *off, hook_capture *out, hook_capture *errc, int *status)
{
  int64_t deadline = timeout_s > 0 ? now_ms() + (int64_t) timeout_s * 1000 : -1;
  bool exited = false, timed_out = false;

  while (!exited) {
    struct pollfd p[4];
    int n = 0, ipid = -1, iin = -1, iout = -1, ierr = -1;
    if (f->pidfd >= 0) {
      ipid = n;
      p[n++] = (struct pollfd) { .fd = f->pidfd, .events = POLLIN };
    }
    if (f->in_w >= 0) {
      iin = n;
      p[n++] = (struct pollfd) { .fd = f->in_w, .events = POLLOUT };
    }
    if (f->out_r >= 0) {
      iout = n;
      p[n++] = (struct pollfd) { .fd = f->out_r, .events = POLLIN };
    }
    if (f->err_r >= 0) {
      ierr = n;
      p[n++] = (struct pollfd) { .fd = f->err_r, .events = POLLIN };
    }
    int wait_ms = -1;
    if (deadline >= 0) {
      int64_t left = deadline - now_ms();
      wait_ms = left > 0 ? (int) left : 0;
    }
    if (f->pidfd < 0 && (wait_ms < 0 || wait_ms > 10))
      wait_ms = 10; /* no pidfd: poll the child with waitpid */
    int r = poll(p, (nfds_t) n, wait_ms);
    if (r < 0 && errno != EINTR)
      return -errno;
    if (r > 0) {
      if (iin >= 0 && p[iin].revents)
        feed_stdin(&f->in_w, state, state_len, off);
      if (iout >= 0 && p[iout].revents)
        capture_read(&f->out_r, out);
      if (ierr >= 0 && p[ierr].revents)
        capture_read(&f->err_r, errc);
      if (ipid >= 0 && p[ipid].revents)
        exited = true;
    }
    if (f->pidfd < 0) {
      pid_t w = waitpid(pid, status, WNOHANG);
      if (w == pid)
        return 0; /* output left in the pipes is drained by the caller */
    }
    if (!exited && deadline >= 0 && now_ms() >= deadline) {
      timed_out = true;
      if (f->pidfd < 0 || syscall(SYS_pidfd_send_signal, f->pidfd, SIGKILL, NULL, 0) < 0)
        kill(pid, SIGKILL);
      break;
    }
  }
  while (waitpid(pid, status, 0) < 0) {
    if (errno != EINTR)
      return -errno;
  }
  return timed_out ? -ETIMEDOUT : 0;
}

/* Move fd above 2 (when the runtime runs with 0, 1 or 2 closed, pipe2 hands
 * those out, and the child's dup2s onto 0..2 would clobber them). */
static int above_stdio(int *fd)
{
  if (*fd > 2)
    return 0;
  int n = fcntl(*fd, F_DUPFD_CLOEXEC, 3);
  if (n < 0)
    return -errno;
  close(*fd);
  *fd = n;
  return 0;
}

static int pipe_cloexec(int *r, int *w)
{
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0)
    return -errno;
  *r = p[0];
  *w = p[1];
  return above_stdio(r) < 0 || above_stdio(w) < 0 ? -errno : 0;
}

/* Run one hook; err gets the message without the "KIND hook #N" prefix. */
static int hook_run_one(const oci_hook *h, const char *state, const cell_hook_output *o,
                        const cell_log *log, cell_error *err)
{
  hook_fds f = { -1, -1, -1, -1, -1, -1, -1, -1, -1 };
  size_t state_len = state ? strlen(state) : 0, off = 0;
  hook_capture *out = NULL, *errc = NULL;
  int r;

  bool to_out = o && o->out_fd >= 0, to_err = o && o->err_fd >= 0;
  if (pipe_cloexec(&f.in_r, &f.in_w) < 0 || (!to_out && pipe_cloexec(&f.out_r, &f.out_w) < 0) ||
      (!to_err && pipe_cloexec(&f.err_r, &f.err_w) < 0) || pipe_cloexec(&f.exec_r, &f.exec_w) < 0) {
    r = cell_error_sys(err, "pipe2");
    goto out;
  }
  /* The runtime's ends never block; the hook's ends are left as they are. */
  if (set_nonblock(f.in_w) < 0 || (!to_out && set_nonblock(f.out_r) < 0) ||
      (!to_err && set_nonblock(f.err_r) < 0)) {
    r = cell_error_sys(err, "fcntl O_NONBLOCK");
    goto out;
  }
  /* Most states fit in the pipe: write them before the hook even runs. */
  if (state_len > 65536)
    (void) fcntl(f.in_w, F_SETPIPE_SZ, (int) (state_len < (1 << 20) ? state_len : (1 << 20)));
  if (state_len == 0) {
    close(f.in_w);
    f.in_w = -1;
  } else
    feed_stdin(&f.in_w, state, state_len, &off);

  out = calloc(1, sizeof *out);
  errc = calloc(1, sizeof *errc);
  if (!out || !errc) {
    r = cell_error_set(err, ENOMEM, "out of memory");
    goto out;
  }

  pid_t pid = fork();
  if (pid < 0) {
    r = cell_error_sys(err, "fork");
    goto out;
  }
  if (pid == 0)
    hook_child(h, &f, o);

  int *child_ends[] = { &f.in_r, &f.out_w, &f.err_w, &f.exec_w };
  for (size_t i = 0; i < sizeof child_ends / sizeof *child_ends; i++)
    if (*child_ends[i] >= 0) {
      close(*child_ends[i]);
      *child_ends[i] = -1;
    }

  int exec_errno = 0;
  ssize_t n;
  do
    n = read(f.exec_r, &exec_errno, sizeof exec_errno);
  while (n < 0 && errno == EINTR);
  if (n == (ssize_t) sizeof exec_errno) {
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
      ;
    r = cell_error_sys_code(err, exec_errno, "exec `%s`", h->path);
    goto out;
  }

  f.pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
  int status = 0;
  r = hook_wait(pid, &f, h->has_timeout ? h->timeout : 0, state, state_len, &off, out, errc,
                &status);
  if (f.out_r >= 0)
    capture_read(&f.out_r, out);
  if (f.err_r >= 0)
    capture_read(&f.err_r, errc);
  flatten(out);
  flatten(errc);
  if (r == -ETIMEDOUT) {
    r = cell_error_set(err, ETIMEDOUT, "timed out after %ds", h->timeout);
    goto out;
  }
  if (r < 0) {
    r = cell_error_sys_code(err, r, "wait for hook");
    goto out;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    char what[64];
    describe_status(status, what, sizeof what);
    const char *text = errc->len ? errc->buf : out->buf;
    r = cell_error_set(err, ECANCELED, "%s%s%s", what, *text ? ": " : "", text);
    goto out;
  }
  if (errc->len)
    cell_log_debug(log, "hook `%s` stderr: %s", h->path, errc->buf);
  if (out->len)
    cell_log_debug(log, "hook `%s` stdout: %s", h->path, out->buf);
  r = 0;
out:
  hook_fds_close(&f);
  free(out);
  free(errc);
  return r;
}

static bool hook_kind_fatal(oci_hook_kind kind)
{
  return kind != OCI_HOOK_POSTSTART && kind != OCI_HOOK_POSTSTOP;
}

int cell_hooks_run(const oci_hook_list *list, oci_hook_kind kind, const char *state_json,
                   const cell_hook_output *out, const cell_log *log, cell_error *err)
{
  if (!list || list->n == 0)
    return 0;
  const char *kname = oci_hook_kind_name(kind);

  /* A hook that exits without reading its stdin must not SIGPIPE us. */
  sigset_t pipe_set, old_mask, pending;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  sigpending(&pending);
  bool was_pending = sigismember(&pending, SIGPIPE);
  sigprocmask(SIG_BLOCK, &pipe_set, &old_mask);

  int r = 0;
  for (size_t i = 0; i < list->n; i++) {
    const oci_hook *h = &list->hooks[i];
    cell_error e = CELL_ERROR_INIT;
    int hr = hook_run_one(h, state_json, out, log, &e);
    if (hr >= 0)
      continue;
    cell_error_wrap(&e, "%s hook #%zu (`%s`)", kname, i + 1, h->path);
    if (hook_kind_fatal(kind)) {
      cell_error_move(err, &e);
      r = hr;
      break;
    }
    cell_log_warn(log, "%s", e.msg);
    cell_error_cleanup(&e);
  }

  if (!was_pending) {
    sigpending(&pending);
    if (sigismember(&pending, SIGPIPE)) {
      struct timespec zero = { 0, 0 };
      (void) sigtimedwait(&pipe_set, NULL, &zero);
    }
  }
  sigprocmask(SIG_SETMASK, &old_mask, NULL);
  return r;
}

static int open_output(const oci_config *c, const char *key, int *fd, cell_error *err)
{
  const char *path = oci_annotation(c, key);
  *fd = -1;
  if (!path)
    return 0;
  if (!*path || path[0] != '/')
    return cell_error_set(err, EINVAL, "%s: annotations.%s: `%s` is not an absolute path",
                          c->config_path, key, path);
  *fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0600);
  if (*fd < 0)
    return cell_error_sys(err, "%s: annotations.%s: open `%s`", c->config_path, key, path);
  return 0;
}

int cell_hook_output_open(const oci_config *c, cell_hook_output *o, cell_error *err)
{
  *o = CELL_HOOK_OUTPUT_NONE;
  int r;
  if ((r = open_output(c, CELL_ANNOTATION_HOOKS_STDOUT, &o->out_fd, err)) < 0 ||
      (r = open_output(c, CELL_ANNOTATION_HOOKS_STDERR, &o->err_fd, err)) < 0) {
    cell_hook_output_close(o);
    return r;
  }
  return 0;
}

void cell_hook_output_close(cell_hook_output *o)
{
  if (o->out_fd >= 0)
    close(o->out_fd);
  if (o->err_fd >= 0)
    close(o->err_fd);
  *o = CELL_HOOK_OUTPUT_NONE;
}

char *cell_hooks_state(const char *state_json, const char *status, pid_t pid)
{
  _cleanup_error_ cell_error err = CELL_ERROR_INIT;
  _cleanup_jdoc_ cell_jdoc *doc = NULL;
  json_t *s = NULL;
  if (!state_json || cell_json_parse(NULL, state_json, strlen(state_json), &doc, &err) < 0 ||
      !cell_jv_is_object(cell_jdoc_root(doc)) || cell_jv_to_json(cell_jdoc_root(doc), &s, &err) < 0)
    return NULL;
  char *out = NULL;
  if (json_object_set_new(s, "status", json_string(status)) == 0 &&
      (pid <= 0 || json_object_set_new(s, "pid", json_integer(pid)) == 0))
    out = json_dumps(s, JSON_COMPACT);
  json_decref(s);
  return out;
}

int cell_hooks_run_in_runtime_ns(const oci_config *c, oci_hook_kind kind, const char *state_json,
                                 const cell_log *log, const cell_exe_guard *guard,
                                 cell_error *err)
{
  if (!c || !c->hooks[kind].n)
    return 0;
  int cwd;
  cell_hook_output out = CELL_HOOK_OUTPUT_NONE;
  int r = cell_exe_guard_enter_host(guard, &cwd, err);
  if (r >= 0)
    r = cell_hook_output_open(c, &out, err);
  if (r >= 0)
    r = cell_hooks_run(&c->hooks[kind], kind, state_json, &out, log, err);
  cell_hook_output_close(&out);
  cell_error e2 = CELL_ERROR_INIT;
  int r2 = cell_exe_guard_leave_host(guard, cwd, r < 0 ? &e2 : err);
  cell_error_clear(&e2);
  return r < 0 ? r : r2;
}
