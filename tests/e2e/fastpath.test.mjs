// The fast path of conditions (issue 12): a breakpoint condition the compiler takes runs in the
// program (a jump site), so the calls where it is false never trap. Reading memory there never
// crashes the program: through a nil pointer, and through one that points nowhere (its load
// faults in the program; the fault becomes a hit), the condition is an error handled as
// without the fast path (the stop says why), and the program ends normally. Program:
// tests/programs/handlers, mode badptr: visit(&node{1}), visit(nil), visit(0x8),
// visit(&node{42}); float64 comparisons (mode floats); a hit condition counted in the program
// (mode concurrent); on every Go.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, IS_DELVE } from './lib/client.mjs';
import { goToolchains, buildProgram, tmpDir } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';
import * as P from './lib/plugins.mjs';

const T = { timeout: 180000, skip: IS_DELVE && 'gobp-dap only' };

/** expression at each breakpoint stop from mark m on, continuing until the program ends. */
async function valuesAtEachStop(s, m, expression) {
  const seen = [];
  let ev = await h.waitStopped(s, m, 'breakpoint', 120000);
  for (;;) {
    const top = await h.topFrame(s, ev.body.threadId);
    seen.push((await s.ok('evaluate', { expression, frameId: top.id, context: 'watch' })).result);
    const next = s.mark();
    await s.ok('continue', { threadId: ev.body.threadId });
    ev = await Promise.race([h.waitStopped(s, next, 'breakpoint', 120000), s.waitEvent('terminated', { from: next, timeout: 120000 })]);
    if (ev.event === 'terminated') return seen;
  }
}

