/* Conversions between policies and OCI JSON profiles.
 *
 * JSON to policy keeps the meaning the OCI front end (seccomp/oci.c) gives
 * a profile: rules whose action is the default are dropped, unconditional
 * rules come first in profile order, then the conditional ones from the
 * most restrictive action down (libseccomp's precedence as first-match
 * order), socket and IPC rules are repeated for socketcall(2)/ipc(2) on the
 * architectures that multiplex them, and `newer => ERRNO(ENOSYS);` stands
 * for the stub the front end always applies.
 *
 * Policy to JSON goes through the IR: one JSON rule per IR rule, named by
 * the syscall, then checked by compiling the JSON back with the OCI front
 * end and comparing the two IRs rule by rule; what differs has no JSON
 * form and is an error naming the syscall. */
#include "seccomp/lang/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "seccomp/oci.h"
#include "util/cleanup.h"

/* ---- actions and ops ---------------------------------------------------- */

static const struct { const char *json, *lang; uint32_t ret; } actions[] = {
  { "SCMP_ACT_ALLOW", "ALLOW", CELL_SC_RET_ALLOW },
  { "SCMP_ACT_ERRNO", "ERRNO", CELL_SC_RET_ERRNO },
  { "SCMP_ACT_KILL_PROCESS", "KILL_PROCESS", CELL_SC_RET_KILL_PROCESS },
  { "SCMP_ACT_KILL_THREAD", "KILL_THREAD", CELL_SC_RET_KILL_THREAD },
  { "SCMP_ACT_KILL", "KILL_THREAD", CELL_SC_RET_KILL_THREAD },
  { "SCMP_ACT_TRAP", "TRAP", CELL_SC_RET_TRAP },
  { "SCMP_ACT_TRACE", "TRACE", CELL_SC_RET_TRACE },
  { "SCMP_ACT_LOG", "LOG", CELL_SC_RET_LOG },
  { "SCMP_ACT_NOTIFY", "NOTIFY", CELL_SC_RET_USER_NOTIF },
};

