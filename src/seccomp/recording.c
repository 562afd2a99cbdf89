/* The recording: accumulate calls, merge, and the file format (recording.h). */
#include "seccomp/recording.h"
#include "seccomp/ir.h"
#include "seccomp/seccomp.h"
#include "seccomp/table.h"
#include "util/cleanup.h"
#include "util/fs.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cell_sc_rec_init(cell_sc_recording *r)
{
  memset(r, 0, sizeof *r);
  for (size_t i = 0; i < CELL_SC_REC_ENTRIES; i++)
    r->entries[i].first = -1;
}

/* Which arguments profiles test, per syscall (sorted by name). */
static const struct interest {
  const char *name;
  uint8_t n, idx[CELL_SC_REC_MAX_ARGS];
} interests[] = {
  { "clone", 1, { 0 } },        /* flags (x86_64 order: flags first everywhere) */
  { "clone3", 1, { 0 } },       /* clone_args.flags, read by the recorder */
  { "fcntl", 1, { 1 } },        /* cmd */
  { "fcntl64", 1, { 1 } },
  { "ioctl", 1, { 1 } },        /* request */
  { "kill", 1, { 1 } },         /* signal */
  { "mmap", 1, { 2 } },         /* prot */
  { "mmap2", 1, { 2 } },
  { "mprotect", 1, { 2 } },     /* prot */
  { "personality", 1, { 0 } },  /* persona */
  { "pkey_mprotect", 1, { 2 } },
  { "prctl", 1, { 0 } },        /* option */
  { "socket", 3, { 0, 1, 2 } }, /* domain, type, protocol */
  { "tgkill", 1, { 2 } },       /* signal */
  { "tkill", 1, { 1 } },        /* signal */
  { "unshare", 1, { 0 } },      /* flags */
};

static int by_interest(const void *k, const void *e)
{
  return strcmp(k, ((const struct interest *) e)->name);
}

size_t cell_sc_rec_interest(const char *name, uint8_t idx[CELL_SC_REC_MAX_ARGS])
{
  if (!name)
    return 0;
  const struct interest *i = bsearch(name, interests, sizeof interests / sizeof *interests,
                                     sizeof *interests, by_interest);
  if (!i)
    return 0;
  memcpy(idx, i->idx, sizeof i->idx);
  return i->n;
}

/* The architecture of a call: the audit value, and for x86_64 the x32 bit. */
static int32_t arch_of(uint32_t audit, uint32_t nr)
{
  for (size_t i = 0; i < cell_sc_narches; i++) {
    const cell_sc_arch *a = &cell_sc_arches[i];
    if (a->audit != audit)
      continue;
    if (a->col == CELL_SC_COL_X86_64 || a->col == CELL_SC_COL_X32) {
      bool x32 = nr >= CELL_SC_X32_BIT && nr != UINT32_MAX;
      if ((a->col == CELL_SC_COL_X32) != x32)
        continue;
    }
    return (int32_t) i;
  }
  return -1;
}

static size_t slot(uint32_t audit, uint32_t nr)
{
  uint32_t h = audit * 2654435761u ^ (nr + 0x9e3779b9u) * 40503u;
  h ^= h >> 15;
  return h & (CELL_SC_REC_ENTRIES - 1);
}

static cell_sc_rec_entry *lookup(cell_sc_recording *r, uint32_t audit, uint32_t nr, bool add)
{
  size_t s = slot(audit, nr);
  for (size_t k = 0; k < CELL_SC_REC_ENTRIES; k++, s = (s + 1) & (CELL_SC_REC_ENTRIES - 1)) {
    cell_sc_rec_entry *e = &r->entries[s];
    if (e->used && e->audit == audit && e->nr == nr)
      return e;
    if (!e->used) {
      /* keep a quarter free: probes stay short */
      if (!add || r->nentries >= CELL_SC_REC_ENTRIES * 3 / 4)
        return NULL;
      memset(e, 0, sizeof *e);
      e->audit = audit;
      e->nr = nr;
      e->first = -1;
      e->arch = arch_of(audit, nr);
      if (e->arch >= 0) {
        const char *name = cell_sc_syscall_name(&cell_sc_arches[e->arch], nr);
        e->nargs = (uint8_t) cell_sc_rec_interest(name, e->argidx);
      }
      e->used = 1;  /* last: a reader that takes over sees a whole entry */
      r->nentries++;
      return e;
    }
  }
  return NULL;
}

