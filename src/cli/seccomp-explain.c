/* `cell seccomp explain`: a filter or profile in words. */
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

static const char usage_explain[] =
  "Usage: cell seccomp explain [--arch ARCH] PROFILE|FILE\n"
  "\n"
  "Say what a profile (OCI JSON, config.json, a .sec policy; compiled as by\n"
  "'compile') or a raw BPF filter decides, from the filter itself, so that a\n"
  "profile and the BPF compiled from it read the same. For each architecture\n"
  "it tells apart: its default (what most syscalls get), then by family\n"
  "(files, io, network, processes, signals, memory, time, ipc, credentials,\n"
  "scheduling, system, other) the syscalls that get something else, grouped\n"
  "by decision, and those whose decision depends on their arguments, with\n"
  "the conditions spelled out (\"personality: allowed when arg0 in (0, 8);\n"
  "otherwise EPERM\"); numbers the syscall table does not know; and what\n"
  "other architectures get.\n"
  "\n"
  "  -a, --arch ARCH   native architecture when compiling (default: this one)\n"
  "  -h, --help        this text\n";

int cli_seccomp_explain(cell_cli *cli, int argc, char **argv, cell_error *err)
{
  static const struct option opts[] = {
    { "arch", required_argument, NULL, 'a' }, { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *arch = NULL;
  int c;
  optind = 0;
  while ((c = getopt_long(argc, argv, "a:h", opts, NULL)) != -1) {
    switch (c) {
    case 'a': arch = optarg; break;
    case 'h': return cli_help(usage_explain);
    default: return cli_usage_error("seccomp explain", usage_explain, "unknown option");
    }
  }
  if (optind != argc - 1)
    return cli_usage_error("seccomp explain", usage_explain, "expected one PROFILE or FILE");
  if (arch && !cell_sc_arch_by_name(arch))
    return cli_usage_error("seccomp explain", usage_explain, "unknown architecture `%s`", arch);
  cell_seccomp_filter f;
  int r = cli_load_filter(argv[optind], arch, &cli->log, NULL, &f, err);
  if (r < 0)
    return r;
  _cleanup_free_ char *text = NULL;
  cell_sc_prog p = { f.insns, f.len };
  r = cell_sc_explain(&p, &text, err);
  cell_seccomp_filter_free(&f);
  if (r < 0)
    return r;
  fputs(text, stdout);
  return 0;
}
