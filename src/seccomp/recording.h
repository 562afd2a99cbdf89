/* A recording of the syscalls a container's processes made: one entry per
 * architecture and syscall number with its count, how many calls the base
 * profile denied and with what, and, for a chosen set of syscalls, the
 * distinct values of the arguments that profiles test in practice (clone
 * and clone3 flags, unshare flags, socket domain/type/protocol,
 * personality, ioctl request, prctl option, fcntl cmd, mmap/mprotect prot,
 * kill signal).  The recorder (notify/record.c) fills one; `cell seccomp
 * record` reads, merges and turns them into a profile.
 *
 * The structure has a fixed size and no pointers, so that the recorder
 * can keep it in a shared mapping that a standby process takes over when
 * the recorder dies.  Docs: docs/recording.md (the file format). */
#ifndef CELL_SECCOMP_RECORDING_H
#define CELL_SECCOMP_RECORDING_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util/error.h"
#include "util/json.h"

#define CELL_SC_REC_ENTRIES 2048      /* architecture + number pairs (a power of two) */
#define CELL_SC_REC_TUPLES 8192       /* argument tuples, all entries together */
#define CELL_SC_REC_MAX_TUPLES 64     /* distinct tuples kept per entry */
#define CELL_SC_REC_MAX_ARGS 3        /* arguments per tuple */
#define CELL_SC_REC_FORMAT 1          /* "cellSeccompRecording" in the file */

typedef struct cell_sc_rec_tuple {
  uint64_t v[CELL_SC_REC_MAX_ARGS];
  uint64_t count, denied;
  int32_t next;                  /* next tuple of the entry, -1 */
  uint32_t pad;
} cell_sc_rec_tuple;

typedef struct cell_sc_rec_entry {
  uint8_t used;
  uint8_t nargs;                 /* arguments noted (0: none for this syscall) */
  uint8_t more;                  /* values were seen that the table had no room for */
  uint8_t argidx[CELL_SC_REC_MAX_ARGS];  /* which arguments: 0..5 */
  uint16_t ntuples;
  uint32_t audit;                /* seccomp_data.arch */
  int32_t arch;                  /* index in cell_sc_arches, -1: unknown audit value */
  uint32_t nr;                   /* as the kernel sees it */
  uint32_t deny_ret;             /* the answer of the last denied call (SECCOMP_RET_*) */
  uint64_t count, denied;
  int32_t first;                 /* first tuple, -1 */
} cell_sc_rec_entry;

typedef struct cell_sc_recording {
  uint32_t nentries, ntuples;
  uint64_t lost;                 /* calls the table had no room for */
  uint64_t generation;           /* bumped on every change */
  cell_sc_rec_entry entries[CELL_SC_REC_ENTRIES];  /* open addressing by (audit, nr) */
  cell_sc_rec_tuple tuples[CELL_SC_REC_TUPLES];
} cell_sc_recording;

/* What goes into the file besides the entries (all optional). */
typedef struct cell_sc_rec_meta {
  const char *container;
  const char *started, *ended;   /* RFC 3339 */
  const char *kernel;            /* uname release */
  bool base;                     /* a base profile applied */
  bool partial;                  /* written while still recording */
} cell_sc_rec_meta;

void cell_sc_rec_init(cell_sc_recording *r);

/* The arguments noted for syscall name (idx gets their indexes); 0 for
 * the others.  For clone3 the one value is the flags word of the struct
 * clone_args that args[0] points to: the caller reads it (see
 * cell_sc_rec_add). */
size_t cell_sc_rec_interest(const char *name, uint8_t idx[CELL_SC_REC_MAX_ARGS]);

/* Note one call: arch from audit and nr (x32 by its bit), the six
 * arguments as the kernel passed them (for clone3 args[0] must already be
 * the flags; args_known false when they could not be read: the values are
 * then not noted, the entry is marked `more`), and ret, what the call got
 * (SECCOMP_RET_*, ALLOW for a call let through); denied says the base
 * profile denied it.  Never fails: a full table counts the call as lost. */
void cell_sc_rec_add(cell_sc_recording *r, uint32_t audit, uint32_t nr, const uint64_t args[6],
                     bool args_known, uint32_t ret, bool denied);

