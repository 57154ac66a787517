// Range-over-func loops (Go 1.23+; older Go cannot compile them): the loop body is a closure
// (main.sumTo-range1) called by the iterator. next from the body goes to the body's next line,
// to the next iteration's body and, after break, to the line after the loop in sumTo: never
// into the iterator, never onto the body's header. step out leaves sumTo. The body sees its
// argument and the captured total. Generic type aliases (Go 1.24+) show their values.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSession } from './lib/client.mjs';
import { goToolchains, buildProgram } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';

const T = { timeout: 120000 };
const SRC = h.srcPath('rangefunc');
const L = (text) => h.lineOf('rangefunc', text);
const BODY = L('// BODY'), IF = L('// IF'), BREAK = L('// BREAK'), AFTER = L('// AFTER'), CLOSE = BREAK + 2;
const ALIAS_SRC = h.srcPath('rangefunc', 'alias_go124.go');
const ALIAS = h.lineOf('rangefunc', '// ALIAS', 'alias_go124.go');
const atLeast = (tc, minor) => +tc.version.split('.')[1] >= minor;

async function stopAtBody(s, program) {
  const m = s.mark();
  await h.launch(s, h.launchArgs({ program }), { breakpoints: { [SRC]: [{ line: BODY }] } });
  const ev = await h.waitStopped(s, m, 'breakpoint', 60000);
  await s.ok('setBreakpoints', { source: { path: SRC }, breakpoints: [] });
  return ev.body.threadId;
}

async function where(s, tid) {
  const f = await h.topFrame(s, tid);
  const args = f.name.includes('-range') ? await h.varMap(s, f.id, 'Arguments') : {};
  const locals = await h.varMap(s, f.id, 'Locals');
  return { name: f.name, line: f.line, i: args.i?.value, total: locals.total?.value };
}

for (const tc of goToolchains().filter((t) => atLeast(t, 23))) {
  describe(`range-over-func go${tc.version}`, () => {
    test('the body frame: its argument, the captured variable, the enclosing function below', T, async () => {
      const s = await startSession('stdio');
      try {
        const tid = await stopAtBody(s, buildProgram('rangefunc', tc));
        const st = await s.ok('stackTrace', { threadId: tid, levels: 4 });
        assert.deepEqual(st.stackFrames.map((f) => f.name),
          ['main.sumTo-range1', 'main.Count.func1', 'main.sumTo', 'main.main']);
        const f = st.stackFrames[0];
        assert.equal(f.line, BODY);
        assert.deepEqual(Object.keys(await h.varMap(s, f.id, 'Locals')), ['total'], 'no compiler temporaries');
        assert.deepEqual(await where(s, tid), { name: 'main.sumTo-range1', line: BODY, i: '0', total: '0' });
        assert.equal((await s.ok('evaluate', { expression: 'total + i*10', frameId: f.id, context: 'watch' })).result, '0');
      } finally { await s.close(); }
    });

    test('next walks the iterations in the body and leaves the loop at break', T, async () => {
      const s = await startSession('stdio');
      try {
        const tid = await stopAtBody(s, buildProgram('rangefunc', tc));
        const seen = [];
        for (let k = 0; k < 40; k++) {
          const m = s.mark();
          await s.ok('next', { threadId: tid });
          const ev = await h.waitStopped(s, m, 'step', 30000);
          assert.equal(ev.body.threadId, tid);
          const w = await where(s, tid);
          seen.push(w);
          if (w.name === 'main.sumTo' && w.line === AFTER) break;
        }
        const names = new Set(seen.map((w) => w.name));
        assert.deepEqual([...names], ['main.sumTo-range1', 'main.sumTo'], JSON.stringify(seen));
        const body = seen.filter((w) => w.name === 'main.sumTo-range1');
        assert.ok(body.every((w) => [BODY, IF, BREAK, CLOSE].includes(w.line)), `only body lines: ${JSON.stringify(body)}`);
        assert.deepEqual(body.filter((w) => w.line === BODY).map((w) => w.i), ['1', '2', '3'], 'one stop per later iteration');
        assert.deepEqual(body.find((w) => w.line === BREAK), { name: 'main.sumTo-range1', line: BREAK, i: '3', total: '6' });
        assert.deepEqual(seen.at(-1), { name: 'main.sumTo', line: AFTER, i: undefined, total: '6' });
        await h.runToEnd(s, tid, 0);
      } finally { await s.close(); }
    });

    test('step out of a body leaves the enclosing function', T, async () => {
      const s = await startSession('stdio');
      try {
        const tid = await stopAtBody(s, buildProgram('rangefunc', tc));
        const m = s.mark();
        await s.ok('stepOut', { threadId: tid });
        await h.waitStopped(s, m, 'step', 30000);
        const f = await h.topFrame(s, tid);
        assert.equal(f.name, 'main.main');
        assert.equal(f.line, h.lineOf('rangefunc', 'fmt.Println("sum", sumTo(10))'));
        await h.runToEnd(s, tid, 0);
      } finally { await s.close(); }
    });

    if (atLeast(tc, 24)) {
      test('generic type aliases: values and expressions', T, async () => {
        const s = await startSession('stdio');
        try {
          const m = s.mark();
          await h.launch(s, h.launchArgs({ program: buildProgram('rangefunc', tc) }), { breakpoints: { [ALIAS_SRC]: [{ line: ALIAS }] } });
          const ev = await h.waitStopped(s, m, 'breakpoint', 60000);
          const f = await h.topFrame(s, ev.body.threadId);
          assert.equal(f.name, 'main.aliasDemo');
          const locals = await h.varMap(s, f.id, 'Locals');
          assert.equal(locals.p.value, 'struct { Key string; Val int } {Key: "k", Val: 7}');
          assert.equal(locals.s.value, 'map[int]struct {} [1: {}, 2: {}, ]');
          const ev2 = async (expression) => (await s.ok('evaluate', { expression, frameId: f.id, context: 'watch' })).result;
          assert.equal(await ev2('p.Val + len(s)'), '9');
          assert.equal(await ev2('p.Key'), '"k"');
          await h.runToEnd(s, ev.body.threadId, 0);
        } finally { await s.close(); }
      });
    }
  });
}
