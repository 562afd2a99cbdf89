/* Device access rules: v1 devices.allow/deny, and on v2 an eBPF program of
 * type BPF_PROG_TYPE_CGROUP_DEVICE attached with BPF_F_ALLOW_MULTI.
 *
 * Semantics (as v1): start from "everything allowed"; each rule in order
 * overrides the devices it matches, so the last matching rule wins. The
 * program checks the rules from last to first and returns at the first
 * match; an unconditional rule ends the program early. An allow rule matches
 * when the requested access is a subset of its access, a deny rule when they
 * share any bit. */
#include "cgroups/internal.h"
#include "util/cleanup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* ---- rule lists ---------------------------------------------------------- */

static const struct { char type; int64_t major, minor; const char *access; } defaults[] = {
  { 'c', -1, -1, "m" },  { 'b', -1, -1, "m" },    /* mknod of anything */
  { 'c', 1, 3, "rwm" },  { 'c', 1, 5, "rwm" },    /* null, zero */
  { 'c', 1, 7, "rwm" },  { 'c', 1, 8, "rwm" },    /* full, random */
  { 'c', 1, 9, "rwm" },  { 'c', 5, 0, "rwm" },    /* urandom, tty */
  { 'c', 5, 1, "rwm" },  { 'c', 5, 2, "rwm" },    /* console, ptmx */
  { 'c', 136, -1, "rwm" },                         /* pts */
};

void cg_dev_rules_free(cg_dev_rules *r)
{
  for (size_t i = 0; i < r->n; i++)
    free(r->v[i].access);
  free(r->v);
  r->v = NULL;
  r->n = 0;
}

static int push(cg_dev_rules *out, bool allow, char type, int64_t major, int64_t minor,
                const char *access)
{
  oci_device_rule *a = realloc(out->v, (out->n + 1) * sizeof *a);
  if (!a)
    return -ENOMEM;
  out->v = a;
  oci_device_rule *d = &a[out->n];
  *d = (oci_device_rule) { .allow = allow, .type = type, .has_major = major >= 0,
                           .has_minor = minor >= 0, .major = major, .minor = minor,
                           .access = strdup(access ? access : "rwm") };
  if (!d->access)
    return -ENOMEM;
  out->n++;
  return 0;
}

static int push_rule(cg_dev_rules *out, const oci_device_rule *d)
{
  return push(out, d->allow, d->type ? d->type : 'a', d->has_major ? d->major : -1,
              d->has_minor ? d->minor : -1, d->access);
}

int cg_dev_rules_build(const oci_device_rule *rules, size_t n, const oci_device *devs,
                       size_t ndevs, bool defs, cg_dev_rules *out)
{
  memset(out, 0, sizeof *out);
  /* A non-NULL (maybe empty) list even when there are no rules. */
  out->v = calloc(1, sizeof *out->v);
  if (!out->v)
    return -ENOMEM;
  /* As runc and crun: the config's rules in their order, then allow rules
   * for linux.devices and the default devices. A config's "deny all" thus
   * never takes the default devices away (nor can a config deny one). */
  int r = 0;
  for (size_t i = 0; i < n && r == 0; i++)
    r = push_rule(out, &rules[i]);
  for (size_t i = 0; i < ndevs && r == 0; i++) {
    char t = devs[i].type == 'u' ? 'c' : devs[i].type;
    if (t == 'c' || t == 'b')
      r = push(out, true, t, devs[i].major, devs[i].minor, "rwm");
  }
  for (size_t i = 0; defs && i < sizeof defaults / sizeof *defaults && r == 0; i++)
    r = push(out, true, defaults[i].type, defaults[i].major, defaults[i].minor,
             defaults[i].access);
  if (r < 0)
    cg_dev_rules_free(out);
  return r;
}

/* ---- v1 ------------------------------------------------------------------ */

int cg_devices_v1(const char *dir, const cg_dev_rules *rules, cell_error *err)
{
  /* devices.allow and devices.deny opened once each, for all the rules. */
  static const char *const files[2] = { "devices.deny", "devices.allow" };
  int fd[2] = { -1, -1 }, r = 0;
  char *path[2] = { NULL, NULL };
  for (size_t i = 0; i < rules->n && r >= 0; i++) {
    const oci_device_rule *d = &rules->v[i];
    char line[80], maj[24] = "*", min[24] = "*";
    if (d->has_major)
      snprintf(maj, sizeof maj, "%lld", (long long) d->major);
    if (d->has_minor)
      snprintf(min, sizeof min, "%lld", (long long) d->minor);
    if (d->type == 'a')
      snprintf(line, sizeof line, "a");
    else
      snprintf(line, sizeof line, "%c %s:%s %s", d->type, maj, min,
               d->access && *d->access ? d->access : "rwm");
    int k = d->allow;
    if (fd[k] < 0 &&
        (fd[k] = r = cg_open_write(dir, files[k], line, "linux.resources.devices", &path[k],
                                   err)) < 0)
      break;
    r = cg_write_fd(fd[k], path[k], line, "linux.resources.devices", err);
  }
  for (int k = 0; k < 2; k++) {
    if (fd[k] >= 0)
      close(fd[k]);
    free(path[k]);
  }
  return r < 0 ? r : 0;
}

