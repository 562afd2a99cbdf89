/* cell state */
#include "cli/cli.h"
#include "runtime/container.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct option help_only[] = { { "help", no_argument, NULL, 'h' }, { 0 } };

static const char state_usage[] =
  "Usage: cell state CONTAINER-ID\n\n"
  "Print the state of a container as JSON: ociVersion, id, pid, status\n"
  "(creating, created, running, paused, stopped), bundle, rootfs, created,\n"
  "owner and annotations.\n";

int cmd_state(cell_cli *cli, int argc, char **argv, cell_error *err)
{
  int c;
  while ((c = getopt_long_only(argc, argv, "h", help_only, NULL)) != -1) {
    if (c == 'h')
      return cli_help(state_usage);
    return cli_usage_error("state", state_usage, "unknown option `%s`", argv[optind - 1]);
  }
  if (optind != argc - 1)
    return cli_usage_error("state", state_usage, "exactly one container id is needed");
  char *json = NULL;
  int r = cell_container_state(cli->root, argv[optind], &json, err);
  if (r < 0)
    return r;
  printf("%s\n", json);
  free(json);
  return 0;
}
