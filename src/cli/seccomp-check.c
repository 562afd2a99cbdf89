/* `cell seccomp check`: validate a PROFILE without writing anything and
 * report what would surprise its author, one line per finding. */
#include "cli/seccomp-input.h"
#include "seccomp/lang/lang.h"
#include "seccomp/oci.h"
#include "util/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_check[] =
  "Usage: cell seccomp check PROFILE [--strict] [--arch ARCH]\n"
  "\n"
  "Validate PROFILE (an OCI linux.seccomp object, a whole config.json, or a\n"
  "policy, *.sec) as `compile` reads it, write nothing, and print one line\n"
  "per finding, with its place (FILE:LINE:COL, and the JSON path for JSON):\n"
  "  error:   what makes the profile unusable (invalid fields, rules that\n"
  "           libseccomp refuses, and so runc and crun, or never finishes)\n"
  "  warning: unknown syscall names, rules with the default's action, rules\n"
  "           that never decide (an earlier rule decides first), rules that\n"
  "           overlap with another action (with an example call and the\n"
  "           action libseccomp's merge gives it), conditions that can never\n"
  "           hold; for policies the compiler's warnings\n"
  "  -s, --strict       exit 1 when there are warnings\n"
  "  -a, --arch ARCH    native architecture (default: this machine's)\n"
  "  -D NAME, -I DIR    as for compile (policies)\n"
  "  -h, --help         this text\n"
  "Exit status: 0 clean (or only warnings without --strict), 1 warnings\n"
  "with --strict, 2 errors (and usage errors).\n";

typedef struct tally { unsigned errors, warnings; } tally;

static void line(tally *t, bool error, const char *loc, const char *path, const char *fmt, ...)
  __attribute__((format(printf, 5, 6)));
static void line(tally *t, bool error, const char *loc, const char *path, const char *fmt, ...)
{
  va_list ap;
  printf("%s%s%s%s: ", loc, path, path[0] ? ": " : "", error ? "error" : "warning");
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
  if (error)
    t->errors++;
  else
    t->warnings++;
}

static void where(const cell_sc_profile *p, const cell_seccomp_opts *o, size_t idx, char loc[256],
                  char path[256])
{
  cell_sc_oci_where(p, o, idx, loc, 256, path, 256);
}

static void report(tally *t, const cell_seccomp_opts *o, const cell_sc_profile *p, const cell_sc_oci_result *res)
{
  char loc[256], path[256], oloc[256], opath[256], b1[32], b2[32], b3[32];
  for (size_t i = 0; i < p->nrules; i++) {
    const cell_sc_oci_rule *r = &p->rules[i];
    where(p, o, r->index, loc, path);
    for (size_t k = 0; k < r->nnames; k++)
      if (!p->names[r->first_name + k].row)
        line(t, false, loc, path, "names[%zu]: unknown syscall \"%s\" (skipped, as runc and crun skip it)", k,
             p->names[r->first_name + k].name);
    if (r->action == p->default_action)
      line(t, false, loc, path, "has the default action %s: no effect (runc and crun skip it)",
           cell_seccomp_action_str(r->action, b1));
    if (r->split)
      line(t, false, loc, path, "two conditions on one argument: each is a rule of its own (OR), as runc "
           "adds them, not both at once");
  }
  for (size_t i = 0; i < res->nfindings; i++) {
    const cell_sc_finding *f = &res->findings[i];
    where(p, o, f->rule, loc, path);
    const char *an = cell_sc_arches[f->arch].short_name;
    switch (f->kind) {
    case CELL_SC_FIND_NEVER: {
      char p2[300];
      snprintf(p2, sizeof p2, "%s.args[%zu]", path, f->cond);
      line(t, false, loc, p2, "this condition can never hold, so the rule never matches");
      break;
    }
    case CELL_SC_FIND_SHADOWED:
      where(p, o, f->other, oloc, opath);
      line(t, false, loc, path, "never decides \"%s\" (%s): %s decides it (libseccomp keeps the first rule "
           "without conditions, and a shorter chain over a longer one)", f->syscall, an, opath);
      break;
    case CELL_SC_FIND_OVERLAP:
      where(p, o, f->other, oloc, opath);
      line(t, false, loc, path,
           "overlaps %s on \"%s\" (%s) with another action (%s here, %s there): for args "
           "(%#llx, %#llx, %#llx, %#llx, %#llx, %#llx) libseccomp's merge gives %s",
           opath, f->syscall, an, cell_seccomp_action_str(f->action, b1),
           cell_seccomp_action_str(f->other_action, b2), (unsigned long long) f->args[0],
           (unsigned long long) f->args[1], (unsigned long long) f->args[2], (unsigned long long) f->args[3],
           (unsigned long long) f->args[4], (unsigned long long) f->args[5],
           cell_seccomp_action_str(f->decides, b3));
      break;
    }
  }
}

/* An error's text is "[FILE:L:C: ][PATH: ]MESSAGE": printed with "error: "
 * before the message, as the warnings. */
static void error_line(tally *t, const char *msg)
{
  const char *rest = msg, *p;
  unsigned a, b;
  int n = 0;
  if ((p = strstr(msg, ": ")) && sscanf(p, ": %n", &n) >= 0) {
    /* FILE:L:C: */
    const char *q = msg;
    while ((q = strchr(q, ':')) && !(sscanf(q, ":%u:%u: %n", &a, &b, &n) == 2 && n))
      q++;
    if (q)
      rest = q + n;
  }
  size_t path = strncmp(rest, "linux.", 6) == 0 && (p = strstr(rest, ": ")) ? (size_t) (p - rest) + 2 : 0;
  printf("%.*s%serror: %s\n", (int) (rest - msg) + (int) path, msg, path || rest != msg ? "" : "", rest + path);
  t->errors++;
}

