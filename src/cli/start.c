/* cell start */
#include "cli/cli.h"
#include "runtime/container.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct option help_only[] = { { "help", no_argument, NULL, 'h' }, { 0 } };

static const char start_usage[] =
  "Usage: cell start CONTAINER-ID\n\n"
  "Start the user process of a created container.\n";

int cmd_start(cell_cli *cli, int argc, char **argv, cell_error *err)
{
  int c;
  while ((c = getopt_long_only(argc, argv, "h", help_only, NULL)) != -1) {
    if (c == 'h')
      return cli_help(start_usage);
    return cli_usage_error("start", start_usage, "unknown option `%s`", argv[optind - 1]);
  }
  if (optind != argc - 1)
    return cli_usage_error("start", start_usage, "exactly one container id is needed");
  int r = cell_container_start(cli->root, argv[optind], &cli->log, err);
  return r < 0 ? r : 0;
}
