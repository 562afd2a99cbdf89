/* A test plugin built from the public header: it answers every syscall
 * with an errno chosen in listenerMetadata (`plugin_errno=N`, default
 * ENOSPC), and getppid with CONTINUE. For the reliability tests,
 * `plugin_sleep_ms=N` makes each answer slow and `plugin_crash` makes the
 * first one abort the process that hosts the plugin.  With -DCRUN_API it exports crun's
 * symbols instead and always answers EHOSTDOWN. */
#include "cell/seccomp-plugin.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CRUN_API
struct state { int err, sleep_ms, crash; };

int cell_seccomp_plugin_version(void) { return CELL_SECCOMP_PLUGIN_VERSION; }

int cell_seccomp_plugin_start(void **opaque, const struct cell_seccomp_plugin_conf *conf)
{
  struct state *s = calloc(1, sizeof *s);
  if (!s)
    return -ENOMEM;
  s->err = ENOSPC;
  if (conf->size >= offsetof(struct cell_seccomp_plugin_conf, metadata) + sizeof conf->metadata &&
      conf->metadata) {
    const char *p = strstr(conf->metadata, "plugin_errno=");
    if (p)
      s->err = atoi(p + strlen("plugin_errno="));
    if ((p = strstr(conf->metadata, "plugin_sleep_ms=")))
      s->sleep_ms = atoi(p + strlen("plugin_sleep_ms="));
    s->crash = strstr(conf->metadata, "plugin_crash") != NULL;
  }
  *opaque = s;
  return 0;
}

int cell_seccomp_plugin_handle_request(void *opaque, const struct seccomp_notif_sizes *sizes,
                                       struct seccomp_notif *req, struct seccomp_notif_resp *resp,
                                       int listener_fd, int *handled)
{
  (void) sizes;
  (void) listener_fd;
  struct state *s = opaque;
  if (s->crash)
    abort();
  if (s->sleep_ms)
    usleep((useconds_t) s->sleep_ms * 1000);
  if (req->data.nr == SYS_getppid) {
    *handled = CELL_SECCOMP_PLUGIN_SEND_RESPONSE_AND_CONTINUE;
    return 0;
  }
  resp->error = -s->err;
  *handled = CELL_SECCOMP_PLUGIN_SEND_RESPONSE;
  return 0;
}

int cell_seccomp_plugin_stop(void *opaque)
{
  free(opaque);
  return 0;
}
#else
int run_oci_seccomp_notify_plugin_version(void);
int run_oci_seccomp_notify_start(void **opaque, void *conf, size_t size);
int run_oci_seccomp_notify_handle_request(void *opaque, struct seccomp_notif_sizes *sizes,
                                          struct seccomp_notif *req,
                                          struct seccomp_notif_resp *resp, int fd, int *handled);
int run_oci_seccomp_notify_stop(void *opaque);

int run_oci_seccomp_notify_plugin_version(void) { return 1; }
int run_oci_seccomp_notify_start(void **opaque, void *conf, size_t size)
{
  (void) conf;
  *opaque = NULL;
  return size == 4 * sizeof(char *) ? 0 : -EINVAL;
}
int run_oci_seccomp_notify_handle_request(void *opaque, struct seccomp_notif_sizes *sizes,
                                          struct seccomp_notif *req,
                                          struct seccomp_notif_resp *resp, int fd, int *handled)
{
  (void) opaque;
  (void) sizes;
  (void) req;
  (void) fd;
  resp->error = -EHOSTDOWN;
  *handled = 1;
  return 0;
}
int run_oci_seccomp_notify_stop(void *opaque) { (void) opaque; return 0; }
#endif
