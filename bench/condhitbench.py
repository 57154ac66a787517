#!/usr/bin/env python3
"""Per-hit cost of a conditional breakpoint in gobp-dap over DAP: a function breakpoint on
bench/hotloop's main.hot whose condition is never true (`i < 0` by default), so every call is
a hit decided without a stop. Pinned with taskset -c 0 (adapter and program) unless BENCH_PIN=0.
Per hit = ((T(N) - T(0)) - (T_alone(N) - T_alone(0))) / N, T = configurationDone -> exited,
medians of BENCH_REPS runs; and the adapter's own CPU time per hit (user and system, from
/proc/PID/stat at the exit: less sensitive to other load on the machine than wall time).
Compares several gobp-dap binaries side by side (before/after).
Usage: condhitbench.py HOTLOOP GOBP_DAP [GOBP_DAP...]
Env: BENCH_HITS (50000), BENCH_REPS (5), BENCH_COND ("i < 0"), BENCH_HIT_COND (""), BENCH_PIN (1)."""
import os, statistics, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dapbench import DAP, TIMEOUT  # noqa: E402

N = int(os.environ.get("BENCH_HITS", "50000"))
REPS = int(os.environ.get("BENCH_REPS", "5"))
COND = os.environ.get("BENCH_COND", "i < 0")
HIT_COND = os.environ.get("BENCH_HIT_COND", "")
PIN = ["taskset", "-c", "0"] if os.environ.get("BENCH_PIN", "1") != "0" else []


def client(exe):
    d = DAP.__new__(DAP)
    d.kind, d.buf, d.seq, d.events, d.sock = "gobp", b"", 0, [], None
    d.proc = subprocess.Popen(PIN + [exe], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    d.rfd, d.wfile = d.proc.stdout.fileno(), d.proc.stdin
    return d


TICK = os.sysconf("SC_CLK_TCK")


def cpu(pid):
    """(user, system) seconds of a process so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) / TICK, int(fields[12]) / TICK


def run(exe, prog, n):
    d = client(exe)
    try:
        d.request("initialize", {"clientID": "bench", "adapterID": "go", "linesStartAt1": True,
                                 "columnsStartAt1": True, "pathFormat": "path"})
        s = d.send("launch", {"name": "bench", "type": "go", "request": "launch", "mode": "exec",
                              "program": prog, "args": [str(n)], "stopOnEntry": False})
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
        ex = d.wait(lambda m: m.get("type") == "event" and m.get("event") in ("exited", "terminated"),
                    timeout=max(TIMEOUT, n * 0.01))
        t = time.perf_counter() - t0
        if any(m.get("event") == "stopped" for m in d.events):
            raise RuntimeError("the never-true condition stopped the program")
        if ex["event"] == "exited" and ex["body"].get("exitCode", 0) != 0:
            raise RuntimeError("program exited with %r" % ex["body"])
        return t, cpu(d.proc.pid)
    finally:
        d.close()


def alone(prog, n):
    t = time.perf_counter()
    subprocess.run(PIN + [prog, str(n)], stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t


def main():
    prog, exes = sys.argv[1], sys.argv[2:]
    print("conditional function breakpoint main.hot if %r%s, N=%d, %d runs each, median, %s" % (
        COND, " hit %r" % HIT_COND if HIT_COND else "", N, REPS, "taskset -c 0" if PIN else "unpinned"))
    runs = {}
    for rep in range(REPS):
        for n in (0, N):
            runs.setdefault(("alone", n), []).append(alone(prog, n))
        for exe in exes:
            for n in (0, N):
                t, (user, system) = run(exe, prog, n)
                runs.setdefault((exe, n), []).append(t)
                runs.setdefault((exe, "user", n), []).append(user)
                runs.setdefault((exe, "sys", n), []).append(system)
            print("    run %d %-40s T(N) %.3f s" % (rep + 1, exe, runs[(exe, N)][-1]), flush=True)
    med = {k: statistics.median(v) for k, v in runs.items()}
    base = med[("alone", N)] - med[("alone", 0)]
    for exe in exes:
        per = (med[(exe, N)] - med[(exe, 0)] - base) / N
        user = (med[(exe, "user", N)] - med[(exe, "user", 0)]) / N
        system = (med[(exe, "sys", N)] - med[(exe, "sys", 0)]) / N
        print("    %-40s %8.2f us per hit wall, adapter CPU %5.2f us user + %5.2f us sys   (T(0) %.0f ms)"
              % (exe, per * 1e6, user * 1e6, system * 1e6, med[(exe, 0)] * 1e3))


if __name__ == "__main__":
    main()
