/* `cell spec`: the default config.json, field for field what `runc spec`
 * writes (runc 1.2: cgroup namespace, no ambient capabilities), with the
 * hostname "cell". */
#include "oci/spec.h"
#include "cell-config.h"

#include <stddef.h>
#include <string.h>

static json_t *strv_json(const char *const *v)
{
  json_t *a = json_array();
  for (; a && *v; v++)
    if (json_array_append_new(a, json_string(*v)) < 0) {
      json_decref(a);
      return NULL;
    }
  return a;
}

static const char *const default_caps[] = {
  "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL
};

static json_t *spec_process(void)
{
  static const char *const args[] = { "sh", NULL };
  static const char *const env[] = {
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", NULL
  };
  return json_pack("{s:b, s:{s:i, s:i}, s:o, s:o, s:s, s:{s:o, s:o, s:o}, s:[{s:s, s:i, s:i}], s:b}",
                   "terminal", 1,
                   "user", "uid", 0, "gid", 0,
                   "args", strv_json(args),
                   "env", strv_json(env),
                   "cwd", "/",
                   "capabilities",
                     "bounding", strv_json(default_caps),
                     "effective", strv_json(default_caps),
                     "permitted", strv_json(default_caps),
                   "rlimits", "type", "RLIMIT_NOFILE", "hard", 1024, "soft", 1024,
                   "noNewPrivileges", 1);
}

typedef struct spec_mount {
  const char *destination, *type, *source;
  const char *options[8];
} spec_mount;

static const spec_mount default_mounts[] = {
  { "/proc", "proc", "proc", { NULL } },
  { "/dev", "tmpfs", "tmpfs", { "nosuid", "strictatime", "mode=755", "size=65536k" } },
  { "/dev/pts", "devpts", "devpts",
    { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" } },
  { "/dev/shm", "tmpfs", "shm", { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" } },
  { "/dev/mqueue", "mqueue", "mqueue", { "nosuid", "noexec", "nodev" } },
  { "/sys", "sysfs", "sysfs", { "nosuid", "noexec", "nodev", "ro" } },
  { "/sys/fs/cgroup", "cgroup", "cgroup", { "nosuid", "noexec", "nodev", "relatime", "ro" } },
};

/* Rootless: /sys cannot be mounted without owning the network namespace. */
static const spec_mount rootless_sys = {
  "/sys", "none", "/sys", { "rbind", "nosuid", "noexec", "nodev", "ro" }
};

static json_t *spec_mount_json(const spec_mount *m, bool rootless)
{
  json_t *o = json_pack("{s:s, s:s, s:s}", "destination", m->destination, "type", m->type,
                        "source", m->source);
  if (!o || !m->options[0])
    return o;
  json_t *opts = json_array();
  for (size_t i = 0; opts && i < sizeof m->options / sizeof *m->options && m->options[i]; i++) {
    const char *opt = m->options[i];
    /* A user namespace maps only the caller: drop uid=/gid= options. */
    if (rootless && (!strncmp(opt, "uid=", 4) || !strncmp(opt, "gid=", 4)))
      continue;
    if (json_array_append_new(opts, json_string(opt)) < 0) {
      json_decref(opts);
      opts = NULL;
    }
  }
  if (!opts || json_object_set_new(o, "options", opts) < 0) {
    json_decref(o);
    return NULL;
  }
  return o;
}

static json_t *spec_mounts(bool rootless)
{
  json_t *a = json_array();
  for (size_t i = 0; a && i < sizeof default_mounts / sizeof *default_mounts; i++) {
    const spec_mount *m = &default_mounts[i];
    if (rootless && !strcmp(m->destination, "/sys"))
      m = &rootless_sys;
    if (json_array_append_new(a, spec_mount_json(m, rootless)) < 0) {
      json_decref(a);
      return NULL;
    }
  }
  return a;
}

static json_t *spec_namespaces(bool rootless)
{
  static const char *const normal[] = { "pid", "network", "ipc", "uts", "mount", "cgroup", NULL };
  static const char *const userns[] = { "pid", "ipc", "uts", "mount", "cgroup", "user", NULL };
  json_t *a = json_array();
  for (const char *const *t = rootless ? userns : normal; a && *t; t++)
    if (json_array_append_new(a, json_pack("{s:s}", "type", *t)) < 0) {
      json_decref(a);
      return NULL;
    }
  return a;
}

static json_t *spec_linux(bool rootless, uid_t uid, gid_t gid)
{
  static const char *const masked[] = {
    "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
    "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
    "/proc/scsi", "/sys/devices/virtual/powercap", NULL
  };
  static const char *const readonly[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL
  };
  json_t *l = json_object();
  if (!l)
    return NULL;
  int r = 0;
  if (rootless) {
    r |= json_object_set_new(l, "uidMappings",
                             json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID",
                                       (json_int_t) uid, "size", 1));
    r |= json_object_set_new(l, "gidMappings",
                             json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID",
                                       (json_int_t) gid, "size", 1));
  } else {
    r |= json_object_set_new(l, "resources",
                             json_pack("{s:[{s:b, s:s}]}", "devices", "allow", 0,
                                       "access", "rwm"));
  }
  r |= json_object_set_new(l, "namespaces", spec_namespaces(rootless));
  r |= json_object_set_new(l, "maskedPaths", strv_json(masked));
  r |= json_object_set_new(l, "readonlyPaths", strv_json(readonly));
  if (r) {
    json_decref(l);
    return NULL;
  }
  return l;
}

json_t *oci_spec_default(bool rootless, uid_t uid, gid_t gid)
{
  /* "o" steals its argument even when json_pack fails, and a NULL argument
   * makes the whole pack fail: out of memory anywhere gives NULL. */
  return json_pack("{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:o}",
                   "ociVersion", CELL_OCI_VERSION,
                   "process", spec_process(),
                   "root", "path", "rootfs", "readonly", 1,
                   "hostname", "cell",
                   "mounts", spec_mounts(rootless),
                   "linux", spec_linux(rootless, uid, gid));
}
