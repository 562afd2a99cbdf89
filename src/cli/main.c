/* cell: global options and command dispatch. */
#include "util/fault.h"
#include "cell-config.h"
#include "cli/cli.h"
#include "linux/userns.h"
#include "util/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <jansson.h>

/* checkpoint and restore: runc's commands that engines call (ctr
 * checkpoint, docker checkpoint, CRI CheckpointContainer); refused with one
 * clear message, whatever their options. */
static int cmd_no_criu(cell_cli *cli, int argc, char **argv, cell_error *err)
{
  (void) cli;
  const char *id = NULL;
  for (int i = 1; i < argc; i++)
    if (argv[i][0] != '-')
      id = argv[i];     /* the id comes last; option values come before it */
  return cell_error_set(err, ENOTSUP, "%s%s%s%s: not supported: cell has no CRIU support "
                        "(checkpoint and restore need it)", argv[0], id ? " `" : "",
                        id ? id : "", id ? "`" : "");
}

static const cell_command commands[] = {
  { "create", cmd_create, "create a container, leaving its process waiting for start" },
  { "start", cmd_start, "start the user process of a created container" },
  { "run", cmd_run, "create and start a container, then wait for it" },
  { "exec", cmd_exec, "run a further process in a running container" },
  { "state", cmd_state, "print a container's state as JSON" },
  { "kill", cmd_kill, "send a signal to a container's process" },
  { "delete", cmd_delete, "delete a stopped container (or any, with --force)" },
  { "list", cmd_list, "list the containers under --root" },
  { "ps", cmd_ps, "list a container's processes" },
  { "pause", cmd_pause, "freeze a container" },
  { "resume", cmd_resume, "thaw a paused container" },
  { "update", cmd_update, "change a container's resources" },
  { "events", cmd_events, "print a container's stats and OOM events" },
  { "spec", cmd_spec, "write a default config.json" },
  { "features", cmd_features, "print the features this runtime supports, as JSON" },
  { "checkpoint", cmd_no_criu, "not supported: cell has no CRIU support" },
  { "restore", cmd_no_criu, "not supported: cell has no CRIU support" },
  { "seccomp", cmd_seccomp, "seccomp tools: compile, convert, disasm, simulate" },
};

static const char main_usage[] =
  "Usage: cell [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]\n"
  "\n"
  "cell is an OCI container runtime (a drop-in for runc and crun).\n"
  "\n"
  "Global options:\n"
  "  --root DIR               state directory (default /run/cell; for a user\n"
  "                           that is not root, also as root of its user\n"
  "                           namespace, $XDG_RUNTIME_DIR/cell when set)\n"
  "  --log FILE               write diagnostics to FILE instead of stderr\n"
  "  --log-format text|json   format of --log lines (json: runc-style lines)\n"
  "  --debug                  print debug messages\n"
  "  --systemd-cgroup         use systemd for cgroups (as runc)\n"
  "  --cgroup-manager MGR     cgroupfs, systemd or disabled (as crun)\n"
  "  --rootless[=VALUE]       true, false or auto (the default: true when not\n"
  "                           root): cgroups only where the caller may write\n"
  "  -v, --version            print the version, spec version and features\n"
  "  -h, --help               print this help\n"
  "\n"
  "Commands:\n";

static void print_help(FILE *f)
{
  fputs(main_usage, f);
  for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
    fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fputs("\nRun 'cell COMMAND --help' for a command's options.\n", f);
}

/* As runc and crun print it: "NAME version X.Y.Z", "spec: 1.x.y", then the
 * features this build has. Only present ones are named: tools look for a
 * word (SYSTEMD, SELINUX, CRIU...) and a "-WORD" would match. */
static void print_version(void)
{
  printf("cell version %s\n", CELL_VERSION);
  printf("spec: %s\n", CELL_OCI_VERSION);
  printf("+SECCOMP +SECCOMP-COMPILER +PIDFD +OPENAT2 +CLONE3 +USERNS +TIMENS +IDMAP\n");
}

int cli_usage_error(const char *cmd, const char *usage, const char *fmt, ...)
{
  va_list ap;
  fprintf(stderr, "cell%s%s: ", cmd ? " " : "", cmd ? cmd : "");
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  if (usage)
    fputs(usage, stderr);
  return 2;
}

int cli_parse_fd_count(const char *s)
{
  char *end;
  long n = strtol(s, &end, 10);
  return (end == s || *end || n < 0 || n > 1024) ? -1 : (int) n;
}

bool cli_rootless(const cell_cli *cli)
{
  return cli->rootless < 0 ? linux_rootless_detect() : cli->rootless != 0;
}

int cli_help(const char *usage)
{
  fputs(usage, stdout);
  return 0;
}

enum { OPT_ROOT = 256, OPT_LOG, OPT_LOG_FORMAT, OPT_DEBUG, OPT_SYSTEMD,
       OPT_CGMGR, OPT_ROOTLESS };

