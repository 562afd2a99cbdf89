/* The syntax tree's storage: nodes, syscall items, ranges, rules and named
 * values in growing arrays of the context. */
#include "seccomp/lang/parser.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

int lang_new_node(lang_ctx *c, lang_node_kind k, lang_loc loc, uint32_t *idx)
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

int lang_add_item(lang_ctx *c, lang_sysitem it) { return APPEND(c, items, it); }
int lang_add_range(lang_ctx *c, lang_range rg) { return APPEND(c, ranges, rg); }
int lang_add_rule(lang_ctx *c, lang_rule rule) { return APPEND(c, rules, rule); }
int lang_add_role(lang_ctx *c, lang_role r) { return c->record ? APPEND(c, roles, r) : 0; }

int lang_add_def(lang_ctx *c, lang_def d)
{
  int r = APPEND(c, defs, d);
  if (r < 0)
    free(d.name);
  return r;
}

lang_def *lang_find_def(lang_ctx *c, const char *name, size_t n)
{
  for (size_t i = 0; i < c->ndefs; i++)
    if (strlen(c->defs[i].name) == n && memcmp(c->defs[i].name, name, n) == 0)
      return &c->defs[i];
  return NULL;
}
