/* The one reader of OCI seccomp JSON: every field of linux.seccomp,
 * validated, into a cell_sc_profile (resolve.c gives it libseccomp's
 * meaning).  runc's and crun's habits kept where profiles rely on them:
 * ERRNO and TRACE default to EPERM, unknown syscall names are skipped with
 * a warning, NOTIFY may be the default. */
#include "seccomp/oci.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct octx {
  const cell_seccomp_opts *opts;
  cell_error *err;
  cell_jpath at;                /* from the seccomp object */
} octx;

static void push_key(octx *c, const char *key, const cell_jv *v)
{
  cell_jpath_push_key(&c->at, key, v);
}

static void push_index(octx *c, size_t i, const cell_jv *v)
{
  cell_jpath_push_index(&c->at, i, v);
}

static void pop(octx *c)
{
  cell_jpath_pop(&c->at);
}

/* "file:line:col: " of v (or "" without opts->source_name or v), and the
 * dotted path of the seccomp object (opts->prefix, or linux.seccomp)
 * followed by p[0..n) */
static void where_of(const cell_seccomp_opts *o, const cell_json_pathel *p, size_t n,
                     const cell_jv *v, char *loc, size_t lsize, char *where, size_t wsize)
{
  size_t len;
  if (o && o->prefix_len)
    len = cell_json_path_fmt(where, wsize, 0, o->prefix, o->prefix_len);
  else
    len = (size_t) snprintf(where, wsize, "linux.seccomp");
  cell_json_path_fmt(where, wsize, len < wsize ? len : wsize - 1, p, n);
  loc[0] = 0;
  if (o && o->source_name && v)
    snprintf(loc, lsize, "%s:%u:%u: ", o->source_name, v->line, v->col);
}

void cell_sc_oci_where(const cell_sc_profile *prof, const cell_seccomp_opts *opts, size_t idx,
                       char *loc, size_t lsize, char *path, size_t psize)
{
  cell_json_pathel p[2] = { { "syscalls", 0 }, { NULL, idx } };
  const cell_jv *v = prof->json;
  if (idx != SIZE_MAX)
    v = cell_jv_at(cell_jv_get(v, "syscalls"), idx);
  where_of(opts, p, idx == SIZE_MAX ? 0 : 2, v, loc, lsize, path, psize);
}

static int fail(octx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(octx *c, const char *fmt, ...)
{
  char where[512], loc[256];
  where_of(c->opts, c->at.el, cell_jpath_kept(&c->at), cell_jpath_value(&c->at), loc, sizeof loc,
           where, sizeof where);
  char *msg = NULL;
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&msg, fmt, ap) < 0)
    msg = NULL;
  va_end(ap);
  int r = cell_error_set(c->err, EINVAL, "%s%s: %s", loc, where, msg ? msg : "invalid value");
  free(msg);
  return r;
}

static const struct { const char *name; uint32_t ret; } actions[] = {
  { "SCMP_ACT_KILL", CELL_SC_RET_KILL_THREAD },
  { "SCMP_ACT_KILL_PROCESS", CELL_SC_RET_KILL_PROCESS },
  { "SCMP_ACT_KILL_THREAD", CELL_SC_RET_KILL_THREAD },
  { "SCMP_ACT_TRAP", CELL_SC_RET_TRAP },
  { "SCMP_ACT_ERRNO", CELL_SC_RET_ERRNO },
  { "SCMP_ACT_TRACE", CELL_SC_RET_TRACE },
  { "SCMP_ACT_ALLOW", CELL_SC_RET_ALLOW },
  { "SCMP_ACT_LOG", CELL_SC_RET_LOG },
  { "SCMP_ACT_NOTIFY", CELL_SC_RET_USER_NOTIF },
};

