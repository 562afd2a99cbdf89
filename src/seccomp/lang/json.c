/* Conversions between policies and OCI JSON profiles.
 *
 * JSON to policy reads the profile with the one OCI reader (seccomp/oci.c)
 * and writes what resolve.c makes of it: libseccomp's decision per
 * architecture and syscall as first-match rules (the tree's paths, on
 * 32-bit words where libseccomp compares words), architectures with the
 * same rules for a syscall sharing them, and `newer => ERRNO(ENOSYS);` for
 * the stub the front end always applies.  The text is written through a
 * `spelling` (one function per construct).
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
#include "seccomp/lang/dnf.h"
#include "util/cleanup.h"
#include "util/json-jansson.h"

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

/* ---- JSON to policy ----------------------------------------------------- */

/* The spelling of the policy text: one function per construct, so that a
 * second syntax needs only another set of these. */
typedef struct spelling {
  void (*comment)(FILE *f, const char *text);
  void (*arches)(FILE *f, const uint16_t *arches, size_t n);
  /* guard: the architectures the rule is for (NULL: all) */
  void (*rule)(FILE *f, const uint16_t *guard, size_t nguard, const char *const *names, size_t n,
               const cell_sc_cond *conds, size_t nc, uint32_t action);
  void (*newer)(FILE *f);
  void (*fallback)(FILE *f, uint32_t action);
} spelling;

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

static void sec_comment(FILE *f, const char *text)
{
  fprintf(f, "// %s\n", text);
}

static void sec_arches(FILE *f, const uint16_t *arches, size_t n)
{
  fputs("arch ", f);
  for (size_t k = 0; k < n; k++)
    fprintf(f, "%s%s", k ? ", " : "", cell_sc_arches[arches[k]].short_name);
  fputs(";\n", f);
}

static void sec_cond(FILE *f, const cell_sc_cond *c)
{
  const char *part = c->part == CELL_SC_LO ? ".lo" : c->part == CELL_SC_HI ? ".hi" : "";
  fprintf(f, " && $arg%u%s", c->arg, part);
  if (c->op == CELL_SC_MASKED_EQ || c->op == CELL_SC_MASKED_NE) {
    fprintf(f, " & 0x%llx %s ", (unsigned long long) c->mask, c->op == CELL_SC_MASKED_EQ ? "==" : "!=");
    fprintf(f, "0x%llx", (unsigned long long) (c->value & c->mask));
    return;
  }
  if (c->value < 4096)
    fprintf(f, " %s %llu", op_lang[c->op], (unsigned long long) c->value);
  else
    fprintf(f, " %s 0x%llx", op_lang[c->op], (unsigned long long) c->value);
}

static void sec_rule(FILE *f, const uint16_t *guard, size_t ng, const char *const *names, size_t n,
                     const cell_sc_cond *conds, size_t nc, uint32_t action)
{
  if (ng == 1)
    fprintf(f, "$arch == %s && ", cell_sc_arches[guard[0]].short_name);
  else if (ng > 1) {
    fputs("$arch in (", f);
    for (size_t i = 0; i < ng; i++)
      fprintf(f, "%s%s", i ? ", " : "", cell_sc_arches[guard[i]].short_name);
    fputs(") && ", f);
  }
  names_text(f, names, n);
  for (size_t i = 0; i < nc; i++)
    sec_cond(f, &conds[i]);
  fputs(" => ", f);
  action_text(f, action);
  fputs(";\n", f);
}

static void sec_newer(FILE *f)
{
  fputs("newer => ERRNO(ENOSYS);\n", f);
}

static void sec_fallback(FILE *f, uint32_t action)
{
  fputs("=> ", f);
  action_text(f, action);
  fputs(";\n", f);
}

static const spelling sec_spelling = { sec_comment, sec_arches, sec_rule, sec_newer, sec_fallback };

static int cmp_rule(const void *x, const void *y);

