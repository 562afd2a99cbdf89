/* Rules that tie several fields of config.json together. Each error names
 * the field it is about. */
#include "oci/config.h"
#include "oci/parse-ctx.h"
#include "oci/sysctl-check.h"
#include "util/host-lsm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool ns_new(const oci_config *c, oci_ns_kind k)
{
  return c->linux.ns[k].present && !c->linux.ns[k].path;
}

static int check_namespaces(oci_pctx *p, oci_config *c)
{
  const oci_linux *l = &c->linux;
  oci_pctx_push_key(p, "linux");
  if ((l->n_uid_mappings || l->n_gid_mappings) && !ns_new(c, OCI_NS_USER))
    return oci_perr(p, l->n_uid_mappings ? "uidMappings" : "gidMappings",
                    "id mappings need a new user namespace in linux.namespaces");
  if (ns_new(c, OCI_NS_USER) && (!l->n_uid_mappings || !l->n_gid_mappings))
    return oci_perr(p, "namespaces",
                    "a new user namespace needs linux.uidMappings and linux.gidMappings");
  if ((l->time_monotonic.present || l->time_boottime.present) && !ns_new(c, OCI_NS_TIME))
    return oci_perr(p, "timeOffsets", "time offsets need a new time namespace in "
                    "linux.namespaces");
  oci_pctx_pop(p);
  if (c->hostname && *c->hostname && !ns_new(c, OCI_NS_UTS) && !l->ns[OCI_NS_UTS].present)
    return oci_perr(p, "hostname", "setting the hostname needs a uts namespace");
  if (c->domainname && *c->domainname && !l->ns[OCI_NS_UTS].present)
    return oci_perr(p, "domainname", "setting the domainname needs a uts namespace");
  if (l->n_net_devices && !l->ns[OCI_NS_NETWORK].present)
    return oci_perr(p, "linux.netDevices", "moving network devices needs a network namespace "
                    "of the container's in linux.namespaces");
  /* Mounts inside a shared host mount namespace would leak onto the host. */
  if (!l->ns[OCI_NS_MOUNT].present)
    return oci_perr(p, "linux.namespaces", "a mount namespace is required");
  return 0;
}

static int check_root(oci_pctx *p, oci_config *c)
{
  struct stat st;
  if (stat(c->root_path, &st) < 0) {
    oci_pctx_push_key(p, "root");
    int r = oci_perr_code(p, errno, "path", "rootfs `%s`: %s", c->root_path, strerror(errno));
    oci_pctx_pop(p);
    return r;
  }
  if (!S_ISDIR(st.st_mode)) {
    oci_pctx_push_key(p, "root");
    int r = oci_perr_code(p, ENOTDIR, "path", "rootfs `%s` is not a directory", c->root_path);
    oci_pctx_pop(p);
    return r;
  }
  return 0;
}

/* kernel.hostname / kernel.domainname that say otherwise than the
 * hostname / domainname fields: refused, as crun does (which would win?). */
static int check_uts_sysctl(oci_pctx *p, const oci_config *c, const oci_kv *kv)
{
  char key[64];
  snprintf(key, sizeof key, "%s", kv->key);
  for (char *k = key; *k; k++)
    if (*k == '/')
      *k = '.';
  const char *field = !strcmp(key, "kernel.hostname")     ? "hostname"
                      : !strcmp(key, "kernel.domainname") ? "domainname" : NULL;
  const char *set = !field ? NULL : field[0] == 'h' ? c->hostname : c->domainname;
  if (!set || !*set || !strcmp(set, kv->value))
    return 0;
  oci_pctx_push_key(p, "linux");
  oci_pctx_push_key(p, "sysctl");
  int r = oci_perr(p, kv->key, "`%s` conflicts with %s `%s`", kv->value, field, set);
  oci_pctx_pop(p);
  oci_pctx_pop(p);
  return r;
}

static int check_sysctl(oci_pctx *p, oci_config *c)
{
  for (size_t i = 0; i < c->linux.n_sysctl; i++) {
    int cr = check_uts_sysctl(p, c, &c->linux.sysctl[i]);
    if (cr < 0)
      return cr;
    cell_error sub = CELL_ERROR_INIT;
    if (oci_sysctl_check(c->linux.sysctl[i].key, c, &sub) < 0) {
      oci_pctx_push_key(p, "linux");
      oci_pctx_push_key(p, "sysctl");
      int r = oci_perr_code(p, sub.code, c->linux.sysctl[i].key, "%s", sub.msg);
      cell_error_clear(&sub);
      return r;
    }
  }
  return 0;
}

