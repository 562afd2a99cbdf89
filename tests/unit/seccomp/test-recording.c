/* Recordings (seccomp/recording.h): accumulate, merge, the file format,
 * the recording filter and the profile a recording becomes (compiled and
 * held against what was recorded). */
#include "unit.h"
#include "jv.h"
#include "helpers.h"
#include "seccomp/analyze.h"
#include "seccomp/explain.h"
#include "seccomp/lang/lang.h"
#include "seccomp/recording.h"
#include "seccomp/table.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

static uint32_t nr_of(const char *arch, const char *name)
{
  return (uint32_t) cell_sc_syscall_nr(cell_sc_arch_by_name(arch), cell_sc_syscall_lookup(name));
}

static uint32_t audit_of(const char *arch)
{
  return cell_sc_arch_by_name(arch)->audit;
}

static void call(cell_sc_recording *r, const char *arch, const char *name, uint64_t a0, uint64_t a1,
                 uint64_t a2)
{
  uint64_t args[6] = { a0, a1, a2, 0, 0, 0 };
  cell_sc_rec_add(r, audit_of(arch), nr_of(arch, name), args, true, CELL_SC_RET_ALLOW, false);
}

static cell_sc_recording *new_rec(void)
{
  cell_sc_recording *r = malloc(sizeof *r);
  cell_sc_rec_init(r);
  return r;
}

TEST(recording_counts_values_and_denials)
{
  cell_sc_recording *r = new_rec();
  for (int i = 0; i < 3; i++)
    call(r, "x86_64", "read", 3, 0x1000, 4096);
  call(r, "x86_64", "fcntl", 3, 1 /* F_GETFD */, 0);
  call(r, "x86_64", "fcntl", 3, 2 /* F_SETFD */, 1);
  call(r, "x86_64", "fcntl", 4, 2, 1);
  call(r, "x86_64", "socket", 1, 0x80001, 0);
  uint64_t args[6] = { 16, 3, 9 };
  cell_sc_rec_add(r, audit_of("x86_64"), nr_of("x86_64", "socket"), args, true,
                  CELL_SC_RET_ERRNO | EINVAL, true);
  /* x32 calls arrive with the x86_64 audit value and the x32 bit */
  call(r, "x32", "read", 0, 0, 0);
  const cell_sc_rec_entry *e = cell_sc_rec_find(r, audit_of("x86_64"), nr_of("x86_64", "read"));
  CHECK(e && e->count == 3 && e->nargs == 0);
  e = cell_sc_rec_find(r, audit_of("x86_64"), nr_of("x86_64", "fcntl"));
  CHECK(e && e->count == 3 && e->nargs == 1 && e->argidx[0] == 1 && e->ntuples == 2);
  e = cell_sc_rec_find(r, audit_of("x86_64"), nr_of("x86_64", "socket"));
  CHECK(e && e->count == 2 && e->denied == 1 && e->deny_ret == (CELL_SC_RET_ERRNO | EINVAL) &&
        e->nargs == 3 && e->ntuples == 2);
  e = cell_sc_rec_find(r, audit_of("x32"), nr_of("x32", "read"));
  CHECK(e && e->arch == (int32_t) cell_sc_arch_index(cell_sc_arch_by_name("x32")));
  /* the file, and back */
  char path[] = "/tmp/cell-rec-test.XXXXXX";
  int fd = mkstemp(path);
  close(fd);
  cell_error err = CELL_ERROR_INIT;
  cell_sc_rec_meta m = { .container = "c1", .kernel = "6.18" };
  CHECK(cell_sc_rec_write(path, r, &m, &err) == 0);
  cell_sc_recording *back = new_rec();
  CHECK(cell_sc_rec_read(path, back, &err) == 0);
  json_t *j1 = cell_sc_rec_to_json(r, &m), *j2 = cell_sc_rec_to_json(back, &m);
  CHECK(json_equal(j1, j2));
  json_t *s0 = json_array_get(json_object_get(j1, "syscalls"), 0);
  CHECK_STR(json_string_value(json_object_get(s0, "name")), "fcntl");
  /* merged: counts add up, tuples unite */
  cell_sc_rec_merge(back, r);
  e = cell_sc_rec_find(back, audit_of("x86_64"), nr_of("x86_64", "fcntl"));
  CHECK(e && e->count == 6 && e->ntuples == 2);
  json_decref(j1);
  json_decref(j2);
  unlink(path);
  free(r);
  free(back);
}

