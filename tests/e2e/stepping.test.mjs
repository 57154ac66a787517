// next / stepIn / stepOut on one goroutine while another goroutine runs the same function:
// stepping in follows direct calls, closures (func values) and interface methods; step out
// returns to the caller; the other goroutine never ends a step. On every Go version.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, IS_DELVE } from './lib/client.mjs';
import { goToolchains, buildProgram } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';

const T = { timeout: 120000 };
const SRC = h.srcPath('stepping');
const L = (text) => h.lineOf('stepping', text);

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
  });
}
