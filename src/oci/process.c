/* The process object of config.json (also `exec --process FILE`). */
#include "oci/config.h"
#include "oci/parse-ctx.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <linux/sched.h>

#ifndef SCHED_FLAG_UTIL_CLAMP_MIN
#define SCHED_FLAG_UTIL_CLAMP_MIN 0x20
#define SCHED_FLAG_UTIL_CLAMP_MAX 0x40
#endif

typedef struct name_value {
  const char *name;
  long value;
} name_value;

static const name_value sched_policies[] = {
  { "SCHED_OTHER", SCHED_OTHER }, { "SCHED_FIFO", SCHED_FIFO }, { "SCHED_RR", SCHED_RR },
  { "SCHED_BATCH", SCHED_BATCH }, { "SCHED_ISO", 4 }, { "SCHED_IDLE", SCHED_IDLE },
  { "SCHED_DEADLINE", 6 }, { NULL, 0 }
};
static const name_value sched_flags[] = {
  { "SCHED_FLAG_RESET_ON_FORK", SCHED_FLAG_RESET_ON_FORK },
  { "SCHED_FLAG_RECLAIM", SCHED_FLAG_RECLAIM },
  { "SCHED_FLAG_DL_OVERRUN", SCHED_FLAG_DL_OVERRUN },
  { "SCHED_FLAG_KEEP_POLICY", SCHED_FLAG_KEEP_POLICY },
  { "SCHED_FLAG_KEEP_PARAMS", SCHED_FLAG_KEEP_PARAMS },
  { "SCHED_FLAG_UTIL_CLAMP_MIN", SCHED_FLAG_UTIL_CLAMP_MIN },
  { "SCHED_FLAG_UTIL_CLAMP_MAX", SCHED_FLAG_UTIL_CLAMP_MAX }, { NULL, 0 }
};
static const name_value ioprio_classes[] = {
  { "IOPRIO_CLASS_RT", 1 }, { "IOPRIO_CLASS_BE", 2 }, { "IOPRIO_CLASS_IDLE", 3 }, { NULL, 0 }
};

static int lookup(const name_value *t, const char *name, long *out)
{
  for (; t->name; t++)
    if (strcmp(t->name, name) == 0) {
      *out = t->value;
      return 0;
    }
  return -1;
}

static int parse_caps(oci_pctx *p, const cell_jv *obj, oci_caps *caps)
{
  static const char *const sets[] = { "bounding", "effective", "inheritable", "permitted",
                                      "ambient" };
  uint64_t *dst[] = { &caps->bounding, &caps->effective, &caps->inheritable,
                      &caps->permitted, &caps->ambient };
  caps->present = true;
  oci_pctx_push_key(p, "capabilities");
  for (size_t s = 0; s < 5; s++) {
    const cell_jv *arr;
    int r = oci_get_array(p, obj, sets[s], &arr);
    if (r < 0)
      goto fail;
    for (size_t i = 0; r > 0 && i < cell_jv_size(arr); i++) {
      const cell_jv *e = cell_jv_at(arr, i);
      oci_pctx_push_key(p, sets[s]);
      if (!cell_jv_is_string(e)) {
        oci_pctx_push_index(p, i);
        oci_perr(p, NULL, "expected a capability name");
        goto fail;
      }
      int cap = oci_cap_from_name(cell_jv_str(e));
      if (cap < 0) {
        /* A name that is no capability is an invalid value (config.md
         * "Valid values"), as runc and crun refuse it; a known one the
         * kernel lacks is dropped with a warning (linux/caps.c). */
        oci_pctx_push_index(p, i);
        oci_perr(p, NULL, "unknown capability `%s`", cell_jv_str(e));
        goto fail;
      }
      *dst[s] |= 1ULL << cap;
      oci_pctx_pop(p);
    }
  }
  oci_pctx_pop(p);
  return 0;
fail:
  return -p->err->code;
}

static int parse_user(oci_pctx *p, const cell_jv *obj, oci_user *u)
{
  int r;
  uint32_t v;
  oci_pctx_push_key(p, "user");
  if ((r = oci_require(p, oci_get_uint32(p, obj, "uid", &v), "uid")) < 0)
    return r;
  u->uid = v;
  if ((r = oci_require(p, oci_get_uint32(p, obj, "gid", &v), "gid")) < 0)
    return r;
  u->gid = v;
  if ((r = oci_get_uint32(p, obj, "umask", &v)) < 0)
    return r;
  if (r > 0) {
    if (v > 0777)
      return oci_perr(p, "umask", "%u is not a file mode mask (0 to 0777)", v);
    u->has_umask = true;
    u->umask = v;
  }
  const cell_jv *arr;
  if ((r = oci_get_array(p, obj, "additionalGids", &arr)) < 0)
    return r;
  if (r > 0 && cell_jv_size(arr)) {
    u->n_additional_gids = cell_jv_size(arr);
    u->additional_gids = calloc(u->n_additional_gids, sizeof(gid_t));
    if (!u->additional_gids)
      return cell_error_set(p->err, ENOMEM, "out of memory");
    for (size_t i = 0; i < u->n_additional_gids; i++) {
      const cell_jv *e = cell_jv_at(arr, i);
      uint64_t gid;
      if (!cell_jv_u64(e, &gid) || gid > UINT32_MAX) {
        oci_pctx_push_key(p, "additionalGids");
        oci_pctx_push_index(p, i);
        return oci_perr(p, NULL, "expected a group id");
      }
      u->additional_gids[i] = (gid_t) gid;
    }
  }
  oci_pctx_pop(p);
  return 0;
}

