/* cell kill */
#include "cli/cli.h"
#include "runtime/container.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char kill_usage[] =
  "Usage: cell kill [OPTIONS] CONTAINER-ID [SIGNAL]\n\n"
  "Send SIGNAL (a name such as TERM or SIGKILL, or a number; default TERM)\n"
  "to the container's process.\n\n"
  "Options:\n"
  "  -a, --all    signal every process of the container\n"
  "  -h, --help   print this help\n";

int cmd_kill(cell_cli *cli, int argc, char **argv, cell_error *err)
{
  static const struct option opts[] = {
    { "all", no_argument, NULL, 'a' }, { "help", no_argument, NULL, 'h' }, { 0 }
  };
  bool all = false;
  int c;
  while ((c = getopt_long_only(argc, argv, "ah", opts, NULL)) != -1) {
    if (c == 'a')
      all = true;
    else if (c == 'h')
      return cli_help(kill_usage);
    else
      return cli_usage_error("kill", kill_usage, "unknown option `%s`", argv[optind - 1]);
  }
  if (optind >= argc || argc - optind > 2)
    return cli_usage_error("kill", kill_usage, "a container id and at most one signal are needed");
  int sig = SIGTERM;
  if (argc - optind == 2) {
    sig = cell_signal_parse(argv[optind + 1]);
    if (sig < 0)
      return cell_error_set(err, EINVAL, "unknown signal `%s`", argv[optind + 1]);
  }
  int r = cell_container_kill(cli->root, argv[optind], sig, all, err);
  return r < 0 ? r : 0;
}
