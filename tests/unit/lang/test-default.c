/* cell's default profile (profiles/default.sec): the JSON form the build
 * makes of it (build/profiles/default.json) decides exactly as the policy
 * on every syscall number of every architecture, for argument values that
 * reach each of its argument rules; the policy compiles without a warning;
 * and it decides what its comments say it decides. */
#include <errno.h>
#include "jv.h"
#include <stdlib.h>
#include "helpers.h"
#include "seccomp/oci.h"
#include "seccomp/seccomp.h"
#include "seccomp/table.h"
#include "unit.h"
#include "util/fs.h"

#define ALLOW 0x7fff0000u
#define ERRNO(e) (0x00050000u | (e))
#define KILL_THREAD 0u

static int load(cell_sc_ir *pol, cell_sc_ir *js, l_diags *dg, cell_error *err)
{
  char *text = l_read("profiles/default.sec");
  if (!text)
    return cell_error_set(err, ENOENT, "profiles/default.sec: not found");
  int r = l_compile(text, NULL, pol, dg, err);
  free(text);
  if (r < 0)
    return r;
  json_error_t je;
  json_t *j = json_load_file(CELL_BUILD_ROOT "/profiles/default.json", 0, &je);
  if (!j)
    return cell_error_set(err, ENOENT, "%s: %s", CELL_BUILD_ROOT "/profiles/default.json", je.text);
  cell_seccomp_opts o = { .arch = "x86_64", .log = &(cell_log) { .fd = -1 } };
  cell_sc_oci_result res;
  cell_sc_ir_init(js);
  _cleanup_jdoc_ cell_jdoc *jd1_ = NULL;
  r = cell_sc_oci_to_ir(t_jv(j, &jd1_), &o, js, &res, err);
  json_decref(j);
  return r;
}

/* Both forms, or false (with the error printed, and both empty). */
static bool loaded(cell_sc_ir *pol, cell_sc_ir *js, l_diags *dg)
{
  cell_error err = CELL_ERROR_INIT;
  cell_sc_ir_init(pol);
  cell_sc_ir_init(js);
  int r = load(pol, js, dg, &err);
  if (r < 0) {
    fprintf(stderr, "  %s\n", err.msg);
    cell_sc_ir_free(pol);
    cell_sc_ir_free(js);
    cell_sc_ir_init(pol);
    cell_sc_ir_init(js);
  }
  cell_error_cleanup(&err);
  return r == 0;
}

/* values for arg0..arg2 that reach every branch of the profile's argument
 * rules (clone/unshare flags, personality, socket family and protocol),
 * with and without high bits */
static const uint64_t vals[] = {
  0, 1, 8, 9, 16, 0x20000, 0x20008, 0xffffffff, 0x10000000, 0x10000000 | 0x20000, 0x10020000,
  0xefffffff, 0x1ffffffffull, 0x100000000ull | 0x10000000, 0xffffffff10000000ull, 0xffffffffffffffffull,
};
#define NV (sizeof vals / sizeof vals[0])

TEST(default_profile_json_decides_as_policy)
{
  cell_sc_ir pol, js;
  l_diags dg;
  CHECK(loaded(&pol, &js, &dg));
  if (!pol.narches)
    return;
  for (int i = 0; i < dg.n; i++)
    fprintf(stderr, "  %s\n", dg.d[i].text);
  CHECK_INT(dg.n, 0);
  CHECK_INT(pol.narches, 5);
  unsigned inputs = 0, bad = 0;
  for (size_t ai = 0; ai < cell_sc_narches; ai++) {
    const cell_sc_arch *a = &cell_sc_arches[ai];
    bool in = cell_sc_ir_has_arch(&pol, ai);
    CHECK(in == cell_sc_ir_has_arch(&js, ai));
    uint32_t max = cell_sc_arch_max_nr(a) + 40;
    /* every number (arm's private ones lie near 0xf0000: the unnamed ones
     * between get one input each), all argument sets for named ones */
    for (uint32_t nr = a->nr_base; nr <= max; nr += in ? 1 : 37)
      for (unsigned v = 0; v < (in && cell_sc_syscall_name(a, nr) ? NV * NV : 1); v++) {
        uint64_t args[6] = { vals[v % NV], 0, vals[v / NV], vals[(v * 5) % NV], 0, 0 };
        uint32_t x = cell_sc_ir_eval(&pol, a->audit, nr, args), y = cell_sc_ir_eval(&js, a->audit, nr, args);
        inputs++;
        if (x != y && bad++ < 5)
          fprintf(stderr, "  %s nr %u (%s) args %llx,%llx,%llx: policy %08x json %08x\n", a->short_name, nr,
                  cell_sc_syscall_name(a, nr) ?: "?", (unsigned long long) args[0],
                  (unsigned long long) args[1], (unsigned long long) args[2], x, y);
      }
    static const uint32_t odd[] = { 0x40000000u, 0x4000003bu, 0x400001ffu, 0x7fffffffu, 0x80000000u, 0xffffffffu };
    for (size_t k = 0; k < sizeof odd / sizeof odd[0]; k++) {
      uint64_t args[6] = { 0 };
      if (cell_sc_ir_eval(&pol, a->audit, odd[k], args) != cell_sc_ir_eval(&js, a->audit, odd[k], args) &&
          bad++ < 5)
        fprintf(stderr, "  %s nr 0x%x: policy and json differ\n", a->short_name, odd[k]);
    }
  }
  fprintf(stderr, "  %u inputs, %u differences\n", inputs, bad);
  CHECK_INT(bad, 0);
  CHECK_INT(l_check_bpf(&pol, 2000, 7), 0);
  CHECK_INT(l_check_bpf(&js, 2000, 8), 0);
  cell_sc_ir_free(&pol);
  cell_sc_ir_free(&js);
}

