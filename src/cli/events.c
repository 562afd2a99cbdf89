/* cell events: stats and OOM notices of a container, as JSON lines in
 * runc's shape: {"type":"stats"|"oom","id":ID,"data":{...}}. */
#include "cli/cgroup-cmds.h"
#include "util/cleanup.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char events_usage[] =
  "Usage: cell events [OPTIONS] CONTAINER-ID\n\n"
  "Print the container's resource statistics every interval and an \"oom\"\n"
  "event whenever a process of it is killed for lack of memory, one JSON\n"
  "object per line, until the container stops.\n\n"
  "Options:\n"
  "  --stats            print the statistics once and exit\n"
  "  --interval TIME    time between statistics (default 5s; 500ms, 2s, 1m)\n"
  "  -h, --help         print this help\n";

/* "5s", "500ms", "1m", "2" (seconds) -> milliseconds; -1 when malformed. */
static long parse_interval(const char *s)
{
  char *end;
  double v = strtod(s, &end);
  if (end == s || v < 0)
    return -1;
  double ms = !*end || !strcmp(end, "s") ? v * 1000 : !strcmp(end, "ms") ? v
            : !strcmp(end, "m") ? v * 60000 : !strcmp(end, "h") ? v * 3600000 : -1;
  return ms < 1 ? -1 : (long) ms;
}

static int print_event(const char *type, const char *id, json_t *data)
{
  json_t *o = json_pack("{s:s,s:s}", "type", type, "id", id);
  if (data)
    json_object_set_new(o, "data", data);
  char *s = json_dumps(o, JSON_COMPACT);
  json_decref(o);
  if (!s)
    return -ENOMEM;
  printf("%s\n", s);
  fflush(stdout);
  free(s);
  return 0;
}

static int print_stats(const cell_cgroup *cg, const char *id, cell_error *err)
{
  json_t *data = NULL;
  int r = cell_cgroup_stats(cg, &data, err);
  if (r < 0)
    return r;
  return print_event("stats", id, data) < 0 ? cell_error_set(err, ENOMEM, "out of memory") : 0;
}

int cmd_events(cell_cli *cli, int argc, char **argv, cell_error *err)
{
  static const struct option opts[] = {
    { "stats", no_argument, NULL, 's' }, { "interval", required_argument, NULL, 'i' },
    { "help", no_argument, NULL, 'h' }, { 0 }
  };
  bool once = false;
  long interval = 5000;
  int c;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    if (c == 's')
      once = true;
    else if (c == 'i' && (interval = parse_interval(optarg)) < 0)
      return cli_usage_error("events", events_usage, "--interval: `%s` is not a duration", optarg);
    else if (c == 'h')
      return cli_help(events_usage);
    else if (c != 'i')
      return cli_usage_error("events", events_usage, "unknown option `%s`", argv[optind - 1]);
  }
  if (optind != argc - 1)
    return cli_usage_error("events", events_usage, "exactly one container id is needed");
  const char *id = argv[optind];
  cli_cg_container ct;
  int r = cli_cg_open(cli, id, &ct, err);
  if (r < 0)
    return r;
  /* Keep the handle and state; release the lock so other commands run. */
  cell_cgroup *cg = cell_steal(&ct.cg);
  cell_state st = ct.st;
  memset(&ct.st, 0, sizeof ct.st);
  cell_status status = ct.status;
  cli_cg_close(&ct);
  if (status == CELL_STOPPED) {
    r = cell_error_set(err, ESRCH, "container `%s` is not running", id);
    goto out;
  }
  if (once) {
    r = print_stats(cg, id, err);
    goto out;
  }
  cell_cgroup_oom oom = { .fd = -1, .efd_ctl = -1 };
  cell_error e = CELL_ERROR_INIT;
  if (cell_cgroup_oom_open(cg, &oom, &e) < 0)
    cell_log_debug(&cli->log, "no OOM events: %s", e.msg);
  cell_error_clear(&e);
  struct timespec next;
  clock_gettime(CLOCK_MONOTONIC, &next);
  while (cell_state_status(&st) != CELL_STOPPED) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long wait = (next.tv_sec - now.tv_sec) * 1000 + (next.tv_nsec - now.tv_nsec) / 1000000;
    if (wait <= 0) {
      if ((r = print_stats(cg, id, err)) < 0)
        break;
      next.tv_sec += interval / 1000;
      next.tv_nsec += (interval % 1000) * 1000000;
      if (next.tv_nsec >= 1000000000) {
        next.tv_sec++;
        next.tv_nsec -= 1000000000;
      }
      continue;
    }
    /* Wake at least every second to notice that the container stopped. */
    struct pollfd pfd = { oom.fd, POLLIN, 0 };
    int n = poll(&pfd, oom.fd >= 0 ? 1 : 0, wait < 1000 ? (int) wait : 1000);
    if (n > 0) {
      uint64_t k = 0;
      if ((r = cell_cgroup_oom_read(&oom, &k, err)) < 0)
        break;
      for (uint64_t i = 0; i < k; i++)
        print_event("oom", id, NULL);
    }
  }
  cell_cgroup_oom_close(&oom);
out:
  cell_state_clear(&st);
  cell_cgroup_free(cg);
  return r < 0 ? r : 0;
}
