/* config.json -> oci_config. Reading and type-checking each field happens
 * here; cross-field rules live in validate.c. */
#include "oci/config.h"
#include "oci/parse-ctx.h"
#include "oci/resources.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static char *path_join(const char *dir, const char *rel)
{
  char *s = NULL;
  if (rel[0] == '/')
    return strdup(rel);
  if (asprintf(&s, "%s/%s", dir, rel) < 0)
    return NULL;
  return s;
}

static int parse_idmaps(oci_pctx *p, const cell_jv *obj, const char *key, oci_idmap **out,
                        size_t *n)
{
  const cell_jv *arr;
  int r = oci_get_array(p, obj, key, &arr);
  if (r <= 0)
    return r;
  size_t count = cell_jv_size(arr);
  *out = calloc(count ? count : 1, sizeof **out);
  if (!*out)
    return cell_error_set(p->err, ENOMEM, "out of memory");
  oci_pctx_push_key(p, key);
  for (size_t i = 0; i < count; i++) {
    const cell_jv *e = cell_jv_at(arr, i);
    oci_pctx_push_index(p, i);
    if (!cell_jv_is_object(e))
      return oci_perr(p, NULL, "expected an object {containerID, hostID, size}");
    oci_idmap *m = &(*out)[i];
    if ((r = oci_require(p, oci_get_uint32(p, e, "containerID", &m->container_id),
                         "containerID")) < 0 ||
        (r = oci_require(p, oci_get_uint32(p, e, "hostID", &m->host_id), "hostID")) < 0 ||
        (r = oci_require(p, oci_get_uint32(p, e, "size", &m->size), "size")) < 0)
      return r;
    if (m->size == 0)
      return oci_perr(p, "size", "must be at least 1");
    oci_pctx_pop(p);
  }
  oci_pctx_pop(p);
  *n = count;
  return 1;
}

static int parse_mounts(oci_pctx *p, const cell_jv *arr, oci_config *c)
{
  size_t n = cell_jv_size(arr);
  c->mounts = calloc(n ? n : 1, sizeof *c->mounts);
  if (!c->mounts)
    return cell_error_set(p->err, ENOMEM, "out of memory");
  oci_pctx_push_key(p, "mounts");
  for (size_t i = 0; i < n; i++) {
    const cell_jv *e = cell_jv_at(arr, i);
    oci_mount *m = &c->mounts[i];
    c->n_mounts++;
    oci_pctx_push_index(p, i);
    if (!cell_jv_is_object(e))
      return oci_perr(p, NULL, "expected a mount object");
    int r;
    if ((r = oci_require(p, oci_get_string(p, e, "destination", &m->destination),
                         "destination")) < 0 ||
        (r = oci_get_string(p, e, "type", &m->type)) < 0 ||
        (r = oci_get_string(p, e, "source", &m->source)) < 0 ||
        (r = oci_get_strv(p, e, "options", &m->options)) < 0)
      return r;
    if (m->destination[0] != '/') {
      /* runc accepts these with a warning, relative to the rootfs. */
      oci_pwarn(p, "destination", "`%s` is not absolute; taken relative to /", m->destination);
      char *abs = path_join("", m->destination);
      free(m->destination);
      m->destination = abs;
    }
    if ((r = parse_idmaps(p, e, "uidMappings", &m->uid_mappings, &m->n_uid_mappings)) < 0 ||
        (r = parse_idmaps(p, e, "gidMappings", &m->gid_mappings, &m->n_gid_mappings)) < 0)
      return r;
    cell_error sub = CELL_ERROR_INIT;
    if (oci_mount_parse_options(m, &sub) < 0) {
      r = oci_perr_code(p, sub.code, "options", "%s", sub.msg);
      cell_error_clear(&sub);
      return r;
    }
    /* Bind sources are relative to the bundle, as runc resolves them. */
    if (m->bind && m->source && m->source[0] != '/') {
      char *abs = path_join(c->bundle, m->source);
      free(m->source);
      m->source = abs;
    }
    oci_pctx_pop(p);
  }
  oci_pctx_pop(p);
  return 0;
}

