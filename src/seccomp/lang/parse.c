/* The parser's statements: arch, badarch, newer, define, set, include,
 * rules and the default; with the checks that need no architecture. */
#include "seccomp/lang/parser.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The architectures are settled at the first rule. */
static int settle_arches(parser *p)
{
  lang_ctx *c = p->c;
  if (c->narches)
    return 0;
  const cell_sc_arch *native = c->opts && c->opts->native_arch ? cell_sc_arch_by_name(c->opts->native_arch)
                                                               : cell_sc_arch_native();
  if (!native)
    return lang_error_noloc(c, "unknown native architecture `%s`", c->opts->native_arch);
  c->arches[c->narches++] = (uint16_t) cell_sc_arch_index(native);
  return 0;
}

static int stmt_arch(parser *p, lang_loc at)
{
  lang_ctx *c = p->c;
  int r;
  if (c->arch_declared)
    return lang_error(c, at, "a second `arch` declaration");
  if (c->nrules || c->narches)
    return lang_error(c, at, "`arch` must come before the rules");
  if ((r = settle_arches(p)) < 0)
    return r;
  c->arch_declared = true;
  for (;;) {
    lang_loc aat = p->t.loc;
    size_t a;
    if ((r = lp_arch_name(p, &a)) < 0)
      return r;
    bool dup = false;
    for (size_t i = 1; i < c->narches; i++)
      dup |= c->arches[i] == a;
    if (dup)
      return lang_error(c, aat, "architecture `%s` listed twice", cell_sc_arches[a].short_name);
    if (c->arches[0] != a) {
      if (c->narches >= CELL_SC_MAX_ARCHES)
        return lang_error(c, aat, "too many architectures");
      c->arches[c->narches++] = (uint16_t) a;
    }
    if (p->t.kind != T_COMMA)
      break;
    if ((r = lp_next(p)) < 0)
      return r;
  }
  return lp_expect(p, T_SEMI, "`,` or `;`");
}

static int name_token(parser *p, char **name, lang_loc *at)
{
  if (p->t.kind != T_IDENT)
    return lp_unexpected(p, "a name");
  *at = p->t.loc;
  if (lang_find_def(p->c, p->t.p, p->t.n))
    return lang_error(p->c, p->t.loc, "`%.*s` is already defined", (int) p->t.n, p->t.p);
  char b[64];
  if (lp_tok_text(p, b, sizeof b) && lang_const_lookup(b))
    lang_warn(p->c, p->t.loc, "`%s` hides the built-in constant of that name", b);
  *name = strndup(p->t.p, p->t.n);
  if (!*name)
    return cell_error_set(p->c->err, ENOMEM, "out of memory");
  int r = lp_next(p);
  if (r < 0) {
    free(*name);
    *name = NULL;
  }
  return r;
}

static int stmt_define(parser *p, bool is_set)
{
  int r;
  char *name = NULL;
  lang_loc at;
  if ((r = name_token(p, &name, &at)) < 0)
    return r;
  lang_def d = { .name = name, .is_set = is_set, .loc = at };
  if ((r = lp_expect(p, T_ASSIGN, "`=`")) < 0) {
    free(name);
    return r;
  }
  if (is_set) {
    d.first = (uint32_t) p->c->nitems;
    r = lp_syslist(p, false, true);
    d.n = (uint32_t) (p->c->nitems - d.first);
  } else {
    r = lp_value(p, &d.value);
  }
  if (r < 0 || (r = lp_expect(p, T_SEMI, "`;`")) < 0) {
    free(name);
    return r;
  }
  return lang_add_def(p->c, d);
}

static int stmt_include(parser *p, lang_loc at)
{
  int r;
  if (p->t.kind != T_STR)
    return lp_unexpected(p, "a file name in quotes");
  char *path = strndup(p->t.p + 1, p->t.n - 2);
  if (!path)
    return cell_error_set(p->c->err, ENOMEM, "out of memory");
  lang_loc pat = p->t.loc;
  if ((r = lp_next(p)) < 0 || (r = lp_expect(p, T_SEMI, "`;`")) < 0) {
    free(path);
    return r;
  }
  if (!*path) {
    free(path);
    return lang_error(p->c, pat, "an empty file name");
  }
  if (p->c->opts && p->c->opts->no_includes) {
    free(path);
    return lang_error(p->c, at, "`include` is not allowed here");
  }
  if (p->c->include_depth >= 16) {
    free(path);
    return lang_error(p->c, at, "includes nested too deeply (an include cycle?)");
  }
  uint32_t idx;
  r = lang_add_file(p->c, path, p->lx.src, pat, &idx);
  free(path);
  if (r < 0)
    return r;
  p->c->include_depth++;
  r = lang_parse_src(p->c, idx);
  p->c->include_depth--;
  return r;
}

