/* cell exec */
#include "cli/cli.h"
#include "runtime/container.h"
#include "util/strv.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char exec_usage[] =
  "Usage: cell exec [OPTIONS] CONTAINER-ID COMMAND [ARGS...]\n"
  "       cell exec [OPTIONS] --process FILE CONTAINER-ID\n"
  "\n"
  "Run a further process in a running container, in all of its namespaces,\n"
  "with the container's process settings unless overridden. Exits with the\n"
  "process's status (128+N when killed by signal N).\n"
  "\n"
  "Options:\n"
  "  -p, --process FILE        the process as a JSON object (config.json's process)\n"
  "  -t, --tty                 allocate a terminal\n"
  "      --console-socket SOCK send the terminal's master to this unix socket\n"
  "      --cwd DIR             working directory inside the container\n"
  "  -e, --env KEY=VALUE       set an environment variable (repeatable)\n"
  "  -u, --user UID[:GID]      run as this user\n"
  "  -c, --cap CAP             add a capability (repeatable)\n"
  "      --no-new-privs        set no_new_privs\n"
  "  -d, --detach              do not wait for the process\n"
  "      --pid-file FILE       write the process id to FILE\n"
  "      --preserve-fds N      pass N extra fds (3 .. 3+N-1)\n"
  "  -h, --help                print this help\n";

enum { OPT_CONSOLE = 256, OPT_CWD, OPT_NNP, OPT_PID_FILE, OPT_PRESERVE, OPT_IGNORED_ARG,
       OPT_IGNORED };

int cmd_exec(cell_cli *cli, int argc, char **argv, cell_error *err)
{
  static const struct option opts[] = {
    { "process", required_argument, NULL, 'p' },
    { "tty", no_argument, NULL, 't' },
    { "console-socket", required_argument, NULL, OPT_CONSOLE },
    { "cwd", required_argument, NULL, OPT_CWD },
    { "env", required_argument, NULL, 'e' },
    { "user", required_argument, NULL, 'u' },
    { "cap", required_argument, NULL, 'c' },
    { "no-new-privs", no_argument, NULL, OPT_NNP },
    { "detach", no_argument, NULL, 'd' },
    { "pid-file", required_argument, NULL, OPT_PID_FILE },
    { "preserve-fds", required_argument, NULL, OPT_PRESERVE },
    /* runc flags without meaning here: accepted. */
    { "process-label", required_argument, NULL, OPT_IGNORED_ARG },
    { "apparmor", required_argument, NULL, OPT_IGNORED_ARG },
    { "additional-gids", required_argument, NULL, 'g' },
    { "cgroup", required_argument, NULL, OPT_IGNORED_ARG },
    { "ignore-paused", no_argument, NULL, OPT_IGNORED },
    { "help", no_argument, NULL, 'h' },
    { 0 }
  };
  cell_exec_opts o = { .root = cli->root, .log = &cli->log };
  char **env = NULL, **caps = NULL;
  int c, r;
  /* "+": options stop at the container id; the command's own flags are its own. */
  while ((c = getopt_long_only(argc, argv, "+p:te:u:c:dg:h", opts, NULL)) != -1) {
    switch (c) {
    case 'p': o.process_path = optarg; break;
    case 't': o.tty = true; break;
    case OPT_CONSOLE: o.console_socket = optarg; break;
    case OPT_CWD: o.cwd = optarg; break;
    case 'e': cell_strv_push(&env, optarg); break;
    case 'u': o.user = optarg; break;
    case 'c': cell_strv_push(&caps, optarg); break;
    case OPT_NNP: o.no_new_privs = true; break;
    case 'd': o.detach = true; break;
    case OPT_PID_FILE: o.pid_file = optarg; break;
    case OPT_PRESERVE:
      if ((o.preserve_fds = cli_parse_fd_count(optarg)) < 0) {
        r = cli_usage_error("exec", exec_usage, "--preserve-fds: `%s` is not a count", optarg);
        goto out;
      }
      break;
    case 'g': case OPT_IGNORED_ARG: case OPT_IGNORED: break;
    case 'h': r = cli_help(exec_usage); goto out;
    default:
      r = cli_usage_error("exec", exec_usage, "unknown option `%s`", argv[optind - 1]);
      goto out;
    }
  }
  if (optind >= argc) {
    r = cli_usage_error("exec", exec_usage, "a container id is needed");
    goto out;
  }
  o.id = argv[optind++];
  if (!o.process_path && optind >= argc) {
    r = cli_usage_error("exec", exec_usage, "a command to run is needed (or --process FILE)");
    goto out;
  }
  if (o.process_path && optind < argc) {
    r = cli_usage_error("exec", exec_usage, "--process and a command line exclude each other");
    goto out;
  }
  o.args = argv + optind;
  o.env = env;
  o.caps = caps;
  cell_exe_guard guard;
  if ((r = cell_exe_guard_apply(cli->argv, &guard, err)) < 0)
    goto out;
  r = cell_container_exec(&o, err);
out:
  cell_strv_free(env);
  cell_strv_free(caps);
  return r;
}
