/* The parser: statements, conditions, values and actions into the syntax
 * tree of internal.h, with the checks that need no architecture. */
#include "seccomp/lang/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct parser {
  lang_ctx *c;
  lang_lexer lx;
  lang_tok t;       /* current token */
  unsigned vdepth;  /* nesting of value expressions */
} parser;

static int next(parser *p) { return lang_lex_next(&p->lx, &p->t); }

static bool is_ident(const parser *p, const char *word)
{
  return p->t.kind == T_IDENT && p->t.n == strlen(word) && memcmp(p->t.p, word, p->t.n) == 0;
}

/* The current token as a C string in buf; false when it does not fit. */
static bool tok_text(const parser *p, char *buf, size_t size)
{
  if (p->t.n >= size)
    return false;
  memcpy(buf, p->t.p, p->t.n);
  buf[p->t.n] = 0;
  return true;
}

static int unexpected(parser *p, const char *what)
{
  if (p->t.kind == T_EOF)
    return lang_error(p->c, p->t.loc, "expected %s, found the end of the file", what);
  return lang_error(p->c, p->t.loc, "expected %s, found `%.*s`", what, (int) p->t.n, p->t.p);
}

static int expect(parser *p, lang_tok_kind k, const char *what)
{
  if (p->t.kind != k)
    return unexpected(p, what ? what : lang_tok_name(k));
  return next(p);
}

static int grow(lang_ctx *c, void **v, size_t *cap, size_t need, size_t size)
{
  if (need <= *cap)
    return 0;
  size_t n = *cap ? *cap * 2 : 32;
  while (n < need)
    n *= 2;
  void *q = realloc(*v, n * size);
  if (!q)
    return cell_error_set(c->err, ENOMEM, "out of memory");
  *v = q;
  *cap = n;
  return 0;
}

static int new_node(lang_ctx *c, lang_node_kind k, lang_loc loc, uint32_t *idx)
{
  int r = grow(c, (void **) &c->nodes, &c->nodes_cap, c->nnodes + 1, sizeof *c->nodes);
  if (r < 0)
    return r;
  if (c->nnodes >= UINT32_MAX / 2)
    return lang_error(c, loc, "policy too large");
  memset(&c->nodes[c->nnodes], 0, sizeof c->nodes[0]);
  c->nodes[c->nnodes].kind = (uint8_t) k;
  c->nodes[c->nnodes].loc = loc;
  *idx = (uint32_t) c->nnodes++;
  return 0;
}

