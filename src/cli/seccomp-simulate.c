/* `cell seccomp simulate`: one syscall through a filter. */
#include "cli/seccomp-input.h"
#include "seccomp/lang/lang.h"
#include "seccomp/seccomp.h"
#include "seccomp/table.h"
#include "util/cleanup.h"
#include "util/fs.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_simulate[] =
  "Usage: cell seccomp simulate PROFILE|FILE --arch ARCH --syscall NAME|NR [--args A0,A1,...]\n"
  "\n"
  "Run the filter of PROFILE (JSON or a .sec policy, compiled as by\n"
  "'compile') or FILE (raw BPF) on one syscall and print the action, one line:\n"
  "  ALLOW, LOG, NOTIFY, KILL_PROCESS, KILL_THREAD, ERRNO(N), TRACE(N),\n"
  "  TRAP(N), or UNKNOWN(0xXXXXXXXX)\n"
  "  -a, --arch ARCH       architecture of the call (x86_64, x32, x86, aarch64,\n"
  "                        ...); also the native one when compiling PROFILE\n"
  "  -s, --syscall NAME|NR the syscall, by name (resolved for ARCH) or number\n"
  "                        (as the kernel sees it, e.g. 0x40000000 for x32 read)\n"
  "  -A, --args A0,...     up to six 64-bit arguments (decimal, 0x hex, or\n"
  "                        negative two's complement); missing ones are 0\n"
  "  -v, --verbose         also print the instructions executed\n"
  "  -h, --help            this text\n";

int cli_seccomp_simulate(cell_cli *cli, int argc, char **argv, cell_error *err)
{
  static const struct option opts[] = {
    { "arch", required_argument, NULL, 'a' }, { "syscall", required_argument, NULL, 's' },
    { "args", required_argument, NULL, 'A' }, { "verbose", no_argument, NULL, 'v' },
    { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
  };
  const char *arch = NULL, *sys = NULL, *args_s = NULL;
  bool verbose = false;
  int c;
  optind = 0;
  while ((c = getopt_long(argc, argv, "a:s:A:vh", opts, NULL)) != -1) {
    switch (c) {
    case 'a': arch = optarg; break;
    case 's': sys = optarg; break;
    case 'A': args_s = optarg; break;
    case 'v': verbose = true; break;
    case 'h': return cli_help(usage_simulate);
    default: return cli_usage_error("seccomp simulate", usage_simulate, "unknown option");
    }
  }
  if (optind != argc - 1)
    return cli_usage_error("seccomp simulate", usage_simulate, "expected one PROFILE or FILE");
  if (!arch || !sys)
    return cli_usage_error("seccomp simulate", usage_simulate, "--arch and --syscall are required");
  const cell_sc_arch *a = cell_sc_arch_by_name(arch);
  if (!a)
    return cli_usage_error("seccomp simulate", usage_simulate, "unknown architecture `%s`", arch);
  uint64_t nr64;
  if (cli_parse_u64(sys, &nr64) < 0) {
    const cell_sc_syscall *s = cell_sc_syscall_lookup(sys);
    int64_t n = s ? cell_sc_syscall_nr(a, s) : -1;
    if (n < 0)
      return cli_usage_error("seccomp simulate", usage_simulate, "no syscall `%s` on %s", sys,
                             a->short_name);
    nr64 = (uint64_t) n;
  } else if (nr64 > UINT32_MAX)
    return cli_usage_error("seccomp simulate", usage_simulate, "syscall number %s out of range", sys);
  uint64_t args[6] = { 0 };
  if (args_s) {
    _cleanup_free_ char *copy = strdup(args_s);
    if (!copy)
      return cell_error_set(err, ENOMEM, "out of memory");
    char *save = NULL, *tok = strtok_r(copy, ",", &save);
    for (int i = 0; tok; i++, tok = strtok_r(NULL, ",", &save)) {
      if (i >= 6 || cli_parse_u64(tok, &args[i]) < 0)
        return cli_usage_error("seccomp simulate", usage_simulate,
                               "--args: expected up to six numbers, not `%s`", args_s);
    }
  }
  cell_seccomp_filter f;
  int r = cli_load_filter(argv[optind], a->short_name, &cli->log, NULL, &f, err);
  if (r < 0)
    return r;
  cell_seccomp_data d;
  cell_seccomp_data_make(&d, a->short_name, (uint32_t) nr64, args, err);
  unsigned steps;
  uint32_t ret = cell_seccomp_run(f.insns, f.len, &d, &steps);
  char buf[32];
  printf("%s\n", cell_seccomp_action_str(ret, buf));
  if (verbose)
    printf("instructions executed: %u of %zu\n", steps, f.len);
  cell_seccomp_filter_free(&f);
  return 0;
}

