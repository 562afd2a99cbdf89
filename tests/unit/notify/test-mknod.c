/* mknod emulation in a user namespace: the caller may not create devices
 * (no CAP_MKNOD on the host); with the agent's mknod handler the allowed
 * character devices appear, work, and everything else gets EPERM. */
#include "unit.h"
#include "helpers.h"
#include "util/fs.h"
#include "notify/notify.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct mk_ctx {
  const char *dir;
  const cell_seccomp_filter *f;
  int sock;
  int ready_w, maps_r;
} mk_ctx;

static int bad(int bit, const char *what)
{
  fprintf(stderr, "  userns child: %s: %s\n", what, strerror(errno));
  return 1 << bit;
}

static int mk_child(mk_ctx *c)
{
  char ch;
  if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
    return 200;
  (void) !write(c->ready_w, "u", 1);
  if (read(c->maps_r, &ch, 1) != 1)
    return 201;
  if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
    return 202;
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
      mount("tmpfs", c->dir, "tmpfs", 0, "mode=0755") < 0 || chdir(c->dir) < 0)
    return 203;
  int fails = 0;
  /* Without the agent: refused by the kernel. */
  if (mknod("pre", S_IFCHR | 0666, makedev(1, 3)) == 0 || errno != EPERM)
    fails |= bad(0, "mknod before the filter should fail with EPERM");
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  char *msg = t_message("mknod", getpid(), "handlers=mknod");
  cell_error err = CELL_ERROR_INIT;
  cell_notify_target t = { c->sock, msg, strlen(msg), 3000 };
  if (cell_notify_install(c->f, &t, &err) < 0) {
    fprintf(stderr, "  userns child: %s\n", err.msg);
    return 204;
  }
  if (mknod("n", S_IFCHR | 0666, makedev(1, 3)) < 0)
    fails |= bad(1, "mknod n c 1 3");
  int fd = open("n", O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, "x\n", 2) != 2)
    fails |= bad(2, "echo x > n");
  if (fd >= 0)
    close(fd);
  struct stat st;
  if (stat("n", &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
    fails |= bad(3, "n is not 1:3");
  if (mkdir("sub", 0755) < 0)
    fails |= bad(4, "mkdir sub");
  int dfd = open("sub", O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0 || mknodat(dfd, "z", S_IFCHR | 0644, makedev(1, 5)) < 0)
    fails |= bad(5, "mknodat(sub, z, c 1 5)");
  if (dfd >= 0)
    close(dfd);
  unsigned char buf[4] = { 1, 1, 1, 1 };
  fd = open("sub/z", O_RDONLY | O_CLOEXEC);
  if (fd < 0 || read(fd, buf, 4) != 4 || buf[0] || buf[1] || buf[2] || buf[3])
    fails |= bad(6, "head -c 4 sub/z is not zeros");
  if (fd >= 0)
    close(fd);
  char abs[512];
  snprintf(abs, sizeof abs, "%s/u", c->dir);
  if (mknod(abs, S_IFCHR | 0666, makedev(1, 9)) < 0 || stat("u", &st) < 0 ||
      st.st_rdev != makedev(1, 9))
    fails |= bad(7, "mknod ABS/u c 1 9");
  errno = 0;
  if (mknod("b", S_IFBLK | 0600, makedev(8, 0)) == 0 || errno != EPERM)
    fails |= bad(8, "a block device should get EPERM");
  errno = 0;
  if (mknod("m", S_IFCHR | 0600, makedev(1, 1)) == 0 || errno != EPERM)
    fails |= bad(9, "char 1:1 (off the list) should get EPERM");
  if (mknod("fifo", S_IFIFO | 0600, 0) < 0 || stat("fifo", &st) < 0 || !S_ISFIFO(st.st_mode))
    fails |= bad(10, "a fifo is left to the kernel");
  errno = 0;
  if (mknod("n", S_IFCHR | 0666, makedev(1, 3)) == 0 || errno != EEXIST)
    fails |= bad(11, "mknod over an existing file should get EEXIST");
  if (access("b", F_OK) == 0 || access("m", F_OK) == 0)
    fails |= bad(12, "refused nodes were left behind");
  /* A sticky world-writable dir of another user, like /tmp: `echo x > n`
   * opens with O_CREAT, which needs the node to be the caller's. */
  if (mkdir("st", 01777) < 0 || chmod("st", 01777) < 0 || chown("st", 1000, 1000) < 0 ||
      mknod("st/n", S_IFCHR | 0666, makedev(1, 3)) < 0)
    fails |= bad(13, "mknod st/n c 1 3 in a sticky dir");
  fd = open("st/n", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0 || write(fd, "x\n", 2) != 2 || stat("st/n", &st) < 0 || st.st_uid != 0)
    fails |= bad(14, "echo x > st/n in a sticky dir");
  if (fd >= 0)
    close(fd);
  return fails & 0x7f ? fails & 0x7f : (fails ? 127 : 0);
}

TEST(mknod_emulated_in_a_user_namespace)
{
  char *dir = t_tmpdir();
  CHECK(dir != NULL);
  char sock[300], log[300];
  snprintf(sock, sizeof sock, "%s.sock", dir);
  snprintf(log, sizeof log, "%s.log", dir);
  pid_t agent = t_agent(sock, NULL, NULL, log);
  CHECK(agent > 0);
  cell_seccomp_filter f;
  CHECK_INT(t_filter((int[]) { SYS_mknod, SYS_mknodat }, 2, false, &f), 0);
  cell_error err = CELL_ERROR_INIT;
  int s = cell_notify_connect(sock, &err);
  CHECK(s >= 0);
  int rp[2], mp[2];
  CHECK_INT(pipe(rp), 0);
  CHECK_INT(pipe(mp), 0);
  mk_ctx c = { dir, &f, s, rp[1], mp[0] };
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    close(rp[0]);
    close(mp[1]);
    _exit(mk_child(&c));
  }
  close(s);
  close(rp[1]);
  close(mp[0]);
  char ch;
  CHECK_INT(read(rp[0], &ch, 1), 1);
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/uid_map", (int) pid);
  CHECK_INT(cell_write_file(path, "0 100000 65536", 14, &err), 0);
  snprintf(path, sizeof path, "/proc/%d/gid_map", (int) pid);
  CHECK_INT(cell_write_file(path, "0 100000 65536", 14, &err), 0);
  CHECK_INT(write(mp[1], "m", 1), 1);
  CHECK_INT(t_wait(pid, 10000), 0);
  close(rp[0]);
  close(mp[1]);
  t_agent_stop(agent);
  char *text = NULL;
  size_t len;
  if (cell_read_file(log, &text, &len, &err) == 0) {
    CHECK(strstr(text, "decision=success handler=mknod created `n` as null (1:3)"));
    CHECK(strstr(text, "decision=errno:EPERM handler=mknod refused block device 8:0"));
  }
  free(text);
  cell_error_clear(&err);
  unlink(sock);
  if (getenv("KEEP_LOG")) fprintf(stderr, "log %s\n", log); else unlink(log);
  t_rmdir(dir);
  free(dir);
  free(f.insns);
}
