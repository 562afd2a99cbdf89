/* linux.resources JSON -> oci_resources_typed. Each reader checks the JSON
 * type and range of one member and names it in errors as
 * "FILE:LINE:COL: linux.resources.memory.limit: expected an integer". */
#include "oci/resources.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json-path.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rp {
  const oci_json_where *where;
  cell_jpath at;                /* from the object itself */
  cell_error *err;
} rp;

static void push_key(rp *p, const char *key, const cell_jv *v)
{
  cell_jpath_push_key(&p->at, key, v);
}
static void push_index(rp *p, size_t i, const cell_jv *v)
{
  cell_jpath_push_index(&p->at, i, v);
}
static void pop(rp *p) { cell_jpath_pop(&p->at); }

__attribute__((format(printf, 2, 3)))
static int fail(rp *p, const char *fmt, ...)
{
  const oci_json_where *w = p->where;
  char name[512];
  const char *base = w && w->name ? w->name : "";
  size_t off = (size_t) snprintf(name, sizeof name, "%s", base);
  cell_json_path_fmt(name, sizeof name, off < sizeof name ? off : sizeof name - 1, p->at.el,
                     cell_jpath_kept(&p->at));
  char loc[600] = "";
  if (w && w->file) {
    const cell_jv *at = cell_jpath_value(&p->at);
    if (at)
      snprintf(loc, sizeof loc, "%s:%u:%u: ", w->file, at->line, at->col);
    else
      snprintf(loc, sizeof loc, "%s: ", w->file);
  }
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return cell_error_set(p->err, EINVAL, "%s%s%s%s", loc, name, *name ? ": " : "", msg);
}

/* ---- scalar readers: p points at the member already ---------------------- */

static int get_range(rp *p, const cell_jv *v, int64_t lo, int64_t hi, int64_t *out)
{
  if (!cell_jv_is_int(v))
    return fail(p, "expected an integer");
  if (!cell_jv_i64(v, out))     /* above INT64_MAX */
    return fail(p, "%llu is out of range [%lld, %lld]", (unsigned long long) v->u,
                (long long) lo, (long long) hi);
  if (*out < lo || *out > hi)
    return fail(p, "%lld is out of range [%lld, %lld]", (long long) *out,
                (long long) lo, (long long) hi);
  return 0;
}

/* An int64 field of the runtime-spec's Go types. */
static int get_i64(rp *p, const cell_jv *v, int64_t *out)
{
  return get_range(p, v, INT64_MIN, INT64_MAX, out);
}

/* A uint64 field: exact up to UINT64_MAX. */
static int get_u64(rp *p, const cell_jv *v, uint64_t *out)
{
  if (!cell_jv_is_int(v))
    return fail(p, "expected an integer");
  if (!cell_jv_u64(v, out))
    return fail(p, "must not be negative, got %lld", (long long) v->i);
  return 0;
}

static int get_bool(rp *p, const cell_jv *v, bool *out)
{
  if (!cell_jv_is_bool(v))
    return fail(p, "expected true or false");
  *out = cell_jv_is_true(v);
  return 0;
}

static int get_str(rp *p, const cell_jv *v, char **out)
{
  if (!cell_jv_is_string(v))
    return fail(p, "expected a string");
  char *s = strdup(cell_jv_str(v));
  if (!s)
    return cell_error_set(p->err, ENOMEM, "out of memory");
  free(*out);
  *out = s;
  return 0;
}

/* Memory byte counts: -1 is "unlimited", other negatives are errors. */
static int get_bytes(rp *p, const cell_jv *v, int64_t *out)
{
  int r = get_i64(p, v, out);
  if (r < 0)
    return r;
  if (*out < -1)
    return fail(p, "%lld is negative (use -1 for unlimited)", (long long) *out);
  return 0;
}

/* ---- object walking ------------------------------------------------------ */

typedef int (*member_fn)(rp *p, const char *key, const cell_jv *v, void *out);

/* Call fn for each member of object v (p already at v); unknown members are
 * reported by fn returning 1. */
