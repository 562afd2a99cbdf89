/* The recorder: a monitor whose one handler, `record`, notes every call in
 * a recording (seccomp/recording.h) and answers it as the base profile
 * would (CONTINUE, or the base's errno), plus a standby process.
 *
 * The recording and the buffer NOTIF_RECV writes into live in a shared
 * mapping.  The standby holds a copy of every listener (the recorder sends
 * each one over a socketpair) and of the exec socket, and sleeps on that
 * socketpair.  When it reads end-of-file without the recorder's "finished"
 * mark, the recorder died: the standby answers the call the recorder had
 * received (its notification is in the shared buffer; ID_VALID tells
 * whether it still waits), then serves every listener with the same
 * handler, so that the container never waits for a dead process, and
 * writes the recording at the end.  If the standby dies instead, nothing
 * changes for the container. */
#include "notify/internal.h"
#include "notify/notify.h"
#include "seccomp/ir.h"
#include "seccomp/recording.h"
#include "seccomp/table.h"
#include "util/cleanup.h"
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define FLUSH_NS 1000000000ll
#define MAX_STANDBY_FDS 4096

typedef struct shared {
  cell_sc_recording rec;
  volatile uint32_t finished;   /* the recorder wrote the file and is leaving */
  volatile uint32_t accepted;   /* listeners ever served */
  char started[64];
  _Alignas(64) unsigned char req_area[4096];
} shared;

typedef struct cn_record {
  shared *sh;
  const cell_notify_monitor_opts *o;
  const cell_log *log;
  int standby;                  /* the recorder's end towards the standby, -1 */
  uint64_t flushed;             /* generation last written */
  long long flushed_at;
  bool write_failed;
  struct { uint32_t audit, nr; } clone3[32];  /* clone3 per architecture */
  size_t nclone3;
} cn_record;

static long long now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static void flush(cn_record *rc, bool partial)
{
  char ended[64];
  struct utsname u;
  cell_rfc3339_now(ended, sizeof ended);
  bool have_uname = uname(&u) == 0;
  cell_sc_rec_meta m = {
    .container = rc->o->container_id, .started = rc->sh->started, .ended = partial ? NULL : ended,
    .kernel = have_uname ? u.release : NULL, .base = rc->o->record->base != NULL,
    .partial = partial,
  };
  uint64_t gen = rc->sh->rec.generation;
  cell_error err = CELL_ERROR_INIT;
  if (cell_sc_rec_write(rc->o->record->path, &rc->sh->rec, &m, &err) < 0) {
    if (!rc->write_failed)
      cell_log_warn(rc->log, "%s", err.msg);
    rc->write_failed = true;
  } else
    rc->write_failed = false;
  cell_error_clear(&err);
  rc->flushed = gen;
  rc->flushed_at = now_ns();
}

static void tick(void *ctx)
{
  cn_record *rc = ctx;
  if (rc->sh->rec.generation != rc->flushed && now_ns() - rc->flushed_at >= FLUSH_NS)
    flush(rc, true);
}

static bool is_clone3(const cn_record *rc, uint32_t audit, uint32_t nr)
{
  for (size_t i = 0; i < rc->nclone3; i++)
    if (rc->clone3[i].audit == audit && rc->clone3[i].nr == nr)
      return true;
  return false;
}

/* clone3's flags: the first word of the struct clone_args at args[0]. */
static bool read_clone3_flags(const struct seccomp_notif *q, int listener, uint64_t *flags)
{
  int fd = cn_mem_open((pid_t) q->pid, false);
  if (fd < 0)
    return false;
  bool ok = cn_id_valid(listener, q->id) == 0 &&
            cn_mem_read(fd, q->data.args[0], flags, sizeof *flags) == 0;
  close(fd);
  return ok;
}

/* Note q and decide: true for CONTINUE, else resp holds the answer. */
static bool decide(cn_record *rc, const struct seccomp_notif *q, int listener,
                   struct seccomp_notif_resp *resp)
{
  uint32_t ret = cell_sc_record_answer(rc->o->record->base, &q->data);
  bool denied = (ret & CELL_SC_RET_ACTION_FULL) == CELL_SC_RET_ERRNO;
  uint64_t args[6];
  for (int i = 0; i < 6; i++)
    args[i] = q->data.args[i];
  bool known = true;
  if (is_clone3(rc, q->data.arch, (uint32_t) q->data.nr))
    known = read_clone3_flags(q, listener, &args[0]);
  cell_sc_rec_add(&rc->sh->rec, q->data.arch, (uint32_t) q->data.nr, args, known,
                  denied ? ret : CELL_SC_RET_ALLOW, denied);
  if (!denied)
    return true;
  resp->error = -(int32_t) (ret & CELL_SC_RET_DATA);
  resp->val = 0;
  resp->flags = 0;
  return false;
}

