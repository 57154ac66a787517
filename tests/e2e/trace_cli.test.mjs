// `gobp-dap trace [OPTIONS] REGEXP... -- PROGRAM [ARGS...]` (and --pid): the text tree, JSON lines
// and Chrome writers, the summary, recursion with stack growth, goroutines, panics (recovered and
// not), runtime.Goexit, methods/closures/generics, filters (--sample, --max-calls, --goroutine),
// bounded memory on long traces, errors, attaching to a running process. Program:
// tests/programs/tracing. Every installed Go version.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { IS_DELVE } from './lib/client.mjs';
import { goToolchains, buildProgram } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';
import * as T from './lib/trace.mjs';

const SKIP = IS_DELVE && '`gobp-dap trace` is gobp-dap only';
const OPT = { timeout: 180000, skip: SKIP };
const LONG = { timeout: 900000, skip: SKIP };

const CHAIN = ['main\\.(handle|find|query)$'];
const Q = '"SELECT name FROM users WHERE id = ?"';

/** Checks the six chain records (handle(123), handle(5)) of a JSON lines trace. */
function checkChain(recs) {
  assert.equal(recs.length, 6, 'six calls: handle, find, query twice');
  T.checkForest(recs);
  const handles = T.of(recs, 'main.handle').sort((x, y) => x.id - y.id);
  assert.equal(handles.length, 2);
  for (const [hd, id, want] of [[handles[0], '123', 'ok'], [handles[1], '5', 'err']]) {
    const find = recs.find((r) => r.parent === hd.id);
    const query = find && recs.find((r) => r.parent === find.id);
    assert.ok(find && query, 'handle → find → query');
    assert.equal(hd.parent, 0);
    assert.deepEqual([hd.depth, find.depth, query.depth], [0, 1, 2]);
    assert.deepEqual([find.function, query.function], ['main.find', 'main.query']);
    assert.deepEqual([hd.id + 1, hd.id + 2], [find.id, query.id], 'ids in entry order');
    for (const r of [hd, find, query]) {
      assert.equal(r.goroutine, 1, 'main goroutine');
      assert.equal(r.end, 'return');
    }
    assert.deepEqual(hd.args, { id });
    assert.deepEqual(find.args, { id });
    assert.deepEqual(query.args, { q: Q, args: `[]interface {} len: 1, cap: 1, [${id}]` });
    if (want === 'ok') {
      assert.deepEqual(query.results, { '~r0': '7', '~r1': 'error nil' });
      assert.deepEqual(find.results, { '~r0': '*main.User {ID: 123, Name: "user7"}', '~r1': 'error nil' });
      assert.deepEqual(hd.results, { '~r0': '"user7"' });
    } else {
      assert.deepEqual(query.results, { '~r0': '0', '~r1': 'error(*errors.errorString) *{s: "no rows"}' });
      assert.deepEqual(find.results, { '~r0': '*main.User nil', '~r1': 'error(*errors.errorString) *{s: "no rows"}' });
      assert.deepEqual(hd.results, { '~r0': '"error: no rows"' });
    }
    assert.ok(hd.duration_ns >= find.duration_ns && find.duration_ns >= query.duration_ns && query.duration_ns > 0, 'durations nest');
  }
}

const CHAIN_STDOUT = 'handle(123) = user7\nhandle(5) = error: no rows\n';

