/* A recording into a minimal profile (recording.h, cell_sc_rec_profile):
 * what the recording saw is allowed, with argument rules where it saw few
 * values; what the base denied stays denied with the base's answer;
 * syscalls newer than a kernel release get ENOSYS (libcs fall back from
 * those); everything else gets the default errno. */
#include "seccomp/recording.h"
#include "seccomp/ir.h"
#include "seccomp/lang/lang.h"
#include "seccomp/seccomp.h"
#include "seccomp/table.h"
#include "util/array.h"
#include "util/json-jansson.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One observed argument tuple of a syscall (all architectures together). */
typedef struct obs {
  uint64_t v[CELL_SC_REC_MAX_ARGS];
  uint64_t count;
  uint32_t ret;      /* ALLOW, or the deny answer */
} obs;

/* Everything recorded of one syscall name (or one unnamed number). */
typedef struct sys {
  const char *name;  /* NULL: a number the table does not know */
  int32_t arch;      /* for unnamed numbers */
  uint32_t nr;
  uint64_t count, allowed;
  uint32_t deny_ret; /* the answer of denied calls (the last one seen) */
  uint64_t denied;
  uint8_t nargs, argidx[CELL_SC_REC_MAX_ARGS];
  bool more;         /* values beyond what was kept, or calls without values */
  obs *o;
  size_t no;
} sys;

typedef struct gen {
  const cell_sc_rec_profile_opts *opts;
  sys *v;
  size_t n, cap;
  bool arches[64];
  cell_error *err;
} gen;

static sys *sys_get(gen *g, const char *name, int32_t arch, uint32_t nr)
{
  for (size_t i = 0; i < g->n; i++) {
    sys *s = &g->v[i];
    if (name ? s->name && strcmp(s->name, name) == 0 : !s->name && s->arch == arch && s->nr == nr)
      return s;
  }
  if (cell_grow((void **) &g->v, &g->cap, g->n + 1, sizeof *g->v) < 0)
    return NULL;
  sys *s = &g->v[g->n++];
  memset(s, 0, sizeof *s);
  s->name = name;
  s->arch = arch;
  s->nr = nr;
  return s;
}

static int obs_add(sys *s, const uint64_t v[CELL_SC_REC_MAX_ARGS], uint64_t count, uint32_t ret)
{
  for (size_t i = 0; i < s->no; i++)
    if (memcmp(s->o[i].v, v, sizeof s->o[i].v) == 0 && s->o[i].ret == ret) {
      s->o[i].count += count;
      return 0;
    }
  obs *no = realloc(s->o, (s->no + 1) * sizeof *no);
  if (!no)
    return -ENOMEM;
  s->o = no;
  memcpy(s->o[s->no].v, v, sizeof s->o[s->no].v);
  s->o[s->no].count = count;
  s->o[s->no++].ret = ret;
  return 0;
}

static bool denies(uint32_t ret)
{
  return (ret & CELL_SC_RET_ACTION_FULL) != CELL_SC_RET_ALLOW &&
         (ret & CELL_SC_RET_ACTION_FULL) != CELL_SC_RET_LOG;
}

/* The base's answer for arch, nr and the noted values (other arguments 0). */
static uint32_t base_answer(const cell_seccomp_filter *base, const cell_sc_arch *a, uint32_t nr,
                            const cell_sc_rec_entry *e, const uint64_t *v)
{
  uint64_t args[6] = { 0 };
  for (size_t i = 0; v && i < e->nargs; i++)
    args[e->argidx[i]] = v[i];
  cell_seccomp_data d;
  cell_error ig = CELL_ERROR_INIT;
  cell_seccomp_data_make(&d, a->short_name, nr, args, &ig);
  cell_error_clear(&ig);
  return cell_seccomp_run(base->insns, base->len, &d, NULL);
}