const cell_sc_rec_entry *cell_sc_rec_find(const cell_sc_recording *r, uint32_t audit, uint32_t nr)
{
  return lookup((cell_sc_recording *) r, audit, nr, false);
}

static void add_tuple(cell_sc_recording *r, cell_sc_rec_entry *e, const uint64_t v[CELL_SC_REC_MAX_ARGS],
                      uint64_t count, uint64_t denied)
{
  int32_t *link = &e->first;
  for (int32_t t = e->first; t >= 0; t = r->tuples[t].next) {
    cell_sc_rec_tuple *tp = &r->tuples[t];
    if (memcmp(tp->v, v, sizeof tp->v) == 0) {
      tp->count += count;
      tp->denied += denied;
      return;
    }
    link = &tp->next;
  }
  if (e->ntuples >= CELL_SC_REC_MAX_TUPLES || r->ntuples >= CELL_SC_REC_TUPLES) {
    e->more = 1;
    return;
  }
  int32_t t = (int32_t) r->ntuples++;
  cell_sc_rec_tuple *tp = &r->tuples[t];
  memset(tp, 0, sizeof *tp);
  memcpy(tp->v, v, sizeof tp->v);
  tp->count = count;
  tp->denied = denied;
  tp->next = -1;
  *link = t;  /* last: the chain is whole at every moment */
  e->ntuples++;
}

void cell_sc_rec_add(cell_sc_recording *r, uint32_t audit, uint32_t nr, const uint64_t args[6],
                     bool args_known, uint32_t ret, bool denied)
{
  cell_sc_rec_entry *e = lookup(r, audit, nr, true);
  r->generation++;
  if (!e) {
    r->lost++;
    return;
  }
  e->count++;
  if (denied) {
    e->denied++;
    e->deny_ret = ret;
  }
  if (!e->nargs)
    return;
  if (!args_known) {
    e->more = 1;
    return;
  }
  const cell_sc_arch *a = &cell_sc_arches[e->arch];
  uint64_t v[CELL_SC_REC_MAX_ARGS] = { 0 };
  for (size_t i = 0; i < e->nargs; i++)
    v[i] = a->bits64 ? args[e->argidx[i]] : (uint32_t) args[e->argidx[i]];
  add_tuple(r, e, v, 1, denied ? 1 : 0);
}

void cell_sc_rec_merge(cell_sc_recording *dst, const cell_sc_recording *src)
{
  for (size_t i = 0; i < CELL_SC_REC_ENTRIES; i++) {
    const cell_sc_rec_entry *s = &src->entries[i];
    if (!s->used)
      continue;
    cell_sc_rec_entry *d = lookup(dst, s->audit, s->nr, true);
    dst->generation++;
    if (!d) {
      dst->lost += s->count;
      continue;
    }
    d->count += s->count;
    d->denied += s->denied;
    if (s->denied)
      d->deny_ret = s->deny_ret;
    if (s->more)
      d->more = 1;
    for (int32_t t = s->first; t >= 0; t = src->tuples[t].next)
      add_tuple(dst, d, src->tuples[t].v, src->tuples[t].count, src->tuples[t].denied);
  }
  dst->lost += src->lost;
}

/* ---- the file ------------------------------------------------------------ */

static const char *arch_name(const cell_sc_rec_entry *e)
{
  return e->arch >= 0 ? cell_sc_arches[e->arch].name : NULL;
}

static const char *entry_name(const cell_sc_rec_entry *e)
{
  return e->arch >= 0 ? cell_sc_syscall_name(&cell_sc_arches[e->arch], e->nr) : NULL;
}

static int by_arch_name(const void *a, const void *b)
{
  const cell_sc_rec_entry *x = *(const cell_sc_rec_entry *const *) a;
  const cell_sc_rec_entry *y = *(const cell_sc_rec_entry *const *) b;
  if (x->arch != y->arch)
    return x->arch < y->arch ? -1 : 1;
  if (x->audit != y->audit)
    return x->audit < y->audit ? -1 : 1;
  const char *nx = entry_name(x), *ny = entry_name(y);
  if (nx && ny && strcmp(nx, ny))
    return strcmp(nx, ny);
  if (!nx != !ny)
    return nx ? -1 : 1;
  return x->nr < y->nr ? -1 : x->nr > y->nr;
}

