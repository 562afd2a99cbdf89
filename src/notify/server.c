/* The notification server: one epoll loop that accepts hand-off messages
 * (listener fd + ContainerProcessState JSON), serves each container's
 * listener with its handlers and plugins, and forgets a container when its
 * listener hangs up.  cell-agent and the per-container monitor run it. */
#include "notify/internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json-jansson.h"
#include "util/json.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_MESSAGE (64 * 1024)
#define MAX_HANDLERS 16
#define MAX_FORGOTTEN 64

enum item_kind { IT_LISTEN, IT_CONN, IT_CONTAINER };

typedef struct item {
  enum item_kind kind;
  int fd;
  struct item *next;  /* in the server's list of its kind */
} item;

typedef struct conn {
  item it;
  char *buf;
  size_t len;
  int passed_fd;
  int nfds;
} conn;

typedef struct cn_count {
  int nr;
  char decision[24];
  unsigned long n;
} cn_count;

typedef struct cn_container {
  item it;
  pid_t pid;
  char *id;
  char *bundle;
  char *metadata;
  char *state_json;
  char *handler_spec;
  cn_handler handlers[MAX_HANDLERS];
  size_t nhandlers;
  void **opaque;        /* one per plugin of the server */
  bool *started;
  bool default_continue;
  int default_errno;
  cn_count *counts;
  size_t ncounts;
} cn_container;

struct cn_server {
  cn_server_opts o;
  int epfd;
  item *listens;
  item *conns;
  item *containers;
  cn_container *forgotten[MAX_FORGOTTEN];  /* ring of finished containers, for stats */
  size_t nforgotten;
  unsigned long rejected;
  cn_plugin_set plugins;
  struct seccomp_notif_sizes sizes;
  struct seccomp_notif *req;
  struct seccomp_notif_resp *resp;
};

/* crun's configuration for its plugins' start(). */
struct crun_conf {
  const char *runtime_root_path;
  const char *name;
  const char *bundle_path;
  const char *oci_config_path;
};

static void list_remove(item **head, item *it)
{
  for (item **p = head; *p; p = &(*p)->next)
    if (*p == it) {
      *p = it->next;
      return;
    }
}

int cn_server_new(const cn_server_opts *o, cn_server **out, cell_error *err)
{
  cn_server *s = calloc(1, sizeof *s);
  if (!s)
    return cell_error_set(err, ENOMEM, "out of memory");
  s->o = *o;
  s->epfd = epoll_create1(EPOLL_CLOEXEC);
  if (s->epfd < 0) {
    int r = cell_error_sys(err, "epoll_create1");
    free(s);
    return r;
  }
  if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &s->sizes) < 0) {
    int r = cell_error_sys(err, "seccomp(SECCOMP_GET_NOTIF_SIZES)");
    cn_server_free(s);
    return r;
  }
  /* The kernel may know bigger structs than our headers: allocate its sizes. */
  size_t rq = s->sizes.seccomp_notif > sizeof *s->req ? s->sizes.seccomp_notif : sizeof *s->req;
  size_t rs = s->sizes.seccomp_notif_resp > sizeof *s->resp ? s->sizes.seccomp_notif_resp
                                                             : sizeof *s->resp;
  s->req = o->req_area && o->req_area_size >= rq ? o->req_area : calloc(1, rq);
  s->resp = calloc(1, rs);
  if (!s->req || !s->resp) {
    cn_server_free(s);
    return cell_error_set(err, ENOMEM, "out of memory");
  }
  s->sizes.seccomp_notif = (uint16_t) rq;
  s->sizes.seccomp_notif_resp = (uint16_t) rs;
  int r = cn_plugins_load(&s->plugins, o->plugins, err);
  if (r < 0) {
    cn_server_free(s);
    return r;
  }
  *out = s;
  return 0;
}

static int watch(cn_server *s, item *it, cell_error *err)
{
  struct epoll_event ev = { .events = EPOLLIN, .data.ptr = it };
  if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, it->fd, &ev) < 0)
    return cell_error_sys(err, "epoll_ctl add fd %d", it->fd);
  return 0;
}

