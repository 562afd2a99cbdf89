/* Host detection from mountinfo texts, and where a container's cgroup goes. */
#include "unit.h"
#include "cgroups/cgroups.h"

#include <stdlib.h>

static const char hybrid_mi[] =
  "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
  "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
  "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
  "36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
  "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
  "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
  "50 23 0:33 / /tmp/other\\040dir rw,relatime - cgroup cgroup rw,devices\n";
static const char hybrid_pc[] =
  "9:name=systemd:/user.slice\n"
  "5:devices:/\n"
  "4:memory:/process_api/abc\n"
  "1:cpu,cpuacct:/x\n"
  "0::/user.slice/session-1.scope\n";

static const cell_cg_hierarchy *find(const cell_cg_host *h, const char *name)
{
  for (size_t i = 0; i < h->n; i++)
    if (strcmp(h->h[i].name, name) == 0)
      return &h->h[i];
  return NULL;
}

TEST(host_parse_hybrid)
{
  cell_cg_host h;
  cell_error err = CELL_ERROR_INIT;
  CHECK_INT(cell_cg_host_parse(hybrid_mi, hybrid_pc, false, &h, &err), 0);
  CHECK_INT(h.mode, CELL_CG_HYBRID);
  CHECK_INT(h.n, 5);
  const cell_cg_hierarchy *cpu = find(&h, "cpu,cpuacct");
  CHECK(cpu && cpu->controllers == ((1u << CELL_CGC_CPU) | (1u << CELL_CGC_CPUACCT)));
  CHECK(cpu && strcmp(cpu->own, "/x") == 0);
  const cell_cg_hierarchy *mem = find(&h, "memory");
  CHECK(mem && strcmp(mem->own, "/process_api/abc") == 0);
  /* the duplicate devices mount elsewhere does not replace /sys/fs/cgroup's */
  const cell_cg_hierarchy *dev = find(&h, "devices");
  CHECK(dev && strcmp(dev->mountpoint, "/sys/fs/cgroup/devices") == 0);
  const cell_cg_hierarchy *sd = find(&h, "name=systemd");
  CHECK(sd && sd->controllers == 0 && strcmp(sd->own, "/user.slice") == 0);
  const cell_cg_hierarchy *v2 = find(&h, "");
  CHECK(v2 && v2->v2 && strcmp(v2->own, "/user.slice/session-1.scope") == 0);
  cell_cg_host_free(&h);
}

TEST(host_parse_v2_and_v1)
{
  cell_cg_host h;
  cell_error err = CELL_ERROR_INIT;
  CHECK_INT(cell_cg_host_parse("30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n",
                               "0::/a/b\n", false, &h, &err), 0);
  CHECK_INT(h.mode, CELL_CG_V2);
  CHECK_INT(h.n, 1);
  CHECK_STR(h.h[0].own, "/a/b");
  cell_cg_host_free(&h);
  CHECK_INT(cell_cg_host_parse("35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n",
                               "4:memory:/m\n0::/\n", false, &h, &err), 0);
  CHECK_INT(h.mode, CELL_CG_V1);
  CHECK_INT(h.n, 1);
  cell_cg_host_free(&h);
  CHECK_INT(cell_cg_host_parse("", "", false, &h, &err), 0);
  CHECK_INT(h.mode, CELL_CG_NONE);
  cell_cg_host_free(&h);
}

TEST(host_detect_this_machine)
{
  cell_cg_host h;
  cell_error err = CELL_ERROR_INIT;
  int r = cell_cg_host_detect(&h, &err);
  CHECK_INT(r, 0);
  if (r < 0) {
    fprintf(stderr, "  %s\n", err.msg);
    cell_error_clear(&err);
    return;
  }
  fprintf(stderr, "  mode %s, %zu hierarchies\n", cell_cg_mode_name(h.mode), h.n);
  CHECK(h.mode != CELL_CG_NONE);
  for (size_t i = 0; i < h.n; i++)
    CHECK(h.h[i].own && h.h[i].own[0] == '/');
  cell_cg_host_free(&h);
}

static char *place(const cell_cg_hierarchy *h, cell_cgroup_manager m, const char *cp,
                   const char *id, cell_error *err)
{
  char *out = NULL;
  if (cell_cgroup_placement(h, m, cp, id, &out, err) < 0)
    return NULL;
  return out;
}

