/* bench/config-floor: the kernel's floor for the bench's bundle.
 *
 *   config-floor ROOTFS CGROUP [FILTER.bpf]
 *
 * Does, with nothing else around it, the kernel operations that `cell run`
 * makes for the config of `cell spec` with process.args = ["/bin/true"]
 * (bench/runtime.sh's bundle) on a cgroup v1 host, in the same processes
 * and order as cell's trace (`strace -f cell run`):
 *   parent: a cgroup CGROUP below our own in every v1 hierarchy, cpuset's
 *           cpus/mems, the device rules; clone3 of the init with new mount,
 *           uts, ipc, pid and net namespaces; wait; rmdir of the cgroups.
 *   init:   joins the cgroups (tasks), a cgroup namespace, hostname, a
 *           session keyring; / made slave, the rootfs bound onto itself,
 *           /proc, /dev (tmpfs, pts, shm, mqueue), /sys, /sys/fs/cgroup
 *           (tmpfs and one cgroup mount per hierarchy, read-only), six
 *           device nodes and five links, pivot_root and the old root
 *           detached, the spec's read-only and masked paths, the root made
 *           read-only, ids, capabilities (bounding set, capset, ambient),
 *           no_new_privs, FILTER.bpf loaded if given, exec of /bin/true.
 * What it leaves out is runtime work no kernel needs: parsing the config,
 * state files, sockets between the runtime and its init, checks, and the
 * exec stub against CVE-2019-5736. So `cell run` over this is cell's own
 * cost, and this over the unshare floor is what the config asks of the
 * kernel. It checks nothing it need not: a failure exits 1 naming the step.
 */

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/keyctl.h>
#include <linux/mount.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <grp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_H 16

static void die(const char *what)
{
  fprintf(stderr, "config-floor: %s: %s\n", what, strerror(errno));
  _exit(1);
}

typedef struct hier {
  char mnt[256];   /* mount point */
  char opts[128];  /* its controllers ("cpu", "name=systemd", ...) */
  char dir[512];   /* our cgroup in it */
  int tasks;
} hier;

static void put(const char *path, const char *s)
{
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, s, strlen(s)) < 0)
    die(path);
  close(fd);
}

static void get(const char *path, char *buf, size_t n)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  ssize_t r = fd < 0 ? -1 : read(fd, buf, n - 1);
  if (r < 0)
    die(path);
  buf[r] = 0;
  close(fd);
}

/* The v1 hierarchies under /sys/fs/cgroup, and our cgroup in each. */
static size_t find_hierarchies(hier *h, const char *name)
{
  static char mi[1 << 16], cg[8192];
  get("/proc/self/mountinfo", mi, sizeof mi);
  get("/proc/self/cgroup", cg, sizeof cg);
  size_t n = 0;
  char *save = NULL;
  for (char *line = strtok_r(mi, "\n", &save); line && n < MAX_H; line = strtok_r(NULL, "\n", &save)) {
    char mnt[256], super[256];
    char *dash = strstr(line, " - cgroup cgroup ");
    if (!dash || sscanf(line, "%*d %*d %*s %*s %255s", mnt) != 1 ||
        sscanf(dash, " - cgroup cgroup %255s", super) != 1)
      continue;
    hier *x = &h[n++];
    snprintf(x->mnt, sizeof x->mnt, "%s", mnt);
    x->opts[0] = 0;
    /* the controllers: the super options but the generic ones */
    char *s2 = NULL;
    for (char *o = strtok_r(super, ",", &s2); o; o = strtok_r(NULL, ",", &s2)) {
      if (!strcmp(o, "rw") || !strcmp(o, "ro") || !strcmp(o, "xattr") || !strncmp(o, "release_agent", 13) ||
          !strcmp(o, "noprefix") || !strcmp(o, "clone_children"))
        continue;
      size_t l = strlen(x->opts);
      snprintf(x->opts + l, sizeof x->opts - l, "%s%s", l ? "," : "", o);
    }
  }
  /* /proc/self/cgroup: "ID:CONTROLLERS:PATH" */
  for (size_t i = 0; i < n; i++) {
    const char *path = "", *line = cg;
    size_t ol = strlen(h[i].opts);
    for (; *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : "") {
      const char *a = strchr(line, ':');
      if (a && !strncmp(a + 1, h[i].opts, ol) && a[1 + ol] == ':') {
        path = a + 2 + ol;
        break;
      }
    }
    size_t pl = strcspn(path, "\n");
    if (pl == 1 && path[0] == '/')
      pl = 0;
    snprintf(h[i].dir, sizeof h[i].dir, "%s%.*s/%s", h[i].mnt, (int) pl, path, name);
  }
  return n;
}

