// Exit breakpoints (issue 11, item 4): a function breakpoint named PKG.FUNC:return stops where
// the function returns (each RET), with its arguments and its results in scope (a first scope
// "Return values (FUNC)"); its condition may use the results by name ("stop when it fails").
// Program: tests/programs/tracing (chain: handle(123) finds user7, handle(5) fails with
// "no rows"), on every Go.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, IS_DELVE } from './lib/client.mjs';
import { goToolchains, buildProgram } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';

const T = { timeout: 120000, skip: IS_DELVE && 'gobp-dap exit breakpoints' };
const RETURN_LINES = [h.lineOf('tracing', 'return nil, err'), h.lineOf('tracing', 'return &User{ID: id'),
  h.lineOf('tracing', 'return &User{ID: id') + 1];

/** The stop's top frame, its return values and arguments by name. */
async function atExit(s, ev, fn) {
  assert.ok(['function breakpoint', 'breakpoint'].includes(ev.body.reason), ev.body.reason);
  const top = await h.topFrame(s, ev.body.threadId);
  assert.equal(top.name, fn);
  const scopes = await h.scopes(s, top.id);
  assert.equal(scopes[0].presentationHint, 'returnValue', `first scope: ${JSON.stringify(scopes[0])}`);
  assert.equal(scopes[0].name, `Return values (${fn})`);
  const results = h.byName(await h.vars(s, scopes[0].variablesReference));
  const args = await h.varMap(s, top.id, 'Arguments');
  return { top, results, args };
}

async function session(tc, fbps, body) {
  const s = await startSession('stdio');
  try {
    const m = s.mark();
    const { fbps: r } = await h.launch(s, h.launchArgs({ program: buildProgram('tracing', tc), args: ['chain'] }),
      { functionBreakpoints: fbps });
    await body(s, m, r.breakpoints);
  } finally { await s.close(); }
}

for (const tc of goToolchains()) {
  describe(`exit breakpoints go${tc.version}`, () => {
    test('main.find:return stops at each return with the results; continue runs on', T, () =>
      session(tc, [{ name: 'main.find:return' }], async (s, m, bps) => {
        assert.equal(bps[0].verified, true, JSON.stringify(bps[0]));
        let ev = await h.waitStopped(s, m, null, 60000);
        let r = await atExit(s, ev, 'main.find');
        assert.ok(RETURN_LINES.includes(r.top.line), `stopped on a return line, not ${r.top.line}`);
        assert.equal(r.args.id.value, '123');
        assert.deepEqual(Object.keys(r.results), ['~r0', '~r1']);
        assert.equal(r.results['~r1'].value, 'error nil');
        const user = h.byName(await h.children(s, r.results['~r0']));
        assert.deepEqual([user.ID.value, user.Name.value], ['123', '"user7"']);
        const e = await s.ok('evaluate', { expression: '~r0.Name', frameId: r.top.id, context: 'repl' });
        assert.equal(e.result, '"user7"', 'results evaluate by name');
        ev = await h.continueToStop(s, ev.body.threadId, null, 60000);
        r = await atExit(s, ev, 'main.find');
        assert.equal(r.args.id.value, '5');
        assert.equal(r.results['~r0'].value, '*main.User nil');
        assert.match(r.results['~r1'].value, /no rows/);
        await h.runToEnd(s, ev.body.threadId, 0);
        assert.equal(s.output('stdout'), 'handle(123) = user7\nhandle(5) = error: no rows\n');
      }));

    test('a condition on the results: main.find:return if ~r1 != nil stops only on the failing call', T, () =>
      session(tc, [{ name: 'main.find:return', condition: '~r1 != nil' }, { name: 'main.query:return', condition: '~r0 == 7' }], async (s, m, bps) => {
        assert.ok(bps.every((b) => b.verified), JSON.stringify(bps));
        let ev = await h.waitStopped(s, m, null, 60000);
        let top = await h.topFrame(s, ev.body.threadId);
        assert.equal(top.name, 'main.query', 'query returned 7 (handle(123))');
        ev = await h.continueToStop(s, ev.body.threadId, null, 60000);
        const r = await atExit(s, ev, 'main.find');
        assert.equal(r.args.id.value, '5', 'only the call that failed');
        const e = await s.ok('evaluate', { expression: '~r1 != nil', frameId: r.top.id, context: 'watch' });
        assert.equal(e.result, 'true');
        await h.runToEnd(s, ev.body.threadId, 0);
      }));

    test('unknown functions and conditions that name nothing are unverified with the reason', T, () =>
      session(tc, [{ name: 'main.nope:return' }, { name: 'main.find:return', condition: 'nosuch != nil' }], async (s, m, bps) => {
        assert.equal(bps[0].verified, false);
        assert.match(bps[0].message, /main\.nope/);
        assert.equal(bps[1].verified, false);
        assert.match(bps[1].message, /nosuch/);
        await s.waitEvent('terminated', { from: m, timeout: 60000 });
      }));
  });
}
