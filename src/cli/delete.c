/* cell delete */
#include "cli/cli.h"
#include "runtime/container.h"
#include "util/cleanup.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char delete_usage[] =
  "Usage: cell delete [OPTIONS] CONTAINER-ID\n\n"
  "Delete a container: run its poststop hooks and remove its state.\n\n"
  "Options:\n"
  "  -f, --force  kill a running container first\n"
  "  -h, --help   print this help\n";

int cmd_delete(cell_cli *cli, int argc, char **argv, cell_error *err)
{
  static const struct option opts[] = {
    { "force", no_argument, NULL, 'f' }, { "help", no_argument, NULL, 'h' }, { 0 }
  };
  bool force = false;
  int c;
  while ((c = getopt_long_only(argc, argv, "fh", opts, NULL)) != -1) {
    if (c == 'f')
      force = true;
    else if (c == 'h')
      return cli_help(delete_usage);
    else
      return cli_usage_error("delete", delete_usage, "unknown option `%s`", argv[optind - 1]);
  }
  if (optind != argc - 1)
    return cli_usage_error("delete", delete_usage, "exactly one container id is needed");
  int r = cell_container_delete(cli->root, argv[optind], force, &cli->log, err);
  /* As runc and crun: --force of a container that is already gone succeeds
   * (podman and conmon delete with --force after a failed create). */
  if (r == -ENOENT && force) {
    _cleanup_free_ char *dir = NULL;
    struct stat st;
    if (asprintf(&dir, "%s/%s", cli->root, argv[optind]) >= 0 && lstat(dir, &st) < 0 &&
        errno == ENOENT) {
      cell_error_clear(err);
      return 0;
    }
  }
  return r < 0 ? r : 0;
}
