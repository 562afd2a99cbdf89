/* build/tests/podman-profile [GOARCH SCMP_ARCH]: podman's default profile
 * as podman writes it into config.json (default capabilities; amd64 and
 * SCMP_ARCH_X86_64 unless given), for the test scripts and the benches.
 * Exit 77 (a skip) when Debian's template is not installed. */
#include "podman-profile.h"
#include <stdio.h>

int main(int argc, char **argv)
{
  if (argc != 1 && argc != 3) {
    fprintf(stderr, "usage: podman-profile [GOARCH SCMP_ARCH]\n");
    return 2;
  }
  json_t *p = t_podman_profile(argc == 3 ? argv[1] : "amd64",
                               argc == 3 ? argv[2] : "SCMP_ARCH_X86_64", t_podman_caps);
  if (!p) {
    fprintf(stderr, "podman-profile: cannot read %s (package golang-github-containers-common)\n",
            T_PODMAN_PROFILE);
    return 77;
  }
  int r = json_dumpf(p, stdout, JSON_INDENT(2));
  json_decref(p);
  return r < 0 || puts("") == EOF ? 1 : 0;
}
