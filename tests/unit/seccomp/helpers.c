#include "helpers.h"

#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

bool t_interp_stale_arch;

static bool is_audit(uint32_t k)
{
  for (size_t i = 0; i < cell_sc_narches; i++)
    if (cell_sc_arches[i].audit == k)
      return true;
  return false;
}

uint32_t t_interp(const struct sock_filter *f, size_t n, const void *data, uint32_t *loads,
                  unsigned *steps, bool *ok)
{
  uint32_t a = 0, x = 0, mem[16] = { 0 };
  size_t pc = 0;
  unsigned count = 0;
  int64_t src = -1;  /* offset A was loaded from */
  *ok = true;
  t_interp_stale_arch = false;
  if (loads)
    *loads = 0;
  while (pc < n) {
    struct sock_filter in = f[pc++];
    count++;
    uint32_t k = in.k;
    if (BPF_SRC(in.code) == BPF_X && (BPF_CLASS(in.code) == BPF_ALU || BPF_CLASS(in.code) == BPF_JMP))
      k = x;
    switch (BPF_CLASS(in.code)) {
    case BPF_LD:
      if (BPF_MODE(in.code) == BPF_ABS && BPF_SIZE(in.code) == BPF_W && in.k < 64 && in.k % 4 == 0) {
        memcpy(&a, (const char *) data + in.k, 4);
        src = in.k;
        if (loads)
          *loads |= 1u << (in.k / 4);
      } else if (BPF_MODE(in.code) == BPF_IMM)
        a = in.k;
      else if (BPF_MODE(in.code) == BPF_MEM && in.k < 16)
        a = mem[in.k];
      else if (BPF_MODE(in.code) == BPF_LEN)
        a = 64;
      else
        goto bad;
      break;
    case BPF_LDX:
      if (BPF_MODE(in.code) == BPF_IMM)
        x = in.k;
      else if (BPF_MODE(in.code) == BPF_MEM && in.k < 16)
        x = mem[in.k];
      else if (BPF_MODE(in.code) == BPF_LEN)
        x = 64;
      else
        goto bad;
      break;
    case BPF_ST:
      if (in.k >= 16) goto bad;
      mem[in.k] = a;
      break;
    case BPF_STX:
      if (in.k >= 16) goto bad;
      mem[in.k] = x;
      break;
    case BPF_ALU:
      src = -1;
      switch (BPF_OP(in.code)) {
      case BPF_ADD: a += k; break;
      case BPF_SUB: a -= k; break;
      case BPF_MUL: a *= k; break;
      case BPF_DIV: if (!k) { *steps = count; return 0; } a /= k; break;
      case BPF_AND: a &= k; break;
      case BPF_OR: a |= k; break;
      case BPF_XOR: a ^= k; break;
      case BPF_LSH: a = k < 32 ? a << k : 0; break;
      case BPF_RSH: a = k < 32 ? a >> k : 0; break;
      case BPF_NEG: a = -a; break;
      default: goto bad;
      }
      break;
    case BPF_JMP: {
      size_t target;
      if (src == 4 && BPF_OP(in.code) != BPF_JA && !is_audit(k))
        t_interp_stale_arch = true;
      if (BPF_OP(in.code) == BPF_JA)
        target = pc + in.k;
      else {
        bool t;
        switch (BPF_OP(in.code)) {
        case BPF_JEQ: t = a == k; break;
        case BPF_JGT: t = a > k; break;
        case BPF_JGE: t = a >= k; break;
        case BPF_JSET: t = (a & k) != 0; break;
        default: goto bad;
        }
        target = pc + (t ? in.jt : in.jf);
      }
      if (target >= n)
        goto bad;
      pc = target;
      break;
    }
    case BPF_RET:
      if (steps)
        *steps = count;
      return BPF_RVAL(in.code) == BPF_A ? a : in.k;
    case BPF_MISC:
      if (BPF_MISCOP(in.code) == BPF_TAX) x = a; else a = x;
      break;
    }
  }
bad:
  *ok = false;
  if (steps)
    *steps = count;
  return 0xdeadbeef;
}

