/* The back end's properties, the checker, precompiled filters, the
 * disassembler, the loader and the features report. */
#include "unit.h"
#include "jv.h"
#include "helpers.h"
#include "podman-profile.h"
#include "seccomp/oci.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int compile_ir(json_t *j, cell_sc_ir *ir, cell_seccomp_filter *f, cell_error *err)
{
  cell_seccomp_opts o = { .arch = "x86_64" };
  cell_sc_oci_result res;
  cell_sc_ir_init(ir);
  memset(f, 0, sizeof *f);
  _cleanup_jdoc_ cell_jdoc *jd1_ = NULL;
  int r = cell_sc_oci_to_ir(t_jv(j, &jd1_), &o, ir, &res, err);
  if (r == 0)
    r = cell_sc_codegen(ir, &f->insns, &f->len, err);
  return r;
}

TEST(bpf_too_long)
{
  /* every syscall with three 64-bit conditions: far more than 4096 */
  json_t *calls = json_array();
  for (unsigned i = 0; i < cell_sc_nsyscalls; i++)
    json_array_append_new(calls, json_pack("{s:[s], s:s, s:[{s:i,s:I,s:s},{s:i,s:I,s:s},{s:i,s:I,s:s}]}",
                                           "names", cell_sc_syscalls[i].name, "action", "SCMP_ACT_ERRNO",
                                           "args", "index", 0, "value", (json_int_t) i, "op", "SCMP_CMP_EQ",
                                           "index", 1, "value", (json_int_t) i, "op", "SCMP_CMP_GT",
                                           "index", 2, "value", (json_int_t) i, "op", "SCMP_CMP_LE"));
  json_t *j = json_pack("{s:s, s:o}", "defaultAction", "SCMP_ACT_ALLOW", "syscalls", calls);
  cell_seccomp_opts o = { .arch = "x86_64" };
  cell_seccomp_filter f;
  cell_error err = CELL_ERROR_INIT;
  _cleanup_jdoc_ cell_jdoc *jd2_ = NULL;
  CHECK_INT(cell_seccomp_compile_oci(t_jv(j, &jd2_), &o, &f, &err), -E2BIG);
  CHECK(err.msg && strncmp(err.msg, "seccomp: the filter needs ", 26) == 0 &&
        strstr(err.msg, " instructions, more than the kernel's limit of 4096"));
  cell_error_cleanup(&err);
  json_decref(j);
}

TEST(bpf_long_with_trampolines)
{
  /* ~2000 instructions: many jumps need trampolines; the program must
   * still pass the checker and mean what the IR means */
  json_t *calls = json_array();
  for (unsigned i = 0; i < cell_sc_nsyscalls; i += 4)
    json_array_append_new(calls, json_pack("{s:[s], s:s, s:[{s:i,s:I,s:s}]}", "names",
                                           cell_sc_syscalls[i].name, "action", i % 4 ? "SCMP_ACT_LOG" : "SCMP_ACT_TRAP",
                                           "args", "index", (int) (i % 6), "value", (json_int_t) i << 31, "op", "SCMP_CMP_LT"));
  json_t *j = json_pack("{s:s, s:[s,s], s:o}", "defaultAction", "SCMP_ACT_KILL_PROCESS",
                        "architectures", "SCMP_ARCH_X86", "SCMP_ARCH_AARCH64", "syscalls", calls);
  cell_sc_ir ir;
  cell_seccomp_filter f;
  cell_error err = CELL_ERROR_INIT;
  CHECK_INT(compile_ir(j, &ir, &f, &err), 0);
  if (!f.insns) {
    fprintf(stderr, "  %s\n", err.msg);
    return;
  }
  CHECK(f.len > 1000);
  CHECK_INT(cell_seccomp_check(f.insns, f.len, &err), 0);
  unsigned ja = 0;
  for (size_t i = 0; i < f.len; i++)
    ja += f.insns[i].code == (BPF_JMP | BPF_JA);
  CHECK(ja > 0);
  const char *archs[] = { "x86_64", "x86", "aarch64" };
  for (int a = 0; a < 3; a++) {
    const cell_sc_arch *arch = cell_sc_arch_by_name(archs[a]);
    for (uint32_t nr = 0; nr < 600; nr++) {
      for (int k = 0; k < 3; k++) {
        uint64_t v = k == 0 ? 0 : k == 1 ? (uint64_t) nr << 31 : ((uint64_t) nr << 31) - 1;
        uint64_t args[6] = { v, v, v, v, v, v };
        cell_seccomp_data d;
        cell_seccomp_data_make(&d, archs[a], nr, args, NULL);
        CHECK_INT(cell_seccomp_run(f.insns, f.len, &d, NULL), cell_sc_ir_eval(&ir, arch->audit, nr, args));
      }
    }
  }
  cell_seccomp_filter_free(&f);
  cell_sc_ir_free(&ir);
  cell_error_cleanup(&err);
  json_decref(j);
}

