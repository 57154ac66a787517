// setFunctionBreakpoints: methods, pointer methods, closures; an unknown function is unverified
// with a message; hits stop in the function with its arguments readable.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, TRANSPORTS } from './lib/client.mjs';
import { goToolchains, buildProgram } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';
import { execFileSync } from 'node:child_process';

const T = { timeout: 120000 };
const NAMES = ['main.decide', 'main.(*Counter).Inc', 'main.main.func1', 'main.Circle.Area', 'main.nope'];
const REASONS = ['function breakpoint', 'breakpoint'];

for (const tc of goToolchains()) {
  describe(`function breakpoints go${tc.version}`, () => {
    for (const transport of TRANSPORTS) {
      test(`verify, hit in order, arguments (over ${transport})`, T, async () => {
        const program = buildProgram('values', tc);
        const s = await startSession(transport);
        try {
          const m = s.mark();
          const { fbps } = await h.launch(s, h.launchArgs({ program }), { functionBreakpoints: NAMES.map((name) => ({ name })) });
          const res = fbps.breakpoints;
          assert.equal(res.length, NAMES.length, 'one result per requested function breakpoint');
          // main.Circle.Area is never called: Go's linker drops it from the binary (checked with go tool nm).
          // Present → must be verified; absent → must be unverified with a message saying so.
          const syms = execFileSync(tc.goBin, ['tool', 'nm', program], { encoding: 'utf8', maxBuffer: 64 << 20 });
          const areaInBinary = / T main\.Circle\.Area$/m.test(syms);
          const expectVerified = [true, true, true, areaInBinary];
          for (let i = 0; i < 4; i++) assert.equal(res[i].verified, expectVerified[i], `${NAMES[i]} verified=${expectVerified[i]}: ${JSON.stringify(res[i])}`);
          if (!areaInBinary) assert.ok(res[3].message, 'main.Circle.Area (not in the binary) carries a message');
          for (let i = 0; i < 4; i++) {
            if (!expectVerified[i]) continue;
            assert.equal(res[i].source?.path, h.srcPath('values'), `${NAMES[i]} source path`);
            assert.equal(typeof res[i].line, 'number', `${NAMES[i]} line`);
          }
          assert.equal(res[4].verified, false, 'main.nope unverified');
          assert.ok(typeof res[4].message === 'string' && res[4].message.length > 0, 'main.nope carries a message');

          const expectStop = async (from, fn, check) => {
            const ev = await s.waitEvent('stopped', { from, timeout: 60000 });
            assert.ok(REASONS.includes(ev.body.reason), `stop reason ${ev.body.reason}`);
            const f0 = await h.topFrame(s, ev.body.threadId);
            assert.equal(f0.name, fn);
            assert.equal(f0.source.path, h.srcPath('values'));
            if (check) await check(await h.varMap(s, f0.id, 'Arguments'));
            return ev;
          };
          let ev = await expectStop(m, 'main.(*Counter).Inc', (A) => { assert.equal(A.by.value, '0'); assert.equal(A.by.type, 'int'); assert.ok(A.c, 'receiver c'); });
          const next = async (fn, check) => { const mm = s.mark(); await s.ok('continue', { threadId: ev.body.threadId }); ev = await expectStop(mm, fn, check); };
          await next('main.decide', (A) => { assert.equal(A.n.value, '0'); assert.equal(A.label.value, '"x"'); });
          await next('main.(*Counter).Inc', (A) => assert.equal(A.by.value, '1'));
          await next('main.decide', (A) => assert.equal(A.n.value, '1'));
          await next('main.(*Counter).Inc', (A) => assert.equal(A.by.value, '2'));
          // remove all but the closure: replacing the set clears the others
          const r2 = await s.ok('setFunctionBreakpoints', { breakpoints: [{ name: 'main.main.func1' }] });
          assert.equal(r2.breakpoints.length, 1);
          assert.equal(r2.breakpoints[0].verified, true);
          await next('main.main.func1');
          await h.runToEnd(s, ev.body.threadId, 3);
        } finally { await s.close(); }
      });
    }
  });
}

// No silent limits (tests/programs/manyfuncs): 400 function breakpoints and 300 line
// breakpoints are replaced as a whole, and a line in a generic function with 20
// instantiations stops in every one of them.
const fname = (i) => `main.F${String(i).padStart(3, '0')}`;
const FUNCS = 'funcs.go';