/* Append val to the array c->F (count c->nF, capacity c->F_cap). */
#define APPEND(c, F, val)                                                         \
  (grow(c, (void **) &(c)->F, &(c)->F##_cap, (c)->n##F + 1, sizeof *(c)->F) < 0 \
     ? -ENOMEM : ((c)->F[(c)->n##F++] = (val), 0))

static int add_item(lang_ctx *c, lang_sysitem it) { return APPEND(c, items, it); }
static int add_range(lang_ctx *c, lang_range rg) { return APPEND(c, ranges, rg); }

bool lang_is_defined(const lang_ctx *c, const char *name, size_t n)
{
  for (size_t i = 0; i < c->ndefines; i++)
    if (strlen(c->defines[i]) == n && memcmp(c->defines[i], name, n) == 0)
      return true;
  return false;
}

static lang_def *find_def(lang_ctx *c, const char *name, size_t n)
{
  for (size_t i = 0; i < c->ndefs; i++)
    if (strlen(c->defs[i].name) == n && memcmp(c->defs[i].name, name, n) == 0)
      return &c->defs[i];
  return NULL;
}

/* ---- values ------------------------------------------------------------ */

static int value_or(parser *p, uint64_t *v);

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
    return next(p);
  }
  if (p->t.kind == T_MINUS || p->t.kind == T_TILDE) {
    bool neg = p->t.kind == T_MINUS;
    if ((r = next(p)) < 0 || (r = value_primary(p, v)) < 0)
      return r;
    *v = neg ? (uint64_t) 0 - *v : ~*v;
    return 0;
  }
  if (p->t.kind == T_LPAREN) {
    if ((r = next(p)) < 0 || (r = value_or(p, v)) < 0)
      return r;
    return expect(p, T_RPAREN, "`)`");
  }
  if (p->t.kind == T_IDENT) {
    lang_def *d = find_def(p->c, p->t.p, p->t.n);
    if (d && d->is_set)
      return lang_error(p->c, p->t.loc, "`%.*s` is a syscall set, not a number", (int) p->t.n, p->t.p);
    if (d) {
      *v = d->value;
      return next(p);
    }
    char name[64];
    const lang_const *k = tok_text(p, name, sizeof name) ? lang_const_lookup(name) : NULL;
    if (!k)
      return lang_error(p->c, p->t.loc, "unknown constant `%.*s`", (int) p->t.n, p->t.p);
    *v = k->value;
    return next(p);
  }
  return unexpected(p, "a number or a constant");
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
    if ((r = next(p)) < 0 || (r = value_level(p, &w, level + 1)) < 0)
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

static int value_or(parser *p, uint64_t *v) { return value_level(p, v, 0); }
static int value_shift(parser *p, uint64_t *v) { return value_level(p, v, 3); }

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
  if ((r = next(p)) < 0)
    return r;
  lang_loc at = p->t.loc;
  uint64_t v;
  if ((r = value_or(p, &v)) < 0)
    return r;
  if (v > 0xffff)
    return lang_error(p->c, at, "the value of %s must be at most 65535, not %llu", name, (unsigned long long) v);
  *data = (uint32_t) v;
  return expect(p, T_RPAREN, "`)`");
}

static int parse_action(parser *p, uint32_t *action)
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
      if (is_ident(p, acts[i].name)) {
        int r = next(p);
        uint32_t data = 0;
        if (r < 0)
          return r;
        if (acts[i].arg && (r = action_arg(p, acts[i].name, acts[i].arg == 2, &data)) < 0)
          return r;
        if (!acts[i].arg && p->t.kind == T_LPAREN)
          return lang_error(p->c, p->t.loc, "%s takes no value", acts[i].name);
        *action = acts[i].ret | data;
        return 0;
      }
  return unexpected(p, "an action (ALLOW, ERRNO(e), KILL_PROCESS, KILL_THREAD, TRAP, TRACE(n), LOG, NOTIFY)");
}

/* ---- syscall items ----------------------------------------------------- */

static int parse_version(parser *p, uint32_t *ver)
{
  int r;
  lang_loc at = p->t.loc;
  uint64_t part[3] = { 0, 0, 0 };
  if ((r = expect(p, T_LPAREN, "`(`")) < 0)
    return r;
  at = p->t.loc;
  for (int i = 0; i < 3; i++) {
    if (p->t.kind != T_NUM)
      return unexpected(p, "a kernel version such as 6.1");
    part[i] = p->t.num;
    if ((r = next(p)) < 0)
      return r;
    if (p->t.kind != T_DOT || i == 2)
      break;
    if ((r = next(p)) < 0)
      return r;
  }
  if (part[0] > 255 || part[1] > 255 || part[2] > 255)
    return lang_error(p->c, at, "bad kernel version");
  *ver = (uint32_t) (part[0] << 16 | part[1] << 8 | part[2]);
  return expect(p, T_RPAREN, "`)`");
}

static void check_exists(parser *p, lang_loc at, const cell_sc_syscall *s)
{
  for (size_t i = 0; i < p->c->narches; i++)
    if (cell_sc_syscall_nr(&cell_sc_arches[p->c->arches[i]], s) >= 0)
      return;
  lang_warn(p->c, at, "syscall `%s` does not exist on the policy's architectures", s->name);
}

/* One item of a syscall list: name, number, set, KERNEL(v), NEWER(v). */
static int parse_sysitem(parser *p, bool in_rule)
{
  int r;
  lang_loc at = p->t.loc;
  if (p->t.kind == T_NUM || p->t.kind == T_MINUS) {
    uint64_t v;
    if ((r = value_or(p, &v)) < 0)
      return r;
    if (v > UINT32_MAX && v < 0xffffffff80000000ull)
      return lang_error(p->c, at, "syscall number %llu does not fit in 32 bits", (unsigned long long) v);
    return add_item(p->c, (lang_sysitem) { SYSI_NUM, (uint32_t) v });
  }
  if (p->t.kind != T_IDENT)
    return unexpected(p, "a syscall name");
  if (is_ident(p, "KERNEL") || is_ident(p, "NEWER")) {
    uint8_t k = is_ident(p, "KERNEL") ? SYSI_KERNEL : SYSI_NEWER;
    uint32_t ver = 0;
    if ((r = next(p)) < 0 || (r = parse_version(p, &ver)) < 0)
      return r;
    return add_item(p->c, (lang_sysitem) { k, ver });
  }
  lang_def *d = find_def(p->c, p->t.p, p->t.n);
  if (d) {
    if (!d->is_set)
      return lang_error(p->c, at, "`%.*s` is a number, not a syscall set", (int) p->t.n, p->t.p);
    for (uint32_t i = 0; i < d->n; i++)
      if ((r = add_item(p->c, p->c->items[d->first + i])) < 0)
        return r;
    return next(p);
  }
  char name[64];
  const cell_sc_syscall *s = tok_text(p, name, sizeof name) ? cell_sc_syscall_lookup(name) : NULL;
  if (!s)
    return lang_error(p->c, at, "unknown syscall `%.*s`", (int) p->t.n, p->t.p);
  if (in_rule)
    check_exists(p, at, s);
  if ((r = add_item(p->c, (lang_sysitem) { SYSI_NAME, (uint32_t) (s - cell_sc_syscalls) })) < 0)
    return r;
  return next(p);
}

/* `(item, item...)` or a single item (a set, KERNEL()). */
static int parse_syslist(parser *p, bool in_rule, bool paren_required)
{
  int r;
  if (p->t.kind != T_LPAREN) {
    if (paren_required)
      return unexpected(p, "`(`");
    return parse_sysitem(p, in_rule);
  }
  if ((r = next(p)) < 0)
    return r;
  if (p->t.kind == T_RPAREN)
    return lang_error(p->c, p->t.loc, "an empty list");
  for (;;) {
    if ((r = parse_sysitem(p, in_rule)) < 0)
      return r;
    if (p->t.kind == T_COMMA) {
      if ((r = next(p)) < 0)
        return r;
      if (p->t.kind == T_RPAREN)   /* trailing comma */
        break;
      continue;
    }
    break;
  }
  return expect(p, T_RPAREN, "`,` or `)`");
}

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
  if (is_ident(p, "not")) {
    if ((r = next(p)) < 0)
      return r;
    if (!is_ident(p, "in"))
      return unexpected(p, "`in` after `not`");
    *neg = true;
  }
  if (is_ident(p, "in")) {
    *is_in = true;
    return next(p);
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
    if ((r = next(p)) < 0)
      return r;
  } else {
    if ((r = parse_in(p, &is_in, &neg)) < 0)
      return r;
    if (!is_in)
      return unexpected(p, "==, !=, in or not in after $syscall");
  }
  uint32_t first = (uint32_t) p->c->nitems;
  if ((r = op ? parse_sysitem(p, true) : parse_syslist(p, true, false)) < 0)
    return r;
  if ((r = new_node(p->c, N_SYS, at, out)) < 0)
    return r;
  lang_node *n = &p->c->nodes[*out];
  n->neg = neg;
  n->first = first;
  n->n = (uint32_t) (p->c->nitems - first);
  return 0;
}

