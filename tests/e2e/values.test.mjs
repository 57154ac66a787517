// The main scenario on tests/programs/values, over stdio and TCP, for every installed Go:
// line breakpoints, stack traces, scopes, every kind of value, evaluate, run to the end.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, TRANSPORTS } from './lib/client.mjs';
import { goToolchains, buildProgram } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';

const SRC = h.srcPath('values');
const HALF = h.lineOf('values', 'half := n / 2');
const BREAK = h.lineOf('values', '// BREAK values');
const DECIDE_CALL = h.lineOf('values', 'decide(i, "x")');
const VALUES_CALL = h.lineOf('values', '\tvalues()');
const T = { timeout: 120000 };

for (const tc of goToolchains()) {
  for (const transport of TRANSPORTS) {
    describe(`values go${tc.version} over ${transport}`, { concurrency: false }, () => {
      let s, stop, bps;
      before(async () => {
        const program = buildProgram('values', tc);
        s = await startSession(transport);
        const m = s.mark();
        ({ bps } = await h.launch(s, h.launchArgs({ program }), { breakpoints: { [SRC]: [{ line: BREAK }, { line: HALF }] } }));
        stop = await h.waitStopped(s, m, 'breakpoint', 60000);
      }, T);
      after(async () => { if (s) await s.close(); });

      test('setBreakpoints: verified at the requested lines', T, () => {
        const [b1, b2] = bps[SRC].breakpoints;
        assert.equal(b1.verified, true, JSON.stringify(b1));
        assert.equal(b1.line, BREAK);
        assert.equal(b2.verified, true, JSON.stringify(b2));
        assert.equal(b2.line, HALF);
        assert.notEqual(b1.id, undefined, 'breakpoints carry ids');
        assert.notEqual(b1.id, b2.id);
      });

      test('stopped in values() at the BREAK line; threadId is the goroutine id', T, async () => {
        const th = (await s.ok('threads')).threads;
        const cur = th.find((t) => t.id === stop.body.threadId);
        assert.ok(cur, `stopped threadId ${stop.body.threadId} is in threads`);
        const m = /\[Go (\d+)\]/.exec(cur.name);
        assert.ok(m, `thread name "${cur.name}" shows [Go N]`);
        assert.equal(+m[1], cur.id, 'thread id = goroutine id');
        assert.match(cur.name, /main\.values/);
        const st = await s.ok('stackTrace', { threadId: stop.body.threadId, startFrame: 0, levels: 20 });
        const [f0, f1] = st.stackFrames;
        assert.equal(f0.name, 'main.values');
        assert.equal(f0.line, BREAK);
        assert.equal(f0.source.path, SRC);
        assert.equal(f1.name, 'main.main');
        assert.equal(f1.line, VALUES_CALL);
        assert.equal(f1.source.path, SRC);
      });

      test('every kind of local at the BREAK line', T, async () => {
        const f0 = await h.topFrame(s, stop.body.threadId);
        const sc = await h.scopes(s, f0.id);
        h.scopeNamed(sc, 'Locals');
        const L = await h.varMap(s, f0.id);
        const check = (name, value, type) => {
          assert.ok(L[name], `local ${name} present (have ${Object.keys(L).join(',')})`);
          if (value instanceof RegExp) assert.match(L[name].value, value, `${name} value`);
          else assert.equal(L[name].value, value, `${name} value`);
          if (type instanceof RegExp) assert.match(L[name].type, type, `${name} type`);
          else if (type) assert.equal(L[name].type, type, `${name} type`);
        };
        check('i8', '-8', 'int8');
        check('i64', '-64', 'int64');
        check('u64', /^64( |$)/, 'uint64');
        check('f64', '0.1', 'float64');
        check('f32', '0.25', 'float32');
        check('b', 'true', 'bool');
        check('s', '"héllo, 世界"', 'string');
        // slices
        check('sl', /1.*12/, '[]int');
        const slKids = h.real(await h.children(s, L.sl));
        assert.equal(slKids.length, 12, 'sl has 12 children');
        assert.deepEqual(slKids.map((k) => k.value), ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12']);
        if (L.sl.indexedVariables !== undefined) assert.equal(L.sl.indexedVariables, 12);
        const page = await h.vars(s, L.sl.variablesReference, { filter: 'indexed', start: 3, count: 4 });
        assert.deepEqual(page.map((k) => k.value), ['4', '5', '6', '7'], 'paging start=3 count=4');
        assert.match(page[0].name, /3/);
        check('nilSlice', /nil/, '[]int');
        check('empty', /^(?!.*nil)/, '[]int');
        assert.notEqual(L.nilSlice.value, L.empty.value, 'nil slice and empty slice are distinguished');
        // array, map
        check('arr', /10.*20.*30/, '[3]int');
        assert.deepEqual(h.real(await h.children(s, L.arr)).map((k) => k.value), ['10', '20', '30']);
        check('m', /one/, 'map[string]int');
        const mk = h.real(await h.children(s, L.m));
        assert.equal(mk.length, 3, `m has 3 entries: ${JSON.stringify(mk)}`);
        assert.deepEqual(Object.fromEntries(mk.map((k) => [h.unquote(k.name), k.value])), { one: '1', two: '2', three: '3' });
        // pointers and structs
        check('pp', /Ann/, '*main.Person');
        const ppKids = h.byName(await h.children(s, L.pp));
        assert.equal(ppKids.Name.value, '"Ann"', 'pp expands to the struct');
        assert.match(ppKids.Age.value, /^42( |$)/);
        check('p', /Ann/, 'main.Person');
        const pKids = h.byName(await h.children(s, L.p));
        const home = h.byName(await h.children(s, pKids.Home));
        assert.equal(home.City.value, '"Oslo"', 'p.Home.City');
        check('nilPtr', /nil/, '*main.Person');
        assert.equal(L.nilPtr.variablesReference, 0, 'nil pointer is not expandable');
        // interfaces
        assert.ok(L.sh.type.startsWith('main.Shape'), `sh type ${L.sh.type}`);
        assert.ok(`${L.sh.type} ${L.sh.value}`.includes('main.Circle'), `dynamic type main.Circle visible: ${L.sh.type} / ${L.sh.value}`);
        assert.ok(L.nilIface.type.startsWith('main.Shape'));
        assert.match(L.nilIface.value, /nil/);
        assert.ok(L.any.type.startsWith('interface {}'), `any type ${L.any.type}`);
        assert.match(L.any.value, /\b42\b/);
        assert.ok(L.err.type.startsWith('error'), `err type ${L.err.type}`);
        assert.match(L.err.value, /boom/);
        assert.ok(L.nilErr.type.startsWith('error'));
        assert.match(L.nilErr.value, /nil/);
        // channel, embedded struct
        assert.match(L.ch.type, /^chan int/);
        assert.match(L.ch.value, /1\/5/, 'channel shows len/cap');
        assert.equal(L.e.type, 'main.Employee');
        const eKids = h.byName(await h.children(s, L.e));
        assert.ok(eKids.Base, `e has embedded Base: ${Object.keys(eKids)}`);
        assert.match(eKids.Base.value, /9/);
        assert.equal(h.byName(await h.children(s, eKids.Base)).ID.value, '9');
      });

      test('evaluate in watch, repl and hover contexts', T, async () => {
        const f0 = await h.topFrame(s, stop.body.threadId);
        const ev = (expression, context = 'watch') => s.req('evaluate', { expression, frameId: f0.id, context });
        const okv = async (e, ctx) => { const r = await ev(e, ctx); assert.ok(r.success, `evaluate ${e} (${ctx}): ${h.errorText(r)}`); return r.body; };
        assert.equal((await okv('p.Name', 'watch')).result, '"Ann"');
        assert.equal((await okv('pp.Home.City', 'repl')).result, '"Oslo"');
        assert.equal((await okv('sl[3]', 'hover')).result, '4');
        assert.equal((await okv('arr[1]', 'watch')).result, '20');
        const star = await okv('*pp', 'watch');
        assert.ok(star.variablesReference > 0, '*pp expands');
        const kids = h.byName(await h.vars(s, star.variablesReference));
        assert.equal(kids.Name.value, '"Ann"');
        const bad = await ev('noSuchName', 'watch');
        assert.equal(bad.success, false, 'unknown name is an error');
        assert.match(h.errorText(bad), /noSuchName/, 'the error names the unknown identifier');
        assert.equal((await okv('s', 'repl')).result, '"héllo, 世界"', 'adapter still answers after an evaluate error');
      });

      test('stop at half := n / 2 in decide: stack, paging, scopes, arguments', T, async () => {
        stop = await h.continueToStop(s, stop.body.threadId, 'breakpoint', 60000);
        const st = await s.ok('stackTrace', { threadId: stop.body.threadId, startFrame: 0, levels: 20 });
        const [f0, f1] = st.stackFrames;
        assert.equal(f0.name, 'main.decide');
        assert.equal(f0.line, HALF);
        assert.ok(f0.source.path.startsWith('/') && f0.source.path.endsWith('tests/programs/values/main.go'), f0.source.path);
        assert.equal(f0.source.path, SRC);
        assert.equal(f1.name, 'main.main');
        assert.equal(f1.line, DECIDE_CALL);
        assert.equal(typeof st.totalFrames, 'number', 'totalFrames present');
        assert.ok(st.totalFrames >= 2, `totalFrames ${st.totalFrames}`);
        // paging
        const p1 = await s.ok('stackTrace', { threadId: stop.body.threadId, startFrame: 0, levels: 1 });
        assert.equal(p1.stackFrames.length, 1);
        assert.equal(p1.stackFrames[0].name, 'main.decide');
        const p2 = await s.ok('stackTrace', { threadId: stop.body.threadId, startFrame: 1, levels: 1 });
        assert.equal(p2.stackFrames.length, 1);
        assert.equal(p2.stackFrames[0].name, 'main.main');
        assert.equal(p2.stackFrames[0].line, DECIDE_CALL);
        // scopes
        const sc = await h.scopes(s, f0.id);
        const args = h.scopeNamed(sc, 'Arguments');
        h.scopeNamed(sc, 'Locals');
        const globals = h.scopeNamed(sc, 'Globals');
        const A = h.byName(await h.vars(s, args.variablesReference));
        assert.equal(A.n.value, '0', 'n (first call decide(0, "x"))');
        assert.equal(A.n.type, 'int');
        assert.equal(A.label.value, '"x"');
        assert.equal(A.label.type, 'string');
        const G = {};
        for (const v of await h.vars(s, globals.variablesReference)) G[v.name.replace(/^main\./, '')] = v;
        assert.equal(G.counter && G.counter.value, '7', 'global counter');
        assert.equal(G.greeting && G.greeting.value, '"hello"', 'global greeting');
        // the second hit of the same breakpoint
        stop = await h.continueToStop(s, stop.body.threadId, 'breakpoint', 60000);
        const A2 = await h.varMap(s, (await h.topFrame(s, stop.body.threadId)).id, 'Arguments');
        assert.equal(A2.n.value, '1');
      });

      test('clear breakpoints, run to the end: output, exited 3, terminated', T, async () => {
        const r = await s.ok('setBreakpoints', { source: { path: SRC }, breakpoints: [], lines: [] });
        assert.equal(r.breakpoints.length, 0);
        await h.runToEnd(s, stop.body.threadId, 3);
        const out = s.output('stdout');
        assert.match(out, /^start\n/);
        assert.match(out, /closure 8\n/);
        assert.match(out, /done 3 hello\n/);
        assert.match(s.output('stderr'), /to stderr\n/);
      });
    });
  }
}
