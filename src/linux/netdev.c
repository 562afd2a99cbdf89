/* linux.netDevices (runtime-spec 1.2): move network interfaces of the
 * runtime's network namespace into the container's, by rtnetlink, in the
 * runtime (which may configure the container's namespace: it owns it or
 * an ancestor of its user namespace does).
 *
 * For each device: its permanent addresses of global scope are read, the
 * link is moved with its new name (RTM_NEWLINK IFLA_NET_NS_FD +
 * IFLA_IFNAME, the kernel refusing a name that exists there unless it is
 * a %d template), the addresses are added again (a move drops them) and
 * the link is set up, through a netlink socket made in the container's
 * namespace. Nothing is moved back at delete (the spec's rule): the
 * kernel returns physical devices to the initial namespace and destroys
 * virtual ones when the namespace goes. */
#include "linux/namespaces.h"
#include "util/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#define NL_BUF 16384

typedef struct nl_req {
  struct nlmsghdr h;
  char body[1024];
} nl_req;

static void *nl_tail(nl_req *q) { return (char *) q + NLMSG_ALIGN(q->h.nlmsg_len); }

static int nl_attr(nl_req *q, unsigned short type, const void *data, size_t len)
{
  size_t need = NLMSG_ALIGN(q->h.nlmsg_len) + RTA_SPACE(len);
  if (need > sizeof *q)
    return -ENOBUFS;
  struct rtattr *a = nl_tail(q);
  a->rta_type = type;
  a->rta_len = (unsigned short) RTA_LENGTH(len);
  memcpy(RTA_DATA(a), data, len);
  q->h.nlmsg_len = (uint32_t) need;
  return 0;
}

static void nl_init(nl_req *q, uint16_t type, uint16_t flags, const void *hdr, size_t hlen)
{
  memset(q, 0, sizeof *q);
  q->h.nlmsg_type = type;
  q->h.nlmsg_flags = NLM_F_REQUEST | flags;
  q->h.nlmsg_len = (uint32_t) NLMSG_LENGTH(hlen);
  memcpy(NLMSG_DATA(&q->h), hdr, hlen);
}

/* Send q and read until its ACK (or an error): 0 or -errno. */
static int nl_call(int fd, nl_req *q)
{
  static uint32_t seq;
  q->h.nlmsg_seq = ++seq;
  q->h.nlmsg_flags |= NLM_F_ACK;
  if (send(fd, q, q->h.nlmsg_len, 0) < 0)
    return -errno;
  char buf[NL_BUF];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -errno;
    for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK(h, (size_t) n);
         h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_seq != q->h.nlmsg_seq)
        continue;
      if (h->nlmsg_type == NLMSG_ERROR)
        return ((struct nlmsgerr *) NLMSG_DATA(h))->error;
    }
  }
}

static int nl_socket(void)
{
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  return fd < 0 ? -errno : fd;
}

/* The permanent, global addresses of ifindex: each kept as a ready
 * RTM_NEWADDR body (ifaddrmsg + IFA_LOCAL/IFA_ADDRESS/IFA_BROADCAST). */
typedef struct addr_list {
  nl_req *v;
  size_t n;
} addr_list;

static int addr_keep(addr_list *l, const struct ifaddrmsg *ifa, struct rtattr *attrs, int alen)
{
  nl_req *v = realloc(l->v, (l->n + 1) * sizeof *v);
  if (!v)
    return -ENOMEM;
  l->v = v;
  nl_req *q = &v[l->n];
  struct ifaddrmsg m = *ifa;
  nl_init(q, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &m, sizeof m);
  for (struct rtattr *a = attrs; RTA_OK(a, alen); a = RTA_NEXT(a, alen))
    if (a->rta_type == IFA_LOCAL || a->rta_type == IFA_ADDRESS || a->rta_type == IFA_BROADCAST)
      if (nl_attr(q, a->rta_type, RTA_DATA(a), RTA_PAYLOAD(a)) < 0)
        return -ENOBUFS;
  l->n++;
  return 0;
}

static int addrs_of(int fd, int ifindex, addr_list *out)
{
  nl_req q;
  struct ifaddrmsg m = { .ifa_family = AF_UNSPEC };
  nl_init(&q, RTM_GETADDR, NLM_F_DUMP, &m, sizeof m);
  q.h.nlmsg_seq = 1;
  if (send(fd, &q, q.h.nlmsg_len, 0) < 0)
    return -errno;
  char buf[NL_BUF];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -errno;
    for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK(h, (size_t) n);
         h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type == NLMSG_DONE)
        return 0;
      if (h->nlmsg_type == NLMSG_ERROR)
        return ((struct nlmsgerr *) NLMSG_DATA(h))->error;
      if (h->nlmsg_type != RTM_NEWADDR)
        continue;
      struct ifaddrmsg *ifa = NLMSG_DATA(h);
      struct rtattr *attrs = IFA_RTA(ifa);
      int alen = (int) IFA_PAYLOAD(h);
      uint32_t flags = ifa->ifa_flags;
      for (struct rtattr *a = attrs; RTA_OK(a, alen); a = RTA_NEXT(a, alen))
        if (a->rta_type == IFA_FLAGS && RTA_PAYLOAD(a) >= sizeof flags)
          memcpy(&flags, RTA_DATA(a), sizeof flags);
      alen = (int) IFA_PAYLOAD(h);
      if ((int) ifa->ifa_index != ifindex || ifa->ifa_scope != RT_SCOPE_UNIVERSE ||
          !(flags & IFA_F_PERMANENT))
        continue;
      int r = addr_keep(out, ifa, attrs, alen);
      if (r < 0)
        return r;
    }
  }
}

