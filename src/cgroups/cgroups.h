/* cgroups for containers on v2, v1 and hybrid hosts.
 *
 * The host is described by a cell_cg_host (which hierarchies are mounted
 * where, which controllers each holds, and the caller's own cgroup in each);
 * a container's cgroup by a cell_cgroup handle (one directory per hierarchy
 * plus what we created), which serializes to JSON for the state file.
 *
 * Call order for the runtime:
 *   create:  cell_cgroup_create() with defer_v1 before the container
 *            process exists (the cgroup2 directory), clone3
 *            (CLONE_INTO_CGROUP, cell_cgroup_clone_fd()) when that is >= 0;
 *            while the child sets itself up, cell_cgroup_create_rest()
 *            (the v1 directories, linux.resources), the runtime's
 *            cell_cgroup_enter_rest() for a v2 directory the clone could
 *            not start in, and cell_cgroup_self_move_open(): the fds go
 *            to the child, which moves itself (cell_cgroup_move_self())
 *            and only then unshares CLONE_NEWCGROUP;
 *            store cell_cgroup_to_json() in the state (extra "cgroup");
 *            on any later failure of create: cell_cgroup_destroy().
 *   exec:    the same through cell_cgroup_enter_self() in the new process.
 *   later:   cell_cgroup_from_json() from the state, then freeze/thaw, pids,
 *            kill_all, update, stats, oom watch.
 *   delete:  kill, then cell_cgroup_destroy() (waits for the tasks to go).
 *
 * Every function returns 0 (or a count) or a negative errno with err set. */
#ifndef CELL_CGROUPS_H
#define CELL_CGROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <jansson.h>

#include "oci/config.h"
#include "oci/resources.h"
#include "util/error.h"
#include "util/log.h"

/* ---- the host ------------------------------------------------------------ */

typedef enum cell_cg_mode {
  CELL_CG_NONE,        /* no cgroup file system mounted */
  CELL_CG_V1,          /* legacy: v1 hierarchies only */
  CELL_CG_HYBRID,      /* v1 hierarchies plus cgroup2 at /sys/fs/cgroup/unified */
  CELL_CG_V2,          /* unified: cgroup2 at /sys/fs/cgroup */
} cell_cg_mode;

const char *cell_cg_mode_name(cell_cg_mode m);   /* "v1", "hybrid", "v2", "none" */

typedef enum cell_cg_ctl {
  CELL_CGC_CPU, CELL_CGC_CPUACCT, CELL_CGC_CPUSET, CELL_CGC_MEMORY,
  CELL_CGC_DEVICES, CELL_CGC_FREEZER, CELL_CGC_BLKIO, CELL_CGC_PIDS,
  CELL_CGC_HUGETLB, CELL_CGC_NET_CLS, CELL_CGC_NET_PRIO, CELL_CGC_RDMA,
  CELL_CGC_PERF_EVENT, CELL_CGC_MISC,
  CELL_CGC_COUNT
} cell_cg_ctl;

/* v1 name of a controller ("blkio"); cell_cg_ctl_v2_name gives the v2 one
 * ("io") or NULL when v2 has none (cpuacct, devices, freezer, net_*). */
const char *cell_cg_ctl_name(cell_cg_ctl c);
const char *cell_cg_ctl_v2_name(cell_cg_ctl c);
/* "memory" or "io" -> controller, -1 when unknown. */
int cell_cg_ctl_from_name(const char *name);

typedef struct cell_cg_hierarchy {
  char *mountpoint;    /* /sys/fs/cgroup/memory */
  char *mount_root;    /* the hierarchy path mounted there (mountinfo field 4) */
  char *name;          /* "memory", "cpu,cpuacct", "name=systemd", "" for v2 */
  char *own;           /* the caller's cgroup in it (/proc/self/cgroup), or "/" */
  bool v2;
  uint32_t controllers; /* bit per cell_cg_ctl: v1 bound here, or v2 available */
} cell_cg_hierarchy;

typedef struct cell_cg_host {
  cell_cg_mode mode;
  cell_cg_hierarchy *h;
  size_t n;
} cell_cg_host;