static int collect(gen *g, const cell_sc_recording *r)
{
  const cell_seccomp_filter *base = g->opts->base;
  for (size_t i = 0; i < CELL_SC_REC_ENTRIES; i++) {
    const cell_sc_rec_entry *e = &r->entries[i];
    if (!e->used || e->arch < 0)
      continue;
    const cell_sc_arch *a = &cell_sc_arches[e->arch];
    g->arches[e->arch] = true;
    const char *name = cell_sc_syscall_name(a, e->nr);
    sys *s = sys_get(g, name, e->arch, e->nr);
    if (!s)
      return -ENOMEM;
    s->count += e->count;
    if (e->nargs) {
      s->nargs = e->nargs;
      memcpy(s->argidx, e->argidx, sizeof s->argidx);
    }
    uint64_t seen = 0, seen_denied = 0;
    for (int32_t t = e->first; t >= 0; t = r->tuples[t].next) {
      const cell_sc_rec_tuple *tp = &r->tuples[t];
      seen += tp->count;
      seen_denied += tp->denied;
      uint64_t allowed = tp->count - tp->denied;
      if (base) {
        uint32_t ret = base_answer(base, a, e->nr, e, tp->v);
        if (obs_add(s, tp->v, tp->count, denies(ret) ? ret : CELL_SC_RET_ALLOW) < 0)
          return -ENOMEM;
        continue;
      }
      if (allowed && obs_add(s, tp->v, allowed, CELL_SC_RET_ALLOW) < 0)
        return -ENOMEM;
      if (tp->denied && obs_add(s, tp->v, tp->denied, e->deny_ret) < 0)
        return -ENOMEM;
    }
    /* Calls without values (none noted for this syscall, or not kept):
     * they count for the syscall as a whole, and an argument rule would
     * not cover them. */
    uint64_t rest = e->count > seen ? e->count - seen : 0;
    uint64_t rest_denied = e->denied > seen_denied ? e->denied - seen_denied : 0;
    if (rest_denied > rest)
      rest_denied = rest;
    if (e->nargs && (e->more || rest))
      s->more = true;
    if (base && rest) {
      uint32_t ret = base_answer(base, a, e->nr, e, NULL);
      rest_denied = denies(ret) ? rest : 0;
      if (rest_denied)
        s->deny_ret = ret;
    } else if (rest_denied)
      s->deny_ret = e->deny_ret;
    s->allowed += rest - rest_denied;
    s->denied += rest_denied;
  }
  for (size_t i = 0; i < g->n; i++)
    for (size_t k = 0; k < g->v[i].no; k++) {
      if (denies(g->v[i].o[k].ret)) {
        g->v[i].denied += g->v[i].o[k].count;
        g->v[i].deny_ret = g->v[i].o[k].ret;
      } else
        g->v[i].allowed += g->v[i].o[k].count;
    }
  return 0;
}

static int by_name(const void *a, const void *b)
{
  const sys *x = a, *y = b;
  if (x->name && y->name)
    return strcmp(x->name, y->name);
  if (!x->name != !y->name)
    return x->name ? -1 : 1;
  return x->nr < y->nr ? -1 : x->nr > y->nr;
}

static int by_values(const void *a, const void *b)
{
  const obs *x = a, *y = b;
  for (int i = 0; i < CELL_SC_REC_MAX_ARGS; i++)
    if (x->v[i] != y->v[i])
      return x->v[i] < y->v[i] ? -1 : 1;
  return 0;
}

/* Argument rules for s: its allowed values are few and all kept. */
static bool arg_rules(const gen *g, const sys *s, size_t *nallowed)
{
  size_t n = 0;
  for (size_t k = 0; k < s->no; k++)
    n += !denies(s->o[k].ret);
  *nallowed = n;
  /* JSON numbers stop at 2^63 for most readers (runc's uint64 fields
   * refuse negative ones): such values make the rule unconditional there */
  for (size_t k = 0; !g->opts->policy && k < s->no; k++)
    for (size_t i = 0; i < s->nargs; i++)
      if (s->o[k].v[i] > INT64_MAX)
        return false;
  return s->nargs && !s->more && n > 0 && n <= g->opts->max_values &&
         strcmp(s->name ? s->name : "", "clone3") != 0;  /* clone3's flags are in memory */
}

static const char *plural(uint64_t n)
{
  return n == 1 ? "" : "s";
}

