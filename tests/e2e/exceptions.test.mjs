// Panics and fatal errors: the exception filters of initialize, a stop with reason "exception"
// at an unrecovered panic (never at a recovered one) with its message, exceptionInfo, and the
// program then ends with Go's exit status 2. On every Go version.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, IS_DELVE } from './lib/client.mjs';
import { goToolchains, buildProgram } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';

const T = { timeout: 120000 };
const CASES = {
  err: { message: 'boom', frame: 'main.boom' },
  index: { message: /^runtime error: index out of range \[\d+\] with length 3$/, frame: 'main.boom' },
  map: { message: 'assignment to entry in nil map', frame: 'main.boom' },
};

for (const tc of goToolchains()) {
  describe(`panics go${tc.version}`, () => {
    for (const [kind, want] of Object.entries(CASES)) {
      test(`unrecovered panic (${kind}): stop with the message, exceptionInfo, then exit 2`, T, async () => {
        if (IS_DELVE) return;
        const program = buildProgram('panics', tc);
        const s = await startSession('stdio');
        try {
          const caps = await h.initialize(s);
          const filters = caps.exceptionBreakpointFilters.map((f) => f.filter);
          assert.deepEqual(filters, ['panic', 'all-panics', 'fatal']);
          const m = s.mark();
          const launchP = s.ok('launch', h.launchArgs({ program, args: [kind] }), 120000);
          await s.waitEvent('initialized', { timeout: 120000 });
          const set = await s.ok('setExceptionBreakpoints', { filters: ['panic', 'fatal'] });
          assert.ok(set.breakpoints.every((b) => b.verified), JSON.stringify(set));
          await s.ok('configurationDone');
          await launchP;
          const ev = await h.waitStopped(s, m, 'exception', 60000);
          const text = ev.body.text.replace(/^panic: /, '');
          if (want.message instanceof RegExp) assert.match(text, want.message); else assert.equal(text, want.message);
          const st = await s.ok('stackTrace', { threadId: ev.body.threadId, startFrame: 0, levels: 10 });
          assert.ok(st.stackFrames.some((f) => f.name === want.frame), `${want.frame} on the stack: ${st.stackFrames.map((f) => f.name)}`);
          const info = await s.ok('exceptionInfo', { threadId: ev.body.threadId });
          assert.equal(info.exceptionId, 'panic');
          assert.equal(info.description, text);
          assert.equal(s.events.filter((e) => e.event === 'stopped').length, 1, 'the recovered panic before it did not stop');
          await h.runToEnd(s, ev.body.threadId, 2);
        } finally { await s.close(); }
      });
    }
  });
}