/* 1 always holds, -1 never, 0 depends (32-bit words only) */
static int lit_static(const cell_sc_cond *c)
{
  if (c->part == CELL_SC_FULL)
    return 0;
  uint32_t v = (uint32_t) c->value, m = (uint32_t) c->mask;
  switch (c->op) {
  case CELL_SC_GE: return v == 0 ? 1 : 0;
  case CELL_SC_LT: return v == 0 ? -1 : 0;
  case CELL_SC_LE: return v == UINT32_MAX ? 1 : 0;
  case CELL_SC_GT: return v == UINT32_MAX ? -1 : 0;
  case CELL_SC_MASKED_EQ: return m == 0 ? 1 : 0;
  case CELL_SC_MASKED_NE: return m == 0 ? -1 : 0;
  }
  return 0;
}

typedef struct group { uint16_t arch; uint32_t nr; size_t first, n; } group;

static bool same_rules(const cell_sc_ir *ir, const cell_sc_rule *v, const group *a, const group *b)
{
  if (a->n != b->n)
    return false;
  for (size_t i = 0; i < a->n; i++) {
    const cell_sc_rule *x = &v[a->first + i], *y = &v[b->first + i];
    if (x->action != y->action || x->ncond != y->ncond)
      return false;
    for (size_t j = 0; j < x->ncond; j++)
      if (!cell_sc_cond_same(&ir->conds[x->cond + j], &ir->conds[y->cond + j]))
        return false;
  }
  return true;
}

/* The rules of one group for the given arches. */
/* A path's comparisons on one 32-bit word, simplified: false when they
 * exclude each other; comparisons a word equality implies are dropped. */
static bool tidy_path(cell_sc_cond *c, size_t *n)
{
  for (size_t i = 0; i < *n; i++) {
    if (c[i].part == CELL_SC_FULL || c[i].op != CELL_SC_EQ)
      continue;
    for (size_t j = 0; j < *n; j++) {
      if (j == i || c[j].arg != c[i].arg || c[j].part != c[i].part)
        continue;
      cell_sc_arch any = { .bits64 = true };
      if (!cell_sc_cond_eval(&any, &c[j], c[i].part == CELL_SC_HI ? c[i].value << 32 : c[i].value))
        return false;
      if (c[j].op != CELL_SC_EQ && c[j].op != CELL_SC_MASKED_EQ && c[j].op != CELL_SC_MASKED_NE) {
        memmove(&c[j], &c[j + 1], (*n - j - 1) * sizeof *c);
        (*n)--;
        if (j < i)
          i--;
        j--;
      }
    }
  }
  /* hi <= v && hi != v, and the like: an empty range of one word */
  for (size_t i = 0; i < *n; i++)
    for (size_t j = 0; j < *n; j++) {
      const cell_sc_cond *a = &c[i], *b = &c[j];
      if (i == j || a->part == CELL_SC_FULL || a->arg != b->arg || a->part != b->part || a->value != b->value)
        continue;
      if ((a->op == CELL_SC_LE && b->op == CELL_SC_NE && a->value == 0) ||
          (a->op == CELL_SC_GE && b->op == CELL_SC_NE && (uint32_t) a->value == UINT32_MAX))
        return false;
    }
  return true;
}

static int write_group(FILE *f, const spelling *sp, const cell_sc_ir *ir, const cell_sc_rule *v, const group *g,
                       const uint16_t *guard, size_t ng, const char *name, cell_error *err)
{
  cell_sc_cond conds[64];
  bool wrote = false;
  for (size_t i = 0; i < g->n; i++) {
    const cell_sc_rule *r = &v[g->first + i];
    size_t nc = 0;
    bool never = false;
    for (size_t j = 0; j < r->ncond && nc < 64; j++) {
      const cell_sc_cond *c = &ir->conds[r->cond + j];
      int st = lit_static(c);
      never |= st < 0;
      (void) err;
      if (st == 0)
        conds[nc++] = *c;
    }
    if (never || !tidy_path(conds, &nc))
      continue;
    sp->rule(f, guard, ng, &name, 1, conds, nc, r->action);
    wrote = true;
    if (!nc)
      break;   /* first match: nothing after it is reached */
  }
  if (!wrote)   /* named (for `newer`), deciding nothing */
    sp->rule(f, guard, ng, &name, 1, NULL, 0, ir->default_action);
  return 0;
}