/* Idmapped mounts: bind mounts only, both maps or none (then the
 * container's, which needs a user namespace of its own). */
static int check_idmapped_mounts(oci_pctx *p, oci_config *c)
{
  for (size_t i = 0; i < c->n_mounts; i++) {
    const oci_mount *m = &c->mounts[i];
    if (!m->idmap && !m->n_uid_mappings && !m->n_gid_mappings)
      continue;
    oci_pctx_push_key(p, "mounts");
    oci_pctx_push_index(p, i);
    int r = 0;
    if (!m->bind)
      r = oci_perr(p, NULL, "idmapped mounts must be bind mounts (`%s`)", m->destination);
    else if (!m->n_uid_mappings != !m->n_gid_mappings)
      r = oci_perr(p, m->n_uid_mappings ? "gidMappings" : "uidMappings",
                   "an idmapped mount needs both uidMappings and gidMappings");
    else if (!m->n_uid_mappings && !ns_new(c, OCI_NS_USER))
      r = oci_perr(p, "options", "idmap without uidMappings and gidMappings takes the "
                   "container's user namespace mappings: it needs a new user namespace");
    oci_pctx_pop(p);
    oci_pctx_pop(p);
    if (r < 0)
      return r;
  }
  return 0;
}

/* One label: refused when the host lacks its module, dropped with a
 * warning under the opt-out annotation. The host is probed only for a
 * label that is set (most configs have none). */
static int check_label(oci_pctx *p, const oci_config *c, const char *obj, const char *key,
                       char **value, bool (*host_has)(void), const char *lsm)
{
  if (!*value || !**value || host_has())
    return 0;
  const char *opt = oci_annotation(c, OCI_ANNOTATION_LSM_OPTIONAL);
  if (obj)
    oci_pctx_push_key(p, obj);
  int r = 0;
  if (opt && !strcmp(opt, "true")) {
    oci_pwarn(p, key, "`%s`: this host has no %s: the container runs without it "
              "(annotation " OCI_ANNOTATION_LSM_OPTIONAL ")", *value, lsm);
    free(*value);
    *value = NULL;
  } else
    r = oci_perr_code(p, ENOTSUP, key, "`%s`: this host has no %s, and a confinement asked "
                      "for is never silently dropped (the annotation "
                      OCI_ANNOTATION_LSM_OPTIONAL "=true runs the container without it)",
                      *value, lsm);
  if (obj)
    oci_pctx_pop(p);
  return r;
}

static int check_lsm(oci_pctx *p, oci_config *c)
{
  int r;
  if (c->process &&
      ((r = check_label(p, c, "process", "apparmorProfile", &c->process->apparmor_profile,
                        cell_host_has_apparmor, "AppArmor")) < 0 ||
       (r = check_label(p, c, "process", "selinuxLabel", &c->process->selinux_label,
                        cell_host_has_selinux, "SELinux")) < 0))
    return r;
  return check_label(p, c, "linux", "mountLabel", &c->linux.mount_label,
                     cell_host_has_selinux, "SELinux");
}

int oci_validate(oci_pctx *p, oci_config *c)
{
  int r;
  if ((r = check_root(p, c)) < 0 || (r = check_namespaces(p, c)) < 0 ||
      (r = check_sysctl(p, c)) < 0 || (r = check_idmapped_mounts(p, c)) < 0 ||
      (r = check_lsm(p, c)) < 0)
    return r;
  if (c->process && c->process->caps.ambient & ~(c->process->caps.permitted &
                                                 c->process->caps.inheritable)) {
    /* The kernel refuses those; runc logs and skips them, so do we. */
    oci_pctx_push_key(p, "process");
    oci_pwarn(p, "capabilities", "ambient capabilities not in both permitted and "
              "inheritable are dropped");
    oci_pctx_pop(p);
    c->process->caps.ambient &= c->process->caps.permitted & c->process->caps.inheritable;
  }
  return 0;
}
