/* podman's default seccomp profile as podman hands it to a runtime: the
 * template Debian installs at T_PODMAN_PROFILE (package
 * golang-github-containers-common, which podman pulls in) resolved for one
 * architecture (Go's name, e.g. "amd64", and libseccomp's,
 * "SCMP_ARCH_X86_64") and a set of capabilities (NULL-terminated;
 * t_podman_caps: podman's defaults).  A new reference, or NULL when the
 * file is absent or unreadable.  The tests read podman's profile only
 * through this: the repository holds no copy of it. */
#ifndef CELL_TEST_PODMAN_PROFILE_H
#define CELL_TEST_PODMAN_PROFILE_H
#include <jansson.h>

#define T_PODMAN_PROFILE "/usr/share/containers/seccomp.json"
json_t *t_podman_profile(const char *go_arch, const char *scmp_arch, const char *const *caps);
extern const char *const t_podman_caps[];
#endif