static const char *const op_json[] = {
  [CELL_SC_NE] = "SCMP_CMP_NE", [CELL_SC_LT] = "SCMP_CMP_LT", [CELL_SC_LE] = "SCMP_CMP_LE",
  [CELL_SC_EQ] = "SCMP_CMP_EQ", [CELL_SC_GE] = "SCMP_CMP_GE", [CELL_SC_GT] = "SCMP_CMP_GT",
  [CELL_SC_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};
static const char *const op_lang[] = {
  [CELL_SC_NE] = "!=", [CELL_SC_LT] = "<", [CELL_SC_LE] = "<=", [CELL_SC_EQ] = "==",
  [CELL_SC_GE] = ">=", [CELL_SC_GT] = ">", [CELL_SC_MASKED_EQ] = "&",
};

static void action_text(FILE *f, uint32_t ret)
{
  uint32_t data = ret & CELL_SC_RET_DATA;
  for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
    if (actions[i].ret == (ret & CELL_SC_RET_ACTION_FULL)) {
      fputs(actions[i].lang, f);
      if (actions[i].ret == CELL_SC_RET_ERRNO) {
        const char *e = lang_errno_name(data);
        if (e)
          fprintf(f, "(%s)", e);
        else
          fprintf(f, "(%u)", data);
      } else if (actions[i].ret == CELL_SC_RET_TRACE || data) {
        fprintf(f, "(%u)", data);
      }
      return;
    }
  fprintf(f, "ALLOW /* unknown action 0x%08x */", ret);
}

static int json_action(json_t *o, const char *key, const char *ekey, uint32_t *ret, cell_error *err)
{
  json_t *v = json_object_get(o, key);
  if (!json_is_string(v))
    return cell_error_set(err, EINVAL, "%s: expected an SCMP_ACT_* string", key);
  size_t i;
  for (i = 0; i < sizeof actions / sizeof actions[0]; i++)
    if (strcmp(json_string_value(v), actions[i].json) == 0)
      break;
  if (i == sizeof actions / sizeof actions[0])
    return cell_error_set(err, EINVAL, "%s: unknown action \"%s\"", key, json_string_value(v));
  *ret = actions[i].ret;
  bool takes = *ret == CELL_SC_RET_ERRNO || *ret == CELL_SC_RET_TRACE;
  json_t *e = json_object_get(o, ekey);
  if (takes)
    *ret |= e && json_is_integer(e) ? (uint32_t) (json_integer_value(e) & 0xffff) : EPERM;
  return 0;
}

/* ---- JSON to policy ----------------------------------------------------- */

typedef struct out_rule {
  int rank;        /* action rank; -1 for the unconditional group */
  size_t idx, sub; /* profile order */
  char *text;
} out_rule;

static int cmp_out(const void *x, const void *y)
{
  const out_rule *a = x, *b = y;
  if (a->rank != b->rank)
    return a->rank < b->rank ? -1 : 1;
  if (a->idx != b->idx)
    return a->idx < b->idx ? -1 : 1;
  return a->sub < b->sub ? -1 : a->sub > b->sub;
}

static void names_text(FILE *f, const char *const *names, size_t n)
{
  if (n == 1) {
    fprintf(f, "$syscall == %s", names[0]);
    return;
  }
  fputs("$syscall in (", f);
  size_t col = 14;
  for (size_t i = 0; i < n; i++) {
    size_t w = strlen(names[i]) + 2;
    if (i && col + w > 92) {
      fputs(",\n    ", f);
      col = 4;
    } else if (i) {
      fputs(", ", f);
    }
    fputs(names[i], f);
    col += w;
  }
  fputc(')', f);
}

static void cond_text(FILE *f, const cell_sc_cond *c)
{
  if (c->op == CELL_SC_MASKED_EQ)
    fprintf(f, " && $arg%u & 0x%llx == 0x%llx", c->arg, (unsigned long long) c->mask,
            (unsigned long long) (c->value & c->mask));
  else if (c->value < 4096)
    fprintf(f, " && $arg%u %s %llu", c->arg, op_lang[c->op], (unsigned long long) c->value);
  else
    fprintf(f, " && $arg%u %s 0x%llx", c->arg, op_lang[c->op], (unsigned long long) c->value);
}

/* A rule's text: guard (arch condition or NULL), names, conditions. */
static char *rule_text(const char *guard, const char *const *names, size_t n, const cell_sc_cond *conds,
                       size_t nc, uint32_t action)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f)
    return NULL;
  if (guard)
    fprintf(f, "%s && ", guard);
  names_text(f, names, n);
  for (size_t i = 0; i < nc; i++)
    cond_text(f, &conds[i]);
  fputs(" => ", f);
  action_text(f, action);
  fputs(";\n", f);
  if (fclose(f) != 0) {
    free(buf);
    return NULL;
  }
  return buf;
}

typedef struct conv {
  out_rule *r;
  size_t n, cap;
  cell_error *err;
} conv;

static int push_out(conv *cv, int rank, size_t idx, size_t sub, char *text)
{
  if (!text)
    return cell_error_set(cv->err, ENOMEM, "out of memory");
  if (cv->n == cv->cap) {
    size_t nc = cv->cap ? cv->cap * 2 : 32;
    out_rule *q = realloc(cv->r, nc * sizeof *q);
    if (!q) {
      free(text);
      return cell_error_set(cv->err, ENOMEM, "out of memory");
    }
    cv->r = q;
    cv->cap = nc;
  }
  cv->r[cv->n++] = (out_rule) { rank, idx, sub, text };
  return 0;
}

/* *dropped: an always-true comparison was left out; the IR counts it as a
 * condition all the same (the rule is not unconditional). */