static int each_member(rp *p, const cell_jv *v, member_fn fn, void *out)
{
  if (!cell_jv_is_object(v))
    return fail(p, "expected an object");
  size_t i;
  const char *key;
  const cell_jv *m;
  cell_jv_object_foreach(v, i, key, m) {
    push_key(p, key, m);
    int r = cell_jv_is_null(m) ? 0 : fn(p, key, m, out);
    if (r == 1) {
      /* Ignored as runc ignores it; said, so a typo does not go unseen. */
      cell_error w = CELL_ERROR_INIT;
      cell_error *saved = p->err;
      p->err = &w;
      fail(p, "unknown field ignored");
      p->err = saved;
      cell_log_warn(p->where ? p->where->log : NULL, "%s", w.msg);
      cell_error_clear(&w);
      r = 0;
    }
    if (r < 0)
      return r;
    pop(p);
  }
  return 0;
}

#define KEY(k) (strcmp(key, k) == 0)

static int memory_member(rp *p, const char *key, const cell_jv *v, void *o)
{
  oci_res_memory *m = o;
  int64_t x = 0;
  int r;
  if (KEY("limit"))
    return (r = get_bytes(p, v, &m->limit)) < 0 ? r : (m->has_limit = true, 0);
  if (KEY("reservation"))
    return (r = get_bytes(p, v, &m->reservation)) < 0 ? r : (m->has_reservation = true, 0);
  if (KEY("swap"))
    return (r = get_bytes(p, v, &m->swap)) < 0 ? r : (m->has_swap = true, 0);
  if (KEY("kernel"))
    return (r = get_bytes(p, v, &m->kernel)) < 0 ? r : (m->has_kernel = true, 0);
  if (KEY("kernelTCP"))
    return (r = get_bytes(p, v, &m->kernel_tcp)) < 0 ? r : (m->has_kernel_tcp = true, 0);
  if (KEY("swappiness")) {
    if ((r = get_range(p, v, 0, 100, &x)) < 0)
      return r;
    m->swappiness = (uint64_t) x;
    m->has_swappiness = true;
    return 0;
  }
  if (KEY("disableOOMKiller"))
    return (r = get_bool(p, v, &m->disable_oom_killer)) < 0 ? r
           : (m->has_disable_oom_killer = true, 0);
  if (KEY("useHierarchy"))
    return (r = get_bool(p, v, &m->use_hierarchy)) < 0 ? r : (m->has_use_hierarchy = true, 0);
  if (KEY("checkBeforeUpdate"))
    return (r = get_bool(p, v, &m->check_before_update)) < 0 ? r
           : (m->has_check_before_update = true, 0);
  return 1;
}

static int cpu_member(rp *p, const char *key, const cell_jv *v, void *o)
{
  oci_res_cpu *c = o;
  int r;
  if (KEY("shares"))
    return (r = get_u64(p, v, &c->shares)) < 0 ? r : (c->has_shares = true, 0);
  if (KEY("quota")) {
    if ((r = get_i64(p, v, &c->quota)) < 0)
      return r;
    if (c->quota < -1)
      return fail(p, "%lld is negative (use -1 for unlimited)", (long long) c->quota);
    c->has_quota = true;
    return 0;
  }
  if (KEY("burst"))
    return (r = get_u64(p, v, &c->burst)) < 0 ? r : (c->has_burst = true, 0);
  if (KEY("period"))
    return (r = get_u64(p, v, &c->period)) < 0 ? r : (c->has_period = true, 0);
  if (KEY("realtimeRuntime"))
    return (r = get_i64(p, v, &c->realtime_runtime)) < 0 ? r
           : (c->has_realtime_runtime = true, 0);
  if (KEY("realtimePeriod"))
    return (r = get_u64(p, v, &c->realtime_period)) < 0 ? r
           : (c->has_realtime_period = true, 0);
  if (KEY("cpus"))
    return get_str(p, v, &c->cpus);
  if (KEY("mems"))
    return get_str(p, v, &c->mems);
  if (KEY("idle"))
    return (r = get_range(p, v, 0, 1, &c->idle)) < 0 ? r : (c->has_idle = true, 0);
  return 1;
}

