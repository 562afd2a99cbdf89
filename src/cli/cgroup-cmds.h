/* Shared by the commands that operate a container through its cgroup
 * (ps, pause, resume, update, events): the container's state, locked,
 * and its cgroup handle from the state's extra "cgroup" record. */
#ifndef CELL_CLI_CGROUP_CMDS_H
#define CELL_CLI_CGROUP_CMDS_H
#include "cgroups/cgroups.h"
#include "cli/cli.h"
#include "runtime/state.h"

typedef struct cli_cg_container {
  cell_store store;
  cell_state st;
  cell_status status;       /* now: recorded, or stopped when the process is gone */
  cell_cgroup *cg;
} cli_cg_container;

/* Open and lock ID under cli->root, read its state and cgroup record.
 * Implemented in ps.c. */
int cli_cg_open(cell_cli *cli, const char *id, cli_cg_container *c, cell_error *err);
/* Write c->st back (after changing c->st.recorded). */
int cli_cg_save(cli_cg_container *c, cell_error *err);
void cli_cg_close(cli_cg_container *c);
#endif
