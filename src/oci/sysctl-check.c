#include "oci/sysctl-check.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/cleanup.h"

static const char *const ipc_keys[] = {
  "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
  "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
};

/* 1: the container has kind k and it is not the caller's; 0: it has none or
 * joins the caller's; < 0: a namespace path could not be checked. A path
 * that is not there is not the caller's: create's join then fails naming
 * it, and a stored config read again after the engine removed the
 * namespace (delete's poststop hooks, podman's netns) still reads. */
static int ns_private(const oci_config *c, oci_ns_kind k, cell_error *err)
{
  const oci_namespace *ns = &c->linux.ns[k];
  if (!ns->present)
    return 0;
  if (!ns->path)
    return 1;
  struct stat mine, theirs;
  char self[64];
  snprintf(self, sizeof self, "/proc/self/ns/%s", oci_ns_proc_name(k));
  if (stat(ns->path, &theirs) < 0)
    return errno == ENOENT ? 1
                           : cell_error_sys(err, "stat %s namespace `%s`", oci_ns_name(k),
                                            ns->path);
  if (stat(self, &mine) < 0)
    return cell_error_sys(err, "stat `%s`", self);
  return !(mine.st_dev == theirs.st_dev && mine.st_ino == theirs.st_ino);
}

/* Keys are relative paths below /proc/sys: no empty or dot-dot components. */
static bool key_well_formed(const char *key, char sep)
{
  if (!*key)
    return false;
  const char *p = key;
  for (;;) {
    const char *e = strchr(p, sep);
    size_t n = e ? (size_t) (e - p) : strlen(p);
    if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
      return false;
    if (!e)
      return true;
    p = e + 1;
  }
}

int oci_sysctl_check(const char *key, const oci_config *c, cell_error *err)
{
  bool slashes = strchr(key, '/') != NULL;
  if (!key_well_formed(key, slashes ? '/' : '.'))
    return cell_error_set(err, EINVAL, "sysctl `%s` is not a valid key", key);
  _cleanup_free_ char *norm = strdup(key);
  if (!norm)
    return cell_error_set(err, ENOMEM, "out of memory");
  if (slashes)
    for (char *p = norm; *p; p++)
      if (*p == '/')
        *p = '.';

  int kind = -1;
  if (strncmp(norm, "fs.mqueue.", 10) == 0)
    kind = OCI_NS_IPC;
  for (size_t i = 0; kind < 0 && i < sizeof ipc_keys / sizeof ipc_keys[0]; i++)
    if (strcmp(norm, ipc_keys[i]) == 0)
      kind = OCI_NS_IPC;
  if (strncmp(norm, "net.", 4) == 0)
    kind = OCI_NS_NETWORK;
  if (strcmp(norm, "kernel.hostname") == 0 || strcmp(norm, "kernel.domainname") == 0)
    kind = OCI_NS_UTS;
  if (kind >= 0) {
    int r = ns_private(c, (oci_ns_kind) kind, err);
    if (r < 0)
      return cell_error_wrap(err, "sysctl `%s`", key);
    if (!r)
      return cell_error_set(err, EINVAL, "sysctl `%s` needs %s %s namespace of the "
                            "container's own (not the host's)", key,
                            kind == OCI_NS_IPC ? "an" : "a",
                            oci_ns_name((oci_ns_kind) kind));
    return 0;
  }
  return cell_error_set(err, EINVAL, "sysctl `%s` is not namespaced", key);
}
