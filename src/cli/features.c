/* cell features: what this runtime supports, as runtime-spec features.md and
 * features-linux.md describe it, pretty JSON on stdout. */
#include "cell-config.h"
#include "cli/cli.h"
#include "cgroups/cgroups.h"
#include "linux/userns.h"
#include "oci/config.h"
#include "notify/notify.h"
#include "runtime/filter.h"
#include "runtime/hooks.h"
#include "seccomp/seccomp.h"
#include "util/cleanup.h"

#include <errno.h>
#include <getopt.h>

#include <stdio.h>
#include <string.h>

/* ---- seccomp: the one call site of the seccomp front end ----------------
 * cell_seccomp_features() (src/seccomp/) describes the actions, operators,
 * architectures and flags the compiler handles. */
static json_t *seccomp_features(void) { return cell_seccomp_features(); }

static const char features_usage[] =
  "Usage: cell features [OPTIONS]\n"
  "\n"
  "Print the features this runtime supports as JSON (runtime-spec\n"
  "features.md): spec versions, hooks, mount options, namespaces,\n"
  "capabilities, cgroup and seccomp support, annotations; the annotation\n"
  "run.oci.cell.rootless.cgroups says which cgroups a rootless caller's\n"
  "containers get (the hierarchies it may write, or none).\n"
  "\n"
  "Options:\n"
  "  -h, --help   print this help\n";

/* Every option oci/mount-options.c accepts, sorted as runc prints them. */
static const char *const mount_options[] = {
  "async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "idmap",
  "iversion", "lazytime", "loud", "mand", "noatime", "nodev", "nodiratime", "noexec",
  "noiversion", "nolazytime", "nomand", "norelatime", "nostrictatime", "nosuid",
  "nosymfollow", "private", "ratime", "rbind", "rdev", "rdiratime", "relatime", "remount",
  "rexec", "ridmap", "rnoatime", "rnodev", "rnodiratime", "rnoexec", "rnorelatime",
  "rnostrictatime", "rnosuid", "rnosymfollow", "ro", "rprivate", "rrelatime", "rro", "rrw",
  "rshared", "rslave", "rstrictatime", "rsuid", "rsymfollow", "runbindable", "rw", "shared",
  "silent", "slave", "strictatime", "suid", "symfollow", "sync", "tmpcopyup", "unbindable",
  NULL
};

/* Config annotations that change what cell does (crun's spellings), as the
 * runtime and notify layers define them. */
static const char *const config_annotations[] = {
  CELL_ANNOTATION_BPF_DATA, CELL_ANNOTATION_FAIL_UNKNOWN, CELL_ANNOTATION_POLICY,
  CELL_ANNOTATION_POLICY_FILE,
  CELL_NOTIFY_ANNOTATION_PLUGINS, CELL_NOTIFY_ANNOTATION_RECEIVER,
  CELL_ANNOTATION_HOOKS_STDOUT, CELL_ANNOTATION_HOOKS_STDERR, OCI_ANNOTATION_KEEP_GROUPS,
  OCI_ANNOTATION_LSM_OPTIONAL, NULL
};

static int append_str(json_t *a, const char *s)
{
  return json_array_append_new(a, json_string(s));
}

static json_t *strv_json(const char *const *v)
{
  json_t *a = json_array();
  for (; a && *v; v++)
    if (append_str(a, *v) < 0) {
      json_decref(a);
      return NULL;
    }
  return a;
}

static const char *hook_name(int k) { return oci_hook_kind_name((oci_hook_kind) k); }
static const char *ns_name(int k) { return oci_ns_name((oci_ns_kind) k); }

/* [name(0), ..., name(last)], skipping numbers without a name. */
static json_t *names_json(int last, const char *(*name)(int))
{
  json_t *a = json_array();
  for (int i = 0; a && i <= last; i++)
    if (name(i) && append_str(a, name(i)) < 0) {
      json_decref(a);
      return NULL;
    }
  return a;
}

