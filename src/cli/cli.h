/* The command line: global options, one file per command. A command parses
 * its own flags (runc's and crun's spellings), calls the library and returns
 * an exit status, or a negative errno with err filled; main prints it once. */
#ifndef CELL_CLI_H
#define CELL_CLI_H
#include <stdbool.h>
#include "util/error.h"
#include "util/log.h"

typedef struct cell_cli {
  const char *root;            /* --root, default /run/cell */
  cell_log log;                /* --log, --log-format, --debug */
  bool systemd_cgroup;         /* --systemd-cgroup */
  const char *cgroup_manager;  /* --cgroup-manager cgroupfs|systemd|disabled */
  int rootless;                /* --rootless[=true|false|auto]: 1, 0, or -1 for auto
                                  (the default): see cli_rootless() */
  const char *argv0;
  char **argv;                 /* the whole command line, for the exe guard */
} cell_cli;

typedef struct cell_command {
  const char *name;
  int (*run)(cell_cli *cli, int argc, char **argv, cell_error *err);
  const char *summary;
} cell_command;

/* Each returns the process exit status (>= 0) or a negative errno. argv[0]
 * is the command name; options use getopt_long conventions. */
int cmd_create(cell_cli *, int, char **, cell_error *);
int cmd_start(cell_cli *, int, char **, cell_error *);
int cmd_run(cell_cli *, int, char **, cell_error *);
int cmd_exec(cell_cli *, int, char **, cell_error *);
int cmd_state(cell_cli *, int, char **, cell_error *);
int cmd_kill(cell_cli *, int, char **, cell_error *);
int cmd_delete(cell_cli *, int, char **, cell_error *);
int cmd_list(cell_cli *, int, char **, cell_error *);
int cmd_spec(cell_cli *, int, char **, cell_error *);
int cmd_ps(cell_cli *, int, char **, cell_error *);
int cmd_pause(cell_cli *, int, char **, cell_error *);
int cmd_resume(cell_cli *, int, char **, cell_error *);
int cmd_update(cell_cli *, int, char **, cell_error *);
int cmd_events(cell_cli *, int, char **, cell_error *);
int cmd_features(cell_cli *, int, char **, cell_error *);
int cmd_seccomp(cell_cli *, int, char **, cell_error *);

/* Usage error: prints "cell CMD: MSG" and the command's usage, returns 2
 * (the caller returns that as the exit status). */
int cli_usage_error(const char *cmd, const char *usage, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));
/* Help text to stdout; returns 0. */
int cli_help(const char *usage);
/* Rootless (--rootless, or when auto linux_rootless_detect(), asked only
 * by the commands that need it). */
bool cli_rootless(const cell_cli *cli);
/* --preserve-fds N: a count from 0 to 1024. -1 when s is not one. */
int cli_parse_fd_count(const char *s);
#endif
