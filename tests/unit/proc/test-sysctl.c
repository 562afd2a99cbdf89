/* oci_sysctl_check (every class of key) and linux_apply_sysctl. */
#include "unit.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "linux/process.h"
#include "oci/sysctl-check.h"

static bool allowed(const char *key, const oci_config *c, const char *want_msg)
{
  cell_error err = CELL_ERROR_INIT;
  int r = oci_sysctl_check(key, c, &err);
  bool ok = r == 0;
  if (want_msg && (!err.msg || !strstr(err.msg, want_msg))) {
    fprintf(stderr, "  %s: error `%s` lacks `%s`\n", key, err.msg ? err.msg : "(none)",
            want_msg);
    ok = true;   /* reported as a failure by the caller's CHECK(!allowed) */
  }
  cell_error_cleanup(&err);
  return ok;
}

TEST(sysctl_ipc_keys)
{
  oci_config c;
  memset(&c, 0, sizeof c);
  const char *keys[] = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
                         "kernel.shmall", "kernel.shmmax", "kernel.shmmni",
                         "kernel.shm_rmid_forced", "fs.mqueue.msg_max",
                         "fs/mqueue/queues_max" };
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
    CHECK(!allowed(keys[i], &c, "needs an ipc namespace"));
  c.linux.ns[OCI_NS_IPC].present = true;
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
    CHECK(allowed(keys[i], &c, NULL));
  /* Joining the caller's own ipc namespace is the host's. */
  c.linux.ns[OCI_NS_IPC].path = (char *) "/proc/self/ns/ipc";
  CHECK(!allowed("kernel.msgmax", &c, "not the host's"));
  /* A neighbouring key that is not namespaced. */
  c.linux.ns[OCI_NS_IPC].path = NULL;
  CHECK(!allowed("kernel.msgmaxx", &c, "sysctl `kernel.msgmaxx` is not namespaced"));
}

TEST(sysctl_net_keys)
{
  oci_config c;
  memset(&c, 0, sizeof c);
  CHECK(!allowed("net.ipv4.ip_forward", &c, "needs a network namespace"));
  c.linux.ns[OCI_NS_NETWORK].present = true;
  CHECK(allowed("net.ipv4.ip_forward", &c, NULL));
  CHECK(allowed("net/ipv4/conf/eth0.100/forwarding", &c, NULL));
  c.linux.ns[OCI_NS_NETWORK].path = (char *) "/proc/self/ns/net";
  CHECK(!allowed("net.ipv4.ip_forward", &c, "not the host's"));
  /* A path that is not there is not the caller's namespace: create's
   * join names it; a stored config read after the engine removed the
   * namespace (delete) still reads. Any other stat failure names it here. */
  c.linux.ns[OCI_NS_NETWORK].path = (char *) "/nonexistent/netns";
  CHECK(allowed("net.ipv4.ip_forward", &c, NULL));
  c.linux.ns[OCI_NS_NETWORK].path = (char *) "/etc/passwd/netns";
  CHECK(!allowed("net.ipv4.ip_forward", &c, "/etc/passwd/netns"));
}

/* A namespace path that is not ours: a child's fresh net namespace. */
TEST(sysctl_joined_private_ns)
{
  int up[2], down[2];
  CHECK(pipe2(up, O_CLOEXEC) == 0);
  CHECK(pipe2(down, O_CLOEXEC) == 0);
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    close(up[0]);
    close(down[1]);
    char x = unshare(CLONE_NEWNET) == 0 ? 'y' : 'n';
    if (write(up[1], &x, 1) != 1)
      _exit(1);
    char y;
    if (read(down[0], &y, 1) < 0)   /* until the parent closes its end */
      _exit(1);
    _exit(0);
  }
  close(up[1]);
  close(down[0]);
  char x = 0;
  bool ok = read(up[0], &x, 1) == 1 && x == 'y';
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/ns/net", (int) pid);
  oci_config c;
  memset(&c, 0, sizeof c);
  c.linux.ns[OCI_NS_NETWORK].present = true;
  c.linux.ns[OCI_NS_NETWORK].path = path;
  if (ok)
    CHECK(allowed("net.core.somaxconn", &c, NULL));
  close(down[1]);
  close(up[0]);
  waitpid(pid, NULL, 0);
  if (!ok)
    SKIP("cannot unshare a network namespace");
}

