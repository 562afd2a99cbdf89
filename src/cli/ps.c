/* cell ps: the processes of a container, from its cgroup. */
#include "cli/cgroup-cmds.h"
#include "util/cleanup.h"
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int cli_cg_open(cell_cli *cli, const char *id, cli_cg_container *c, cell_error *err)
{
  memset(c, 0, sizeof *c);
  c->store.dirfd = -1;
  int r = cell_store_open(&c->store, cli->root, id, err);
  if (r < 0)
    return r;
  if ((r = cell_state_read(&c->store, &c->st, err)) < 0) {
    cli_cg_close(c);
    return r;
  }
  c->status = cell_state_status(&c->st);
  json_t *rec = c->st.extra ? json_object_get(c->st.extra, "cgroup") : NULL;
  if (!rec) {
    cli_cg_close(c);
    return cell_error_set(err, ENOTSUP, "container `%s` has no cgroup record in its state", id);
  }
  if ((r = cell_cgroup_from_json(rec, &c->cg, err)) < 0) {
    cli_cg_close(c);
    return cell_error_wrap(err, "container `%s`", id);
  }
  return 0;
}

int cli_cg_save(cli_cg_container *c, cell_error *err)
{
  return cell_state_write(&c->store, &c->st, err);
}

void cli_cg_close(cli_cg_container *c)
{
  cell_cgroup_free(c->cg);
  c->cg = NULL;
  cell_state_clear(&c->st);
  cell_store_close(&c->store);
}

static const char ps_usage[] =
  "Usage: cell ps [OPTIONS] CONTAINER-ID [PS-ARGS...]\n\n"
  "List the processes of a container (every process in its cgroup).\n\n"
  "Options:\n"
  "  -f, --format table|json   table (default): the lines of `ps PS-ARGS`\n"
  "                            (default -ef) for those processes; json: an\n"
  "                            array of their pids\n"
  "  -h, --help                print this help\n";

/* Run ps with args, print its header and the lines whose PID column is one
 * of pids. */
static int ps_table(char **args, const pid_t *pids, size_t n, cell_error *err)
{
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0)
    return cell_error_sys(err, "pipe");
  pid_t child = fork();
  if (child < 0)
    return cell_error_sys(err, "fork");
  if (child == 0) {
    dup2(p[1], 1);
    execvp(args[0], args);
    fprintf(stderr, "cell ps: exec %s: %s\n", args[0], strerror(errno));
    _exit(127);
  }
  close(p[1]);
  _cleanup_free_ char *out = NULL;
  size_t len = 0;
  int r = cell_read_fd(p[0], &out, &len);
  close(p[0]);
  int st;
  while (waitpid(child, &st, 0) < 0 && errno == EINTR)
    ;
  if (r < 0)
    return cell_error_sys_code(err, r, "read the output of ps");
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
    return cell_error_set(err, EIO, "`%s` failed (exit status %d)", args[0],
                          WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
  char *save = NULL, *line = strtok_r(out, "\n", &save);
  if (!line)
    return cell_error_set(err, EIO, "ps printed nothing");
  /* The column whose header is PID. */
  int col = -1, i = 0;
  for (char *s = line; *s; i++) {
    s += strspn(s, " ");
    size_t w = strcspn(s, " ");
    if (w == 3 && strncmp(s, "PID", 3) == 0) {
      col = i;
      break;
    }
    s += w;
  }
  if (col < 0)
    return cell_error_set(err, EINVAL, "ps output has no PID column: `%s`", line);
  printf("%s\n", line);
  while ((line = strtok_r(NULL, "\n", &save))) {
    const char *s = line;
    for (i = 0; i < col && *s; i++) {
      s += strspn(s, " ");
      s += strcspn(s, " ");
    }
    long pid = strtol(s, NULL, 10);
    for (size_t k = 0; k < n; k++)
      if (pids[k] == pid) {
        printf("%s\n", line);
        break;
      }
  }
  return 0;
}

int cmd_ps(cell_cli *cli, int argc, char **argv, cell_error *err)
{
  static const struct option opts[] = {
    { "format", required_argument, NULL, 'f' }, { "help", no_argument, NULL, 'h' }, { 0 }
  };
  const char *format = "table";
  int c;
  /* "+": options stop at the id, the rest goes to ps. */
  while ((c = getopt_long(argc, argv, "+f:h", opts, NULL)) != -1) {
    if (c == 'f')
      format = optarg;
    else if (c == 'h')
      return cli_help(ps_usage);
    else
      return cli_usage_error("ps", ps_usage, "unknown option `%s`", argv[optind - 1]);
  }
  if (strcmp(format, "table") && strcmp(format, "json"))
    return cli_usage_error("ps", ps_usage, "--format: expected table or json, not `%s`", format);
  if (optind >= argc)
    return cli_usage_error("ps", ps_usage, "a container id is needed");
  const char *id = argv[optind];
  cli_cg_container ct;
  int r = cli_cg_open(cli, id, &ct, err);
  if (r < 0)
    return r;
  _cleanup_free_ pid_t *pids = NULL;
  size_t n = 0;
  if (ct.status == CELL_STOPPED)
    r = cell_error_set(err, ESRCH, "container `%s` is not running", id);
  else
    r = cell_cgroup_pids(ct.cg, &pids, &n, err);
  cli_cg_close(&ct);
  if (r < 0)
    return r;
  if (strcmp(format, "json") == 0) {
    printf("[");
    for (size_t i = 0; i < n; i++)
      printf("%s%d", i ? "," : "", (int) pids[i]);
    printf("]\n");
    return 0;
  }
  char *def[] = { "ps", "-ef", NULL };
  char **args = def;
  _cleanup_free_ char **given = NULL;
  if (optind + 1 < argc) {
    int k = argc - optind - 1;
    given = calloc((size_t) k + 2, sizeof *given);
    if (!given)
      return cell_error_set(err, ENOMEM, "out of memory");
    given[0] = "ps";
    for (int i = 0; i < k; i++)
      given[i + 1] = argv[optind + 1 + i];
    args = given;
  }
  fflush(stdout);
  return ps_table(args, pids, n, err);
}
