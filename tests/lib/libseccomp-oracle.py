#!/usr/bin/python3
"""libseccomp-oracle.py PROFILE.json CELL.bpf SYSCALLS.csv [--verbose]

Holds cell's compiled filter (CELL.bpf, from `cell seccomp compile`) to
libseccomp's reading of the same OCI profile: the profile is loaded into
libseccomp (python3-seccomp) the way runc does it (names libseccomp does not
know are skipped, rules whose action is the default are skipped), both
programs run in this script's own cBPF interpreter, and they must return the
same action for every syscall number of every architecture of the profile
(0 to the highest number known there, plus 40, and arm's private numbers),
with a few argument sets that reach every argument rule of the profile.

Differences of two known classes are counted, printed and allowed: on x32
libseccomp compares only the low 32 bits of an argument, cell all 64 (the
kernel hands x32 syscalls 64-bit registers); and names this libseccomp does
not know on an architecture are left to its default there (runc skips
names libseccomp cannot resolve), so their numbers in cell's table
(SYSCALLS.csv: data/syscalls.csv) may be decided differently.  Anything else fails.
Prints one summary line; exit status 0 when they agree, 1 otherwise."""
import struct
import sys

import seccomp

AUDIT = {  # architecture: (AUDIT_ARCH_*, libseccomp Arch, x32 bit)
    "SCMP_ARCH_X86_64": (0xC000003E, seccomp.Arch.X86_64, 0),
    "SCMP_ARCH_X86": (0x40000003, seccomp.Arch.X86, 0),
    "SCMP_ARCH_X32": (0xC000003E, seccomp.Arch.X32, 0x40000000),
    "SCMP_ARCH_AARCH64": (0xC00000B7, seccomp.Arch.AARCH64, 0),
    "SCMP_ARCH_ARM": (0x40000028, seccomp.Arch.ARM, 0),
}
OPS = {"SCMP_CMP_EQ": seccomp.EQ, "SCMP_CMP_NE": seccomp.NE, "SCMP_CMP_LT": seccomp.LT,
       "SCMP_CMP_LE": seccomp.LE, "SCMP_CMP_GT": seccomp.GT, "SCMP_CMP_GE": seccomp.GE,
       "SCMP_CMP_MASKED_EQ": seccomp.MASKED_EQ}
RET_ALLOW, RET_ERRNO, RET_KILL_THREAD = 0x7FFF0000, 0x00050000, 0


def action(name, errno_ret):
    if name == "SCMP_ACT_ALLOW":
        return seccomp.ALLOW, RET_ALLOW
    if name == "SCMP_ACT_ERRNO":
        return seccomp.ERRNO(errno_ret), RET_ERRNO | errno_ret
    raise SystemExit("libseccomp-oracle: action %s is not handled here" % name)


def libseccomp_filter(profile, path):
    default, _ = action(profile["defaultAction"], profile.get("defaultErrnoRet", 1))
    f = seccomp.SyscallFilter(default)
    for a in profile.get("architectures", []):
        if AUDIT[a][1] != seccomp.Arch.X86_64:  # the native one is there already
            f.add_arch(AUDIT[a][1])
    for rule in profile["syscalls"]:
        errno_ret = rule.get("errnoRet", 1)
        if rule["action"] == profile["defaultAction"] and errno_ret == profile.get("defaultErrnoRet", 1):
            continue
        act, _ = action(rule["action"], errno_ret)
        args = [seccomp.Arg(a["index"], OPS[a["op"]], a.get("value", 0), a.get("valueTwo", 0))
                for a in rule.get("args") or []]
        for name in rule["names"]:
            if seccomp.resolve_syscall(seccomp.Arch.X86_64, name) == -1:
                continue
            f.add_rule(act, name, *args)
    with open(path, "wb") as out:
        f.export_bpf(out)


def load_bpf(path):
    data = open(path, "rb").read()
    return [struct.unpack_from("<HBBI", data, i) for i in range(0, len(data), 8)]


def run(prog, data):
    """A cBPF interpreter for seccomp programs: returns the RET value."""
    a = x = 0
    mem = [0] * 16
    pc = 0
    while True:
        if pc >= len(prog):
            raise ValueError("fell off the program")
        code, jt, jf, k = prog[pc]
        pc += 1
        cls = code & 0x07
        if cls == 0x00:  # ld
            mode = code & 0xE0
            if mode == 0x20:  # abs
                a = struct.unpack_from("<I", data, k)[0]
            elif mode == 0x00:
                a = k
            elif mode == 0x60:
                a = mem[k]
            else:
                raise ValueError("ld mode %#x" % code)
        elif cls == 0x01:  # ldx
            x = k if (code & 0xE0) == 0x00 else mem[k]
        elif cls == 0x02:
            mem[k] = a
        elif cls == 0x03:
            mem[k] = x
        elif cls == 0x04:  # alu
            src = x if code & 0x08 else k
            op = code & 0xF0
            if op == 0x00: a = (a + src) & 0xFFFFFFFF
            elif op == 0x10: a = (a - src) & 0xFFFFFFFF
            elif op == 0x50: a &= src
            elif op == 0x40: a |= src
            elif op == 0xA0: a ^= src
            elif op == 0x60: a = (a << src) & 0xFFFFFFFF
            elif op == 0x70: a >>= src
            elif op == 0x80: a = (-a) & 0xFFFFFFFF
            else: raise ValueError("alu %#x" % code)
        elif cls == 0x05:  # jmp
            op = code & 0xF0
            src = x if code & 0x08 else k
            if op == 0x00:
                pc += k
                continue
            if op == 0x10: cond = a == src
            elif op == 0x20: cond = a > src
            elif op == 0x30: cond = a >= src
            elif op == 0x40: cond = (a & src) != 0
            else: raise ValueError("jmp %#x" % code)
            pc += jt if cond else jf
        elif cls == 0x06:  # ret
            return k if (code & 0x18) == 0x00 else a
        elif cls == 0x07:  # misc
            if code & 0xF8 == 0x00: x = a
            else: a = x
        else:
            raise ValueError("opcode %#x" % code)


