// Tracing without stops (issue 12, item 3): the traced functions' entries and returns write
// records into a ring the program shares with gobp-dap, which reads them off the program's
// path. The same program traced with --no-fast-path (every call a stop) must give the same
// records; calls are counted exactly once under 8 goroutines on 4 threads and under 2 000
// goroutines, through morestack, panics and Goexit; the editor's trace takes the same path.
// Programs: tests/programs/tracing, tests/programs/handlers. Every installed Go version.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startSession, IS_DELVE } from './lib/client.mjs';
import { goToolchains, buildProgram } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';
import * as T from './lib/trace.mjs';

const SKIP = IS_DELVE && 'tracing without stops is gobp-dap only';
const OPT = { timeout: 300000, skip: SKIP };
const FAST_NOTE = /^gobp-dap trace: (\d+) of (\d+) entry and return sites record calls in the program, without a stop$/m;

/** Runs a JSON lines trace; returns { r, recs }. */
async function jsonl(argv) {
  const file = T.tmpFile('jsonl');
  const r = await T.runTrace(['--format', 'jsonl', '-o', file, ...argv]);
  T.assertCode(r, 0);
  return { r, recs: T.readJsonl(file) };
}

/** What a call is, without its times and ids: the function, its caller's function, depth,
 *  arguments, results and how it ended. Sorted, so goroutine interleavings compare equal. A
 *  goroutine other than main's may still be returning (after its wg.Done) when main ends the
 *  program, in either run: its "unfinished" counts as "return". */
function content(recs) {
  const byId = new Map(recs.map((r) => [r.id, r]));
  const end = (r) => (r.goroutine !== 1 && r.end === 'unfinished' ? 'return' : r.end);
  return recs.map((r) => JSON.stringify([r.function, r.parent ? byId.get(r.parent).function : '', r.depth, r.args, r.results, end(r)])).sort();
}

/** How many calls of the summary's table went to fn. */
function summaryCalls(stderr, fn) {
  const row = stderr.split('\n').find((l) => l.trim().endsWith(` ${fn}`) && /^\s+\d+\s/.test(l));
  return row ? Number(row.trim().split(/\s+/)[0]) : -1;
}