void t_data(void *out64, size_t arch, uint32_t nr, const uint64_t args[6])
{
  const cell_sc_arch *a = &cell_sc_arches[arch];
  uint32_t w[16] = { 0 };
  w[0] = nr;
  w[1] = a->audit;
  for (int i = 0; i < 6; i++) {
    uint32_t lo = (uint32_t) args[i], hi = (uint32_t) (args[i] >> 32);
    w[4 + 2 * i] = a->big_endian ? hi : lo;
    w[5 + 2 * i] = a->big_endian ? lo : hi;
  }
  memcpy(out64, w, 64);
}

uint64_t t_rand(uint64_t *s)
{
  uint64_t x = *s;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return *s = x;
}

static uint32_t action_of(json_t *obj, const char *key, const char *ekey)
{
  const char *s = json_string_value(json_object_get(obj, key));
  json_t *e = json_object_get(obj, ekey);
  uint32_t data = e ? (uint32_t) json_integer_value(e) : EPERM;
  if (!strcmp(s, "SCMP_ACT_KILL") || !strcmp(s, "SCMP_ACT_KILL_THREAD")) return SCMP_ACT_KILL;
  if (!strcmp(s, "SCMP_ACT_KILL_PROCESS")) return SCMP_ACT_KILL_PROCESS;
  if (!strcmp(s, "SCMP_ACT_TRAP")) return SCMP_ACT_TRAP;
  if (!strcmp(s, "SCMP_ACT_ERRNO")) return SCMP_ACT_ERRNO(data);
  if (!strcmp(s, "SCMP_ACT_TRACE")) return SCMP_ACT_TRACE(data);
  if (!strcmp(s, "SCMP_ACT_LOG")) return SCMP_ACT_LOG;
  if (!strcmp(s, "SCMP_ACT_NOTIFY")) return SCMP_ACT_NOTIFY;
  return SCMP_ACT_ALLOW;
}

static enum scmp_compare op_of(const char *s)
{
  static const char *n[] = { "", "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
                             "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ" };
  for (int i = 1; i < 8; i++)
    if (!strcmp(s, n[i]))
      return (enum scmp_compare) i;
  return SCMP_CMP_EQ;
}

static int lib_build(json_t *p, const char *native, int optimize, struct sock_filter **out, size_t *len,
                     char **pfc);
static char *last_pfc;

const char *t_libseccomp_pfc(void)
{
  return last_pfc;
}

/* libseccomp 2.5.4 loops forever on some sets of overlapping rules, so it
 * runs in a worker process (forked once, and again after a hang): the
 * request is the profile as JSON text, the answer a status and the
 * program.  Some profiles that finish take libseccomp half a second, so
 * the limit is on the worker's CPU time, which a loaded machine does not
 * eat into: past LIB_CPU_NS of it (or LIB_WALL_MS of waiting, for a worker
 * that gets no CPU at all) the worker is killed and the profile counts as
 * one libseccomp does not finish. */
#define LIB_CPU_NS 2000000000ll
#define LIB_WALL_MS 120000
typedef struct worker { pid_t pid; int to, from; } worker;
static worker w = { -1, -1, -1 };
static int64_t lib_max_cpu_ns;

int64_t t_libseccomp_max_cpu_ns(void)
{
  return lib_max_cpu_ns;
}

