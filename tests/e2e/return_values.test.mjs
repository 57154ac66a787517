// Return values (issue 11, item 3): after stepOut, and after next past a return, the results of
// the function left appear in a first scope "Return values (FUNC)" with presentationHint
// "returnValue", named as the function names them (~r0, ~r1 for unnamed results): integers,
// strings, errors, floats and bools (float registers), a struct, and 11 results (past the nine
// integer registers: on the stack). Gone after continue. Program: tests/programs/handlers
// (shapes), on every Go.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, IS_DELVE } from './lib/client.mjs';
import { goToolchains, buildProgram } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';
import * as P from './lib/plugins.mjs';

const T = { timeout: 120000, skip: IS_DELVE && 'Delve shows no return values scope' };
const SRC = h.srcPath('handlers');

/** The scopes of the top frame of threadId; the return values scope's variables by name (or null). */
async function returnScope(s, threadId) {
  const top = await h.topFrame(s, threadId);
  const scopes = await h.scopes(s, top.id);
  const ret = scopes.filter((sc) => sc.presentationHint === 'returnValue');
  assert.ok(ret.length <= 1, 'one return values scope at most');
  if (!ret.length) return { top, scopes, vars: null };
  assert.equal(scopes[0], ret[0], 'the return values scope comes first');
  return { top, scopes, name: ret[0].name, vars: h.byName(await h.vars(s, ret[0].variablesReference)) };
}

async function stepOut(s, threadId, kind = 'stepOut') {
  const m = s.mark();
  await s.ok(kind, { threadId });
  const ev = await h.waitStopped(s, m, 'step', 60000);
  assert.equal(ev.body.threadId, threadId);
  return returnScope(s, threadId);
}

const values = (vars) => Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, v.value]));

for (const tc of goToolchains()) {
  describe(`return values go${tc.version}`, () => {
    test('stepOut shows the results of the function left; continue forgets them', T, async () => {
      const s = await startSession('stdio');
      try {
        const m = s.mark();
        const fns = ['main.pair', 'main.lookup', 'main.ratio', 'main.point', 'main.many'];
        await h.launch(s, h.launchArgs({ program: buildProgram('handlers', tc), args: ['shapes'] }),
          { functionBreakpoints: fns.map((name) => ({ name })) });
        const want = {
          'main.pair': { '~r0': '2', '~r1': '"go!"' },
          'main.lookup': { '~r0': '"value-k"', '~r1': 'error nil' },
          'main.ratio': { '~r0': '1.5', '~r1': 'true' },
          'main.many': Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`~r${i}`, String(11 + i)])),
        };
        let ev = await h.waitStopped(s, m, null, 60000);
        for (const fn of fns) {
          const at = await h.topFrame(s, ev.body.threadId);
          assert.equal(at.name, fn, 'stopped in the next function');
          const before = await returnScope(s, ev.body.threadId);
          assert.equal(before.vars, null, `no return values scope at a breakpoint stop (${fn})`);
          const r = await stepOut(s, ev.body.threadId);
          assert.equal(r.top.name, 'main.shapes', 'back in the caller');
          assert.equal(r.name, `Return values (${fn})`);
          if (fn === 'main.point') {
            assert.deepEqual(Object.keys(r.vars), ['~r0']);
            assert.match(r.vars['~r0'].type, /Point/);
            const kids = h.byName(await h.vars(s, r.vars['~r0'].variablesReference));
            assert.deepEqual({ X: kids.X.value, Y: kids.Y.value, Name: kids.Name.value }, { X: '4', Y: '2', Name: '"p4"' });
          } else {
            assert.deepEqual(values(r.vars), want[fn], `results of ${fn}`);
          }
          if (fn === 'main.lookup') assert.equal(r.vars['~r1'].type, 'error');
          if (fn === fns[fns.length - 1]) {   /* the last one: on to the end */
            await h.runToEnd(s, ev.body.threadId, 0);
            break;
          }
          ev = await h.continueToStop(s, ev.body.threadId, null, 60000);
        }
        P.assertShapes(P.stdoutLines(s), {}, 'the program ran as without the debugger');
      } finally { await s.close(); }
    });

    test('next past a return shows the results; a step that stays in the function shows none', T, async () => {
      const s = await startSession('stdio');
      try {
        const m = s.mark();
        const line = h.lineOf('handlers', 'return a + 1, s + "!"');
        await h.launch(s, h.launchArgs({ program: buildProgram('handlers', tc), args: ['shapes'] }),
          { breakpoints: { [SRC]: [{ line: h.lineOf('handlers', 'if b == 0 {') }, { line }] } });
        let ev = await h.waitStopped(s, m, 'breakpoint', 60000);
        assert.equal((await h.topFrame(s, ev.body.threadId)).name, 'main.pair');
        let r = await stepOut(s, ev.body.threadId, 'next');
        if (r.top.name === 'main.pair') r = await stepOut(s, ev.body.threadId, 'next'); // the line's second half
        assert.equal(r.top.name, 'main.shapes');
        assert.deepEqual(values(r.vars), { '~r0': '2', '~r1': '"go!"' });
        ev = await h.continueToStop(s, ev.body.threadId, 'breakpoint', 60000);
        assert.equal((await h.topFrame(s, ev.body.threadId)).name, 'main.ratio');
        r = await stepOut(s, ev.body.threadId, 'next');
        assert.equal(r.top.name, 'main.ratio', 'still in ratio');
        assert.equal(r.vars, null, 'no return values while the function runs');
        await s.ok('setBreakpoints', { source: { path: SRC }, breakpoints: [], lines: [] });
        await h.runToEnd(s, ev.body.threadId, 0);
      } finally { await s.close(); }
    });
  });
}
