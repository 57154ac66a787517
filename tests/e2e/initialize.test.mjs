// initialize: required capabilities, and every advertised capability is backed by a working request.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, TRANSPORTS } from './lib/client.mjs';
import { goToolchains, buildProgram } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';

const T = { timeout: 120000 };
const SRC = h.srcPath('values');
const HALF = h.lineOf('values', 'half := n / 2');
const BREAK = h.lineOf('values', '// BREAK values');

/** One check per capability this suite knows; an advertised capability without a check fails. */
const CHECKS = {
  supportsConfigurationDoneRequest: async () => {}, // exercised by every launch
  supportsFunctionBreakpoints: async ({ s }) => {
    const r = await s.ok('setFunctionBreakpoints', { breakpoints: [{ name: 'main.decide' }] });
    assert.equal(r.breakpoints[0].verified, true);
    await s.ok('setFunctionBreakpoints', { breakpoints: [] });
  },
  supportsEvaluateForHovers: async ({ s, frameId }) => {
    const r = await s.ok('evaluate', { expression: 'pp.Home.City', frameId, context: 'hover' });
    assert.equal(r.result, '"Oslo"');
  },
  supportsClipboardContext: async ({ s, frameId }) => {
    const r = await s.ok('evaluate', { expression: 's', frameId, context: 'clipboard' });
    assert.match(r.result, /héllo, 世界/);
  },
  supportsSetVariable: async ({ s, frameId }) => {
    const L = h.scopeNamed(await h.scopes(s, frameId), 'Locals');
    const r = await s.ok('setVariable', { variablesReference: L.variablesReference, name: 'i8', value: '-9' });
    assert.equal(r.value, '-9');
    assert.equal((await h.varMap(s, frameId)).i8.value, '-9');
  },
  supportsDelayedStackTraceLoading: async ({ s, threadId }) => {
    const a = await s.ok('stackTrace', { threadId, startFrame: 0, levels: 1 });
    const b = await s.ok('stackTrace', { threadId, startFrame: 1, levels: 19 });
    assert.equal(a.stackFrames[0].name, 'main.values');
    assert.equal(b.stackFrames[0].name, 'main.main');
  },
  supportsConditionalBreakpoints: async ({ s }) => {
    const r = await s.ok('setBreakpoints', { source: { path: SRC }, breakpoints: [{ line: HALF, condition: 'n == 2' }], lines: [HALF] });
    assert.equal(r.breakpoints[0].verified, true);
    return { expectN: '2' };
  },
  supportsHitConditionalBreakpoints: async ({ s, conditional }) => {
    if (conditional) return {}; // the condition check above decides where the next stop is
    const r = await s.ok('setBreakpoints', { source: { path: SRC }, breakpoints: [{ line: HALF, hitCondition: '3' }], lines: [HALF] });
    assert.equal(r.breakpoints[0].verified, true);
    return { expectN: '2' };
  },
  supportsLogPoints: async ({ s }) => {
    const line = h.lineOf('values', 'c.Inc(i)');
    const r = await s.ok('setBreakpoints', { source: { path: h.srcPath('values') }, breakpoints: [{ line, logMessage: 'logpoint i={i}' }], lines: [line] });
    assert.equal(r.breakpoints[0].verified, true);
    // a logpoint shares the file's breakpoint list: restore HALF in runAfter
    return { logpoint: true };
  },
  supportsExceptionInfoRequest: async () => {}, // only meaningful at an exception stop; shape checked by schema
  supportsSteppingGranularity: async ({ s, threadId }) => {
    const m = s.mark();
    await s.ok('next', { threadId, granularity: 'line' });
    const ev = await h.waitStopped(s, m, 'step');
    return { steppedTo: ev };
  },
  supportsDisassembleRequest: async ({ s, threadId }) => {
    const f0 = await h.topFrame(s, threadId);
    assert.ok(f0.instructionPointerReference, 'frames carry instructionPointerReference');
    const r = await s.ok('disassemble', { memoryReference: f0.instructionPointerReference, instructionCount: 5 });
    assert.ok(r.instructions.length > 0);
  },
  supportsInstructionBreakpoints: async ({ s, threadId }) => {
    const f0 = await h.topFrame(s, threadId);
    const r = await s.ok('setInstructionBreakpoints', { breakpoints: [] });
    assert.equal(r.breakpoints.length, 0);
    assert.ok(f0.instructionPointerReference);
  },
  supportsTerminateRequest: async () => ({ terminate: true }),
  supportsReadMemoryRequest: async ({ s, frameId }) => {
    const r = await s.ok('evaluate', { expression: 'pp', frameId, context: 'watch' });
    assert.ok(r.memoryReference, 'evaluate gives a memoryReference');
    const m = await s.ok('readMemory', { memoryReference: r.memoryReference, count: 8 });
    assert.ok(m.address);
  },
  supportsWriteMemoryRequest: async ({ s, frameId }) => {
    const r = await s.ok('evaluate', { expression: 'i16', frameId, context: 'watch' });
    const before = await s.ok('readMemory', { memoryReference: r.memoryReference, count: 2 });
    const w = await s.ok('writeMemory', { memoryReference: r.memoryReference, data: before.data });
    assert.equal(w.bytesWritten, 2, 'the same bytes written back');
  },
  supportsStepInTargetsRequest: async ({ s, frameId }) => {
    const r = await s.ok('stepInTargets', { frameId });
    assert.ok(r.targets.some((t) => t.label === 'fmt.Println'), `the BREAK line calls fmt.Println: ${JSON.stringify(r.targets)}`);
  },
  supportsDataBreakpoints: async ({ s, frameId }) => {
    const r = await s.ok('dataBreakpointInfo', { name: 'main.counter', frameId });
    assert.ok(r.dataId, r.description);
    const b = await s.ok('setDataBreakpoints', { breakpoints: [{ dataId: r.dataId, accessType: 'write' }] });
    assert.equal(b.breakpoints[0].verified, true);
    await s.ok('setDataBreakpoints', { breakpoints: [] });
  },
  supportsModulesRequest: async ({ s }) => { const r = await s.ok('modules', {}); assert.ok(Array.isArray(r.modules)); },
  supportsLoadedSourcesRequest: async ({ s }) => {
    const r = await s.ok('loadedSources', {});
    assert.ok(r.sources.some((x) => x.path === SRC), 'values/main.go among loaded sources');
  },
  supportsBreakpointLocationsRequest: async ({ s }) => {
    const r = await s.ok('breakpointLocations', { source: { path: SRC }, line: HALF });
    assert.ok(r.breakpoints.some((b) => b.line === HALF));
  },
  supportsCompletionsRequest: async ({ s, frameId }) => {
    const r = await s.ok('completions', { frameId, text: 'nilS', column: 5 });
    assert.ok(r.targets.some((t) => t.label === 'nilSlice'));
  },
  supportsValueFormattingOptions: async ({ s, frameId }) => {
    const r = await s.ok('evaluate', { expression: 'u64', frameId, context: 'watch', format: { hex: true } });
    assert.match(r.result, /0x40/i);
  },
  supportsCancelRequest: async ({ s }) => { await s.req('cancel', { requestId: 999999 }); },
  supportsSingleThreadExecutionRequests: async () => {},
  supportsExceptionFilterOptions: async () => {},
  supportsExceptionOptions: async () => {},
  supportsTerminateThreadsRequest: async () => {},
  supportsSetExpression: async ({ s, frameId }) => {
    const r = await s.ok('setExpression', { expression: 'i16', value: '-17', frameId });
    assert.equal(r.value, '-17');
  },
  exceptionBreakpointFilters: async ({ s, caps }) => {
    await s.ok('setExceptionBreakpoints', { filters: caps.exceptionBreakpointFilters.map((f) => f.filter) });
  },
};
// Capabilities whose value `false` or absence is fine, and that need no check when true.
const NO_CHECK = new Set(['supportsConfigurationDoneRequest', 'supportTerminateDebuggee', 'supportSuspendDebuggee',
  'supportsStepBack', 'supportsRestartFrame', 'supportsGotoTargetsRequest',
  'supportsRestartRequest', 'supportsExceptionInfoRequest', 'supportsSingleThreadExecutionRequests',
  'supportsExceptionFilterOptions', 'supportsExceptionOptions', 'supportsTerminateThreadsRequest', 'supportsCancelRequest',
  'additionalModuleColumns', 'supportedChecksumAlgorithms', 'completionTriggerCharacters', 'breakpointModes']);

