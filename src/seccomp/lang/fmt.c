/* `cell seccomp fmt`: a policy in one canonical layout, from the lexer's
 * tokens (raw mode: comments and directives included, every #ifdef branch
 * read).  Only white space changes, and a default without its `;` gets
 * one; the result is checked to read as the same tokens.
 *
 * The layout: one statement a line, single spaces around operators, none
 * inside parentheses or before `,` and `;`, directives at the start of
 * their line, at most one empty line kept where there was one or more.  A
 * statement wider than 100 columns breaks before `&&`, `||` and `=>` and
 * after `,`, continuation lines indented by 4; a parenthesised list that
 * does not fit opens with `(` at the end of its line, holds its items
 * indented by 4, and closes with `)` at the indent of its opening line.
 * `//` comments stay where they were: at the end of a line after two
 * spaces, or on a line of their own at the indent of what follows. */
#include "seccomp/lang/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/cleanup.h"

#define FMT_WIDTH 100
#define FMT_INDENT 4
#define FMT_FORCED ((size_t) -1 / 4)   /* the width of what cannot stay on one line */

enum { F_ATOM, F_COMMENT, F_DIRECTIVE, F_GROUP };

typedef struct fnode {
  int kind;
  lang_tok_kind tk;         /* F_ATOM */
  const char *p;            /* text in the source (F_DIRECTIVE: NULL, see dtext) */
  size_t n;
  char dtext[80];
  bool own_line;            /* comments and directives: on a line of their own */
  bool blank_before;        /* an empty line before it (own-line items) */
  bool breaks;              /* a line must end after it (// comments, multi-line block comments) */
  struct fnode *kids;       /* F_GROUP: between `(` and `)` */
  size_t nkids, cap;
  size_t width;             /* flat width, FMT_FORCED when it cannot be flat */
  lang_loc loc;
} fnode;

typedef struct fmt {
  lang_ctx *c;
  lang_tok *toks;
  size_t ntoks, pos;
  FILE *out;
  size_t col;               /* columns written on the current line */
  size_t line_indent;       /* the indent the current line started with */
  size_t indent;            /* of the line the next text starts (fresh) */
  bool fresh;               /* nothing written on this line yet */
  bool pending_nl;          /* a line break is due before the next text */
  bool blank;               /* and an empty line */
  bool any;                 /* something written */
} fmt;

static void free_node(fnode *n)
{
  for (size_t i = 0; i < n->nkids; i++)
    free_node(&n->kids[i]);
  free(n->kids);
  n->kids = NULL;
  n->nkids = n->cap = 0;
}

static int add_kid(fmt *f, fnode *g, const fnode *k)
{
  if (g->nkids == g->cap) {
    size_t cap = g->cap ? g->cap * 2 : 8;
    fnode *q = realloc(g->kids, cap * sizeof *q);
    if (!q)
      return cell_error_set(f->c->err, ENOMEM, "out of memory");
    g->kids = q;
    g->cap = cap;
  }
  g->kids[g->nkids++] = *k;
  return 0;
}

/* `#  ifdef   X` as `#ifdef X` */
static void directive_text(fnode *n, const lang_tok *t)
{
  const char *s = t->p + 1, *e = t->p + t->n;
  while (s < e && (*s == ' ' || *s == '\t'))
    s++;
  const char *name = s;
  while (s < e && *s != ' ' && *s != '\t')
    s++;
  int nn = (int) (s - name);
  while (s < e && (*s == ' ' || *s == '\t'))
    s++;
  int an = (int) (e - s);
  snprintf(n->dtext, sizeof n->dtext, an ? "#%.*s %.*s" : "#%.*s", nn, name, an, s);
  n->p = NULL;   /* the text is n->dtext, wherever the node is copied to */
  n->n = strlen(n->dtext);
}

static fnode leaf(const lang_tok *t)
{
  fnode n = { .kind = F_ATOM, .tk = t->kind, .p = t->p, .n = t->n, .loc = t->loc };
  if (t->kind == T_COMMENT) {
    n.kind = F_COMMENT;
    n.own_line = t->nl_before || t->loc.off == 0;
    n.blank_before = t->blank_before;
    n.breaks = t->p[1] == '/' || memchr(t->p, '\n', t->n) != NULL;
  } else if (t->kind == T_DIRECTIVE) {
    n.kind = F_DIRECTIVE;
    n.own_line = true;
    n.blank_before = t->blank_before;
    n.breaks = true;
    directive_text(&n, t);
  }
  return n;
}

static bool is_word(const fnode *n, const char *w)
{
  return n->kind == F_ATOM && n->tk == T_IDENT && n->n == strlen(w) && memcmp(n->p, w, n->n) == 0;
}

