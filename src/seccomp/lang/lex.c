/* The lexer and the preprocessor (#ifdef NAME / #ifndef / #else / #endif,
 * #define NAME): tokens with their file, line and column. */
#include "seccomp/lang/internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const tok_names[] = {
  [T_EOF] = "end of file", [T_IDENT] = "a name", [T_VAR] = "a variable", [T_NUM] = "a number",
  [T_STR] = "a string", [T_LPAREN] = "`(`", [T_RPAREN] = "`)`", [T_COMMA] = "`,`",
  [T_SEMI] = "`;`", [T_ASSIGN] = "`=`", [T_ARROW] = "`=>`", [T_EQ] = "`==`", [T_NE] = "`!=`",
  [T_LT] = "`<`", [T_LE] = "`<=`", [T_GT] = "`>`", [T_GE] = "`>=`", [T_AMP] = "`&`",
  [T_ANDAND] = "`&&`", [T_PIPE] = "`|`", [T_OROR] = "`||`", [T_BANG] = "`!`", [T_TILDE] = "`~`",
  [T_MINUS] = "`-`", [T_CARET] = "`^`", [T_SHL] = "`<<`", [T_SHR] = "`>>`", [T_DOT] = "`.`",
  [T_DOTDOT] = "`..`", [T_AT] = "a name with `@`", [T_COMMENT] = "a comment",
  [T_DIRECTIVE] = "a directive",
};

const char *lang_tok_name(lang_tok_kind k) { return tok_names[k]; }

void lang_lex_init(lang_lexer *lx, lang_ctx *c, uint32_t src)
{
  memset(lx, 0, sizeof *lx);
  lx->c = c;
  lx->src = src;
  lx->text = c->srcs[src].text;
  lx->len = c->srcs[src].len;
  lx->line = 1;
  lx->line_start = true;
}

static lang_loc here(const lang_lexer *lx)
{
  return (lang_loc) { lx->src, lx->line, (uint32_t) (lx->pos - lx->line_off + 1), (uint32_t) lx->pos };
}

/* ---- the preprocessor's names (-D NAME and #define NAME) --------------- */

int lang_define(lang_ctx *c, const char *name, size_t n)
{
  char *d = strndup(name, n);
  char **v = d ? realloc(c->defines, (c->ndefines + 1) * sizeof *v) : NULL;
  if (!v) {
    free(d);
    return cell_error_set(c->err, ENOMEM, "out of memory");
  }
  c->defines = v;
  v[c->ndefines++] = d;
  return 0;
}

bool lang_is_defined(const lang_ctx *c, const char *name, size_t n)
{
  for (size_t i = 0; i < c->ndefines; i++)
    if (strlen(c->defines[i]) == n && memcmp(c->defines[i], name, n) == 0)
      return true;
  return false;
}

static bool active(const lang_lexer *lx)
{
  return lx->nconds == 0 || lx->conds[lx->nconds - 1].active;
}

static void newline(lang_lexer *lx)
{
  lx->pos++;
  lx->line++;
  lx->line_off = (uint32_t) lx->pos;
  lx->line_start = true;
}

static bool ident_char(int ch) { return isalnum(ch) || ch == '_'; }

/* The end of the block comment that starts at lx->pos.  <0 when it has none. */
static int block_comment(lang_lexer *lx)
{
  lang_loc at = here(lx);
  lx->pos += 2;
  for (;;) {
    if (lx->pos + 1 >= lx->len)
      return lang_error(lx->c, at, "unterminated comment: `/*` without `*/`");
    if (lx->text[lx->pos] == '*' && lx->text[lx->pos + 1] == '/') {
      lx->pos += 2;
      return 0;
    }
    if (lx->text[lx->pos] == '\n')
      newline(lx);
    else
      lx->pos++;
  }
}

static bool comment_at(const lang_lexer *lx, size_t pos)
{
  return lx->text[pos] == '/' && pos + 1 < lx->len && (lx->text[pos + 1] == '/' || lx->text[pos + 1] == '*');
}

/* Blanks and comments (in raw mode, blanks only).  <0 on an unterminated
 * comment. */
