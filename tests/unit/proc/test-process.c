/* Privileged behaviour of the process set-up steps, each in a forked child
 * that reads its own state back (/proc/self/status, getrlimit, ...). */
#include "unit.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <linux/capability.h>

#include "child.h"
#include "linux/process.h"

#define BIT(c) (UINT64_C(1) << (c))

static bool have_cap(int cap)
{
  char buf[64];
  status_field("CapEff", buf, sizeof buf);
  unsigned long long eff = strtoull(buf, NULL, 16);
  return eff & BIT(cap);
}

/* ---- rlimits ----------------------------------------------------------- */

static void rl_ok(int wfd, void *arg)
{
  (void) arg;
  oci_rlimit rl[] = { { RLIMIT_NOFILE, (char *) "RLIMIT_NOFILE", 1000, 2000 },
                      { RLIMIT_CORE, (char *) "RLIMIT_CORE", 0, 0 } };
  oci_process p;
  memset(&p, 0, sizeof p);
  p.rlimits = rl;
  p.n_rlimits = 2;
  cell_error err = CELL_ERROR_INIT;
  if (linux_apply_rlimits(&p, &err) < 0) {
    report(wfd, "error: %s", err.msg);
    return;
  }
  struct rlimit a, b;
  getrlimit(RLIMIT_NOFILE, &a);
  getrlimit(RLIMIT_CORE, &b);
  report(wfd, "%llu %llu %llu %llu", (unsigned long long) a.rlim_cur,
         (unsigned long long) a.rlim_max, (unsigned long long) b.rlim_cur,
         (unsigned long long) b.rlim_max);
}

TEST(rlimits_apply)
{
  char out[512];
  CHECK_INT(in_child(rl_ok, NULL, out, sizeof out), 0);
  CHECK_STR(out, "1000 2000 0 0");
}

static void rl_raise(int wfd, void *arg)
{
  (void) arg;
  struct rlimit cur;
  getrlimit(RLIMIT_NOFILE, &cur);
  uint64_t above = (uint64_t) cur.rlim_max + 10000;
  oci_rlimit rl[] = { { RLIMIT_NOFILE, (char *) "RLIMIT_NOFILE", above, above } };
  oci_process p;
  memset(&p, 0, sizeof p);
  p.rlimits = rl;
  p.n_rlimits = 1;
  cell_error err = CELL_ERROR_INIT;
  int r = linux_apply_rlimits(&p, &err);
  report(wfd, "%d|%llu|%llu|%s", r, (unsigned long long) above,
         (unsigned long long) cur.rlim_max, err.msg ? err.msg : "");
}

TEST(rlimits_above_hard_limit)
{
  if (have_cap(CAP_SYS_RESOURCE))
    SKIP("CAP_SYS_RESOURCE held: the hard limit can be raised");
  char out[1024], want[64];
  in_child(rl_raise, NULL, out, sizeof out);
  unsigned long long above = 0, hard = 0;
  CHECK(sscanf(out, "-1|%llu|%llu|", &above, &hard) == 2);
  CHECK(strstr(out, "RLIMIT_NOFILE") != NULL);
  snprintf(want, sizeof want, "hard %llu", above);
  CHECK(strstr(out, want) != NULL);
  snprintf(want, sizeof want, "above %llu", hard);
  CHECK(strstr(out, want) != NULL);
  CHECK(strstr(out, "Operation not permitted") != NULL);
}

static void rl_inverted(int wfd, void *arg)
{
  (void) arg;
  oci_rlimit rl[] = { { RLIMIT_NOFILE, (char *) "RLIMIT_NOFILE", 200, 100 } };
  oci_process p;
  memset(&p, 0, sizeof p);
  p.rlimits = rl;
  p.n_rlimits = 1;
  cell_error err = CELL_ERROR_INIT;
  int r = linux_apply_rlimits(&p, &err);
  report(wfd, "%d %s", r, err.msg ? err.msg : "");
}

TEST(rlimits_soft_above_hard)
{
  char out[512];
  in_child(rl_inverted, NULL, out, sizeof out);
  CHECK_STR(out, "-22 RLIMIT_NOFILE: soft limit 200 is above hard limit 100");
}

/* ---- user + capabilities ----------------------------------------------- */

typedef struct caps_case {
  oci_process p;
  bool pre_inheritable;    /* put CAP_KILL in the inheritable set first */
  uint64_t pre_bounding;   /* with no_setpcap: the bounding set left first */
  bool no_setpcap;         /* then give up CAP_SETPCAP */
} caps_case;

