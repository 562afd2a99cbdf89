/* Cleanup attributes: every early return frees what the scope owns. */
#ifndef CELL_UTIL_CLEANUP_H
#define CELL_UTIL_CLEANUP_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <dirent.h>

static inline void cell_freep(void *p) { free(*(void **) p); }
static inline void cell_closep(int *fd)
{
  if (*fd >= 0) {
    int saved = errno;
    close(*fd);
    errno = saved;
  }
}
static inline void cell_fclosep(FILE **f) { if (*f) fclose(*f); }
static inline void cell_closedirp(DIR **d) { if (*d) closedir(*d); }
void cell_strv_freep(char ***v);

#define _cleanup_free_ __attribute__((cleanup(cell_freep)))
#define _cleanup_close_ __attribute__((cleanup(cell_closep)))
#define _cleanup_fclose_ __attribute__((cleanup(cell_fclosep)))
#define _cleanup_closedir_ __attribute__((cleanup(cell_closedirp)))
#define _cleanup_strv_ __attribute__((cleanup(cell_strv_freep)))

/* Hand ownership out of a cleanup scope. */
#define cell_steal(p) ({ __typeof__(*(p)) _v = *(p); *(p) = (__typeof__(*(p))) 0; _v; })
static inline int cell_steal_fd(int *fd) { int v = *fd; *fd = -1; return v; }

#endif
