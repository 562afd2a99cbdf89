/* The parser's state and what its files share.  The parser is split by
 * concern, each file calling only those below it:
 *   parse.c        statements, includes, the required default
 *   parse-cond.c   conditions: $syscall, $arch, $argN, && || ! ( )
 *   parse-names.c  syscall lists (names, @name@arch, sets, KERNEL()), architectures
 *   parse-value.c  values (numbers, constants, operators) and actions
 *   tree.c         the syntax tree's storage (nodes, items, ranges, names)
 * Tokens come from lex.c. */
#ifndef CELL_SECCOMP_LANG_PARSER_H
#define CELL_SECCOMP_LANG_PARSER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "seccomp/lang/internal.h"

typedef struct parser {
  lang_ctx *c;
  lang_lexer lx;
  lang_tok t;       /* current token */
  unsigned vdepth;  /* nesting of value expressions */
  uint32_t prev_end; /* where the token before t ends */
} parser;

static inline int lp_next(parser *p)
{
  p->prev_end = p->t.loc.off + (uint32_t) p->t.n;
  return lang_lex_next(&p->lx, &p->t);
}

static inline bool lp_is_ident(const parser *p, const char *word)
{
  return p->t.kind == T_IDENT && p->t.n == strlen(word) && memcmp(p->t.p, word, p->t.n) == 0;
}

/* The current token as a C string in buf; false when it does not fit. */
static inline bool lp_tok_text(const parser *p, char *buf, size_t size)
{
  if (p->t.n >= size)
    return false;
  memcpy(buf, p->t.p, p->t.n);
  buf[p->t.n] = 0;
  return true;
}

static inline int lp_unexpected(parser *p, const char *what)
{
  if (p->t.kind == T_EOF)
    return lang_error(p->c, p->t.loc, "expected %s, found the end of the file", what);
  return lang_error(p->c, p->t.loc, "expected %s, found `%.*s`", what, (int) p->t.n, p->t.p);
}

static inline int lp_expect(parser *p, lang_tok_kind k, const char *what)
{
  if (p->t.kind != k)
    return lp_unexpected(p, what ? what : lang_tok_name(k));
  return lp_next(p);
}

/* ---- tree.c ------------------------------------------------------------ */
int lang_new_node(lang_ctx *c, lang_node_kind k, lang_loc loc, uint32_t *idx);
int lang_add_item(lang_ctx *c, lang_sysitem it);
int lang_add_range(lang_ctx *c, lang_range rg);
int lang_add_rule(lang_ctx *c, lang_rule rule);
/* d.name is taken (freed on error). */
int lang_add_def(lang_ctx *c, lang_def d);
lang_def *lang_find_def(lang_ctx *c, const char *name, size_t n);
/* Keep a role when c->record; -ENOMEM. */
int lang_add_role(lang_ctx *c, lang_role r);

/* The role kind over [off, where the last token read ends). */
static inline int lp_role(parser *p, int kind, uint32_t off, uint64_t v, uint32_t a, uint32_t b)
{
  if (!p->c->record)
    return 0;
  return lang_add_role(p->c, (lang_role) { (uint8_t) kind, p->lx.src, off, p->prev_end, v, a, b });
}

/* ---- parse-value.c ----------------------------------------------------- */
/* A value: numbers and constants with | ^ & << >> ~ - and parentheses. */
int lp_value(parser *p, uint64_t *v);
/* A value without | ^ & at its top (a mask: `$a & A | B` is handled by the caller). */
int lp_value_shift(parser *p, uint64_t *v);
/* ALLOW, ERRNO(e), ... into a SECCOMP_RET_* value. */
int lp_action(parser *p, uint32_t *action);

/* ---- parse-names.c ----------------------------------------------------- */
/* One item of a syscall list; where: 0 in a list, 1 alone after `in`, 2
 * after == or != (for the roles). */
int lp_sysitem(parser *p, bool in_rule, int where);
/* `(item, ...)` or, unless paren_required, one item (a set, KERNEL(x.y)). */
int lp_syslist(parser *p, bool in_rule, bool paren_required);
/* An architecture: a name, `@name`, or an AUDIT_ARCH_* number. */
int lp_arch_name(parser *p, size_t *idx);

/* ---- parse-cond.c ------------------------------------------------------ */
/* A whole condition into a node. */
int lp_condition(parser *p, uint32_t *out);
#endif