static void user_caps(int wfd, void *arg)
{
  caps_case *cc = arg;
  cell_error err = CELL_ERROR_INIT;
  if (cc->no_setpcap) {
    for (int c = 0; c < 64; c++)
      if (cc->pre_bounding && !(cc->pre_bounding & BIT(c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
        break;  /* EINVAL: above the last capability */
    struct { uint32_t v; int pid; } h = { 0x20080522, 0 };
    uint32_t d[6];
    if (syscall(SYS_capget, &h, d) < 0) {
      report(wfd, "capget failed");
      return;
    }
    d[0] &= ~(1u << CAP_SETPCAP);
    d[1] &= ~(1u << CAP_SETPCAP);
    if (syscall(SYS_capset, &h, d) < 0) {
      report(wfd, "capset failed");
      return;
    }
  }
  if (cc->pre_inheritable) {
    struct { uint32_t v; int pid; } h = { 0x20080522, 0 };
    uint32_t d[6];
    if (syscall(SYS_capget, &h, d) < 0) {
      report(wfd, "capget failed");
      return;
    }
    d[2] |= 1u << CAP_KILL;
    if (syscall(SYS_capset, &h, d) < 0) {
      report(wfd, "capset failed");
      return;
    }
  }
  if (linux_set_user(&cc->p, &err) < 0 || linux_apply_caps(&cc->p.caps, &err) < 0 ||
      linux_apply_no_new_privs(&cc->p, &err) < 0) {
    report(wfd, "error: %s", err.msg);
    return;
  }
  static const char *const fields[] = { "Uid", "Gid", "Groups", "CapInh", "CapPrm",
                                        "CapEff", "CapBnd", "CapAmb", "NoNewPrivs" };
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
    char v[256];
    status_field(fields[i], v, sizeof v);
    report(wfd, "%s=%s\n", fields[i], v);
  }
  mode_t m = umask(0);
  report(wfd, "umask=%04o\n", (unsigned) m);
  report(wfd, "keepcaps=%d\n", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
}

static char *field(char *out, const char *name, char *buf, size_t n)
{
  char key[64];
  snprintf(key, sizeof key, "%s=", name);
  buf[0] = 0;
  char *p = strstr(out, key);
  if (p) {
    p += strlen(key);
    snprintf(buf, n, "%.*s", (int) strcspn(p, "\n"), p);
  }
  return buf;
}

/* Mismatches between the child's "Name=value" lines and want, which lists
 * "Name=value" pairs separated by ';'; each is printed. */
static int expect_fields(char *out, const char *want)
{
  int bad = 0;
  char spec[1024], v[256];
  snprintf(spec, sizeof spec, "%s", want);
  for (char *save = NULL, *kv = strtok_r(spec, ";", &save); kv;
       kv = strtok_r(NULL, ";", &save)) {
    char *eq = strchr(kv, '=');
    if (!eq)
      continue;
    *eq = 0;
    if (strcmp(field(out, kv, v, sizeof v), eq + 1) != 0) {
      fprintf(stderr, "  %s: got `%s`, expected `%s`\n", kv, v, eq + 1);
      bad++;
    }
  }
  return bad;
}

TEST(user_and_caps)
{
  gid_t groups[] = { 10, 20 };
  caps_case cc;
  memset(&cc, 0, sizeof cc);
  cc.p.user.uid = 1000;
  cc.p.user.gid = 1001;
  cc.p.user.additional_gids = groups;
  cc.p.user.n_additional_gids = 2;
  cc.p.user.has_umask = true;
  cc.p.user.umask = 0077;
  uint64_t set = BIT(CAP_CHOWN) | BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE);
  cc.p.caps.bounding = set;
  cc.p.caps.permitted = set;
  cc.p.caps.effective = set;
  cc.p.caps.inheritable = BIT(CAP_KILL);
  /* NET_BIND_SERVICE is not inheritable: skipped, not an error. */
  cc.p.caps.ambient = BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE);
  cc.p.caps.present = true;
  cc.p.no_new_privileges = true;
  CHECK_INT(linux_caps_ambient_skipped(&cc.p.caps), BIT(CAP_NET_BIND_SERVICE));

  char out[4096];
  CHECK_INT(in_child(user_caps, &cc, out, sizeof out), 0);
  CHECK(strncmp(out, "error", 5) != 0);
  if (strncmp(out, "error", 5) == 0)
    fprintf(stderr, "  %s\n", out);
  CHECK_INT(expect_fields(out, "Uid=1000 1000 1000 1000;Gid=1001 1001 1001 1001;"
                           "Groups=10 20;CapInh=0000000000000020;CapPrm=0000000000000421;"
                           "CapEff=0000000000000421;CapBnd=0000000000000421;"
                           "CapAmb=0000000000000020;NoNewPrivs=1;umask=0077;keepcaps=0"), 0);
}

/* CVE-2022-29162: an inheritable set the runtime had must not survive. */
TEST(caps_inheritable_cleared)
{
  caps_case cc;
  memset(&cc, 0, sizeof cc);
  cc.pre_inheritable = true;
  uint64_t set = BIT(CAP_CHOWN) | BIT(CAP_KILL);
  cc.p.caps.bounding = cc.p.caps.permitted = cc.p.caps.effective = set;
  char out[4096];
  CHECK_INT(in_child(user_caps, &cc, out, sizeof out), 0);
  CHECK_INT(expect_fields(out, "CapInh=0000000000000000;CapAmb=0000000000000000;"
                           "CapPrm=0000000000000021;Groups=;umask=0022;NoNewPrivs=0"), 0);
}

/* No capabilities at all (process.capabilities absent), as root. */
TEST(caps_empty)
{
  caps_case cc;
  memset(&cc, 0, sizeof cc);
  char out[4096];
  CHECK_INT(in_child(user_caps, &cc, out, sizeof out), 0);
  CHECK_INT(expect_fields(out, "Uid=0 0 0 0;CapEff=0000000000000000;"
                           "CapPrm=0000000000000000;CapBnd=0000000000000000"), 0);
}

/* Numbers beyond the kernel's last capability are ignored. */
TEST(caps_beyond_last_cap)
{
  caps_case cc;
  memset(&cc, 0, sizeof cc);
  uint64_t set = BIT(CAP_CHOWN) | BIT(62) | BIT(63);
  cc.p.caps.bounding = cc.p.caps.permitted = cc.p.caps.effective = set;
  cc.p.caps.inheritable = cc.p.caps.ambient = set;
  char out[4096];
  CHECK_INT(in_child(user_caps, &cc, out, sizeof out), 0);
  CHECK(strncmp(out, "error", 5) != 0);
  CHECK_INT(expect_fields(out, "CapEff=0000000000000001;CapAmb=0000000000000001"), 0);
}

TEST(caps_effective_not_permitted)
{
  caps_case cc;
  memset(&cc, 0, sizeof cc);
  cc.p.caps.bounding = cc.p.caps.effective = BIT(CAP_CHOWN) | BIT(CAP_KILL);
  cc.p.caps.permitted = BIT(CAP_CHOWN);
  char out[4096];
  in_child(user_caps, &cc, out, sizeof out);
  CHECK_STR(out, "error: process.capabilities.effective: CAP_KILL not in the permitted set");
}

/* A capability the runtime does not hold cannot be granted: the process
 * runs without it (config.md: a warning, which the runtime gives, not a
 * failure), and linux_caps_not_granted names it. */
TEST(caps_not_held)
{
  if (have_cap(CAP_SYS_RESOURCE))
    SKIP("CAP_SYS_RESOURCE held");
  caps_case cc;
  memset(&cc, 0, sizeof cc);
  cc.p.caps.bounding = cc.p.caps.permitted = cc.p.caps.effective =
    BIT(CAP_SYS_RESOURCE) | BIT(CAP_CHOWN);
  CHECK(linux_caps_not_granted(&cc.p.caps) == BIT(CAP_SYS_RESOURCE));
  char out[4096];
  in_child(user_caps, &cc, out, sizeof out);
  CHECK(strstr(out, "CapPrm=0000000000000001") != NULL);
  CHECK(strstr(out, "CapEff=0000000000000001") != NULL);
}

/* Without CAP_SETPCAP the bounding set cannot shrink: what is already out
 * of it is fine, a capability still in it is an error naming it. */
TEST(caps_bounding_without_setpcap)
{
  caps_case cc;
  memset(&cc, 0, sizeof cc);
  uint64_t set = BIT(CAP_CHOWN) | BIT(CAP_KILL);
  cc.p.caps.bounding = cc.p.caps.permitted = cc.p.caps.effective = set;
  cc.no_setpcap = true;
  cc.pre_bounding = set;
  char out[4096];
  CHECK_INT(in_child(user_caps, &cc, out, sizeof out), 0);
  CHECK(strncmp(out, "error", 5) != 0);
  if (strncmp(out, "error", 5) == 0)
    fprintf(stderr, "  %s\n", out);
  CHECK_INT(expect_fields(out, "CapBnd=0000000000000021;CapPrm=0000000000000021"), 0);

  cc.pre_bounding = 0;  /* all of it left */
  in_child(user_caps, &cc, out, sizeof out);
  CHECK_STR(out, "error: drop CAP_DAC_OVERRIDE from the bounding set: Operation not permitted");
}

/* In a user namespace whose setgroups is denied, additionalGids fail clearly
 * and an empty list is fine. */
static void userns_groups(int wfd, void *arg)
{
  caps_case *cc = arg;
  uid_t uid = geteuid();
  gid_t gid = getegid();
  if (unshare(CLONE_NEWUSER) < 0) {
    report(wfd, "skip: unshare");
    return;
  }
  char map[64];
  int fd = open("/proc/self/setgroups", O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, "deny", 4) != 4) {
    report(wfd, "skip: setgroups");
    return;
  }
  close(fd);
  snprintf(map, sizeof map, "0 %u 1", (unsigned) uid);
  fd = open("/proc/self/uid_map", O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, map, strlen(map)) < 0) {
    report(wfd, "skip: uid_map");
    return;
  }
  close(fd);
  snprintf(map, sizeof map, "0 %u 1", (unsigned) gid);
  fd = open("/proc/self/gid_map", O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, map, strlen(map)) < 0) {
    report(wfd, "skip: gid_map");
    return;
  }
  close(fd);
  cell_error err = CELL_ERROR_INIT;
  int r = linux_set_user(&cc->p, &err);
  report(wfd, "%d %s", r, err.msg ? err.msg : "");
}

