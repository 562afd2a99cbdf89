#include "runtime/exe-guard.h"
#include "util/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define GUARD_ENV "_CELL_EXE_GUARD_HOST_MNTNS"

extern char **environ;

static int exe_on_readonly_mount(void)
{
  struct statvfs sv;
  if (statvfs("/proc/self/exe", &sv) < 0)
    return -errno;
  return (sv.f_flag & ST_RDONLY) != 0;
}

bool cell_exe_guard_is_copy(void)
{
  return getenv(GUARD_ENV) != NULL;
}

int cell_exe_guard_exe_readonly(cell_error *err)
{
  struct stat st;
  if (geteuid() != 0 && stat("/proc/self/exe", &st) == 0 && st.st_uid == 0 &&
      !(st.st_mode & (S_IWGRP | S_IWOTH)))
    return 1;
  int ro = exe_on_readonly_mount();
  if (ro < 0)
    return cell_error_sys_code(err, ro, "exe guard: statvfs /proc/self/exe");
  return ro;
}

/* In our own new mount namespace (made a slave first, so that the bind
 * stays ours): bind our binary read-only onto itself and execve it with
 * argv, GUARD_ENV telling the copy the host's namespace fd. Returns only on
 * failure. */
static int reexec_from_readonly_bind(char **argv, int host_mntns, cell_error *err)
{
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n < 0)
    return cell_error_sys(err, "exe guard: readlink /proc/self/exe");
  exe[n] = '\0';
  if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
    return cell_error_sys(err, "exe guard: private mount namespace");
  if (mount(exe, exe, NULL, MS_BIND, NULL) < 0 ||
      mount(NULL, exe, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
    return cell_error_sys(err, "exe guard: read-only bind of `%s`", exe);
  char val[16];
  snprintf(val, sizeof val, "%d", host_mntns);
  setenv(GUARD_ENV, val, 1);
  execve(exe, argv, environ);
  return cell_error_sys(err, "exe guard: re-exec `%s`", exe);
}

int cell_exe_guard_apply(char **argv, cell_exe_guard *g, cell_error *err)
{
  g->host_mntns = g->own_mntns = -1;
  const char *env = getenv(GUARD_ENV);
  if (env) {
    /* We are the re-executed copy. */
    g->host_mntns = atoi(env);
    unsetenv(GUARD_ENV);
    if (fcntl(g->host_mntns, F_SETFD, FD_CLOEXEC) < 0)
      return cell_error_sys(err, "exe guard: host mount namespace fd");
    g->own_mntns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
    if (exe_on_readonly_mount() != 1)
      return cell_error_set(err, EROFS, "exe guard: the binary is still writable after "
                            "re-executing from a read-only bind mount");
    return 0;
  }
  int ro = cell_exe_guard_exe_readonly(err);
  if (ro != 0)
    return ro < 0 ? ro : 0;
  /* Keep the host's namespace for hooks; without CLOEXEC it survives exec. */
  int host = open("/proc/self/ns/mnt", O_RDONLY);
  if (host < 0)
    return cell_error_sys(err, "exe guard: open /proc/self/ns/mnt");
  if (unshare(CLONE_NEWNS) < 0) {
    int r = cell_error_sys(err, "exe guard: private mount namespace");
    close(host);
    return r;
  }
  int r = reexec_from_readonly_bind(argv, host, err);
  close(host);
  return r;
}

int cell_exe_guard_enter_host(const cell_exe_guard *g, int *cwd, cell_error *err)
{
  *cwd = -1;
  if (!g || g->host_mntns < 0)
    return 0;
  *cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (setns(g->host_mntns, CLONE_NEWNS) < 0)
    return cell_error_sys(err, "enter the host mount namespace for hooks");
  /* The same directory, seen from the host's namespace. */
  if (*cwd >= 0 && fchdir(*cwd) < 0)
    return cell_error_sys(err, "keep the working directory for hooks");
  return 0;
}

int cell_exe_guard_leave_host(const cell_exe_guard *g, int cwd, cell_error *err)
{
  int r = 0;
  if (g && g->own_mntns >= 0 && g->host_mntns >= 0 && setns(g->own_mntns, CLONE_NEWNS) < 0)
    r = cell_error_sys(err, "leave the host mount namespace after hooks");
  if (cwd >= 0) {
    if (fchdir(cwd) < 0 && r == 0)
      r = cell_error_sys(err, "restore the working directory after hooks");
    close(cwd);
  }
  return r;
}