TEST(recording_keeps_a_bounded_set_of_values)
{
  cell_sc_recording *r = new_rec();
  for (uint64_t i = 0; i < CELL_SC_REC_MAX_TUPLES + 10; i++)
    call(r, "x86_64", "ioctl", 1, 0x5400 + i, 0);
  const cell_sc_rec_entry *e = cell_sc_rec_find(r, audit_of("x86_64"), nr_of("x86_64", "ioctl"));
  CHECK(e && e->ntuples == CELL_SC_REC_MAX_TUPLES && e->more && e->count == CELL_SC_REC_MAX_TUPLES + 10);
  free(r);
}

TEST(recording_file_errors_name_the_field)
{
  static const struct { const char *text, *msg; } bad[] = {
    { "[]", "r.json: not a recording (expected a JSON object)" },
    { "{}", "r.json:1:1: cellSeccompRecording: missing: not a cell seccomp recording" },
    { "{\"cellSeccompRecording\":2,\"syscalls\":[]}",
      "r.json:1:25: cellSeccompRecording: format 2 is not known (this cell reads 1)" },
    { "{\"cellSeccompRecording\":-3,\"syscalls\":[]}",
      "r.json:1:25: cellSeccompRecording: format -3 is not known (this cell reads 1)" },
    { "{\"cellSeccompRecording\":18446744073709551615,\"syscalls\":[]}",
      "r.json:1:25: cellSeccompRecording: format 18446744073709551615 is not known (this cell reads 1)" },
    { "{\"cellSeccompRecording\":1,\"syscalls\":[{\"arch\":\"SCMP_ARCH_X86_64\",\"nr\":0}]}",
      "r.json:1:39: syscalls[0].count: missing" },
    { "{\"cellSeccompRecording\":1,\"syscalls\":[{\"arch\":\"SCMP_ARCH_NOPE\",\"nr\":0,\"count\":1}]}",
      "r.json:1:47: syscalls[0].arch: unknown architecture" },
    { "{\"cellSeccompRecording\":1,\"syscalls\":[{\"arch\":\"SCMP_ARCH_X86_64\",\"name\":\"write\",\"nr\":0,\"count\":1}]}",
      "r.json:1:73: syscalls[0].name: does not match nr on this architecture" },
    /* a bad value is named where it is, on its line */
    { "{\"cellSeccompRecording\": 1,\n \"syscalls\": [\n  {\"arch\": \"SCMP_ARCH_X86_64\", \"nr\": 0,\n"
      "   \"count\": -1}]}",
      "r.json:4:13: syscalls[0].count: expected a number >= 0" },
    { "{\"cellSeccompRecording\": 1,\n \"syscalls\": [\n  {\"arch\": \"SCMP_ARCH_X86_64\", \"nr\": 0,\n"
      "   \"count\": 1.5}]}",
      "r.json:4:13: syscalls[0].count: expected a number >= 0" },
    { "{\"cellSeccompRecording\":1,\"syscalls\":[{\"arch\":\"SCMP_ARCH_X86_64\",\"name\":\"fcntl\",\"nr\":72,"
      "\"count\":1,\"args\":{\"index\":[1],\"values\":[{\"v\":[\"2\"],\"count\":1}]}}]}",
      "r.json:1:135: syscalls[0].args.values: expected numbers" },
    { "{\"cellSeccompRecording\":1,\"syscalls\":[{\"arch\":\"SCMP_ARCH_X86_64\",\"name\":\"fcntl\",\"nr\":72,"
      "\"count\":1,\"args\":{\"index\":[6],\"values\":[]}}]}",
      "r.json:1:116: syscalls[0].args.index: expected argument indexes 0 to 5" },
    { "{\"cellSeccompRecording\":1,\"syscalls\":[{\"arch\":\"SCMP_ARCH_X86_64\",\"nr\":4294967296,\"count\":1}]}",
      "r.json:1:71: syscalls[0].nr: over 32 bits" },
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    _cleanup_jdoc_ cell_jdoc *doc = NULL;
    cell_error err = CELL_ERROR_INIT;
    CHECK(cell_json_parse("r.json", bad[i].text, strlen(bad[i].text), &doc, &err) == 0);
    cell_sc_recording *r = new_rec();
    CHECK(cell_sc_rec_from_json(cell_jdoc_root(doc), "r.json", r, &err) == -EINVAL);
    CHECK_STR(err.msg, bad[i].msg);
    cell_error_clear(&err);
    free(r);
  }
}

