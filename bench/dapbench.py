#!/usr/bin/env python3
"""gobp-dap vs `dlv dap`: a tiny DAP client (Content-Length framing over a subprocess's
stdio or a TCP socket) timing (1) launch -> first stop at main.main on cmd/go, with the
adapter's peak RSS (VmHWM), and (2) a threads/stackTrace/scopes/variables round with
10 000 goroutines stopped at a line breakpoint. Standard library only."""
import json, os, re, select, socket, statistics, subprocess, sys, time

TIMEOUT = float(os.environ.get("BENCH_TIMEOUT", "180"))


class DAP:
    """kind "gobp": gobp-dap over its stdio; "gobp-tcp": `gobp-dap --port 0`, one TCP connection;
    "dlv": `dlv dap --listen`. pin: a command prefix for the adapter (taskset -c 0)."""

    def __init__(self, kind, exe, pin=()):
        self.kind, self.buf, self.seq, self.events, self.sock = kind, b"", 0, [], None
        if kind == "gobp":
            self.proc = subprocess.Popen(list(pin) + [exe], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.DEVNULL)
            self.rfd, self.wfile = self.proc.stdout.fileno(), self.proc.stdin
            return
        if kind == "gobp-tcp":
            argv, pattern = list(pin) + [exe, "--port", "0"], rb"listening at ([\d.]+):(\d+)"
        else:
            argv, pattern = list(pin) + [exe, "dap", "--listen", "127.0.0.1:0"], rb"listening at: ([\d.]+):(\d+)"
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        line = b""
        deadline = time.time() + 30
        while b"listening at" not in line and time.time() < deadline:
            line = self.proc.stdout.readline()
        m = re.search(pattern, line)
        if not m:
            raise RuntimeError("%s did not start: %r" % (kind, line))
        self.sock = socket.create_connection((m.group(1).decode(), int(m.group(2))))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rfd = self.sock.fileno()

    def send(self, command, arguments=None):
        self.seq += 1
        msg = {"seq": self.seq, "type": "request", "command": command}
        if arguments is not None:
            msg["arguments"] = arguments
        body = json.dumps(msg).encode()
        data = b"Content-Length: %d\r\n\r\n" % len(body) + body
        if self.sock:
            self.sock.sendall(data)
        else:
            self.wfile.write(data)
            self.wfile.flush()
        return self.seq

    def _read_msg(self, deadline):
        while True:
            i = self.buf.find(b"\r\n\r\n")
            if i >= 0:
                n = int(re.search(rb"Content-Length: *(\d+)", self.buf[:i], re.I).group(1))
                if len(self.buf) >= i + 4 + n:
                    body, self.buf = self.buf[i + 4:i + 4 + n], self.buf[i + 4 + n:]
                    return json.loads(body)
            left = deadline - time.time()
            if left <= 0 or not select.select([self.rfd], [], [], left)[0]:
                raise TimeoutError("no DAP message from %s" % self.kind)
            chunk = os.read(self.rfd, 1 << 20)
            if not chunk:
                raise EOFError("%s closed the connection" % self.kind)
            self.buf += chunk

    def wait(self, pred, timeout=TIMEOUT):
        for i, m in enumerate(self.events):
            if pred(m):
                return self.events.pop(i)
        deadline = time.time() + timeout
        while True:
            m = self._read_msg(deadline)
            if pred(m):
                return m
            self.events.append(m)

    def request(self, command, arguments=None, timeout=TIMEOUT):
        s = self.send(command, arguments)
        r = self.wait(lambda m: m.get("type") == "response" and m.get("request_seq") == s, timeout)
        if not r.get("success"):
            raise RuntimeError("%s %s failed: %s" % (self.kind, command, r.get("message")))
        return r

    def event(self, name, timeout=TIMEOUT):
        return self.wait(lambda m: m.get("type") == "event" and m.get("event") == name, timeout)

    def vmhwm_kb(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return 0

    def close(self):
        try:
            self.request("disconnect", {"terminateDebuggee": True}, timeout=15)
        except Exception:
            pass
        if self.sock:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)   # a --port server serves until killed
            except OSError:
                pass
        try:
            self.proc.wait(timeout=10 if self.kind != "gobp-tcp" else 0.5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.sock:
            self.sock.close()


def start(kind, exe, program, args, bps):
    """initialize, launch (mode exec), breakpoints, configurationDone; returns (client, t_launch)."""
    d = DAP(kind, exe)
    d.request("initialize", {"clientID": "bench", "adapterID": "go", "linesStartAt1": True,
                             "columnsStartAt1": True, "pathFormat": "path"})
    t0 = time.perf_counter()
    s = d.send("launch", {"name": "bench", "type": "go", "request": "launch", "mode": "exec",
                          "program": program, "args": args, "stopOnEntry": False})
    d.event("initialized")
    if "function" in bps:
        d.request("setFunctionBreakpoints", {"breakpoints": [{"name": bps["function"]}]})
    if "line" in bps:
        path, line = bps["line"]
        d.request("setBreakpoints", {"source": {"path": path}, "breakpoints": [{"line": line}]})
    d.request("configurationDone")
    d.wait(lambda m: m.get("type") == "response" and m.get("request_seq") == s)
    return d, t0


def first_stop(kind, exe, cmdgo):
    d, t0 = start(kind, exe, cmdgo, ["version"], {"function": "main.main"})
    try:
        st = d.event("stopped")
        t = time.perf_counter() - t0
        rss = d.vmhwm_kb()
        return t, rss, st["body"].get("reason")
    finally:
        d.close()


def round_trip(kind, exe, prog, src, line, n):
    d, t0 = start(kind, exe, prog, [str(n)], {"line": (src, line)})
    try:
        st = d.event("stopped")
        t_stop = time.perf_counter() - t0
        tid = st["body"].get("threadId")
        res = {"stop": t_stop}
        r0 = time.perf_counter()
        t = time.perf_counter()
        thr = d.request("threads")["body"]["threads"]
        res["threads"] = time.perf_counter() - t
        res["nthreads"] = len(thr)
        if tid is None:
            tid = thr[0]["id"]
        t = time.perf_counter()
        frames = d.request("stackTrace", {"threadId": tid, "startFrame": 0, "levels": 20})["body"]["stackFrames"]
        res["stackTrace"] = time.perf_counter() - t
        res["nframes"] = len(frames)
        res["top"] = "%s:%s" % (frames[0].get("name"), frames[0].get("line"))
        t = time.perf_counter()
        scopes = d.request("scopes", {"frameId": frames[0]["id"]})["body"]["scopes"]
        res["scopes"] = time.perf_counter() - t
        t = time.perf_counter()
        nvars = 0
        for sc in scopes:
            if sc.get("variablesReference"):
                nvars += len(d.request("variables", {"variablesReference": sc["variablesReference"]})["body"]["variables"])
        res["variables"] = time.perf_counter() - t
        res["nvars"] = nvars
        res["round"] = time.perf_counter() - r0
        res["rss"] = d.vmhwm_kb()
        return res
    finally:
        d.close()


def program_alone(argv):
    t = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def ms(x):
    return "%8.1f ms" % (x * 1e3)


def ratio(a, b):
    return "%6.2fx" % (a / b) if b else "   n/a"


def main():
    gobp, dlv, cmdgo, gor, gsrc = sys.argv[1:6]
    reps = int(os.environ.get("BENCH_REPS", "3"))
    n = int(os.environ.get("BENCH_GOROUTINES", "10000"))
    line = int(os.environ.get("BENCH_LINE", "33"))
    adapters = [("gobp", gobp), ("dlv", dlv)]
    print("machine: %s, %d cores; nested VM, ptrace stops are slow and noisy: read ratios, not absolutes"
          % (os.uname().release, os.cpu_count()))

    print("\n(1) launch -> first stop at main.main on cmd/go (%s, %.1f MB), %d runs each, alternating"
          % (cmdgo, os.path.getsize(cmdgo) / 1e6, reps))
    alone = statistics.median(program_alone([cmdgo, "version"]) for _ in range(3))
    print("    program alone (cmdgo version): %s" % ms(alone))
    runs = {k: [] for k, _ in adapters}
    for i in range(reps):
        for k, exe in adapters:
            t, rss, reason = first_stop(k, exe, cmdgo)
            runs[k].append((t, rss))
            print("    run %d %-5s %s  VmHWM %7.1f MB  (stop reason: %s)" % (i + 1, k, ms(t), rss / 1024, reason))
    med = {k: (statistics.median(t for t, _ in v), statistics.median(r for _, r in v)) for k, v in runs.items()}
    print("    %-22s %14s %14s %10s" % ("", "gobp-dap", "dlv dap", "gobp/dlv"))
    print("    %-22s %14s %14s %10s" % ("median time to stop", ms(med["gobp"][0]), ms(med["dlv"][0]),
                                         ratio(med["gobp"][0], med["dlv"][0])))
    print("    %-22s %11.1f MB %11.1f MB %10s" % ("median peak RSS", med["gobp"][1] / 1024, med["dlv"][1] / 1024,
                                               ratio(med["gobp"][1], med["dlv"][1])))

    print("\n(2) goroutines %d stopped at %s:%d: threads + stackTrace(20) + scopes + variables, %d runs each"
          % (n, os.path.basename(os.path.dirname(gsrc)) + "/main.go", line, reps))
    alone = statistics.median(program_alone([gor, str(n)]) for _ in range(3))
    print("    program alone (goroutines %d, includes a 200 ms sleep): %s" % (n, ms(alone)))
    rr = {k: [] for k, _ in adapters}
    for i in range(reps):
        for k, exe in adapters:
            r = round_trip(k, exe, gor, gsrc, line, n)
            rr[k].append(r)
            print("    run %d %-5s round %s  threads=%d frames=%d top=%s vars=%d" % (
                i + 1, k, ms(r["round"]), r["nthreads"], r["nframes"], r["top"], r["nvars"]))
    print("    %-22s %14s %14s %10s" % ("median", "gobp-dap", "dlv dap", "gobp/dlv"))
    for key in ("stop", "threads", "stackTrace", "scopes", "variables", "round"):
        a = statistics.median(r[key] for r in rr["gobp"])
        b = statistics.median(r[key] for r in rr["dlv"])
        label = "launch -> stop" if key == "stop" else key
        print("    %-22s %14s %14s %10s" % (label, ms(a), ms(b), ratio(a, b)))
    a = statistics.median(r["rss"] for r in rr["gobp"])
    b = statistics.median(r["rss"] for r in rr["dlv"])
    print("    %-22s %11.1f MB %11.1f MB %10s" % ("peak RSS after round", a / 1024, b / 1024, ratio(a, b)))
    na, nb = rr["gobp"][0]["nthreads"], rr["dlv"][0]["nthreads"]
    a = statistics.median(r["threads"] for r in rr["gobp"]) / max(na, 1)
    b = statistics.median(r["threads"] for r in rr["dlv"]) / max(nb, 1)
    print("    %-22s %11.1f us %11.1f us %10s" % ("threads per listed one", a * 1e6, b * 1e6, ratio(a, b)))
    print("    threads listed: gobp-dap %d, dlv dap %d (dlv returns at most 1024 goroutines by default)" % (na, nb))


if __name__ == "__main__":
    main()