static int64_t worker_cpu_ns(pid_t pid)
{
  clockid_t id;
  struct timespec ts;
  if (clock_getcpuclockid(pid, &id) != 0 || clock_gettime(id, &ts) != 0)
    return -1;
  return (int64_t) ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static bool full_io(int fd, void *buf, size_t len, bool wr)
{
  char *p = buf;
  while (len) {
    ssize_t n = wr ? write(fd, p, len) : read(fd, p, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    p += n;
    len -= (size_t) n;
  }
  return true;
}

static void worker_loop(int in, int out)
{
  for (;;) {
    uint32_t len;
    int32_t opt;
    if (!full_io(in, &len, 4, false) || !full_io(in, &opt, 4, false))
      _exit(0);
    char *text = malloc(len + 1);
    if (!text || !full_io(in, text, len, false))
      _exit(1);
    text[len] = 0;
    json_t *p = json_loads(text, 0, NULL);
    free(text);
    struct sock_filter *f = NULL;
    size_t n = 0;
    char *pfc = NULL;
    int32_t r = p ? lib_build(p, "x86_64", opt, &f, &n, &pfc) : -EINVAL;
    json_decref(p);
    uint32_t bytes = r == 0 ? (uint32_t) (n * sizeof *f) : 0;
    uint32_t plen = pfc ? (uint32_t) strlen(pfc) : 0;
    if (!full_io(out, &r, 4, true) || !full_io(out, &bytes, 4, true) ||
        (bytes && !full_io(out, f, bytes, true)) || !full_io(out, &plen, 4, true) ||
        (plen && !full_io(out, pfc, plen, true)))
      _exit(1);
    free(f);
    free(pfc);
  }
}

static void worker_stop(void)
{
  if (w.pid > 0) {
    kill(w.pid, SIGKILL);
    waitpid(w.pid, NULL, 0);
    close(w.to);
    close(w.from);
  }
  w = (worker) { -1, -1, -1 };
}

static int worker_start(void)
{
  int a[2], b[2];
  if (pipe2(a, O_CLOEXEC) < 0 || pipe2(b, O_CLOEXEC) < 0)
    return -errno;
  pid_t pid = fork();
  if (pid < 0)
    return -errno;
  if (pid == 0) {
    close(a[1]);
    close(b[0]);
    worker_loop(a[0], b[1]);
  }
  close(a[0]);
  close(b[1]);
  w = (worker) { pid, a[1], b[0] };
  static bool registered;
  if (!registered) {
    atexit(worker_stop);
    registered = true;
  }
  return 0;
}

int t_libseccomp(json_t *p, const char *native, int optimize, struct sock_filter **out, size_t *len)
{
  (void) native;
  if (w.pid < 0 && worker_start() < 0)
    return -ECHILD;
  char *text = json_dumps(p, JSON_COMPACT);
  uint32_t n = (uint32_t) strlen(text);
  int32_t opt = optimize;
  bool ok = full_io(w.to, &n, 4, true) && full_io(w.to, &opt, 4, true) && full_io(w.to, text, n, true);
  free(text);
  struct pollfd pfd = { w.from, POLLIN, 0 };
  int64_t cpu0 = worker_cpu_ns(w.pid), used = 0;
  int ready = 0;
  for (int waited = 0; ok && waited < LIB_WALL_MS; waited += 20) {
    ready = poll(&pfd, 1, 20);
    int64_t now = worker_cpu_ns(w.pid);
    used = cpu0 >= 0 && now >= 0 ? now - cpu0 : 0;
    if (ready != 0 || used > LIB_CPU_NS)
      break;
  }
  if (!ok || ready != 1) {
    worker_stop();
    return -ETIMEDOUT;
  }
  if (used > lib_max_cpu_ns)
    lib_max_cpu_ns = used;
  int32_t r;
  uint32_t bytes;
  if (!full_io(w.from, &r, 4, false) || !full_io(w.from, &bytes, 4, false)) {
    worker_stop();
    return -ECHILD;
  }
  *out = malloc(bytes + 1);
  *len = bytes / sizeof(struct sock_filter);
  uint32_t plen = 0;
  if (!full_io(w.from, *out, bytes, false) || !full_io(w.from, &plen, 4, false)) {
    worker_stop();
    return -ECHILD;
  }
  free(last_pfc);
  last_pfc = malloc(plen + 1);
  if (!full_io(w.from, last_pfc, plen, false)) {
    worker_stop();
    return -ECHILD;
  }
  last_pfc[plen] = 0;
  if (r < 0) {
    free(*out);
    *out = NULL;
    return r;
  }
  return 0;
}

static int lib_build(json_t *p, const char *native, int optimize, struct sock_filter **out, size_t *len,
                     char **pfc)
{
  uint32_t def = action_of(p, "defaultAction", "defaultErrnoRet");
  scmp_filter_ctx ctx = seccomp_init(def);
  if (!ctx)
    return -ENOMEM;
  int r = 0;
  (void) native;
  /* the test profiles may name their native arch (cell's opts.arch) */
  const char *nat = json_string_value(json_object_get(p, "x-native"));
  if (nat && strcmp(nat, "x86_64") != 0) {
    seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE);
    if ((r = seccomp_arch_add(ctx, seccomp_arch_resolve_name(nat))) < 0)
      goto done;
  }
  if (optimize)
    r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, (uint32_t) optimize);
  size_t i, j, k;
  json_t *v;
  json_array_foreach(json_object_get(p, "architectures"), i, v) {
    const cell_sc_arch *a = cell_sc_arch_by_name(json_string_value(v));
    uint32_t tok = a ? seccomp_arch_resolve_name(a->short_name) : 0;
    if (!tok) { r = -EINVAL; goto done; }
    int ar = seccomp_arch_add(ctx, tok);
    if (ar < 0 && ar != -EEXIST) { r = ar; goto done; }
  }
  json_array_foreach(json_object_get(p, "syscalls"), i, v) {
    uint32_t act = action_of(v, "action", "errnoRet");
    if (act == def)
      continue;
    struct scmp_arg_cmp c[64];
    size_t nc = 0;
    int count[6] = { 0 };
    bool split = false;
    json_t *a;
    json_array_foreach(json_object_get(v, "args"), j, a) {
      unsigned idx = (unsigned) json_integer_value(json_object_get(a, "index"));
      uint64_t val = (uint64_t) json_integer_value(json_object_get(a, "value"));
      json_t *two = json_object_get(a, "valueTwo");
      c[nc++] = (struct scmp_arg_cmp) { idx, op_of(json_string_value(json_object_get(a, "op"))), val,
                                        two ? (uint64_t) json_integer_value(two) : 0 };
      if (++count[idx] > 1)
        split = true;
    }
    json_t *name;
    json_array_foreach(json_object_get(v, "names"), k, name) {
      int nr = seccomp_syscall_resolve_name(json_string_value(name));
      if (nr == __NR_SCMP_ERROR)
        continue;
      if (split) {
        for (j = 0; j < nc && r == 0; j++)
          r = seccomp_rule_add_array(ctx, act, nr, 1, &c[j]);
      } else
        r = seccomp_rule_add_array(ctx, act, nr, (unsigned) nc, c);
      if (r < 0) {
        if (getenv("SECCOMP_TEST_VERBOSE"))
          fprintf(stderr, "  libseccomp: rule for %s (%d): %d\n", json_string_value(name), nr, r);
        goto done;
      }
    }
  }
  {
    int fd = memfd_create("bpf", 0);
    r = seccomp_export_bpf(ctx, fd);
    if (r < 0 && getenv("SECCOMP_TEST_VERBOSE")) {
      char *t = json_dumps(p, JSON_COMPACT);
      fprintf(stderr, "  libseccomp export: %d: %s\n", r, t);
      free(t);
    }
    if (r == 0) {
      off_t size = lseek(fd, 0, SEEK_END);
      *out = malloc((size_t) size + 1);
      *len = (size_t) size / sizeof(struct sock_filter);
      if (pread(fd, *out, (size_t) size, 0) != size)
        r = -EIO;
      /* libseccomp writes a big-endian filter's instructions big-endian */
      const cell_sc_arch *na = nat ? cell_sc_arch_by_name(nat) : NULL;
      for (size_t ix = 0; r == 0 && na && na->big_endian && ix < *len; ix++) {
        (*out)[ix].code = __builtin_bswap16((*out)[ix].code);
        (*out)[ix].k = __builtin_bswap32((*out)[ix].k);
      }
    }
    close(fd);
    fd = memfd_create("pfc", 0);
    if (r == 0 && seccomp_export_pfc(ctx, fd) == 0) {
      off_t size = lseek(fd, 0, SEEK_END);
      *pfc = malloc((size_t) size + 1);
      if (pread(fd, *pfc, (size_t) size, 0) != size)
        r = -EIO;
      (*pfc)[size] = 0;
    }
    close(fd);
  }
done:
  seccomp_release(ctx);
  return r;
}