static int parse_args(json_t *args, cell_sc_cond *conds, size_t *n, bool *never, bool *dropped,
                      cell_error *err, size_t idx)
{
  size_t i;
  json_t *a;
  *n = 0;
  *never = *dropped = false;
  if (!args || json_is_null(args))
    return 0;
  if (!json_is_array(args) || json_array_size(args) > 64)
    return cell_error_set(err, EINVAL, "syscalls[%zu].args: expected an array of at most 64", idx);
  json_array_foreach(args, i, a) {
    json_t *ix = json_object_get(a, "index"), *v = json_object_get(a, "value"),
           *two = json_object_get(a, "valueTwo"), *op = json_object_get(a, "op");
    if (!json_is_integer(ix) || json_integer_value(ix) < 0 || json_integer_value(ix) > 5 || !json_is_integer(v) ||
        !json_is_string(op))
      return cell_error_set(err, EINVAL, "syscalls[%zu].args[%zu]: expected {index 0..5, value, op}", idx, i);
    cell_sc_cond c = { (uint8_t) json_integer_value(ix), 0, (uint64_t) json_integer_value(v), 0 };
    for (unsigned k = CELL_SC_NE; k <= CELL_SC_MASKED_EQ; k++)
      if (strcmp(json_string_value(op), op_json[k]) == 0)
        c.op = (uint8_t) k;
    if (!c.op)
      return cell_error_set(err, EINVAL, "syscalls[%zu].args[%zu].op: unknown \"%s\"", idx, i, json_string_value(op));
    if (c.op == CELL_SC_MASKED_EQ) {
      c.mask = c.value;
      c.value = json_is_integer(two) ? (uint64_t) json_integer_value(two) : 0;
      if (c.mask == 0)
        continue;   /* always true */
    } else if ((c.op == CELL_SC_GE && c.value == 0) || (c.op == CELL_SC_LE && c.value == UINT64_MAX)) {
      *dropped = true;
      continue;     /* always true; the rule stays in the conditional group */
    } else if ((c.op == CELL_SC_LT && c.value == 0) || (c.op == CELL_SC_GT && c.value == UINT64_MAX)) {
      *never = true;
    }
    conds[(*n)++] = c;
  }
  return 0;
}

static bool never_cond(const cell_sc_cond *c, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if ((c[i].op == CELL_SC_LT && c[i].value == 0) || (c[i].op == CELL_SC_GT && c[i].value == UINT64_MAX))
      return true;
  return false;
}

/* A rule that can never match still reaches socketcall(2)/ipc(2) where the
 * impossible comparison was on the first argument, which the OCI front end
 * replaces by the call number there. */
static bool mux_can_match(const cell_sc_cond *conds, size_t nc, size_t narches, const uint16_t *arches,
                          const char *const *names, size_t nk)
{
  cell_sc_cond rest[64];
  size_t n = 0;
  for (size_t j = 0; j < nc; j++)
    if (conds[j].arg != 0)
      rest[n++] = conds[j];
  if (never_cond(rest, n))
    return false;
  for (size_t a = 0; a < narches; a++)
    for (size_t q = 0; q < nk; q++) {
      uint32_t mux_nr, call;
      if (cell_sc_multiplexed(&cell_sc_arches[arches[a]], names[q], &mux_nr, &call))
        return true;
    }
  return false;
}

/* conditions trivial (MASKED_EQ without mask bits) on 64- or 32-bit arches */
static bool trivial(const cell_sc_cond *c, size_t n, bool bits64)
{
  for (size_t i = 0; i < n; i++)
    if (c[i].op != CELL_SC_MASKED_EQ || (bits64 ? c[i].mask : (uint32_t) c[i].mask) != 0)
      return false;
  return true;
}

static void arch_guard(char *buf, size_t size, const uint16_t *arches, size_t n, bool bits64)
{
  size_t len = (size_t) snprintf(buf, size, "$arch in (");
  bool first = true;
  for (size_t i = 0; i < n; i++) {
    const cell_sc_arch *a = &cell_sc_arches[arches[i]];
    if (a->bits64 != bits64)
      continue;
    len += (size_t) snprintf(buf + len, len < size ? size - len : 0, "%s%s", first ? "" : ", ", a->short_name);
    first = false;
  }
  snprintf(buf + len, len < size ? size - len : 0, ")");
}