static int write_policy(FILE *f, const spelling *sp, const cell_sc_profile *p, const cell_sc_ir *ir,
                        cell_error *err)
{
  char line[512];
  sp->comment(f, "converted from an OCI seccomp profile by `cell seccomp convert --to sec`");
  sp->comment(f, "libseccomp's decision per syscall, first rule wins (see docs/seccomp.md)");
  if (p->arches_listed)
    sp->arches(f, ir->arches, ir->narches);
  if (p->nflag_names) {
    size_t len = (size_t) snprintf(line, sizeof line, "flags (not part of a policy):");
    for (size_t i = 0; i < p->nflag_names && len < sizeof line; i++)
      len += (size_t) snprintf(line + len, sizeof line - len, " %s", p->flag_names[i]);
    sp->comment(f, line);
  }
  if (p->listener_path) {
    snprintf(line, sizeof line, "listenerPath (not part of a policy): %s", p->listener_path);
    sp->comment(f, line);
  }
  for (size_t i = 0; i < p->nrules; i++)
    for (size_t k = 0; k < p->rules[i].nnames; k++)
      if (!p->names[p->rules[i].first_name + k].row) {
        snprintf(line, sizeof line, "syscalls[%zu]: unknown syscall \"%s\" skipped", p->rules[i].index,
                 p->names[p->rules[i].first_name + k].name);
        sp->comment(f, line);
      }

  _cleanup_free_ cell_sc_rule *v = malloc((ir->nrules + 1) * sizeof *v);
  _cleanup_free_ group *gs = malloc((ir->nrules + 1) * sizeof *gs);
  _cleanup_free_ uint8_t *done = calloc(ir->nrules + 1, 1);
  _cleanup_free_ const char **bundle = malloc((ir->nrules + 1) * sizeof *bundle);
  if (!v || !gs || !done || !bundle)
    return cell_error_set(err, ENOMEM, "out of memory");
  if (ir->nrules)
    memcpy(v, ir->rules, ir->nrules * sizeof *v);
  qsort(v, ir->nrules, sizeof *v, cmp_rule);
  size_t ng = 0;
  for (size_t i = 0; i < ir->nrules;) {
    size_t j = i;
    while (j < ir->nrules && v[j].arch == v[i].arch && v[j].nr == v[i].nr)
      j++;
    gs[ng++] = (group) { v[i].arch, v[i].nr, i, j - i };
    i = j;
  }

  /* per syscall: the arches where it has the same rules share them */
  typedef struct cls { const group *g; uint16_t arches[CELL_SC_MAX_ARCHES]; size_t n; } cls;
  typedef struct out { const char *name; cls c; bool all; } out;
  _cleanup_free_ out *outs = malloc((ng + 1) * sizeof *outs);
  if (!outs)
    return cell_error_set(err, ENOMEM, "out of memory");
  size_t nout = 0;
  for (size_t gi = 0; gi < ng; gi++) {
    if (done[gi])
      continue;
    const char *name = cell_sc_syscall_name(&cell_sc_arches[gs[gi].arch], gs[gi].nr);
    if (!name)
      return cell_error_set(err, EINVAL, "syscall number %u on %s has no name", gs[gi].nr,
                            cell_sc_arches[gs[gi].arch].short_name);
    const cell_sc_syscall *row = cell_sc_syscall_lookup(name);
    /* the groups of this name on every arch */
    const group *per[CELL_SC_MAX_ARCHES];
    size_t have = 0;
    for (size_t a = 0; a < ir->narches; a++) {
      per[a] = NULL;
      int64_t nr = row ? cell_sc_syscall_nr(&cell_sc_arches[ir->arches[a]], row) : -1;
      if (nr < 0)
        continue;
      have++;
      for (size_t k = gi; k < ng; k++)
        if (gs[k].arch == ir->arches[a] && gs[k].nr == (uint32_t) nr) {
          per[a] = &gs[k];
          done[k] = 1;
          break;
        }
    }
    bool used[CELL_SC_MAX_ARCHES] = { false };
    for (size_t a = 0; a < ir->narches; a++) {
      if (!per[a] || used[a])
        continue;
      out o = { .name = name, .c = { .g = per[a] } };
      for (size_t b = a; b < ir->narches; b++)
        if (per[b] && !used[b] && same_rules(ir, v, per[a], per[b])) {
          used[b] = true;
          o.c.arches[o.c.n++] = ir->arches[b];
        }
      o.all = o.c.n == have;
      outs[nout++] = o;
    }
  }

  /* rules without conditions for every arch: one line per action */
  bool any = false;
  for (size_t i = 0; i < nout; i++) {
    const out *o = &outs[i];
    const cell_sc_rule *r = &v[o->c.g->first];
    if (!o->name || !o->all || r->ncond)
      continue;
    size_t nb = 0;
    for (size_t k = i; k < nout; k++) {
      const out *q = &outs[k];
      const cell_sc_rule *s2 = &v[q->c.g->first];
      if (q->all && !s2->ncond && s2->action == r->action && q->name) {
        bundle[nb++] = q->name;
        if (k != i)
          outs[k].name = NULL;
      }
    }
    if (!any) {
      fputc('\n', f);
      sp->comment(f, "without conditions");
    }
    any = true;
    sp->rule(f, NULL, 0, bundle, nb, NULL, 0, r->action);
    outs[i].name = NULL;
  }
  bool header = false;
  for (size_t i = 0; i < nout; i++) {
    const out *o = &outs[i];
    if (!o->name)
      continue;
    if (!header) {
      fputc('\n', f);
      sp->comment(f, "in the order libseccomp decides them");
      header = true;
    }
    int r = write_group(f, sp, ir, v, o->c.g, o->all ? NULL : o->c.arches, o->all ? 0 : o->c.n, o->name, err);
    if (r < 0)
      return r;
  }
  fputc('\n', f);
  sp->comment(f, "numbers above the highest syscall the profile names: ENOSYS when the default denies");
  sp->newer(f);
  sp->fallback(f, ir->default_action);
  return 0;
}

