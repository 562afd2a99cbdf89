/* oci_mount_parse_options and oci_propagation_from_name. */
#include "unit.h"
#include "oci/config.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/mount.h>

static int parse(oci_mount *m, const char *type, char **opts)
{
  free(m->data);
  *m = (oci_mount) { .destination = (char *) "/x", .type = (char *) type, .options = opts };
  cell_error err = CELL_ERROR_INIT;
  int r = oci_mount_parse_options(m, &err);
  cell_error_clear(&err);
  return r;
}

TEST(mount_options_flags)
{
  char *o[] = { "ro", "nosuid", "nodev", "noexec", "sync", "dirsync", "mand", "noatime",
                "nodiratime", "lazytime", "nosymfollow", NULL };
  oci_mount m = { 0 };
  CHECK_INT(parse(&m, "tmpfs", o), 0);
  CHECK_INT(m.flags, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_SYNCHRONOUS | MS_DIRSYNC |
                     MS_MANDLOCK | MS_NOATIME | MS_NODIRATIME | MS_LAZYTIME | MS_NOSYMFOLLOW);
  CHECK_INT(m.clear_flags, 0);
  CHECK(!m.bind);
  CHECK(m.data == NULL);
}

TEST(mount_options_later_wins)
{
  char *o[] = { "ro", "nosuid", "rw", "suid", "exec", "dev", "async", "atime", "relatime",
                "strictatime", "nostrictatime", "nomand", "nolazytime", "remount", NULL };
  oci_mount m = { 0 };
  CHECK_INT(parse(&m, "tmpfs", o), 0);
  CHECK_INT(m.flags, MS_RELATIME | MS_REMOUNT);
  CHECK_INT(m.clear_flags, MS_RDONLY | MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_SYNCHRONOUS |
                           MS_NOATIME | MS_STRICTATIME | MS_MANDLOCK | MS_LAZYTIME);
}

TEST(mount_options_bind)
{
  oci_mount m = { 0 };
  char *b[] = { "bind", "ro", NULL };
  CHECK_INT(parse(&m, NULL, b), 0);
  CHECK(m.bind);
  CHECK_INT(m.flags, MS_BIND | MS_RDONLY);
  char *rb[] = { "rbind", NULL };
  CHECK_INT(parse(&m, "none", rb), 0);
  CHECK(m.bind);
  CHECK_INT(m.flags, MS_BIND | MS_REC);
  CHECK_INT(parse(&m, "bind", NULL), 0);
  CHECK(m.bind);
  CHECK_INT(m.flags, MS_BIND);
  CHECK_INT(parse(&m, "tmpfs", NULL), 0);
  CHECK(!m.bind);
  CHECK_INT(m.flags, 0);
}

TEST(mount_options_propagation)
{
  static const struct { const char *n; unsigned long f; } t[] = {
    { "shared", MS_SHARED }, { "rshared", MS_SHARED | MS_REC },
    { "private", MS_PRIVATE }, { "rprivate", MS_PRIVATE | MS_REC },
    { "slave", MS_SLAVE }, { "rslave", MS_SLAVE | MS_REC },
    { "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
  };
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
    oci_mount m = { 0 };
    char *o[] = { "rbind", (char *) t[i].n, NULL };
    CHECK_INT(parse(&m, NULL, o), 0);
    CHECK_INT(m.propagation, t[i].f);
    CHECK_INT(m.flags, MS_BIND | MS_REC);
    unsigned long f = 0;
    CHECK_INT(oci_propagation_from_name(t[i].n, &f), 0);
    CHECK_INT(f, t[i].f);
  }
  unsigned long f = 7;
  CHECK_INT(oci_propagation_from_name("rsharedd", &f), -EINVAL);
  CHECK_INT(oci_propagation_from_name("", &f), -EINVAL);
  CHECK_INT(oci_propagation_from_name(NULL, &f), -EINVAL);
  CHECK_INT(f, 7);
}

TEST(mount_options_recursive_attrs)
{
  oci_mount m = { 0 };
  char *o[] = { "rbind", "rro", "rnosuid", "rnodev", "rnoexec", "rnosymfollow", "rnoatime", NULL };
  CHECK_INT(parse(&m, NULL, o), 0);
  CHECK_INT(m.attr_set, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                        MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NOSYMFOLLOW | MOUNT_ATTR_NOATIME);
  CHECK_INT(m.attr_clr, MOUNT_ATTR__ATIME);
  CHECK_INT(m.flags, MS_BIND | MS_REC);

  char *c[] = { "rro", "rrw", "rsuid", "rdev", "rexec", "rsymfollow", "rstrictatime", NULL };
  CHECK_INT(parse(&m, NULL, c), 0);
  CHECK_INT(m.attr_set, MOUNT_ATTR_STRICTATIME);
  CHECK_INT(m.attr_clr, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                        MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NOSYMFOLLOW | MOUNT_ATTR__ATIME);

  char *a[] = { "rnoatime", "rrelatime", NULL };
  CHECK_INT(parse(&m, NULL, a), 0);
  CHECK_INT(m.attr_set, MOUNT_ATTR_RELATIME);
  CHECK_INT(m.attr_clr, MOUNT_ATTR__ATIME);
  char *d[] = { "rnodiratime", NULL };
  CHECK_INT(parse(&m, NULL, d), 0);
  CHECK_INT(m.attr_set, MOUNT_ATTR_NODIRATIME);
  CHECK_INT(m.flags, 0);
}

TEST(mount_options_data_and_specials)
{
  oci_mount m = { 0 };
  char *o[] = { "nosuid", "mode=1777", "x-systemd.automount", "tmpcopyup", "size=65536k",
                "defaults", "", "idmap", "newinstance", NULL };
  CHECK_INT(parse(&m, "tmpfs", o), 0);
  CHECK_STR(m.data, "mode=1777,size=65536k,newinstance");
  CHECK(m.copy_up);
  CHECK(m.idmap && !m.ridmap);
  CHECK_INT(m.flags, MS_NOSUID);
  /* Parsing again resets everything. */
  CHECK_INT(parse(&m, "tmpfs", NULL), 0);
  CHECK(m.data == NULL);
  CHECK(!m.copy_up && !m.idmap);

  char *u[] = { "unknownopt", "ridmap", NULL };
  CHECK_INT(parse(&m, "tmpfs", u), 0);
  CHECK_STR(m.data, "unknownopt");
  CHECK(m.idmap && m.ridmap);
  free(m.data);
}