int cell_sc_lang_from_json(json_t *seccomp, char **out, cell_error *err)
{
  *out = NULL;
  if (!json_is_object(seccomp))
    return cell_error_set(err, EINVAL, "expected a linux.seccomp object");
  uint32_t def;
  int r = json_action(seccomp, "defaultAction", "defaultErrnoRet", &def, err);
  if (r < 0)
    return r;
  uint16_t arches[CELL_SC_MAX_ARCHES];
  size_t narches = 0;
  arches[narches++] = (uint16_t) cell_sc_arch_index(cell_sc_arch_native());
  json_t *av = json_object_get(seccomp, "architectures");
  size_t i;
  json_t *v;
  if (json_is_array(av))
    json_array_foreach(av, i, v) {
      const cell_sc_arch *a = json_is_string(v) ? cell_sc_arch_by_name(json_string_value(v)) : NULL;
      if (!a)
        return cell_error_set(err, EINVAL, "architectures[%zu]: unknown architecture", i);
      bool dup = false;
      for (size_t k = 0; k < narches; k++)
        dup |= arches[k] == cell_sc_arch_index(a);
      if (!dup && narches < CELL_SC_MAX_ARCHES)
        arches[narches++] = (uint16_t) cell_sc_arch_index(a);
    }
  bool has32 = false, has64 = false;
  for (size_t k = 0; k < narches; k++)
    *(cell_sc_arches[arches[k]].bits64 ? &has64 : &has32) = true;

  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f)
    return cell_error_set(err, ENOMEM, "out of memory");
  conv cv = { .err = err };
  _cleanup_free_ const char **never_names = NULL;
  size_t nnever = 0, never_cap = 0;

  fprintf(f, "// converted from an OCI seccomp profile by `cell seccomp convert --to sec`\n");
  if (json_is_array(av) && json_array_size(av)) {
    fputs("arch ", f);
    for (size_t k = 0; k < narches; k++)
      fprintf(f, "%s%s", k ? ", " : "", cell_sc_arches[arches[k]].short_name);
    fputs(";\n", f);
  }
  json_t *flags = json_object_get(seccomp, "flags");
  if (json_is_array(flags) && json_array_size(flags)) {
    fputs("// flags (not part of a policy):", f);
    json_array_foreach(flags, i, v) fprintf(f, " %s", json_is_string(v) ? json_string_value(v) : "?");
    fputc('\n', f);
  }
  if (json_is_string(json_object_get(seccomp, "listenerPath")))
    fprintf(f, "// listenerPath (not part of a policy): %s\n", json_string_value(json_object_get(seccomp, "listenerPath")));

  json_t *scs = json_object_get(seccomp, "syscalls");
  json_t *sc;
  if (scs && !json_is_array(scs) && !json_is_null(scs))
    r = cell_error_set(err, EINVAL, "syscalls: expected an array");
  /* the multiplexers a rule without conditions decides first: their
   * socket and IPC forms would never apply */
  bool mux_taken[2] = { false, false };   /* socketcall, ipc */
  if (json_is_array(scs))
    json_array_foreach(scs, i, sc) {
      uint32_t act;
      cell_error e2 = CELL_ERROR_INIT;
      json_t *args = json_object_get(sc, "args");
      bool uncond = !args || json_is_null(args) || (json_is_array(args) && json_array_size(args) == 0);
      if (!uncond || json_action(sc, "action", "errnoRet", &act, &e2) < 0 || act == def) {
        cell_error_cleanup(&e2);
        continue;
      }
      size_t k;
      json_t *nm;
      json_array_foreach(json_object_get(sc, "names"), k, nm) {
        const char *s = json_string_value(nm);
        if (s && !strcmp(s, "socketcall"))
          mux_taken[0] = true;
        if (s && !strcmp(s, "ipc"))
          mux_taken[1] = true;
      }
    }
  if (json_is_array(scs))
    json_array_foreach(scs, i, sc) {
      if (r < 0)
        break;
      uint32_t action;
      if ((r = json_action(sc, "action", "errnoRet", &action, err)) < 0) {
        cell_error_wrap(err, "syscalls[%zu]", i);
        break;
      }
      cell_sc_cond conds[64];
      size_t nc;
      bool never, dropped;
      if ((r = parse_args(json_object_get(sc, "args"), conds, &nc, &never, &dropped, err, i)) < 0)
        break;
      json_t *names = json_object_get(sc, "names");
      if (!json_is_array(names) || !json_array_size(names)) {
        r = cell_error_set(err, EINVAL, "syscalls[%zu].names: expected a non-empty array", i);
        break;
      }
      _cleanup_free_ const char **known = calloc(json_array_size(names) + 1, sizeof *known);
      _cleanup_free_ const char **direct = calloc(json_array_size(names) + 1, sizeof *direct);
      size_t nk = 0, nd = 0, k;
      json_t *nm;
      if (!known || !direct) {
        r = cell_error_set(err, ENOMEM, "out of memory");
        break;
      }
      json_array_foreach(names, k, nm) {
        const char *s = json_string_value(nm);
        const cell_sc_syscall *row = s ? cell_sc_syscall_lookup(s) : NULL;
        bool somewhere = false, here = false;
        for (size_t q = 0; row && q < narches; q++) {
          uint32_t mux_nr, call;
          here |= cell_sc_syscall_nr(&cell_sc_arches[arches[q]], row) >= 0;
          somewhere |= cell_sc_multiplexed(&cell_sc_arches[arches[q]], row->name, &mux_nr, &call);
        }
        if (row && here)
          direct[nd++] = row->name;
        if (row && (here || somewhere))
          known[nk++] = row->name;
        else if (row)
          fprintf(f, "// syscalls[%zu]: %s does not exist on these architectures\n", i, s);
        else
          fprintf(f, "// syscalls[%zu]: unknown syscall \"%s\" skipped\n", i, s ? s : "?");
      }
      if (action == def || !nk)
        continue;   /* as the OCI front end */
      if (never && !mux_can_match(conds, nc, narches, arches, known, nk)) {
        for (size_t q = 0; q < nd; q++) {
          if (nnever == never_cap) {
            size_t ncap = never_cap ? never_cap * 2 : 16;
            const char **p = realloc(never_names, ncap * sizeof *p);
            if (!p) {
              r = cell_error_set(err, ENOMEM, "out of memory");
              break;
            }
            never_names = p;
            never_cap = ncap;
          }
          never_names[nnever++] = direct[q];
        }
        continue;
      }
      int rank = cell_sc_action_rank(action);
      bool t64 = !dropped && trivial(conds, nc, true), t32 = !dropped && trivial(conds, nc, false);
      size_t sub = 0;
      if (never || !nd) {
        /* only the socketcall/ipc form below can match */
      } else if ((has64 && has32 && t64 != t32)) {
        char g[512];
        arch_guard(g, sizeof g, arches, narches, true);
        if ((r = push_out(&cv, t64 ? -1 : rank, i, sub++, rule_text(g, direct, nd, conds, nc, action))) < 0)
          break;
        arch_guard(g, sizeof g, arches, narches, false);
        if ((r = push_out(&cv, t32 ? -1 : rank, i, sub++, rule_text(g, direct, nd, conds, nc, action))) < 0)
          break;
      } else {
        bool t = has64 ? t64 : t32;
        /* unconditional rules keep no conditions (all are trivial) */
        if ((r = push_out(&cv, t ? -1 : rank, i, sub++, rule_text(NULL, direct, nd, conds, t ? 0 : nc, action))) < 0)
          break;
      }
      /* socketcall(2) / ipc(2) */
      for (size_t ai = 0; ai < narches && r >= 0; ai++) {
        const cell_sc_arch *a = &cell_sc_arches[arches[ai]];
        for (size_t q = 0; q < nk && r >= 0; q++) {
          uint32_t mux_nr, call;
          if (!cell_sc_multiplexed(a, known[q], &mux_nr, &call))
            continue;
          cell_sc_cond mc[64];
          size_t nm2 = 0;
          mc[nm2++] = (cell_sc_cond) { 0, CELL_SC_EQ, call, 0 };
          for (size_t j = 0; j < nc && nm2 < 64; j++)
            if (conds[j].arg != 0)
              mc[nm2++] = conds[j];
          if (never_cond(mc, nm2))
            continue;
          char g[64];
          snprintf(g, sizeof g, "$arch == %s", a->short_name);
          const char *mux = cell_sc_syscall_name(a, mux_nr);
          if (mux && mux_taken[strcmp(mux, "ipc") == 0])
            continue;   /* an unconditional rule decides the multiplexer first */
          r = push_out(&cv, rank, i, sub++, rule_text(g, &mux, 1, mc, nm2, action));
        }
      }
    }
  if (r >= 0) {
    if (cv.n)
      qsort(cv.r, cv.n, sizeof *cv.r, cmp_out);
    for (size_t k = 0; k < cv.n; k++) {
      if (k == 0 || (cv.r[k].rank >= 0) != (cv.r[k - 1].rank >= 0))
        fprintf(f, cv.r[k].rank < 0 ? "\n// unconditional rules, in profile order\n"
                                    : "\n// conditional rules, the most restrictive action first\n");
      fputs(cv.r[k].text, f);
    }
    if (nnever) {
      fputs("\n// rules that can never match (< 0 or > 0xffffffffffffffff), kept for `newer`\n", f);
      char *t = rule_text(NULL, never_names, nnever, NULL, 0, def);
      if (!t)
        r = cell_error_set(err, ENOMEM, "out of memory");
      else
        fputs(t, f);
      free(t);
    }
    fputs("\n// numbers above the highest syscall the profile names: ENOSYS when the default denies\n"
          "newer => ERRNO(ENOSYS);\n=> ", f);
    action_text(f, def);
    fputs(";\n", f);
  }
  for (size_t k = 0; k < cv.n; k++)
    free(cv.r[k].text);
  free(cv.r);
  if (fclose(f) != 0 && r >= 0)
    r = cell_error_set(err, ENOMEM, "out of memory");
  if (r < 0) {
    free(buf);
    return r;
  }
  *out = buf;
  return 0;
}