static int stmt_rule(parser *p, lang_loc at)
{
  lang_ctx *c = p->c;
  int r;
  if ((r = settle_arches(p)) < 0)
    return r;
  lang_rule rule = { .loc = at };
  if (p->t.kind == T_ARROW) {
    rule.is_default = true;
    if ((r = lang_new_node(c, N_TRUE, at, &rule.cond)) < 0)
      return r;
  } else {
    size_t before = c->nnodes;
    if ((r = lp_condition(p, &rule.cond)) < 0)
      return r;
    if (c->nnodes - before > 4096)
      return lang_error(c, at, "a rule has at most 4096 comparisons and operators; split it");
  }
  if ((r = lp_expect(p, T_ARROW, rule.is_default ? NULL : "`=>` or a condition")) < 0)
    return r;
  if ((r = lp_action(p, &rule.action)) < 0)
    return r;
  /* the default's `;` may be left out, as easyseccomp's grammar does */
  if ((!rule.is_default || p->t.kind == T_SEMI) && (r = lp_expect(p, T_SEMI, "`;`")) < 0)
    return r;
  if ((r = lp_role(p, ROLE_RULE, at.off, 0, 0, 0)) < 0)
    return r;
  if (c->has_default) {
    /* as in easyseccomp, where the first default ends the program */
    const lang_loc *d = &c->rules[c->nrules - 1].loc;
    lang_warn(c, at, "this rule comes after the default at %s:%u:%u and is never reached",
              c->srcs[d->src].name, d->line, d->col);
    return c->record ? lang_add_rule(c, rule) : 0;
  }
  c->has_default |= rule.is_default;
  return lang_add_rule(c, rule);
}

static int statement_(parser *p);

/* A statement, and its role when recording. */
static int statement(parser *p)
{
  static const char *const words[] = {
    [STMT_ARCH] = "arch", [STMT_BADARCH] = "badarch", [STMT_NEWER] = "newer",
    [STMT_DEFINE] = "define", [STMT_SET] = "set", [STMT_INCLUDE] = "include",
  };
  uint32_t off = p->t.loc.off;
  int kind = -1;
  for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
    if (lp_is_ident(p, words[i]))
      kind = (int) i;
  int r = statement_(p);
  return r < 0 || kind < 0 ? r : lp_role(p, ROLE_STMT, off, 0, (uint32_t) kind, 0);
}

static int statement_(parser *p)
{
  int r;
  lang_loc at = p->t.loc;
  if (p->t.kind == T_IDENT) {
    if (lp_is_ident(p, "arch"))
      return (r = lp_next(p)) < 0 ? r : stmt_arch(p, at);
    if (lp_is_ident(p, "define"))
      return (r = lp_next(p)) < 0 ? r : stmt_define(p, false);
    if (lp_is_ident(p, "set"))
      return (r = lp_next(p)) < 0 ? r : stmt_define(p, true);
    if (lp_is_ident(p, "include"))
      return (r = lp_next(p)) < 0 ? r : stmt_include(p, at);
    if (lp_is_ident(p, "badarch") || lp_is_ident(p, "newer")) {
      bool bad = lp_is_ident(p, "badarch");
      uint32_t action;
      if ((r = lp_next(p)) < 0 || (r = lp_expect(p, T_ARROW, "`=>`")) < 0)
        return r;
      lang_loc aat = p->t.loc;
      if ((r = lp_action(p, &action)) < 0 || (r = lp_expect(p, T_SEMI, "`;`")) < 0)
        return r;
      if (bad) {
        if (p->c->has_badarch)
          return lang_error(p->c, at, "a second `badarch` declaration");
        p->c->has_badarch = true;
        p->c->badarch_action = action;
      } else {
        if (action != (CELL_SC_RET_ERRNO | ENOSYS))
          return lang_error(p->c, aat, "`newer` takes ERRNO(ENOSYS) only");
        if (p->c->enosys_stub)
          return lang_error(p->c, at, "a second `newer` declaration");
        p->c->enosys_stub = true;
      }
      return 0;
    }
    return lang_error(p->c, at, "unknown statement `%.*s` (a rule starts with a condition or `=>`)",
                      (int) p->t.n, p->t.p);
  }
  return stmt_rule(p, at);
}

int lang_parse_src(lang_ctx *c, uint32_t idx)
{
  parser p = { .c = c };
  lang_lex_init(&p.lx, c, idx);
  int r = lp_next(&p);
  while (r >= 0 && p.t.kind != T_EOF)
    r = statement(&p);
  return r;
}

int lang_parse_finish(lang_ctx *c)
{
  if (!c->has_default) {
    lang_src *s = &c->srcs[0];
    uint32_t line = 1, off = 0;
    for (size_t i = 0; i < s->len; i++)
      if (s->text[i] == '\n' && i + 1 < s->len)
        line++, off = (uint32_t) i + 1;
    return lang_error(c, (lang_loc) { 0, line, (uint32_t) (s->len - off) + 1, (uint32_t) s->len },
                      "the policy has no default: end it with `=> ACTION;`");
  }
  return 0;
}
