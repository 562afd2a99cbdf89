/* cgroup v2: the writer against a directory of plain files (every v2 file
 * the resources map to), then the real cgroup2 hierarchy of this host
 * (/sys/fs/cgroup/unified here, which has no controllers enabled: the core
 * files cgroup.freeze, cgroup.kill, cgroup.procs, cpu.stat and eBPF device
 * programs are what runs for real), and the pure-v2 view of it mounted at
 * /sys/fs/cgroup in a private mount namespace. */
#include "unit.h"
#include "helpers.h"
#include "cgroups/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const v2_files[] = {
  "memory.max", "memory.swap.max", "memory.low", "memory.current", "cpu.weight", "cpu.max",
  "cpu.max.burst", "cpu.idle", "io.weight", "io.max", "pids.max", "cpuset.cpus",
  "cpuset.mems", "hugetlb.2MB.max", "rdma.max", "memory.high", NULL,
};

static char *fake_dir(void) { return th_fake_dir(v2_files); }
static void fake_rm(char *dir) { th_fake_rm(dir, v2_files); }
static void fake_clear(const char *dir) { th_fake_clear(dir, v2_files); }

#define CHECK_FILE(dir, file, want)                                          \
  do {                                                                       \
    char *got_ = th_read(dir, file);                                         \
    CHECK_STR(got_, want);                                                   \
    free(got_);                                                              \
  } while (0)

static cell_cgroup fake_cgroup(char *dir, cell_cgroup_dir *d)
{
  *d = (cell_cgroup_dir) { .mountpoint = "/nonexistent", .path = "/x", .dir = dir,
                           .v2 = true, .controllers = 0xffff };
  return (cell_cgroup) { .mode = CELL_CG_V2, .manager = CELL_CGM_CGROUPFS, .d = d, .n = 1,
                         .v2_fd = -1 };
}

TEST(v2_writer_files)
{
  char *dir = fake_dir();
  CHECK(dir != NULL);
  if (!dir)
    return;
  cell_cgroup_dir d;
  cell_cgroup cg = fake_cgroup(dir, &d);
  cell_error err = CELL_ERROR_INIT;
  oci_resources_typed r = { 0 };
  r.memory.has_limit = r.memory.has_swap = r.memory.has_reservation = true;
  r.memory.limit = 1 << 20;
  r.memory.swap = 3 << 20;
  r.memory.reservation = 1 << 19;
  r.cpu.has_shares = r.cpu.has_quota = r.cpu.has_period = r.cpu.has_burst = r.cpu.has_idle = true;
  r.cpu.shares = 1024;
  r.cpu.quota = 50000;
  r.cpu.period = 100000;
  r.cpu.burst = 7;
  r.cpu.idle = 1;
  r.cpu.cpus = "0-1";
  r.cpu.mems = "0";
  r.pids.has_limit = true;
  r.pids.limit = -1;
  r.blkio.has_weight = true;
  r.blkio.weight = 500;
  oci_res_throttle_device t = { 8, 16, 1000 };
  r.blkio.throttle[OCI_THROTTLE_WRITE_IOPS] = (oci_res_throttle_list) { &t, 1 };
  oci_res_hugepage hp = { "2MB", 4194304 };
  r.hugepages = &hp;
  r.n_hugepages = 1;
  oci_res_rdma rd = { "mlx5_1", true, true, 3, 1000 };
  r.rdma = &rd;
  r.n_rdma = 1;
  oci_kv kv = { "memory.high", "900000" };
  r.unified = &kv;
  r.n_unified = 1;
  int rc = cell_cgroup_apply(&cg, &r, NULL, &err);
  CHECK_INT(rc, 0);
  if (rc < 0)
    fprintf(stderr, "  %s\n", err.msg);
  CHECK_FILE(dir, "memory.max", "1048576");
  CHECK_FILE(dir, "memory.swap.max", "2097152");        /* memory+swap - memory */
  CHECK_FILE(dir, "memory.low", "524288");
  CHECK_FILE(dir, "cpu.weight", "39");                  /* shares 1024 */
  CHECK_FILE(dir, "cpu.max", "50000 100000");
  CHECK_FILE(dir, "cpu.max.burst", "7");
  CHECK_FILE(dir, "cpu.idle", "1");
  CHECK_FILE(dir, "cpuset.cpus", "0-1");
  CHECK_FILE(dir, "cpuset.mems", "0");
  CHECK_FILE(dir, "pids.max", "max");
  CHECK_FILE(dir, "io.weight", "default 4950");         /* blkio 500 */
  CHECK_FILE(dir, "io.max", "8:16 wiops=1000");
  CHECK_FILE(dir, "hugetlb.2MB.max", "4194304");
  CHECK_FILE(dir, "rdma.max", "mlx5_1 hca_handle=3 hca_object=1000");
  CHECK_FILE(dir, "memory.high", "900000");
  cell_error_clear(&err);

  /* Unlimited values and "period alone keeps the quota". */
  fake_clear(dir);
  r = (oci_resources_typed) { 0 };
  r.memory.has_limit = r.memory.has_swap = true;
  r.memory.limit = -1;
  r.memory.swap = -1;
  r.cpu.has_quota = true;
  r.cpu.quota = -1;
  CHECK_INT(cell_cgroup_apply(&cg, &r, NULL, &err), 0);
  CHECK_FILE(dir, "memory.max", "max");
  CHECK_FILE(dir, "memory.swap.max", "max");
  CHECK_FILE(dir, "cpu.max", "max");
  fake_clear(dir);
  cg_write(dir, "cpu.max", "30000 100000", NULL, &err);
  r = (oci_resources_typed) { 0 };
  r.cpu.has_period = true;
  r.cpu.period = 250000;
  CHECK_INT(cell_cgroup_update(&cg, &r, NULL, &err), 0);
  CHECK_FILE(dir, "cpu.max", "30000 250000");
  /* update of swap alone derives swap.max from the current memory.max */
  fake_clear(dir);
  cg_write(dir, "memory.max", "1000", NULL, &err);
  r = (oci_resources_typed) { 0 };
  r.memory.has_swap = true;
  r.memory.swap = 3000;
  CHECK_INT(cell_cgroup_update(&cg, &r, NULL, &err), 0);
  CHECK_FILE(dir, "memory.swap.max", "2000");
  cell_error_clear(&err);
  fake_rm(dir);
}

