/* linux.resources -> the hierarchy that holds each controller. On hybrid
 * hosts a controller bound to v1 is written there, one only in cgroup2 (such
 * as hugetlb here) in the unified hierarchy. */
#include "cgroups/internal.h"
#include "util/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

static bool memory_set(const oci_res_memory *m)
{
  return m->has_limit || m->has_reservation || m->has_swap || m->has_kernel ||
         m->has_kernel_tcp || m->has_swappiness || m->has_disable_oom_killer ||
         m->has_use_hierarchy;
}

static bool cpu_set(const oci_res_cpu *c)
{
  return c->has_shares || c->has_quota || c->has_burst || c->has_period ||
         c->has_realtime_runtime || c->has_realtime_period || c->has_idle;
}

static bool blkio_set(const oci_res_blkio *b)
{
  bool t = false;
  for (int k = 0; k < OCI_THROTTLE_KINDS; k++)
    t = t || b->throttle[k].n;
  return b->has_weight || b->has_leaf_weight || b->n_weight_devices || t;
}

uint32_t cg_resources_need(const oci_resources_typed *r)
{
  uint32_t m = 0;
  if (memory_set(&r->memory))
    m |= CG_BIT(CELL_CGC_MEMORY);
  if (cpu_set(&r->cpu))
    m |= CG_BIT(CELL_CGC_CPU);
  if (r->cpu.cpus || r->cpu.mems)
    m |= CG_BIT(CELL_CGC_CPUSET);
  if (r->pids.has_limit)
    m |= CG_BIT(CELL_CGC_PIDS);
  if (blkio_set(&r->blkio))
    m |= CG_BIT(CELL_CGC_BLKIO);
  if (r->n_hugepages)
    m |= CG_BIT(CELL_CGC_HUGETLB);
  if (r->network.has_class_id)
    m |= CG_BIT(CELL_CGC_NET_CLS);
  if (r->network.n_priorities)
    m |= CG_BIT(CELL_CGC_NET_PRIO);
  if (r->n_rdma)
    m |= CG_BIT(CELL_CGC_RDMA);
  for (size_t i = 0; i < r->n_unified; i++) {
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int) strcspn(r->unified[i].key, "."),
             r->unified[i].key);
    int c = cell_cg_ctl_from_name(name);
    if (c >= 0)
      m |= CG_BIT(c);
  }
  return m;
}

static int no_controller(const cell_cgroup *cg, int ctl, const char *field, cell_error *err)
{
  return cell_error_set(err, ENOTSUP,
                        "%s: the %s controller is not available on this %s cgroup host "
                        "(not a mounted v1 hierarchy%s)",
                        field, cell_cg_ctl_name(ctl), cell_cg_mode_name(cg->mode),
                        cg->mode == CELL_CG_V1 ? "" : " and not in cgroup2's cgroup.controllers");
}

#define DIR_FOR(ctl, field)                                                   \
  const cell_cgroup_dir *d = cell_cgroup_dir_for(cg, ctl);                    \
  if (!d)                                                                     \
    return no_controller(cg, ctl, field, err)

static int do_memory(const cell_cgroup *cg, const oci_res_memory *m, bool update,
                     const cell_log *log, cell_error *err)
{
  DIR_FOR(CELL_CGC_MEMORY, "linux.resources.memory");
  return d->v2 ? cg_v2_memory(d->dir, m, update, log, err)
               : cg_v1_memory(d->dir, m, update, log, err);
}

static int do_cpu(const cell_cgroup *cg, const oci_res_cpu *c, cell_error *err)
{
  DIR_FOR(CELL_CGC_CPU, "linux.resources.cpu");
  return d->v2 ? cg_v2_cpu(d->dir, c, err) : cg_v1_cpu(d->dir, c, err);
}

static int do_cpuset(const cell_cgroup *cg, const oci_res_cpu *c, cell_error *err)
{
  DIR_FOR(CELL_CGC_CPUSET, c->cpus ? "linux.resources.cpu.cpus" : "linux.resources.cpu.mems");
  return cg_cpuset(d->dir, c, err);
}