for (const tc of goToolchains()) {
  describe(`tracing without stops go${tc.version}`, () => {
    const tracing = () => buildProgram('tracing', tc);
    const handlers = () => buildProgram('handlers', tc);

    for (const mode of [['chain'], ['recursion'], ['parallel', 'withmain'], ['panic'], ['goexit'], ['goexit-slow'], ['methods'], ['recover-untraced']]) {
      test(`${mode.join(' ')}: the same records as with a stop at every call`, OPT, async () => {
        const fast = await jsonl(['main\\.', '--', tracing(), ...mode]);
        const slow = await jsonl(['--no-fast-path', 'main\\.', '--', tracing(), ...mode]);
        const m = FAST_NOTE.exec(fast.r.stderr);
        assert.ok(m && +m[1] > 0, `some sites record in the program:\n${fast.r.stderr.slice(0, 600)}`);
        assert.doesNotMatch(slow.r.stderr, FAST_NOTE, '--no-fast-path: every call stops');
        assert.equal(fast.r.stdout, slow.r.stdout, 'the program prints the same');
        assert.ok(fast.recs.length > 0, 'calls were recorded');
        T.checkForest(fast.recs);
        assert.deepEqual(content(fast.recs), content(slow.recs), 'the same calls, arguments, results and ends');
      });
    }

    test('exactly once: 8 goroutines x 125 000 calls on 4 threads', OPT, async () => {
      const r = await T.runTrace(['-o', '/dev/null', 'main\\.tick$', '--', handlers(), 'concurrent', '8', '125000'], { timeout: 280000 });
      T.assertCode(r, 0);
      assert.match(r.stdout, /^ticks 1000000 total 1000000$/m, 'the program counted every call');
      assert.match(r.stderr, FAST_NOTE, 'main.tick records in the program');
      assert.equal(summaryCalls(r.stderr, 'main.tick'), 1000001, `every call once (and the last tick(-1)):\n${r.stderr.slice(-800)}`);
    });

    test('exactly once: 2 000 goroutines x 100 calls', OPT, async () => {
      const r = await T.runTrace(['-o', '/dev/null', 'main\\.tick$', '--', handlers(), 'concurrent', '2000', '100'], { timeout: 280000 });
      T.assertCode(r, 0);
      assert.match(r.stdout, /^ticks 200000 total 200000$/m, 'the program counted every call');
      assert.match(r.stderr, FAST_NOTE, 'main.tick records in the program');
      assert.equal(summaryCalls(r.stderr, 'main.tick'), 200001, `every call once:\n${r.stderr.slice(-800)}`);
    });

    test('recursion 2 000 deep through morestack, small and 4.8 KB frames: every call and return', OPT, async () => {
      const { r, recs } = await jsonl(['main\\.(depth|bigdepth)$', '--', handlers(), 'recursion', '2000']);
      assert.match(r.stdout, /^depth 2000$/m);
      assert.match(r.stderr, FAST_NOTE);
      T.checkForest(recs);
      for (const fn of ['main.depth', 'main.bigdepth']) {
        const calls = T.of(recs, fn);
        assert.equal(calls.length, 2002, `${fn}: 2001 calls down and one of -1`);
        assert.ok(calls.every((c) => c.end === 'return'), `${fn}: each returned`);
        assert.equal(Math.max(...calls.map((c) => c.depth)), 2000, `${fn}: 2000 deep`);
        const leaf = calls.find((c) => c.depth === 2000);
        assert.deepEqual([leaf.args, leaf.results], [{ n: '0' }, { '~r0': '0' }]);
        const root = calls.find((c) => c.depth === 0 && c.args.n === '2000');
        assert.deepEqual(root.results, { '~r0': '2000' });
      }
    });

    test('the editor: the "trace" attribute records in the program, and gobpTrace events carry the calls', OPT, async () => {
      const s = await startSession('stdio');
      try {
        await h.launch(s, h.launchArgs({ program: tracing(), args: ['chain'], trace: { functions: ['main\\.(handle|find|query)$'] } }));
        await s.waitEvent('terminated', { timeout: 60000 });
        const console = s.events.filter((e) => e.event === 'output').map((e) => e.body.output).join('');
        assert.match(console, /trace: \d+ of \d+ entry and return sites record calls in the program, without a stop/);
        const calls = s.events.filter((e) => e.event === 'gobpTrace').map((e) => e.body);
        assert.equal(calls.length, 6, 'six calls reach the editor');
        const q = calls.find((b) => b.function === 'main.query' && b.args.id === undefined && b.args.args.endsWith('[123]'));
        assert.ok(q, 'query(..., 123): the variadic argument as the call saw it');
        assert.deepEqual(q.results, { '~r0': '7', '~r1': 'error nil' });
      } finally {
        await s.close();
      }
    });

    test('the editor: traces restarted at a stop share one ring in the program', OPT, async () => {
      const s = await startSession('stdio');
      try {
        await h.launch(s, h.launchArgs({ program: tracing(), args: ['chain'], trace: { functions: ['main\\.handle$'] } }),
          { functionBreakpoints: [{ name: 'main.find' }] });
        const ev = await h.waitStopped(s, 0, null, 60000);
        for (let i = 0; i < 3; i++) await s.ok('setTracepoints', { functions: ['main.query'] });
        const pid = s.events.find((e) => e.event === 'process').body.systemProcessId;
        const rings = fs.readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n').filter((l) => l.includes('gobp-trace'));
        assert.equal(rings.length, 1, `one ring mapped in the program:\n${rings.join('\n')}`);
        await s.ok('setFunctionBreakpoints', { breakpoints: [] });
        await s.ok('continue', { threadId: ev.body.threadId });
        await s.waitEvent('terminated', { timeout: 60000 });
        const calls = s.events.filter((e) => e.event === 'gobpTrace').map((e) => e.body.function);
        assert.ok(calls.includes('main.query'), `the restarted trace records: ${calls}`);
        assert.deepEqual(calls.filter((f) => f === 'main.handle').length, 2, 'handle(123) and handle(5), each once');
      } finally {
        await s.close();
      }
    });
  });
}
