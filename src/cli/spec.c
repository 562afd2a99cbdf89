/* cell spec [-b DIR] [--rootless] [--seccomp]: write a default config.json,
 * as runc spec; --seccomp adds cell's default seccomp profile. */
#include "cli/cli.h"
#include "oci/spec.h"
#include "seccomp/lang/lang.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json-jansson.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char spec_usage[] =
  "Usage: cell spec [OPTIONS]\n"
  "\n"
  "Write a default config.json into the bundle directory (the current\n"
  "directory by default): a busybox-ready shell with runc's defaults.\n"
  "An existing config.json is never overwritten.\n"
  "\n"
  "Options:\n"
  "  -b, --bundle DIR   the bundle directory to write DIR/config.json in\n"
  "      --rootless     a config for an unprivileged user: a user namespace\n"
  "                     mapping root to the caller, no network namespace,\n"
  "                     /sys bound from the host\n"
  "      --seccomp      add linux.seccomp: cell's default profile (the policy\n"
  "                     profiles/default.sec, built into cell; installed as\n"
  "                     PREFIX/share/cell/seccomp/default.json)\n"
  "  -h, --help         print this help\n";

/* The policy text of profiles/default.sec (src/cli/meson.build embeds it). */
extern const unsigned char cell_default_profile_sec[];
extern const size_t cell_default_profile_sec_len;

/* cell's default profile as an OCI linux.seccomp object (new reference in
 * *out): the embedded policy compiled as `cell seccomp convert --to json`
 * compiles profiles/default.sec at build time, so both give the same JSON. */
static int default_seccomp(cell_cli *cli, json_t **out, cell_error *err)
{
  cell_sc_lang_opts lo = { .log = &cli->log, .no_includes = true };
  cell_sc_ir ir;
  cell_sc_ir_init(&ir);
  int r = cell_sc_lang_compile_string("profiles/default.sec", (const char *) cell_default_profile_sec,
                                      cell_default_profile_sec_len, &lo, &ir, err);
  if (r >= 0)
    r = cell_sc_lang_ir_to_json(&ir, out, err);
  cell_sc_ir_free(&ir);
  return r < 0 ? cell_error_wrap(err, "spec: the default seccomp profile") : 0;
}

int cmd_spec(cell_cli *cli, int argc, char **argv, cell_error *err)
{
  const char *bundle = NULL;
  bool rootless = false, seccomp = false;
  enum { OPT_ROOTLESS = 256, OPT_SECCOMP };
  static const struct option opts[] = {
    { "bundle", required_argument, NULL, 'b' },
    { "rootless", no_argument, NULL, OPT_ROOTLESS },
    { "seccomp", no_argument, NULL, OPT_SECCOMP },
    { "help", no_argument, NULL, 'h' },
    { 0 }
  };
  int c;
  while ((c = getopt_long(argc, argv, "+:b:h", opts, NULL)) != -1) {
    switch (c) {
    case 'b': bundle = optarg; break;
    case OPT_ROOTLESS: rootless = true; break;
    case OPT_SECCOMP: seccomp = true; break;
    case 'h': return cli_help(spec_usage);
    case ':':
      return cli_usage_error("spec", spec_usage, "option `%s` needs an argument",
                             argv[optind - 1]);
    default:
      return cli_usage_error("spec", spec_usage, "unknown option `%s`", argv[optind - 1]);
    }
  }
  if (optind < argc)
    return cli_usage_error("spec", spec_usage, "unexpected argument `%s`", argv[optind]);

  const char *dir = bundle && *bundle ? bundle : ".";
  _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return cell_error_sys(err, "spec: bundle directory `%s`", dir);

  json_t *spec = oci_spec_default(rootless, geteuid(), getegid());
  if (!spec)
    return cell_error_set(err, ENOMEM, "spec: out of memory");
  if (seccomp) {
    json_t *sc = NULL;
    int r = default_seccomp(cli, &sc, err);
    if (r < 0 || json_object_set_new(json_object_get(spec, "linux"), "seccomp", sc) < 0) {
      json_decref(spec);
      return r < 0 ? r : cell_error_set(err, ENOMEM, "spec: out of memory");
    }
  }
  _cleanup_free_ char *text = cell_json_dumps(spec, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(spec);
  if (!text)
    return cell_error_set(err, ENOMEM, "spec: out of memory");

  /* O_EXCL: refuse to replace a config.json, even one created meanwhile. */
  _cleanup_close_ int fd = openat(dfd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                                  0666);
  if (fd < 0 && errno == EEXIST)
    return cell_error_set(err, EEXIST,
                          "spec: `%s/config.json` already exists; remove it first", dir);
  if (fd < 0)
    return cell_error_sys(err, "spec: create `%s/config.json`", dir);
  size_t len = strlen(text);
  text[len] = '\n'; /* json_dumps' NUL becomes the final newline */
  int r = cell_write_all(fd, text, len + 1);
  if (r < 0) {
    (void) unlinkat(dfd, "config.json", 0);
    return cell_error_sys_code(err, r, "spec: write `%s/config.json`", dir);
  }
  return 0;
}
