#!/usr/bin/env python3
"""Per-call cost of call tracing (entry + exit stop, arguments and results formatted, written to
a file), side by side in one run, each measured pinned to one CPU (taskset -c 0: tracer and
target) and unpinned:
  program alone      bench/hotloop (main.hot(s string, i int) int called N times), no tracer
  ptrace floor       bench/ptrace_floor on bench/floor_target: int3, GETREGS, SETREGS, CONT per
                     hit; a traced call takes two stops (entry and RET), hence "2 x floor"
  gobp-dap trace     gobp-dap trace --format jsonl -o FILE 'main\\.hot$' -- hotloop N (options go
                     before the REGEXPs: after one they are taken as more REGEXPs)
                     (FILE must hold N JSON lines with the right args and results): the calls
                     are recorded by the program into the ring it shares with gobp-dap (no stop),
                     N = BENCH_FAST_TRACE_CALLS (1000000)
  gobp-dap, stops    the same with --no-fast-path: two stops per call (entry and RET)
  dlv trace          dlv trace --exec hotloop 'main\\.hot$' -- N, stderr to a file (must show N
                     calls and N returns)
Per call = ((T_traced(N) - T_traced(0)) - (T_alone(N) - T_alone(0))) / N: a run with 0 calls
takes out the fixed cost (reading DWARF, dlv launching), the program's own run time too.
T = wall time of the whole process. Medians of BENCH_REPS runs.
If gobp-dap is above target (or BENCH_PROFILE=1) the tracer process alone is profiled: strace -c
(syscalls per call = (count(N) - count(0))/N), the ptrace requests per call, and perf (where its
on-CPU time goes; off-CPU = waiting for the target).
Scratch files (trace outputs, profiles) go to a temporary directory, removed at the end.
Usage: tracebench.py GOBP_DAP DLV HOTLOOP FLOOR_TARGET FLOOR_ADDR PTRACE_FLOOR"""
import collections, json, os, re, shutil, statistics, subprocess, sys, tempfile, time

N = int(os.environ.get("BENCH_TRACE_CALLS", "100000"))
NFAST = int(os.environ.get("BENCH_FAST_TRACE_CALLS", "1000000"))
NDLV = int(os.environ.get("BENCH_DLV_TRACE_CALLS", "2000"))
REPS = int(os.environ.get("BENCH_REPS", "3"))
DLV_PINNED = os.environ.get("BENCH_DLV_PINNED", "1") != "0"
PROFILE = os.environ.get("BENCH_PROFILE", "auto")        # auto | 1 | 0
PROFILE_CALLS = int(os.environ.get("BENCH_PROFILE_CALLS", "20000"))
PIN = ["taskset", "-c", "0"]
TARGET_FLOOR = 0.25   # per traced call, in floors per hit (issue 12: no stop)
TARGET_DLV = 300.0    # times faster than dlv trace
TARGET_STOPS = 2.5    # with a stop at entry and RET (--no-fast-path)
S = len("hello, handler")


def go_sum(n):
    return "%d %d" % (n, S * n + n * (n - 1) // 2)


def run(argv, expect, stderr_to=None):
    """Wall time of argv; its stdout must be exactly expect."""
    err = open(stderr_to, "wb") if stderr_to else subprocess.PIPE
    try:
        t = time.perf_counter()
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=err)
        t = time.perf_counter() - t
    finally:
        if stderr_to:
            err.close()
    out = p.stdout.decode(errors="replace").strip()
    if p.returncode != 0 or out != expect:
        e = open(stderr_to, "rb").read() if stderr_to else p.stderr
        raise RuntimeError("%s: exit %d, stdout %r, stderr %r" % (" ".join(argv), p.returncode, out,
                                                                    e.decode(errors="replace")[-500:]))
    return t


