// Data breakpoints (issue 11, item 2): dataBreakpointInfo gives a dataId for a global (by
// expression) and for a field reached through a pointer (heap, by variablesReference) and refuses
// a stack variable (the pointer box itself) with the reason; setDataBreakpoints watches writes on every thread; the stop
// has reason "data breakpoint", the breakpoint's id, the goroutine and line that wrote, and the
// new value; more than x86-64's four debug registers and read-only watches are unverified with
// the reason. Program: tests/programs/faults (watch), on every Go.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, IS_DELVE } from './lib/client.mjs';
import { goToolchains, buildProgram } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';

const T = { timeout: 120000, skip: IS_DELVE && 'gobp-dap behaviour' };
const SRC = h.srcPath('faults');
const START = h.lineOf('faults', 'box := &Box{Label: "box"} // watch: start');
const WRITES = [h.lineOf('faults', 'watched += 10'), h.lineOf('faults', 'box.Count++')];

for (const tc of goToolchains()) {
  describe(`data breakpoints go${tc.version}`, () => {
    test('a global and a heap field: stops after each write with the new value; limits said', T, async () => {
      const s = await startSession('stdio');
      try {
        const caps = await h.initialize(s);
        assert.equal(caps.supportsDataBreakpoints, true);
        const m = s.mark();
        await h.launch(s, h.launchArgs({ program: buildProgram('faults', tc), args: ['watch', '3'] }),
          { breakpoints: { [SRC]: [{ line: START + 1 }] } });
        const ev = await h.waitStopped(s, m, 'breakpoint', 60000);
        const g = ev.body.threadId;
        const top = await h.topFrame(s, g);
        const glob = await s.ok('dataBreakpointInfo', { name: 'main.watched', frameId: top.id });
        assert.ok(glob.dataId, `a dataId for the global: ${glob.description}`);
        assert.deepEqual(glob.accessTypes, ['write', 'readWrite']);
        const local = await s.ok('dataBreakpointInfo', { name: 'box', frameId: top.id });
        assert.equal(local.dataId, null);
        assert.match(local.description, /stack of goroutine \d+/);
        const box = (await h.varMap(s, top.id)).box;
        let boxRef = box.variablesReference;   /* the struct behind the pointer */
        const kids = await h.vars(s, boxRef);
        if (kids.length === 1 && kids[0].variablesReference > 0 && !kids.some((k) => k.name === 'Count')) boxRef = kids[0].variablesReference;
        const heap = await s.ok('dataBreakpointInfo', { name: 'Count', variablesReference: boxRef });
        assert.ok(heap.dataId, `a dataId for box.Count on the heap: ${heap.description}`);
        await s.ok('setBreakpoints', { source: { path: SRC }, breakpoints: [], lines: [] });
        const set = await s.ok('setDataBreakpoints', { breakpoints: [
          { dataId: glob.dataId, accessType: 'write' }, { dataId: heap.dataId, accessType: 'write' }, { dataId: glob.dataId, accessType: 'read' },
        ] });
        assert.equal(set.breakpoints[0].verified, true, JSON.stringify(set.breakpoints[0]));
        assert.equal(set.breakpoints[1].verified, true, JSON.stringify(set.breakpoints[1]));
        assert.equal(set.breakpoints[2].verified, false);
        assert.match(set.breakpoints[2].message, /readWrite/);
        let at = g;
        for (const [i, want] of [[0, '10'], [1, '1'], [0, '20']]) {
          const mm = s.mark();
          await s.ok('continue', { threadId: at });
          const hit = await h.waitStopped(s, mm, 'data breakpoint', 60000);
          assert.deepEqual(hit.body.hitBreakpointIds, [set.breakpoints[i].id]);
          at = hit.body.threadId;
          const f = await h.topFrame(s, at);
          assert.equal(f.name, 'main.watchRounds', 'the goroutine that wrote');
          assert.ok(WRITES.includes(f.line) || WRITES.includes(f.line - 1), `at the write, line ${f.line}`);
          const expr = i === 0 ? 'main.watched' : 'box.Count';
          assert.equal((await s.ok('evaluate', { expression: expr, frameId: f.id, context: 'watch' })).result, want, 'the new value');
        }
        const many = await s.ok('setDataBreakpoints', { breakpoints: Array.from({ length: 5 }, () => ({ dataId: glob.dataId })) });
        assert.deepEqual(many.breakpoints.map((b) => b.verified), [true, true, true, true, false]);
        assert.match(many.breakpoints[4].message, /4 debug registers/);
        await s.ok('setDataBreakpoints', { breakpoints: [] });
        await h.runToEnd(s, at, 0);
        assert.match(s.output('stdout'), /^watch 30 3$/m, 'the program ran on normally');
      } finally { await s.close(); }
    });
  });
}