/* ---- policy to JSON ----------------------------------------------------- */

static int cmp_rule(const void *x, const void *y)
{
  const cell_sc_rule *a = x, *b = y;
  if (a->arch != b->arch)
    return a->arch < b->arch ? -1 : 1;
  if (a->nr != b->nr)
    return a->nr < b->nr ? -1 : 1;
  return a->order < b->order ? -1 : a->order > b->order;
}

/* the rules of ir sorted by (arch, nr, order) (heap) */
static cell_sc_rule *sorted_rules(const cell_sc_ir *ir)
{
  cell_sc_rule *v = malloc((ir->nrules + 1) * sizeof *v);
  if (v) {
    if (ir->nrules) {
      memcpy(v, ir->rules, ir->nrules * sizeof *v);
      qsort(v, ir->nrules, sizeof *v, cmp_rule);
    }
  }
  return v;
}

static bool same_rule(const cell_sc_ir *x, const cell_sc_rule *a, const cell_sc_ir *y, const cell_sc_rule *b)
{
  if (a->action != b->action || a->ncond != b->ncond)
    return false;
  for (size_t i = 0; i < a->ncond; i++) {
    const cell_sc_cond *p = &x->conds[a->cond + i], *q = &y->conds[b->cond + i];
    if (p->arg != q->arg || p->op != q->op || p->value != q->value ||
        (p->op == CELL_SC_MASKED_EQ && p->mask != q->mask))
      return false;
  }
  return true;
}

