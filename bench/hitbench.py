#!/usr/bin/env python3
"""Per-hit cost of handler breakpoints, side by side in one run, each measured pinned to one
CPU (taskset -c 0: tracer and target) and unpinned:
  program alone      bench/hotloop (main.hot called N times), no tracer
  ptrace floor       bench/ptrace_floor on bench/floor_target: int3, GETREGS, SETREGS, CONT
  read+continue      gobp-dap run --handler main.hot=readarg.so (gobp_get_string of arg 0)
  forced return      gobp-dap run --handler main.hot=forceret.so (result 0, GOBP_RETURN)
  never-true cond.   the same handler with --condition 'i < 0': the condition runs in the program
                     (a jump site, README "Conditions that run in the program"), N=BENCH_FAST_CALLS
                     calls against the program alone at the same N
  dlv                dlv dap, function breakpoint on main.hot with condition `i < 0`
Per hit = ((T_traced(N) - T_traced(0)) - (T_alone(N) - T_alone(0))) / N: a run with 0 calls
takes out the fixed cost (gobp-dap reading DWARF, dlv launching), the program's own run time
is taken out too. For dlv, T = configurationDone -> exited event. Medians of BENCH_REPS runs.
Writes nothing but stdout (scratch files of the strace profile go to a temporary directory).
Usage: hitbench.py GOBP_DAP DLV HOTLOOP FLOOR_TARGET FLOOR_ADDR PTRACE_FLOOR READARG_SO FORCERET_SO"""
import collections, os, re, shutil, socket, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dapbench import DAP, TIMEOUT  # noqa: E402

N = int(os.environ.get("BENCH_HITS", "200000"))
NFAST = int(os.environ.get("BENCH_FAST_CALLS", "20000000"))   # a condition that runs in the program: ns per call
NDLV = int(os.environ.get("BENCH_DLV_HITS", "2000"))
REPS = int(os.environ.get("BENCH_REPS", "3"))
DLV_PINNED = os.environ.get("BENCH_DLV_PINNED", "1") != "0"
PROFILE = os.environ.get("BENCH_PROFILE", "auto")        # auto | 1 | 0
PROFILE_HITS = int(os.environ.get("BENCH_PROFILE_HITS", "20000"))
PIN = ["taskset", "-c", "0"]


def timed(argv, expect=None):
    """Wall time of argv; checks its stdout against expect (a regex) when given."""
    t = time.perf_counter()
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    t = time.perf_counter() - t
    out = p.stdout.decode(errors="replace").strip()
    if p.returncode != 0 or (expect and not re.fullmatch(expect, out)):
        raise RuntimeError("%s: exit %d, stdout %r, stderr %r" % (" ".join(argv), p.returncode, out,
                                                                    p.stderr.decode(errors="replace")[-500:]))
    return t