/* ---- libseccomp's own statement of its tree: seccomp_export_pfc ---------- */

enum { P_IF, P_ELSE, P_ACT };
struct t_pline {
  uint8_t kind, indent, what, op;   /* what: 0 arch, 1 syscall, 2 argument */
  uint8_t arg, word;                /* word: 0 whole (32-bit arch), 1 lo32, 2 hi32 */
  uint32_t mask, value, action;
};

static uint32_t pfc_action(const char *t)
{
  unsigned v = 0;
  if (!strncmp(t, "KILL_PROCESS", 12)) return CELL_SC_RET_KILL_PROCESS;
  if (!strncmp(t, "KILL", 4)) return CELL_SC_RET_KILL_THREAD;
  if (!strncmp(t, "ALLOW", 5)) return CELL_SC_RET_ALLOW;
  if (!strncmp(t, "LOG", 3)) return CELL_SC_RET_LOG;
  if (!strncmp(t, "NOTIFY", 6)) return CELL_SC_RET_USER_NOTIF;
  if (!strncmp(t, "0x", 2)) return (uint32_t) strtoul(t, NULL, 16);   /* NOTIFY, unnamed in 2.5.4 */
  if (sscanf(t, "ERRNO(%u)", &v) == 1) return CELL_SC_RET_ERRNO | v;
  if (sscanf(t, "TRACE(%u)", &v) == 1) return CELL_SC_RET_TRACE | v;
  if (sscanf(t, "TRAP(%u)", &v) == 1 || !strncmp(t, "TRAP", 4)) return CELL_SC_RET_TRAP | v;
  return 0xdeadbeef;
}