static int do_pids(const cell_cgroup *cg, const oci_res_pids *p, cell_error *err)
{
  DIR_FOR(CELL_CGC_PIDS, "linux.resources.pids.limit");
  return cg_pids(d->dir, p, err);
}

static int do_blkio(const cell_cgroup *cg, const oci_res_blkio *b, cell_error *err)
{
  DIR_FOR(CELL_CGC_BLKIO, "linux.resources.blockIO");
  return d->v2 ? cg_v2_io(d->dir, b, err) : cg_v1_blkio(d->dir, b, err);
}

static int do_hugetlb(const cell_cgroup *cg, const oci_resources_typed *r, cell_error *err)
{
  DIR_FOR(CELL_CGC_HUGETLB, "linux.resources.hugepageLimits");
  return cg_hugetlb(d->dir, d->v2, r->hugepages, r->n_hugepages, err);
}

static int do_network(const cell_cgroup *cg, const oci_res_network *n, cell_error *err)
{
  int r;
  if (n->has_class_id) {
    DIR_FOR(CELL_CGC_NET_CLS, "linux.resources.network.classID");
    if (d->v2)
      return no_controller(cg, CELL_CGC_NET_CLS, "linux.resources.network.classID", err);
    if ((r = cg_v1_net_cls(d->dir, n, err)) < 0)
      return r;
  }
  if (n->n_priorities) {
    const cell_cgroup_dir *d = cell_cgroup_dir_for(cg, CELL_CGC_NET_PRIO);
    if (!d || d->v2)
      return no_controller(cg, CELL_CGC_NET_PRIO, "linux.resources.network.priorities", err);
    if ((r = cg_v1_net_prio(d->dir, n, err)) < 0)
      return r;
  }
  return 0;
}

static int do_rdma(const cell_cgroup *cg, const oci_resources_typed *r, cell_error *err)
{
  DIR_FOR(CELL_CGC_RDMA, "linux.resources.rdma");
  return cg_rdma(d->dir, r->rdma, r->n_rdma, err);
}

static int do_unified(const cell_cgroup *cg, const oci_resources_typed *r, cell_error *err)
{
  if (cg->mode == CELL_CG_V1)
    return cell_error_set(err, ENOTSUP,
                          "linux.resources.unified: `%s` is a cgroup v2 setting and this host "
                          "has cgroup v1 only", r->unified[0].key);
  const cell_cgroup_dir *d = cell_cgroup_dir_for(cg, -1);
  if (!d || !d->v2)
    return cell_error_set(err, ENOTSUP, "linux.resources.unified: no cgroup v2 directory");
  /* On hybrid hosts a key must belong to a controller that lives in v2. */
  for (size_t i = 0; i < r->n_unified; i++) {
    const char *k = r->unified[i].key;
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int) strcspn(k, "."), k);
    int c = cell_cg_ctl_from_name(name);
    if (c >= 0 && !(d->controllers & CG_BIT(c)))
      return cell_error_set(err, ENOTSUP,
                            "linux.resources.unified.%s: the %s controller is not in this "
                            "host's cgroup2 hierarchy (%s)", k, name,
                            cg->mode == CELL_CG_HYBRID ? "it is bound to cgroup v1 here"
                                                       : "not in cgroup.controllers");
  }
  return cg_v2_unified(d->dir, r->unified, r->n_unified, err);
}

