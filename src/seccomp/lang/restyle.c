/* A policy respelled in cell's or easyseccomp's style (`convert --to sec
 * --style`), then laid out by fmt.c.
 *
 * The parser records what each piece of text means (lang_role); the policy
 * is read once for each combination of the names its #ifdef lines test, so
 * that every branch is seen.  Each role's text is then replaced by its
 * spelling in the style asked for:
 *   cell:        `@read` -> `read`, `ALLOW()` -> `ALLOW`, `TRACE()` ->
 *                `TRACE(0)`, `010` -> `10`; nothing else changes.
 *   easyseccomp: `read` -> `@read`, `ALLOW` -> `ALLOW()`, values as decimal
 *                numbers, sets and defines written out, `.lo` dropped (its
 *                comparisons are 32-bit), condition parentheses dropped,
 *                block comments as `//` lines.  With strict, what
 *                easyseccomp cannot read is an error at its place: `||`,
 *                `!`, `.hi`, ranges, NEWER, KERNEL in a list, `in` inside
 *                `&&`, masked `in`, values over 32 bits, TRAP(n), `arch`
 *                with more than the native architecture, badarch, newer,
 *                include, #define. */
#include "seccomp/lang/parser.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/cleanup.h"

#define MAX_NAMES 10   /* 2^10 readings at most */

typedef struct edit {
  lang_role role;
  char *text;        /* replacement; NULL keeps the text */
  char *error;       /* strict: why the role has no form in the style */
} edit;

typedef struct restyle {
  lang_ctx *rc;      /* the text as source 0, for tokens and messages */
  const char *text;
  size_t len;
  cell_sc_lang_style style;
  bool strict;
  edit *e;
  size_t n, cap;
  bool meaning_changed;   /* `.lo` dropped: cell reads the result otherwise */
} restyle;

static int oom(restyle *rs) { return cell_error_set(rs->rc->err, ENOMEM, "out of memory"); }

static char *dupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *dupf(const char *fmt, ...)
{
  char *s = NULL;
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&s, fmt, ap) < 0)
    s = NULL;
  va_end(ap);
  return s;
}

static bool plain_decimal(const char *p, size_t n)
{
  if (!n)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!((p[i] >= '0' && p[i] <= '9') || p[i] == '_'))
      return false;
  return true;
}

/* The syscall items [first, first+n) of c in easyseccomp's spelling, or
 * NULL with *why. */
static char *items_text(const lang_ctx *c, uint32_t first, uint32_t n, const char **why)
{
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&out, &len);
  if (!f)
    return NULL;
  for (uint32_t i = 0; i < n; i++) {
    const lang_sysitem *it = &c->items[first + i];
    if (i)
      fputs(", ", f);
    if (it->kind == SYSI_NAME)
      fprintf(f, "@%s", cell_sc_syscalls[it->v].name);
    else if (it->kind == SYSI_NUM)
      fprintf(f, "%u", it->v);
    else
      *why = "a set holding KERNEL() or NEWER() has no easyseccomp form (KERNEL(x.y) stands alone after `in`)";
  }
  fclose(f);
  return out;
}

/* The spelling of role r (parsed into c) in rs's style: *text (NULL: as
 * it is) or *why (no form in the style). */