static int parse_arch_name(parser *p, size_t *idx)
{
  char name[32];
  if (p->t.kind != T_IDENT)
    return unexpected(p, "an architecture name");
  const cell_sc_arch *a = tok_text(p, name, sizeof name) ? cell_sc_arch_by_name(name) : NULL;
  if (!a)
    return lang_error(p->c, p->t.loc, "unknown architecture `%.*s`", (int) p->t.n, p->t.p);
  *idx = cell_sc_arch_index(a);
  return next(p);
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
    if ((r = next(p)) < 0 || (r = parse_arch_name(p, &a)) < 0)
      return r;
    mask = 1ull << a;
  } else {
    if ((r = parse_in(p, &is_in, &neg)) < 0)
      return r;
    if (!is_in)
      return unexpected(p, "==, !=, in or not in after $arch");
    if ((r = expect(p, T_LPAREN, "`(`")) < 0)
      return r;
    for (;;) {
      if ((r = parse_arch_name(p, &a)) < 0)
        return r;
      mask |= 1ull << a;
      if (p->t.kind != T_COMMA)
        break;
      if ((r = next(p)) < 0)
        return r;
    }
    if ((r = expect(p, T_RPAREN, "`,` or `)`")) < 0)
      return r;
  }
  bool any = false;
  for (size_t i = 0; i < p->c->narches; i++)
    any |= (mask >> p->c->arches[i]) & 1;
  if (!any)
    lang_warn(p->c, at, "no architecture of the policy is named here: the comparison is always %s "
              "(add the architecture to the `arch` declaration)", neg ? "true" : "false");
  if ((r = new_node(p->c, N_ARCH, at, out)) < 0)
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