TEST(user_setgroups_denied)
{
  gid_t groups[] = { 0 };
  caps_case cc;
  memset(&cc, 0, sizeof cc);
  cc.p.user.additional_gids = groups;
  cc.p.user.n_additional_gids = 1;
  char out[1024];
  in_child(userns_groups, &cc, out, sizeof out);
  if (strncmp(out, "skip", 4) == 0)
    SKIP(out);
  CHECK(strncmp(out, "-1 ", 3) == 0);
  CHECK(strstr(out, "additionalGids: setgroups is denied in this user namespace") != NULL);
  cc.p.user.n_additional_gids = 0;
  in_child(userns_groups, &cc, out, sizeof out);
  CHECK_STR(out, "0 ");
}

TEST(user_unmapped_id)
{
  caps_case cc;
  memset(&cc, 0, sizeof cc);
  cc.p.user.uid = 1234;
  cc.p.user.gid = 1234;
  char out[1024];
  in_child(userns_groups, &cc, out, sizeof out);   /* only 0 is mapped there */
  if (strncmp(out, "skip", 4) == 0)
    SKIP(out);
  CHECK(strstr(out, "1234") != NULL);
  CHECK(strstr(out, "not mapped in the user namespace") != NULL);
}

/* ---- personality, scheduler, io priority, oom score, hostname ----------- */