cn_verdict cn_handle_record(cn_req *r, long arg)
{
  (void) arg;
  if (!r->ctx)
    return CN_NEXT;  /* not a recorder (cell-agent): nothing to note into */
  return decide(r->ctx, r->req, r->listener, r->resp) ? CN_CONTINUE : CN_REPLY;
}

/* ---- recorder -> standby: the listeners ----------------------------------- */

struct fd_msg {
  int32_t pid;
  char id[256];
};

static void send_to_standby(void *ctx, int listener, const char *id, pid_t pid)
{
  cn_record *rc = ctx;
  rc->sh->accepted++;
  if (rc->standby < 0)
    return;
  struct fd_msg m = { .pid = (int32_t) pid };
  snprintf(m.id, sizeof m.id, "%s", id);
  union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } u;
  memset(&u, 0, sizeof u);
  struct iovec iov = { &m, sizeof m };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b,
                        .msg_controllen = sizeof u.b };
  struct cmsghdr *h = CMSG_FIRSTHDR(&msg);
  h->cmsg_level = SOL_SOCKET;
  h->cmsg_type = SCM_RIGHTS;
  h->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(h), &listener, sizeof listener);
  if (sendmsg(rc->standby, &msg, MSG_NOSIGNAL) < 0) {
    cell_log_warn(rc->log, "recorder: the standby is gone (%s): a death of the recorder would "
                  "now leave the container's calls without an answer (ENOSYS)", strerror(errno));
    close(rc->standby);
    rc->standby = -1;
  }
}

typedef struct adopted {
  int fd;
  pid_t pid;
  char id[256];
} adopted;

/* The standby: collect the listeners until the recorder's end closes. */
static __attribute__((noreturn)) void standby_main(cn_record *rc, int sock, pid_t recorder)
{
  adopted *v = calloc(MAX_STANDBY_FDS, sizeof *v);
  size_t n = 0;
  for (;;) {
    struct fd_msg m;
    union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } u;
    struct iovec iov = { &m, sizeof m };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b,
                          .msg_controllen = sizeof u.b };
    ssize_t got = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      break;
    struct cmsghdr *h = CMSG_FIRSTHDR(&msg);
    if (!h || h->cmsg_type != SCM_RIGHTS || (size_t) got != sizeof m)
      continue;
    int fd;
    memcpy(&fd, CMSG_DATA(h), sizeof fd);
    if (!v || n == MAX_STANDBY_FDS) {
      close(fd);
      continue;
    }
    m.id[sizeof m.id - 1] = 0;
    v[n].fd = fd;
    v[n].pid = m.pid;
    memcpy(v[n].id, m.id, sizeof m.id);
    n++;
  }
  close(sock);
  if (rc->sh->finished)
    _exit(0);
  cell_log_warn(rc->log, "recorder (pid %d) died: its standby answers the container's calls and "
                "writes the recording", (int) recorder);
  /* The call the recorder had received and not answered yet. */
  struct seccomp_notif *q = (struct seccomp_notif *) rc->sh->req_area;
  for (size_t i = 0; i < n; i++) {
    if (cn_id_valid(v[i].fd, q->id) < 0)
      continue;
    struct seccomp_notif_resp resp = { .id = q->id };
    if (decide(rc, q, v[i].fd, &resp))
      resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    (void) ioctl(v[i].fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
    break;
  }
  cn_server_opts so = { .log = rc->log, .default_handlers = "record", .exit_when_idle = true,
                        .ctx = rc, .req_area = rc->sh->req_area,
                        .req_area_size = sizeof rc->sh->req_area, .tick = tick };
  cn_server *s = NULL;
  cell_error err = CELL_ERROR_INIT;
  int r = cn_server_new(&so, &s, &err);
  for (size_t i = 0; i < n; i++) {
    if (r >= 0 && cn_server_adopt(s, v[i].fd, v[i].id, v[i].pid, &err) < 0) {
      cell_log_warn(rc->log, "standby: %s", err.msg);
      cell_error_clear(&err);
    } else if (r < 0)
      close(v[i].fd);
  }
  free(v);
  int lfd = rc->o->record->listen_fd;
  if (r >= 0 && lfd >= 0 && cn_server_add_listen(s, lfd, &err) < 0) {
    cell_log_warn(rc->log, "standby: %s", err.msg);
    cell_error_clear(&err);
  }
  if (r >= 0)
    r = cn_server_run(s, NULL, NULL, NULL, &err);
  if (r < 0)
    cell_log_error(rc->log, "standby: %s", err.msg);
  cn_server_free(s);
  flush(rc, false);
  _exit(r < 0 ? 1 : 0);
}

