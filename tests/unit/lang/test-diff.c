/* Differential tests: a JSON profile, converted into the language and
 * compiled, means what the OCI front end makes of the JSON (same action on
 * every architecture, every number and random and edge arguments), for
 * the podman default profile, its hand-written rewrite, and random
 * profiles.  And policies converted to JSON mean what they meant. */
#include <errno.h>
#include "jv.h"
#include <stdlib.h>
#include "helpers.h"
#include "seccomp/oci.h"
#include "seccomp/seccomp.h"
#include "seccomp/table.h"
#include "unit.h"

static int oci_ir(json_t *j, cell_sc_ir *ir, cell_error *err)
{
  cell_seccomp_opts o = { .arch = "x86_64", .log = &(cell_log) { .fd = -1 } };
  cell_sc_oci_result res;
  cell_sc_ir_init(ir);
  _cleanup_jdoc_ cell_jdoc *jd1_ = NULL;
  return cell_sc_oci_to_ir(t_jv(j, &jd1_), &o, ir, &res, err);
}

static uint64_t arg_value(uint64_t *s)
{
  static const uint64_t e[] = { 0, 1, 2, 3, 4, 5, 8, 9, 16, 0x20000, 0x20008, 0xffffffff, 0x100000000ull,
                                0x100000005ull, 0xffffffffffffffffull, 0x7fffffff, 0x80000000, 0x10000000 };
  uint64_t r = l_rand(s);
  switch (r % 4) {
  case 0: case 1: return e[(r >> 8) % (sizeof e / sizeof e[0])];
  case 2: return (r >> 8) % 64;
  default: return l_rand(s);
  }
}

/* Same action for every number of every arch of a (and a few beyond), with
 * n argument vectors each; returns the number of differences. */
static unsigned compare(const cell_sc_ir *a, const cell_sc_ir *b, unsigned n, uint64_t seed, const char *what)
{
  unsigned bad = 0;
  uint64_t s = seed | 1;
  for (size_t ai = 0; ai < cell_sc_narches; ai++) {
    const cell_sc_arch *ar = &cell_sc_arches[ai];
    bool in = cell_sc_ir_has_arch(a, ai) || cell_sc_ir_has_arch(b, ai);
    uint32_t max = cell_sc_arch_max_nr(ar) + 30;
    for (uint32_t nr = ar->nr_base; nr <= max; nr += in ? 1 : 97) {
      for (unsigned k = 0; k < (in ? n : 1); k++) {
        uint64_t args[6];
        for (int q = 0; q < 6; q++)
          args[q] = arg_value(&s);
        uint32_t x = cell_sc_ir_eval(a, ar->audit, nr, args), y = cell_sc_ir_eval(b, ar->audit, nr, args);
        if (x != y && bad++ < 5)
          fprintf(stderr, "  %s: %s nr %u (%s) args %llx %llx %llx: json %08x lang %08x\n", what, ar->short_name,
                  nr, cell_sc_syscall_name(ar, nr) ?: "?", (unsigned long long) args[0],
                  (unsigned long long) args[1], (unsigned long long) args[2], x, y);
      }
    }
    static const uint32_t odd[] = { 0xffffffffu, 0x40000000u, 0x40000001u, 0x4000003bu, 0x7fffffffu, 0x80000000u };
    for (size_t k = 0; k < sizeof odd / sizeof odd[0]; k++) {
      uint64_t args[6] = { 0 };
      uint32_t x = cell_sc_ir_eval(a, ar->audit, odd[k], args), y = cell_sc_ir_eval(b, ar->audit, odd[k], args);
      if (x != y && bad++ < 5)
        fprintf(stderr, "  %s: %s nr 0x%x: json %08x lang %08x\n", what, ar->short_name, odd[k], x, y);
    }
  }
  return bad;
}

/* JSON -> language -> IR equals JSON -> IR; also the BPF of the language. */
static unsigned roundtrip(json_t *j, unsigned n, uint64_t seed, const char *what, bool show)
{
  cell_sc_ir a, b;
  cell_error err = CELL_ERROR_INIT;
  unsigned bad = 0;
  char *text = NULL;
  if (oci_ir(j, &a, &err) < 0) {
    /* a profile the front end refuses has no conversion to test */
    cell_sc_ir_free(&a);
    cell_error_cleanup(&err);
    return 0;
  }
  _cleanup_jdoc_ cell_jdoc *jd2_ = NULL;
  if (cell_sc_lang_from_json(t_jv(j, &jd2_), &text, &err) < 0) {
    fprintf(stderr, "  %s: from_json: %s\n", what, err.msg);
    bad++;
  } else if (l_compile(text, NULL, &b, NULL, &err) < 0) {
    fprintf(stderr, "  %s: compile: %s\n%s\n", what, err.msg, text);
    bad++;
  } else {
    bad += compare(&a, &b, n, seed, what);
    bad += l_check_bpf(&b, 300, seed);
    if (bad && show) {
      char *js = json_dumps(j, JSON_COMPACT);
      fprintf(stderr, "  profile: %s\n  policy:\n%s\n", js, text);
      free(js);
    }
  }
  free(text);
  cell_sc_ir_free(&a);
  cell_sc_ir_free(&b);
  cell_error_cleanup(&err);
  return bad;
}