static void per_child(int wfd, void *arg)
{
  oci_personality *per = arg;
  cell_error err = CELL_ERROR_INIT;
  if (linux_apply_personality(per, &err) < 0) {
    report(wfd, "error: %s", err.msg);
    return;
  }
  report(wfd, "%#x", (unsigned) personality(0xffffffff) & PER_MASK);
}

TEST(personality)
{
  char out[256];
  oci_personality per = { true, PER_LINUX32 };
  CHECK_INT(in_child(per_child, &per, out, sizeof out), 0);
  CHECK_STR(out, "0x8");
  per.domain = PER_LINUX;
  in_child(per_child, &per, out, sizeof out);
  CHECK_STR(out, "0");
  per.present = false;
  per.domain = PER_LINUX32;
  in_child(per_child, &per, out, sizeof out);
  CHECK_STR(out, "0");
}

static void sched_child(int wfd, void *arg)
{
  oci_process *p = arg;
  cell_error err = CELL_ERROR_INIT;
  if (linux_apply_scheduler(p, &err) < 0 || linux_apply_io_priority(p, &err) < 0) {
    report(wfd, "error: %s", err.msg);
    return;
  }
  struct sched_param sp;
  sched_getparam(0, &sp);
  errno = 0;
  int nice = getpriority(PRIO_PROCESS, 0);
  long io = syscall(SYS_ioprio_get, 1, 0);
  report(wfd, "policy=%d prio=%d nice=%d io=%ld", sched_getscheduler(0) & ~SCHED_RESET_ON_FORK,
         sp.sched_priority, nice, io);
}

