/* cell pause: freeze every process of a container. */
#include "cli/cgroup-cmds.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>

static const char pause_usage[] =
  "Usage: cell pause CONTAINER-ID\n\n"
  "Suspend every process of a running container (cgroup v2 cgroup.freeze or\n"
  "the v1 freezer); `cell state` then shows it as paused.\n";

int cmd_pause(cell_cli *cli, int argc, char **argv, cell_error *err)
{
  static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
  int c;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    if (c == 'h')
      return cli_help(pause_usage);
    return cli_usage_error("pause", pause_usage, "unknown option `%s`", argv[optind - 1]);
  }
  if (optind != argc - 1)
    return cli_usage_error("pause", pause_usage, "exactly one container id is needed");
  const char *id = argv[optind];
  cli_cg_container ct;
  int r = cli_cg_open(cli, id, &ct, err);
  if (r < 0)
    return r;
  if (ct.status == CELL_PAUSED)
    r = cell_error_set(err, EINVAL, "container `%s` is already paused", id);
  else if (ct.status != CELL_RUNNING && ct.status != CELL_CREATED)
    r = cell_error_set(err, EINVAL, "container `%s` is %s, not running", id,
                       cell_status_name(ct.status));
  else if ((r = cell_cgroup_freeze(ct.cg, true, err)) >= 0) {
    /* resume goes back to this (created or running) */
    json_object_set_new(ct.st.extra, "pausedFrom", json_string(cell_status_name(ct.status)));
    ct.st.recorded = CELL_PAUSED;
    if ((r = cli_cg_save(&ct, err)) < 0) {
      cell_error e = CELL_ERROR_INIT;
      cell_cgroup_freeze(ct.cg, false, &e);
      cell_error_clear(&e);
    }
  }
  cli_cg_close(&ct);
  return r < 0 ? cell_error_wrap(err, "pause") : 0;
}