/* podman's installed default, as podman resolves it for an x86_64
 * container with its default capabilities (what examples/podman-default.sec
 * rewrites) */
static json_t *load_podman(void)
{
  return t_podman_profile("amd64", "SCMP_ARCH_X86_64", t_podman_caps);
}

TEST(lang_diff_podman_converted)
{
  json_t *j = load_podman();
  if (!j)
    SKIP(T_PODMAN_PROFILE " not found (package golang-github-containers-common)");
  CHECK_INT(roundtrip(j, 6, 11, "podman", false), 0);
  json_decref(j);
}

TEST(lang_diff_podman_example)
{
  json_t *j = load_podman();
  char *text = l_read("examples/podman-default.sec");
  if (!j || !text) {
    json_decref(j);
    free(text);
    SKIP(T_PODMAN_PROFILE " or examples/podman-default.sec not found");
  }
  cell_sc_ir a, b;
  cell_error err = CELL_ERROR_INIT;
  l_diags dg;
  CHECK_INT(oci_ir(j, &a, &err), 0);
  int r = l_compile(text, NULL, &b, &dg, &err);
  if (r < 0)
    fprintf(stderr, "  %s\n", err.msg);
  CHECK_INT(r, 0);
  for (int i = 0; i < dg.n; i++)
    fprintf(stderr, "  %s\n", dg.d[i].text);
  CHECK_INT(dg.n, 0);
  CHECK_INT(compare(&a, &b, 8, 5, "podman example"), 0);
  CHECK_INT(l_check_bpf(&b, 400, 3), 0);
  cell_sc_ir_free(&a);
  cell_sc_ir_free(&b);
  cell_error_cleanup(&err);
  json_decref(j);
  free(text);
}

static const char *const pool[] = {
  "read", "write", "close", "socket", "connect", "socketcall", "clone", "personality", "shmget", "ipc",
  "mseal", "openat", "getpid", "fchmodat2", "clone3", "arch_prctl", "mmap", "_llseek",
};
static const char *const acts[] = {
  "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
  "SCMP_ACT_TRACE", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY",
};
static const char *const ops[] = {
  "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
};
static const char *const archs[] = { "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64", "SCMP_ARCH_S390X" };

static json_t *random_profile(uint64_t *s)
{
  json_t *p = json_object();
  const char *def = acts[l_rand(s) % 7];   /* NOTIFY cannot be the default */
  json_object_set_new(p, "defaultAction", json_string(def));
  if (strstr(def, "ERRNO") || strstr(def, "TRACE"))
    json_object_set_new(p, "defaultErrnoRet", json_integer((json_int_t) (l_rand(s) % 3 ? 1 : 38)));
  json_t *ar = json_array();
  for (size_t i = 0; i < 4; i++)
    if (l_rand(s) % 3 == 0)
      json_array_append_new(ar, json_string(archs[i]));
  json_object_set_new(p, "architectures", ar);
  json_t *scs = json_array();
  unsigned nrules = 1 + (unsigned) (l_rand(s) % 8);
  for (unsigned i = 0; i < nrules; i++) {
    json_t *r = json_object(), *names = json_array();
    unsigned nn = 1 + (unsigned) (l_rand(s) % 3);
    for (unsigned k = 0; k < nn; k++)
      json_array_append_new(names, json_string(pool[l_rand(s) % (sizeof pool / sizeof pool[0])]));
    json_object_set_new(r, "names", names);
    const char *act = acts[l_rand(s) % 8];
    json_object_set_new(r, "action", json_string(act));
    if ((strstr(act, "ERRNO") || strstr(act, "TRACE")) && l_rand(s) % 2)
      json_object_set_new(r, "errnoRet", json_integer((json_int_t) (l_rand(s) % 4)));
    unsigned na = (unsigned) (l_rand(s) % 4);
    if (na) {
      json_t *args = json_array();
      for (unsigned k = 0; k < na; k++) {
        json_t *a = json_object();
        json_object_set_new(a, "index", json_integer((json_int_t) (l_rand(s) % 3)));
        json_object_set_new(a, "value", json_integer((json_int_t) arg_value(s)));
        const char *op = ops[l_rand(s) % 7];
        if (strstr(op, "MASKED"))
          json_object_set_new(a, "valueTwo", json_integer((json_int_t) arg_value(s)));
        json_object_set_new(a, "op", json_string(op));
        json_array_append_new(args, a);
      }
      json_object_set_new(r, "args", args);
    }
    json_array_append_new(scs, r);
  }
  json_object_set_new(p, "syscalls", scs);
  return p;
}

