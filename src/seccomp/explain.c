/* `cell seccomp explain`: a program's decisions in words (explain.h). */
#include "seccomp/explain.h"
#include "seccomp/ir.h"
#include "seccomp/seccomp.h"
#include "seccomp/table.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define WRAP 96

const char *cell_sc_ret_short(uint32_t ret, char buf[48])
{
  uint32_t data = ret & CELL_SC_RET_DATA;
  switch (ret & CELL_SC_RET_ACTION_FULL) {
  case CELL_SC_RET_ALLOW: return "allowed";
  case CELL_SC_RET_LOG: return "logged";
  case CELL_SC_RET_ERRNO:
    if (strerrorname_np((int) data))
      snprintf(buf, 48, "%s", strerrorname_np((int) data));
    else
      snprintf(buf, 48, "ERRNO(%u)", data);
    return buf;
  default: {
    char b[32];
    snprintf(buf, 48, "%s", cell_seccomp_action_str(ret, b));
    return buf;
  }
  }
}

void cell_sc_ret_phrase(FILE *f, uint32_t ret, const char *obj, const char *when)
{
  char b[48];
  const char *w = when ? " when " : "", *c = when ? when : "";
  switch (ret & CELL_SC_RET_ACTION_FULL) {
  case CELL_SC_RET_ALLOW: fprintf(f, "allows %s%s%s", obj, w, c); break;
  case CELL_SC_RET_LOG: fprintf(f, "logs and allows %s%s%s", obj, w, c); break;
  case CELL_SC_RET_ERRNO: fprintf(f, "fails %s with %s%s%s", obj, cell_sc_ret_short(ret, b), w, c); break;
  case CELL_SC_RET_KILL_PROCESS: fprintf(f, "kills the process on %s%s%s", obj, w, c); break;
  case CELL_SC_RET_KILL_THREAD: fprintf(f, "kills the thread on %s%s%s", obj, w, c); break;
  case CELL_SC_RET_TRAP: fprintf(f, "traps %s (SIGSYS, %u)%s%s", obj, ret & CELL_SC_RET_DATA, w, c); break;
  case CELL_SC_RET_TRACE: fprintf(f, "sends %s to its tracer (%u)%s%s", obj, ret & CELL_SC_RET_DATA, w, c); break;
  case CELL_SC_RET_USER_NOTIF: fprintf(f, "sends %s to the agent%s%s", obj, w, c); break;
  default: fprintf(f, "answers %s with %s%s%s", obj, cell_sc_ret_short(ret, b), w, c); break;
  }
}

static int by_str(const void *a, const void *b)
{
  return strcmp(*(const char *const *) a, *(const char *const *) b);
}

int cell_sc_names_in(int32_t arch, uint32_t lo, uint32_t hi, const char ***out, size_t *n)
{
  *out = NULL;
  *n = 0;
  if (arch < 0)
    return 0;
  const cell_sc_arch *a = &cell_sc_arches[arch];
  const char **v = NULL;
  size_t cnt = 0;
  for (unsigned i = 0; i < cell_sc_nsyscalls; i++) {
    int64_t nr = cell_sc_syscall_nr(a, &cell_sc_syscalls[i]);
    if (nr < lo || nr > hi)
      continue;
    const char **nv = realloc(v, (cnt + 1) * sizeof *nv);
    if (!nv) {
      free(v);
      return -ENOMEM;
    }
    v = nv;
    v[cnt++] = cell_sc_syscalls[i].name;
  }
  if (cnt)
    qsort(v, cnt, sizeof *v, by_str);
  *out = v;
  *n = cnt;
  return 0;
}

const char *cell_sc_nr_str(char buf[24], uint32_t nr)
{
  snprintf(buf, 24, nr >= CELL_SC_X32_BIT ? "%#" PRIx32 : "%" PRIu32, nr);
  return buf;
}

static int by_u32(const void *a, const void *b)
{
  uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
  return x < y ? -1 : x > y;
}