static int parse_hooks(oci_pctx *p, const cell_jv *obj, oci_config *c)
{
  oci_pctx_push_key(p, "hooks");
  for (int k = 0; k < OCI_HOOK_KINDS; k++) {
    const char *name = oci_hook_kind_name((oci_hook_kind) k);
    const cell_jv *arr;
    int r = oci_get_array(p, obj, name, &arr);
    if (r < 0)
      return r;
    if (r == 0)
      continue;
    oci_hook_list *l = &c->hooks[k];
    size_t n = cell_jv_size(arr);
    l->hooks = calloc(n ? n : 1, sizeof *l->hooks);
    if (!l->hooks)
      return cell_error_set(p->err, ENOMEM, "out of memory");
    oci_pctx_push_key(p, name);
    for (size_t i = 0; i < n; i++) {
      const cell_jv *e = cell_jv_at(arr, i);
      oci_hook *h = &l->hooks[i];
      l->n++;
      oci_pctx_push_index(p, i);
      if (!cell_jv_is_object(e))
        return oci_perr(p, NULL, "expected a hook object");
      if ((r = oci_require(p, oci_get_string(p, e, "path", &h->path), "path")) < 0 ||
          (r = oci_get_strv(p, e, "args", &h->args)) < 0 ||
          (r = oci_get_strv(p, e, "env", &h->env)) < 0)
        return r;
      if (h->path[0] != '/')
        return oci_perr(p, "path", "`%s` is not an absolute path", h->path);
      int64_t t;
      if ((r = oci_get_int64(p, e, "timeout", 1, INT32_MAX, &t)) < 0)
        return r;
      if (r > 0) {
        h->has_timeout = true;
        h->timeout = (int) t;
      }
      oci_pctx_pop(p);
    }
    oci_pctx_pop(p);
  }
  oci_pctx_pop(p);
  return 0;
}

static int parse_namespaces(oci_pctx *p, const cell_jv *arr, oci_linux *l)
{
  oci_pctx_push_key(p, "namespaces");
  for (size_t i = 0; i < cell_jv_size(arr); i++) {
    const cell_jv *e = cell_jv_at(arr, i);
    oci_pctx_push_index(p, i);
    if (!cell_jv_is_object(e))
      return oci_perr(p, NULL, "expected an object {type, path}");
    _cleanup_free_ char *type = NULL;
    int r;
    if ((r = oci_require(p, oci_get_string(p, e, "type", &type), "type")) < 0)
      return r;
    int kind = -1;
    for (int k = 0; k < OCI_NS_KINDS; k++)
      if (strcmp(type, oci_ns_name((oci_ns_kind) k)) == 0)
        kind = k;
    if (kind < 0)
      return oci_perr(p, "type", "unknown namespace type `%s`", type);
    oci_namespace *ns = &l->ns[kind];
    if (ns->present)
      return oci_perr(p, "type", "namespace `%s` is listed twice", type);
    ns->present = true;
    if ((r = oci_get_string(p, e, "path", &ns->path)) < 0)
      return r;
    if (ns->path && ns->path[0] != '/')
      return oci_perr(p, "path", "`%s` is not an absolute path", ns->path);
    oci_pctx_pop(p);
  }
  oci_pctx_pop(p);
  return 0;
}

static int parse_time_offset(oci_pctx *p, const cell_jv *obj, const char *key, oci_time_offset *t)
{
  const cell_jv *o;
  int r = oci_get_object(p, obj, key, &o);
  if (r <= 0)
    return r;
  oci_pctx_push_key(p, key);
  int64_t secs = 0;
  uint32_t ns = 0;
  if ((r = oci_get_int64(p, o, "secs", INT64_MIN, INT64_MAX, &secs)) < 0 ||
      (r = oci_get_uint32(p, o, "nanosecs", &ns)) < 0)
    return r;
  if (ns >= 1000000000U)
    return oci_perr(p, "nanosecs", "must be below 1000000000");
  oci_pctx_pop(p);
  t->present = true;
  t->secs = secs;
  t->nanosecs = ns;
  return 1;
}