void t_pfc_parse(const char *text, t_pfc *out)
{
  size_t cap = 64;
  out->n = 0;
  out->l = malloc(cap * sizeof *out->l);
  for (const char *p = text; p && *p;) {
    const char *e = strchr(p, '\n');
    size_t len = e ? (size_t) (e - p) : strlen(p);
    char line[256];
    snprintf(line, sizeof line, "%.*s", (int) (len < 255 ? len : 255), p);
    p = e ? e + 1 : NULL;
    size_t ind = strspn(line, " ");
    char *t = line + ind;
    t_pline pl = { .indent = (uint8_t) ind, .mask = UINT32_MAX };
    if (*t == '#' || !*t)
      continue;
    if (!strncmp(t, "else", 4))
      pl.kind = P_ELSE;
    else if (!strncmp(t, "action ", 7)) {
      pl.kind = P_ACT;
      pl.action = pfc_action(t + 7);
    } else if (!strncmp(t, "if ($", 5)) {
      pl.kind = P_IF;
      char *q = t + 5;
      if (!strncmp(q, "arch", 4))
        pl.what = 0, q += 4;
      else if (!strncmp(q, "syscall", 7))
        pl.what = 1, q += 7;
      else {
        pl.what = 2;
        pl.arg = (uint8_t) strtoul(q + 1, &q, 10);
        if (!strncmp(q, ".hi32", 5))
          pl.word = 2, q += 5;
        else if (!strncmp(q, ".lo32", 5))
          pl.word = 1, q += 5;
      }
      while (*q == ' ')
        q++;
      if (*q == '&') {
        pl.mask = (uint32_t) strtoull(q + 1, &q, 0);
        while (*q == ' ')
          q++;
      }
      if (!strncmp(q, "==", 2))
        pl.op = CELL_SC_EQ, q += 2;
      else if (!strncmp(q, ">=", 2))
        pl.op = CELL_SC_GE, q += 2;
      else if (*q == '>')
        pl.op = CELL_SC_GT, q++;
      else
        pl.op = 0;
      pl.value = (uint32_t) strtoull(q, NULL, 0);
    } else
      continue;
    if (out->n == cap)
      out->l = realloc(out->l, (cap *= 2) * sizeof *out->l);
    out->l[out->n++] = pl;
  }
}

static bool pfc_cond(const t_pline *c, const cell_sc_arch *a, uint32_t audit, uint32_t nr, const uint64_t args[6])
{
  uint32_t x;
  if (c->what == 0)
    x = audit;
  else if (c->what == 1)
    x = nr;
  else {
    uint64_t v = args[c->arg % 6];
    x = c->word == 2 ? (uint32_t) (v >> 32) : (uint32_t) v;
    (void) a;
  }
  x &= c->mask;
  return c->op == CELL_SC_EQ ? x == c->value : c->op == CELL_SC_GE ? x >= c->value : x > c->value;
}

/* the end of the statement at i (its body and else) */
static size_t pfc_skip(const t_pfc *p, size_t i)
{
  size_t d = p->l[i].indent, j = i + 1;
  while (j < p->n && p->l[j].indent > d)
    j++;
  return j;
}