/* ---- the eBPF program ---------------------------------------------------- */

#define INSN(c, d, s, o, i) ((struct bpf_insn) { .code = (c), .dst_reg = (d), .src_reg = (s), \
                                                  .off = (o), .imm = (i) })
#define LDX_W(dst, src, off) INSN(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define ALU32_K(op, dst, imm) INSN(BPF_ALU | (op) | BPF_K, dst, 0, 0, imm)
#define MOV64_X(dst, src) INSN(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0)
#define MOV64_K(dst, imm) INSN(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define JMP_K(op, dst, imm, off) INSN(BPF_JMP32 | (op) | BPF_K, dst, 0, off, imm)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static uint32_t access_bits(const char *a)
{
  uint32_t m = 0;
  for (; a && *a; a++)
    m |= *a == 'r' ? BPF_DEVCG_ACC_READ : *a == 'w' ? BPF_DEVCG_ACC_WRITE
       : *a == 'm' ? BPF_DEVCG_ACC_MKNOD : 0;
  return m;
}

typedef struct insn_buf {
  struct bpf_insn *v;
  size_t n, cap;
} insn_buf;

static int emit(insn_buf *p, struct bpf_insn i)
{
  if (p->n == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 64;
    struct bpf_insn *v = realloc(p->v, cap * sizeof *v);
    if (!v)
      return -ENOMEM;
    p->v = v;
    p->cap = cap;
  }
  p->v[p->n++] = i;
  return 0;
}

int cg_devices_bpf_build(const cg_dev_rules *rules, struct bpf_insn **insns, size_t *n)
{
  insn_buf p = { 0 };
  int r = 0;
  /* r2 = type, r3 = access, r4 = major, r5 = minor */
  r |= emit(&p, LDX_W(BPF_REG_2, BPF_REG_1, 0));
  r |= emit(&p, ALU32_K(BPF_AND, BPF_REG_2, 0xffff));
  r |= emit(&p, LDX_W(BPF_REG_3, BPF_REG_1, 0));
  r |= emit(&p, ALU32_K(BPF_RSH, BPF_REG_3, 16));
  r |= emit(&p, LDX_W(BPF_REG_4, BPF_REG_1, 4));
  r |= emit(&p, LDX_W(BPF_REG_5, BPF_REG_1, 8));
  bool terminated = false;
  for (size_t k = rules->n; k-- > 0 && r == 0;) {
    const oci_device_rule *d = &rules->v[k];
    uint32_t acc = access_bits(d->access && *d->access ? d->access : "rwm");
    if (!acc)
      continue;                 /* matches nothing */
    const uint32_t all = BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;
    size_t start = p.n;
    size_t jumps[8], nj = 0;
    if (d->type == 'c' || d->type == 'b') {
      jumps[nj++] = p.n;
      r |= emit(&p, JMP_K(BPF_JNE, BPF_REG_2,
                          d->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK, 0));
    }
    if (acc != all) {
      r |= emit(&p, MOV64_X(BPF_REG_1, BPF_REG_3));
      if (d->allow) {           /* requested & ~acc must be 0 */
        r |= emit(&p, ALU32_K(BPF_AND, BPF_REG_1, (int32_t) (~acc & all)));
        jumps[nj++] = p.n;
        r |= emit(&p, JMP_K(BPF_JNE, BPF_REG_1, 0, 0));
      } else {                  /* requested & acc must not be 0 */
        r |= emit(&p, ALU32_K(BPF_AND, BPF_REG_1, (int32_t) acc));
        jumps[nj++] = p.n;
        r |= emit(&p, JMP_K(BPF_JEQ, BPF_REG_1, 0, 0));
      }
    }
    if (d->type != 'a' && d->has_major) {
      jumps[nj++] = p.n;
      r |= emit(&p, JMP_K(BPF_JNE, BPF_REG_4, (int32_t) d->major, 0));
    }
    if (d->type != 'a' && d->has_minor) {
      jumps[nj++] = p.n;
      r |= emit(&p, JMP_K(BPF_JNE, BPF_REG_5, (int32_t) d->minor, 0));
    }
    r |= emit(&p, MOV64_K(BPF_REG_0, d->allow ? 1 : 0));
    r |= emit(&p, EXIT());
    if (r)
      break;
    for (size_t j = 0; j < nj; j++)
      p.v[jumps[j]].off = (int16_t) (p.n - (jumps[j] + 1));
    if (nj == 0) {              /* unconditional: earlier rules are unreachable */
      terminated = true;
      break;
    }
    (void) start;
  }
  if (!terminated) {
    r |= emit(&p, MOV64_K(BPF_REG_0, 1));
    r |= emit(&p, EXIT());
  }
  if (r || p.n > 4096) {
    free(p.v);
    return r ? -ENOMEM : -E2BIG;
  }
  *insns = p.v;
  *n = p.n;
  return 0;
}