char *cell_sc_unnamed_in(int32_t arch, uint32_t lo, uint32_t hi)
{
  uint32_t *named = NULL;
  size_t n = 0;
  for (unsigned i = 0; arch >= 0 && i < cell_sc_nsyscalls; i++) {
    int64_t nr = cell_sc_syscall_nr(&cell_sc_arches[arch], &cell_sc_syscalls[i]);
    if (nr < lo || nr > hi)
      continue;
    uint32_t *nv = realloc(named, (n + 1) * sizeof *nv);
    if (!nv) {
      free(named);
      return NULL;
    }
    named = nv;
    named[n++] = (uint32_t) nr;
  }
  if (n)
    qsort(named, n, sizeof *named, by_u32);
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&out, &len);
  if (!f) {
    free(named);
    return NULL;
  }
  uint64_t cur = lo;
  bool any = false;
  for (size_t i = 0; i <= n; i++) {
    uint64_t end = i < n ? (uint64_t) named[i] : (uint64_t) hi + 1;  /* exclusive */
    if (end > cur) {
      fputs(any ? ", " : "", f);
      char x[24], y[24];
      cell_sc_nr_str(x, (uint32_t) cur);
      cell_sc_nr_str(y, (uint32_t) (end - 1));
      if (end - 1 == cur)
        fputs(x, f);
      else
        fprintf(f, "%s..%s", x, y);
      any = true;
    }
    if (i < n)
      cur = (uint64_t) named[i] + 1;
  }
  fclose(f);
  free(named);
  if (!any) {
    free(out);
    return NULL;
  }
  return out;
}

/* ---- explain ------------------------------------------------------------------- */

typedef struct entry {
  const char *name;
  const cell_sc_fact *f[16];   /* the facts of its number: one, or one per decision */
  size_t nf;
} entry;

/* Lines wrapped at WRAP columns: "    prefix: a, b, c" */
static void wrapped(FILE *f, const char *indent, const char *prefix, const char **items, size_t n)
{
  size_t col = (size_t) fprintf(f, "%s%s:", indent, prefix);
  for (size_t i = 0; i < n; i++) {
    size_t w = strlen(items[i]) + 2;
    if (col + w > WRAP && i > 0) {
      fprintf(f, "\n%s   ", indent);
      col = strlen(indent) + 3;
    }
    col += (size_t) fprintf(f, " %s%s", items[i], i + 1 < n ? "," : "");
  }
  fputc('\n', f);
}

/* alternatives first, then length */
static size_t complexity(const char *when)
{
  size_t terms = 1;
  for (const char *p = when; (p = strstr(p, " or ")); p += 4)
    terms++;
  return terms << 16 | strlen(when);
}

static bool unconditional(const entry *e)
{
  return e->nf == 1 && !e->f[0]->when;
}