for (const tc of goToolchains()) {
  describe(`many breakpoints go${tc.version}`, () => {
    test('400 function breakpoints replaced by one: only the new one stops', T, async () => {
      const program = buildProgram('manyfuncs', tc);
      const s = await startSession('stdio');
      try {
        const m = s.mark();
        const names = Array.from({ length: 400 }, (_, i) => ({ name: fname(i) }));
        const { fbps } = await h.launch(s, h.launchArgs({ program }), { functionBreakpoints: names });
        assert.ok(fbps.breakpoints.every((b) => b.verified), 'all 400 verified');
        assert.equal(new Set(fbps.breakpoints.map((b) => b.id)).size, 400, '400 distinct ids');
        let ev = await h.waitStopped(s, m, null, 60000);
        assert.equal((await h.topFrame(s, ev.body.threadId)).name, fname(0));
        ev = await h.continueToStop(s, ev.body.threadId, null, 60000);
        assert.equal((await h.topFrame(s, ev.body.threadId)).name, fname(1));
        const r = await s.ok('setFunctionBreakpoints', { breakpoints: [{ name: 'main.Target' }] });
        assert.equal(r.breakpoints.length, 1);
        assert.equal(r.breakpoints[0].verified, true);
        ev = await h.continueToStop(s, ev.body.threadId, null, 60000);
        assert.equal((await h.topFrame(s, ev.body.threadId)).name, 'main.Target', 'the old 398 are all gone');
        await h.runToEnd(s, ev.body.threadId, 0);
      } finally { await s.close(); }
    });

    test('300 line breakpoints in one file replaced by one', T, async () => {
      const program = buildProgram('manyfuncs', tc);
      const file = h.srcPath('manyfuncs', FUNCS);
      const lineOfF = (i) => h.lineOf('manyfuncs', `func F${String(i).padStart(3, '0')}(`, FUNCS) + 1;
      const s = await startSession('stdio');
      try {
        const m = s.mark();
        const list = Array.from({ length: 300 }, (_, i) => ({ line: lineOfF(i) }));
        const { bps } = await h.launch(s, h.launchArgs({ program }), { breakpoints: { [file]: list } });
        assert.ok(bps[file].breakpoints.every((b) => b.verified), 'all 300 verified');
        let ev = await h.waitStopped(s, m, null, 60000);
        assert.equal((await h.topFrame(s, ev.body.threadId)).name, fname(0));
        const r = await s.ok('setBreakpoints', { source: { path: file, name: FUNCS }, breakpoints: [{ line: lineOfF(399) }] });
        assert.equal(r.breakpoints.length, 1);
        assert.equal(r.breakpoints[0].verified, true);
        ev = await h.continueToStop(s, ev.body.threadId, null, 60000);
        const f0 = await h.topFrame(s, ev.body.threadId);
        assert.deepEqual([f0.name, f0.line], [fname(399), lineOfF(399)], 'the old 299 are all gone');
        await h.runToEnd(s, ev.body.threadId, 0);
      } finally { await s.close(); }
    });

    for (const how of ['line', 'function']) {
      test(`a ${how} breakpoint in a generic function with 20 instantiations stops in each`, T, async () => {
        const program = buildProgram('manyfuncs', tc);
        const file = h.srcPath('manyfuncs');
        const line = h.lineOf('manyfuncs', '// GEN line');
        const s = await startSession('stdio');
        try {
          const m = s.mark();
          const { bps, fbps } = await h.launch(s, h.launchArgs({ program }), how === 'line'
            ? { breakpoints: { [file]: [{ line }] } } : { functionBreakpoints: [{ name: 'main.Gen' }] });
          const res = how === 'line' ? bps[file].breakpoints[0] : fbps.breakpoints[0];
          assert.equal(res.verified, true, JSON.stringify(res));
          let ev = await h.waitStopped(s, m, null, 60000);
          const seen = new Set();
          for (let i = 0; i < 20; i++) {
            const f0 = await h.topFrame(s, ev.body.threadId);
            assert.match(f0.name, /^main\.Gen\[/, `stop ${i + 1} in an instantiation of Gen`);
            seen.add(f0.instructionPointerReference);
            const mm = s.mark();
            await s.ok('continue', { threadId: ev.body.threadId });
            ev = await s.waitEvent(i < 19 ? 'stopped' : 'terminated', { from: mm, timeout: 60000 });
          }
          assert.equal(seen.size, 20, 'twenty different copies of the code');
          assert.equal(ev.event, 'terminated', 'no stop after the twentieth');
        } finally { await s.close(); }
      });
    }
  });
}
