#include "util/host-lsm.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#define SELINUX_FS_MAGIC 0xf97cff8cU

bool cell_host_has_apparmor(void)
{
  struct stat st;
  if (stat("/sys/kernel/security/apparmor", &st) < 0)
    return false;
  int fd = open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  char c = 0;
  bool yes = read(fd, &c, 1) == 1 && c == 'Y';
  close(fd);
  return yes;
}

bool cell_host_has_selinux(void)
{
  struct statfs sf;
  return statfs("/sys/fs/selinux", &sf) == 0 && (unsigned) sf.f_type == SELINUX_FS_MAGIC;
}