static void value(FILE *f, uint64_t v)
{
  if (v < 4096)
    fprintf(f, "%" PRIu64, v);
  else
    fprintf(f, "%#" PRIx64, v);
}

static void action_sec(FILE *f, uint32_t ret)
{
  char buf[32];
  switch (ret & CELL_SC_RET_ACTION_FULL) {
  case CELL_SC_RET_ERRNO: {
    const char *n = strerrorname_np((int) (ret & CELL_SC_RET_DATA));
    if (n)
      fprintf(f, "ERRNO(%s)", n);
    else
      fprintf(f, "ERRNO(%u)", ret & CELL_SC_RET_DATA);
    break;
  }
  case CELL_SC_RET_TRAP: fprintf(f, "TRAP(%u)", ret & CELL_SC_RET_DATA); break;
  case CELL_SC_RET_TRACE: fprintf(f, "TRACE(%u)", ret & CELL_SC_RET_DATA); break;
  default: fputs(cell_seccomp_action_str(ret, buf), f); break;
  }
}

static void syscall_sec(FILE *f, const sys *s)
{
  if (s->name)
    fprintf(f, "$syscall == %s", s->name);
  else
    fprintf(f, "$arch == %s && $syscall == %u", cell_sc_arches[s->arch].short_name, s->nr);
}

static void tuple_sec(FILE *f, const sys *s, const obs *o)
{
  for (size_t i = 0; i < s->nargs; i++) {
    fprintf(f, " && $arg%u == ", s->argidx[i]);
    value(f, o->v[i]);
  }
}

/* Syscalls of the profile's architectures that came after the release. */
static bool newer(const gen *g, const cell_sc_syscall *row)
{
  if (!g->opts->newer)
    return false;
  for (size_t a = 0; a < cell_sc_narches; a++)
    if (g->arches[a] && cell_sc_syscall_nr(&cell_sc_arches[a], row) >= 0 &&
        cell_sc_syscall_kver(&cell_sc_arches[a], row) > g->opts->newer)
      return true;
  return false;
}

/* Calls a program makes or not by timing alone, harmless to allow: the
 * kernel's restart of an interrupted sleep or poll, the return from a
 * signal handler, the end of a thread or process. */
static const char *const plumbing[] = { "exit", "exit_group", "restart_syscall", "rt_sigreturn",
                                        "sigreturn", NULL };

/* Does a syscall of that name exist on one of the profile's arches? */
static bool exists(const gen *g, const char *name)
{
  const cell_sc_syscall *row = cell_sc_syscall_lookup(name);
  for (size_t a = 0; row && a < cell_sc_narches; a++)
    if (g->arches[a] && cell_sc_syscall_nr(&cell_sc_arches[a], row) >= 0)
      return true;
  return false;
}

static bool recorded(const gen *g, const char *name)
{
  for (size_t i = 0; i < g->n; i++)
    if (g->v[i].name && strcmp(g->v[i].name, name) == 0)
      return true;
  return false;
}

static void header(FILE *f, const gen *g, const cell_sc_recording *r, const char *lead)
{
  uint64_t calls = 0;
  for (size_t i = 0; i < g->n; i++)
    calls += g->v[i].count;
  fprintf(f, "%sWritten by `cell seccomp record` from %zu recording%s: %" PRIu64 " call%s of %zu "
          "syscall%s.\n", lead, g->opts->nsources, g->opts->nsources == 1 ? "" : "s", calls,
          plural(calls), g->n, g->n == 1 ? "" : "s");
  for (size_t i = 0; i < g->opts->nsources; i++)
    fprintf(f, "%s  %s\n", lead, g->opts->sources[i]);
  if (g->opts->base_name)
    fprintf(f, "%sWhat the base profile %s denies stays denied with its answer.\n", lead,
            g->opts->base_name);
  if (r->lost)
    fprintf(f, "%sWARNING: the recording lost %" PRIu64 " call%s (its table was full).\n", lead,
            r->lost, plural(r->lost));
  size_t unnamed = 0;
  for (size_t i = 0; i < g->n; i++)
    unnamed += !g->v[i].name;
  if (unnamed && !g->opts->policy)
    fprintf(f, "%s%zu recorded number%s the syscall table does not name %s left to the default "
            "(JSON names syscalls; the policy form has rules for them).\n", lead, unnamed,
            unnamed == 1 ? "" : "s", unnamed == 1 ? "is" : "are");
}