static int parse_rlimits(oci_pctx *p, const cell_jv *arr, oci_process *proc)
{
  size_t n = cell_jv_size(arr);
  proc->rlimits = calloc(n ? n : 1, sizeof *proc->rlimits);
  if (!proc->rlimits)
    return cell_error_set(p->err, ENOMEM, "out of memory");
  oci_pctx_push_key(p, "rlimits");
  for (size_t i = 0; i < n; i++) {
    const cell_jv *e = cell_jv_at(arr, i);
    oci_pctx_push_index(p, i);
    if (!cell_jv_is_object(e))
      return oci_perr(p, NULL, "expected an object");
    oci_rlimit *rl = &proc->rlimits[proc->n_rlimits];
    int r;
    if ((r = oci_require(p, oci_get_string(p, e, "type", &rl->name), "type")) < 0)
      return r;
    proc->n_rlimits++;
    rl->resource = oci_rlimit_from_name(rl->name);
    if (rl->resource < 0)
      return oci_perr(p, "type", "unknown rlimit `%s`", rl->name);
    for (size_t j = 0; j + 1 < proc->n_rlimits; j++)
      if (proc->rlimits[j].resource == rl->resource)
        return oci_perr(p, "type", "rlimit `%s` is given twice", rl->name);
    if ((r = oci_require(p, oci_get_uint64(p, e, "hard", &rl->hard), "hard")) < 0 ||
        (r = oci_require(p, oci_get_uint64(p, e, "soft", &rl->soft), "soft")) < 0)
      return r;
    if (rl->soft > rl->hard)
      return oci_perr(p, "soft", "soft limit %llu is above the hard limit %llu",
                      (unsigned long long) rl->soft, (unsigned long long) rl->hard);
    oci_pctx_pop(p);
  }
  oci_pctx_pop(p);
  return 0;
}

static int parse_scheduler(oci_pctx *p, const cell_jv *obj, oci_scheduler *s)
{
  int r;
  _cleanup_free_ char *policy = NULL;
  oci_pctx_push_key(p, "scheduler");
  s->present = true;
  if ((r = oci_require(p, oci_get_string(p, obj, "policy", &policy), "policy")) < 0)
    return r;
  long v;
  if (lookup(sched_policies, policy, &v) < 0)
    return oci_perr(p, "policy", "unknown scheduling policy `%s`", policy);
  s->policy = (int) v;
  int64_t i64;
  if ((r = oci_get_int64(p, obj, "nice", -20, 19, &i64)) < 0)
    return r;
  s->nice = r ? (int) i64 : 0;
  if ((r = oci_get_int64(p, obj, "priority", 0, 99, &i64)) < 0)
    return r;
  s->priority = r ? (int) i64 : 0;
  if ((r = oci_get_uint64(p, obj, "runtime", &s->runtime)) < 0 ||
      (r = oci_get_uint64(p, obj, "deadline", &s->deadline)) < 0 ||
      (r = oci_get_uint64(p, obj, "period", &s->period)) < 0)
    return r;
  _cleanup_strv_ char **flags = NULL;
  if ((r = oci_get_strv(p, obj, "flags", &flags)) < 0)
    return r;
  for (size_t i = 0; flags && flags[i]; i++) {
    if (lookup(sched_flags, flags[i], &v) < 0)
      return oci_perr(p, "flags", "unknown scheduler flag `%s`", flags[i]);
    s->flags |= (uint64_t) v;
  }
  if ((s->policy == SCHED_FIFO || s->policy == SCHED_RR) && s->priority == 0)
    return oci_perr(p, "priority", "%s needs a priority from 1 to 99", policy);
  oci_pctx_pop(p);
  return 0;
}

static int parse_ioprio(oci_pctx *p, const cell_jv *obj, oci_io_priority *io)
{
  int r;
  _cleanup_free_ char *klass = NULL;
  oci_pctx_push_key(p, "ioPriority");
  io->present = true;
  if ((r = oci_require(p, oci_get_string(p, obj, "class", &klass), "class")) < 0)
    return r;
  long v;
  if (lookup(ioprio_classes, klass, &v) < 0)
    return oci_perr(p, "class", "unknown I/O priority class `%s`", klass);
  io->klass = (int) v;
  int64_t prio = 0;
  if ((r = oci_get_int64(p, obj, "priority", 0, 7, &prio)) < 0)
    return r;
  io->priority = (int) prio;
  oci_pctx_pop(p);
  return 0;
}

