/* cell create / cell run: the flags of runc and crun. */
#include "cli/cli.h"
#include "runtime/container.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char create_usage[] =
  "Usage: cell create [OPTIONS] CONTAINER-ID\n"
  "       cell run [OPTIONS] CONTAINER-ID\n"
  "\n"
  "create sets the container up and leaves its process waiting for `cell start`;\n"
  "run creates, starts and waits for it, exiting with its status (128+N when\n"
  "killed by signal N), and deletes it afterwards.\n"
  "\n"
  "Options:\n"
  "  -b, --bundle DIR          bundle directory (default: the current directory)\n"
  "  -f, --config FILE         config file (default: BUNDLE/config.json)\n"
  "      --pid-file FILE       write the container process id to FILE (atomically)\n"
  "      --console-socket SOCK send the pty master of process.terminal to this unix socket\n"
  "      --preserve-fds N      pass N extra fds (3 .. 3+N-1) to the container\n"
  "      --no-pivot            use chroot instead of pivot_root\n"
  "      --no-new-keyring      do not make a new session keyring\n"
  "      --notify-socket PATH  pass the container's sd_notify messages on to PATH\n"
  "                            (default: $NOTIFY_SOCKET); READY=1 after start\n"
  "  -d, --detach              (run) do not wait for the container\n"
  "      --keep                (run) do not delete the container after it exits\n"
  "      --record-seccomp PATH record every syscall of the container into PATH\n"
  "                            (as the annotation run.cell.seccomp.record; see\n"
  "                            'cell seccomp record --help')\n"
  "  -h, --help                print this help\n";

enum { OPT_PID_FILE = 256, OPT_CONSOLE, OPT_PRESERVE, OPT_NO_PIVOT, OPT_NO_KEYRING, OPT_KEEP,
       OPT_NO_SUBREAPER, OPT_RECORD, OPT_NOTIFY };

static int create_or_run(cell_cli *cli, int argc, char **argv, bool run, cell_error *err)
{
  const char *cmd = run ? "run" : "create";
  cell_create_opts o = {
    .root = cli->root, .bundle = ".", .log = &cli->log, .cgroup_manager = cli->cgroup_manager,
    .rootless = cli_rootless(cli), .notify_socket = getenv("NOTIFY_SOCKET"),
  };
  static const struct option opts[] = {
    { "bundle", required_argument, NULL, 'b' },
    { "config", required_argument, NULL, 'f' },
    { "pid-file", required_argument, NULL, OPT_PID_FILE },
    { "console-socket", required_argument, NULL, OPT_CONSOLE },
    { "preserve-fds", required_argument, NULL, OPT_PRESERVE },
    { "no-pivot", no_argument, NULL, OPT_NO_PIVOT },
    { "no-new-keyring", no_argument, NULL, OPT_NO_KEYRING },
    { "notify-socket", required_argument, NULL, OPT_NOTIFY },
    { "no-subreaper", no_argument, NULL, OPT_NO_SUBREAPER },
    { "detach", no_argument, NULL, 'd' },
    { "keep", no_argument, NULL, OPT_KEEP },
    { "record-seccomp", required_argument, NULL, OPT_RECORD },
    { "help", no_argument, NULL, 'h' },
    { 0 }
  };
  int c;
  while ((c = getopt_long_only(argc, argv, "b:f:dh", opts, NULL)) != -1) {
    switch (c) {
    case 'b': o.bundle = optarg; break;
    case 'f': o.config_path = optarg; break;
    case OPT_PID_FILE: o.pid_file = optarg; break;
    case OPT_CONSOLE: o.console_socket = optarg; break;
    case OPT_PRESERVE:
      if ((o.preserve_fds = cli_parse_fd_count(optarg)) < 0)
        return cli_usage_error(cmd, create_usage, "--preserve-fds: `%s` is not a count", optarg);
      break;
    case OPT_NO_PIVOT: o.no_pivot = true; break;
    case OPT_NO_KEYRING: o.no_new_keyring = true; break;
    case OPT_NOTIFY: o.notify_socket = optarg; break;
    case OPT_NO_SUBREAPER: break;
    case 'd':
      if (!run)
        return cli_usage_error(cmd, create_usage, "unknown option `%s`", argv[optind - 1]);
      o.detach = true;
      break;
    case OPT_KEEP:
      if (!run)
        return cli_usage_error(cmd, create_usage, "unknown option `%s`", argv[optind - 1]);
      o.keep = true;
      break;
    case OPT_RECORD: o.record_seccomp = optarg; break;
    case 'h': return cli_help(create_usage);
    default:
      return cli_usage_error(cmd, create_usage, "unknown option `%s`", argv[optind - 1]);
    }
  }
  if (optind != argc - 1)
    return cli_usage_error(cmd, create_usage, optind >= argc ? "a container id is needed"
                                                           : "too many arguments");
  o.id = argv[optind];
  o.argv = cli->argv;
  if (run)
    return cell_container_run(&o, err);
  int r = cell_container_create(&o, err);
  return r < 0 ? r : 0;
}

int cmd_create(cell_cli *cli, int argc, char **argv, cell_error *err)
{
  return create_or_run(cli, argc, argv, false, err);
}

int cmd_run(cell_cli *cli, int argc, char **argv, cell_error *err)
{
  return create_or_run(cli, argc, argv, true, err);
}