static int parse_arg_cond(parser *p, lang_loc at, unsigned arg, uint32_t *out)
{
  int r;
  uint8_t part = PART_FULL;
  char var[16];
  snprintf(var, sizeof var, "$arg%u", arg);
  if (p->t.kind == T_DOT) {
    if ((r = next(p)) < 0)
      return r;
    if (is_ident(p, "lo"))
      part = PART_LO;
    else if (is_ident(p, "hi"))
      part = PART_HI;
    else
      return unexpected(p, "`lo` or `hi`");
    snprintf(var, sizeof var, "$arg%u.%s", arg, part == PART_LO ? "lo" : "hi");
    if ((r = next(p)) < 0)
      return r;
  }
  unsigned width = part == PART_FULL ? 64 : 32;
  uint64_t maxv = width == 64 ? UINT64_MAX : 0xffffffffu;
  bool has_mask = false;
  uint64_t mask = 0;
  lang_loc maskat = p->t.loc;
  if (p->t.kind == T_AMP) {
    if ((r = next(p)) < 0)
      return r;
    maskat = p->t.loc;
    if ((r = value_shift(p, &mask)) < 0)
      return r;
    /* `$a & A | B == V`: the mask is A|B */
    while (p->t.kind == T_PIPE) {
      uint64_t w;
      if ((r = next(p)) < 0 || (r = value_shift(p, &w)) < 0)
        return r;
      mask |= w;
    }
    if ((r = fit(p, maskat, var, width, &mask)) < 0)
      return r;
    has_mask = true;
  }
  int op = cmp_op(p);
  lang_loc oploc = p->t.loc;
  bool is_in = false, neg = false;
  if (op) {
    if ((r = next(p)) < 0)
      return r;
  } else {
    if ((r = parse_in(p, &is_in, &neg)) < 0)
      return r;
    if (!is_in)
      return unexpected(p, "a comparison (==, !=, <, <=, >, >=, in, not in)");
  }
  if (has_mask && op != CELL_SC_EQ && op != CELL_SC_NE)
    return lang_error(p->c, oploc, "a masked value takes == or != only");
  uint32_t first = (uint32_t) p->c->nranges;
  if (op) {
    lang_loc vat = p->t.loc;
    uint64_t v;
    if ((r = value_or(p, &v)) < 0 || (r = fit(p, vat, var, width, &v)) < 0)
      return r;
    if (has_mask && (v & ~mask))
      return lang_error(p->c, vat, "impossible comparison: 0x%llx has bits outside the mask 0x%llx",
                        (unsigned long long) v, (unsigned long long) mask);
    if (has_mask && mask == 0)
      lang_warn(p->c, maskat, "the mask is 0: the comparison is always %s", op == CELL_SC_EQ ? "true" : "false");
    if ((op == CELL_SC_LT && v == 0) || (op == CELL_SC_GT && v == maxv))
      return lang_error(p->c, oploc, "impossible comparison: `%s` is never %s %llu", var,
                        op == CELL_SC_LT ? "<" : ">", (unsigned long long) v);
    if ((op == CELL_SC_GE && v == 0) || (op == CELL_SC_LE && v == maxv))
      lang_warn(p->c, oploc, "the comparison is always true");
    if ((r = add_range(p->c, (lang_range) { v, v })) < 0)
      return r;
  } else {
    bool paren = p->t.kind == T_LPAREN;
    if (paren && (r = next(p)) < 0)
      return r;
    for (;;) {
      lang_loc vat = p->t.loc;
      uint64_t lo, hi;
      if ((r = value_or(p, &lo)) < 0 || (r = fit(p, vat, var, width, &lo)) < 0)
        return r;
      hi = lo;
      if (p->t.kind == T_DOTDOT) {
        lang_loc hat;
        if ((r = next(p)) < 0)
          return r;
        hat = p->t.loc;
        if ((r = value_or(p, &hi)) < 0 || (r = fit(p, hat, var, width, &hi)) < 0)
          return r;
        if (hi < lo)
          return lang_error(p->c, vat, "empty range: %llu > %llu", (unsigned long long) lo,
                            (unsigned long long) hi);
      } else if (!paren) {
        return unexpected(p, "`..` (a range) or a list in parentheses");
      }
      if (has_mask && (hi & ~mask))
        return lang_error(p->c, vat, "impossible comparison: 0x%llx has bits outside the mask 0x%llx",
                          (unsigned long long) hi, (unsigned long long) mask);
      if ((r = add_range(p->c, (lang_range) { lo, hi })) < 0)
        return r;
      if (!paren || p->t.kind != T_COMMA)
        break;
      if ((r = next(p)) < 0)
        return r;
      if (p->t.kind == T_RPAREN)
        break;
    }
    if (paren && (r = expect(p, T_RPAREN, "`,` or `)`")) < 0)
      return r;
    op = neg ? LANG_OP_NOTIN : LANG_OP_IN;
    if (has_mask)
      return lang_error(p->c, oploc, "a masked value takes == or != only");
  }
  if ((r = new_node(p->c, N_ARG, at, out)) < 0)
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
  int r = next(p);
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
    if ((r = next(p)) < 0 || (r = parse_unary(p, &a, depth + 1)) < 0)
      return r;
    if ((r = new_node(p->c, N_NOT, at, out)) < 0)
      return r;
    p->c->nodes[*out].a = a;
    return 0;
  }
  if (p->t.kind == T_LPAREN) {
    if ((r = next(p)) < 0)
      return r;
    if ((r = parse_or(p, out, depth + 1)) < 0)
      return r;
    return expect(p, T_RPAREN, "`)`");
  }
  if (p->t.kind == T_VAR)
    return parse_compare(p, out);
  return unexpected(p, "a condition ($syscall, $arch, $argN, `!` or `(`)");
}

