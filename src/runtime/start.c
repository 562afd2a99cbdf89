/* start: release the init waiting on its start socket, and learn whether
 * the user program was exec'ed (EOF) or failed (an error message). */
#include "runtime/container.h"
#include "runtime/create.h"
#include "runtime/exec-stub.h"
#include "runtime/hooks.h"
#include "util/cleanup.h"
#include "util/fault.h"
#include "util/fs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int cell_load_stored_config(const cell_store *s, const cell_state *st, const cell_log *log,
                            oci_config **out, cell_error *err)
{
  _cleanup_free_ char *path = cell_store_path(s, "config.json");
  _cleanup_free_ char *text = NULL;
  size_t len;
  int r = cell_read_file(path, &text, &len, err);
  if (r < 0)
    return r;
  /* Its warnings were said by create: once per container, not per command. */
  cell_log said = cell_log_said(log);
  return oci_config_parse(text, len, path, st->bundle, &said, out, err);
}

int cell_hooks_run_in_runtime_ns(const oci_config *c, oci_hook_kind kind, const char *state_json,
                                 const cell_log *log, const cell_exe_guard *guard,
                                 cell_error *err)
{
  if (!c || !c->hooks[kind].n)
    return 0;
  int cwd;
  int r = cell_exe_guard_enter_host(guard, &cwd, err);
  if (r >= 0)
    r = cell_hooks_run(&c->hooks[kind], kind, state_json, log, err);
  cell_error e2 = CELL_ERROR_INIT;
  int r2 = cell_exe_guard_leave_host(guard, cwd, r < 0 ? &e2 : err);
  cell_error_clear(&e2);
  return r < 0 ? r : r2;
}

int cell_start_locked(cell_store *s, cell_state *st, const oci_config *c, const cell_log *log,
                      const cell_exe_guard *guard, cell_error *err)
{
  cell_status status = cell_state_status(st);
  if (status != CELL_CREATED)
    return cell_error_set(err, EINVAL, "container `%s` is %s, not created: only a created "
                          "container can be started", st->id, cell_status_name(status));
  struct sockaddr_un sa;
  socklen_t len;
  if (cell_start_socket_path(s, &sa, &len) < 0)
    return cell_error_set(err, ENAMETOOLONG, "start socket path");
  int r = cell_fault("start.connect", err);
  if (r < 0)
    return r;
  _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return cell_error_sys(err, "socket");
  if (connect(fd, (struct sockaddr *) &sa, len) < 0)
    return cell_error_sys(err, "reach the init of container `%s`", st->id);
  _cleanup_free_ char *reply = NULL;
  size_t n = 0;
  r = cell_read_fd(fd, &reply, &n);
  if (r < 0)
    return cell_error_sys_code(err, r, "read from the init of container `%s`", st->id);
  _cleanup_free_ char *sock = cell_store_path(s, "start.sock");
  unlink(sock);
  if (n > 0) {
    st->recorded = CELL_STOPPED;
    cell_error ignore = CELL_ERROR_INIT;
    cell_state_write(s, st, &ignore);
    cell_error_clear(&ignore);
    int e;
    if (cell_exec_stub_failure(reply, n, &e))
      return cell_error_sys_code(err, e, "start container `%s`: exec `%s`", st->id,
                                 c && c->process && c->process->args ? c->process->args[0]
                                                                     : "process.args[0]");
    return cell_error_set(err, ENOEXEC, "start container `%s`: %s", st->id, reply);
  }
  st->recorded = CELL_RUNNING;
  if ((r = cell_fault("start.running", err)) < 0 || (r = cell_state_write(s, st, err)) < 0)
    return r;
  if (c && c->hooks[OCI_HOOK_POSTSTART].n) {
    _cleanup_free_ char *json = cell_state_json_string(st, CELL_RUNNING, false);
    /* poststart failures are warnings: the container runs on. */
    cell_error herr = CELL_ERROR_INIT;
    if (cell_hooks_run_in_runtime_ns(c, OCI_HOOK_POSTSTART, json, log, guard, &herr) < 0)
      cell_log_warn(log, "%s", herr.msg);
    cell_error_clear(&herr);
  }
  return 0;
}

int cell_container_start(const char *root, const char *id, const cell_log *log,
                         cell_error *err)
{
  _cleanup_store_ cell_store s = { .dirfd = -1 };
  cell_state st;
  int r = cell_store_open_state(&s, &st, root, id, err);
  if (r < 0)
    return r;
  _cleanup_config_ oci_config *c = NULL;
  if ((r = cell_load_stored_config(&s, &st, log, &c, err)) >= 0)
    r = cell_start_locked(&s, &st, c, log, NULL, err);
  cell_state_clear(&st);
  return r;
}