static int by_values(const void *a, const void *b)
{
  const cell_sc_rec_tuple *x = *(const cell_sc_rec_tuple *const *) a;
  const cell_sc_rec_tuple *y = *(const cell_sc_rec_tuple *const *) b;
  for (int i = 0; i < CELL_SC_REC_MAX_ARGS; i++)
    if (x->v[i] != y->v[i])
      return x->v[i] < y->v[i] ? -1 : 1;
  return 0;
}

static json_t *args_json(const cell_sc_recording *r, const cell_sc_rec_entry *e)
{
  json_t *idx = json_array(), *vals = json_array();
  for (size_t i = 0; i < e->nargs; i++)
    json_array_append_new(idx, json_integer(e->argidx[i]));
  const cell_sc_rec_tuple *sorted[CELL_SC_REC_MAX_TUPLES];
  size_t n = 0;
  for (int32_t t = e->first; t >= 0 && n < CELL_SC_REC_MAX_TUPLES; t = r->tuples[t].next)
    sorted[n++] = &r->tuples[t];
  qsort(sorted, n, sizeof *sorted, by_values);
  for (size_t k = 0; k < n; k++) {
    json_t *v = json_array();
    for (size_t i = 0; i < e->nargs; i++)
      json_array_append_new(v, json_integer((json_int_t) sorted[k]->v[i]));
    json_t *o = json_pack("{s:o, s:I}", "v", v, "count", (json_int_t) sorted[k]->count);
    if (sorted[k]->denied)
      json_object_set_new(o, "denied", json_integer((json_int_t) sorted[k]->denied));
    json_array_append_new(vals, o);
  }
  return json_pack("{s:o, s:o, s:b}", "index", idx, "values", vals, "more", e->more != 0);
}

json_t *cell_sc_rec_to_json(const cell_sc_recording *r, const cell_sc_rec_meta *m)
{
  const cell_sc_rec_entry **v = malloc(CELL_SC_REC_ENTRIES * sizeof *v);
  if (!v)
    return NULL;
  size_t n = 0;
  for (size_t i = 0; i < CELL_SC_REC_ENTRIES; i++)
    if (r->entries[i].used)
      v[n++] = &r->entries[i];
  qsort(v, n, sizeof *v, by_arch_name);
  json_t *list = json_array();
  for (size_t i = 0; i < n; i++) {
    const cell_sc_rec_entry *e = v[i];
    json_t *o = json_object();
    if (arch_name(e))
      json_object_set_new(o, "arch", json_string(arch_name(e)));
    else
      json_object_set_new(o, "audit", json_integer(e->audit));
    const char *name = entry_name(e);
    json_object_set_new(o, "name", name ? json_string(name) : json_null());
    json_object_set_new(o, "nr", json_integer(e->nr));
    json_object_set_new(o, "count", json_integer((json_int_t) e->count));
    if (e->denied) {
      char buf[32];
      json_object_set_new(o, "denied", json_integer((json_int_t) e->denied));
      json_object_set_new(o, "deniedWith", json_string(cell_seccomp_action_str(e->deny_ret, buf)));
    }
    if (e->nargs)
      json_object_set_new(o, "args", args_json(r, e));
    json_array_append_new(list, o);
  }
  free(v);
  json_t *o = json_pack("{s:i}", "cellSeccompRecording", CELL_SC_REC_FORMAT);
  if (m && m->container)
    json_object_set_new(o, "container", json_string(m->container));
  if (m && m->started)
    json_object_set_new(o, "started", json_string(m->started));
  if (m && m->ended)
    json_object_set_new(o, "ended", json_string(m->ended));
  if (m && m->kernel)
    json_object_set_new(o, "kernel", json_string(m->kernel));
  json_object_set_new(o, "base", json_boolean(m && m->base));
  if (m && m->partial)
    json_object_set_new(o, "partial", json_true());
  json_object_set_new(o, "lost", json_integer((json_int_t) r->lost));
  json_object_set_new(o, "syscalls", list);
  return o;
}

