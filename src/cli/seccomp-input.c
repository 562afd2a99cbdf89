/* What the `cell seccomp` tools share: reading a PROFILE (JSON, config.json,
 * a policy, or raw BPF) and compiling it as the runtime would. */
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

int cli_policy_opt(policy_args *pa, int c, const char *arg)
{
  if ((c == 'D' || c == 'd') && pa->ndefines < 64)
    pa->defines[pa->ndefines++] = arg;
  else if (c == 'I' && pa->ndirs < 64)
    pa->dirs[pa->ndirs++] = arg;
  else
    return -1;
  return 0;
}

int cli_read_input(const char *path, char **data, size_t *len, cell_error *err)
{
  if (strcmp(path, "-") == 0) {
    if (cell_read_fd(STDIN_FILENO, data, len) < 0)
      return cell_error_sys(err, "read stdin");
    return 0;
  }
  return cell_read_file(path, data, len, err);
}

int cli_compile_text(const char *path, const char *text, size_t len, const char *arch,
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
  cell_seccomp_opts opts = { .arch = arch, .log = log };
  _cleanup_jdoc_ cell_jdoc *doc = NULL;
  const cell_jv *sec;
  int r = cli_profile_json(path, text, len, &opts, &doc, &sec, err);
  return r < 0 ? r : cell_seccomp_compile_oci(sec, &opts, f, err);
}

int cli_profile_json(const char *path, const char *text, size_t len, cell_seccomp_opts *opts,
                     cell_jdoc **doc, const cell_jv **sec, cell_error *err)
{
  static const cell_json_pathel prefix[] = { { "linux", 0 }, { "seccomp", 0 } };
  int r = cell_json_parse(path, text, len, doc, err);
  if (r < 0)
    return r;
  const cell_jv *root = cell_jdoc_root(*doc);
  opts->source_name = path;
  *sec = root;
  if (cell_jv_get(root, "ociVersion") || cell_jv_get(root, "linux")) {
    *sec = cell_jv_get(cell_jv_get(root, "linux"), "seccomp");
    if (!*sec) {
      cell_jdoc_freep(doc);
      return cell_error_set(err, EINVAL, "%s: no linux.seccomp in this config", path);
    }
    opts->prefix = prefix;
    opts->prefix_len = 2;
    /* the runtime fails on unknown names then: so do the tools */
    if (cell_jv_get(cell_jv_get(root, "annotations"), "run.oci.seccomp_fail_unknown_syscall"))
      opts->fail_unknown_syscall = true;
  }
  return 0;
}

int cli_load_filter(const char *path, const char *arch, const cell_log *log, const policy_args *pa,
                    cell_seccomp_filter *f, cell_error *err)
{
  _cleanup_free_ char *text = NULL;
  size_t len;
  int r = cli_read_input(path, &text, &len, err);
  if (r < 0)
    return r;
  if (cli_looks_like_json(text, len) || cell_sc_lang_is_policy(path, text, len))
    return cli_compile_text(path, text, len, arch, log, pa, f, err);
  if ((r = cell_seccomp_from_bpf(text, len, f, err)) < 0)
    return cell_error_wrap(err, "%s", path);
  return 0;
}

bool cli_looks_like_json(const char *text, size_t len)
{
  for (size_t i = 0; i < len; i++) {
    if (strchr(" \t\r\n", text[i]))
      continue;
    return text[i] == '{';
  }
  return false;
}

int cli_parse_u64(const char *s, uint64_t *out)
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

