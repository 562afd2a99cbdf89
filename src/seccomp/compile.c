/* Entry points: OCI JSON or precompiled BPF -> cell_seccomp_filter. */
#include "seccomp/oci.h"
#include "seccomp/seccomp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void cell_seccomp_filter_free(cell_seccomp_filter *f)
{
  if (!f)
    return;
  free(f->insns);
  memset(f, 0, sizeof *f);
}

int cell_seccomp_compile_oci(const cell_jv *seccomp, const cell_seccomp_opts *opts,
                             cell_seccomp_filter *out, cell_error *err)
{
  cell_sc_ir ir;
  cell_sc_oci_result res;
  memset(out, 0, sizeof *out);
  cell_sc_ir_init(&ir);
  int r = cell_sc_oci_to_ir(seccomp, opts, &ir, &res, err);
  if (r == 0)
    r = cell_sc_codegen(&ir, &out->insns, &out->len, err);
  cell_sc_ir_free(&ir);
  if (r < 0)
    return r;
  /* the back end's output must pass the kernel's rules; a failure here is
   * a bug in cell, reported rather than loaded */
  r = cell_seccomp_check(out->insns, out->len, err);
  if (r < 0) {
    cell_seccomp_filter_free(out);
    return cell_error_wrap(err, "seccomp: internal error, generated program rejected");
  }
  out->flags = res.flags;
  out->optional_flags = res.optional_flags;
  out->has_notify = res.has_notify;
  return 0;
}

int cell_seccomp_from_bpf(const void *data, size_t len, cell_seccomp_filter *out, cell_error *err)
{
  memset(out, 0, sizeof *out);
  if (len % sizeof(struct sock_filter))
    return cell_error_set(err, EINVAL,
                          "seccomp: precompiled filter: %zu bytes is not a whole number of %zu-byte instructions",
                          len, sizeof(struct sock_filter));
  size_t n = len / sizeof(struct sock_filter);
  struct sock_filter *f = calloc(n ? n : 1, sizeof *f);
  if (!f)
    return cell_error_set(err, ENOMEM, "seccomp: out of memory");
  if (len)
    memcpy(f, data, len);
  int r = cell_seccomp_check(f, n, err);
  if (r < 0) {
    free(f);
    return cell_error_wrap(err, "seccomp: precompiled filter");
  }
  out->insns = f;
  out->len = n;
  out->flags = out->optional_flags = CELL_SECCOMP_FLAG_SPEC_ALLOW;
  for (size_t i = 0; i < n; i++)
    if (BPF_CLASS(f[i].code) == BPF_RET && BPF_RVAL(f[i].code) == BPF_K &&
        (f[i].k & 0xffff0000u) == 0x7fc00000u)
      out->has_notify = true;
  if (out->has_notify)
    out->flags |= CELL_SECCOMP_FLAG_NEW_LISTENER;
  return 0;
}

static int b64val(unsigned char c)
{
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

int cell_seccomp_from_base64(const char *text, cell_seccomp_filter *out, cell_error *err)
{
  size_t len = strlen(text);
  unsigned char *buf = malloc(len / 4 * 3 + 3);
  if (!buf)
    return cell_error_set(err, ENOMEM, "seccomp: out of memory");
  size_t n = 0, pad = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char ch = (unsigned char) text[i];
    if (ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t')
      continue;
    if (ch == '=') {
      pad++;
      continue;
    }
    int v = b64val(ch);
    if (v < 0 || pad) {
      free(buf);
      return cell_error_set(err, EINVAL,
                            "seccomp: precompiled filter: invalid base64 at offset %zu", i);
    }
    acc = acc << 6 | (uint32_t) v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      buf[n++] = (unsigned char) (acc >> bits);
    }
  }
  if (bits >= 6 || pad > 2) {
    free(buf);
    return cell_error_set(err, EINVAL, "seccomp: precompiled filter: truncated base64");
  }
  int r = cell_seccomp_from_bpf(buf, n, out, err);
  free(buf);
  return r;
}
