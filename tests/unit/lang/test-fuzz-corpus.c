/* The fuzz target's harness on the seed corpus, the examples, and
 * deterministic mutations of them (cuts, byte flips), so that the gcc and
 * ASan builds check what the clang fuzzer checks. */
#include <stdlib.h>
#include <string.h>
#include "helpers.h"
#include "unit.h"
#include "../../fuzz/fuzz-lang.c"

static void run_file(const char *path, char *t, void *ctx)
{
  (void) path;
  unsigned *n = ctx;
  size_t len = strlen(t);
  LLVMFuzzerTestOneInput((const uint8_t *) t, len);
  (*n)++;
  if (!len)
    return;
  uint64_t s = len | 1;
  for (size_t cut = 1; cut < len; cut += 1 + len / 40, (*n)++)
    LLVMFuzzerTestOneInput((const uint8_t *) t, cut);
  for (int k = 0; k < 40; k++, (*n)++) {
    char *m = strdup(t);
    size_t at = (size_t) (l_rand(&s) % len);
    static const char bytes[] = "(){};=!&|$.#/*\"\n\x01x9-@";
    m[at] = bytes[l_rand(&s) % (sizeof bytes - 1)];
    LLVMFuzzerTestOneInput((const uint8_t *) m, len);
    free(m);
  }
}

TEST(lang_fuzz_corpus)
{
  unsigned n = 0, files = l_each_file("tests/fuzz/corpus/lang", NULL, run_file, &n);
  files += l_each_file("examples", NULL, run_file, &n);
  CHECK(files >= 8 && n > files);
}
