/* The OCI front end: every diagnostic, and the meaning of the fields. */
#include "unit.h"
#include "jv.h"
#include "helpers.h"
#include "seccomp/oci.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

/* Compile text; returns the error message (static buffer) or "ok". */
static const char *try(const char *text, bool fail_unknown)
{
  static char buf[1024];
  _cleanup_jdoc_ cell_jdoc *doc = NULL;
  cell_error perr = CELL_ERROR_INIT;
  if (cell_json_parse(NULL, text, strlen(text), &doc, &perr) < 0) {
    snprintf(buf, sizeof buf, "bad test json: %s", perr.msg);
    cell_error_clear(&perr);
    return buf;
  }
  const cell_jv *j = cell_jdoc_root(doc);
  cell_log quiet = { .fd = open("/dev/null", O_WRONLY | O_CLOEXEC) };
  cell_seccomp_opts o = { .arch = "x86_64", .fail_unknown_syscall = fail_unknown, .log = &quiet };
  cell_seccomp_filter f;
  cell_error err = CELL_ERROR_INIT;
  int r = cell_seccomp_compile_oci(j, &o, &f, &err);
  snprintf(buf, sizeof buf, "%s", r == 0 ? "ok" : err.msg ? err.msg : "(no message)");
  if (r == 0)
    cell_seccomp_filter_free(&f);
  cell_error_cleanup(&err);
  close(quiet.fd);
  return buf;
}

#define D "\"defaultAction\":\"SCMP_ACT_ALLOW\""
#define SC(x) "{" D ",\"syscalls\":[" x "]}"

