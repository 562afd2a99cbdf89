/* `cell seccomp TOOL ...`: the compiler's tools, one file each
 * (seccomp-TOOL.c). Output formats are stable (see docs/man/cell-seccomp.1). */
#include "cli/seccomp-input.h"

#include <string.h>

static const char usage_main[] =
  "Usage: cell seccomp COMMAND ...\n"
  "\n"
  "Commands:\n"
  "  check PROFILE [--strict]                  validate; report refused, shadowed,\n"
  "                                            overlapping and impossible rules\n"
  "  compile PROFILE [-o FILE] [--arch ARCH]   compile to raw BPF\n"
  "  convert --to sec|json PROFILE [-o FILE]   JSON profile <-> policy (.sec);\n"
  "          [--style cell|easyseccomp]        a policy in either spelling\n"
  "  diff A B                                  where two profiles decide differently\n"
  "  disasm FILE                               list a raw BPF program\n"
  "  explain PROFILE|FILE                      what a profile or filter decides, in words\n"
  "  fmt [-w | --check] FILE...                a policy in the canonical layout\n"
  "  record RECORDING... [-o FILE] [--base P]  recordings into a minimal profile\n"
  "  simulate PROFILE|FILE --arch ARCH --syscall NAME|NR [--args A0,A1,...]\n"
  "                                            print the action for one syscall\n"
  "Run 'cell seccomp COMMAND --help' for details.\n";

static const cell_command tools[] = {
  { "check", cli_seccomp_check, NULL },
  { "compile", cli_seccomp_compile, NULL },
  { "convert", cli_seccomp_convert, NULL },
  { "diff", cli_seccomp_diff, NULL },
  { "disasm", cli_seccomp_disasm, NULL },
  { "explain", cli_seccomp_explain, NULL },
  { "fmt", cli_seccomp_fmt, NULL },
  { "record", cli_seccomp_record, NULL },
  { "simulate", cli_seccomp_simulate, NULL },
};

int cmd_seccomp(cell_cli *cli, int argc, char **argv, cell_error *err)
{
  if (argc < 2)
    return cli_usage_error("seccomp", usage_main, "expected a command");
  const char *sub = argv[1];
  if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help"))
    return cli_help(usage_main);
  for (size_t i = 0; i < sizeof tools / sizeof *tools; i++)
    if (!strcmp(sub, tools[i].name))
      return tools[i].run(cli, argc - 1, argv + 1, err);
  return cli_usage_error("seccomp", usage_main, "unknown command `%s`", sub);
}