static int pids_member(rp *p, const char *key, const cell_jv *v, void *o)
{
  oci_res_pids *pd = o;
  int r;
  if (KEY("limit"))
    return (r = get_i64(p, v, &pd->limit)) < 0 ? r : (pd->has_limit = true, 0);
  return 1;
}

static int get_weight(rp *p, const cell_jv *v, uint16_t *out)
{
  int64_t x = 0;
  int r = get_i64(p, v, &x);
  if (r < 0)
    return r;
  /* 0 is accepted as "unset" (docker writes it); otherwise 10..1000. */
  if (x != 0 && (x < 10 || x > 1000))
    return fail(p, "%lld is out of range [10, 1000]", (long long) x);
  *out = (uint16_t) x;
  return 0;
}

static int get_devnum(rp *p, const cell_jv *obj, int64_t *major, int64_t *minor)
{
  const char *names[2] = { "major", "minor" };
  int64_t *outs[2] = { major, minor };
  for (int i = 0; i < 2; i++) {
    const cell_jv *v = cell_jv_get(obj, names[i]);
    push_key(p, names[i], v);
    if (!v) {
      pop(p);
      return fail(p, "`%s` is required", names[i]);
    }
    int r = get_range(p, v, 0, UINT32_MAX, outs[i]);
    if (r < 0)
      return r;
    pop(p);
  }
  return 0;
}

static int weight_device_member(rp *p, const char *key, const cell_jv *v, void *o)
{
  oci_res_weight_device *d = o;
  int r;
  if (KEY("major") || KEY("minor"))
    return 0;                   /* read by get_devnum */
  if (KEY("weight"))
    return (r = get_weight(p, v, &d->weight)) < 0 ? r : (d->has_weight = true, 0);
  if (KEY("leafWeight"))
    return (r = get_weight(p, v, &d->leaf_weight)) < 0 ? r : (d->has_leaf_weight = true, 0);
  return 1;
}

static int throttle_member(rp *p, const char *key, const cell_jv *v, void *o)
{
  oci_res_throttle_device *d = o;
  if (KEY("major") || KEY("minor"))
    return 0;
  if (KEY("rate"))
    return get_u64(p, v, &d->rate);
  return 1;
}

/* Grow an array by one zeroed element. */
static void *grow(void *arr, size_t *n, size_t size)
{
  char *a = realloc(arr, (*n + 1) * size);
  if (!a)
    return NULL;
  memset(a + *n * size, 0, size);
  (*n)++;
  return a;
}

typedef int (*elem_fn)(rp *p, const cell_jv *e, void *elem);

/* Parse array v into *arr (n elements of size bytes), fn per element with
 * the element zeroed and p at its index. */
static int each_element(rp *p, const cell_jv *v, void **arr, size_t *n, size_t size, elem_fn fn)
{
  if (!cell_jv_is_array(v))
    return fail(p, "expected an array");
  size_t i;
  const cell_jv *e;
  cell_jv_array_foreach(v, i, e) {
    push_index(p, i, e);
    char *a = grow(*arr, n, size);
    if (!a)
      return cell_error_set(p->err, ENOMEM, "out of memory");
    *arr = a;
    int r = fn(p, e, a + (*n - 1) * size);
    if (r < 0)
      return r;
    pop(p);
  }
  return 0;
}

static int weight_device_elem(rp *p, const cell_jv *e, void *elem)
{
  oci_res_weight_device *d = elem;
  int r = each_member(p, e, weight_device_member, d);
  return r < 0 ? r : get_devnum(p, e, &d->major, &d->minor);
}

static int throttle_elem(rp *p, const cell_jv *e, void *elem)
{
  oci_res_throttle_device *d = elem;
  int r;
  if ((r = each_member(p, e, throttle_member, d)) < 0 ||
      (r = get_devnum(p, e, &d->major, &d->minor)) < 0)
    return r;
  return cell_jv_get(e, "rate") ? 0 : fail(p, "`rate` is required");
}

static const char *const throttle_keys[OCI_THROTTLE_KINDS] = {
  "throttleReadBpsDevice", "throttleWriteBpsDevice",
  "throttleReadIOPSDevice", "throttleWriteIOPSDevice",
};