int cn_server_add_listen(cn_server *s, int fd, cell_error *err)
{
  item *it = calloc(1, sizeof *it);
  if (!it)
    return cell_error_set(err, ENOMEM, "out of memory");
  *it = (item) { IT_LISTEN, fd, s->listens };
  int r = watch(s, it, err);
  if (r < 0) {
    free(it);
    return r;
  }
  s->listens = it;
  return 0;
}

int cn_server_add_conn(cn_server *s, int fd, cell_error *err)
{
  conn *c = calloc(1, sizeof *c);
  if (!c)
    return cell_error_set(err, ENOMEM, "out of memory");
  c->it = (item) { IT_CONN, fd, s->conns };
  c->passed_fd = -1;
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0)
    (void) fcntl(fd, F_SETFL, fl | O_NONBLOCK);
  int r = watch(s, &c->it, err);
  if (r < 0) {
    free(c);
    return r;
  }
  s->conns = &c->it;
  return 0;
}

static void conn_close(cn_server *s, conn *c)
{
  epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->it.fd, NULL);
  list_remove(&s->conns, &c->it);
  close(c->it.fd);
  if (c->passed_fd >= 0)
    close(c->passed_fd);
  free(c->buf);
  free(c);
}

static void container_free(cn_container *c)
{
  if (!c)
    return;
  free(c->id);
  free(c->bundle);
  free(c->metadata);
  free(c->state_json);
  free(c->handler_spec);
  free(c->opaque);
  free(c->started);
  free(c->counts);
  free(c);
}

static void container_stop_plugins(cn_server *s, cn_container *c)
{
  for (size_t i = 0; i < s->plugins.n; i++)
    if (c->started[i] && s->plugins.v[i].stop) {
      s->plugins.v[i].stop(c->opaque[i]);
      c->started[i] = false;
    }
}

/* The listener hung up (or the server stops): stop the plugins, close,
 * keep the counts for the stats. */
static void container_forget(cn_server *s, cn_container *c, const char *why)
{
  epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->it.fd, NULL);
  list_remove(&s->containers, &c->it);
  container_stop_plugins(s, c);
  close(c->it.fd);
  c->it.fd = -1;
  cell_log_write(s->o.log, "info", "container=%s pid=%d forgotten: %s", c->id, (int) c->pid, why);
  size_t slot = s->nforgotten % MAX_FORGOTTEN;
  container_free(s->forgotten[slot]);
  s->forgotten[slot] = c;
  s->nforgotten++;
}

void cn_server_free(cn_server *s)
{
  if (!s)
    return;
  while (s->containers)
    container_forget(s, (cn_container *) s->containers, "the server stops");
  while (s->conns)
    conn_close(s, (conn *) s->conns);
  for (item *it = s->listens, *n; it; it = n) {
    n = it->next;
    free(it);  /* the listening fd belongs to the caller */
  }
  for (size_t i = 0; i < MAX_FORGOTTEN; i++)
    container_free(s->forgotten[i]);
  cn_plugins_free(&s->plugins);
  if (s->epfd >= 0)
    close(s->epfd);
  if (s->req != s->o.req_area)
    free(s->req);
  free(s->resp);
  free(s);
}

/* ---- accepting a container ------------------------------------------------ */

/* listenerMetadata: words separated by blanks or ';', each `key=value`:
 *   handlers=a,b,c  default=continue|errno:N  name=ID ; others ignored. */
