// The fault matrix (issue 10): the debugged program killed in every state, the client leaving in
// the middle, a framing attack, signal storms and threads that exit under a step or a handler.
// Each case says what must happen; the adapter (a TCP server here) must stay healthy for the
// next session and leave no zombie behind. Programs: tests/programs/faults, sleeper, values,
// goroutines. gobp-dap SIGKILLed: adapter_death.test.mjs; plugins that crash, abort, spin, exit,
// overflow or fail in init/fini: handlers.test.mjs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { startServer, connect, stopProcess, IS_DELVE } from './lib/client.mjs';
import { goToolchains, buildProgram, tmpDir, pathWithGo, PROGRAMS } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';
import * as P from './lib/plugins.mjs';

const T = { timeout: 180000, skip: IS_DELVE && 'gobp-dap behaviour' };
const TCS = goToolchains();
const NEWEST = TCS[TCS.length - 1];
const SLEEPER_TICK = h.lineOf('sleeper', 'return i + 1');
const PAUSE_CALL = h.lineOf('faults', 'fmt.Println("paused", pause(');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Every process as {pid, ppid, state, comm} (from /proc/PID/stat). */
function processes() {
  const out = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const close = st.lastIndexOf(')');
      const f = st.slice(close + 2).split(' ');
      out.push({ pid: +d, comm: st.slice(st.indexOf('(') + 1, close), state: f[0], ppid: +f[1] });
    } catch { /* gone meanwhile */ }
  }
  return out;
}
/** Processes below root (not root itself). */
function descendants(root) {
  const all = processes();
  const found = [];
  let level = [root];
  while (level.length) {
    const kids = all.filter((p) => level.includes(p.ppid));
    found.push(...kids);
    level = kids.map((p) => p.pid);
  }
  return found;
}
async function assertNoZombies(server) {
  await h.eventually(() => !descendants(server.proc.pid).some((p) => p.state === 'Z'), 10000,
    `no zombie under the server: ${JSON.stringify(descendants(server.proc.pid))}`);
}
const gone = (pid) => !fs.existsSync(`/proc/${pid}`);
const rssKiB = (pid) => +(/^VmRSS:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8')) || [0, 0])[1];

function debuggeePid(s) {
  const pe = s.events.find((e) => e.event === 'process');
  assert.ok(pe && pe.body.systemProcessId > 0, 'a process event with systemProcessId');
  return pe.body.systemProcessId;
}

/** exited (code 137: SIGKILL) then terminated, after `from`. */
async function assertKilledEvents(s, from) {
  const term = await s.waitEvent('terminated', { from, timeout: 30000 });
  const exited = s.events.slice(from).find((e) => e.event === 'exited');
  assert.ok(exited, `exited before terminated: ${s.events.slice(from).map((e) => e.event)}`);
  assert.ok(s.events.indexOf(exited) < s.events.indexOf(term), 'exited comes before terminated');
  assert.equal(exited.body.exitCode, 128 + 9, 'exit code of a SIGKILLed program');
}

/** The server still serves a whole session: values stops at its breakpoint and ends (exit 3). */
async function assertServes(server, tc) {
  const s = await connect(server, 'next');
  try {
    const m = s.mark();
    const line = h.lineOf('values', 'half := n / 2');
    await h.launch(s, h.launchArgs({ program: buildProgram('values', tc) }), { breakpoints: { [h.srcPath('values')]: [{ line }] } });
    const ev = await h.waitStopped(s, m, 'breakpoint', 60000);
    await s.ok('setBreakpoints', { source: { path: h.srcPath('values') }, breakpoints: [], lines: [] });
    await h.runToEnd(s, ev.body.threadId, 3);
  } finally { await s.close(); }
}

/** A TCP server, a session on it; fn(s, server, m); then the server must serve another
 *  session and leave no zombie. */
async function onServer(tc, fn, { env } = {}) {
  const server = await startServer({ env });
  try {
    const s = await connect(server);
    try { await fn(s, server, s.mark()); } finally { await s.close(); }
    await assertServes(server, tc);
    await assertNoZombies(server);
    assert.equal(server.proc.exitCode, null, `the server is still running: ${server.output().slice(-1000)}`);
  } finally { await stopProcess(server.proc); }
}

describe(`the debugged program is SIGKILLed go${NEWEST.version}`, () => {
  const tc = NEWEST;
  const cases = {
    'while running': async (s) => {
      await h.launch(s, h.launchArgs({ program: buildProgram('sleeper', tc), args: ['600'] }));
      await h.eventually(() => /started/.test(s.output('stdout')), 30000, 'sleeper started');
    },
    'while stopped at a breakpoint': async (s, m) => {
      await h.launch(s, h.launchArgs({ program: buildProgram('sleeper', tc), args: ['600'] }),
        { breakpoints: { [h.srcPath('sleeper')]: [{ line: SLEEPER_TICK }] } });
      await h.waitStopped(s, m, 'breakpoint', 60000);
    },
    'in the middle of a next over a 30 s call': async (s, m) => {
      await h.launch(s, h.launchArgs({ program: buildProgram('faults', tc), args: ['slow', '30'] }),
        { breakpoints: { [h.srcPath('faults')]: [{ line: PAUSE_CALL }] } });
      const ev = await h.waitStopped(s, m, 'breakpoint', 60000);
      const mm = s.mark();
      await s.ok('next', { threadId: ev.body.threadId });
      await s.waitEvent('continued', { from: mm, timeout: 10000 }).catch(() => {});
      await sleep(500); // the step is under way: pause sleeps 30 s
      assert.ok(!s.events.slice(mm).some((e) => e.event === 'stopped'), 'the step has not ended');
    },
    'while a handler plugin runs': async (s) => {
      const mark = path.join(tmpDir(), `handler-in-flight-${process.pid}`);
      fs.rmSync(mark, { force: true });
      await h.launch(s, h.launchArgs({ program: buildProgram('faults', tc), args: ['slow', '30'], handlerTimeoutMs: 60000,
        handlerBreakpoints: [P.handler('main.pause', 'slow', `ms=3000;mark=${mark}`)] }));
      await h.eventually(() => fs.existsSync(mark), 30000, 'the plugin call started');
    },
    'while tracing': async (s) => {
      await h.launch(s, h.launchArgs({ program: buildProgram('sleeper', tc), args: ['600'], trace: { functions: ['main\\.tick'], console: false } }));
      await s.waitEvent('gobpTrace', { timeout: 30000 });
    },
  };
  for (const [state, setup] of Object.entries(cases)) {
    test(`${state}: exited (137) and terminated; the server serves the next session; no zombie`, T, () =>
      onServer(tc, async (s, server, m) => {
        await setup(s, m);
        const pid = debuggeePid(s);
        const mk = s.mark();
        process.kill(pid, 'SIGKILL');
        await assertKilledEvents(s, mk);
        await h.eventually(() => gone(pid), 10000, `the program ${pid} is reaped, not left a zombie`);
        await s.ok('disconnect', {});
      }));
  }
});

/** A raw TCP connection to the server. */
async function rawSocket(server) {
  const sock = net.createConnection({ host: server.host, port: server.port });
  await new Promise((r, j) => { sock.once('connect', r); sock.once('error', j); });
  sock.received = '';
  sock.on('data', (d) => { sock.received += d; });
  sock.closedP = new Promise((r) => sock.once('close', r));
  return sock;
}
const frame = (o) => { const j = JSON.stringify(o); return `Content-Length: ${Buffer.byteLength(j)}\r\n\r\n${j}`; };

describe(`the client leaves in the middle go${NEWEST.version}`, () => {
  const tc = NEWEST;
  test('closes its socket while stopped at a breakpoint (launch): the program is killed', T, () =>
    onServer(tc, async (s, server, m) => {
      await h.launch(s, h.launchArgs({ program: buildProgram('sleeper', tc), args: ['600'] }),
        { breakpoints: { [h.srcPath('sleeper')]: [{ line: SLEEPER_TICK }] } });
      await h.waitStopped(s, m, 'breakpoint', 60000);
      const pid = debuggeePid(s);
      s.sock.destroy();
      await h.eventually(() => gone(pid), 10000, `program ${pid} killed and reaped`);
    }));

  test('closes its socket while stopped at a breakpoint (attach): the program runs on, untraced, and ends normally', T, async () => {
    const program = buildProgram('sleeper', tc);
    const p = spawn(program, ['4'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    const exited = new Promise((r) => p.once('exit', (code, signal) => r({ code, signal })));
    try {
      await h.eventually(() => out.includes('started'), 10000, 'sleeper started');
      await onServer(tc, async (s, server, m) => {
        await h.initialize(s);
        const ar = s.req('attach', { name: 'e2e', type: 'go', request: 'attach', mode: 'local', processId: p.pid }, 60000);
        await s.waitEvent('initialized', { timeout: 60000 });
        await s.ok('setBreakpoints', { source: { path: h.srcPath('sleeper') }, breakpoints: [{ line: SLEEPER_TICK }], lines: [SLEEPER_TICK] });
        await s.ok('configurationDone');
        assert.ok((await ar).success);
        await h.waitStopped(s, m, 'breakpoint', 60000);
        s.sock.destroy();
        await h.eventually(() => /^TracerPid:\s+0$/m.test(fs.readFileSync(`/proc/${p.pid}/status`, 'utf8')), 10000, 'detached');
      });
      assert.deepEqual(await exited, { code: 0, signal: null }, 'the attached program ended on its own');
      assert.match(out, /slept true/);
    } finally { p.kill('SIGKILL'); }
  });

  test('closes its socket while launch builds the package (mode debug): no build, binary or program left', T, async () => {
    const server = await startServer({ env: { PATH: pathWithGo(tc) } });
    try {
      const before = new Set(fs.readdirSync('/tmp').filter((f) => f.startsWith('gobp-dap-build-')));
      const sock = await rawSocket(server);
      sock.write(frame({ seq: 1, type: 'request', command: 'initialize', arguments: { adapterID: 'go' } }));
      sock.write(frame({ seq: 2, type: 'request', command: 'launch',
        arguments: { mode: 'debug', program: path.join(PROGRAMS, 'values'), env: { GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' } } }));
      await h.eventually(() => descendants(server.proc.pid).some((p) => p.comm === 'go' || p.comm === 'compile' || p.comm === '__debug_bin'),
        30000, 'the build or the program started');
      sock.destroy();
      await h.eventually(() => descendants(server.proc.pid).length === 0, 60000,
        `nothing left under the server: ${JSON.stringify(descendants(server.proc.pid))}`);
      const left = fs.readdirSync('/tmp').filter((f) => f.startsWith('gobp-dap-build-') && !before.has(f));
      assert.deepEqual(left, [], 'the temporary build directory is removed');
      await assertServes(server, tc);
    } finally { await stopProcess(server.proc); }
  });

  test('closes its socket before the reply to a large request (threads of 10 000 goroutines): no SIGPIPE death', T, () =>
    onServer(tc, async (s, server, m) => {
      const line = h.lineOf('goroutines', 'return n * 2');
      await h.launch(s, h.launchArgs({ program: buildProgram('goroutines', tc), args: ['10000'] }),
        { breakpoints: { [h.srcPath('goroutines')]: [{ line }] } });
      await h.waitStopped(s, m, 'breakpoint', 60000);
      const pid = debuggeePid(s);
      s.dc.doSend('threads', {}, () => {});
      s.sock.destroy();
      await h.eventually(() => gone(pid), 20000, `program ${pid} killed and reaped`);
    }));

  test('closes its socket in the middle of a message: the server serves the next session', T, async () => {
    const server = await startServer();
    try {
      const sock = await rawSocket(server);
      sock.end('Content-Length: 200\r\n\r\n{"seq": 1, "type": "requ');
      await sock.closedP;
      await assertServes(server, NEWEST);
      await assertNoZombies(server);
    } finally { await stopProcess(server.proc); }
  });
});

describe('hostile framing', () => {
  test('Content-Length of 2 GB: an output event names the limit, the connection closes, memory is untouched', T, async () => {
    const server = await startServer();
    try {
      const sock = await rawSocket(server);
      sock.write(frame({ seq: 1, type: 'request', command: 'initialize', arguments: { adapterID: 'go' } }));
      await h.eventually(() => /"command":"initialize"/.test(sock.received), 10000, 'initialize answered');
      const session = descendants(server.proc.pid)[0];
      assert.ok(session, 'a session process');
      const rss0 = rssKiB(session.pid);
      sock.write('Content-Length: 2147483648\r\n\r\n' + 'x'.repeat(1 << 20));
      await sock.closedP;
      assert.match(sock.received, /"event":"output".*2147483648.*limit/s, `an output event about the limit: ${sock.received.slice(-400)}`);
      assert.ok(rss0 > 0 && rss0 < 64 * 1024, `session RSS ${rss0} KiB before`);
      await assertServes(server, NEWEST);
      assert.ok(rssKiB(server.proc.pid) < 64 * 1024, 'the server itself stays small');
    } finally { await stopProcess(server.proc); }
  });

  test('a client that trickles its request one byte at a time does not hold up another session; its request is then answered', T, async () => {
    const server = await startServer();
    try {
      const slow = await rawSocket(server);
      const bytes = frame({ seq: 1, type: 'request', command: 'initialize', arguments: { adapterID: 'go', clientID: 'trickle' } });
      for (const ch of bytes.slice(0, -1)) { slow.write(ch); await sleep(5); }
      await assertServes(server, NEWEST);
      assert.equal(slow.received, '', 'nothing answered before the message is complete');
      slow.write(bytes.slice(-1));
      await h.eventually(() => /"command":"initialize","success":true|"success":true.*"command":"initialize"/.test(slow.received), 10000,
        `the trickled initialize is answered: ${slow.received}`);
      slow.destroy();
    } finally { await stopProcess(server.proc); }
  });
});

for (const tc of TCS) {
  describe(`signal storms go${tc.version}`, () => {
    test('CPU profiling, a SIGUSR1 storm the program handles, preemption and GCs: a stop, a never-true condition, a handler and a trace count every call', T, () =>
      onServer(tc, async (s, server, m) => {
        const out = path.join(tmpDir(), `storm-count-${tc.version}`);
        const trace = path.join(tmpDir(), `storm-trace-${tc.version}.jsonl`);
        fs.rmSync(out, { force: true });
        const hot = h.lineOf('faults', 'func hot(i int) int');
        await h.launch(s, h.launchArgs({ program: buildProgram('faults', tc), args: ['storm', '3000'],
          handlerBreakpoints: [P.handler('main.cold', 'count', `out=${out}`)],
          trace: { functions: ['^main\\.traced$'], output: trace, format: 'jsonl', console: false, events: false } }),
        { breakpoints: { [h.srcPath('faults')]: [{ line: hot, condition: 'i == 1000' }] },
          functionBreakpoints: [{ name: 'main.hot', condition: 'i < 0' }] });
        const ev = await h.waitStopped(s, m, 'breakpoint', 120000);
        const args = await h.varMap(s, (await h.topFrame(s, ev.body.threadId)).id, 'Arguments');
        assert.equal(args.i.value, '1000', 'stopped at the call the condition names');
        await h.runToEnd(s, ev.body.threadId, 0, 170000);
        const line = P.lineStarting(P.stdoutLines(s), 'storm');
        const [, calls] = /calls=(\d+) sum=\d+ usr1>=200=true/.exec(line) || assert.fail(`program output: ${line}`);
        await h.eventually(() => fs.existsSync(out), 10000, 'count.so wrote its counts');
        assert.match(fs.readFileSync(out, 'utf8'), new RegExp(`^main\\.cold ${calls}$`, 'm'), 'one handler call per call');
        const recs = fs.readFileSync(trace, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
        assert.equal(recs.length, +calls, 'one trace record per call');
        assert.ok(recs.every((r) => r.function === 'main.traced' && r.end === 'return'), 'every traced call returned');
      }));
  });

  describe(`threads that exit go${tc.version}`, () => {
    test('a handler and a trace on goroutines whose OS threads exit: every call counted once, the program ends normally', T, () =>
      onServer(tc, async (s, server, m) => {
        const out = path.join(tmpDir(), `threads-count-${tc.version}`);
        fs.rmSync(out, { force: true });
        await h.launch(s, h.launchArgs({ program: buildProgram('faults', tc), args: ['threads', '30', '8'],
          handlerBreakpoints: [P.handler('main.job', 'count', `out=${out}`)],
          // main.job, not main.locked: locked's deferred wg.Done lets main exit before locked's own RET
          trace: { functions: ['^main\\.job$'], console: false, events: true } }));
        await s.waitEvent('terminated', { from: m, timeout: 170000 });
        assert.match(s.output('stdout'), /^threads jobs=240$/m);
        await h.eventually(() => fs.existsSync(out), 10000, 'count.so wrote its counts');
        assert.match(fs.readFileSync(out, 'utf8'), /^main\.job 240$/m, 'one handler call per job');
        const recs = s.events.filter((e) => e.event === 'gobpTrace');
        assert.equal(recs.length, 240, 'one trace record per job');
        assert.ok(recs.every((e) => e.body.end === 'return'), `every traced call returned: ${JSON.stringify(recs.find((e) => e.body.end !== 'return'))}`);
        const exited = s.events.find((e) => e.event === 'exited');
        assert.equal(exited.body.exitCode, 0);
      }));

    test('next in main while the OS threads of other goroutines exit: each step ends on main\'s next line', T, () =>
      onServer(tc, async (s, server, m) => {
        const roundLine = h.lineOf('faults', 'round(r, g) // the step loop');
        const lines = [roundLine, roundLine + 1, h.lineOf('faults', 'for r := 0; r < rounds; r++')];
        await h.launch(s, h.launchArgs({ program: buildProgram('faults', tc), args: ['threads', '30', '8'] }),
          { breakpoints: { [h.srcPath('faults')]: [{ line: roundLine }] } });
        const ev = await h.waitStopped(s, m, 'breakpoint', 60000);
        await s.ok('setBreakpoints', { source: { path: h.srcPath('faults') }, breakpoints: [], lines: [] });
        const tid = ev.body.threadId;
        for (let i = 0; i < 9; i++) {
          const mm = s.mark();
          await s.ok('next', { threadId: tid });
          const st = await h.waitStopped(s, mm, 'step', 60000);
          assert.equal(st.body.threadId, tid, 'the step ends on the goroutine that stepped');
          const f = await h.topFrame(s, tid);
          assert.equal(f.name, 'main.threads');
          assert.ok(lines.includes(f.line), `step ${i} ends on a line of the loop, not ${f.line}`);
        }
        await h.runToEnd(s, tid, 0);
        assert.match(s.output('stdout'), /^threads jobs=240$/m);
      }));

    test('next off the end of a goroutine whose OS thread then exits: the step ends, nothing hangs, the program ends normally', T, () =>
      onServer(tc, async (s, server, m) => {
        const jobCall = h.lineOf('faults', '	job(i)');
        await h.launch(s, h.launchArgs({ program: buildProgram('faults', tc), args: ['threads', '3', '4'] }),
          { breakpoints: { [h.srcPath('faults')]: [{ line: jobCall, condition: 'i == 5' }] } });
        const ev = await h.waitStopped(s, m, 'breakpoint', 60000);
        await s.ok('setBreakpoints', { source: { path: h.srcPath('faults') }, breakpoints: [], lines: [] });
        let tid = ev.body.threadId;
        // next until the goroutine is gone: each step stops on this goroutine, in locked, the
        // go statement's wrapper (round.func1 before Go 1.21, round.gowrap1 after) or runtime.goexit; the next one from there ends
        // the goroutine (its thread exits) and, no breakpoint left, the program runs to its end
        const seen = [];
        let ended = false;
        for (let i = 0; i < 6 && !ended; i++) {
          const mm = s.mark();
          await s.ok('next', { threadId: tid });
          const r = await Promise.race([s.waitEvent('stopped', { from: mm, timeout: 60000 }), s.waitEvent('terminated', { from: mm, timeout: 60000 })]);
          if (r.event === 'terminated') { ended = true; break; }
          assert.equal(r.body.reason, 'step');
          assert.equal(r.body.threadId, tid, 'the step ends on the goroutine that stepped');
          const f = await h.topFrame(s, tid);
          seen.push(f.name);
          assert.match(f.name, /^(main\.locked|main\.round\.(gowrap|func)\d+|runtime\.goexit.*)$/, `step ${i}: ${seen}`);
        }
        assert.ok(ended, `the goroutine ended within 6 steps: ${seen}`);
        assert.ok(seen.some((n) => n.startsWith('runtime.goexit')), `the last stop is in runtime.goexit: ${seen}`);
        await s.waitEvent('terminated', { from: m, timeout: 60000 });
        assert.match(s.output('stdout'), /^threads jobs=12$/m);
        assert.equal(s.events.find((e) => e.event === 'exited').body.exitCode, 0);
      }));
  });
}
