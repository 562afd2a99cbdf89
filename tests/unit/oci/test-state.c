/* The state store: ids, atomic state, status after death and pid reuse. */
#include "unit.h"
#include "runtime/container.h"
#include "runtime/state.h"
#include "util/fs.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

TEST(id_check)
{
  cell_error err = CELL_ERROR_INIT;
  CHECK(cell_id_check("abc-1.2_x+y", &err) == 0);
  CHECK(cell_id_check("", &err) == -EINVAL);
  CHECK_STR(err.msg, "container id must not be empty");
  CHECK(cell_id_check("..", &err) == -EINVAL);
  CHECK(cell_id_check("a/b", &err) == -EINVAL);
  CHECK_STR(err.msg, "invalid container id `a/b`: no `/`, `.` or `..`");
  CHECK(cell_id_check("a b", &err) == -EINVAL);
  cell_error_clear(&err);
}

TEST(store_create_twice_refused_and_status)
{
  char root[] = "/tmp/cell-unit-state.XXXXXX";
  CHECK(mkdtemp(root) != NULL);
  cell_error err = CELL_ERROR_INIT;
  cell_store s, s2;
  CHECK_INT(cell_store_create(&s, root, "c1", &err), 0);
  CHECK_INT(cell_store_create(&s2, root, "c1", &err), -EEXIST);
  CHECK_STR(err.msg, "container `c1` already exists");
  cell_store_close(&s2);

  /* A live process: status as recorded. */
  pid_t child = fork();
  if (child == 0) {
    pause();
    _exit(0);
  }
  cell_state st = { .id = "c1", .bundle = "/b", .pid = child, .recorded = CELL_RUNNING,
                    .start_time = cell_proc_start_time(child, NULL) };
  CHECK_INT(cell_state_write(&s, &st, &err), 0);
  cell_state back;
  CHECK_INT(cell_state_read(&s, &back, &err), 0);
  CHECK_INT(back.pid, child);
  CHECK_INT(cell_state_status(&back), CELL_RUNNING);
  /* Same pid, another start time: a reused pid is not our container. */
  back.start_time += 1;
  CHECK_INT(cell_state_status(&back), CELL_STOPPED);
  back.start_time -= 1;
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
  CHECK_INT(cell_state_status(&back), CELL_STOPPED);
  cell_state_clear(&back);
  CHECK_INT(cell_store_destroy(&s, &err), 0);
  struct stat sb;
  char dir[256];
  snprintf(dir, sizeof dir, "%s/c1", root);
  CHECK(stat(dir, &sb) < 0 && errno == ENOENT);
  rmdir(root);
  cell_error_clear(&err);
}

/* run's delete trusts the state it wrote while state.json is that file;
 * any later write, by anyone, replaces it. And a store unlocked and
 * locked again through its dir fd sees its dir deleted meanwhile. */
TEST(state_kept_until_replaced_and_relock)
{
  char root[] = "/tmp/cell-unit-state.XXXXXX";
  CHECK(mkdtemp(root) != NULL);
  cell_error err = CELL_ERROR_INIT;
  cell_store s, other;
  CHECK_INT(cell_store_create(&s, root, "k1", &err), 0);
  cell_state st = { .id = "k1", .bundle = "/b", .recorded = CELL_CREATING };
  CHECK_INT(cell_state_write(&s, &st, &err), 0);
  st.recorded = CELL_RUNNING;
  int kept = -1;
  CHECK_INT(cell_state_write_kept(&s, &st, &kept, &err), 0);
  CHECK(kept >= 0);
  CHECK(cell_state_is_kept(&s, kept));
  CHECK(!cell_state_is_kept(&s, -1));
  /* Written again (pause, a delete begun), the same text or not. */
  CHECK_INT(cell_state_write(&s, &st, &err), 0);
  CHECK(!cell_state_is_kept(&s, kept));
  close(kept);
  /* Deleted (and made again) while unlocked: the relock says it is gone. */
  CHECK_INT(flock(s.dirfd, LOCK_UN), 0);
  CHECK_INT(cell_store_open(&other, root, "k1", &err), 0);
  CHECK_INT(cell_store_destroy(&other, &err), 0);
  CHECK_INT(cell_store_create(&other, root, "k1", &err), 0);
  cell_store_close(&other);
  CHECK_INT(cell_store_relock(&s, &err), -ENOENT);
  CHECK_STR(err.msg, "container `k1` does not exist");
  cell_store_close(&s);
  CHECK_INT(cell_store_open(&s, root, "k1", &err), 0);
  CHECK_INT(cell_store_destroy(&s, &err), 0);
  rmdir(root);
  cell_error_clear(&err);
}