static int respell(restyle *rs, const lang_ctx *c, const lang_role *r, char **text, const char **why)
{
  const char *src = rs->text + r->off;
  size_t n = r->end - r->off;
  bool easy = rs->style == CELL_SC_STYLE_EASYSECCOMP;
  *text = NULL;
  *why = NULL;
#define SET(x) do { if (!(*text = (x))) return oom(rs); } while (0)
  /* lenient easyseccomp: the names and actions only, the meaning for cell unchanged */
  if (easy && !rs->strict && r->kind != ROLE_SYSNAME && r->kind != ROLE_ARCHNAME && r->kind != ROLE_ACTION)
    return 0;
  switch (r->kind) {
  case ROLE_SYSNAME: {
    const char *name = cell_sc_syscalls[r->v].name;
    if (easy)
      SET(dupf("@%s", name));
    else if (src[0] == '@' && !lang_find_def((lang_ctx *) c, name, strlen(name)))
      SET(strdup(name));
    break;
  }
  case ROLE_ARCHNAME:
    if (easy)
      SET(dupf("@%s", cell_sc_arches[r->v].short_name));
    else if (src[0] == '@')
      SET(strndup(src + 1, n - 1));
    break;
  case ROLE_ACTION: {
    size_t nn = 0;
    while (nn < n && src[nn] != '(' && src[nn] != ' ' && src[nn] != '\t' && src[nn] != '\n')
      nn++;
    uint32_t act = (uint32_t) r->v & CELL_SC_RET_ACTION_FULL, data = (uint32_t) r->v & CELL_SC_RET_DATA;
    bool valued = act == CELL_SC_RET_ERRNO || act == CELL_SC_RET_TRACE;
    if (!easy) {
      if (r->a == 1)   /* `ALLOW()`, `TRACE()` */
        SET(valued ? dupf("%.*s(0)", (int) nn, src) : strndup(src, nn));
    } else if (!rs->strict) {
      if (r->a == 0)
        SET(dupf("%.*s()", (int) nn, src));
    } else if (act == CELL_SC_RET_TRAP && data) {
      *why = "TRAP with a value has no easyseccomp form";
    } else if (!valued) {
      SET(dupf("%.*s()", (int) nn, src));
    } else {
      /* an errno by name when it was written so */
      const char *arg = memchr(src, '(', n), *en = act == CELL_SC_RET_ERRNO ? lang_errno_name(data) : NULL;
      while (arg && (*++arg == ' ' || *arg == '\t'))
        ;
      bool named = arg && ((*arg >= 'A' && *arg <= 'Z') || *arg == '_');
      SET(named && en ? dupf("%.*s(%s)", (int) nn, src, en) : dupf("%.*s(%u)", (int) nn, src, data));
    }
    break;
  }
  case ROLE_VALUE:
  case ROLE_SYSNUM:
    if (!easy) {
      if (n > 1 && src[0] == '0' && plain_decimal(src, n))   /* `010`: ten, said plainly */
        SET(dupf("%llu", (unsigned long long) r->v));
    } else {
      uint64_t v = r->kind == ROLE_SYSNUM ? (uint32_t) r->v : r->v;
      if (v > 0xffffffffu)
        *why = "easyseccomp's values are 32 bits wide";
      else if (!plain_decimal(src, n) || (n > 1 && src[0] == '0') || memchr(src, '_', n))
        SET(dupf("%llu", (unsigned long long) v));
    }
    break;
  case ROLE_SETREF:
    if (!easy)
      break;
    if (r->a == 2 && r->b != 1) {
      *why = "a set of several syscalls after == or != has no easyseccomp form (write `in`)";
    } else {
      char *items = items_text(c, (uint32_t) r->v, r->b, why);
      if (!items)
        return oom(rs);
      SET(r->a == 1 ? dupf("(%s)", items) : strdup(items));
      free(items);
    }
    break;
  case ROLE_KERNEL:
    if (!easy)
      break;
    if (r->b)
      *why = "NEWER() has no easyseccomp form";
    else if (!r->a)
      *why = "easyseccomp reads KERNEL(x.y) only alone after `in`";
    else if ((r->v & 0xff) != 0)
      SET(dupf("KERNEL(%u.%u.%u)", (unsigned) (r->v >> 16), (unsigned) (r->v >> 8 & 0xff),
                   (unsigned) (r->v & 0xff)));
    else
      SET(dupf("KERNEL(%u.%u)", (unsigned) (r->v >> 16), (unsigned) (r->v >> 8 & 0xff)));
    break;
  case ROLE_HALF:
    if (!easy)
      break;
    if (r->a) {
      *why = "easyseccomp reads no high half (`.hi`)";
    } else {
      SET(strdup(""));   /* easyseccomp's comparisons are the low half's */
      rs->meaning_changed = true;
    }
    break;
  case ROLE_PAREN:
    if (easy)
      SET(strdup(""));   /* only `&&` is left: the parentheses change nothing */
    break;
  case ROLE_RANGE:
    if (easy)
      *why = "easyseccomp has no ranges (`..`)";
    break;
  case ROLE_OR:
    if (easy)
      *why = "easyseccomp has no `||` (write one rule for each side)";
    break;
  case ROLE_NOT:
    if (easy)
      *why = "easyseccomp has no `!`";
    break;
  case ROLE_IN:
    if (easy && r->a)
      *why = "easyseccomp has no masked `in`";
    break;
  case ROLE_STMT:
    if (!easy)
      break;
    if (r->a == STMT_DEFINE || r->a == STMT_SET)
      SET(strdup(""));   /* its uses are written out */
    else if (r->a == STMT_ARCH && c->narches == 1)
      SET(strdup(""));   /* the native architecture only: easyseccomp's meaning */
    else if (r->a == STMT_ARCH)
      *why = "easyseccomp checks no architecture: it has no `arch` statement";
    else
      *why = r->a == STMT_BADARCH ? "easyseccomp has no `badarch`"
           : r->a == STMT_NEWER ? "easyseccomp has no `newer` (write its rules out)"
           : "easyseccomp has no `include`";
    break;
  default:
    break;
  }
  return 0;
#undef SET
}

