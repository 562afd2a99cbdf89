/* bench/lang-bench: in one process, the compile time of a policy and of a
 * JSON profile (text to checked BPF, parsing included), best of 5 rounds
 * of ITERATIONS each, so that other load on the machine matters less.
 *
 *   lang-bench POLICY.sec PROFILE.json [ITERATIONS]
 *
 * Built by tests/unit/lang/meson.build; run through bench/lang.sh. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "seccomp/lang/lang.h"
#include "seccomp/seccomp.h"
#include "util/fs.h"

/* The whole file, or NULL (util/fs.h does the reading). */
static char *slurp(const char *path, size_t *len)
{
  char *buf = NULL;
  cell_error err = CELL_ERROR_INIT;
  if (cell_read_file(path, &buf, len, &err) < 0) {
    fprintf(stderr, "%s\n", err.msg);
    cell_error_clear(&err);
    return NULL;
  }
  return buf;
}

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
  if (argc < 3) {
    fprintf(stderr, "usage: lang-bench POLICY.sec PROFILE.json [ITERATIONS]\n");
    return 2;
  }
  int iters = argc > 3 ? atoi(argv[3]) : 200;
  size_t slen, jlen;
  char *sec = slurp(argv[1], &slen), *js = slurp(argv[2], &jlen);
  if (!sec || !js) {
    fprintf(stderr, "lang-bench: cannot read the inputs\n");
    return 1;
  }
  cell_sc_lang_opts lo = { .native_arch = "x86_64" };
  cell_seccomp_opts jo = { .arch = "x86_64" };
  double best_sec = 1e9, best_json = 1e9;
  size_t n_sec = 0, n_json = 0;
  for (int round = 0; round < 5; round++) {
    double t0 = now();
    for (int i = 0; i < iters; i++) {
      cell_seccomp_filter f;
      cell_error err = CELL_ERROR_INIT;
      if (cell_sc_lang_compile_filter(argv[1], sec, slen, &lo, &f, &err) < 0) {
        fprintf(stderr, "lang-bench: %s\n", err.msg);
        return 1;
      }
      n_sec = f.len;
      cell_seccomp_filter_free(&f);
    }
    double t1 = now();
    for (int i = 0; i < iters; i++) {
      cell_seccomp_filter f;
      cell_error err = CELL_ERROR_INIT;
      _cleanup_jdoc_ cell_jdoc *doc = NULL;
      if (cell_json_parse("json", js, jlen, &doc, &err) < 0 ||
          cell_seccomp_compile_oci(cell_jdoc_root(doc), &jo, &f, &err) < 0) {
        fprintf(stderr, "lang-bench: %s\n", err.msg);
        return 1;
      }
      n_json = f.len;
      cell_seccomp_filter_free(&f);
    }
    double t2 = now();
    if ((t1 - t0) / iters < best_sec)
      best_sec = (t1 - t0) / iters;
    if ((t2 - t1) / iters < best_json)
      best_json = (t2 - t1) / iters;
  }
  printf("in-process compile, text to checked BPF (best of 5 rounds of %d)\n", iters);
  printf("  %-22s %9.1f us %6zu insns\n", "policy (.sec)", best_sec * 1e6, n_sec);
  printf("  %-22s %9.1f us %6zu insns\n", "JSON profile", best_json * 1e6, n_json);
  printf("  ratio sec/json        %9.2f\n", best_sec / best_json);
  free(sec);
  free(js);
  return 0;
}