TEST(v2_writer_refuses_v1_only_settings)
{
  char *dir = fake_dir();
  if (!dir)
    return;
  cell_cgroup_dir d;
  cell_cgroup cg = fake_cgroup(dir, &d);
  cell_error err = CELL_ERROR_INIT;
  struct { const char *needle; void (*set)(oci_resources_typed *); } cases[] = {
    { "linux.resources.memory.swappiness: cannot be honoured",
      ({ void f(oci_resources_typed *r) { r->memory.has_swappiness = true; r->memory.swappiness = 10; } f; }) },
    { "linux.resources.memory.disableOOMKiller: cannot be honoured",
      ({ void f(oci_resources_typed *r) { r->memory.has_disable_oom_killer = r->memory.disable_oom_killer = true; } f; }) },
    { "linux.resources.cpu.realtimeRuntime: cannot be honoured",
      ({ void f(oci_resources_typed *r) { r->cpu.has_realtime_runtime = true; r->cpu.realtime_runtime = 5; } f; }) },
    { "linux.resources.blockIO.leafWeight: cannot be honoured",
      ({ void f(oci_resources_typed *r) { r->blkio.has_leaf_weight = true; r->blkio.leaf_weight = 100; } f; }) },
    { "linux.resources.memory.swap: 3000 (memory+swap) needs a memory.limit",
      ({ void f(oci_resources_typed *r) { r->memory.has_swap = true; r->memory.swap = 3000; } f; }) },
    { "linux.resources.network.classID: the net_cls controller is not available",
      ({ void f(oci_resources_typed *r) { r->network.has_class_id = true; r->network.class_id = 1; } f; }) },
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    oci_resources_typed r = { 0 };
    cases[i].set(&r);
    fake_clear(dir);
    CHECK(cell_cgroup_apply(&cg, &r, NULL, &err) < 0);
    if (!err.msg || !strstr(err.msg, cases[i].needle)) {
      fprintf(stderr, "  case %zu: `%s` lacks `%s`\n", i, err.msg ? err.msg : "(none)",
              cases[i].needle);
      (*unit_failed_)++;
    }
    cell_error_clear(&err);
  }
  CHECK_INT(cg_shares_to_weight(2), 1);
  CHECK_INT(cg_shares_to_weight(262144), 10000);
  CHECK_INT(cg_blkio_weight_to_io(10), 1);
  CHECK_INT(cg_blkio_weight_to_io(1000), 10000);
  fake_rm(dir);
}

/* Kernel memory limits: ignored with a warning on v2, as runc; 0 ("not set",
 * what Docker's update sends) silently. Nothing is written either way. */
