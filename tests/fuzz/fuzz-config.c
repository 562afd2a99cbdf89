/* Fuzz target: config.json, as `cell create` reads it (src/oci), then the
 * parts of it another reader takes over: linux.seccomp through the OCI
 * seccomp compiler and the annotation run.oci.seccomp_bpf_data.
 *
 * Whatever the input: no crash, no leak; a refusal comes with a message
 * that names the file (config.json:LINE:COL, or the file alone); an
 * accepted config parses the same way a second time, its root path is
 * absolute, and its seccomp parts compile or are refused with a message
 * (a compiled filter passes the kernel's rules). Any violation aborts. */
#include "oci/config.h"
#include "seccomp/seccomp.h"

#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NAME "config.json"

static void must(int cond, const char *what, const char *msg)
{
  if (!cond) {
    fprintf(stderr, "violation: %s (%s)\n", what, msg ? msg : "no message");
    abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size > 1 << 18)
    return 0;
  static int null = -2;
  if (null == -2)
    null = open("/dev/null", O_WRONLY | O_CLOEXEC);
  cell_log log = { .fd = null, .format = CELL_LOG_TEXT };
  oci_config *c = NULL;
  cell_error err = CELL_ERROR_INIT;
  int r = oci_config_parse((const char *) data, size, NAME, "/fuzz-bundle", &log, &c, &err);
  if (r < 0) {
    must(c == NULL, "a refused config gave a result", err.msg);
    must(err.msg && strstr(err.msg, NAME), "a refusal does not name the file", err.msg);
    cell_error_cleanup(&err);
    return 0;
  }
  must(c && !err.msg, "an accepted config has no result or an error", err.msg);
  must(c->root_path && strncmp(c->root_path, "/", 1) == 0, "root.path is not absolute",
       c->root_path);
  oci_config *again = NULL;
  must(oci_config_parse((const char *) data, size, NAME, "/fuzz-bundle", &log, &again, &err) == 0,
       "the same text refused the second time", err.msg);
  must(strcmp(again->root_path, c->root_path) == 0, "two parses differ", again->root_path);
  oci_config_free(again);
  if (c->linux.seccomp) {
    cell_seccomp_opts opts = { .arch = "x86_64", .log = &log, .source_name = NAME };
    cell_seccomp_filter f = { 0 };
    if (cell_seccomp_compile_oci(c->linux.seccomp, &opts, &f, &err) < 0)
      must(err.msg != NULL, "a refused linux.seccomp has no message", NULL);
    else
      must(cell_seccomp_check(f.insns, f.len, &err) == 0, "compiled linux.seccomp is invalid",
           err.msg);
    cell_seccomp_filter_free(&f);
    cell_error_cleanup(&err);
  }
  const char *bpf = oci_annotation(c, "run.oci.seccomp_bpf_data");
  if (bpf) {
    cell_seccomp_filter f = { 0 };
    if (cell_seccomp_from_base64(bpf, &f, &err) < 0)
      must(err.msg != NULL, "a refused run.oci.seccomp_bpf_data has no message", NULL);
    cell_seccomp_filter_free(&f);
    cell_error_cleanup(&err);
  }
  oci_config_free(c);
  return 0;
}
