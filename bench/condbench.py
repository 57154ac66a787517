#!/usr/bin/env python3
"""Per-hit cost of a never-true conditional breakpoint in a DAP session: a function breakpoint
on main.hot of bench/hotloop with the condition `i < 0` (BENCH_COND), so every call is a hit
decided without a stop. T = configurationDone -> exited; per hit = (T(N) - T(0)) / N (the
program's own nanoseconds per call are negligible), medians of BENCH_REPS runs; also the
adapter's own CPU time per hit (user and system, from /proc/PID/stat at the exit: less
sensitive to other load on the machine than wall time). Two modes:
  condbench.py GOBP_DAP HOTLOOP                (make bench) over stdio and over TCP
      (`gobp-dap --port 0`), each pinned (taskset -c 0: adapter and program) and unpinned;
  condbench.py --compare HOTLOOP GOBP_DAP...   several binaries side by side (before/after),
      over stdio, pinned unless BENCH_PIN=0.
Env: BENCH_COND_HITS (2000000: the condition runs in the program, README "Conditions that run in
the program"), BENCH_REPS (3), BENCH_COND ("i < 0"), BENCH_HIT_COND ("")."""
import os, statistics, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dapbench import DAP, TIMEOUT  # noqa: E402

N = int(os.environ.get("BENCH_COND_HITS", "2000000"))
REPS = int(os.environ.get("BENCH_REPS", "3"))
COND = os.environ.get("BENCH_COND", "i < 0")
HIT_COND = os.environ.get("BENCH_HIT_COND", "")
PIN = ["taskset", "-c", "0"]
TRANSPORTS = (("stdio", "gobp"), ("tcp", "gobp-tcp"))
TICK = os.sysconf("SC_CLK_TCK")


def cpu(pid):
    """(user, system) seconds of a process so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) / TICK, int(fields[12]) / TICK


def run(gobp, kind, hotloop, n, pin):
    """One session with n hits: (seconds configurationDone -> exited, (user, sys) of the adapter)."""
    d = DAP(kind, gobp, pin)
    try:
        d.request("initialize", {"clientID": "bench", "adapterID": "go", "linesStartAt1": True,
                                 "columnsStartAt1": True, "pathFormat": "path"})
        s = d.send("launch", {"name": "bench", "type": "go", "request": "launch", "mode": "exec",
                              "program": hotloop, "args": [str(n)], "stopOnEntry": False})
        d.event("initialized")
        bp = {"name": "main.hot", "condition": COND}
        if HIT_COND:
            bp["hitCondition"] = HIT_COND
        bps = d.request("setFunctionBreakpoints", {"breakpoints": [bp]})["body"]["breakpoints"]
        if not bps or not bps[0].get("verified"):
            raise RuntimeError("breakpoint on main.hot not verified: %r" % bps)
        t0 = time.perf_counter()
        d.request("configurationDone")
        d.wait(lambda m: m.get("type") == "response" and m.get("request_seq") == s)
        ex = d.wait(lambda m: m.get("type") == "event" and m.get("event") == "exited", timeout=max(TIMEOUT, n * 1e-2))
        t = time.perf_counter() - t0
        if ex["body"].get("exitCode") != 0:
            raise RuntimeError("program exited with %r" % ex["body"])
        if any(m.get("event") == "stopped" for m in d.events):
            raise RuntimeError("the never-true condition stopped the program")
        return t, cpu(d.proc.pid)
    finally:
        d.close()


def per_hit(runs, key):
    """Median per-hit seconds of the runs under key (+ (n,)) for wall, user and system time."""
    med = {k: statistics.median(v) for k, v in runs.items()}
    return tuple((med[key + (what, N)] - med[key + (what, 0)]) / N for what in ("wall", "user", "sys"))


def measure(runs, key, gobp, kind, hotloop, pin):
    for n in (0, N):
        t, (user, system) = run(gobp, kind, hotloop, n, pin)
        for what, v in (("wall", t), ("user", user), ("sys", system)):
            runs.setdefault(key + (what, n), []).append(v)


def transports(gobp, hotloop):
    print("\n(5) conditional breakpoint (never true) on main.hot, N=%d hits, %d runs each, median;" % (N, REPS))
    print("    per hit = (T(N) - T(0))/N, T = configurationDone -> exited; pinned = taskset -c 0 on the adapter")
    runs = {}
    for rep in range(REPS):
        for name, kind in TRANSPORTS:
            for pinned in (True, False):
                measure(runs, (name, pinned), gobp, kind, hotloop, PIN if pinned else ())
            print("    run %d %-5s T(N) pinned %7.3f s  unpinned %7.3f s" % (
                rep + 1, name, runs[(name, True, "wall", N)][-1], runs[(name, False, "wall", N)][-1]), flush=True)
    per = {(name, p): per_hit(runs, (name, p)) for name, _ in TRANSPORTS for p in (True, False)}
    t0 = {(name, p): statistics.median(runs[(name, p, "wall", 0)]) for name, _ in TRANSPORTS for p in (True, False)}
    print("\n    %-22s %10s %10s %14s %14s %18s" % ("us per hit (median)", "pinned", "unpinned", "T(0) pinned",
                                                     "T(0) unpinned", "CPU pinned u+s"))
    for name, _ in TRANSPORTS:
        _, user, system = per[(name, True)]
        print("    %-22s %10.4f %10.4f %11.1f ms %11.1f ms %8.4f + %6.4f us" % (
            "gobp-dap over " + name, per[(name, True)][0] * 1e6, per[(name, False)][0] * 1e6,
            t0[(name, True)] * 1e3, t0[(name, False)] * 1e3, user * 1e6, system * 1e6))
    print("    %-22s %9.2fx %9.2fx" % ("tcp / stdio", per[("tcp", True)][0] / per[("stdio", True)][0],
                                        per[("tcp", False)][0] / per[("stdio", False)][0]))
    print("    (T(0): configurationDone -> exited without hits; a stall there, such as Nagle holding an")
    print("    event behind a response for the client's delayed ACK, skews every per-hit figure)")


def compare(hotloop, exes):
    pin = PIN if os.environ.get("BENCH_PIN", "1") != "0" else ()
    print("conditional function breakpoint main.hot if %r%s, N=%d, %d runs each, median, %s" % (
        COND, " hit %r" % HIT_COND if HIT_COND else "", N, REPS, "taskset -c 0" if pin else "unpinned"))
    runs = {}
    for rep in range(REPS):
        for exe in exes:
            measure(runs, (exe,), exe, "gobp", hotloop, pin)
            print("    run %d %-40s T(N) %.3f s" % (rep + 1, exe, runs[(exe, "wall", N)][-1]), flush=True)
    for exe in exes:
        wall, user, system = per_hit(runs, (exe,))
        print("    %-40s %8.2f us per hit wall, adapter CPU %5.2f us user + %5.2f us sys   (T(0) %.0f ms)" % (
            exe, wall * 1e6, user * 1e6, system * 1e6, statistics.median(runs[(exe, "wall", 0)]) * 1e3))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--compare":
        compare(sys.argv[2], sys.argv[3:])
    else:
        transports(sys.argv[1], sys.argv[2])