static int add_edit(restyle *rs, const lang_role *r, char *text, const char *why)
{
  for (size_t i = 0; i < rs->n; i++) {
    edit *e = &rs->e[i];
    if (e->role.off != r->off || e->role.end != r->end || e->role.kind != r->kind)
      continue;
    /* the same text, read under other defines */
    bool same = (!e->text && !text) || (e->text && text && !strcmp(e->text, text));
    if (!same && !e->error && rs->strict)
      e->error = strdup("this means different things under different #ifdef names, which easyseccomp "
                        "cannot write out");
    free(text);
    return 0;
  }
  if (rs->n == rs->cap) {
    size_t cap = rs->cap ? rs->cap * 2 : 64;
    edit *q = realloc(rs->e, cap * sizeof *q);
    if (!q) {
      free(text);
      return oom(rs);
    }
    rs->e = q;
    rs->cap = cap;
  }
  rs->e[rs->n++] = (edit) { *r, text, why ? strdup(why) : NULL };
  return 0;
}

static void quiet(void *ctx, const cell_sc_lang_diag *d)
{
  (void) ctx;
  (void) d;
}

/* One reading, under the names in mask. */
static int read_once(restyle *rs, const char *name, const cell_sc_lang_opts *opts, char names[][64],
                     size_t nnames, unsigned mask)
{
  const char *defs[64 + MAX_NAMES];
  size_t nd = 0;
  for (size_t i = 0; opts && i < opts->ndefines && nd < 64; i++)
    defs[nd++] = opts->defines[i];
  for (size_t i = 0; i < nnames; i++)
    if (mask >> i & 1)
      defs[nd++] = names[i];
  cell_sc_lang_opts o = opts ? *opts : (cell_sc_lang_opts) { 0 };
  o.defines = defs;
  o.ndefines = nd;
  o.warnings_are_errors = false;
  o.diag = quiet;
  lang_ctx c;
  int r = lang_parse_recording(&c, name, rs->text, rs->len, &o, rs->rc->err);
  for (size_t i = 0; r >= 0 && i < c.nroles; i++) {
    const lang_role *role = &c.roles[i];
    if (role->src != 0)
      continue;   /* an included file's */
    char *text;
    const char *why;
    if ((r = respell(rs, &c, role, &text, &why)) < 0)
      break;
    if (text || why)
      r = add_edit(rs, role, text, why);
  }
  /* easyseccomp's generator refuses `in` inside `&&` */
  for (size_t i = 0; r >= 0 && rs->strict && rs->style == CELL_SC_STYLE_EASYSECCOMP && i < c.nroles; i++) {
    const lang_role *in = &c.roles[i];
    if (in->src || (in->kind != ROLE_IN && in->kind != ROLE_SYSIN))
      continue;
    const lang_role *rule = NULL;
    for (size_t k = 0; k < c.nroles; k++)
      if (c.roles[k].kind == ROLE_RULE && !c.roles[k].src && c.roles[k].off <= in->off && c.roles[k].end >= in->end)
        rule = &c.roles[k];
    bool and = false;
    for (size_t k = 0; rule && k < c.nroles; k++)
      and |= c.roles[k].kind == ROLE_AND && !c.roles[k].src && c.roles[k].off >= rule->off &&
             c.roles[k].end <= rule->end;
    if (and)
      r = add_edit(rs, in, NULL, "easyseccomp reads `in` and `not in` only as a rule's whole condition, not in `&&`");
  }
  lang_ctx_free(&c);
  if (r < 0 && mask) {
    /* say under which names */
    char which[256] = "";
    size_t w = 0;
    for (size_t i = 0; i < nnames && w < sizeof which - 70; i++)
      if (mask >> i & 1)
        w += (size_t) snprintf(which + w, sizeof which - w, " -D %s", names[i]);
    cell_error_wrap(rs->rc->err, "with%s", which);
  }
  return r;
}

