// next / stepIn / stepOut on one goroutine while another goroutine runs the same function:
// stepping in follows direct calls, closures (func values) and interface methods; step out
// returns to the caller; the other goroutine never ends a step. And `next` in a loop that five
// other busy goroutines run too ends on the stepping goroutine's next line while the others
// are still at work, over stdio and TCP. On every Go version.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, IS_DELVE, TRANSPORTS } from './lib/client.mjs';
import { goToolchains, buildProgram } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';

const T = { timeout: 120000 };
const SRC = h.srcPath('stepping');
const L = (text) => h.lineOf('stepping', text);
const BUSY_SRC = h.srcPath('busystep');
const B = (text) => h.lineOf('busystep', text);
const BUSY_TOTAL = 6 * 2000; // busystep: workers * rounds

/** Stepping into a function stops at its declaration line (where the arguments are set up,
 *  as Delve does) or at its first statement. */
function assertEntered(at, name, declLine, bodyLine) {
  assert.equal(at.name, name);
  assert.ok(at.line === declLine || at.line === bodyLine, `${name} entered at line ${at.line} (want ${declLine} or ${bodyLine})`);
}

async function step(s, kind, threadId) {
  const m = s.mark();
  await s.ok(kind, { threadId });
  const ev = await h.waitStopped(s, m, 'step', 60000);
  assert.equal(ev.body.threadId, threadId, `${kind} stays on goroutine ${threadId}`);
  const f = await h.topFrame(s, threadId);
  return { name: f.name, line: f.line };
}

for (const tc of goToolchains()) {
  describe(`stepping go${tc.version}`, () => {
    test('next, step in (direct, closure, interface method), step out', T, async () => {
      if (IS_DELVE) return;
      const program = buildProgram('stepping', tc);
      const s = await startSession('stdio');
      try {
        const m = s.mark();
        await h.launch(s, h.launchArgs({ program }), { breakpoints: { [SRC]: [{ line: L('// STEP start') }] } });
        const ev = await h.waitStopped(s, m, 'breakpoint', 60000);
        const g = ev.body.threadId;
        assert.deepEqual(await step(s, 'next', g), { name: 'main.main', line: L('total = add(total, 1)') });
        assertEntered(await step(s, 'stepIn', g), 'main.add', L('func add(a, b int) int {'), L('// STEP add body'));
        const out = await step(s, 'stepOut', g);
        assert.equal(out.name, 'main.main');
        assert.ok([L('total = add(total, 1)'), L('total = twice(total)')].includes(out.line), `back in main at ${out.line}`);
        if (out.line === L('total = add(total, 1)'))
          assert.deepEqual(await step(s, 'next', g), { name: 'main.main', line: L('total = twice(total)') });
        assertEntered(await step(s, 'stepIn', g), 'main.main.func1', L('twice := func(x int) int {'), L('// STEP closure body'));
        await step(s, 'stepOut', g);
        let at = await step(s, 'next', g);
        if (at.line === L('total = twice(total)')) at = await step(s, 'next', g);
        assert.deepEqual(at, { name: 'main.main', line: L('s := g.Greet("go")') });
        assertEntered(await step(s, 'stepIn', g), 'main.English.Greet', L('func (e English) Greet(name string) string {'), L('// STEP greet body'));
        await step(s, 'stepOut', g);
        // through the loop with next until the last line: never leaves main, never stops in add (background)
        for (let i = 0; i < 20; i++) {
          at = await step(s, 'next', g);
          assert.equal(at.name, 'main.main');
          if (at.line === L('// STEP end')) break;
        }
        assert.equal(at.line, L('// STEP end'));
        const vars = await h.varMap(s, (await h.topFrame(s, g)).id);
        assert.equal(vars.total.value, '3');
        await h.runToEnd(s, g, 0);
      } finally { await s.close(); }
    });

    for (const transport of TRANSPORTS) {
      test(`next in a loop five other goroutines are busy in ends on the next line (over ${transport})`, T, async () => {
        if (IS_DELVE) return;
        const program = buildProgram('busystep', tc);
        const s = await startSession(transport);
        try {
          const m = s.mark();
          await h.launch(s, h.launchArgs({ program }), { breakpoints: { [BUSY_SRC]: [{ line: B('// BUSY loop body') }] } });
          const g = (await h.waitStopped(s, m, 'breakpoint', 60000)).body.threadId;
          await s.ok('setBreakpoints', { source: { path: BUSY_SRC }, breakpoints: [] });
          // each step: the goroutine is resumed after a stop, when the Go scheduler wants to
          // preempt it; it must get a P again while the others run, not when they are done
          const loopLines = [B('for i := 0; i < iters; i++'), B('// BUSY loop body'), B('// BUSY next line')];
          let backInBody = 0;
          for (let i = 0; i < 12; i++) {
            const at = await step(s, 'next', g);
            assert.equal(at.name, 'main.work', `step ${i + 1} stays in main.work`);
            if (i === 0) assert.equal(at.line, B('// BUSY next line'), 'the first next ends on the next line');
            else assert.ok(loopLines.includes(at.line), `step ${i + 1} ends in the loop, at line ${at.line}`);
            if (at.line === B('// BUSY loop body')) backInBody++;
          }
          assert.ok(backInBody >= 2, `the steps went around the loop (body reached ${backInBody} times)`);
          const f = await h.topFrame(s, g);
          assert.equal((await h.varMap(s, f.id)).i.value, String(backInBody), 'one iteration per return to the body');
          const watch = async (expression) => (await s.ok('evaluate', { expression, frameId: f.id, context: 'watch' })).result;
          assert.equal(await watch('main.finished'), '0', `no goroutine has finished its rounds (main.done = ${await watch('main.done')} of ${BUSY_TOTAL})`);
          assert.ok(!/done/.test(s.output('stdout')), 'the program has not printed its end');
        } finally { await s.close(); }
      });
    }
  });
}