static int do_devices(const cell_cgroup *cg, const cg_dev_rules *dev, cell_error *err)
{
  const cell_cgroup_dir *d = cell_cgroup_dir_for(cg, CELL_CGC_DEVICES);
  if (d && !d->v2)
    return cg_devices_v1(d->dir, dev, err);
  d = cell_cgroup_dir_for(cg, -1);
  if (!d || !d->v2)
    return no_controller(cg, CELL_CGC_DEVICES, "linux.resources.devices", err);
  _cleanup_free_ struct bpf_insn *insns = NULL;
  size_t n = 0;
  int r = cg_devices_bpf_build(dev, &insns, &n);
  if (r < 0)
    return cell_error_set(err, -r, "linux.resources.devices: cannot build the eBPF program");
  _cleanup_close_ int fd = open(d->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return cell_error_sys(err, "open %s", d->dir);
  return cg_devices_bpf_attach(fd, insns, n, err);
}

/* Engines send 0 or "" for "not set": Docker's update carries every field
 * of the container's resources (memory limit and swap 0 when none were
 * given, kernel memory 0, cpu quota 0, cpuset ""). runc writes none of them
 * (a memory limit of 0 would fail with EBUSY, a quota of 0 would lift a
 * quota set before): neither does cell. */
static oci_resources_typed zero_is_unset(const oci_resources_typed *r)
{
  oci_resources_typed u = *r;
  oci_res_memory *m = &u.memory;
  m->has_limit = m->has_limit && m->limit != 0;
  m->has_reservation = m->has_reservation && m->reservation != 0;
  m->has_swap = m->has_swap && m->swap != 0;
  m->has_kernel = m->has_kernel && m->kernel != 0;
  m->has_kernel_tcp = m->has_kernel_tcp && m->kernel_tcp != 0;
  u.cpu.has_quota = u.cpu.has_quota && u.cpu.quota != 0;
  if (u.cpu.cpus && !*u.cpu.cpus)
    u.cpu.cpus = NULL;
  if (u.cpu.mems && !*u.cpu.mems)
    u.cpu.mems = NULL;
  return u;
}

uint32_t cg_resources_need_set(const oci_resources_typed *r)
{
  oci_resources_typed set = zero_is_unset(r);
  return cg_resources_need(&set);
}

int cg_apply(const cell_cgroup *cg, const oci_resources_typed *r, const cg_dev_rules *dev,
             bool update, const cell_log *log, cell_error *err)
{
  if (cg->manager == CELL_CGM_DISABLED || cg->n == 0)
    return 0;
  int rc = 0;
  oci_resources_typed set;
  if (r) {
    set = zero_is_unset(r);
    r = &set;
    /* cpuset before memory so that mems are in place for migration. */
    if ((r->cpu.cpus || r->cpu.mems) && (rc = do_cpuset(cg, &r->cpu, err)) < 0)
      return rc;
    if (memory_set(&r->memory) && (rc = do_memory(cg, &r->memory, update, log, err)) < 0)
      return rc;
    if (cpu_set(&r->cpu) && (rc = do_cpu(cg, &r->cpu, err)) < 0)
      return rc;
    if (r->pids.has_limit && (rc = do_pids(cg, &r->pids, err)) < 0)
      return rc;
    if (blkio_set(&r->blkio) && (rc = do_blkio(cg, &r->blkio, err)) < 0)
      return rc;
    if (r->n_hugepages && (rc = do_hugetlb(cg, r, err)) < 0)
      return rc;
    if ((r->network.has_class_id || r->network.n_priorities) &&
        (rc = do_network(cg, &r->network, err)) < 0)
      return rc;
    if (r->n_rdma && (rc = do_rdma(cg, r, err)) < 0)
      return rc;
    if (r->n_unified && (rc = do_unified(cg, r, err)) < 0)
      return rc;
  }
  if (dev && (rc = do_devices(cg, dev, err)) < 0)
    return rc;
  return 0;
}

int cell_cgroup_apply(const cell_cgroup *cg, const oci_resources_typed *r,
                      const cell_log *log, cell_error *err)
{
  __attribute__((cleanup(cg_dev_rules_free))) cg_dev_rules rules = { 0 };
  if (r && r->has_devices &&
      cg_dev_rules_build(r->devices, r->n_devices, NULL, 0, false, &rules) < 0)
    return cell_error_set(err, ENOMEM, "out of memory");
  return cg_apply(cg, r, rules.v || (r && r->has_devices) ? &rules : NULL, false, log, err);
}

int cell_cgroup_update(const cell_cgroup *cg, const oci_resources_typed *r,
                       const cell_log *log, cell_error *err)
{
  if (cg->manager == CELL_CGM_DISABLED || cg->n == 0)
    return cell_error_set(err, ENOTSUP, "update: the container has no cgroup " CG_NO_CGROUP);
  int rc = cg_apply(cg, r, NULL, true, log, err);
  return rc < 0 ? cell_error_wrap(err, "update resources") : 0;
}