int cell_sc_lang_from_json(const cell_jv *seccomp, char **out, cell_error *err)
{
  *out = NULL;
  cell_sc_profile p;
  cell_sc_ir ir;
  cell_sc_oci_result res;
  cell_seccomp_opts so = { .log = &(cell_log) { .fd = -1 } };
  cell_sc_ir_init(&ir);
  int r = cell_sc_oci_read(seccomp, &so, &p, err);
  if (r == 0)
    r = cell_sc_resolve(&p, &so, &ir, false, &res, err);
  char *buf = NULL;
  size_t len = 0;
  FILE *f = r == 0 ? open_memstream(&buf, &len) : NULL;
  if (r == 0 && !f)
    r = cell_error_set(err, ENOMEM, "out of memory");
  if (r == 0)
    r = write_policy(f, &sec_spelling, &p, &ir, err);
  if (f && fclose(f) != 0 && r == 0)
    r = cell_error_set(err, ENOMEM, "out of memory");
  cell_sc_profile_free(&p);
  cell_sc_ir_free(&ir);
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

/* Arguments to try on one syscall: the values its conditions compare
 * with, next to them, and the edges, one argument at a time and mixed. */
static bool same_decisions(const cell_sc_ir *a, const cell_sc_ir *b, const cell_sc_ir *of,
                           const cell_sc_rule *rules, size_t n, uint16_t arch, uint32_t nr)
{
  uint64_t cand[6][32];
  size_t nc[6];
  for (int k = 0; k < 6; k++) {
    cand[k][0] = 0;
    cand[k][1] = UINT64_MAX;
    nc[k] = 2;
  }
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < rules[i].ncond; j++) {
      const cell_sc_cond *c = &of->conds[rules[i].cond + j];
      uint64_t v = c->part == CELL_SC_HI ? c->value << 32 : c->value;
      uint64_t m = c->part == CELL_SC_HI ? c->mask << 32 : c->mask;
      uint64_t vs[5] = { v, v + 1, v - 1, v & m, (v & m) | ~m };
      for (int q = 0; q < 5 && nc[c->arg] < 32; q++)
        cand[c->arg][nc[c->arg]++] = vs[q];
    }
  uint32_t audit = cell_sc_arches[arch].audit;
  uint64_t s = 0x9e3779b97f4a7c15ull ^ nr;
  for (unsigned t = 0; t < 400; t++) {
    uint64_t args[6] = { 0 };
    if (t < 192) {
      unsigned k = t / 32, q = t % 32;
      if (q >= nc[k])
        continue;
      args[k] = cand[k][q];
    } else
      for (int k = 0; k < 6; k++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        args[k] = cand[k][s % nc[k]];
      }
    if (cell_sc_ir_eval(a, audit, nr, args) != cell_sc_ir_eval(b, audit, nr, args))
      return false;
  }
  return true;
}

