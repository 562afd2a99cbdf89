/* config.json parsing: typed values and errors that name the place. */
#include "unit.h"
#include "oci/config.h"
#include "oci/resources.h"
#include "util/fs.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sched.h>

/* A rootfs that exists, so validation reaches the fields under test. */
#define ROOT "\"root\": {\"path\": \"/\"}"
#define NS "\"linux\": {\"namespaces\": [{\"type\": \"mount\"}]}"

static int parse(const char *text, oci_config **c, cell_error *err)
{
  return oci_config_parse(text, strlen(text), "config.json", "/bundle", NULL, c, err);
}

static void expect_error(int *unit_failed_, const char *text, const char *want)
{
  oci_config *c = NULL;
  cell_error err = CELL_ERROR_INIT;
  int r = parse(text, &c, &err);
  if (r >= 0 || !err.msg || strcmp(err.msg, want) != 0) {
    fprintf(stderr, "  got: %s\n  want: %s\n", err.msg ? err.msg : "(success)", want);
    (*unit_failed_)++;
  }
  oci_config_free(c);
  cell_error_clear(&err);
}

/* text parsed, or NULL and a failure counted. */
static oci_config *parse_ok(int *unit_failed_, const char *text)
{
  oci_config *c = NULL;
  cell_error err = CELL_ERROR_INIT;
  if (parse(text, &c, &err) < 0) {
    fprintf(stderr, "  refused: %s\n", err.msg);
    (*unit_failed_)++;
  }
  cell_error_clear(&err);
  return c;
}

TEST(parse_minimal)
{
  const char *t = "{\"ociVersion\": \"1.0.2\", " ROOT ", "
                  "\"process\": {\"cwd\": \"/\", \"args\": [\"sh\", \"-c\", \"true\"],"
                  " \"env\": [\"A=1\"], \"user\": {\"uid\": 5, \"gid\": 6, \"umask\": 18,"
                  " \"additionalGids\": [7, 8]},"
                  " \"capabilities\": {\"bounding\": [\"CAP_KILL\", \"CAP_SYS_ADMIN\"]},"
                  " \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 100, \"soft\": 50}],"
                  " \"noNewPrivileges\": true, \"oomScoreAdj\": 100},"
                  " \"hostname\": \"h\", \"annotations\": {\"a\": \"b\"},"
                  " \"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},"
                  "  {\"destination\": \"/data\", \"source\": \"data\", \"options\": [\"rbind\", \"ro\"]}],"
                  " \"linux\": {\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"uts\"},"
                  "  {\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": \"ipc\", \"path\": \"/proc/self/ns/ipc\"}],"
                  "  \"rootfsPropagation\": \"rslave\", \"maskedPaths\": [\"/proc/kcore\"],"
                  "  \"sysctl\": {\"net.ipv4.ip_forward\": \"1\"}}}";
  oci_config *c = parse_ok(unit_failed_, t);
  if (!c)
    return;
  CHECK_STR(c->oci_version, "1.0.2");
  CHECK_STR(c->root_path, "/");
  CHECK_STR(c->process->args[2], "true");
  CHECK_INT(c->process->user.uid, 5);
  CHECK_INT(c->process->user.umask, 18);
  CHECK_INT(c->process->user.n_additional_gids, 2);
  CHECK(c->process->caps.bounding == ((1ULL << 5) | (1ULL << 21)));
  CHECK_INT(c->process->rlimits[0].resource, RLIMIT_NOFILE);
  CHECK_INT(c->process->rlimits[0].soft, 50);
  CHECK(c->process->no_new_privileges);
  CHECK_INT(c->process->oom_score_adj, 100);
  CHECK_STR(oci_annotation(c, "a"), "b");
  CHECK_INT(c->n_mounts, 2);
  CHECK_STR(c->mounts[1].source, "/bundle/data");
  CHECK(c->mounts[1].bind);
  CHECK(c->linux.ns[OCI_NS_PID].present && !c->linux.ns[OCI_NS_PID].path);
  CHECK(c->linux.ns[OCI_NS_NETWORK].present && !c->linux.ns[OCI_NS_NETWORK].path);
  CHECK_STR(c->linux.ns[OCI_NS_IPC].path, "/proc/self/ns/ipc");
  CHECK(!c->linux.ns[OCI_NS_TIME].present);
  CHECK(c->linux.rootfs_propagation == (MS_SLAVE | MS_REC));
  CHECK_INT(c->linux.n_sysctl, 1);
  oci_config_free(c);
}

