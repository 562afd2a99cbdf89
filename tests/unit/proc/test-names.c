/* The capability and rlimit name tables. */
#include "unit.h"

#include <sys/resource.h>
#include <linux/capability.h>

#include "oci/config.h"

TEST(cap_names_known)
{
  CHECK_INT(oci_cap_from_name("CAP_CHOWN"), CAP_CHOWN);
  CHECK_INT(oci_cap_from_name("CAP_NET_BIND_SERVICE"), CAP_NET_BIND_SERVICE);
  CHECK_INT(oci_cap_from_name("CAP_SYS_ADMIN"), CAP_SYS_ADMIN);
  CHECK_INT(oci_cap_from_name("CAP_AUDIT_READ"), CAP_AUDIT_READ);
  CHECK_INT(oci_cap_from_name("CAP_PERFMON"), 38);
  CHECK_INT(oci_cap_from_name("CAP_BPF"), 39);
  CHECK_INT(oci_cap_from_name("CAP_CHECKPOINT_RESTORE"), 40);
  CHECK_INT(oci_cap_from_name("cap_kill"), CAP_KILL);
  CHECK_INT(oci_cap_last(), 40);
}

TEST(cap_names_unknown)
{
  CHECK_INT(oci_cap_from_name("CAP_FOO"), -1);
  CHECK_INT(oci_cap_from_name("CHOWN"), -1);
  CHECK_INT(oci_cap_from_name(""), -1);
  CHECK_INT(oci_cap_from_name(NULL), -1);
  CHECK(oci_cap_name(-1) == NULL);
  CHECK(oci_cap_name(41) == NULL);
}

TEST(cap_names_round_trip)
{
  for (int c = 0; c <= oci_cap_last(); c++) {
    const char *n = oci_cap_name(c);
    CHECK(n != NULL);
    if (n) {
      CHECK(strncmp(n, "CAP_", 4) == 0);
      CHECK_INT(oci_cap_from_name(n), c);
    }
  }
  CHECK_STR(oci_cap_name(CAP_SETPCAP), "CAP_SETPCAP");
  CHECK_STR(oci_cap_name(CAP_MAC_ADMIN), "CAP_MAC_ADMIN");
}

TEST(rlimit_names)
{
  static const struct { const char *n; int r; } all[] = {
    { "RLIMIT_CPU", RLIMIT_CPU }, { "RLIMIT_FSIZE", RLIMIT_FSIZE },
    { "RLIMIT_DATA", RLIMIT_DATA }, { "RLIMIT_STACK", RLIMIT_STACK },
    { "RLIMIT_CORE", RLIMIT_CORE }, { "RLIMIT_RSS", RLIMIT_RSS },
    { "RLIMIT_NPROC", RLIMIT_NPROC }, { "RLIMIT_NOFILE", RLIMIT_NOFILE },
    { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_AS", RLIMIT_AS },
    { "RLIMIT_LOCKS", RLIMIT_LOCKS }, { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
    { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE }, { "RLIMIT_NICE", RLIMIT_NICE },
    { "RLIMIT_RTPRIO", RLIMIT_RTPRIO }, { "RLIMIT_RTTIME", RLIMIT_RTTIME },
  };
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    CHECK_INT(oci_rlimit_from_name(all[i].n), all[i].r);
  CHECK_INT(RLIMIT_NLIMITS, 16);
  CHECK_INT(oci_rlimit_from_name("RLIMIT_FOO"), -1);
  CHECK_INT(oci_rlimit_from_name("NOFILE"), -1);
  CHECK_INT(oci_rlimit_from_name(NULL), -1);
}
