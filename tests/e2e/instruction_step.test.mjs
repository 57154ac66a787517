// Stepping by instruction (granularity "instruction", VS Code's disassembly view): stepIn and
// next run one machine instruction of the stopped goroutine (each stop one instruction further,
// as the disassembly says), next over a CALL stops after it in the same function, stepIn on a
// CALL enters the callee, stepOut leaves the function as by line; a line step afterwards works.
// setInstructionBreakpoints: a breakpoint on an instruction's address stops there (hit
// conditions too); an address inside an instruction, outside the code or not an address at all
// comes back unverified with the reason. Program: tests/programs/stepping, on every Go.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, IS_DELVE } from './lib/client.mjs';
import { goToolchains, buildProgram } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';

const T = { timeout: 120000, skip: IS_DELVE && 'gobp-dap behaviour' };
const SRC = h.srcPath('stepping');
const START = h.lineOf('stepping', '// STEP start');

/** One instruction step; the new top frame. */
async function istep(s, kind, threadId) {
  const m = s.mark();
  await s.ok(kind, { threadId, granularity: 'instruction' });
  const ev = await h.waitStopped(s, m, 'step', 60000);
  assert.equal(ev.body.threadId, threadId, `${kind} stays on goroutine ${threadId}`);
  return h.topFrame(s, threadId);
}

/** The instructions from pc on: [{address, instruction}]. */
async function disasm(s, pc, n) {
  return (await s.ok('disassemble', { memoryReference: pc, instructionOffset: 0, instructionCount: n })).instructions;
}

for (const tc of goToolchains()) {
  describe(`instruction stepping go${tc.version}`, () => {
    test('stepIn/next by instruction, over and into a CALL, stepOut, then by line again', T, async () => {
      const s = await startSession('stdio');
      try {
        const caps = await h.initialize(s);
        assert.equal(caps.supportsSteppingGranularity, true);
        const m = s.mark();
        await h.launch(s, h.launchArgs({ program: buildProgram('stepping', tc) }), { breakpoints: { [SRC]: [{ line: START }] } });
        const ev = await h.waitStopped(s, m, 'breakpoint', 60000);
        const g = ev.body.threadId;
        let f = await h.topFrame(s, g);
        // walk to the CALL of add, one instruction at a time: each stop is the next instruction
        let call = null;
        for (let i = 0; i < 60 && !call; i++) {
          const [here, next] = await disasm(s, f.instructionPointerReference, 2);
          assert.equal(BigInt(here.address), BigInt(f.instructionPointerReference));
          if (/^call\b/i.test(here.instruction) && /main\.add/.test(here.instruction + (here.symbol || ''))) { call = { here, next }; break; }
          const kind = i % 2 ? 'next' : 'stepIn';
          f = await istep(s, kind, g);
          if (!/^(j|call|ret)/i.test(here.instruction)) {
            assert.equal(BigInt(f.instructionPointerReference), BigInt(next.address), `${kind} after "${here.instruction}" is at the next instruction`);
          }
          assert.equal(f.name, 'main.main');
        }
        assert.ok(call, 'reached the CALL of main.add');
        f = await istep(s, 'next', g);
        assert.equal(f.name, 'main.main', 'next over the call stays in main');
        assert.equal(BigInt(f.instructionPointerReference), BigInt(call.next.address), 'just after the CALL');
        // back to a CALL of add (the loop calls it again) is long: step into the next call instead
        let into = null;
        for (let i = 0; i < 200 && !into; i++) {
          const [here] = await disasm(s, f.instructionPointerReference, 1);
          f = await istep(s, 'stepIn', g);
          if (/^call\b/i.test(here.instruction) && f.name !== 'main.main') into = f;
        }
        assert.ok(into, 'a stepIn on a CALL entered the callee');
        const out = await istep(s, 'stepOut', g);
        assert.equal(out.name, 'main.main', `stepOut by instruction returns to main, from ${into.name}`);
        const m2 = s.mark();
        await s.ok('next', { threadId: g });
        await h.waitStopped(s, m2, 'step', 60000);
        assert.equal((await h.topFrame(s, g)).name, 'main.main', 'a line step after them');
        await s.ok('setBreakpoints', { source: { path: SRC }, breakpoints: [], lines: [] });
        await h.runToEnd(s, g);
      } finally { await s.close(); }
    });

    test('setInstructionBreakpoints: stops on the address; mid-instruction, outside code and malformed are unverified', T, async () => {
      const s = await startSession('stdio');
      try {
        const caps = await h.initialize(s);
        assert.equal(caps.supportsInstructionBreakpoints, true);
        const m = s.mark();
        await h.launch(s, h.launchArgs({ program: buildProgram('stepping', tc) }), { breakpoints: { [SRC]: [{ line: START }] } });
        const ev = await h.waitStopped(s, m, 'breakpoint', 60000);
        const g = ev.body.threadId;
        const f = await h.topFrame(s, g);
        const ins = await disasm(s, f.instructionPointerReference, 8);
        const target = ins.slice(3).find((i) => !/^(j|call|ret)/i.test(i.instruction)) || ins[3];
        const wide = ins.find((i) => i.instructionBytes.split(' ').length > 1);
        const mid = '0x' + (BigInt(wide.address) + 1n).toString(16);
        const r = await s.ok('setInstructionBreakpoints', { breakpoints: [
          { instructionReference: target.address },
          { instructionReference: mid },
          { instructionReference: '0x10' },
          { instructionReference: 'main.main' },
        ] });
        assert.equal(r.breakpoints.length, 4);
        assert.equal(r.breakpoints[0].verified, true, JSON.stringify(r.breakpoints[0]));
        assert.equal(BigInt(r.breakpoints[0].instructionReference), BigInt(target.address));
        assert.equal(r.breakpoints[1].verified, false);
        assert.match(r.breakpoints[1].message, /not where an instruction starts/);
        assert.equal(r.breakpoints[2].verified, false);
        assert.match(r.breakpoints[2].message, /no function/);
        assert.equal(r.breakpoints[3].verified, false);
        assert.match(r.breakpoints[3].message, /not an address/);
        await s.ok('setBreakpoints', { source: { path: SRC }, breakpoints: [], lines: [] });
        const hit = await h.continueToStop(s, g, 'breakpoint', 60000);
        assert.deepEqual(hit.body.hitBreakpointIds, [r.breakpoints[0].id]);
        const at = await h.topFrame(s, hit.body.threadId);
        assert.equal(BigInt(at.instructionPointerReference), BigInt(target.address), 'stopped on that instruction');
        await s.ok('setInstructionBreakpoints', { breakpoints: [] });
        await h.runToEnd(s, hit.body.threadId);
      } finally { await s.close(); }
    });
  });
}
