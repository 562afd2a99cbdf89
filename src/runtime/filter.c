#include "runtime/filter.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "seccomp/lang/lang.h"
#include "notify/notify.h"
#include "util/cleanup.h"

static cell_notify_config notify_config(const oci_config *c, const cell_seccomp_filter *f)
{
  return (cell_notify_config) {
    .has_notify = f->has_notify,
    .listener_path = c->linux.seccomp_listener_path,
    .listener_metadata = c->linux.seccomp_listener_metadata,
    .plugins = oci_annotation(c, CELL_NOTIFY_ANNOTATION_PLUGINS),
    .receiver = oci_annotation(c, CELL_NOTIFY_ANNOTATION_RECEIVER),
  };
}

int cell_filter_notify_open(const oci_config *c, const cell_seccomp_filter *f, const char *id,
                            const cell_log *log, int *sock, cell_error *err)
{
  *sock = -1;
  cell_notify_config nc = notify_config(c, f);
  const char *path = NULL;
  switch (cell_notify_route_of(&nc, &path)) {
  case CELL_NOTIFY_ROUTE_NONE:
    return 0;
  case CELL_NOTIFY_ROUTE_LISTENER:
    *sock = cell_notify_connect(path, err);
    return *sock < 0 ? *sock : 0;
  case CELL_NOTIFY_ROUTE_PLUGINS: {
    cell_notify_monitor_opts mo = {
      .plugins = nc.plugins, .container_id = id, .bundle = c->bundle,
      .log_fd = log && log->fd >= 0 ? log->fd : -1,
      .log_format = log ? log->format : CELL_LOG_TEXT,
    };
    return cell_notify_monitor_spawn(&mo, sock, NULL, err);
  }
  }
  return 0;
}

/* A policy in cell's language: inline (includes refused: the text comes
 * from whoever wrote the config) or a file, absolute or bundle-relative. */
static int compile_policy(const oci_config *c, const cell_log *log, cell_seccomp_filter *f,
                          cell_error *err)
{
  const char *text = oci_annotation(c, CELL_ANNOTATION_POLICY);
  const char *file = oci_annotation(c, CELL_ANNOTATION_POLICY_FILE);
  cell_sc_lang_opts lo = { .log = log, .no_includes = text != NULL };
  _cleanup_free_ char *path = NULL;
  int r;
  if (text)
    r = cell_sc_lang_compile_filter("annotations." CELL_ANNOTATION_POLICY, text, strlen(text),
                                    &lo, f, err);
  else if (file[0] != '/' && asprintf(&path, "%s/%s", c->bundle, file) < 0)
    r = cell_error_set(err, ENOMEM, "out of memory");
  else
    r = cell_sc_lang_compile_filter(path ? path : file, NULL, 0, &lo, f, err);
  if (r < 0)
    return cell_error_wrap(err, "%s: annotations.%s", c->config_path,
                           text ? CELL_ANNOTATION_POLICY : CELL_ANNOTATION_POLICY_FILE);
  return 0;
}

int cell_filter_prepare(const oci_config *c, const cell_log *log, cell_seccomp_filter *f,
                        bool *present, cell_error *err)
{
  memset(f, 0, sizeof *f);
  *present = false;
  const char *bpf = oci_annotation(c, CELL_ANNOTATION_BPF_DATA);
  int r;
  if (bpf) {
    if ((r = cell_seccomp_from_base64(bpf, f, err)) < 0)
      return cell_error_wrap(err, "%s: annotations.%s", c->config_path, CELL_ANNOTATION_BPF_DATA);
  } else if (oci_annotation(c, CELL_ANNOTATION_POLICY) ||
             oci_annotation(c, CELL_ANNOTATION_POLICY_FILE)) {
    if ((r = compile_policy(c, log, f, err)) < 0)
      return r;
  } else if (c->linux.seccomp) {
    static const cell_json_pathel prefix[] = { { "linux", 0 }, { "seccomp", 0 } };
    cell_seccomp_opts opts = {
      .fail_unknown_syscall = oci_annotation(c, CELL_ANNOTATION_FAIL_UNKNOWN) != NULL,
      .log = log,
      .source_name = c->config_path,
      .prefix = prefix, .prefix_len = 2,
    };
    if ((r = cell_seccomp_compile_oci(c->linux.seccomp, &opts, f, err)) < 0)
      return r;
    /* The kernel gives a listener for any filter loaded with NEW_LISTENER:
     * with listenerPath and no NOTIFY rule the agent gets one all the same,
     * as crun sends it (the spec calls the field ignored then; an agent
     * waiting on it would wait forever). */
    if (c->linux.seccomp_listener_path && !f->has_notify) {
      f->flags |= CELL_SECCOMP_FLAG_NEW_LISTENER;
      f->has_notify = true;
    }
  } else
    return 0;
  /* A NOTIFY filter without a receiver is refused here, before anything
   * exists (the spec's rule). */
  cell_notify_config nc = notify_config(c, f);
  if ((r = cell_notify_validate(&nc, err)) < 0) {
    cell_seccomp_filter_free(f);
    return cell_error_wrap(err, "%s", c->config_path);
  }
  *present = true;
  return 0;
}
