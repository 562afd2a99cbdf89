/* linux_subid_parse and linux_map_is_own (src/linux/userns.c). */
#include "unit.h"
#include "linux/userns.h"

#include <stdlib.h>

TEST(subid_lines_by_name_and_by_uid)
{
  const char *text = "alice:100000:65536\n"
                     "bob:200000:65536\n"
                     "1001:300000:10\n"
                     "alice:400000:5\n";
  linux_subid *v = NULL;
  size_t n = 0;
  CHECK_INT(linux_subid_parse(text, "alice", 1001, &v, &n), 0);
  CHECK_INT(n, 3);
  CHECK_INT(v[0].start, 100000);
  CHECK_INT(v[0].count, 65536);
  CHECK_INT(v[1].start, 300000);
  CHECK_INT(v[1].count, 10);
  CHECK_INT(v[2].start, 400000);
  free(v);
  CHECK_INT(linux_subid_parse(text, "carol", 7, &v, &n), 0);
  CHECK_INT(n, 0);
  CHECK(v == NULL);
}

TEST(subid_malformed_lines_are_skipped)
{
  /* No count, a zero count, a name that only starts the same, trailing
   * junk, a range past 2^32, no final newline. */
  const char *text = "alice:1\n"
                     "alice:5:0\n"
                     "alicex:10:10\n"
                     "alice:20:20x\n"
                     "alice:4294967295:2\n"
                     "\n"
                     "alice:30:30";
  linux_subid *v = NULL;
  size_t n = 0;
  CHECK_INT(linux_subid_parse(text, "alice", 1001, &v, &n), 0);
  CHECK_INT(n, 1);
  CHECK_INT(v[0].start, 30);
  CHECK_INT(v[0].count, 30);
  free(v);
}

TEST(map_is_own_only_for_one_line_of_one_id)
{
  oci_idmap own[] = { { 0, 1001, 1 } };
  oci_idmap wide[] = { { 0, 1001, 2 } };
  oci_idmap two[] = { { 0, 1001, 1 }, { 1, 100000, 65536 } };
  CHECK(linux_map_is_own(own, 1, 1001));
  CHECK(!linux_map_is_own(own, 1, 1002));
  CHECK(!linux_map_is_own(wide, 1, 1001));
  CHECK(!linux_map_is_own(two, 2, 1001));
  CHECK(!linux_map_is_own(NULL, 0, 1001));
}
