/* Set-up steps of the container process that are not about the file system.
 * Each is one concern; src/runtime/init.c and exec.c call them in order. */
#ifndef CELL_LINUX_PROCESS_H
#define CELL_LINUX_PROCESS_H
#include <stdbool.h>
#include "oci/config.h"
#include "util/log.h"

/* sethostname/setdomainname (needs the uts namespace). */
int linux_set_hostname(const oci_config *c, cell_error *err);
/* linux.sysctl through /proc/sys (after pivot_root). */
int linux_apply_sysctl(const oci_config *c, cell_error *err);
/* process.rlimits via prlimit on the calling process. */
int linux_apply_rlimits(const oci_process *p, cell_error *err);
/* process.oomScoreAdj of process pid (0: the calling one), through /proc. */
int linux_apply_oom_score_adj(const oci_process *p, pid_t pid, cell_error *err);
int linux_apply_personality(const oci_personality *per, cell_error *err);
/* process.scheduler (sched_setattr) and process.ioPriority (ioprio_set). */
int linux_apply_scheduler(const oci_process *p, cell_error *err);
int linux_apply_io_priority(const oci_process *p, cell_error *err);
/* Switch to process.user: additionalGids, gid, uid, keeping the capabilities
 * that linux_apply_caps will then set (PR_SET_KEEPCAPS); umask. In a user
 * namespace without setgroups, additionalGids fail with a clear error. */
int linux_set_user(const oci_process *p, cell_error *err);
/* The home directory of uid in /etc/passwd as the process sees it (the
 * container's, read by hand: no NSS module of the container is loaded),
 * malloc'ed; NULL when there is no such entry or no readable file. */
char *linux_user_home(uid_t uid);
/* process.apparmorProfile and process.selinuxLabel for the next execve,
 * when the host has the module (lsm.c). */
int linux_apply_exec_labels(const oci_process *p, cell_error *err);
/* linux.mountLabel as a context= option added to data for a mount of
 * this type (not proc, sysfs, cgroup), when the host has SELinux:
 * malloc'ed, or NULL when nothing is to be added. */
char *linux_mount_label_data(const char *data, const char *type, const char *label);
/* All five capability sets: bounding (drop the rest), then permitted,
 * effective, inheritable via capset, then ambient. Call after linux_set_user. */
int linux_apply_caps(const oci_caps *caps, cell_error *err);
/* The ambient capabilities linux_apply_caps skips because they are not in
 * both permitted and inheritable (the kernel refuses them; runc warns, crun
 * ignores them). Validation may warn about a non-zero result. */
uint64_t linux_caps_ambient_skipped(const oci_caps *caps);
/* The capabilities of caps this process cannot grant: above the kernel's
 * last one, or not in its permitted set. The runtime warns about them;
 * linux_apply_caps drops them (config.md: a warning, not a failure). */
uint64_t linux_caps_not_granted(const oci_caps *caps);
/* The warning about them, on log (nothing when there are none). */
void linux_caps_warn_not_granted(const oci_caps *caps, const cell_log *log);
/* PR_SET_NO_NEW_PRIVS when asked. */
int linux_apply_no_new_privs(const oci_process *p, cell_error *err);
/* Look up args[0] with the PATH of process.env (or a default PATH) in the
 * current root; *path is malloc'ed. ENOENT/EACCES with a clear message. */
int linux_find_executable(const oci_process *p, char **path, cell_error *err);
#endif