static int parse_devices(oci_pctx *p, const cell_jv *arr, oci_linux *l)
{
  size_t n = cell_jv_size(arr);
  l->devices = calloc(n ? n : 1, sizeof *l->devices);
  if (!l->devices)
    return cell_error_set(p->err, ENOMEM, "out of memory");
  oci_pctx_push_key(p, "devices");
  for (size_t i = 0; i < n; i++) {
    const cell_jv *e = cell_jv_at(arr, i);
    oci_device *d = &l->devices[i];
    l->n_devices++;
    oci_pctx_push_index(p, i);
    if (!cell_jv_is_object(e))
      return oci_perr(p, NULL, "expected a device object");
    _cleanup_free_ char *type = NULL;
    int r;
    if ((r = oci_require(p, oci_get_string(p, e, "path", &d->path), "path")) < 0 ||
        (r = oci_require(p, oci_get_string(p, e, "type", &type), "type")) < 0)
      return r;
    if (d->path[0] != '/')
      return oci_perr(p, "path", "`%s` is not an absolute path", d->path);
    if (strlen(type) != 1 || !strchr("cbup", type[0]))
      return oci_perr(p, "type", "`%s` is not a device type (c, b, u or p)", type);
    d->type = type[0] == 'u' ? 'c' : type[0];
    if (d->type != 'p') {
      if ((r = oci_require(p, oci_get_int64(p, e, "major", 0, 0xfff, &d->major), "major")) < 0 ||
          (r = oci_require(p, oci_get_int64(p, e, "minor", 0, 0xfffff, &d->minor), "minor")) < 0)
        return r;
    }
    uint32_t v;
    if ((r = oci_get_uint32(p, e, "fileMode", &v)) < 0)
      return r;
    if (r > 0) {
      /* podman passes the host's st_mode, file type included (as runc and
       * crun take it): a type that matches the device's is dropped. */
      uint32_t ftype = v & S_IFMT;
      uint32_t want = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
      if ((ftype && ftype != want) || (v & ~(uint32_t) (S_IFMT | 07777)))
        return oci_perr(p, "fileMode", "%u has bits beyond the permission bits "
                        "and the device's file type", v);
      v &= 07777U;
      d->has_file_mode = true;
      d->file_mode = v;
    }
    if ((r = oci_get_uint32(p, e, "uid", &v)) < 0)
      return r;
    if (r > 0) {
      d->has_uid = true;
      d->uid = v;
    }
    if ((r = oci_get_uint32(p, e, "gid", &v)) < 0)
      return r;
    if (r > 0) {
      d->has_gid = true;
      d->gid = v;
    }
    oci_pctx_pop(p);
  }
  oci_pctx_pop(p);
  return 0;
}