TEST(signal_names)
{
  CHECK_INT(cell_signal_parse("TERM"), SIGTERM);
  CHECK_INT(cell_signal_parse("SIGKILL"), SIGKILL);
  CHECK_INT(cell_signal_parse("sigusr1"), SIGUSR1);
  CHECK_INT(cell_signal_parse("9"), 9);
  CHECK_INT(cell_signal_parse("RTMIN+2"), SIGRTMIN + 2);
  CHECK(cell_signal_parse("NOPE") < 0);
  CHECK(cell_signal_parse("0") < 0);
  CHECK(cell_signal_parse("999") < 0);
}

/* state.json as a file: what cell_state_read makes of what is in it. */
static int read_text(const char *root, const char *text, cell_state *st, cell_error *err)
{
  cell_store s;
  char path[256];
  snprintf(path, sizeof path, "%s/c2/state.json", root);
  int r = cell_store_create(&s, root, "c2", err);
  if (r == 0 && (r = cell_write_file_atomic(path, text, strlen(text), 0600, err)) == 0)
    r = cell_state_read(&s, st, err);
  cell_error e2 = CELL_ERROR_INIT;
  if (cell_store_destroy(&s, &e2) < 0)
    r = -EIO;
  cell_error_clear(&e2);
  return r;
}

TEST(state_read_keeps_extras_and_names_corruption)
{
  char root[] = "/tmp/cell-unit-state.XXXXXX";
  CHECK(mkdtemp(root) != NULL);
  cell_error err = CELL_ERROR_INIT;
  cell_state st;
  /* extra and annotations come back as they were written */
  CHECK_INT(read_text(root, "{\"id\":\"c2\",\"pid\":7,\"startTime\":18446744073709551615,"
                      "\"recorded\":\"created\",\"ownPidns\":true,\"annotations\":{\"a\":\"\\u00e9\"},"
                      "\"extra\":{\"cgroup\":{\"dirs\":[1,2.5,null]},\"s\":\"x\"}}", &st, &err), 0);
  CHECK_STR(st.id, "c2");
  CHECK_INT(st.pid, 7);
  CHECK_INT(st.recorded, CELL_CREATED);
  CHECK(st.own_pidns);
  CHECK(st.start_time == UINT64_MAX);
  CHECK_STR(json_string_value(json_object_get(st.annotations, "a")), "\xc3\xa9");
  json_t *want = json_loads("{\"cgroup\":{\"dirs\":[1,2.5,null]},\"s\":\"x\"}", 0, NULL);
  CHECK(json_equal(st.extra, want));
  json_decref(want);
  cell_state_clear(&st);
  /* a syntax error: the file, line and column */
  CHECK_INT(read_text(root, "{\"id\":\"c2\",\n \"pid\": 7,,\n}", &st, &err), -EINVAL);
  char *prefix = NULL;
  CHECK(asprintf(&prefix, "corrupt state: %s/c2/state.json:2:11: ", root) > 0);
  CHECK(err.msg && strncmp(err.msg, prefix, strlen(prefix)) == 0);
  free(prefix);
  cell_error_clear(&err);
  /* valid JSON that is no state */
  CHECK_INT(read_text(root, "[1]", &st, &err), -EINVAL);
  CHECK(asprintf(&prefix, "%s/c2/state.json: corrupt state: expected an object, not array", root) > 0);
  CHECK_STR(err.msg, prefix);
  free(prefix);
  cell_error_clear(&err);
  /* an extra jansson cannot hold (above INT64_MAX): refused, naming where */
  CHECK_INT(read_text(root, "{\"id\":\"c2\",\"extra\":{\"n\":18446744073709551615}}", &st, &err),
            -EOVERFLOW);
  CHECK(err.msg && strstr(err.msg, "state.json: corrupt state: 1:25: integer 18446744073709551615"));
  CHECK(st.extra == NULL && st.annotations == NULL && st.id == NULL);
  cell_error_clear(&err);
  rmdir(root);
}