static const struct { const char *name; cell_sc_op op; } ops[] = {
  { "SCMP_CMP_NE", CELL_SC_NE }, { "SCMP_CMP_LT", CELL_SC_LT },
  { "SCMP_CMP_LE", CELL_SC_LE }, { "SCMP_CMP_EQ", CELL_SC_EQ },
  { "SCMP_CMP_GE", CELL_SC_GE }, { "SCMP_CMP_GT", CELL_SC_GT },
  { "SCMP_CMP_MASKED_EQ", CELL_SC_MASKED_EQ },
};

static const struct { const char *name; unsigned flag; } flags[] = {
  { "SECCOMP_FILTER_FLAG_TSYNC", CELL_SECCOMP_FLAG_TSYNC },
  { "SECCOMP_FILTER_FLAG_LOG", CELL_SECCOMP_FLAG_LOG },
  { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", CELL_SECCOMP_FLAG_SPEC_ALLOW },
  { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", CELL_SECCOMP_FLAG_WAIT_KILLABLE_RECV },
};

/* The index of name in a table of n entries of `stride` bytes that each
 * begin with their name, all of which start with prefix; n when none
 * matches.  The prefix is compared once and the names are told apart
 * by their first byte after it, with strcmp only for those that share
 * it. */
static size_t find_named(const char *name, const char *prefix, const void *table, size_t n, size_t stride)
{
  size_t pl = strlen(prefix);
  if (strncmp(name, prefix, pl) != 0)
    return n;
  for (size_t i = 0; i < n; i++) {
    const char *t = *(const char *const *) (const void *) ((const char *) table + i * stride);
    if (name[pl] == t[pl] && strcmp(name + pl, t + pl) == 0)
      return i;
  }
  return n;
}

/* Parse an action and its errno member (key errno_key of obj). */
static int parse_action(octx *c, const cell_jv *obj, const char *key, const char *errno_key,
                        bool is_default, uint32_t *out)
{
  const cell_jv *v = cell_jv_get(obj, key);
  push_key(c, key, v);
  if (!v) {
    pop(c);
    return fail(c, "%s is required", key);
  }
  if (!cell_jv_is_string(v))
    return fail(c, "expected a string (an SCMP_ACT_* action)");
  const char *name = cell_jv_str(v);
  size_t i = find_named(name, "SCMP_ACT_", actions, sizeof actions / sizeof actions[0], sizeof actions[0]);
  if (i == sizeof actions / sizeof actions[0])
    return fail(c, "unknown action \"%s\"", name);
  uint32_t ret = actions[i].ret;
  /* NOTIFY as the default is fine for the kernel (libseccomp refuses it);
   * cell's listener hand-off makes it safe to load. */
  (void) is_default;
  pop(c);

  const cell_jv *e = cell_jv_get(obj, errno_key);
  bool takes_errno = ret == CELL_SC_RET_ERRNO || ret == CELL_SC_RET_TRACE;
  uint32_t data = takes_errno ? EPERM : 0;
  if (e && !cell_jv_is_null(e)) {
    push_key(c, errno_key, e);
    if (!takes_errno)
      return fail(c, "only valid with SCMP_ACT_ERRNO and SCMP_ACT_TRACE, not %s", name);
    if (!cell_jv_is_int(e))
      return fail(c, "expected an integer");
    if (e->big)
      return fail(c, "%llu is out of range 0..65535", (unsigned long long) e->u);
    int64_t n = e->i;
    if (n < 0 || n > 0xffff)
      return fail(c, "%lld is out of range 0..65535", (long long) n);
    data = (uint32_t) n;
    pop(c);
  }
  *out = ret | data;
  return 0;
}

static int parse_u64(octx *c, const cell_jv *v, uint64_t *out)
{
  if (!cell_jv_is_int(v))
    return fail(c, "expected an integer");
  /* Exact from 0 to UINT64_MAX; a negative value is taken as two's
   * complement (-1 is 0xffffffffffffffff), as before. */
  *out = v->big ? v->u : (uint64_t) v->i;
  return 0;
}

static int parse_arg(octx *c, const cell_jv *a, cell_sc_cond *cond)
{
  if (!cell_jv_is_object(a))
    return fail(c, "expected an object {index, value, valueTwo, op}");
  const cell_jv *v = cell_jv_get(a, "index");
  push_key(c, "index", v);
  if (!v) {
    pop(c);
    return fail(c, "index is required");
  }
  if (!cell_jv_is_int(v))
    return fail(c, "expected an integer");
  if (v->big)
    return fail(c, "%llu is not an argument index 0..5", (unsigned long long) v->u);
  if (cell_jv_int(v) < 0 || cell_jv_int(v) > 5)
    return fail(c, "%lld is not an argument index 0..5", (long long) cell_jv_int(v));
  cond->arg = (uint8_t) cell_jv_int(v);
  pop(c);

  v = cell_jv_get(a, "op");
  push_key(c, "op", v);
  if (!v) {
    pop(c);
    return fail(c, "op is required");
  }
  if (!cell_jv_is_string(v))
    return fail(c, "expected a string (an SCMP_CMP_* operator)");
  size_t i = find_named(cell_jv_str(v), "SCMP_CMP_", ops, sizeof ops / sizeof ops[0], sizeof ops[0]);
  if (i == sizeof ops / sizeof ops[0])
    return fail(c, "unknown operator \"%s\"", cell_jv_str(v));
  cond->op = (uint8_t) ops[i].op;
  pop(c);

  uint64_t value = 0, two = 0;
  v = cell_jv_get(a, "value");
  push_key(c, "value", v);
  if (!v) {
    pop(c);
    return fail(c, "value is required");
  }
  if (parse_u64(c, v, &value) < 0)
    return -EINVAL;
  pop(c);
  v = cell_jv_get(a, "valueTwo");
  if (v && !cell_jv_is_null(v)) {
    push_key(c, "valueTwo", v);
    if (parse_u64(c, v, &two) < 0)
      return -EINVAL;
    pop(c);
  }
  if (cond->op == CELL_SC_MASKED_EQ) {
    cond->mask = value;
    cond->value = two;
  } else {
    cond->value = value;
    cond->mask = 0;
  }
  return 0;
}

static bool grow(void **v, size_t *cap, size_t need, size_t size)
{
  if (need <= *cap)
    return true;
  size_t n = *cap ? *cap * 2 : 32;
  while (n < need)
    n *= 2;
  void *q = realloc(*v, n * size);
  if (!q)
    return false;
  *v = q;
  *cap = n;
  return true;
}

typedef struct caps { size_t rules, names, conds; } caps;

static int parse_syscall(octx *c, const cell_jv *sc, size_t index, cell_sc_profile *p, caps *cap)
{
  if (!cell_jv_is_object(sc))
    return fail(c, "expected an object {names, action, errnoRet, args}");
  uint32_t action;
  int r = parse_action(c, sc, "action", "errnoRet", false, &action);
  if (r < 0)
    return r;

  const cell_jv *names = cell_jv_get(sc, "names");
  push_key(c, "names", names);
  if (!names) {
    pop(c);
    return fail(c, "names is required");
  }
  if (!cell_jv_is_array(names) || cell_jv_size(names) == 0)
    return fail(c, "expected a non-empty array of syscall names");
  size_t i;
  const cell_jv *n;
  cell_jv_array_foreach(names, i, n) {
    if (!cell_jv_is_string(n) || !cell_jv_strlen(n)) {
      push_index(c, i, n);
      return fail(c, "expected a syscall name");
    }
  }
  pop(c);

  cell_sc_oci_rule rule = { .index = index, .action = action, .first_name = p->nnames,
                            .first_cond = p->nconds };
  const cell_jv *args = cell_jv_get(sc, "args");
  if (args && !cell_jv_is_null(args)) {
    push_key(c, "args", args);
    if (!cell_jv_is_array(args))
      return fail(c, "expected an array");
    if (cell_jv_size(args) > 64)
      return fail(c, "more than 64 conditions");
    if (!grow((void **) &p->conds, &cap->conds, p->nconds + cell_jv_size(args), sizeof *p->conds))
      return cell_error_set(c->err, ENOMEM, "seccomp: out of memory");
    unsigned seen = 0;
    const cell_jv *a;
    cell_jv_array_foreach(args, i, a) {
      push_index(c, i, a);
      cell_sc_cond *cond = &p->conds[p->nconds];
      *cond = (cell_sc_cond) { 0 };
      r = parse_arg(c, a, cond);
      if (r < 0)
        return r;
      if (seen & (1u << cond->arg))
        rule.split = true;
      seen |= 1u << cond->arg;
      p->nconds++;
      rule.ncond++;
      pop(c);
    }
    pop(c);
  }
  if (action == CELL_SC_RET_USER_NOTIF)
    p->has_notify = true;

  if (!grow((void **) &p->names, &cap->names, p->nnames + cell_jv_size(names), sizeof *p->names))
    return cell_error_set(c->err, ENOMEM, "seccomp: out of memory");
  cell_jv_array_foreach(names, i, n) {
    const char *name = cell_jv_str(n);
    const cell_sc_syscall *s = cell_sc_syscall_lookup(name);
    p->names[p->nnames++] = (cell_sc_oci_name) { name, s };
    rule.nnames++;
    if (!s) {
      push_key(c, "names", names);
      push_index(c, i, n);
      if (c->opts && c->opts->fail_unknown_syscall)
        return fail(c, "unknown syscall \"%s\" (annotation run.oci.seccomp_fail_unknown_syscall is set)", name);
      char where[256];
      cell_json_path_fmt(where, sizeof where, 0, c->at.el, cell_jpath_kept(&c->at));
      cell_log_warn(c->opts ? c->opts->log : NULL,
                    "seccomp: unknown syscall \"%s\" skipped (linux.seccomp.%s)", name, where);
      p->skipped++;
      pop(c);
      pop(c);
    }
  }
  if (!grow((void **) &p->rules, &cap->rules, p->nrules + 1, sizeof *p->rules))
    return cell_error_set(c->err, ENOMEM, "seccomp: out of memory");
  p->rules[p->nrules++] = rule;
  return 0;
}

void cell_sc_profile_free(cell_sc_profile *p)
{
  free(p->rules);
  free(p->names);
  free(p->conds);
  memset(p, 0, sizeof *p);
}

int cell_sc_oci_read(const cell_jv *seccomp, const cell_seccomp_opts *opts, cell_sc_profile *p,
                     cell_error *err)
{
  octx c = { .opts = opts, .err = err };
  cell_jpath_init(&c.at, seccomp);
  memset(p, 0, sizeof *p);
  p->json = seccomp;
  if (!cell_jv_is_object(seccomp))
    return fail(&c, "expected an object");

  const cell_sc_arch *native = cell_sc_arch_by_name(opts && opts->arch ? opts->arch : NULL);
  if (opts && opts->arch && !native)
    return cell_error_set(err, EINVAL, "seccomp: unknown architecture \"%s\"", opts->arch);
  if (!native)
    native = cell_sc_arch_native();
  p->arches[p->narches++] = (uint16_t) cell_sc_arch_index(native);

  int r = parse_action(&c, seccomp, "defaultAction", "defaultErrnoRet", true, &p->default_action);
  if (r < 0)
    return r;
  if (p->default_action == CELL_SC_RET_USER_NOTIF)
    p->has_notify = true;

  const cell_jv *v = cell_jv_get(seccomp, "architectures");
  if (v && !cell_jv_is_null(v)) {
    push_key(&c, "architectures", v);
    if (!cell_jv_is_array(v))
      return fail(&c, "expected an array of SCMP_ARCH_* names");
    size_t i;
    const cell_jv *a;
    cell_jv_array_foreach(v, i, a) {
      push_index(&c, i, a);
      if (!cell_jv_is_string(a))
        return fail(&c, "expected a string (an SCMP_ARCH_* name)");
      const char *name = cell_jv_str(a);
      const cell_sc_arch *arch = strncmp(name, "SCMP_ARCH_", 10) == 0 ? cell_sc_arch_by_name(name) : NULL;
      if (!arch)
        return fail(&c, "unknown architecture \"%s\"", name);
      p->arches_listed = true;
      bool dup = false;
      for (size_t k = 0; k < p->narches; k++)
        dup |= p->arches[k] == cell_sc_arch_index(arch);
      /* there are fewer arches than CELL_SC_MAX_ARCHES */
      if (!dup && p->narches < CELL_SC_MAX_ARCHES)
        p->arches[p->narches++] = (uint16_t) cell_sc_arch_index(arch);
      pop(&c);
    }
    pop(&c);
  }

  v = cell_jv_get(seccomp, "flags");
  if (v && !cell_jv_is_null(v)) {
    push_key(&c, "flags", v);
    if (!cell_jv_is_array(v))
      return fail(&c, "expected an array of SECCOMP_FILTER_FLAG_* names");
    size_t i, j;
    const cell_jv *f;
    cell_jv_array_foreach(v, i, f) {
      push_index(&c, i, f);
      if (!cell_jv_is_string(f))
        return fail(&c, "expected a string (a SECCOMP_FILTER_FLAG_* name)");
      for (j = 0; j < sizeof flags / sizeof flags[0]; j++)
        if (strcmp(cell_jv_str(f), flags[j].name) == 0)
          break;
      if (j == sizeof flags / sizeof flags[0])
        return fail(&c, "unknown flag \"%s\"", cell_jv_str(f));
      p->flags |= flags[j].flag;
      if (p->nflag_names < sizeof p->flag_names / sizeof p->flag_names[0])
        p->flag_names[p->nflag_names++] = flags[j].name;
      pop(&c);
    }
    pop(&c);
  } else {
    /* no flags given: SPEC_ALLOW, as crun (the kernel's speculation
     * mitigations cost a lot and containers rarely need them); dropped when
     * the kernel lacks the flag */
    p->flags = p->optional_flags = CELL_SECCOMP_FLAG_SPEC_ALLOW;
  }

  const cell_jv *lp = cell_jv_get(seccomp, "listenerPath");
  if (lp && !cell_jv_is_null(lp)) {
    push_key(&c, "listenerPath", lp);
    if (!cell_jv_is_string(lp) || !cell_jv_strlen(lp))
      return fail(&c, "expected a path to a unix socket");
    p->listener_path = cell_jv_str(lp);
    pop(&c);
  }
  const cell_jv *lm = cell_jv_get(seccomp, "listenerMetadata");
  if (lm && !cell_jv_is_null(lm)) {
    push_key(&c, "listenerMetadata", lm);
    if (!cell_jv_is_string(lm))
      return fail(&c, "expected a string");
    if (!lp || cell_jv_is_null(lp))
      return fail(&c, "is only valid with listenerPath");
    pop(&c);
  }

  v = cell_jv_get(seccomp, "syscalls");
  if (v && !cell_jv_is_null(v)) {
    push_key(&c, "syscalls", v);
    if (!cell_jv_is_array(v))
      return fail(&c, "expected an array");
    caps cap = { 0 };
    size_t i;
    const cell_jv *sc;
    cell_jv_array_foreach(v, i, sc) {
      push_index(&c, i, sc);
      r = parse_syscall(&c, sc, i, p, &cap);
      if (r < 0)
        return r;
      pop(&c);
    }
    pop(&c);
  }
  /* Whether a receiver exists (listenerPath, or plugins through an
   * annotation) is the runtime's check: cell_notify_validate. */
  if (p->has_notify)
    p->flags |= CELL_SECCOMP_FLAG_NEW_LISTENER;
  return 0;
}