/* The policy's IR a against the IR b its JSON gets from the OCI front end
 * (libseccomp's meaning): the decisions must agree on the values the rules
 * test, for every syscall either has rules for and the number after it. */
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
  if (cell_sc_action_denies(a->default_action) && a->enosys_stub != b->enosys_stub)
    return cell_error_set(err, EINVAL, "no JSON form: a denying default without `newer => ERRNO(ENOSYS);` "
                          "(OCI front ends always return ENOSYS above the highest syscall a profile names)");
  _cleanup_free_ cell_sc_rule *x = sorted_rules(a);
  _cleanup_free_ cell_sc_rule *y = sorted_rules(b);
  if (!x || !y)
    return cell_error_set(err, ENOMEM, "out of memory");
  for (int side = 0; side < 2; side++) {
    const cell_sc_ir *ir = side ? b : a;
    const cell_sc_rule *v = side ? y : x;
    for (size_t i = 0; i < ir->nrules;) {
      size_t e = run_end(v, ir->nrules, i);
      const cell_sc_arch *ar = &cell_sc_arches[v[i].arch];
      const char *name = cell_sc_syscall_name(ar, v[i].nr);
      uint32_t next = v[i].nr + 1;
      if (!same_decisions(a, b, ir, v + i, e - i, v[i].arch, v[i].nr) ||
          (next != 0 && !same_decisions(a, b, ir, NULL, 0, v[i].arch, next)))
        return cell_error_set(err, EINVAL,
                              "no JSON form: the rules for `%s` on %s (as JSON they would decide differently: rules that "
                              "differ between architectures, reach socketcall/ipc differently than OCI "
                              "profiles do, or `newer` starting above a syscall without rules of its own)",
                              name ? name : "?", ar->short_name);
      i = e;
    }
  }
  return 0;
}

/* JSON has one comparison per argument (two on one argument are runc's
 * OR) and no word comparisons: the conditions of one IR rule on one
 * argument become alternatives of one JSON comparison each (the rule then
 * is one JSON rule per combination).  -EINVAL: no JSON form. */
#define MAX_ALT 130

static size_t cover_json(cell_sc_cond *alt, unsigned arg, uint64_t lo, uint64_t hi, uint64_t top)
{
  size_t n = 0;
  if (lo == 0 && hi == top) {
    alt[n++] = (cell_sc_cond) { (uint8_t) arg, CELL_SC_MASKED_EQ, 0, 0 };   /* always */
    return n;
  }
  for (;;) {
    unsigned k = 0;
    while (k < 63 && !(lo & (1ull << k)) && lo + ((2ull << k) - 1) <= hi && lo + ((2ull << k) - 1) >= lo)
      k++;
    uint64_t size = 1ull << k;
    alt[n++] = (cell_sc_cond) { (uint8_t) arg, CELL_SC_MASKED_EQ, lo, top & ~(size - 1) };
    if (lo + size - 1 >= hi || n >= MAX_ALT - 1)
      return lo + size - 1 >= hi ? n : 0;
    lo += size;
  }
}