def check_jsonl(path, n):
    """FILE holds n lines, one finished main.hot call each, in order, args and results right."""
    if not os.path.exists(path):
        if n == 0:
            return  # gobp-dap trace creates no file when nothing was traced
        raise RuntimeError("gobp-dap trace wrote no %s" % path)
    want_at = sorted({0, n // 2, n - 1}) if n else []
    count = 0
    with open(path) as f:
        for k, line in enumerate(f):
            count += 1
            if k in want_at:
                o = json.loads(line)
                want = ({"s": '"hello, handler"', "i": str(k)}, {"~r0": str(S + k)})
                if (o["function"], o["end"], o["args"], o["results"]) != ("main.hot", "return") + want:
                    raise RuntimeError("gobp-dap trace: line %d is %r" % (k + 1, line))
    if count != n:
        raise RuntimeError("gobp-dap trace: %s has %d lines, want %d" % (path, count, n))
    os.unlink(path)


def check_dlv(path, n):
    """dlv trace's stderr shows n calls of main.hot and n returns, the last with the right args."""
    txt = open(path, errors="replace").read()
    calls = re.findall(r'^> goroutine\(\d+\): main\.hot\("hello, handler", (\d+)\)$', txt, re.M)
    # dlv 1.20: ">> goroutine(1): => (2011)"; newer: ">> goroutine(1): main.hot => (2011)"
    rets = re.findall(r"^>> goroutine\(\d+\): (?:main\.hot )?=> \((\d+)\)$", txt, re.M)
    if len(calls) != n or len(rets) != n or (n and (calls[-1], rets[-1]) != (str(n - 1), str(S + n - 1))):
        raise RuntimeError("dlv trace: %d calls, %d returns, want %d: %r" % (len(calls), len(rets), n, txt[-300:]))
    os.unlink(path)


def us(x):
    return "%10.3f" % (x * 1e6) if x is not None else "%10s" % "-"


def rat(a, b):
    return "%9.2fx" % (a / b) if a is not None and b else "%10s" % "-"


def strace_counts(argv, f):
    subprocess.run(["strace", "-c", "-o", f] + argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=True)
    c = {}
    for line in open(f):
        m = re.match(r"\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)\s*$", line)
        if m and m.group(2) != "total":
            c[m.group(2)] = int(m.group(1))
    return c


def profile(gobp, hotloop, tmp, per_call_wall):
    """The tracer process only: strace without -f (the traced program is gobp-dap's child, not
    followed; the same as strace -c -p PID from the first instruction), perf --no-inherit."""
    out = os.path.join(tmp, "p.jsonl")
    argv = lambda n: [gobp, "trace", "--format", "jsonl", "-o", out, r"main\.hot$", "--", hotloop, str(n)]  # noqa
    print("\n    profile of the tracer (gobp-dap trace, unpinned, tracer process only), N=%d; per call = "
          "(count(N) - count(0))/N" % PROFILE_CALLS)
    if shutil.which("strace"):
        c0 = strace_counts(argv(0), os.path.join(tmp, "c0"))
        c1 = strace_counts(argv(PROFILE_CALLS), os.path.join(tmp, "c1"))
        per = {k: (v - c0.get(k, 0)) / PROFILE_CALLS for k, v in c1.items()}
        per = sorted(((v, k) for k, v in per.items() if v >= 0.02), reverse=True)
        print("    syscalls/call %5.2f: %s  (ptrace floor: 4 per stop, 8 per call)"
              % (sum(v for v, _ in per), ", ".join("%s %.2f" % (k, v) for v, k in per)))
        n = min(PROFILE_CALLS, 5000)
        f = os.path.join(tmp, "t")
        subprocess.run(["strace", "-e", "trace=ptrace,process_vm_readv,process_vm_writev", "-o", f] + argv(n),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        txt = open(f).read()
        req = collections.Counter(m.group(1) for m in re.finditer(r"ptrace\((PTRACE_\w+)", txt))
        vm = [int(m.group(1)) for m in re.finditer(r"process_vm_readv\(.*\) = (\d+)$", txt, re.M)]
        sizes = collections.Counter(vm)
        print("    ptrace/call: %s; process_vm_readv/call %.2f (bytes: %s)"
              % (", ".join("%s %.2f" % (k[7:], v / n) for k, v in req.most_common() if v / n >= 0.02),
                 len(vm) / n, ", ".join("%d x%.2f" % (b, c / n) for b, c in sizes.most_common(4) if c / n >= 0.02)))
    else:
        print("    (strace not found: no syscall profile)")
    if shutil.which("perf"):
        on = {}
        for n in (0, PROFILE_CALLS):
            d = os.path.join(tmp, "perf%d.data" % n)
            p = subprocess.run(["perf", "record", "--no-inherit", "-e", "cpu-clock", "-F", "4000", "-o", d, "--"]
                               + argv(n), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if p.returncode != 0:
                print("    (perf record failed: %s)" % p.stderr.decode(errors="replace").strip()[-200:])
                return
            rep = {}
            for sort in ("dso", "dso,sym"):
                rep[sort] = subprocess.run(["perf", "report", "-i", d, "--stdio", "--no-children", "--sort", sort,
                                            "--percent-limit", "2"], stdout=subprocess.PIPE,
                                           stderr=subprocess.DEVNULL).stdout.decode(errors="replace")
            cnt = re.search(r"Event count \(approx\.\): (\d+)", rep["dso"])
            on[n] = (int(cnt.group(1)) * 1e-9 if cnt else 0.0, rep)
        st = {}
        for n in (0, PROFILE_CALLS):
            f = os.path.join(tmp, "stat%d" % n)
            t = time.perf_counter()
            subprocess.run(["perf", "stat", "--no-inherit", "-x", ",", "-o", f, "-e",
                            "task-clock,context-switches,cpu-migrations", "--"] + argv(n),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            t = time.perf_counter() - t
            v = {}
            for line in open(f):
                x = line.split(",")
                if len(x) > 2 and x[2] in ("task-clock", "context-switches", "cpu-migrations"):
                    try:
                        v[x[2]] = float(x[0])
                    except ValueError:
                        pass
            st[n] = (t, v)
        d = lambda k: (st[PROFILE_CALLS][1].get(k, 0) - st[0][1].get(k, 0)) / PROFILE_CALLS  # noqa: E731
        w = (st[PROFILE_CALLS][0] - st[0][0]) / PROFILE_CALLS
        print("    perf stat (tracer only): wall %.1f us/call, tracer task-clock %.1f us/call (so %.1f us off CPU, "
              "waiting for the target), %.2f context switches/call, %.2f migrations/call"
              % (w * 1e6, d("task-clock") * 1e3, w * 1e6 - d("task-clock") * 1e3, d("context-switches"),
                 d("cpu-migrations")))
        r = on[PROFILE_CALLS][1]
        dso = [(float(m.group(1)), m.group(2)) for m in re.finditer(r"^\s+([\d.]+)%\s+(\S+)\s*$", r["dso"], re.M)]
        print("    tracer on-CPU time by object (N=%d, startup included): %s"
              % (PROFILE_CALLS, ", ".join("%s %.1f%%" % (d, v) for v, d in dso)))
        print("    by symbol (>= 2%):")
        for line in r["dso,sym"].splitlines():
            m = re.match(r"\s+([\d.]+)%\s+(\S+)\s+\[(.)\]\s+(.*\S)", line)
            if m:
                print("      %6.2f%%  %-4s %-22s %s" % (float(m.group(1)), "kern" if m.group(3) == "k" else "user",
                                                      m.group(2)[:22], m.group(4)[:70]))
    else:
        print("    (perf not found)")


def main():
    gobp, dlv, hotloop, ftarget, faddr, floor = sys.argv[1:7]
    tmp = tempfile.mkdtemp(prefix="gobp-tracebench-")
    try:
        bench(gobp, dlv, hotloop, ftarget, faddr, floor, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def bench(gobp, dlv, hotloop, ftarget, faddr, floor, tmp):
    print("\n(4) call tracing: per-call cost (entry + exit, args and results formatted, to a file), N=%d calls of "
          "main.hot (no stop: N=%d, dlv trace: N=%d), %d runs each, median;" % (N, NFAST, NDLV, REPS))
    print("    pinned = taskset -c 0 on tracer and target; per call = (T(N) - T(0) - program alone's (T(N) - T(0)))/N;")
    print("    program alone: T(N)/N, process start included (an upper bound)")
    jl = os.path.join(tmp, "trace.jsonl")
    dl = os.path.join(tmp, "dlv.txt")
    fsum = lambda n: "%d %d" % (n, n + n * (n - 1) // 2)  # noqa: E731
    # name -> (argv(n), expected stdout(n), stderr file, check(n))
    trace = lambda *opts: lambda n: [gobp, "trace", "--format", "jsonl", "-o", jl, *opts, r"main\.hot$", "--",  # noqa
                                     hotloop, str(n)]
    # name -> (argv(n), expected stdout(n), stderr file, check(n), N)
    cases = [
        ("alone", lambda n: [hotloop, str(n)], go_sum, None, None, N),
        ("alone_fast", lambda n: [hotloop, str(n)], go_sum, None, None, NFAST),
        ("floor_alone", lambda n: [ftarget, str(n)], fsum, None, None, N),
        ("floor", lambda n: [floor, faddr, ftarget, str(n)], fsum, None, None, N),
        ("gobp", trace(), go_sum, None, lambda n: check_jsonl(jl, n), NFAST),
        ("gobp_stops", trace("--no-fast-path"), go_sum, None, lambda n: check_jsonl(jl, n), N),
    ]
    dlv_argv = lambda n: [dlv, "trace", "--exec", hotloop, r"main\.hot$", "--", str(n)]  # noqa: E731
    runs = collections.defaultdict(list)   # (case, pinned, n) -> [seconds]
    for rep in range(REPS):
        for name, argv, expect, errf, check, ncalls in cases:
            for pinned in (True, False):
                for n in (0, ncalls):
                    runs[(name, pinned, n)].append(run((PIN if pinned else []) + argv(n), expect(n), errf))
                    if check:
                        check(n)
            print("    run %d %-11s  T(%d) pinned %8.3f s  unpinned %8.3f s" % (
                rep + 1, name, ncalls, runs[(name, True, ncalls)][-1], runs[(name, False, ncalls)][-1]), flush=True)
        for pinned in ((True, False) if DLV_PINNED else (False,)):
            for n in (0, NDLV):
                runs[("dlv", pinned, n)].append(run((PIN if pinned else []) + dlv_argv(n), go_sum(n), dl))
                check_dlv(dl, n)
        print("    run %d %-11s  T(N) pinned %8s    unpinned %8.3f s" % (
            rep + 1, "dlv trace", "%.3f s" % runs[("dlv", True, NDLV)][-1] if DLV_PINNED else "-",
            runs[("dlv", False, NDLV)][-1]), flush=True)

    med = {k: statistics.median(v) for k, v in runs.items()}

    def span(name, pinned, n):
        return med[(name, pinned, n)] - med[(name, pinned, 0)]

    per = {}
    for pinned in (True, False):
        per[("alone", pinned)] = med[("alone", pinned, N)] / N
        per[("floor", pinned)] = (span("floor", pinned, N) - span("floor_alone", pinned, N)) / N
        per[("floor2", pinned)] = 2 * per[("floor", pinned)]
        per[("gobp", pinned)] = (span("gobp", pinned, NFAST) - span("alone_fast", pinned, NFAST)) / NFAST
        per[("gobp_stops", pinned)] = (span("gobp_stops", pinned, N) - span("alone", pinned, N)) / N
        # the program's own time per call (ns) is negligible against dlv's
        per[("dlv", pinned)] = span("dlv", pinned, NDLV) / NDLV if pinned in ((True, False) if DLV_PINNED else (False,)) else None

    rows = [("program alone (per call)", "alone"), ("ptrace floor (per hit)", "floor"),
            ("2 x floor (2 stops/call)", "floor2"), ("gobp-dap trace, no stop", "gobp"),
            ("gobp-dap, stops (N=%d)" % N, "gobp_stops"), ("dlv trace, file (N=%d)" % NDLV, "dlv")]
    print("\n    %-27s %10s %10s %10s %10s %10s %10s %10s %10s" % (
        "us per traced call (median)", "pinned", "unpinned", "/floor pin", "/floor unp", "/2xfl pin", "/2xfl unp",
        "dlv/x pin", "dlv/x unp"))
    for label, k in rows:
        p, u = per[(k, True)], per[(k, False)]
        fl = k in ("gobp", "gobp_stops", "dlv")
        print("    %-27s %s %s %s %s %s %s %s %s" % (
            label, us(p), us(u),
            rat(p if fl else None, per[("floor", True)]), rat(u if fl else None, per[("floor", False)]),
            rat(p if fl else None, per[("floor2", True)]), rat(u if fl else None, per[("floor2", False)]),
            rat(per[("dlv", True)] if k.startswith("gobp") else None, p),
            rat(per[("dlv", False)] if k.startswith("gobp") else None, u)))
    print("    fixed cost (T(0), unpinned): gobp-dap trace %.0f ms, dlv trace %.0f ms"
          % (med[("gobp", False, 0)] * 1e3, med[("dlv", False, 0)] * 1e3))

    def verdict(ok):
        return "met" if ok else "MISSED"
    g, f = per[("gobp", True)], per[("floor", True)]
    gu, fu = per[("gobp", False)], per[("floor", False)]
    print("    target <= %.2fx floor per traced call: pinned %.3fx (%s), unpinned %.3fx (%s)"
          % (TARGET_FLOOR, g / f, verdict(g / f <= TARGET_FLOOR), gu / fu, verdict(gu / fu <= TARGET_FLOOR)))
    st, stu = per[("gobp_stops", True)], per[("gobp_stops", False)]
    print("    with a stop at entry and RET (--no-fast-path), target <= %.1fx floor: pinned %.2fx (%s), unpinned %.2fx (%s)"
          % (TARGET_STOPS, st / f, verdict(st / f <= TARGET_STOPS), stu / fu, verdict(stu / fu <= TARGET_STOPS)))
    dp, du = per[("dlv", True)], per[("dlv", False)]
    print("    target >= %.0fx faster than dlv trace: pinned %s, unpinned %.1fx (%s)"
          % (TARGET_DLV, "%.1fx (%s)" % (dp / g, verdict(dp / g >= TARGET_DLV)) if dp else "-", du / gu,
             verdict(du / gu >= TARGET_DLV)))

    above = g / f > TARGET_FLOOR or gu / fu > TARGET_FLOOR or du / gu < TARGET_DLV or (dp and dp / g < TARGET_DLV)
    if PROFILE == "1" or (PROFILE == "auto" and above):
        profile(gobp, hotloop, tmp, gu)


if __name__ == "__main__":
    main()
