/* The container's user namespace maps, for root and for a caller that is
 * not (rootless):
 *   - root writes /proc/PID/uid_map and gid_map itself, whatever they say;
 *   - a caller that is not root writes a map itself when it is its own id
 *     alone ("C EUID 1"), the gid one after "deny" to /proc/PID/setgroups
 *     (the kernel's rule; process.user.additionalGids then fail);
 *   - any other map goes through the setuid newuidmap / newgidmap (Debian
 *     package uidmap), found in PATH, which allow the caller's own id and
 *     the ranges /etc/subuid and /etc/subgid give it.
 * linux_userns_check says before anything exists whether that will work,
 * with the file, range and id in its message. */
#ifndef CELL_LINUX_USERNS_H
#define CELL_LINUX_USERNS_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "oci/config.h"

/* Rootless: the effective uid is not 0, or the caller's user namespace is
 * not the initial one (its uid_map is not "0 0 4294967295"). */
bool linux_rootless_detect(void);

/* One range of /etc/subuid or /etc/subgid. */
typedef struct linux_subid {
  uint32_t start, count;
} linux_subid;

/* The ranges of text (the file's contents) for user name or uid id:
 * "NAME:START:COUNT" or "ID:START:COUNT" lines; malformed lines are
 * skipped. *out malloc'ed (NULL when none). */
int linux_subid_parse(const char *text, const char *name, uint32_t id, linux_subid **out,
                      size_t *n);

/* Whether map m[0..n) is own alone: one line, host id own, size 1. */
bool linux_map_is_own(const oci_idmap *m, size_t n, uint32_t own);

/* Before anything exists (create), for a config with a new user namespace
 * and a caller that is not root: every mapping is the caller's own id or
 * lies within one of its ranges of /etc/subuid (/etc/subgid), and
 * newuidmap (newgidmap) is in PATH when a map needs it. */
int linux_userns_check(const oci_config *c, cell_error *err);
#endif