for (const tc of goToolchains()) {
  describe(`fast path go${tc.version}`, () => {
    test('a condition through a nil and a wild pointer stops and says why; the program is unharmed', T, async () => {
      const s = await startSession('stdio');
      try {
        const m = s.mark();
        const r = await h.launch(s, h.launchArgs({ program: buildProgram('handlers', tc), args: ['badptr'], cwd: tmpDir() }),
          { functionBreakpoints: [{ name: 'main.visit', condition: 'p.val == 42' }] });
        assert.equal(r.fbps.breakpoints[0].verified, true);
        const seen = [];
        let ev = await h.waitStopped(s, m, 'breakpoint', 60000);
        for (let i = 0; i < 3; i++) {
          const top = await h.topFrame(s, ev.body.threadId);
          assert.equal(top.name, 'main.visit');
          seen.push((await s.ok('evaluate', { expression: 'p', frameId: top.id, context: 'watch' })).result);
          if (i === 2) break;
          ev = await h.continueToStop(s, ev.body.threadId, 'breakpoint', 60000);
        }
        assert.match(seen[0], /nil/, 'the nil pointer: an error, a stop');
        assert.match(seen[1], /0x8/, 'the pointer to nowhere: its load faulted in the program, a stop');
        assert.match(seen[2], /val: 42/, 'the condition true');
        P.assertMessage(s, [/breakpoint \d+: condition "p\.val == 42" cannot be evaluated/], 'the error is said');
        assert.ok(!P.adapterText(s).includes('evaluated by the debugger'), 'the condition ran in the program');
        /* stepping from the jump site: by instruction (out through the copy), then by line */
        const at = await h.topFrame(s, ev.body.threadId);
        let m2 = s.mark();
        await s.ok('next', { threadId: ev.body.threadId, granularity: 'instruction' });
        await h.waitStopped(s, m2, 'step', 60000);
        const after = await h.topFrame(s, ev.body.threadId);
        assert.equal(after.name, 'main.visit');
        assert.ok(BigInt(after.instructionPointerReference) > BigInt(at.instructionPointerReference), 'one step forward, in the program');
        m2 = s.mark();
        await s.ok('next', { threadId: ev.body.threadId });
        await h.waitStopped(s, m2, 'step', 60000);
        const line = await h.topFrame(s, ev.body.threadId);
        assert.equal(line.name, 'main.visit');
        assert.ok(line.line > at.line, `the next line (${at.line} -> ${line.line})`);
        await h.runToEnd(s, ev.body.threadId, 0);
        assert.deepEqual(P.stdoutLines(s), ['visit 1 -1 -1 42']);
      } finally { await s.close(); }
    });

    for (const [cond, want] of [['a != a', ['1']], ['a > 1.5 || a != a', ['2', '1', '-1']], ['a <= -2.5 || b == 4 || a == 0', ['0', '4', '7']]]) {
      test(`float64 comparisons in the program, NaN and -0 as IEEE says: ${cond}`, T, async () => {
        const s = await startSession('stdio');
        try {
          const m = s.mark();
          await h.launch(s, h.launchArgs({ program: buildProgram('handlers', tc), args: ['floats'], cwd: tmpDir() }),
            { functionBreakpoints: [{ name: 'main.ratio', condition: cond }] });
          const seen = await valuesAtEachStop(s, m, 'b');
          assert.deepEqual(seen, want, 'the calls where the condition holds');
          assert.ok(!P.adapterText(s).includes('evaluated by the debugger'), 'the condition ran in the program');
          assert.equal(P.stdoutLines(s).length, 7);
        } finally { await s.close(); }
      });
    }

    test('taken out while 8 goroutines run through it (a conditional breakpoint, a trace restarted); the program is unharmed', T, async () => {
      for (const what of ['breakpoint', 'trace']) {
        const s = await startSession('stdio');
        try {
          const m = s.mark();
          const fb = what === 'breakpoint' ? [{ name: 'main.tick', condition: 'i < 0 && i > 0' }] : null;
          const extra = what === 'trace' ? { trace: { functions: ['main\\.tick$'], console: false, events: false } } : {};
          const each = what === 'breakpoint' ? 3000000 : 500000;   /* a trace formats every call */
          await h.launch(s, h.launchArgs({ program: buildProgram('handlers', tc), args: ['concurrent', '8', `${each}`], cwd: tmpDir(), ...extra }),
            { functionBreakpoints: fb });
          await new Promise((r) => setTimeout(r, 300));
          if (what === 'breakpoint') {
            await s.ok('setFunctionBreakpoints', { breakpoints: [] });   /* the jump sites come out while it runs */
          } else {   /* the trace restarts while it runs: old jump sites out, int3s until the next stop, then jumps */
            await s.ok('setTracepoints', { functions: ['main.tick'] });
            const m2 = s.mark();
            await s.ok('pause', { threadId: 1 });
            const ev = await h.waitStopped(s, m2, 'pause', 60000);
            await s.ok('continue', { threadId: ev.body.threadId });
          }
          await s.waitEvent('terminated', { from: m, timeout: 170000 });
          const exited = s.events.find((e) => e.event === 'exited');
          assert.equal(exited && exited.body.exitCode, 0, `${what}: exit 0\n${P.adapterText(s).slice(-1500)}`);
          assert.deepEqual(P.stdoutLines(s), [`ticks ${8 * each} total ${8 * each}`], what);
        } finally { await s.close(); }
      }
    });

    test('a hit condition counts in the program: the stops are the 25 000th, 50 000th... true calls', T, async () => {
      const s = await startSession('stdio');
      try {
        const m = s.mark();
        const r = await h.launch(s, h.launchArgs({ program: buildProgram('handlers', tc), args: ['concurrent', '1', '200000'], cwd: tmpDir() }),
          { functionBreakpoints: [{ name: 'main.tick', condition: 'i >= 100000', hitCondition: '% 25000' }] });
        assert.equal(r.fbps.breakpoints[0].verified, true);
        const seen = await valuesAtEachStop(s, m, 'i');
        assert.deepEqual(seen, ['124999', '149999', '174999', '199999'], 'the 25 000th to 100 000th calls with i >= 100000');
        assert.ok(!P.adapterText(s).includes('evaluated by the debugger'), 'the condition and the count ran in the program');
        assert.deepEqual(P.stdoutLines(s), ['ticks 200000 total 200000']);
      } finally { await s.close(); }
    });
  });
}
