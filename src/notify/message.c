/* Config checks, the route of the listener and the hand-off message. */
#include "notify/notify.h"
#include "util/cleanup.h"
#include "util/fdpass.h"
#include "util/json-jansson.h"
#include "util/json.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include "cell-config.h"

static const char *receiver_of(const cell_notify_config *c, const char **field)
{
  if (c->listener_path) {
    *field = "linux.seccomp.listenerPath";
    return c->listener_path;
  }
  *field = "annotations." CELL_NOTIFY_ANNOTATION_RECEIVER;
  return c->receiver;
}

int cell_notify_validate(const cell_notify_config *c, cell_error *err)
{
  const char *field;
  const char *path = receiver_of(c, &field);
  if (c->listener_metadata && !c->listener_path)
    return cell_error_set(err, EINVAL,
                          "linux.seccomp.listenerMetadata is set without linux.seccomp.listenerPath");
  if (path) {
    if (path[0] != '/')
      return cell_error_set(err, EINVAL, "%s: `%s` is not an absolute path", field, path);
    if (strlen(path) >= sizeof(((struct sockaddr_un *) 0)->sun_path))
      return cell_error_set(err, ENAMETOOLONG, "%s: `%s` is longer than a unix socket path may be",
                            field, path);
  }
  if (c->plugins) {
    const char *p = c->plugins;
    if (!*p)
      return cell_error_set(err, EINVAL, "annotations." CELL_NOTIFY_ANNOTATION_PLUGINS
                            ": empty list of plugins");
    for (const char *s = p;; s++)
      if (*s == ':' || !*s) {
        if (s == p)
          return cell_error_set(err, EINVAL, "annotations." CELL_NOTIFY_ANNOTATION_PLUGINS
                                ": empty plugin name in `%s`", c->plugins);
        if (!*s)
          break;
        p = s + 1;
      }
  }
  if (c->has_notify && !path && !c->plugins)
    return cell_error_set(err, EINVAL,
                          "linux.seccomp: a rule has action SCMP_ACT_NOTIFY but neither "
                          "linux.seccomp.listenerPath nor the annotation "
                          CELL_NOTIFY_ANNOTATION_PLUGINS " says who receives the notifications");
  return 0;
}

cell_notify_route cell_notify_route_of(const cell_notify_config *c, const char **path)
{
  const char *field;
  *path = NULL;
  if (!c->has_notify)
    return CELL_NOTIFY_ROUTE_NONE;
  if (c->plugins)
    return CELL_NOTIFY_ROUTE_PLUGINS;
  *path = receiver_of(c, &field);
  return *path ? CELL_NOTIFY_ROUTE_LISTENER : CELL_NOTIFY_ROUTE_NONE;
}

int cell_notify_connect(const char *path, cell_error *err)
{
  int fd = cell_unix_connect(path, err);
  if (fd < 0)
    return cell_error_wrap(err, "linux.seccomp.listenerPath");
  return fd;
}

int cell_notify_message(const char *state_json, pid_t pid, const char *metadata,
                        char **out, size_t *len, cell_error *err)
{
  const char *text = state_json ? state_json : "{}";
  _cleanup_jdoc_ cell_jdoc *doc = NULL;
  int r = cell_json_parse(NULL, text, strlen(text), &doc, err);
  if (r == -EINVAL)
    return cell_error_wrap(err, "seccomp listener message: bad state JSON");
  if (r < 0)
    return cell_error_wrap(err, "seccomp listener message");
  const cell_jv *root = cell_jdoc_root(doc);
  if (!cell_jv_is_object(root))
    return cell_error_set(err, EINVAL, "seccomp listener message: bad state JSON: "
                          "expected an object, not %s", cell_jv_type_name(root));
  /* The state goes into the message as it came. */
  json_t *state;
  if ((r = cell_jv_to_json(root, &state, err)) < 0)
    return cell_error_wrap(err, "seccomp listener message: state");
  if (pid <= 0)
    pid = (pid_t) cell_jv_int(cell_jv_get(root, "pid"));
  const char *ver = cell_jv_str(cell_jv_get(root, "ociVersion"));
  json_t *msg = json_pack("{s:s, s:[s], s:i, s:s, s:o}",
                          "ociVersion", ver ? ver : CELL_OCI_VERSION,
                          "fds", "seccompFd", "pid", (int) pid,
                          "metadata", metadata ? metadata : "", "state", state);
  if (!msg)
    return cell_error_set(err, ENOMEM, "seccomp listener message: out of memory");
  char *s = json_dumps(msg, JSON_COMPACT);
  json_decref(msg);
  if (!s)
    return cell_error_set(err, ENOMEM, "seccomp listener message: out of memory");
  *out = s;
  *len = strlen(s);
  return 0;
}