static int check_json(tally *t, const char *path, const char *text, size_t len, const char *arch)
{
  cell_log quiet = { .fd = open("/dev/null", O_WRONLY | O_CLOEXEC) };
  cell_seccomp_opts o = { .arch = arch, .log = &quiet };
  _cleanup_jdoc_ cell_jdoc *doc = NULL;
  const cell_jv *sec = NULL;
  cell_error perr = CELL_ERROR_INIT;
  if (cli_profile_json(path, text, len, &o, &doc, &sec, &perr) < 0) {
    size_t n = strlen(path);
    /* "PATH: what" (no line): the error after the path, as other lines */
    if (strncmp(perr.msg, path, n) == 0 && strncmp(perr.msg + n, ": ", 2) == 0) {
      printf("%s: error: %s\n", path, perr.msg + n + 2);
      t->errors++;
    } else {
      error_line(t, perr.msg);
    }
    cell_error_cleanup(&perr);
    if (quiet.fd >= 0)
      close(quiet.fd);
    return 0;
  }
  cell_sc_profile p;
  cell_sc_ir ir;
  cell_sc_oci_result res = { 0 };
  cell_error err = CELL_ERROR_INIT;
  cell_sc_ir_init(&ir);
  int r = sec ? cell_sc_oci_read(sec, &o, &p, &err) : 0;
  if (sec && r < 0)
    error_line(t, err.msg);
  if (sec && r == 0) {
    int rr = cell_sc_resolve(&p, &o, &ir, true, &res, &err);
    report(t, &o, &p, &res);
    if (rr < 0)
      error_line(t, err.msg);
    else {
      struct sock_filter *f = NULL;
      size_t n;
      cell_error_clear(&err);
      if (cell_sc_codegen(&ir, &f, &n, &err) < 0)
        error_line(t, err.msg);
      free(f);
    }
  }
  if (sec)
    cell_sc_profile_free(&p);
  cell_sc_oci_result_free(&res);
  cell_sc_ir_free(&ir);
  cell_error_cleanup(&err);
  if (quiet.fd >= 0)
    close(quiet.fd);
  return 0;
}

static void on_diag(void *ctx, const cell_sc_lang_diag *d)
{
  tally *t = ctx;
  if (d->line)
    printf("%s:%u:%u: %s: %s\n", d->file ? d->file : "?", d->line, d->col, d->error ? "error" : "warning",
           d->message);
  else
    printf("%s: %s: %s\n", d->file ? d->file : "?", d->error ? "error" : "warning", d->message);
  if (d->error)
    t->errors++;
  else
    t->warnings++;
}

static int check_policy(tally *t, const char *path, const char *text, size_t len, const char *arch,
                        const policy_args *pa)
{
  cell_sc_lang_opts lo = {
    .defines = pa->defines, .ndefines = pa->ndefines, .include_dirs = pa->dirs, .ninclude_dirs = pa->ndirs,
    .native_arch = arch, .diag = on_diag, .diag_ctx = t,
  };
  cell_seccomp_filter f;
  cell_error err = CELL_ERROR_INIT;
  unsigned before = t->errors;
  int r = cell_sc_lang_compile_filter(strcmp(path, "-") ? path : "<stdin>", text, len, &lo, &f, &err);
  if (r < 0 && t->errors == before)
    error_line(t, err.msg ? err.msg : strerror(-r));
  if (r == 0)
    cell_seccomp_filter_free(&f);
  cell_error_cleanup(&err);
  return 0;
}

int cli_seccomp_check(cell_cli *cli, int argc, char **argv, cell_error *err)
{
  static const struct option opts[] = {
    { "strict", no_argument, NULL, 's' }, { "arch", required_argument, NULL, 'a' },
    { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
  };
  (void) cli;
  const char *arch = NULL;
  bool strict = false;
  policy_args pa = { .ndefines = 0 };
  int c;
  optind = 0;
  while ((c = getopt_long(argc, argv, "sa:D:I:h", opts, NULL)) != -1) {
    switch (c) {
    case 's': strict = true; break;
    case 'a': arch = optarg; break;
    case 'D':
    case 'I':
      if (cli_policy_opt(&pa, c, optarg) < 0)
        return cli_usage_error("seccomp check", usage_check, "too many -%c", c);
      break;
    case 'h': return cli_help(usage_check);
    default: return cli_usage_error("seccomp check", usage_check, "unknown option");
    }
  }
  if (optind != argc - 1)
    return cli_usage_error("seccomp check", usage_check, "expected one PROFILE");
  if (arch && !cell_sc_arch_by_name(arch))
    return cli_usage_error("seccomp check", usage_check, "unknown architecture `%s`", arch);
  const char *path = argv[optind];
  _cleanup_free_ char *text = NULL;
  size_t len;
  tally t = { 0 };
  if (cli_read_input(path, &text, &len, err) < 0) {
    printf("%s: error: %s\n", path, err->msg);
    cell_error_clear(err);
    return 2;
  }
  if (cell_sc_lang_is_policy(path, text, len))
    check_policy(&t, path, text, len, arch, &pa);
  else
    check_json(&t, strcmp(path, "-") ? path : "<stdin>", text, len, arch);
  fflush(stdout);
  if (t.errors)
    return 2;
  return strict && t.warnings ? 1 : 0;
}
