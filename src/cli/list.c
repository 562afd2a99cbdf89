/* cell list */
#include "cli/cli.h"
#include "runtime/state.h"
#include "util/cleanup.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <jansson.h>

/* The owner of a state dir as runc shows it: the user's name, else the uid. */
static json_t *owner_json(const char *dir)
{
  struct stat st;
  if (stat(dir, &st) < 0)
    return json_string("");
  char buf[4096], num[16];
  struct passwd pw, *res = NULL;
  if (getpwuid_r(st.st_uid, &pw, buf, sizeof buf, &res) == 0 && res)
    return json_string(res->pw_name);
  snprintf(num, sizeof num, "#%u", (unsigned) st.st_uid);
  return json_string(num);
}

static const char list_usage[] =
  "Usage: cell list [OPTIONS]\n\n"
  "List the containers under --root.\n\n"
  "Options:\n"
  "  -f, --format table|json  output format (default table: ID PID STATUS BUNDLE CREATED OWNER)\n"
  "  -q, --quiet              print the ids only\n"
  "  -h, --help               print this help\n";

int cmd_list(cell_cli *cli, int argc, char **argv, cell_error *err)
{
  static const struct option opts[] = {
    { "format", required_argument, NULL, 'f' }, { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' }, { 0 }
  };
  const char *format = "table";
  bool quiet = false;
  int c;
  while ((c = getopt_long_only(argc, argv, "f:qh", opts, NULL)) != -1) {
    switch (c) {
    case 'f': format = optarg; break;
    case 'q': quiet = true; break;
    case 'h': return cli_help(list_usage);
    default: return cli_usage_error("list", list_usage, "unknown option `%s`", argv[optind - 1]);
    }
  }
  if (strcmp(format, "table") && strcmp(format, "json"))
    return cli_usage_error("list", list_usage, "--format: expected table or json, not `%s`", format);
  if (optind != argc)
    return cli_usage_error("list", list_usage, "no arguments expected");
  json_t *all = json_array();
  _cleanup_closedir_ DIR *d = opendir(cli->root);
  if (!d && errno != ENOENT) {
    json_decref(all);
    return cell_error_sys(err, "open state root `%s`", cli->root);
  }
  struct dirent *de;
  while (d && (de = readdir(d))) {
    if (de->d_name[0] == '.')
      continue;
    cell_store s = { .dirfd = -1, .id = de->d_name };
    if (asprintf(&s.dir, "%s/%s", cli->root, de->d_name) < 0)
      continue;
    cell_state st;
    cell_error ignore = CELL_ERROR_INIT;
    if (cell_state_read(&s, &st, &ignore) == 0) {
      json_t *o = cell_state_json(&st, cell_state_status(&st), true);
      if (o)
        json_object_set_new(o, "owner", owner_json(s.dir));
      json_array_append_new(all, o);
      cell_state_clear(&st);
    }
    cell_error_clear(&ignore);
    free(s.dir);
  }
  size_t i;
  json_t *e;
  if (strcmp(format, "json") == 0) {
    char *s = json_dumps(all, JSON_COMPACT);
    printf("%s\n", s);
    free(s);
  } else if (quiet) {
    json_array_foreach(all, i, e)
      printf("%s\n", json_string_value(json_object_get(e, "id")));
  } else {
    printf("%-20s %-8s %-10s %-40s %-32s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED",
           "OWNER");
    json_array_foreach(all, i, e)
      printf("%-20s %-8lld %-10s %-40s %-32s %s\n", json_string_value(json_object_get(e, "id")),
             (long long) json_integer_value(json_object_get(e, "pid")),
             json_string_value(json_object_get(e, "status")),
             json_string_value(json_object_get(e, "bundle")),
             json_string_value(json_object_get(e, "created")),
             json_string_value(json_object_get(e, "owner")));
  }
  json_decref(all);
  return 0;
}
