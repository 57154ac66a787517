// Call tracing in the editor (over stdio): the launch attribute `trace` (console tree, gobpTrace
// events, summary at the end, the trace file), tracepoints (function breakpoints with condition
// "trace": traced, never stopping), a normal breakpoint while tracing (stops, stack shown, tracing
// goes on after continue) and the custom request setTracepoints. Program: tests/programs/tracing.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, IS_DELVE } from './lib/client.mjs';
import { goToolchains, buildProgram } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';
import * as T from './lib/trace.mjs';

const OPT = { timeout: 180000, skip: IS_DELVE && 'tracing is gobp-dap only' };
const REASONS = ['function breakpoint', 'breakpoint'];
const Q = '"SELECT name FROM users WHERE id = ?"';
const CHAIN_STDOUT = 'handle(123) = user7\nhandle(5) = error: no rows\n';

const BODY_KEYS = ['id', 'parent', 'goroutine', 'depth', 'function', 'args', 'results', 'startNs', 'durationNs', 'end'].sort();

/** gobpTrace event bodies since `from`, shape-checked, converted to the JSON lines record shape. */
function traceRecords(s, from = 0) {
  return s.events.slice(from).filter((e) => e.event === 'gobpTrace').map((e) => {
    const b = e.body;
    assert.deepEqual(Object.keys(b).sort(), BODY_KEYS, `gobpTrace body keys: ${JSON.stringify(b)}`);
    for (const k of ['id', 'parent', 'goroutine', 'depth', 'startNs', 'durationNs']) assert.ok(Number.isInteger(b[k]) && b[k] >= 0, `${k}: ${JSON.stringify(b)}`);
    assert.ok(T.ENDS.includes(b.end));
    return { id: b.id, parent: b.parent, goroutine: b.goroutine, depth: b.depth, function: b.function, args: b.args, results: b.results,
      start_ns: b.startNs, duration_ns: b.durationNs, end: b.end };
  });
}

/** Adds self_ns (what checkForest verifies in files) computed from the children. */
function withSelf(recs) {
  for (const r of recs) {
    const kids = recs.filter((k) => k.parent === r.id && k.goroutine === r.goroutine);
    r.self_ns = r.duration_ns - kids.reduce((a, k) => a + k.duration_ns, 0);
  }
  return recs;
}

function checkChainRecords(recs, fns = ['main.handle', 'main.find', 'main.query']) {
  withSelf(recs);
  T.checkForest(recs, { complete: fns.length === 3 });
  assert.equal(recs.length, 2 * fns.length, `records: ${recs.map((r) => r.function)}`);
  for (const id of ['123', '5']) {
    const mine = recs.filter((r) => r.args.id === id || (r.args.args || '').endsWith(`[${id}]`));
    assert.deepEqual(mine.map((r) => r.function).sort(), [...fns].sort(), `calls for id ${id}`);
    for (const r of mine) {
      assert.equal(r.goroutine, 1);
      assert.equal(r.end, 'return');
      if (r.function === 'main.query') assert.equal(r.args.q, Q);
    }
  }
  const q = recs.find((r) => r.function === 'main.query' && r.args.args.endsWith('[123]'));
  if (q) assert.deepEqual(q.results, { '~r0': '7', '~r1': 'error nil' });
  const hd = recs.find((r) => r.function === 'main.handle' && r.args.id === '5');
  if (hd) assert.deepEqual(hd.results, { '~r0': '"error: no rows"' });
}

const consoleLines = (s, from = 0) => s.events.slice(from).filter((e) => e.event === 'output' && (e.body.category || 'console') === 'console').map((e) => e.body.output).join('').split('\n');

