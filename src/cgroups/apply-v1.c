/* cgroup v1 writers, plus those whose files are the same on v1 and v2
 * (pids, cpuset, rdma, hugetlb). */
#include "cgroups/internal.h"
#include "util/cleanup.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define F(x) "linux.resources." x

static int w_i64(const char *dir, const char *file, int64_t v, const char *field,
                 cell_error *err)
{
  return cg_writef(dir, file, field, err, "%" PRId64, v);
}

static int w_u64(const char *dir, const char *file, uint64_t v, const char *field,
                 cell_error *err)
{
  return cg_writef(dir, file, field, err, "%" PRIu64, v);
}

/* checkBeforeUpdate: refuse a limit below what is in use now. */
static int check_usage(const char *dir, const char *usage_file, int64_t limit, cell_error *err)
{
  uint64_t usage;
  if (limit <= 0 || cg_read_u64(dir, usage_file, &usage, err) < 0) {
    cell_error_clear(err);
    return 0;
  }
  if (usage > (uint64_t) limit)
    return cell_error_set(err, EBUSY,
                          F("memory.limit") ": %" PRId64 " is below the current usage %" PRIu64
                          " (%s/%s) and checkBeforeUpdate is set", limit, usage, dir, usage_file);
  return 0;
}

/* Kernel memory (memory.kmem.limit_in_bytes, memory.kmem.tcp.limit_in_bytes);
 * 0, "not set", never comes here (cg_apply). A limit the kernel does not honour is
 * a warning, not an error, as runc ignores these settings with a warning:
 * Linux 5.16 and later accept a kmem limit and ignore it (it reads back
 * unlimited; a honoured one reads back rounded down to a page), and kernels
 * without the file refuse it. */
static int kmem_limit(const char *dir, const char *file, int64_t want, const char *field,
                      const cell_log *log, cell_error *err)
{
  cell_error e = CELL_ERROR_INIT;
  int r = w_i64(dir, file, want, field, &e);
  if (r == -ENOENT || r == -EOPNOTSUPP) {
    cell_log_warn(log, "%s: ignored, this kernel has no kernel memory limits (%s)", field,
                  e.msg);
    cell_error_clear(&e);
    return 0;
  }
  if (r < 0) {
    cell_error_move(err, &e);
    return r;
  }
  uint64_t got;
  if (want < 0 || cg_read_u64(dir, file, &got, &e) < 0) {
    cell_error_clear(&e);
    return 0;
  }
  if (got > (uint64_t) want || got + 65536 < (uint64_t) want)
    cell_log_warn(log, "%s: ignored, this kernel ignores kernel memory limits (deprecated "
                  "since Linux 5.16): wrote `%" PRId64 "` to %s/%s and it reads %" PRIu64,
                  field, want, dir, file, got);
  return 0;
}

int cg_v1_memory(const char *dir, const oci_res_memory *m, bool update, const cell_log *log,
                 cell_error *err)
{
  int r;
  if (update && m->has_check_before_update && m->check_before_update && m->has_limit &&
      (r = check_usage(dir, "memory.usage_in_bytes", m->limit, err)) < 0)
    return r;
  if (m->has_limit) {
    r = w_i64(dir, "memory.limit_in_bytes", m->limit, F("memory.limit"), err);
    if (r == -EINVAL && m->has_swap) {
      /* Raising both: memory+swap must go first (limit <= memsw). */
      cell_error_clear(err);
      if ((r = w_i64(dir, "memory.memsw.limit_in_bytes", m->swap, F("memory.swap"), err)) < 0)
        return r;
      r = w_i64(dir, "memory.limit_in_bytes", m->limit, F("memory.limit"), err);
    }
    if (r < 0)
      return r;
  }
  if (m->has_swap &&
      (r = w_i64(dir, "memory.memsw.limit_in_bytes", m->swap, F("memory.swap"), err)) < 0)
    return r;
  if (m->has_reservation &&
      (r = w_i64(dir, "memory.soft_limit_in_bytes", m->reservation, F("memory.reservation"),
                 err)) < 0)
    return r;
  if (m->has_kernel &&
      (r = kmem_limit(dir, "memory.kmem.limit_in_bytes", m->kernel, F("memory.kernel"), log,
                      err)) < 0)
    return r;
  if (m->has_kernel_tcp &&
      (r = kmem_limit(dir, "memory.kmem.tcp.limit_in_bytes", m->kernel_tcp,
                      F("memory.kernelTCP"), log, err)) < 0)
    return r;
  if (m->has_swappiness &&
      (r = w_u64(dir, "memory.swappiness", m->swappiness, F("memory.swappiness"), err)) < 0)
    return r;
  if (m->has_disable_oom_killer &&
      (r = cg_write(dir, "memory.oom_control", m->disable_oom_killer ? "1" : "0",
                    F("memory.disableOOMKiller"), err)) < 0)
    return r;
  if (m->has_use_hierarchy &&
      (r = cg_write(dir, "memory.use_hierarchy", m->use_hierarchy ? "1" : "0",
                    F("memory.useHierarchy"), err)) < 0)
    return r;
  return 0;
}