static json_t *action_json(uint32_t ret, json_t *o, const char *key, const char *ekey)
{
  for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
    if (actions[i].ret == (ret & CELL_SC_RET_ACTION_FULL)) {
      json_object_set_new(o, key, json_string(actions[i].json));
      if (actions[i].ret == CELL_SC_RET_ERRNO || actions[i].ret == CELL_SC_RET_TRACE)
        json_object_set_new(o, ekey, json_integer(ret & CELL_SC_RET_DATA));
      return o;
    }
  return o;
}

/* the rules of one (arch, nr) in order: [first, end) of v */
static size_t run_end(const cell_sc_rule *v, size_t n, size_t first)
{
  size_t e = first;
  while (e < n && v[e].arch == v[first].arch && v[e].nr == v[first].nr)
    e++;
  return e;
}

/* Compare the IR of the policy with the IR its JSON compiles to. */
static int verify(const cell_sc_ir *a, const cell_sc_ir *b, cell_error *err)
{
  if (a->default_action != b->default_action)
    return cell_error_set(err, EINVAL, "no JSON form: the default action");
  bool same = a->narches == b->narches;
  for (size_t i = 0; same && i < a->narches; i++)
    same = cell_sc_ir_has_arch(b, a->arches[i]);
  if (!same)
    return cell_error_set(err, EINVAL, "no JSON form: the architectures");
  if (a->badarch_action != b->badarch_action)
    return cell_error_set(err, EINVAL, "no JSON form: `badarch` (JSON profiles kill the thread on other architectures)");
  _cleanup_free_ cell_sc_rule *x = sorted_rules(a);
  _cleanup_free_ cell_sc_rule *y = sorted_rules(b);
  if (!x || !y)
    return cell_error_set(err, ENOMEM, "out of memory");
  bool stub = cell_sc_action_denies(a->default_action);
  if (stub && a->enosys_stub != b->enosys_stub)
    return cell_error_set(err, EINVAL, "no JSON form: a denying default without `newer => ERRNO(ENOSYS);` "
                          "(OCI front ends always return ENOSYS above the highest syscall a profile names)");
  size_t i = 0, j = 0;
  while (i < a->nrules || j < b->nrules) {
    const cell_sc_rule *p = i < a->nrules ? &x[i] : NULL, *q = j < b->nrules ? &y[j] : NULL;
    size_t ie = p ? run_end(x, a->nrules, i) : i, je = q ? run_end(y, b->nrules, j) : j;
    int c = !p ? 1 : !q ? -1 : p->arch != q->arch ? (p->arch < q->arch ? -1 : 1) : p->nr != q->nr ? (p->nr < q->nr ? -1 : 1) : 0;
    const cell_sc_rule *at = c <= 0 ? p : q;
    const cell_sc_arch *ar = &cell_sc_arches[at->arch];
    const char *name = cell_sc_syscall_name(ar, at->nr);
    /* the first unconditional rule decides alone */
    size_t xi = i, xe = ie, yj = j, ye = je;
    for (size_t k = i; c <= 0 && k < ie; k++)
      if (x[k].ncond == 0) {
        xi = k, xe = k + 1;
        break;
      }
    for (size_t k = j; c >= 0 && k < je; k++)
      if (y[k].ncond == 0) {
        yj = k, ye = k + 1;
        break;
      }
    bool ok = c == 0 && xe - xi == ye - yj;
    for (size_t k = 0; ok && k < xe - xi; k++)
      ok = same_rule(a, &x[xi + k], b, &y[yj + k]);
    /* a lone rule with the default action only marks where `newer` starts */
    if (!ok && c < 0 && ie - i == 1 && x[i].ncond == 0 && x[i].action == a->default_action) {
      bool higher = false;
      for (size_t k = ie; k < a->nrules; k++)
        higher |= x[k].arch == x[i].arch;
      ok = !stub || higher;
      if (!ok)
        return cell_error_set(err, EINVAL, "no JSON form: `newer` starts above `%s` on %s, which has no rule of its own",
                              name ? name : "?", ar->short_name);
    }
    if (!ok)
      return cell_error_set(err, EINVAL,
                            "no JSON form: the rules for `%s` on %s (rules that differ between architectures, "
                            "use the default action, or reach socketcall/ipc differently than OCI profiles do)",
                            name ? name : "?", ar->short_name);
    if (c <= 0)
      i = ie;
    if (c >= 0)
      j = je;
  }
  return 0;
}