static int parse_metadata(cn_server *s, cn_container *c, cell_error *err)
{
  _cleanup_free_ char *md = strdup(c->metadata ? c->metadata : "");
  if (!md)
    return cell_error_set(err, ENOMEM, "out of memory");
  const char *handlers = s->o.default_handlers;
  char *save = NULL;
  c->default_errno = ENOTSUP;
  for (char *w = strtok_r(md, " \t\n;", &save); w; w = strtok_r(NULL, " \t\n;", &save)) {
    char *eq = strchr(w, '=');
    if (!eq)
      continue;
    *eq = 0;
    const char *v = eq + 1;
    if (strcmp(w, "handlers") == 0)
      handlers = v;
    else if (strcmp(w, "name") == 0 && *v) {
      free(c->id);
      c->id = strdup(v);
      if (!c->id)
        return cell_error_set(err, ENOMEM, "out of memory");
    } else if (strcmp(w, "default") == 0) {
      cn_handler h;
      if (strcmp(v, "continue") == 0)
        c->default_continue = true;
      else if (strncmp(v, "errno:", 6) == 0 && cn_handler_parse(v, &h, err) >= 0)
        c->default_errno = (int) h.arg;
      else {
        cell_error_clear(err);
        return cell_error_set(err, EINVAL, "listenerMetadata: default=`%s`: use continue or "
                              "errno:N", v);
      }
    }
  }
  c->handler_spec = strdup(handlers ? handlers : "");
  if (!c->handler_spec)
    return cell_error_set(err, ENOMEM, "out of memory");
  _cleanup_free_ char *list = strdup(c->handler_spec);
  if (!list)
    return cell_error_set(err, ENOMEM, "out of memory");
  for (char *h = strtok_r(list, ",", &save); h; h = strtok_r(NULL, ",", &save)) {
    if (c->nhandlers == MAX_HANDLERS)
      return cell_error_set(err, E2BIG, "listenerMetadata: more than %d handlers", MAX_HANDLERS);
    int r = cn_handler_parse(h, &c->handlers[c->nhandlers], err);
    if (r < 0)
      return cell_error_wrap(err, "listenerMetadata");
    c->nhandlers++;
  }
  return 0;
}