static int parse_bin(parser *p, uint32_t *out, bool is_or, unsigned depth)
{
  int r = is_or ? parse_bin(p, out, false, depth) : parse_unary(p, out, depth);
  lang_tok_kind op = is_or ? T_OROR : T_ANDAND;
  while (r >= 0 && p->t.kind == op) {
    lang_loc at = p->t.loc;
    uint32_t b, n;
    if ((r = next(p)) < 0)
      return r;
    if ((r = is_or ? parse_bin(p, &b, false, depth) : parse_unary(p, &b, depth)) < 0)
      return r;
    if ((r = new_node(p->c, is_or ? N_OR : N_AND, at, &n)) < 0)
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

/* ---- statements -------------------------------------------------------- */

static int add_rule(lang_ctx *c, lang_rule rule) { return APPEND(c, rules, rule); }

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
    if ((r = parse_arch_name(p, &a)) < 0)
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
    if ((r = next(p)) < 0)
      return r;
  }
  return expect(p, T_SEMI, "`,` or `;`");
}

static int name_token(parser *p, char **name, lang_loc *at)
{
  if (p->t.kind != T_IDENT)
    return unexpected(p, "a name");
  *at = p->t.loc;
  if (find_def(p->c, p->t.p, p->t.n))
    return lang_error(p->c, p->t.loc, "`%.*s` is already defined", (int) p->t.n, p->t.p);
  char b[64];
  if (tok_text(p, b, sizeof b) && lang_const_lookup(b))
    lang_warn(p->c, p->t.loc, "`%s` hides the built-in constant of that name", b);
  *name = strndup(p->t.p, p->t.n);
  if (!*name)
    return cell_error_set(p->c->err, ENOMEM, "out of memory");
  int r = next(p);
  if (r < 0) {
    free(*name);
    *name = NULL;
  }
  return r;
}

