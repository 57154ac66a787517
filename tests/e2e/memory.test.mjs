// readMemory / writeMemory on memoryReference (issue 11, item 5): variables and evaluate results
// carry one (a pointer: where it points; another value: where it is), so VS Code's memory view
// opens on a variable; a read answers the readable part and counts the rest as unreadable; a
// write changes the program's value; limits and malformed data are errors that say so.
// Program: tests/programs/values, on every Go.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, IS_DELVE } from './lib/client.mjs';
import { goToolchains, buildProgram } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';

const T = { timeout: 120000, skip: IS_DELVE && 'gobp-dap behaviour' };
const SRC = h.srcPath('values');
const BREAK = h.lineOf('values', '// BREAK values');

for (const tc of goToolchains()) {
  describe(`memory go${tc.version}`, () => {
    test('memoryReference on variables and evaluate; readMemory and writeMemory', T, async () => {
      const s = await startSession('stdio');
      try {
        const caps = await h.initialize(s, { supportsMemoryReferences: true });
        assert.equal(caps.supportsReadMemoryRequest, true);
        assert.equal(caps.supportsWriteMemoryRequest, true);
        const m = s.mark();
        await h.launch(s, h.launchArgs({ program: buildProgram('values', tc) }), { breakpoints: { [SRC]: [{ line: BREAK }] } });
        const ev = await h.waitStopped(s, m, 'breakpoint', 60000);
        const frameId = (await h.topFrame(s, ev.body.threadId)).id;
        const u = await s.ok('evaluate', { expression: 'u64', frameId, context: 'watch' });
        assert.equal(u.result, '64');
        assert.match(u.memoryReference, /^0x[0-9a-f]+$/, 'a value in memory has a memoryReference');
        const locals = await h.varMap(s, frameId);
        assert.equal(locals.u64.memoryReference, u.memoryReference, 'the Variables view gives the same');
        const r = await s.ok('readMemory', { memoryReference: u.memoryReference, count: 8 });
        assert.equal(BigInt(r.address), BigInt(u.memoryReference));
        assert.equal(r.unreadableBytes ?? 0, 0);
        assert.equal(Buffer.from(r.data, 'base64').readBigUInt64LE(0), 64n);
        const w = await s.ok('writeMemory', { memoryReference: u.memoryReference, data: Buffer.from([0x34, 0x12, 0, 0, 0, 0, 0, 0]).toString('base64') });
        assert.equal(w.bytesWritten, 8);
        assert.equal((await s.ok('evaluate', { expression: 'u64', frameId, context: 'watch' })).result, '4660', 'the program sees the write');
        const pp = await s.ok('evaluate', { expression: 'pp', frameId, context: 'watch' });
        const ppName = await s.ok('evaluate', { expression: 'pp.Name', frameId, context: 'watch' });
        assert.ok(BigInt(ppName.memoryReference) >= BigInt(pp.memoryReference) &&
          BigInt(ppName.memoryReference) < BigInt(pp.memoryReference) + 256n, 'a pointer refers to what it points to');
        const name = await s.ok('readMemory', { memoryReference: pp.memoryReference, count: 64 });
        assert.equal(Buffer.from(name.data, 'base64').length, 64);
        const off = await s.ok('readMemory', { memoryReference: u.memoryReference, offset: 1, count: 1 });
        assert.equal(BigInt(off.address), BigInt(u.memoryReference) + 1n);
        assert.equal(Buffer.from(off.data, 'base64')[0], 0x12, 'offset is added');
        const none = await s.ok('readMemory', { memoryReference: '0x10', count: 16 });
        assert.equal(none.unreadableBytes, 16);
        assert.equal(none.data, '');
        assert.match((await s.fail('readMemory', { memoryReference: u.memoryReference, count: 1 << 30 })).message, /limit/);
        assert.match((await s.fail('readMemory', { memoryReference: 'pp', count: 4 })).message, /not an address/);
        assert.match((await s.fail('writeMemory', { memoryReference: u.memoryReference, data: '!!!' })).message, /base64/);
        assert.match((await s.fail('writeMemory', { memoryReference: '0x10', data: 'AAAA' })).message, /not writable/);
        await s.ok('setBreakpoints', { source: { path: SRC }, breakpoints: [], lines: [] });
        await h.runToEnd(s, ev.body.threadId);
        assert.match(s.output('stdout'), / 4660 /, 'the program printed the value written');
      } finally { await s.close(); }
    });
  });
}