/* Numbers decided without argument rules read only nr and arch: the
 * kernel's action cache can hold them. */
TEST(bpf_action_cache_paths)
{
  json_t *j = t_podman_profile("amd64", "SCMP_ARCH_X86_64", t_podman_caps);
  if (!j)
    SKIP(T_PODMAN_PROFILE " not found (Debian's golang-github-containers-common, with podman)");
  cell_sc_ir ir;
  cell_seccomp_filter f;
  cell_error err = CELL_ERROR_INIT;
  CHECK_INT(compile_ir(j, &ir, &f, &err), 0);
  const char *archs[] = { "x86_64", "x86", "x32" };
  unsigned cached = 0;
  for (int a = 0; a < 3; a++) {
    size_t ai = cell_sc_arch_index(cell_sc_arch_by_name(archs[a]));
    uint32_t base = cell_sc_arches[ai].nr_base;
    for (uint32_t n = 0; n < 1024; n++) {
      uint32_t nr = base + n;
      bool conditional = false, unconditional = false;
      for (size_t i = 0; i < ir.nrules; i++)
        if (ir.rules[i].arch == ai && ir.rules[i].nr == nr) {
          if (ir.rules[i].ncond)
            conditional = true;
          else
            unconditional = true;
        }
      uint64_t args[6] = { 1, 2, 3, 4, 5, 6 };
      unsigned char d[64];
      t_data(d, ai, nr, args);
      uint32_t loads;
      bool ok;
      t_interp(f.insns, f.len, d, &loads, NULL, &ok);
      CHECK(ok);
      if (!conditional || unconditional) {
        CHECK_INT(loads & ~3u, 0);
        cached++;
      }
    }
  }
  CHECK(cached > 2900);
  cell_seccomp_filter_free(&f);
  cell_sc_ir_free(&ir);
  json_decref(j);
}

static const char *check_msg(const struct sock_filter *p, size_t n)
{
  static char buf[256];
  cell_error err = CELL_ERROR_INIT;
  int r = cell_seccomp_check(p, n, &err);
  snprintf(buf, sizeof buf, "%s", r == 0 ? "ok" : err.msg);
  cell_error_cleanup(&err);
  return buf;
}

#define I(c, jt, jf, k) { (c), (jt), (jf), (k) }
#define RETK I(BPF_RET | BPF_K, 0, 0, 0x7fff0000)