static void write_sec(FILE *f, const gen *g, const cell_sc_recording *r)
{
  header(f, g, r, "// ");
  fputs("arch ", f);
  const cell_sc_arch *native = cell_sc_arch_native();
  bool first = true;
  if (native && g->arches[cell_sc_arch_index(native)]) {
    fputs(native->short_name, f);
    first = false;
  }
  for (size_t a = 0; a < cell_sc_narches; a++)
    if (g->arches[a] && &cell_sc_arches[a] != native) {
      fprintf(f, "%s%s", first ? "" : ", ", cell_sc_arches[a].short_name);
      first = false;
    }
  /* numbers above the highest one named get ENOSYS, as the OCI front end
   * does for the JSON form: both forms decide alike */
  fputs(";\nnewer => ERRNO(ENOSYS);\n\n", f);
  for (size_t i = 0; i < g->n; i++) {
    const sys *s = &g->v[i];
    size_t nallowed;
    bool args = arg_rules(g, s, &nallowed);
    /* values the base denied, ahead of the allowed ones (first match) */
    for (size_t k = 0; args && k < s->no; k++) {
      if (!denies(s->o[k].ret))
        continue;
      syscall_sec(f, s);
      tuple_sec(f, s, &s->o[k]);
      fputs(" => ", f);
      action_sec(f, s->o[k].ret);
      fprintf(f, ";  // denied by the base: %" PRIu64 " call%s\n", s->o[k].count,
              plural(s->o[k].count));
    }
    if (!s->allowed) {
      syscall_sec(f, s);
      fputs(" => ", f);
      action_sec(f, s->deny_ret);
      fprintf(f, ";  // denied by the base: %" PRIu64 " call%s\n", s->denied, plural(s->denied));
      continue;
    }
    if (!args) {
      syscall_sec(f, s);
      fprintf(f, " => ALLOW;  // %" PRIu64 " call%s", s->allowed, plural(s->allowed));
      if (s->denied)
        fprintf(f, " (and %" PRIu64 " the base denied, on arguments not recorded)", s->denied);
      if (s->nargs && s->more)
        fputs(", more argument values than kept", f);
      else if (s->nargs && strcmp(s->name ? s->name : "", "clone3") != 0)
        fprintf(f, ", %zu distinct argument value%s", nallowed, nallowed == 1 ? "" : "s");
      fputc('\n', f);
      continue;
    }
    if (s->nargs == 1 && nallowed == 1) {
      for (size_t k = 0; k < s->no; k++)
        if (!denies(s->o[k].ret)) {
          syscall_sec(f, s);
          tuple_sec(f, s, &s->o[k]);
        }
      fprintf(f, " => ALLOW;  // %" PRIu64 " call%s\n", s->allowed, plural(s->allowed));
      continue;
    }
    if (s->nargs == 1) {
      syscall_sec(f, s);
      fprintf(f, " && $arg%u in (", s->argidx[0]);
      bool sep = false;
      for (size_t k = 0; k < s->no; k++) {
        if (denies(s->o[k].ret))
          continue;
        fputs(sep ? ", " : "", f);
        value(f, s->o[k].v[0]);
        sep = true;
      }
      fprintf(f, ") => ALLOW;  // %" PRIu64 " call%s:", s->allowed, plural(s->allowed));
      for (size_t k = 0; k < s->no; k++)
        if (!denies(s->o[k].ret))
          fprintf(f, " %" PRIu64, s->o[k].count);
      fputc('\n', f);
      continue;
    }
    for (size_t k = 0; k < s->no; k++) {
      if (denies(s->o[k].ret))
        continue;
      syscall_sec(f, s);
      tuple_sec(f, s, &s->o[k]);
      fprintf(f, " => ALLOW;  // %" PRIu64 " call%s\n", s->o[k].count, plural(s->o[k].count));
    }
  }
  bool first_p = true;
  for (size_t i = 0; plumbing[i]; i++) {
    if (recorded(g, plumbing[i]) || !exists(g, plumbing[i]))
      continue;
    if (first_p)
      fputs("\n// not recorded, allowed all the same: made or not by timing alone\n", f);
    first_p = false;
    fprintf(f, "$syscall == %s => ALLOW;\n", plumbing[i]);
  }
  if (g->opts->newer)
    fprintf(f, "\n// newer than Linux %u.%u: \"not implemented\", so that a libc falls back\n"
            "$syscall in NEWER(%u.%u) => ERRNO(ENOSYS);\n", g->opts->newer >> 16,
            g->opts->newer >> 8 & 0xff, g->opts->newer >> 16, g->opts->newer >> 8 & 0xff);
  fputs("=> ", f);
  action_sec(f, CELL_SC_RET_ERRNO | g->opts->deny_errno);
  fputs(";\n", f);
}

