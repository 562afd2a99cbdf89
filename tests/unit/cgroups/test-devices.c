/* Device rules: the v2 eBPF program (built, interpreted here, and verified
 * by the kernel's BPF_PROG_LOAD) and the rule list with defaults. */
#include "unit.h"
#include "cgroups/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#define R BPF_DEVCG_ACC_READ
#define W BPF_DEVCG_ACC_WRITE
#define M BPF_DEVCG_ACC_MKNOD

static oci_device_rule rule(bool allow, char type, int64_t major, int64_t minor, const char *acc)
{
  return (oci_device_rule) { .allow = allow, .type = type, .has_major = major >= 0,
                             .has_minor = minor >= 0, .major = major, .minor = minor,
                             .access = (char *) acc };
}

static int eval(const cg_dev_rules *rules, char type, uint32_t maj, uint32_t min, uint32_t acc)
{
  struct bpf_insn *insns = NULL;
  size_t n = 0;
  if (cg_devices_bpf_build(rules, &insns, &n) < 0)
    return -100;
  int r = cg_devices_bpf_eval(insns, n, type, maj, min, acc);
  free(insns);
  return r;
}

TEST(devices_bpf_semantics)
{
  oci_device_rule v[] = {
    rule(false, 'a', -1, -1, "rwm"),          /* deny everything */
    rule(true, 'c', 1, 3, "rwm"),             /* /dev/null */
    rule(true, 'c', 1, 5, "r"),               /* /dev/zero read only */
    rule(true, 'c', 136, -1, "rwm"),          /* pts */
    rule(true, 'b', 8, 0, "rw"),
    rule(false, 'c', 136, 7, "w"),            /* but not writing pts/7 */
  };
  cg_dev_rules rules = { v, sizeof v / sizeof *v };
  CHECK_INT(eval(&rules, 'c', 1, 3, R | W), 1);
  CHECK_INT(eval(&rules, 'c', 1, 3, M), 1);
  CHECK_INT(eval(&rules, 'c', 1, 5, R), 1);
  CHECK_INT(eval(&rules, 'c', 1, 5, W), 0);
  CHECK_INT(eval(&rules, 'c', 1, 5, R | W), 0);
  CHECK_INT(eval(&rules, 'c', 1, 7, R), 0);
  CHECK_INT(eval(&rules, 'c', 136, 0, R | W), 1);
  CHECK_INT(eval(&rules, 'c', 136, 7, R), 1);
  CHECK_INT(eval(&rules, 'c', 136, 7, W), 0);
  CHECK_INT(eval(&rules, 'c', 136, 7, R | W), 0);
  CHECK_INT(eval(&rules, 'b', 8, 0, R), 1);
  CHECK_INT(eval(&rules, 'b', 8, 0, M), 0);
  CHECK_INT(eval(&rules, 'c', 8, 0, R), 0);      /* type matters */
  CHECK_INT(eval(&rules, 'b', 1, 3, R), 0);
  CHECK_INT(eval(&rules, 'c', 4294967295u, 1, R), 0);
}

TEST(devices_bpf_default_allow_and_early_end)
{
  /* No deny-all: everything not denied stays allowed (as v1). */
  oci_device_rule v[] = { rule(false, 'c', 1, 5, "rwm") };
  cg_dev_rules rules = { v, 1 };
  CHECK_INT(eval(&rules, 'c', 1, 5, R), 0);
  CHECK_INT(eval(&rules, 'c', 1, 3, R), 1);
  /* An unconditional rule last makes the earlier ones unreachable: the
   * program ends there. */
  oci_device_rule v2[] = { rule(false, 'c', 1, 5, "rwm"), rule(true, 'a', -1, -1, "rwm") };
  cg_dev_rules r2 = { v2, 2 };
  struct bpf_insn *insns = NULL;
  size_t n = 0;
  CHECK_INT(cg_devices_bpf_build(&r2, &insns, &n), 0);
  CHECK_INT(n, 8);                                /* 6 loads + mov + exit */
  CHECK_INT(cg_devices_bpf_eval(insns, n, 'c', 1, 5, R), 1);
  free(insns);
  cg_dev_rules none = { NULL, 0 };
  CHECK_INT(eval(&none, 'b', 1, 1, R), 1);
}

