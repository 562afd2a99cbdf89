/* process.user: supplementary groups, gid, uid, umask. */
#include "linux/process.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"

/* True when /proc/self/setgroups says "deny" (a user namespace whose gid map
 * was written without setgroups permission). */
static bool setgroups_denied(void)
{
  _cleanup_close_ int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  char buf[16] = "";
  ssize_t n = read(fd, buf, sizeof buf - 1);
  return n >= 4 && strncmp(buf, "deny", 4) == 0;
}

/* keep_original_groups: the groups we have, additionalGids added. */
static int keep_groups(const oci_user *u, cell_error *err)
{
  int n = getgroups(0, NULL);
  if (n < 0)
    return cell_error_sys(err, "getgroups");
  size_t cap = (size_t) n + u->n_additional_gids;
  if (cap == 0)
    return 0;
  _cleanup_free_ gid_t *all = calloc(cap, sizeof *all);
  if (!all)
    return cell_error_set(err, ENOMEM, "out of memory");
  if ((n = getgroups(n, all)) < 0)
    return cell_error_sys(err, "getgroups");
  size_t len = (size_t) n;
  for (size_t i = 0; i < u->n_additional_gids; i++) {
    size_t j = 0;
    while (j < len && all[j] != u->additional_gids[i])
      j++;
    if (j == len)
      all[len++] = u->additional_gids[i];
  }
  if (len == (size_t) n)
    return 0;
  if (setgroups(len, all) < 0)
    return cell_error_sys(err, "setgroups (annotation " OCI_ANNOTATION_KEEP_GROUPS
                          " with process.user.additionalGids)");
  return 0;
}

static int set_groups(const oci_user *u, cell_error *err)
{
  if (u->keep_original_groups)
    return keep_groups(u, err);
  if (setgroups(u->n_additional_gids, u->additional_gids) == 0)
    return 0;
  int e = errno;
  bool denied = e == EPERM && setgroups_denied();
  if (u->n_additional_gids == 0) {
    /* Nothing asked and the kernel forbids dropping the inherited list: keep it. */
    if (denied)
      return 0;
    return cell_error_sys_code(err, e, "setgroups (clearing supplementary groups)");
  }
  if (denied)
    return cell_error_set(err, EPERM,
                          "process.user.additionalGids: setgroups is denied in this user "
                          "namespace (/proc/self/setgroups is `deny`), so additional gids "
                          "cannot be set");
  return cell_error_sys_code(err, e, "setgroups process.user.additionalGids (%zu gids)",
                             u->n_additional_gids);
}

int linux_set_user(const oci_process *p, cell_error *err)
{
  const oci_user *u = &p->user;
  /* Keep the permitted set across the uid change; linux_apply_caps then sets
   * the sets asked for (and clears the flag). */
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return cell_error_sys(err, "prctl PR_SET_KEEPCAPS");
  int r = set_groups(u, err);
  if (r < 0)
    return r;
  /* EINVAL: the id has no mapping in the container's user namespace. */
  if (setresgid(u->gid, u->gid, u->gid) < 0)
    return cell_error_sys(err, "setresgid %u (process.user.gid%s)", (unsigned) u->gid,
                          errno == EINVAL ? ", not mapped in the user namespace" : "");
  if (setresuid(u->uid, u->uid, u->uid) < 0)
    return cell_error_sys(err, "setresuid %u (process.user.uid%s)", (unsigned) u->uid,
                          errno == EINVAL ? ", not mapped in the user namespace" : "");
  /* runc sets 0022 when process.user.umask is absent; so do we. */
  umask(u->has_umask ? u->umask : 0022);
  return 0;
}

/* /etc/passwd is read in one go, up to the size of the fstat that checks
 * it is a regular file, rather than through stdio, which stats it again
 * and asks for its flags. */
char *linux_user_home(uid_t uid)
{
  /* O_NONBLOCK: a fifo planted as /etc/passwd must not hang us. */
  _cleanup_close_ int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0)
    return NULL;
  struct stat st;
  if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (1 << 24))
    return NULL;
  size_t size = (size_t) st.st_size, n = 0;
  _cleanup_free_ char *buf = malloc(size + 1);
  if (!buf)
    return NULL;
  while (n < size) {
    ssize_t got = read(fd, buf + n, size - n);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      break;
    n += (size_t) got;
  }
  buf[n] = '\0';
  /* name:password:uid:gid:gecos:home:shell */
  for (char *line = buf, *next; *line; line = next) {
    char *nl = strchr(line, '\n');
    next = nl ? nl + 1 : line + strlen(line);
    if (nl)
      *nl = '\0';
    char *field[7] = { 0 }, *s = line;
    int k = 0;
    for (; k < 7 && s; k++) {
      field[k] = s;
      s = strchr(s, ':');
      if (s)
        *s++ = '\0';
    }
    if (k < 6 || !*field[2])
      continue;
    char *end;
    unsigned long id = strtoul(field[2], &end, 10);
    if (*end || id != (unsigned long) uid)
      continue;
    if (*field[5])
      return strdup(field[5]);
  }
  return NULL;
}
