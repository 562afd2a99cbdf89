/* `cell seccomp record`: recordings into a minimal profile. */
#include "cli/seccomp-input.h"
#include "seccomp/analyze.h"
#include "seccomp/recording.h"
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

static const char usage_record[] =
  "Usage: cell seccomp record [OPTIONS] RECORDING...\n"
  "\n"
  "Turn recordings of what containers did (`cell run --record-seccomp PATH`, or\n"
  "the annotation run.cell.seccomp.record=PATH) into a minimal profile; several\n"
  "recordings are merged. The profile denies by default (EPERM), answers ENOSYS\n"
  "for syscalls newer than a kernel release (so that a libc falls back), allows\n"
  "each recorded syscall with a comment giving its count, with argument rules\n"
  "where the recordings saw at most N distinct values (clone flags, socket\n"
  "domain/type/protocol, ioctl request, ...), and keeps the base profile's\n"
  "answer for the calls it denied while recording.\n"
  "\n"
  "  -o, --output FILE    write there (atomically) instead of to stdout\n"
  "  -f, --format FMT     json (OCI linux.seccomp, the default) or sec (cell's\n"
  "                       policy language); -o FILE.sec picks sec\n"
  "      --base PROFILE   start from PROFILE (JSON, config.json, .sec or BPF):\n"
  "                       its architectures are kept, and a recorded call it\n"
  "                       denies (on the recorded argument values, others 0)\n"
  "                       stays denied with its answer\n"
  "      --max-values N   argument rules up to N distinct values (default 8;\n"
  "                       0: no argument rules)\n"
  "      --newer X.Y      ENOSYS for syscalls Linux added after X.Y (default 5.0);\n"
  "                       `none`: no such rule\n"
  "      --errno E        the default answer ERRNO(E), a name or number (EPERM)\n"
  "  -h, --help           this text\n"
  "Exit status: 0, 1 when a recording cannot be read, 2 on usage errors.\n";

static int parse_errno(const char *s, unsigned *out)
{
  char *end;
  unsigned long v = strtoul(s, &end, 10);
  if (*s && !*end && v > 0 && v < 4096) {
    *out = (unsigned) v;
    return 0;
  }
  for (int e = 1; e < 4096; e++)
    if (strerrorname_np(e) && strcmp(strerrorname_np(e), s) == 0) {
      *out = (unsigned) e;
      return 0;
    }
  return -1;
}

static int parse_release(const char *s, uint32_t *out)
{
  if (strcmp(s, "none") == 0) {
    *out = 0;
    return 0;
  }
  unsigned a, b;
  char tail;
  if (sscanf(s, "%u.%u%c", &a, &b, &tail) != 2 || a > 255 || b > 255)
    return -1;
  *out = a << 16 | b << 8;
  return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

enum { OPT_BASE = 256, OPT_MAX_VALUES, OPT_NEWER, OPT_ERRNO };

int cli_seccomp_record(cell_cli *cli, int argc, char **argv, cell_error *err)
{
  static const struct option opts[] = {
    { "output", required_argument, NULL, 'o' }, { "format", required_argument, NULL, 'f' },
    { "base", required_argument, NULL, OPT_BASE },
    { "max-values", required_argument, NULL, OPT_MAX_VALUES },
    { "newer", required_argument, NULL, OPT_NEWER }, { "errno", required_argument, NULL, OPT_ERRNO },
    { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
  };
  const char *out = NULL, *format = NULL, *base = NULL;
  cell_sc_rec_profile_opts po = { .max_values = 8, .newer = 5 << 16, .deny_errno = EPERM };
  int c;
  optind = 0;
  while ((c = getopt_long(argc, argv, "o:f:h", opts, NULL)) != -1) {
    char *end;
    switch (c) {
    case 'o': out = optarg; break;
    case 'f': format = optarg; break;
    case OPT_BASE: base = optarg; break;
    case OPT_MAX_VALUES:
      po.max_values = (unsigned) strtoul(optarg, &end, 10);
      if (!*optarg || *end || po.max_values > CELL_SC_REC_MAX_TUPLES)
        return cli_usage_error("seccomp record", usage_record,
                               "--max-values: `%s` is not a number from 0 to %d", optarg,
                               CELL_SC_REC_MAX_TUPLES);
      break;
    case OPT_NEWER:
      if (parse_release(optarg, &po.newer) < 0)
        return cli_usage_error("seccomp record", usage_record,
                               "--newer: `%s` is not a release such as 5.0 (or none)", optarg);
      break;
    case OPT_ERRNO:
      if (parse_errno(optarg, &po.deny_errno) < 0)
        return cli_usage_error("seccomp record", usage_record,
                               "--errno: `%s` is not an errno (1..4095 or a name such as EPERM)",
                               optarg);
      break;
    case 'h': return cli_help(usage_record);
    default: return cli_usage_error("seccomp record", usage_record, "unknown option");
    }
  }
  if (optind >= argc)
    return cli_usage_error("seccomp record", usage_record, "expected at least one RECORDING");
  if (format && strcmp(format, "json") && strcmp(format, "sec"))
    return cli_usage_error("seccomp record", usage_record, "--format: `%s` is neither json nor sec",
                           format);
  po.policy = format ? strcmp(format, "sec") == 0 : out && ends_with(out, ".sec");
  _cleanup_free_ cell_sc_recording *rec = malloc(sizeof *rec);
  if (!rec)
    return cell_error_set(err, ENOMEM, "out of memory");
  cell_sc_rec_init(rec);
  po.sources = (const char *const *) argv + optind;
  po.nsources = (size_t) (argc - optind);
  for (int i = optind; i < argc; i++) {
    int r = cell_sc_rec_read(argv[i], rec, err);
    if (r < 0)
      return r;
  }
  cell_seccomp_filter bf = { 0 };
  bool arches[64] = { false };
  if (base) {
    int r = cli_load_filter(base, NULL, &cli->log, NULL, &bf, err);
    if (r < 0)
      return cell_error_wrap(err, "--base");
    size_t n = cell_sc_filter_arches(bf.insns, bf.len, arches, 64);
    (void) n;
    po.base = &bf;
    po.base_name = base;
    po.arches = arches;
  }
  _cleanup_free_ char *text = NULL;
  int r = cell_sc_rec_profile(rec, &po, &text, err);
  cell_seccomp_filter_free(&bf);
  if (r < 0)
    return r;
  if (rec->lost)
    cell_log_warn(&cli->log, "the recordings lost %llu calls: the profile may miss syscalls",
                  (unsigned long long) rec->lost);
  if (out)
    return cell_write_file_atomic(out, text, strlen(text), 0644, err);
  return cell_write_all(STDOUT_FILENO, text, strlen(text)) < 0 ? cell_error_sys(err, "write stdout")
                                                               : 0;
}