static bool is_seccomp_listener(int fd)
{
  char path[64], target[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(path, target, sizeof target - 1);
  if (n < 0)
    return false;
  target[n] = 0;
  return strcmp(target, "anon_inode:seccomp notify") == 0;
}

static int start_plugins(cn_server *s, cn_container *c, cell_error *err)
{
  for (size_t i = 0; i < s->plugins.n; i++) {
    cn_plugin *p = &s->plugins.v[i];
    int r = 0;
    if (!p->start)
      ;
    else if (p->crun) {
      struct crun_conf cc = { NULL, c->id, c->bundle, NULL };
      r = ((int (*)(void **, struct crun_conf *, size_t)) p->start)(&c->opaque[i], &cc, sizeof cc);
    } else {
      struct cell_seccomp_plugin_conf conf = {
        .size = sizeof conf, .version = CELL_SECCOMP_PLUGIN_VERSION, .container_id = c->id,
        .bundle = c->bundle, .state_json = c->state_json, .metadata = c->metadata,
        .pid = (int) c->pid,
      };
      r = ((cell_seccomp_plugin_start_fn) p->start)(&c->opaque[i], &conf);
    }
    if (r < 0)
      return cell_error_sys_code(err, r, "seccomp plugin `%s`: start", p->path);
    c->started[i] = true;
  }
  return 0;
}

static const char *jstr(const cell_jv *o, const char *k)
{
  return cell_jv_str(cell_jv_get(o, k));
}

static int reply_stats(cn_server *s, conn *cn)
{
  _cleanup_free_ char *st = cn_server_stats(s);
  if (!st)
    return -ENOMEM;
  int fl = fcntl(cn->it.fd, F_GETFL);
  if (fl >= 0)
    (void) fcntl(cn->it.fd, F_SETFL, fl & ~O_NONBLOCK);
  struct timeval tv = { 2, 0 };
  (void) setsockopt(cn->it.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  (void) cell_write_all(cn->it.fd, st, strlen(st));
  (void) cell_write_all(cn->it.fd, "\n", 1);
  return 0;
}

static int add_container(cn_server *s, int *fd, pid_t pid, const char *id, const char *bundle,
                         const char *metadata, const char *state_json, cell_error *err);

/* A complete message arrived on cn: a container, or a command. */
static int take_message(cn_server *s, conn *cn, cell_error *err)
{
  _cleanup_jdoc_ cell_jdoc *doc = NULL;
  int r = cell_json_parse(NULL, cn->buf ? cn->buf : "", cn->len, &doc, err);
  if (r < 0)
    return r == -EINVAL ? cell_error_wrap(err, "bad JSON") : r;
  const cell_jv *m = cell_jdoc_root(doc);
  if (!cell_jv_is_object(m))
    return cell_error_set(err, EINVAL, "bad JSON: %u:%u: expected an object, not %s", m->line,
                          m->col, cell_jv_type_name(m));
  const char *cmd = jstr(m, "command");
  if (cmd) {
    if (strcmp(cmd, "stats") == 0)
      r = reply_stats(s, cn);
    else
      r = cell_error_set(err, EINVAL, "unknown command `%s`", cmd);
    return r < 0 && !err->msg ? cell_error_set(err, -r, "stats") : r;
  }
  const cell_jv *fds = cell_jv_get(m, "fds"), *state = cell_jv_get(m, "state"), *e;
  int64_t pid = cell_jv_int(cell_jv_get(m, "pid"));
  int want = -1;
  size_t i;
  cell_jv_array_foreach(fds, i, e)
    if (cell_jv_str(e) && strcmp(cell_jv_str(e), "seccompFd") == 0)
      want = (int) i;
  const char *problem = NULL;
  if (want != 0)
    problem = "no \"seccompFd\" first in \"fds\"";
  else if (cn->passed_fd < 0)
    problem = "no fd came with the message";
  else if (cn->nfds != 1)
    problem = "more than one fd came with the message";
  else if (!is_seccomp_listener(cn->passed_fd))
    problem = "the fd is not a seccomp listener";
  else if (pid <= 0)
    problem = "no \"pid\"";
  else if (!cell_jv_is_object(state))
    problem = "no \"state\" object";
  if (problem)
    return cell_error_set(err, EINVAL, "%s", problem);
  const char *id = jstr(state, "id");
  char fallback[32];
  snprintf(fallback, sizeof fallback, "pid-%d", (int) pid);
  /* The container keeps the state as text, for its plugins. */
  json_t *copy = NULL;
  if ((r = cell_jv_to_json(state, &copy, err)) < 0)
    return cell_error_wrap(err, "state");
  char *state_text = json_dumps(copy, JSON_COMPACT);
  json_decref(copy);
  r = add_container(s, &cn->passed_fd, (pid_t) pid, id ? id : fallback, jstr(state, "bundle"),
                    jstr(m, "metadata"), state_text ? state_text : "{}", err);
  free(state_text);
  return r;
}

/* A container with listener *fd (taken on success; on failure left for
 * the caller to close, so that NOTIFY gets ENOSYS). */
static int add_container(cn_server *s, int *fd, pid_t pid, const char *id, const char *bundle,
                         const char *metadata, const char *state_json, cell_error *err)
{
  cn_container *c = calloc(1, sizeof *c);
  if (!c)
    return cell_error_set(err, ENOMEM, "out of memory");
  c->pid = pid;
  c->id = strdup(id);
  c->bundle = bundle ? strdup(bundle) : NULL;
  c->metadata = metadata ? strdup(metadata) : NULL;
  c->state_json = strdup(state_json);
  c->opaque = calloc(s->plugins.n + 1, sizeof *c->opaque);
  c->started = calloc(s->plugins.n + 1, sizeof *c->started);
  c->it = (item) { IT_CONTAINER, -1, NULL };
  int r;
  if (!c->id || !c->state_json || !c->opaque || !c->started)
    r = cell_error_set(err, ENOMEM, "out of memory");
  else
    r = parse_metadata(s, c, err);
  if (r >= 0)
    r = start_plugins(s, c, err);
  if (r < 0) {
    container_stop_plugins(s, c);
    cell_error_wrap(err, "container %s (pid %d)", c->id, (int) c->pid);
    container_free(c);
    return r;
  }
  c->it.fd = cell_steal_fd(fd);
  int fl = fcntl(c->it.fd, F_GETFL);
  if (fl >= 0)
    (void) fcntl(c->it.fd, F_SETFL, fl | O_NONBLOCK);
  if ((r = watch(s, &c->it, err)) < 0) {
    container_stop_plugins(s, c);
    close(c->it.fd);
    container_free(c);
    return r;
  }
  c->it.next = s->containers;
  s->containers = &c->it;
  cell_log_write(s->o.log, "info", "container=%s pid=%d accepted: handlers=%s plugins=%zu "
                 "default=%s", c->id, (int) c->pid, c->handler_spec, s->plugins.n,
                 c->default_continue ? "continue" : strerrorname_np(c->default_errno));
  if (s->o.on_container)
    s->o.on_container(s->o.ctx, c->it.fd, c->id, c->pid);
  return 0;
}

int cn_server_adopt(cn_server *s, int fd, const char *id, pid_t pid, cell_error *err)
{
  int r = add_container(s, &fd, pid, id, NULL, NULL, "{}", err);
  if (fd >= 0)
    close(fd);
  return r;
}

/* Does buf hold one whole JSON text? Not yet (a part, or something that is
 * no JSON at all): read on until the sender closes, and take_message says
 * what is wrong with it. */
static bool whole_json(const char *buf, size_t len)
{
  _cleanup_error_ cell_error err = CELL_ERROR_INIT;
  _cleanup_jdoc_ cell_jdoc *doc = NULL;
  return cell_json_parse(NULL, buf, len, &doc, &err) == 0;
}

static void conn_read(cn_server *s, conn *cn)
{
  for (;;) {
    char chunk[8192];
    union { struct cmsghdr h; char b[CMSG_SPACE(4 * sizeof(int))]; } u;
    struct iovec iov = { chunk, sizeof chunk };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b,
                          .msg_controllen = sizeof u.b };
    ssize_t n = recvmsg(cn->it.fd, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      return;
    for (struct cmsghdr *h = CMSG_FIRSTHDR(&msg); h; h = CMSG_NXTHDR(&msg, h))
      if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS) {
        size_t k = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < k; i++) {
          int fd;
          memcpy(&fd, CMSG_DATA(h) + i * sizeof(int), sizeof fd);
          cn->nfds++;
          if (cn->passed_fd < 0)
            cn->passed_fd = fd;
          else
            close(fd);
        }
      }
    if (n < 0) {
      cell_log_warn(s->o.log, "connection: recvmsg: %s; dropped", strerror(errno));
      s->rejected++;
      conn_close(s, cn);
      return;
    }
    if (n == 0)
      break;
    if (cn->len + (size_t) n > MAX_MESSAGE) {
      cell_log_warn(s->o.log, "connection: message longer than %d bytes; dropped", MAX_MESSAGE);
      s->rejected++;
      conn_close(s, cn);
      return;
    }
    char *nb = realloc(cn->buf, cn->len + (size_t) n + 1);
    if (!nb) {
      conn_close(s, cn);
      return;
    }
    cn->buf = nb;
    memcpy(cn->buf + cn->len, chunk, (size_t) n);
    cn->len += (size_t) n;
    /* The listener and a whole JSON object: the message is complete even
     * if the sender keeps the connection open. */
    if (cn->passed_fd >= 0 && cn->buf[cn->len - 1] == '}') {
      if (whole_json(cn->buf, cn->len))
        break;
    }
  }
  /* EOF: the sender closed, the message is complete. */
  cell_error err = CELL_ERROR_INIT;
  if (cn->len == 0 && cn->passed_fd < 0) {
    cell_log_warn(s->o.log, "connection: closed without a message; dropped");
    s->rejected++;
  } else if (take_message(s, cn, &err) < 0) {
    cell_log_warn(s->o.log, "connection: refused: %s", err.msg);
    s->rejected++;
  }
  cell_error_clear(&err);
  conn_close(s, cn);
}

