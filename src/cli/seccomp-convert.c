/* `cell seccomp convert`: JSON profile <-> policy. */
#include "cli/seccomp-input.h"
#include "seccomp/lang/lang.h"
#include "seccomp/seccomp.h"
#include "seccomp/table.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json-jansson.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_convert[] =
  "Usage: cell seccomp convert --to sec|json PROFILE [--style cell|easyseccomp] [-o FILE]\n"
  "                            [-D NAME] [-I DIR]\n"
  "\n"
  "  --to sec   PROFILE is an OCI linux.seccomp object or a config.json: print\n"
  "             it as a policy with the same effect; or PROFILE is a policy\n"
  "             (.sec, in either spelling): print it respelled in --style\n"
  "  --to json  PROFILE is a policy (.sec): print its linux.seccomp object;\n"
  "             an error names what has no JSON form\n"
  "  --style cell         cell's spelling (`read`, `ALLOW`); the default for a policy\n"
  "  --style easyseccomp  a policy easyseccomp reads (`@read`, `ALLOW()`, decimal\n"
  "                       values, sets written out) with the same decisions on the\n"
  "                       native architecture for 32-bit arguments, or an error at\n"
  "                       what it cannot read (`||`, `.hi`, an arch list, ...)\n"
  "             With --style the policy is written in fmt's canonical layout.\n"
  "  -o, --output FILE  write there (atomically) instead of to stdout\n"
  "  -D NAME, -I DIR    a policy's #ifdef names and include directories\n"
  "  -h, --help         this text\n";

int cli_seccomp_convert(cell_cli *cli, int argc, char **argv, cell_error *err)
{
  static const struct option opts[] = {
    { "to", required_argument, NULL, 't' }, { "output", required_argument, NULL, 'o' },
    { "style", required_argument, NULL, 'S' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
  };
  const char *to = NULL, *out = NULL, *style = NULL;
  policy_args pa = { .ndefines = 0 };
  int c;
  optind = 0;
  while ((c = getopt_long(argc, argv, "t:o:D:d:I:h", opts, NULL)) != -1) {
    switch (c) {
    case 't': to = optarg; break;
    case 'o': out = optarg; break;
    case 'S': style = optarg; break;
    case 'D':
    case 'd':
    case 'I':
      if (cli_policy_opt(&pa, c, optarg) < 0)
        return cli_usage_error("seccomp convert", usage_convert, "too many -%c", c);
      break;
    case 'h': return cli_help(usage_convert);
    default: return cli_usage_error("seccomp convert", usage_convert, "unknown option");
    }
  }
  if (!to || (strcmp(to, "sec") && strcmp(to, "json")))
    return cli_usage_error("seccomp convert", usage_convert, "--to sec or --to json is required");
  if (optind != argc - 1)
    return cli_usage_error("seccomp convert", usage_convert, "expected one PROFILE");
  if (style && strcmp(style, "cell") && strcmp(style, "easyseccomp"))
    return cli_usage_error("seccomp convert", usage_convert, "--style cell or --style easyseccomp");
  if (style && strcmp(to, "sec"))
    return cli_usage_error("seccomp convert", usage_convert, "--style goes with --to sec");
  const char *path = argv[optind];
  _cleanup_free_ char *text = NULL, *result = NULL;
  size_t len;
  int r = cli_read_input(path, &text, &len, err);
  if (r < 0)
    return r;
  cell_sc_lang_opts lo = { .defines = pa.defines, .ndefines = pa.ndefines, .include_dirs = pa.dirs,
                           .ninclude_dirs = pa.ndirs, .log = &cli->log };
  const char *name = strcmp(path, "-") ? path : "<stdin>";
  cell_sc_lang_style st = style && !strcmp(style, "easyseccomp") ? CELL_SC_STYLE_EASYSECCOMP : CELL_SC_STYLE_CELL;
  if (!strcmp(to, "sec") && cell_sc_lang_is_policy(path, text, len)) {
    /* a policy, respelled */
    r = cell_sc_lang_restyle(name, text, len, &lo, st, true, &result, err);
  } else if (!strcmp(to, "sec")) {
    cell_seccomp_opts so = { 0 };
    _cleanup_jdoc_ cell_jdoc *doc = NULL;
    const cell_jv *sec;
    r = cli_profile_json(path, text, len, &so, &doc, &sec, err);
    if (r >= 0)
      r = cell_sc_lang_from_json(sec, &result, err);
    if (r >= 0 && style) {
      /* the JSON's policy, in the style asked for */
      char *spelled = NULL, *as = NULL;
      if (asprintf(&as, "<%s as a policy>", name) < 0)
        return cell_error_set(err, ENOMEM, "out of memory");
      r = cell_sc_lang_restyle(as, result, strlen(result), &lo, st, true, &spelled, err);
      free(as);
      if (r >= 0) {
        free(result);
        result = spelled;
      }
    }
  } else {
    cell_sc_ir ir;
    cell_sc_ir_init(&ir);
    json_t *j = NULL;
    r = cell_sc_lang_compile_string(name, text, len, &lo, &ir, err);
    if (r >= 0 && (r = cell_sc_lang_ir_to_json(&ir, &j, err)) < 0)
      cell_error_wrap(err, "%s", path);
    cell_sc_ir_free(&ir);
    if (j) {
      char *s = cell_json_dumps(j, JSON_INDENT(2));
      json_decref(j);
      if (!s || asprintf(&result, "%s\n", s) < 0)
        r = cell_error_set(err, ENOMEM, "out of memory");
      free(s);
    }
  }
  if (r < 0)
    return cell_error_wrap(err, "seccomp convert");
  if (out)
    return cell_write_file_atomic(out, result, strlen(result), 0644, err);
  return cell_write_all(STDOUT_FILENO, result, strlen(result)) < 0 ? cell_error_sys(err, "write stdout") : 0;
}