TEST(placement_math)
{
  cell_cg_hierarchy v1 = { .mountpoint = "/sys/fs/cgroup/memory", .mount_root = "/",
                           .name = "memory", .own = "/process_api/abc" };
  cell_cg_hierarchy v2 = { .mountpoint = "/sys/fs/cgroup", .mount_root = "/", .name = "",
                           .own = "/user.slice/session-1.scope", .v2 = true };
  cell_cg_hierarchy v2root = { .mountpoint = "/sys/fs/cgroup/unified", .mount_root = "/",
                               .name = "", .own = "/", .v2 = true };
  cell_error err = CELL_ERROR_INIT;
  char *p;
#define PLACE(h, m, cp, id, want)                                        \
  p = place(h, m, cp, id, &err);                                         \
  CHECK_STR(p, want);                                                    \
  if (!p) fprintf(stderr, "  %s\n", err.msg ? err.msg : "");             \
  free(p);                                                               \
  cell_error_clear(&err)
  PLACE(&v1, CELL_CGM_CGROUPFS, "/abs/path", "c1", "/abs/path");
  PLACE(&v1, CELL_CGM_CGROUPFS, "/abs//path/", "c1", "/abs/path");
  PLACE(&v1, CELL_CGM_CGROUPFS, "rel/x", "c1", "/process_api/abc/rel/x");
  /* No cgroupsPath: runc's rule, <own>/<id> on v1 (fs/paths.go) ... */
  PLACE(&v1, CELL_CGM_CGROUPFS, NULL, "c1", "/process_api/abc/c1");
  PLACE(&v1, CELL_CGM_CGROUPFS, "", "c1", "/process_api/abc/c1");
  /* v2: relative goes below the parent of our own cgroup */
  PLACE(&v2, CELL_CGM_CGROUPFS, "rel", "c1", "/user.slice/rel");
  /* ... and <parent of own>/<id> on v2 (fs2/defaultpath.go) */
  PLACE(&v2, CELL_CGM_CGROUPFS, NULL, "c1", "/user.slice/c1");
  PLACE(&v2root, CELL_CGM_CGROUPFS, NULL, "c1", "/c1");
  /* systemd slice:prefix:name */
  PLACE(&v2, CELL_CGM_SYSTEMD, "machine-a.slice:cell:c1", "c1", "/machine.slice/machine-a.slice/cell-c1.scope");
  PLACE(&v2, CELL_CGM_SYSTEMD, "system.slice:docker:abc", "c1", "/system.slice/docker-abc.scope");
  PLACE(&v2, CELL_CGM_SYSTEMD, "-.slice:x:y", "c1", "/x-y.scope");
  PLACE(&v2, CELL_CGM_SYSTEMD, NULL, "c1", "/system.slice/cell-c1.scope");
  PLACE(&v2, CELL_CGM_SYSTEMD, "user.slice::u.scope", "c1", "/user.slice/u.scope");
#undef PLACE
  CHECK(!place(&v1, CELL_CGM_CGROUPFS, "/a/../b", "c1", &err));
  CHECK(err.msg && strstr(err.msg, "linux.cgroupsPath `/a/../b`: the path has a `..` component"));
  cell_error_clear(&err);
  CHECK(!place(&v1, CELL_CGM_CGROUPFS, "..", "c1", &err));
  cell_error_clear(&err);
  CHECK(!place(&v2, CELL_CGM_SYSTEMD, "just-a-path", "c1", &err));
  CHECK(err.msg && strstr(err.msg, "expects slice:prefix:name"));
  cell_error_clear(&err);
  CHECK(!place(&v2, CELL_CGM_SYSTEMD, "bad:x:y", "c1", &err));
  CHECK(err.msg && strstr(err.msg, "`bad` is not a systemd slice name"));
  cell_error_clear(&err);
}

TEST(manager_names)
{
  cell_cgroup_manager m;
  cell_error err = CELL_ERROR_INIT;
  CHECK(cell_cgroup_manager_parse("cgroupfs", &m, &err) == 0 && m == CELL_CGM_CGROUPFS);
  CHECK(cell_cgroup_manager_parse("disabled", &m, &err) == 0 && m == CELL_CGM_DISABLED);
  CHECK(cell_cgroup_manager_parse("bogus", &m, &err) < 0);
  CHECK(err.msg && strstr(err.msg, "expected cgroupfs, systemd or disabled"));
  cell_error_clear(&err);
  int r = cell_cgroup_manager_parse("systemd", &m, &err);
  if (r < 0) {
    /* this host: no systemd as PID 1 */
    CHECK(strstr(err.msg, "systemd is not running on this host"));
    CHECK(strstr(err.msg, "--cgroup-manager cgroupfs"));
  }
  cell_error_clear(&err);
}
