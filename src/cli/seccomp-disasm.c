/* `cell seccomp disasm`: a raw BPF program (or a policy) listed. */
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

static const char usage_disasm[] =
  "Usage: cell seccomp disasm FILE\n"
  "\n"
  "Check FILE (raw struct sock_filter array, host byte order; '-' for stdin)\n"
  "against the kernel's rules and list it, one instruction a line (a policy,\n"
  "*.sec, is compiled first):\n"
  "  NNNN: OP OPERAND [jt TTTT jf FFFF] [; COMMENT]\n"
  "NNNN is the index, TTTT/FFFF absolute jump targets; comments name the\n"
  "seccomp_data field loaded (nr, arch, args[i].lo/hi), the architecture\n"
  "or syscall compared with, and the action returned.\n"
  "  -h, --help   this text\n";

int cli_seccomp_disasm(cell_cli *cli, int argc, char **argv, cell_error *err)
{
  (void) cli;
  static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
  int c;
  optind = 0;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    if (c == 'h')
      return cli_help(usage_disasm);
    return cli_usage_error("seccomp disasm", usage_disasm, "unknown option");
  }
  if (optind != argc - 1)
    return cli_usage_error("seccomp disasm", usage_disasm, "expected one FILE");
  _cleanup_free_ char *data = NULL;
  size_t len;
  int r = cli_read_input(argv[optind], &data, &len, err);
  if (r < 0)
    return r;
  cell_seccomp_filter f;
  if (cell_sc_lang_is_policy(argv[optind], data, len)) {
    /* a policy: list what it compiles to */
    if ((r = cli_compile_text(argv[optind], data, len, NULL, NULL, NULL, &f, err)) < 0)
      return r;
  } else if ((r = cell_seccomp_from_bpf(data, len, &f, err)) < 0)
    return cell_error_wrap(err, "%s", argv[optind]);
  _cleanup_free_ char *listing = cell_seccomp_disasm(f.insns, f.len);
  cell_seccomp_filter_free(&f);
  if (!listing)
    return cell_error_set(err, ENOMEM, "out of memory");
  fputs(listing, stdout);
  return 0;
}

