/* `cell seccomp fmt`: policies in the canonical layout, like gofmt. */
#include "cli/seccomp-input.h"
#include "seccomp/lang/lang.h"
#include "util/cleanup.h"
#include "util/fs.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage_fmt[] =
  "Usage: cell seccomp fmt [-w | --check] FILE...\n"
  "\n"
  "Print each policy FILE (`-`: stdin) in the canonical layout: one statement\n"
  "a line, single spaces around operators, long statements and lists broken\n"
  "at 100 columns, comments and every #ifdef branch kept. Only white space\n"
  "changes (a default without its `;` gets one); the filter it compiles to\n"
  "stays the same. Formatting twice changes nothing.\n"
  "\n"
  "  -w, --write   rewrite each FILE in place (atomically, keeping its mode)\n"
  "                when its layout changes; print nothing\n"
  "  -c, --check   write nothing; print the name of each FILE whose layout\n"
  "                would change, exit 1 when there is one\n"
  "  -h, --help    this text\n"
  "Exit status: 0; 1 when --check lists a file, or a FILE cannot be read or\n"
  "does not read as a policy (file:line:col, nothing written); 2 on usage errors.\n";

/* One file: 0 formatted (or written), 1 not formatted (--check), <0 error. */
static int fmt_one(const char *path, bool write, bool check, cell_error *err)
{
  _cleanup_free_ char *text = NULL, *out = NULL;
  size_t len;
  int r = cli_read_input(path, &text, &len, err);
  if (r < 0)
    return r;
  const char *name = strcmp(path, "-") ? path : "<stdin>";
  if ((r = cell_sc_lang_format(name, text, len, &out, err)) < 0)
    return r;
  size_t olen = strlen(out);
  bool same = olen == len && memcmp(out, text, len) == 0;
  if (check) {
    if (!same && printf("%s\n", path) < 0)
      return cell_error_sys(err, "write stdout");
    return same ? 0 : 1;
  }
  if (!write)
    return cell_write_all(STDOUT_FILENO, out, olen) < 0 ? cell_error_sys(err, "write stdout") : 0;
  if (same)
    return 0;
  /* the file itself, not a symbolic link to it, is replaced */
  char real[PATH_MAX];
  struct stat st;
  if (!realpath(path, real))
    return cell_error_sys(err, "resolve `%s`", path);
  if (stat(real, &st) < 0)
    return cell_error_sys(err, "stat `%s`", real);
  if ((r = cell_write_file_atomic(real, out, olen, st.st_mode & 07777, err)) < 0)
    return r;
  if (chmod(real, st.st_mode & 07777) < 0)
    return cell_error_sys(err, "chmod `%s`", real);
  return 0;
}

int cli_seccomp_fmt(cell_cli *cli, int argc, char **argv, cell_error *err)
{
  static const struct option opts[] = {
    { "write", no_argument, NULL, 'w' }, { "check", no_argument, NULL, 'c' },
    { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
  };
  bool write = false, check = false;
  int c;
  optind = 0;
  while ((c = getopt_long(argc, argv, "wch", opts, NULL)) != -1) {
    switch (c) {
    case 'w': write = true; break;
    case 'c': check = true; break;
    case 'h': return cli_help(usage_fmt);
    default: return cli_usage_error("seccomp fmt", usage_fmt, "unknown option");
    }
  }
  if (write && check)
    return cli_usage_error("seccomp fmt", usage_fmt, "-w and --check exclude each other");
  if (optind >= argc)
    return cli_usage_error("seccomp fmt", usage_fmt, "expected a FILE");
  int status = 0;
  for (int i = optind; i < argc; i++) {
    if (write && !strcmp(argv[i], "-"))
      return cli_usage_error("seccomp fmt", usage_fmt, "-w needs files, not stdin");
  }
  for (int i = optind; i < argc; i++) {
    int r = fmt_one(argv[i], write, check, err);
    if (r < 0) {
      /* report and go on with the other files */
      cell_log_error(&cli->log, "%s", err->msg ? err->msg : strerror(-r));
      cell_error_clear(err);
      status = 1;
    } else if (r > 0) {
      status = 1;
    }
  }
  return status;
}
