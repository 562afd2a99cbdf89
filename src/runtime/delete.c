/* delete: refuse a running container unless --force, then poststop hooks
 * and removal of everything the container had. */
#include "runtime/container.h"
#include "runtime/create.h"
#include "runtime/hooks.h"
#include "runtime/procs.h"
#include "runtime/record.h"
#include "util/cleanup.h"
#include "util/fault.h"
#include "cgroups/cgroups.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

/* Stop every process of a container that is not stopped yet. */
static void kill_container(const cell_state *st)
{
  cell_error ignore = CELL_ERROR_INIT;
  _cleanup_close_ int pidfd = cell_state_pidfd(st, &ignore);
  if (pidfd >= 0) {
    if (st->own_pidns)
      cell_signal_pidns(st->pid, SIGKILL, &ignore);
    cell_pidfd_signal(pidfd, SIGKILL);
    cell_pidfd_wait_exit(pidfd, 10000);
  }
  cell_error_clear(&ignore);
}

static void kill_all(const cell_cgroup *cg)
{
  cell_error ignore = CELL_ERROR_INIT;
  cell_cgroup_kill_all(cg, SIGKILL, 5000, &ignore);
  cell_error_clear(&ignore);
}

/* The cgroups recorded at create (NULL when none). */
static int load_cgroups(const cell_state *st, cell_cgroup **cg, cell_error *err)
{
  json_t *rec = st->extra ? json_object_get(st->extra, "cgroup") : NULL;
  *cg = NULL;
  if (!rec)
    return 0;
  int r = cell_cgroup_from_json(rec, cg, err);
  if (r < 0)
    return cell_error_wrap(err, "state of container `%s`", st->id);
  return 0;
}

/* The state records that poststop hooks began, so that a delete killed
 * while they run (or by one of them) does not run them again: at most
 * once, and the next `delete -f` finishes. */
#define POSTSTOP_STARTED "poststopStarted"

static void run_poststop(cell_store *s, cell_state *st, const oci_config *known,
                         const cell_log *log)
{
  _cleanup_config_ oci_config *loaded = NULL;
  const oci_config *c = known;
  cell_error e = CELL_ERROR_INIT;
  if (!c && cell_load_stored_config(s, st, log, &loaded, &e) >= 0)
    c = loaded;
  if (!c) {
    cell_log_warn(log, "delete `%s`: poststop hooks skipped: %s", st->id, e.msg);
  } else if (c->hooks[OCI_HOOK_POSTSTOP].n && st->extra &&
             json_is_true(json_object_get(st->extra, POSTSTOP_STARTED))) {
    cell_log_warn(log, "delete `%s`: poststop hooks skipped: an earlier delete ran them",
                  st->id);
  } else if (c->hooks[OCI_HOOK_POSTSTOP].n) {
    if (!st->extra)
      st->extra = json_object();
    json_object_set_new(st->extra, POSTSTOP_STARTED, json_true());
    if (cell_state_write(s, st, &e) < 0) {
      cell_log_warn(log, "delete `%s`: %s", st->id, e.msg);
      cell_error_clear(&e);
    }
    _cleanup_free_ char *json = cell_state_json_string(st, CELL_STOPPED, false);
    /* poststop failures are warnings: the container goes all the same. */
    if (cell_hooks_run_in_runtime_ns(c, OCI_HOOK_POSTSTOP, json, log, NULL, &e) < 0)
      cell_log_warn(log, "%s", e.msg);
  }
  cell_error_clear(&e);
}

int cell_container_delete(const char *root, const char *id, bool force, const cell_log *log,
                          cell_error *err)
{
  return cell_container_delete_known(root, id, force, NULL, log, err);
}

/* The rest of a delete, s locked and st its state (cleared here). */
static int delete_locked(cell_store *s, cell_state *st, bool force, const oci_config *config,
                         const cell_log *log, cell_error *err);