def dlv_client(dlv, pin):
    """dapbench.DAP for `dlv dap`, optionally started under taskset."""
    d = DAP.__new__(DAP)
    d.kind, d.buf, d.seq, d.events = "dlv", b"", 0, []
    d.proc = subprocess.Popen(pin + [dlv, "dap", "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
    line, deadline = b"", time.time() + 30
    while b"listening at" not in line and time.time() < deadline:
        line = d.proc.stdout.readline()
    m = re.search(rb"listening at: ([\d.]+):(\d+)", line)
    if not m:
        raise RuntimeError("dlv dap did not start: %r" % line)
    d.sock = socket.create_connection((m.group(1).decode(), int(m.group(2))))
    d.rfd = d.sock.fileno()
    return d


def dlv_run(dlv, prog, n, pin):
    """configurationDone -> exited/terminated, a never-true conditional function breakpoint."""
    d = dlv_client(dlv, pin)
    try:
        d.request("initialize", {"clientID": "bench", "adapterID": "go", "linesStartAt1": True,
                                 "columnsStartAt1": True, "pathFormat": "path"})
        s = d.send("launch", {"name": "bench", "type": "go", "request": "launch", "mode": "exec",
                              "program": prog, "args": [str(n)], "stopOnEntry": False})
        d.event("initialized")
        bps = d.request("setFunctionBreakpoints",
                        {"breakpoints": [{"name": "main.hot", "condition": "i < 0"}]})["body"]["breakpoints"]
        if not bps or not bps[0].get("verified"):
            raise RuntimeError("dlv: breakpoint on main.hot not verified: %r" % bps)
        t0 = time.perf_counter()
        d.request("configurationDone")
        d.wait(lambda m: m.get("type") == "response" and m.get("request_seq") == s)
        # dlv 1.20 ends with `terminated` (an `exited` event first when it reports one)
        ex = d.wait(lambda m: m.get("type") == "event" and m.get("event") in ("exited", "terminated"),
                    timeout=max(TIMEOUT, n * 0.05))
        t = time.perf_counter() - t0
        if ex["event"] == "exited" and ex["body"].get("exitCode", 0) != 0:
            raise RuntimeError("dlv: program exited with %r" % ex["body"])
        stops = [m for m in d.events if m.get("event") == "stopped"]
        if stops:
            raise RuntimeError("dlv: the never-true condition stopped the program: %r" % stops[0])
        return t
    finally:
        d.close()


def us(x):
    return ("%10.3f" if x is None or abs(x) >= 1e-7 else "%10.4f") % (x * 1e6) if x is not None else "%10s" % "-"


def rat(a, b):
    if a is None or not b:
        return "%10s" % "-"
    return ("%9.2fx" if abs(a / b) >= 0.01 else "%9.5fx") % (a / b)


def profile(gobp, hotloop, plugins):
    """strace of gobp-dap run (the tracer only; the target is not followed, so gobp-dap can
    trace it): syscalls per hit = (count(N) - count(0)) / N, and ptrace requests per hit."""
    print("\n    profile: strace -c of `gobp-dap run` (tracer process only), N=%d; per hit = (count(N) - count(0))/N"
          % PROFILE_HITS)
    tmp = tempfile.mkdtemp(prefix="gobp-hitbench-")
    try:
        for name, so in plugins:
            counts = {}
            for n in (0, PROFILE_HITS):
                f = os.path.join(tmp, "c%d" % n)
                subprocess.run(["strace", "-c", "-o", f, gobp, "run", "--handler", "main.hot=" + so, "--",
                                hotloop, str(n)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
                c = {}
                for line in open(f):
                    m = re.match(r"\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)\s*$", line)
                    if m and m.group(2) != "total":
                        c[m.group(2)] = int(m.group(1))
                counts[n] = c
            per = {k: (v - counts[0].get(k, 0)) / PROFILE_HITS for k, v in counts[PROFILE_HITS].items()}
            per = sorted(((v, k) for k, v in per.items() if v >= 0.05), reverse=True)
            print("    %-15s %5.1f syscalls/hit: %s" % (name, sum(v for v, _ in per),
                                                       ", ".join("%s %.2f" % (k, v) for v, k in per)))
            # which ptrace requests (smaller N: one line per call)
            n = min(PROFILE_HITS, 5000)
            f = os.path.join(tmp, "t")
            subprocess.run(["strace", "-e", "trace=ptrace", "-o", f, gobp, "run", "--handler", "main.hot=" + so,
                            "--", hotloop, str(n)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            req = collections.Counter(m.group(1) for m in re.finditer(r"ptrace\((PTRACE_\w+)", open(f).read()))
            print("    %-15s ptrace/hit: %s" % ("", ", ".join("%s %.2f" % (k[7:], v / n) for k, v in req.most_common()
                                                            if v / n >= 0.05)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    gobp, dlv, hotloop, ftarget, faddr, floor, readarg, forceret = sys.argv[1:9]
    want_go = r"%d %d"
    print("\n(3) handler breakpoints: per-hit cost, N=%d calls of main.hot (dlv: N=%d), %d runs each, median;"
          % (N, NDLV, REPS))
    print("    pinned = taskset -c 0 on tracer and target; per hit = (T(N) - T(0) - program alone's (T(N) - T(0)))/N;")
    print("    program alone: T(N)/N, process start included (an upper bound)")
    # name -> (argv builder(n), expected stdout(n))
    s = len("hello, handler")
    go_sum = lambda n: want_go % (n, s * n + n * (n - 1) // 2)  # noqa: E731
    cases = [
        ("alone", lambda n: [hotloop, str(n)], go_sum),
        ("floor_alone", lambda n: [ftarget, str(n)], lambda n: "%d %d" % (n, n + n * (n - 1) // 2)),
        ("floor", lambda n: [floor, faddr, ftarget, str(n)], lambda n: "%d %d" % (n, n + n * (n - 1) // 2)),
        ("readarg", lambda n: [gobp, "run", "--handler", "main.hot=" + readarg, "--", hotloop, str(n)], go_sum),
        ("forceret", lambda n: [gobp, "run", "--handler", "main.hot=" + forceret, "--", hotloop, str(n)],
         lambda n: "%d 0" % n),
        ("never", lambda n: [gobp, "run", "--handler", "main.hot=" + forceret, "--condition", "i < 0", "--",
                             hotloop, str(n)], go_sum),
        ("alone_fast", lambda n: [hotloop, str(n)], go_sum),
    ]
    calls = lambda name: NFAST if name in ("never", "alone_fast") else N  # noqa: E731
    runs = collections.defaultdict(list)   # (case, pinned, n) -> [seconds]
    for rep in range(REPS):
        for name, argv, expect in cases:
            n_of = calls(name)
            for pinned in (True, False):
                for n in (0, n_of):
                    runs[(name, pinned, n)].append(timed((PIN if pinned else []) + argv(n), re.escape(expect(n))))
            print("    run %d %-11s  T(%d) pinned %8.3f s  unpinned %8.3f s" % (
                rep + 1, name, n_of, runs[(name, True, n_of)][-1], runs[(name, False, n_of)][-1]), flush=True)
        for pinned in ((True, False) if DLV_PINNED else (False,)):
            for n in (0, NDLV):
                runs[("dlv", pinned, n)].append(dlv_run(dlv, hotloop, n, PIN if pinned else []))
        print("    run %d %-11s  T(N) pinned %8s    unpinned %8.3f s  (configurationDone -> exited)" % (
            rep + 1, "dlv", "%.3f s" % runs[("dlv", True, NDLV)][-1] if DLV_PINNED else "-",
            runs[("dlv", False, NDLV)][-1]), flush=True)

    med = {k: statistics.median(v) for k, v in runs.items()}

    def span(name, pinned, n):
        return med[(name, pinned, n)] - med[(name, pinned, 0)]

    per = {}
    for pinned in (True, False):
        per[("alone", pinned)] = med[("alone", pinned, N)] / N  # upper bound: T(N) - T(0) is below the noise
        per[("floor", pinned)] = (span("floor", pinned, N) - span("floor_alone", pinned, N)) / N
        for name in ("readarg", "forceret"):
            per[(name, pinned)] = (span(name, pinned, N) - span("alone", pinned, N)) / N
        per[("never", pinned)] = (span("never", pinned, NFAST) - span("alone_fast", pinned, NFAST)) / NFAST
        if pinned and not DLV_PINNED:
            per[("dlv", True)] = None
        else:
            per[("dlv", pinned)] = span("dlv", pinned, NDLV) / NDLV  # the program's own ns per call: negligible
    fixed = {k: med[(k, False, 0)] for k in ("readarg", "dlv")}

    rows = [("program alone (per call)", "alone"), ("ptrace floor", "floor"),
            ("gobp-dap read+continue", "readarg"), ("gobp-dap forced return", "forceret"),
            ("gobp-dap never-true cond. (N=%d)" % NFAST, "never"),
            ("dlv dap, cond. bp (N=%d)" % NDLV, "dlv")]
    print("\n    %-36s %10s %10s %10s %10s %10s" % ("us per hit (median)", "pinned", "unpinned", "/floor pin",
                                                    "/floor unp", "/dlv unp"))
    for label, k in rows:
        p, u = per[(k, True)], per[(k, False)]
        fl = k != "alone"
        print("    %-36s %s %s %s %s %s" % (label, us(p), us(u), rat(p if fl else None, per[("floor", True)]),
                                             rat(u if fl else None, per[("floor", False)]),
                                             rat(u, per[("dlv", False)]) if k in ("readarg", "forceret", "never")
                                             else "%10s" % "-"))
    print("    fixed cost (T(0), unpinned): gobp-dap run %.0f ms, dlv dap configurationDone -> exited %.0f ms"
          % (fixed["readarg"] * 1e3, fixed["dlv"] * 1e3))

    worst = max(per[("readarg", True)], per[("forceret", True)])
    if PROFILE == "1" or (PROFILE == "auto" and worst > 1.2 * per[("floor", True)]):
        if shutil.which("strace"):
            profile(gobp, hotloop, [("read+continue", readarg), ("forced return", forceret)])
        else:
            print("    (strace not found: no syscall profile)")


if __name__ == "__main__":
    main()