int main(int argc, char **argv)
{
  cell_cli cli = {
    .root = NULL,
    .log = { .fd = -1, .format = CELL_LOG_TEXT, .prog = "cell", .t0_ns = cell_log_now_ns() },
    .cgroup_manager = "cgroupfs",
    .argv0 = argv[0],
    .argv = argv,
  };
  cell_fault_main();
  /* jansson seeds its hash function at the first object from /dev/urandom
   * (open, read, close); getrandom(2) gives the same in one call. */
  uint32_t seed = 0;
  if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) == (ssize_t) sizeof seed && seed)
    json_object_seed(seed);
  const char *log_path = NULL, *log_format = NULL, *rootless_arg = "auto";
  static const struct option opts[] = {
    { "root", required_argument, NULL, OPT_ROOT },
    { "log", required_argument, NULL, OPT_LOG },
    { "log-format", required_argument, NULL, OPT_LOG_FORMAT },
    { "debug", no_argument, NULL, OPT_DEBUG },
    { "systemd-cgroup", no_argument, NULL, OPT_SYSTEMD },
    { "cgroup-manager", required_argument, NULL, OPT_CGMGR },
    { "rootless", optional_argument, NULL, OPT_ROOTLESS },
    { "version", no_argument, NULL, 'v' },
    { "help", no_argument, NULL, 'h' },
    { 0 }
  };
  int c;
  opterr = 0;
  while ((c = getopt_long_only(argc, argv, "+vh", opts, NULL)) != -1) {
    switch (c) {
    case OPT_ROOT: cli.root = optarg; break;
    case OPT_LOG: log_path = optarg; break;
    case OPT_LOG_FORMAT: log_format = optarg; break;
    case OPT_DEBUG: cli.log.debug = true; break;
    case OPT_SYSTEMD: cli.systemd_cgroup = true; cli.cgroup_manager = "systemd"; break;
    case OPT_CGMGR: cli.cgroup_manager = optarg; break;
    case OPT_ROOTLESS:
      if (!optarg && optind < argc && (!strcmp(argv[optind], "true") ||
          !strcmp(argv[optind], "false") || !strcmp(argv[optind], "auto")))
        optarg = argv[optind++];
      rootless_arg = optarg ? optarg : "true";
      break;
    case 'v': print_version(); return 0;
    case 'h': print_help(stdout); return 0;
    default:
      return cli_usage_error(NULL, NULL, "unknown global option `%s` (see 'cell --help')",
                             argv[optind - 1]);
    }
  }
  if (log_format) {
    if (!strcmp(log_format, "json"))
      cli.log.format = CELL_LOG_JSON;
    else if (strcmp(log_format, "text") != 0)
      return cli_usage_error(NULL, NULL, "--log-format: expected text or json, not `%s`",
                             log_format);
  }
  if (log_path && *log_path) {
    cli.log.fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (cli.log.fd < 0) {
      fprintf(stderr, "cell: open log file `%s`: %s\n", log_path, strerror(errno));
      return 1;
    }
  }
  if (strcmp(cli.cgroup_manager, "cgroupfs") && strcmp(cli.cgroup_manager, "systemd") &&
      strcmp(cli.cgroup_manager, "disabled"))
    return cli_usage_error(NULL, NULL,
                           "--cgroup-manager: expected cgroupfs, systemd or disabled, not `%s`",
                           cli.cgroup_manager);
  if (!strcmp(rootless_arg, "auto"))
    cli.rootless = -1;
  else if (!strcmp(rootless_arg, "true") || !strcmp(rootless_arg, "false"))
    cli.rootless = !strcmp(rootless_arg, "true");
  else
    return cli_usage_error(NULL, NULL, "--rootless: expected true, false or auto, not `%s`",
                           rootless_arg);
  /* As runc and crun: a user that is not root keeps its state in its own
   * runtime directory, also as root of a user namespace of its own (rootless
   * podman runs the runtime so) unless USER says it is root. */
  _cleanup_free_ char *xdg_root = NULL;
  const char *xdg = getenv("XDG_RUNTIME_DIR"), *user = getenv("USER");
  /* Tested in this order so that /proc/self/uid_map is read only when the
   * answer depends on it (cli_rootless reads it). */
  if (!cli.root && xdg && *xdg &&
      (geteuid() != 0 ||
       (cli_rootless(&cli) && (cli.rootless == 1 || !user || strcmp(user, "root")))) &&
      asprintf(&xdg_root, "%s/cell", xdg) >= 0)
    cli.root = xdg_root;
  if (!cli.root)
    cli.root = "/run/cell";
  if (optind >= argc) {
    print_help(stderr);
    return 2;
  }
  const char *name = argv[optind];
  /* The clock of the +ms stamps, for bench/breakdown. */
  cell_log_debug(&cli.log, "main at CLOCK_MONOTONIC %lld ns", cli.log.t0_ns);
  int sub_argc = argc - optind;
  char **sub_argv = argv + optind;
  for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
    if (strcmp(commands[i].name, name) != 0)
      continue;
    cell_error err = CELL_ERROR_INIT;
    optind = 0; /* full getopt re-initialisation for the command */
    opterr = 0;
    int r = commands[i].run(&cli, sub_argc, sub_argv, &err);
    if (r < 0) {
      cell_log_error(&cli.log, "%s", err.msg ? err.msg : strerror(-r));
      cell_error_clear(&err);
      r = 1;
    }
    if (cli.log.fd >= 0)
      close(cli.log.fd);
    return r;
  }
  return cli_usage_error(NULL, NULL, "unknown command `%s` (see 'cell --help')", name);
}
