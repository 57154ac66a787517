#!/usr/bin/env python3
"""Long sessions keep the adapter's memory flat (make soak; README "Resource bounds").

One DAP session over stdio per phase, the adapter's VmRSS sampled every second:
  hits:  SOAK_HITS (10 000 000) handler calls: tests/programs/handlers `concurrent 8 N/8`
         with count.so on main.tick; the program and the plugin must both count N.
  trace: SOAK_TRACE_SECONDS (600) of call tracing: tests/programs/faults `busy SECS`, every
         call of main.traced traced to a JSON lines file (/dev/null) and sent as a gobpTrace
         event, which this client counts and drops.
Prints, per phase, the RSS over the run and its growth after the warm-up (the first tenth);
exits 1 when a phase fails or grows by more than SOAK_MAX_GROWTH_KIB (4096).
usage: soak.py GOBP_DAP HANDLERS_BIN FAULTS_BIN COUNT_SO   (bench/soak.sh builds them)"""
import json, os, re, select, subprocess, sys, tempfile, time

HITS = int(os.environ.get("SOAK_HITS", "10000000"))
TRACE_SECONDS = int(os.environ.get("SOAK_TRACE_SECONDS", "600"))
MAX_GROWTH_KIB = int(os.environ.get("SOAK_MAX_GROWTH_KIB", "4096"))


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"^VmRSS:\s+(\d+)", f.read(), re.M).group(1))


class Session:
    """gobp-dap over its stdio; messages are parsed, counted by kind and dropped."""

    def __init__(self, exe):
        self.proc = subprocess.Popen([exe], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.buf, self.seq, self.counts, self.stdout = b"", 0, {}, ""
        self.samples, self.t0 = [], time.time()

    def send(self, command, arguments=None):
        self.seq += 1
        body = json.dumps({"seq": self.seq, "type": "request", "command": command, "arguments": arguments or {}}).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def messages(self):
        """Every message, sampling the RSS once a second while waiting."""
        next_sample = time.time()
        fd = self.proc.stdout.fileno()
        while True:
            if time.time() >= next_sample:
                self.samples.append((time.time() - self.t0, rss_kib(self.proc.pid)))
                next_sample += 1
            i = self.buf.find(b"\r\n\r\n")
            if i >= 0:
                n = int(re.search(rb"Content-Length: *(\d+)", self.buf[:i], re.I).group(1))
                if len(self.buf) >= i + 4 + n:
                    msg = json.loads(self.buf[i + 4:i + 4 + n])
                    self.buf = self.buf[i + 4 + n:]
                    kind = msg.get("event") or msg.get("command")
                    self.counts[kind] = self.counts.get(kind, 0) + 1
                    if msg.get("event") == "output" and msg["body"].get("category") == "stdout":
                        self.stdout += msg["body"]["output"]
                    yield msg
                    continue
            if select.select([fd], [], [], max(0.0, next_sample - time.time()))[0]:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    raise EOFError("gobp-dap closed its output")
                self.buf += chunk

    def run(self, launch):
        """initialize, launch, configurationDone, then every message until terminated."""
        self.send("initialize", {"adapterID": "go", "clientID": "soak"})
        self.send("launch", launch)
        for m in self.messages():
            if m.get("type") == "response" and not m.get("success"):
                raise RuntimeError("%s failed: %s" % (m.get("command"), m.get("message")))
            if m.get("event") == "initialized":
                self.send("configurationDone")
            if m.get("event") == "terminated":
                break
        self.send("disconnect", {})
        self.proc.stdin.close()
        self.proc.wait(30)


def report(name, s, work):
    samples = s.samples
    end = samples[-1][0]
    warm = [r for t, r in samples if t >= end / 10][0]
    last, peak = samples[-1][1], max(r for _, r in samples)
    marks = [min(samples, key=lambda x: abs(x[0] - end * k / 10))[1] for k in range(11)]
    print("%s: %s in %.0f s" % (name, work, end))
    print("  RSS KiB at 0%%,10%%..100%% of the run: %s" % " ".join(str(m) for m in marks))
    growth = last - warm
    print("  after warm-up %d KiB, at the end %d KiB, peak %d KiB: growth %+d KiB" % (warm, last, peak, growth))
    return growth


def main():
    exe, handlers, faults, count_so = sys.argv[1:5]
    failed = False
    out = tempfile.mktemp(prefix="gobp-soak-count-")
    s = Session(exe)
    s.run({"mode": "exec", "program": handlers, "args": ["concurrent", "8", str(HITS // 8)],
           "handlerBreakpoints": [{"function": "main.tick", "plugin": count_so, "config": "out=" + out}]})
    n = HITS // 8 * 8
    counted = open(out).read() if os.path.exists(out) else ""
    ok = ("ticks %d " % n) in s.stdout and ("main.tick %d\n" % n) in counted
    growth = report("hits", s, "%d handler calls (program: %r, count.so: %r)" % (n, s.stdout.strip(), counted.strip()))
    failed |= not ok or growth > MAX_GROWTH_KIB

    s = Session(exe)
    s.run({"mode": "exec", "program": faults, "args": ["busy", str(TRACE_SECONDS)],
           "trace": {"functions": ["^main\\.traced$"], "output": "/dev/null", "format": "jsonl",
                     "console": False, "events": True}})
    calls = s.counts.get("gobpTrace", 0)
    ok = "busy true" in s.stdout and calls > 0
    growth = report("trace", s, "%d traced calls, each a gobpTrace event" % calls)
    failed |= not ok or growth > MAX_GROWTH_KIB
    print("soak: %s (growth limit %d KiB)" % ("FAILED" if failed else "ok", MAX_GROWTH_KIB))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
