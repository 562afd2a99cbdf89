/* Recording a container's syscalls (docs/recording.md): the runtime's
 * side.  The profile's filter becomes a recording filter (seccomp/
 * recording.h), the listener goes to a recorder (notify/record.c) that
 * create starts and every exec reaches through a socket in the state dir. */
#ifndef CELL_RUNTIME_RECORD_H
#define CELL_RUNTIME_RECORD_H
#include <jansson.h>
#include <stdbool.h>
#include "oci/config.h"
#include "seccomp/seccomp.h"
#include "util/log.h"

/* The annotation that asks for a recording (`cell run --record-seccomp`
 * does the same), and the key of state.json's runtime extras that says a
 * container is recorded: {"path","socket","recorder":[{"pid","start"}...]}. */
#define CELL_ANNOTATION_RECORD "run.cell.seccomp.record"
#define CELL_STATE_RECORD "record"
#define CELL_RECORD_SOCKET "record.sock"

typedef struct cell_record {
  char *path;                /* the recording file (absolute); NULL: no recording */
  cell_seccomp_filter base;  /* the config's own filter (len 0: none) */
  bool has_base;
} cell_record;

/* Where the recording goes: cli_path (absolute or relative to the current
 * directory) or else the annotation (relative to the bundle); *path NULL
 * when neither asks.  Refused: a directory that does not exist, and a
 * config that sends its listener elsewhere (listenerPath, receiver or
 * plugins: only one listener per filter can exist). */
int cell_record_path(const oci_config *c, const char *cli_path, char **path,
                            cell_error *err);
/* With rec->path set: move the prepared filter (when *present) into
 * rec->base and put the recording filter in its place (every arch the
 * profile names notifies, KILL/TRAP/TRACE kept); *present becomes true. */
int cell_record_plan(cell_seccomp_filter *f, bool *present, cell_record *rec,
                            cell_error *err);
void cell_record_clear(cell_record *rec);
#define _cleanup_record_ __attribute__((cleanup(cell_record_clear)))
/* create: bind the exec socket in the state dir (dirfd), start the
 * recorder, *sock for the init's hand-off; *extra gets the state extras
 * (new reference). */
int cell_record_spawn(const cell_record *rec, int dirfd, const char *id,
                             const cell_log *log, int *sock, json_t **extra, cell_error *err);
/* exec: the recording the state extras describe (NULL: none) and a
 * connection to its recorder. */
int cell_record_connect(json_t *extra, int dirfd, int *sock, cell_error *err);
/* delete: wait (at most timeout_ms) until the recorder and its standby
 * have written the recording and exited. */
void cell_record_wait(json_t *extra, int timeout_ms);
#endif