/* Argument values are 64 bits: the writer puts those with the top bit set
 * as negative numbers (jansson has no larger integers); the reader takes
 * them and the same values written unsigned. */
TEST(recording_reads_values_of_64_bits)
{
  static const char text[] =
    "{\"cellSeccompRecording\":1,\"syscalls\":[{\"arch\":\"SCMP_ARCH_X86_64\",\"name\":\"ioctl\",\"nr\":16,"
    "\"count\":2,\"args\":{\"index\":[1],\"values\":[{\"v\":[-1],\"count\":1},"
    "{\"v\":[9223372036854775808],\"count\":1}]}}]}";
  _cleanup_jdoc_ cell_jdoc *doc = NULL;
  cell_error err = CELL_ERROR_INIT;
  CHECK(cell_json_parse("r.json", text, sizeof text - 1, &doc, &err) == 0);
  cell_sc_recording *r = new_rec();
  CHECK(cell_sc_rec_from_json(cell_jdoc_root(doc), "r.json", r, &err) == 0);
  const cell_sc_rec_entry *e = cell_sc_rec_find(r, audit_of("x86_64"), nr_of("x86_64", "ioctl"));
  CHECK(e && e->count == 2 && e->ntuples == 2);
  bool top = false, all = false;
  for (int32_t t = e ? e->first : -1; t >= 0; t = r->tuples[t].next) {
    top |= r->tuples[t].v[0] == UINT64_C(0x8000000000000000);
    all |= r->tuples[t].v[0] == UINT64_MAX;
  }
  CHECK(top && all);
  /* and written back as jansson can: negative, read again alike */
  char path[] = "/tmp/cell-rec-test.XXXXXX";
  int fd = mkstemp(path);
  close(fd);
  CHECK(cell_sc_rec_write(path, r, NULL, &err) == 0);
  cell_sc_recording *back = new_rec();
  CHECK(cell_sc_rec_read(path, back, &err) == 0);
  json_t *j1 = cell_sc_rec_to_json(r, NULL), *j2 = cell_sc_rec_to_json(back, NULL);
  CHECK(json_equal(j1, j2));
  json_decref(j1);
  json_decref(j2);
  unlink(path);
  free(r);
  free(back);
}

/* A file that is no JSON, or none at all: the reader says where. */
TEST(recording_file_read_errors)
{
  char path[] = "/tmp/cell-rec-test.XXXXXX";
  int fd = mkstemp(path);
  CHECK(write(fd, "{\"cellSeccompRecording\": 1,\n \"syscalls\": [,]}\n", 46) == 46);
  close(fd);
  cell_sc_recording *r = new_rec();
  cell_error err = CELL_ERROR_INIT;
  CHECK(cell_sc_rec_read(path, r, &err) == -EINVAL);
  char *want = NULL;
  CHECK(asprintf(&want, "%s:2:15: ", path) > 0);
  CHECK(err.msg && strncmp(err.msg, want, strlen(want)) == 0);
  cell_error_clear(&err);
  unlink(path);
  CHECK(cell_sc_rec_read(path, r, &err) == -ENOENT);
  free(want);
  CHECK(asprintf(&want, "%s: unable to open: No such file or directory", path) > 0);
  CHECK_STR(err.msg, want);
  free(want);
  cell_error_clear(&err);
  free(r);
}

