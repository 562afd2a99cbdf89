/* `cell seccomp diff`: where two programs decide differently (explain.h). */
#include "seccomp/explain.h"
#include "seccomp/table.h"
#include "util/array.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

typedef struct line {
  char *object;        /* "`clone3`", "numbers 463..1073741823 (not in the table)", ... */
  int order;           /* 0 named syscalls, 1 unnamed numbers, 2 other architectures */
  const char *when;
  uint32_t ret[2];
  char arches[256];    /* "x86_64, x32" */
} line;

typedef struct lines {
  line *v;
  size_t n, cap;
} lines;

static int add(lines *ls, char *object, int order, const cell_sc_fact *f, const char *arch)
{
  for (size_t i = 0; i < ls->n; i++) {
    line *l = &ls->v[i];
    if (!strcmp(l->object, object) && l->ret[0] == f->ret[0] && l->ret[1] == f->ret[1] &&
        (l->when == f->when || (l->when && f->when && !strcmp(l->when, f->when)))) {
      size_t len = strlen(l->arches);
      if (!strstr(l->arches, arch))
        snprintf(l->arches + len, sizeof l->arches - len, ", %s", arch);
      free(object);
      return 0;
    }
  }
  if (cell_grow((void **) &ls->v, &ls->cap, ls->n + 1, sizeof *ls->v) < 0)
    {
      free(object);
      return -ENOMEM;
    }
  line *l = &ls->v[ls->n++];
  memset(l, 0, sizeof *l);
  l->object = object;
  l->order = order;
  l->when = f->when;
  l->ret[0] = f->ret[0];
  l->ret[1] = f->ret[1];
  snprintf(l->arches, sizeof l->arches, "%s", arch);
  return 0;
}

static int by_line(const void *a, const void *b)
{
  const line *x = a, *y = b;
  if (x->order != y->order)
    return x->order - y->order;
  /* by name, the backquotes aside */
  const char *p = x->object, *q = y->object;
  for (;; p++, q++) {
    while (*p == '`')
      p++;
    while (*q == '`')
      q++;
    if (*p != *q || !*p)
      break;
  }
  if (*p != *q)
    return (unsigned char) *p < (unsigned char) *q ? -1 : 1;
  if (!x->when != !y->when)
    return x->when ? 1 : -1;
  return x->when ? strcmp(x->when, y->when) : 0;
}

int cell_sc_diff(const cell_sc_prog progs[2], const char *const labels[2], char **out,
                 size_t *ndiff, cell_error *err)
{
  cell_sc_facts fs;
  *out = NULL;
  *ndiff = 0;
  int r = cell_sc_analyze(progs, 2, true, &fs, err);
  if (r < 0)
    return r;
  lines ls = { 0 };
  for (size_t i = 0; i < fs.n && r == 0; i++) {
    const cell_sc_fact *f = &fs.v[i];
    if (f->arch < 0) {
      char *obj = NULL;
      if (f->lo == 0 && f->hi == UINT32_MAX)
        obj = strdup("every syscall");
      else {
        char x[24], y[24];
        if (asprintf(&obj, "numbers %s..%s", cell_sc_nr_str(x, f->lo), cell_sc_nr_str(y, f->hi)) < 0)
          obj = NULL;
      }
      r = obj ? add(&ls, obj, 2, f, "other architectures") : -ENOMEM;
      continue;
    }
    const char *arch = cell_sc_arches[f->arch].short_name;
    const char **names;
    size_t n;
    if ((r = cell_sc_names_in(f->arch, f->lo, f->hi, &names, &n)) < 0)
      break;
    for (size_t k = 0; k < n && r == 0; k++) {
      char *obj = NULL;
      if (asprintf(&obj, "`%s`", names[k]) < 0)
        obj = NULL;
      r = obj ? add(&ls, obj, 0, f, arch) : -ENOMEM;
    }
    free(names);
    char *un = cell_sc_unnamed_in(f->arch, f->lo, f->hi);
    if (un && r == 0) {
      char *obj = NULL;
      if (asprintf(&obj, "numbers %s (not in the table)", un) < 0)
        obj = NULL;
      r = obj ? add(&ls, obj, 1, f, arch) : -ENOMEM;
    }
    free(un);
  }
  size_t len;
  FILE *o = r == 0 ? open_memstream(out, &len) : NULL;
  if (r == 0 && !o)
    r = -ENOMEM;
  if (r == 0) {
    if (ls.n)
      qsort(ls.v, ls.n, sizeof *ls.v, by_line);
    char b[48];
    /* lines that differ only in the syscall (or the numbers) are one */
    bool *done = calloc(ls.n ? ls.n : 1, sizeof *done);
    size_t count = 0;
    for (size_t i = 0; done && i < ls.n; i++) {
      const line *l = &ls.v[i];
      if (done[i])
        continue;
      char *obj = NULL;
      size_t olen = 0;
      FILE *of = open_memstream(&obj, &olen);
      if (!of)
        break;
      if (l->order == 1)
        fputs("numbers ", of);
      for (size_t j = i; j < ls.n; j++) {
        const line *m = &ls.v[j];
        if (done[j] || m->order != l->order || l->when || m->when || m->ret[0] != l->ret[0] ||
            m->ret[1] != l->ret[1] || strcmp(m->arches, l->arches))
          if (j != i)
            continue;
        done[j] = true;
        count++;
        const char *text = m->object;
        if (l->order == 1)   /* "numbers X (not in the table)": the X */
          fprintf(of, "%s%.*s", j == i ? "" : ", ", (int) (strlen(text) - 8 - 19), text + 8);
        else
          fprintf(of, "%s%s", j == i ? "" : ", ", text);
        if (l->when || l->order == 2)
          break;
      }
      if (l->order == 1)
        fputs(" (not in the table)", of);
      fclose(of);
      fprintf(o, "%s: %s ", l->arches, labels[0]);
      cell_sc_ret_phrase(o, l->ret[0], obj, l->when);
      fprintf(o, " (%s in %s)\n", cell_sc_ret_short(l->ret[1], b), labels[1]);
      free(obj);
    }
    free(done);
    if (ls.n)
      fprintf(o, "%zu difference%s\n", count, count == 1 ? "" : "s");
    else
      fputs("no differences: both decide every call alike\n", o);
    fclose(o);
    *ndiff = ls.n;
  }
  for (size_t i = 0; i < ls.n; i++)
    free(ls.v[i].object);
  free(ls.v);
  cell_sc_facts_free(&fs);
  if (r < 0) {
    free(*out);
    *out = NULL;
    return cell_error_set(err, ENOMEM, "seccomp diff: out of memory");
  }
  return 0;
}
