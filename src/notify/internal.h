/* Inside src/notify: the notification server that cell-agent and the
 * per-container monitor share, its handlers and its plugin host. */
#ifndef CELL_NOTIFY_INTERNAL_H
#define CELL_NOTIFY_INTERNAL_H
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/seccomp.h>
#include "cell/seccomp-plugin.h"
#include "util/error.h"
#include "util/log.h"

/* ---- plugins (plugins.c) ------------------------------------------------- */

typedef struct cn_plugin {
  char *path;
  void *dl;
  bool crun;       /* crun's API (run_oci_seccomp_notify_*) */
  void (*start)(void);  /* cast to the API's start type */
  cell_seccomp_plugin_handle_request_fn handle;
  cell_seccomp_plugin_stop_fn stop;
} cn_plugin;

typedef struct cn_plugin_set {
  cn_plugin *v;
  size_t n;
} cn_plugin_set;

/* dlopen each name of a colon-separated list (and append to set); checks
 * the symbols and the version.  Errors name the plugin. */
int cn_plugins_load(cn_plugin_set *set, const char *list, cell_error *err);
void cn_plugins_free(cn_plugin_set *set);

/* ---- decisions ----------------------------------------------------------- */

typedef enum {
  CN_NEXT,      /* not handled: ask the next handler */
  CN_REPLY,     /* resp->error / resp->val are set */
  CN_CONTINUE,  /* let the kernel run the syscall */
  CN_DELAYED,   /* a plugin answers later */
} cn_verdict;

struct cn_container;

/* One notification being decided. */
typedef struct cn_req {
  struct seccomp_notif *req;
  struct seccomp_notif_resp *resp;
  const struct seccomp_notif_sizes *sizes;
  int listener;
  struct cn_container *c;
  void *ctx;             /* cn_server_opts.ctx */
  const char *handler;   /* who decided */
  char note[320];        /* what it did, for the log line */
} cn_req;

typedef cn_verdict (*cn_handler_fn)(cn_req *r, long arg);

typedef struct cn_handler {
  const char *name;
  cn_handler_fn fn;
  long arg;
} cn_handler;

/* "mknod", "errno:N" (N a number or a name such as EPERM), "log",
 * "continue", "sysinfo".  -EINVAL naming the handler otherwise. */
int cn_handler_parse(const char *spec, cn_handler *out, cell_error *err);

/* Built-in handlers. */
cn_verdict cn_handle_mknod(cn_req *r, long arg);
cn_verdict cn_handle_sysinfo(cn_req *r, long arg);
/* record.c: note the call in the recording r->ctx points to (a cn_record)
 * and give the base profile's answer. */
cn_verdict cn_handle_record(cn_req *r, long arg);
struct cell_notify_monitor_opts;
/* The recorder's monitor (after the monitor's own set-up): forks the
 * standby, writes both pids to pidpipe, serves, writes the recording. */
__attribute__((noreturn)) void cn_record_main(const struct cell_notify_monitor_opts *o, int sock,
                                              int report, int pidpipe, cell_log *log);

/* ---- target memory (procmem.c) ------------------------------------------- */

/* Open /proc/PID/mem (read-write when possible). fd or -errno. */
int cn_mem_open(pid_t pid, bool write);
/* SECCOMP_IOCTL_NOTIF_ID_VALID: 0 while the target still waits, else -ENOENT. */
int cn_id_valid(int listener, uint64_t id);
/* Copy a NUL-terminated string of at most size-1 bytes from addr.
 * Length, -ENAMETOOLONG, or -errno (-EFAULT for an unmapped address). */
ssize_t cn_mem_read_string(int memfd, uint64_t addr, char *buf, size_t size);
int cn_mem_write(int memfd, uint64_t addr, const void *buf, size_t len);
int cn_mem_read(int memfd, uint64_t addr, void *buf, size_t len);

/* "mknodat" for the native syscall numbers, else NULL. */
const char *cn_syscall_name(uint32_t arch, int nr);

/* ---- the server (server.c) ----------------------------------------------- */

typedef struct cn_server cn_server;

typedef struct cn_server_opts {
  const cell_log *log;          /* one line per decision ("info") and problems */
  const char *plugins;          /* colon-separated, for every container; NULL */
  const char *default_handlers; /* when listenerMetadata names none; NULL */
  bool exit_when_idle;          /* the monitor: stop when no container is left */
  bool log_decisions;           /* a line per decision */
  /* For the recorder (record.c); all optional: */
  void *ctx;                    /* given to handlers as cn_req.ctx */
  void *req_area;               /* where NOTIF_RECV writes (a shared mapping) */
  size_t req_area_size;
  /* a container's listener was accepted (fd stays the server's) */
  void (*on_container)(void *ctx, int listener, const char *id, pid_t pid);
  void (*tick)(void *ctx);      /* once per loop turn, at least every second */
} cn_server_opts;

int cn_server_new(const cn_server_opts *o, cn_server **out, cell_error *err);
void cn_server_free(cn_server *s);
/* A listening unix socket (cell-agent): every connection brings a
 * container, or a command. */
int cn_server_add_listen(cn_server *s, int fd, cell_error *err);
/* One connected socket that brings one container (the monitor). */
int cn_server_add_conn(cn_server *s, int fd, cell_error *err);
/* A listener handed over by other means (the recorder's standby): served
 * like a container whose message had no metadata.  fd is consumed. */
int cn_server_adopt(cn_server *s, int fd, const char *id, pid_t pid, cell_error *err);
/* Serve until *stop is set (signal) or, with exit_when_idle, no container
 * and no connection is left.  *dump set: write the stats to dump_path. */
int cn_server_run(cn_server *s, volatile sig_atomic_t *stop, volatile sig_atomic_t *dump,
                  const char *dump_path, cell_error *err);
/* {"containers":[{"id","pid","handlers","counts":[{"syscall","nr","decision","count"}]}],
 *  "forgotten": N, "rejected": N}.  Heap string. */
char *cn_server_stats(cn_server *s);
#endif
