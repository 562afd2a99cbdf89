/* linux.resources JSON -> oci_resources_typed: every field, and errors that
 * name the field (and line:col when the text is given). */
#include "unit.h"
#include "oci/resources.h"
#include "util/fs.h"
#include "util/json.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

/* text read by util/json.h, as oci_config_parse and `update -r` read it. */
static int parse_as(const char *file, const char *name, const cell_log *log, const char *text,
                    oci_resources_typed *r, cell_error *err)
{
  _cleanup_jdoc_ cell_jdoc *doc = NULL;
  cell_error je = CELL_ERROR_INIT;
  if (cell_json_parse("test JSON", text, strlen(text), &doc, &je) < 0) {
    fprintf(stderr, "bad %s\n", je.msg);
    cell_error_clear(&je);
    return -1;
  }
  oci_json_where w = { file, name, log };
  return oci_resources_parse(cell_jdoc_root(doc), &w, r, err);
}

static int parse(const char *text, oci_resources_typed *r, cell_error *err)
{
  return parse_as("config.json", "linux.resources", NULL, text, r, err);
}

TEST(resources_every_field)
{
  const char *t =
    "{\"memory\":{\"limit\":1048576,\"reservation\":524288,\"swap\":2097152,\"kernel\":-1,"
    "\"kernelTCP\":4096,\"swappiness\":60,\"disableOOMKiller\":true,\"useHierarchy\":true,"
    "\"checkBeforeUpdate\":false},"
    "\"cpu\":{\"shares\":512,\"quota\":50000,\"burst\":1000,\"period\":100000,"
    "\"realtimeRuntime\":950,\"realtimePeriod\":1000,\"cpus\":\"0-1\",\"mems\":\"0\",\"idle\":1},"
    "\"pids\":{\"limit\":32},"
    "\"blockIO\":{\"weight\":500,\"leafWeight\":300,"
    "\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":600,\"leafWeight\":200}],"
    "\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":1000}],"
    "\"throttleWriteBpsDevice\":[{\"major\":8,\"minor\":1,\"rate\":2000}],"
    "\"throttleReadIOPSDevice\":[{\"major\":8,\"minor\":2,\"rate\":30}],"
    "\"throttleWriteIOPSDevice\":[{\"major\":8,\"minor\":3,\"rate\":40}]},"
    "\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":209715200}],"
    "\"network\":{\"classID\":1048577,\"priorities\":[{\"name\":\"eth0\",\"priority\":500}]},"
    "\"rdma\":{\"mlx5_1\":{\"hcaHandles\":3,\"hcaObjects\":10000}},"
    "\"unified\":{\"memory.high\":\"1G\"},"
    "\"devices\":[{\"allow\":false,\"access\":\"rwm\"},"
    "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":5,\"access\":\"r\"}]}";
  oci_resources_typed r;
  cell_error err = CELL_ERROR_INIT;
  CHECK_INT(parse(t, &r, &err), 0);
  if (err.msg)
    fprintf(stderr, "  %s\n", err.msg);
  CHECK(r.present && r.memory.present);
  CHECK(r.memory.has_limit && r.memory.limit == 1048576);
  CHECK_INT(r.memory.reservation, 524288);
  CHECK_INT(r.memory.swap, 2097152);
  CHECK(r.memory.has_kernel && r.memory.kernel == -1);
  CHECK_INT(r.memory.kernel_tcp, 4096);
  CHECK(r.memory.has_swappiness && r.memory.swappiness == 60);
  CHECK(r.memory.has_disable_oom_killer && r.memory.disable_oom_killer);
  CHECK(r.memory.has_use_hierarchy && r.memory.use_hierarchy);
  CHECK(r.memory.has_check_before_update && !r.memory.check_before_update);
  CHECK_INT(r.cpu.shares, 512);
  CHECK_INT(r.cpu.quota, 50000);
  CHECK_INT(r.cpu.burst, 1000);
  CHECK_INT(r.cpu.period, 100000);
  CHECK_INT(r.cpu.realtime_runtime, 950);
  CHECK_INT(r.cpu.realtime_period, 1000);
  CHECK_STR(r.cpu.cpus, "0-1");
  CHECK_STR(r.cpu.mems, "0");
  CHECK(r.cpu.has_idle && r.cpu.idle == 1);
  CHECK(r.pids.has_limit && r.pids.limit == 32);
  CHECK_INT(r.blkio.weight, 500);
  CHECK_INT(r.blkio.leaf_weight, 300);
  CHECK_INT(r.blkio.n_weight_devices, 1);
  if (r.blkio.n_weight_devices) {
    CHECK_INT(r.blkio.weight_devices[0].major, 8);
    CHECK_INT(r.blkio.weight_devices[0].weight, 600);
    CHECK_INT(r.blkio.weight_devices[0].leaf_weight, 200);
  }
  for (int k = 0; k < OCI_THROTTLE_KINDS; k++) {
    CHECK_INT(r.blkio.throttle[k].n, 1);
    if (r.blkio.throttle[k].n)
      CHECK_INT(r.blkio.throttle[k].v[0].minor, k);
  }
  CHECK_INT(r.blkio.throttle[OCI_THROTTLE_WRITE_IOPS].v[0].rate, 40);
  CHECK_INT(r.n_hugepages, 1);
  CHECK_STR(r.hugepages[0].page_size, "2MB");
  CHECK_INT(r.hugepages[0].limit, 209715200);
  CHECK(r.network.has_class_id && r.network.class_id == 1048577);
  CHECK_INT(r.network.n_priorities, 1);
  CHECK_STR(r.network.priorities[0].name, "eth0");
  CHECK_INT(r.network.priorities[0].priority, 500);
  CHECK_INT(r.n_rdma, 1);
  CHECK_STR(r.rdma[0].device, "mlx5_1");
  CHECK_INT(r.rdma[0].hca_handles, 3);
  CHECK_INT(r.rdma[0].hca_objects, 10000);
  CHECK_INT(r.n_unified, 1);
  CHECK_STR(r.unified[0].key, "memory.high");
  CHECK_STR(r.unified[0].value, "1G");
  CHECK(r.has_devices);
  CHECK_INT(r.n_devices, 2);
  CHECK(!r.devices[0].allow && r.devices[0].type == 'a');
  CHECK(r.devices[1].allow && r.devices[1].type == 'c' && r.devices[1].has_major &&
        r.devices[1].minor == 5);
  CHECK_STR(r.devices[1].access, "r");
  oci_resources_typed_free(&r);
  cell_error_clear(&err);
}

