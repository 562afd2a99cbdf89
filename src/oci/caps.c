/* Capability names <-> numbers, as in linux/capability.h up to
 * CAP_CHECKPOINT_RESTORE (40). Names compare case-insensitively, the "CAP_"
 * prefix is required (as runc and crun want it). */
#include "oci/config.h"

#include <strings.h>

static const char *const cap_names[] = {
  "CAP_CHOWN",              /* 0 */
  "CAP_DAC_OVERRIDE",
  "CAP_DAC_READ_SEARCH",
  "CAP_FOWNER",
  "CAP_FSETID",
  "CAP_KILL",               /* 5 */
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETPCAP",
  "CAP_LINUX_IMMUTABLE",
  "CAP_NET_BIND_SERVICE",   /* 10 */
  "CAP_NET_BROADCAST",
  "CAP_NET_ADMIN",
  "CAP_NET_RAW",
  "CAP_IPC_LOCK",
  "CAP_IPC_OWNER",          /* 15 */
  "CAP_SYS_MODULE",
  "CAP_SYS_RAWIO",
  "CAP_SYS_CHROOT",
  "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT",          /* 20 */
  "CAP_SYS_ADMIN",
  "CAP_SYS_BOOT",
  "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE",
  "CAP_SYS_TIME",           /* 25 */
  "CAP_SYS_TTY_CONFIG",
  "CAP_MKNOD",
  "CAP_LEASE",
  "CAP_AUDIT_WRITE",
  "CAP_AUDIT_CONTROL",      /* 30 */
  "CAP_SETFCAP",
  "CAP_MAC_OVERRIDE",
  "CAP_MAC_ADMIN",
  "CAP_SYSLOG",
  "CAP_WAKE_ALARM",         /* 35 */
  "CAP_BLOCK_SUSPEND",
  "CAP_AUDIT_READ",
  "CAP_PERFMON",
  "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE", /* 40 */
};

#define N_CAPS ((int) (sizeof cap_names / sizeof cap_names[0]))

int oci_cap_from_name(const char *name)
{
  if (!name)
    return -1;
  for (int i = 0; i < N_CAPS; i++)
    if (strcasecmp(name, cap_names[i]) == 0)
      return i;
  return -1;
}

const char *oci_cap_name(int cap)
{
  if (cap < 0 || cap >= N_CAPS)
    return NULL;
  return cap_names[cap];
}

int oci_cap_last(void)
{
  return N_CAPS - 1;
}