static int blkio_member(rp *p, const char *key, const cell_jv *v, void *o)
{
  oci_res_blkio *b = o;
  int r;
  if (KEY("weight"))
    return (r = get_weight(p, v, &b->weight)) < 0 ? r : (b->has_weight = true, 0);
  if (KEY("leafWeight"))
    return (r = get_weight(p, v, &b->leaf_weight)) < 0 ? r : (b->has_leaf_weight = true, 0);
  if (KEY("weightDevice"))
    return each_element(p, v, (void **) &b->weight_devices, &b->n_weight_devices,
                        sizeof *b->weight_devices, weight_device_elem);
  for (int k = 0; k < OCI_THROTTLE_KINDS; k++)
    if (KEY(throttle_keys[k]))
      return each_element(p, v, (void **) &b->throttle[k].v, &b->throttle[k].n,
                          sizeof *b->throttle[k].v, throttle_elem);
  return 1;
}

static int hugepage_member(rp *p, const char *key, const cell_jv *v, void *o)
{
  oci_res_hugepage *h = o;
  if (KEY("pageSize")) {
    int r = get_str(p, v, &h->page_size);
    if (r < 0)
      return r;
    /* "2MB": digits then a unit; it becomes part of a file name. */
    const char *s = h->page_size;
    size_t nd = strspn(s, "0123456789");
    if (nd == 0 || (strcmp(s + nd, "KB") && strcmp(s + nd, "MB") && strcmp(s + nd, "GB")))
      return fail(p, "`%s` is not a page size such as 2MB or 1GB", s);
    return 0;
  }
  if (KEY("limit"))
    return get_u64(p, v, &h->limit);
  return 1;
}

static int hugepage_elem(rp *p, const cell_jv *e, void *elem)
{
  oci_res_hugepage *h = elem;
  int r = each_member(p, e, hugepage_member, h);
  if (r < 0)
    return r;
  if (!h->page_size)
    return fail(p, "`pageSize` is required");
  return cell_jv_get(e, "limit") ? 0 : fail(p, "`limit` is required");
}

static int prio_member(rp *p, const char *key, const cell_jv *v, void *o)
{
  oci_res_net_prio *np = o;
  int64_t x = 0;
  int r;
  if (KEY("name")) {
    if ((r = get_str(p, v, &np->name)) < 0)
      return r;
    if (!*np->name || strpbrk(np->name, " \n/"))
      return fail(p, "`%s` is not an interface name", np->name);
    return 0;
  }
  if (KEY("priority")) {
    if ((r = get_range(p, v, 0, UINT32_MAX, &x)) < 0)
      return r;
    np->priority = (uint32_t) x;
    return 0;
  }
  return 1;
}

static int prio_elem(rp *p, const cell_jv *e, void *elem)
{
  oci_res_net_prio *np = elem;
  int r = each_member(p, e, prio_member, np);
  if (r < 0)
    return r;
  return np->name ? 0 : fail(p, "`name` is required");
}

static int network_member(rp *p, const char *key, const cell_jv *v, void *o)
{
  oci_res_network *n = o;
  int64_t x = 0;
  int r;
  if (KEY("classID")) {
    if ((r = get_range(p, v, 0, UINT32_MAX, &x)) < 0)
      return r;
    n->class_id = (uint32_t) x;
    n->has_class_id = true;
    return 0;
  }
  if (KEY("priorities"))
    return each_element(p, v, (void **) &n->priorities, &n->n_priorities,
                        sizeof *n->priorities, prio_elem);
  return 1;
}

static int rdma_member(rp *p, const char *key, const cell_jv *v, void *o)
{
  oci_res_rdma *d = o;
  int64_t x = 0;
  int r;
  if (KEY("hcaHandles") || KEY("hcaObjects")) {
    if ((r = get_range(p, v, 0, UINT32_MAX, &x)) < 0)
      return r;
    if (KEY("hcaHandles"))
      d->hca_handles = (uint32_t) x, d->has_hca_handles = true;
    else
      d->hca_objects = (uint32_t) x, d->has_hca_objects = true;
    return 0;
  }
  return 1;
}

