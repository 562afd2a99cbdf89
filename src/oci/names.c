/* Names of namespaces and hook kinds as config.json spells them. */
#include "oci/config.h"
#include <sched.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct {
  const char *name, *proc;
  int flag;
} ns_table[OCI_NS_KINDS] = {
  [OCI_NS_PID] = { "pid", "pid", CLONE_NEWPID },
  [OCI_NS_NETWORK] = { "network", "net", CLONE_NEWNET },
  [OCI_NS_MOUNT] = { "mount", "mnt", CLONE_NEWNS },
  [OCI_NS_IPC] = { "ipc", "ipc", CLONE_NEWIPC },
  [OCI_NS_UTS] = { "uts", "uts", CLONE_NEWUTS },
  [OCI_NS_USER] = { "user", "user", CLONE_NEWUSER },
  [OCI_NS_CGROUP] = { "cgroup", "cgroup", CLONE_NEWCGROUP },
  [OCI_NS_TIME] = { "time", "time", CLONE_NEWTIME },
};

const char *oci_ns_name(oci_ns_kind k) { return ns_table[k].name; }
const char *oci_ns_proc_name(oci_ns_kind k) { return ns_table[k].proc; }
int oci_ns_clone_flag(oci_ns_kind k) { return ns_table[k].flag; }

static const char *const hook_names[OCI_HOOK_KINDS] = {
  [OCI_HOOK_PRESTART] = "prestart",
  [OCI_HOOK_CREATE_RUNTIME] = "createRuntime",
  [OCI_HOOK_CREATE_CONTAINER] = "createContainer",
  [OCI_HOOK_START_CONTAINER] = "startContainer",
  [OCI_HOOK_POSTSTART] = "poststart",
  [OCI_HOOK_POSTSTOP] = "poststop",
};

const char *oci_hook_kind_name(oci_hook_kind k) { return hook_names[k]; }