static int arg_alternatives(const cell_sc_arch *a, const cell_sc_cond *const *cs, size_t n, unsigned arg,
                            cell_sc_cond *alt, size_t *nalt)
{
  const uint64_t M = 0xffffffffu, top = a->bits64 ? UINT64_MAX : M;
  *nalt = 0;
  if (n == 1 && cs[0]->part == CELL_SC_FULL && cs[0]->op != CELL_SC_MASKED_NE) {
    alt[(*nalt)++] = *cs[0];
    return 0;
  }
  if (n == 1 && cs[0]->op == CELL_SC_MASKED_NE) {
    /* (x & m) != v: one bit of the mask differs */
    uint64_t m = cs[0]->part == CELL_SC_HI ? cs[0]->mask << 32 : cs[0]->mask & (cs[0]->part ? M : top);
    uint64_t v = cs[0]->part == CELL_SC_HI ? cs[0]->value << 32 : cs[0]->value;
    for (unsigned b = 0; b < 64; b++)
      if (m >> b & 1)
        alt[(*nalt)++] = (cell_sc_cond) { (uint8_t) arg, CELL_SC_MASKED_EQ, ~v & (1ull << b), 1ull << b };
    return 0;
  }
  /* all masked ==: one masked == with both masks, when they agree */
  bool all_masked = true;
  for (size_t i = 0; i < n; i++)
    all_masked &= cs[i]->op == CELL_SC_MASKED_EQ || (cs[i]->op == CELL_SC_EQ && cs[i]->part != CELL_SC_FULL);
  if (all_masked) {
    uint64_t m = 0, v = 0;
    for (size_t i = 0; i < n; i++) {
      uint64_t cm = cs[i]->op == CELL_SC_EQ ? M : cs[i]->mask & (cs[i]->part ? M : top);
      uint64_t cv = cs[i]->value & cm;
      if (cs[i]->part == CELL_SC_HI)
        cm <<= 32, cv <<= 32;
      if ((v & cm & m) != (cv & m & cm))
        return 0;   /* never: no alternative */
      m |= cm, v |= cv;
    }
    alt[(*nalt)++] = (cell_sc_cond) { (uint8_t) arg, CELL_SC_MASKED_EQ, v, m };
    return 0;
  }
  /* ranges: of the whole value (full and high-word comparisons) or of the
   * low word, not both */
  uint64_t lo = 0, hi = top, llo = 0, lhi = M;
  bool whole = false, low = false;
  for (size_t i = 0; i < n; i++) {
    const cell_sc_cond *c = cs[i];
    uint64_t v = c->value, l = 0, h = top;
    bool lw = c->part == CELL_SC_LO || (c->part == CELL_SC_FULL && !a->bits64);
    uint64_t t = lw ? M : top;
    if (c->part == CELL_SC_HI) {
      switch (c->op) {
      case CELL_SC_EQ: l = v << 32, h = v << 32 | M; break;
      case CELL_SC_GE: l = v << 32; break;
      case CELL_SC_GT: if (v == M) return 0; l = (v + 1) << 32; break;
      case CELL_SC_LE: h = v << 32 | M; break;
      case CELL_SC_LT: if (v == 0) return 0; h = (v << 32) - 1; break;
      default: return -EINVAL;
      }
    } else {
      v &= t;
      switch (c->op) {
      case CELL_SC_EQ: l = h = v; break;
      case CELL_SC_GE: l = v, h = t; break;
      case CELL_SC_GT: if (v == t) return 0; l = v + 1, h = t; break;
      case CELL_SC_LE: h = v; break;
      case CELL_SC_LT: if (v == 0) return 0; h = v - 1; break;
      default: return -EINVAL;
      }
    }
    if (lw && a->bits64) {
      low = true;
      llo = l > llo ? l : llo;
      lhi = h < lhi ? h : lhi;
    } else {
      whole = true;
      lo = l > lo ? l : lo;
      hi = h < hi ? h : hi;
    }
  }
  if (whole && low)
    return -EINVAL;
  if (low ? llo > lhi : lo > hi)
    return 0;
  *nalt = low ? cover_json(alt, arg, llo, lhi, M) : cover_json(alt, arg, lo, hi, top);
  return *nalt ? 0 : -EINVAL;
}

