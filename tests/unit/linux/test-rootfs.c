/* linux_rootfs_prepare + linux_rootfs_finish for real, in a child with its
 * own mount namespace and a rootfs on a private tmpfs: what the container
 * would see is checked from inside, after pivot_root. Needs root. */
#include "unit.h"
#include "linux/rootfs.h"
#include "util/cleanup.h"
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

static int child_fails;

/* How the child runs: pivot or chroot, and which newer kernel APIs it is
 * denied (ENOSYS through a seccomp filter) to drive the fallbacks. */
typedef struct variant {
  bool no_pivot;
  bool no_openat2;       /* the careful walk instead of RESOLVE_IN_ROOT */
  bool no_new_mount_api; /* mount(2) + remount instead of open_tree & co */
  bool rshared;          /* rootfsPropagation rshared */
} variant;

static int deny_syscalls(const variant *v)
{
  static const long mount_api[] = { SYS_open_tree, SYS_move_mount, SYS_fsopen, SYS_fsconfig,
                                    SYS_fsmount, SYS_mount_setattr };
  struct sock_filter f[16];
  unsigned n = 0;
  long nrs[8];
  unsigned k = 0;
  if (v->no_openat2)
    nrs[k++] = SYS_openat2;
  if (v->no_new_mount_api)
    for (size_t i = 0; i < sizeof mount_api / sizeof mount_api[0]; i++)
      nrs[k++] = mount_api[i];
  if (!k)
    return 0;
  f[n++] = (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
  f[n++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
  f[n++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  f[n++] = (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
  for (unsigned i = 0; i < k; i++)
    f[n++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned) nrs[i],
                                           (unsigned char) (k - i), 0);
  f[n++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  f[n++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
  struct sock_fprog prog = { .len = (unsigned short) n, .filter = f };
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return -errno;
  return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0 ? -errno : 0;
}
#define CC(cond)                                                                 \
  do {                                                                           \
    if (!(cond)) {                                                               \
      fprintf(stderr, "  %s:%d: child CHECK(%s) failed (errno %d)\n", __FILE__,  \
              __LINE__, #cond, errno);                                           \
      child_fails++;                                                             \
    }                                                                            \
  } while (0)

/* The mountinfo line of the top mount at point ("" when none). */
static char *mountinfo_of(const char *point)
{
  _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
  char *best = NULL, *line = NULL;
  size_t cap = 0;
  while (f && getline(&line, &cap, f) > 0) {
    char mp[4096];
    if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1 && strcmp(mp, point) == 0) {
      free(best);
      best = strdup(line);
    }
  }
  free(line);
  return best ? best : strdup("");
}

static bool mounted_with(const char *point, const char *needle)
{
  _cleanup_free_ char *l = mountinfo_of(point);
  bool ok = strstr(l, needle) != NULL;
  if (!ok)
    fprintf(stderr, "  mount `%s`: [%s] lacks [%s]\n", point, l, needle);
  return ok;
}

static void put(const char *path, const char *text)
{
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    if (write(fd, text, strlen(text)) < 0)
      perror(path);
    close(fd);
  }
}

#define ROOTFS_DIRS "etc", "proc", "sys", "dev", "tmp", "rodir", "hidden", "copy", "shared-t"

static void build_rootfs(const char *base)
{
  char p[512];
  static const char *dirs[] = { "rootfs", "hostdata", NULL };
  for (const char **d = dirs; *d; d++) {
    snprintf(p, sizeof p, "%s/%s", base, *d);
    mkdir(p, 0755);
  }
  static const char *rdirs[] = { ROOTFS_DIRS, NULL };
  for (const char **d = rdirs; *d; d++) {
    snprintf(p, sizeof p, "%s/rootfs/%s", base, *d);
    mkdir(p, 0755);
  }
  snprintf(p, sizeof p, "%s/rootfs/etclink", base);
  CC(symlink("/etc", p) == 0);
  snprintf(p, sizeof p, "%s/rootfs/up", base);
  CC(symlink("../../../../../../../tmp", p) == 0);
  snprintf(p, sizeof p, "%s/rootfs/secret", base);
  put(p, "password");
  snprintf(p, sizeof p, "%s/rootfs/hidden/inside", base);
  put(p, "x");
  snprintf(p, sizeof p, "%s/rootfs/copy/hello", base);
  put(p, "hi");
  snprintf(p, sizeof p, "%s/hostdata/file", base);
  put(p, "data");
}

static void set_mount(oci_mount *m, const char *dest, const char *type, const char *src,
                      char **opts)
{
  *m = (oci_mount) { .destination = (char *) dest, .type = (char *) type,
                     .source = (char *) src, .options = opts };
  cell_error err = CELL_ERROR_INIT;
  CC(oci_mount_parse_options(m, &err) == 0);
  cell_error_clear(&err);
}

static void check_inside(void)
{
  /* The old root is gone: one mount at /. */
  _cleanup_fclose_ FILE *mi = fopen("/proc/self/mountinfo", "re");
  char line[4096];
  int roots = 0;
  while (mi && fgets(line, sizeof line, mi)) {
    char mp[4096];
    if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1 && strcmp(mp, "/") == 0)
      roots++;
  }
  CC(roots == 1);
  char cwd[64];
  CC(getcwd(cwd, sizeof cwd) && strcmp(cwd, "/") == 0);

  /* Binds: ro and rw. */
  CC(access("/data/file", R_OK) == 0);
  CC(open("/data/new", O_WRONLY | O_CREAT, 0644) < 0 && errno == EROFS);
  int fd = open("/data-rw/new", O_WRONLY | O_CREAT, 0644);
  CC(fd >= 0);
  if (fd >= 0)
    close(fd);

  /* tmpfs options as the kernel shows them. */
  CC(mounted_with("/tmp", " - tmpfs "));
  CC(mounted_with("/tmp", "size=1024k"));
  CC(mounted_with("/tmp", "mode=1770"));
  CC(mounted_with("/tmp", "nosuid,nodev"));
  CC(mounted_with("/dev", "mode=755"));
  CC(mounted_with("/dev/pts", " - devpts "));
  CC(mounted_with("/dev/mqueue", " - mqueue "));
  CC(mounted_with("/shared-t", " shared:"));

  /* Symlinked destinations landed inside the rootfs. */
  CC(mounted_with("/etc", "size=2048k"));
  CC(!*mountinfo_of("/etclink") || !mounted_with("/etclink", " "));
  CC(mounted_with("/tmp/escaped", " - tmpfs "));

  /* tmpcopyup. */
  _cleanup_free_ char *hello = NULL;
  size_t len;
  cell_error err = CELL_ERROR_INIT;
  CC(cell_read_file("/copy/hello", &hello, &len, &err) == 0 && strcmp(hello, "hi") == 0);
  cell_error_clear(&err);
  CC(mounted_with("/copy", " - tmpfs "));

  /* /dev. */
  struct stat sb;
  CC(stat("/dev/null", &sb) == 0 && S_ISCHR(sb.st_mode) && sb.st_rdev == makedev(1, 3));
  CC(stat("/dev/urandom", &sb) == 0 && S_ISCHR(sb.st_mode) && sb.st_rdev == makedev(1, 9));
  CC(stat("/dev/tty", &sb) == 0 && sb.st_rdev == makedev(5, 0) && (sb.st_mode & 0777) == 0666);
  CC(stat("/dev/mydev", &sb) == 0 && S_ISCHR(sb.st_mode) && sb.st_rdev == makedev(1, 7) &&
     (sb.st_mode & 0777) == 0600 && sb.st_uid == 1000 && sb.st_gid == 1001);
  CC(stat("/dev/sub/dir/fifo", &sb) == 0 && S_ISFIFO(sb.st_mode));
  char link[64] = "";
  CC(readlink("/dev/fd", link, sizeof link - 1) > 0 && strcmp(link, "/proc/self/fd") == 0);
  memset(link, 0, sizeof link);
  CC(readlink("/dev/stderr", link, sizeof link - 1) > 0 && strcmp(link, "/proc/self/fd/2") == 0);
  memset(link, 0, sizeof link);
  CC(readlink("/dev/ptmx", link, sizeof link - 1) > 0 && strcmp(link, "pts/ptmx") == 0);
  CC(stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode));

  /* sysfs, cgroups (read-only as asked). */
  CC(mounted_with("/sys", " - sysfs "));
  CC(access("/sys/fs/cgroup", F_OK) == 0);
  CC(access("/sys/fs/cgroup", W_OK) < 0 && errno == EROFS);
  CC(stat("/sys/fs/cgroup/memory", &sb) == 0 ||
     stat("/sys/fs/cgroup/cgroup.controllers", &sb) == 0);

  /* Masked and read-only paths, root.readonly. */
  CC(stat("/proc/kcore", &sb) != 0 || sb.st_rdev == makedev(1, 3));
  _cleanup_free_ char *secret = NULL;
  CC(cell_read_file("/secret", &secret, &len, &err) == 0 && len == 0);
  cell_error_clear(&err);
  CC(access("/hidden/inside", F_OK) < 0 && errno == ENOENT);
  CC(open("/hidden/new", O_WRONLY | O_CREAT, 0644) < 0 && errno == EROFS);
  CC(access("/proc/sys/kernel/hostname", W_OK) < 0 && errno == EROFS);
  CC(open("/rodir/new", O_WRONLY | O_CREAT, 0644) < 0 && errno == EROFS);
  CC(mkdir("/newdir", 0755) < 0 && errno == EROFS);
  CC(mounted_with("/", " ro"));
  /* A read-only path keeps its other flags. */
  CC(mounted_with("/proc/sys", "ro,nosuid,nodev,noexec"));
}

static int full_child(const char *base, const variant *v)
{
  if (unshare(CLONE_NEWNS) < 0)
    return 77;
  CC(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0);
  CC(mount("tmpfs", base, "tmpfs", 0, "mode=755") == 0);
  build_rootfs(base);

  char rootfs[512], data[512];
  snprintf(rootfs, sizeof rootfs, "%s/rootfs", base);
  snprintf(data, sizeof data, "%s/hostdata", base);
  static char *o_proc[] = { "nosuid", "noexec", "nodev", NULL };
  static char *o_dev[] = { "nosuid", "strictatime", "mode=755", "size=65536k", NULL };
  static char *o_pts[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", NULL };
  static char *o_tmp[] = { "nosuid", "nodev", "size=1m", "mode=1770", NULL };
  static char *o_ro[] = { "bind", "ro", NULL };
  static char *o_rw[] = { "rbind", "rw", NULL };
  static char *o_2m[] = { "size=2m", NULL };
  static char *o_sys[] = { "nosuid", "noexec", "nodev", "ro", NULL };
  static char *o_cg[] = { "nosuid", "noexec", "nodev", "relatime", "ro", NULL };
  static char *o_sh[] = { "shared", NULL };
  static char *o_cp[] = { "tmpcopyup", "ro", NULL };
  oci_mount mounts[13];
  set_mount(&mounts[0], "/proc", "proc", "proc", o_proc);
  set_mount(&mounts[1], "/dev", "tmpfs", "tmpfs", o_dev);
  set_mount(&mounts[2], "/dev/pts", "devpts", "devpts", o_pts);
  set_mount(&mounts[3], "/tmp", "tmpfs", "tmpfs", o_tmp);
  set_mount(&mounts[4], "/data", NULL, data, o_ro);
  set_mount(&mounts[5], "/data-rw", "bind", data, o_rw);
  set_mount(&mounts[6], "/etclink", "tmpfs", "tmpfs", o_2m);
  set_mount(&mounts[7], "/up/escaped", "tmpfs", "tmpfs", NULL);
  set_mount(&mounts[8], "/sys", "sysfs", "sysfs", o_sys);
  set_mount(&mounts[9], "/sys/fs/cgroup", "cgroup", "cgroup", o_cg);
  set_mount(&mounts[10], "/dev/mqueue", "mqueue", "mqueue", NULL);
  set_mount(&mounts[11], "/shared-t", "tmpfs", "tmpfs", o_sh);
  set_mount(&mounts[12], "/copy", "tmpfs", "tmpfs", o_cp);
  oci_device devs[] = {
    { .path = "/dev/mydev", .type = 'c', .major = 1, .minor = 7, .has_file_mode = true,
      .file_mode = 0600, .has_uid = true, .uid = 1000, .has_gid = true, .gid = 1001 },
    { .path = "/dev/sub/dir/fifo", .type = 'p' },
  };
  static char *masked[] = { "/proc/kcore", "/secret", "/hidden", "/nonexistent", NULL };
  static char *ro[] = { "/proc/sys", "/rodir", "/nonexistent2", NULL };
  oci_config c = { .root_path = rootfs, .root_readonly = true, .mounts = mounts,
                   .n_mounts = 13 };
  if (v->rshared)
    c.linux.rootfs_propagation = MS_SHARED | MS_REC;
  c.linux.devices = devs;
  c.linux.n_devices = 2;
  c.linux.masked_paths = masked;
  c.linux.readonly_paths = ro;
  linux_rootfs_opts o = { .no_pivot = v->no_pivot };

  struct stat host_etc, after;
  CC(stat("/etc", &host_etc) == 0);
  CC(deny_syscalls(v) == 0);
  cell_error err = CELL_ERROR_INIT;
  int rootfd = linux_rootfs_prepare(&c, &o, &err);
  if (rootfd < 0)
    fprintf(stderr, "  prepare: %s\n", err.msg);
  CC(rootfd >= 0);
  cell_error_clear(&err);
  /* The mount at /etclink -> /etc did not touch the host's /etc. */
  CC(stat("/etc", &after) == 0 && after.st_dev == host_etc.st_dev);
  int r = rootfd;
  if (rootfd >= 0) {
    r = linux_rootfs_finish(&c, &o, rootfd, &err);
    close(rootfd);
    if (r < 0)
      fprintf(stderr, "  finish: %s\n", err.msg);
    CC(r == 0);
    cell_error_clear(&err);
    if (r == 0)
      check_inside();
  }
  return child_fails;
}

static int run_child(int (*fn)(const char *, void *), const char *base, void *arg)
{
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0)
    _exit(fn(base, arg));
  int st;
  if (pid < 0 || waitpid(pid, &st, 0) < 0)
    return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int full_child_cb(const char *base, void *arg)
{
  return full_child(base, arg);
}

static bool host_has_mount_below(const char *base)
{
  _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
  _cleanup_free_ char *line = NULL;
  size_t cap = 0;
  while (f && getline(&line, &cap, f) > 0)
    if (strstr(line, base))
      return true;
  return false;
}

static void prepare_finish(int *unit_failed_, int *unit_skipped_, const variant *v)
{
  if (geteuid() != 0)
    SKIP("needs root");
  char tmpl[] = "/tmp/cell-rootfs-test.XXXXXX";
  char *base = mkdtemp(tmpl);
  CHECK(base != NULL);
  if (!base)
    return;
  int r = run_child(full_child_cb, base, (void *) v);
  if (r == 77) {
    rmdir(base);
    SKIP("cannot unshare a mount namespace");
  }
  CHECK_INT(r, 0);
  CHECK(!host_has_mount_below(base));
  CHECK_INT(rmdir(base), 0);
}

TEST(rootfs_prepare_finish)
{
  prepare_finish(unit_failed_, unit_skipped_, &(variant) { 0 });
}

TEST(rootfs_prepare_finish_no_pivot)
{
  prepare_finish(unit_failed_, unit_skipped_, &(variant) { .no_pivot = true });
}

TEST(rootfs_prepare_finish_without_openat2)
{
  prepare_finish(unit_failed_, unit_skipped_, &(variant) { .no_openat2 = true });
}

TEST(rootfs_prepare_finish_without_new_mount_api)
{
  prepare_finish(unit_failed_, unit_skipped_,
                 &(variant) { .no_openat2 = true, .no_new_mount_api = true });
}

TEST(rootfs_prepare_finish_rshared)
{
  prepare_finish(unit_failed_, unit_skipped_, &(variant) { .rshared = true });
  prepare_finish(unit_failed_, unit_skipped_,
                 &(variant) { .rshared = true, .no_new_mount_api = true, .no_openat2 = true });
}

/* One bad mount; the error must name it. */
typedef struct bad_case {
  const char *type, *source, *dest, *expect;
  char **opts;
} bad_case;

static int bad_child(const char *base, void *arg)
{
  const bad_case *b = arg;
  if (unshare(CLONE_NEWNS) < 0)
    return 77;
  char rootfs[512];
  snprintf(rootfs, sizeof rootfs, "%s/rootfs", base);
  oci_mount m[2];
  set_mount(&m[0], "/proc", "proc", "proc", NULL);
  set_mount(&m[1], b->dest, b->type, b->source, b->opts);
  oci_config c = { .root_path = rootfs, .mounts = m, .n_mounts = 2 };
  linux_rootfs_opts o = { 0 };
  cell_error err = CELL_ERROR_INIT;
  int r = linux_rootfs_prepare(&c, &o, &err);
  CC(r < 0);
  if (r < 0 && (!err.msg || !strstr(err.msg, b->expect))) {
    fprintf(stderr, "  error [%s] lacks [%s]\n", err.msg ? err.msg : "(none)", b->expect);
    child_fails++;
  }
  cell_error_clear(&err);
  return child_fails;
}

TEST(rootfs_bad_mounts_are_named)
{
  if (geteuid() != 0)
    SKIP("needs root");
  char tmpl[] = "/tmp/cell-rootfs-bad.XXXXXX";
  char *base = mkdtemp(tmpl);
  CHECK(base != NULL);
  if (!base)
    return;
  char p[512];
  snprintf(p, sizeof p, "%s/rootfs", base);
  mkdir(p, 0755);
  static char *bind[] = { "rbind", NULL };
  static char *idmap[] = { "rbind", "idmap", NULL };
  static const bad_case cases[] = {
    { NULL, "/nonexistent-cell-src", "/x", "mounts[1] `/x`: source `/nonexistent-cell-src`: "
      "No such file or directory", bind },
    { "nosuchfs", "none", "/y", "mounts[1] `/y`: mount type `nosuchfs`: No such device", NULL },
    { NULL, NULL, "/z", "mounts[1] `/z`: no type and no bind option", NULL },
    /* Idmapped trees come from the runtime (linux_idmap_prepare): none here. */
    { "bind", "/tmp", "/w", "mounts[1] `/w`: idmapped mount not prepared by the runtime", idmap },
    { "bind", "/etc/hostname", "/proc/sys/kernel/core_pattern",
      "mounts[1] `/proc/sys/kernel/core_pattern`: refusing to mount over a file of /proc", bind },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int r = run_child(bad_child, base, (void *) &cases[i]);
    if (r == 77)
      break;
    CHECK_INT(r, 0);
  }
  CHECK(!host_has_mount_below(base));
  cell_error err = CELL_ERROR_INIT;
  CHECK_INT(cell_rm_rf(base, &err), 0);
  cell_error_clear(&err);
}