static int parse_rdma(rp *p, const cell_jv *v, oci_resources_typed *out)
{
  if (!cell_jv_is_object(v))
    return fail(p, "expected an object");
  size_t i;
  const char *key;
  const cell_jv *e;
  cell_jv_object_foreach(v, i, key, e) {
    push_key(p, key, e);
    if (!*key || strpbrk(key, " \n/"))
      return fail(p, "`%s` is not an RDMA device name", key);
    oci_res_rdma *a = grow(out->rdma, &out->n_rdma, sizeof *a);
    if (!a)
      return cell_error_set(p->err, ENOMEM, "out of memory");
    out->rdma = a;
    oci_res_rdma *d = &a[out->n_rdma - 1];
    if (!(d->device = strdup(key)))
      return cell_error_set(p->err, ENOMEM, "out of memory");
    int r = each_member(p, e, rdma_member, d);
    if (r < 0)
      return r;
    pop(p);
  }
  return 0;
}

static int parse_unified(rp *p, const cell_jv *v, oci_resources_typed *out)
{
  if (!cell_jv_is_object(v))
    return fail(p, "expected an object");
  size_t i;
  const char *key;
  const cell_jv *e;
  cell_jv_object_foreach(v, i, key, e) {
    push_key(p, key, e);
    /* A file directly in the container's cgroup: "memory.high". */
    if (!*key || strchr(key, '/') || !strchr(key, '.') || key[0] == '.')
      return fail(p, "`%s` is not a cgroup v2 file name such as memory.high", key);
    if (!cell_jv_is_string(e))
      return fail(p, "expected a string");
    oci_kv *a = grow(out->unified, &out->n_unified, sizeof *a);
    if (!a)
      return cell_error_set(p->err, ENOMEM, "out of memory");
    out->unified = a;
    oci_kv *kv = &a[out->n_unified - 1];
    if (!(kv->key = strdup(key)) || !(kv->value = strdup(cell_jv_str(e))))
      return cell_error_set(p->err, ENOMEM, "out of memory");
    pop(p);
  }
  return 0;
}

static int device_member(rp *p, const char *key, const cell_jv *v, void *o)
{
  oci_device_rule *d = o;
  int r;
  if (KEY("allow"))
    return get_bool(p, v, &d->allow);
  if (KEY("type")) {
    const char *t = cell_jv_str(v);
    if (!t || strlen(t) != 1 || !strchr("acb", t[0]))
      return fail(p, "expected \"a\", \"c\" or \"b\"");
    d->type = t[0];
    return 0;
  }
  if (KEY("major") || KEY("minor")) {
    int64_t x;
    if ((r = get_range(p, v, -1, UINT32_MAX, &x)) < 0)
      return r;
    if (x == -1)            /* -1 is the wildcard, as written by some tools */
      return 0;
    if (KEY("major"))
      d->major = x, d->has_major = true;
    else
      d->minor = x, d->has_minor = true;
    return 0;
  }
  if (KEY("access")) {
    if ((r = get_str(p, v, &d->access)) < 0)
      return r;
    const char *a = d->access;
    if (strspn(a, "rwm") != strlen(a))
      return fail(p, "`%s` is not a subset of \"rwm\"", a);
    return 0;
  }
  return 1;
}

static int device_elem(rp *p, const cell_jv *e, void *elem)
{
  oci_device_rule *d = elem;
  d->type = 'a';
  int r = each_member(p, e, device_member, d);
  if (r < 0)
    return r;
  return cell_jv_get(e, "allow") ? 0 : fail(p, "`allow` is required");
}

static int top_member(rp *p, const char *key, const cell_jv *v, void *o)
{
  oci_resources_typed *out = o;
  if (KEY("memory")) {
    out->memory.present = true;
    return each_member(p, v, memory_member, &out->memory);
  }
  if (KEY("cpu")) {
    out->cpu.present = true;
    return each_member(p, v, cpu_member, &out->cpu);
  }
  if (KEY("pids")) {
    out->pids.present = true;
    return each_member(p, v, pids_member, &out->pids);
  }
  if (KEY("blockIO")) {
    out->blkio.present = true;
    return each_member(p, v, blkio_member, &out->blkio);
  }
  if (KEY("hugepageLimits"))
    return each_element(p, v, (void **) &out->hugepages, &out->n_hugepages,
                        sizeof *out->hugepages, hugepage_elem);
  if (KEY("network")) {
    out->network.present = true;
    return each_member(p, v, network_member, &out->network);
  }
  if (KEY("rdma"))
    return parse_rdma(p, v, out);
  if (KEY("unified"))
    return parse_unified(p, v, out);
  if (KEY("devices")) {
    out->has_devices = true;
    return each_element(p, v, (void **) &out->devices, &out->n_devices, sizeof *out->devices,
                        device_elem);
  }
  return 1;
}