int cell_sc_rec_write(const char *path, const cell_sc_recording *r, const cell_sc_rec_meta *m,
                      cell_error *err)
{
  json_t *j = cell_sc_rec_to_json(r, m);
  char *text = j ? json_dumps(j, JSON_INDENT(1) | JSON_PRESERVE_ORDER) : NULL;
  json_decref(j);
  if (!text)
    return cell_error_set(err, ENOMEM, "seccomp recording: out of memory");
  size_t len = strlen(text);
  char *t2 = realloc(text, len + 2);
  if (t2) {
    text = t2;
    text[len++] = '\n';
    text[len] = 0;
  }
  int rc = cell_write_file_atomic(path, text, len, 0644, err);
  free(text);
  if (rc < 0)
    return cell_error_wrap(err, "seccomp recording");
  return 0;
}

/* ---- reading ------------------------------------------------------------- */

typedef struct rd {
  const char *name;
  cell_error *err;
} rd;

/* "NAME:LINE:COL: syscalls[I].FIELD: what", at v (the value that is wrong,
 * or the object that misses it). */
static int bad(rd *c, const cell_jv *v, size_t i, const char *field, const char *what)
{
  if (i == SIZE_MAX)
    return cell_error_set(c->err, EINVAL, "%s:%u:%u: %s: %s", c->name, v->line, v->col, field,
                          what);
  return cell_error_set(c->err, EINVAL, "%s:%u:%u: syscalls[%zu]%s%s: %s", c->name, v->line,
                        v->col, i, *field ? "." : "", field, what);
}

static int get_u64(rd *c, size_t i, const cell_jv *o, const char *key, bool required,
                   uint64_t *out)
{
  const cell_jv *v = cell_jv_get(o, key);
  *out = 0;
  if (!v)
    return required ? bad(c, o, i, key, "missing") : 0;
  if (!cell_jv_u64(v, out))
    return bad(c, v, i, key, "expected a number >= 0");
  return 0;
}

/* An argument value: 0 to UINT64_MAX, or, as jansson wrote the values with
 * the top bit set, negative (the same 64 bits). */
static int get_value(rd *c, size_t i, const cell_jv *v, uint64_t *out)
{
  if (!cell_jv_is_int(v))
    return bad(c, v, i, "args.values", "expected numbers");
  *out = v->big ? v->u : (uint64_t) v->i;
  return 0;
}

static int read_args(rd *c, size_t i, const cell_jv *a, cell_sc_recording *r,
                     cell_sc_rec_entry *e)
{
  const cell_jv *idx = cell_jv_get(a, "index"), *vals = cell_jv_get(a, "values"), *x, *t;
  size_t n = cell_jv_size(idx), k;
  if (!cell_jv_is_array(idx) || n == 0 || n > CELL_SC_REC_MAX_ARGS)
    return bad(c, idx ? idx : a, i, "args.index", "expected 1 to 3 argument indexes");
  if (!cell_jv_is_array(vals))
    return bad(c, vals ? vals : a, i, "args.values", "expected an array");
  uint8_t ix[CELL_SC_REC_MAX_ARGS] = { 0 };
  cell_jv_array_foreach(idx, k, x) {
    uint64_t v;
    if (!cell_jv_u64(x, &v) || v > 5)
      return bad(c, x, i, "args.index", "expected argument indexes 0 to 5");
    ix[k] = (uint8_t) v;
  }
  if (e->nargs && (e->nargs != n || memcmp(e->argidx, ix, n)))
    return bad(c, idx, i, "args.index", "differs from another recording of this syscall");
  e->nargs = (uint8_t) n;
  memcpy(e->argidx, ix, sizeof ix);
  if (cell_jv_is_true(cell_jv_get(a, "more")))
    e->more = 1;
  cell_jv_array_foreach(vals, k, t) {
    const cell_jv *v = cell_jv_get(t, "v");
    if (!cell_jv_is_array(v) || cell_jv_size(v) != n)
      return bad(c, v ? v : t, i, "args.values", "each needs \"v\" with one value per index");
    uint64_t tv[CELL_SC_REC_MAX_ARGS] = { 0 }, cnt, den;
    for (size_t m = 0; m < n; m++)
      if (get_value(c, i, cell_jv_at(v, m), &tv[m]) < 0)
        return -EINVAL;
    if (get_u64(c, i, t, "count", true, &cnt) < 0 || get_u64(c, i, t, "denied", false, &den) < 0)
      return cell_error_wrap(c->err, "args.values[%zu]", k);
    add_tuple(r, e, tv, cnt, den);
  }
  return 0;
}