static void do_accept(cn_server *s, item *l)
{
  for (;;) {
    int fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
        cell_log_warn(s->o.log, "accept: %s", strerror(errno));
      return;
    }
    cell_error err = CELL_ERROR_INIT;
    if (cn_server_add_conn(s, fd, &err) < 0) {
      cell_log_warn(s->o.log, "%s", err.msg);
      cell_error_clear(&err);
      close(fd);
    }
  }
}

/* ---- serving notifications ------------------------------------------------- */

static void count(cn_container *c, int nr, const char *decision)
{
  for (size_t i = 0; i < c->ncounts; i++)
    if (c->counts[i].nr == nr && strcmp(c->counts[i].decision, decision) == 0) {
      c->counts[i].n++;
      return;
    }
  cn_count *v = realloc(c->counts, (c->ncounts + 1) * sizeof *v);
  if (!v)
    return;
  c->counts = v;
  c->counts[c->ncounts].nr = nr;
  snprintf(c->counts[c->ncounts].decision, sizeof c->counts[0].decision, "%s", decision);
  c->counts[c->ncounts++].n = 1;
}

static cn_verdict run_plugins(cn_server *s, cn_req *r)
{
  cn_container *c = r->c;
  for (size_t i = 0; i < s->plugins.n; i++) {
    cn_plugin *p = &s->plugins.v[i];
    int handled = CELL_SECCOMP_PLUGIN_NOT_HANDLED;
    int ret = p->handle(c->opaque[i], &s->sizes, r->req, r->resp, r->listener, &handled);
    r->handler = p->path;
    if (ret < 0) {
      r->resp->error = ret;
      return CN_REPLY;
    }
    switch (handled) {
    case CELL_SECCOMP_PLUGIN_SEND_RESPONSE: return CN_REPLY;
    case CELL_SECCOMP_PLUGIN_DELAYED_RESPONSE: return CN_DELAYED;
    case CELL_SECCOMP_PLUGIN_SEND_RESPONSE_AND_CONTINUE: return CN_CONTINUE;
    default: break;
    }
  }
  return CN_NEXT;
}

