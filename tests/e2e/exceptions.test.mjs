// Panics and fatal errors: the exception filters of initialize, a stop with reason "exception"
// at an unrecovered panic (never at a recovered one) with its message, exceptionInfo, and the
// program then ends with Go's exit status 2. A nil dereference: the frame under
// runtime.sigpanic shows the faulting line. A stack overflow (a fatal error thrown on the
// system stack) stops on the goroutine that overflowed. A deadlock (thrown by the scheduler,
// on no goroutine) stops on the main goroutine at its channel receive, every goroutine
// listed. On every Go version.
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
  nil: { message: 'runtime error: invalid memory address or nil pointer dereference', frame: 'main.deref',
    under: 'runtime.sigpanic', line: h.lineOf('panics', '// nil dereference') },
  // thrown by morestack on the system stack: the stop shows the goroutine that overflowed
  overflow: { message: 'stack overflow', frame: 'main.recurse', id: 'fatal error' },
};
const DEADLOCK = {
  'main.main': h.lineOf('deadlock', '// blocked: main receive'),
  'main.lockTwice': h.lineOf('deadlock', '// blocked: mutex'),
  'main.waitForever': h.lineOf('deadlock', '// blocked: WaitGroup'),
  'main.selectNothing': h.lineOf('deadlock', '// blocked: select'),
  'main.sendForever': h.lineOf('deadlock', '// blocked: send'),
};

/** The frame under the runtime frame named under (the function a signal interrupted): its line
 *  is the faulting instruction's own, not the one of the instruction before it. */
async function checkInterruptedFrame(s, frames, under, want) {
  const i = frames.findIndex((f) => f.name === under);
  assert.ok(i >= 0 && i + 1 < frames.length, `${under} on the stack: ${frames.map((f) => f.name)}`);
  const f = frames[i + 1];
  assert.equal(f.name, want.frame, `the frame under ${under}`);
  assert.equal(f.line, want.line, `${f.name} stands at the faulting line`);
  assert.equal(await h.instructionLine(s, f.instructionPointerReference), want.line, 'the faulting instruction is on that line');
  // The program is written so that the line starts with the faulting instruction: one byte
  // back (the rule for return addresses) would name the line before.
  assert.notEqual(await h.instructionLine(s, f.instructionPointerReference, -1), want.line,
    'precondition: the instruction before the fault is on another line');
}

for (const tc of goToolchains()) {
  describe(`panics go${tc.version}`, () => {
    for (const [kind, want] of Object.entries(CASES)) {
      test(`unrecovered ${want.id || 'panic'} (${kind}): stop with the message, exceptionInfo, then exit 2`, T, async () => {
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
          const text = ev.body.text.replace(/^(panic|fatal error): /, '');
          if (want.message instanceof RegExp) assert.match(text, want.message); else assert.equal(text, want.message);
          const { threads } = await s.ok('threads');
          assert.ok(threads.some((t) => t.id === ev.body.threadId), `the stopped goroutine ${ev.body.threadId} is listed`);
          const st = await s.ok('stackTrace', { threadId: ev.body.threadId, startFrame: 0, levels: 10 });
          assert.ok(st.stackFrames.some((f) => f.name === want.frame), `${want.frame} on the stack: ${st.stackFrames.map((f) => f.name)}`);
          if (want.under) await checkInterruptedFrame(s, st.stackFrames, want.under, want);
          const info = await s.ok('exceptionInfo', { threadId: ev.body.threadId });
          assert.equal(info.exceptionId, want.id || 'panic');
          assert.equal(info.description, text);
          assert.equal(s.events.filter((e) => e.event === 'stopped').length, 1, 'the recovered panic before it did not stop');
          await h.runToEnd(s, ev.body.threadId, 2);
        } finally { await s.close(); }
      });
    }
  });

  describe(`deadlock go${tc.version}`, () => {
    test('all goroutines asleep: stop on main at its receive, every goroutine listed, exit 2', T, async () => {
      if (IS_DELVE) return;
      const program = buildProgram('deadlock', tc);
      const s = await startSession('stdio');
      try {
        await h.initialize(s);
        const m = s.mark();
        const launchP = s.ok('launch', h.launchArgs({ program }), 120000);
        await s.waitEvent('initialized', { timeout: 120000 });
        await s.ok('setExceptionBreakpoints', { filters: ['panic', 'fatal'] });
        await s.ok('configurationDone');
        await launchP;
        const ev = await h.waitStopped(s, m, 'exception', 60000);
        assert.equal(ev.body.text, 'fatal error: all goroutines are asleep - deadlock!');
        assert.equal(ev.body.threadId, 1, 'the stop lands on the main goroutine');
        const { threads } = await s.ok('threads');
        assert.ok(threads.some((t) => t.id === ev.body.threadId), `the stopped goroutine is listed: ${JSON.stringify(threads)}`);
        for (const [fn, line] of Object.entries(DEADLOCK)) {
          const t = threads.find((x) => x.name.endsWith(` ${fn}`));
          assert.ok(t, `a goroutine named ${fn} in ${threads.map((x) => x.name)}`);
          const st = await s.ok('stackTrace', { threadId: t.id, startFrame: 0, levels: 20 });
          const user = st.stackFrames.find((f) => f.name.startsWith('main.'));
          assert.ok(user, `a user frame on ${t.name}: ${st.stackFrames.map((f) => f.name)}`);
          assert.equal(user.name, fn, `the topmost user frame of ${t.name}`);
          assert.equal(user.line, line, `${fn} stands at its blocking line`);
          if (fn === 'main.main') assert.equal(t.id, ev.body.threadId, 'main.main is the stopped goroutine');
        }
        const info = await s.ok('exceptionInfo', { threadId: ev.body.threadId });
        assert.equal(info.exceptionId, 'fatal error');
        assert.equal(info.description, 'all goroutines are asleep - deadlock!');
        await h.runToEnd(s, ev.body.threadId, 2);
      } finally { await s.close(); }
    });
  });
}