static json_t *json_cond(const cell_sc_cond *c)
{
  json_t *arg = json_object();
  json_object_set_new(arg, "index", json_integer(c->arg));
  bool m = c->op == CELL_SC_MASKED_EQ;
  json_object_set_new(arg, "value", cell_json_u64(m ? c->mask : c->value));
  if (m)
    json_object_set_new(arg, "valueTwo", cell_json_u64(c->value & c->mask));
  json_object_set_new(arg, "op", json_string(op_json[c->op]));
  return arg;
}

/* The JSON rules of one IR rule (appended to scs); -EINVAL: no JSON form */
static int rule_json(const cell_sc_ir *ir, const cell_sc_rule *p, const char *name, json_t *scs)
{
  const cell_sc_arch *a = &cell_sc_arches[p->arch];
  cell_sc_cond alt[6][MAX_ALT];
  size_t nalt[6] = { 0 };
  bool used[6] = { false };
  size_t total = 1;
  for (unsigned arg = 0; arg < 6; arg++) {
    const cell_sc_cond *cs[64];
    size_t n = 0;
    for (size_t k = 0; k < p->ncond && n < 64; k++) {
      const cell_sc_cond *ck = &ir->conds[p->cond + k];
      bool dup = false;
      for (size_t q = 0; q < n && !dup; q++)
        dup = cell_sc_cond_same(cs[q], ck);
      if (ck->arg == arg && !dup && !cell_sc_cond_trivial(a, ck))
        cs[n++] = ck;
    }
    if (!n)
      continue;
    used[arg] = true;
    int r = arg_alternatives(a, cs, n, arg, alt[arg], &nalt[arg]);
    if (r < 0)
      return r;
    if (!nalt[arg])
      return 0;   /* never holds: no rule */
    total *= nalt[arg];
    if (total > 4096)
      return -E2BIG;
  }
  for (size_t t = 0; t < total; t++) {
    json_t *rule = json_object(), *args = json_array(), *names = json_array();
    json_array_append_new(names, json_string(name));
    json_object_set_new(rule, "names", names);
    action_json(p->action, rule, "action", "errnoRet");
    size_t rest = t;
    for (unsigned arg = 0; arg < 6; arg++) {
      if (!used[arg])
        continue;
      const cell_sc_cond *c = &alt[arg][rest % nalt[arg]];
      rest /= nalt[arg];
      if (c->op == CELL_SC_MASKED_EQ && c->mask == 0)
        continue;   /* always */
      json_array_append_new(args, json_cond(c));
    }
    if (json_array_size(args))
      json_object_set_new(rule, "args", args);
    else
      json_decref(args);
    json_array_append_new(scs, rule);
  }
  return 0;
}

/* The policy's rules made disjoint: each rule minus the earlier ones of its
 * syscall (first match), so that libseccomp's merge, which lets a later
 * rule decide where an earlier one also matches, gives the same. */
static int disjoint(const cell_sc_ir *ir, const cell_sc_rule *v, cell_sc_ir *out, cell_error *err)
{
  int r = 0;
  out->default_action = ir->default_action;
  out->badarch_action = ir->badarch_action;
  out->enosys_stub = ir->enosys_stub;
  for (size_t i = 0; i < ir->narches; i++)
    (void) cell_sc_ir_add_arch(out, ir->arches[i]);
  for (size_t i = 0; i < ir->nrules && r >= 0;) {
    size_t e = run_end(v, ir->nrules, i);
    const cell_sc_arch *a = &cell_sc_arches[v[i].arch];
    for (size_t k = i; k < e && r >= 0; k++) {
      dnf_term tk = { &ir->conds[v[k].cond], v[k].ncond };
      dnf eff = { 0 };
      r = dnf_add_cond(a, &eff, tk.c, tk.n);
      for (size_t j = i; j < k && r >= 0 && eff.n; j++) {
        dnf_term tj = { &ir->conds[v[j].cond], v[j].ncond };
        if (!dnf_terms_overlap(a, &tk, &tj))
          continue;
        dnf one = { 0 }, neg;
        if ((r = dnf_add_cond(a, &one, tj.c, tj.n)) >= 0 && (r = dnf_not(a, &one, &neg)) >= 0)
          r = dnf_and(a, &eff, &neg);
        dnf_free(&one);
      }
      for (size_t t = 0; t < eff.n && r >= 0; t++) {
        dnf x;
        if ((r = dnf_expand(a, &eff.t[t], &x)) < 0)
          break;
        for (size_t q = 0; q < x.n && r >= 0; q++)
          r = cell_sc_ir_add_rule(out, v[k].arch, v[k].nr, v[k].action, (uint32_t) out->nrules, x.t[q].c, x.t[q].n);
        dnf_free(&x);
      }
      dnf_free(&eff);
    }
    i = e;
  }
  if (r == -ENOMEM)
    return cell_error_set(err, ENOMEM, "out of memory");
  if (r < 0)
    return cell_error_set(err, EINVAL, "no JSON form: the rules of a syscall are too complex to make disjoint");
  return 0;
}

