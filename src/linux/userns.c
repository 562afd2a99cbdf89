/* The container's user namespace maps (userns.h): written by the runtime,
 * or through newuidmap/newgidmap for a caller that is not root and maps
 * more than its own id; checked before anything exists. */
#include "linux/namespaces.h"
#include "linux/userns.h"
#include "util/cleanup.h"
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

bool linux_rootless_detect(void)
{
  if (geteuid() != 0)
    return true;
  _cleanup_free_ char *text = NULL;
  cell_error e = CELL_ERROR_INIT;
  int r = cell_read_file("/proc/self/uid_map", &text, NULL, &e);
  cell_error_clear(&e);
  if (r < 0)
    return false;
  unsigned long a, b, n;
  return !(sscanf(text, "%lu %lu %lu", &a, &b, &n) == 3 && a == 0 && b == 0 &&
           n == 4294967295ul);
}

int linux_subid_parse(const char *text, const char *name, uint32_t id, linux_subid **out,
                      size_t *n)
{
  *out = NULL;
  *n = 0;
  char idbuf[16];
  snprintf(idbuf, sizeof idbuf, "%u", id);
  for (const char *line = text; line && *line;) {
    const char *end = strchr(line, '\n');
    size_t len = end ? (size_t) (end - line) : strlen(line);
    const char *c1 = memchr(line, ':', len);
    size_t ul = c1 ? (size_t) (c1 - line) : 0;
    bool mine = c1 && ((name && strlen(name) == ul && !strncmp(line, name, ul)) ||
                       (strlen(idbuf) == ul && !strncmp(line, idbuf, ul)));
    unsigned long start, count;
    char tail;
    char buf[64];
    size_t rest = c1 ? len - ul - 1 : 0;
    if (mine && rest < sizeof buf) {
      memcpy(buf, c1 + 1, rest);
      buf[rest] = 0;
      if (sscanf(buf, "%lu:%lu%c", &start, &count, &tail) == 2 && count &&
          start <= UINT32_MAX && count <= UINT32_MAX - start) {
        linux_subid *v = realloc(*out, (*n + 1) * sizeof *v);
        if (!v) {
          free(*out);
          *out = NULL;
          *n = 0;
          return -ENOMEM;
        }
        v[*n] = (linux_subid) { (uint32_t) start, (uint32_t) count };
        *out = v;
        (*n)++;
      }
    }
    line = end ? end + 1 : NULL;
  }
  return 0;
}

bool linux_map_is_own(const oci_idmap *m, size_t n, uint32_t own)
{
  return n == 1 && m[0].host_id == own && m[0].size == 1;
}

/* The map kinds: uid (false) or gid (true). */
typedef struct map_kind {
  const char *field, *file, *helper, *proc_file, *what;
} map_kind;

static const map_kind kinds[2] = {
  { "linux.uidMappings", "/etc/subuid", "newuidmap", "uid_map", "uid" },
  { "linux.gidMappings", "/etc/subgid", "newgidmap", "gid_map", "gid" },
};

/* The full path of name in PATH (malloc'ed), NULL when none. */
static char *find_in_path(const char *name)
{
  const char *path = getenv("PATH");
  if (!path)
    path = "/usr/local/bin:/usr/bin:/bin";
  while (*path) {
    size_t len = strcspn(path, ":");
    char *full = NULL;
    if (len && asprintf(&full, "%.*s/%s", (int) len, path, name) >= 0) {
      struct stat st;
      if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && access(full, X_OK) == 0)
        return full;
      free(full);
    }
    path += len;
    if (*path == ':')
      path++;
  }
  return NULL;
}

/* "A-B, C-D" of the ranges, or "none" (malloc'ed). */
static char *ranges_text(const linux_subid *v, size_t n)
{
  size_t cap = n * 24 + 8, len = 0;
  char *s = malloc(cap);
  if (!s)
    return NULL;
  s[0] = 0;
  for (size_t i = 0; i < n; i++)
    len += (size_t) snprintf(s + len, cap - len, "%s%u-%llu", i ? ", " : "", v[i].start,
                             (unsigned long long) v[i].start + v[i].count - 1);
  if (!n)
    snprintf(s, cap, "none");
  return s;
}

static int check_kind(const map_kind *k, const oci_idmap *m, size_t n, uint32_t own,
                      const char *user, cell_error *err)
{
  if (linux_map_is_own(m, n, own))
    return 0;
  _cleanup_free_ char *text = NULL;
  cell_error e = CELL_ERROR_INIT;
  int r = cell_read_file(k->file, &text, NULL, &e);
  if (r < 0 && r != -ENOENT) {
    cell_error_move(err, &e);
    return cell_error_wrap(err, "%s: more than your own %s (%u) needs ranges of %s",
                           k->field, k->what, own, k->file);
  }
  cell_error_clear(&e);
  _cleanup_free_ linux_subid *v = NULL;
  size_t nv = 0;
  if (text && linux_subid_parse(text, user, own, &v, &nv) < 0)
    return cell_error_set(err, ENOMEM, "out of memory");
  for (size_t i = 0; i < n; i++) {
    uint64_t lo = m[i].host_id, hi = lo + m[i].size - 1;
    bool ok = m[i].size == 1 && m[i].host_id == own;
    for (size_t j = 0; j < nv && !ok; j++)
      ok = lo >= v[j].start && hi <= (uint64_t) v[j].start + v[j].count - 1;
    if (ok)
      continue;
    _cleanup_free_ char *have = ranges_text(v, nv);
    return cell_error_set(err, EPERM, "%s[%zu]: host %ss %llu-%llu (hostID %u, size %u) are not "
                          "yours to map: %s %u may map itself and the %s ranges %s gives "
                          "`%s` (%s)%s", k->field, i, k->what, (unsigned long long) lo,
                          (unsigned long long) hi, m[i].host_id, m[i].size, k->what, own,
                          k->what, k->file, user ? user : "?", have ? have : "?",
                          text ? "" : "; the file does not exist");
  }
  _cleanup_free_ char *helper = find_in_path(k->helper);
  if (!helper)
    return cell_error_set(err, ENOENT, "%s: mapping more than your own %s (%u) needs %s "
                          "(Debian package uidmap), not found in PATH (%s)", k->field,
                          k->what, own, k->helper, getenv("PATH") ? getenv("PATH") : "unset");
  return 0;
}

