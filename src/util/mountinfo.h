/* One line of /proc/PID/mountinfo: the one parser of its lines, for the
 * mount code (linux/mountinfo.c) and the cgroup host scan (cgroups/host.c). */
#ifndef CELL_UTIL_MOUNTINFO_H
#define CELL_UTIL_MOUNTINFO_H
#include <stdbool.h>

/* The strings point into the line; root and point are unescaped (\040). */
typedef struct cell_mi_entry {
  unsigned long long id;
  char *root, *point;
  char *opt_fields;           /* the first optional field, or NULL */
  char *fstype, *source;
  char *super;                /* "" when missing */
} cell_mi_entry;

/* line: one line, its newline already cut; cut in place. false: not a
 * mountinfo line (too few fields, no "-" separator). */
bool cell_mountinfo_line(char *line, cell_mi_entry *e);
#endif