static void expect_error(int *unit_failed_, int *unit_skipped_, const char *text,
                         const char *needle)
{
  oci_resources_typed r;
  cell_error err = CELL_ERROR_INIT;
  int rc = parse(text, &r, &err);
  CHECK(rc < 0);
  if (!err.msg || !strstr(err.msg, needle)) {
    fprintf(stderr, "  for %s\n  error `%s` lacks `%s`\n", text, err.msg ? err.msg : "(none)",
            needle);
    (*unit_failed_)++;
  }
  cell_error_clear(&err);
}

#define EXPECT_ERROR(t, n) expect_error(unit_failed_, unit_skipped_, t, n)

TEST(resources_errors_name_the_field)
{
  EXPECT_ERROR("{\"memory\":{\"limit\":\"1G\"}}", "linux.resources.memory.limit: expected an integer");
  EXPECT_ERROR("{\"memory\":{\"limit\":-2}}", "linux.resources.memory.limit: -2 is negative");
  EXPECT_ERROR("{\"memory\":{\"swappiness\":101}}", "linux.resources.memory.swappiness: 101 is out of range");
  EXPECT_ERROR("{\"memory\":{\"disableOOMKiller\":1}}", "memory.disableOOMKiller: expected true or false");
  EXPECT_ERROR("{\"memory\":{\"limit\":2000000,\"swap\":1000000}}", "memory.swap: memory+swap 1000000 is below");
  EXPECT_ERROR("{\"cpu\":{\"shares\":-1}}", "linux.resources.cpu.shares: must not be negative");
  EXPECT_ERROR("{\"cpu\":{\"quota\":-5}}", "linux.resources.cpu.quota: -5 is negative");
  EXPECT_ERROR("{\"cpu\":{\"cpus\":3}}", "linux.resources.cpu.cpus: expected a string");
  EXPECT_ERROR("{\"cpu\":{\"idle\":2}}", "linux.resources.cpu.idle: 2 is out of range");
  EXPECT_ERROR("{\"pids\":{\"limit\":true}}", "linux.resources.pids.limit: expected an integer");
  EXPECT_ERROR("{\"blockIO\":{\"weight\":5}}", "linux.resources.blockIO.weight: 5 is out of range");
  EXPECT_ERROR("{\"blockIO\":{\"weightDevice\":[{\"major\":8,\"weight\":100}]}}",
               "linux.resources.blockIO.weightDevice[0]: `minor` is required");
  EXPECT_ERROR("{\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0}]}}",
               "blockIO.throttleReadBpsDevice[0]: `rate` is required");
  EXPECT_ERROR("{\"blockIO\":{\"throttleWriteIOPSDevice\":[{\"major\":8,\"minor\":0,\"rate\":-1}]}}",
               "blockIO.throttleWriteIOPSDevice[0].rate: must not be negative");
  EXPECT_ERROR("{\"hugepageLimits\":[{\"pageSize\":\"2M\",\"limit\":1}]}",
               "linux.resources.hugepageLimits[0].pageSize: `2M` is not a page size");
  EXPECT_ERROR("{\"hugepageLimits\":[{\"limit\":1}]}", "hugepageLimits[0]: `pageSize` is required");
  EXPECT_ERROR("{\"network\":{\"classID\":-1}}", "linux.resources.network.classID: -1 is out of range");
  EXPECT_ERROR("{\"network\":{\"priorities\":[{\"name\":\"a b\",\"priority\":1}]}}",
               "network.priorities[0].name: `a b` is not an interface name");
  EXPECT_ERROR("{\"rdma\":{\"mlx\":{\"hcaHandles\":\"x\"}}}", "linux.resources.rdma.mlx.hcaHandles: expected an integer");
  EXPECT_ERROR("{\"unified\":{\"../memory.max\":\"1\"}}", "linux.resources.unified.../memory.max: `../memory.max` is not");
  EXPECT_ERROR("{\"unified\":{\"memory.max\":1}}", "linux.resources.unified.memory.max: expected a string");
  EXPECT_ERROR("{\"devices\":[{\"allow\":true,\"type\":\"x\"}]}", "linux.resources.devices[0].type: expected");
  EXPECT_ERROR("{\"devices\":[{\"allow\":true,\"access\":\"rwx\"}]}", "devices[0].access: `rwx` is not a subset");
  EXPECT_ERROR("{\"devices\":[{\"type\":\"c\"}]}", "linux.resources.devices[0]: `allow` is required");
  EXPECT_ERROR("[]", "linux.resources: expected an object");
}