static int skip_blank(lang_lexer *lx)
{
  while (lx->pos < lx->len) {
    char ch = lx->text[lx->pos];
    if (ch == '\n') {
      newline(lx);
      lx->newlines++;
    } else if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f' || ch == '\v') {
      lx->pos++;
    } else if (lx->raw) {
      break;
    } else if (ch == '/' && lx->pos + 1 < lx->len && lx->text[lx->pos + 1] == '/') {
      while (lx->pos < lx->len && lx->text[lx->pos] != '\n')
        lx->pos++;
    } else if (ch == '/' && lx->pos + 1 < lx->len && lx->text[lx->pos + 1] == '*') {
      int r = block_comment(lx);
      if (r < 0)
        return r;
    } else if (!active(lx) && !(lx->line_start && ch == '#')) {
      /* inactive branch: skip the line */
      while (lx->pos < lx->len && lx->text[lx->pos] != '\n')
        lx->pos++;
    } else {
      break;
    }
  }
  return 0;
}

/* A directive line from its `#`.  In raw mode it becomes the token t (up to
 * its name, without a trailing comment) and has no effect. */
static int directive(lang_lexer *lx, lang_tok *t)
{
  lang_loc at = here(lx);
  lx->pos++;
  while (lx->pos < lx->len && (lx->text[lx->pos] == ' ' || lx->text[lx->pos] == '\t'))
    lx->pos++;
  size_t s = lx->pos;
  while (lx->pos < lx->len && ident_char((unsigned char) lx->text[lx->pos]))
    lx->pos++;
  size_t dn = lx->pos - s;
  const char *d = lx->text + s;
  while (lx->pos < lx->len && (lx->text[lx->pos] == ' ' || lx->text[lx->pos] == '\t'))
    lx->pos++;
  lang_loc argat = here(lx);
  size_t as = lx->pos;
  while (lx->pos < lx->len && ident_char((unsigned char) lx->text[lx->pos]))
    lx->pos++;
  size_t an = lx->pos - as;
  const char *arg = lx->text + as;
  size_t end = an ? as + an : s + dn;
  /* the rest of the line: blanks or a // comment only */
  while (lx->pos < lx->len && (lx->text[lx->pos] == ' ' || lx->text[lx->pos] == '\t' || lx->text[lx->pos] == '\r'))
    lx->pos++;
  bool rest_ok = lx->pos >= lx->len || lx->text[lx->pos] == '\n' ||
                 (lx->text[lx->pos] == '/' && lx->pos + 1 < lx->len && lx->text[lx->pos + 1] == '/');
  bool is = dn == 5 && memcmp(d, "ifdef", 5) == 0, isn = dn == 6 && memcmp(d, "ifndef", 6) == 0;
  bool iselse = dn == 4 && memcmp(d, "else", 4) == 0, isend = dn == 5 && memcmp(d, "endif", 5) == 0;
  bool isdef = dn == 6 && memcmp(d, "define", 6) == 0;
  if (!is && !isn && !iselse && !isend && !isdef)
    return lang_error(lx->c, at, "unknown directive `#%.*s` (expected #ifdef, #ifndef, #else, #endif or #define)",
                      (int) dn, d);
  if ((is || isn || isdef) && an == 0)
    return lang_error(lx->c, argat, "`#%.*s` needs a name", (int) dn, d);
  if ((iselse || isend) && an != 0)
    return lang_error(lx->c, argat, "`#%.*s` takes no name", (int) dn, d);
  if (!rest_ok)
    return lang_error(lx->c, here(lx), "unexpected text after `#%.*s`", (int) dn, d);
  if (lx->raw) {
    memset(t, 0, sizeof *t);
    t->kind = T_DIRECTIVE;
    t->loc = at;
    t->p = lx->text + at.off;
    t->n = end - at.off;
  } else {
    while (lx->pos < lx->len && lx->text[lx->pos] != '\n')
      lx->pos++;
  }
  if (is || isn) {
    if (lx->nconds >= sizeof lx->conds / sizeof lx->conds[0])
      return lang_error(lx->c, at, "#ifdef nested too deeply (at most 32)");
    bool def = !lx->raw && lang_is_defined(lx->c, arg, an);
    bool up = lx->raw || active(lx);
    lx->conds[lx->nconds++] = (lang_cond_frame) { at, up && (is ? def : !def), up, false };
  } else if (iselse) {
    if (!lx->nconds)
      return lang_error(lx->c, at, "`#else` without `#ifdef`");
    lang_cond_frame *f = &lx->conds[lx->nconds - 1];
    if (f->in_else)
      return lang_error(lx->c, at, "a second `#else` for the `#ifdef` at line %u", f->loc.line);
    f->in_else = true;
    f->active = lx->raw || (f->parent_active && !f->active);
  } else if (isend) {
    if (!lx->nconds)
      return lang_error(lx->c, at, "`#endif` without `#ifdef`");
    lx->nconds--;
  } else if (!lx->raw && active(lx)) {
    return lang_define(lx->c, arg, an);
  }
  return 0;
}

