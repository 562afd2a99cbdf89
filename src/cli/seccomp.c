/* `cell seccomp compile|disasm|simulate`: the compiler's tools. Output
 * formats are stable (see docs/man/cell-seccomp.1). */
#include "cli/cli.h"
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

static const char usage_main[] =
  "Usage: cell seccomp COMMAND ...\n"
  "\n"
  "Commands:\n"
  "  compile PROFILE [-o FILE] [--arch ARCH]   compile to raw BPF\n"
  "  convert --to sec|json PROFILE [-o FILE]   JSON profile <-> policy (.sec)\n"
  "  disasm FILE                               list a raw BPF program\n"
  "  simulate PROFILE|FILE --arch ARCH --syscall NAME|NR [--args A0,A1,...]\n"
  "                                            print the action for one syscall\n"
  "Run 'cell seccomp COMMAND --help' for details.\n";

static const char usage_compile[] =
  "Usage: cell seccomp compile PROFILE [-o FILE] [--arch ARCH]\n"
  "\n"
  "Compile PROFILE, an OCI linux.seccomp object, a whole config.json, or a\n"
  "policy in cell's language (*.sec, see cell-seccomp-language(7)), into\n"
  "the filter the runtime would load: a raw array of struct sock_filter\n"
  "(8 bytes each: u16 code, u8 jt, u8 jf, u32 k) in host byte order.\n"
  "For a config.json the annotation run.oci.seccomp_fail_unknown_syscall is\n"
  "honoured. Warnings (unknown syscalls) go to stderr.\n"
  "\n"
  "  -o, --output FILE  write there (atomically) instead of to stdout\n"
  "  -a, --arch ARCH    native architecture (default: this machine's), e.g.\n"
  "                     x86_64, aarch64, SCMP_ARCH_X86_64\n"
  "  --annotation       print the value for run.oci.seccomp_bpf_data (base64)\n"
  "  -D NAME            define NAME for #ifdef in a policy (repeatable)\n"
  "  -I DIR             search DIR for a policy's include files (repeatable)\n"
  "  -h, --help         this text\n"
  "Exit status: 0, 1 when the profile is invalid, 2 on usage errors.\n";

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

static const char usage_convert[] =
  "Usage: cell seccomp convert --to sec|json PROFILE [-o FILE] [-D NAME] [-I DIR]\n"
  "\n"
  "  --to sec   PROFILE is an OCI linux.seccomp object or a config.json: print\n"
  "             it as a policy with the same effect\n"
  "  --to json  PROFILE is a policy (.sec): print its linux.seccomp object;\n"
  "             an error names what has no JSON form\n"
  "  -o, --output FILE  write there (atomically) instead of to stdout\n"
  "  -h, --help         this text\n";

/* -D and -I for policies */
typedef struct policy_args {
  const char *defines[64], *dirs[64];
  size_t ndefines, ndirs;
} policy_args;

static int policy_opt(policy_args *pa, int c, const char *arg)
{
  if (c == 'D' && pa->ndefines < 64)
    pa->defines[pa->ndefines++] = arg;
  else if (c == 'I' && pa->ndirs < 64)
    pa->dirs[pa->ndirs++] = arg;
  else
    return -1;
  return 0;
}

static int read_input(const char *path, char **data, size_t *len, cell_error *err)
{
  if (strcmp(path, "-") == 0) {
    if (cell_read_fd(STDIN_FILENO, data, len) < 0)
      return cell_error_sys(err, "read stdin");
    return 0;
  }
  return cell_read_file(path, data, len, err);
}