TEST(v2_kernel_memory_is_a_warning)
{
  char *dir = fake_dir();
  if (!dir)
    return;
  cell_cgroup_dir d;
  cell_cgroup cg = fake_cgroup(dir, &d);
  cell_error err = CELL_ERROR_INIT;
  th_log w;
  CHECK(th_log_open(&w));
  oci_resources_typed r = { 0 };
  r.memory.present = r.memory.has_kernel = r.memory.has_kernel_tcp = true;
  r.memory.kernel = 1 << 20;
  r.memory.kernel_tcp = 4096;
  CHECK_INT(cell_cgroup_apply(&cg, &r, &w.log, &err), 0);
  char *said = th_log_take(&w);
  CHECK(said && strstr(said, "linux.resources.memory.kernel: ignored, cgroup v2 has no "
                             "separate kernel memory limit"));
  CHECK(said && strstr(said, "linux.resources.memory.kernelTCP: ignored"));
  free(said);
  r.memory.kernel = r.memory.kernel_tcp = 0;
  r.memory.has_limit = true;
  r.memory.limit = 1 << 20;
  CHECK_INT(cell_cgroup_update(&cg, &r, &w.log, &err), 0);
  said = th_log_take(&w);
  CHECK_STR(said, "");
  free(said);
  CHECK_FILE(dir, "memory.max", "1048576");
  cell_error_clear(&err);
  th_log_close(&w);
  fake_rm(dir);
}

/* ---- the real cgroup2 hierarchy ------------------------------------------ */

static int try_zero(void *arg)
{
  (void) arg;
  int fd = open("/dev/zero", O_RDONLY);
  if (fd < 0)
    return errno == EPERM ? 1 : 2;
  close(fd);
  fd = open("/dev/null", O_WRONLY);
  if (fd < 0)
    return 3;
  close(fd);
  return 0;
}

static pid_t clone3_into(int cgfd)
{
  struct clone_args a = { 0 };
  a.flags = CLONE_INTO_CGROUP;
  a.exit_signal = SIGCHLD;
  a.cgroup = (uint64_t) cgfd;
  pid_t p = (pid_t) syscall(SYS_clone3, &a, sizeof a);
  if (p == 0) {
    for (;;)
      pause();
  }
  return p;
}

TEST(v2_real_hierarchy)
{
  cell_cg_host host;
  if (!th_host_v2_only(&host))
    SKIP("no cgroup2 hierarchy on this host");
  char *name = th_name("v2");
  oci_resources_typed r = { 0 };
  oci_device_rule rules[] = {
    { .allow = false, .type = 'a' },
    { .allow = true, .type = 'c', .has_major = true, .has_minor = true, .major = 1, .minor = 3 },
  };
  r.present = r.has_devices = true;
  r.devices = rules;
  r.n_devices = 2;
  cell_cgroup_config cfg = { .id = "unit", .cgroups_path = name, .resources = &r };
  cell_cgroup *cg = NULL;
  cell_error err = CELL_ERROR_INIT;
  int rc = cell_cgroup_create(&host, &cfg, &cg, &err);
  if (rc < 0 && err.code == EPERM) {
    fprintf(stderr, "  %s\n", err.msg);
    cell_error_clear(&err);
    free(name);
    cell_cg_host_free(&host);
    SKIP("cannot attach device programs here");
  }
  CHECK_INT(rc, 0);
  if (rc < 0) {
    fprintf(stderr, "  %s\n", err.msg);
    cell_error_clear(&err);
    free(name);
    cell_cg_host_free(&host);
    return;
  }
  CHECK_INT(cg->n, 1);
  const char *dir = cg->d[0].dir;
  fprintf(stderr, "  cgroup2 directory %s\n", dir);

  /* clone3 CLONE_INTO_CGROUP starts the process inside. */
  int fd = cell_cgroup_clone_fd(cg, &err);
  CHECK(fd >= 0);
  pid_t p = fd >= 0 ? clone3_into(fd) : -1;
  CHECK(p > 0);
  CHECK(th_in_procs(dir, p));
  /* the eBPF device program: /dev/zero denied, /dev/null allowed */
  th_child c = { 0 };
  CHECK_INT(th_spawn(&c, try_zero, NULL), 0);
  CHECK_INT(cell_cgroup_enter(cg, c.pid, &err), 0);
  CHECK_INT(th_wait(&c), 1);
  /* freeze through cgroup.freeze + cgroup.events */
  bool frozen = true;
  CHECK_INT(cell_cgroup_freeze(cg, true, &err), 0);
  CHECK_INT(cell_cgroup_is_frozen(cg, &frozen, &err), 0);
  CHECK(frozen);
  char *ev = th_read(dir, "cgroup.events");
  CHECK(ev && strstr(ev, "frozen 1"));
  free(ev);
  CHECK_INT(cell_cgroup_freeze(cg, false, &err), 0);
  CHECK_INT(cell_cgroup_is_frozen(cg, &frozen, &err), 0);
  CHECK(!frozen);
  /* stats: cpu.stat is core in cgroup2 */
  json_t *st = NULL;
  CHECK_INT(cell_cgroup_stats(cg, &st, &err), 0);
  CHECK(json_is_integer(json_object_get(json_object_get(json_object_get(st, "cpu"), "usage"),
                                        "total")));
  json_decref(st);
  /* a memory limit needs a controller this hierarchy does not offer here */
  oci_resources_typed u = { 0 };
  u.memory.has_limit = true;
  u.memory.limit = 1 << 24;
  if (!(cg->d[0].controllers & (1u << CELL_CGC_MEMORY))) {
    CHECK(cell_cgroup_update(cg, &u, NULL, &err) < 0);
    CHECK(err.msg && strstr(err.msg, "the memory controller is not available"));
    cell_error_clear(&err);
  }
  /* kill --all through cgroup.kill */
  CHECK_INT(cell_cgroup_kill_all(cg, SIGKILL, 2000, &err), 0);
  if (p > 0)
    waitpid(p, NULL, 0);
  pid_t *pids = NULL;
  size_t n = 9;
  CHECK_INT(cell_cgroup_pids(cg, &pids, &n, &err), 0);
  CHECK_INT(n, 0);
  free(pids);
  if (err.msg)
    fprintf(stderr, "  %s\n", err.msg);
  cell_error_clear(&err);
  CHECK_INT(cell_cgroup_destroy(cg, 2000, &err), 0);
  struct stat sb;
  CHECK(stat(cg->d[0].created, &sb) < 0);
  cell_error_clear(&err);
  cell_cgroup_free(cg);
  cell_cg_host_free(&host);
  free(name);
}

