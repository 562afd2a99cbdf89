/* `run` with process.terminal and no --console-socket: this process holds
 * the pty master and copies between it and its own stdin/stdout, as runc
 * does, passing window size changes on. */
#ifndef CELL_RUNTIME_TTY_PROXY_H
#define CELL_RUNTIME_TTY_PROXY_H
#include <stdbool.h>
#include <termios.h>

typedef struct cell_tty_proxy {
  int master;
  bool raw;             /* stdin was a tty put into raw mode */
  struct termios saved;
  bool stdin_open;
} cell_tty_proxy;

/* Receive the master from the console socket pair; set raw mode. */
int cell_tty_proxy_start(cell_tty_proxy *p, int sock);
/* Move data that is ready; the fds to poll are p->master and 0. */
void cell_tty_proxy_pump(cell_tty_proxy *p, int fd, short revents);
void cell_tty_proxy_resize(cell_tty_proxy *p);
/* Drain what is left, restore the terminal, close. */
void cell_tty_proxy_stop(cell_tty_proxy *p);
#endif
