#include "runtime/state.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json-jansson.h"
#include "util/json.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *const status_names[] = { "creating", "created", "running", "stopped",
                                            "paused" };

const char *cell_status_name(cell_status s) { return status_names[s]; }

int cell_id_check(const char *id, cell_error *err)
{
  if (!id || !*id)
    return cell_error_set(err, EINVAL, "container id must not be empty");
  if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0 || strchr(id, '/'))
    return cell_error_set(err, EINVAL, "invalid container id `%s`: no `/`, `.` or `..`", id);
  if (strlen(id) > 1024)
    return cell_error_set(err, EINVAL, "invalid container id: longer than 1024 characters");
  for (const char *c = id; *c; c++)
    if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
          strchr("_.+-", *c)))
      return cell_error_set(err, EINVAL,
                            "invalid container id `%s`: only letters, digits and `_.+-`", id);
  return 0;
}

static int store_init(cell_store *s, const char *root, const char *id, cell_error *err)
{
  memset(s, 0, sizeof *s);
  s->dirfd = -1;
  int r = cell_id_check(id, err);
  if (r < 0)
    return r;
  s->root = strdup(root);
  s->id = strdup(id);
  if (!s->root || !s->id || asprintf(&s->dir, "%s/%s", root, id) < 0)
    return cell_error_set(err, ENOMEM, "out of memory");
  return 0;
}

static int lock_dir(cell_store *s, cell_error *err)
{
  s->has_state = true;   /* an existing container's (create clears it) */
  s->dirfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (s->dirfd < 0) {
    if (errno == ENOENT)
      return cell_error_set(err, ENOENT, "container `%s` does not exist", s->id);
    return cell_error_sys(err, "open state dir `%s`", s->dir);
  }
  return cell_store_relock(s, err);
}

int cell_store_relock(cell_store *s, cell_error *err)
{
  if (flock(s->dirfd, LOCK_EX) < 0)
    return cell_error_sys(err, "lock state dir `%s`", s->dir);
  /* Deleted while we waited for the lock? */
  struct stat st;
  if (fstat(s->dirfd, &st) < 0 || st.st_nlink == 0)
    return cell_error_set(err, ENOENT, "container `%s` does not exist", s->id);
  return 0;
}

int cell_store_create(cell_store *s, const char *root, const char *id, cell_error *err)
{
  int r = store_init(s, root, id, err);
  if (r < 0)
    return r;
  /* The root is made only when missing (its first use). */
  int made = mkdir(s->dir, 0700);
  if (made < 0 && errno == ENOENT) {
    if ((r = cell_mkdir_p(root, 0700, err)) < 0)
      return cell_error_wrap(err, "state root");
    made = mkdir(s->dir, 0700);
  }
  if (made < 0) {
    if (errno == EEXIST)
      return cell_error_set(err, EEXIST, "container `%s` already exists", id);
    return cell_error_sys(err, "create state dir `%s`", s->dir);
  }
  if ((r = lock_dir(s, err)) < 0) {
    rmdir(s->dir);
    return r;
  }
  s->has_state = false;
  return 0;
}

int cell_store_open(cell_store *s, const char *root, const char *id, cell_error *err)
{
  int r = store_init(s, root, id, err);
  if (r < 0)
    return r;
  return lock_dir(s, err);
}

int cell_store_open_read(cell_store *s, const char *root, const char *id, cell_error *err)
{
  int r = store_init(s, root, id, err);
  if (r < 0)
    return r;
  s->dirfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (s->dirfd < 0) {
    if (errno == ENOENT)
      return cell_error_set(err, ENOENT, "container `%s` does not exist", id);
    return cell_error_sys(err, "open state dir `%s`", s->dir);
  }
  return 0;
}

int cell_store_open_state(cell_store *s, cell_state *st, const char *root, const char *id,
                          cell_error *err)
{
  memset(st, 0, sizeof *st);
  int r = cell_store_open(s, root, id, err);
  if (r < 0)
    return r;
  return cell_state_read(s, st, err);
}

int cell_store_destroy(cell_store *s, cell_error *err)
{
  int r = 0;
  if (s->dir)
    r = cell_rm_rf(s->dir, err);
  cell_store_close(s);
  return r;
}

void cell_store_close(cell_store *s)
{
  if (s->dirfd >= 0)
    close(s->dirfd);
  s->dirfd = -1;
  free(s->root);
  free(s->id);
  free(s->dir);
  s->root = s->id = s->dir = NULL;
}

char *cell_store_path(const cell_store *s, const char *name)
{
  char *p = NULL;
  if (asprintf(&p, "%s/%s", s->dir, name) < 0)
    return NULL;
  return p;
}