int cell_sc_lang_ir_to_json(const cell_sc_ir *orig, json_t **out, cell_error *err)
{
  *out = NULL;
  if (!orig->narches)
    return cell_error_set(err, EINVAL, "no JSON form: no architecture");
  if (orig->nothers)
    return cell_error_set(err, EINVAL,
                          "no JSON form: a rule tests arguments of syscalls it does not name (numbers "
                          "outside the syscall table too); OCI JSON names its syscalls");
  _cleanup_free_ cell_sc_rule *ov = sorted_rules(orig);
  if (!ov)
    return cell_error_set(err, ENOMEM, "out of memory");
  cell_sc_ir dis;
  cell_sc_ir_init(&dis);
  if (disjoint(orig, ov, &dis, err) < 0) {
    cell_sc_ir_free(&dis);
    return -EINVAL;
  }
  const cell_sc_ir *ir = &dis;
  _cleanup_free_ cell_sc_rule *v = sorted_rules(ir);
  if (!v) {
    cell_sc_ir_free(&dis);
    return cell_error_set(err, ENOMEM, "out of memory");
  }
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
    if ((p->action & CELL_SC_RET_ACTION_FULL) == CELL_SC_RET_TRAP && (p->action & CELL_SC_RET_DATA)) {
      r = cell_error_set(err, EINVAL, "no JSON form: TRAP(%u) for `%s` (OCI has no data for TRAP)",
                         p->action & CELL_SC_RET_DATA, name);
      break;
    }
    if (alone) {
      json_t *rule = json_object(), *names = json_array();
      json_object_set_new(rule, "_alone", json_true());
      json_object_set_new(rule, "_action", json_integer((json_int_t) p->action));
      json_array_append_new(names, json_string(name));
      json_object_set_new(rule, "names", names);
      action_json(p->action, rule, "action", "errnoRet");
      json_array_append_new(scs, rule);
      continue;
    }
    int rj = rule_json(ir, p, name, scs);
    if (rj == -E2BIG)
      r = cell_error_set(err, EINVAL, "no JSON form: a rule for `%s` needs more than 4096 JSON rules", name);
    else if (rj < 0)
      r = cell_error_set(err, EINVAL, "no JSON form: a rule for `%s` compares one argument in ways one JSON "
                         "comparison cannot (a whole-value and a low-word range together)", name);
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
    /* Read back as any reader of the text would. */
    _cleanup_free_ char *text = cell_json_dumps(o, JSON_COMPACT);
    _cleanup_jdoc_ cell_jdoc *doc = NULL;
    r = text ? cell_json_parse("the JSON form", text, strlen(text), &doc, err)
             : cell_error_set(err, ENOMEM, "out of memory");
    if (r >= 0)
      r = cell_sc_oci_to_ir(cell_jdoc_root(doc), &so, &back, &res, err);
    if (r >= 0)
      r = verify(orig, &back, err);
    cell_sc_ir_free(&back);
  }
  cell_sc_ir_free(&dis);
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