static int parse_device_rules(oci_pctx *p, const cell_jv *arr, oci_resources *res)
{
  size_t n = cell_jv_size(arr);
  res->devices = calloc(n ? n : 1, sizeof *res->devices);
  if (!res->devices)
    return cell_error_set(p->err, ENOMEM, "out of memory");
  oci_pctx_push_key(p, "devices");
  for (size_t i = 0; i < n; i++) {
    const cell_jv *e = cell_jv_at(arr, i);
    oci_device_rule *d = &res->devices[i];
    res->n_devices++;
    oci_pctx_push_index(p, i);
    if (!cell_jv_is_object(e))
      return oci_perr(p, NULL, "expected a device rule object");
    int r;
    if ((r = oci_require(p, oci_get_bool(p, e, "allow", &d->allow), "allow")) < 0)
      return r;
    _cleanup_free_ char *type = NULL;
    if ((r = oci_get_string(p, e, "type", &type)) < 0)
      return r;
    d->type = type ? type[0] : 'a';
    if (type && (strlen(type) != 1 || !strchr("acb", type[0])))
      return oci_perr(p, "type", "`%s` is not a device rule type (a, c or b)", type);
    if ((r = oci_get_int64(p, e, "major", -1, INT64_MAX, &d->major)) < 0)
      return r;
    d->has_major = r > 0 && d->major >= 0;
    if ((r = oci_get_int64(p, e, "minor", -1, INT64_MAX, &d->minor)) < 0)
      return r;
    d->has_minor = r > 0 && d->minor >= 0;
    if ((r = oci_get_string(p, e, "access", &d->access)) < 0)
      return r;
    for (const char *a = d->access; a && *a; a++)
      if (!strchr("rwm", *a))
        return oci_perr(p, "access", "`%s` is not a subset of \"rwm\"", d->access);
    oci_pctx_pop(p);
  }
  oci_pctx_pop(p);
  return 0;
}

/* An interface name the kernel takes: 1 to 15 bytes, no '/', ':' or
 * space ("%d" is the kernel's template). */
static bool netdev_name_ok(const char *n)
{
  size_t len = strlen(n);
  return len > 0 && len < 16 && strcmp(n, ".") && strcmp(n, "..") && !strpbrk(n, "/: \t\n");
}

static int parse_net_devices(oci_pctx *p, const cell_jv *obj, oci_linux *l)
{
  size_t n = cell_jv_size(obj), i = 0, m;
  l->net_devices = calloc(n ? n : 1, sizeof *l->net_devices);
  if (!l->net_devices)
    return cell_error_set(p->err, ENOMEM, "out of memory");
  oci_pctx_push_key(p, "netDevices");
  const char *key;
  const cell_jv *v;
  int r = 0;
  cell_jv_object_foreach(obj, m, key, v) {
    if (!netdev_name_ok(key)) {
      r = oci_perr(p, key, "`%s` is not a network interface name", key);
      break;
    }
    oci_pctx_push_key(p, key);
    char *name = NULL;
    if (!cell_jv_is_object(v))
      r = oci_perr(p, NULL, "expected an object");
    else if ((r = oci_get_string(p, v, "name", &name)) >= 0 && name &&
             !netdev_name_ok(name))
      r = oci_perr(p, "name", "`%s` is not a network interface name", name);
    oci_pctx_pop(p);
    if (r < 0) {
      free(name);
      break;
    }
    l->net_devices[i].key = strdup(key);
    l->net_devices[i].value = name ? name : strdup(key);
    l->n_net_devices = ++i;
    if (!l->net_devices[i - 1].key || !l->net_devices[i - 1].value) {
      r = cell_error_set(p->err, ENOMEM, "out of memory");
      break;
    }
    r = 0;
  }
  if (r < 0)
    return r;
  oci_pctx_pop(p);
  return 0;
}

