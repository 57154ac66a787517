#!/usr/bin/env python3
"""Per-hit cost of a never-true conditional breakpoint in a DAP session, over stdio and over
TCP (`gobp-dap --port 0`), side by side in one run, each pinned (taskset -c 0: adapter and
program) and unpinned. A function breakpoint on main.hot of bench/hotloop with the condition
`i < 0`; T = configurationDone -> exited; per hit = (T(N) - T(0)) / N (the program's own
nanoseconds per call are negligible). Medians of BENCH_REPS runs.
Usage: condbench.py GOBP_DAP HOTLOOP"""
import os, statistics, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dapbench import DAP, TIMEOUT  # noqa: E402

N = int(os.environ.get("BENCH_COND_HITS", "20000"))
REPS = int(os.environ.get("BENCH_REPS", "3"))
PIN = ["taskset", "-c", "0"]
TRANSPORTS = (("stdio", "gobp"), ("tcp", "gobp-tcp"))


def run(gobp, kind, hotloop, n, pin):
    d = DAP(kind, gobp, pin)
    try:
        d.request("initialize", {"clientID": "bench", "adapterID": "go", "linesStartAt1": True,
                                 "columnsStartAt1": True, "pathFormat": "path"})
        s = d.send("launch", {"name": "bench", "type": "go", "request": "launch", "mode": "exec",
                              "program": hotloop, "args": [str(n)], "stopOnEntry": False})
        d.event("initialized")
        bps = d.request("setFunctionBreakpoints",
                        {"breakpoints": [{"name": "main.hot", "condition": "i < 0"}]})["body"]["breakpoints"]
        if not bps or not bps[0].get("verified"):
            raise RuntimeError("breakpoint on main.hot not verified: %r" % bps)
        t0 = time.perf_counter()
        d.request("configurationDone")
        d.wait(lambda m: m.get("type") == "response" and m.get("request_seq") == s)
        ex = d.wait(lambda m: m.get("type") == "event" and m.get("event") == "exited", timeout=max(TIMEOUT, n * 1e-3))
        t = time.perf_counter() - t0
        if ex["body"].get("exitCode") != 0:
            raise RuntimeError("program exited with %r" % ex["body"])
        if any(m.get("event") == "stopped" for m in d.events):
            raise RuntimeError("the never-true condition stopped the program")
        return t
    finally:
        d.close()


def main():
    gobp, hotloop = sys.argv[1:3]
    print("\n(5) conditional breakpoint (never true) on main.hot, N=%d hits, %d runs each, median;" % (N, REPS))
    print("    per hit = (T(N) - T(0))/N, T = configurationDone -> exited; pinned = taskset -c 0 on the adapter")
    runs = {}
    for rep in range(REPS):
        for name, kind in TRANSPORTS:
            for pinned in (True, False):
                for n in (0, N):
                    runs.setdefault((name, pinned, n), []).append(run(gobp, kind, hotloop, n, PIN if pinned else ()))
            print("    run %d %-5s T(N) pinned %7.3f s  unpinned %7.3f s" % (
                rep + 1, name, runs[(name, True, N)][-1], runs[(name, False, N)][-1]), flush=True)
    med = {k: statistics.median(v) for k, v in runs.items()}
    per = {(name, p): (med[(name, p, N)] - med[(name, p, 0)]) / N for name, _ in TRANSPORTS for p in (True, False)}
    print("\n    %-22s %10s %10s %14s %14s" % ("us per hit (median)", "pinned", "unpinned", "T(0) pinned",
                                                "T(0) unpinned"))
    for name, _ in TRANSPORTS:
        print("    %-22s %10.1f %10.1f %11.1f ms %11.1f ms" % (
            "gobp-dap over " + name, per[(name, True)] * 1e6, per[(name, False)] * 1e6,
            med[(name, True, 0)] * 1e3, med[(name, False, 0)] * 1e3))
    print("    %-22s %9.2fx %9.2fx" % ("tcp / stdio", per[("tcp", True)] / per[("stdio", True)],
                                        per[("tcp", False)] / per[("stdio", False)]))
    print("    (T(0): configurationDone -> exited without hits; a stall there, such as Nagle holding an")
    print("    event behind a response for the client's delayed ACK, skews every per-hit figure)")


if __name__ == "__main__":
    main()
