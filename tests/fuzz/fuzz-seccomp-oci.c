/* libFuzzer target for the OCI seccomp front end and the back end.
 *
 * Input: JSON text, taken as a linux.seccomp object.  Whatever it is, the
 * compiler must not crash; an error must come with a message; a program it
 * produces must pass the kernel's rules (cell_seccomp_check), and must
 * give, on inputs derived from the data, the action the IR's meaning
 * (cell_sc_ir_eval) gives.  Any violation aborts.
 *
 * build/tests/fuzz/fuzz-seccomp-oci (tests/fuzz/meson.build): replayer or
 * AFL++ target; the unit test test-seccomp runs the same function over
 * tests/fuzz/corpus/seccomp-oci/ and every prefix of each file. */
#include "seccomp/ir.h"
#include "seccomp/oci.h"
#include "seccomp/seccomp.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t mix(uint64_t h, uint64_t v)
{
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  cell_jdoc *doc = NULL;
  cell_error perr = CELL_ERROR_INIT;
  int pr = cell_json_parse("fuzz.json", (const char *) data, size, &doc, &perr);
  if ((pr < 0) != (perr.msg != NULL))
    abort();
  cell_error_cleanup(&perr);
  if (pr < 0)
    return 0;
  const cell_jv *root = cell_jdoc_root(doc);
  int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
  cell_log log = { .fd = null, .format = CELL_LOG_TEXT };
  cell_seccomp_opts opts = {
    .arch = "x86_64", .log = &log, .source_name = "fuzz.json", .fail_unknown_syscall = size % 2,
  };
  cell_sc_ir ir;
  cell_sc_oci_result res;
  cell_error err = CELL_ERROR_INIT;
  struct sock_filter *f = NULL;
  size_t n = 0;
  cell_sc_ir_init(&ir);
  int r = cell_sc_oci_to_ir(root, &opts, &ir, &res, &err);
  if (r == 0)
    r = cell_sc_codegen(&ir, &f, &n, &err);
  if (r < 0) {
    if (!err.msg || r == 0)
      abort();
  } else {
    if (cell_seccomp_check(f, n, &err) < 0) {
      fprintf(stderr, "generated program rejected: %s\n", err.msg);
      abort();
    }
    uint64_t h = 0;
    for (size_t i = 0; i < size; i++)
      h = mix(h, data[i]);
    for (int k = 0; k < 64; k++) {
      h = mix(h, (uint64_t) k);
      const cell_sc_arch *a = &cell_sc_arches[h % cell_sc_narches];
      uint32_t nr;
      if (ir.nrules && k % 2)
        nr = ir.rules[(h >> 8) % ir.nrules].nr + (uint32_t) ((h >> 20) % 2);
      else
        nr = (uint32_t) (h >> 32) % 1024 + a->nr_base;
      uint64_t args[6];
      for (int i = 0; i < 6; i++) {
        h = mix(h, (uint64_t) i);
        args[i] = (h & 1) && ir.nconds ? ir.conds[(h >> 3) % ir.nconds].value + ((h >> 9) % 3) - 1 : h;
      }
      cell_seccomp_data d;
      cell_seccomp_data_make(&d, a->short_name, nr, args, NULL);
      uint32_t got = cell_seccomp_run(f, n, &d, NULL);
      uint32_t want = cell_sc_ir_eval(&ir, a->audit, nr, args);
      if (got != want) {
        fprintf(stderr, "arch %s nr %u: program 0x%08x, meaning 0x%08x\n", a->name, nr, got, want);
        abort();
      }
    }
  }
  /* the public entry point agrees */
  cell_seccomp_filter pf;
  cell_error err2 = CELL_ERROR_INIT;
  int r2 = cell_seccomp_compile_oci(root, &opts, &pf, &err2);
  if ((r2 < 0) != (r < 0))
    abort();
  if (r2 == 0) {
    if (pf.len != n || memcmp(pf.insns, f, n * sizeof *f))
      abort();
    cell_seccomp_filter_free(&pf);
  }
  cell_error_cleanup(&err2);
  cell_error_cleanup(&err);
  free(f);
  cell_sc_ir_free(&ir);
  cell_jdoc_free(doc);
  if (null >= 0)
    close(null);
  return 0;
}