/* The facts of one architecture, [first, end). */
static int explain_arch(FILE *out, const cell_sc_facts *fs, size_t first, size_t end)
{
  int32_t arch = fs->v[first].arch;
  entry *es = NULL;
  size_t ne = 0;
  int r = 0;
  for (size_t i = first; i < end && r == 0; i++) {
    const char **names;
    size_t n;
    if ((r = cell_sc_names_in(arch, fs->v[i].lo, fs->v[i].hi, &names, &n)) < 0)
      break;
    for (size_t k = 0; k < n; k++) {
      size_t j = 0;
      while (j < ne && strcmp(es[j].name, names[k]))
        j++;
      if (j == ne) {
        entry *nv = realloc(es, (ne + 1) * sizeof *nv);
        if (!nv) {
          r = -ENOMEM;
          break;
        }
        es = nv;
        memset(&es[ne], 0, sizeof es[ne]);
        es[ne++].name = names[k];
      }
      if (es[j].nf < 16)
        es[j].f[es[j].nf++] = &fs->v[i];
    }
    free(names);
  }
  if (r < 0) {
    free(es);
    return r;
  }
  /* the default: what most syscalls get outright */
  uint32_t def = fs->v[first].ret[0];
  size_t best = 0;
  for (size_t i = 0; i < ne; i++) {
    if (!unconditional(&es[i]))
      continue;
    size_t cnt = 0;
    for (size_t j = 0; j < ne; j++)
      cnt += unconditional(&es[j]) && es[j].f[0]->ret[0] == es[i].f[0]->ret[0];
    if (cnt > best) {
      best = cnt;
      def = es[i].f[0]->ret[0];
    }
  }
  char b[48];
  if (ne)
    qsort(es, ne, sizeof *es, by_str);  /* name is the first member */
  fprintf(out, "%s:\n  %s: every syscall not listed below\n", cell_sc_arches[arch].short_name,
          cell_sc_ret_short(def, b));
  const char **items = malloc((ne ? ne : 1) * sizeof *items);
  if (!items) {
    free(es);
    return -ENOMEM;
  }
  for (size_t fam = 0; cell_sc_families[fam]; fam++) {
    bool header = false;
    /* the unconditional ones, by decision (in order of first appearance) */
    bool *done = calloc(ne ? ne : 1, sizeof *done);
    for (size_t i = 0; done && i < ne; i++) {
      if (done[i] || strcmp(cell_sc_family(es[i].name), cell_sc_families[fam]) ||
          !unconditional(&es[i]) || es[i].f[0]->ret[0] == def)
        continue;
      uint32_t ret = es[i].f[0]->ret[0];
      size_t n = 0;
      for (size_t j = i; j < ne; j++)
        if (!done[j] && unconditional(&es[j]) && es[j].f[0]->ret[0] == ret &&
            !strcmp(cell_sc_family(es[j].name), cell_sc_families[fam])) {
          items[n++] = es[j].name;
          done[j] = true;
        }
      if (!header)
        fprintf(out, "  %s:\n", cell_sc_families[fam]);
      header = true;
      char pre[64];
      snprintf(pre, sizeof pre, "%s (%zu)", cell_sc_ret_short(ret, b), n);
      wrapped(out, "    ", pre, items, n);
    }
    free(done);
    /* then the ones that depend on their arguments, one line each */
    for (size_t i = 0; i < ne; i++) {
      if (unconditional(&es[i]) || strcmp(cell_sc_family(es[i].name), cell_sc_families[fam]))
        continue;
      if (!header)
        fprintf(out, "  %s:\n", cell_sc_families[fam]);
      header = true;
      /* "otherwise": the part with the most complex condition */
      size_t other = 0;
      for (size_t k = 1; k < es[i].nf; k++) {
        size_t ck = complexity(es[i].f[k]->when), co = complexity(es[i].f[other]->when);
        if (ck > co || (ck == co && es[i].f[k]->ret[0] == def))
          other = k;
      }
      fprintf(out, "    %s:", es[i].name);
      for (size_t k = 0; k < es[i].nf; k++)
        if (k != other)
          fprintf(out, " %s when %s;", cell_sc_ret_short(es[i].f[k]->ret[0], b), es[i].f[k]->when);
      fprintf(out, " otherwise %s\n", cell_sc_ret_short(es[i].f[other]->ret[0], b));
    }
  }
  /* numbers the table does not name, when they do not get the default,
   * one line per decision */
  bool *shown = calloc(end - first, sizeof *shown);
  char *ntext = NULL;
  size_t nlen = 0;
  FILE *nf = open_memstream(&ntext, &nlen);
  if (!nf) {
    free(shown);
  if (nf)
    fclose(nf);
  free(ntext);
    shown = NULL;
  }
  for (size_t i = first; shown && i < end; i++) {
    const cell_sc_fact *fi = &fs->v[i];
    if (shown[i - first] || (fi->ret[0] == def && !fi->when))
      continue;
    bool any = false;
    for (size_t j = i; j < end; j++) {
      const cell_sc_fact *fj = &fs->v[j];
      if (shown[j - first] || fj->ret[0] != fi->ret[0] || !fj->when != !fi->when ||
          (fi->when && strcmp(fi->when, fj->when)))
        continue;
      shown[j - first] = true;
      char *un = cell_sc_unnamed_in(arch, fj->lo, fj->hi);
      if (!un)
        continue;
      fprintf(nf, "%s%s", any ? ", " : "", un);
      any = true;
      free(un);
    }
    fflush(nf);
    if (any) {
      /* "numbers not in the table, ENOSYS: 337..423, 472..0x3fffffff" */
      char pre[256];
      snprintf(pre, sizeof pre, "numbers not in the table, %s%s%s", cell_sc_ret_short(fi->ret[0], b),
               fi->when ? " when " : "", fi->when ? fi->when : "");
      const char **parts = NULL;
      size_t np = 0;
      for (char *save = NULL, *t = strtok_r(ntext, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        const char **nv = realloc(parts, (np + 1) * sizeof *nv);
        if (!nv)
          break;
        parts = nv;
        parts[np++] = t + (*t == ' ');
      }
      wrapped(out, "  ", pre, parts, np);
      free(parts);
    }
    rewind(nf);
    memset(ntext, 0, nlen);
  }
  free(shown);
  if (nf)
    fclose(nf);
  free(ntext);
  free(items);
  free(es);
  return 0;
}

int cell_sc_explain(const cell_sc_prog *prog, char **out, cell_error *err)
{
  cell_sc_facts fs;
  *out = NULL;
  int r = cell_sc_analyze(prog, 1, false, &fs, err);
  if (r < 0)
    return r;
  /* the answer of architectures nobody names, and which ones are named */
  bool have_other = false;
  uint32_t other = 0;
  for (size_t i = 0; i < fs.n; i++)
    if (fs.v[i].arch < 0 && !have_other) {
      have_other = true;
      other = fs.v[i].ret[0];
    }
  size_t len;
  FILE *f = open_memstream(out, &len);
  if (!f) {
    cell_sc_facts_free(&fs);
    return cell_error_sys(err, "seccomp explain");
  }
  for (size_t i = 0; i < fs.n && r == 0;) {
    size_t j = i;
    while (j < fs.n && fs.v[j].arch == fs.v[i].arch)
      j++;
    /* named: one of its syscalls gets another answer than the
     * architectures nobody names (x32 under an x86_64 filter does not) */
    bool named = !have_other, differs = false;
    for (size_t k = i; k < j && !named; k++) {
      if (fs.v[k].ret[0] == other && !fs.v[k].when)
        continue;
      differs = true;
      const char **names;
      size_t n;
      if (cell_sc_names_in(fs.v[k].arch, fs.v[k].lo, fs.v[k].hi, &names, &n) < 0) {
        r = -ENOMEM;
        break;
      }
      free(names);
      named = n > 0;
    }
    if (fs.v[i].arch >= 0 && named)
      r = explain_arch(f, &fs, i, j);
    else if (fs.v[i].arch >= 0 && differs && r == 0) {
      char b[48];
      fprintf(f, "%s: %s, as other architectures, but", cell_sc_arches[fs.v[i].arch].short_name,
              cell_sc_ret_short(other, b));
      const char *sep = "";
      for (size_t k = i; k < j; k++) {
        if (fs.v[k].ret[0] == other && !fs.v[k].when)
          continue;
        char x[24], y[24];
        cell_sc_nr_str(x, fs.v[k].lo);
        cell_sc_nr_str(y, fs.v[k].hi);
        fprintf(f, "%s numbers %s%s%s: %s%s%s", sep, x, fs.v[k].lo == fs.v[k].hi ? "" : "..",
                fs.v[k].lo == fs.v[k].hi ? "" : y, cell_sc_ret_short(fs.v[k].ret[0], b),
                fs.v[k].when ? " when " : "", fs.v[k].when ? fs.v[k].when : "");
        sep = ";";
      }
      fputc('\n', f);
    }
    i = j;
  }
  char b[48];
  if (have_other) {
    /* one answer for all of them, or by number */
    bool one = true;
    for (size_t i = 0; i < fs.n; i++)
      if (fs.v[i].arch < 0 && (fs.v[i].ret[0] != other || fs.v[i].when))
        one = false;
    if (one)
      fprintf(f, "other architectures: %s\n", cell_sc_ret_short(other, b));
    else
      for (size_t i = 0; i < fs.n; i++)
        if (fs.v[i].arch < 0)
        {
          char x[24], y[24];
          fprintf(f, "other architectures, numbers %s..%s: %s%s%s\n", cell_sc_nr_str(x, fs.v[i].lo),
                  cell_sc_nr_str(y, fs.v[i].hi), cell_sc_ret_short(fs.v[i].ret[0], b),
                  fs.v[i].when ? " when " : "", fs.v[i].when ? fs.v[i].when : "");
        }
  }
  fclose(f);
  cell_sc_facts_free(&fs);
  if (r < 0) {
    free(*out);
    *out = NULL;
    return cell_error_set(err, ENOMEM, "seccomp explain: out of memory");
  }
  return 0;
}
