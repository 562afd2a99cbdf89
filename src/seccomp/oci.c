/* The OCI front end: every field of linux.seccomp, validated, into the IR.
 * runc's and crun's habits kept where profiles rely on them: a rule whose
 * action equals the default is skipped, ERRNO and TRACE default to EPERM,
 * socket and IPC rules also cover socketcall(2)/ipc(2) on the
 * architectures that multiplex them (as libseccomp does). */
#include "seccomp/oci.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 8

typedef struct octx {
  const cell_seccomp_opts *opts;
  cell_error *err;
  cell_json_pathel path[MAX_DEPTH];
  size_t depth;
} octx;

static void push_key(octx *c, const char *key)
{
  c->path[c->depth++] = (cell_json_pathel) { key, 0 };
}

static void push_index(octx *c, size_t i)
{
  c->path[c->depth++] = (cell_json_pathel) { NULL, i };
}

static void pop(octx *c)
{
  c->depth--;
}

static void append_path(char *buf, size_t size, size_t *len, const cell_json_pathel *p, size_t n)
{
  for (size_t i = 0; i < n && *len < size; i++) {
    int w;
    if (p[i].key)
      w = snprintf(buf + *len, size - *len, "%s%s", *len ? "." : "", p[i].key);
    else
      w = snprintf(buf + *len, size - *len, "[%zu]", p[i].index);
    if (w > 0)
      *len += (size_t) w;
  }
}

