// Variables moved to the heap (their address escapes; DWARF names them "&p", a pointer to the heap
// copy) under their own name and type everywhere: Variables view, evaluate (watch, hover, repl),
// conditions, log points, setVariable, closures' by-reference captures, call traces (CLI and
// editor) and the plugin API (gobp_arg_named). Escaped locals and escaped arguments (struct, int,
// string) of tests/programs/escaped, on every Go version.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, IS_DELVE } from './lib/client.mjs';
import { goToolchains, buildProgram, tmpDir } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';
import * as P from './lib/plugins.mjs';
import * as T from './lib/trace.mjs';

const PROG = 'escaped';
const SRC = h.srcPath(PROG);
const BEFORE = h.lineOf(PROG, '// LOCALS BEFORE');
const LOCALS = h.lineOf(PROG, '// LOCALS BREAK');
const CLOSURE = h.lineOf(PROG, '// CLOSURE');
const VISIT_END = h.lineOf(PROG, '// VISIT END');
const OPT = { timeout: 180000 };
const GOBP_ONLY = { timeout: 180000, skip: IS_DELVE && 'gobp-dap only (tracing, handlers, setVariable)' };
const UNSET = '<optimized out or not yet set>';

/** The program's output for `escaped N`, round by round; changes: {line index: text}. */
function expectedStdout(rounds, changes = {}) {
  const out = [];
  for (let i = 0; i < rounds; i++) {
    out.push(`locals ${i * 2} p${i} ${i + 1} ${i * 10} s${i} ${i * 10}`);
    out.push(`visit ${i} ${i + i + i + 2}`);
  }
  for (const [k, v] of Object.entries(changes)) out[k] = v;
  return out.join('\n') + '\n';
}

/** Starts a session, launches `escaped ARGS` with breakpoints, runs fn(s, m), closes. */
async function session(tc, args, opts, fn, extra = {}) {
  const program = buildProgram(PROG, tc);
  const s = await startSession('stdio');
  try {
    const m = s.mark();
    await h.launch(s, h.launchArgs({ program, args, cwd: tmpDir(), ...extra }), opts);
    await fn(s, m);
  } finally { await s.close(); }
}

/** Checks a Variables-view list has no DWARF "&name" entries. */
function noAmpersand(list, what) {
  const bad = Object.keys(list).filter((n) => n.startsWith('&'));
  assert.deepEqual(bad, [], `${what}: no "&name" variables (have ${Object.keys(list).join(',')})`);
}

