/* Conditions: comparisons of $syscall, $arch and $argN (with masks, halves,
 * lists and ranges), combined with ! && || and parentheses. */
#include "seccomp/lang/parser.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- conditions -------------------------------------------------------- */

static int parse_or(parser *p, uint32_t *out, unsigned depth);

static int cmp_op(const parser *p)
{
  switch (p->t.kind) {
  case T_EQ: return CELL_SC_EQ;
  case T_NE: return CELL_SC_NE;
  case T_LT: return CELL_SC_LT;
  case T_LE: return CELL_SC_LE;
  case T_GT: return CELL_SC_GT;
  case T_GE: return CELL_SC_GE;
  default: return 0;
  }
}

/* `in` / `not in` after the variable; *neg set for `not in`.  0 when
 * neither (then *op is the comparison). */
static int parse_in(parser *p, bool *is_in, bool *neg)
{
  int r;
  *is_in = *neg = false;
  if (lp_is_ident(p, "not")) {
    if ((r = lp_next(p)) < 0)
      return r;
    if (!lp_is_ident(p, "in"))
      return lp_unexpected(p, "`in` after `not`");
    *neg = true;
  }
  if (lp_is_ident(p, "in")) {
    *is_in = true;
    return lp_next(p);
  }
  return 0;
}

static int parse_sys_cond(parser *p, lang_loc at, uint32_t *out)
{
  int r, op = cmp_op(p);
  bool is_in, neg;
  lang_loc oploc = p->t.loc;
  if (op) {
    if (op != CELL_SC_EQ && op != CELL_SC_NE)
      return lang_error(p->c, oploc, "$syscall takes ==, !=, in and not in");
    neg = op == CELL_SC_NE;
    if ((r = lp_next(p)) < 0)
      return r;
  } else {
    if ((r = parse_in(p, &is_in, &neg)) < 0)
      return r;
    if (!is_in)
      return lp_unexpected(p, "==, !=, in or not in after $syscall");
  }
  uint32_t first = (uint32_t) p->c->nitems;
  if ((r = op ? lp_sysitem(p, true, 2) : lp_syslist(p, true, false)) < 0)
    return r;
  if (!op && (r = lp_role(p, ROLE_SYSIN, at.off, 0, 0, 0)) < 0)
    return r;
  if ((r = lang_new_node(p->c, N_SYS, at, out)) < 0)
    return r;
  lang_node *n = &p->c->nodes[*out];
  n->neg = neg;
  n->first = first;
  n->n = (uint32_t) (p->c->nitems - first);
  return 0;
}

static int parse_arch_cond(parser *p, lang_loc at, uint32_t *out)
{
  int r, op = cmp_op(p);
  bool is_in = false, neg = false;
  uint64_t mask = 0;
  size_t a;
  if (op) {
    if (op != CELL_SC_EQ && op != CELL_SC_NE)
      return lang_error(p->c, p->t.loc, "$arch takes ==, !=, in and not in");
    neg = op == CELL_SC_NE;
    if ((r = lp_next(p)) < 0 || (r = lp_arch_name(p, &a)) < 0)
      return r;
    mask = 1ull << a;
  } else {
    if ((r = parse_in(p, &is_in, &neg)) < 0)
      return r;
    if (!is_in)
      return lp_unexpected(p, "==, !=, in or not in after $arch");
    if ((r = lp_expect(p, T_LPAREN, "`(`")) < 0)
      return r;
    for (;;) {
      if ((r = lp_arch_name(p, &a)) < 0)
        return r;
      mask |= 1ull << a;
      if (p->t.kind != T_COMMA)
        break;
      if ((r = lp_next(p)) < 0)
        return r;
    }
    if ((r = lp_expect(p, T_RPAREN, "`,` or `)`")) < 0)
      return r;
  }
  bool any = false;
  for (size_t i = 0; i < p->c->narches; i++)
    any |= (mask >> p->c->arches[i]) & 1;
  if (!any)
    lang_warn(p->c, at, "no architecture of the policy is named here: the comparison is always %s "
              "(add the architecture to the `arch` declaration)", neg ? "true" : "false");
  if ((r = lang_new_node(p->c, N_ARCH, at, out)) < 0)
    return r;
  p->c->nodes[*out].archmask = mask;
  p->c->nodes[*out].neg = neg;
  return 0;
}