for (const tc of goToolchains()) {
  describe(`gobp-dap trace go${tc.version}`, () => {
    const prog = () => buildProgram('tracing', tc);

    test('text tree: shape, values, nesting, durations, summary', OPT, async () => {
      const r = await T.runTrace([...CHAIN, '--', prog(), 'chain']);
      T.assertCode(r, 0);
      assert.equal(r.stdout, CHAIN_STDOUT, 'the program runs normally');
      const lines = r.stderr.split('\n');
      assert.equal(lines[0], 'gobp-dap trace: tracing 3 functions');
      const tree = lines.filter((l) => l.startsWith('[G'));
      const D = T.DUR_RE.source;
      const expect = [
        /^\[G1\] main\.handle\(id=123\)$/,
        /^\[G1\] ├─ main\.find\(id=123\)$/,
        new RegExp(`^\\[G1\\] │  └─ main\\.query\\(q="SELECT name FROM users WHERE id = \\?", args=\\[\\]interface \\{\\} len: 1, cap: 1, \\[123\\]\\) => \\(~r0=7, ~r1=error nil\\)  ${D}$`),
        new RegExp(`^\\[G1\\] │  => \\(~r0=\\*main\\.User \\{ID: 123, Name: "user7"\\}, ~r1=error nil\\)  ${D}$`),
        new RegExp(`^\\[G1\\] => \\(~r0="user7"\\)  ${D}$`),
        /^\[G1\] main\.handle\(id=5\)$/,
        /^\[G1\] ├─ main\.find\(id=5\)$/,
        new RegExp(`^\\[G1\\] │  └─ main\\.query\\(q="SELECT name FROM users WHERE id = \\?", args=\\[\\]interface \\{\\} len: 1, cap: 1, \\[5\\]\\) => \\(~r0=0, ~r1=error\\(\\*errors\\.errorString\\) \\*\\{s: "no rows"\\}\\)  ${D}$`),
        new RegExp(`^\\[G1\\] │  => \\(~r0=\\*main\\.User nil, ~r1=error\\(\\*errors\\.errorString\\) \\*\\{s: "no rows"\\}\\)  ${D}$`),
        new RegExp(`^\\[G1\\] => \\(~r0="error: no rows"\\)  ${D}$`),
      ];
      assert.equal(tree.length, expect.length, `tree lines:\n${tree.join('\n')}`);
      expect.forEach((re, i) => assert.match(tree[i], re, `tree line ${i + 1}`));
      // durations: query <= find <= handle
      const dur = (l) => T.durationNs(l.split('  ').pop());
      for (const base of [0, 5]) {
        const [q, f, hd] = [dur(tree[base + 2]), dur(tree[base + 3]), dur(tree[base + 4])];
        assert.ok(q > 0 && q <= f * 1.001 && f <= hd * 1.001, `durations nest: ${q} ${f} ${hd}`);
      }
      const sum = T.parseSummary(r.stderr);
      assert.equal(sum.calls, 6);
      assert.deepEqual(Object.keys(sum.rows).sort(), ['main.find', 'main.handle', 'main.query']);
      for (const row of Object.values(sum.rows)) assert.equal(row.calls, 2);
      assert.ok(sum.rows['main.handle'].total >= sum.rows['main.find'].total, 'handle total >= find total');
      assert.equal(sum.rows['main.query'].total, sum.rows['main.query'].self, 'a leaf: total = self');
      // text into a file: the tree and the summary go there, the summary to stderr too
      const out = T.tmpFile('txt');
      const r2 = await T.runTrace(['-o', out, ...CHAIN, '--', prog(), 'chain']);
      T.assertCode(r2, 0);
      const text = fs.readFileSync(out, 'utf8');
      assert.equal(text.split('\n').filter((l) => l.startsWith('[G')).length, 10, 'the tree is in the file');
      assert.ok(!/^\[G/m.test(r2.stderr), 'no tree lines on stderr with -o');
      assert.equal(T.parseSummary(text).calls, 6);
      assert.equal(T.parseSummary(r2.stderr).calls, 6);
    });

    test('--format jsonl: records form the tree with values; summary agrees', OPT, async () => {
      const out = T.tmpFile('jsonl');
      const r = await T.runTrace(['--format', 'jsonl', '-o', out, ...CHAIN, '--', prog(), 'chain']);
      T.assertCode(r, 0);
      assert.equal(r.stdout, CHAIN_STDOUT);
      assert.match(r.stderr, /^gobp-dap trace: tracing 3 functions$/m);
      const recs = T.readJsonl(out);
      checkChain(recs);
      T.checkSummary(T.parseSummary(r.stderr), recs);
      // --no-summary
      const r2 = await T.runTrace(['--no-summary', '--format', 'jsonl', '-o', out, ...CHAIN, '--', prog(), 'chain']);
      T.assertCode(r2, 0);
      assert.doesNotMatch(r2.stderr, /trace summary/);
      checkChain(T.readJsonl(out));
      // --max-string bounds string values
      const r3 = await T.runTrace(['--max-string', '6', '--format', 'jsonl', '-o', out, 'main\\.query$', '--', prog(), 'chain']);
      T.assertCode(r3, 0);
      assert.deepEqual(T.readJsonl(out).map((x) => x.args.q), ['"SELECT"...+29 more', '"SELECT"...+29 more']);
    });

    test('--format chrome: trace events, one track per goroutine, nesting in time', OPT, async () => {
      const out = T.tmpFile('json');
      const r = await T.runTrace(['--format', 'chrome', '-o', out, ...CHAIN, '--', prog(), 'chain']);
      T.assertCode(r, 0);
      const { x, meta } = T.readChrome(out);
      assert.equal(x.length, 6);
      assert.deepEqual([...meta.keys()], [1], 'one track: goroutine 1');
      const recs = x.map((e) => ({ id: e.args.id, parent: e.args.parent, goroutine: e.tid, function: e.name, ts: e.ts, dur: e.dur, e }));
      for (const e of x) {
        assert.equal(e.cat, 'go');
        assert.equal(e.pid, 1);
        assert.equal(e.args.end, 'return');
      }
      const byId = new Map(recs.map((r) => [r.id, r]));
      for (const c of recs) {
        if (!c.parent) { assert.equal(c.function, 'main.handle'); continue; }
        const p = byId.get(c.parent);
        assert.ok(p, `parent ${c.parent} recorded`);
        assert.equal(c.function, p.function === 'main.handle' ? 'main.find' : 'main.query');
        assert.ok(c.ts >= p.ts && c.ts + c.dur <= p.ts + p.dur + 0.002, `${c.function} inside ${p.function} in time`);
      }
      const q = recs.find((r) => r.function === 'main.query' && r.e.args.args.q === Q && r.e.args.args.args.endsWith('[123]'));
      assert.ok(q, 'query(…, 123) with its arguments');
      assert.deepEqual(q.e.args.results, { '~r0': '7', '~r1': 'error nil' });
      const sum = T.parseSummary(r.stderr);
      assert.equal(sum.calls, 6);
      for (const fn of ['main.handle', 'main.find', 'main.query']) {
        const mine = recs.filter((e) => e.function === fn);
        assert.equal(sum.rows[fn].calls, mine.length);
        const total = mine.reduce((s, e) => s + e.dur, 0) / 1e3;
        assert.ok(Math.abs(sum.rows[fn].total - total) < 0.002, `${fn} summary total ${sum.rows[fn].total} = sum of dur ${total}`);
      }
    });

    test('recursion: fib(10) is 177 calls; depth(3000) with stack growth is 3001 nested calls', OPT, async () => {
      const out = T.tmpFile('jsonl');
      const r = await T.runTrace(['--format', 'jsonl', '-o', out, 'main\\.(fib|depth)$', '--', prog(), 'recursion']);
      T.assertCode(r, 0);
      assert.equal(r.stdout, 'fib(10) = 55\ndepth(3000) = 3000\n');
      const recs = T.readJsonl(out);
      const { byId, children } = T.checkForest(recs);
      const fibs = T.of(recs, 'main.fib');
      assert.equal(fibs.length, 177, 'fib(10) makes 177 calls');
      const fib = (n) => (n < 2 ? n : fib(n - 1) + fib(n - 2));
      for (const f of fibs) {
        const n = +f.args.n;
        assert.equal(f.end, 'return');
        assert.deepEqual(f.results, { '~r0': String(fib(n)) }, `fib(${n})`);
        const kids = (children.get(f.id) || []).map((k) => +k.args.n);
        assert.deepEqual(kids, n < 2 ? [] : [n - 1, n - 2], `fib(${n}) calls fib(${n - 1}) then fib(${n - 2})`);
      }
      const root = fibs.find((f) => f.parent === 0);
      assert.equal(root.args.n, '10');
      assert.equal(Math.max(...fibs.map((f) => f.depth)), 9, 'fib nesting is 10 deep');
      const deps = T.of(recs, 'main.depth');
      assert.equal(deps.length, 3001, 'one record per depth call (stack growth re-entries are not counted)');
      for (const d of deps) {
        const n = +d.args.n;
        assert.equal(d.end, 'return', `depth(${n}) returns`);
        assert.equal(d.depth, 3000 - n, `depth(${n}) nesting`);
        assert.deepEqual(d.results, { '~r0': String(n) });
        if (n === 3000) assert.equal(d.parent, 0);
        else assert.equal(byId.get(d.parent).args.n, String(n + 1), `depth(${n})'s parent is depth(${n + 1})`);
      }
      assert.deepEqual(new Set(deps.map((d) => +d.args.n)).size, 3001, 'every n once');
      T.checkSummary(T.parseSummary(r.stderr), recs);
    });

    test('parallel: each call on its own goroutine, 50 per goroutine, tracks per goroutine', OPT, async () => {
      const out = T.tmpFile('jsonl');
      const r = await T.runTrace(['--format', 'jsonl', '-o', out, 'main\\.work$', '--', prog(), 'parallel']);
      T.assertCode(r, 0);
      assert.equal(r.stdout, 'sums [247500 495000 742500 990000]\n');
      const recs = T.readJsonl(out);
      T.checkForest(recs);
      assert.equal(recs.length, 200);
      const perG = new Map();
      for (const x of recs) {
        assert.equal(x.end, 'return');
        assert.equal(x.parent, 0);
        assert.notEqual(x.goroutine, 1, 'not on the main goroutine');
        assert.deepEqual(x.results, { '~r0': String(4950 * +x.args.id) });
        if (!perG.has(x.goroutine)) perG.set(x.goroutine, []);
        perG.get(x.goroutine).push(x);
      }
      assert.equal(perG.size, 4, 'four goroutines');
      const ids = new Set();
      for (const [g, list] of perG) {
        assert.equal(list.length, 50, `G${g}: 50 calls`);
        assert.equal(new Set(list.map((x) => x.args.id)).size, 1, `G${g}: one worker's calls only`);
        ids.add(list[0].args.id);
      }
      assert.deepEqual([...ids].sort(), ['1', '2', '3', '4']);
      // chrome: the same calls, tid = goroutine
      const cout = T.tmpFile('json');
      const r2 = await T.runTrace(['--format', 'chrome', '-o', cout, 'main\\.work$', '--', prog(), 'parallel']);
      T.assertCode(r2, 0);
      const { x, meta } = T.readChrome(cout);
      assert.equal(x.length, 200);
      assert.equal(meta.size, 4, 'four tracks');
      for (const [tid, list] of Object.entries(x.reduce((m, e) => ((m[e.tid] ||= []).push(e), m), {}))) {
        assert.equal(list.length, 50, `track ${tid}: 50 events`);
        assert.equal(new Set(list.map((e) => e.args.args.id)).size, 1, `track ${tid}: one worker`);
        list.sort((p, q) => p.ts - q.ts);
        for (let i = 1; i < list.length; i++) assert.ok(list[i].ts >= list[i - 1].ts + list[i - 1].dur - 0.002, `track ${tid}: calls do not overlap`);
      }
    });

    test('panic: calls left by a recovered panic end "panic", later calls "return"', OPT, async () => {
      const out = T.tmpFile('jsonl');
      const r = await T.runTrace(['--format', 'jsonl', '-o', out, 'main\\.(a|b|c|recovered|recovered\\.func1)$', '--', prog(), 'panic']);
      T.assertCode(r, 0);
      assert.equal(r.stdout, 'recovered: boom in c\na(0) = 3\n');
      const recs = T.readJsonl(out);
      T.checkForest(recs);
      assert.equal(recs.length, 8, `recovered, a/b/c(1), the deferred func, a/b/c(0): ${recs.map((x) => x.function)}`);
      const rec = T.of(recs, 'main.recovered');
      assert.equal(rec.length, 1);
      assert.equal(rec[0].end, 'return');
      assert.deepEqual(rec[0].results, { res: '"recovered: boom in c"' });
      const chainOf = (n) => ['main.a', 'main.b', 'main.c'].map((fn) => recs.find((x) => x.function === fn && x.args.n === String(n)));
      const [a1, b1, c1] = chainOf(1);
      assert.deepEqual([a1.parent, b1.parent, c1.parent], [rec[0].id, a1.id, b1.id], 'recovered → a → b → c');
      for (const x of [a1, b1, c1]) {
        assert.equal(x.end, 'panic', `${x.function}(1) left by the panic`);
        assert.deepEqual(x.results, {}, 'no results for a call left by a panic');
      }
      const def = T.of(recs, 'main.recovered.func1');
      assert.equal(def.length, 1, 'the deferred function (run during the panic) is recorded');
      assert.equal(def[0].end, 'return');
      const [a0, b0, c0] = chainOf(0);
      assert.deepEqual([a0.parent, b0.parent, c0.parent], [0, a0.id, b0.id]);
      assert.deepEqual([a0, b0, c0].map((x) => [x.end, x.results['~r0']]), [['return', '3'], ['return', '2'], ['return', '1']]);
      // text tree marks them
      const r2 = await T.runTrace(['--no-summary', 'main\\.(a|b|c|recovered)$', '--', prog(), 'panic']);
      T.assertCode(r2, 0);
      const tree = r2.stderr.split('\n').filter((l) => l.startsWith('[G'));
      assert.equal(tree.filter((l) => / => <panic>  /.test(l)).length, 3, `three <panic> lines:\n${tree.join('\n')}`);
      assert.match(tree[3], /^\[G1\] │  │  └─ main\.c\(n=1\) => <panic>  /);
    });

    test('panic recovered in an untraced frame: calls close at the panic, later calls get the right parent', OPT, async () => {
      // recoverQuietly (untraced) recovers a(1)→b→c; main sleeps 300 ms, then nest(20) (untraced,
      // deeper stack than c) calls after(7).
      const out = T.tmpFile('jsonl');
      const r = await T.runTrace(['--format', 'jsonl', '-o', out, 'main\\.(a|b|c|after)$', '--', prog(), 'recover-untraced']);
      T.assertCode(r, 0);
      assert.equal(r.stdout, 'after 21\n');
      const recs = T.readJsonl(out);
      T.checkForest(recs);
      const after = T.of(recs, 'main.after');
      assert.equal(after.length, 1);
      assert.equal(after[0].parent, 0, `after(7) is a root call, not a child of a call the panic left: ${JSON.stringify(after[0])}`);
      assert.equal(after[0].depth, 0);
      for (const fn of ['main.a', 'main.b', 'main.c']) {
        const [x] = T.of(recs, fn);
        assert.equal(x.end, 'panic');
        assert.ok(x.duration_ns < 250e6, `${fn}(1) ends with the panic, not 300 ms later at the next traced call: ${x.duration_ns} ns`);
      }
    });

    test('crash: the exit status (2) passes through, open calls are closed, none missing', OPT, async () => {
      const out = T.tmpFile('jsonl');
      const r = await T.runTrace(['--format', 'jsonl', '-o', out, 'main\\.(a|b|c)$', '--', prog(), 'crash']);
      T.assertCode(r, 2);
      assert.equal(r.stdout, 'a(0) = 3\n');
      assert.match(r.stderr, /^panic: boom in c$/m, 'the program\'s panic message');
      const recs = T.readJsonl(out);
      T.checkForest(recs);
      assert.equal(recs.length, 6);
      for (const fn of ['main.a', 'main.b', 'main.c']) {
        const list = T.of(recs, fn);
        assert.deepEqual(list.map((x) => x.args.n).sort(), ['0', '1'], `${fn}(0) and ${fn}(1)`);
        for (const x of list) assert.equal(x.end, x.args.n === '0' ? 'return' : 'panic', `${fn}(${x.args.n}) end`);
      }
      const sum = T.parseSummary(r.stderr);
      assert.equal(sum.calls, 6);
    });

    test('runtime.Goexit: g1 and g2 end "goexit"', OPT, async () => {
      const out = T.tmpFile('jsonl');
      const r = await T.runTrace(['--format', 'jsonl', '-o', out, 'main\\.g[12]$', '--', prog(), 'goexit']);
      T.assertCode(r, 0);
      assert.equal(r.stdout, 'goexit done\n');
      const recs = T.readJsonl(out);
      T.checkForest(recs);
      assert.equal(recs.length, 2);
      const [g1] = T.of(recs, 'main.g1');
      const [g2] = T.of(recs, 'main.g2');
      assert.equal(g2.parent, g1.id);
      assert.notEqual(g1.goroutine, 1);
      assert.deepEqual([g1.end, g2.end], ['goexit', 'goexit']);
      assert.deepEqual([g1.args, g2.args], [{ n: '1' }, { n: '2' }]);
      assert.deepEqual([g1.results, g2.results], [{}, {}]);
    });

    test('runtime.Goexit whose deferred call lets the program end first: still "goexit"', OPT, async () => {
      // g2 calls runtime.Goexit; the goroutine's deferred call closes a channel main waits on,
      // then sleeps: the program ends while the goroutine is inside Goexit (after it was called).
      const out = T.tmpFile('jsonl');
      const r = await T.runTrace(['--format', 'jsonl', '-o', out, 'main\\.g[12]$', '--', prog(), 'goexit-slow']);
      T.assertCode(r, 0);
      const recs = T.readJsonl(out);
      assert.equal(recs.length, 2);
      assert.deepEqual(recs.map((x) => x.end), ['goexit', 'goexit'], 'calls left by runtime.Goexit are closed as goexit');
    });

    test('methods, closures and generic functions are traced under their Go names', OPT, async () => {
      const out = T.tmpFile('jsonl');
      const r = await T.runTrace(['--format', 'jsonl', '-o', out, '^main\\.(Point\\.Sum|\\(\\*Point\\)\\.Scale|main\\.func[0-9]+|Max.*)$', '--', prog(), 'methods']);
      T.assertCode(r, 0);
      assert.equal(r.stdout, 'sum 5\nscaled 20 30\nclosure 21\nmax 9 2.5\n');
      const recs = T.readJsonl(out);
      T.checkForest(recs);
      assert.equal(recs.length, 5, `five calls: ${recs.map((x) => x.function)}`);
      const byStart = [...recs].sort((x, y) => x.id - y.id);
      const [sum, scale, clo, maxI, maxF] = byStart;
      assert.equal(sum.function, 'main.Point.Sum');
      assert.deepEqual(sum.args, { p: 'main.Point {X: 2, Y: 3}' });
      assert.deepEqual(sum.results, { '~r0': '5' });
      assert.equal(scale.function, 'main.(*Point).Scale');
      assert.deepEqual(scale.args, { p: '*main.Point {X: 2, Y: 3}', k: '10' });
      assert.deepEqual(scale.results, {});
      assert.match(clo.function, /^main\.main\.func\d+$/);
      assert.deepEqual(clo.args, { x: '1' });
      assert.deepEqual(clo.results, { '~r0': '21' });
      assert.match(maxI.function, /^main\.Max\[go\.shape\.int(_0)?\]$/);
      assert.deepEqual(maxI.args, { x: '3', y: '9' }, 'the dictionary argument is hidden');
      assert.deepEqual(maxI.results, { '~r0': '9' });
      assert.match(maxF.function, /^main\.Max\[go\.shape\.float64(_0)?\]$/);
      assert.deepEqual(maxF.args, { x: '2.5', y: '1.5' });
      assert.deepEqual(maxF.results, { '~r0': '2.5' });
      for (const x of recs) assert.equal(x.end, 'return');
    });

    test('--sample 10 → 100 of 1000 calls; --max-calls 5 → 5; --goroutine 1 → only the main goroutine', OPT, async () => {
      const out = T.tmpFile('jsonl');
      let r = await T.runTrace(['--format', 'jsonl', '-o', out, '--sample', '10', 'main\\.tiny$', '--', prog(), 'many', '1000']);
      T.assertCode(r, 0);
      assert.equal(r.stdout, 'many 1000 500500\n');
      let recs = T.readJsonl(out);
      assert.equal(recs.length, 100);
      T.checkForest(recs);
      assert.deepEqual(recs.map((x) => +x.args.i), Array.from({ length: 100 }, (_, k) => k * 10), 'one call in 10: i = 0, 10, 20, ...');
      assert.equal(T.parseSummary(r.stderr).calls, 100);

      r = await T.runTrace(['--format', 'jsonl', '-o', out, '--max-calls', '5', 'main\\.tiny$', '--', prog(), 'many', '1000']);
      T.assertCode(r, 0);
      assert.equal(r.stdout, 'many 1000 500500\n', 'the program runs to its end');
      recs = T.readJsonl(out);
      assert.deepEqual(recs.map((x) => [x.id, x.args.i, x.results['~r0']]), [[1, '0', '1'], [2, '1', '2'], [3, '2', '3'], [4, '3', '4'], [5, '4', '5']]);

      // --goroutine 1: only the main goroutine's calls (work(9) x10 after the 4 workers' 200)
      r = await T.runTrace(['--format', 'jsonl', '-o', out, 'main\\.work$', '--', prog(), 'parallel', 'withmain']);
      T.assertCode(r, 0);
      assert.equal(r.stdout, 'sums [247500 495000 742500 990000]\nmain 445500\n');
      assert.equal(T.readJsonl(out).length, 210, 'unfiltered: 210 calls');
      r = await T.runTrace(['--format', 'jsonl', '-o', out, '--goroutine', '1', 'main\\.work$', '--', prog(), 'parallel', 'withmain']);
      T.assertCode(r, 0);
      assert.equal(r.stdout, 'sums [247500 495000 742500 990000]\nmain 445500\n');
      recs = T.readJsonl(out);
      T.checkForest(recs);
      assert.equal(recs.length, 10, '--goroutine 1: the main goroutine\'s 10 calls');
      for (const x of recs) assert.deepEqual([x.goroutine, x.args.id], [1, '9']);
      assert.equal(T.parseSummary(r.stderr).calls, 10);
    });

    test('errors: nothing matches, bad regular expression, bad format, no program', OPT, async () => {
      let r = await T.runTrace(['main\\.nomatch$', '--', prog(), 'chain']);
      T.assertCode(r, 2);
      assert.match(r.stderr, /no function matches main\\\.nomatch\$/);
      assert.equal(r.stdout, '', 'the program does not run');
      r = await T.runTrace(['main\\.(foo', '--', prog(), 'chain']);
      T.assertCode(r, 2);
      assert.match(r.stderr, /bad regular expression "main\\\.\(foo"/);
      assert.equal(r.stdout, '');
      r = await T.runTrace(['--format', 'xml', 'main', '--', prog(), 'chain']);
      T.assertCode(r, 2);
      assert.match(r.stderr, /unknown --format xml/);
      r = await T.runTrace(['main\\.handle$']);
      T.assertCode(r, 2);
      assert.match(r.stderr, /give either -- PROGRAM/);
      r = await T.runTrace(['--max-calls', '3']);
      T.assertCode(r, 2);
      assert.match(r.stderr, /give at least one REGEXP/);
    });

    test('selection: --exclude with a REGEXP; --pkg / --exclude alone before -- PROGRAM', OPT, async () => {
      const out = T.tmpFile('jsonl');
      let r = await T.runTrace(['--format', 'jsonl', '-o', out, '--exclude', 'main\\.find$', ...CHAIN, '--', prog(), 'chain']);
      T.assertCode(r, 0);
      assert.match(r.stderr, /tracing 2 functions/);
      let recs = T.readJsonl(out);
      T.checkForest(recs);
      assert.deepEqual(recs.map((x) => x.function).sort(), ['main.handle', 'main.handle', 'main.query', 'main.query']);
      for (const q of T.of(recs, 'main.query')) assert.equal(recs.find((x) => x.id === q.parent).function, 'main.handle', 'query nests under handle when find is excluded');
      // the documented form without a REGEXP: every function of package main but main.main
      r = await T.runTrace(['--format', 'jsonl', '-o', out, '--pkg', 'main', '--exclude', '^main\\.main$', '--', prog(), 'chain']);
      T.assertCode(r, 0);
      assert.equal(r.stdout, CHAIN_STDOUT);
      recs = T.readJsonl(out);
      T.checkForest(recs);
      for (const fn of ['main.handle', 'main.find', 'main.query']) assert.equal(T.of(recs, fn).length, 2, `${fn} traced by --pkg main`);
      assert.equal(T.of(recs, 'main.main').length, 0, 'main.main excluded');
    });

    test('--pid: trace a running process for --duration, detach, the program goes on', OPT, async () => {
      const p = spawn(prog(), ['loop', '8'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d) => { out += d; });
      const exited = new Promise((res) => p.on('exit', (code, signal) => res({ code, signal })));
      try {
        await h.eventually(() => out.includes('loop started'), 10000, 'loop started');
        await new Promise((res) => setTimeout(res, 300));
        const file = T.tmpFile('jsonl');
        const t0 = Date.now();
        const r = await T.runTrace(['--pid', String(p.pid), '--duration', '2', '--format', 'jsonl', '-o', file, 'main\\.tickfn']);
        T.assertCode(r, 0);
        const took = Date.now() - t0;
        assert.ok(took >= 1900 && took < 10000, `ran about 2 s (${took} ms)`);
        assert.match(r.stderr, /tracing 1 function/);
        const recs = T.readJsonl(file);
        T.checkForest(recs);
        assert.ok(recs.length >= 20, `records appeared (${recs.length})`);
        const is = recs.map((x) => +x.args.i);
        for (let k = 1; k < is.length; k++) assert.equal(is[k], is[k - 1] + 1, 'every call in the window is recorded');
        // a call in flight when the trace ends is closed as unfinished (no results): at most the last one
        const unfinished = recs.filter((x) => x.end === 'unfinished');
        assert.ok(unfinished.length <= 1 && (unfinished.length === 0 || unfinished[0] === recs[recs.length - 1]),
          `only the call in flight at the end is unfinished: ${JSON.stringify(unfinished)}`);
        for (const x of recs.filter((y) => y.end === 'return')) assert.deepEqual(x.results, { '~r0': String(2 * +x.args.i) });
        assert.equal(T.parseSummary(r.stderr).calls, recs.length);
        assert.ok(h.pidAlive(p.pid), 'the program keeps running after the detach');
        assert.match(fs.readFileSync(`/proc/${p.pid}/status`, 'utf8'), /^TracerPid:\s+0$/m, 'no tracer left');
        const end = await exited;
        assert.deepEqual(end, { code: 0, signal: null }, 'the program ends normally (no trap left behind)');
        assert.equal(out, 'loop started\nloop done\n');
      } finally {
        if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
      }
    });

    test('40 arguments and 34 results (tests/programs/manyfuncs): every one at its place', OPT, async () => {
      const r = await T.runTrace(['main\\.Wide$', '--', buildProgram('manyfuncs', tc)]);
      T.assertCode(r, 0);
      const two = (i) => String(i).padStart(2, '0');
      const args = Array.from({ length: 40 }, (_, i) => `a${two(i)}=${i}`).join(', ');
      const results = Array.from({ length: 34 }, (_, i) => `r${two(i)}=${101 * i}`).join(', ');
      const line = r.stderr.split('\n').find((l) => l.startsWith('[G1] main.Wide('));
      assert.ok(line, `a main.Wide line in:\n${r.stderr.slice(-3000)}`);
      assert.ok(line.startsWith(`[G1] main.Wide(${args}) => (${results})  `), line);
    });

    test('streaming: 200000 calls → 200000 JSON lines, gobp-dap peak RSS bounded', LONG, async () => {
      const N = 200000;
      const out = T.tmpFile('jsonl');
      const r = await T.runTrace(['--format', 'jsonl', '-o', out, 'main\\.tiny$', '--', prog(), 'many', String(N)], { timeout: 800000 });
      T.assertCode(r, 0);
      assert.equal(r.stdout, `many ${N} ${(N * (N + 1)) / 2}\n`);
      const text = fs.readFileSync(out, 'utf8');
      const lines = text.split('\n');
      assert.equal(lines.pop(), '', 'ends with a newline');
      assert.equal(lines.length, N);
      for (let k = 0; k < N; k += 997) {
        const x = JSON.parse(lines[k]);
        assert.equal(x.id, k + 1);
        assert.deepEqual(x.args, { i: String(k) });
        assert.equal(x.end, 'return');
      }
      JSON.parse(lines[N - 1]);
      assert.equal(T.parseSummary(r.stderr).calls, N);
      assert.ok(r.peakKb > 0, 'VmHWM sampled');
      // An ASan build (make test SANITIZE=1) carries its shadow memory and a 16 MB quarantine
      // (ASAN_OPTIONS from the Makefile): about 40 MB more whatever the trace length.
      const limitMb = process.env.GOBP_SANITIZED ? 100 : 60;
      assert.ok(r.peakKb < limitMb * 1024, `gobp-dap peak RSS ${r.peakKb} kB < ${limitMb} MB`);
      fs.rmSync(out);
    });
  });
}
