/* Small file-system helpers. All return 0 / a count, or a negative errno
 * with err filled. */
#ifndef CELL_UTIL_FS_H
#define CELL_UTIL_FS_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "util/error.h"

/* Write data to path atomically: a temp file in the same directory, fsync
 * skipped (state is in tmpfs), then exchanged with an existing path
 * (RENAME_EXCHANGE, the old content unlinked) or renamed to a new one.
 * Readers see the old content or the new, never none. A path that is not
 * a regular file (a device such as /dev/null, a fifo) is written in place. */
int cell_write_file_atomic(const char *path, const void *data, size_t len,
                           mode_t mode, cell_error *err);
/* The same for a regular file NAME of directory dirfd that only we write
 * (dir names it in messages): no stat first, and `exists` says whether
 * NAME is there to be exchanged with, else it is renamed to (a wrong
 * guess costs a failing exchange, or a plain rename over NAME). */
int cell_replace_file_at(int dirfd, const char *dir, const char *name, const void *data,
                         size_t len, mode_t mode, bool exists, cell_error *err);
/* The same, keeping the file written open: *kept gets its fd (write-only,
 * close-on-exec), which names NAME for as long as nobody replaces it. */
int cell_replace_file_at_kept(int dirfd, const char *dir, const char *name, const void *data,
                              size_t len, mode_t mode, bool exists, int *kept, cell_error *err);
/* Create path (it must not exist) with data; for files nobody reads
 * before the writer says so (removed again when the write fails). */
int cell_write_file_new(const char *path, const void *data, size_t len, mode_t mode,
                        cell_error *err);
/* Write the whole buffer to an existing file (e.g. /proc knobs). */
int cell_write_file(const char *path, const void *data, size_t len, cell_error *err);
int cell_write_file_at(int dirfd, const char *path, const void *data, size_t len,
                       cell_error *err);
/* Read a whole file; *out is NUL-terminated, *len excludes the NUL. */
int cell_read_file(const char *path, char **out, size_t *len, cell_error *err);
int cell_read_file_at(int dirfd, const char *path, char **out, size_t *len,
                      cell_error *err);
int cell_read_fd(int fd, char **out, size_t *len);
/* Write all of buf to fd, retrying on EINTR and short writes. */
int cell_write_all(int fd, const void *buf, size_t len);
/* mkdir -p; existing directories are fine. */
int cell_mkdir_p(const char *path, mode_t mode, cell_error *err);
/* rm -rf of a directory tree that does not cross mounts. */
int cell_rm_rf(const char *path, cell_error *err);
/* Close every fd >= first except those in keep[0..nkeep). */
int cell_close_fds_from(int first, const int *keep, size_t nkeep);
#endif