TEST(bpf_checker)
{
  struct sock_filter ok[] = { I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 4), I(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 1), RETK, RETK };
  CHECK_STR(check_msg(ok, 4), "ok");
  CHECK_STR(check_msg(ok, 0), "seccomp: empty program");
  static struct sock_filter big[4097];
  for (int i = 0; i < 4097; i++)
    big[i] = (struct sock_filter) RETK;
  CHECK_STR(check_msg(big, 4097), "seccomp: 4097 instructions, more than the kernel's limit of 4096");
  struct sock_filter ldh[] = { I(BPF_LD | BPF_H | BPF_ABS, 0, 0, 0), RETK };
  CHECK_STR(check_msg(ldh, 2), "seccomp: instruction 0: opcode 0x0028 is not allowed in seccomp");
  struct sock_filter off[] = { I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 64), RETK };
  CHECK_STR(check_msg(off, 2), "seccomp: instruction 0: load at offset 64 is outside struct seccomp_data or unaligned");
  struct sock_filter una[] = { I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 2), RETK };
  CHECK_STR(check_msg(una, 2), "seccomp: instruction 0: load at offset 2 is outside struct seccomp_data or unaligned");
  struct sock_filter div[] = { I(BPF_ALU | BPF_DIV | BPF_K, 0, 0, 0), RETK };
  CHECK_STR(check_msg(div, 2), "seccomp: instruction 0: division by zero");
  struct sock_filter sh[] = { I(BPF_ALU | BPF_LSH | BPF_K, 0, 0, 32), RETK };
  CHECK_STR(check_msg(sh, 2), "seccomp: instruction 0: shift by 32");
  struct sock_filter mem[] = { I(BPF_ST, 0, 0, 16), RETK };
  CHECK_STR(check_msg(mem, 2), "seccomp: instruction 0: scratch memory word 16 out of 0..15");
  struct sock_filter ja[] = { I(BPF_JMP | BPF_JA, 0, 0, 1), RETK };
  CHECK_STR(check_msg(ja, 2), "seccomp: instruction 0: jump past the end");
  struct sock_filter jc[] = { I(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), RETK };
  CHECK_STR(check_msg(jc, 2), "seccomp: instruction 0: jump past the end");
  struct sock_filter end[] = { RETK, I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0) };
  CHECK_STR(check_msg(end, 2), "seccomp: the program does not end in a return");
  struct sock_filter rd[] = { I(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), I(BPF_ST, 0, 0, 3),
                              I(BPF_LD | BPF_MEM, 0, 0, 3), RETK };
  CHECK_STR(check_msg(rd, 4), "seccomp: instruction 2: reads scratch word 3 before it is written");
  struct sock_filter wr[] = { I(BPF_ST, 0, 0, 3), I(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0),
                              I(BPF_LD | BPF_MEM, 0, 0, 3), RETK };
  CHECK_STR(check_msg(wr, 4), "ok");
}

TEST(bpf_precompiled)
{
  struct sock_filter prog[] = { I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0),
                                I(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 39),
                                I(BPF_RET | BPF_K, 0, 0, 0x00050000 | 42), RETK };
  cell_seccomp_filter f;
  cell_error err = CELL_ERROR_INIT;
  CHECK_INT(cell_seccomp_from_bpf(prog, sizeof prog, &f, &err), 0);
  CHECK_INT(f.len, 4);
  CHECK_INT(f.flags, CELL_SECCOMP_FLAG_SPEC_ALLOW);
  CHECK(!f.has_notify);
  cell_seccomp_filter_free(&f);
  CHECK_INT(cell_seccomp_from_bpf(prog, 7, &f, &err), -EINVAL);
  CHECK_STR(err.msg, "seccomp: precompiled filter: 7 bytes is not a whole number of 8-byte instructions");
  cell_error_clear(&err);
  CHECK_INT(cell_seccomp_from_bpf(prog, 16, &f, &err), -EINVAL);
  CHECK_STR(err.msg, "seccomp: precompiled filter: seccomp: instruction 1: jump past the end");
  cell_error_clear(&err);
  /* base64 of the same program */
  static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const unsigned char *b = (const unsigned char *) prog;
  char text[128];
  size_t t = 0;
  for (size_t i = 0; i < sizeof prog; i += 3) {
    uint32_t v = (uint32_t) b[i] << 16 | (i + 1 < sizeof prog ? (uint32_t) b[i + 1] << 8 : 0) |
                 (i + 2 < sizeof prog ? b[i + 2] : 0);
    text[t++] = b64chars[v >> 18 & 63];
    text[t++] = b64chars[v >> 12 & 63];
    text[t++] = i + 1 < sizeof prog ? b64chars[v >> 6 & 63] : '=';
    text[t++] = i + 2 < sizeof prog ? b64chars[v & 63] : '=';
  }
  text[t] = 0;
  CHECK_INT(cell_seccomp_from_base64(text, &f, &err), 0);
  CHECK_INT(f.len, 4);
  CHECK(f.len == 4 && memcmp(f.insns, prog, sizeof prog) == 0);
  cell_seccomp_filter_free(&f);
  CHECK_INT(cell_seccomp_from_base64("AAAA*AAA", &f, &err), -EINVAL);
  CHECK_STR(err.msg, "seccomp: precompiled filter: invalid base64 at offset 4");
  cell_error_clear(&err);
  CHECK_INT(cell_seccomp_from_base64("A", &f, &err), -EINVAL);
  CHECK_STR(err.msg, "seccomp: precompiled filter: truncated base64");
  cell_error_clear(&err);
  struct sock_filter notif[] = { I(BPF_RET | BPF_K, 0, 0, 0x7fc00000) };
  CHECK_INT(cell_seccomp_from_bpf(notif, sizeof notif, &f, &err), 0);
  CHECK(f.has_notify && (f.flags & CELL_SECCOMP_FLAG_NEW_LISTENER));
  cell_seccomp_filter_free(&f);
}