/* what profiles/default.sec says it does, on both forms */
TEST(default_profile_decisions)
{
  cell_sc_ir pol, js;
  CHECK(loaded(&pol, &js, NULL));
  if (!pol.narches)
    return;
  static const struct {
    const char *arch, *sc;
    uint64_t a0, a2;
    uint32_t want;
  } cases[] = {
    { "x86_64", "read", 0, 0, ALLOW },
    { "x86", "read", 0, 0, ALLOW },
    { "x32", "read", 0, 0, ALLOW },
    { "aarch64", "read", 0, 0, ALLOW },
    { "arm", "set_tls", 0, 0, ALLOW },
    { "s390x", "read", 0, 0, KILL_THREAD },       /* not an ABI of the profile */
    { "ppc64le", "read", 0, 0, KILL_THREAD },
    { "x86_64", "mount", 0, 0, ALLOW },            /* left to the capabilities */
    { "x86_64", "sethostname", 0, 0, ERRNO(1) },
    { "x86_64", "kexec_load", 0, 0, ERRNO(1) },
    { "x86_64", "open_by_handle_at", 0, 0, ERRNO(1) },
    { "x86_64", "bpf", 0, 0, ERRNO(1) },
    { "x86_64", "syslog", 0, 0, ERRNO(1) },        /* our choice: the host's log */
    { "aarch64", "syslog", 0, 0, ERRNO(1) },
    { "x86_64", "quotactl_fd", 0, 0, ERRNO(1) },
    { "x86_64", "unshare", 0x20000, 0, ALLOW },    /* CLONE_NEWNS */
    { "x86_64", "unshare", 0x10000000, 0, ERRNO(1) },
    { "x86_64", "unshare", 0x10020000, 0, ERRNO(1) },
    { "x86", "unshare", 0x10000000, 0, ERRNO(1) },
    { "arm", "unshare", 0x10000000, 0, ERRNO(1) },
    { "x86_64", "clone", 0x1200011, 0, ALLOW },    /* fork's flags */
    { "x86_64", "clone", 0x10000011, 0, ERRNO(1) },
    { "aarch64", "clone", 0x10000011, 0, ERRNO(1) },
    { "x86_64", "clone3", 0, 0, ERRNO(38) },
    { "x86_64", "personality", 0, 0, ALLOW },
    { "x86_64", "personality", 8, 0, ALLOW },      /* PER_LINUX32 */
    { "x86_64", "personality", 0xffffffff, 0, ALLOW },
    { "x86_64", "personality", 0x40000, 0, ERRNO(38) },  /* ADDR_NO_RANDOMIZE */
    { "x86_64", "socket", 16, 9, ERRNO(22) },      /* AF_NETLINK, NETLINK_AUDIT */
    { "x86_64", "socket", 16, 0, ALLOW },
    { "x86_64", "socket", 2, 9, ALLOW },
    { "x86", "socketcall", 1, 0, ALLOW },
    { "x86_64", "fchmodat2", 0, 0, ALLOW },        /* our choice: newer siblings */
    { "x86_64", "map_shadow_stack", 0, 0, ALLOW },
    { "x86_64", "io_uring_setup", 0, 0, ERRNO(38) },
    { "x86_64", "add_key", 0, 0, ERRNO(38) },
    { "x86_64", "lsm_get_self_attr", 0, 0, ERRNO(38) },
    { "x86_64", "#1000", 0, 0, ERRNO(38) },        /* newer than the table */
    { "x86_64", "ptrace", 0, 0, ALLOW },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    uint64_t args[6] = { cases[i].a0, 0, cases[i].a2, 0, 0, 0 };
    uint32_t p = l_act(&pol, cases[i].arch, cases[i].sc, args), j = l_act(&js, cases[i].arch, cases[i].sc, args);
    if (p != cases[i].want || j != cases[i].want) {
      fprintf(stderr, "  %s %s(0x%llx, _, 0x%llx): policy %08x json %08x, expected %08x\n", cases[i].arch,
              cases[i].sc, (unsigned long long) cases[i].a0, (unsigned long long) cases[i].a2, p, j,
              cases[i].want);
      (*unit_failed_)++;
    }
  }
  cell_sc_ir_free(&pol);
  cell_sc_ir_free(&js);
}