/* A value compared with a 32-bit half: also accept a negative 32-bit number. */
static int fit(parser *p, lang_loc at, const char *var, unsigned width, uint64_t *v)
{
  if (width == 64 || *v <= 0xffffffffu)
    return 0;
  if (*v >= 0xffffffff80000000ull) {
    *v &= 0xffffffffu;
    return 0;
  }
  return lang_error(p->c, at, "impossible comparison: `%s` is 32 bits wide and 0x%llx does not fit",
                    var, (unsigned long long) *v);
}

/* `$a & mask OP v` that holds always or never: the masked value lies in
 * [0, mask] and has no bits outside the mask. */
static void masked_warning(parser *p, lang_loc maskat, lang_loc vat, int op, uint64_t mask, uint64_t v)
{
  const char *what = NULL;
  bool outside = (v & ~mask) != 0;
  if (mask == 0) {
    bool t = op == CELL_SC_EQ ? v == 0 : op == CELL_SC_NE ? v != 0 : op == CELL_SC_LT ? v > 0
           : op == CELL_SC_LE ? true : op == CELL_SC_GT ? false : v == 0;
    lang_warn(p->c, maskat, "the mask is 0, so is the masked value: the comparison is always %s",
              t ? "true" : "false");
    return;
  }
  if (op == CELL_SC_EQ && outside)
    what = "never true";
  else if (op == CELL_SC_NE && outside)
    what = "always true";
  else if ((op == CELL_SC_GT && v >= mask) || (op == CELL_SC_GE && v > mask))
    what = "never true";
  else if ((op == CELL_SC_LT && v > mask) || (op == CELL_SC_LE && v >= mask))
    what = "always true";
  if (what)
    lang_warn(p->c, vat, "the masked value lies in 0..0x%llx%s: the comparison is %s",
              (unsigned long long) mask, outside ? " and has no bits outside the mask" : "", what);
}

