/* cgroup v2 writers: v1-shaped OCI values converted to the unified files.
 * A v1 setting with no v2 equivalent is an error, not a silent skip. */
#include "cgroups/internal.h"
#include "util/cleanup.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define F(x) "linux.resources." x

static int no_v2(const char *field, const char *why, cell_error *err)
{
  return cell_error_set(err, ENOTSUP, "%s: cannot be honoured on cgroup v2 (%s)", field, why);
}

static int w_max(const char *dir, const char *file, int64_t v, const char *field,
                 cell_error *err)
{
  if (v < 0)
    return cg_write(dir, file, "max", field, err);
  return cg_writef(dir, file, field, err, "%" PRId64, v);
}

uint64_t cg_shares_to_weight(uint64_t shares)
{
  /* [2, 262144] -> [1, 10000], the mapping runc and crun use. */
  if (shares == 0)
    return 0;
  if (shares < 2)
    shares = 2;
  if (shares > 262144)
    shares = 262144;
  return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t cg_blkio_weight_to_io(uint64_t w)
{
  /* [10, 1000] -> [1, 10000] */
  if (w == 0)
    return 0;
  if (w < 10)
    w = 10;
  return 1 + ((w - 10) * 9999) / 990;
}

int cg_swap_v2(int64_t limit, bool has_limit, int64_t swap, int64_t *out, cell_error *err)
{
  if (swap == -1) {
    *out = -1;
    return 0;
  }
  if (!has_limit || limit <= 0)
    return cell_error_set(err, EINVAL,
                          F("memory.swap") ": %" PRId64 " (memory+swap) needs a memory.limit "
                          "to derive memory.swap.max on cgroup v2", swap);
  if (swap < limit)
    return cell_error_set(err, EINVAL,
                          F("memory.swap") ": memory+swap %" PRId64 " is below memory.limit %"
                          PRId64, swap, limit);
  *out = swap - limit;
  return 0;
}

int cg_v2_memory(const char *dir, const oci_res_memory *m, bool update, const cell_log *log,
                 cell_error *err)
{
  int r;
  /* Ignored with a warning, as runc does. */
  if (m->has_kernel)
    cell_log_warn(log, F("memory.kernel") ": ignored, cgroup v2 has no separate kernel "
                  "memory limit");
  if (m->has_kernel_tcp)
    cell_log_warn(log, F("memory.kernelTCP") ": ignored, cgroup v2 has no separate kernel "
                  "TCP memory limit");
  if (m->has_swappiness)
    return no_v2(F("memory.swappiness"), "there is no per-cgroup swappiness", err);
  if (m->has_disable_oom_killer && m->disable_oom_killer)
    return no_v2(F("memory.disableOOMKiller"), "the OOM killer cannot be disabled", err);
  if (m->has_use_hierarchy && !m->use_hierarchy)
    return no_v2(F("memory.useHierarchy"), "accounting is always hierarchical", err);
  if (update && m->has_check_before_update && m->check_before_update && m->has_limit &&
      m->limit > 0) {
    uint64_t usage;
    if (cg_read_u64(dir, "memory.current", &usage, err) == 0 && usage > (uint64_t) m->limit)
      return cell_error_set(err, EBUSY,
                            F("memory.limit") ": %" PRId64 " is below the current usage %"
                            PRIu64 " (%s/memory.current) and checkBeforeUpdate is set",
                            m->limit, usage, dir);
    cell_error_clear(err);
  }
  if (m->has_swap) {
    int64_t limit = m->limit;
    bool has_limit = m->has_limit;
    if (!has_limit) {           /* update of swap alone: use the current limit */
      uint64_t cur;
      if (cg_read_u64(dir, "memory.max", &cur, err) == 0 && cur != UINT64_MAX)
        limit = (int64_t) cur, has_limit = true;
      cell_error_clear(err);
    }
    int64_t sw;
    if ((r = cg_swap_v2(limit, has_limit, m->swap, &sw, err)) < 0 ||
        (r = w_max(dir, "memory.swap.max", sw, F("memory.swap"), err)) < 0)
      return r;
  }
  if (m->has_limit && (r = w_max(dir, "memory.max", m->limit, F("memory.limit"), err)) < 0)
    return r;
  if (m->has_reservation &&
      (r = w_max(dir, "memory.low", m->reservation, F("memory.reservation"), err)) < 0)
    return r;
  return 0;
}

int cg_v2_cpu(const char *dir, const oci_res_cpu *c, cell_error *err)
{
  int r;
  if (c->has_realtime_runtime && c->realtime_runtime != 0)
    return no_v2(F("cpu.realtimeRuntime"), "there is no real-time group scheduling control", err);
  if (c->has_realtime_period && c->realtime_period != 0)
    return no_v2(F("cpu.realtimePeriod"), "there is no real-time group scheduling control", err);
  if (c->has_shares && c->shares &&
      (r = cg_writef(dir, "cpu.weight", F("cpu.shares"), err, "%" PRIu64,
                     cg_shares_to_weight(c->shares))) < 0)
    return r;
  if (c->has_quota || (c->has_period && c->period)) {
    char quota[32] = "max";
    if (c->has_quota && c->quota > 0)
      snprintf(quota, sizeof quota, "%" PRId64, c->quota);
    else if (!c->has_quota) {   /* period alone: keep the current quota */
      _cleanup_free_ char *cur = NULL;
      if (cg_read(dir, "cpu.max", &cur, err) < 0)
        return -err->code;
      snprintf(quota, sizeof quota, "%.*s", (int) strcspn(cur, " \n"), cur);
    }
    r = c->has_period && c->period
        ? cg_writef(dir, "cpu.max", F("cpu.quota"), err, "%s %" PRIu64, quota, c->period)
        : cg_write(dir, "cpu.max", quota, F("cpu.quota"), err);
    if (r < 0)
      return r;
  }
  if (c->has_burst &&
      (r = cg_writef(dir, "cpu.max.burst", F("cpu.burst"), err, "%" PRIu64, c->burst)) < 0)
    return r;
  if (c->has_idle &&
      (r = cg_writef(dir, "cpu.idle", F("cpu.idle"), err, "%" PRId64, c->idle)) < 0)
    return r;
  return 0;
}

static const char *const io_keys[OCI_THROTTLE_KINDS] = { "rbps", "wbps", "riops", "wiops" };
static const char *const throttle_fields[OCI_THROTTLE_KINDS] = {
  F("blockIO.throttleReadBpsDevice"), F("blockIO.throttleWriteBpsDevice"),
  F("blockIO.throttleReadIOPSDevice"), F("blockIO.throttleWriteIOPSDevice"),
};

int cg_v2_io(const char *dir, const oci_res_blkio *b, cell_error *err)
{
  int r;
  bool bfq = cg_file_exists(dir, "io.bfq.weight");
  if (b->has_leaf_weight && b->leaf_weight)
    return no_v2(F("blockIO.leafWeight"), "there are no leaf weights", err);
  if (b->has_weight && b->weight &&
      (r = bfq ? cg_writef(dir, "io.bfq.weight", F("blockIO.weight"), err, "%u", b->weight)
               : cg_writef(dir, "io.weight", F("blockIO.weight"), err, "default %" PRIu64,
                           cg_blkio_weight_to_io(b->weight))) < 0)
    return r;
  for (size_t i = 0; i < b->n_weight_devices; i++) {
    const oci_res_weight_device *d = &b->weight_devices[i];
    if (d->has_leaf_weight && d->leaf_weight)
      return no_v2(F("blockIO.weightDevice.leafWeight"), "there are no leaf weights", err);
    if (!d->has_weight)
      continue;
    r = bfq ? cg_writef(dir, "io.bfq.weight", F("blockIO.weightDevice"), err,
                        "%" PRId64 ":%" PRId64 " %u", d->major, d->minor, d->weight)
            : cg_writef(dir, "io.weight", F("blockIO.weightDevice"), err,
                        "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor,
                        cg_blkio_weight_to_io(d->weight));
    if (r < 0)
      return r;
  }
  for (int k = 0; k < OCI_THROTTLE_KINDS; k++)
    for (size_t i = 0; i < b->throttle[k].n; i++) {
      const oci_res_throttle_device *t = &b->throttle[k].v[i];
      char rate[32] = "max";    /* v1's 0 removes the limit */
      if (t->rate)
        snprintf(rate, sizeof rate, "%" PRIu64, t->rate);
      if ((r = cg_writef(dir, "io.max", throttle_fields[k], err, "%" PRId64 ":%" PRId64 " %s=%s",
                         t->major, t->minor, io_keys[k], rate)) < 0)
        return r;
    }
  return 0;
}

int cg_v2_unified(const char *dir, const oci_kv *kv, size_t n, cell_error *err)
{
  for (size_t i = 0; i < n; i++) {
    char field[300];
    snprintf(field, sizeof field, F("unified.%s"), kv[i].key);
    int r = cg_write(dir, kv[i].key, kv[i].value, field, err);
    if (r < 0)
      return r;
  }
  return 0;
}

/* ---- enabling controllers ------------------------------------------------ */

static int enable_level(const char *level, bool ours, uint32_t need, const char *leaf,
                        cell_error *err)
{
  _cleanup_free_ char *avail_s = NULL, *on_s = NULL;
  if (cg_read(level, "cgroup.controllers", &avail_s, err) < 0 ||
      cg_read(level, "cgroup.subtree_control", &on_s, err) < 0)
    return -err->code;
  _cleanup_strv_ char **avail = cg_split_words(avail_s), **on = cg_split_words(on_s);
  if (!avail || !on)
    return cell_error_set(err, ENOMEM, "out of memory");
  uint32_t avail_m = 0, on_m = 0;
  for (size_t i = 0; avail[i]; i++) {
    int c = cell_cg_ctl_from_name(avail[i]);
    if (c >= 0)
      avail_m |= CG_BIT(c);
  }
  for (size_t i = 0; on[i]; i++) {
    int c = cell_cg_ctl_from_name(on[i]);
    if (c >= 0)
      on_m |= CG_BIT(c);
  }
  for (int c = 0; c < CELL_CGC_COUNT; c++) {
    const char *name = cell_cg_ctl_v2_name(c);
    if (!name || (on_m & CG_BIT(c)))
      continue;
    bool needed = need & CG_BIT(c);
    if (!(avail_m & CG_BIT(c))) {
      if (needed)
        return cell_error_set(err, ENOTSUP,
                              "the %s controller, needed for %s, is not in %s/cgroup.controllers",
                              name, leaf, level);
      continue;
    }
    if (!needed && !ours)
      continue;
    char plus[40];
    snprintf(plus, sizeof plus, "+%s", name);
    int r = cg_write(level, "cgroup.subtree_control", plus, NULL, err);
    if (r < 0 && needed)
      return r;
    cell_error_clear(err);
  }
  return 0;
}

int cg_v2_enable(const cell_cgroup_dir *d, uint32_t need, cell_error *err)
{
  size_t ml = strlen(d->mountpoint);
  _cleanup_free_ char *level = strdup(d->dir);
  if (!level)
    return cell_error_set(err, ENOMEM, "out of memory");
  size_t cl = d->created ? strlen(d->created) : SIZE_MAX;
  /* Walk down: each prefix of dir that is a proper ancestor of it. */
  size_t dl = strlen(level);
  for (size_t end = ml; end < dl;) {
    char saved = level[end];
    level[end] = 0;
    bool ours = end >= cl;
    int r = enable_level(end == 0 ? "/" : level, ours, need, d->dir, err);
    level[end] = saved;
    if (r < 0)
      return r;
    end++;
    end += strcspn(level + end, "/");
  }
  return 0;
}