/* run the block of statements at p->l[i..] of indent d: the action, or 0 */
static uint32_t pfc_run(const t_pfc *p, size_t i, size_t end, const cell_sc_arch *a, uint32_t audit, uint32_t nr,
                        const uint64_t args[6], bool *decided)
{
  size_t d = p->l[i].indent;
  while (i < end && p->l[i].indent == d) {
    const t_pline *l = &p->l[i];
    if (l->kind == P_ACT) {
      *decided = true;
      return l->action;
    }
    size_t j = pfc_skip(p, i);
    bool has_else = j < end && p->l[j].indent == d && p->l[j].kind == P_ELSE;
    size_t k = has_else ? pfc_skip(p, j) : j;
    if (l->kind == P_IF) {
      bool t = pfc_cond(l, a, audit, nr, args);
      uint32_t r = 0;
      if (t && i + 1 < j)
        r = pfc_run(p, i + 1, j, a, audit, nr, args, decided);
      else if (!t && has_else && j + 1 < k)
        r = pfc_run(p, j + 1, k, a, audit, nr, args, decided);
      if (*decided)
        return r;
    }
    i = k;
  }
  return 0;
}

/* libseccomp's tree decision for the input when the pfc has a block for
 * its syscall; false otherwise (no rules: its program's glue decides) */
bool t_pfc_eval(const t_pfc *p, const cell_sc_arch *a, uint32_t audit, uint32_t nr, const uint64_t args[6],
                     uint32_t *out)
{
  for (size_t i = 0; i < p->n; i++) {
    const t_pline *s = &p->l[i];
    if (s->indent != 0 || s->kind != P_IF || s->what != 0 || s->value != audit)
      continue;
    size_t end = pfc_skip(p, i), dflt = 0;
    bool have_dflt = false;
    for (size_t j = i + 1; j < end; j++) {
      const t_pline *q = &p->l[j];
      if (q->indent == 2 && q->kind == P_ACT)
        dflt = j, have_dflt = true;
    }
    for (size_t j = i + 1; j < end; j = pfc_skip(p, j)) {
      const t_pline *q = &p->l[j];
      if (q->kind != P_IF || q->what != 1 || q->value != nr)
        continue;
      bool decided = false;
      size_t bend = pfc_skip(p, j);
      uint32_t r = j + 1 < bend ? pfc_run(p, j + 1, bend, a, audit, nr, args, &decided) : 0;
      *out = decided ? r : have_dflt ? p->l[dflt].action : 0xdeadbeef;
      return true;
    }
  }
  return false;
}

/* One input: 0 or -1 (printed). */
/* libseccomp 2.5.4's architectures */
static const char *lib_arch_names[] = {
  "x86", "x86_64", "x32", "arm", "aarch64", "mips", "mipsel", "mips64", "mipsel64",
  "mips64n32", "mipsel64n32", "ppc", "ppc64", "ppc64le", "s390", "s390x", "parisc",
  "parisc64", "riscv64",
};
#define NLIB (sizeof lib_arch_names / sizeof lib_arch_names[0])

const size_t *t_lib_arches(size_t *n)
{
  static size_t idx[NLIB];
  for (size_t i = 0; i < NLIB; i++)
    idx[i] = cell_sc_arch_index(cell_sc_arch_by_name(lib_arch_names[i]));
  *n = NLIB;
  return idx;
}

const char **t_agreed_names(size_t *n)
{
  static const char *names[1024];
  static size_t count;
  if (!count) {
    size_t na;
    const size_t *arches = t_lib_arches(&na);
    for (unsigned i = 0; i < cell_sc_nsyscalls && count < 1024; i++) {
      const cell_sc_syscall *s = &cell_sc_syscalls[i];
      /* names without an x86_64 number reach libseccomp as pseudo numbers
       * it fails to place on other arches (EDOM): leave them to the podman
       * test, where they work */
      if (seccomp_syscall_resolve_name(s->name) < 0)
        continue;
      bool agree = true;
      for (size_t j = 0; j < na && agree; j++) {
        const cell_sc_arch *a = &cell_sc_arches[arches[j]];
        int lib = seccomp_syscall_resolve_name_arch(seccomp_arch_resolve_name(a->short_name), s->name);
        int64_t ours = cell_sc_syscall_nr(a, s);
        if (lib < 0 ? ours >= 0 : ours != lib)
          agree = false;
      }
      if (agree)
        names[count++] = s->name;
    }
  }
  *n = count;
  return names;
}