static uint32_t run(const cell_seccomp_filter *f, const char *arch, const char *name, uint64_t a0,
                    uint64_t a1, uint64_t a2)
{
  uint64_t args[6] = { a0, a1, a2, 0, 0, 0 };
  cell_seccomp_data d;
  cell_error err = CELL_ERROR_INIT;
  cell_seccomp_data_make(&d, arch, nr_of(arch, name), args, &err);
  return cell_seccomp_run(f->insns, f->len, &d, NULL);
}

static void compile_sec(const char *text, cell_seccomp_filter *f)
{
  cell_sc_lang_opts lo = { .native_arch = "x86_64", .log = &(cell_log) { .fd = -1 } };
  cell_error err = CELL_ERROR_INIT;
  if (cell_sc_lang_compile_filter("t.sec", text, strlen(text), &lo, f, &err) < 0) {
    fprintf(stderr, "%s\n%s\n", err.msg, text);
    abort();
  }
}

TEST(record_filter_notifies_what_the_base_lets_run_or_fails)
{
  cell_seccomp_filter base, rf;
  compile_sec("arch x86_64, x86;\n"
              "$syscall == read => ALLOW;\n"
              "$syscall == mkdir => ERRNO(EACCES);\n"
              "$syscall == ptrace => KILL_PROCESS;\n"
              "$syscall == uname => LOG;\n"
              "=> ERRNO(EPERM);\n", &base);
  cell_error err = CELL_ERROR_INIT;
  CHECK(cell_sc_record_filter(&base, &rf, &err) == 0);
  CHECK(rf.has_notify && (rf.flags & CELL_SECCOMP_FLAG_NEW_LISTENER));
  CHECK(cell_seccomp_check(rf.insns, rf.len, &err) == 0);
  CHECK_INT(run(&rf, "x86_64", "read", 0, 0, 0), CELL_SC_RET_USER_NOTIF);
  CHECK_INT(run(&rf, "x86_64", "mkdir", 0, 0, 0), CELL_SC_RET_USER_NOTIF);
  CHECK_INT(run(&rf, "x86", "uname", 0, 0, 0), CELL_SC_RET_USER_NOTIF);
  CHECK_INT(run(&rf, "x86_64", "openat", 0, 0, 0), CELL_SC_RET_USER_NOTIF);
  CHECK_INT(run(&rf, "x86_64", "ptrace", 0, 0, 0), CELL_SC_RET_KILL_PROCESS);
  CHECK_INT(run(&rf, "aarch64", "read", 0, 0, 0), CELL_SC_RET_KILL_THREAD);
  /* and the recorder answers as the base */
  cell_seccomp_data d;
  uint64_t args[6] = { 0 };
  cell_seccomp_data_make(&d, "x86_64", nr_of("x86_64", "mkdir"), args, &err);
  CHECK_INT(cell_sc_record_answer(&base, &d), CELL_SC_RET_ERRNO | EACCES);
  CHECK_INT(cell_sc_record_answer(NULL, &d), CELL_SC_RET_ALLOW);
  cell_seccomp_filter_free(&rf);
  /* no base: everything is notified, on every architecture */
  CHECK(cell_sc_record_filter(NULL, &rf, &err) == 0);
  CHECK_INT(run(&rf, "aarch64", "read", 0, 0, 0), CELL_SC_RET_USER_NOTIF);
  cell_seccomp_filter_free(&rf);
  /* a base with NOTIFY rules has its own listener */
  cell_seccomp_filter nb;
  compile_sec("$syscall == mknod => NOTIFY;\n=> ALLOW;\n", &nb);
  CHECK(cell_sc_record_filter(&nb, &rf, &err) == -EINVAL);
  CHECK(strstr(err.msg, "NOTIFY rules") != NULL);
  cell_error_clear(&err);
  cell_seccomp_filter_free(&nb);
  cell_seccomp_filter_free(&base);
}