static lang_loc loc_at(const restyle *rs, uint32_t off)
{
  lang_loc l = { 0, 1, 1, off };
  for (uint32_t i = 0; i < off && i < rs->len; i++) {
    if (rs->text[i] == '\n')
      l.line++, l.col = 1;
    else
      l.col++;
  }
  return l;
}

static int by_offset(const void *x, const void *y)
{
  const edit *a = x, *b = y;
  if (a->role.off != b->role.off)
    return a->role.off < b->role.off ? -1 : 1;
  return a->role.end > b->role.end ? -1 : a->role.end < b->role.end;   /* the wider first */
}

/* Directives and comments, which the parser does not see. */
static int check_tokens(restyle *rs, const lang_tok *t, size_t n, char names[][64], size_t *nnames)
{
  for (size_t i = 0; i < n; i++) {
    if (t[i].kind != T_DIRECTIVE)
      continue;
    const char *p = t[i].p + 1, *e = t[i].p + t[i].n;
    while (p < e && (*p == ' ' || *p == '\t'))
      p++;
    bool def = !strncmp(p, "define", 6), test = !strncmp(p, "ifdef", 5) || !strncmp(p, "ifndef", 6);
    while (p < e && *p != ' ' && *p != '\t')
      p++;
    while (p < e && (*p == ' ' || *p == '\t'))
      p++;
    size_t an = (size_t) (e - p);
    bool easy = rs->style == CELL_SC_STYLE_EASYSECCOMP && rs->strict;
    if (easy && def)
      return lang_error(rs->rc, t[i].loc, "no easyseccomp form: easyseccomp has no #define (use -D NAME)");
    if (easy && test) {
      /* easyseccomp's names: a letter or `_`, then upper-case letters, digits or `_` */
      bool ok = an >= 2;
      for (size_t k = 1; k < an; k++)
        ok &= (p[k] >= 'A' && p[k] <= 'Z') || (p[k] >= '0' && p[k] <= '9') || p[k] == '_';
      if (!ok)
        return lang_error(rs->rc, t[i].loc, "no easyseccomp form: easyseccomp's #ifdef names are "
                          "upper case, two characters or more (not `%.*s`)", (int) an, p);
    }
    if (!test)
      continue;
    bool seen = false;
    for (size_t k = 0; k < *nnames; k++)
      seen |= strlen(names[k]) == an && !memcmp(names[k], p, an);
    if (seen || an >= 64)
      continue;
    if (*nnames >= MAX_NAMES)
      return lang_error(rs->rc, t[i].loc, "more than %d names tested by #ifdef: too many readings to respell "
                        "every branch", MAX_NAMES);
    memcpy(names[*nnames], p, an);
    names[(*nnames)++][an] = 0;
  }
  return 0;
}

