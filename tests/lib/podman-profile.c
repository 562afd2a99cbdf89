/* podman's default seccomp profile, read from where Debian installs it
 * (package golang-github-containers-common) and resolved the way podman
 * resolves it before it writes config.json: a rule is kept when the
 * container holds every capability of its `includes.caps` and none of its
 * `excludes.caps`, and when the architecture passes `includes.arches` and
 * `excludes.arches`; `archMap` gives the native architecture and its
 * sub-architectures. */
#include "podman-profile.h"
#include <stdbool.h>
#include <string.h>

static bool has(json_t *list, const char *s)
{
  size_t i;
  json_t *v;
  json_array_foreach(list, i, v)
    if (json_is_string(v) && !strcmp(json_string_value(v), s))
      return true;
  return false;
}

static bool all_in(json_t *need, const char *const *caps)
{
  size_t i;
  json_t *v;
  json_array_foreach(need, i, v) {
    bool found = false;
    for (const char *const *c = caps; *c; c++)
      found |= json_is_string(v) && !strcmp(json_string_value(v), *c);
    if (!found)
      return false;
  }
  return true;
}

static bool any_in(json_t *list, const char *const *caps)
{
  for (const char *const *c = caps; *c; c++)
    if (has(list, *c))
      return true;
  return false;
}

json_t *t_podman_profile(const char *go_arch, const char *scmp_arch, const char *const *caps)
{
  json_t *t = json_load_file(T_PODMAN_PROFILE, 0, NULL);
  if (!t)
    return NULL;
  json_t *out = json_object(), *rules = json_array(), *arches = json_array();
  json_object_set(out, "defaultAction", json_object_get(t, "defaultAction"));
  if (json_object_get(t, "defaultErrnoRet"))
    json_object_set(out, "defaultErrnoRet", json_object_get(t, "defaultErrnoRet"));
  size_t i;
  json_t *m, *r;
  json_array_foreach(json_object_get(t, "archMap"), i, m) {
    if (strcmp(json_string_value(json_object_get(m, "architecture")) ?: "", scmp_arch))
      continue;
    json_array_append(arches, json_object_get(m, "architecture"));
    json_array_extend(arches, json_object_get(m, "subArchitectures"));
  }
  json_object_set_new(out, "architectures", arches);
  json_array_foreach(json_object_get(t, "syscalls"), i, r) {
    json_t *inc = json_object_get(r, "includes"), *exc = json_object_get(r, "excludes");
    if (!all_in(json_object_get(inc, "caps"), caps) || any_in(json_object_get(exc, "caps"), caps))
      continue;
    json_t *ia = json_object_get(inc, "arches");
    if ((json_array_size(ia) && !has(ia, go_arch)) || has(json_object_get(exc, "arches"), go_arch))
      continue;
    /* what podman writes: the runtime-spec fields only (the template's
     * "errno" name and "comment" stay behind; "args" when there are some) */
    json_t *q = json_pack("{s:O, s:O}", "names", json_object_get(r, "names"), "action",
                          json_object_get(r, "action"));
    if (json_array_size(json_object_get(r, "args")))
      json_object_set(q, "args", json_object_get(r, "args"));
    if (json_object_get(r, "errnoRet"))
      json_object_set(q, "errnoRet", json_object_get(r, "errnoRet"));
    json_array_append_new(rules, q);
  }
  json_object_set_new(out, "syscalls", rules);
  json_decref(t);
  return out;
}

const char *const t_podman_caps[] = {
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_NET_BIND_SERVICE",
  "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT", NULL,
};
