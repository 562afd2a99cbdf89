/* The filter of a recorded container (recording.h): the base's program
 * with its ALLOW, LOG and ERRNO answers sent to the recorder instead. */
#include "seccomp/ir.h"
#include "seccomp/recording.h"
#include "seccomp/seccomp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool to_recorder(uint32_t ret)
{
  uint32_t a = ret & CELL_SC_RET_ACTION_FULL;
  return a == CELL_SC_RET_ALLOW || a == CELL_SC_RET_LOG || a == CELL_SC_RET_ERRNO;
}

int cell_sc_record_filter(const cell_seccomp_filter *base, cell_seccomp_filter *out,
                          cell_error *err)
{
  memset(out, 0, sizeof *out);
  if (base && base->has_notify)
    return cell_error_set(err, EINVAL, "seccomp recording: the profile has NOTIFY rules; their "
                          "listener and the recorder's cannot both exist (record without them)");
  size_t n = base ? base->len : 1;
  struct sock_filter *f = calloc(n, sizeof *f);
  if (!f)
    return cell_error_set(err, ENOMEM, "seccomp recording: out of memory");
  if (!base)
    f[0] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, CELL_SC_RET_USER_NOTIF);
  for (size_t i = 0; base && i < n; i++) {
    f[i] = base->insns[i];
    if (BPF_CLASS(f[i].code) != BPF_RET)
      continue;
    if (BPF_RVAL(f[i].code) != BPF_K) {
      free(f);
      return cell_error_set(err, EINVAL, "seccomp recording: instruction %zu of the profile's "
                            "filter returns the accumulator; only programs whose answers are "
                            "constants can be recorded", i);
    }
    if (to_recorder(f[i].k))
      f[i].k = CELL_SC_RET_USER_NOTIF;
  }
  out->insns = f;
  out->len = n;
  out->flags = (base ? base->flags : CELL_SECCOMP_FLAG_SPEC_ALLOW) | CELL_SECCOMP_FLAG_NEW_LISTENER;
  out->optional_flags = base ? base->optional_flags : CELL_SECCOMP_FLAG_SPEC_ALLOW;
  out->has_notify = true;
  return 0;
}

uint32_t cell_sc_record_answer(const cell_seccomp_filter *base, const void *data)
{
  if (!base)
    return CELL_SC_RET_ALLOW;
  cell_seccomp_data d;
  memcpy(&d, data, sizeof d);
  return cell_seccomp_run(base->insns, base->len, &d, NULL);
}