TEST(resources_unknown_fields_are_ignored)
{
  /* runc accepts fields it does not know; so do we (with a warning). */
  oci_resources_typed r;
  cell_error err = CELL_ERROR_INIT;
  cell_log quiet = { .fd = -1 };
  CHECK_INT(parse_as(NULL, "linux.resources", &quiet,
                     "{\"bogus\": 1, \"memory\": {\"limitt\": 1, \"limit\": 4096}}", &r, &err), 0);
  CHECK(r.memory.has_limit && r.memory.limit == 4096);
  oci_resources_typed_free(&r);
  cell_error_clear(&err);
}

TEST(resources_error_has_line_and_column)
{
  const char *t = "{\n  \"memory\": {\n    \"limit\": \"x\"\n  }\n}";
  oci_resources_typed r;
  cell_error err = CELL_ERROR_INIT;
  CHECK(parse_as("res.json", "", NULL, t, &r, &err) < 0);
  CHECK_STR(err.msg, "res.json:3:14: memory.limit: expected an integer");
  cell_error_clear(&err);
  /* A member that is absent: the place of the object that lacks it. */
  t = "{\"blockIO\": {\"throttleReadBpsDevice\": [\n  {\"major\": 8, \"minor\": 0}]}}";
  CHECK(parse_as("res.json", "", NULL, t, &r, &err) < 0);
  CHECK_STR(err.msg, "res.json:2:3: blockIO.throttleReadBpsDevice[0]: `rate` is required");
  cell_error_clear(&err);
  /* A repeated key: the one that counts is the one named. */
  t = "{\"memory\": {\"limit\": 1,\n \"limit\": \"x\"}}";
  CHECK(parse_as("res.json", "", NULL, t, &r, &err) < 0);
  CHECK_STR(err.msg, "res.json:2:11: memory.limit: expected an integer");
  cell_error_clear(&err);
}