static bool word(char ch) { return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_'; }

/* Text [from, to) to f; in easyseccomp's style block comments become
 * `//` lines. */
static void copy(const restyle *rs, FILE *f, const lang_tok *t, size_t nt, uint32_t from, uint32_t to)
{
  bool easy = rs->style == CELL_SC_STYLE_EASYSECCOMP;
  for (size_t i = 0; easy && i < nt && from < to; i++) {
    const lang_tok *c = &t[i];
    if (c->kind != T_COMMENT || c->p[1] != '*' || c->loc.off < from || c->loc.off + c->n > to)
      continue;
    fwrite(rs->text + from, 1, c->loc.off - from, f);
    const char *s = c->p + 2, *end = c->p + c->n - 2;
    bool first = true;
    for (;;) {
      const char *nl = memchr(s, '\n', (size_t) (end - s)), *le = nl ? nl : end;
      while (s < le && (*s == ' ' || *s == '\t' || *s == '*'))
        s++;
      const char *te = le;
      while (te > s && (te[-1] == ' ' || te[-1] == '\t' || te[-1] == '\r'))
        te--;
      if (te > s || (nl && !first))
        fprintf(f, "\n//%s%.*s", te > s ? " " : "", (int) (te - s), s);
      first = false;
      if (!nl)
        break;
      s = nl + 1;
    }
    from = c->loc.off + (uint32_t) c->n;
    if (from >= rs->len || rs->text[from] != '\n')
      fputc('\n', f);
  }
  fwrite(rs->text + from, 1, to - from, f);
}

/* The text with the edits applied; comments inside a replaced span move
 * after it. */
static char *apply(restyle *rs, const lang_tok *t, size_t nt)
{
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&out, &len);
  if (!f)
    return NULL;
  uint32_t pos = 0;
  for (size_t i = 0; i < rs->n; i++) {
    const edit *e = &rs->e[i];
    if (!e->text || e->role.off < pos)
      continue;   /* kept, or inside an edit already made */
    copy(rs, f, t, nt, pos, e->role.off);
    /* `arch@x86_64` respelled must not read as `archx86_64` */
    size_t tl = strlen(e->text);
    if (tl && e->role.off && word(rs->text[e->role.off - 1]) && (word(e->text[0]) || e->text[0] == '@'))
      fputc(' ', f);
    fputs(e->text, f);
    if (tl && e->role.end < rs->len && word(e->text[tl - 1]) && (word(rs->text[e->role.end]) || rs->text[e->role.end] == '@'))
      fputc(' ', f);
    for (size_t k = 0; k < nt; k++)
      if (t[k].kind == T_COMMENT && t[k].loc.off >= e->role.off && t[k].loc.off < e->role.end)
        fprintf(f, " %.*s%s", (int) t[k].n, t[k].p, t[k].p[1] == '/' ? "\n" : "");
    pos = e->role.end;
    if (e->role.kind == ROLE_STMT && !*e->text) {
      /* a statement taken out: its line too */
      uint32_t q = pos;
      while (q < rs->len && (rs->text[q] == ' ' || rs->text[q] == '\t' || rs->text[q] == '\r'))
        q++;
      if (q < rs->len && rs->text[q] == '\n')
        pos = q + 1;
    }
  }
  copy(rs, f, t, nt, pos, (uint32_t) rs->len);
  if (fclose(f) != 0) {
    free(out);
    return NULL;
  }
  return out;
}

int cell_sc_lang_restyle(const char *name, const char *text, size_t len, const cell_sc_lang_opts *opts,
                         cell_sc_lang_style style, bool strict, char **out, cell_error *err)
{
  lang_ctx rc;
  memset(&rc, 0, sizeof rc);
  rc.err = err;
  *out = NULL;
  restyle rs = { .rc = &rc, .text = text, .len = len, .style = style, .strict = strict };
  _cleanup_free_ lang_tok *toks = NULL;
  size_t nt = 0, nnames = 0;
  char names[MAX_NAMES][64];
  uint32_t idx;
  char *spelled = NULL;
  int r = lang_add_text(&rc, name, text, len, &idx);
  if (r >= 0 && (r = lang_lex_all(&rc, idx, &toks, &nt)) >= 0)
    r = check_tokens(&rs, toks, nt, names, &nnames);
  for (unsigned mask = 0; r >= 0 && mask < (1u << nnames); mask++)
    r = read_once(&rs, name, opts, names, nnames, mask);
  if (r >= 0 && rs.n)
    qsort(rs.e, rs.n, sizeof *rs.e, by_offset);
  for (size_t i = 0; r >= 0 && i < rs.n; i++)
    if (rs.e[i].error)
      r = lang_error(&rc, loc_at(&rs, rs.e[i].role.off), "no easyseccomp form: %s", rs.e[i].error);
  if (r >= 0 && !(spelled = apply(&rs, toks, nt)))
    r = oom(&rs);
  if (r >= 0)
    r = cell_sc_lang_format(name, spelled, strlen(spelled), out, err);
  for (size_t i = 0; i < rs.n; i++) {
    free(rs.e[i].text);
    free(rs.e[i].error);
  }
  free(rs.e);
  free(spelled);
  lang_ctx_free(&rc);
  return r;
}
