/* The hand-off: checks of the config, the message, and no deadlock
 * whatever syscall is NOTIFY. */
#include "unit.h"
#include "helpers.h"
#include "notify/notify.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/seccomp.h>

TEST(validate_refuses_bad_configs)
{
  cell_error err = CELL_ERROR_INIT;
  cell_notify_config c = { .listener_metadata = "x" };
  CHECK_INT(cell_notify_validate(&c, &err), -EINVAL);
  CHECK(err.msg && strstr(err.msg, "listenerMetadata is set without linux.seccomp.listenerPath"));
  cell_error_clear(&err);
  c = (cell_notify_config) { .has_notify = true };
  CHECK_INT(cell_notify_validate(&c, &err), -EINVAL);
  CHECK(err.msg && strstr(err.msg, "neither linux.seccomp.listenerPath nor the annotation "
                          "run.oci.seccomp.plugins"));
  cell_error_clear(&err);
  c = (cell_notify_config) { .has_notify = true, .listener_path = "rel/sock" };
  CHECK_INT(cell_notify_validate(&c, &err), -EINVAL);
  CHECK(err.msg && strstr(err.msg, "linux.seccomp.listenerPath: `rel/sock` is not an absolute path"));
  cell_error_clear(&err);
  c = (cell_notify_config) { .has_notify = true, .plugins = "/a.so::/b.so" };
  CHECK_INT(cell_notify_validate(&c, &err), -EINVAL);
  CHECK(err.msg && strstr(err.msg, "empty plugin name"));
  cell_error_clear(&err);
  c = (cell_notify_config) { .has_notify = true, .receiver = "/run/r.sock" };
  CHECK_INT(cell_notify_validate(&c, &err), 0);
  const char *path;
  CHECK_INT(cell_notify_route_of(&c, &path), CELL_NOTIFY_ROUTE_LISTENER);
  CHECK_STR(path, "/run/r.sock");
  c = (cell_notify_config) { .has_notify = true, .listener_path = "/a", .listener_metadata = "m",
                             .plugins = "p.so" };
  CHECK_INT(cell_notify_validate(&c, &err), 0);
  CHECK_INT(cell_notify_route_of(&c, &path), CELL_NOTIFY_ROUTE_PLUGINS);
  c = (cell_notify_config) { .listener_path = "/a" };
  CHECK_INT(cell_notify_route_of(&c, &path), CELL_NOTIFY_ROUTE_NONE);
  cell_error_clear(&err);
}

TEST(message_has_the_spec_fields)
{
  cell_error err = CELL_ERROR_INIT;
  char *msg = NULL;
  size_t len = 0;
  CHECK_INT(cell_notify_message("{\"ociVersion\":\"1.0.2\",\"id\":\"c1\",\"pid\":42,\"status\":"
                                "\"creating\",\"bundle\":\"/b\"}", 0, "handlers=log", &msg, &len,
                                &err), 0);
  json_t *m = msg ? json_loadb(msg, len, 0, NULL) : NULL;
  CHECK(m != NULL);
  CHECK_STR(json_string_value(json_object_get(m, "ociVersion")), "1.0.2");
  CHECK_STR(json_string_value(json_array_get(json_object_get(m, "fds"), 0)), "seccompFd");
  CHECK_INT(json_integer_value(json_object_get(m, "pid")), 42);
  CHECK_STR(json_string_value(json_object_get(m, "metadata")), "handlers=log");
  CHECK_STR(json_string_value(json_object_get(json_object_get(m, "state"), "id")), "c1");
  json_decref(m);
  free(msg);
  CHECK_INT(cell_notify_message("[", 7, NULL, &msg, &len, &err), -EINVAL);
  CHECK(err.msg && strstr(err.msg, "bad state JSON"));
  cell_error_clear(&err);
  /* where the state is wrong, and a state that is no object */
  CHECK_INT(cell_notify_message("{\"id\":\"c1\",\n \"pid\": 01}", 7, NULL, &msg, &len, &err),
            -EINVAL);
  CHECK(err.msg && strncmp(err.msg, "seccomp listener message: bad state JSON: 2:9: ", 47) == 0);
  cell_error_clear(&err);
  CHECK_INT(cell_notify_message("[1]", 7, NULL, &msg, &len, &err), -EINVAL);
  CHECK_STR(err.msg, "seccomp listener message: bad state JSON: expected an object, not array");
  cell_error_clear(&err);
  /* the state goes into the message whole, its pid when none is given */
  CHECK_INT(cell_notify_message("{\"id\":\"c1\",\"pid\":9,\"annotations\":{\"a\":[1,2.5,null,true]}}",
                                0, NULL, &msg, &len, &err), 0);
  m = msg ? json_loadb(msg, len, 0, NULL) : NULL;
  json_t *want = json_loads("{\"id\":\"c1\",\"pid\":9,\"annotations\":{\"a\":[1,2.5,null,true]}}",
                            0, NULL);
  CHECK(json_equal(json_object_get(m, "state"), want));
  CHECK_INT(json_integer_value(json_object_get(m, "pid")), 9);
  json_decref(want);
  json_decref(m);
  free(msg);
}

/* Receive the hand-off on sock: the JSON message and the listener. */
static int receive(int sock, json_t **msg, int *listener, int ms)
{
  char buf[65536];
  size_t len = 0;
  *listener = -1;
  for (;;) {
    struct pollfd p = { sock, POLLIN, 0 };
    if (poll(&p, 1, ms) <= 0)
      return -ETIMEDOUT;
    union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } u;
    struct iovec iov = { buf + len, sizeof buf - len - 1 };
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b,
                         .msg_controllen = sizeof u.b };
    ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
    if (n < 0)
      return -errno;
    struct cmsghdr *h = CMSG_FIRSTHDR(&mh);
    if (h && h->cmsg_type == SCM_RIGHTS)
      memcpy(listener, CMSG_DATA(h), sizeof(int));
    if (n == 0)
      break;
    len += (size_t) n;
  }
  *msg = json_loadb(buf, len, 0, NULL);
  return *msg && *listener >= 0 ? 0 : -EBADMSG;
}

