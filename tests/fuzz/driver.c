/* The main() of every fuzz target (tests/fuzz/fuzz-*.c, each defining
 * LLVMFuzzerTestOneInput).
 *
 *   Compiled by afl-clang-fast (make fuzz, build-afl/): with no argument
 *   it is an AFL++ persistent-mode loop over the shared-memory test case;
 *   with arguments it replays them as below.
 *   Compiled by anything else (build/, build-asan/): a replayer. Each
 *   argument is a file or a directory of files (not recursive); every
 *   input goes through the target once, in name order, and the last line
 *   says how many. A target that finds a violation aborts, so a non-zero
 *   exit means a crash, and the line before it names the input.
 *
 * The input is copied into a buffer of exactly its size so that ASan sees
 * a read past the end. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifdef __AFL_FUZZ_TESTCASE_LEN
__AFL_FUZZ_INIT();
#endif

static int one_file(const char *path)
{
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "%s: %s\n", path, strerror(errno));
    return -1;
  }
  size_t cap = 4096, n = 0;
  uint8_t *buf = malloc(cap);
  size_t got;
  while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) {
      uint8_t *nb = realloc(buf, cap *= 2);
      if (!nb)
        free(buf);
      buf = nb;
    }
  }
  fclose(f);
  if (!buf) {
    fprintf(stderr, "%s: out of memory\n", path);
    return -1;
  }
  uint8_t *exact = malloc(n ? n : 1);
  if (!exact) {
    free(buf);
    return -1;
  }
  memcpy(exact, buf, n);
  free(buf);
  fprintf(stderr, "input %s (%zu bytes)\n", path, n);
  LLVMFuzzerTestOneInput(exact, n);
  free(exact);
  return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
  return strcmp((*a)->d_name, (*b)->d_name);
}

static int replay(int argc, char **argv)
{
  long count = 0;
  int bad = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) < 0) {
      fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
      bad = 1;
      continue;
    }
    if (!S_ISDIR(st.st_mode)) {
      if (one_file(argv[i]) < 0)
        bad = 1;
      else
        count++;
      continue;
    }
    struct dirent **names;
    int n = scandir(argv[i], &names, NULL, by_name);
    if (n < 0) {
      fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
      bad = 1;
      continue;
    }
    for (int k = 0; k < n; k++) {
      char path[4096];
      snprintf(path, sizeof path, "%s/%s", argv[i], names[k]->d_name);
      if (names[k]->d_name[0] != '.' && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
        if (one_file(path) < 0)
          bad = 1;
        else
          count++;
      }
      free(names[k]);
    }
    free(names);
  }
  printf("%ld inputs replayed\n", count);
  return bad;
}

int main(int argc, char **argv)
{
#ifdef __AFL_FUZZ_TESTCASE_LEN
  if (argc < 2) {
    __AFL_INIT();
    const unsigned char *shared = __AFL_FUZZ_TESTCASE_BUF;
    while (__AFL_LOOP(10000)) {
      size_t len = (size_t) __AFL_FUZZ_TESTCASE_LEN;
      uint8_t *exact = malloc(len ? len : 1);
      if (!exact)
        abort();
      memcpy(exact, shared, len);
      LLVMFuzzerTestOneInput(exact, len);
      free(exact);
    }
    return 0;
  }
#endif
  if (argc < 2) {
    fprintf(stderr, "usage: %s FILE|DIR... (replays each input through the target)\n", argv[0]);
    return 2;
  }
  return replay(argc, argv);
}