static void serve(cn_server *s, cn_container *c)
{
  memset(s->req, 0, s->sizes.seccomp_notif);
  if (ioctl(c->it.fd, SECCOMP_IOCTL_NOTIF_RECV, s->req) < 0) {
    if (errno != ENOENT && errno != EINTR && errno != EAGAIN)
      cell_log_warn(s->o.log, "container=%s: SECCOMP_IOCTL_NOTIF_RECV: %s", c->id, strerror(errno));
    return;  /* ENOENT: the target was interrupted; normal */
  }
  memset(s->resp, 0, s->sizes.seccomp_notif_resp);
  s->resp->id = s->req->id;
  cn_req r = { .req = s->req, .resp = s->resp, .sizes = &s->sizes, .listener = c->it.fd,
               .c = c, .ctx = s->o.ctx, .handler = "default" };
  cn_verdict v = CN_NEXT;
  for (size_t i = 0; i < c->nhandlers && v == CN_NEXT; i++) {
    r.handler = c->handlers[i].name;
    v = c->handlers[i].fn(&r, c->handlers[i].arg);
    if (v == CN_NEXT)
      r.note[0] = 0;
  }
  if (v == CN_NEXT)
    v = run_plugins(s, &r);
  if (v == CN_NEXT) {
    r.handler = "default";
    if (c->default_continue)
      v = CN_CONTINUE;
    else {
      s->resp->error = -c->default_errno;
      v = CN_REPLY;
    }
  }
  char decision[24];
  if (v == CN_DELAYED)
    snprintf(decision, sizeof decision, "delayed");
  else {
    if (v == CN_CONTINUE) {
      s->resp->error = 0;
      s->resp->val = 0;
      s->resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
      snprintf(decision, sizeof decision, "continue");
    } else if (s->resp->error)
      snprintf(decision, sizeof decision, "errno:%s", strerrorname_np(-s->resp->error)
               ? strerrorname_np(-s->resp->error) : "?");
    else
      snprintf(decision, sizeof decision, "success");
    if (ioctl(c->it.fd, SECCOMP_IOCTL_NOTIF_SEND, s->resp) < 0) {
      if (errno != ENOENT)
        cell_log_warn(s->o.log, "container=%s: SECCOMP_IOCTL_NOTIF_SEND: %s", c->id,
                      strerror(errno));
      snprintf(decision, sizeof decision, "gone");  /* the target went away: normal */
    }
  }
  int nr = s->req->data.nr;
  count(c, nr, decision);
  if (s->o.log_decisions) {
    const char *name = cn_syscall_name(s->req->data.arch, nr);
    cell_log_write(s->o.log, "info", "container=%s pid=%u syscall=%s(%d) decision=%s handler=%s%s%s",
                   c->id, s->req->pid, name ? name : "?", nr, decision, r.handler,
                   r.note[0] ? " " : "", r.note);
  }
}