/* ---- JSON ------------------------------------------------------------------ */

static json_t *rule(const char *name, uint32_t ret, json_t *args, const char *comment)
{
  json_t *o = json_pack("{s:[s]}", "names", name);
  uint32_t a = ret & CELL_SC_RET_ACTION_FULL;
  const char *act = a == CELL_SC_RET_ALLOW ? "SCMP_ACT_ALLOW" : a == CELL_SC_RET_ERRNO ? "SCMP_ACT_ERRNO"
                    : a == CELL_SC_RET_KILL_PROCESS ? "SCMP_ACT_KILL_PROCESS"
                    : a == CELL_SC_RET_KILL_THREAD ? "SCMP_ACT_KILL_THREAD"
                    : a == CELL_SC_RET_TRAP ? "SCMP_ACT_TRAP" : a == CELL_SC_RET_TRACE ? "SCMP_ACT_TRACE"
                    : a == CELL_SC_RET_LOG ? "SCMP_ACT_LOG" : "SCMP_ACT_ALLOW";
  json_object_set_new(o, "action", json_string(act));
  if (a == CELL_SC_RET_ERRNO || a == CELL_SC_RET_TRACE)
    json_object_set_new(o, "errnoRet", json_integer(ret & CELL_SC_RET_DATA));
  if (args)
    json_object_set_new(o, "args", args);
  json_object_set_new(o, "comment", json_string(comment));
  return o;
}

static json_t *tuple_json(const sys *s, const obs *o)
{
  json_t *a = json_array();
  for (size_t i = 0; i < s->nargs; i++)
    json_array_append_new(a, json_pack("{s:i, s:o, s:s}", "index", s->argidx[i], "value",
                                       cell_json_u64(o->v[i]), "op", "SCMP_CMP_EQ"));
  return a;
}

