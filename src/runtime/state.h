/* The state store: ROOT/ID/ holds state.json (written atomically), a copy
 * of the config (config.json) and the init's start socket (not for `run`,
 * start-socket.h). The directory
 * fd is flock()ed so two commands on one id never interleave. */
#ifndef CELL_RUNTIME_STATE_H
#define CELL_RUNTIME_STATE_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <jansson.h>
#include "util/error.h"

typedef enum cell_status {
  CELL_CREATING, CELL_CREATED, CELL_RUNNING, CELL_STOPPED, CELL_PAUSED
} cell_status;

const char *cell_status_name(cell_status s);

typedef struct cell_state {
  char *id;
  char *bundle;
  char *rootfs;
  char *created;        /* RFC 3339 */
  char *oci_version;
  pid_t pid;            /* 0 when no process yet */
  uint64_t start_time;  /* /proc/PID/stat field 22 of pid */
  cell_status recorded; /* creating, created or running as last written */
  uid_t owner;
  bool own_pidns;       /* the container has a pid namespace of its own */
  json_t *annotations;  /* object of strings (owned) */
  json_t *extra;        /* fields of other parts, e.g. "cgroup" (owned) */
} cell_state;

/* The store handle: root dir and, once opened/created, the locked container dir. */
typedef struct cell_store {
  char *root;
  char *id;
  char *dir;            /* ROOT/ID */
  int dirfd;            /* locked */
  bool has_state;       /* state.json is there (as far as we know) */
} cell_store;

/* Refuses ids that are empty, contain '/', are "." or "..", or have
 * characters outside [A-Za-z0-9_.+-], as runc does. */
int cell_id_check(const char *id, cell_error *err);
/* Create ROOT/ID (EEXIST: "container `ID` already exists"), locked. */
int cell_store_create(cell_store *s, const char *root, const char *id, cell_error *err);
/* Open and lock an existing ROOT/ID (ENOENT: "container `ID` does not exist"). */
int cell_store_open(cell_store *s, const char *root, const char *id, cell_error *err);
/* Open ROOT/ID for reading only, without the lock: state.json is replaced
 * atomically, so a reader sees the old or the new state, never half. Used
 * by `state` and `list`, which hooks may call while create holds the lock. */
int cell_store_open_read(cell_store *s, const char *root, const char *id, cell_error *err);
/* Lock s again after an unlock, through the dir fd kept open: a dir
 * deleted meanwhile (another container may have the id now) is ENOENT. */
int cell_store_relock(cell_store *s, cell_error *err);
/* Remove the directory and release the lock. */
int cell_store_destroy(cell_store *s, cell_error *err);
void cell_store_close(cell_store *s);
#define _cleanup_store_ __attribute__((cleanup(cell_store_close)))

/* Open and lock ROOT/ID, then read its state: what most commands start with. */
int cell_store_open_state(cell_store *s, cell_state *st, const char *root, const char *id,
                          cell_error *err);
int cell_state_write(cell_store *s, const cell_state *st, cell_error *err);
/* The same, keeping the state.json written open in *kept (-1 on failure). */
int cell_state_write_kept(cell_store *s, const cell_state *st, int *kept, cell_error *err);
/* Is state.json still the file kept open in kept (cell_state_write_kept)?
 * Every write replaces the file, and the open fd keeps its inode from
 * being reused: then it holds what we wrote. */
bool cell_state_is_kept(const cell_store *s, int kept);
int cell_state_read(const cell_store *s, cell_state *st, cell_error *err);
void cell_state_clear(cell_state *st);
/* The status now: the recorded one, corrected for a dead process or a
 * reused pid (start time differs) -> stopped. */
cell_status cell_state_status(const cell_state *st);
/* The state JSON of the runtime spec (ociVersion, id, status, pid, bundle,
 * annotations; with_extra adds rootfs, created, owner as runc prints). */
json_t *cell_state_json(const cell_state *st, cell_status status, bool with_extra);
char *cell_state_json_string(const cell_state *st, cell_status status, bool with_extra);

/* Start time of pid from /proc/PID/stat (0 when it does not exist). */
uint64_t cell_proc_start_time(pid_t pid, char *state_char);
/* pidfd of the container process, verified against the start time; -ESRCH
 * when it has gone. */
int cell_state_pidfd(const cell_state *st, cell_error *err);
/* Is path a file in the store dir? (relative to s->dir) */
char *cell_store_path(const cell_store *s, const char *name);
#endif