TEST(parse_syntax_error_has_line_and_column)
{
  expect_error(unit_failed_, "{\n  \"ociVersion\": \"1.0.0\",\n  \"root\": {\"path\": }\n}",
               "config.json:3:20: syntax error: unexpected '}'");
  expect_error(unit_failed_, "{\"ociVersion\": \"1.0.0\",\n  \"root\": {\"path\": \"/\",}\n}",
               "config.json:2:24: syntax error: a string (a key) expected");
  expect_error(unit_failed_, "", "config.json:1:1: syntax error: premature end of input: a value expected");
}

/* The runtime-spec's uint64 fields (runc's Go types: CPU.Shares, Period,
 * Burst, RealtimePeriod, HugepageLimit.Limit, ThrottleDevice.Rate,
 * POSIXRlimit.Hard/Soft) take any value up to UINT64_MAX, read exactly. */
TEST(parse_uint64_fields_above_int64_max_are_exact)
{
  const char *t =
    "{\"ociVersion\": \"1.0.0\", " ROOT ",\n"
    " \"process\": {\"cwd\": \"/\", \"args\": [\"sh\"], \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\",\n"
    "   \"hard\": 18446744073709551615, \"soft\": 9223372036854775808},\n"
    "   {\"type\": \"RLIMIT_CORE\", \"hard\": 1.8446744073709552e19, \"soft\": 1e3}]},\n"
    " \"linux\": {\"namespaces\": [{\"type\": \"mount\"}], \"resources\": {\n"
    "   \"cpu\": {\"shares\": 18446744073709551615, \"period\": 9223372036854775809,\n"
    "     \"burst\": 18446744073709551614, \"realtimePeriod\": 12345678901234567890},\n"
    "   \"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 18446744073709551615}],\n"
    "   \"blockIO\": {\"throttleReadBpsDevice\": [{\"major\": 8, \"minor\": 0,\n"
    "     \"rate\": 9223372036854775808}]}}}}";
  oci_config *c = parse_ok(unit_failed_, t);
  if (!c)
    return;
  const oci_rlimit *rl = c->process->rlimits;
  CHECK(rl[0].hard == UINT64_MAX);
  CHECK(rl[0].soft == (uint64_t) INT64_MAX + 1);
  CHECK(rl[1].hard == UINT64_MAX);             /* 2^64 as a real: UINT64_MAX, as before */
  CHECK(rl[1].soft == 1000);
  const oci_resources_typed *res = c->linux.resources.typed;
  CHECK(c->linux.resources.present && c->linux.resources.json && res);
  CHECK(res->cpu.has_shares && res->cpu.shares == UINT64_MAX);
  CHECK(res->cpu.period == (uint64_t) INT64_MAX + 2);
  CHECK(res->cpu.burst == UINT64_MAX - 1);
  CHECK(res->cpu.realtime_period == 12345678901234567890ULL);
  CHECK(res->n_hugepages == 1 && res->hugepages[0].limit == UINT64_MAX);
  CHECK(res->blkio.throttle[OCI_THROTTLE_READ_BPS].n == 1 &&
        res->blkio.throttle[OCI_THROTTLE_READ_BPS].v[0].rate == (uint64_t) INT64_MAX + 1);
  oci_config_free(c);
}