int cg_v1_cpu(const char *dir, const oci_res_cpu *c, cell_error *err)
{
  int r;
  if (c->has_shares && c->shares &&
      (r = w_u64(dir, "cpu.shares", c->shares, F("cpu.shares"), err)) < 0)
    return r;
  if (c->has_period && c->period &&
      (r = w_u64(dir, "cpu.cfs_period_us", c->period, F("cpu.period"), err)) < 0)
    return r;
  if (c->has_quota && (r = w_i64(dir, "cpu.cfs_quota_us", c->quota, F("cpu.quota"), err)) < 0)
    return r;
  if (c->has_burst && (r = w_u64(dir, "cpu.cfs_burst_us", c->burst, F("cpu.burst"), err)) < 0)
    return r;
  /* The runtime must fit in the period: period first. */
  if (c->has_realtime_period &&
      (r = w_u64(dir, "cpu.rt_period_us", c->realtime_period, F("cpu.realtimePeriod"), err)) < 0)
    return r;
  if (c->has_realtime_runtime &&
      (r = w_i64(dir, "cpu.rt_runtime_us", c->realtime_runtime, F("cpu.realtimeRuntime"),
                 err)) < 0)
    return r;
  if (c->has_idle && (r = w_i64(dir, "cpu.idle", c->idle, F("cpu.idle"), err)) < 0)
    return r;
  return 0;
}

int cg_cpuset(const char *dir, const oci_res_cpu *c, cell_error *err)
{
  int r;
  if (c->cpus && (r = cg_write(dir, "cpuset.cpus", c->cpus, F("cpu.cpus"), err)) < 0)
    return r;
  if (c->mems && (r = cg_write(dir, "cpuset.mems", c->mems, F("cpu.mems"), err)) < 0)
    return r;
  return 0;
}

int cg_pids(const char *dir, const oci_res_pids *p, cell_error *err)
{
  if (!p->has_limit || p->limit == 0)       /* 0: leave as is (runc) */
    return 0;
  if (p->limit < 0)
    return cg_write(dir, "pids.max", "max", F("pids.limit"), err);
  return w_i64(dir, "pids.max", p->limit, F("pids.limit"), err);
}

/* blkio.weight or, with BFQ, blkio.bfq.weight. */
static const char *weight_file(const char *dir, const char *plain, const char *bfq)
{
  return cg_file_exists(dir, plain) || !cg_file_exists(dir, bfq) ? plain : bfq;
}

static const char *const v1_throttle_files[OCI_THROTTLE_KINDS] = {
  "blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
  "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device",
};
static const char *const throttle_fields[OCI_THROTTLE_KINDS] = {
  F("blockIO.throttleReadBpsDevice"), F("blockIO.throttleWriteBpsDevice"),
  F("blockIO.throttleReadIOPSDevice"), F("blockIO.throttleWriteIOPSDevice"),
};

int cg_v1_blkio(const char *dir, const oci_res_blkio *b, cell_error *err)
{
  int r;
  if (b->has_weight && b->weight &&
      (r = w_u64(dir, weight_file(dir, "blkio.weight", "blkio.bfq.weight"), b->weight,
                 F("blockIO.weight"), err)) < 0)
    return r;
  if (b->has_leaf_weight && b->leaf_weight &&
      (r = w_u64(dir, "blkio.leaf_weight", b->leaf_weight, F("blockIO.leafWeight"), err)) < 0)
    return r;
  for (size_t i = 0; i < b->n_weight_devices; i++) {
    const oci_res_weight_device *d = &b->weight_devices[i];
    if (d->has_weight &&
        (r = cg_writef(dir, weight_file(dir, "blkio.weight_device", "blkio.bfq.weight_device"),
                       F("blockIO.weightDevice"), err, "%" PRId64 ":%" PRId64 " %u", d->major,
                       d->minor, d->weight)) < 0)
      return r;
    if (d->has_leaf_weight &&
        (r = cg_writef(dir, "blkio.leaf_weight_device", F("blockIO.weightDevice"), err,
                       "%" PRId64 ":%" PRId64 " %u", d->major, d->minor, d->leaf_weight)) < 0)
      return r;
  }
  for (int k = 0; k < OCI_THROTTLE_KINDS; k++)
    for (size_t i = 0; i < b->throttle[k].n; i++) {
      const oci_res_throttle_device *t = &b->throttle[k].v[i];
      if ((r = cg_writef(dir, v1_throttle_files[k], throttle_fields[k], err,
                         "%" PRId64 ":%" PRId64 " %" PRIu64, t->major, t->minor, t->rate)) < 0)
        return r;
    }
  return 0;
}

int cg_hugetlb(const char *dir, bool v2, const oci_res_hugepage *h, size_t n, cell_error *err)
{
  for (size_t i = 0; i < n; i++) {
    char file[128];
    snprintf(file, sizeof file, "hugetlb.%s.%s", h[i].page_size, v2 ? "max" : "limit_in_bytes");
    int r = w_u64(dir, file, h[i].limit, F("hugepageLimits"), err);
    if (r < 0)
      return r;
  }
  return 0;
}

int cg_v1_net_cls(const char *dir, const oci_res_network *n, cell_error *err)
{
  return w_u64(dir, "net_cls.classid", n->class_id, F("network.classID"), err);
}

int cg_v1_net_prio(const char *dir, const oci_res_network *n, cell_error *err)
{
  for (size_t i = 0; i < n->n_priorities; i++) {
    int r = cg_writef(dir, "net_prio.ifpriomap", F("network.priorities"), err, "%s %u",
                      n->priorities[i].name, n->priorities[i].priority);
    if (r < 0)
      return r;
  }
  return 0;
}

int cg_rdma(const char *dir, const oci_res_rdma *rd, size_t n, cell_error *err)
{
  for (size_t i = 0; i < n; i++) {
    if (!rd[i].has_hca_handles && !rd[i].has_hca_objects)
      continue;
    char h[32] = "", o[32] = "";
    if (rd[i].has_hca_handles)
      snprintf(h, sizeof h, " hca_handle=%u", rd[i].hca_handles);
    if (rd[i].has_hca_objects)
      snprintf(o, sizeof o, " hca_object=%u", rd[i].hca_objects);
    int r = cg_writef(dir, "rdma.max", F("rdma"), err, "%s%s%s", rd[i].device, h, o);
    if (r < 0)
      return r;
  }
  return 0;
}