static json_t *build_json(gen *g, const cell_sc_recording *r)
{
  char *head = NULL;
  size_t hlen = 0;
  FILE *hf = open_memstream(&head, &hlen);
  if (!hf)
    return NULL;
  header(hf, g, r, "");
  fclose(hf);
  json_t *arches = json_array();
  const cell_sc_arch *native = cell_sc_arch_native();
  if (native && g->arches[cell_sc_arch_index(native)])
    json_array_append_new(arches, json_string(native->name));
  for (size_t a = 0; a < cell_sc_narches; a++)
    if (g->arches[a] && &cell_sc_arches[a] != native)
      json_array_append_new(arches, json_string(cell_sc_arches[a].name));
  json_t *rules = json_array();
  char c[256];
  for (size_t i = 0; i < g->n; i++) {
    const sys *s = &g->v[i];
    if (!s->name)
      continue;   /* JSON names syscalls; unknown numbers are left to the default */
    size_t nallowed;
    bool args = arg_rules(g, s, &nallowed);
    if (!s->allowed) {
      snprintf(c, sizeof c, "denied by the base: %" PRIu64 " call%s", s->denied, plural(s->denied));
      json_array_append_new(rules, rule(s->name, s->deny_ret, NULL, c));
      continue;
    }
    if (!args) {
      snprintf(c, sizeof c, "%" PRIu64 " call%s", s->allowed, plural(s->allowed));
      json_array_append_new(rules, rule(s->name, CELL_SC_RET_ALLOW, NULL, c));
      continue;
    }
    for (size_t k = 0; k < s->no; k++) {
      const obs *o = &s->o[k];
      if (denies(o->ret) && (o->ret == (CELL_SC_RET_ERRNO | g->opts->deny_errno)))
        continue;   /* the default says it */
      snprintf(c, sizeof c, "%s%" PRIu64 " call%s", denies(o->ret) ? "denied by the base: " : "",
               o->count, plural(o->count));
      json_array_append_new(rules, rule(s->name, denies(o->ret) ? o->ret : CELL_SC_RET_ALLOW,
                                        tuple_json(s, o), c));
    }
  }
  for (size_t i = 0; plumbing[i]; i++)
    if (!recorded(g, plumbing[i]) && exists(g, plumbing[i]))
      json_array_append_new(rules, rule(plumbing[i], CELL_SC_RET_ALLOW, NULL,
                                        "not recorded, allowed all the same: made or not by timing alone"));
  if (g->opts->newer) {
    json_t *names = json_array();
    for (unsigned i = 0; i < cell_sc_nsyscalls; i++)
      if (newer(g, &cell_sc_syscalls[i]) && !recorded(g, cell_sc_syscalls[i].name))
        json_array_append_new(names, json_string(cell_sc_syscalls[i].name));
    if (json_array_size(names)) {
      snprintf(c, sizeof c, "newer than Linux %u.%u: \"not implemented\", so that a libc falls back",
               g->opts->newer >> 16, g->opts->newer >> 8 & 0xff);
      json_array_append_new(rules, json_pack("{s:o, s:s, s:i, s:s}", "names", names, "action",
                                             "SCMP_ACT_ERRNO", "errnoRet", ENOSYS, "comment", c));
    } else
      json_decref(names);
  }
  if (hlen && head[hlen - 1] == '\n')
    head[--hlen] = 0;
  json_t *o = json_pack("{s:s, s:s, s:i, s:o, s:o}", "comment", head, "defaultAction",
                        "SCMP_ACT_ERRNO", "defaultErrnoRet", (int) g->opts->deny_errno,
                        "architectures", arches, "syscalls", rules);
  free(head);
  return o;
}

int cell_sc_rec_profile(const cell_sc_recording *r, const cell_sc_rec_profile_opts *opts,
                        char **out, cell_error *err)
{
  gen g = { .opts = opts, .err = err };
  *out = NULL;
  int rc = collect(&g, r);
  if (rc == 0 && g.n == 0)
    rc = cell_error_set(err, EINVAL, "seccomp record: the recording has no syscalls");
  else if (rc < 0)
    rc = cell_error_set(err, ENOMEM, "seccomp record: out of memory");
  if (rc == 0) {
    if (opts->arches)
      for (size_t a = 0; a < cell_sc_narches && a < 64; a++)
        if (opts->arches[a])
          g.arches[a] = true;
    qsort(g.v, g.n, sizeof *g.v, by_name);
    for (size_t i = 0; i < g.n; i++)
      if (g.v[i].no)
        qsort(g.v[i].o, g.v[i].no, sizeof *g.v[i].o, by_values);
    if (opts->policy) {
      size_t len;
      FILE *f = open_memstream(out, &len);
      if (!f)
        rc = cell_error_sys(err, "seccomp record");
      else {
        write_sec(f, &g, r);
        fclose(f);
      }
    } else {
      json_t *j = build_json(&g, r);
      *out = j ? cell_json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
      json_decref(j);
      if (*out) {
        size_t len = strlen(*out);
        char *t = realloc(*out, len + 2);
        if (t) {
          t[len] = '\n';
          t[len + 1] = 0;
          *out = t;
        }
      } else
        rc = cell_error_set(err, ENOMEM, "seccomp record: out of memory");
    }
  }
  for (size_t i = 0; i < g.n; i++)
    free(g.v[i].o);
  free(g.v);
  return rc;
}