TEST(parse_integers_out_of_range)
{
  /* Above UINT64_MAX: no field takes it; the reader says where. */
  expect_error(unit_failed_,
               "{\"ociVersion\": \"1.0.0\", " ROOT ", \"process\": {\"cwd\": \"/\", \"args\": [\"sh\"],\n"
               "  \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1,\n"
               "  \"hard\": 18446744073709551616}]}}",
               "config.json:3:11: syntax error: integer 18446744073709551616 is out of range "
               "(above UINT64_MAX)");
  /* An int64 field (memory.limit is *int64 in runc's types) above INT64_MAX. */
  expect_error(unit_failed_,
               "{\"ociVersion\": \"1.0.0\", " ROOT ", \"linux\": {\"resources\": {\"memory\": {\"limit\":\n"
               "9223372036854775808}}}}",
               "config.json:2:1: linux.resources.memory.limit: 9223372036854775808 is out of range "
               "[-9223372036854775808, 9223372036854775807]");
  /* A uint32 field (user.uid) above INT64_MAX. */
  expect_error(unit_failed_,
               "{\"ociVersion\": \"1.0.0\", " ROOT ", \"process\": {\"cwd\": \"/\", \"args\": [\"sh\"],\n"
               "  \"user\": {\"uid\": 18446744073709551615, \"gid\": 0}}}",
               "config.json:2:19: process.user.uid: 18446744073709551615 is out of range [0, 4294967295]");
  /* Negative or fractional values of a uint64 field. */
  expect_error(unit_failed_,
               "{\"ociVersion\": \"1.0.0\", " ROOT ", \"process\": {\"cwd\": \"/\", \"args\": [\"sh\"],\n"
               "  \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1, \"hard\": -1}]}}",
               "config.json:2:60: process.rlimits[0].hard: expected a non-negative integer");
  expect_error(unit_failed_,
               "{\"ociVersion\": \"1.0.0\", " ROOT ", \"process\": {\"cwd\": \"/\", \"args\": [\"sh\"],\n"
               "  \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1, \"hard\": 2.5}]}}",
               "config.json:2:60: process.rlimits[0].hard: expected a non-negative integer");
  expect_error(unit_failed_,
               "{\"ociVersion\": \"1.0.0\", " ROOT ", \"linux\": {\"resources\": {\"cpu\": {\"shares\":\n"
               "-1}}}}",
               "config.json:2:1: linux.resources.cpu.shares: must not be negative, got -1");
}

/* A key given twice: the last one counts (as in runc's decoder), and the
 * message points at it. */
TEST(parse_repeated_key_last_counts)
{
  expect_error(unit_failed_,
               "{\"ociVersion\": \"1.0.0\", " ROOT ", \"process\": {\"cwd\": \"/\", \"args\": [\"sh\"],\n"
               "  \"cwd\": \"rel\"}}",
               "config.json:2:10: process.cwd: `rel` is not an absolute path");
}

/* `exec --process FILE`: text written to path, then read. */
static int process_from(const char *path, const char *text, oci_process **p, cell_error *err)
{
  int r = cell_write_file_atomic(path, text, strlen(text), 0600, err);
  return r < 0 ? r : oci_process_parse_file(path, NULL, p, err);
}

TEST(process_file)
{
  char path[] = "/tmp/cell-test-process-XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  if (fd < 0)
    return;
  close(fd);
  oci_process *p = NULL;
  cell_error err = CELL_ERROR_INIT;
  char want[128];
  CHECK(process_from(path, "{\"cwd\": \"/\",\n \"args\": [\"sh\" \"x\"]}", &p, &err) == -EINVAL);
  snprintf(want, sizeof want, "%s:2:16: ',' or ']' expected", path);
  CHECK_STR(err.msg, want);
  cell_error_clear(&err);
  CHECK_INT(process_from(path, "{\"cwd\": \"/\", \"args\": [\"sh\"],\n"
                         " \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 18446744073709551615, "
                         "\"soft\": 1}],\n"
                         " \"user\": {\"uid\": 1, \"gid\": 2, \"additionalGids\": [4294967295]}}",
                         &p, &err), 0);
  if (p) {
    CHECK(p->rlimits[0].hard == UINT64_MAX);
    CHECK(p->user.n_additional_gids == 1 && p->user.additional_gids[0] == 4294967295U);
    oci_process_free(p);
  }
  p = NULL;
  CHECK(process_from(path, "{\"cwd\": \"/\", \"args\": [\"sh\"],\n"
                     " \"user\": {\"uid\": 1, \"gid\": 2, \"additionalGids\": [4294967296]}}",
                     &p, &err) == -EINVAL);
  snprintf(want, sizeof want, "%s:2:50: user.additionalGids[0]: expected a group id", path);
  CHECK_STR(err.msg, want);
  cell_error_clear(&err);
  unlink(path);
}