/* ---- the recorder ------------------------------------------------------------ */

static void report_and_exit(int report, cell_error *err)
{
  (void) cell_write_all(report, err->msg, strlen(err->msg));
  _exit(1);
}

void cn_record_main(const cell_notify_monitor_opts *o, int sock, int report, int pidpipe,
                    cell_log *log)
{
  cell_error err = CELL_ERROR_INIT;
  cn_record rc = { .o = o, .log = log, .standby = -1 };
  rc.sh = mmap(NULL, sizeof *rc.sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (rc.sh == MAP_FAILED) {
    cell_error_sys(&err, "seccomp recorder: map the recording");
    report_and_exit(report, &err);
  }
  cell_sc_rec_init(&rc.sh->rec);
  cell_rfc3339_now(rc.sh->started, sizeof rc.sh->started);
  const cell_sc_syscall *c3 = cell_sc_syscall_lookup("clone3");
  for (size_t i = 0; c3 && i < cell_sc_narches && rc.nclone3 < 32; i++) {
    int64_t nr = cell_sc_syscall_nr(&cell_sc_arches[i], c3);
    if (nr >= 0) {
      rc.clone3[rc.nclone3].audit = cell_sc_arches[i].audit;
      rc.clone3[rc.nclone3++].nr = (uint32_t) nr;
    }
  }
  int lfd = o->record->listen_fd;
  if (lfd >= 0) {
    int fl = fcntl(lfd, F_GETFL);
    if (fl < 0 || fcntl(lfd, F_SETFL, fl | O_NONBLOCK) < 0) {
      cell_error_sys(&err, "seccomp recorder: exec socket");
      report_and_exit(report, &err);
    }
  }
  int gs[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, gs) < 0) {
    cell_error_sys(&err, "seccomp recorder: socketpair");
    report_and_exit(report, &err);
  }
  pid_t self = getpid();
  pid_t standby = fork();
  if (standby < 0) {
    cell_error_sys(&err, "seccomp recorder: fork its standby");
    report_and_exit(report, &err);
  }
  if (standby == 0) {
    close(gs[0]);
    close(sock);
    close(report);
    close(pidpipe);
    standby_main(&rc, gs[1], self);
  }
  close(gs[1]);
  rc.standby = gs[0];
  pid_t pids[2] = { self, standby };
  (void) !write(pidpipe, pids, sizeof pids);
  close(pidpipe);
  cn_server_opts so = { .log = log, .default_handlers = "record", .exit_when_idle = true,
                        .ctx = &rc, .req_area = rc.sh->req_area,
                        .req_area_size = sizeof rc.sh->req_area,
                        .on_container = send_to_standby, .tick = tick };
  cn_server *s = NULL;
  if (cn_server_new(&so, &s, &err) < 0 || cn_server_add_conn(s, sock, &err) < 0 ||
      (lfd >= 0 && cn_server_add_listen(s, lfd, &err) < 0)) {
    cell_error_wrap(&err, "seccomp recorder");
    report_and_exit(report, &err);
  }
  close(report);  /* ready */
  int r = cn_server_run(s, NULL, NULL, NULL, &err);
  if (r < 0)
    cell_log_error(log, "seccomp recorder: %s", err.msg);
  cn_server_free(s);
  if (rc.sh->accepted)
    flush(&rc, false);
  rc.sh->finished = 1;
  if (rc.standby >= 0)
    close(rc.standby);
  _exit(r < 0 ? 1 : 0);
}