/* ---- the loop ---------------------------------------------------------------- */

int cn_server_run(cn_server *s, volatile sig_atomic_t *stop, volatile sig_atomic_t *dump,
                  const char *dump_path, cell_error *err)
{
  struct epoll_event evs[32];
  while (!(stop && *stop)) {
    if (dump && *dump) {
      *dump = 0;
      _cleanup_free_ char *st = cn_server_stats(s);
      cell_error e = CELL_ERROR_INIT;
      if (st && dump_path && cell_write_file_atomic(dump_path, st, strlen(st), 0644, &e) < 0)
        cell_log_warn(s->o.log, "stats: %s", e.msg);
      cell_error_clear(&e);
    }
    if (s->o.tick)
      s->o.tick(s->o.ctx);
    if (s->o.exit_when_idle && !s->containers && !s->conns)
      return 0;
    int n = epoll_wait(s->epfd, evs, 32, 1000);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return cell_error_sys(err, "epoll_wait");
    }
    for (int i = 0; i < n; i++) {
      item *it = evs[i].data.ptr;
      /* An earlier event of this round may have freed an item; look it up. */
      bool live = false;
      for (item *l = it->kind == IT_LISTEN ? s->listens : it->kind == IT_CONN ? s->conns
                                                                              : s->containers;
           l && !live; l = l->next)
        live = l == it;
      if (!live)
        continue;
      if (it->kind == IT_LISTEN)
        do_accept(s, it);
      else if (it->kind == IT_CONN)
        conn_read(s, (conn *) it);
      else {
        cn_container *c = (cn_container *) it;
        if (evs[i].events & EPOLLIN)
          serve(s, c);
        if (evs[i].events & (EPOLLHUP | EPOLLERR))
          container_forget(s, c, "the listener hung up (no task uses the filter)");
      }
    }
  }
  return 0;
}

/* ---- stats --------------------------------------------------------------------- */

static json_t *container_json(const cn_container *c, bool live)
{
  json_t *counts = json_array();
  for (size_t i = 0; i < c->ncounts; i++) {
    const char *name = cn_syscall_name(0xc000003e /* AUDIT_ARCH_X86_64 */, c->counts[i].nr);
    json_array_append_new(counts, json_pack("{s:s, s:i, s:s, s:I}", "syscall", name ? name : "?",
                                            "nr", c->counts[i].nr, "decision",
                                            c->counts[i].decision, "count",
                                            (json_int_t) c->counts[i].n));
  }
  return json_pack("{s:s, s:i, s:b, s:s, s:o}", "id", c->id, "pid", (int) c->pid, "live", live,
                   "handlers", c->handler_spec ? c->handler_spec : "", "counts", counts);
}

char *cn_server_stats(cn_server *s)
{
  json_t *list = json_array();
  for (item *it = s->containers; it; it = it->next)
    json_array_append_new(list, container_json((cn_container *) it, true));
  size_t nf = s->nforgotten < MAX_FORGOTTEN ? s->nforgotten : MAX_FORGOTTEN;
  for (size_t i = 0; i < nf; i++)
    json_array_append_new(list, container_json(s->forgotten[(s->nforgotten - 1 - i) % MAX_FORGOTTEN],
                                               false));
  json_t *o = json_pack("{s:o, s:I, s:I}", "containers", list, "forgotten",
                        (json_int_t) s->nforgotten, "rejected", (json_int_t) s->rejected);
  char *out = o ? json_dumps(o, JSON_COMPACT) : NULL;
  json_decref(o);
  return out;
}