static const char *actions[] = {
  "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
  "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY",
};
static const char *opnames[] = { "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
                                 "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ" };
static const uint64_t values[] = {
  0, 1, 2, 3, 16, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull, 0x100000001ull,
  0xffffffff00000000ull, 0x8000000000000000ull, 0xffffffffffffffffull,
};

static json_t *random_action(uint64_t *s, json_t *o, const char *key, const char *ekey, bool dflt)
{
  const char *a = actions[t_rand(s) % (dflt ? 8 : 9)];
  json_object_set_new(o, key, json_string(a));
  if ((!strcmp(a, "SCMP_ACT_ERRNO") || !strcmp(a, "SCMP_ACT_TRACE")) && t_rand(s) % 4)
    json_object_set_new(o, ekey, json_integer((json_int_t) (t_rand(s) % 3 + 1)));
  return o;
}

json_t *t_random_profile(uint64_t *s, bool same_arg_and)
{
  size_t nnames, na;
  const char **names = t_agreed_names(&nnames);
  const size_t *arches = t_lib_arches(&na);
  /* a small pool so that rules overlap; socket calls for socketcall(2) */
  static const char *fixed[] = { "socket", "connect", "accept4", "semop", "shmat", "read", "sendmsg" };
  const char *pool[8];
  for (int i = 0; i < 8; i++)
    pool[i] = (t_rand(s) % 3 == 0) ? fixed[t_rand(s) % 7] : names[t_rand(s) % nnames];

  json_t *p = json_object();
  random_action(s, p, "defaultAction", "defaultErrnoRet", true);
  /* libseccomp keeps one byte order per filter: the arches follow the
   * native one, x86_64 mostly, a big-endian one sometimes */
  const cell_sc_arch *native = cell_sc_arch_by_name("x86_64");
  if (t_rand(s) % 4 == 0)
    do
      native = &cell_sc_arches[arches[t_rand(s) % na]];
    while (!native->big_endian);
  json_object_set_new(p, "x-native", json_string(native->short_name));
  json_t *archs = json_array();
  size_t narch = t_rand(s) % 4;
  for (size_t i = 0; i < narch; i++) {
    const cell_sc_arch *a = &cell_sc_arches[arches[t_rand(s) % na]];
    if (a->big_endian == native->big_endian)
      json_array_append_new(archs, json_string(a->name));
  }
  if (!native->big_endian && t_rand(s) % 3 == 0)
    json_array_append_new(archs, json_string("SCMP_ARCH_X32"));
  json_object_set_new(p, "architectures", archs);
  json_object_set_new(p, "listenerPath", json_string("/run/agent.sock"));
  json_t *calls = json_array();
  size_t nrules = 1 + t_rand(s) % 10;
  for (size_t i = 0; i < nrules; i++) {
    json_t *r = json_object();
    json_t *nm = json_array();
    size_t k = 1 + t_rand(s) % 3;
    for (size_t j = 0; j < k; j++)
      json_array_append_new(nm, json_string(pool[t_rand(s) % 8]));
    json_object_set_new(r, "names", nm);
    random_action(s, r, "action", "errnoRet", false);
    size_t nargs = t_rand(s) % 4;
    if (nargs) {
      json_t *args = json_array();
      bool used[6] = { false };
      for (size_t j = 0; j < nargs; j++) {
        unsigned idx = (unsigned) (t_rand(s) % 3);
        if (!same_arg_and && used[idx])
          continue;
        used[idx] = true;
        json_t *a = json_pack("{s:i, s:I, s:s}", "index", (int) idx,
                              "value", (json_int_t) values[t_rand(s) % 13], "op",
                              opnames[t_rand(s) % 7]);
        if (t_rand(s) % 2)
          json_object_set_new(a, "valueTwo", json_integer((json_int_t) values[t_rand(s) % 13]));
        json_array_append_new(args, a);
      }
      json_object_set_new(r, "args", args);
    }
    json_array_append_new(calls, r);
  }
  json_object_set_new(p, "syscalls", calls);
  return p;
}

json_t *t_load_json(const char *rel)
{
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", CELL_SOURCE_ROOT, rel);
  return json_load_file(path, 0, NULL);
}