/* runc names its libseccomp here; cell compiles filters itself and does
 * not link libseccomp, so it names its own compiler instead. */
static json_t *annotations_json(const char *rootless_cgroups)
{
  return json_pack("{s:s, s:s, s:s, s:s, s:s}", "run.oci.cell.version", CELL_VERSION,
                   "run.oci.cell.seccomp.compiler", "cell " CELL_VERSION,
                   "run.oci.cell.notify_socket", "NOTIFY_SOCKET and --notify-socket",
                   "run.oci.cell.checkpoint", "not supported (no CRIU)",
                   "run.oci.cell.rootless.cgroups", rootless_cgroups);
}

/* Which cgroups this caller's containers get: every hierarchy for root;
 * for a rootless caller those it may write (cgroups.h), as create chooses. */
static char *rootless_cgroups(bool rootless)
{
  if (!rootless)
    return strdup("not rootless: every hierarchy");
  cell_cg_host host = { 0 };
  cell_error e = CELL_ERROR_INIT;
  char *s = NULL;
  if (cell_cg_host_detect(&host, &e) < 0 || cell_cgroup_rootless_describe(&host, &s, &e) < 0) {
    if (asprintf(&s, "rootless: unknown (%s)", e.msg ? e.msg : "out of memory") < 0)
      s = NULL;
  } else {
    char *t = NULL;
    if (asprintf(&t, "rootless: %s", s) < 0)
      t = NULL;
    free(s);
    s = t;
  }
  cell_error_clear(&e);
  cell_cg_host_free(&host);
  return s;
}

static json_t *features_json(const char *rootless_cg)
{
  /* apparmor, selinux: the labels are applied when the host has the
   * module and refused when it has not (oci/validate.c, linux/lsm.c). */
  json_t *lin = json_pack("{s:o, s:o, s:{s:b, s:b, s:b, s:b}, s:o, s:{s:b}, s:{s:b},"
                          " s:{s:b}, s:{s:{s:b}}, s:{s:b}}",
                          "namespaces", names_json(OCI_NS_KINDS - 1, ns_name),
                          "capabilities", names_json(oci_cap_last(), oci_cap_name),
                          "cgroup", "v1", 1, "v2", 1, "systemd", 0, "systemdUser", 0,
                          "seccomp", seccomp_features(),
                          "apparmor", "enabled", 1,
                          "selinux", "enabled", 1,
                          "intelRdt", "enabled", 0,
                          "mountExtensions", "idmap", "enabled", 1,
                          "netDevices", "enabled", 1);
  return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o}",
                   "ociVersionMin", "1.0.0",
                   "ociVersionMax", CELL_OCI_VERSION,
                   "hooks", names_json(OCI_HOOK_KINDS - 1, hook_name),
                   "mountOptions", strv_json(mount_options),
                   "linux", lin,
                   "annotations", annotations_json(rootless_cg),
                   "potentiallyUnsafeConfigAnnotations", strv_json(config_annotations));
}

int cmd_features(cell_cli *cli, int argc, char **argv, cell_error *err)
{
  static const struct option opts[] = {
    { "help", no_argument, NULL, 'h' },
    { 0 }
  };
  int c;
  while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
    if (c == 'h')
      return cli_help(features_usage);
    return cli_usage_error("features", features_usage, "unknown option `%s`",
                           argv[optind - 1]);
  }
  if (optind < argc)
    return cli_usage_error("features", features_usage, "unexpected argument `%s`",
                           argv[optind]);

  _cleanup_free_ char *rl = rootless_cgroups(cli_rootless(cli));
  if (!rl)
    return cell_error_set(err, ENOMEM, "features: out of memory");
  json_t *f = features_json(rl);
  _cleanup_free_ char *text = f ? json_dumps(f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
  json_decref(f);
  if (!text)
    return cell_error_set(err, ENOMEM, "features: out of memory");
  if (puts(text) == EOF || fflush(stdout) == EOF)
    return cell_error_sys(err, "features: write to stdout");
  return 0;
}