/* A recording of a small workload and the profiles it becomes. */
static cell_sc_recording *workload(void)
{
  cell_sc_recording *r = new_rec();
  call(r, "x86_64", "read", 0, 0, 0);
  call(r, "x86_64", "write", 1, 0, 5);
  call(r, "x86_64", "fcntl", 3, 1, 0);
  call(r, "x86_64", "fcntl", 3, 2, 1);
  call(r, "x86_64", "socket", 2, 1, 0);
  call(r, "x86_64", "socket", 10, 0x80001, 6);
  call(r, "x86_64", "clone3", 0x100, 0x58, 0);
  call(r, "x86_64", "exit_group", 0, 0, 0);
  uint64_t args[6] = { 0 };
  cell_sc_rec_add(r, audit_of("x86_64"), nr_of("x86_64", "kcmp"), args, true,
                  CELL_SC_RET_ERRNO | EPERM, true);
  cell_sc_rec_add(r, audit_of("x86_64"), nr_of("x86_64", "acct"), args, true,
                  CELL_SC_RET_ERRNO | EACCES, true);
  return r;
}

/* mismatches, printed */
static int check_profile(const cell_seccomp_filter *f)
{
  static const struct { const char *arch, *name; uint64_t a0, a1, a2; uint32_t want; } c[] = {
    { "x86_64", "read", 9, 9, 9, CELL_SC_RET_ALLOW },
    { "x86_64", "fcntl", 5, 1, 0, CELL_SC_RET_ALLOW },
    { "x86_64", "fcntl", 5, 4, 0, CELL_SC_RET_ERRNO | EPERM },       /* F_SETFL: not seen */
    { "x86_64", "socket", 10, 0x80001, 6, CELL_SC_RET_ALLOW },
    { "x86_64", "socket", 10, 0x80001, 0, CELL_SC_RET_ERRNO | EPERM },
    { "x86_64", "clone3", 0x7e020000, 0, 0, CELL_SC_RET_ALLOW },     /* no argument rules */
    { "x86_64", "acct", 0, 0, 0, CELL_SC_RET_ERRNO | EACCES },       /* the base's answer */
    { "x86_64", "mkdir", 0, 0, 0, CELL_SC_RET_ERRNO | EPERM },       /* never made */
    { "x86_64", "faccessat2", 0, 0, 0, CELL_SC_RET_ERRNO | ENOSYS }, /* 5.8: newer */
    { "x86", "read", 0, 0, 0, CELL_SC_RET_KILL_THREAD },             /* not recorded */
  };
  int bad = 0;
  for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
    uint32_t got = run(f, c[i].arch, c[i].name, c[i].a0, c[i].a1, c[i].a2);
    if (got != c[i].want) {
      fprintf(stderr, "  %s %s(%#llx, %#llx, %#llx): %#x, expected %#x\n", c[i].arch, c[i].name,
              (unsigned long long) c[i].a0, (unsigned long long) c[i].a1,
              (unsigned long long) c[i].a2, got, c[i].want);
      bad++;
    }
  }
  return bad;
}