/* Read /proc/self/mountinfo, /proc/self/cgroup and the statfs magic of
 * /sys/fs/cgroup(/unified); v2 controllers from cgroup.controllers. */
int cell_cg_host_detect(cell_cg_host *host, cell_error *err);
/* The same from given texts (for tests); v2 controllers are read from
 * MOUNTPOINT/cgroup.controllers only when read_v2 is true. */
int cell_cg_host_parse(const char *mountinfo, const char *proc_cgroup, bool read_v2,
                       cell_cg_host *host, cell_error *err);
void cell_cg_host_free(cell_cg_host *host);

/* ---- placement ----------------------------------------------------------- */

typedef enum cell_cgroup_manager {
  CELL_CGM_CGROUPFS, CELL_CGM_SYSTEMD, CELL_CGM_DISABLED
} cell_cgroup_manager;

/* "cgroupfs" / "systemd" / "disabled". systemd requires systemd as PID 1
 * here (error otherwise, saying to use cgroupfs). */
int cell_cgroup_manager_parse(const char *name, cell_cgroup_manager *out, cell_error *err);

/* The cgroup path of the container in hierarchy h ("/a/b", hierarchy-absolute):
 *   absolute cgroupsPath  -> as given;
 *   relative cgroupsPath  -> below h->own (on a v2 hierarchy below the parent
 *                            of h->own unless that is "/", as the no-internal-
 *                            processes rule forbids children next to us);
 *   empty/NULL            -> the id, relative, as runc: <own>/ID on v1,
 *                            <parent of own>/ID on v2;
 *   systemd "slice:prefix:name" -> /slice-tree/prefix-name.scope (systemd
 *                            manager only).
 * ".." components are refused. */
int cell_cgroup_placement(const cell_cg_hierarchy *h, cell_cgroup_manager m,
                          const char *cgroups_path, const char *id, char **out,
                          cell_error *err);

/* ---- the container's cgroup ---------------------------------------------- */

typedef struct cell_cgroup_dir {
  char *mountpoint;    /* the hierarchy's mount point */
  char *path;          /* hierarchy-absolute path of the container cgroup */
  char *dir;           /* the directory in the file system */
  char *created;       /* topmost directory we created (dir or an ancestor), or NULL */
  char *name;          /* the hierarchy's name (cell_cg_hierarchy), for messages; not
                        * kept in the JSON form (NULL there) */
  bool v2;
  uint32_t controllers;
} cell_cgroup_dir;

typedef struct cell_cgroup {
  cell_cg_mode mode;
  cell_cgroup_manager manager;
  cell_cgroup_dir *d;
  size_t n;
  int v2_fd;           /* O_DIRECTORY fd of the v2 dir, -1 until asked for */
  bool v1_pending;     /* the v1 dirs and resources: cell_cgroup_create_rest */
} cell_cgroup;

typedef struct cell_cgroup_config {
  const char *id;
  const char *cgroups_path;                /* linux.cgroupsPath, may be NULL */
  cell_cgroup_manager manager;
  const oci_resources_typed *resources;    /* may be NULL */
  /* linux.devices: each gets an "allow rwm" rule after the resources ones,
   * followed by runc's default allowed devices when add_default_devices. */
  const oci_device *devices;
  size_t n_devices;
  bool add_default_devices;
  /* Only the plan: where the directories go and, as `created`, the
   * topmost level missing now; nothing is made or written. The runtime
   * records it before cell_cgroup_create so that a runtime killed in
   * between leaves a state that `delete -f` cleans. */
  bool plan_only;
  /* The caller is not root (or root of a user namespace of its own), as
   * runc's rootless rule: only the hierarchies where the caller may make
   * the container's directory are used (on v2 a delegated subtree: the
   * nearest existing level of the directory writable by the caller); the
   * others are left out, silently when no set resource needs their
   * controllers, else an error naming the resource and the directory,
   * before anything is made. No device rules are applied (a user namespace
   * cannot make device nodes). The choice is logged at debug. */
  bool rootless;
  /* Make only the cgroup2 directory now (for clone3 CLONE_INTO_CGROUP);
   * the v1 ones, and linux.resources with them, are made by
   * cell_cgroup_create_rest() while the new init already sets itself up.
   * Without v1 hierarchies everything is made at once. */
  bool defer_v1;
  const cell_log *log;
} cell_cgroup_config;