/* Add everything of src into dst (counts summed, tuples united). */
void cell_sc_rec_merge(cell_sc_recording *dst, const cell_sc_recording *src);

/* The file's JSON (new reference): {"cellSeccompRecording":1, "container",
 * "started", "ended", "kernel", "base", "partial", "lost", "syscalls":[{"arch",
 * "name", "nr", "count", "denied", "deniedWith", "args":{"index":[..],
 * "values":[{"v":[..],"count","denied"}], "more"}}]}, sorted by arch and
 * name. */
json_t *cell_sc_rec_to_json(const cell_sc_recording *r, const cell_sc_rec_meta *m);
/* Write it to path atomically (cell_write_file_atomic). */
int cell_sc_rec_write(const char *path, const cell_sc_recording *r, const cell_sc_rec_meta *m,
                      cell_error *err);
/* Read a recording and add it into r.  Errors name the file, the line and
 * column and the field ("rec.json:7:12: syscalls[3].count: expected a
 * number >= 0"). Argument values are read as the 64 bits they are: 0 to
 * UINT64_MAX, or negative as jansson writes those above INT64_MAX. */
int cell_sc_rec_read(const char *path, cell_sc_recording *r, cell_error *err);
/* The same for a tree already read; name is the file's. */
int cell_sc_rec_from_json(const cell_jv *j, const char *name, cell_sc_recording *r,
                          cell_error *err);

/* ---- the recording filter (record-filter.c) ----------------------------- */

struct cell_seccomp_filter;
/* The filter a recorded container loads: base (NULL: none) with every
 * answer that lets the call run or fails it with an errno (ALLOW, LOG,
 * ERRNO) turned into USER_NOTIF, so that the recorder sees the call and
 * gives the base's answer itself (cell_sc_record_answer); KILL, TRAP and
 * TRACE stay with the kernel.  Without a base every call of every
 * architecture is notified.  The flags are the base's plus NEW_LISTENER.
 * -EINVAL when the base already notifies (its listener would go elsewhere)
 * or returns the accumulator (its answers cannot be told statically). */
int cell_sc_record_filter(const struct cell_seccomp_filter *base, struct cell_seccomp_filter *out,
                          cell_error *err);
/* What base (NULL: none, ALLOW) answers the call in data, a struct
 * seccomp_data as the kernel fills it. */
uint32_t cell_sc_record_answer(const struct cell_seccomp_filter *base, const void *data);

/* ---- a recording into a profile (record-profile.c) ----------------------- */

typedef struct cell_sc_rec_profile_opts {
  bool policy;                       /* cell's language; else OCI JSON */
  unsigned max_values;               /* argument rules for a syscall when it saw at most
                                      * this many distinct values; 0: none */
  uint32_t newer;                    /* syscalls newer than this release (a << 16 |
                                      * b << 8) get ENOSYS; 0: none */
  unsigned deny_errno;               /* everything else: ERRNO(deny_errno) */
  const struct cell_seccomp_filter *base;  /* --base: its denials win; NULL */
  const char *base_name;
  const bool *arches;                /* more architectures (by cell_sc_arches index) */
  const char *const *sources;        /* the recordings' names, for the header */
  size_t nsources;
} cell_sc_rec_profile_opts;

/* The profile, as text (heap) in *out: policy or JSON, deny by default,
 * ENOSYS for newer syscalls, one rule per recorded syscall (sorted by
 * name) with its counts in a comment: unconditional, or one value list /
 * one rule per argument tuple when the recording kept at most max_values
 * of them (never for clone3, whose flags a filter cannot read), the base's
 * answer for what the base denied.  The architectures are the recorded
 * ones, the native first.  -EINVAL for an empty recording. */
int cell_sc_rec_profile(const cell_sc_recording *r, const cell_sc_rec_profile_opts *opts,
                        char **out, cell_error *err);

/* Entry lookup, for the profile writer and the tests (NULL: none). */
const cell_sc_rec_entry *cell_sc_rec_find(const cell_sc_recording *r, uint32_t audit, uint32_t nr);
#endif