int cell_container_delete_known(const char *root, const char *id, bool force,
                                const oci_config *config, const cell_log *log, cell_error *err)
{
  _cleanup_store_ cell_store s = { .dirfd = -1 };
  int r = cell_store_open(&s, root, id, err);
  if (r < 0)
    return r;
  cell_state st;
  if ((r = cell_state_read(&s, &st, err)) < 0) {
    if (!force)
      return r;
    /* Half-made (a crash during create): nothing to stop, remove it. */
    cell_error_clear(err);
    return cell_store_destroy(&s, err);
  }
  return delete_locked(&s, &st, force, config, log, err);
}

int cell_container_delete_run(cell_store *s, cell_state *known, int state_fd,
                              const oci_config *config, const cell_log *log, cell_error *err)
{
  int r = cell_store_relock(s, err);
  if (r < 0) {
    cell_state_clear(known);
    cell_store_close(s);
    return r;
  }
  /* Another command may have written the state since (pause, a delete
   * begun): then it is read again, as delete does. */
  cell_state st = *known;
  *known = (cell_state) { 0 };
  if (!cell_state_is_kept(s, state_fd)) {
    cell_state_clear(&st);
    if ((r = cell_state_read(s, &st, err)) < 0) {
      cell_error_clear(err);
      r = cell_store_destroy(s, err);
      return r;
    }
  }
  r = delete_locked(s, &st, true, config, log, err);
  cell_store_close(s);
  return r;
}

static int delete_locked(cell_store *s, cell_state *stp, bool force, const oci_config *config,
                         const cell_log *log, cell_error *err)
{
  int r;
  cell_state st = *stp;
  const char *id = s->id;
  cell_status status = cell_state_status(&st);
  if ((status == CELL_RUNNING || status == CELL_PAUSED) && !force)
    r = cell_error_set(err, EBUSY, "container `%s` is %s: stop it first or use --force", id,
                       cell_status_name(status));
  else {
    cell_cgroup *cg = NULL;
    if ((r = load_cgroups(&st, &cg, err)) >= 0) {
      /* Every process of the container, thawed first when it was paused.
       * Not needed when the init of its own pid namespace is gone: the
       * kernel ended the namespace's processes before reaping it; unless
       * something else went into the cgroup, which the rmdir shows. */
      bool emptied = status == CELL_STOPPED && st.own_pidns;
      if (cg && !emptied)
        kill_all(cg);
      if (status != CELL_STOPPED)
        kill_container(&st);
      r = cell_fault("delete.kill", err);
      if (cg && r >= 0) {
        cell_error e = CELL_ERROR_INIT;
        r = cell_cgroup_destroy(cg, emptied ? 0 : 5000, &e);
        if (r < 0 && emptied) {
          kill_all(cg);
          cell_error_clear(&e);
          r = cell_cgroup_destroy(cg, 5000, &e);
        }
        if (r < 0)
          cell_error_move(err, &e);
        cell_error_clear(&e);
      }
      cell_cgroup_free(cg);
    }
    if (r >= 0 && (r = cell_fault("delete.cgroups", err)) >= 0) {
      /* The recording is complete once its recorder has gone. */
      if (st.extra)
        cell_record_wait(json_object_get(st.extra, CELL_STATE_RECORD), 10000);
      run_poststop(s, &st, config, log);
      r = cell_store_destroy(s, err);
    }
  }
  cell_state_clear(&st);
  *stp = (cell_state) { 0 };
  return r;
}

int cell_container_state(const char *root, const char *id, char **json, cell_error *err)
{
  _cleanup_store_ cell_store s = { .dirfd = -1 };
  int r = cell_store_open_read(&s, root, id, err);
  if (r < 0)
    return r;
  cell_state st;
  if ((r = cell_state_read(&s, &st, err)) < 0)
    return r;
  json_t *o = cell_state_json(&st, cell_state_status(&st), true);
  *json = json_dumps(o, JSON_INDENT(2));
  json_decref(o);
  cell_state_clear(&st);
  return 0;
}
