/* Real cgroups on this host (v1 controllers here; on a pure v2 host the
 * same calls go to cgroup2), placed below the test's own cgroup through a
 * relative cgroupsPath, and removed at the end of each test whatever its
 * checks said. */
#include "unit.h"
#include "helpers.h"
#include "oci/resources.h"
#include "cgroups/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int parse_res(const char *text, oci_resources_typed *r)
{
  _cleanup_jdoc_ cell_jdoc *doc = NULL;
  cell_error e = CELL_ERROR_INIT;
  oci_json_where w = { .name = "linux.resources" };
  int rc = cell_json_parse("test JSON", text, strlen(text), &doc, &e);
  if (rc >= 0)
    rc = oci_resources_parse(cell_jdoc_root(doc), &w, r, &e);
  if (rc < 0)
    fprintf(stderr, "  parse: %s\n", e.msg);
  cell_error_clear(&e);
  return rc;
}

static bool has_v1(const cell_cgroup *cg, int ctl)
{
  const cell_cgroup_dir *d = cell_cgroup_dir_for(cg, ctl);
  return d && !d->v2;
}

static bool starts(const char *s, const char *prefix)
{
  return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

#define CHECK_FILE(dir, file, want)                                          \
  do {                                                                       \
    char *got_ = th_read(dir, file);                                         \
    if (!starts(got_, want)) {                                               \
      fprintf(stderr, "  %s:%d: %s/%s is `%s`, expected `%s`\n", __FILE__,   \
              __LINE__, dir, file, got_ ? got_ : "(missing)", want);         \
      (*unit_failed_)++;                                                     \
    }                                                                        \
    free(got_);                                                              \
  } while (0)

static cell_cgroup *create(const char *tag, const oci_resources_typed *r, cell_error *err)
{
  char *name = th_name(tag);
  cell_cgroup_config cfg = { .id = "unit", .cgroups_path = name, .manager = CELL_CGM_CGROUPFS,
                             .resources = r };
  cell_cgroup *cg = NULL;
  if (cell_cgroup_create(NULL, &cfg, &cg, err) < 0)
    fprintf(stderr, "  create: %s\n", err->msg);
  free(name);
  return cg;
}

static void teardown(int *unit_failed_, cell_cgroup *cg)
{
  cell_error e = CELL_ERROR_INIT;
  if (!cg)
    return;
  if (cell_cgroup_kill_all(cg, SIGKILL, 2000, &e) < 0)
    fprintf(stderr, "  kill_all: %s\n", e.msg);
  cell_error_clear(&e);
  int r = cell_cgroup_destroy(cg, 2000, &e);
  if (r < 0)
    fprintf(stderr, "  destroy: %s\n", e.msg);
  CHECK_INT(r, 0);
  for (size_t i = 0; i < cg->n; i++) {
    struct stat st;
    if (cg->d[i].created && stat(cg->d[i].created, &st) == 0) {
      fprintf(stderr, "  left behind: %s\n", cg->d[i].created);
      (*unit_failed_)++;
    }
  }
  cell_error_clear(&e);
  cell_cgroup_free(cg);
}

static int touch_and_wait(void *arg)
{
  (void) arg;
  size_t sz = 4 << 20;
  char *p = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    return 3;
  memset(p, 1, sz);
  for (;;)
    pause();
}

TEST(real_cgroup_create_apply_destroy)
{
  cell_cg_host host;
  cell_error err = CELL_ERROR_INIT;
  if (cell_cg_host_detect(&host, &err) < 0 || host.mode == CELL_CG_NONE) {
    cell_error_clear(&err);
    SKIP("no cgroups mounted");
  }
  cell_cg_host_free(&host);
  oci_resources_typed r;
  CHECK_INT(parse_res("{\"memory\":{\"limit\":67108864,\"reservation\":33554432},"
                      "\"cpu\":{\"shares\":512,\"quota\":20000,\"period\":100000,"
                      "\"cpus\":\"0\",\"mems\":\"0\"},\"pids\":{\"limit\":16},"
                      "\"devices\":[{\"allow\":false,\"access\":\"rwm\"},"
                      "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rwm\"}]}",
                      &r), 0);
  cell_cgroup *cg = create("apply", &r, &err);
  CHECK(cg != NULL);
  oci_resources_typed_free(&r);
  if (!cg) {
    cell_error_clear(&err);
    return;
  }
  fprintf(stderr, "  mode %s, %zu directories\n", cell_cg_mode_name(cg->mode), cg->n);
  /* Every directory is below our own cgroup, never at a root. */
  for (size_t i = 0; i < cg->n; i++) {
    CHECK(cg->d[i].created != NULL);
    CHECK(strstr(cg->d[i].path, "/cell-unit-") != NULL);
    CHECK(strcmp(cg->d[i].dir, cg->d[i].mountpoint) != 0);
  }
  const cell_cgroup_dir *d;
  if ((d = cell_cgroup_dir_for(cg, CELL_CGC_MEMORY))) {
    CHECK_FILE(d->dir, d->v2 ? "memory.max" : "memory.limit_in_bytes", "67108864");
    CHECK_FILE(d->dir, d->v2 ? "memory.low" : "memory.soft_limit_in_bytes", "33554432");
  }
  if ((d = cell_cgroup_dir_for(cg, CELL_CGC_CPU))) {
    if (d->v2)
      CHECK_FILE(d->dir, "cpu.max", "20000 100000");
    else {
      CHECK_FILE(d->dir, "cpu.shares", "512");
      CHECK_FILE(d->dir, "cpu.cfs_quota_us", "20000");
      CHECK_FILE(d->dir, "cpu.cfs_period_us", "100000");
    }
  }
  if ((d = cell_cgroup_dir_for(cg, CELL_CGC_CPUSET)))
    CHECK_FILE(d->dir, "cpuset.cpus", "0");
  if ((d = cell_cgroup_dir_for(cg, CELL_CGC_PIDS)))
    CHECK_FILE(d->dir, "pids.max", "16");
  if (has_v1(cg, CELL_CGC_DEVICES)) {
    d = cell_cgroup_dir_for(cg, CELL_CGC_DEVICES);
    CHECK_FILE(d->dir, "devices.list", "c 1:3 rwm");
  }

  /* A process entered into every hierarchy, listed, frozen and thawed. */
  pid_t p = th_sleeper();
  CHECK(p > 0);
  CHECK_INT(cell_cgroup_enter(cg, p, &err), 0);
  for (size_t i = 0; i < cg->n; i++)
    CHECK(th_in_procs(cg->d[i].dir, p));
  pid_t *pids = NULL;
  size_t n = 0;
  CHECK_INT(cell_cgroup_pids(cg, &pids, &n, &err), 0);
  CHECK(n == 1 && pids[0] == p);
  free(pids);
  bool frozen = true;
  CHECK_INT(cell_cgroup_is_frozen(cg, &frozen, &err), 0);
  CHECK(!frozen);
  CHECK_INT(cell_cgroup_freeze(cg, true, &err), 0);
  CHECK_INT(cell_cgroup_is_frozen(cg, &frozen, &err), 0);
  CHECK(frozen);
  if (has_v1(cg, CELL_CGC_FREEZER))
    CHECK_FILE(cell_cgroup_dir_for(cg, CELL_CGC_FREEZER)->dir, "freezer.state", "FROZEN");
  CHECK_INT(cell_cgroup_freeze(cg, false, &err), 0);
  CHECK_INT(cell_cgroup_is_frozen(cg, &frozen, &err), 0);
  CHECK(!frozen);

  /* Stats in runc's shape. */
  json_t *st = NULL;
  CHECK_INT(cell_cgroup_stats(cg, &st, &err), 0);
  CHECK(json_is_object(json_object_get(st, "cpu")));
  CHECK(json_is_integer(json_object_get(json_object_get(st, "pids"), "current")));
  CHECK_INT(json_integer_value(json_object_get(json_object_get(st, "pids"), "current")), 1);
  CHECK_INT(json_integer_value(json_object_get(json_object_get(st, "pids"), "limit")), 16);
  json_t *mu = json_object_get(json_object_get(st, "memory"), "usage");
  CHECK(json_is_integer(json_object_get(mu, "usage")));
  CHECK_INT(json_integer_value(json_object_get(mu, "limit")), 67108864);
  CHECK(json_is_object(json_object_get(st, "blkio")) || !cell_cgroup_dir_for(cg, CELL_CGC_BLKIO));
  json_decref(st);

  /* Round trip through the state file's JSON. */
  json_t *j = cell_cgroup_to_json(cg);
  cell_cgroup *back = NULL;
  CHECK_INT(cell_cgroup_from_json(j, &back, &err), 0);
  CHECK(back && back->n == cg->n && back->mode == cg->mode);
  for (size_t i = 0; back && i < back->n && i < cg->n; i++) {
    CHECK_STR(back->d[i].dir, cg->d[i].dir);
    CHECK_STR(back->d[i].created, cg->d[i].created);
    CHECK_INT(back->d[i].controllers, cg->d[i].controllers);
  }
  json_decref(j);

  /* update through the reloaded handle. */
  oci_resources_typed u = { 0 };
  u.memory.present = u.memory.has_limit = true;
  u.memory.limit = 134217728;
  u.pids.present = u.pids.has_limit = true;
  u.pids.limit = 32;
  u.cpu.present = u.cpu.has_quota = true;
  u.cpu.quota = -1;
  if (back)
    CHECK_INT(cell_cgroup_update(back, &u, NULL, &err), 0);
  if (err.msg)
    fprintf(stderr, "  update: %s\n", err.msg);
  cell_error_clear(&err);
  if ((d = cell_cgroup_dir_for(cg, CELL_CGC_MEMORY)))
    CHECK_FILE(d->dir, d->v2 ? "memory.max" : "memory.limit_in_bytes", "134217728");
  if ((d = cell_cgroup_dir_for(cg, CELL_CGC_PIDS)))
    CHECK_FILE(d->dir, "pids.max", "32");
  if ((d = cell_cgroup_dir_for(cg, CELL_CGC_CPU)))
    CHECK_FILE(d->dir, d->v2 ? "cpu.max" : "cpu.cfs_quota_us", d->v2 ? "max" : "-1");
  /* checkBeforeUpdate refuses a limit below the usage (a child that has
   * touched 4 MiB inside the cgroup). */
  th_child eater = { 0 };
  CHECK_INT(th_spawn(&eater, touch_and_wait, NULL), 0);
  if (back)
    CHECK_INT(cell_cgroup_enter(back, eater.pid, &err), 0);
  th_go(&eater);
  d = cell_cgroup_dir_for(cg, CELL_CGC_MEMORY);
  for (int i = 0; d && i < 200; i++) {
    char *s = th_read(d->dir, d->v2 ? "memory.current" : "memory.usage_in_bytes");
    long long v = s ? atoll(s) : 0;
    free(s);
    if (v > (2 << 20))
      break;
    usleep(10000);
  }
  u = (oci_resources_typed) { 0 };
  u.memory.present = u.memory.has_limit = u.memory.has_check_before_update = true;
  u.memory.check_before_update = true;
  u.memory.limit = 1 << 20;
  if (back) {
    CHECK(cell_cgroup_update(back, &u, NULL, &err) < 0);
    CHECK(err.msg && strstr(err.msg, "below the current usage"));
  }
  cell_error_clear(&err);
  cell_cgroup_free(back);

  /* kill --all empties it; destroy leaves nothing. */
  CHECK_INT(cell_cgroup_kill_all(cg, SIGKILL, 2000, &err), 0);
  waitpid(p, NULL, 0);
  th_wait(&eater);
  CHECK_INT(cell_cgroup_pids(cg, &pids, &n, &err), 0);
  CHECK_INT(n, 0);
  free(pids);
  cell_error_clear(&err);
  teardown(unit_failed_, cg);
}

static int try_dev(void *arg)
{
  int fd = open((const char *) arg, O_RDONLY);
  if (fd < 0)
    return errno == EPERM ? 1 : 2;
  close(fd);
  return 0;
}

TEST(real_cgroup_device_rules_apply)
{
  oci_resources_typed r;
  CHECK_INT(parse_res("{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},"
                      "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rwm\"}]}",
                      &r), 0);
  cell_error err = CELL_ERROR_INIT;
  cell_cgroup *cg = create("dev", &r, &err);
  oci_resources_typed_free(&r);
  if (!cg) {
    CHECK(cg != NULL);
    cell_error_clear(&err);
    return;
  }
  th_child zero = { 0 }, null = { 0 };
  CHECK_INT(th_spawn(&zero, try_dev, "/dev/zero"), 0);
  CHECK_INT(th_spawn(&null, try_dev, "/dev/null"), 0);
  CHECK_INT(cell_cgroup_enter(cg, zero.pid, &err), 0);
  CHECK_INT(cell_cgroup_enter(cg, null.pid, &err), 0);
  CHECK_INT(th_wait(&zero), 1);          /* EPERM: denied by the rules */
  CHECK_INT(th_wait(&null), 0);
  fprintf(stderr, "  devices enforced through %s\n",
          has_v1(cg, CELL_CGC_DEVICES) ? "v1 devices.deny/allow" : "the cgroup2 eBPF program");
  cell_error_clear(&err);
  teardown(unit_failed_, cg);
}

static int fork_many(void *arg)
{
  (void) arg;
  for (int i = 0; i < 20; i++) {
    pid_t p = fork();
    if (p < 0)
      return errno == EAGAIN ? 1 : 2;
    if (p == 0)
      _exit(0);
    waitpid(p, NULL, 0);
    /* keep them alive so the count grows */
    if (fork() == 0) {
      pause();
      _exit(0);
    }
  }
  return 0;
}

TEST(real_cgroup_pids_limit_makes_fork_fail)
{
  oci_resources_typed r;
  CHECK_INT(parse_res("{\"pids\":{\"limit\":5}}", &r), 0);
  cell_error err = CELL_ERROR_INIT;
  cell_cgroup *cg = create("pids", &r, &err);
  oci_resources_typed_free(&r);
  if (!cg) {
    CHECK(cg != NULL);
    cell_error_clear(&err);
    return;
  }
  th_child c = { 0 };
  CHECK_INT(th_spawn(&c, fork_many, NULL), 0);
  CHECK_INT(cell_cgroup_enter(cg, c.pid, &err), 0);
  CHECK_INT(th_wait(&c), 1);             /* fork failed with EAGAIN */
  cell_error_clear(&err);
  teardown(unit_failed_, cg);
}

static int eat_memory(void *arg)
{
  (void) arg;
  size_t sz = 256 << 20;
  char *p = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    return 3;
  for (size_t i = 0; i < sz; i += 4096)
    p[i] = 1;
  return 0;
}

TEST(real_cgroup_oom_kill_is_reported)
{
  oci_resources_typed r;
  /* memory+swap equal to the limit: no swap to escape to */
  CHECK_INT(parse_res("{\"memory\":{\"limit\":16777216}}", &r), 0);
  cell_error err = CELL_ERROR_INIT;
  cell_cgroup *cg = create("oom", &r, &err);
  oci_resources_typed_free(&r);
  if (!cg) {
    CHECK(cg != NULL);
    cell_error_clear(&err);
    return;
  }
  const cell_cgroup_dir *d = cell_cgroup_dir_for(cg, CELL_CGC_MEMORY);
  if (d && !d->v2 && cg_file_exists(d->dir, "memory.memsw.limit_in_bytes"))
    cg_write(d->dir, "memory.memsw.limit_in_bytes", "16777216", NULL, &err);
  else if (d && d->v2)
    cg_write(d->dir, "memory.swap.max", "0", NULL, &err);
  cell_error_clear(&err);
  cell_cgroup_oom w;
  int rw = cell_cgroup_oom_open(cg, &w, &err);
  CHECK_INT(rw, 0);
  if (rw < 0)
    fprintf(stderr, "  oom_open: %s\n", err.msg);
  cell_error_clear(&err);
  th_child c = { 0 };
  CHECK_INT(th_spawn(&c, eat_memory, NULL), 0);
  CHECK_INT(cell_cgroup_enter(cg, c.pid, &err), 0);
  int st = th_wait(&c);
  CHECK_INT(st, 128 + SIGKILL);
  if (rw == 0) {
    struct pollfd pfd = { w.fd, POLLIN, 0 };
    CHECK(poll(&pfd, 1, 2000) == 1);
    uint64_t n = 0;
    CHECK_INT(cell_cgroup_oom_read(&w, &n, &err), 0);
    CHECK(n >= 1);
    CHECK_INT(cell_cgroup_oom_read(&w, &n, &err), 0);
    CHECK_INT(n, 0);
    cell_cgroup_oom_close(&w);
  }
  cell_error_clear(&err);
  teardown(unit_failed_, cg);
}

TEST(real_cgroup_unhonourable_values_are_errors)
{
  cell_error err = CELL_ERROR_INIT;
  cell_cgroup *cg = create("errors", NULL, &err);
  if (!cg) {
    CHECK(cg != NULL);
    cell_error_clear(&err);
    return;
  }
  oci_resources_typed u = { 0 };
  /* This host has no blkio weight file (no CFQ/BFQ weights). */
  const cell_cgroup_dir *d = cell_cgroup_dir_for(cg, CELL_CGC_BLKIO);
  if (d && !cg_file_exists(d->dir, d->v2 ? "io.weight" : "blkio.weight") &&
      !cg_file_exists(d->dir, d->v2 ? "io.bfq.weight" : "blkio.bfq.weight")) {
    u.blkio.present = u.blkio.has_weight = true;
    u.blkio.weight = 500;
    CHECK(cell_cgroup_update(cg, &u, NULL, &err) < 0);
    CHECK(err.msg && strstr(err.msg, "`500`") && strstr(err.msg, "weight") &&
          strstr(err.msg, "linux.resources.blockIO.weight"));
    fprintf(stderr, "  %s\n", err.msg);
    cell_error_clear(&err);
    u.blkio = (oci_res_blkio) { 0 };
  }
  /* A cpuset outside the machine. */
  u.cpu.present = true;
  u.cpu.cpus = "4096";
  CHECK(cell_cgroup_update(cg, &u, NULL, &err) < 0);
  CHECK(err.msg && strstr(err.msg, "write `4096` to ") && strstr(err.msg, "cpuset.cpus") &&
        strstr(err.msg, "linux.resources.cpu.cpus"));
  cell_error_clear(&err);
  u.cpu.cpus = NULL;
  /* Kernel memory: honoured, or ignored with a warning saying so (Linux 5.16
   * and later), never an error; 0 is "not set" and is not written. */
  if (has_v1(cg, CELL_CGC_MEMORY)) {
    const cell_cgroup_dir *md = cell_cgroup_dir_for(cg, CELL_CGC_MEMORY);
    th_log w;
    CHECK(th_log_open(&w));
    u.memory.present = u.memory.has_kernel = true;
    u.memory.kernel = 8 << 20;
    CHECK_INT(cell_cgroup_update(cg, &u, &w.log, &err), 0);
    char *said = th_log_take(&w), *now = th_read(md->dir, "memory.kmem.limit_in_bytes");
    if (now && strtoull(now, NULL, 10) != 8 << 20)
      CHECK(said && strstr(said, "linux.resources.memory.kernel: ignored, this kernel ignores "
                                 "kernel memory limits") && strstr(said, "wrote `8388608` to "));
    else
      CHECK_STR(said, "");
    fprintf(stderr, "  %s", said ? said : "");
    free(said);
    free(now);
    u.memory.kernel = 0;
    CHECK_INT(cell_cgroup_update(cg, &u, &w.log, &err), 0);
    said = th_log_take(&w);
    CHECK_STR(said, "");
    free(said);
    th_log_close(&w);
    cell_error_clear(&err);
    u.memory = (oci_res_memory) { 0 };
  }
  /* unified: v2 only */
  oci_kv kv = { "memory.high", "1G" };
  u.unified = &kv;
  u.n_unified = 1;
  if (cg->mode != CELL_CG_V2) {
    CHECK(cell_cgroup_update(cg, &u, NULL, &err) < 0);
    CHECK(err.msg && strstr(err.msg, "linux.resources.unified"));
    fprintf(stderr, "  %s\n", err.msg ? err.msg : "");
    cell_error_clear(&err);
  }
  u.unified = NULL;
  u.n_unified = 0;
  /* net_cls is not mounted here. */
  if (!cell_cgroup_dir_for(cg, CELL_CGC_NET_CLS)) {
    u.network.present = u.network.has_class_id = true;
    u.network.class_id = 0x100001;
    CHECK(cell_cgroup_update(cg, &u, NULL, &err) < 0);
    CHECK(err.msg && strstr(err.msg, "linux.resources.network.classID: the net_cls controller"));
    cell_error_clear(&err);
  }
  teardown(unit_failed_, cg);
}

TEST(disabled_manager_is_inert)
{
  cell_cgroup_config cfg = { .id = "x", .manager = CELL_CGM_DISABLED };
  cell_cgroup *cg = NULL;
  cell_error err = CELL_ERROR_INIT;
  CHECK_INT(cell_cgroup_create(NULL, &cfg, &cg, &err), 0);
  CHECK(cg && cg->n == 0);
  CHECK_INT(cell_cgroup_enter(cg, getpid(), &err), 0);
  CHECK_INT(cell_cgroup_destroy(cg, 0, &err), 0);
  CHECK(cell_cgroup_freeze(cg, true, &err) < 0);
  CHECK(err.msg && strstr(err.msg, "cgroup manager disabled"));
  cell_error_clear(&err);
  cell_cgroup_free(cg);
}

/* A pure v1 view of this host: the cgroup2 mount detached in a private
 * mount namespace. */
static int pure_v1_child(const char *name)
{
  if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return 10;
  if (umount2("/sys/fs/cgroup/unified", MNT_DETACH) < 0)
    return 11;
  cell_cg_host host;
  cell_error err = CELL_ERROR_INIT;
  if (cell_cg_host_detect(&host, &err) < 0)
    return 12;
  for (size_t i = 0; i < host.n; i++)
    if (host.h[i].v2)
      return 13;
  if (host.mode != CELL_CG_V1)
    return 14;
  oci_resources_typed r = { 0 };
  r.pids.present = r.pids.has_limit = true;
  r.pids.limit = 9;
  cell_cgroup_config cfg = { .id = "unit", .cgroups_path = name, .resources = &r };
  cell_cgroup *cg = NULL;
  if (cell_cgroup_create(&host, &cfg, &cg, &err) < 0) {
    fprintf(stderr, "  %s\n", err.msg);
    return 15;
  }
  int rc = 0;
  cell_error e2 = CELL_ERROR_INIT;
  if (cg->n != host.n || cell_cgroup_clone_fd(cg, &e2) != -ENOENT)
    rc = 16;
  cell_error_clear(&e2);
  pid_t p = th_sleeper();
  bool frozen = false;
  if (cell_cgroup_enter(cg, p, &err) < 0 || cell_cgroup_freeze(cg, true, &err) < 0 ||
      cell_cgroup_is_frozen(cg, &frozen, &err) < 0 || !frozen ||
      cell_cgroup_freeze(cg, false, &err) < 0)
    rc = 17;
  oci_kv kv = { "pids.max", "5" };
  oci_resources_typed u = { 0 };
  u.unified = &kv;
  u.n_unified = 1;
  if (cell_cgroup_update(cg, &u, NULL, &e2) >= 0 || !strstr(e2.msg, "has cgroup v1 only"))
    rc = 18;
  cell_error_clear(&e2);
  if (cell_cgroup_kill_all(cg, SIGKILL, 2000, &err) < 0)
    rc = 19;
  waitpid(p, NULL, 0);
  if (cell_cgroup_destroy(cg, 2000, &err) < 0)
    rc = 20;
  if (err.msg)
    fprintf(stderr, "  %s\n", err.msg);
  cell_error_clear(&err);
  cell_cgroup_free(cg);
  cell_cg_host_free(&host);
  return rc;
}

TEST(v1_pure_host_in_private_mount_namespace)
{
  struct statfs fs;
  if (statfs("/sys/fs/cgroup/unified", &fs) < 0 || fs.f_type != CGROUP2_SUPER_MAGIC)
    SKIP("not a hybrid host");
  char *name = th_name("purev1");
  pid_t p = fork();
  if (p == 0)
    _exit(pure_v1_child(name));
  int st = 0;
  waitpid(p, &st, 0);
  CHECK(WIFEXITED(st));
  CHECK_INT(WEXITSTATUS(st), 0);
  free(name);
}

TEST(siblings_share_a_parent)
{
  char *base = th_name("sib");
  char pa[256], pb[256];
  snprintf(pa, sizeof pa, "%s/a", base);
  snprintf(pb, sizeof pb, "%s/b", base);
  cell_cgroup_config ca = { .id = "a", .cgroups_path = pa }, cb = { .id = "b", .cgroups_path = pb };
  cell_cgroup *a = NULL, *b = NULL, *again = NULL;
  cell_error err = CELL_ERROR_INIT;
  CHECK_INT(cell_cgroup_create(NULL, &ca, &a, &err), 0);
  CHECK_INT(cell_cgroup_create(NULL, &cb, &b, &err), 0);
  if (!a || !b) {
    cell_error_clear(&err);
    cell_cgroup_free(a);
    cell_cgroup_free(b);
    free(base);
    return;
  }
  /* b made only its leaf; a made the parent too */
  CHECK(strstr(a->d[0].created, "/a") == NULL);
  CHECK(strstr(b->d[0].created, "/b") != NULL);
  /* an occupied existing cgroup is refused */
  pid_t p = th_sleeper();
  CHECK_INT(cell_cgroup_enter(b, p, &err), 0);
  CHECK(cell_cgroup_create(NULL, &cb, &again, &err) == -EBUSY);
  CHECK(err.msg && strstr(err.msg, "already has processes"));
  cell_error_clear(&err);
  th_reap(p);
  /* removing a keeps the parent that b still uses, promptly */
  CHECK_INT(cell_cgroup_destroy(a, 2000, &err), 0);
  struct stat st;
  for (size_t i = 0; i < b->n; i++) {
    CHECK(stat(b->d[i].dir, &st) == 0);
    CHECK(stat(a->d[i].dir, &st) < 0);
  }
  CHECK_INT(cell_cgroup_destroy(b, 2000, &err), 0);
  /* the parent a made, left when a went first, goes by hand */
  for (size_t i = 0; i < b->n; i++) {
    char *parent = strdup(b->d[i].dir);
    *strrchr(parent, '/') = 0;
    CHECK_INT(rmdir(parent), 0);
    free(parent);
  }
  cell_error_clear(&err);
  cell_cgroup_free(a);
  cell_cgroup_free(b);
  free(base);
}

/* The v1 writer for every file, against a directory of plain files (most
 * of these controllers are not mounted on this host). */
static const char *const v1_files[] = {
  "memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "memory.soft_limit_in_bytes",
  "memory.kmem.limit_in_bytes", "memory.kmem.tcp.limit_in_bytes", "memory.swappiness",
  "memory.oom_control", "memory.use_hierarchy", "cpu.shares", "cpu.cfs_period_us",
  "cpu.cfs_quota_us", "cpu.cfs_burst_us", "cpu.rt_period_us", "cpu.rt_runtime_us", "cpu.idle",
  "blkio.weight", "blkio.leaf_weight", "blkio.weight_device", "blkio.leaf_weight_device",
  "blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
  "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device",
  "hugetlb.1GB.limit_in_bytes", "net_cls.classid", "net_prio.ifpriomap", "rdma.max",
  "pids.max", "cpuset.cpus", "cpuset.mems", NULL,
};

TEST(v1_writer_files)
{
  char *dir = th_fake_dir(v1_files);
  CHECK(dir != NULL);
  if (!dir)
    return;
  cell_cgroup_dir d = { .mountpoint = "/nonexistent", .path = "/x", .dir = dir,
                        .controllers = 0xffff & ~(1u << CELL_CGC_CPUSET) };
  cell_cgroup_dir dcs = { .mountpoint = "/nonexistent", .path = "/x", .dir = dir,
                          .controllers = 1u << CELL_CGC_CPUSET };
  cell_cgroup_dir both[] = { d, dcs };
  cell_cgroup cg = { .mode = CELL_CG_V1, .manager = CELL_CGM_CGROUPFS, .d = both, .n = 2,
                     .v2_fd = -1 };
  oci_resources_typed r;
  CHECK_INT(parse_res("{\"memory\":{\"limit\":1048576,\"swap\":2097152,\"reservation\":4096,"
                      "\"kernel\":65536,\"kernelTCP\":8192,\"swappiness\":5,"
                      "\"disableOOMKiller\":true,\"useHierarchy\":true},"
                      "\"cpu\":{\"shares\":100,\"quota\":3000,\"period\":6000,\"burst\":7,"
                      "\"realtimePeriod\":900,\"realtimeRuntime\":800,\"idle\":0,"
                      "\"cpus\":\"1\",\"mems\":\"0\"},\"pids\":{\"limit\":-1},"
                      "\"blockIO\":{\"weight\":300,\"leafWeight\":200,"
                      "\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":400,\"leafWeight\":100}],"
                      "\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":1,\"rate\":10}],"
                      "\"throttleWriteBpsDevice\":[{\"major\":8,\"minor\":2,\"rate\":20}],"
                      "\"throttleReadIOPSDevice\":[{\"major\":8,\"minor\":3,\"rate\":30}],"
                      "\"throttleWriteIOPSDevice\":[{\"major\":8,\"minor\":4,\"rate\":40}]},"
                      "\"hugepageLimits\":[{\"pageSize\":\"1GB\",\"limit\":1073741824}],"
                      "\"network\":{\"classID\":1048577,\"priorities\":[{\"name\":\"lo\",\"priority\":7}]},"
                      "\"rdma\":{\"mlx4_0\":{\"hcaObjects\":12}}}", &r), 0);
  cell_error err = CELL_ERROR_INIT;
  int rc = cell_cgroup_apply(&cg, &r, NULL, &err);
  CHECK_INT(rc, 0);
  if (rc < 0)
    fprintf(stderr, "  %s\n", err.msg);
  static const char *const want[][2] = {
    { "memory.limit_in_bytes", "1048576" }, { "memory.memsw.limit_in_bytes", "2097152" },
    { "memory.soft_limit_in_bytes", "4096" }, { "memory.kmem.limit_in_bytes", "65536" },
    { "memory.kmem.tcp.limit_in_bytes", "8192" }, { "memory.swappiness", "5" },
    { "memory.oom_control", "1" }, { "memory.use_hierarchy", "1" }, { "cpu.shares", "100" },
    { "cpu.cfs_period_us", "6000" }, { "cpu.cfs_quota_us", "3000" }, { "cpu.cfs_burst_us", "7" },
    { "cpu.rt_period_us", "900" }, { "cpu.rt_runtime_us", "800" }, { "cpu.idle", "0" },
    { "blkio.weight", "300" }, { "blkio.leaf_weight", "200" },
    { "blkio.weight_device", "8:0 400" }, { "blkio.leaf_weight_device", "8:0 100" },
    { "blkio.throttle.read_bps_device", "8:1 10" }, { "blkio.throttle.write_bps_device", "8:2 20" },
    { "blkio.throttle.read_iops_device", "8:3 30" }, { "blkio.throttle.write_iops_device", "8:4 40" },
    { "hugetlb.1GB.limit_in_bytes", "1073741824" }, { "net_cls.classid", "1048577" },
    { "net_prio.ifpriomap", "lo 7" }, { "rdma.max", "mlx4_0 hca_object=12" },
    { "pids.max", "max" }, { "cpuset.cpus", "1" }, { "cpuset.mems", "0" },
  };
  for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
    char *got = th_read(dir, want[i][0]);
    if (!got || strcmp(got, want[i][1]) != 0) {
      fprintf(stderr, "  %s is `%s`, expected `%s`\n", want[i][0], got ? got : "(missing)",
              want[i][1]);
      (*unit_failed_)++;
    }
    free(got);
  }
  oci_resources_typed_free(&r);
  /* 0 and "" are "not set" (what Docker's update sends for what was not
   * given): nothing is written, as runc. */
  th_fake_clear(dir, v1_files);
  oci_resources_typed z = { 0 };
  z.memory.present = z.memory.has_kernel = z.memory.has_kernel_tcp = true;
  z.memory.has_limit = z.memory.has_swap = z.memory.has_reservation = true;
  z.cpu.present = z.cpu.has_quota = true;
  z.cpu.cpus = z.cpu.mems = "";
  CHECK_INT(cell_cgroup_update(&cg, &z, NULL, &err), 0);
  for (const char *const *f = (const char *const[]) { "memory.kmem.limit_in_bytes",
                                                       "memory.kmem.tcp.limit_in_bytes",
                                                       "memory.limit_in_bytes",
                                                       "memory.memsw.limit_in_bytes",
                                                       "memory.soft_limit_in_bytes",
                                                       "cpu.cfs_quota_us", "cpuset.cpus",
                                                       "cpuset.mems", NULL };
       *f; f++) {
    char *got = th_read(dir, *f);
    CHECK_STR(got, "");
    free(got);
  }
  /* unified is refused on v1 */
  oci_kv kv = { "memory.high", "1" };
  oci_resources_typed u = { .unified = &kv, .n_unified = 1 };
  CHECK(cell_cgroup_apply(&cg, &u, NULL, &err) < 0);
  CHECK(err.msg && strstr(err.msg, "linux.resources.unified: `memory.high` is a cgroup v2 "
                                   "setting and this host has cgroup v1 only"));
  cell_error_clear(&err);
  th_fake_rm(dir, v1_files);
}