static int digit_value(int ch)
{
  if (ch >= '0' && ch <= '9')
    return ch - '0';
  if (ch >= 'a' && ch <= 'f')
    return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F')
    return ch - 'A' + 10;
  return 99;
}

/* Numbers: decimal, 0x hex, 0o octal, 0b binary, `_` between digits.  A
 * leading zero does not make a number octal (easyseccomp reads `010` as
 * ten); a warning says so when the octal reading differs. */
static int lex_number(lang_lexer *lx, lang_tok *t)
{
  const char *s = lx->text;
  unsigned base = 10;
  bool zero = false;
  if (s[lx->pos] == '0' && lx->pos + 1 < lx->len) {
    char n = s[lx->pos + 1];
    if (n == 'x' || n == 'X')
      base = 16, lx->pos += 2;
    else if (n == 'o' || n == 'O')
      base = 8, lx->pos += 2;
    else if (n == 'b' || n == 'B')
      base = 2, lx->pos += 2;
    else if (isdigit((unsigned char) n) || n == '_')
      zero = true;
  }
  uint64_t v = 0, ov = 0;
  bool any = false, overflow = false, octal_ok = true;
  while (lx->pos < lx->len && (ident_char((unsigned char) s[lx->pos]))) {
    char ch = s[lx->pos];
    if (ch == '_') {
      lx->pos++;
      continue;
    }
    unsigned d = (unsigned) digit_value((unsigned char) ch);
    if (d >= base) {
      lang_loc at = here(lx);
      return lang_error(lx->c, at, "`%c` is not a digit of a base-%u number", ch, base);
    }
    if (v > (UINT64_MAX - d) / base)
      overflow = true;
    v = v * base + d;
    octal_ok &= d < 8 && ov <= UINT64_MAX / 8;
    ov = ov * 8 + d;
    any = true;
    lx->pos++;
  }
  if (!any)
    return lang_error(lx->c, t->loc, "a number needs digits after its prefix");
  if (overflow)
    return lang_error(lx->c, t->loc, "the number `%.*s` does not fit in 64 bits",
                      (int) (lx->pos - t->loc.off), s + t->loc.off);
  int len = (int) (lx->pos - t->loc.off);
  if (zero && !lx->raw && !octal_ok)
    lang_warn(lx->c, t->loc, "`%.*s` is the decimal number %llu (a leading zero does not make a number octal)",
              len, s + t->loc.off, (unsigned long long) v);
  else if (zero && !lx->raw && ov != v)
    lang_warn(lx->c, t->loc, "`%.*s` is the decimal number %llu, as in easyseccomp (a leading zero does not "
              "make a number octal: write 0o%.*s for %llu)", len, s + t->loc.off, (unsigned long long) v,
              len - 1, s + t->loc.off + 1, (unsigned long long) ov);
  t->kind = T_NUM;
  t->num = v;
  return 0;
}

/* `@name` or `@name@arch`. */
static int lex_at(lang_lexer *lx, lang_tok *t)
{
  const char *s = lx->text;
  for (int part = 0; part < 2; part++) {
    lx->pos++;   /* the @ */
    if (lx->pos >= lx->len || !(isalpha((unsigned char) s[lx->pos]) || s[lx->pos] == '_'))
      return lang_error(lx->c, part ? here(lx) : t->loc,
                        part ? "`@` must be followed by an architecture name (`@read@x86`)"
                             : "`@` must be followed by a syscall or an architecture name (`@read`, `@x86`)");
    while (lx->pos < lx->len && ident_char((unsigned char) s[lx->pos]))
      lx->pos++;
    if (lx->pos >= lx->len || s[lx->pos] != '@')
      break;
  }
  t->kind = T_AT;
  return 0;
}