TEST(lang_diff_random_profiles)
{
  uint64_t s = 0x9e3779b97f4a7c15ull;
  unsigned bad = 0, n = 0;
  for (unsigned i = 0; i < 1000 && bad < 3; i++, n++) {
    json_t *p = random_profile(&s);
    char what[32];
    snprintf(what, sizeof what, "random #%u", i);
    unsigned b = roundtrip(p, 3, s, what, true);
    bad += b != 0;
    json_decref(p);
  }
  CHECK_INT(bad, 0);
}

/* language -> JSON -> OCI front end: the same IR, or a clear error */
TEST(lang_to_json)
{
  static const struct { const char *text; bool ok; const char *msg; } cases[] = {
    { "$syscall in (read, write) => ALLOW;\n$syscall == clone && $arg0 & 0x10000000 == 0 => ALLOW;\n"
      "newer => ERRNO(ENOSYS);\n=> ERRNO(EPERM);",
      true, NULL },
    { "arch x86_64, x86;\n$syscall == read && $arg0 == 1 => LOG;\nnewer => ERRNO(ENOSYS);\n=> KILL_PROCESS;", true, NULL },
    { "arch x86_64, x86;\n$arch == x86 && $syscall == read => LOG;\n=> ALLOW;", false, "no JSON form: the rules for `read`" },
    { "$syscall == read => ALLOW;\n=> ERRNO(EPERM);", false, "without `newer => ERRNO(ENOSYS);`" },
    { "badarch => KILL_PROCESS;\n=> ALLOW;", false, "`badarch`" },
    { "$syscall == read => TRAP(3);\n=> ALLOW;", false, "TRAP(3)" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cell_sc_ir ir;
    cell_error err = CELL_ERROR_INIT;
    json_t *j = NULL;
    CHECK_INT(l_compile(cases[i].text, NULL, &ir, NULL, &err), 0);
    int r = cell_sc_lang_ir_to_json(&ir, &j, &err);
    if (cases[i].ok) {
      if (r < 0)
        fprintf(stderr, "  case %zu: %s\n", i, err.msg);
      CHECK_INT(r, 0);
      cell_sc_ir back;
      if (r == 0) {
        CHECK_INT(oci_ir(j, &back, &err), 0);
        CHECK_INT(compare(&ir, &back, 4, 9, "to_json"), 0);
        cell_sc_ir_free(&back);
      }
    } else {
      CHECK(r < 0 && err.msg && strstr(err.msg, cases[i].msg));
      if (!(r < 0 && err.msg && strstr(err.msg, cases[i].msg)))
        fprintf(stderr, "  case %zu: r=%d %s\n", i, r, err.msg ? err.msg : "");
    }
    json_decref(j);
    cell_sc_ir_free(&ir);
    cell_error_cleanup(&err);
  }
}

TEST(lang_to_json_podman)
{
  json_t *j = load_podman();
  char *text = l_read("examples/podman-default.sec");
  if (!j || !text) {
    json_decref(j);
    free(text);
    SKIP(T_PODMAN_PROFILE " or examples/podman-default.sec not found");
  }
  cell_sc_ir a, b, c;
  cell_error err = CELL_ERROR_INIT;
  json_t *out = NULL;
  CHECK_INT(l_compile(text, NULL, &a, NULL, &err), 0);
  int r = cell_sc_lang_ir_to_json(&a, &out, &err);
  if (r < 0)
    fprintf(stderr, "  %s\n", err.msg);
  CHECK_INT(r, 0);
  if (r == 0) {
    CHECK_INT(oci_ir(out, &b, &err), 0);
    CHECK_INT(oci_ir(j, &c, &err), 0);
    CHECK_INT(compare(&c, &b, 4, 13, "podman to_json"), 0);
    cell_sc_ir_free(&b);
    cell_sc_ir_free(&c);
  }
  json_decref(out);
  json_decref(j);
  free(text);
  cell_sc_ir_free(&a);
  cell_error_cleanup(&err);
}