int oci_parse_process(oci_pctx *p, const cell_jv *obj, oci_process **out)
{
  oci_process *proc = calloc(1, sizeof *proc);
  if (!proc)
    return cell_error_set(p->err, ENOMEM, "out of memory");
  *out = proc;
  int r;
  const cell_jv *sub;
  if ((r = oci_get_bool(p, obj, "terminal", &proc->terminal)) < 0)
    return r;
  if ((r = oci_get_object(p, obj, "consoleSize", &sub)) < 0)
    return r;
  if (r > 0) {
    uint32_t h = 0, w = 0;
    oci_pctx_push_key(p, "consoleSize");
    if ((r = oci_require(p, oci_get_uint32(p, sub, "height", &h), "height")) < 0 ||
        (r = oci_require(p, oci_get_uint32(p, sub, "width", &w), "width")) < 0)
      return r;
    oci_pctx_pop(p);
    proc->has_console_size = true;
    proc->console_height = h;
    proc->console_width = w;
  }
  if ((r = oci_require(p, oci_get_string(p, obj, "cwd", &proc->cwd), "cwd")) < 0)
    return r;
  if (proc->cwd[0] != '/')
    return oci_perr(p, "cwd", "`%s` is not an absolute path", proc->cwd);
  if ((r = oci_get_strv(p, obj, "env", &proc->env)) < 0)
    return r;
  for (size_t i = 0; proc->env && proc->env[i]; i++)
    if (!strchr(proc->env[i], '=') || proc->env[i][0] == '=') {
      oci_pctx_push_key(p, "env");
      oci_pctx_push_index(p, i);
      return oci_perr(p, NULL, "`%s` is not of the form KEY=VALUE", proc->env[i]);
    }
  if ((r = oci_require(p, oci_get_strv(p, obj, "args", &proc->args), "args")) < 0)
    return r;
  if (!proc->args[0])
    return oci_perr(p, "args", "must name at least the program to run");
  if ((r = oci_get_object(p, obj, "user", &sub)) < 0)
    return r;
  if (r > 0 && (r = parse_user(p, sub, &proc->user)) < 0)
    return r;
  if ((r = oci_get_object(p, obj, "capabilities", &sub)) < 0)
    return r;
  if (r > 0 && (r = parse_caps(p, sub, &proc->caps)) < 0)
    return r;
  if ((r = oci_get_array(p, obj, "rlimits", &sub)) < 0)
    return r;
  if (r > 0 && (r = parse_rlimits(p, sub, proc)) < 0)
    return r;
  if ((r = oci_get_bool(p, obj, "noNewPrivileges", &proc->no_new_privileges)) < 0)
    return r;
  int64_t oom;
  if ((r = oci_get_int64(p, obj, "oomScoreAdj", -1000, 1000, &oom)) < 0)
    return r;
  if (r > 0) {
    proc->has_oom_score_adj = true;
    proc->oom_score_adj = (int) oom;
  }
  if ((r = oci_get_string(p, obj, "apparmorProfile", &proc->apparmor_profile)) < 0 ||
      (r = oci_get_string(p, obj, "selinuxLabel", &proc->selinux_label)) < 0)
    return r;
  if ((r = oci_get_object(p, obj, "scheduler", &sub)) < 0)
    return r;
  if (r > 0 && (r = parse_scheduler(p, sub, &proc->scheduler)) < 0)
    return r;
  if ((r = oci_get_object(p, obj, "ioPriority", &sub)) < 0)
    return r;
  if (r > 0 && (r = parse_ioprio(p, sub, &proc->io_priority)) < 0)
    return r;
  return 0;
}

void oci_process_free(oci_process *p)
{
  if (!p)
    return;
  free(p->cwd);
  cell_strv_free(p->env);
  cell_strv_free(p->args);
  free(p->user.additional_gids);
  for (size_t i = 0; i < p->n_rlimits; i++)
    free(p->rlimits[i].name);
  free(p->rlimits);
  free(p->apparmor_profile);
  free(p->selinux_label);
  free(p);
}

int oci_process_parse_file(const char *path, const cell_log *log, oci_process **out,
                           cell_error *err)
{
  _cleanup_free_ char *text = NULL;
  size_t len;
  int r = cell_read_file(path, &text, &len, err);
  if (r < 0)
    return r;
  _cleanup_jdoc_ cell_jdoc *doc = NULL;
  if ((r = cell_json_parse(path, text, len, &doc, err)) < 0)
    return r;
  const cell_jv *root = cell_jdoc_root(doc);
  oci_pctx p = { .name = path, .at = { .val = { root } }, .log = log, .err = err };
  oci_process *proc = NULL;
  if (!cell_jv_is_object(root))
    r = oci_perr(&p, NULL, "expected a process object");
  else
    r = oci_parse_process(&p, root, &proc);
  if (r < 0) {
    oci_process_free(proc);
    return r;
  }
  *out = proc;
  return 0;
}