TEST(parse_type_error_names_path_and_place)
{
  expect_error(unit_failed_,
               "{\"ociVersion\": \"1.0.0\", " ROOT ",\n \"process\": {\"cwd\": \"/\",\n"
               "    \"args\": \"sh\"}}",
               "config.json:3:13: process.args: expected an array of strings");
  expect_error(unit_failed_,
               "{\"ociVersion\": \"1.0.0\", " ROOT ", \"process\": {\"cwd\": \"/\", \"args\": [\"sh\", 3]}}",
               "config.json:1:80: process.args: expected an array of strings");
}

TEST(parse_missing_required_field)
{
  expect_error(unit_failed_, "{\"ociVersion\": \"1.0.0\"}",
               "config.json:1:1: root: missing required field");
  expect_error(unit_failed_, "{\"ociVersion\": \"1.0.0\", " ROOT ", \"process\": {\"args\": [\"sh\"]}}",
               "config.json:1:59: process.cwd: missing required field");
  expect_error(unit_failed_, "{\"ociVersion\": \"1.0.0\", " ROOT ", \"mounts\": [{\"type\": \"tmpfs\"}]}",
               "config.json:1:59: mounts[0].destination: missing required field");
}

TEST(parse_bad_values)
{
  expect_error(unit_failed_, "{\"ociVersion\": \"1.0.0\", " ROOT ", \"linux\": {\"namespaces\": [{\"type\": \"bogus\"}]}}",
               "config.json:1:82: linux.namespaces[0].type: unknown namespace type `bogus`");
  expect_error(unit_failed_, "{\"ociVersion\": \"1.0.0\", " ROOT ", \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"pid\"}]}}",
               "config.json:1:99: linux.namespaces[1].type: namespace `pid` is listed twice");
  expect_error(unit_failed_, "{\"ociVersion\": \"1.0.0\", " ROOT ", " NS ", \"process\": {\"cwd\": \"rel\", \"args\": [\"sh\"]}}",
               "config.json:1:113: process.cwd: `rel` is not an absolute path");
  expect_error(unit_failed_, "{\"ociVersion\": \"1.0.0\", " ROOT ", " NS ", \"process\": {\"cwd\": \"/\", \"args\": [\"sh\"],"
               " \"rlimits\": [{\"type\": \"RLIMIT_BOGUS\", \"hard\": 1, \"soft\": 1}]}}",
               "config.json:1:155: process.rlimits[0].type: unknown rlimit `RLIMIT_BOGUS`");
  expect_error(unit_failed_, "{\"ociVersion\": \"2.0.0\", " ROOT "}",
               "config.json:1:16: ociVersion: unsupported version `2.0.0` (cell supports 1.x)");
}

TEST(parse_cross_field_rules)
{
  expect_error(unit_failed_, "{\"ociVersion\": \"1.0.0\", " ROOT ", \"linux\": {\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"user\"}]}}",
               "config.json:1:72: linux.namespaces: a new user namespace needs linux.uidMappings and linux.gidMappings");
  expect_error(unit_failed_, "{\"ociVersion\": \"1.0.0\", " ROOT ", \"hostname\": \"x\", " NS "}",
               "config.json:1:60: hostname: setting the hostname needs a uts namespace");
  expect_error(unit_failed_, "{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"/nonexistent-root\"}, " NS "}",
               "config.json:1:42: root.path: rootfs `/nonexistent-root`: No such file or directory");
}

TEST(parse_unknown_fields_ignored_and_annotations_kept)
{
  oci_config *c = NULL;
  cell_error err = CELL_ERROR_INIT;
  int r = parse("{\"ociVersion\": \"1.1.0\", " ROOT ", " NS ", \"futureField\": {\"x\": 1},"
                " \"annotations\": {\"org.example/key\": \"value\"}}", &c, &err);
  CHECK_INT(r, 0);
  if (r == 0) {
    CHECK_STR(oci_annotation(c, "org.example/key"), "value");
    oci_config_free(c);
  }
  cell_error_clear(&err);
}
