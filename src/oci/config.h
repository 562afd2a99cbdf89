/* config.json as typed values. src/oci/ is the only place that knows JSON
 * field names; everything below it works on these structs. Strings are
 * heap-owned by the config and freed by oci_config_free(). Optional scalars
 * come with a has_ flag. */
#ifndef CELL_OCI_CONFIG_H
#define CELL_OCI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"
#include "util/json.h"
#include "util/log.h"

typedef struct oci_kv {
  char *key, *value;
} oci_kv;

/* ---- process ---------------------------------------------------------- */

typedef struct oci_rlimit {
  int resource;          /* RLIMIT_* */
  char *name;            /* "RLIMIT_NOFILE" as written */
  uint64_t soft, hard;
} oci_rlimit;

typedef struct oci_caps {
  /* Bitmasks of capability numbers (bit n = CAP n). present: the set was
   * given in config.json (absent sets are empty, as runc does). */
  uint64_t bounding, effective, inheritable, permitted, ambient;
  bool present;
} oci_caps;

typedef struct oci_user {
  uid_t uid;
  gid_t gid;
  bool has_umask;
  mode_t umask;
  gid_t *additional_gids;
  size_t n_additional_gids;
  /* The annotation run.oci.keep_original_groups (crun's, podman's
   * --group-add keep-groups): the caller's supplementary groups stay,
   * additionalGids are added to them. */
  bool keep_original_groups;
} oci_user;
#define OCI_ANNOTATION_KEEP_GROUPS "run.oci.keep_original_groups"
/* A confinement the config asks for and the host lacks (apparmorProfile
 * without AppArmor, selinuxLabel or mountLabel without SELinux) is an
 * error naming the field, unless this annotation is "true": then the
 * container runs without it, with a warning. */
#define OCI_ANNOTATION_LSM_OPTIONAL "run.cell.lsm_optional"

typedef struct oci_scheduler {
  bool present;
  int policy;            /* SCHED_* */
  int nice;
  int priority;
  uint64_t flags;        /* SCHED_FLAG_* ORed */
  uint64_t runtime, deadline, period;
} oci_scheduler;

typedef struct oci_io_priority {
  bool present;
  int klass;             /* IOPRIO_CLASS_RT/BE/IDLE */
  int priority;
} oci_io_priority;

typedef struct oci_process {
  bool terminal;
  bool has_console_size;
  unsigned console_height, console_width;
  char *cwd;             /* absolute */
  char **env;            /* NULL-terminated, may be NULL */
  char **args;           /* NULL-terminated, at least one element */
  oci_user user;
  oci_caps caps;
  oci_rlimit *rlimits;
  size_t n_rlimits;
  bool no_new_privileges;
  bool has_oom_score_adj;
  int oom_score_adj;
  char *apparmor_profile;
  char *selinux_label;
  oci_scheduler scheduler;
  oci_io_priority io_priority;
} oci_process;

/* ---- mounts ------------------------------------------------------------ */

typedef struct oci_idmap {
  uint32_t container_id, host_id, size;
} oci_idmap;

typedef struct oci_mount {
  char *destination;     /* absolute path inside the container */
  char *type;            /* may be NULL (bind mounts) */
  char *source;          /* may be NULL; bind sources made absolute vs bundle */
  char **options;        /* as written */
  /* Parsed options (oci/mount-options.c): */
  unsigned long flags;       /* MS_* for mount(2), including MS_BIND|MS_REC */
  unsigned long clear_flags; /* MS_* an option turned off (rw, suid, dev, exec, atime...) */
  unsigned long propagation; /* MS_SHARED/MS_PRIVATE/... | MS_REC, 0 none */
  uint64_t attr_set, attr_clr; /* MOUNT_ATTR_* for recursive r* options */
  char *data;                /* fs-specific options joined by ',' (may be NULL) */
  bool bind;                 /* bind or rbind */
  bool copy_up;              /* tmpcopyup */
  bool idmap;                /* idmap or ridmap given */
  bool ridmap;               /* ridmap: the whole bound tree is idmapped */
  oci_idmap *uid_mappings, *gid_mappings; /* idmapped mounts */
  size_t n_uid_mappings, n_gid_mappings;
} oci_mount;

/* ---- hooks ------------------------------------------------------------- */

typedef struct oci_hook {
  char *path;
  char **args;
  char **env;
  bool has_timeout;
  int timeout;           /* seconds, > 0 */
} oci_hook;

typedef enum oci_hook_kind {
  OCI_HOOK_PRESTART,
  OCI_HOOK_CREATE_RUNTIME,
  OCI_HOOK_CREATE_CONTAINER,
  OCI_HOOK_START_CONTAINER,
  OCI_HOOK_POSTSTART,
  OCI_HOOK_POSTSTOP,
  OCI_HOOK_KINDS
} oci_hook_kind;

typedef struct oci_hook_list {
  oci_hook *hooks;
  size_t n;
} oci_hook_list;

/* ---- linux ------------------------------------------------------------- */

typedef enum oci_ns_kind {
  OCI_NS_PID, OCI_NS_NETWORK, OCI_NS_MOUNT, OCI_NS_IPC, OCI_NS_UTS,
  OCI_NS_USER, OCI_NS_CGROUP, OCI_NS_TIME, OCI_NS_KINDS
} oci_ns_kind;

typedef struct oci_namespace {
  bool present;          /* listed in linux.namespaces */
  char *path;            /* join this one; NULL: create a new one */
} oci_namespace;