TEST(scheduler_and_io_priority)
{
  char out[512];
  oci_process p;
  memset(&p, 0, sizeof p);
  p.scheduler.present = true;
  p.scheduler.policy = SCHED_BATCH;
  p.scheduler.nice = 5;
  p.io_priority.present = true;
  p.io_priority.klass = 2;   /* BE */
  p.io_priority.priority = 3;
  CHECK_INT(in_child(sched_child, &p, out, sizeof out), 0);
  CHECK_STR(out, "policy=3 prio=0 nice=5 io=16387");

  memset(&p, 0, sizeof p);
  p.scheduler.present = true;
  p.scheduler.policy = SCHED_FIFO;
  p.scheduler.priority = 10;
  p.scheduler.flags = 0x01;   /* SCHED_FLAG_RESET_ON_FORK */
  p.io_priority.present = true;
  p.io_priority.klass = 3;   /* IDLE */
  p.io_priority.priority = 0;
  CHECK_INT(in_child(sched_child, &p, out, sizeof out), 0);
  if (strstr(out, "Operation not permitted"))
    fprintf(stderr, "  realtime refused here: %s\n", out);
  else
    CHECK_STR(out, "policy=1 prio=10 nice=0 io=24576");

  memset(&p, 0, sizeof p);
  p.scheduler.present = true;
  p.scheduler.policy = SCHED_IDLE;
  CHECK_INT(in_child(sched_child, &p, out, sizeof out), 0);
  CHECK(strncmp(out, "policy=5 ", 9) == 0);
}

TEST(scheduler_errors)
{
  char out[512];
  oci_process p;
  memset(&p, 0, sizeof p);
  p.scheduler.present = true;
  p.scheduler.policy = SCHED_FIFO;
  p.scheduler.priority = 1000;
  in_child(sched_child, &p, out, sizeof out);
  CHECK(strstr(out, "error: sched_setattr policy SCHED_FIFO") != NULL);
  CHECK(strstr(out, "priority 1000") != NULL);
  CHECK(strstr(out, "Invalid argument") != NULL);
  memset(&p, 0, sizeof p);
  p.io_priority.present = true;
  p.io_priority.klass = 2;
  p.io_priority.priority = 9;
  in_child(sched_child, &p, out, sizeof out);
  CHECK_STR(out, "error: ioPriority IOPRIO_CLASS_BE priority 9: must be 0 to 7");
}

static void oom_child(int wfd, void *arg)
{
  oci_process *p = arg;
  cell_error err = CELL_ERROR_INIT;
  if (linux_apply_oom_score_adj(p, 0, &err) < 0) {
    report(wfd, "error: %s", err.msg);
    return;
  }
  char buf[32] = "";
  FILE *f = fopen("/proc/self/oom_score_adj", "re");
  if (f && fgets(buf, sizeof buf, f))
    buf[strcspn(buf, "\n")] = 0;
  if (f)
    fclose(f);
  report(wfd, "%s", buf);
}

TEST(oom_score_adj)
{
  char out[512];
  oci_process p;
  memset(&p, 0, sizeof p);
  p.has_oom_score_adj = true;
  p.oom_score_adj = 500;
  CHECK_INT(in_child(oom_child, &p, out, sizeof out), 0);
  CHECK_STR(out, "500");
  if (!have_cap(CAP_SYS_RESOURCE)) {
    p.oom_score_adj = -1000;
    in_child(oom_child, &p, out, sizeof out);
    CHECK(strstr(out, "error: oomScoreAdj -1000") != NULL);
  }
}

static void uts_child(int wfd, void *arg)
{
  oci_config *c = arg;
  if (c->linux.ns[OCI_NS_UTS].present && unshare(CLONE_NEWUTS) < 0) {
    report(wfd, "unshare failed");
    return;
  }
  cell_error err = CELL_ERROR_INIT;
  if (linux_set_hostname(c, &err) < 0) {
    report(wfd, "error: %s", err.msg);
    return;
  }
  struct utsname u;
  uname(&u);
  report(wfd, "%s %s", u.nodename, u.domainname);
}

TEST(hostname_domainname)
{
  char out[512];
  oci_config c;
  memset(&c, 0, sizeof c);
  c.hostname = (char *) "box1";
  c.domainname = (char *) "example.org";
  c.linux.ns[OCI_NS_UTS].present = true;
  CHECK_INT(in_child(uts_child, &c, out, sizeof out), 0);
  CHECK_STR(out, "box1 example.org");
  /* Never the host's name. */
  c.linux.ns[OCI_NS_UTS].present = false;
  in_child(uts_child, &c, out, sizeof out);
  CHECK_STR(out, "error: hostname `box1` needs a uts namespace");
}