int lang_lex_next(lang_lexer *lx, lang_tok *t)
{
  int r;
  lx->newlines = 0;
  for (;;) {
    if ((r = skip_blank(lx)) < 0)
      return r;
    if (lx->pos < lx->len && lx->line_start && lx->text[lx->pos] == '#') {
      unsigned nl = lx->newlines;
      if ((r = directive(lx, t)) < 0)
        return r;
      if (lx->raw) {
        t->nl_before = nl > 0 || t->loc.off == 0;
        t->blank_before = nl > 1;
        return 0;
      }
      continue;
    }
    break;
  }
  memset(t, 0, sizeof *t);
  t->loc = here(lx);
  t->p = lx->text + lx->pos;
  t->nl_before = lx->newlines > 0;
  t->blank_before = lx->newlines > 1;
  if (lx->pos >= lx->len) {
    if (lx->nconds)
      return lang_error(lx->c, lx->conds[lx->nconds - 1].loc, "`#ifdef` without `#endif`");
    t->kind = T_EOF;
    return 0;
  }
  if (lx->raw && comment_at(lx, lx->pos)) {
    size_t start = lx->pos;
    if (lx->text[lx->pos + 1] == '/') {
      while (lx->pos < lx->len && lx->text[lx->pos] != '\n' && lx->text[lx->pos] != '\r')
        lx->pos++;
    } else if ((r = block_comment(lx)) < 0) {
      return r;
    }
    t->kind = T_COMMENT;
    t->n = lx->pos - start;
    return 0;
  }
  lx->line_start = false;
  const char *s = lx->text;
  unsigned char ch = (unsigned char) s[lx->pos];
  char n = lx->pos + 1 < lx->len ? s[lx->pos + 1] : 0;
  size_t start = lx->pos;
  if (isalpha(ch) || ch == '_') {
    while (lx->pos < lx->len && ident_char((unsigned char) s[lx->pos]))
      lx->pos++;
    t->kind = T_IDENT;
  } else if (ch == '$') {
    lx->pos++;
    while (lx->pos < lx->len && ident_char((unsigned char) s[lx->pos]))
      lx->pos++;
    if (lx->pos == start + 1)
      return lang_error(lx->c, t->loc, "`$` must be followed by a variable name ($syscall, $arch, $arg0..$arg5)");
    t->kind = T_VAR;
  } else if (isdigit(ch)) {
    if ((r = lex_number(lx, t)) < 0)
      return r;
  } else if (ch == '@') {
    if ((r = lex_at(lx, t)) < 0)
      return r;
  } else if (ch == '"') {
    lx->pos++;
    while (lx->pos < lx->len && s[lx->pos] != '"' && s[lx->pos] != '\n')
      lx->pos++;
    if (lx->pos >= lx->len || s[lx->pos] != '"')
      return lang_error(lx->c, t->loc, "unterminated string");
    lx->pos++;
    t->kind = T_STR;
  } else {
    lang_tok_kind k;
    size_t w = 2;
    switch (ch) {
    case '(': k = T_LPAREN, w = 1; break;
    case ')': k = T_RPAREN, w = 1; break;
    case ',': k = T_COMMA, w = 1; break;
    case ';': k = T_SEMI, w = 1; break;
    case '~': k = T_TILDE, w = 1; break;
    case '-': k = T_MINUS, w = 1; break;
    case '^': k = T_CARET, w = 1; break;
    case '=': k = n == '>' ? T_ARROW : n == '=' ? T_EQ : (w = 1, T_ASSIGN); break;
    case '!': k = n == '=' ? T_NE : (w = 1, T_BANG); break;
    case '<': k = n == '=' ? T_LE : n == '<' ? T_SHL : (w = 1, T_LT); break;
    case '>': k = n == '=' ? T_GE : n == '>' ? T_SHR : (w = 1, T_GT); break;
    case '&': k = n == '&' ? T_ANDAND : (w = 1, T_AMP); break;
    case '|': k = n == '|' ? T_OROR : (w = 1, T_PIPE); break;
    case '.': k = n == '.' ? T_DOTDOT : (w = 1, T_DOT); break;
    default:
      if (ch >= 0x20 && ch < 0x7f)
        return lang_error(lx->c, t->loc, "unexpected character `%c`", ch);
      return lang_error(lx->c, t->loc, "unexpected character 0x%02x", ch);
    }
    t->kind = k;
    lx->pos += w;
  }
  t->n = lx->pos - start;
  return 0;
}

int lang_lex_all(lang_ctx *c, uint32_t src, lang_tok **toks, size_t *n)
{
  lang_lexer lx;
  lang_lex_init(&lx, c, src);
  lx.raw = true;
  size_t cap = 0;
  *toks = NULL;
  *n = 0;
  for (;;) {
    if (*n == cap) {
      cap = cap ? cap * 2 : 256;
      lang_tok *q = realloc(*toks, cap * sizeof *q);
      if (!q)
        return cell_error_set(c->err, ENOMEM, "out of memory");
      *toks = q;
    }
    int r = lang_lex_next(&lx, &(*toks)[*n]);
    if (r < 0)
      return r;
    if ((*toks)[(*n)++].kind == T_EOF)
      return 0;
  }
}