TEST(sysctl_uts_keys)
{
  oci_config c;
  memset(&c, 0, sizeof c);
  CHECK(!allowed("kernel.domainname", &c, "needs a uts namespace"));
  CHECK(!allowed("kernel.hostname", &c, "needs a uts namespace"));
  c.linux.ns[OCI_NS_UTS].present = true;
  CHECK(allowed("kernel.domainname", &c, NULL));
  CHECK(allowed("kernel.hostname", &c, NULL));
}

TEST(sysctl_not_namespaced)
{
  oci_config c;
  memset(&c, 0, sizeof c);
  for (int k = 0; k < OCI_NS_KINDS; k++)
    c.linux.ns[k].present = true;
  CHECK(!allowed("vm.x", &c, "sysctl `vm.x` is not namespaced"));
  CHECK(!allowed("kernel.pid_max", &c, "is not namespaced"));
  CHECK(!allowed("fs.file-max", &c, "is not namespaced"));
  CHECK(!allowed("fs.mqueue", &c, "is not namespaced"));
  CHECK(!allowed("", &c, "not a valid key"));
  CHECK(!allowed("net..x", &c, "not a valid key"));
  CHECK(!allowed("net/../../vm/x", &c, "not a valid key"));
  CHECK(!allowed("/net/ipv4/ip_forward", &c, "not a valid key"));
}

static void apply_ipc(int wfd, void *arg)
{
  (void) arg;
  if (unshare(CLONE_NEWIPC) < 0) {
    report(wfd, "unshare failed");
    return;
  }
  oci_kv kv[] = { { (char *) "kernel.msgmax", (char *) "12345" },
                  { (char *) "kernel/shmmni", (char *) "2048" } };
  oci_config c;
  memset(&c, 0, sizeof c);
  c.linux.sysctl = kv;
  c.linux.n_sysctl = 2;
  cell_error err = CELL_ERROR_INIT;
  if (linux_apply_sysctl(&c, &err) < 0) {
    report(wfd, "error: %s", err.msg);
    return;
  }
  char a[32] = "", b[32] = "";
  FILE *f = fopen("/proc/sys/kernel/msgmax", "re");
  if (f && fgets(a, sizeof a, f))
    a[strcspn(a, "\n")] = 0;
  if (f)
    fclose(f);
  f = fopen("/proc/sys/kernel/shmmni", "re");
  if (f && fgets(b, sizeof b, f))
    b[strcspn(b, "\n")] = 0;
  if (f)
    fclose(f);
  report(wfd, "%s %s", a, b);
}

TEST(sysctl_apply)
{
  char out[512];
  CHECK_INT(in_child(apply_ipc, NULL, out, sizeof out), 0);
  CHECK_STR(out, "12345 2048");
}

static void apply_bad(int wfd, void *arg)
{
  oci_kv kv[] = { { (char *) arg, (char *) "1" } };
  oci_config c;
  memset(&c, 0, sizeof c);
  c.linux.sysctl = kv;
  c.linux.n_sysctl = 1;
  cell_error err = CELL_ERROR_INIT;
  int r = linux_apply_sysctl(&c, &err);
  report(wfd, "%d %s", r, err.msg ? err.msg : "");
}

TEST(sysctl_apply_errors)
{
  char out[512];
  in_child(apply_bad, "kernel.no_such_key", out, sizeof out);
  CHECK(strstr(out, "sysctl `kernel.no_such_key`") != NULL);
  CHECK(strstr(out, "/proc/sys/kernel/no_such_key") != NULL);
  in_child(apply_bad, "kernel/../../etc/passwd", out, sizeof out);
  CHECK(strstr(out, "not a valid key") != NULL);
}