/* Create the directories in every hierarchy the caller is in, enable the v2
 * controllers the resources need along the path, and apply the resources.
 * host may be NULL (detected). On failure nothing created is left. With
 * manager disabled, *out has no directories and the other calls are no-ops
 * (or ENOTSUP for queries). */
int cell_cgroup_create(const cell_cg_host *host, const cell_cgroup_config *cfg,
                       cell_cgroup **out, cell_error *err);
/* With cfg->defer_v1: the v1 directories and linux.resources (cfg as
 * given to cell_cgroup_create); a no-op when nothing was deferred. On
 * failure the caller destroys cg (what was made is in its record). */
int cell_cgroup_create_rest(cell_cgroup *cg, const cell_cgroup_config *cfg, cell_error *err);
void cell_cgroup_free(cell_cgroup *cg);
void cell_cgroup_freep(cell_cgroup **cg);
#define _cleanup_cgroup_ __attribute__((cleanup(cell_cgroup_freep)))

/* {"mode":"hybrid","manager":"cgroupfs","dirs":[{"mount":..,"path":..,
 * "created":..,"v2":bool,"controllers":"cpu memory"}]} */
json_t *cell_cgroup_to_json(const cell_cgroup *cg);
int cell_cgroup_from_json(const json_t *j, cell_cgroup **out, cell_error *err);

/* The v2 directory fd for clone3 CLONE_INTO_CGROUP, owned by cg (do not
 * close); -ENOENT when there is no v2 hierarchy. On hybrid hosts the v1
 * hierarchies still need entering (cell_cgroup_move_self). */
int cell_cgroup_clone_fd(cell_cgroup *cg, cell_error *err);
/* Write pid into cgroup.procs of every hierarchy. */
int cell_cgroup_enter(const cell_cgroup *cg, pid_t pid, cell_error *err);
/* The same, leaving out the v1 hierarchies (v1_done) and the v2 one
 * (v2_done) the process is in already. */
int cell_cgroup_enter_rest(const cell_cgroup *cg, pid_t pid, bool v1_done, bool v2_done,
                           cell_error *err);

/* Moving a process into a cgroup through cgroup.procs takes the kernel's
 * global cgroup_threadgroup_rwsem for writing, which waits for an RCU
 * grace period whenever no such move happened just before: about 7 ms
 * here, on every container start that is not part of a tight loop. A
 * single-threaded process that moves itself through a v1 `tasks` file
 * ("0") takes no global lock (0.03 ms). So the runtime opens each v1
 * hierarchy's `tasks` file (the kernel checks the opener's credentials,
 * so this works from a user namespace too) and the new init writes "0"
 * to each; cgroup2 is entered with clone3 CLONE_INTO_CGROUP. */
typedef struct cell_cgroup_self_move {
  int *fd;              /* O_WRONLY|O_CLOEXEC `tasks` of each v1 directory */
  char **path;          /* for messages */
  size_t n;
} cell_cgroup_self_move;
int cell_cgroup_self_move_open(const cell_cgroup *cg, cell_cgroup_self_move *m,
                               cell_error *err);
/* The calling process (single-threaded) moves itself: open and write "0"
 * to each v1 `tasks`, and cgroup.procs of cgroup2 unless v2_done. */
int cell_cgroup_enter_self(const cell_cgroup *cg, bool v2_done, cell_error *err);
/* In the process to move (single-threaded); closes the fds either way. */
int cell_cgroup_move_self(cell_cgroup_self_move *m, cell_error *err);
void cell_cgroup_self_move_close(cell_cgroup_self_move *m);
/* The directory of one controller ("memory", "devices", or NULL for any),
 * preferring v1 where the controller is bound; NULL when none. */