TEST(record_profile_json_and_policy_decide_what_was_recorded)
{
  cell_sc_recording *r = workload();
  const char *src[] = { "w.json" };
  cell_sc_rec_profile_opts o = { .max_values = 8, .newer = 5 << 16, .deny_errno = EPERM,
                                 .sources = src, .nsources = 1 };
  char *json = NULL, *sec = NULL;
  cell_error err = CELL_ERROR_INIT;
  CHECK(cell_sc_rec_profile(r, &o, &json, &err) == 0);
  o.policy = true;
  CHECK(cell_sc_rec_profile(r, &o, &sec, &err) == 0);
  /* the policy: one rule per syscall, counts in comments */
  CHECK(strstr(sec, "arch x86_64;\nnewer => ERRNO(ENOSYS);\n") != NULL);
  CHECK(strstr(sec, "$syscall == fcntl && $arg1 in (1, 2) => ALLOW;  // 2 calls: 1 1\n") != NULL);
  CHECK(strstr(sec, "$syscall == socket && $arg0 == 2 && $arg1 == 1 && $arg2 == 0 => ALLOW;  // 1 call\n") != NULL);
  CHECK(strstr(sec, "$syscall == acct => ERRNO(EACCES);  // denied by the base: 1 call\n") != NULL);
  CHECK(strstr(sec, "$syscall == clone3 => ALLOW;  // 1 call\n") != NULL);
  CHECK(strstr(sec, "$syscall in NEWER(5.0) => ERRNO(ENOSYS);\n=> ERRNO(EPERM);\n") != NULL);
  json_t *j = json_loads(json, 0, NULL);
  CHECK(j != NULL);
  CHECK_STR(json_string_value(json_object_get(j, "defaultAction")), "SCMP_ACT_ERRNO");
  cell_seccomp_filter fj, fs;
  cell_seccomp_opts co = { .arch = "x86_64", .log = &(cell_log) { .fd = -1 } };
  _cleanup_jdoc_ cell_jdoc *jd1_ = NULL;
  CHECK(cell_seccomp_compile_oci(t_jv(j, &jd1_), &co, &fj, &err) == 0);
  compile_sec(sec, &fs);
  CHECK(check_profile(&fj) == 0);
  CHECK(check_profile(&fs) == 0);
  /* and the two decide alike everywhere */
  cell_sc_prog p[2] = { { fj.insns, fj.len }, { fs.insns, fs.len } };
  const char *labels[2] = { "json", "sec" };
  char *d = NULL;
  size_t nd = 1;
  CHECK(cell_sc_diff(p, labels, &d, &nd, &err) == 0);
  if (nd)
    fprintf(stderr, "%s", d);
  CHECK(nd == 0);
  free(d);
  /* no argument rules: fcntl allowed outright */
  o.max_values = 0;
  char *plain = NULL;
  CHECK(cell_sc_rec_profile(r, &o, &plain, &err) == 0);
  CHECK(strstr(plain, "$syscall == fcntl => ALLOW;  // 2 calls, 2 distinct argument values\n") != NULL);
  free(plain);
  cell_seccomp_filter_free(&fj);
  cell_seccomp_filter_free(&fs);
  json_decref(j);
  free(json);
  free(sec);
  free(r);
}

TEST(record_profile_with_a_base_keeps_its_denials_and_arches)
{
  cell_sc_recording *r = new_rec();
  call(r, "x86_64", "read", 0, 0, 0);
  call(r, "x86_64", "mkdir", 0, 0, 0);
  call(r, "x86_64", "socket", 16, 3, 9);
  call(r, "x86_64", "socket", 2, 1, 0);
  cell_seccomp_filter base;
  compile_sec("arch x86_64, x86;\n"
              "$syscall == mkdir => ERRNO(EROFS);\n"
              "$syscall == socket && $arg0 == 16 && $arg2 == 9 => ERRNO(EINVAL);\n"
              "=> ALLOW;\n", &base);
  bool arches[64] = { false };
  CHECK(cell_sc_filter_arches(base.insns, base.len, arches, 64) == 2);
  CHECK(arches[cell_sc_arch_index(cell_sc_arch_by_name("x86"))]);
  const char *src[] = { "r.json" };
  cell_sc_rec_profile_opts o = { .max_values = 8, .deny_errno = EPERM, .base = &base,
                                 .base_name = "base.sec", .arches = arches, .sources = src,
                                 .nsources = 1, .policy = true };
  char *sec = NULL;
  cell_error err = CELL_ERROR_INIT;
  CHECK(cell_sc_rec_profile(r, &o, &sec, &err) == 0);
  CHECK(strstr(sec, "arch x86_64, x86;\n") != NULL);
  CHECK(strstr(sec, "$syscall == mkdir => ERRNO(EROFS);  // denied by the base: 1 call\n") != NULL);
  CHECK(strstr(sec, "$syscall == socket && $arg0 == 16 && $arg1 == 3 && $arg2 == 9 => ERRNO(EINVAL);"
                    "  // denied by the base: 1 call\n") != NULL);
  cell_seccomp_filter f;
  compile_sec(sec, &f);
  CHECK_INT(run(&f, "x86_64", "socket", 16, 3, 9), CELL_SC_RET_ERRNO | EINVAL);
  CHECK_INT(run(&f, "x86_64", "socket", 2, 1, 0), CELL_SC_RET_ALLOW);
  CHECK_INT(run(&f, "x86", "read", 0, 0, 0), CELL_SC_RET_ALLOW);
  CHECK_INT(run(&f, "x86_64", "write", 0, 0, 0), CELL_SC_RET_ERRNO | EPERM);
  cell_seccomp_filter_free(&f);
  cell_seccomp_filter_free(&base);
  free(sec);
  free(r);
  /* an empty recording is refused */
  cell_sc_recording *e = new_rec();
  char *none = NULL;
  CHECK(cell_sc_rec_profile(e, &o, &none, &err) == -EINVAL);
  CHECK_STR(err.msg, "seccomp record: the recording has no syscalls");
  cell_error_clear(&err);
  free(e);
}

