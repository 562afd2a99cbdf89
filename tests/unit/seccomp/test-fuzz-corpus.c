/* The libFuzzer harness (tests/fuzz/fuzz-seccomp-oci.c) over its seed
 * corpus, so that it runs with any compiler in the unit tests. */
#include "unit.h"

#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include "util/error.h"
#include "util/fs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

TEST(fuzz_corpus)
{
  const char *dir = CELL_SOURCE_ROOT "/tests/fuzz/corpus/seccomp-oci";
  DIR *d = opendir(dir);
  CHECK(d != NULL);
  if (!d)
    return;
  struct dirent *e;
  int count = 0;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    char *text = NULL;
    size_t len;
    cell_error err = CELL_ERROR_INIT;
    if (cell_read_file(path, &text, &len, &err) == 0) {
      CHECK_INT(LLVMFuzzerTestOneInput((const uint8_t *) text, len), 0);
      /* every prefix too: truncated inputs are the fuzzer's bread */
      for (size_t cut = 0; cut < len; cut += 1 + len / 64)
        LLVMFuzzerTestOneInput((const uint8_t *) text, cut);
      count++;
    }
    free(text);
    cell_error_cleanup(&err);
  }
  closedir(d);
  CHECK(count >= 5);
}
