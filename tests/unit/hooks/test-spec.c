/* oci_spec_default: the fields of `cell spec`, normal and rootless. */
#include "unit.h"
#include "oci/spec.h"

#include <string.h>

static int has_ns(json_t *spec, const char *type)
{
  json_t *ns = json_object_get(json_object_get(spec, "linux"), "namespaces"), *v;
  size_t i;
  json_array_foreach(ns, i, v)
    if (!strcmp(json_string_value(json_object_get(v, "type")), type))
      return 1;
  return 0;
}

static json_t *mount_at(json_t *spec, const char *dest)
{
  json_t *v;
  size_t i;
  json_array_foreach(json_object_get(spec, "mounts"), i, v)
    if (!strcmp(json_string_value(json_object_get(v, "destination")), dest))
      return v;
  return NULL;
}

TEST(spec_default_fields)
{
  json_t *s = oci_spec_default(false, 1000, 1000);
  CHECK(s != NULL);
  json_t *p = json_object_get(s, "process");
  CHECK(json_is_true(json_object_get(p, "terminal")));
  CHECK(json_is_true(json_object_get(p, "noNewPrivileges")));
  CHECK_STR(json_string_value(json_object_get(p, "cwd")), "/");
  CHECK_STR(json_string_value(json_array_get(json_object_get(p, "args"), 0)), "sh");
  CHECK_INT(json_integer_value(json_object_get(json_object_get(p, "user"), "uid")), 0);
  json_t *caps = json_object_get(p, "capabilities");
  CHECK_INT(json_array_size(json_object_get(caps, "bounding")), 3);
  CHECK(json_object_get(caps, "ambient") == NULL);
  json_t *rl = json_array_get(json_object_get(p, "rlimits"), 0);
  CHECK_STR(json_string_value(json_object_get(rl, "type")), "RLIMIT_NOFILE");
  CHECK_INT(json_integer_value(json_object_get(rl, "soft")), 1024);
  CHECK_STR(json_string_value(json_object_get(json_object_get(s, "root"), "path")), "rootfs");
  CHECK_STR(json_string_value(json_object_get(s, "hostname")), "cell");
  CHECK_INT(json_array_size(json_object_get(s, "mounts")), 7);
  CHECK_STR(json_string_value(json_object_get(mount_at(s, "/sys"), "type")), "sysfs");
  CHECK(has_ns(s, "network") && has_ns(s, "cgroup") && !has_ns(s, "user"));
  json_t *lin = json_object_get(s, "linux");
  CHECK(json_object_get(lin, "resources") != NULL);
  CHECK(json_object_get(lin, "uidMappings") == NULL);
  CHECK(json_array_size(json_object_get(lin, "maskedPaths")) >= 10);
  CHECK_INT(json_array_size(json_object_get(lin, "readonlyPaths")), 5);
  json_decref(s);
}

TEST(spec_rootless_fields)
{
  json_t *s = oci_spec_default(true, 1000, 1001);
  CHECK(s != NULL);
  CHECK(!has_ns(s, "network") && has_ns(s, "user"));
  json_t *lin = json_object_get(s, "linux");
  CHECK(json_object_get(lin, "resources") == NULL);
  json_t *um = json_array_get(json_object_get(lin, "uidMappings"), 0);
  json_t *gm = json_array_get(json_object_get(lin, "gidMappings"), 0);
  CHECK_INT(json_integer_value(json_object_get(um, "hostID")), 1000);
  CHECK_INT(json_integer_value(json_object_get(gm, "hostID")), 1001);
  CHECK_INT(json_integer_value(json_object_get(um, "size")), 1);
  json_t *sys = mount_at(s, "/sys");
  CHECK_STR(json_string_value(json_object_get(sys, "source")), "/sys");
  CHECK_STR(json_string_value(json_array_get(json_object_get(sys, "options"), 0)), "rbind");
  json_t *pts = json_object_get(mount_at(s, "/dev/pts"), "options"), *o;
  size_t i;
  json_array_foreach(pts, i, o)
    CHECK(strncmp(json_string_value(o), "gid=", 4) != 0);
  json_decref(s);
}