TEST(bpf_disasm_and_actions)
{
  json_t *j = json_loads("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},"
                         "{\"names\":[\"write\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}", 0, NULL);
  cell_seccomp_opts o = { .arch = "x86_64" };
  cell_seccomp_filter f;
  cell_error err = CELL_ERROR_INIT;
  _cleanup_jdoc_ cell_jdoc *jd3_ = NULL;
  CHECK_INT(cell_seccomp_compile_oci(t_jv(j, &jd3_), &o, &f, &err), 0);
  char *s = cell_seccomp_disasm(f.insns, f.len);
  CHECK(s != NULL);
  CHECK(strstr(s, "0000: ld [4]                                    ; arch\n") != NULL);
  CHECK(strstr(s, "0001: jeq #0xc000003e        jt 0002 jf ") != NULL);
  CHECK(strstr(s, "  ; SCMP_ARCH_X86_64/X32\n") != NULL);
  CHECK(strstr(s, "; write\n") != NULL);
  CHECK(strstr(s, "; args[0].hi\n") != NULL);
  CHECK(strstr(s, "ret #0x7fff0000                           ; ALLOW\n") != NULL);
  free(s);
  cell_seccomp_filter_free(&f);
  json_decref(j);
  char b[32];
  CHECK_STR(cell_seccomp_action_str(0x7fff0000, b), "ALLOW");
  CHECK_STR(cell_seccomp_action_str(0x00050001, b), "ERRNO(1)");
  CHECK_STR(cell_seccomp_action_str(0x80000000, b), "KILL_PROCESS");
  CHECK_STR(cell_seccomp_action_str(0, b), "KILL_THREAD");
  CHECK_STR(cell_seccomp_action_str(0x7fc00000, b), "NOTIFY");
  CHECK_STR(cell_seccomp_action_str(0x7ff00005, b), "TRACE(5)");
  CHECK_STR(cell_seccomp_action_str(0x00030000, b), "TRAP(0)");
  CHECK_STR(cell_seccomp_action_str(0x7ffc0000, b), "LOG");
  CHECK_STR(cell_seccomp_action_str(0x12340000, b), "UNKNOWN(0x12340000)");
}

/* Load a real filter in a child: getppid gets ERRNO(42), the rest runs. */
TEST(bpf_load)
{
  json_t *j = json_loads("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_TSYNC\"],"
                         "\"syscalls\":[{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":42},"
                         "{\"names\":[\"getpgid\"],\"action\":\"SCMP_ACT_KILL_PROCESS\",\"args\":[{\"index\":0,\"value\":99,\"op\":\"SCMP_CMP_EQ\"}]}]}", 0, NULL);
  cell_seccomp_opts o = { 0 };
  cell_seccomp_filter f;
  cell_error err = CELL_ERROR_INIT;
  _cleanup_jdoc_ cell_jdoc *jd4_ = NULL;
  CHECK_INT(cell_seccomp_compile_oci(t_jv(j, &jd4_), &o, &f, &err), 0);
  json_decref(j);
  pid_t pid = fork();
  if (pid == 0) {
    int fd;
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    if (cell_seccomp_load(&f, &fd, &err) < 0)
      _exit(10);
    if (fd != -1)
      _exit(11);
    errno = 0;
    if (syscall(SYS_getppid) != -1 || errno != 42)
      _exit(12);
    if (syscall(SYS_getpid) <= 0)
      _exit(13);
    syscall(SYS_getpgid, 99);
    _exit(14);
  }
  int status;
  CHECK(waitpid(pid, &status, 0) == pid);
  CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS);
  if (!WIFSIGNALED(status))
    fprintf(stderr, "  child exit %d\n", WEXITSTATUS(status));
  cell_seccomp_filter_free(&f);

  cell_seccomp_filter none = { 0 };
  int fd;
  CHECK_INT(cell_seccomp_load(&none, &fd, &err), -EINVAL);
  CHECK_STR(err.msg, "seccomp: no filter to load");
  cell_error_cleanup(&err);
}

