/* cell update: change the resources of a running container. */
#include "cli/cgroup-cmds.h"
#include "oci/resources.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char update_usage[] =
  "Usage: cell update [OPTIONS] CONTAINER-ID\n\n"
  "Change the cgroup resources of a container. Only what is given changes;\n"
  "flags are applied on top of -r.\n\n"
  "Options:\n"
  "  -r, --resources FILE        linux.resources JSON (\"-\": stdin)\n"
  "  --memory SIZE               memory limit (\"512m\", \"1g\", bytes, -1)\n"
  "  --memory-reservation SIZE   soft limit\n"
  "  --memory-swap SIZE          memory+swap limit\n"
  "  --kernel-memory SIZE        kernel memory limit (v1)\n"
  "  --kernel-memory-tcp SIZE    kernel TCP buffer limit (v1)\n"
  "  --cpu-shares N              relative weight (also --cpu-share)\n"
  "  --cpu-quota N               µs per period, -1 unlimited\n"
  "  --cpu-period N              µs\n"
  "  --cpu-burst N               µs\n"
  "  --cpu-rt-period N           real-time period µs (v1)\n"
  "  --cpu-rt-runtime N          real-time runtime µs (v1)\n"
  "  --cpu-idle 0|1              SCHED_IDLE for the cgroup\n"
  "  --cpuset-cpus LIST          CPUs (\"0-2,4\")\n"
  "  --cpuset-mems LIST          memory nodes\n"
  "  --pids-limit N              maximum number of tasks, -1 unlimited\n"
  "  --blkio-weight N            10..1000\n"
  "  -h, --help                  print this help\n";

enum {
  O_MEM = 256, O_MEMRES, O_SWAP, O_KMEM, O_KTCP, O_SHARES, O_QUOTA, O_PERIOD, O_BURST,
  O_RTP, O_RTR, O_IDLE, O_CPUS, O_MEMS, O_PIDS, O_BLKIO, O_RDT,
};

static int num(const char *flag, const char *s, int64_t lo, int64_t hi, int64_t *out,
               cell_error *err)
{
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || end == s || *end || v < lo || v > hi)
    return cell_error_set(err, EINVAL, "--%s: `%s` is not a number in [%" PRId64 ", %" PRId64 "]",
                          flag, s, lo, hi);
  *out = v;
  return 0;
}

static int size(const char *flag, const char *s, int64_t *out, cell_error *err)
{
  if (oci_parse_size(s, out) < 0)
    return cell_error_set(err, EINVAL, "--%s: `%s` is not a size such as 512m, 1g or -1", flag, s);
  return 0;
}

static int set_flag(oci_resources_typed *r, int opt, const char *name, const char *v,
                    cell_error *err)
{
  oci_res_memory *m = &r->memory;
  oci_res_cpu *c = &r->cpu;
  int64_t x = 0;
  int rc = 0;
  switch (opt) {
  case O_MEM: rc = size(name, v, &m->limit, err); m->has_limit = m->present = true; break;
  case O_MEMRES: rc = size(name, v, &m->reservation, err); m->has_reservation = m->present = true; break;
  case O_SWAP: rc = size(name, v, &m->swap, err); m->has_swap = m->present = true; break;
  case O_KMEM: rc = size(name, v, &m->kernel, err); m->has_kernel = m->present = true; break;
  case O_KTCP: rc = size(name, v, &m->kernel_tcp, err); m->has_kernel_tcp = m->present = true; break;
  case O_SHARES: rc = num(name, v, 0, INT64_MAX, &x, err); c->shares = (uint64_t) x; c->has_shares = true; break;
  case O_QUOTA: rc = num(name, v, -1, INT64_MAX, &c->quota, err); c->has_quota = true; break;
  case O_PERIOD: rc = num(name, v, 0, INT64_MAX, &x, err); c->period = (uint64_t) x; c->has_period = true; break;
  case O_BURST: rc = num(name, v, 0, INT64_MAX, &x, err); c->burst = (uint64_t) x; c->has_burst = true; break;
  case O_RTP: rc = num(name, v, 0, INT64_MAX, &x, err); c->realtime_period = (uint64_t) x; c->has_realtime_period = true; break;
  case O_RTR: rc = num(name, v, -1, INT64_MAX, &c->realtime_runtime, err); c->has_realtime_runtime = true; break;
  case O_IDLE: rc = num(name, v, 0, 1, &c->idle, err); c->has_idle = true; break;
  case O_CPUS:
  case O_MEMS: {
    char **dst = opt == O_CPUS ? &c->cpus : &c->mems;
    free(*dst);
    if (!(*dst = strdup(v)))
      rc = cell_error_set(err, ENOMEM, "out of memory");
    break;
  }
  case O_PIDS: rc = num(name, v, -1, INT64_MAX, &r->pids.limit, err); r->pids.has_limit = r->pids.present = true; break;
  case O_BLKIO:
    rc = num(name, v, 10, 1000, &x, err);
    r->blkio.weight = (uint16_t) x;
    r->blkio.has_weight = r->blkio.present = true;
    break;
  case O_RDT:
    rc = cell_error_set(err, ENOTSUP, "--%s: Intel RDT (resctrl) is not supported by cell", name);
    break;
  }
  c->present = c->present || (opt >= O_SHARES && opt <= O_MEMS);
  r->present = true;
  return rc;
}

