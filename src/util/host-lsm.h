/* Which Linux security modules this host has, as runc decides it:
 * AppArmor when /sys/kernel/security/apparmor exists and
 * /sys/module/apparmor/parameters/enabled says Y; SELinux when selinuxfs
 * is mounted at /sys/fs/selinux. */
#ifndef CELL_UTIL_HOST_LSM_H
#define CELL_UTIL_HOST_LSM_H
#include <stdbool.h>

bool cell_host_has_apparmor(void);
bool cell_host_has_selinux(void);
#endif
