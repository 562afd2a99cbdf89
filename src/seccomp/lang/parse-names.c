/* Names in conditions and statements: the items of syscall lists (names,
 * `@name`, `@name@arch`, numbers, sets, KERNEL(x.y), NEWER(x.y)) and
 * architecture names. */
#include "seccomp/lang/parser.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_version(parser *p, uint32_t *ver)
{
  int r;
  lang_loc at = p->t.loc;
  uint64_t part[4] = { 0, 0, 0, 0 };
  if ((r = lp_expect(p, T_LPAREN, "`(`")) < 0)
    return r;
  at = p->t.loc;
  /* x.y, x.y.z; a fourth part (2.6.16.1) is read and does not matter */
  for (int i = 0; i < 4; i++) {
    if (p->t.kind != T_NUM)
      return lp_unexpected(p, "a kernel version such as 6.1");
    part[i] = p->t.num;
    if ((r = lp_next(p)) < 0)
      return r;
    if (p->t.kind != T_DOT || i == 3)
      break;
    if ((r = lp_next(p)) < 0)
      return r;
  }
  if (part[0] > 255 || part[1] > 255 || part[2] > 255 || part[3] > 255)
    return lang_error(p->c, at, "bad kernel version");
  *ver = (uint32_t) (part[0] << 16 | part[1] << 8 | part[2]);
  return lp_expect(p, T_RPAREN, "`)`");
}

static void check_exists(parser *p, lang_loc at, const cell_sc_syscall *s)
{
  for (size_t i = 0; i < p->c->narches; i++)
    if (cell_sc_syscall_nr(&cell_sc_arches[p->c->arches[i]], s) >= 0)
      return;
  lang_warn(p->c, at, "syscall `%s` does not exist on the policy's architectures", s->name);
}

/* `@name` (a syscall, as `name`) or `@name@arch`: the number of the
 * syscall on that architecture, compared as a number on every architecture
 * (easyseccomp's meaning). */
static int at_sysitem(parser *p, bool in_rule)
{
  lang_loc at = p->t.loc;
  const char *name = p->t.p + 1, *second = memchr(name, '@', p->t.n - 1);
  size_t nn = second ? (size_t) (second - name) : p->t.n - 1;
  char b[64];
  const cell_sc_syscall *s = NULL;
  if (nn < sizeof b) {
    memcpy(b, name, nn);
    b[nn] = 0;
    s = cell_sc_syscall_lookup(b);
  }
  if (!s)
    return lang_error(p->c, at, "unknown syscall `%.*s`", (int) nn, name);
  int r;
  if (!second) {
    if (in_rule)
      check_exists(p, at, s);
    if ((r = lang_add_item(p->c, (lang_sysitem) { SYSI_NAME, (uint32_t) (s - cell_sc_syscalls) })) < 0 ||
        (r = lp_next(p)) < 0)
      return r;
    return lp_role(p, ROLE_SYSNAME, at.off, (uint64_t) (s - cell_sc_syscalls), 0, 0);
  }
  size_t an = p->t.n - 1 - nn - 1;
  const cell_sc_arch *a = NULL;
  if (an < sizeof b) {
    memcpy(b, second + 1, an);
    b[an] = 0;
    a = cell_sc_arch_by_name(b);
  }
  if (!a)
    return lang_error(p->c, at, "unknown architecture `%.*s`", (int) an, second + 1);
  int64_t nr = cell_sc_syscall_nr(a, s);
  if (nr < 0)
    return lang_error(p->c, at, "syscall `%s` does not exist on %s", s->name, a->short_name);
  for (size_t i = 0; in_rule && i < p->c->narches; i++) {
    const cell_sc_arch *pa = &cell_sc_arches[p->c->arches[i]];
    const char *there = pa != a ? cell_sc_syscall_name(pa, (uint32_t) nr) : NULL;
    if (there && strcmp(there, s->name) != 0) {
      lang_warn(p->c, at, "`%.*s` is the number %lld on every architecture: `%s` on %s (add `$arch == %s` "
                "to test it on %s only)", (int) p->t.n, p->t.p, (long long) nr, there, pa->short_name,
                a->short_name, a->short_name);
      break;
    }
  }
  if ((r = lang_add_item(p->c, (lang_sysitem) { SYSI_NUM, (uint32_t) nr })) < 0 || (r = lp_next(p)) < 0)
    return r;
  return lp_role(p, ROLE_SYSAT, at.off, (uint64_t) nr, 0, 0);
}

/* One item of a syscall list: name, number, set, KERNEL(v), NEWER(v);
 * where: 0 in a list, 1 alone after `in`, 2 after == or != (for the roles). */