def seccomp_data(nr, audit, args):
    return struct.pack("<iIQ6Q", nr - (1 << 32) if nr >= 1 << 31 else nr, audit, 0,
                       *[v & 0xFFFFFFFFFFFFFFFF for v in args])


ARGSETS = [
    (0, 0, 0), (0xFFFFFFFF, 0, 0xFFFFFFFF), (0x10000000, 0, 0), (0x20000, 0, 0),
    (0x10020000, 0, 0), (0x1200011, 0, 0), (0x10000011, 0, 0), (8, 0, 0), (0x20008, 0, 0),
    (0x20000, 0, 0), (0x40000, 0, 0), (16, 3, 9), (16, 3, 0), (2, 1, 9), (10, 2, 6),
    (0xFFFFFFFFFFFFFFFF, 0, 0xFFFFFFFFFFFFFFFF), (0x100000000, 0, 0), (0x110000000, 0, 9),
]


CSV_COLUMN = {"SCMP_ARCH_X86_64": "x86_64", "SCMP_ARCH_X86": "x86", "SCMP_ARCH_X32": "x32",
              "SCMP_ARCH_AARCH64": "aarch64", "SCMP_ARCH_ARM": "arm"}


def unknown_numbers(table, profile):
    """{architecture: the numbers cell's table gives to names of the profile
    that this libseccomp does not know there, or knows by another number}"""
    names = {n for r in profile["syscalls"] for n in r["names"]}
    out = {}
    with open(table) as f:
        head = f.readline().lstrip("#").strip().split(",")
        for line in f:
            row = line.strip().split(",")
            if row[0] not in names:
                continue
            for arch in profile.get("architectures", []):
                v = row[head.index(CSV_COLUMN[arch])]
                if not v.isdigit():
                    continue
                nr = int(v) | AUDIT[arch][2]
                a = AUDIT[arch][1]
                lib = seccomp.resolve_syscall(a, row[0])
                # libseccomp names a socket or IPC call by its multiplexer
                # where there is one (x86: socketcall, ipc), and adds its
                # rules to both; -1 and -10000 or below: unknown, or not of
                # this architecture
                mux = {seccomp.resolve_syscall(a, m) for m in ("socketcall", "ipc")}
                if lib != nr and lib not in mux:
                    out.setdefault(arch, {})[nr] = row[0]
    return out


def main():
    profile_path, cell_bpf, table = sys.argv[1], sys.argv[2], sys.argv[3]
    verbose = "--verbose" in sys.argv
    profile = __import__("json").load(open(profile_path))
    lib_bpf = cell_bpf + ".libseccomp"
    libseccomp_filter(profile, lib_bpf)
    cell, lib = load_bpf(cell_bpf), load_bpf(lib_bpf)
    unknown = unknown_numbers(table, profile)
    inputs = diffs = x32_32bit = unknown_inputs = 0
    shown = 0
    for name in profile.get("architectures", []):
        audit, arch, base = AUDIT[name]
        top = 0
        for n in range(0, 1200):
            try:
                seccomp.resolve_syscall(arch, n)
                top = n
            except Exception:
                pass
        nrs = list(range(base, base + top + 41))
        if name == "SCMP_ARCH_ARM":
            nrs += list(range(0xF0000, 0xF0010))
        nrs += [base + 0x3FFFFFFF, 0x7FFFFFFF, 0xFFFFFFFF, base + 0x40000000]
        for nr in nrs:
            for args in ARGSETS:
                a6 = list(args) + [0, 0, 0]
                d = seccomp_data(nr & 0xFFFFFFFF, audit, a6)
                c, l = run(cell, d), run(lib, d)
                inputs += 1
                if c == l:
                    continue
                if nr in unknown.get(name, ()):
                    unknown_inputs += 1
                    continue
                if name == "SCMP_ARCH_X32" and any(v >> 32 for v in args):
                    d32 = seccomp_data(nr, audit, [v & 0xFFFFFFFF for v in a6])
                    if run(cell, d32) == l:
                        x32_32bit += 1
                        continue
                diffs += 1
                if shown < 10 or verbose:
                    shown += 1
                    try:
                        sc = seccomp.resolve_syscall(arch, nr - base if base else nr).decode()
                    except Exception:
                        sc = "?"
                    print("  %s nr %#x (%s) args %s: cell %#010x libseccomp %#010x"
                          % (name, nr, sc, ",".join("%#x" % v for v in args), c, l))
    print("libseccomp-oracle: %s: %d inputs, %d differences, %d x32 inputs where libseccomp "
          "compared 32 bits, %d inputs on %d numbers libseccomp does not know (%s)"
          % (profile_path.rsplit("/", 1)[-1], inputs, diffs, x32_32bit, unknown_inputs,
             sum(len(v) for v in unknown.values()),
             ", ".join("%s: %s" % (a[10:].lower(), " ".join(sorted(set(v.values()))))
                       for a, v in sorted(unknown.items()))))
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