/* Answer every notification with CONTINUE until child exits. */
static int serve_continue(int listener, pid_t child, int ms, unsigned *served)
{
  int pfd = (int) syscall(SYS_pidfd_open, child, 0);
  struct seccomp_notif req;
  struct seccomp_notif_resp resp;
  for (;;) {
    struct pollfd p[2] = { { listener, POLLIN, 0 }, { pfd, POLLIN, 0 } };
    int n = poll(p, 2, ms);
    if (n <= 0)
      break;
    if (p[0].revents & POLLIN) {
      memset(&req, 0, sizeof req);
      if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) == 0) {
        resp = (struct seccomp_notif_resp) { .id = req.id, .flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE };
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0)
          (*served)++;
      }
      continue;
    }
    if (p[1].revents & POLLIN)
      break;
  }
  close(pfd);
  return t_wait(child, 10);
}

/* Make each syscall of the tests once, then exec /bin/true. */
static int exec_true(void *arg)
{
  (void) arg;
  int w = 0;
  struct msghdr mh = { 0 };
  (void) !write(-1, "", 0);
  (void) sendmsg(-1, &mh, 0);
  (void) fcntl(0, F_GETFD);
  (void) syscall(SYS_futex, &w, 1 /* FUTEX_WAKE */, 1, NULL, NULL, 0);
  (void) close(-1);
  execl("/bin/true", "true", (char *) NULL);
  return 127;
}

static void check_handoff(int *unit_failed_, int *unit_skipped_, const int *nrs, int n,
                          bool default_notify)
{
  cell_seccomp_filter f;
  CHECK_INT(t_filter(nrs, n, default_notify, &f), 0);
  int sp[2];
  CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
  pid_t pid = t_spawn(&f, sp[1], sp[0], "deadlock", "m=1", exec_true, NULL);
  close(sp[1]);
  json_t *msg = NULL;
  int listener = -1;
  int r = receive(sp[0], &msg, &listener, 5000);
  CHECK_INT(r, 0);
  if (r == 0) {
    CHECK_INT(json_integer_value(json_object_get(msg, "pid")), pid);
    CHECK_STR(json_string_value(json_object_get(msg, "metadata")), "m=1");
    CHECK_STR(json_string_value(json_array_get(json_object_get(msg, "fds"), 0)), "seccompFd");
    CHECK_STR(json_string_value(json_object_get(json_object_get(msg, "state"), "id")), "deadlock");
    unsigned served = 0;
    CHECK_INT(serve_continue(listener, pid, 5000, &served), 0);
    CHECK(served > 0);
  } else
    t_wait(pid, 10);
  json_decref(msg);
  if (listener >= 0)
    close(listener);
  close(sp[0]);
  free(f.insns);
}

#define HANDOFF_TEST(name)                                                    \
  TEST(handoff_no_deadlock_notify_##name)                                     \
  {                                                                           \
    check_handoff(unit_failed_, unit_skipped_, (int[]) { SYS_##name }, 1, false); \
  }
HANDOFF_TEST(sendmsg)
HANDOFF_TEST(write)
HANDOFF_TEST(close)
HANDOFF_TEST(fcntl)
HANDOFF_TEST(wait4)
HANDOFF_TEST(exit_group)
HANDOFF_TEST(execve)
HANDOFF_TEST(futex)
HANDOFF_TEST(munmap)

TEST(handoff_no_deadlock_many_notify)
{
  int nrs[] = { SYS_sendmsg, SYS_write, SYS_close, SYS_fcntl, SYS_wait4, SYS_exit_group,
                SYS_execve, SYS_futex, SYS_nanosleep, SYS_clock_gettime, SYS_munmap, SYS_brk };
  check_handoff(unit_failed_, unit_skipped_, nrs, sizeof nrs / sizeof nrs[0], false);
}

TEST(handoff_no_deadlock_notify_default_action)
{
  check_handoff(unit_failed_, unit_skipped_, (int[]) { SYS_getpid }, 1, true);
}

/* The receiver is gone: install fails with the reason, and the NOTIFY
 * syscalls of the process then fail with ENOSYS instead of hanging. */


TEST(handoff_failed_send_is_an_error_and_no_hang)
{
  cell_seccomp_filter f;
  CHECK_INT(t_filter((int[]) { SYS_getppid, SYS_write }, 2, false, &f), 0);
  int sp[2];
  CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
  close(sp[0]);  /* nobody receives */
  pid_t pid = fork();
  if (pid == 0) {
    char *msg = t_message("gone", getpid(), NULL);
    cell_error err = CELL_ERROR_INIT;
    cell_notify_target t = { sp[1], msg, strlen(msg), 2000 };
    (void) syscall(SYS_prctl, 38 /* PR_SET_NO_NEW_PRIVS */, 1, 0, 0, 0);
    int r = cell_notify_install(&f, &t, &err);
    if (r != -EPIPE || !err.msg || !strstr(err.msg, "send the seccomp listener to its receiver"))
      _exit(1);
    errno = 0;
    long v = syscall(SYS_getppid);
    _exit(v == -1 && errno == ENOSYS ? 0 : 2);
  }
  close(sp[1]);
  CHECK_INT(t_wait(pid, 5000), 0);
  free(f.insns);
}