int cg_devices_bpf_eval(const struct bpf_insn *insns, size_t n, char type, uint32_t major,
                        uint32_t minor, uint32_t access)
{
  uint32_t ctx[3] = { ((access & 0xffff) << 16) |
                      (type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR),
                      major, minor };
  uint64_t reg[11] = { 0 };
  size_t steps = 0;
  for (size_t pc = 0; pc < n && steps < 100000; pc++, steps++) {
    const struct bpf_insn *i = &insns[pc];
    uint64_t *dst = &reg[i->dst_reg];
    switch (i->code) {
    case BPF_LDX | BPF_MEM | BPF_W:
      if (i->src_reg != BPF_REG_1 || i->off < 0 || i->off > 8 || i->off % 4)
        return -EINVAL;
      *dst = ctx[i->off / 4];
      break;
    case BPF_ALU | BPF_AND | BPF_K: *dst = (uint32_t) (*dst & (uint32_t) i->imm); break;
    case BPF_ALU | BPF_RSH | BPF_K: *dst = (uint32_t) ((uint32_t) *dst >> i->imm); break;
    case BPF_ALU64 | BPF_MOV | BPF_X: *dst = reg[i->src_reg]; break;
    case BPF_ALU64 | BPF_MOV | BPF_K: *dst = (uint64_t) (int64_t) i->imm; break;
    case BPF_JMP32 | BPF_JNE | BPF_K:
      if ((uint32_t) *dst != (uint32_t) i->imm)
        pc += (size_t) i->off;
      break;
    case BPF_JMP32 | BPF_JEQ | BPF_K:
      if ((uint32_t) *dst == (uint32_t) i->imm)
        pc += (size_t) i->off;
      break;
    case BPF_JMP | BPF_EXIT: return reg[0] ? 1 : 0;
    default: return -EINVAL;
    }
  }
  return -EINVAL;
}

/* ---- loading and attaching ----------------------------------------------- */

static int sys_bpf(int cmd, union bpf_attr *a)
{
  return (int) syscall(SYS_bpf, cmd, a, sizeof *a);
}

int cg_devices_bpf_attach(int dirfd, const struct bpf_insn *insns, size_t n, cell_error *err)
{
  union bpf_attr a;
  memset(&a, 0, sizeof a);
  a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  a.insns = (uint64_t) (uintptr_t) insns;
  a.insn_cnt = (uint32_t) n;
  a.license = (uint64_t) (uintptr_t) "GPL";
  _cleanup_close_ int prog = sys_bpf(BPF_PROG_LOAD, &a);
  if (prog < 0) {
    int saved = errno;
    _cleanup_free_ char *log = calloc(1, 65536);
    if (log) {
      a.log_buf = (uint64_t) (uintptr_t) log;
      a.log_size = 65536;
      a.log_level = 1;
      int fd = sys_bpf(BPF_PROG_LOAD, &a);
      if (fd >= 0)
        close(fd);
      log[65535] = 0;
      size_t l = strlen(log);
      while (l && log[l - 1] == '\n')
        log[--l] = 0;
    }
    return cell_error_sys_code(err, saved, "bpf(BPF_PROG_LOAD) of the device program "
                               "(%zu instructions)%s%.300s", n, log && *log ? ": " : "",
                               log ? log : "");
  }
  /* The programs attached before (update): detached after the new one is in. */
  uint32_t ids[64];
  memset(&a, 0, sizeof a);
  a.query.target_fd = (uint32_t) dirfd;
  a.query.attach_type = BPF_CGROUP_DEVICE;
  a.query.prog_ids = (uint64_t) (uintptr_t) ids;
  a.query.prog_cnt = 64;
  uint32_t nold = sys_bpf(BPF_PROG_QUERY, &a) == 0 ? a.query.prog_cnt : 0;
  memset(&a, 0, sizeof a);
  a.target_fd = (uint32_t) dirfd;
  a.attach_bpf_fd = (uint32_t) prog;
  a.attach_type = BPF_CGROUP_DEVICE;
  a.attach_flags = BPF_F_ALLOW_MULTI;
  if (sys_bpf(BPF_PROG_ATTACH, &a) < 0)
    return cell_error_sys(err, "bpf(BPF_PROG_ATTACH, BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI)");
  for (uint32_t i = 0; i < nold && i < 64; i++) {
    memset(&a, 0, sizeof a);
    a.prog_id = ids[i];
    _cleanup_close_ int old = sys_bpf(BPF_PROG_GET_FD_BY_ID, &a);
    if (old < 0)
      continue;
    memset(&a, 0, sizeof a);
    a.target_fd = (uint32_t) dirfd;
    a.attach_bpf_fd = (uint32_t) old;
    a.attach_type = BPF_CGROUP_DEVICE;
    if (sys_bpf(BPF_PROG_DETACH, &a) < 0)
      return cell_error_sys(err, "bpf(BPF_PROG_DETACH) of the previous device program");
  }
  return 0;
}