/* In a private mount namespace, cgroup2 mounted at /sys/fs/cgroup: the
 * host looks like a pure v2 one to detection and placement. */
static int pure_v2_child(const char *name)
{
  if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return 10;
  if (mount("cgroup2", "/sys/fs/cgroup", "cgroup2", 0, NULL) < 0)
    return 11;
  cell_cg_host host;
  cell_error err = CELL_ERROR_INIT;
  if (cell_cg_host_detect(&host, &err) < 0)
    return 12;
  if (host.mode != CELL_CG_V2 || host.n != 1 || strcmp(host.h[0].mountpoint, "/sys/fs/cgroup"))
    return 13;
  cell_cgroup_config cfg = { .id = "unit", .cgroups_path = name };
  cell_cgroup *cg = NULL;
  if (cell_cgroup_create(&host, &cfg, &cg, &err) < 0) {
    fprintf(stderr, "  %s\n", err.msg);
    return 14;
  }
  int rc = 0;
  pid_t p = th_sleeper();
  if (cell_cgroup_enter(cg, p, &err) < 0 || cell_cgroup_freeze(cg, true, &err) < 0 ||
      cell_cgroup_freeze(cg, false, &err) < 0)
    rc = 15;
  if (cell_cgroup_kill_all(cg, SIGKILL, 2000, &err) < 0)
    rc = 16;
  waitpid(p, NULL, 0);
  if (cell_cgroup_destroy(cg, 2000, &err) < 0)
    rc = 17;
  if (err.msg)
    fprintf(stderr, "  %s\n", err.msg);
  cell_cgroup_free(cg);
  cell_cg_host_free(&host);
  return rc;
}

TEST(v2_pure_host_in_private_mount_namespace)
{
  cell_cg_host host;
  if (!th_host_v2_only(&host))
    SKIP("no cgroup2 hierarchy on this host");
  bool at_root = strcmp(host.h[0].mountpoint, "/sys/fs/cgroup") == 0;
  char *fallback = cg_join(host.h[0].mountpoint, "/");
  cell_cg_host_free(&host);
  char *name = th_name("purev2");
  pid_t p = fork();
  if (p == 0)
    _exit(pure_v2_child(name));
  int st = 0;
  waitpid(p, &st, 0);
  CHECK(WIFEXITED(st));
  CHECK_INT(WEXITSTATUS(st), 0);
  /* Whatever happened in there, nothing stays (our own cgroup2 is "/" or
   * below; the child placed relative to it). */
  char *left = cg_join(fallback, name);
  struct stat sb;
  if (left && stat(left, &sb) == 0) {
    fprintf(stderr, "  left behind: %s\n", left);
    rmdir(left);
    (*unit_failed_)++;
  }
  (void) at_root;
  free(left);
  free(fallback);
  free(name);
}