TEST(oci_diagnostics)
{
  static const struct { const char *in, *msg; } cases[] = {
    { "[]", "linux.seccomp: expected an object" },
    { "{}", "linux.seccomp: defaultAction is required" },
    { "{\"defaultAction\":1}", "linux.seccomp.defaultAction: expected a string (an SCMP_ACT_* action)" },
    { "{\"defaultAction\":\"SCMP_ACT_FOO\"}", "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_FOO\"" },
    { "{" D ",\"defaultErrnoRet\":1}", "linux.seccomp.defaultErrnoRet: only valid with SCMP_ACT_ERRNO and SCMP_ACT_TRACE, not SCMP_ACT_ALLOW" },
    { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":\"1\"}", "linux.seccomp.defaultErrnoRet: expected an integer" },
    { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":65536}", "linux.seccomp.defaultErrnoRet: 65536 is out of range 0..65535" },
    { "{\"defaultAction\":\"SCMP_ACT_TRACE\",\"defaultErrnoRet\":-1}", "linux.seccomp.defaultErrnoRet: -1 is out of range 0..65535" },
    { "{" D ",\"architectures\":\"x86\"}", "linux.seccomp.architectures: expected an array of SCMP_ARCH_* names" },
    { "{" D ",\"architectures\":[1]}", "linux.seccomp.architectures[0]: expected a string (an SCMP_ARCH_* name)" },
    { "{" D ",\"architectures\":[\"SCMP_ARCH_X86\",\"SCMP_ARCH_VAX\"]}", "linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_VAX\"" },
    { "{" D ",\"architectures\":[\"x86\"]}", "linux.seccomp.architectures[0]: unknown architecture \"x86\"" },
    { "{" D ",\"flags\":{}}", "linux.seccomp.flags: expected an array of SECCOMP_FILTER_FLAG_* names" },
    { "{" D ",\"flags\":[true]}", "linux.seccomp.flags[0]: expected a string (a SECCOMP_FILTER_FLAG_* name)" },
    { "{" D ",\"flags\":[\"SECCOMP_FILTER_FLAG_NEW_LISTENER\"]}", "linux.seccomp.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_NEW_LISTENER\"" },
    { "{" D ",\"listenerPath\":\"\"}", "linux.seccomp.listenerPath: expected a path to a unix socket" },
    { "{" D ",\"listenerPath\":\"/a\",\"listenerMetadata\":1}", "linux.seccomp.listenerMetadata: expected a string" },
    { "{" D ",\"listenerMetadata\":\"x\"}", "linux.seccomp.listenerMetadata: is only valid with listenerPath" },
    { "{" D ",\"syscalls\":{}}", "linux.seccomp.syscalls: expected an array" },
    { SC("1"), "linux.seccomp.syscalls[0]: expected an object {names, action, errnoRet, args}" },
    { SC("{\"names\":[\"read\"]}"), "linux.seccomp.syscalls[0]: action is required" },
    { SC("{\"action\":\"SCMP_ACT_LOG\"}"), "linux.seccomp.syscalls[0]: names is required" },
    { SC("{\"names\":[],\"action\":\"SCMP_ACT_LOG\"}"), "linux.seccomp.syscalls[0].names: expected a non-empty array of syscall names" },
    { SC("{\"names\":[\"read\",\"\"],\"action\":\"SCMP_ACT_LOG\"}"), "linux.seccomp.syscalls[0].names[1]: expected a syscall name" },
    { SC("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\",\"errnoRet\":1}"), "linux.seccomp.syscalls[0].errnoRet: only valid with SCMP_ACT_ERRNO and SCMP_ACT_TRACE, not SCMP_ACT_LOG" },
    { SC("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1.5}"), "linux.seccomp.syscalls[0].errnoRet: expected an integer" },
    { SC("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\",\"args\":{}}"), "linux.seccomp.syscalls[0].args: expected an array" },
    { SC("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[1]}"), "linux.seccomp.syscalls[0].args[0]: expected an object {index, value, valueTwo, op}" },
    { SC("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}"), "linux.seccomp.syscalls[0].args[0]: index is required" },
    { SC("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"index\":\"0\",\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}"), "linux.seccomp.syscalls[0].args[0].index: expected an integer" },
    { SC("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"index\":6,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}"), "linux.seccomp.syscalls[0].args[0].index: 6 is not an argument index 0..5" },
    { SC("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"index\":0,\"value\":1}]}"), "linux.seccomp.syscalls[0].args[0]: op is required" },
    { SC("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"index\":0,\"value\":1,\"op\":4}]}"), "linux.seccomp.syscalls[0].args[0].op: expected a string (an SCMP_CMP_* operator)" },
    { SC("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_XX\"}]}"), "linux.seccomp.syscalls[0].args[0].op: unknown operator \"SCMP_CMP_XX\"" },
    { SC("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"index\":0,\"op\":\"SCMP_CMP_EQ\"}]}"), "linux.seccomp.syscalls[0].args[0]: value is required" },
    { SC("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"index\":0,\"value\":\"1\",\"op\":\"SCMP_CMP_EQ\"}]}"), "linux.seccomp.syscalls[0].args[0].value: expected an integer" },
    { SC("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"index\":0,\"value\":1,\"valueTwo\":[],\"op\":\"SCMP_CMP_EQ\"}]}"), "linux.seccomp.syscalls[0].args[0].valueTwo: expected an integer" },
    { SC("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\"},{\"names\":[\"nosuch\"],\"action\":\"SCMP_ACT_LOG\"}"), "ok" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    CHECK_STR(try(cases[i].in, false), cases[i].msg);
  CHECK_STR(try(SC("{\"names\":[\"read\",\"nosuch\"],\"action\":\"SCMP_ACT_LOG\"}"), true),
            "linux.seccomp.syscalls[0].names[1]: unknown syscall \"nosuch\" (annotation run.oci.seccomp_fail_unknown_syscall is set)");
  /* more than 64 conditions */
  char big[8192] = SC("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[");
  big[strlen(big) - 2] = 0;
  for (int i = 0; i < 65; i++)
    strcat(big, i ? ",{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_NE\"}" : "{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_NE\"}");
  strcat(big, "]}]}");
  CHECK_STR(try(big, false), "linux.seccomp.syscalls[0].args: more than 64 conditions");
}

TEST(oci_unknown_arch_option)
{
  _cleanup_jdoc_ cell_jdoc *doc = NULL;
  const cell_jv *j = t_text("{\"defaultAction\":\"SCMP_ACT_ALLOW\"}", &doc);
  cell_seccomp_opts o = { .arch = "vax" };
  cell_seccomp_filter f;
  cell_error err = CELL_ERROR_INIT;
  CHECK_INT(cell_seccomp_compile_oci(j, &o, &f, &err), -EINVAL);
  CHECK_STR(err.msg, "seccomp: unknown architecture \"vax\"");
  cell_error_cleanup(&err);
}

TEST(oci_location_in_config)
{
  const char *text = "{\n  \"ociVersion\": \"1.2.0\",\n  \"linux\": {\n    \"seccomp\": {\n"
                     "      \"defaultAction\": \"SCMP_ACT_ERRNO\",\n      \"syscalls\": [\n"
                     "        { \"names\": [\"read\"], \"action\": \"SCMP_ACT_BAD\" }\n      ]\n    }\n  }\n}\n";
  _cleanup_jdoc_ cell_jdoc *root_doc = NULL;
  const cell_jv *root = t_text(text, &root_doc);
  static const cell_json_pathel prefix[] = { { "linux", 0 }, { "seccomp", 0 } };
  cell_seccomp_opts o = { .arch = "x86_64", .source_name = "config.json", .prefix = prefix,
                          .prefix_len = 2 };
  cell_seccomp_filter f;
  cell_error err = CELL_ERROR_INIT;
  CHECK_INT(cell_seccomp_compile_oci(cell_jv_get(cell_jv_get(root, "linux"), "seccomp"), &o, &f, &err), -EINVAL);
  CHECK_STR(err.msg, "config.json:7:40: linux.seccomp.syscalls[0].action: unknown action \"SCMP_ACT_BAD\"");
  cell_error_cleanup(&err);
}

/* Compile text read from "p.json" (a config.json when it has "linux");
 * returns the error message (static buffer) or "ok". */
static const char *try_at(const char *text)
{
  static char buf[1024];
  static const cell_json_pathel prefix[] = { { "linux", 0 }, { "seccomp", 0 } };
  _cleanup_jdoc_ cell_jdoc *doc = NULL;
  cell_error err = CELL_ERROR_INIT;
  if (cell_json_parse("p.json", text, strlen(text), &doc, &err) < 0) {
    snprintf(buf, sizeof buf, "bad test json: %s", err.msg);
    cell_error_cleanup(&err);
    return buf;
  }
  const cell_jv *j = cell_jdoc_root(doc);
  cell_seccomp_opts o = { .arch = "x86_64", .log = &(cell_log) { .fd = -1 }, .source_name = "p.json" };
  if (cell_jv_get(j, "linux")) {
    j = cell_jv_get(cell_jv_get(j, "linux"), "seccomp");
    o.prefix = prefix;
    o.prefix_len = 2;
  }
  cell_seccomp_filter f;
  int r = cell_seccomp_compile_oci(j, &o, &f, &err);
  snprintf(buf, sizeof buf, "%s", r == 0 ? "ok" : err.msg ? err.msg : "(no message)");
  if (r == 0)
    cell_seccomp_filter_free(&f);
  cell_error_cleanup(&err);
  return buf;
}

/* The place of an error is that of the value the reader was at, in the
 * tree util/json.c kept: deep in args, in architectures and flags, at the
 * last of repeated keys (the one that counts), at a key spelled with
 * escapes, at the object a required member is missing from. */
TEST(oci_locations)
{
  static const struct { const char *in, *msg; } cases[] = {
    { "{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"syscalls\": [\n"
      "    { \"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\" },\n"
      "    {\n      \"names\": [\"write\"],\n      \"action\": \"SCMP_ACT_ALLOW\",\n      \"args\": [\n"
      "        { \"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\" },\n"
      "        { \"index\": 1, \"value\": 2, \"valueTwo\": 3,\n          \"op\": \"SCMP_CMP_MASKED_NE\" }\n"
      "      ]\n    }\n  ]\n}\n",
      "p.json:11:17: linux.seccomp.syscalls[1].args[1].op: unknown operator \"SCMP_CMP_MASKED_NE\"" },
    { "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"write\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
      " \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}, {\"index\": 6, \"value\": 2, \"op\": \"SCMP_CMP_EQ\"}]}]}\n",
      "p.json:2:68: linux.seccomp.syscalls[0].args[1].index: 6 is not an argument index 0..5" },
    { "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"write\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
      " \"args\": [{\"index\": 0,\n   \"value\": 1, \"valueTwo\": \"2\", \"op\": \"SCMP_CMP_EQ\"}]}]}\n",
      "p.json:3:28: linux.seccomp.syscalls[0].args[0].valueTwo: expected an integer" },
    { "{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"architectures\": [\n    \"SCMP_ARCH_X86_64\",\n"
      "    \"SCMP_ARCH_PDP11\"\n  ]\n}\n",
      "p.json:5:5: linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_PDP11\"" },
    { "{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\", 4]\n}\n",
      "p.json:3:40: linux.seccomp.flags[1]: expected a string (a SECCOMP_FILTER_FLAG_* name)" },
    { "{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"flags\": [\n    \"SECCOMP_FILTER_FLAG_LOGS\"\n  ]\n}\n",
      "p.json:4:5: linux.seccomp.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_LOGS\"" },
    { "{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"syscalls\": [\n"
      "    { \"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\",\n      \"action\": \"SCMP_ACT_MAYBE\" }\n  ]\n}\n",
      "p.json:5:17: linux.seccomp.syscalls[0].action: unknown action \"SCMP_ACT_MAYBE\"" },
    { "{\n  \"defaultAction\": \"SCMP_ACT_BOGUS\",\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
      "  \"defaultAction\": \"SCMP_ACT_MAYBE\"\n}\n",
      "p.json:4:20: linux.seccomp.defaultAction: unknown action \"SCMP_ACT_MAYBE\"" },
    { "{\"defaultAct\\u0069on\": \"SCMP_ACT_BOGUS\"}",
      "p.json:1:24: linux.seccomp.defaultAction: unknown action \"SCMP_ACT_BOGUS\"" },
    { "{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"syscalls\": { \"names\": [\"read\"] }\n}\n",
      "p.json:3:15: linux.seccomp.syscalls: expected an array" },
    { "{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"architectures\": \"SCMP_ARCH_X86\"\n}\n",
      "p.json:3:20: linux.seccomp.architectures: expected an array of SCMP_ARCH_* names" },
    { "{\n  \"defaultAction\": [\"SCMP_ACT_ERRNO\"]\n}\n",
      "p.json:2:20: linux.seccomp.defaultAction: expected a string (an SCMP_ACT_* action)" },
    { "\n  [ \"SCMP_ACT_ERRNO\" ]\n", "p.json:2:3: linux.seccomp: expected an object" },
    { "{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"syscalls\": [\n"
      "    { \"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\" },\n    { \"names\": [\"write\"] }\n  ]\n}\n",
      "p.json:5:5: linux.seccomp.syscalls[1]: action is required" },
    /* in a config.json: the path from its top */
    { "{\"ociVersion\": \"1.2.0\",\n \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
      "  \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0,\n"
      "   \"value\": 1, \"op\": \"SCMP_CMP_LIKE\"}]}]}}}\n",
      "p.json:4:22: linux.seccomp.syscalls[0].args[0].op: unknown operator \"SCMP_CMP_LIKE\"" },
    { "{\"ociVersion\": \"1.2.0\",\n \"linux\": {\"seccomp\": 7}}",
      "p.json:2:23: linux.seccomp: expected an object" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    CHECK_STR(try_at(cases[i].in), cases[i].msg);
}

TEST(oci_unknown_syscall_warns)
{
  int p[2];
  CHECK(pipe(p) == 0);
  cell_log log = { .fd = p[1], .format = CELL_LOG_TEXT, .prog = "cell" };
  _cleanup_jdoc_ cell_jdoc *j_doc = NULL;
  const cell_jv *j = t_text(SC("{\"names\":[\"read\",\"frobnicate\"],\"action\":\"SCMP_ACT_ERRNO\"}"), &j_doc);
  cell_seccomp_opts o = { .arch = "x86_64", .log = &log };
  cell_sc_ir ir;
  cell_sc_oci_result res;
  cell_error err = CELL_ERROR_INIT;
  cell_sc_ir_init(&ir);
  CHECK_INT(cell_sc_oci_to_ir(j, &o, &ir, &res, &err), 0);
  CHECK_INT(res.skipped, 1);
  CHECK_INT(ir.nrules, 1);
  close(p[1]);
  char buf[512] = "";
  ssize_t n = read(p[0], buf, sizeof buf - 1);
  close(p[0]);
  buf[n > 0 ? n : 0] = 0;
  CHECK(strstr(buf, "seccomp: unknown syscall \"frobnicate\" skipped (linux.seccomp.syscalls[0].names[1])") != NULL);
  cell_sc_ir_free(&ir);
}

static uint32_t sim(const char *text, const char *arch, const char *name, uint64_t a0, uint64_t a1)
{
  _cleanup_jdoc_ cell_jdoc *j_doc = NULL;
  const cell_jv *j = t_text(text, &j_doc);
  cell_seccomp_opts o = { .arch = "x86_64" };
  cell_seccomp_filter f;
  cell_error err = CELL_ERROR_INIT;
  uint32_t ret = 0xdead;
  if (j && cell_seccomp_compile_oci(j, &o, &f, &err) == 0) {
    const cell_sc_arch *a = cell_sc_arch_by_name(arch);
    int64_t nr = name[0] >= '0' && name[0] <= '9' ? strtoll(name, NULL, 0)
                                                   : cell_sc_syscall_nr(a, cell_sc_syscall_lookup(name));
    uint64_t args[6] = { a0, a1 };
    cell_seccomp_data d;
    cell_seccomp_data_make(&d, arch, (uint32_t) nr, args, NULL);
    ret = cell_seccomp_run(f.insns, f.len, &d, NULL);
    cell_seccomp_filter_free(&f);
  } else
    fprintf(stderr, "  compile: %s\n", err.msg ? err.msg : "?");
  cell_error_cleanup(&err);
  return ret;
}

#define ERR(e) (CELL_SC_RET_ERRNO | (e))
#define ALLOW CELL_SC_RET_ALLOW

TEST(oci_semantics)
{
  /* two conditions on one argument: one rule each, as runc adds them (OR) */
  const char *and1 = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"personality\"],"
                     "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":0,\"op\":\"SCMP_CMP_NE\"},"
                     "{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_NE\"}]}]}";
  CHECK_INT(sim(and1, "x86_64", "personality", 0, 0), ERR(EPERM));
  CHECK_INT(sim(and1, "x86_64", "personality", 1, 0), ERR(EPERM));
  CHECK_INT(sim(and1, "x86_64", "personality", 2, 0), ERR(EPERM));
  /* errnoRet and TRACE data */
  CHECK_INT(sim(SC("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13}"), "x86_64", "read", 0, 0), ERR(13));
  CHECK_INT(sim(SC("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_TRACE\"}"), "x86_64", "read", 0, 0), CELL_SC_RET_TRACE | EPERM);
  /* first unconditional rule wins, over conditional ones in any order */
  const char *unc = SC("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_KILL\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]},"
                       "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\"},{\"names\":[\"read\"],\"action\":\"SCMP_ACT_TRAP\"}");
  CHECK_INT(sim(unc, "x86_64", "read", 1, 0), CELL_SC_RET_LOG);
  /* overlapping conditional rules: libseccomp's tree decides (its levels
   * sorted by argument: arg1 == 7 is tried before arg0 == 5) */
  const char *prec = SC("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_GE\"}]},"
                        "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_KILL_PROCESS\",\"args\":[{\"index\":0,\"value\":5,\"op\":\"SCMP_CMP_EQ\"}]},"
                        "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":1,\"value\":7,\"op\":\"SCMP_CMP_EQ\"}]}");
  CHECK_INT(sim(prec, "x86_64", "read", 5, 7), ERR(EPERM));
  CHECK_INT(sim(prec, "x86_64", "read", 5, 0), CELL_SC_RET_KILL_PROCESS);
  CHECK_INT(sim(prec, "x86_64", "read", 4, 7), ERR(EPERM));
  CHECK_INT(sim(prec, "x86_64", "read", 4, 0), CELL_SC_RET_LOG);
  CHECK_INT(sim(prec, "x86_64", "read", 0, 0), ALLOW);
  /* a rule with the default's action is dropped, as runc and crun do */
  const char *same = "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\"},"
                     "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":3,\"op\":\"SCMP_CMP_EQ\"}]}]}";
  CHECK_INT(sim(same, "x86_64", "read", 3, 0), ALLOW);
  CHECK_INT(sim(same, "x86_64", "read", 4, 0), ERR(EPERM));
  /* 64-bit compares: the high word counts */
  const char *hi = SC("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_KILL\",\"args\":[{\"index\":0,\"value\":4294967296,\"op\":\"SCMP_CMP_GE\"}]}");
  CHECK_INT(sim(hi, "x86_64", "read", 0xffffffff, 0), ALLOW);
  CHECK_INT(sim(hi, "x86_64", "read", 0x100000000ull, 0), CELL_SC_RET_KILL_THREAD);
  /* MASKED_EQ: value is the mask, valueTwo the datum; -1 is 2^64-1 */
  const char *mask = SC("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_TRAP\",\"args\":[{\"index\":1,\"value\":-1,\"valueTwo\":255,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}");
  CHECK_INT(sim(mask, "x86_64", "read", 0, 255), CELL_SC_RET_TRAP);
  CHECK_INT(sim(mask, "x86_64", "read", 0, 0x1000000ffull), ALLOW);
  /* native arch always in; others only when listed; x32 told apart */
  const char *deny = "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86\"],"
                     "\"syscalls\":[{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ALLOW\"}]}";
  CHECK_INT(sim(deny, "x86_64", "getpid", 0, 0), ALLOW);
  CHECK_INT(sim(deny, "x86", "getpid", 0, 0), ALLOW);
  CHECK_INT(sim(deny, "aarch64", "getpid", 0, 0), CELL_SC_RET_KILL_THREAD);
  CHECK_INT(sim(deny, "x32", "getpid", 0, 0), CELL_SC_RET_KILL_THREAD);
  CHECK_INT(sim(deny, "x86_64", "0xffffffff", 0, 0), ERR(EPERM));
  /* the ENOSYS stub above the highest known number, only when denying */
  CHECK_INT(sim(deny, "x86_64", "read", 0, 0), ERR(EPERM));
  CHECK_INT(sim(deny, "x86_64", "clone3", 0, 0), ERR(ENOSYS));
  CHECK_INT(sim(deny, "x86", "clone3", 0, 0), ERR(ENOSYS));
  CHECK_INT(sim(SC("{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ERRNO\"}"), "x86_64", "clone3", 0, 0), ALLOW);
  /* socketcall(2) for socket rules on x86 */
  const char *sock = "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86\"],"
                     "\"syscalls\":[{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ALLOW\"}]}";
  CHECK_INT(sim(sock, "x86", "socket", 0, 0), ALLOW);
  CHECK_INT(sim(sock, "x86", "socketcall", 1, 0), ALLOW);
  CHECK_INT(sim(sock, "x86", "socketcall", 2, 0), ERR(EPERM));
}

TEST(oci_flags)
{
  _cleanup_jdoc_ cell_jdoc *d1 = NULL, *d2 = NULL;
  const cell_jv *j = t_text("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/s\",\"flags\":[\"SECCOMP_FILTER_FLAG_TSYNC\","
                            "\"SECCOMP_FILTER_FLAG_LOG\"],\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}", &d1);
  cell_seccomp_opts o = { .arch = "x86_64" };
  cell_seccomp_filter f;
  cell_error err = CELL_ERROR_INIT;
  CHECK_INT(cell_seccomp_compile_oci(j, &o, &f, &err), 0);
  CHECK_INT(f.flags, CELL_SECCOMP_FLAG_TSYNC | CELL_SECCOMP_FLAG_LOG | CELL_SECCOMP_FLAG_NEW_LISTENER);
  CHECK_INT(f.optional_flags, 0);
  CHECK(f.has_notify);
  cell_seccomp_filter_free(&f);
  j = t_text("{\"defaultAction\":\"SCMP_ACT_ALLOW\"}", &d2);
  CHECK_INT(cell_seccomp_compile_oci(j, &o, &f, &err), 0);
  CHECK_INT(f.flags, CELL_SECCOMP_FLAG_SPEC_ALLOW);
  CHECK_INT(f.optional_flags, CELL_SECCOMP_FLAG_SPEC_ALLOW);
  CHECK(!f.has_notify);
  cell_seccomp_filter_free(&f);
}

/* runc reads argument values as uint64: every one up to UINT64_MAX is
 * taken in decimal, and means what its two's complement spelling (the only
 * one jansson could read) means. */
TEST(oci_uint64_values_above_int64_max)
{
  static const uint64_t vals[] = { UINT64_MAX, 1ull << 63, 0xffffffff00000000ull, 0x8000000000000001ull,
                                   (uint64_t) INT64_MAX };
  for (size_t i = 0; i < sizeof vals / sizeof *vals; i++) {
    uint64_t v = vals[i];
    char a[512], b[512];
    snprintf(a, sizeof a, SC("{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1,"
                             "\"args\":[{\"index\":0,\"value\":%llu,\"op\":\"SCMP_CMP_EQ\"}]}"),
             (unsigned long long) v);
    snprintf(b, sizeof b, SC("{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1,"
                             "\"args\":[{\"index\":0,\"value\":%lld,\"op\":\"SCMP_CMP_EQ\"}]}"),
             (long long) v);
    CHECK_INT(sim(a, "x86_64", "personality", v, 0), ERR(1));
    CHECK_INT(sim(a, "x86_64", "personality", v - 1, 0), ALLOW);
    CHECK_INT(sim(a, "x86_64", "personality", v & 0xffffffffu, 0), v >> 32 ? ALLOW : ERR(1));
    /* the same program either way */
    _cleanup_jdoc_ cell_jdoc *da = NULL, *db = NULL;
    cell_seccomp_opts o = { .arch = "x86_64" };
    cell_seccomp_filter fa, fb;
    cell_error err = CELL_ERROR_INIT;
    CHECK_INT(cell_seccomp_compile_oci(t_text(a, &da), &o, &fa, &err), 0);
    CHECK_INT(cell_seccomp_compile_oci(t_text(b, &db), &o, &fb, &err), 0);
    CHECK(fa.len == fb.len && memcmp(fa.insns, fb.insns, fa.len * sizeof *fa.insns) == 0);
    cell_seccomp_filter_free(&fa);
    cell_seccomp_filter_free(&fb);
  }
  const char *masked = SC("{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":2,"
                          "\"args\":[{\"index\":0,\"value\":18446744069414584320,\"valueTwo\":9223372036854775808,"
                          "\"op\":\"SCMP_CMP_MASKED_EQ\"}]}");
  CHECK_INT(sim(masked, "x86_64", "personality", 0x80000000deadbeefull, 0), ERR(2));
  CHECK_INT(sim(masked, "x86_64", "personality", 0x00000001deadbeefull, 0), ALLOW);
  CHECK_INT(sim(masked, "x86_64", "personality", 0xdeadbeefull, 0), ALLOW);
  /* where a big integer is no argument value, it is named as written */
  CHECK_STR(try(SC("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"index\":18446744073709551615,"
                   "\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}"), false),
            "linux.seccomp.syscalls[0].args[0].index: 18446744073709551615 is not an argument index 0..5");
  CHECK_STR(try(SC("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":9223372036854775808}"), false),
            "linux.seccomp.syscalls[0].errnoRet: 9223372036854775808 is out of range 0..65535");
  CHECK_STR(try(SC("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,"
                   "\"value\":18446744073709551616,\"op\":\"SCMP_CMP_EQ\"}]}"), false),
            "bad test json: 1:118: integer 18446744073709551616 is out of range (above UINT64_MAX)");
}
