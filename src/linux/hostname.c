/* hostname and domainname, in the container's uts namespace. */
#include "linux/process.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int linux_set_hostname(const oci_config *c, cell_error *err)
{
  bool uts = c->linux.ns[OCI_NS_UTS].present;
  /* Without a uts namespace of its own the container would rename the host;
   * validation refuses that too, this is the last line. */
  if (c->hostname && *c->hostname) {
    if (!uts)
      return cell_error_set(err, EINVAL, "hostname `%s` needs a uts namespace", c->hostname);
    if (sethostname(c->hostname, strlen(c->hostname)) < 0)
      return cell_error_sys(err, "sethostname `%s`", c->hostname);
  }
  if (c->domainname && *c->domainname) {
    if (!uts)
      return cell_error_set(err, EINVAL, "domainname `%s` needs a uts namespace",
                            c->domainname);
    if (setdomainname(c->domainname, strlen(c->domainname)) < 0)
      return cell_error_sys(err, "setdomainname `%s`", c->domainname);
  }
  return 0;
}