static char first_char(const fnode *n) { return n->kind == F_GROUP ? '(' : n->p[0]; }
static char last_char(const fnode *n) { return n->kind == F_GROUP ? ')' : n->p[n->n - 1]; }

static bool word_char(char ch) { return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_'; }

/* Two tokens written side by side would read as other tokens. */
static bool merges(const fnode *a, const fnode *b)
{
  char x = last_char(a), y = first_char(b);
  if (word_char(x) && (word_char(y) || y == '@'))
    return true;
  if (strchr("=!<>", x) && strchr("=<>", y))
    return true;
  return (x == '&' && y == '&') || (x == '|' && y == '|') || (x == '.' && y == '.') ||
         (x == '/' && (y == '/' || y == '*')) || (x == '-' && y == '>');
}

/* One space between a and b (a the element before, NULL at a line's start)? */
static bool spaced(const fnode *a, const fnode *b)
{
  if (!a)
    return false;
  bool r = true;
  if (b->kind == F_ATOM && (b->tk == T_COMMA || b->tk == T_SEMI || b->tk == T_DOT || b->tk == T_DOTDOT))
    r = false;
  else if (a->kind == F_ATOM && (a->tk == T_DOT || a->tk == T_DOTDOT || a->tk == T_BANG || a->tk == T_TILDE ||
                                 a->tk == T_MINUS))
    r = false;
  else if (b->kind == F_GROUP && a->kind == F_ATOM && a->tk == T_IDENT && !is_word(a, "in"))
    r = false;   /* ERRNO(EPERM), KERNEL(5.4) */
  return r || merges(a, b);
}

static void measure(fnode *g)
{
  size_t w = 2;
  const fnode *prev = NULL;
  for (size_t i = 0; i < g->nkids; i++) {
    fnode *k = &g->kids[i];
    if (k->kind == F_GROUP)
      measure(k);
    if (k->kind == F_COMMENT || k->kind == F_DIRECTIVE) {
      if (k->breaks || k->own_line)
        w = FMT_FORCED;
      else
        w += 1 + k->n + 1;
      continue;
    }
    size_t kw = k->kind == F_GROUP ? k->width : k->n;
    w += (spaced(prev, k) ? 1 : 0) + kw;
    if (w > FMT_FORCED)
      w = FMT_FORCED;
    prev = k;
  }
  g->width = w > FMT_FORCED ? FMT_FORCED : w;
}

/* ---- reading statements ------------------------------------------------ */

/* The statement's end: its `;` (added when add_semi) and a comment on the
 * same line. */
static int end_statement(fmt *f, fnode *g, bool add_semi)
{
  int r;
  if (add_semi) {
    fnode semi = { .kind = F_ATOM, .tk = T_SEMI, .p = ";", .n = 1 };
    if ((r = add_kid(f, g, &semi)) < 0)
      return r;
  }
  while (f->pos < f->ntoks && f->toks[f->pos].kind == T_COMMENT && !f->toks[f->pos].nl_before) {
    fnode c = leaf(&f->toks[f->pos++]);
    if ((r = add_kid(f, g, &c)) < 0)
      return r;
  }
  return 0;
}

/* Tokens from f->pos into g's children up to the statement's end (`;` at
 * the top, `)` in a group); a default gets its missing `;`. */
static int read_seq(fmt *f, fnode *g, bool top, unsigned depth)
{
  int r;
  if (depth > 256)
    return lang_error(f->c, g->loc, "cannot format: parentheses nested more than 256 deep");
  int arrow = 0;   /* a default: 1 after its `=>`, 2 after its action's name */
  bool is_default = top && f->pos < f->ntoks && f->toks[f->pos].kind == T_ARROW;
  for (;;) {
    const lang_tok *t = &f->toks[f->pos];
    if (t->kind == T_EOF) {
      if (!top)
        return lang_error(f->c, g->loc, "cannot format: `(` without `)`");
      return arrow == 2 ? end_statement(f, g, true) : 0;
    }
    if (arrow == 2 && t->kind != T_SEMI && t->kind != T_LPAREN)
      return end_statement(f, g, true);
    f->pos++;
    if (t->kind == T_RPAREN) {
      if (top)
        return lang_error(f->c, t->loc, "cannot format: `)` without `(`");
      return 0;
    }
    if (t->kind == T_LPAREN) {
      fnode k = { .kind = F_GROUP, .loc = t->loc };
      if ((r = read_seq(f, &k, false, depth + 1)) < 0 || (r = add_kid(f, g, &k)) < 0) {
        free_node(&k);
        return r;
      }
      if (arrow == 2 && f->toks[f->pos].kind != T_SEMI)
        return end_statement(f, g, true);
      continue;
    }
    fnode k = leaf(t);
    if ((r = add_kid(f, g, &k)) < 0)
      return r;
    if (is_default && t->kind == T_ARROW && arrow == 0)
      arrow = 1;
    else if (arrow == 1 && t->kind == T_IDENT)
      arrow = 2;
    if (top && t->kind == T_SEMI)
      return end_statement(f, g, false);
  }
}

/* ---- writing ----------------------------------------------------------- */
/* Line breaks and indents are written with the next text, so that no line
 * ends in blanks and no break doubles. */

static void put(fmt *f, const char *s, size_t n)
{
  if (f->fresh) {
    if (f->pending_nl)
      fputs(f->blank ? "\n\n" : "\n", f->out);
    for (size_t i = 0; i < f->indent; i++)
      fputc(' ', f->out);
    f->col = f->indent;
    f->fresh = f->pending_nl = f->blank = false;
  }
  fwrite(s, 1, n, f->out);
  const char *nl = memrchr(s, '\n', n);
  f->col = nl ? (size_t) (s + n - nl - 1) : f->col + n;
  f->any = true;
}

/* The next text starts a line at indent. */
static void newline(fmt *f, size_t indent)
{
  if (!f->fresh)
    f->pending_nl = f->any;
  f->fresh = true;
  f->indent = f->line_indent = f->col = indent;
}

static bool break_before(const fnode *prev, const fnode *k)
{
  if (k->kind == F_ATOM && (k->tk == T_ANDAND || k->tk == T_OROR || k->tk == T_ARROW))
    return true;
  return prev && prev->kind == F_ATOM && prev->tk == T_COMMA;
}

static size_t width_of(const fnode *k) { return k->kind == F_GROUP ? k->width : k->n; }

/* The width from kids[i] up to the next place a line may break. */
static size_t glued(const fnode *kids, size_t n, size_t i)
{
  size_t w = width_of(&kids[i]);
  const fnode *prev = &kids[i];
  for (size_t j = i + 1; j < n; j++) {
    const fnode *k = &kids[j];
    if (k->kind == F_COMMENT || k->kind == F_DIRECTIVE || break_before(prev, k))
      break;
    w += (spaced(prev, k) ? 1 : 0) + (k->kind == F_GROUP && k->width >= FMT_FORCED ? 1 : width_of(k));
    prev = k;
  }
  return w;
}

static void write_seq(fmt *f, const fnode *kids, size_t n, size_t cont);

static void write_group(fmt *f, const fnode *g)
{
  if (g->width < FMT_FORCED && f->col + g->width <= FMT_WIDTH) {
    put(f, "(", 1);
    write_seq(f, g->kids, g->nkids, f->line_indent + FMT_INDENT);
    put(f, ")", 1);
    return;
  }
  size_t base = f->line_indent;
  put(f, "(", 1);
  newline(f, base + FMT_INDENT);
  write_seq(f, g->kids, g->nkids, base + FMT_INDENT);
  newline(f, base);
  put(f, ")", 1);
}

static void write_seq(fmt *f, const fnode *kids, size_t n, size_t cont)
{
  const fnode *prev = NULL;
  bool must_break = false, after_comment = false;
  for (size_t i = 0; i < n; i++) {
    const fnode *k = &kids[i];
    if (k->kind == F_DIRECTIVE) {
      newline(f, 0);
      if (k->blank_before)
        f->blank = f->pending_nl;
      put(f, k->dtext, k->n);
      must_break = true;
      prev = NULL;
      continue;
    }
    if (k->kind == F_COMMENT) {
      if (k->own_line) {
        newline(f, must_break || !prev ? (f->fresh ? f->indent : cont) : cont);
        if (k->blank_before)
          f->blank = f->pending_nl;
        put(f, k->p, k->n);
        must_break = true;
      } else if (f->fresh) {
        /* after `(`, whose line is already ended: the comment stays up there */
        f->fresh = false;
        f->pending_nl = false;
        put(f, "  ", 2);
        put(f, k->p, k->n);
        newline(f, f->indent);
        must_break = true;
      } else {
        put(f, k->breaks ? "  " : " ", k->breaks ? 2 : 1);
        put(f, k->p, k->n);
        must_break |= k->breaks;
        after_comment = !k->breaks;
      }
      prev = NULL;
      continue;
    }
    bool sp = spaced(prev, k) || after_comment;
    after_comment = false;
    if (must_break) {
      newline(f, cont);
      sp = false;
      must_break = false;
    } else if (prev && break_before(prev, k) && f->col + (sp ? 1 : 0) + glued(kids, n, i) > FMT_WIDTH &&
               f->col > cont) {
      newline(f, cont);
      sp = false;
    }
    if (sp)
      put(f, " ", 1);
    if (k->kind == F_GROUP)
      write_group(f, k);
    else
      put(f, k->p, k->n);
    prev = k;
  }
  if (must_break)
    newline(f, cont);
}

/* One top-level statement, comment or directive. */
static void write_top(fmt *f, const fnode *s)
{
  newline(f, 0);
  if (s->blank_before)
    f->blank = f->pending_nl;
  write_seq(f, s->kids, s->nkids, FMT_INDENT);
}

/* ---- the whole text ---------------------------------------------------- */

/* The formatted text reads as the original's tokens (one `;` may be new). */
static bool same_tokens(lang_ctx *c, const lang_tok *a, size_t na, const lang_tok *b, size_t nb)
{
  size_t i = 0, j = 0;
  (void) c;
  while (i < na && j < nb) {
    const lang_tok *x = &a[i], *y = &b[j];
    if (x->kind == T_DIRECTIVE && y->kind == T_DIRECTIVE) {
      i++, j++;   /* their spacing is canonical: checked by the lexer on both */
      continue;
    }
    if (x->kind != y->kind || x->n != y->n || memcmp(x->p, y->p, x->n) != 0) {
      if (y->kind == T_SEMI) {
        j++;
        continue;
      }
      return false;
    }
    i++, j++;
  }
  while (j < nb && b[j].kind == T_SEMI)
    j++;
  return i == na && j == nb;
}

static int format(lang_ctx *c, uint32_t src, char **out, size_t *outlen)
{
  _cleanup_free_ lang_tok *toks = NULL;
  size_t ntoks = 0;
  int r = lang_lex_all(c, src, &toks, &ntoks);
  if (r < 0)
    return r;
  char *text = NULL;
  size_t len = 0;
  fmt f = { .c = c, .toks = toks, .ntoks = ntoks, .out = open_memstream(&text, &len), .fresh = true };
  if (!f.out)
    return cell_error_set(c->err, ENOMEM, "out of memory");
  while (r >= 0 && f.pos < ntoks && toks[f.pos].kind != T_EOF) {
    const lang_tok *t = &toks[f.pos];
    fnode s = { .kind = F_GROUP, .loc = t->loc, .blank_before = t->blank_before };
    if (t->kind == T_COMMENT || t->kind == T_DIRECTIVE) {
      fnode k = leaf(t);
      f.pos++;
      k.own_line = true;
      r = add_kid(&f, &s, &k);
      /* a comment on a directive's line stays there */
      while (r >= 0 && t->kind == T_DIRECTIVE && f.pos < ntoks && toks[f.pos].kind == T_COMMENT &&
             !toks[f.pos].nl_before) {
        fnode cm = leaf(&toks[f.pos++]);
        r = add_kid(&f, &s, &cm);
      }
    } else {
      r = read_seq(&f, &s, true, 0);
    }
    if (r >= 0) {
      measure(&s);
      write_top(&f, &s);
    }
    free_node(&s);
  }
  if (f.any)
    fputc('\n', f.out);
  if (fclose(f.out) != 0) {
    free(text);
    return cell_error_set(c->err, ENOMEM, "out of memory");
  }
  if (r < 0) {
    free(text);
    return r;
  }
  *out = text;
  *outlen = len;
  return 0;
}

int cell_sc_lang_format(const char *name, const char *text, size_t len, char **out, cell_error *err)
{
  lang_ctx c;
  memset(&c, 0, sizeof c);
  c.err = err;
  *out = NULL;
  uint32_t idx, again;
  char *res = NULL;
  size_t rlen = 0;
  int r = lang_add_text(&c, name, text, len, &idx);
  if (r >= 0)
    r = format(&c, idx, &res, &rlen);
  if (r >= 0 && (r = lang_add_text(&c, name, res, rlen, &again)) >= 0) {
    _cleanup_free_ lang_tok *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    if ((r = lang_lex_all(&c, idx, &a, &na)) >= 0 && (r = lang_lex_all(&c, again, &b, &nb)) >= 0 &&
        !same_tokens(&c, a, na, b, nb))
      r = cell_error_set(err, EINVAL, "%s: internal error: the formatted policy reads differently", name);
  }
  lang_ctx_free(&c);
  if (r < 0) {
    free(res);
    return r;
  }
  *out = res;
  return 0;
}
