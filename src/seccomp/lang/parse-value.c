/* Values (numbers and constants with | ^ & << >> ~ - and parentheses) and
 * actions (ALLOW, ERRNO(e), ...). */
#include "seccomp/lang/parser.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int value_primary_(parser *p, uint64_t *v);

static int value_primary(parser *p, uint64_t *v)
{
  if (p->vdepth >= 200)
    return lang_error(p->c, p->t.loc, "value nested too deeply");
  p->vdepth++;
  int r = value_primary_(p, v);
  p->vdepth--;
  return r;
}

static int value_primary_(parser *p, uint64_t *v)
{
  int r;
  if (p->t.kind == T_NUM) {
    *v = p->t.num;
    return lp_next(p);
  }
  if (p->t.kind == T_MINUS || p->t.kind == T_TILDE) {
    bool neg = p->t.kind == T_MINUS;
    if ((r = lp_next(p)) < 0 || (r = value_primary(p, v)) < 0)
      return r;
    *v = neg ? (uint64_t) 0 - *v : ~*v;
    return 0;
  }
  if (p->t.kind == T_LPAREN) {
    if ((r = lp_next(p)) < 0 || (r = lp_value(p, v)) < 0)
      return r;
    return lp_expect(p, T_RPAREN, "`)`");
  }
  if (p->t.kind == T_IDENT) {
    lang_def *d = lang_find_def(p->c, p->t.p, p->t.n);
    if (d && d->is_set)
      return lang_error(p->c, p->t.loc, "`%.*s` is a syscall set, not a number", (int) p->t.n, p->t.p);
    if (d) {
      *v = d->value;
      return lp_next(p);
    }
    char name[64];
    const lang_const *k = lp_tok_text(p, name, sizeof name) ? lang_const_lookup(name) : NULL;
    if (!k)
      return lang_error(p->c, p->t.loc, "unknown constant `%.*s`", (int) p->t.n, p->t.p);
    *v = k->value;
    return lp_next(p);
  }
  if (p->t.kind == T_AT)
    return lang_error(p->c, p->t.loc, "`%.*s` names a syscall or an architecture, not a number "
                      "(compare it with $syscall or $arch)", (int) p->t.n, p->t.p);
  return lp_unexpected(p, "a number or a constant");
}

/* Binary operators by binding, loosest first: | ^ & (<< >>). */
static int value_level(parser *p, uint64_t *v, int level)
{
  static const lang_tok_kind ops[][2] = {
    { T_PIPE, T_PIPE }, { T_CARET, T_CARET }, { T_AMP, T_AMP }, { T_SHL, T_SHR },
  };
  if (level == 4)
    return value_primary(p, v);
  int r = value_level(p, v, level + 1);
  while (r >= 0 && (p->t.kind == ops[level][0] || p->t.kind == ops[level][1])) {
    lang_tok_kind op = p->t.kind;
    lang_loc at = p->t.loc;
    uint64_t w;
    if ((r = lp_next(p)) < 0 || (r = value_level(p, &w, level + 1)) < 0)
      return r;
    switch (op) {
    case T_PIPE: *v |= w; break;
    case T_CARET: *v ^= w; break;
    case T_AMP: *v &= w; break;
    default:
      if (w > 63)
        return lang_error(p->c, at, "shift by %llu: at most 63", (unsigned long long) w);
      *v = op == T_SHL ? *v << w : *v >> w;
    }
  }
  return r;
}

int lp_value(parser *p, uint64_t *v) { return value_level(p, v, 0); }
int lp_value_shift(parser *p, uint64_t *v) { return value_level(p, v, 3); }

/* ---- actions ----------------------------------------------------------- */

static int action_arg(parser *p, const char *name, bool required, uint32_t *data)
{
  int r;
  *data = 0;
  if (p->t.kind != T_LPAREN) {
    if (required)
      return lang_error(p->c, p->t.loc, "%s needs a value: %s(N)", name, name);
    return 0;
  }
  lang_loc at0 = p->t.loc;
  if ((r = lp_next(p)) < 0)
    return r;
  if (p->t.kind == T_RPAREN) {
    /* easyseccomp's `TRACE()`, `ERRNO()`: the value 0 */
    if (!strcmp(name, "ERRNO"))
      lang_warn(p->c, at0, "ERRNO() is ERRNO(0): the syscall returns 0 without running");
    return lp_next(p);
  }
  lang_loc at = p->t.loc;
  uint64_t v;
  if ((r = lp_value(p, &v)) < 0)
    return r;
  if (v > 0xffff)
    return lang_error(p->c, at, "the value of %s must be at most 65535, not %llu", name, (unsigned long long) v);
  *data = (uint32_t) v;
  return lp_expect(p, T_RPAREN, "`)`");
}

static int action(parser *p, uint32_t *action);

int lp_action(parser *p, uint32_t *act)
{
  uint32_t off = p->t.loc.off;
  int r = action(p, act);
  if (r < 0)
    return r;
  /* a: 1 written with `()`, 2 with a value */
  uint32_t a = p->prev_end > off && p->lx.text[p->prev_end - 1] == ')' ? 1 : 0;
  if (a) {
    uint32_t i = p->prev_end - 1;
    while (i > off && p->lx.text[i - 1] != '(')
      i--;
    for (uint32_t k = i; k < p->prev_end - 1; k++)
      if (p->lx.text[k] != ' ' && p->lx.text[k] != '\t' && p->lx.text[k] != '\n')
        a = 2;
  }
  return lp_role(p, ROLE_ACTION, off, *act, a, 0);
}

static int action(parser *p, uint32_t *action)
{
  static const struct { const char *name; uint32_t ret; int arg; /* 0 none, 1 optional, 2 required */ } acts[] = {
    { "ALLOW", CELL_SC_RET_ALLOW, 0 }, { "LOG", CELL_SC_RET_LOG, 0 },
    { "KILL", CELL_SC_RET_KILL_THREAD, 0 }, { "KILL_THREAD", CELL_SC_RET_KILL_THREAD, 0 },
    { "KILL_PROCESS", CELL_SC_RET_KILL_PROCESS, 0 }, { "TRAP", CELL_SC_RET_TRAP, 1 },
    { "ERRNO", CELL_SC_RET_ERRNO, 2 }, { "TRACE", CELL_SC_RET_TRACE, 2 },
    { "NOTIFY", CELL_SC_RET_USER_NOTIF, 0 },
  };
  if (p->t.kind == T_IDENT)
    for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++)
      if (lp_is_ident(p, acts[i].name)) {
        int r = lp_next(p);
        uint32_t data = 0;
        if (r < 0)
          return r;
        if (acts[i].arg && (r = action_arg(p, acts[i].name, acts[i].arg == 2, &data)) < 0)
          return r;
        if (!acts[i].arg && p->t.kind == T_LPAREN) {
          /* `ALLOW()`, as easyseccomp writes it */
          lang_loc at = p->t.loc;
          if ((r = lp_next(p)) < 0)
            return r;
          if (p->t.kind != T_RPAREN)
            return lang_error(p->c, at, "%s takes no value", acts[i].name);
          if ((r = lp_next(p)) < 0)
            return r;
        }
        *action = acts[i].ret | data;
        return 0;
      }
  return lp_unexpected(p, "an action (ALLOW, ERRNO(e), KILL_PROCESS, KILL_THREAD, TRAP, TRACE(n), LOG, NOTIFY)");
}

