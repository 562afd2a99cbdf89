/* mknod/mknodat emulation: a container that may not create device nodes
 * (no CAP_MKNOD in the initial user namespace) gets the harmless character
 * devices it asks for: a node made by the agent (owned by the caller, on a
 * private tmpfs mounted nowhere) is bind-mounted onto a new empty file
 * created as the caller would have created it.  Anything else that
 * needs a privilege gets EPERM; fifos, sockets and regular files need none
 * and are left to the kernel (CONTINUE: the kernel's own checks apply). */
#include "notify/internal.h"
#include "util/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/capability.h>

static const struct { unsigned major, minor; const char *name; } allowed[] = {
  { 1, 3, "null" }, { 1, 5, "zero" }, { 1, 7, "full" },
  { 1, 8, "random" }, { 1, 9, "urandom" }, { 5, 0, "tty" },
};

/* One field of /proc/PID/status ("CapEff:", "Uid:", "Umask:"): the n-th
 * word after the key. */
static int status_field(int statusfd, const char *key, int n, unsigned long long *v, int base)
{
  char buf[8192];
  ssize_t len = pread(statusfd, buf, sizeof buf - 1, 0);
  if (len <= 0)
    return -EIO;
  buf[len] = 0;
  size_t kl = strlen(key);
  for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
    if (strncmp(line, key, kl) == 0) {
      char *p = line + kl, *end;
      for (int i = 0; i <= n; i++) {
        *v = strtoull(p, &end, base);
        if (end == p)
          return -EINVAL;
        p = end;
      }
      return 0;
    }
  return -ENOENT;
}

static int open_proc(pid_t pid, const char *what, int flags)
{
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/%s", (int) pid, what);
  int fd = open(path, flags | O_CLOEXEC);
  return fd < 0 ? -errno : fd;
}

