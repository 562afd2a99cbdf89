#!/usr/bin/env python3
"""bench/concurrency.py BUILD [N...]: N containers started at once.

For each N (default 1 10 50 100) and each runtime (cell, crun, runc), N
threads each run `create`, `start`, `delete -f` of their own container of
/bin/true (the bundle of bench/runtime.sh, one state root per runtime,
ids c0..cN-1, each with a cgroup of its own), all released together. Prints containers per second
(N / wall time of the whole batch) and the p50 and p99 of one container's
latency (create until its delete returned). BENCH_REPEAT (default 3)
batches per N and runtime, the runtimes taking turns; the figures are
those of the median batch by wall time. Run by bench/scale inside the
private mount namespace of bench/lib.sh.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time

build, cell = sys.argv[1], os.path.join(sys.argv[1], "cell")
sizes = [int(x) for x in sys.argv[2:]] or [1, 10, 50, 100]
bundle, tmp = os.environ["BENCH_BUNDLE"], os.environ["BENCH_TMP"]
repeat = int(os.environ.get("BENCH_REPEAT", "3"))
cgname = os.environ["BENCH_CGNAME"]


def bundle_of(i):
    """Bundle i: the base config with a cgroupsPath of its own (a cgroup
    shared by containers that come and go would be removed under them)."""
    d = os.path.join(tmp, "cb%d" % i)
    if not os.path.isdir(d):
        os.mkdir(d)
        with open(os.path.join(bundle, "config.json")) as f:
            c = json.load(f)
        c["linux"]["cgroupsPath"] = "%s-%d" % (cgname, i)
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(c, f)
    return d


runtimes = [("cell", cell)] + [(r, r) for r in ("crun", "runc") if shutil.which(r)]


def batch(rt, exe, n):
    root = os.path.join(tmp, "root-%s" % rt)
    shutil.rmtree(root, ignore_errors=True)
    os.mkdir(root)
    lat, errs = [0.0] * n, []
    go = threading.Barrier(n + 1)

    def one(i):
        cid = "c%d" % i
        b = bundle_of(i)
        go.wait()
        t0 = time.monotonic()
        # stderr to a file: the init of `create` keeps what it inherited
        # open until it execs, and a pipe would never see its end.
        errf = os.path.join(tmp, "err-%s-%d" % (rt, i))
        for args in (["create", "-b", b, cid], ["start", cid], ["delete", "-f", cid]):
            with open(errf, "w") as ef:
                r = subprocess.run([exe, "--root", root] + args, stdout=subprocess.DEVNULL,
                                   stderr=ef)
            if r.returncode:
                with open(errf) as ef:
                    errs.append("%s %s: %s" % (rt, args[0], ef.read().strip()[-200:]))
                subprocess.run([exe, "--root", root, "delete", "-f", cid],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                break
        lat[i] = (time.monotonic() - t0) * 1000

    th = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in th:
        t.start()
    go.wait()
    t0 = time.monotonic()
    for t in th:
        t.join()
    wall = time.monotonic() - t0
    return wall, sorted(lat), errs


def pct(v, p):
    return v[min(len(v) - 1, max(0, int(len(v) * p / 100.0 + 0.999999) - 1))]


print("  %5s %-5s %10s %10s %10s" % ("N", "rt", "cont/s", "p50 ms", "p99 ms"))
plot = []
for n in sizes:
    res = {rt: [] for rt, _ in runtimes}
    for _ in range(repeat):
        for rt, exe in runtimes:
            res[rt].append(batch(rt, exe, n))
    for rt, _ in runtimes:
        runs = sorted(res[rt], key=lambda x: x[0])
        wall, lat, errs = runs[len(runs) // 2]
        if errs:
            print("  %5d %-5s %10s   %s" % (n, rt, "-", errs[0]))
            continue
        print("  %5d %-5s %10.1f %10.1f %10.1f" % (n, rt, n / wall, pct(lat, 50), pct(lat, 99)))
        plot.append("%d %s %.1f" % (n, rt, n / wall))
    sys.stdout.flush()
with open(os.path.join(tmp, "concurrency.plot"), "w") as f:
    f.write("\n".join(plot) + "\n")
