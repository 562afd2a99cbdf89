/* The fuzz target's harness on the seed corpus, the examples, and
 * deterministic mutations of them (cuts, byte flips), so that the gcc and
 * ASan builds check what the clang fuzzer checks. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include "helpers.h"
#include "unit.h"
#include "../../fuzz/fuzz-lang.c"

static unsigned run_dir(const char *rel, bool mutate)
{
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", CELL_SOURCE_ROOT, rel);
  DIR *d = opendir(path);
  unsigned n = 0;
  if (!d)
    return 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    char rp[4096];
    snprintf(rp, sizeof rp, "%s/%s", rel, e->d_name);
    char *t = l_read(rp);
    if (!t)
      continue;
    size_t len = strlen(t);
    LLVMFuzzerTestOneInput((const uint8_t *) t, len);
    n++;
    if (mutate) {
      uint64_t s = len | 1;
      for (size_t cut = 1; cut < len; cut += 1 + len / 40, n++)
        LLVMFuzzerTestOneInput((const uint8_t *) t, cut);
      for (int k = 0; k < 40; k++, n++) {
        char *m = strdup(t);
        size_t at = (size_t) (l_rand(&s) % len);
        static const char bytes[] = "(){};=!&|$.#/*\"\n\x01x9-";
        m[at] = bytes[l_rand(&s) % (sizeof bytes - 1)];
        LLVMFuzzerTestOneInput((const uint8_t *) m, len);
        free(m);
      }
    }
    free(t);
  }
  closedir(d);
  return n;
}

TEST(lang_fuzz_corpus)
{
  unsigned n = run_dir("tests/fuzz/corpus/lang", true);
  n += run_dir("examples", true);
  CHECK(n > 0);
}