static int parse_arg_cond(parser *p, lang_loc at, unsigned arg, uint32_t *out)
{
  int r;
  uint8_t part = PART_FULL;
  char var[16];
  snprintf(var, sizeof var, "$arg%u", arg);
  if (p->t.kind == T_DOT) {
    uint32_t dot = p->t.loc.off;
    if ((r = lp_next(p)) < 0)
      return r;
    if (lp_is_ident(p, "lo"))
      part = PART_LO;
    else if (lp_is_ident(p, "hi"))
      part = PART_HI;
    else
      return lp_unexpected(p, "`lo` or `hi`");
    snprintf(var, sizeof var, "$arg%u.%s", arg, part == PART_LO ? "lo" : "hi");
    if ((r = lp_next(p)) < 0 || (r = lp_role(p, ROLE_HALF, dot, 0, part == PART_HI, 0)) < 0)
      return r;
  }
  unsigned width = part == PART_FULL ? 64 : 32;
  uint64_t maxv = width == 64 ? UINT64_MAX : 0xffffffffu;
  bool has_mask = false;
  uint64_t mask = 0;
  lang_loc maskat = p->t.loc;
  if (p->t.kind == T_AMP) {
    if ((r = lp_next(p)) < 0)
      return r;
    maskat = p->t.loc;
    if ((r = lp_value_shift(p, &mask)) < 0)
      return r;
    /* `$a & A | B == V`: the mask is A|B */
    while (p->t.kind == T_PIPE) {
      uint64_t w;
      if ((r = lp_next(p)) < 0 || (r = lp_value_shift(p, &w)) < 0)
        return r;
      mask |= w;
    }
    if ((r = fit(p, maskat, var, width, &mask)) < 0 || (r = lp_role(p, ROLE_VALUE, maskat.off, mask, 0, 0)) < 0)
      return r;
    has_mask = true;
  }
  int op = cmp_op(p);
  lang_loc oploc = p->t.loc;
  bool is_in = false, neg = false;
  if (op) {
    if ((r = lp_next(p)) < 0)
      return r;
  } else {
    if ((r = parse_in(p, &is_in, &neg)) < 0)
      return r;
    if (!is_in)
      return lp_unexpected(p, "a comparison (==, !=, <, <=, >, >=, in, not in)");
  }
  uint32_t first = (uint32_t) p->c->nranges;
  if (op) {
    lang_loc vat = p->t.loc;
    uint64_t v;
    if ((r = lp_value(p, &v)) < 0 || (r = fit(p, vat, var, width, &v)) < 0 ||
        (r = lp_role(p, ROLE_VALUE, vat.off, v, 0, 0)) < 0)
      return r;
    if ((op == CELL_SC_LT && v == 0) || (op == CELL_SC_GT && v == maxv))
      return lang_error(p->c, oploc, "impossible comparison: `%s` is never %s %llu", var,
                        op == CELL_SC_LT ? "<" : ">", (unsigned long long) v);
    if ((op == CELL_SC_GE && v == 0) || (op == CELL_SC_LE && v == maxv))
      lang_warn(p->c, oploc, "the comparison is always true");
    else if (has_mask)
      masked_warning(p, maskat, vat, op, mask, v);
    if ((r = lang_add_range(p->c, (lang_range) { v, v })) < 0)
      return r;
  } else {
    bool paren = p->t.kind == T_LPAREN;
    if (paren && (r = lp_next(p)) < 0)
      return r;
    for (;;) {
      lang_loc vat = p->t.loc;
      uint64_t lo, hi;
      if ((r = lp_value(p, &lo)) < 0 || (r = fit(p, vat, var, width, &lo)) < 0 ||
          (r = lp_role(p, ROLE_VALUE, vat.off, lo, 0, 0)) < 0)
        return r;
      hi = lo;
      if (p->t.kind == T_DOTDOT) {
        lang_loc hat;
        uint32_t dd = p->t.loc.off;
        if ((r = lp_next(p)) < 0 || (r = lp_role(p, ROLE_RANGE, dd, 0, 0, 0)) < 0)
          return r;
        hat = p->t.loc;
        if ((r = lp_value(p, &hi)) < 0 || (r = fit(p, hat, var, width, &hi)) < 0 ||
            (r = lp_role(p, ROLE_VALUE, hat.off, hi, 0, 0)) < 0)
          return r;
        if (hi < lo)
          return lang_error(p->c, vat, "empty range: %llu > %llu", (unsigned long long) lo,
                            (unsigned long long) hi);
      } else if (!paren) {
        return lp_unexpected(p, "`..` (a range) or a list in parentheses");
      }
      if (has_mask && lo == hi && (lo & ~mask))
        lang_warn(p->c, vat, "0x%llx has bits outside the mask 0x%llx: the masked value is never %llu",
                  (unsigned long long) lo, (unsigned long long) mask, (unsigned long long) lo);
      if ((r = lang_add_range(p->c, (lang_range) { lo, hi })) < 0)
        return r;
      if (!paren || p->t.kind != T_COMMA)
        break;
      if ((r = lp_next(p)) < 0)
        return r;
      if (p->t.kind == T_RPAREN)
        break;
    }
    if (paren && (r = lp_expect(p, T_RPAREN, "`,` or `)`")) < 0)
      return r;
    if ((r = lp_role(p, ROLE_IN, at.off, 0, has_mask, 0)) < 0)
      return r;
    op = neg ? LANG_OP_NOTIN : LANG_OP_IN;
  }
  if ((r = lang_new_node(p->c, N_ARG, at, out)) < 0)
    return r;
  lang_node *n = &p->c->nodes[*out];
  n->arg = (uint8_t) arg;
  n->part = part;
  n->op = (uint8_t) op;
  n->has_mask = has_mask;
  n->mask = mask;
  n->first = first;
  n->n = (uint32_t) (p->c->nranges - first);
  return 0;
}