json_t *cell_state_json(const cell_state *st, cell_status status, bool with_extra)
{
  json_t *o = json_object();
  json_object_set_new(o, "ociVersion", json_string(st->oci_version ? st->oci_version : "1.2.0"));
  json_object_set_new(o, "id", json_string(st->id));
  json_object_set_new(o, "pid", json_integer(status == CELL_STOPPED ? 0 : st->pid));
  json_object_set_new(o, "status", json_string(cell_status_name(status)));
  json_object_set_new(o, "bundle", json_string(st->bundle));
  if (with_extra) {
    json_object_set_new(o, "rootfs", json_string(st->rootfs ? st->rootfs : ""));
    json_object_set_new(o, "created", json_string(st->created ? st->created : ""));
    json_object_set_new(o, "owner", json_string(""));
  }
  if (st->annotations && json_object_size(st->annotations))
    json_object_set(o, "annotations", st->annotations);
  return o;
}

/* state.json and the state of the runtime spec are written straight from
 * the struct by util's compact writer, byte for byte what json_dumps(...,
 * JSON_COMPACT) made of cell_state_json's tree (three writes and two hook
 * states a `run`: jansson's encoder cost ~0.2M instructions each). */

/* "KEY": with its comma; the keys are plain ASCII. */
static void key(cell_jout *o, const char *k)
{
  if (o->len > 1)
    cell_jout_raw(o, ",", 1);
  cell_jout_raw(o, "\"", 1);
  cell_jout_raw(o, k, strlen(k));
  cell_jout_raw(o, "\":", 2);
}

/* A string member; absent when v is NULL or not UTF-8, as
 * json_object_set_new(o, k, json_string(v)) leaves it. */
static void str_member(cell_jout *o, const char *k, const char *v)
{
  size_t n = v ? strlen(v) : 0;
  if (!v || !cell_utf8_valid(v, n))
    return;
  key(o, k);
  cell_jout_string(o, v, n);
}

/* record: state.json (cell_state_write), else the spec's state. */
static char *state_text(const cell_state *st, cell_status status, bool with_extra, bool record,
                        size_t *len)
{
  cell_jout o = { 0 };
  cell_jout_raw(&o, "{", 1);
  str_member(&o, "ociVersion", st->oci_version ? st->oci_version : "1.2.0");
  str_member(&o, "id", st->id);
  key(&o, "pid");
  cell_jout_int(&o, record || status != CELL_STOPPED ? st->pid : 0);
  str_member(&o, "status", cell_status_name(status));
  str_member(&o, "bundle", st->bundle);
  if (with_extra) {
    str_member(&o, "rootfs", st->rootfs ? st->rootfs : "");
    str_member(&o, "created", st->created ? st->created : "");
    str_member(&o, "owner", "");
  }
  if (st->annotations && json_object_size(st->annotations)) {
    key(&o, "annotations");
    cell_jout_value(&o, st->annotations);
  }
  if (record) {
    key(&o, "startTime");
    cell_jout_int(&o, (long long) (json_int_t) st->start_time);
    str_member(&o, "recorded", cell_status_name(st->recorded));
    key(&o, "ownPidns");
    cell_jout_raw(&o, st->own_pidns ? "true" : "false", st->own_pidns ? 4 : 5);
    if (st->extra) {
      key(&o, "extra");
      cell_jout_value(&o, st->extra);
    }
  }
  cell_jout_raw(&o, "}", 1);
  return cell_jout_take(&o, len);
}

char *cell_state_json_string(const cell_state *st, cell_status status, bool with_extra)
{
  return state_text(st, status, with_extra, false, NULL);
}

int cell_state_write(cell_store *s, const cell_state *st, cell_error *err)
{
  int fd = -1;
  int r = cell_state_write_kept(s, st, &fd, err);
  if (fd >= 0)
    close(fd);
  return r;
}

int cell_state_write_kept(cell_store *s, const cell_state *st, int *kept, cell_error *err)
{
  size_t len;
  *kept = -1;
  char *text = state_text(st, st->recorded, true, true, &len);
  if (!text)
    return cell_error_set(err, ENOMEM, "serialise state");
  /* A regular file of ours in the locked dir: exchanged with the last
   * one, or renamed into place by the first write of create. */
  int r = cell_replace_file_at_kept(s->dirfd, s->dir, "state.json", text, len, 0600,
                                    s->has_state, kept, err);
  free(text);
  if (r >= 0)
    s->has_state = true;
  return r;
}

