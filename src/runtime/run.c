/* run: create + start + wait, forwarding signals; the container's exit
 * status becomes ours (128+N for signal N). */
#include "runtime/container.h"
#include "runtime/create.h"
#include "runtime/notify-socket.h"
#include "runtime/tty-proxy.h"
#include "util/cleanup.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

int cell_wait_forwarding(pid_t pid, cell_tty_proxy *tty)
{
  sigset_t all;
  sigfillset(&all);
  int sfd = signalfd(-1, &all, SFD_CLOEXEC);
  if (sfd < 0)
    return -errno;
  int status = 0;
  for (;;) {
    struct pollfd fds[3] = { { .fd = sfd, .events = POLLIN } };
    nfds_t n = 1;
    if (tty && tty->master >= 0) {
      fds[n++] = (struct pollfd) { .fd = tty->master, .events = POLLIN };
      if (tty->stdin_open)
        fds[n++] = (struct pollfd) { .fd = STDIN_FILENO, .events = POLLIN };
    }
    if (poll(fds, n, -1) < 0 && errno != EINTR)
      break;
    for (nfds_t i = 1; i < n; i++)
      if (fds[i].revents)
        cell_tty_proxy_pump(tty, fds[i].fd, fds[i].revents);
    if (!(fds[0].revents & POLLIN))
      continue;
    struct signalfd_siginfo si;
    if (read(sfd, &si, sizeof si) != sizeof si)
      continue;
    if (si.ssi_signo == SIGCHLD) {
      pid_t w;
      int ws;
      bool done = false;
      while ((w = waitpid(-1, &ws, WNOHANG)) > 0)
        if (w == pid) {
          status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
          done = true;
        }
      if (done)
        break;
    } else if (si.ssi_signo == SIGWINCH && tty) {
      cell_tty_proxy_resize(tty);
    } else {
      kill(pid, (int) si.ssi_signo);
    }
  }
  close(sfd);
  return status;
}

int cell_container_run(const cell_create_opts *o, cell_error *err)
{
  cell_create_opts opts = *o;
  opts.run = true;
  cell_created cr;
  int r = cell_create_container(&opts, &cr, err);
  if (r < 0)
    return r;
  /* A terminal without --console-socket: we are the other end. */
  bool proxy = cr.tty_sock >= 0;
  cell_tty_proxy tty = { .master = -1 };
  if (proxy)
    cell_tty_proxy_start(&tty, cr.tty_sock);

  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old);
  /* The state create wrote, still locked (read back only when create
   * could not keep a copy; run left it creating, create.c). */
  cell_state st = cr.state;
  cr.state = (cell_state) { 0 };
  int nfd = -1, state_fd = -1;
  if (!st.id && (r = cell_state_read(&cr.store, &st, err)) >= 0 && st.recorded == CELL_CREATING)
    st.recorded = CELL_CREATED;
  if (r >= 0) {
    r = cell_start_locked(&cr.store, &st, cr.config, o->log, &cr.guard, cr.start_conn, &nfd,
                          &state_fd, err);
    close(cell_steal_fd(&cr.start_conn));
  }
  flock(cr.store.dirfd, LOCK_UN);
  if (r >= 0 && nfd >= 0)
    r = cell_notify_socket_forward(nfd, &cr.store, &st, o->log, err);
  cell_log_debug(o->log, "started");
  int status = 0;
  if (r >= 0 && !o->detach)
    status = cell_wait_forwarding(cr.pid, proxy ? &tty : NULL);
  if (proxy)
    cell_tty_proxy_stop(&tty);
  sigprocmask(SIG_SETMASK, &old, NULL);
  oci_config *config = cr.config;   /* kept for delete's poststop hooks */
  cr.config = NULL;
  /* The store too: delete locks it again through its dir fd, so that a
   * container made under the id meanwhile is not taken for ours. */
  cell_store store = cr.store;
  cr.store = (cell_store) { .dirfd = -1 };
  cell_created_release(&cr);
  cell_log_debug(o->log, "container exited");
  if (r < 0 || (!o->detach && !o->keep)) {
    cell_error derr = CELL_ERROR_INIT;
    int cwd;
    cell_exe_guard_enter_host(&cr.guard, &cwd, &derr);
    cell_error_clear(&derr);
    int dr = cell_container_delete_run(&store, &st, state_fd, config, o->log, &derr);
    cell_exe_guard_leave_host(&cr.guard, cwd, &derr);
    if (dr < 0 && r >= 0)
      cell_log_warn(o->log, "delete `%s` after run: %s", o->id, derr.msg);
    cell_error_clear(&derr);
  } else {
    cell_state_clear(&st);
    cell_store_close(&store);
  }
  if (state_fd >= 0)
    close(state_fd);
  cell_log_debug(o->log, "deleted");
  oci_config_free(config);
  if (r < 0)
    return r;
  return status;
}
