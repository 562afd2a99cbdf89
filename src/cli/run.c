/* placeholder: being written */
#include "cli/cli.h"
#include <errno.h>
int cmd_run(cell_cli *cli, int argc, char **argv, cell_error *err)
{
  (void) cli; (void) argc; (void) argv;
  return cell_error_set(err, ENOSYS, "run: not implemented yet");
}