int cmd_update(cell_cli *cli, int argc, char **argv, cell_error *err)
{
  static const struct option opts[] = {
    { "resources", required_argument, NULL, 'r' },
    { "memory", required_argument, NULL, O_MEM },
    { "memory-reservation", required_argument, NULL, O_MEMRES },
    { "memory-swap", required_argument, NULL, O_SWAP },
    { "kernel-memory", required_argument, NULL, O_KMEM },
    { "kernel-memory-tcp", required_argument, NULL, O_KTCP },
    { "cpu-shares", required_argument, NULL, O_SHARES },
    { "cpu-share", required_argument, NULL, O_SHARES },
    { "cpu-quota", required_argument, NULL, O_QUOTA },
    { "cpu-period", required_argument, NULL, O_PERIOD },
    { "cpu-burst", required_argument, NULL, O_BURST },
    { "cpu-rt-period", required_argument, NULL, O_RTP },
    { "cpu-rt-runtime", required_argument, NULL, O_RTR },
    { "cpu-idle", required_argument, NULL, O_IDLE },
    { "cpuset-cpus", required_argument, NULL, O_CPUS },
    { "cpuset-mems", required_argument, NULL, O_MEMS },
    { "pids-limit", required_argument, NULL, O_PIDS },
    { "blkio-weight", required_argument, NULL, O_BLKIO },
    { "l3-cache-schema", required_argument, NULL, O_RDT },
    { "mem-bw-schema", required_argument, NULL, O_RDT },
    { "help", no_argument, NULL, 'h' },
    { 0 }
  };
  const char *file = NULL;
  int c, idx;
  /* Flags are kept until -r is read, so that they apply on top of it. */
  struct { int opt; const char *name, *val; } flags[64];
  size_t nflags = 0;
  while ((c = getopt_long(argc, argv, "r:h", opts, &idx)) != -1) {
    if (c == 'r')
      file = optarg;
    else if (c == 'h')
      return cli_help(update_usage);
    else if (c >= O_MEM && nflags < sizeof flags / sizeof *flags)
      flags[nflags++] = (typeof(flags[0])) { c, opts[idx].name, optarg };
    else
      return cli_usage_error("update", update_usage, "unknown option `%s`", argv[optind - 1]);
  }
  if (optind != argc - 1)
    return cli_usage_error("update", update_usage, "exactly one container id is needed");
  if (!file && nflags == 0)
    return cli_usage_error("update", update_usage, "nothing to update: give -r FILE or flags");
  oci_resources_typed r = { 0 };
  int rc = 0;
  if (file && (rc = oci_resources_load_file(file, &r, err)) < 0)
    return rc;
  for (size_t i = 0; i < nflags && rc >= 0; i++)
    rc = set_flag(&r, flags[i].opt, flags[i].name, flags[i].val, err);
  if (rc >= 0) {
    cli_cg_container ct;
    if ((rc = cli_cg_open(cli, argv[optind], &ct, err)) >= 0) {
      if (ct.status == CELL_STOPPED)
        rc = cell_error_set(err, ESRCH, "container `%s` is not running", argv[optind]);
      else
        rc = cell_cgroup_update(ct.cg, &r, &cli->log, err);
      cli_cg_close(&ct);
    }
  }
  oci_resources_typed_free(&r);
  return rc < 0 ? rc : 0;
}