static int fail(octx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(octx *c, const char *fmt, ...)
{
  const cell_seccomp_opts *o = c->opts;
  char where[512];
  size_t len = 0;
  where[0] = 0;
  if (o && o->prefix_len)
    append_path(where, sizeof where, &len, o->prefix, o->prefix_len);
  else
    len = (size_t) snprintf(where, sizeof where, "linux.seccomp");
  append_path(where, sizeof where, &len, c->path, c->depth);

  char loc[256] = "";
  if (o && o->source) {
    cell_json_pathel full[MAX_DEPTH + 8];
    size_t n = 0;
    for (size_t i = 0; i < o->prefix_len && n < MAX_DEPTH; i++)
      full[n++] = o->prefix[i];
    for (size_t i = 0; i < c->depth; i++)
      full[n++] = c->path[i];
    int line = 0, col = 0;
    if (cell_json_locate(o->source, o->source_len, full, n, &line, &col) >= 0 && line > 0)
      snprintf(loc, sizeof loc, "%s:%d:%d: ", o->source_name ? o->source_name : "config.json",
               line, col);
  }
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

/* Parse an action and its errno member (key errno_key of obj). */
static int parse_action(octx *c, json_t *obj, const char *key, const char *errno_key,
                        bool is_default, uint32_t *out)
{
  json_t *v = json_object_get(obj, key);
  push_key(c, key);
  if (!v) {
    pop(c);
    return fail(c, "%s is required", key);
  }
  if (!json_is_string(v))
    return fail(c, "expected a string (an SCMP_ACT_* action)");
  const char *name = json_string_value(v);
  size_t i;
  for (i = 0; i < sizeof actions / sizeof actions[0]; i++)
    if (strcmp(name, actions[i].name) == 0)
      break;
  if (i == sizeof actions / sizeof actions[0])
    return fail(c, "unknown action \"%s\"", name);
  uint32_t ret = actions[i].ret;
  /* NOTIFY as the default is fine for the kernel (libseccomp refuses it);
   * cell's listener hand-off makes it safe to load. */
  (void) is_default;
  pop(c);

  json_t *e = json_object_get(obj, errno_key);
  bool takes_errno = ret == CELL_SC_RET_ERRNO || ret == CELL_SC_RET_TRACE;
  uint32_t data = takes_errno ? EPERM : 0;
  if (e && !json_is_null(e)) {
    push_key(c, errno_key);
    if (!takes_errno)
      return fail(c, "only valid with SCMP_ACT_ERRNO and SCMP_ACT_TRACE, not %s", name);
    if (!json_is_integer(e))
      return fail(c, "expected an integer");
    json_int_t n = json_integer_value(e);
    if (n < 0 || n > 0xffff)
      return fail(c, "%lld is out of range 0..65535", (long long) n);
    data = (uint32_t) n;
    pop(c);
  }
  *out = ret | data;
  return 0;
}

static int parse_u64(octx *c, json_t *v, uint64_t *out)
{
  if (!json_is_integer(v))
    return fail(c, "expected an integer");
  /* jansson holds signed 64-bit integers: negative values are taken as
   * two's complement, so -1 is 0xffffffffffffffff. */
  *out = (uint64_t) json_integer_value(v);
  return 0;
}

static int parse_arg(octx *c, json_t *a, cell_sc_cond *cond)
{
  if (!json_is_object(a))
    return fail(c, "expected an object {index, value, valueTwo, op}");
  json_t *v = json_object_get(a, "index");
  push_key(c, "index");
  if (!v) {
    pop(c);
    return fail(c, "index is required");
  }
  if (!json_is_integer(v))
    return fail(c, "expected an integer");
  if (json_integer_value(v) < 0 || json_integer_value(v) > 5)
    return fail(c, "%lld is not an argument index 0..5", (long long) json_integer_value(v));
  cond->arg = (uint8_t) json_integer_value(v);
  pop(c);

  v = json_object_get(a, "op");
  push_key(c, "op");
  if (!v) {
    pop(c);
    return fail(c, "op is required");
  }
  if (!json_is_string(v))
    return fail(c, "expected a string (an SCMP_CMP_* operator)");
  size_t i;
  for (i = 0; i < sizeof ops / sizeof ops[0]; i++)
    if (strcmp(json_string_value(v), ops[i].name) == 0)
      break;
  if (i == sizeof ops / sizeof ops[0])
    return fail(c, "unknown operator \"%s\"", json_string_value(v));
  cond->op = (uint8_t) ops[i].op;
  pop(c);

  uint64_t value = 0, two = 0;
  v = json_object_get(a, "value");
  push_key(c, "value");
  if (!v) {
    pop(c);
    return fail(c, "value is required");
  }
  if (parse_u64(c, v, &value) < 0)
    return -EINVAL;
  pop(c);
  v = json_object_get(a, "valueTwo");
  if (v && !json_is_null(v)) {
    push_key(c, "valueTwo");
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

/* One name of one rule on every architecture of the IR. */
static int add_name(octx *c, cell_sc_ir *ir, const cell_sc_syscall *s, uint32_t action,
                    uint32_t order, cell_sc_cond *conds, size_t ncond)
{
  cell_sc_cond mux[64];
  const cell_sc_syscall *muxer = NULL;
  uint32_t call = (uint32_t) cell_sc_mux_call(s->name, &muxer);
  for (size_t i = 0; i < ir->narches; i++) {
    const cell_sc_arch *a = &cell_sc_arches[ir->arches[i]];
    int64_t nr = cell_sc_syscall_nr(a, s);
    int r;
    int64_t mux_nr = call ? cell_sc_syscall_nr(a, muxer) : -1;
    if (mux_nr >= 0) {
      /* socketcall(call, ...): the first argument selects the call; the
       * other conditions are kept as libseccomp keeps them */
      size_t n = 0;
      mux[n++] = (cell_sc_cond) { .arg = 0, .op = CELL_SC_EQ, .value = call };
      for (size_t j = 0; j < ncond && n < sizeof mux / sizeof mux[0]; j++)
        if (conds[j].arg != 0)
          mux[n++] = conds[j];
      r = cell_sc_ir_add_rule(ir, ir->arches[i], (uint32_t) mux_nr, action, order, mux, n);
      if (r < 0)
        return cell_error_set(c->err, -r, "seccomp: out of memory");
    }
    if (nr < 0)
      continue;
    r = cell_sc_ir_add_rule(ir, ir->arches[i], (uint32_t) nr, action, order, conds, ncond);
    if (r < 0)
      return cell_error_set(c->err, -r, "seccomp: out of memory");
  }
  return 0;
}

static int parse_syscall(octx *c, json_t *sc, cell_sc_ir *ir, uint32_t *order,
                         cell_sc_oci_result *res)
{
  if (!json_is_object(sc))
    return fail(c, "expected an object {names, action, errnoRet, args}");
  uint32_t action;
  int r = parse_action(c, sc, "action", "errnoRet", false, &action);
  if (r < 0)
    return r;

  json_t *names = json_object_get(sc, "names");
  push_key(c, "names");
  if (!names) {
    pop(c);
    return fail(c, "names is required");
  }
  if (!json_is_array(names) || json_array_size(names) == 0)
    return fail(c, "expected a non-empty array of syscall names");
  size_t i;
  json_t *n;
  json_array_foreach(names, i, n) {
    if (!json_is_string(n) || !json_string_length(n)) {
      push_index(c, i);
      return fail(c, "expected a syscall name");
    }
  }
  pop(c);

  cell_sc_cond conds[64];
  size_t ncond = 0;
  json_t *args = json_object_get(sc, "args");
  if (args && !json_is_null(args)) {
    push_key(c, "args");
    if (!json_is_array(args))
      return fail(c, "expected an array");
    if (json_array_size(args) > sizeof conds / sizeof conds[0])
      return fail(c, "more than %zu conditions", sizeof conds / sizeof conds[0]);
    json_t *a;
    json_array_foreach(args, i, a) {
      push_index(c, i);
      r = parse_arg(c, a, &conds[ncond]);
      if (r < 0)
        return r;
      ncond++;
      pop(c);
    }
    pop(c);
  }
  if (action == CELL_SC_RET_USER_NOTIF)
    res->has_notify = true;

  /* as runc and crun: a rule that does what the default does is dropped */
  bool skip = action == ir->default_action;
  json_array_foreach(names, i, n) {
    const char *name = json_string_value(n);
    const cell_sc_syscall *s = cell_sc_syscall_lookup(name);
    uint32_t o = (*order)++;
    if (!s) {
      push_key(c, "names");
      push_index(c, i);
      if (c->opts && c->opts->fail_unknown_syscall)
        return fail(c, "unknown syscall \"%s\" (annotation run.oci.seccomp_fail_unknown_syscall is set)", name);
      char where[256];
      size_t len = 0;
      where[0] = 0;
      append_path(where, sizeof where, &len, c->path, c->depth);
      cell_log_warn(c->opts ? c->opts->log : NULL,
                    "seccomp: unknown syscall \"%s\" skipped (linux.seccomp.%s)", name, where);
      res->skipped++;
      pop(c);
      pop(c);
      continue;
    }
    if (skip)
      continue;
    r = add_name(c, ir, s, action, o, conds, ncond);
    if (r < 0)
      return r;
  }
  return 0;
}

int cell_sc_oci_to_ir(json_t *seccomp, const cell_seccomp_opts *opts, cell_sc_ir *ir,
                      cell_sc_oci_result *res, cell_error *err)
{
  octx c = { .opts = opts, .err = err };
  memset(res, 0, sizeof *res);
  if (!json_is_object(seccomp))
    return fail(&c, "expected an object");

  const cell_sc_arch *native = cell_sc_arch_by_name(opts && opts->arch ? opts->arch : NULL);
  if (opts && opts->arch && !native)
    return cell_error_set(err, EINVAL, "seccomp: unknown architecture \"%s\"", opts->arch);
  if (!native)
    native = cell_sc_arch_native();
  cell_sc_ir_add_arch(ir, cell_sc_arch_index(native));

  int r = parse_action(&c, seccomp, "defaultAction", "defaultErrnoRet", true, &ir->default_action);
  if (r < 0)
    return r;
  if (ir->default_action == CELL_SC_RET_USER_NOTIF)
    res->has_notify = true;

  json_t *v = json_object_get(seccomp, "architectures");
  if (v && !json_is_null(v)) {
    push_key(&c, "architectures");
    if (!json_is_array(v))
      return fail(&c, "expected an array of SCMP_ARCH_* names");
    size_t i;
    json_t *a;
    json_array_foreach(v, i, a) {
      push_index(&c, i);
      if (!json_is_string(a))
        return fail(&c, "expected a string (an SCMP_ARCH_* name)");
      const char *name = json_string_value(a);
      const cell_sc_arch *arch = strncmp(name, "SCMP_ARCH_", 10) == 0 ? cell_sc_arch_by_name(name) : NULL;
      if (!arch)
        return fail(&c, "unknown architecture \"%s\"", name);
      /* cannot fail: there are fewer arches than CELL_SC_MAX_ARCHES */
      (void) cell_sc_ir_add_arch(ir, cell_sc_arch_index(arch));
      pop(&c);
    }
    pop(&c);
  }

  v = json_object_get(seccomp, "flags");
  if (v && !json_is_null(v)) {
    push_key(&c, "flags");
    if (!json_is_array(v))
      return fail(&c, "expected an array of SECCOMP_FILTER_FLAG_* names");
    size_t i, j;
    json_t *f;
    json_array_foreach(v, i, f) {
      push_index(&c, i);
      if (!json_is_string(f))
        return fail(&c, "expected a string (a SECCOMP_FILTER_FLAG_* name)");
      for (j = 0; j < sizeof flags / sizeof flags[0]; j++)
        if (strcmp(json_string_value(f), flags[j].name) == 0)
          break;
      if (j == sizeof flags / sizeof flags[0])
        return fail(&c, "unknown flag \"%s\"", json_string_value(f));
      res->flags |= flags[j].flag;
      pop(&c);
    }
    pop(&c);
  } else {
    /* no flags given: SPEC_ALLOW, as crun (the kernel's speculation
     * mitigations cost a lot and containers rarely need them); dropped when
     * the kernel lacks the flag */
    res->flags = res->optional_flags = CELL_SECCOMP_FLAG_SPEC_ALLOW;
  }

  json_t *lp = json_object_get(seccomp, "listenerPath");
  if (lp && !json_is_null(lp)) {
    push_key(&c, "listenerPath");
    if (!json_is_string(lp) || !json_string_length(lp))
      return fail(&c, "expected a path to a unix socket");
    pop(&c);
  }
  json_t *lm = json_object_get(seccomp, "listenerMetadata");
  if (lm && !json_is_null(lm)) {
    push_key(&c, "listenerMetadata");
    if (!json_is_string(lm))
      return fail(&c, "expected a string");
    if (!lp || json_is_null(lp))
      return fail(&c, "is only valid with listenerPath");
    pop(&c);
  }

  v = json_object_get(seccomp, "syscalls");
  uint32_t order = 0;
  if (v && !json_is_null(v)) {
    push_key(&c, "syscalls");
    if (!json_is_array(v))
      return fail(&c, "expected an array");
    size_t i;
    json_t *sc;
    json_array_foreach(v, i, sc) {
      push_index(&c, i);
      r = parse_syscall(&c, sc, ir, &order, res);
      if (r < 0)
        return r;
      pop(&c);
    }
    pop(&c);
  }
  /* Whether a receiver exists (listenerPath, or plugins through an
   * annotation) is the runtime's check: cell_notify_validate. */
  if (res->has_notify)
    res->flags |= CELL_SECCOMP_FLAG_NEW_LISTENER;
  return 0;
}