static int add_def(lang_ctx *c, lang_def d)
{
  int r = APPEND(c, defs, d);
  if (r < 0)
    free(d.name);
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
  if ((r = expect(p, T_ASSIGN, "`=`")) < 0) {
    free(name);
    return r;
  }
  if (is_set) {
    d.first = (uint32_t) p->c->nitems;
    r = parse_syslist(p, false, true);
    d.n = (uint32_t) (p->c->nitems - d.first);
  } else {
    r = value_or(p, &d.value);
  }
  if (r < 0 || (r = expect(p, T_SEMI, "`;`")) < 0) {
    free(name);
    return r;
  }
  return add_def(p->c, d);
}

static int stmt_include(parser *p, lang_loc at)
{
  int r;
  if (p->t.kind != T_STR)
    return unexpected(p, "a file name in quotes");
  char *path = strndup(p->t.p + 1, p->t.n - 2);
  if (!path)
    return cell_error_set(p->c->err, ENOMEM, "out of memory");
  lang_loc pat = p->t.loc;
  if ((r = next(p)) < 0 || (r = expect(p, T_SEMI, "`;`")) < 0) {
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
  if (c->has_default)
    return lang_error(c, at, "this rule comes after the default `=> ACTION;` and can never match");
  lang_rule rule = { .loc = at };
  if (p->t.kind == T_ARROW) {
    rule.is_default = true;
    if ((r = new_node(c, N_TRUE, at, &rule.cond)) < 0)
      return r;
  } else {
    size_t before = c->nnodes;
    if ((r = parse_or(p, &rule.cond, 0)) < 0)
      return r;
    if (c->nnodes - before > 4096)
      return lang_error(c, at, "a rule has at most 4096 comparisons and operators; split it");
  }
  if ((r = expect(p, T_ARROW, rule.is_default ? NULL : "`=>` or a condition")) < 0)
    return r;
  if ((r = parse_action(p, &rule.action)) < 0 || (r = expect(p, T_SEMI, "`;`")) < 0)
    return r;
  c->has_default |= rule.is_default;
  return add_rule(c, rule);
}

static int statement(parser *p)
{
  int r;
  lang_loc at = p->t.loc;
  if (p->t.kind == T_IDENT) {
    if (is_ident(p, "arch"))
      return (r = next(p)) < 0 ? r : stmt_arch(p, at);
    if (is_ident(p, "define"))
      return (r = next(p)) < 0 ? r : stmt_define(p, false);
    if (is_ident(p, "set"))
      return (r = next(p)) < 0 ? r : stmt_define(p, true);
    if (is_ident(p, "include"))
      return (r = next(p)) < 0 ? r : stmt_include(p, at);
    if (is_ident(p, "badarch") || is_ident(p, "newer")) {
      bool bad = is_ident(p, "badarch");
      uint32_t action;
      if ((r = next(p)) < 0 || (r = expect(p, T_ARROW, "`=>`")) < 0)
        return r;
      lang_loc aat = p->t.loc;
      if ((r = parse_action(p, &action)) < 0 || (r = expect(p, T_SEMI, "`;`")) < 0)
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
  int r = next(&p);
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
