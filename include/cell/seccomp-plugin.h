/* cell seccomp notification plugins: the public, versioned C API.
 *
 * A plugin is a shared object that cell (its per-container monitor, or
 * cell-agent) loads with dlopen(3) and asks to decide seccomp user
 * notifications (SECCOMP_RET_USER_NOTIF) of a container.  Plugins are named
 * in the annotation `run.oci.seccomp.plugins`, a colon-separated list of
 * paths (or bare names, searched the way dlopen searches them), asked in
 * that order; cell-agent also takes them with `--plugin SO`.
 *
 * A plugin exports these four functions, with C linkage:
 *
 *   int  cell_seccomp_plugin_version(void);
 *          Must return CELL_SECCOMP_PLUGIN_VERSION of the header it was
 *          built with.  A plugin whose version cell does not know is refused.
 *   int  cell_seccomp_plugin_start(void **opaque,
 *                                  const struct cell_seccomp_plugin_conf *conf);
 *          Called once per container, before any request.  Store private
 *          state in *opaque.  0, or a negative errno: the container is then
 *          refused (monitor) or forgotten (agent).
 *   int  cell_seccomp_plugin_handle_request(void *opaque,
 *                                  const struct seccomp_notif_sizes *sizes,
 *                                  struct seccomp_notif *req,
 *                                  struct seccomp_notif_resp *resp,
 *                                  int listener_fd, int *handled);
 *          Called for each notification, in plugin order, until one
 *          handles it.  resp is pre-filled (id = req->id, everything else 0)
 *          and is sizes->seccomp_notif_resp bytes long.  Set *handled to one
 *          of CELL_SECCOMP_PLUGIN_* below and return 0.  A negative return
 *          value answers the syscall with that errno, as if the plugin had
 *          set resp->error and SEND_RESPONSE.
 *   int  cell_seccomp_plugin_stop(void *opaque);
 *          Called once when the container's listener hangs up (no task
 *          uses the filter any more) or cell shuts down.
 *
 * Rules for handle_request:
 *   - Pointer arguments live in the target's memory.  Read them through
 *     /proc/PID/mem, then check the notification is still valid with
 *     SECCOMP_IOCTL_NOTIF_ID_VALID on listener_fd, then act on your copy;
 *     never read the target's memory twice for one decision.
 *   - SEND_RESPONSE_AND_CONTINUE lets the kernel run the syscall as if it
 *     had been allowed: the target may change its memory after your check,
 *     so use it only where the kernel's own checks are enough.
 *   - DELAYED_RESPONSE: the plugin answers later itself with
 *     SECCOMP_IOCTL_NOTIF_SEND on listener_fd (valid until stop() returns).
 *     It must copy req->id; req and resp are reused after the call.
 *   - Do not block for long: one process serves every notification of the
 *     container (and, in cell-agent, of other containers too).
 *   - ENOENT from SECCOMP_IOCTL_NOTIF_SEND means the target is gone: normal.
 *
 * When no plugin handles a request, cell answers it with ENOTSUP (as crun
 * does), so that a NOTIFY rule nobody understands fails visibly.
 *
 * For compatibility, cell also loads plugins written for crun's API
 * (run_oci_seccomp_notify_{plugin_version,start,handle_request,stop}, version
 * 1): the `handled` values are the same numbers, and their start() receives
 * crun's configuration of four strings (runtime root, container id, bundle
 * path, config.json path).
 *
 * Versioning: CELL_SECCOMP_PLUGIN_VERSION changes when a function's
 * signature or the meaning of a field changes.  New fields are only ever
 * appended to struct cell_seccomp_plugin_conf, whose `size` tells a plugin
 * how much of it this cell fills: check `conf->size >= offsetof(...)+...`
 * before reading a field newer than the version you were built for.
 */
#ifndef CELL_SECCOMP_PLUGIN_H
#define CELL_SECCOMP_PLUGIN_H

#include <stddef.h>
#include <linux/seccomp.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CELL_SECCOMP_PLUGIN_VERSION 1

/* Values for *handled. */
enum {
  CELL_SECCOMP_PLUGIN_NOT_HANDLED = 0,        /* ask the next plugin */
  CELL_SECCOMP_PLUGIN_SEND_RESPONSE = 1,      /* resp filled: cell sends it */
  CELL_SECCOMP_PLUGIN_DELAYED_RESPONSE = 2,   /* the plugin sends it later */
  CELL_SECCOMP_PLUGIN_SEND_RESPONSE_AND_CONTINUE = 3, /* cell sends resp with
                                               * SECCOMP_USER_NOTIF_FLAG_CONTINUE */
};

/* What a plugin learns about its container in start().  Strings are valid
 * until stop() returns; any of them may be NULL when unknown. */
struct cell_seccomp_plugin_conf {
  size_t size;              /* sizeof the struct as filled by cell */
  int version;              /* CELL_SECCOMP_PLUGIN_VERSION of cell */
  const char *container_id; /* state.id */
  const char *bundle;       /* state.bundle */
  const char *state_json;   /* the container state JSON (pid is the host pid) */
  const char *metadata;     /* linux.seccomp.listenerMetadata, or NULL */
  int pid;                  /* host pid of the process that loaded the filter */
};

/* Function types, for dlsym. */
typedef int (*cell_seccomp_plugin_version_fn)(void);
typedef int (*cell_seccomp_plugin_start_fn)(void **opaque,
                                            const struct cell_seccomp_plugin_conf *conf);
typedef int (*cell_seccomp_plugin_handle_request_fn)(void *opaque,
                                                     const struct seccomp_notif_sizes *sizes,
                                                     struct seccomp_notif *req,
                                                     struct seccomp_notif_resp *resp,
                                                     int listener_fd, int *handled);
typedef int (*cell_seccomp_plugin_stop_fn)(void *opaque);

/* Prototypes a plugin implements (declared so that the compiler checks
 * them against the types above). */
int cell_seccomp_plugin_version(void);
int cell_seccomp_plugin_start(void **opaque, const struct cell_seccomp_plugin_conf *conf);
int cell_seccomp_plugin_handle_request(void *opaque, const struct seccomp_notif_sizes *sizes,
                                       struct seccomp_notif *req,
                                       struct seccomp_notif_resp *resp,
                                       int listener_fd, int *handled);
int cell_seccomp_plugin_stop(void *opaque);

#ifdef __cplusplus
}
#endif
#endif
