// Session life cycle: pause while running, disconnect and EOF kill the launched program,
// a TCP server runs two sessions at once and keeps accepting.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, startServer, connect, stopProcess, waitExit, TRANSPORTS, IS_DELVE } from './lib/client.mjs';
import { goToolchains, buildProgram } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';

const T = { timeout: 120000 };
const HALF = h.lineOf('values', 'half := n / 2');

/** pid of the debuggee: from the process event, else the only process running that binary. */
async function debuggeePid(s, program) {
  const pe = s.events.find((e) => e.event === 'process');
  if (pe && pe.body.systemProcessId) return pe.body.systemProcessId;
  let pids = [];
  await h.eventually(() => (pids = h.pidsOf(program)).length === 1, 10000, `one process running ${program}`);
  return pids[0];
}

for (const tc of goToolchains()) {
  describe(`life cycle go${tc.version}`, () => {
    for (const transport of TRANSPORTS) {
      test(`pause while running, then continue to the end (${transport})`, T, async () => {
        const program = buildProgram('sleeper', tc);
        const s = await startSession(transport);
        try {
          await h.launch(s, h.launchArgs({ program, args: ['4'] }));
          await new Promise((r) => setTimeout(r, 700));
          const th = (await s.ok('threads')).threads;
          assert.ok(th.length >= 1, 'threads while running');
          const m = s.mark();
          await s.ok('pause', { threadId: th[0].id });
          const ev = await h.waitStopped(s, m, 'pause', 30000);
          const all = (await s.ok('threads')).threads;
          ev.body.threadId ??= all[0].id;
          assert.ok(all.some((t) => t.id === ev.body.threadId), 'paused thread listed');
          const st = await s.ok('stackTrace', { threadId: ev.body.threadId, startFrame: 0, levels: 50 });
          assert.ok(st.stackFrames.length > 0, 'stack of the paused goroutine');
          // the main goroutine is somewhere in main.main (sleeping or ticking)
          const mainG = all.find((t) => /\[Go 1\]/.test(t.name));
          assert.ok(mainG, 'goroutine 1 listed');
          const ms = await s.ok('stackTrace', { threadId: mainG.id, startFrame: 0, levels: 50 });
          assert.ok(ms.stackFrames.some((f) => f.name === 'main.main'), `main.main on goroutine 1: ${ms.stackFrames.map((f) => f.name)}`);
          await h.runToEnd(s, ev.body.threadId, 0, 60000);
          if (!IS_DELVE) assert.match(s.output('stdout'), /slept true\n$/);
        } finally { await s.close(); }
      });

      test(`disconnect kills the launched program (${transport})`, T, async () => {
        const program = buildProgram('sleeper', tc);
        const s = await startSession(transport);
        try {
          await h.launch(s, h.launchArgs({ program, args: ['600'] }));
          const pid = await debuggeePid(s, program);
          assert.ok(h.pidAlive(pid), 'debuggee running');
          await s.ok('disconnect', {});
          await h.eventually(() => !h.pidAlive(pid), 10000, `debuggee ${pid} gone after disconnect`);
        } finally { await s.close(); }
      });
    }

    test('EOF on stdin acts as disconnect: the debuggee dies, the adapter exits', T, async () => {
      if (IS_DELVE) return; // no stdio mode in Delve
      const program = buildProgram('sleeper', tc);
      const s = await startSession('stdio');
      try {
        const m = s.mark();
        await h.launch(s, h.launchArgs({ program, args: ['600'] }), { breakpoints: { [h.srcPath('sleeper')]: [{ line: h.lineOf('sleeper', 'return i + 1') }] } });
        await h.waitStopped(s, m, 'breakpoint', 60000);
        const pid = await debuggeePid(s, program);
        s.proc.stdin.end();
        const { code, signal } = await waitExit(s.proc, 15000);
        assert.equal(signal, null, 'adapter not killed by a signal');
        assert.equal(code, 0, 'adapter exit status after EOF');
        await h.eventually(() => !h.pidAlive(pid), 10000, `debuggee ${pid} gone after EOF`);
      } finally { await s.close(); }
    });

    test('closing the TCP connection without disconnect kills the debuggee; the server stays up', T, async () => {
      const program = buildProgram('sleeper', tc);
      const server = await startServer();
      try {
        const s = await connect(server);
        await h.launch(s, h.launchArgs({ program, args: ['600'] }));
        const pid = await debuggeePid(s, program);
        s.sock.destroy();
        await h.eventually(() => !h.pidAlive(pid), 10000, `debuggee ${pid} gone after the client closed`);
        if (!IS_DELVE) {
          const s2 = await connect(server);
          await h.initialize(s2);
          await s2.close();
        }
      } finally { await stopProcess(server.proc); }
    });

    test('TCP server: two concurrent sessions stop at their breakpoints independently; then it still accepts', T, async () => {
      const program = buildProgram('values', tc);
      const server = await startServer();
      try {
        const [a, b] = [await connect(server, 'A'), await connect(server, 'B')];
        const ma = a.mark(), mb = b.mark();
        await Promise.all([
          h.launch(a, h.launchArgs({ program }), { breakpoints: { [h.srcPath('values')]: [{ line: HALF }] } }),
          h.launch(b, h.launchArgs({ program, args: ['b'] }), { breakpoints: { [h.srcPath('values')]: [{ line: HALF }] } }),
        ]);
        const [ea, eb] = await Promise.all([h.waitStopped(a, ma, 'breakpoint', 60000), h.waitStopped(b, mb, 'breakpoint', 60000)]);
        // A moves on to the second hit while B stays at the first
        const ea2 = await h.continueToStop(a, ea.body.threadId);
        const Aa = await h.varMap(a, (await h.topFrame(a, ea2.body.threadId)).id, 'Arguments');
        const Ab = await h.varMap(b, (await h.topFrame(b, eb.body.threadId)).id, 'Arguments');
        assert.equal(Aa.n.value, '1', 'session A at its second hit');
        assert.equal(Ab.n.value, '0', 'session B still at its first hit');
        for (const [s, e] of [[a, ea2], [b, eb]]) {
          await s.ok('setBreakpoints', { source: { path: h.srcPath('values') }, breakpoints: [], lines: [] });
          await h.runToEnd(s, e.body.threadId, 3);
        }
        await a.close(); await b.close();
        const c = await connect(server, 'C');
        const mc = c.mark();
        await h.launch(c, h.launchArgs({ program }), { breakpoints: { [h.srcPath('values')]: [{ line: HALF }] } });
        await h.waitStopped(c, mc, 'breakpoint', 60000);
        await c.close();
        assert.equal(server.proc.exitCode, null, 'server still running');
      } finally { await stopProcess(server.proc); }
    });
  });
}