/* PROFILE text -> filter. A whole config.json has "ociVersion" or "linux". */
static int compile_text(const char *path, const char *text, size_t len, const char *arch,
                        const cell_log *log, const policy_args *pa, cell_seccomp_filter *f,
                        cell_error *err)
{
  if (cell_sc_lang_is_policy(path, text, len)) {
    cell_sc_lang_opts lo = {
      .defines = pa ? pa->defines : NULL, .ndefines = pa ? pa->ndefines : 0,
      .include_dirs = pa ? pa->dirs : NULL, .ninclude_dirs = pa ? pa->ndirs : 0,
      .native_arch = arch, .log = log,
    };
    return cell_sc_lang_compile_filter(strcmp(path, "-") ? path : "<stdin>", text, len, &lo, f, err);
  }
  json_error_t je;
  json_t *root = json_loadb(text, len, 0, &je);
  if (!root)
    return cell_error_set(err, EINVAL, "%s:%d:%d: %s", path, je.line, je.column, je.text);
  static const cell_json_pathel prefix[] = { { "linux", 0 }, { "seccomp", 0 } };
  cell_seccomp_opts opts = {
    .arch = arch, .log = log, .source = text, .source_len = len, .source_name = path,
  };
  json_t *sec = root;
  if (json_is_object(root) && (json_object_get(root, "ociVersion") || json_object_get(root, "linux"))) {
    sec = json_object_get(json_object_get(root, "linux"), "seccomp");
    if (!sec) {
      json_decref(root);
      return cell_error_set(err, EINVAL, "%s: no linux.seccomp in this config", path);
    }
    opts.prefix = prefix;
    opts.prefix_len = 2;
    json_t *ann = json_object_get(root, "annotations");
    if (json_object_get(ann, "run.oci.seccomp_fail_unknown_syscall"))
      opts.fail_unknown_syscall = true;
  }
  int r = cell_seccomp_compile_oci(sec, &opts, f, err);
  json_decref(root);
  return r;
}

static bool looks_like_json(const char *text, size_t len)
{
  for (size_t i = 0; i < len; i++) {
    if (strchr(" \t\r\n", text[i]))
      continue;
    return text[i] == '{';
  }
  return false;
}

