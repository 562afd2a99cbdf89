/* start: release the init waiting on its start socket, and learn whether
 * the user program was exec'ed (EOF) or failed (an error message). */
#include "runtime/container.h"
#include "runtime/create.h"
#include "runtime/exec-stub.h"
#include "runtime/hooks.h"
#include "runtime/notify-socket.h"
#include "runtime/start-socket.h"
#include "util/cleanup.h"
#include "util/fault.h"
#include "util/fs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
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

/* run's pair: one byte releases the init (MSG_NOSIGNAL: run blocks every
 * signal and would pass a SIGPIPE on to the container). */
static int release_paired(int conn, const cell_state *st, cell_error *err)
{
  ssize_t n;
  while ((n = send(conn, "s", 1, MSG_NOSIGNAL)) < 0 && errno == EINTR)
    ;
  if (n != 1)
    return cell_error_sys(err, "reach the init of container `%s`", st->id);
  return 0;
}

int cell_start_locked(cell_store *s, cell_state *st, const oci_config *c, const cell_log *log,
                      const cell_exe_guard *guard, int conn, int *notify_fd, int *state_fd,
                      cell_error *err)
{
  *notify_fd = -1;
  cell_status status = cell_state_status(st);
  if (status != CELL_CREATED)
    return cell_error_set(err, EINVAL, "container `%s` is %s, not created: only a created "
                          "container can be started", st->id, cell_status_name(status));
  int r = cell_fault("start.connect", err);
  if (r < 0)
    return r;
  /* Bound before the init is released: its first message finds it. */
  _cleanup_close_ int nfd = cell_notify_socket_bind(s, st, err);
  if (nfd < -1)
    return nfd;
  _cleanup_close_ int own = -1;
  if (conn >= 0)
    r = release_paired(conn, st, err);
  else
    r = conn = own = cell_start_socket_connect(s, err);
  if (r < 0)
    return r;
  _cleanup_free_ char *reply = NULL;
  size_t n = 0;
  r = cell_read_fd(conn, &reply, &n);
  if (r < 0)
    return cell_error_sys_code(err, r, "read from the init of container `%s`", st->id);
  if (own >= 0)
    cell_start_socket_remove(s);
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
  if ((r = cell_fault("start.running", err)) < 0)
    return r;
  int kept = -1;
  if ((r = cell_state_write_kept(s, st, &kept, err)) < 0)
    return r;
  if (state_fd)
    *state_fd = kept;
  else
    close(kept);
  if (c && c->hooks[OCI_HOOK_POSTSTART].n) {
    _cleanup_free_ char *json = cell_state_json_string(st, CELL_RUNNING, false);
    /* poststart failures are warnings: the container runs on. */
    cell_error herr = CELL_ERROR_INIT;
    if (cell_hooks_run_in_runtime_ns(c, OCI_HOOK_POSTSTART, json, log, guard, &herr) < 0)
      cell_log_warn(log, "%s", herr.msg);
    cell_error_clear(&herr);
  }
  *notify_fd = cell_steal_fd(&nfd);
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
  int nfd = -1;
  if ((r = cell_load_stored_config(&s, &st, log, &c, err)) >= 0)
    r = cell_start_locked(&s, &st, c, log, NULL, -1, &nfd, NULL, err);
  if (r >= 0 && nfd >= 0) {
    flock(s.dirfd, LOCK_UN);  /* kill and delete must not wait for READY=1 */
    r = cell_notify_socket_forward(nfd, &s, &st, log, err);
  }
  cell_state_clear(&st);
  return r;
}
