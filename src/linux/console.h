/* process.terminal: a pty made from the container's own /dev/ptmx. */
#ifndef CELL_LINUX_CONSOLE_H
#define CELL_LINUX_CONSOLE_H
#include <stdbool.h>
#include "oci/config.h"

/* Inside the container (after pivot_root): open /dev/ptmx, unlock, apply
 * consoleSize, bind the slave onto /dev/console when bind_console, make the
 * slave the controlling terminal (setsid, TIOCSCTTY) and stdin/out/err, and
 * send the master over console_sock with SCM_RIGHTS (as runc does), or
 * return it in *master when console_sock < 0. */
int linux_console_setup(int console_sock, const oci_process *p, bool bind_console,
                        int *master, cell_error *err);
#endif