/* state.json as jansson composed it before the compact writer: the tree of
 * cell_state_json with the record's fields set on it, json_dumps'd. */
static char *old_state_text(const cell_state *st)
{
  json_t *o = cell_state_json(st, st->recorded, true);
  json_object_set_new(o, "startTime", json_integer((json_int_t) st->start_time));
  json_object_set_new(o, "recorded", json_string(cell_status_name(st->recorded)));
  json_object_set_new(o, "ownPidns", json_boolean(st->own_pidns));
  json_object_set_new(o, "pid", json_integer(st->pid));
  if (st->extra)
    json_object_set(o, "extra", st->extra);
  char *text = json_dumps(o, JSON_COMPACT);
  json_decref(o);
  return text;
}

static bool same_state_texts(const char *root, const cell_state *st)
{
  bool ok = true;
  cell_error err = CELL_ERROR_INIT;
  cell_store s;
  char *want = old_state_text(st), *got = NULL;
  size_t len;
  if (cell_store_create(&s, root, "c3", &err) < 0 || cell_state_write(&s, st, &err) < 0 ||
      cell_read_file_at(s.dirfd, "state.json", &got, &len, &err) < 0 || !want ||
      strcmp(want, got) != 0) {
    fprintf(stderr, "  state.json: jansson `%s`, cell `%s` (%s)\n", want ? want : "(none)",
            got ? got : "(none)", err.msg ? err.msg : "");
    ok = false;
  }
  free(want);
  free(got);
  for (cell_status status = CELL_CREATING; status <= CELL_PAUSED; status++)
    for (int with_extra = 0; with_extra < 2; with_extra++) {
      json_t *o = cell_state_json(st, status, with_extra);
      want = json_dumps(o, JSON_COMPACT);
      json_decref(o);
      got = cell_state_json_string(st, status, with_extra);
      if (!want || !got || strcmp(want, got) != 0) {
        fprintf(stderr, "  state %d/%d: jansson `%s`, cell `%s`\n", (int) status, with_extra,
                want ? want : "(none)", got ? got : "(none)");
        ok = false;
      }
      free(want);
      free(got);
    }
  cell_store_destroy(&s, &err);
  cell_error_clear(&err);
  return ok;
}

TEST(state_texts_are_what_jansson_wrote)
{
  char root[] = "/tmp/cell-unit-state.XXXXXX";
  CHECK(mkdtemp(root) != NULL);
  cell_state st = { .id = "c3", .bundle = "/b \"q\"\n\xc3\xa9", .rootfs = "/r", .created = "2026-12-07T20:00:00Z",
                    .oci_version = "1.0.2-dev", .pid = 42, .start_time = UINT64_MAX,
                    .recorded = CELL_STOPPED, .own_pidns = true };
  st.annotations = json_loads("{\"a\":\"\\u0001\\u00e9\",\"b\":\"\"}", 0, NULL);
  st.extra = json_loads("{\"cgroup\":{\"mode\":\"v1\",\"dirs\":[{\"v2\":false,\"n\":-3},[],{}]},"
                        "\"execStub\":true}", 0, NULL);
  CHECK(same_state_texts(root, &st));
  /* no annotations (an empty object counts as none), no extra, nothing optional */
  json_decref(st.annotations);
  st.annotations = json_object();
  json_decref(st.extra);
  st.extra = NULL;
  st.rootfs = st.created = st.oci_version = NULL;
  st.recorded = CELL_RUNNING;
  st.own_pidns = false;
  st.start_time = 12345;
  CHECK(same_state_texts(root, &st));
  /* a bundle path that is not UTF-8 is left out, as jansson's tree left it */
  st.bundle = "/b\xff";
  CHECK(same_state_texts(root, &st));
  json_decref(st.annotations);
  rmdir(root);
}