const cell_cgroup_dir *cell_cgroup_dir_for(const cell_cgroup *cg, int ctl);

/* What a rootless caller gets from this host's cgroups, for `cell
 * features`: "v2 delegated (DIR)", "none (...)": one line (*out malloc'ed),
 * for the default placement of a container named id. */
int cell_cgroup_rootless_describe(const cell_cg_host *host, char **out, cell_error *err);

/* ---- resources ----------------------------------------------------------- */

/* Write every set field of r (create and `update`). Fields the host cannot
 * honour are errors naming the file and value, but for kernel memory limits
 * (memory.kernel, kernelTCP), which are ignored with a warning on log as runc
 * does; a 0 (or "") that engines send for "not set" is not written (memory
 * limit, reservation, swap, kernel, kernelTCP, cpu quota, cpus, mems), as
 * runc; `unified` is refused on v1.
 * Device rules (when r->has_devices or extra rules are given) go to v1
 * devices.allow/deny or to an eBPF program on v2. */
int cell_cgroup_apply(const cell_cgroup *cg, const oci_resources_typed *r,
                      const cell_log *log, cell_error *err);
/* `update`: the same as apply, devices excluded (as runc). */
int cell_cgroup_update(const cell_cgroup *cg, const oci_resources_typed *r,
                       const cell_log *log, cell_error *err);

/* ---- operations ---------------------------------------------------------- */

/* freeze (true) / thaw (false); waits until the kernel reports the state. */
int cell_cgroup_freeze(const cell_cgroup *cg, bool freeze, cell_error *err);
/* *frozen: cgroup.events frozen 1 / freezer.state FROZEN (FREEZING counts). */
int cell_cgroup_is_frozen(const cell_cgroup *cg, bool *frozen, cell_error *err);
/* Every pid in the cgroup and its descendants, sorted; *out malloc'ed. */
int cell_cgroup_pids(const cell_cgroup *cg, pid_t **out, size_t *n, cell_error *err);
/* Send sig to every process. SIGKILL uses cgroup.kill when present and
 * otherwise repeats until the cgroup is empty (bounded: timeout_ms). A
 * frozen cgroup is thawed after SIGKILL so the processes can die. */
int cell_cgroup_kill_all(const cell_cgroup *cg, int sig, int timeout_ms, cell_error *err);
/* Remove the container's directories, children first, up to what we created.
 * Waits up to timeout_ms for tasks to leave (EBUSY retried). */
int cell_cgroup_destroy(const cell_cgroup *cg, int timeout_ms, cell_error *err);

/* ---- stats and OOM events ----------------------------------------------- */

/* runc's events "data" object: {"cpu":{"usage":{"total","percpu","kernel",
 * "user"},"throttling":{...}},"memory":{"usage":{..},"swap":{..},"kernel":..,
 * "raw":{..}},"pids":{"current","limit"},"blkio":{"ioServiceBytesRecursive":
 * [...],...},"hugetlb":{"2MB":{"usage","max","failcnt"}}}. Missing files are
 * left out of the object, not errors. */
int cell_cgroup_stats(const cell_cgroup *cg, json_t **out, cell_error *err);

typedef struct cell_cgroup_oom {
  int fd;              /* poll for POLLIN */
  int efd_ctl;         /* v1: memory.oom_control fd kept open */
  bool v2;
  char *events_path;   /* v2 memory.events */
  uint64_t seen;       /* oom_kill count already reported */
} cell_cgroup_oom;

/* Start watching for OOM kills (v2: inotify on memory.events; v1: eventfd
 * registered through cgroup.event_control on memory.oom_control). */
int cell_cgroup_oom_open(const cell_cgroup *cg, cell_cgroup_oom *w, cell_error *err);
/* After POLLIN (or any time): the number of new OOM events, 0 when none. */
int cell_cgroup_oom_read(cell_cgroup_oom *w, uint64_t *n, cell_error *err);
void cell_cgroup_oom_close(cell_cgroup_oom *w);

#endif