static int parse_compare(parser *p, uint32_t *out)
{
  lang_loc at = p->t.loc;
  const char *v = p->t.p + 1;
  size_t n = p->t.n - 1;
  int r = lp_next(p);
  if (r < 0)
    return r;
  if (n == 7 && memcmp(v, "syscall", 7) == 0)
    return parse_sys_cond(p, at, out);
  if (n == 4 && memcmp(v, "arch", 4) == 0)
    return parse_arch_cond(p, at, out);
  if (n == 4 && memcmp(v, "arg", 3) == 0 && v[3] >= '0' && v[3] <= '5')
    return parse_arg_cond(p, at, (unsigned) (v[3] - '0'), out);
  return lang_error(p->c, at, "unknown variable `$%.*s` ($syscall, $arch, $arg0..$arg5)", (int) n, v);
}

static int parse_unary(parser *p, uint32_t *out, unsigned depth)
{
  int r;
  if (depth > 200)
    return lang_error(p->c, p->t.loc, "condition nested too deeply");
  if (p->t.kind == T_BANG) {
    lang_loc at = p->t.loc;
    uint32_t a;
    if ((r = lp_next(p)) < 0 || (r = lp_role(p, ROLE_NOT, at.off, 0, 0, 0)) < 0 ||
        (r = parse_unary(p, &a, depth + 1)) < 0)
      return r;
    if ((r = lang_new_node(p->c, N_NOT, at, out)) < 0)
      return r;
    p->c->nodes[*out].a = a;
    return 0;
  }
  if (p->t.kind == T_LPAREN) {
    uint32_t open = p->t.loc.off;
    if ((r = lp_next(p)) < 0 || (r = lp_role(p, ROLE_PAREN, open, 0, 0, 0)) < 0)
      return r;
    if ((r = parse_or(p, out, depth + 1)) < 0)
      return r;
    uint32_t close = p->t.loc.off;
    if ((r = lp_expect(p, T_RPAREN, "`)`")) < 0)
      return r;
    return lp_role(p, ROLE_PAREN, close, 0, 0, 0);
  }
  if (p->t.kind == T_VAR)
    return parse_compare(p, out);
  return lp_unexpected(p, "a condition ($syscall, $arch, $argN, `!` or `(`)");
}

static int parse_bin(parser *p, uint32_t *out, bool is_or, unsigned depth)
{
  int r = is_or ? parse_bin(p, out, false, depth) : parse_unary(p, out, depth);
  lang_tok_kind op = is_or ? T_OROR : T_ANDAND;
  while (r >= 0 && p->t.kind == op) {
    lang_loc at = p->t.loc;
    uint32_t b, n;
    if ((r = lp_next(p)) < 0 || (r = lp_role(p, is_or ? ROLE_OR : ROLE_AND, at.off, 0, 0, 0)) < 0)
      return r;
    if ((r = is_or ? parse_bin(p, &b, false, depth) : parse_unary(p, &b, depth)) < 0)
      return r;
    if ((r = lang_new_node(p->c, is_or ? N_OR : N_AND, at, &n)) < 0)
      return r;
    p->c->nodes[n].a = *out;
    p->c->nodes[n].b = b;
    *out = n;
  }
  return r;
}

static int parse_or(parser *p, uint32_t *out, unsigned depth)
{
  return parse_bin(p, out, true, depth);
}

int lp_condition(parser *p, uint32_t *out) { return parse_or(p, out, 0); }
