/* `cell seccomp diff`: where two profiles decide differently. */
#include "cli/seccomp-input.h"
#include "seccomp/explain.h"
#include "seccomp/seccomp.h"
#include "seccomp/table.h"
#include "util/cleanup.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_diff[] =
  "Usage: cell seccomp diff [OPTIONS] A B\n"
  "\n"
  "Compare what two profiles decide, exactly: A and B (OCI JSON, config.json,\n"
  "a .sec policy, or raw BPF) are compiled as by 'compile', and their filters\n"
  "are compared on every architecture value, every syscall number and, where\n"
  "a decision depends on the arguments, on every region of argument values\n"
  "the filters' comparisons tell apart. One line per difference:\n"
  "  ARCHES: A ACTION `SYSCALL` [when CONDITION] (B'S ACTION in B)\n"
  "e.g. \"x86_64: podman allows `clone3` (ENOSYS in cell)\"; then a count.\n"
  "\n"
  "  -a, --arch ARCH       native architecture when compiling (default: this one)\n"
  "  -l, --labels A,B      names for the two in the output (default: the file\n"
  "                        names)\n"
  "  -h, --help            this text\n"
  "Exit status: 0 when they decide alike, 1 when they differ, 2 on errors.\n";

int cli_seccomp_diff(cell_cli *cli, int argc, char **argv, cell_error *err)
{
  static const struct option opts[] = {
    { "arch", required_argument, NULL, 'a' }, { "labels", required_argument, NULL, 'l' },
    { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
  };
  const char *arch = NULL;
  _cleanup_free_ char *labels = NULL;
  int c;
  optind = 0;
  while ((c = getopt_long(argc, argv, "a:l:h", opts, NULL)) != -1) {
    switch (c) {
    case 'a': arch = optarg; break;
    case 'l':
      free(labels);
      labels = strdup(optarg);
      if (!labels)
        return cell_error_set(err, ENOMEM, "out of memory");
      break;
    case 'h': return cli_help(usage_diff);
    default: return cli_usage_error("seccomp diff", usage_diff, "unknown option");
    }
  }
  if (optind != argc - 2)
    return cli_usage_error("seccomp diff", usage_diff, "expected two profiles, A and B");
  if (arch && !cell_sc_arch_by_name(arch))
    return cli_usage_error("seccomp diff", usage_diff, "unknown architecture `%s`", arch);
  const char *names[2] = { argv[optind], argv[optind + 1] };
  if (labels) {
    char *comma = strchr(labels, ',');
    if (!comma || comma == labels || !comma[1] || strchr(comma + 1, ','))
      return cli_usage_error("seccomp diff", usage_diff, "--labels: expected A,B, not `%s`",
                             labels);
    *comma = 0;
    names[0] = labels;
    names[1] = comma + 1;
  }
  cell_seccomp_filter f[2] = { { 0 }, { 0 } };
  int r = 0;
  for (int i = 0; i < 2 && r == 0; i++)
    r = cli_load_filter(argv[optind + i], arch, &cli->log, NULL, &f[i], err);
  _cleanup_free_ char *text = NULL;
  size_t ndiff = 0;
  if (r == 0) {
    cell_sc_prog p[2] = { { f[0].insns, f[0].len }, { f[1].insns, f[1].len } };
    r = cell_sc_diff(p, names, &text, &ndiff, err);
  }
  cell_seccomp_filter_free(&f[0]);
  cell_seccomp_filter_free(&f[1]);
  if (r < 0)
    return r;
  fputs(text, stdout);
  return ndiff ? 1 : 0;
}