/* Everywhere: the recording filter notifies exactly where the base lets
 * the call run or fails it with an errno, and answers as the base
 * elsewhere (the exact maps of analyze.h over every input). */
static int notify_where_base_answers(const cell_seccomp_filter *base)
{
  cell_seccomp_filter rf;
  cell_error err = CELL_ERROR_INIT;
  if (cell_sc_record_filter(base, &rf, &err) < 0) {
    fprintf(stderr, "  %s\n", err.msg);
    cell_error_clear(&err);
    return 1;
  }
  cell_sc_prog p[2] = { { base->insns, base->len }, { rf.insns, rf.len } };
  cell_sc_facts fs;
  int bad = cell_sc_analyze(p, 2, false, &fs, &err) < 0;
  for (size_t i = 0; !bad && i < fs.n; i++) {
    uint32_t b = fs.v[i].ret[0], r = fs.v[i].ret[1], a = b & CELL_SC_RET_ACTION_FULL;
    bool to_recorder = a == CELL_SC_RET_ALLOW || a == CELL_SC_RET_LOG || a == CELL_SC_RET_ERRNO;
    if (to_recorder ? r != CELL_SC_RET_USER_NOTIF : r != b) {
      fprintf(stderr, "  arch %d nr %u..%u: base %#x, recording filter %#x\n", fs.v[i].arch,
              fs.v[i].lo, fs.v[i].hi, b, r);
      bad = 1;
    }
  }
  if (!bad)
    cell_sc_facts_free(&fs);
  cell_error_clear(&err);
  cell_seccomp_filter_free(&rf);
  return bad;
}

TEST(record_filter_everywhere_notifies_what_the_base_answers)
{
  cell_seccomp_filter f;
  cell_sc_lang_opts lo = { .native_arch = "x86_64", .log = &(cell_log) { .fd = -1 } };
  cell_error err = CELL_ERROR_INIT;
  CHECK(cell_sc_lang_compile_filter(CELL_SOURCE_ROOT "/examples/podman-default.sec", NULL, 0, &lo,
                                    &f, &err) == 0);
  CHECK(notify_where_base_answers(&f) == 0);
  cell_seccomp_filter_free(&f);
  uint64_t s = 0x21;
  int tried = 0;
  for (int i = 0; i < 40; i++) {
    json_t *j = t_random_profile(&s, true);
    json_object_del(j, "listenerPath");
    cell_seccomp_opts o = { .arch = json_string_value(json_object_get(j, "x-native")),
                            .log = &(cell_log) { .fd = -1 } };
    _cleanup_jdoc_ cell_jdoc *jd2_ = NULL;
    if (cell_seccomp_compile_oci(t_jv(j, &jd2_), &o, &f, &err) == 0) {
      if (!f.has_notify) {
        CHECK(notify_where_base_answers(&f) == 0);
        tried++;
      }
      cell_seccomp_filter_free(&f);
    }
    cell_error_clear(&err);
    json_decref(j);
  }
  CHECK(tried > 10);
}