for (const tc of goToolchains()) {
  describe(`escaped variables go${tc.version}`, () => {
    test('Variables view: escaped locals and arguments under their own name and type, with children', OPT, () =>
      session(tc, ['2'], { breakpoints: { [SRC]: [{ line: BEFORE }, { line: LOCALS }, { line: CLOSURE }, { line: VISIT_END }] },
        functionBreakpoints: [{ name: 'main.visit' }] }, async (s, m) => {
        // before the allocation: listed, unreadable, evaluate says so (no crash, the session goes on)
        let ev = await h.waitStopped(s, m, 'breakpoint', 60000);
        let f = await h.topFrame(s, ev.body.threadId);
        assert.equal(f.line, BEFORE);
        let L = await h.varMap(s, f.id);
        noAmpersand(L, 'before the allocation');
        if (!IS_DELVE) {
          for (const [name, type] of [['p', 'main.Person'], ['n', 'int'], ['s', 'string']]) {
            assert.ok(L[name], `${name} listed before its allocation (have ${Object.keys(L).join(',')})`);
            assert.equal(L[name].type, type, `${name} type`);
            assert.equal(L[name].value, UNSET, `${name} is not allocated yet`);
            assert.equal(L[name].variablesReference, 0);
          }
          const r = await s.ok('evaluate', { expression: 'p.Name', frameId: f.id, context: 'watch' });
          assert.deepEqual([r.result, r.type, r.variablesReference], [UNSET, 'string', 0]);
          const cond = await s.fail('evaluate', { expression: 'p.Age > 3', frameId: f.id, context: 'watch' });
          assert.match(h.errorText(cond), /not available here/);
        }
        // at the Println: p, n, s are the heap values
        ev = await h.continueToStop(s, ev.body.threadId, 'breakpoint', 60000);
        f = await h.topFrame(s, ev.body.threadId);
        assert.equal(f.line, CLOSURE, 'the closure runs first');
        const CL = await h.varMap(s, f.id);
        noAmpersand(CL, 'closure');
        assert.equal(CL.total?.type, 'int', `the by-reference capture total is an int: ${JSON.stringify(CL.total)}`);
        assert.equal(CL.total.value, '0');
        assert.equal((await h.varMap(s, f.id, 'Arguments')).v.value, '0');
        ev = await h.continueToStop(s, ev.body.threadId, 'breakpoint', 60000);
        f = await h.topFrame(s, ev.body.threadId);
        assert.equal(f.line, LOCALS);
        L = await h.varMap(s, f.id);
        noAmpersand(L, 'locals');
        assert.equal(L.p?.type, 'main.Person', JSON.stringify(L.p));
        assert.equal(L.p.value, 'main.Person {Name: "p0", Age: 1}');
        const kids = h.byName(await h.children(s, L.p));
        assert.deepEqual(Object.keys(kids), ['Name', 'Age']);
        assert.equal(kids.Name.value, '"p0"');
        assert.equal(kids.Name.type, 'string');
        assert.equal(kids.Age.value, '1');
        assert.deepEqual([L.n.type, L.n.value], ['int', '0']);
        assert.deepEqual([L.s.type, L.s.value], ['string', '"s0"']);
        assert.deepEqual([L.total.type, L.total.value], ['int', '0'], 'total after the closure ran');
        assert.deepEqual([L.before.type, L.before.value], ['int', '0']);
        // visit at its entry (function breakpoint, before the heap copies exist): the passed values
        ev = await h.continueToStop(s, ev.body.threadId, null, 60000);
        f = await h.topFrame(s, ev.body.threadId);
        assert.equal(f.name, 'main.visit');
        let A = await h.varMap(s, f.id, 'Arguments');
        noAmpersand(A, 'visit arguments');
        if (!IS_DELVE) {
          assert.deepEqual(Object.keys(A), ['p', 'n', 's', '~r0'], 'arguments in order, once each');
          noAmpersand(await h.varMap(s, f.id), 'visit locals');
          assert.deepEqual(Object.keys(await h.varMap(s, f.id)), [], 'no local copies of the arguments');
        }
        assert.deepEqual([A.p.type, A.p.value], ['main.Person', 'main.Person {Name: "v0", Age: 0}']);
        assert.deepEqual([A.n.type, A.n.value], ['int', '0']);
        assert.deepEqual([A.s.type, A.s.value], ['string', '"xy"']);
        // at the end of visit: the heap copy (p.Age += n), not the stale argument slot
        ev = await h.continueToStop(s, ev.body.threadId, 'breakpoint', 60000);
        ev = await h.continueToStop(s, ev.body.threadId, 'breakpoint', 60000); // locals(1): BEFORE
        ev = await h.continueToStop(s, ev.body.threadId, 'breakpoint', 60000); // CLOSURE
        ev = await h.continueToStop(s, ev.body.threadId, 'breakpoint', 60000); // LOCALS
        f = await h.topFrame(s, ev.body.threadId);
        assert.equal((await h.varMap(s, f.id)).p.value, 'main.Person {Name: "p1", Age: 2}');
        ev = await h.continueToStop(s, ev.body.threadId, null, 60000); // visit entry
        ev = await h.continueToStop(s, ev.body.threadId, 'breakpoint', 60000);
        f = await h.topFrame(s, ev.body.threadId);
        assert.equal(f.line, VISIT_END);
        A = await h.varMap(s, f.id, 'Arguments');
        assert.equal(A.p.value, 'main.Person {Name: "v1", Age: 2}', 'p.Age += n is seen (the heap copy)');
        assert.deepEqual([A.n.value, A.s.value], ['1', '"xy"']);
        await s.ok('setBreakpoints', { source: { path: SRC }, breakpoints: [] });
        await s.ok('setFunctionBreakpoints', { breakpoints: [] });
        await h.runToEnd(s, ev.body.threadId, 0);
        if (!IS_DELVE) assert.equal(s.output('stdout'), expectedStdout(2));
      }));

    test('evaluate p.Name in watch, hover and repl', OPT, () =>
      session(tc, ['1'], { breakpoints: { [SRC]: [{ line: LOCALS }, { line: VISIT_END }] } }, async (s, m) => {
        let ev = await h.waitStopped(s, m, 'breakpoint', 60000);
        let f = await h.topFrame(s, ev.body.threadId);
        for (const context of ['watch', 'hover', 'repl']) {
          const r = await s.ok('evaluate', { expression: 'p.Name', frameId: f.id, context });
          assert.equal(r.result, '"p0"', `${context}: p.Name`);
          assert.equal(r.type, 'string', `${context}: type`);
        }
        const whole = await s.ok('evaluate', { expression: 'p', frameId: f.id, context: 'hover' });
        assert.equal(whole.result, 'main.Person {Name: "p0", Age: 1}');
        assert.equal(whole.type, 'main.Person');
        assert.ok(whole.variablesReference > 0, 'p expands');
        if (!IS_DELVE) {
          for (const [expr, want] of [['n + 1', '1'], ['len(s)', '2'], ['p.Age > 0 && s == "s0"', 'true'], ['total', '0']]) {
            assert.equal((await s.ok('evaluate', { expression: expr, frameId: f.id, context: 'watch' })).result, want, expr);
          }
        }
        ev = await h.continueToStop(s, ev.body.threadId, 'breakpoint', 60000);
        f = await h.topFrame(s, ev.body.threadId);
        for (const context of ['watch', 'hover', 'repl']) {
          assert.equal((await s.ok('evaluate', { expression: 'p.Name', frameId: f.id, context })).result, '"v0"', `${context}: the escaped argument`);
        }
        assert.equal((await s.ok('evaluate', { expression: 's', frameId: f.id, context: 'watch' })).result, '"xy"');
        await h.runToEnd(s, ev.body.threadId, 0);
      }));

    test('condition p.Age > 3 and log point {p.Name}', GOBP_ONLY, () =>
      session(tc, ['5'], { breakpoints: { [SRC]: [
        { line: LOCALS, condition: 'p.Age > 3 && n >= 30' },
        { line: VISIT_END, logMessage: 'visit {p.Name} age={p.Age} n={n} s={s}' },
      ] } }, async (s, m) => {
        const seen = [];
        let ev = await h.waitStopped(s, m, 'breakpoint', 60000);
        for (;;) {
          const f = await h.topFrame(s, ev.body.threadId);
          assert.equal(f.line, LOCALS);
          seen.push((await h.varMap(s, f.id)).p.value);
          if (seen.length === 2) break;
          ev = await h.continueToStop(s, ev.body.threadId, 'breakpoint', 60000);
        }
        assert.deepEqual(seen, ['main.Person {Name: "p3", Age: 4}', 'main.Person {Name: "p4", Age: 5}'], 'stops only where p.Age > 3');
        await h.runToEnd(s, ev.body.threadId, 0);
        assert.equal(s.events.filter((e) => e.event === 'stopped').length, 2, 'no other stop');
        const logs = s.events.filter((e) => e.event === 'output' && e.body.category !== 'stdout' && /^visit "v/.test(e.body.output)).map((e) => e.body.output.trim());
        assert.deepEqual(logs, [0, 1, 2, 3, 4].map((i) => `visit "v${i}" age=${2 * i} n=${i} s="xy"`));
        assert.equal(s.output('stdout'), expectedStdout(5));
      }));

    test('setVariable on escaped locals and arguments writes the heap copy', GOBP_ONLY, () =>
      session(tc, ['1'], { breakpoints: { [SRC]: [{ line: LOCALS }, { line: VISIT_END }] } }, async (s, m) => {
        let ev = await h.waitStopped(s, m, 'breakpoint', 60000);
        let f = await h.topFrame(s, ev.body.threadId);
        let ref = h.scopeNamed(await h.scopes(s, f.id), 'Locals').variablesReference;
        assert.equal((await s.ok('setVariable', { variablesReference: ref, name: 'n', value: '99' })).value, '99');
        assert.equal((await s.ok('setVariable', { variablesReference: ref, name: 's', value: '"changed"' })).value, '"changed"');
        const p = (await h.vars(s, ref)).find((v) => v.name === 'p');
        assert.equal((await s.ok('setVariable', { variablesReference: p.variablesReference, name: 'Age', value: '40 + 2' })).value, '42');
        const L = await h.varMap(s, f.id);
        assert.deepEqual([L.n.value, L.s.value, L.p.value], ['99', '"changed"', 'main.Person {Name: "p0", Age: 42}'], 'read back');
        assert.equal((await s.ok('evaluate', { expression: 'n * 2', frameId: f.id, context: 'watch' })).result, '198');
        ev = await h.continueToStop(s, ev.body.threadId, 'breakpoint', 60000);
        f = await h.topFrame(s, ev.body.threadId);
        ref = h.scopeNamed(await h.scopes(s, f.id), 'Arguments').variablesReference;
        assert.equal((await s.ok('setVariable', { variablesReference: ref, name: 'n', value: '100' })).value, '100');
        assert.equal((await h.varMap(s, f.id, 'Arguments')).n.value, '100', 'read back');
        await h.runToEnd(s, ev.body.threadId, 0);
        // visit returns p.Age + n + len(s): 0 + 100 + 2
        assert.equal(s.output('stdout'), expectedStdout(1, { 0: 'locals 0 p0 42 99 changed 0', 1: 'visit 0 102' }));
      }));

    test('gobp-dap trace: escaped arguments by name with their values', GOBP_ONLY, async () => {
      const out = T.tmpFile('jsonl');
      const r = await T.runTrace(['--format', 'jsonl', '-o', out, 'main\\.visit$', '--', buildProgram(PROG, tc), '3']);
      T.assertCode(r, 0);
      assert.equal(r.stdout, expectedStdout(3));
      const recs = T.readJsonl(out);
      assert.equal(recs.length, 3);
      recs.forEach((rec, i) => {
        assert.equal(rec.function, 'main.visit');
        assert.deepEqual(rec.args, { p: `main.Person {Name: "v${i}", Age: ${i}}`, n: `${i}`, s: '"xy"' });
        assert.deepEqual(rec.results, { '~r0': `${3 * i + 2}` });
      });
      const text = await T.runTrace(['main\\.visit$', '--', buildProgram(PROG, tc), '1']);
      T.assertCode(text, 0);
      assert.match(text.stderr, /^\[G1\] main\.visit\(p=main\.Person \{Name: "v0", Age: 0\}, n=0, s="xy"\) => \(~r0=2\) /m);
    });

    test('the editor trace attribute: gobpTrace events carry the escaped arguments', GOBP_ONLY, async () => {
      const s = await startSession('stdio');
      try {
        await h.launch(s, h.launchArgs({ program: buildProgram(PROG, tc), args: ['2'], trace: { functions: ['main\\.visit$'] } }));
        await s.waitEvent('terminated', { timeout: 60000 });
        const recs = s.events.filter((e) => e.event === 'gobpTrace').map((e) => e.body);
        assert.deepEqual(recs.map((b) => b.args), [0, 1].map((i) => ({ p: `main.Person {Name: "v${i}", Age: ${i}}`, n: `${i}`, s: '"xy"' })));
        assert.deepEqual(recs.map((b) => b.results), [{ '~r0': '2' }, { '~r0': '5' }]);
      } finally { await s.close(); }
    });

    test('handler plugin: gobp_arg_named reads escaped arguments; setarg changes one', GOBP_ONLY, () =>
      session(tc, ['2'], {}, async (s, m) => {
        await s.waitEvent('terminated', { from: m, timeout: 90000 });
        const logs = (re) => P.adapterMessages(s).map((l) => l.trim().replace(/^\[\w+\.so\] /, '')).filter((l) => re.test(l));
        const want = [];
        for (const i of [0, 1]) {
          want.push(`argnamed: main.visit p (main.Person) = main.Person {Name: "v${i}", Age: ${i}}`,
            `argnamed: main.visit p.Name (string) = "v${i}"`, `argnamed: typed p.Name="v${i}"`,
            `argnamed: main.visit n (int) = ${i}`, `argnamed: typed n=${i}`,
            `argnamed: main.visit s (string) = "xy"`, `argnamed: typed s="xy"`,
            'argnamed: main.visit nope: main.visit has no argument named nope');
        }
        assert.deepEqual(logs(/^argnamed:/), want, `plugin logs:\n${P.adapterText(s)}`);
        assert.deepEqual(logs(/^setarg:/), ['setarg: main.visit n was 0', 'setarg: main.visit n set', 'setarg: main.visit n was 1', 'setarg: main.visit n set']);
        // n = 50 in both calls: p.Age = i + 50, result = p.Age + 50 + 2
        assert.equal(s.output('stdout'), expectedStdout(2, { 1: 'visit 0 102', 3: 'visit 1 103' }));
      }, { handlerBreakpoints: [P.handler('main.visit', 'argnamed', 'p,p.Name,n,s,nope'), P.handler('main.visit', 'setarg', 'n=int:50')] }));
  });
}