int oci_resources_parse(const cell_jv *j, const oci_json_where *where,
                        oci_resources_typed *out, cell_error *err)
{
  memset(out, 0, sizeof *out);
  if (!j || cell_jv_is_null(j))
    return 0;
  rp p = { .where = where, .at = { .val = { j } }, .err = err };
  out->present = true;
  int r = each_member(&p, j, top_member, out);
  if (r < 0) {
    oci_resources_typed_free(out);
    return r;
  }
  /* Cross-field rules that the kernel would otherwise report vaguely. */
  const oci_res_memory *m = &out->memory;
  if (m->has_limit && m->has_swap && m->limit > 0 && m->swap > 0 && m->swap < m->limit) {
    p.at.depth = 0;
    const cell_jv *mem = cell_jv_get(j, "memory");
    push_key(&p, "memory", mem);
    push_key(&p, "swap", cell_jv_get(mem, "swap"));
    r = fail(&p, "memory+swap %lld is below memory.limit %lld", (long long) m->swap,
             (long long) m->limit);
    oci_resources_typed_free(out);
    return r;
  }
  return 0;
}

int oci_resources_load_file(const char *path, oci_resources_typed *out, cell_error *err)
{
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  memset(out, 0, sizeof *out);
  if (strcmp(path, "-") == 0) {
    if (cell_read_fd(0, &text, &len) < 0)
      return cell_error_sys(err, "read resources from stdin");
  } else {
    int r = cell_read_file(path, &text, &len, err);
    if (r < 0)
      return r;
  }
  _cleanup_jdoc_ cell_jdoc *doc = NULL;
  int r = cell_json_parse(path, text, len, &doc, err);
  if (r < 0)
    return r;
  oci_json_where w = { .file = path, .name = "" };
  return oci_resources_parse(cell_jdoc_root(doc), &w, out, err);
}

void oci_resources_typed_free(oci_resources_typed *r)
{
  if (!r)
    return;
  free(r->cpu.cpus);
  free(r->cpu.mems);
  free(r->blkio.weight_devices);
  for (int k = 0; k < OCI_THROTTLE_KINDS; k++)
    free(r->blkio.throttle[k].v);
  for (size_t i = 0; i < r->n_hugepages; i++)
    free(r->hugepages[i].page_size);
  free(r->hugepages);
  for (size_t i = 0; i < r->network.n_priorities; i++)
    free(r->network.priorities[i].name);
  free(r->network.priorities);
  for (size_t i = 0; i < r->n_rdma; i++)
    free(r->rdma[i].device);
  free(r->rdma);
  for (size_t i = 0; i < r->n_unified; i++) {
    free(r->unified[i].key);
    free(r->unified[i].value);
  }
  free(r->unified);
  for (size_t i = 0; i < r->n_devices; i++)
    free(r->devices[i].access);
  free(r->devices);
  memset(r, 0, sizeof *r);
}

int oci_parse_size(const char *s, int64_t *out)
{
  if (strcmp(s, "-1") == 0) {
    *out = -1;
    return 0;
  }
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || end == s || v < 0)
    return -EINVAL;
  static const char units[] = "bkmgtp";
  uint64_t mult = 1;
  if (*end) {
    const char *u = strchr(units, end[0] | 0x20);
    if (!u)
      return -EINVAL;
    for (long i = 0; i < u - units; i++)
      mult *= 1024;
    end++;
    if ((*end | 0x20) == 'b' && u != units)
      end++;
    if (*end)
      return -EINVAL;
  }
  double bytes = v * (double) mult;
  if (bytes > 9.2e18)
    return -ERANGE;
  *out = (int64_t) bytes;
  return 0;
}
