/* `cell seccomp compile`: a PROFILE into the raw BPF the runtime would load. */
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

static const char usage_compile[] =
  "Usage: cell seccomp compile PROFILE [-o FILE] [--arch ARCH]\n"
  "\n"
  "Compile PROFILE, an OCI linux.seccomp object, a whole config.json, or a\n"
  "policy in cell's language (*.sec, see cell-seccomp-language(7); it reads\n"
  "easyseccomp's syntax too), into the filter the runtime would load: a raw\n"
  "array of struct sock_filter (8 bytes each: u16 code, u8 jt, u8 jf, u32 k)\n"
  "in host byte order. PROFILE `-` is stdin.\n"
  "For a config.json the annotation run.oci.seccomp_fail_unknown_syscall is\n"
  "honoured. Warnings (unknown syscalls) go to stderr.\n"
  "\n"
  "  -o, --output FILE  write there (atomically) instead of to stdout\n"
  "  -a, --arch ARCH    native architecture (default: this machine's), e.g.\n"
  "                     x86_64, aarch64, SCMP_ARCH_X86_64\n"
  "  --annotation       print the value for run.oci.seccomp_bpf_data (base64)\n"
  "  -D, --define NAME  define NAME for #ifdef in a policy (repeatable; -d NAME\n"
  "                     as easyseccomp spells it)\n"
  "  -I DIR             search DIR for a policy's include files (repeatable)\n"
  "  -h, --help         this text\n"
  "Exit status: 0, 1 when the profile is invalid, 2 on usage errors.\n";

int cli_seccomp_compile(cell_cli *cli, int argc, char **argv, cell_error *err)
{
  static const struct option opts[] = {
    { "output", required_argument, NULL, 'o' }, { "arch", required_argument, NULL, 'a' },
    { "annotation", no_argument, NULL, 'N' }, { "define", required_argument, NULL, 'D' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *out = NULL, *arch = NULL;
  bool annotation = false;
  policy_args pa = { .ndefines = 0 };
  int c;
  optind = 0;
  while ((c = getopt_long(argc, argv, "o:a:D:d:I:h", opts, NULL)) != -1) {
    switch (c) {
    case 'o': out = optarg; break;
    case 'a': arch = optarg; break;
    case 'N': annotation = true; break;
    case 'D':
    case 'd':
    case 'I':
      if (cli_policy_opt(&pa, c, optarg) < 0)
        return cli_usage_error("seccomp compile", usage_compile, "too many -%c", c);
      break;
    case 'h': return cli_help(usage_compile);
    default: return cli_usage_error("seccomp compile", usage_compile, "unknown option");
    }
  }
  if (optind != argc - 1)
    return cli_usage_error("seccomp compile", usage_compile, "expected one PROFILE");
  if (arch && !cell_sc_arch_by_name(arch))
    return cli_usage_error("seccomp compile", usage_compile, "unknown architecture `%s`", arch);
  const char *path = argv[optind];
  _cleanup_free_ char *text = NULL;
  size_t len;
  int r = cli_read_input(path, &text, &len, err);
  if (r < 0)
    return r;
  cell_seccomp_filter f;
  if ((r = cli_compile_text(path, text, len, arch, &cli->log, &pa, &f, err)) < 0)
    return r;
  size_t bytes = f.len * sizeof *f.insns;
  if (annotation) {
    _cleanup_free_ char *b64 = cell_sc_lang_base64(f.insns, bytes);
    cell_seccomp_filter_free(&f);
    if (!b64)
      return cell_error_set(err, ENOMEM, "out of memory");
    size_t n = strlen(b64);
    b64[n] = '\n';
    if (out)
      return cell_write_file_atomic(out, b64, n + 1, 0644, err);
    return cell_write_all(STDOUT_FILENO, b64, n + 1) < 0 ? cell_error_sys(err, "write stdout") : 0;
  }
  if (out)
    r = cell_write_file_atomic(out, f.insns, bytes, 0644, err);
  else if (isatty(STDOUT_FILENO))
    r = cell_error_set(err, EINVAL, "seccomp compile: not writing binary to a terminal; use -o FILE");
  else if (cell_write_all(STDOUT_FILENO, f.insns, bytes) < 0)
    r = cell_error_sys(err, "write stdout");
  cell_seccomp_filter_free(&f);
  return r < 0 ? r : 0;
}