int linux_userns_check(const oci_config *c, cell_error *err)
{
  if (!linux_ns_is_new(c, OCI_NS_USER) || geteuid() == 0)
    return 0;
  char pwbuf[4096];
  struct passwd pw, *res = NULL;
  const char *user = NULL;
  if (getpwuid_r(geteuid(), &pw, pwbuf, sizeof pwbuf, &res) == 0 && res)
    user = res->pw_name;
  int r = check_kind(&kinds[0], c->linux.uid_mappings, c->linux.n_uid_mappings, geteuid(),
                     user, err);
  if (r < 0)
    return r;
  return check_kind(&kinds[1], c->linux.gid_mappings, c->linux.n_gid_mappings, getegid(),
                    user, err);
}

/* newuidmap PID C H S ...: its stderr in the message when it fails. */
static int run_helper(const map_kind *k, pid_t pid, const oci_idmap *m, size_t n,
                      cell_error *err)
{
  _cleanup_free_ char *helper = find_in_path(k->helper);
  if (!helper)
    return cell_error_set(err, ENOENT, "%s: %s not found in PATH", k->field, k->helper);
  size_t argc = 2 + 3 * n;
  char **argv = calloc(argc + 1, sizeof *argv);
  char (*num)[16] = calloc(argc, sizeof *num);
  int pipefd[2] = { -1, -1 };
  int r = 0;
  _cleanup_free_ char *msg = NULL; /* the helper's stderr */
  size_t len = 0;
  if (!argv || !num) {
    r = cell_error_set(err, ENOMEM, "out of memory");
    goto out;
  }
  argv[0] = (char *) k->helper;
  snprintf(num[1], sizeof num[1], "%d", (int) pid);
  argv[1] = num[1];
  for (size_t i = 0; i < n; i++) {
    uint32_t f[3] = { m[i].container_id, m[i].host_id, m[i].size };
    for (int j = 0; j < 3; j++) {
      size_t a = 2 + 3 * i + (size_t) j;
      snprintf(num[a], sizeof num[a], "%u", f[j]);
      argv[a] = num[a];
    }
  }
  if (pipe2(pipefd, O_CLOEXEC) < 0) {
    r = cell_error_sys(err, "pipe");
    goto out;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
  pid_t child;
  int e = posix_spawn(&child, helper, &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(pipefd[1]);
  pipefd[1] = -1;
  if (e) {
    r = cell_error_sys_code(err, e, "%s: run %s", k->field, helper);
    goto out;
  }
  (void) cell_read_fd(pipefd[0], &msg, &len);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR)
    ;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    if (msg)
      while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
        msg[--len] = 0;
    r = cell_error_set(err, EPERM, "%s: %s %s failed (%s %d)%s%s", k->field, helper,
                       k->proc_file, WIFEXITED(status) ? "exit" : "signal",
                       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
                       msg && *msg ? ": " : "", msg && *msg ? msg : "");
  }
out:
  if (pipefd[0] >= 0)
    close(pipefd[0]);
  free(argv);
  free(num);
  return r;
}

static int write_kind(const map_kind *k, pid_t pid, const oci_idmap *m, size_t n, uint32_t own,
                      bool gid, cell_error *err)
{
  if (geteuid() != 0 && !linux_map_is_own(m, n, own))
    return run_helper(k, pid, m, n, err);
  if (geteuid() != 0 && gid) {
    /* The kernel lets a caller without CAP_SETGID map its own gid only
     * once setgroups is denied. */
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/setgroups", (int) pid);
    int r = cell_write_file(path, "deny", 4, err);
    if (r < 0)
      return cell_error_wrap(err, "%s: deny setgroups before writing gid_map", k->field);
  }
  return linux_ns_write_map(pid, k->proc_file, m, n, k->field, err);
}

int linux_ns_write_idmaps(pid_t pid, const oci_config *c, cell_error *err)
{
  if (!linux_ns_is_new(c, OCI_NS_USER))
    return 0;
  int r = write_kind(&kinds[0], pid, c->linux.uid_mappings, c->linux.n_uid_mappings,
                     geteuid(), false, err);
  if (r < 0)
    return r;
  return write_kind(&kinds[1], pid, c->linux.gid_mappings, c->linux.n_gid_mappings,
                    getegid(), true, err);
}