int cell_sc_rec_from_json(const cell_jv *j, const char *name, cell_sc_recording *r,
                          cell_error *err)
{
  rd c = { name, err };
  if (!cell_jv_is_object(j))
    return cell_error_set(err, EINVAL, "%s: not a recording (expected a JSON object)", name);
  const cell_jv *fmt = cell_jv_get(j, "cellSeccompRecording");
  if (!cell_jv_is_int(fmt))
    return bad(&c, fmt ? fmt : j, SIZE_MAX, "cellSeccompRecording",
               "missing: not a cell seccomp recording");
  if (fmt->big || fmt->i != CELL_SC_REC_FORMAT)
    return cell_error_set(err, EINVAL, "%s:%u:%u: cellSeccompRecording: format %s%" PRIu64
                          " is not known (this cell reads %d)", name, fmt->line, fmt->col,
                          !fmt->big && fmt->i < 0 ? "-" : "",
                          fmt->big || fmt->i >= 0 ? fmt->u : -(uint64_t) fmt->i,
                          CELL_SC_REC_FORMAT);
  const cell_jv *list = cell_jv_get(j, "syscalls"), *o;
  if (!cell_jv_is_array(list))
    return bad(&c, list ? list : j, SIZE_MAX, "syscalls", "expected an array");
  uint64_t lost;
  if (get_u64(&c, SIZE_MAX, j, "lost", false, &lost) < 0)
    return -EINVAL;
  r->lost += lost;
  size_t i;
  cell_jv_array_foreach(list, i, o) {
    if (!cell_jv_is_object(o))
      return bad(&c, o, i, "", "expected an object");
    uint32_t audit;
    const char *an = cell_jv_str(cell_jv_get(o, "arch"));
    const cell_sc_arch *a = an ? cell_sc_arch_by_name(an) : NULL;
    uint64_t nr, count, denied, au;
    if (an && !a)
      return bad(&c, cell_jv_get(o, "arch"), i, "arch", "unknown architecture");
    if (!an && get_u64(&c, i, o, "audit", true, &au) < 0)
      return cell_error_wrap(err, "(no \"arch\")");
    audit = a ? a->audit : (uint32_t) au;
    if (get_u64(&c, i, o, "nr", true, &nr) < 0 || get_u64(&c, i, o, "count", true, &count) < 0 ||
        get_u64(&c, i, o, "denied", false, &denied) < 0)
      return -EINVAL;
    if (nr > UINT32_MAX)
      return bad(&c, cell_jv_get(o, "nr"), i, "nr", "over 32 bits");
    const cell_jv *snv = cell_jv_get(o, "name");
    const char *sn = cell_jv_str(snv);
    if (a && sn) {
      const cell_sc_syscall *s = cell_sc_syscall_lookup(sn);
      if (!s || cell_sc_syscall_nr(a, s) != (int64_t) nr)
        return bad(&c, snv, i, "name", "does not match nr on this architecture");
    }
    uint32_t deny_ret = 0;
    const cell_jv *dwv = cell_jv_get(o, "deniedWith");
    const char *dw = cell_jv_str(dwv);
    if (denied && dw) {
      unsigned v;
      if (sscanf(dw, "ERRNO(%u)", &v) == 1 && v <= 0xffff)
        deny_ret = CELL_SC_RET_ERRNO | v;
      else
        return bad(&c, dwv, i, "deniedWith", "expected ERRNO(N)");
    }
    cell_sc_rec_entry *e = lookup(r, audit, (uint32_t) nr, true);
    r->generation++;
    if (!e) {
      r->lost += count;
      continue;
    }
    e->count += count;
    e->denied += denied;
    if (denied)
      e->deny_ret = deny_ret;
    const cell_jv *args = cell_jv_get(o, "args");
    if (args && read_args(&c, i, args, r, e) < 0)
      return -EINVAL;
  }
  return 0;
}

int cell_sc_rec_read(const char *path, cell_sc_recording *r, cell_error *err)
{
  _cleanup_free_ char *text = NULL;
  size_t len;
  int rc = cell_read_file(path, &text, &len, err);
  if (rc < 0) {
    cell_error_clear(err);
    return cell_error_set(err, -rc, "%s: unable to open: %s", path, strerror(-rc));
  }
  _cleanup_jdoc_ cell_jdoc *doc = NULL;
  if ((rc = cell_json_parse(path, text, len, &doc, err)) < 0)
    return rc;
  return cell_sc_rec_from_json(cell_jdoc_root(doc), path, r, err);
}