int lp_sysitem(parser *p, bool in_rule, int where)
{
  int r;
  lang_loc at = p->t.loc;
  if (p->t.kind == T_NUM || p->t.kind == T_MINUS) {
    uint64_t v;
    if ((r = lp_value(p, &v)) < 0 || (r = lp_role(p, ROLE_SYSNUM, at.off, v, 0, 0)) < 0)
      return r;
    if (v > UINT32_MAX && v < 0xffffffff80000000ull)
      return lang_error(p->c, at, "syscall number %llu does not fit in 32 bits", (unsigned long long) v);
    return lang_add_item(p->c, (lang_sysitem) { SYSI_NUM, (uint32_t) v });
  }
  if (p->t.kind == T_AT)
    return at_sysitem(p, in_rule);
  if (p->t.kind != T_IDENT)
    return lp_unexpected(p, "a syscall name");
  if (lp_is_ident(p, "KERNEL") || lp_is_ident(p, "NEWER")) {
    uint8_t k = lp_is_ident(p, "KERNEL") ? SYSI_KERNEL : SYSI_NEWER;
    uint32_t ver = 0;
    if ((r = lp_next(p)) < 0 || (r = parse_version(p, &ver)) < 0 ||
        (r = lp_role(p, ROLE_KERNEL, at.off, ver, where == 1, k == SYSI_NEWER)) < 0)
      return r;
    return lang_add_item(p->c, (lang_sysitem) { k, ver });
  }
  lang_def *d = lang_find_def(p->c, p->t.p, p->t.n);
  if (d) {
    if (!d->is_set)
      return lang_error(p->c, at, "`%.*s` is a number, not a syscall set", (int) p->t.n, p->t.p);
    for (uint32_t i = 0; i < d->n; i++)
      if ((r = lang_add_item(p->c, p->c->items[d->first + i])) < 0)
        return r;
    if ((r = lp_next(p)) < 0)
      return r;
    return lp_role(p, ROLE_SETREF, at.off, d->first, (uint32_t) where, d->n);
  }
  char name[64];
  const cell_sc_syscall *s = lp_tok_text(p, name, sizeof name) ? cell_sc_syscall_lookup(name) : NULL;
  if (!s)
    return lang_error(p->c, at, "unknown syscall `%.*s`", (int) p->t.n, p->t.p);
  if (in_rule)
    check_exists(p, at, s);
  if ((r = lang_add_item(p->c, (lang_sysitem) { SYSI_NAME, (uint32_t) (s - cell_sc_syscalls) })) < 0 ||
      (r = lp_next(p)) < 0)
    return r;
  return lp_role(p, ROLE_SYSNAME, at.off, (uint64_t) (s - cell_sc_syscalls), 0, 0);
}

/* `(item, item...)` or a single item (a set, KERNEL()). */
int lp_syslist(parser *p, bool in_rule, bool paren_required)
{
  int r;
  if (p->t.kind != T_LPAREN) {
    if (paren_required)
      return lp_unexpected(p, "`(`");
    return lp_sysitem(p, in_rule, 1);
  }
  if ((r = lp_next(p)) < 0)
    return r;
  if (p->t.kind == T_RPAREN)
    return lang_error(p->c, p->t.loc, "an empty list");
  for (;;) {
    if ((r = lp_sysitem(p, in_rule, 0)) < 0)
      return r;
    if (p->t.kind == T_COMMA) {
      if ((r = lp_next(p)) < 0)
        return r;
      if (p->t.kind == T_RPAREN)   /* trailing comma */
        break;
      continue;
    }
    break;
  }
  return lp_expect(p, T_RPAREN, "`,` or `)`");
}

int lp_arch_name(parser *p, size_t *idx)
{
  char name[32];
  bool at = p->t.kind == T_AT;
  if (p->t.kind == T_NUM) {
    /* an AUDIT_ARCH_* value, as seccomp_data.arch holds it (x86_64's is
     * x86_64 here: x32 is told apart by the syscall number) */
    for (size_t i = 0; i < cell_sc_narches; i++)
      if (cell_sc_arches[i].audit == p->t.num) {
        *idx = i;
        return lp_next(p);   /* a number: no role, it reads the same in both spellings */
      }
    return lang_error(p->c, p->t.loc, "no architecture has the audit value %llu", (unsigned long long) p->t.num);
  }
  if (p->t.kind != T_IDENT && !at)
    return lp_unexpected(p, "an architecture name");
  if (at && memchr(p->t.p + 1, '@', p->t.n - 1))
    return lang_error(p->c, p->t.loc, "`%.*s` is a syscall, not an architecture", (int) p->t.n, p->t.p);
  const cell_sc_arch *a = NULL;
  if (p->t.n - at < sizeof name) {
    memcpy(name, p->t.p + at, p->t.n - at);
    name[p->t.n - at] = 0;
    a = cell_sc_arch_by_name(name);
  }
  if (!a)
    return lang_error(p->c, p->t.loc, "unknown architecture `%.*s`", (int) (p->t.n - at), p->t.p + at);
  *idx = cell_sc_arch_index(a);
  uint32_t off = p->t.loc.off;
  int r = lp_next(p);
  return r < 0 ? r : lp_role(p, ROLE_ARCHNAME, off, *idx, 0, 0);
}