TEST(bpf_load_listener)
{
  json_t *j = json_loads("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/x\",\"syscalls\":"
                         "[{\"names\":[\"mknodat\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}", 0, NULL);
  cell_seccomp_opts o = { 0 };
  cell_seccomp_filter f;
  cell_error err = CELL_ERROR_INIT;
  _cleanup_jdoc_ cell_jdoc *jd5_ = NULL;
  CHECK_INT(cell_seccomp_compile_oci(t_jv(j, &jd5_), &o, &f, &err), 0);
  json_decref(j);
  pid_t pid = fork();
  if (pid == 0) {
    int fd = -1;
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    if (cell_seccomp_load(&f, &fd, &err) < 0)
      _exit(10);
    _exit(fd >= 0 ? 0 : 11);
  }
  int status;
  CHECK(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  cell_seccomp_filter_free(&f);
}

TEST(bpf_features)
{
  json_t *f = cell_seccomp_features();
  CHECK(f != NULL);
  CHECK(json_is_true(json_object_get(f, "enabled")));
  CHECK_INT(json_array_size(json_object_get(f, "actions")), 9);
  CHECK_INT(json_array_size(json_object_get(f, "operators")), 7);
  CHECK_INT(json_array_size(json_object_get(f, "archs")), cell_sc_narches);
  CHECK_INT(json_array_size(json_object_get(f, "knownFlags")), 4);
  char *s = json_dumps(json_object_get(f, "supportedFlags"), JSON_COMPACT);
  CHECK(s && strstr(s, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") && strstr(s, "SECCOMP_FILTER_FLAG_TSYNC"));
  free(s);
  json_decref(f);
}

TEST(table)
{
  const cell_sc_arch *x86_64 = cell_sc_arch_by_name("SCMP_ARCH_X86_64"), *x32 = cell_sc_arch_by_name("x32");
  const cell_sc_arch *mips = cell_sc_arch_by_name("mipsel"), *arm = cell_sc_arch_by_name("arm");
  CHECK(x86_64 && x32 && mips && arm && cell_sc_arch_by_name("amd64") == x86_64);
  CHECK(cell_sc_arch_by_name("vax") == NULL);
  CHECK(cell_sc_arch_native() == x86_64);
  CHECK_INT(cell_sc_syscall_nr(x86_64, cell_sc_syscall_lookup("read")), 0);
  CHECK_INT(cell_sc_syscall_nr(x32, cell_sc_syscall_lookup("read")), 0x40000000);
  CHECK_INT(cell_sc_syscall_nr(mips, cell_sc_syscall_lookup("read")), 4003);
  CHECK_INT(cell_sc_syscall_nr(x86_64, cell_sc_syscall_lookup("socketcall")), -1);
  CHECK_INT(cell_sc_syscall_nr(arm, cell_sc_syscall_lookup("cacheflush")), 0xf0002);
  CHECK_INT(cell_sc_syscall_nr(x86_64, cell_sc_syscall_lookup("listmount")), 458);
  CHECK(cell_sc_syscall_lookup("frobnicate") == NULL);
  CHECK_STR(cell_sc_syscall_name(x32, 0x40000000), "read");
  CHECK(cell_sc_arch_max_nr(x86_64) >= 467);
  uint32_t mux, call;
  CHECK_INT(cell_sc_multiplexed(cell_sc_arch_by_name("x86"), "recv", &mux, &call), 1);
  CHECK_INT(mux, 102);
  CHECK_INT(call, 10);
  CHECK_INT(cell_sc_multiplexed(cell_sc_arch_by_name("s390x"), "shmat", &mux, &call), 1);
  CHECK_INT(mux, 117);
  CHECK_INT(call, 21);
  CHECK_INT(cell_sc_multiplexed(x86_64, "socket", &mux, &call), 0);
}
