// hideSystemGoroutines (Delve's launch attribute): threads leaves out the goroutines the runtime
// started for itself (GC workers, the finalizer, the scavenger...) and keeps every goroutine of
// the program and the one of the stop. Program: tests/programs/goroutines (12 parked goroutines).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSession } from './lib/client.mjs';
import { goToolchains, buildProgram } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';

const T = { timeout: 120000 };
const READY = h.lineOf('goroutines', 'return n * 2');

/** The function the goroutine's go statement started (the frame under runtime.goexit). */
async function startFunction(s, id) {
  const st = await s.ok('stackTrace', { threadId: id, startFrame: 0, levels: 0 });
  const names = st.stackFrames.map((f) => f.name);
  const i = names.findIndex((n) => /^runtime\.goexit/.test(n));
  return i > 0 ? names[i - 1] : names[names.length - 1];
}

for (const tc of goToolchains()) {
  describe(`goroutine views go${tc.version}`, () => {
    test('hideSystemGoroutines: the program\'s goroutines and the stopped one, not the runtime\'s', T, async () => {
      const lists = {};
      for (const hide of [false, true]) {
        const s = await startSession('stdio');
        try {
          const m = s.mark();
          await h.launch(s, h.launchArgs({ program: buildProgram('goroutines', tc), args: ['10'], hideSystemGoroutines: hide }),
            { breakpoints: { [h.srcPath('goroutines')]: [{ line: READY }] } });
          const ev = await h.waitStopped(s, m, 'breakpoint', 60000);
          const th = (await s.ok('threads')).threads;
          assert.ok(th.some((t) => t.id === ev.body.threadId), 'the stopped goroutine is listed');
          lists[hide] = th;
          if (hide) {
            for (const t of th) assert.doesNotMatch(await startFunction(s, t.id), /^runtime\.(?!main$)/, `${t.name} is the program's`);
          } else {
            const system = [];
            for (const t of th) if (/^runtime\.(?!main$)/.test(await startFunction(s, t.id))) system.push(t.id);
            assert.ok(system.length > 0, 'the runtime has goroutines of its own');
            lists.system = system;
          }
        } finally { await s.close(); }
      }
      // (goroutine ids differ between runs: the two sessions are compared by count)
      assert.equal(lists[true].length, lists[false].length - lists.system.length, 'exactly the runtime\'s are left out');
      assert.equal(lists[true].filter((t) => /main\.worker/.test(t.name)).length, 10, 'the ten workers');
    });
  });
}
