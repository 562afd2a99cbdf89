/* /dev of the container: the default devices (null zero full random urandom
 * tty), linux.devices, the /dev symlinks, /dev/ptmx -> pts/ptmx and /dev/shm.
 * Device nodes are made with mknod, or, in a new user namespace where mknod
 * is not allowed, bind-mounted from the host's device of the same path, as
 * runc does. Skipped when /dev itself is a bind mount of config.json. */
#include "linux/fs-internal.h"
#include "util/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static const oci_device default_devices[] = {
  { (char *) "/dev/null", 'c', 1, 3, true, 0666, false, false, 0, 0 },
  { (char *) "/dev/zero", 'c', 1, 5, true, 0666, false, false, 0, 0 },
  { (char *) "/dev/full", 'c', 1, 7, true, 0666, false, false, 0, 0 },
  { (char *) "/dev/random", 'c', 1, 8, true, 0666, false, false, 0, 0 },
  { (char *) "/dev/urandom", 'c', 1, 9, true, 0666, false, false, 0, 0 },
  { (char *) "/dev/tty", 'c', 5, 0, true, 0666, false, false, 0, 0 },
};

static const struct { const char *name, *target; } dev_links[] = {
  { "fd", "/proc/self/fd" },
  { "stdin", "/proc/self/fd/0" },
  { "stdout", "/proc/self/fd/1" },
  { "stderr", "/proc/self/fd/2" },
};

static mode_t dev_type(char t)
{
  switch (t) {
  case 'b': return S_IFBLK;
  case 'p': return S_IFIFO;
  default: return S_IFCHR;
  }
}

/* Split path into a parent fd (created as needed) and the last name. */
static int open_parent(int rootfd, const char *path, char **name, cell_error *err)
{
  _cleanup_free_ char *dir = strdup(path);
  if (!dir)
    return cell_error_set(err, ENOMEM, "out of memory");
  char *slash = strrchr(dir, '/');
  if (!slash || !slash[1])
    return cell_error_set(err, EINVAL, "bad device path");
  *name = strdup(slash + 1);
  if (!*name)
    return cell_error_set(err, ENOMEM, "out of memory");
  *slash = '\0';
  int fd = fs_mkpath_in_root(rootfd, *dir ? dir : "/", true, err);
  if (fd < 0) {
    free(*name);
    *name = NULL;
  }
  return fd;
}

/* config-linux.md: "If a file already exists at path that does not match
 * the requested device, the runtime MUST generate an error." The same
 * device there is kept; in a user namespace only an empty regular file
 * (a mount point left by an earlier bind) is taken. */
static int check_existing(int pfd, const char *name, const oci_device *d, bool in_userns,
                          bool *same, cell_error *err)
{
  struct stat st;
  *same = false;
  if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : cell_error_sys(err, "stat");
  if (in_userns && S_ISREG(st.st_mode) && st.st_size == 0)
    return 0;
  if ((st.st_mode & S_IFMT) == dev_type(d->type) &&
      (d->type == 'p' || st.st_rdev == makedev((unsigned) d->major, (unsigned) d->minor))) {
    *same = !in_userns;
    return 0;
  }
  return cell_error_set(err, EEXIST, "a file that is not this device is there");
}

