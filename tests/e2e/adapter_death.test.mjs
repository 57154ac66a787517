// gobp-dap is SIGKILLed (as a crash or the OOM killer would) in the middle of a session:
// an attached program runs on, untraced, with its code repaired by the guard process; a launched
// program dies with the debugger (PTRACE_O_EXITKILL). README "If gobp-dap dies".
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { startSession, waitExit, IS_DELVE } from './lib/client.mjs';
import { goToolchains, buildProgram } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';

const T = { timeout: 180000, skip: IS_DELVE && 'gobp-dap behaviour' };

function tracerPid(pid) {
  const m = /^TracerPid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? +m[1] : -1;
}
function procState(pid) {
  return /^State:\s+(\S)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1];
}
/** The sleeper prints nothing while it runs; its counter is read through the number of ticks it
 *  reports at the end, and liveness through its CPU time growing (the spinning goroutine). */
function cpuTicks(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return +f[11] + +f[12]; // utime + stime
}

/** Starts the sleeper for `secs` seconds; resolves once it printed "started". */
async function startSleeper(tc, secs) {
  const program = buildProgram('sleeper', tc);
  const p = spawn(program, [String(secs)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { text: '', err: '' };
  p.stdout.on('data', (d) => { out.text += d; });
  p.stderr.on('data', (d) => { out.err += d; });
  const exited = new Promise((resolve) => p.once('exit', (code, signal) => resolve({ code, signal })));
  await h.eventually(() => out.text.includes('started'), 10000, 'sleeper started');
  return { p, out, exited };
}

/** Attaches a session to pid with a breakpoint at `return i + 1` in tick (called every 10 ms)
 *  carrying `bp` (e.g. a logMessage), and waits for the attach to complete. */
async function attachWithBreakpoint(s, pid, bp) {
  await h.initialize(s);
  const ar = s.req('attach', { name: 'e2e', type: 'go', request: 'attach', mode: 'local', processId: pid }, 60000);
  await s.waitEvent('initialized', { timeout: 60000 });
  const line = h.lineOf('sleeper', 'return i + 1');
  const b = await s.ok('setBreakpoints', { source: { path: h.srcPath('sleeper') }, breakpoints: [{ line, ...bp }], lines: [line] });
  assert.equal(b.breakpoints[0].verified, true, JSON.stringify(b.breakpoints[0]));
  await s.ok('configurationDone');
  const r = await ar;
  assert.ok(r.success, h.errorText(r));
}

/** After the adapter's death: untraced, not stopped, still working for `ms`, then it ends on its
 *  own with exit code 0 and "slept true". */
async function assertRunsOn(sl, ms) {
  const pid = sl.p.pid;
  await h.eventually(() => tracerPid(pid) === 0, 5000, 'TracerPid 0 after the adapter died');
  await h.eventually(() => procState(pid) !== 't' && procState(pid) !== 'T', 3000, `not stopped (state ${procState(pid)})`);
  const before = cpuTicks(pid);
  await new Promise((r) => setTimeout(r, ms));
  assert.ok(h.pidAlive(pid), `the program is alive ${ms} ms after the adapter died: ${sl.out.err.slice(-400)}`);
  assert.equal(tracerPid(pid), 0);
  assert.ok(cpuTicks(pid) > before, 'the program keeps running (its CPU time grows)');
  const end = await Promise.race([sl.exited, new Promise((r) => setTimeout(() => r(null), 30000))]);
  assert.deepEqual(end, { code: 0, signal: null }, `the program ended normally: ${sl.out.err.slice(-600)}`);
  assert.match(sl.out.text, /slept true/);
}

const tc = goToolchains()[goToolchains().length - 1];

describe(`gobp-dap SIGKILLed go${tc.version}`, () => {
  // Not guaranteed (README "If gobp-dap dies"): a hit that comes in the few ms before the guard
  // has put the code back, or a thread held at a hit at that moment, gets a SIGTRAP the Go
  // runtime dies of. Measured: 6 of 8 runs survive with a hit every 10 ms. Runs as a todo.
  test('attached, running with a logpoint hit every 10 ms: the program runs on, untraced, and ends normally',
    { ...T, todo: 'a hit within ~2 ms of the death is fatal to the program' }, async () => {
    const sl = await startSleeper(tc, 12);
    const s = await startSession('stdio');
    try {
      await attachWithBreakpoint(s, sl.p.pid, { logMessage: 'tick {i}' });
      await h.eventually(() => (s.output('console').match(/tick \d+/g) || []).length >= 5, 20000, 'the logpoint was hit 5 times');
      assert.notEqual(tracerPid(sl.p.pid), 0, 'traced while the session runs');
      s.proc.kill('SIGKILL');
      await waitExit(s.proc);
      await assertRunsOn(sl, 3000);
    } finally { sl.p.kill('SIGKILL'); await s.close(); }
  });

  test('attached, running after a breakpoint stop and a continue (breakpoint removed): runs on', T, async () => {
    const sl = await startSleeper(tc, 12);
    const s = await startSession('stdio');
    try {
      const m = s.mark();
      await attachWithBreakpoint(s, sl.p.pid, {});
      const ev = await h.waitStopped(s, m, 'breakpoint', 60000);
      // a second breakpoint that stays in the code, on a line the loop does not reach before the end
      const line = h.lineOf('sleeper', 'close(stop)');
      await s.ok('setBreakpoints', { source: { path: h.srcPath('sleeper') }, breakpoints: [{ line }], lines: [line] });
      await s.ok('continue', { threadId: ev.body.threadId });
      await new Promise((r) => setTimeout(r, 500));
      s.proc.kill('SIGKILL');
      await waitExit(s.proc);
      await assertRunsOn(sl, 3000); // it passes the close(stop) line: the int3 there is gone
    } finally { sl.p.kill('SIGKILL'); await s.close(); }
  });

  test('attached, paused (pause request): runs on, untraced, not left stopped', T, async () => {
    const sl = await startSleeper(tc, 12);
    const s = await startSession('stdio');
    try {
      await attachWithBreakpoint(s, sl.p.pid, { condition: 'i < 0' }); // hit every 10 ms, never stops
      await new Promise((r) => setTimeout(r, 300));
      // an int3 that stays, on a line the loop reaches only at the end; none in tick while paused
      const line = h.lineOf('sleeper', 'close(stop)');
      await s.ok('setBreakpoints', { source: { path: h.srcPath('sleeper') }, breakpoints: [{ line }], lines: [line] });
      const m = s.mark();
      const th = await s.ok('threads');
      await s.ok('pause', { threadId: th.threads[0].id });
      await h.waitStopped(s, m, 'pause', 30000);
      s.proc.kill('SIGKILL');
      await waitExit(s.proc);
      await assertRunsOn(sl, 3000);
    } finally { sl.p.kill('SIGKILL'); await s.close(); }
  });

  test('launched: the program dies with gobp-dap', T, async () => {
    const program = buildProgram('sleeper', tc);
    const s = await startSession('stdio');
    try {
      await h.initialize(s);
      const m = s.mark();
      const lr = s.req('launch', h.launchArgs({ program, args: ['60'] }), 60000);
      await s.waitEvent('initialized', { timeout: 60000 });
      await s.ok('configurationDone');
      assert.ok((await lr).success);
      const pe = await s.waitEvent('process', { from: m, timeout: 30000 });
      const pid = pe.body.systemProcessId;
      assert.ok(pid > 0 && h.pidAlive(pid));
      s.proc.kill('SIGKILL');
      await waitExit(s.proc);
      await h.eventually(() => !h.pidAlive(pid), 5000, 'the launched program died with the adapter');
    } finally { await s.close(); }
  });
});
