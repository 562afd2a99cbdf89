/* Mount option strings of config.json -> mount(2) flags, propagation,
 * mount_setattr(2) attributes and the fs-specific data string. The option
 * set is the one runc and crun accept; later options override earlier ones
 * ("ro,rw" is rw), anything unknown is handed to the file system as data. */
#include "oci/config.h"
#include "util/cleanup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

/* Plain flags: set (ro) or clear (rw) an MS_* bit. */
typedef struct flag_opt {
  const char *name;
  bool clear;
  unsigned long flag;
} flag_opt;

static const flag_opt flag_opts[] = {
  { "ro", false, MS_RDONLY },          { "rw", true, MS_RDONLY },
  { "nosuid", false, MS_NOSUID },      { "suid", true, MS_NOSUID },
  { "nodev", false, MS_NODEV },        { "dev", true, MS_NODEV },
  { "noexec", false, MS_NOEXEC },      { "exec", true, MS_NOEXEC },
  { "sync", false, MS_SYNCHRONOUS },   { "async", true, MS_SYNCHRONOUS },
  { "dirsync", false, MS_DIRSYNC },
  { "remount", false, MS_REMOUNT },
  { "mand", false, MS_MANDLOCK },      { "nomand", true, MS_MANDLOCK },
  { "noatime", false, MS_NOATIME },    { "atime", true, MS_NOATIME },
  { "nodiratime", false, MS_NODIRATIME }, { "diratime", true, MS_NODIRATIME },
  { "relatime", false, MS_RELATIME },  { "norelatime", true, MS_RELATIME },
  { "strictatime", false, MS_STRICTATIME }, { "nostrictatime", true, MS_STRICTATIME },
  { "lazytime", false, MS_LAZYTIME },  { "nolazytime", true, MS_LAZYTIME },
  { "nosymfollow", false, MS_NOSYMFOLLOW }, { "symfollow", true, MS_NOSYMFOLLOW },
  { "iversion", false, MS_I_VERSION }, { "noiversion", true, MS_I_VERSION },
  { "silent", false, MS_SILENT },      { "loud", true, MS_SILENT },
};

/* Recursive attributes for mount_setattr(AT_RECURSIVE). An atime entry sets
 * one value of the 3-valued MOUNT_ATTR__ATIME field. */
typedef struct attr_opt {
  const char *name;
  bool clear;
  bool atime;
  uint64_t attr;
} attr_opt;

static const attr_opt attr_opts[] = {
  { "rro", false, false, MOUNT_ATTR_RDONLY },     { "rrw", true, false, MOUNT_ATTR_RDONLY },
  { "rnosuid", false, false, MOUNT_ATTR_NOSUID }, { "rsuid", true, false, MOUNT_ATTR_NOSUID },
  { "rnodev", false, false, MOUNT_ATTR_NODEV },   { "rdev", true, false, MOUNT_ATTR_NODEV },
  { "rnoexec", false, false, MOUNT_ATTR_NOEXEC }, { "rexec", true, false, MOUNT_ATTR_NOEXEC },
  { "rnodiratime", false, false, MOUNT_ATTR_NODIRATIME },
  { "rdiratime", true, false, MOUNT_ATTR_NODIRATIME },
  { "rnosymfollow", false, false, MOUNT_ATTR_NOSYMFOLLOW },
  { "rsymfollow", true, false, MOUNT_ATTR_NOSYMFOLLOW },
  { "rnoatime", false, true, MOUNT_ATTR_NOATIME },
  { "ratime", false, true, MOUNT_ATTR_RELATIME },
  { "rrelatime", false, true, MOUNT_ATTR_RELATIME },
  { "rnorelatime", false, true, MOUNT_ATTR_RELATIME },
  { "rstrictatime", false, true, MOUNT_ATTR_STRICTATIME },
  { "rnostrictatime", false, true, MOUNT_ATTR_RELATIME },
};

typedef struct prop_name {
  const char *name;
  unsigned long flags;
} prop_name;