/* The name of path when it is right below /dev ("/dev/NAME"), else NULL. */
static const char *name_in_dev(const char *path)
{
  if (strncmp(path, "/dev/", 5) != 0)
    return NULL;
  const char *n = path + 5;
  if (!*n || strchr(n, '/') || strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
    return NULL;
  return n;
}

/* tree >= 0: the node the runtime made for a user namespace (devnodes.c).
 * devfd: /dev of the rootfs, used when the device is right below it. */
static int create_device(int rootfd, int devfd, const oci_device *d, bool in_userns, bool check,
                         int tree, cell_error *err)
{
  _cleanup_free_ char *dname = NULL;
  _cleanup_close_ int opened = -1;
  const char *name = name_in_dev(d->path);
  int pfd = devfd;
  if (!name) {
    if ((opened = open_parent(rootfd, d->path, &dname, err)) < 0)
      return opened;
    pfd = opened;
    name = dname;
  }
  mode_t perm = d->has_file_mode ? (d->file_mode & 07777) : 0666;
  bool same = false;
  int r;
  if (check && (r = check_existing(pfd, name, d, in_userns, &same, err)) < 0)
    return r;

  if (in_userns && tree >= 0) {
    /* An empty file with the runtime's node attached over it. */
    if (mknodat(pfd, name, S_IFREG | 0644, 0) < 0 && errno != EEXIST)
      return cell_error_sys(err, "create mount point");
    _cleanup_close_ int tfd = openat(pfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (tfd < 0)
      return cell_error_sys(err, "open mount point");
    if (move_mount(tree, "", tfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
      return cell_error_sys(err, "attach the device node");
    return 0;
  }
  if (in_userns) {
    /* An empty file with the host's device bound over it. */
    _cleanup_close_ int src = open(d->path, O_PATH | O_CLOEXEC);
    if (src < 0)
      return cell_error_sys(err, "open host device `%s`", d->path);
    if (mknodat(pfd, name, S_IFREG | 0644, 0) < 0 && errno != EEXIST)
      return cell_error_sys(err, "create mount point");
    _cleanup_close_ int tfd = openat(pfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (tfd < 0)
      return cell_error_sys(err, "open mount point");
    char sp[32], tp[32];
    if (mount(fs_fd_path(sp, sizeof sp, src), fs_fd_path(tp, sizeof tp, tfd), NULL, MS_BIND,
              NULL) < 0)
      return cell_error_sys(err, "bind host device");
    return 0;
  }

  dev_t rdev = makedev((unsigned) d->major, (unsigned) d->minor);
  mode_t type = dev_type(d->type);
  if (!same && mknodat(pfd, name, type | perm, rdev) < 0) {
    if (errno != EEXIST)
      return cell_error_sys(err, "mknod");
    /* Replace what is there (a file of the image, a stale node). */
    if (unlinkat(pfd, name, 0) < 0 || mknodat(pfd, name, type | perm, rdev) < 0)
      return cell_error_sys(err, "mknod");
  }
  if (fchmodat(pfd, name, perm, 0) < 0)
    return cell_error_sys(err, "chmod");
  if (fchownat(pfd, name, d->has_uid ? d->uid : 0, d->has_gid ? d->gid : 0,
               AT_SYMLINK_NOFOLLOW) < 0)
    return cell_error_sys(err, "chown");
  return 0;
}

static bool dev_is_bind_mounted(const oci_config *c)
{
  for (size_t i = 0; i < c->n_mounts; i++) {
    const char *d = c->mounts[i].destination;
    while (d[0] == '/' && d[1] == '/')
      d++;
    if (c->mounts[i].bind && (strcmp(d, "/dev") == 0 || strcmp(d, "/dev/") == 0))
      return true;
  }
  return false;
}

static bool listed(const oci_config *c, const char *path)
{
  for (size_t i = 0; i < c->linux.n_devices; i++)
    if (strcmp(c->linux.devices[i].path, path) == 0)
      return true;
  return false;
}

int fs_setup_dev(int rootfd, const oci_config *c, const linux_rootfs_opts *o, cell_error *err)
{
  if (dev_is_bind_mounted(c))
    return 0;
  /* Opened once for the nodes and links right below it. */
  _cleanup_close_ int devfd = fs_mkpath_in_root(rootfd, "/dev", true, err);
  if (devfd < 0)
    return devfd;
  int r;
  for (size_t i = 0; i < sizeof default_devices / sizeof default_devices[0]; i++) {
    const oci_device *d = &default_devices[i];
    if (!listed(c, d->path) &&
        (r = create_device(rootfd, devfd, d, o->in_userns, false, -1, err)) < 0)
      return cell_error_wrap(err, "default device `%s`", d->path);
  }
  for (size_t i = 0; i < c->linux.n_devices; i++) {
    const oci_device *d = &c->linux.devices[i];
    int tree = o->idmap && i < o->idmap->n_dev ? o->idmap->dev_fd[i] : -1;
    if ((r = create_device(rootfd, devfd, d, o->in_userns, true, tree, err)) < 0)
      return cell_error_wrap(err, "linux.devices[%zu] `%s`", i, d->path);
  }

  for (size_t i = 0; i < sizeof dev_links / sizeof dev_links[0]; i++)
    if (symlinkat(dev_links[i].target, devfd, dev_links[i].name) < 0 && errno != EEXIST)
      return cell_error_sys(err, "symlink `/dev/%s`", dev_links[i].name);
  if (access("/proc/kcore", F_OK) == 0 && symlinkat("/proc/kcore", devfd, "core") < 0 &&
      errno != EEXIST)
    return cell_error_sys(err, "symlink `/dev/core`");

  /* The pty multiplexer of the container's own devpts instance, in place
   * of any /dev/ptmx there. */
  if (symlinkat("pts/ptmx", devfd, "ptmx") < 0 &&
      (errno != EEXIST || unlinkat(devfd, "ptmx", 0) < 0 ||
       symlinkat("pts/ptmx", devfd, "ptmx") < 0))
    return cell_error_sys(err, "symlink `/dev/ptmx`");

  if (mkdirat(devfd, "shm", 01777) < 0) {
    if (errno != EEXIST)
      return cell_error_sys(err, "mkdir `/dev/shm`");
  } else if (fchmodat(devfd, "shm", 01777, 0) < 0) {
    return cell_error_sys(err, "chmod `/dev/shm`");
  }
  return 0;
}
