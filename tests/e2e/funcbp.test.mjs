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
