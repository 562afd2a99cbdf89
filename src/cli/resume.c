/* cell resume: thaw a paused container. */
#include "cli/cgroup-cmds.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char resume_usage[] =
  "Usage: cell resume CONTAINER-ID\n\n"
  "Resume every process of a paused container.\n";

int cmd_resume(cell_cli *cli, int argc, char **argv, cell_error *err)
{
  static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
  int c;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    if (c == 'h')
      return cli_help(resume_usage);
    return cli_usage_error("resume", resume_usage, "unknown option `%s`", argv[optind - 1]);
  }
  if (optind != argc - 1)
    return cli_usage_error("resume", resume_usage, "exactly one container id is needed");
  const char *id = argv[optind];
  cli_cg_container ct;
  int r = cli_cg_open(cli, id, &ct, err);
  if (r < 0)
    return r;
  bool frozen = false;
  if (ct.status == CELL_STOPPED)
    r = cell_error_set(err, ESRCH, "container `%s` is not running", id);
  else if ((r = cell_cgroup_is_frozen(ct.cg, &frozen, err)) >= 0 && ct.status != CELL_PAUSED &&
           !frozen)
    r = cell_error_set(err, EINVAL, "container `%s` is not paused", id);
  else if (r >= 0 && (r = cell_cgroup_freeze(ct.cg, false, err)) >= 0) {
    const char *from = json_string_value(json_object_get(ct.st.extra, "pausedFrom"));
    ct.st.recorded = from && strcmp(from, "created") == 0 ? CELL_CREATED : CELL_RUNNING;
    json_object_del(ct.st.extra, "pausedFrom");
    r = cli_cg_save(&ct, err);
  }
  cli_cg_close(&ct);
  return r < 0 ? cell_error_wrap(err, "resume") : 0;
}