/* A netlink socket in the namespace netns_fd (sockets keep the namespace
 * they were made in). */
static int socket_in(int netns_fd, cell_error *err)
{
  _cleanup_close_ int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (self < 0)
    return cell_error_sys(err, "open our network namespace");
  if (setns(netns_fd, CLONE_NEWNET) < 0)
    return cell_error_sys(err, "linux.netDevices: enter the container's network namespace");
  int fd = nl_socket();
  int e = -fd;
  if (setns(self, CLONE_NEWNET) < 0) {
    if (fd >= 0)
      close(fd);
    return cell_error_sys(err, "linux.netDevices: back to the runtime's network namespace");
  }
  if (fd < 0)
    return cell_error_sys_code(err, e, "netlink socket");
  return fd;
}

/* The index of a link by name (or, name NULL, check that idx exists):
 * RTM_GETLINK. The index or -errno. */
static int link_index(int fd, const char *name, int idx)
{
  static uint32_t seq = 1000;
  nl_req q;
  struct ifinfomsg li = { .ifi_family = AF_UNSPEC, .ifi_index = name ? 0 : idx };
  nl_init(&q, RTM_GETLINK, 0, &li, sizeof li);
  if (name && nl_attr(&q, IFLA_IFNAME, name, strlen(name) + 1) < 0)
    return -ENOBUFS;
  q.h.nlmsg_seq = ++seq;
  if (send(fd, &q, q.h.nlmsg_len, 0) < 0)
    return -errno;
  char buf[NL_BUF];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -errno;
    for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK(h, (size_t) n);
         h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_seq != q.h.nlmsg_seq)
        continue;
      if (h->nlmsg_type == NLMSG_ERROR)
        return ((struct nlmsgerr *) NLMSG_DATA(h))->error;
      if (h->nlmsg_type == RTM_NEWLINK)
        return ((struct ifinfomsg *) NLMSG_DATA(h))->ifi_index;
    }
  }
}

static int move_one(int host_nl, int cont_nl, int netns_fd, const char *from, const char *to,
                    cell_error *err)
{
  int idx = (int) if_nametoindex(from);
  if (idx == 0)
    return cell_error_sys(err, "linux.netDevices.%s: no such device in the runtime's network "
                          "namespace", from);
  /* The kernel moves a device under its own name and renames it after:
   * a name taken in the container would leave it there, renamed not. */
  if (!strchr(to, '%') && link_index(cont_nl, to, 0) > 0)
    return cell_error_set(err, EEXIST, "linux.netDevices.%s: a device named `%s` is in the "
                          "container's network namespace already", from, to);
  addr_list addrs = { 0 };
  int r = addrs_of(host_nl, idx, &addrs);
  if (r < 0) {
    free(addrs.v);
    return cell_error_sys_code(err, r, "linux.netDevices.%s: read its addresses", from);
  }
  nl_req q;
  struct ifinfomsg li = { .ifi_family = AF_UNSPEC, .ifi_index = idx };
  uint32_t nsfd = (uint32_t) netns_fd;
  nl_init(&q, RTM_NEWLINK, 0, &li, sizeof li);
  if (nl_attr(&q, IFLA_NET_NS_FD, &nsfd, sizeof nsfd) < 0 ||
      nl_attr(&q, IFLA_IFNAME, to, strlen(to) + 1) < 0)
    r = -ENOBUFS;
  else
    r = nl_call(host_nl, &q);
  if (r < 0) {
    free(addrs.v);
    return cell_error_sys_code(err, r, "linux.netDevices.%s: move into the container as `%s`%s",
                               from, to, r == -EEXIST ? " (a device of that name is there)"
                                                      : "");
  }
  /* The kernel keeps the index when it is free in the new namespace;
   * else the link is found there by its new name (a %d template must
   * keep the index). */
  int new_idx = link_index(cont_nl, strchr(to, '%') ? NULL : to, idx);
  for (size_t i = 0; new_idx > 0 && i < addrs.n && r == 0; i++) {
    ((struct ifaddrmsg *) NLMSG_DATA(&addrs.v[i].h))->ifa_index = (uint32_t) new_idx;
    r = nl_call(cont_nl, &addrs.v[i]);
  }
  free(addrs.v);
  if (new_idx < 0)
    return cell_error_sys_code(err, new_idx, "linux.netDevices.%s: find `%s` in the container",
                               from, to);
  if (r < 0)
    return cell_error_sys_code(err, r, "linux.netDevices.%s: add its addresses back", from);
  struct ifinfomsg up = { .ifi_family = AF_UNSPEC, .ifi_index = new_idx, .ifi_flags = IFF_UP,
                          .ifi_change = IFF_UP };
  nl_init(&q, RTM_NEWLINK, 0, &up, sizeof up);
  if ((r = nl_call(cont_nl, &q)) < 0)
    return cell_error_sys_code(err, r, "linux.netDevices.%s: set `%s` up", from, to);
  return 0;
}

int linux_netdev_move(const oci_config *c, int netns_fd, cell_error *err)
{
  if (!c->linux.n_net_devices)
    return 0;
  _cleanup_close_ int host_nl = nl_socket();
  if (host_nl < 0)
    return cell_error_sys_code(err, -host_nl, "netlink socket");
  _cleanup_close_ int cont_nl = socket_in(netns_fd, err);
  if (cont_nl < 0)
    return cont_nl;
  for (size_t i = 0; i < c->linux.n_net_devices; i++) {
    int r = move_one(host_nl, cont_nl, netns_fd, c->linux.net_devices[i].key,
                     c->linux.net_devices[i].value, err);
    if (r < 0)
      return r;
  }
  return 0;
}
