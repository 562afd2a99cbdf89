/* cell spec [-b DIR] [--rootless]: write a default config.json, as runc spec. */
#include "cli/cli.h"
#include "oci/spec.h"
#include "util/cleanup.h"
#include "util/fs.h"

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
  "  -h, --help         print this help\n";

int cmd_spec(cell_cli *cli, int argc, char **argv, cell_error *err)
{
  (void) cli;
  const char *bundle = NULL;
  bool rootless = false;
  enum { OPT_ROOTLESS = 256 };
  static const struct option opts[] = {
    { "bundle", required_argument, NULL, 'b' },
    { "rootless", no_argument, NULL, OPT_ROOTLESS },
    { "help", no_argument, NULL, 'h' },
    { 0 }
  };
  int c;
  while ((c = getopt_long(argc, argv, "+:b:h", opts, NULL)) != -1) {
    switch (c) {
    case 'b': bundle = optarg; break;
    case OPT_ROOTLESS: rootless = true; break;
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
  _cleanup_free_ char *text = spec ? json_dumps(spec, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
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