typedef struct oci_time_offset {
  bool present;
  int64_t secs;
  uint32_t nanosecs;
} oci_time_offset;

typedef struct oci_device {
  char *path;            /* absolute, inside the container */
  char type;             /* 'c', 'b', 'u' (== 'c'), 'p' */
  int64_t major, minor;
  bool has_file_mode;
  mode_t file_mode;      /* permission bits */
  bool has_uid, has_gid;
  uid_t uid;
  gid_t gid;
} oci_device;

typedef struct oci_device_rule {
  bool allow;
  char type;             /* 'a', 'c', 'b' */
  bool has_major, has_minor;
  int64_t major, minor;
  char *access;          /* "rwm" subset; NULL = "rwm" */
} oci_device_rule;

/* linux.resources: typed by oci/resources.c into `typed`; the device rules
 * are also kept here for the layers that only need those. */
struct oci_resources_typed;
typedef struct oci_resources {
  bool present;
  const cell_jv *json;   /* borrowed from oci_config.doc */
  struct oci_resources_typed *typed; /* every field, typed (oci/resources.h); owned */
  oci_device_rule *devices;
  size_t n_devices;
} oci_resources;

typedef struct oci_personality {
  bool present;
  unsigned long domain;  /* PER_LINUX or PER_LINUX32 */
} oci_personality;

typedef struct oci_linux {
  oci_namespace ns[OCI_NS_KINDS];
  oci_idmap *uid_mappings, *gid_mappings;
  size_t n_uid_mappings, n_gid_mappings;
  oci_time_offset time_monotonic, time_boottime;
  oci_device *devices;
  size_t n_devices;
  char *cgroups_path;
  oci_resources resources;
  unsigned long rootfs_propagation; /* MS_* | MS_REC or 0 when unset */
  char **masked_paths, **readonly_paths;
  char *mount_label;
  oci_kv *sysctl;
  size_t n_sysctl;
  /* linux.netDevices (runtime-spec 1.2): key the device's name in the
   * runtime's network namespace, value its name in the container's. */
  oci_kv *net_devices;
  size_t n_net_devices;
  oci_personality personality;
  /* linux.seccomp, handed as JSON to the seccomp front end (src/seccomp/),
   * which owns the knowledge of its fields; NULL when absent. Borrowed from
   * oci_config.doc. */
  const cell_jv *seccomp;
  char *seccomp_listener_path;      /* linux.seccomp.listenerPath, or NULL */
  char *seccomp_listener_metadata;  /* linux.seccomp.listenerMetadata, or NULL */
} oci_linux;

/* ---- the whole config --------------------------------------------------- */

typedef struct oci_config {
  char *oci_version;
  char *bundle;          /* absolute bundle directory */
  char *config_path;     /* the file parsed, for messages */
  char *root_path;       /* absolute rootfs path */
  bool root_readonly;
  oci_mount *mounts;
  size_t n_mounts;
  oci_process *process;  /* NULL when absent */
  char *hostname;
  char *domainname;
  oci_hook_list hooks[OCI_HOOK_KINDS];
  oci_kv *annotations;
  size_t n_annotations;
  oci_linux linux;       /* builds pass -Ulinux: GNU C predefines `linux` as 1 */
  cell_jdoc *doc;        /* the parsed document (owned; util/json.h) */
  char *text;            /* the file's text, for locating errors (owned) */
  size_t text_len;
} oci_config;

/* Parse and validate bundle/config.json (or config_path when not NULL).
 * Errors read "PATH:LINE:COL: FIELD: message". Warnings (unknown capability
 * names, ...) go to log. */
int oci_config_load(const char *bundle, const char *config_path, const cell_log *log,
                    oci_config **out, cell_error *err);
/* Parse from memory; bundle is used to resolve relative paths. */
int oci_config_parse(const char *text, size_t len, const char *name, const char *bundle,
                     const cell_log *log, oci_config **out, cell_error *err);
void oci_config_free(oci_config *c);
void oci_config_freep(oci_config **c);
#define _cleanup_config_ __attribute__((cleanup(oci_config_freep)))

/* Parse a process object (the one of config.json, or `exec --process`). */
int oci_process_parse_file(const char *path, const cell_log *log, oci_process **out,
                           cell_error *err);
void oci_process_free(oci_process *p);

const char *oci_annotation(const oci_config *c, const char *key);
const char *oci_ns_name(oci_ns_kind k);        /* "pid", "network", ... */
int oci_ns_clone_flag(oci_ns_kind k);          /* CLONE_NEWPID, ... */
const char *oci_ns_proc_name(oci_ns_kind k);   /* "pid", "net", ... for /proc/PID/ns */
const char *oci_hook_kind_name(oci_hook_kind k); /* "createRuntime", ... */

/* Capability names <-> numbers (oci/caps.c). "CAP_SYS_ADMIN" -> 21; -1 unknown. */
int oci_cap_from_name(const char *name);
const char *oci_cap_name(int cap);
int oci_cap_last(void);                        /* highest known number */

/* RLIMIT_ names (oci/rlimits.c). -1 unknown. */
int oci_rlimit_from_name(const char *name);

/* Mount options (oci/mount-options.c): fills the parsed fields of m from
 * m->options and m->type. Returns 0 or -EINVAL with err naming the option. */
int oci_mount_parse_options(oci_mount *m, cell_error *err);
/* "rprivate" etc. -> MS_* flags; -EINVAL when unknown. */
int oci_propagation_from_name(const char *name, unsigned long *flags);

#endif