for (const tc of goToolchains()) {
  describe(`initialize go${tc.version}`, () => {
    for (const transport of TRANSPORTS) {
      test(`capabilities are present and backed (${transport})`, T, async () => {
        const s = await startSession(transport);
        try {
          const caps = await h.initialize(s);
          assert.equal(caps.supportsConfigurationDoneRequest, true, 'supportsConfigurationDoneRequest');
          assert.equal(caps.supportsFunctionBreakpoints, true, 'supportsFunctionBreakpoints');
          const advertised = Object.entries(caps).filter(([, v]) => v === true || (Array.isArray(v) && v.length)).map(([k]) => k);
          for (const k of advertised) assert.ok(CHECKS[k] || NO_CHECK.has(k), `advertised capability ${k} has no check in this suite: add one`);
          for (const k of ['supportsStepBack', 'supportsGotoTargetsRequest', 'supportsRestartFrame']) {
            if (caps[k]) throw new Error(`${k} is advertised but nothing here can back it; remove it or add a test`);
          }
          const m = s.mark();
          await h.launch(s, h.launchArgs({ program: buildProgram('values', tc) }), { breakpoints: { [SRC]: [{ line: BREAK }] } });
          const ev = await h.waitStopped(s, m, 'breakpoint', 60000);
          const threadId = ev.body.threadId;
          const frameId = (await h.topFrame(s, threadId)).id;
          const ctx = { s, caps, threadId, frameId };
          const order = advertised.filter((k) => CHECKS[k] && !['supportsSteppingGranularity', 'supportsConditionalBreakpoints', 'supportsHitConditionalBreakpoints', 'supportsLogPoints', 'supportsTerminateRequest'].includes(k));
          for (const k of order) await CHECKS[k](ctx).catch((e) => { throw new Error(`${k}: ${e.message}`); });
          if (caps.supportsSteppingGranularity) {
            const { steppedTo } = await CHECKS.supportsSteppingGranularity(ctx);
            assert.equal((await h.topFrame(s, steppedTo.body.threadId)).line, BREAK + 1, 'next goes to the following line');
          }
          // breakpoint kinds: a logpoint on c.Inc(i), a condition or hit condition on HALF
          let expectN = null;
          if (caps.supportsLogPoints) await CHECKS.supportsLogPoints(ctx);
          const bps = [];
          const inc = h.lineOf('values', 'c.Inc(i)');
          if (caps.supportsLogPoints) bps.push({ line: inc, logMessage: 'logpoint i={i}' });
          if (caps.supportsConditionalBreakpoints) { bps.push({ line: HALF, condition: 'n == 2' }); expectN = '2'; }
          else if (caps.supportsHitConditionalBreakpoints) { bps.push({ line: HALF, hitCondition: '3' }); expectN = '2'; }
          if (bps.length) {
            const r = await s.ok('setBreakpoints', { source: { path: SRC }, breakpoints: bps, lines: bps.map((b) => b.line) });
            assert.ok(r.breakpoints.every((b) => b.verified), JSON.stringify(r.breakpoints));
          }
          if (expectN) {
            const ev2 = await h.continueToStop(s, threadId);
            const A = await h.varMap(s, (await h.topFrame(s, ev2.body.threadId)).id, 'Arguments');
            assert.equal(A.n.value, expectN, 'conditional/hit-count breakpoint stops only when true');
          }
          if (caps.supportsLogPoints) {
            await s.waitEvent('output', { pred: (e) => /logpoint i=0/.test(e.body.output), timeout: 30000 });
            assert.match(s.events.filter((e) => e.event === 'output').map((e) => e.body.output).join(''), /logpoint i=0[^]*logpoint i=1/);
          }
          if (caps.supportsTerminateRequest) {
            const mm = s.mark();
            await s.ok('terminate', {});
            await s.waitEvent('terminated', { from: mm, timeout: 30000 });
          }
        } finally { await s.close(); }
      });
    }
  });
}
