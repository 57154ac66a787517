// Hostile numbers in request arguments (levels, startFrame, instructionCount, offsets, thread and
// frame ids, references near the int32 and int64 limits, negative): every request gets a clean
// response (an error with a message, or a sensible empty or clamped result), the session keeps
// working, and nothing overflows. Run it on the sanitized build (make SANITIZE=1,
// UBSAN_OPTIONS=halt_on_error=1): a signed overflow would kill the adapter.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, IS_DELVE } from './lib/client.mjs';
import { goToolchains, buildProgram } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';

const T = { timeout: 240000, skip: IS_DELVE && 'gobp-dap limits' };
// JSON cannot say 2^63-1 from JavaScript exactly: 2**63 arrives as 9223372036854775808, which
// json-c clamps to INT64_MAX, as it clamps -(2**63)-1 to INT64_MIN.
const HOSTILE = [2 ** 31 - 1, 2 ** 31, 2 ** 32 + 1, 2 ** 53, 2 ** 63, 2 ** 63 - 4096, -1, -(2 ** 31), -(2 ** 63), -(2 ** 63) - 2048];

const tc = goToolchains()[goToolchains().length - 1];

/** The response must be a response (success, or failure with a non-empty message). */
async function clean(s, command, args) {
  s._sendingInvalid = true; // numbers beyond 2^53 are outside the schema on purpose
  const r = await s.req(command, args, 20000);
  if (!r.success) assert.ok(h.errorText(r).length > 0, `${command} ${JSON.stringify(args)}: an error without a message`);
  return r;
}

describe(`hostile numbers go${tc.version}`, () => {
  test('stackTrace, disassemble, scopes, variables, readMemory, evaluate, thread ids near the limits', T, async () => {
    const program = buildProgram('hello', tc);
    const src = h.srcPath('hello');
    const line = h.lineOf('hello', 'return "hello, " + name');
    const s = await startSession('stdio');
    try {
      const m = s.mark();
      await h.launch(s, h.launchArgs({ program }), { breakpoints: { [src]: [{ line }] } });
      const ev = await h.waitStopped(s, m, 'breakpoint', 60000);
      const tid = ev.body.threadId;
      const st0 = await s.ok('stackTrace', { threadId: tid, startFrame: 0, levels: 20 });
      const depth = st0.stackFrames.length;
      const pc = st0.stackFrames[0].instructionPointerReference;

      for (const v of HOSTILE) {
        // stackTrace: levels and startFrame
        let r = await clean(s, 'stackTrace', { threadId: tid, startFrame: 0, levels: v });
        if (r.success && v > 0) assert.ok(r.body.stackFrames.length >= depth && r.body.stackFrames.length <= v, `levels ${v}: ${r.body.stackFrames.length} frames`);
        r = await clean(s, 'stackTrace', { threadId: tid, startFrame: v, levels: 20 });
        if (r.success && v > depth) assert.equal(r.body.stackFrames.length, 0, `startFrame ${v} beyond the stack: no frames`);
        r = await clean(s, 'stackTrace', { threadId: tid, startFrame: v, levels: v });
        // thread ids
        r = await clean(s, 'stackTrace', { threadId: v, startFrame: 0, levels: 5 });
        assert.equal(r.success, false, `threadId ${v}: no such thread`);
        for (const cmd of ['next', 'stepIn', 'stepOut']) {
          r = await clean(s, cmd, { threadId: v });
          assert.equal(r.success, false, `${cmd} of thread ${v}: no such thread`);
        }
        await clean(s, 'exceptionInfo', { threadId: v });
        await clean(s, 'gobpForceReturn', { threadId: v });
        // disassemble: count, instructionOffset, offset
        r = await clean(s, 'disassemble', { memoryReference: pc, instructionCount: v });
        if (v > 100000) assert.match(h.errorText(r), /instructionCount \d+ is over the limit of 100000/);
        if (v <= 0) assert.equal(r.success, false);
        r = await clean(s, 'disassemble', { memoryReference: pc, instructionOffset: v, instructionCount: 10 });
        if (Math.abs(v) > 1000000) assert.match(h.errorText(r), /instructionOffset -?\d+ is beyond the limit of \+-1000000/);
        else if (r.success) assert.equal(r.body.instructions.length, 10);
        await clean(s, 'disassemble', { memoryReference: pc, offset: v, instructionCount: 4 });
        // frames, references, memory
        await clean(s, 'scopes', { frameId: v });
        await clean(s, 'variables', { variablesReference: v });
        await clean(s, 'evaluate', { expression: 'name', frameId: v, context: 'watch' });
        await clean(s, 'readMemory', { memoryReference: pc, offset: v, count: 16 });
        await clean(s, 'readMemory', { memoryReference: pc, count: v });
        await clean(s, 'source', { sourceReference: v });
        await clean(s, 'gotoTargets', { source: { path: src }, line: v });
        await clean(s, 'breakpointLocations', { source: { path: src }, line: v, endLine: v });
      }
      const top = (await s.ok('stackTrace', { threadId: tid, startFrame: 0, levels: 1 })).stackFrames[0].id;
      const sc = await s.ok('scopes', { frameId: top });
      const ref = sc.scopes[0].variablesReference;
      for (const v of HOSTILE) {
        await clean(s, 'variables', { variablesReference: ref, start: v, count: 5 });
        await clean(s, 'variables', { variablesReference: ref, start: 0, count: v });
        await clean(s, 'variables', { variablesReference: ref, start: v, count: v });
      }

      // the session still works: the same stop, then the program runs to its end
      const again = await s.ok('stackTrace', { threadId: tid, startFrame: 0, levels: 20 });
      assert.equal(again.stackFrames[0].name, 'main.greet');
      await s.ok('setBreakpoints', { source: { path: src }, breakpoints: [], lines: [] });
      await h.runToEnd(s, tid, 0);
      assert.doesNotMatch(s.stderr, /runtime error|AddressSanitizer|UndefinedBehaviorSanitizer/);
    } finally { await s.close(); }
  });
});