for (const tc of goToolchains()) {
  describe(`tracing in the editor go${tc.version}`, () => {
    const prog = () => buildProgram('tracing', tc);

    test('launch attribute trace: console tree, gobpTrace events, summary, chrome file', OPT, async () => {
      const file = T.tmpFile('json');
      const s = await startSession('stdio');
      try {
        await h.launch(s, h.launchArgs({ program: prog(), args: ['chain'],
          trace: { functions: ['main\\.(handle|find|query)$'], output: file, format: 'chrome' } }));
        const term = await s.waitEvent('terminated', { timeout: 60000 });
        const exited = s.events.find((e) => e.event === 'exited');
        assert.ok(exited && s.events.indexOf(exited) < s.events.indexOf(term), 'exited before terminated');
        assert.equal(exited.body.exitCode, 0);
        assert.equal(s.output('stdout'), CHAIN_STDOUT);
        const lines = consoleLines(s);
        assert.ok(lines.includes('trace: tracing 3 functions'), `"trace: tracing 3 functions" in the console:\n${lines.join('\n')}`);
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
          /^\[G1\] │  └─ main\.query\(q=.*\[5\]\) => \(~r0=0, ~r1=error\(\*errors\.errorString\) \*\{s: "no rows"\}\)  /,
          /^\[G1\] │  => \(~r0=\*main\.User nil, /,
          new RegExp(`^\\[G1\\] => \\(~r0="error: no rows"\\)  ${D}$`),
        ];
        assert.equal(tree.length, expect.length, `console tree:\n${tree.join('\n')}`);
        expect.forEach((re, i) => assert.match(tree[i], re, `console tree line ${i + 1}`));
        // the summary is in the console, after the tree
        const text = lines.join('\n');
        const sum = T.parseSummary(text);
        assert.ok(text.indexOf('trace summary:') > text.lastIndexOf('[G1]'), 'summary after the tree');
        const recs = traceRecords(s);
        checkChainRecords(recs);
        T.checkSummary(sum, recs);
        // the file is complete at the end
        const { x, meta } = T.readChrome(file);
        assert.equal(x.length, 6);
        assert.deepEqual([...meta.keys()], [1]);
        assert.deepEqual(x.map((e) => e.args.id).sort(), recs.map((r) => r.id).sort(), 'file and events carry the same calls');
        // gobpTrace events come before exited
        const lastTrace = s.events.findLastIndex((e) => e.event === 'gobpTrace');
        assert.ok(lastTrace < s.events.indexOf(exited), 'gobpTrace events before exited');
      } finally { await s.close(); }
    });

    test('trace attribute with jsonl output, console off, events off', OPT, async () => {
      const file = T.tmpFile('jsonl');
      const s = await startSession('stdio');
      try {
        await h.launch(s, h.launchArgs({ program: prog(), args: ['recursion'],
          trace: { functions: ['main\\.fib$'], output: file, format: 'jsonl', console: false, events: false } }));
        await s.waitEvent('terminated', { timeout: 60000 });
        assert.equal(s.events.filter((e) => e.event === 'gobpTrace').length, 0, 'events: false');
        assert.equal(consoleLines(s).filter((l) => l.startsWith('[G')).length, 0, 'console: false');
        const recs = T.readJsonl(file);
        T.checkForest(recs);
        assert.equal(recs.length, 177);
      } finally { await s.close(); }
    });

    test('function breakpoint with condition "trace": traced, never stops', OPT, async () => {
      const s = await startSession('stdio');
      try {
        const { fbps } = await h.launch(s, h.launchArgs({ program: prog(), args: ['chain'] }),
          { functionBreakpoints: [{ name: 'main.find', condition: 'trace' }, { name: 'main.query', condition: 'trace' }, { name: 'main.nope', condition: 'trace' }] });
        assert.deepEqual(fbps.breakpoints.map((b) => b.verified), [true, true, false]);
        assert.ok(fbps.breakpoints[2].message, 'unknown function: a message');
        const term = await s.waitEvent('terminated', { timeout: 60000 });
        assert.ok(term);
        assert.equal(s.events.filter((e) => e.event === 'stopped').length, 0, 'a tracepoint never stops');
        assert.equal(s.events.find((e) => e.event === 'exited').body.exitCode, 0);
        assert.equal(s.output('stdout'), CHAIN_STDOUT);
        const recs = traceRecords(s);
        checkChainRecords(recs, ['main.find', 'main.query']);
        for (const q of T.of(recs, 'main.query')) assert.equal(recs.find((r) => r.id === q.parent).function, 'main.find');
        const tree = consoleLines(s).filter((l) => l.startsWith('[G'));
        assert.match(tree[0], /^\[G1\] main\.find\(id=123\)$/);
        assert.match(tree[1], /^\[G1\] └─ main\.query\(q=/);
        assert.match(consoleLines(s).join('\n'), /trace summary: 4 calls, 2 functions/);
      } finally { await s.close(); }
    });

    test('a normal breakpoint while tracing stops (stack shown); after continue tracing goes on', OPT, async () => {
      const s = await startSession('stdio');
      try {
        const m0 = s.mark();
        await h.launch(s, h.launchArgs({ program: prog(), args: ['chain'], trace: { functions: ['main\\.(handle|find|query)$'] } }),
          { functionBreakpoints: [{ name: 'main.query' }] });
        let ev = await h.waitStopped(s, m0, undefined, 60000);
        assert.ok(REASONS.includes(ev.body.reason), `reason ${ev.body.reason}`);
        const st = await s.ok('stackTrace', { threadId: ev.body.threadId, startFrame: 0, levels: 20 });
        assert.deepEqual(st.stackFrames.slice(0, 4).map((f) => f.name), ['main.query', 'main.find', 'main.handle', 'main.main']);
        const A = await h.varMap(s, st.stackFrames[0].id, 'Arguments');
        assert.equal(A.q.value, Q);
        assert.equal(traceRecords(s).length, 0, 'no call finished yet');
        let tree = consoleLines(s).filter((l) => l.startsWith('[G'));
        // query's entry was traced before the stop: it flushed find's line; query's own line waits for its exit
        assert.deepEqual(tree, ['[G1] main.handle(id=123)', '[G1] ├─ main.find(id=123)'], 'entries printed so far');

        const m1 = s.mark();
        await s.ok('continue', { threadId: ev.body.threadId });
        ev = await h.waitStopped(s, m1, undefined, 60000);
        const f0 = await h.topFrame(s, ev.body.threadId);
        assert.equal(f0.name, 'main.query');
        assert.equal((await h.varMap(s, f0.id, 'Arguments')).args.value.endsWith('[5]'), true, 'second query call');
        let recs = traceRecords(s);
        assert.deepEqual(recs.map((r) => r.function), ['main.query', 'main.find', 'main.handle'], 'the first chain finished while we were stopped in between');
        assert.deepEqual(recs[0].results, { '~r0': '7', '~r1': 'error nil' });

        await h.runToEnd(s, ev.body.threadId, 0);
        recs = traceRecords(s);
        checkChainRecords(recs);
        tree = consoleLines(s).filter((l) => l.startsWith('[G'));
        assert.equal(tree.length, 10, `full tree:\n${tree.join('\n')}`);
        assert.match(consoleLines(s).join('\n'), /trace summary: 6 calls, 3 functions/);
      } finally { await s.close(); }
    });

    test('setTracepoints: verified per name; traced calls after it', OPT, async () => {
      const s = await startSession('stdio');
      try {
        const m0 = s.mark();
        await h.launch(s, h.launchArgs({ program: prog(), args: ['chain'] }), { functionBreakpoints: [{ name: 'main.handle' }] });
        const ev = await h.waitStopped(s, m0, undefined, 60000);
        assert.equal((await h.topFrame(s, ev.body.threadId)).name, 'main.handle');
        // clear the stopping breakpoint first, then set the tracepoints
        await s.ok('setFunctionBreakpoints', { breakpoints: [] });
        const r = await s.ok('setTracepoints', { functions: ['main.query', 'main.nope'] });
        assert.equal(r.breakpoints.length, 2);
        assert.equal(r.breakpoints[0].verified, true);
        assert.equal(r.breakpoints[1].verified, false);
        assert.match(r.breakpoints[1].message, /main\.nope/);
        await h.runToEnd(s, ev.body.threadId, 0);
        const recs = traceRecords(s);
        assert.deepEqual(recs.map((x) => [x.function, x.args.args]), [['main.query', '[]interface {} len: 1, cap: 1, [123]'], ['main.query', '[]interface {} len: 1, cap: 1, [5]']]);
        assert.match(consoleLines(s).join('\n'), /trace summary: 2 calls, 1 functions/);
        const bad = await s.fail('setTracepoints', {});
        assert.ok(bad.message, 'setTracepoints without functions fails with a message');
      } finally { await s.close(); }
    });

    test('setTracepoints survives a later setFunctionBreakpoints (the editor resends its function breakpoints)', OPT, async () => {
      const s = await startSession('stdio');
      try {
        const m0 = s.mark();
        await h.launch(s, h.launchArgs({ program: prog(), args: ['chain'] }), { functionBreakpoints: [{ name: 'main.handle' }] });
        const ev = await h.waitStopped(s, m0, undefined, 60000);
        await s.ok('setTracepoints', { functions: ['main.query'] });
        // the user removes the function breakpoint: the editor sends the new (empty) list
        await s.ok('setFunctionBreakpoints', { breakpoints: [] });
        await h.runToEnd(s, ev.body.threadId, 0);
        const recs = traceRecords(s);
        assert.deepEqual(recs.map((x) => x.function), ['main.query', 'main.query'], 'tracepoints set by setTracepoints are still traced');
      } finally { await s.close(); }
    });
  });
}