static int mount_setattr_(int fd, const char *path, unsigned flags, uint64_t set, uint64_t prop)
{
  struct mount_attr a = { .attr_set = set, .propagation = prop };
  return (int) syscall(SYS_mount_setattr, fd, path, flags, &a, sizeof a);
}

/* A read-only bind of path onto itself (the spec's readonlyPaths). */
static void ro_bind(const char *path)
{
  int fd = open(path, O_PATH | O_CLOEXEC);
  if (fd < 0)
    return;
  int t = (int) syscall(SYS_open_tree, fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
  if (t < 0 || mount_setattr_(t, "", AT_EMPTY_PATH | AT_RECURSIVE, MOUNT_ATTR_RDONLY, 0) < 0 ||
      syscall(SYS_move_mount, t, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    die(path);
  close(t);
  close(fd);
}

/* The spec's maskedPaths: a directory gets an empty read-only tmpfs, a
 * file /dev/null. */
static void mask(const char *path)
{
  struct stat st;
  if (stat(path, &st) < 0)
    return;
  int fd = open(path, O_PATH | O_CLOEXEC);
  int m;
  if (S_ISDIR(st.st_mode)) {
    int fs = (int) syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
    if (fs < 0 || syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "size", "0", 0) < 0 ||
        syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
      die(path);
    m = (int) syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC,
                      MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
    close(fs);
  } else {
    int null = open("/dev/null", O_PATH | O_CLOEXEC);
    m = (int) syscall(SYS_open_tree, null, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
    close(null);
  }
  if (fd < 0 || m < 0 || syscall(SYS_move_mount, m, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    die(path);
  close(m);
  close(fd);
}

static void in(const char *root, const char *rel, char *out, size_t n)
{
  snprintf(out, n, "%s%s", root, rel);
}

static int init(const char *root, hier *h, size_t nh, const struct sock_fprog *filter)
{
  char p[1024];
  for (size_t i = 0; i < nh; i++)
    if (write(h[i].tasks, "0", 1) < 0)
      die("tasks");
  if (unshare(CLONE_NEWCGROUP) < 0)
    die("unshare(CLONE_NEWCGROUP)");
  if (sethostname("cell", 4) < 0)
    die("sethostname");
  if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, "_ses.cb") < 0)
    die("keyctl");
  if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
    die("mount / slave");
  int rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  int t = (int) syscall(SYS_open_tree, rfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
  if (t < 0 || syscall(SYS_move_mount, t, "", rfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    die("bind the rootfs");
  static const struct { const char *src, *rel, *type; unsigned long flags; const char *data; bool mk; } m[] = {
    { "proc", "/proc", "proc", 0, NULL, false },
    { "tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k", false },
    { "devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5", true },
    { "shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k", true },
    { "mqueue", "/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, true },
    { "sysfs", "/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, false },
    { "cgroup", "/sys/fs/cgroup", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME, "mode=755", false },
  };
  for (size_t i = 0; i < sizeof m / sizeof *m; i++) {
    in(root, m[i].rel, p, sizeof p);
    if (m[i].mk)
      mkdir(p, 0755);
    if (mount(m[i].src, p, m[i].type, m[i].flags, m[i].data) < 0)
      die(m[i].rel);
  }
  for (size_t i = 0; i < nh; i++) {
    const char *base = strrchr(h[i].mnt, '/') + 1;
    snprintf(p, sizeof p, "%s/sys/fs/cgroup/%s", root, base);
    mkdir(p, 0755);
    if (mount("cgroup", p, "cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC, h[i].opts) < 0)
      die(p);
  }
  in(root, "/sys/fs/cgroup", p, sizeof p);
  int cg = open(p, O_PATH | O_CLOEXEC);
  if (mount_setattr_(cg, "", AT_EMPTY_PATH | AT_RECURSIVE, MOUNT_ATTR_RDONLY, 0) < 0)
    die("/sys/fs/cgroup read-only");
  close(cg);
  static const struct { const char *name; unsigned maj, min; } dev[] = {
    { "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 }, { "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
  };
  in(root, "/dev", p, sizeof p);
  int d = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
  for (size_t i = 0; i < sizeof dev / sizeof *dev; i++)
    if (mknodat(d, dev[i].name, S_IFCHR | 0666, makedev(dev[i].maj, dev[i].min)) < 0 ||
        fchmodat(d, dev[i].name, 0666, 0) < 0 || fchownat(d, dev[i].name, 0, 0, AT_SYMLINK_NOFOLLOW) < 0)
      die(dev[i].name);
  static const char *const links[][2] = {
    { "/proc/self/fd", "fd" }, { "/proc/self/fd/0", "stdin" }, { "/proc/self/fd/1", "stdout" },
    { "/proc/self/fd/2", "stderr" }, { "pts/ptmx", "ptmx" },
  };
  for (size_t i = 0; i < sizeof links / sizeof *links; i++)
    if (symlinkat(links[i][0], d, links[i][1]) < 0)
      die(links[i][1]);
  close(d);
  if (chdir(root) < 0 || syscall(SYS_pivot_root, ".", ".") < 0)
    die("pivot_root");
  if (mount_setattr_(AT_FDCWD, ".", AT_RECURSIVE, 0, MS_SLAVE) < 0 || umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
    die("detach the old root");
  static const char *const ro[] = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger" };
  for (size_t i = 0; i < sizeof ro / sizeof *ro; i++)
    ro_bind(ro[i]);
  static const char *const masked[] = { "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
                                        "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
                                        "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
                                        "/sys/devices/virtual/powercap" };
  for (size_t i = 0; i < sizeof masked / sizeof *masked; i++)
    mask(masked[i]);
  if (mount_setattr_(AT_FDCWD, "/", 0, MOUNT_ATTR_RDONLY, 0) < 0)
    die("read-only root");
  if (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
    die("ids");
  umask(022);
  const unsigned keep = (1u << CAP_KILL) | (1u << CAP_NET_BIND_SERVICE) | (1u << CAP_AUDIT_WRITE);
  for (int c = 0; c <= CAP_LAST_CAP; c++)
    if (!(c < 32 && (keep >> c) & 1) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
      die("PR_CAPBSET_DROP");
  struct __user_cap_header_struct hd = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct data[2] = { { keep, keep, keep }, { 0, 0, 0 } };
  if (syscall(SYS_capset, &hd, data) < 0 || prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
    die("capabilities");
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    die("no_new_privs");
  if (filter && syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_SPEC_ALLOW, filter) < 0)
    die("seccomp");
  char *argv[] = { "/bin/true", NULL }, *envp[] = { "PATH=/usr/bin:/bin", NULL };
  execve(argv[0], argv, envp);
  die("execve /bin/true");
  return 1;
}

int main(int argc, char **argv)
{
  if (argc < 3) {
    fprintf(stderr, "usage: config-floor ROOTFS CGROUP [FILTER.bpf]\n");
    return 2;
  }
  static struct sock_filter insns[4096];
  struct sock_fprog prog = { 0, insns }, *filter = NULL;
  if (argc > 3) {
    int fd = open(argv[3], O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, insns, sizeof insns);
    if (n <= 0)
      die(argv[3]);
    prog.len = (unsigned short) (n / sizeof *insns);
    filter = &prog;
  }
  hier h[MAX_H];
  size_t nh = find_hierarchies(h, argv[2]);
  char p[600], v[256];
  for (size_t i = 0; i < nh; i++) {
    if (mkdir(h[i].dir, 0755) < 0 && errno != EEXIST)
      die(h[i].dir);
    if (!strcmp(h[i].opts, "cpuset")) {
      static const char *const f[] = { "cpuset.cpus", "cpuset.mems" };
      for (int k = 0; k < 2; k++) {
        snprintf(p, sizeof p, "%s/../%s", h[i].dir, f[k]);
        get(p, v, sizeof v);
        snprintf(p, sizeof p, "%s/%s", h[i].dir, f[k]);
        put(p, v);
      }
    }
    if (!strcmp(h[i].opts, "devices")) {
      static const char *const rules[] = { "c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm",
                                           "c 1:8 rwm", "c 1:9 rwm", "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm",
                                           "c 136:* rwm" };
      snprintf(p, sizeof p, "%s/devices.deny", h[i].dir);
      put(p, "a");
      snprintf(p, sizeof p, "%s/devices.allow", h[i].dir);
      for (size_t k = 0; k < sizeof rules / sizeof *rules; k++)
        put(p, rules[k]);
    }
    snprintf(p, sizeof p, "%s/tasks", h[i].dir);
    if ((h[i].tasks = open(p, O_WRONLY | O_CLOEXEC)) < 0)
      die(p);
  }
  struct clone_args ca = {
    .flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET,
    .exit_signal = SIGCHLD,
  };
  long pid = syscall(SYS_clone3, &ca, sizeof ca);
  if (pid < 0)
    die("clone3");
  if (pid == 0)
    _exit(init(argv[1], h, nh, filter));
  int status;
  if (waitpid((pid_t) pid, &status, 0) < 0)
    die("waitpid");
  for (size_t i = 0; i < nh; i++) {
    close(h[i].tasks);
    if (rmdir(h[i].dir) < 0)
      die(h[i].dir);
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