static const prop_name prop_names[] = {
  { "shared", MS_SHARED },         { "rshared", MS_SHARED | MS_REC },
  { "private", MS_PRIVATE },       { "rprivate", MS_PRIVATE | MS_REC },
  { "slave", MS_SLAVE },           { "rslave", MS_SLAVE | MS_REC },
  { "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
};

int oci_propagation_from_name(const char *name, unsigned long *flags)
{
  for (size_t i = 0; name && i < sizeof prop_names / sizeof prop_names[0]; i++)
    if (strcmp(name, prop_names[i].name) == 0) {
      *flags = prop_names[i].flags;
      return 0;
    }
  return -EINVAL;
}

static int append_data(char **data, const char *opt)
{
  size_t old = *data ? strlen(*data) : 0, add = strlen(opt);
  char *n = realloc(*data, old + add + 2);
  if (!n)
    return -ENOMEM;
  if (old)
    n[old++] = ',';
  memcpy(n + old, opt, add + 1);
  *data = n;
  return 0;
}

static bool parse_flag(oci_mount *m, const char *o)
{
  for (size_t i = 0; i < sizeof flag_opts / sizeof flag_opts[0]; i++) {
    const flag_opt *f = &flag_opts[i];
    if (strcmp(o, f->name) != 0)
      continue;
    if (f->clear) {
      m->flags &= ~f->flag;
      m->clear_flags |= f->flag;
    } else {
      m->flags |= f->flag;
      m->clear_flags &= ~f->flag;
    }
    return true;
  }
  return false;
}

static bool parse_attr(oci_mount *m, const char *o)
{
  for (size_t i = 0; i < sizeof attr_opts / sizeof attr_opts[0]; i++) {
    const attr_opt *a = &attr_opts[i];
    if (strcmp(o, a->name) != 0)
      continue;
    if (a->atime) {
      /* The kernel wants the whole atime field cleared and one value set. */
      m->attr_clr |= MOUNT_ATTR__ATIME;
      m->attr_set = (m->attr_set & ~(uint64_t) MOUNT_ATTR__ATIME) | a->attr;
    } else if (a->clear) {
      m->attr_clr |= a->attr;
      m->attr_set &= ~a->attr;
    } else {
      m->attr_set |= a->attr;
      m->attr_clr &= ~a->attr;
    }
    return true;
  }
  return false;
}

int oci_mount_parse_options(oci_mount *m, cell_error *err)
{
  m->flags = m->clear_flags = m->propagation = 0;
  m->attr_set = m->attr_clr = 0;
  m->bind = m->copy_up = m->idmap = m->ridmap = false;
  free(m->data);
  m->data = NULL;

  if (m->type && strcmp(m->type, "bind") == 0) {
    m->bind = true;
    m->flags |= MS_BIND;
  }
  for (char **p = m->options; p && *p; p++) {
    const char *o = *p;
    unsigned long prop;
    if (*o == '\0' || strcmp(o, "defaults") == 0 || strncmp(o, "x-", 2) == 0)
      continue;
    if (parse_flag(m, o) || parse_attr(m, o))
      continue;
    if (strcmp(o, "bind") == 0) {
      m->bind = true;
      m->flags |= MS_BIND;
    } else if (strcmp(o, "rbind") == 0) {
      m->bind = true;
      m->flags |= MS_BIND | MS_REC;
    } else if (oci_propagation_from_name(o, &prop) == 0) {
      m->propagation = prop;
    } else if (strcmp(o, "tmpcopyup") == 0) {
      m->copy_up = true;
    } else if (strcmp(o, "idmap") == 0 || strcmp(o, "ridmap") == 0) {
      m->idmap = true;
      m->ridmap = m->ridmap || o[0] == 'r';
    } else if (append_data(&m->data, o) < 0) {
      return cell_error_set(err, ENOMEM, "mount `%s`: option `%s`: out of memory",
                            m->destination ? m->destination : "?", o);
    }
  }
  return 0;
}