int cell_sc_lang_ir_to_json(const cell_sc_ir *ir, json_t **out, cell_error *err)
{
  *out = NULL;
  if (!ir->narches)
    return cell_error_set(err, EINVAL, "no JSON form: no architecture");
  _cleanup_free_ cell_sc_rule *v = sorted_rules(ir);
  if (!v)
    return cell_error_set(err, ENOMEM, "out of memory");
  json_t *o = json_object();
  json_t *arches = json_array(), *scs = json_array();
  action_json(ir->default_action, o, "defaultAction", "defaultErrnoRet");
  for (size_t i = 0; i < ir->narches; i++)
    json_array_append_new(arches, json_string(cell_sc_arches[ir->arches[i]].name));
  json_object_set_new(o, "architectures", arches);
  json_object_set_new(o, "syscalls", scs);
  int r = 0;
  /* one JSON rule per IR rule, taken from the first architecture that has
   * the syscall; the check below finds what the others do differently */
  for (size_t i = 0; i < ir->nrules && r >= 0; i++) {
    const cell_sc_rule *p = &v[i];
    const cell_sc_arch *a = &cell_sc_arches[p->arch];
    const char *name = cell_sc_syscall_name(a, p->nr);
    if (!name) {
      r = cell_error_set(err, EINVAL, "no JSON form: syscall number %u on %s has no name", p->nr, a->short_name);
      break;
    }
    const cell_sc_syscall *s = cell_sc_syscall_lookup(name);
    bool earlier = false;
    for (size_t k = 0; k < ir->narches && !earlier && ir->arches[k] != p->arch; k++)
      earlier = s && cell_sc_syscall_nr(&cell_sc_arches[ir->arches[k]], s) >= 0;
    if (earlier)
      continue;
    if (p->action == ir->default_action && p->ncond == 0)
      continue;   /* where `newer` starts: checked below */
    bool alone = p->ncond == 0 && (i + 1 >= ir->nrules || v[i + 1].arch != p->arch || v[i + 1].nr != p->nr) &&
                 (i == 0 || v[i - 1].arch != p->arch || v[i - 1].nr != p->nr);
    if (alone) {
      /* one unconditional rule: joins the names with the same action */
      json_t *same = NULL;
      size_t k;
      json_t *e;
      json_array_foreach(scs, k, e) {
        if (!json_object_get(e, "args") && json_is_true(json_object_get(e, "_alone")) &&
            json_integer_value(json_object_get(e, "_action")) == (json_int_t) p->action)
          same = e;
      }
      if (same) {
        json_array_append_new(json_object_get(same, "names"), json_string(name));
        continue;
      }
    }
    json_t *rule = json_object(), *args = json_array();
    if (alone) {
      json_object_set_new(rule, "_alone", json_true());
      json_object_set_new(rule, "_action", json_integer((json_int_t) p->action));
    }
    json_t *names = json_array();
    json_array_append_new(names, json_string(name));
    json_object_set_new(rule, "names", names);
    action_json(p->action, rule, "action", "errnoRet");
    if ((p->action & CELL_SC_RET_ACTION_FULL) == CELL_SC_RET_TRAP && (p->action & CELL_SC_RET_DATA))
      r = cell_error_set(err, EINVAL, "no JSON form: TRAP(%u) for `%s` (OCI has no data for TRAP)",
                         p->action & CELL_SC_RET_DATA, name);
    for (size_t k = 0; k < p->ncond; k++) {
      const cell_sc_cond *c = &ir->conds[p->cond + k];
      json_t *arg = json_object();
      json_object_set_new(arg, "index", json_integer(c->arg));
      bool m = c->op == CELL_SC_MASKED_EQ;
      json_object_set_new(arg, "value", json_integer((json_int_t) (m ? c->mask : c->value)));
      if (m)
        json_object_set_new(arg, "valueTwo", json_integer((json_int_t) c->value));
      json_object_set_new(arg, "op", json_string(op_json[c->op]));
      json_array_append_new(args, arg);
    }
    if (p->ncond)
      json_object_set_new(rule, "args", args);
    else
      json_decref(args);
    json_array_append_new(scs, rule);
  }
  size_t k;
  json_t *e;
  json_array_foreach(scs, k, e) {
    json_object_del(e, "_alone");
    json_object_del(e, "_action");
  }
  if (r >= 0) {
    cell_sc_ir back;
    cell_sc_oci_result res;
    cell_seccomp_opts so = { .arch = cell_sc_arches[ir->arches[0]].short_name,
                             .log = &(cell_log) { .fd = -1 } };
    cell_sc_ir_init(&back);
    r = cell_sc_oci_to_ir(o, &so, &back, &res, err);
    if (r >= 0)
      r = verify(ir, &back, err);
    cell_sc_ir_free(&back);
  }
  if (r < 0) {
    json_decref(o);
    return r;
  }
  *out = o;
  return 0;
}

int cell_sc_lang_to_json_file(const char *path, const cell_sc_lang_opts *opts, json_t **out, cell_error *err)
{
  cell_sc_ir ir;
  cell_sc_ir_init(&ir);
  int r = cell_sc_lang_compile_file(path, opts, &ir, err);
  if (r >= 0 && (r = cell_sc_lang_ir_to_json(&ir, out, err)) < 0)
    cell_error_wrap(err, "%s", path);
  cell_sc_ir_free(&ir);
  return r;
}