TEST(resources_null_and_absent)
{
  oci_resources_typed r;
  cell_error err = CELL_ERROR_INIT;
  CHECK_INT(oci_resources_parse(NULL, NULL, &r, &err), 0);
  CHECK(!r.present);
  CHECK_INT(parse("{\"memory\":null,\"pids\":{}}", &r, &err), 0);
  CHECK(r.present && !r.memory.present && r.pids.present && !r.pids.has_limit);
  oci_resources_typed_free(&r);
}

TEST(resources_sizes)
{
  int64_t v;
  CHECK(oci_parse_size("512m", &v) == 0 && v == 512ll << 20);
  CHECK(oci_parse_size("1G", &v) == 0 && v == 1ll << 30);
  CHECK(oci_parse_size("1gb", &v) == 0 && v == 1ll << 30);
  CHECK(oci_parse_size("4096", &v) == 0 && v == 4096);
  CHECK(oci_parse_size("-1", &v) == 0 && v == -1);
  CHECK(oci_parse_size("12q", &v) < 0);
  CHECK(oci_parse_size("", &v) < 0);
}

/* `update -r FILE`: text written to path, then read. */
static int load_from(const char *path, const char *text, oci_resources_typed *r, cell_error *err)
{
  int rc = cell_write_file_atomic(path, text, strlen(text), 0600, err);
  return rc < 0 ? rc : oci_resources_load_file(path, r, err);
}

/* The file is read by util/json.h: uint64 fields exact up to UINT64_MAX
 * (runc's Go types), errors at the file's line and column. */
TEST(resources_load_file)
{
  char path[] = "/tmp/cell-test-resources-XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  if (fd < 0)
    return;
  close(fd);
  oci_resources_typed r;
  cell_error err = CELL_ERROR_INIT;
  CHECK_INT(load_from(path, "{\"cpu\": {\"shares\": 18446744073709551615,\n"
                      "  \"period\": 9223372036854775808}}", &r, &err), 0);
  CHECK(r.cpu.has_shares && r.cpu.shares == UINT64_MAX);
  CHECK(r.cpu.has_period && r.cpu.period == (uint64_t) INT64_MAX + 1);
  oci_resources_typed_free(&r);
  char want[256];
  CHECK(load_from(path, "{\"memory\": {\"limit\": 1,\n  \"swap\": 18446744073709551616}}",
                  &r, &err) == -EINVAL);
  snprintf(want, sizeof want, "%s:2:11: integer 18446744073709551616 is out of range "
           "(above UINT64_MAX)", path);
  CHECK_STR(err.msg, want);
  cell_error_clear(&err);
  CHECK(load_from(path, "{\"memory\": {\"limit\":\n  9223372036854775808}}", &r, &err) == -EINVAL);
  snprintf(want, sizeof want, "%s:2:3: memory.limit: 9223372036854775808 is out of range "
           "[-9223372036854775808, 9223372036854775807]", path);
  CHECK_STR(err.msg, want);
  cell_error_clear(&err);
  unlink(path);
}