static int do_compile(cell_cli *cli, int argc, char **argv, cell_error *err)
{
  static const struct option opts[] = {
    { "output", required_argument, NULL, 'o' }, { "arch", required_argument, NULL, 'a' },
    { "annotation", no_argument, NULL, 'N' }, { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *out = NULL, *arch = NULL;
  bool annotation = false;
  policy_args pa = { .ndefines = 0 };
  int c;
  optind = 0;
  while ((c = getopt_long(argc, argv, "o:a:D:I:h", opts, NULL)) != -1) {
    switch (c) {
    case 'o': out = optarg; break;
    case 'a': arch = optarg; break;
    case 'N': annotation = true; break;
    case 'D':
    case 'I':
      if (policy_opt(&pa, c, optarg) < 0)
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
  int r = read_input(path, &text, &len, err);
  if (r < 0)
    return r;
  cell_seccomp_filter f;
  if ((r = compile_text(path, text, len, arch, &cli->log, &pa, &f, err)) < 0)
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

static int do_disasm(int argc, char **argv, cell_error *err)
{
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
  int r = read_input(argv[optind], &data, &len, err);
  if (r < 0)
    return r;
  cell_seccomp_filter f;
  if (cell_sc_lang_is_policy(argv[optind], data, len)) {
    /* a policy: list what it compiles to */
    if ((r = compile_text(argv[optind], data, len, NULL, NULL, NULL, &f, err)) < 0)
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

static int parse_u64(const char *s, uint64_t *out)
{
  char *end;
  errno = 0;
  if (*s == '-') {
    long long v = strtoll(s, &end, 0);
    *out = (uint64_t) v;
  } else
    *out = strtoull(s, &end, 0);
  return (errno || end == s || *end) ? -1 : 0;
}

static int do_simulate(cell_cli *cli, int argc, char **argv, cell_error *err)
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
  if (parse_u64(sys, &nr64) < 0) {
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
      if (i >= 6 || parse_u64(tok, &args[i]) < 0)
        return cli_usage_error("seccomp simulate", usage_simulate,
                               "--args: expected up to six numbers, not `%s`", args_s);
    }
  }
  const char *path = argv[optind];
  _cleanup_free_ char *text = NULL;
  size_t len;
  int r = read_input(path, &text, &len, err);
  if (r < 0)
    return r;
  cell_seccomp_filter f;
  if (looks_like_json(text, len) || cell_sc_lang_is_policy(path, text, len))
    r = compile_text(path, text, len, a->short_name, &cli->log, NULL, &f, err);
  else if ((r = cell_seccomp_from_bpf(text, len, &f, err)) < 0)
    cell_error_wrap(err, "%s", path);
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

/* ---- convert (the policy language's tool) ---------------------------- */

static int do_convert(cell_cli *cli, int argc, char **argv, cell_error *err)
{
  static const struct option opts[] = {
    { "to", required_argument, NULL, 't' }, { "output", required_argument, NULL, 'o' },
    { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
  };
  const char *to = NULL, *out = NULL;
  policy_args pa = { .ndefines = 0 };
  int c;
  optind = 0;
  while ((c = getopt_long(argc, argv, "t:o:D:I:h", opts, NULL)) != -1) {
    switch (c) {
    case 't': to = optarg; break;
    case 'o': out = optarg; break;
    case 'D':
    case 'I':
      if (policy_opt(&pa, c, optarg) < 0)
        return cli_usage_error("seccomp convert", usage_convert, "too many -%c", c);
      break;
    case 'h': return cli_help(usage_convert);
    default: return cli_usage_error("seccomp convert", usage_convert, "unknown option");
    }
  }
  if (!to || (strcmp(to, "sec") && strcmp(to, "json")))
    return cli_usage_error("seccomp convert", usage_convert, "--to sec or --to json is required");
  if (optind != argc - 1)
    return cli_usage_error("seccomp convert", usage_convert, "expected one PROFILE");
  const char *path = argv[optind];
  _cleanup_free_ char *text = NULL, *result = NULL;
  size_t len;
  int r = read_input(path, &text, &len, err);
  if (r < 0)
    return r;
  if (!strcmp(to, "sec")) {
    json_error_t je;
    json_t *root = json_loadb(text, len, 0, &je);
    if (!root)
      return cell_error_set(err, EINVAL, "%s:%d:%d: %s", path, je.line, je.column, je.text);
    json_t *sec = root;
    if (json_is_object(root) && (json_object_get(root, "ociVersion") || json_object_get(root, "linux")))
      sec = json_object_get(json_object_get(root, "linux"), "seccomp");
    r = sec ? cell_sc_lang_from_json(sec, &result, err)
            : cell_error_set(err, EINVAL, "no linux.seccomp in this config");
    json_decref(root);
  } else {
    cell_sc_lang_opts lo = { .defines = pa.defines, .ndefines = pa.ndefines, .include_dirs = pa.dirs,
                             .ninclude_dirs = pa.ndirs, .log = &cli->log };
    cell_sc_ir ir;
    cell_sc_ir_init(&ir);
    json_t *j = NULL;
    r = cell_sc_lang_compile_string(strcmp(path, "-") ? path : "<stdin>", text, len, &lo, &ir, err);
    if (r >= 0 && (r = cell_sc_lang_ir_to_json(&ir, &j, err)) < 0)
      cell_error_wrap(err, "%s", path);
    cell_sc_ir_free(&ir);
    if (j) {
      char *s = json_dumps(j, JSON_INDENT(2));
      json_decref(j);
      if (!s || asprintf(&result, "%s\n", s) < 0)
        r = cell_error_set(err, ENOMEM, "out of memory");
      free(s);
    }
  }
  if (r < 0)
    return cell_error_wrap(err, "seccomp convert");
  if (out)
    return cell_write_file_atomic(out, result, strlen(result), 0644, err);
  return cell_write_all(STDOUT_FILENO, result, strlen(result)) < 0 ? cell_error_sys(err, "write stdout") : 0;
}

int cmd_seccomp(cell_cli *cli, int argc, char **argv, cell_error *err)
{
  if (argc < 2)
    return cli_usage_error("seccomp", usage_main, "expected a command");
  const char *sub = argv[1];
  if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help"))
    return cli_help(usage_main);
  if (!strcmp(sub, "compile"))
    return do_compile(cli, argc - 1, argv + 1, err);
  if (!strcmp(sub, "convert"))
    return do_convert(cli, argc - 1, argv + 1, err);
  if (!strcmp(sub, "disasm"))
    return do_disasm(argc - 1, argv + 1, err);
  if (!strcmp(sub, "simulate"))
    return do_simulate(cli, argc - 1, argv + 1, err);
  return cli_usage_error("seccomp", usage_main, "unknown command `%s`", sub);
}