bool cell_state_is_kept(const cell_store *s, int kept)
{
  struct stat a, b;
  return kept >= 0 && fstat(kept, &a) == 0 && fstatat(s->dirfd, "state.json", &b, 0) == 0 &&
         a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static char *dup_member(const cell_jv *o, const char *k)
{
  const char *v = cell_jv_str(cell_jv_get(o, k));
  return v ? strdup(v) : NULL;
}

/* A member kept as a jansson tree (annotations, extra: written back as they
 * are); NULL when absent. */
static int keep_member(const cell_jv *o, const char *k, json_t **out, cell_error *err)
{
  const cell_jv *v = cell_jv_get(o, k);
  *out = NULL;
  return v ? cell_jv_to_json(v, out, err) : 0;
}

int cell_state_read(const cell_store *s, cell_state *st, cell_error *err)
{
  memset(st, 0, sizeof *st);
  _cleanup_free_ char *path = cell_store_path(s, "state.json");
  _cleanup_free_ char *text = NULL;
  size_t len;
  int r = cell_read_file(path, &text, &len, err);
  if (r < 0) {
    if (r == -ENOENT)
      return cell_error_set(err, ENOENT, "container `%s` is still being created or "
                            "was left half-made (no state.json)", s->id);
    return r;
  }
  _cleanup_jdoc_ cell_jdoc *doc = NULL;
  if ((r = cell_json_parse(path, text, len, &doc, err)) < 0)
    return r == -EINVAL ? cell_error_wrap(err, "corrupt state") : r;
  const cell_jv *o = cell_jdoc_root(doc);
  if (!cell_jv_is_object(o))
    return cell_error_set(err, EINVAL, "%s: corrupt state: expected an object, not %s", path,
                          cell_jv_type_name(o));
  if ((r = keep_member(o, "annotations", &st->annotations, err)) < 0 ||
      (r = keep_member(o, "extra", &st->extra, err)) < 0) {
    cell_state_clear(st);
    return cell_error_wrap(err, "%s: corrupt state", path);
  }
  st->id = dup_member(o, "id");
  st->bundle = dup_member(o, "bundle");
  st->rootfs = dup_member(o, "rootfs");
  st->created = dup_member(o, "created");
  st->oci_version = dup_member(o, "ociVersion");
  st->pid = (pid_t) cell_jv_int(cell_jv_get(o, "pid"));
  if (!cell_jv_u64(cell_jv_get(o, "startTime"), &st->start_time))
    st->start_time = 0;
  st->own_pidns = cell_jv_is_true(cell_jv_get(o, "ownPidns"));
  const char *rec = cell_jv_str(cell_jv_get(o, "recorded"));
  st->recorded = CELL_CREATING;
  for (int i = 0; rec && i <= CELL_PAUSED; i++)
    if (strcmp(rec, status_names[i]) == 0)
      st->recorded = (cell_status) i;
  return 0;
}

void cell_state_clear(cell_state *st)
{
  free(st->id);
  free(st->bundle);
  free(st->rootfs);
  free(st->created);
  free(st->oci_version);
  json_decref(st->annotations);
  json_decref(st->extra);
  memset(st, 0, sizeof *st);
}

uint64_t cell_proc_start_time(pid_t pid, char *state_char)
{
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", (int) pid);
  _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  if (n <= 0)
    return 0;
  buf[n] = '\0';
  /* comm may hold spaces and parens: fields start after the last ')'. */
  char *p = strrchr(buf, ')');
  if (!p)
    return 0;
  p += 2;
  if (state_char)
    *state_char = *p;
  /* p is field 3 (state); start time is field 22. */
  for (int field = 3; field < 22 && p; field++) {
    p = strchr(p, ' ');
    if (p)
      p++;
  }
  return p ? strtoull(p, NULL, 10) : 0;
}

cell_status cell_state_status(const cell_state *st)
{
  if (st->pid <= 0)
    return st->recorded == CELL_CREATING ? CELL_CREATING : CELL_STOPPED;
  char state = 0;
  uint64_t t = cell_proc_start_time(st->pid, &state);
  if (t == 0 || t != st->start_time || state == 'Z' || state == 'X')
    return CELL_STOPPED;
  return st->recorded;
}

int cell_state_pidfd(const cell_state *st, cell_error *err)
{
  if (st->pid <= 0)
    return cell_error_set(err, ESRCH, "container `%s` has no process", st->id);
  int fd = (int) syscall(SYS_pidfd_open, st->pid, 0);
  if (fd < 0) {
    if (errno == ESRCH)
      return cell_error_set(err, ESRCH, "container `%s` is not running", st->id);
    return cell_error_sys(err, "pidfd_open %d", (int) st->pid);
  }
  /* The pidfd pins the process; if the start time still matches now, it is
   * the container's and not a reused pid. */
  char state = 0;
  if (cell_proc_start_time(st->pid, &state) != st->start_time || state == 'Z') {
    close(fd);
    return cell_error_set(err, ESRCH, "container `%s` is not running", st->id);
  }
  return fd;
}
