/* cell delete */
#include "cli/cli.h"
#include "runtime/container.h"
#include "util/cleanup.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char delete_usage[] =
  "Usage: cell delete [OPTIONS] CONTAINER-ID\n"
  "       cell delete [OPTIONS] --regex PATTERN\n\n"
  "Delete a container: run its poststop hooks and remove its state.\n\n"
  "Options:\n"
  "  -f, --force  kill a running container first\n"
  "  -r, --regex  the argument is an extended regular expression: delete\n"
  "               every container whose id it matches (as crun)\n"
  "  -h, --help   print this help\n";

static int delete_one(cell_cli *cli, const char *id, bool force, cell_error *err)
{
  int r = cell_container_delete(cli->root, id, force, &cli->log, err);
  /* As runc and crun: --force of a container that is already gone succeeds
   * (podman and conmon delete with --force after a failed create). */
  if (r == -ENOENT && force) {
    _cleanup_free_ char *dir = NULL;
    struct stat st;
    if (asprintf(&dir, "%s/%s", cli->root, id) >= 0 && lstat(dir, &st) < 0 &&
        errno == ENOENT) {
      cell_error_clear(err);
      return 0;
    }
  }
  return r < 0 ? r : 0;
}

/* Every container of the root whose id the pattern matches; the first
 * error is kept, the others are logged, and the rest still go. */
static int delete_matching(cell_cli *cli, const char *pattern, bool force, cell_error *err)
{
  regex_t re;
  int rc = regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB);
  if (rc != 0) {
    char msg[128];
    regerror(rc, &re, msg, sizeof msg);
    return cell_error_set(err, EINVAL, "--regex: `%s`: %s", pattern, msg);
  }
  _cleanup_closedir_ DIR *d = opendir(cli->root);
  int r = 0;
  if (!d && errno != ENOENT)
    r = cell_error_sys(err, "open state root `%s`", cli->root);
  struct dirent *de;
  while (d && (de = readdir(d))) {
    if (de->d_name[0] == '.' || regexec(&re, de->d_name, 0, NULL, 0) != 0)
      continue;
    cell_error e = CELL_ERROR_INIT;
    if (delete_one(cli, de->d_name, force, &e) < 0) {
      if (r == 0) {
        cell_error_move(err, &e);
        r = -err->code;
      } else
        cell_log_error(&cli->log, "%s", e.msg);
    }
    cell_error_clear(&e);
  }
  regfree(&re);
  return r;
}

int cmd_delete(cell_cli *cli, int argc, char **argv, cell_error *err)
{
  static const struct option opts[] = {
    { "force", no_argument, NULL, 'f' }, { "regex", no_argument, NULL, 'r' },
    { "help", no_argument, NULL, 'h' }, { 0 }
  };
  bool force = false, regex = false;
  int c;
  while ((c = getopt_long_only(argc, argv, "frh", opts, NULL)) != -1) {
    if (c == 'f')
      force = true;
    else if (c == 'r')
      regex = true;
    else if (c == 'h')
      return cli_help(delete_usage);
    else
      return cli_usage_error("delete", delete_usage, "unknown option `%s`", argv[optind - 1]);
  }
  if (optind != argc - 1)
    return cli_usage_error("delete", delete_usage, regex ? "exactly one pattern is needed"
                           : "exactly one container id is needed");
  if (regex)
    return delete_matching(cli, argv[optind], force, err);
  return delete_one(cli, argv[optind], force, err);
}