static int parse_linux(oci_pctx *p, const cell_jv *obj, oci_config *c)
{
  oci_linux *l = &c->linux;
  const cell_jv *sub;
  int r;
  oci_pctx_push_key(p, "linux");
  if ((r = oci_get_array(p, obj, "namespaces", &sub)) < 0)
    return r;
  if (r > 0 && (r = parse_namespaces(p, sub, l)) < 0)
    return r;
  if ((r = parse_idmaps(p, obj, "uidMappings", &l->uid_mappings, &l->n_uid_mappings)) < 0 ||
      (r = parse_idmaps(p, obj, "gidMappings", &l->gid_mappings, &l->n_gid_mappings)) < 0)
    return r;
  if ((r = oci_get_object(p, obj, "timeOffsets", &sub)) < 0)
    return r;
  if (r > 0) {
    oci_pctx_push_key(p, "timeOffsets");
    if ((r = parse_time_offset(p, sub, "monotonic", &l->time_monotonic)) < 0 ||
        (r = parse_time_offset(p, sub, "boottime", &l->time_boottime)) < 0)
      return r;
    oci_pctx_pop(p);
  }
  if ((r = oci_get_array(p, obj, "devices", &sub)) < 0)
    return r;
  if (r > 0 && (r = parse_devices(p, sub, l)) < 0)
    return r;
  if ((r = oci_get_string(p, obj, "cgroupsPath", &l->cgroups_path)) < 0)
    return r;
  if ((r = oci_get_object(p, obj, "resources", &sub)) < 0)
    return r;
  if (r > 0) {
    l->resources.present = true;
    l->resources.json = sub;
    const cell_jv *devs;
    oci_pctx_push_key(p, "resources");
    if ((r = oci_get_array(p, sub, "devices", &devs)) < 0)
      return r;
    if (r > 0 && (r = parse_device_rules(p, devs, &l->resources)) < 0)
      return r;
    oci_pctx_pop(p);
    oci_json_where w = { p->name, "linux.resources", p->log };
    l->resources.typed = calloc(1, sizeof *l->resources.typed);
    if (!l->resources.typed)
      return cell_error_set(p->err, ENOMEM, "out of memory");
    if ((r = oci_resources_parse(sub, &w, l->resources.typed, p->err)) < 0)
      return r;
  }
  _cleanup_free_ char *prop = NULL;
  if ((r = oci_get_string(p, obj, "rootfsPropagation", &prop)) < 0)
    return r;
  if (r > 0 && *prop && oci_propagation_from_name(prop, &l->rootfs_propagation) < 0)
    return oci_perr(p, "rootfsPropagation", "unknown propagation `%s`", prop);
  if ((r = oci_get_strv(p, obj, "maskedPaths", &l->masked_paths)) < 0 ||
      (r = oci_get_strv(p, obj, "readonlyPaths", &l->readonly_paths)) < 0 ||
      (r = oci_get_string(p, obj, "mountLabel", &l->mount_label)) < 0 ||
      (r = oci_get_kv(p, obj, "sysctl", &l->sysctl, &l->n_sysctl)) < 0)
    return r;
  /* linux.intelRdt: cell does not manage resctrl; the spec's rule for a
   * host without it ("MUST generate an error") and our refusal on a host
   * with it are one error, told apart. */
  if ((r = oci_get_object(p, obj, "intelRdt", &sub)) < 0)
    return r;
  if (r > 0) {
    struct statfs sf;
    bool mounted = statfs("/sys/fs/resctrl", &sf) == 0 && (unsigned) sf.f_type == 0x7655821U;
    return oci_perr_code(p, ENOTSUP, "intelRdt", "%s", mounted
                         ? "cell does not support Intel RDT (resctrl)"
                         : "no resctrl file system is mounted at /sys/fs/resctrl on this host");
  }
  if ((r = oci_get_object(p, obj, "netDevices", &sub)) < 0)
    return r;
  if (r > 0 && (r = parse_net_devices(p, sub, l)) < 0)
    return r;
  if ((r = oci_get_object(p, obj, "personality", &sub)) < 0)
    return r;
  if (r > 0) {
    _cleanup_free_ char *domain = NULL;
    oci_pctx_push_key(p, "personality");
    if ((r = oci_require(p, oci_get_string(p, sub, "domain", &domain), "domain")) < 0)
      return r;
    if (strcmp(domain, "LINUX") == 0)
      l->personality.domain = 0x0000;
    else if (strcmp(domain, "LINUX32") == 0)
      l->personality.domain = 0x0008;
    else
      return oci_perr(p, "domain", "unknown personality `%s` (LINUX or LINUX32)", domain);
    l->personality.present = true;
    oci_pctx_pop(p);
  }
  if ((r = oci_get_object(p, obj, "seccomp", &sub)) < 0)
    return r;
  l->seccomp = sub;
  if (sub) {
    /* The rest of the object is the seccomp front end's (src/seccomp). */
    oci_pctx_push_key(p, "seccomp");
    if ((r = oci_get_string(p, sub, "listenerPath", &l->seccomp_listener_path)) < 0 ||
        (r = oci_get_string(p, sub, "listenerMetadata", &l->seccomp_listener_metadata)) < 0)
      return r;
    oci_pctx_pop(p);
  }
  oci_pctx_pop(p);
  return 0;
}