TEST(devices_bpf_kernel_verifies)
{
  oci_device_rule v[] = {
    rule(false, 'a', -1, -1, "rwm"), rule(true, 'c', 1, 3, "rwm"), rule(true, 'c', 1, 5, "r"),
    rule(false, 'c', 136, 7, "w"), rule(true, 'b', -1, -1, "m"),
  };
  cg_dev_rules rules = { v, sizeof v / sizeof *v };
  struct bpf_insn *insns = NULL;
  size_t n = 0;
  CHECK_INT(cg_devices_bpf_build(&rules, &insns, &n), 0);
  union bpf_attr a;
  memset(&a, 0, sizeof a);
  a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  a.insns = (uint64_t) (uintptr_t) insns;
  a.insn_cnt = (uint32_t) n;
  a.license = (uint64_t) (uintptr_t) "GPL";
  char log[8192] = "";
  a.log_buf = (uint64_t) (uintptr_t) log;
  a.log_size = sizeof log;
  a.log_level = 1;
  int fd = (int) syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof a);
  if (fd < 0 && (errno == EPERM || errno == ENOSYS)) {
    free(insns);
    SKIP("bpf(BPF_PROG_LOAD) is not permitted here");
  }
  if (fd < 0)
    fprintf(stderr, "  verifier: %s\n", log);
  CHECK(fd >= 0);
  if (fd >= 0)
    close(fd);
  free(insns);
}

TEST(devices_rule_list)
{
  oci_device_rule cfg[] = { rule(false, 'a', -1, -1, NULL) };
  oci_device devs[] = { { .path = "/dev/fuse", .type = 'c', .major = 10, .minor = 229 },
                        { .path = "/dev/fifo", .type = 'p' },
                        { .path = "/dev/u", .type = 'u', .major = 4, .minor = 1 } };
  cg_dev_rules r;
  CHECK_INT(cg_dev_rules_build(cfg, 1, devs, 3, true, &r), 0);
  CHECK(r.n > 5);
  CHECK(!r.v[0].allow && r.v[0].type == 'a');
  CHECK_STR(r.v[0].access, "rwm");
  CHECK(r.v[1].allow && r.v[1].type == 'c' && r.v[1].major == 10 && r.v[1].minor == 229);
  CHECK(r.v[2].type == 'c' && r.v[2].major == 4);        /* 'u' is a char device; fifo skipped */
  /* defaults: /dev/null, /dev/zero, ptmx, pts */
  CHECK_INT(eval(&r, 'c', 1, 3, R | W), 1);
  CHECK_INT(eval(&r, 'c', 1, 5, R), 1);
  CHECK_INT(eval(&r, 'c', 5, 2, R | W), 1);
  CHECK_INT(eval(&r, 'c', 136, 3, R | W), 1);
  CHECK_INT(eval(&r, 'b', 8, 0, M), 1);                 /* mknod of anything */
  CHECK_INT(eval(&r, 'b', 8, 0, R), 0);
  CHECK_INT(eval(&r, 'c', 10, 229, R | W), 1);
  cg_dev_rules_free(&r);
  /* The config's rules in order, then the defaults (as runc and crun): a
   * deny-all keeps them, and a config rule cannot take one away. */
  oci_device_rule cfg2[] = { rule(true, 'c', 1, 7, "r"), rule(false, 'a', -1, -1, "rwm"),
                             rule(true, 'c', 10, 200, "rwm"), rule(false, 'c', 10, 200, "w"),
                             rule(false, 'c', 1, 5, "rwm") };
  CHECK_INT(cg_dev_rules_build(cfg2, 5, NULL, 0, true, &r), 0);
  CHECK(r.v[0].allow && r.v[0].major == 1 && r.v[0].minor == 7);
  CHECK(!r.v[1].allow && r.v[1].type == 'a');
  CHECK(!r.v[4].allow && r.v[4].minor == 5);
  CHECK(r.v[r.n - 1].allow);
  CHECK_INT(eval(&r, 'c', 1, 5, R), 1);
  CHECK_INT(eval(&r, 'c', 10, 200, R), 1);
  CHECK_INT(eval(&r, 'c', 10, 200, W), 0);
  CHECK_INT(eval(&r, 'c', 1, 3, R), 1);
  CHECK_INT(eval(&r, 'b', 8, 0, R), 0);
  cg_dev_rules_free(&r);
  /* Without the defaults the config's rules are all there is. */
  oci_device_rule cfg3[] = { rule(false, 'a', -1, -1, "rwm"), rule(true, 'c', 1, 3, "r") };
  CHECK_INT(cg_dev_rules_build(cfg3, 2, NULL, 0, false, &r), 0);
  CHECK_INT(r.n, 2);
  CHECK_INT(eval(&r, 'c', 1, 3, W), 0);
  CHECK_INT(eval(&r, 'c', 1, 3, R), 1);
  CHECK_INT(eval(&r, 'c', 1, 5, R), 0);
  cg_dev_rules_free(&r);
}