static bool same_ns(int fd, const char *self)
{
  struct stat a, b;
  return fstat(fd, &a) == 0 && stat(self, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

typedef struct mk_job {
  pid_t pid;
  int userns, mntns, root, dir, tree;
  const char *path;
  mode_t perm;
} mk_job;

/* In a child: become the caller (its namespaces, root, cwd or dirfd, fsuid,
 * fsgid, umask), create the file, mount the prepared node on it. Returns
 * the errno for the caller (0: success). */
static int mk_child(const mk_job *j)
{
  if (!same_ns(j->userns, "/proc/self/ns/user") && setns(j->userns, CLONE_NEWUSER) < 0)
    return errno;
  /* Read the caller's ids now: /proc shows them in the reader's user ns. */
  int st = open_proc(j->pid, "status", O_RDONLY);
  if (st < 0)
    return -st;
  unsigned long long fsuid, fsgid, mask;
  if (status_field(st, "Uid:", 3, &fsuid, 10) < 0 || status_field(st, "Gid:", 3, &fsgid, 10) < 0)
    return EPERM;
  if (status_field(st, "Umask:", 0, &mask, 8) < 0)
    mask = 022;
  close(st);
  if (!same_ns(j->mntns, "/proc/self/ns/mnt") && setns(j->mntns, CLONE_NEWNS) < 0)
    return errno;
  if (fchdir(j->root) < 0 || chroot(".") < 0 || fchdir(j->dir) < 0)
    return errno;
  umask((mode_t) mask);
  if (setfsgid((gid_t) fsgid) < 0 || setfsuid((uid_t) fsuid) < 0)
    return EPERM;
  int fd = open(j->path, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, j->perm);
  if (fd < 0)
    return errno;
  close(fd);
  /* Mount onto the very file we made, found again without following a
   * symlink a racing caller could put in its place. */
  int target = open(j->path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  struct stat sb;
  if (target < 0 || fstat(target, &sb) < 0 || !S_ISREG(sb.st_mode))
    return EPERM;
  if (move_mount(j->tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
    int e = errno;
    unlink(j->path);
    return e == EPERM || e == EACCES ? EPERM : e;
  }
  return 0;
}

static int run_child(const mk_job *j)
{
  pid_t c = fork();
  if (c < 0)
    return errno;
  if (c == 0)
    _exit(mk_child(j));
  int status;
  while (waitpid(c, &status, 0) < 0)
    if (errno != EINTR)
      return errno;
  return WIFEXITED(status) ? WEXITSTATUS(status) : EIO;
}

#define CLOSE(x) do { if ((x) >= 0) close(x); } while (0)

/* A fresh device node owned by the caller (its host fsuid and fsgid), on a
 * private tmpfs that is mounted nowhere, as a detached mount ready for
 * move_mount.  Owning the node matters: opening with O_CREAT a node of
 * someone else in a sticky directory such as /tmp fails with EACCES.  A
 * negative errno on failure. */
static int device_tree(dev_t dev, mode_t perm, uid_t uid, gid_t gid)
{
  int fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
  if (fs < 0)
    return -errno;
  int m = -1, tree = -1, e = 0;
  if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0 ||
      (m = fsmount(fs, FSMOUNT_CLOEXEC, 0)) < 0 ||
      mknodat(m, "dev", S_IFCHR | 0600, dev) < 0 ||
      fchownat(m, "dev", uid, gid, AT_SYMLINK_NOFOLLOW) < 0 ||
      fchmodat(m, "dev", perm, 0) < 0 ||
      (tree = (int) open_tree(m, "dev", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)) < 0)
    e = -errno;
  CLOSE(m);
  close(fs);
  return e < 0 ? e : tree;
}

cn_verdict cn_handle_mknod(cn_req *r, long arg)
{
  (void) arg;
  const struct seccomp_data *d = &r->req->data;
  if (d->arch != AUDIT_ARCH_X86_64 || (d->nr != SYS_mknod && d->nr != SYS_mknodat))
    return CN_NEXT;
  bool at = d->nr == SYS_mknodat;
  int dirfd = at ? (int) d->args[0] : AT_FDCWD;
  uint64_t addr = d->args[at ? 1 : 0];
  mode_t mode = (mode_t) d->args[at ? 2 : 1];
  dev_t dev = (dev_t) d->args[at ? 3 : 2];
  pid_t pid = (pid_t) r->req->pid;
  mode_t type = mode & S_IFMT;
  if (type == 0 || type == S_IFREG || type == S_IFIFO || type == S_IFSOCK) {
    snprintf(r->note, sizeof r->note, "not a device: the kernel decides");
    return CN_CONTINUE;
  }
  const char *host = NULL;
  if (type == S_IFCHR)
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
      if (major(dev) == allowed[i].major && minor(dev) == allowed[i].minor)
        host = allowed[i].name;
  r->resp->error = -EPERM;
  if (!host) {
    snprintf(r->note, sizeof r->note, "refused %s %u:%u: not on the allowlist",
             type == S_IFBLK ? "block device" : type == S_IFCHR ? "char device" : "node",
             major(dev), minor(dev));
    return CN_REPLY;
  }
  /* Would the caller have been allowed: CAP_MKNOD in its own namespace. */
  int st = open_proc(pid, "status", O_RDONLY);
  unsigned long long caps = 0;
  if (st < 0 || status_field(st, "CapEff:", 0, &caps, 16) < 0 ||
      !(caps & (1ULL << CAP_MKNOD))) {
    CLOSE(st);
    snprintf(r->note, sizeof r->note, "refused %u:%u: the caller has no CAP_MKNOD",
             major(dev), minor(dev));
    return CN_REPLY;
  }
  CLOSE(st);

  /* Copy the path: open mem, check the id is valid, copy, act on the copy. */
  char path[4096];
  int mem = cn_mem_open(pid, false);
  int e = mem < 0 ? mem : cn_id_valid(r->listener, r->req->id);
  ssize_t len = e < 0 ? e : cn_mem_read_string(mem, addr, path, sizeof path);
  CLOSE(mem);
  if (len < 0) {
    r->resp->error = (int32_t) len;
    snprintf(r->note, sizeof r->note, "could not read the path: %s", strerror((int) -len));
    return CN_REPLY;
  }
  if (len == 0) {
    r->resp->error = -ENOENT;
    return CN_REPLY;
  }
  unsigned long long huid, hgid, mask;
  st = open_proc(pid, "status", O_RDONLY);
  if (st < 0 || status_field(st, "Uid:", 3, &huid, 10) < 0 ||
      status_field(st, "Gid:", 3, &hgid, 10) < 0) {
    CLOSE(st);
    r->resp->error = -ESRCH;
    return CN_REPLY;
  }
  if (status_field(st, "Umask:", 0, &mask, 8) < 0)
    mask = 022;
  CLOSE(st);
  char dirname[32];
  if (dirfd == AT_FDCWD)
    snprintf(dirname, sizeof dirname, "cwd");
  else
    snprintf(dirname, sizeof dirname, "fd/%d", dirfd);
  mk_job j = { .pid = pid, .path = path, .perm = mode & 07777, .userns = -1, .mntns = -1,
               .root = -1, .dir = -1, .tree = -1 };
  j.userns = open_proc(pid, "ns/user", O_RDONLY);
  j.mntns = open_proc(pid, "ns/mnt", O_RDONLY);
  j.root = open_proc(pid, "root", O_PATH | O_DIRECTORY);
  j.dir = path[0] == '/' ? open_proc(pid, "root", O_PATH | O_DIRECTORY)
                         : open_proc(pid, dirname, O_PATH | O_DIRECTORY);
  j.tree = device_tree(dev, (mode_t) (mode & 07777 & ~mask), (uid_t) huid, (gid_t) hgid);
  int code;
  if (j.userns < 0 || j.mntns < 0 || j.root < 0)
    code = ESRCH;
  else if (j.dir < 0)
    code = j.dir == -ENOTDIR ? ENOTDIR : EBADF;
  else if (j.tree < 0)
    code = -j.tree;
  else if (cn_id_valid(r->listener, r->req->id) < 0)
    code = ESRCH;  /* the caller is gone: the reply will not arrive anyway */
  else
    code = run_child(&j);
  CLOSE(j.userns);
  CLOSE(j.mntns);
  CLOSE(j.root);
  CLOSE(j.dir);
  CLOSE(j.tree);
  r->resp->error = -code;
  r->resp->val = 0;
  if (code == 0)
    snprintf(r->note, sizeof r->note, "created `%.200s` as %s (%u:%u)", path, host,
             major(dev), minor(dev));
  else
    snprintf(r->note, sizeof r->note, "`%.200s` (%u:%u): %s", path, major(dev), minor(dev),
             strerror(code));
  return CN_REPLY;
}