/* "NAME:LINE:COL: syntax error: what" when the text is no JSON. */
static int read_json(const char *name, const char *text, size_t len, cell_jdoc **doc,
                     cell_error *err)
{
  cell_error sub = CELL_ERROR_INIT;
  int r = cell_json_parse(NULL, text, len, doc, &sub);
  if (r >= 0)
    return r;
  /* sub: "LINE:COL: what" for a syntax error, a message for the rest. */
  const char *what = sub.code == EINVAL && sub.msg ? strstr(sub.msg, ": ") : NULL;
  if (what)
    r = cell_error_set(err, sub.code, "%s:%.*s: syntax error: %s", name,
                       (int) (what - sub.msg), sub.msg, what + 2);
  else
    r = cell_error_set(err, sub.code, "%s: %s", name, sub.msg ? sub.msg : "invalid JSON");
  cell_error_clear(&sub);
  return r;
}

int oci_config_parse(const char *text, size_t len, const char *name, const char *bundle,
                     const cell_log *log, oci_config **out, cell_error *err)
{
  *out = NULL;
  _cleanup_config_ oci_config *c = calloc(1, sizeof *c);
  if (!c)
    return cell_error_set(err, ENOMEM, "out of memory");
  c->text = malloc(len + 1);
  c->config_path = strdup(name);
  c->bundle = strdup(bundle);
  if (!c->text || !c->config_path || !c->bundle)
    return cell_error_set(err, ENOMEM, "out of memory");
  memcpy(c->text, text, len);
  c->text[len] = '\0';
  c->text_len = len;

  int r = read_json(name, c->text, len, &c->doc, err);
  if (r < 0)
    return r;
  const cell_jv *root = cell_jdoc_root(c->doc), *sub;
  oci_pctx p = { .name = name, .at = { .val = { root } }, .log = log, .err = err };
  if (!cell_jv_is_object(root))
    return oci_perr(&p, NULL, "expected a JSON object");
  if ((r = oci_require(&p, oci_get_string(&p, root, "ociVersion", &c->oci_version),
                       "ociVersion")) < 0)
    return r;
  if (strncmp(c->oci_version, "1.", 2) != 0)
    return oci_perr(&p, "ociVersion", "unsupported version `%s` (cell supports 1.x)",
                    c->oci_version);
  if ((r = oci_require(&p, oci_get_object(&p, root, "root", &sub), "root")) < 0)
    return r;
  oci_pctx_push_key(&p, "root");
  _cleanup_free_ char *rootpath = NULL;
  if ((r = oci_require(&p, oci_get_string(&p, sub, "path", &rootpath), "path")) < 0 ||
      (r = oci_get_bool(&p, sub, "readonly", &c->root_readonly)) < 0)
    return r;
  oci_pctx_pop(&p);
  c->root_path = path_join(bundle, rootpath);
  if ((r = oci_get_array(&p, root, "mounts", &sub)) < 0)
    return r;
  if (r > 0 && (r = parse_mounts(&p, sub, c)) < 0)
    return r;
  if ((r = oci_get_object(&p, root, "process", &sub)) < 0)
    return r;
  if (r > 0) {
    oci_pctx_push_key(&p, "process");
    if ((r = oci_parse_process(&p, sub, &c->process)) < 0)
      return r;
    oci_pctx_pop(&p);
  }
  if ((r = oci_get_string(&p, root, "hostname", &c->hostname)) < 0 ||
      (r = oci_get_string(&p, root, "domainname", &c->domainname)) < 0)
    return r;
  if ((r = oci_get_object(&p, root, "hooks", &sub)) < 0)
    return r;
  if (r > 0 && (r = parse_hooks(&p, sub, c)) < 0)
    return r;
  if ((r = oci_get_kv(&p, root, "annotations", &c->annotations, &c->n_annotations)) < 0)
    return r;
  if (c->process && oci_annotation(c, OCI_ANNOTATION_KEEP_GROUPS))
    c->process->user.keep_original_groups = true;
  if ((r = oci_get_object(&p, root, "linux", &sub)) < 0)
    return r;
  if (r > 0 && (r = parse_linux(&p, sub, c)) < 0)
    return r;
  if ((r = oci_validate(&p, c)) < 0)
    return r;
  *out = cell_steal(&c);
  return 0;
}

