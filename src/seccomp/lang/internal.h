/* Internals of the policy language: sources, tokens, the syntax tree, the
 * parser's state, and the helpers the files of this folder share. */
#ifndef CELL_SECCOMP_LANG_INTERNAL_H
#define CELL_SECCOMP_LANG_INTERNAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "seccomp/ir.h"
#include "seccomp/lang/lang.h"
#include "seccomp/table.h"

/* ---- sources and diagnostics (diag.c) ---------------------------------- */

typedef struct lang_src {
  char *name;   /* as given or resolved (include) */
  char *text;   /* NUL-terminated */
  size_t len;
} lang_src;

typedef struct lang_loc {
  uint32_t src;   /* index in lang_ctx.srcs */
  uint32_t line, col;  /* 1-based; col counts bytes */
  uint32_t off;
} lang_loc;

typedef struct lang_ctx lang_ctx;

/* Report at loc.  Errors set ctx->err (the first one) and return -EINVAL;
 * warnings go to the diag callback or the log and return 0. */
int lang_error(lang_ctx *c, lang_loc loc, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));
void lang_warn(lang_ctx *c, lang_loc loc, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));
/* A source without a location: errors about the command line. */
int lang_error_noloc(lang_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- tokens (lex.c) ---------------------------------------------------- */

typedef enum lang_tok_kind {
  T_EOF, T_IDENT, T_VAR, T_NUM, T_STR,
  T_LPAREN, T_RPAREN, T_COMMA, T_SEMI, T_ASSIGN, T_ARROW,
  T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE,
  T_AMP, T_ANDAND, T_PIPE, T_OROR, T_BANG, T_TILDE, T_MINUS, T_CARET,
  T_SHL, T_SHR, T_DOT, T_DOTDOT,
  T_AT,        /* @name or @name@arch (easyseccomp's spelling of syscalls and architectures) */
  T_COMMENT,   /* raw mode only: // ... or / * ... * / */
  T_DIRECTIVE, /* raw mode only: a whole #ifdef ... line, without its newline */
} lang_tok_kind;

typedef struct lang_tok {
  lang_tok_kind kind;
  lang_loc loc;
  const char *p;  /* in the source text */
  size_t n;
  uint64_t num;   /* T_NUM */
  bool nl_before; /* raw mode: a newline since the previous token */
  bool blank_before; /* raw mode: an empty line since the previous token */
} lang_tok;

typedef struct lang_cond_frame {
  lang_loc loc;
  bool active;       /* this branch is taken */
  bool parent_active;
  bool in_else;
} lang_cond_frame;

typedef struct lang_lexer {
  lang_ctx *c;
  uint32_t src;
  const char *text;
  size_t len, pos;
  uint32_t line, line_off;
  bool line_start;   /* only blanks since the last newline */
  bool raw;          /* comments and directives are tokens, every branch is read */
  unsigned newlines; /* raw mode: since the previous token */
  lang_cond_frame conds[32];
  size_t nconds;
} lang_lexer;

void lang_lex_init(lang_lexer *lx, lang_ctx *c, uint32_t src);
/* The next token of the active text (preprocessor applied).  <0 on error.
 * In raw mode (lx->raw, for the formatter) comments and directive lines are
 * tokens too and no #ifdef is evaluated. */
int lang_lex_next(lang_lexer *lx, lang_tok *t);
const char *lang_tok_name(lang_tok_kind k);
/* Every token of source src in raw mode, T_EOF last (heap, in *toks; freed
 * by the caller also on error). */
int lang_lex_all(lang_ctx *c, uint32_t src, lang_tok **toks, size_t *n);
/* The preprocessor's names (-D NAME, #define NAME), kept in the context. */
int lang_define(lang_ctx *c, const char *name, size_t n);
bool lang_is_defined(const lang_ctx *c, const char *name, size_t n);

/* ---- syntax tree ------------------------------------------------------- */

typedef enum lang_node_kind {
  N_TRUE, N_AND, N_OR, N_NOT, N_SYS, N_ARCH, N_ARG,
} lang_node_kind;

/* N_SYS items */
typedef enum { SYSI_NAME, SYSI_NUM, SYSI_KERNEL, SYSI_NEWER } lang_sysitem_kind;
typedef struct lang_sysitem {
  uint8_t kind;
  uint32_t v;   /* row in cell_sc_syscalls, number, or version (a<<16|b<<8|c) */
} lang_sysitem;

enum { PART_FULL, PART_LO, PART_HI };
/* N_ARG ops: cell_sc_op values for comparisons, and these two */
#define LANG_OP_IN 100
#define LANG_OP_NOTIN 101

typedef struct lang_range { uint64_t lo, hi; } lang_range;

typedef struct lang_node {
  uint8_t kind;
  lang_loc loc;
  uint32_t a, b;      /* children (N_AND, N_OR: both; N_NOT: a) */
  /* N_SYS: items [first, first+n) of ctx->items, neg for != / not in.
   * N_ARCH: mask of arch indexes, neg.
   * N_ARG: arg, part, op, mask (has_mask), ranges [first, first+n) of
   *        ctx->ranges (one for plain comparisons). */
  bool neg, has_mask;
  uint8_t arg, part, op;
  uint32_t first, n;
  uint64_t mask;
  uint64_t archmask;
} lang_node;

typedef struct lang_rule {
  uint32_t cond;      /* node */
  uint32_t action;    /* SECCOMP_RET_* */
  lang_loc loc;
  bool is_default;
} lang_rule;

/* What the parser saw where, for `convert --style` (only when ctx->record):
 * spans of source text [off, end) with what they mean. */
typedef enum lang_role_kind {
  ROLE_SYSNAME,   /* a syscall by name, `read` or `@read` (v: table row) */
  ROLE_SYSAT,     /* `@read@x86` (v: the number) */
  ROLE_SYSNUM,    /* a syscall number (v) */
  ROLE_SETREF,    /* a set's name among syscalls (a: 0 in a list, 1 alone after in, 2 after == or !=;
                   * v: its first item, b: how many) */
  ROLE_KERNEL,    /* KERNEL(x.y) or NEWER(x.y) (b: 1 for NEWER; a: 1 alone after `in`) */
  ROLE_ARCHNAME,  /* an architecture (v: its index; a: 1 in the `arch` statement) */
  ROLE_VALUE,     /* a value or a mask of an argument comparison (v) */
  ROLE_ACTION,    /* an action and its value (v: SECCOMP_RET_*; a: 1 written with `()`, 2 with a value) */
  ROLE_HALF,      /* `.lo` (a 0) or `.hi` (a 1) */
  ROLE_RANGE,     /* `..` */
  ROLE_OR, ROLE_NOT, ROLE_AND,
  ROLE_PAREN,     /* a `(` or `)` around a condition */
  ROLE_STMT,      /* a statement (a: STMT_*) from its keyword to its `;` */
  ROLE_IN,        /* an argument's `in` or `not in` comparison (a: 1 with a mask) */
  ROLE_SYSIN,     /* a syscall's `in` or `not in` comparison */
  ROLE_RULE,      /* a rule, from its start to its `;` */
} lang_role_kind;
enum { STMT_ARCH, STMT_BADARCH, STMT_NEWER, STMT_DEFINE, STMT_SET, STMT_INCLUDE };

typedef struct lang_role {
  uint8_t kind;
  uint32_t src, off, end;
  uint64_t v;
  uint32_t a, b;
} lang_role;

typedef struct lang_def {
  char *name;
  bool is_set;
  uint64_t value;          /* define */
  uint32_t first, n;       /* set: items */
  lang_loc loc;
} lang_def;

struct lang_ctx {
  const cell_sc_lang_opts *opts;
  cell_error *err;
  lang_src *srcs;
  size_t nsrcs;
  lang_node *nodes;
  size_t nnodes, nodes_cap;
  lang_sysitem *items;
  size_t nitems, items_cap;
  lang_range *ranges;
  size_t nranges, ranges_cap;
  lang_rule *rules;
  size_t nrules, rules_cap;
  lang_def *defs;
  size_t ndefs, defs_cap;
  char **defines;          /* -D and #define */
  size_t ndefines;
  /* declarations */
  uint16_t arches[CELL_SC_MAX_ARCHES];
  size_t narches;
  bool arch_declared;
  bool enosys_stub;
  bool has_badarch;
  uint32_t badarch_action;
  bool has_default;
  int include_depth;
  unsigned nwarnings;
  bool record;             /* keep roles (and the rules after the default) */
  lang_role *roles;
  size_t nroles, roles_cap;
};

void lang_ctx_free(lang_ctx *c);
/* Read path into a new source; its index in *idx.  from: the including
 * source's index or UINT32_MAX. */
int lang_add_file(lang_ctx *c, const char *path, uint32_t from, lang_loc at, uint32_t *idx);
int lang_add_text(lang_ctx *c, const char *name, const char *text, size_t len, uint32_t *idx);

/* Parse source idx into c (parse.c and the files of parser.h).  Includes recurse. */
int lang_parse_src(lang_ctx *c, uint32_t idx);
/* After the last source: the required default, arch list completed. */
int lang_parse_finish(lang_ctx *c);

/* text parsed (not lowered) into c, set up from opts, with the roles
 * recorded (lang.c); the caller frees c with lang_ctx_free. */
int lang_parse_recording(lang_ctx *c, const char *name, const char *text, size_t len,
                         const cell_sc_lang_opts *opts, cell_error *err);

/* Lower c's rules into ir (lower.c). */
int lang_lower(lang_ctx *c, cell_sc_ir *ir);

/* ---- names (consts.c, kver.c) ------------------------------------------ */
/* The name in the row, not a pointer to it: no relocation for ld.so to
 * write at every start of cell (lang_const_sorted checks that each fits). */
typedef struct lang_const { char name[40]; uint64_t value; } lang_const;
const lang_const *lang_const_lookup(const char *name);
const lang_const *lang_const_at(size_t i, size_t *n);
/* "EPERM" for 1, ...; NULL when not an errno. */
const char *lang_errno_name(uint64_t v);
/* First release with syscall s on a (a<<16|b<<8|c), 0: older than 2.6.16. */
uint32_t lang_kver(const cell_sc_arch *a, const cell_sc_syscall *s);
bool lang_kver_sorted(void);
bool lang_const_sorted(void);
#endif