int oci_config_load(const char *bundle, const char *config_path, const cell_log *log,
                    oci_config **out, cell_error *err)
{
  char abs_bundle[PATH_MAX];
  if (!realpath(bundle, abs_bundle))
    return cell_error_sys(err, "bundle `%s`", bundle);
  _cleanup_free_ char *path = NULL;
  if (config_path)
    path = strdup(config_path);
  else if (asprintf(&path, "%s/config.json", abs_bundle) < 0)
    path = NULL;
  if (!path)
    return cell_error_set(err, ENOMEM, "out of memory");
  _cleanup_free_ char *text = NULL;
  size_t len;
  int r = cell_read_file(path, &text, &len, err);
  if (r < 0)
    return r;
  return oci_config_parse(text, len, path, abs_bundle, log, out, err);
}

static void free_kv(oci_kv *kv, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    free(kv[i].key);
    free(kv[i].value);
  }
  free(kv);
}

void oci_config_free(oci_config *c)
{
  if (!c)
    return;
  free(c->oci_version);
  free(c->bundle);
  free(c->config_path);
  free(c->root_path);
  for (size_t i = 0; i < c->n_mounts; i++) {
    oci_mount *m = &c->mounts[i];
    free(m->destination);
    free(m->type);
    free(m->source);
    cell_strv_free(m->options);
    free(m->data);
    free(m->uid_mappings);
    free(m->gid_mappings);
  }
  free(c->mounts);
  oci_process_free(c->process);
  free(c->hostname);
  free(c->domainname);
  for (int k = 0; k < OCI_HOOK_KINDS; k++) {
    for (size_t i = 0; i < c->hooks[k].n; i++) {
      free(c->hooks[k].hooks[i].path);
      cell_strv_free(c->hooks[k].hooks[i].args);
      cell_strv_free(c->hooks[k].hooks[i].env);
    }
    free(c->hooks[k].hooks);
  }
  free_kv(c->annotations, c->n_annotations);
  oci_linux *l = &c->linux;
  for (int k = 0; k < OCI_NS_KINDS; k++)
    free(l->ns[k].path);
  free(l->uid_mappings);
  free(l->gid_mappings);
  for (size_t i = 0; i < l->n_devices; i++)
    free(l->devices[i].path);
  free(l->devices);
  free(l->cgroups_path);
  for (size_t i = 0; i < l->resources.n_devices; i++)
    free(l->resources.devices[i].access);
  free(l->resources.devices);
  if (l->resources.typed)
    oci_resources_typed_free(l->resources.typed);
  free(l->resources.typed);
  cell_strv_free(l->masked_paths);
  cell_strv_free(l->readonly_paths);
  free(l->mount_label);
  free_kv(l->sysctl, l->n_sysctl);
  free_kv(l->net_devices, l->n_net_devices);
  free(l->seccomp_listener_path);
  free(l->seccomp_listener_metadata);
  cell_jdoc_free(c->doc);
  free(c->text);
  free(c);
}

void oci_config_freep(oci_config **c) { oci_config_free(*c); }
