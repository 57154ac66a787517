// Handler breakpoints over DAP (stdio, every Go version): C plugins on Go functions decide
// continue / stop / force-return; they overwrite arguments and results, inject errors, log to
// the debug console; crashing or hanging plugins are disabled while the program runs on; bad
// handlers are reported by name and the session goes on; exactly one plugin call per Go call
// (deep recursion through morestack, 8 goroutines × 125 000 calls).
// The program is tests/programs/handlers; the plugins are plugins/*.c and tests/plugins/*.c.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startSession, IS_DELVE } from './lib/client.mjs';
import { goToolchains, buildProgram, tmpDir } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';
import * as P from './lib/plugins.mjs';

const PROG = 'handlers';
const T = { timeout: 180000, skip: IS_DELVE && 'handler breakpoints are gobp-dap only' };
const LONG = { timeout: 600000, skip: T.skip };

/** Starts a session, launches `handlers ARGS` with the handlers (and extra launch attributes),
 *  runs fn(s, m) and closes the session. m: index of the first event of this launch. */
async function session(tc, args, handlerBreakpoints, fn, { extra = {}, launchOpts = {} } = {}) {
  const program = buildProgram(PROG, tc);
  const s = await startSession('stdio');
  try {
    const m = s.mark();
    const la = { program, args, cwd: tmpDir(), ...extra };
    if (handlerBreakpoints) la.handlerBreakpoints = handlerBreakpoints;
    await h.launch(s, h.launchArgs(la), launchOpts);
    await fn(s, m);
  } finally { await s.close(); }
}

/** Waits for exited (code) then terminated after `from`. */
async function waitEnd(s, from, code = 0, timeout = 90000) {
  const term = await s.waitEvent('terminated', { from, timeout });
  const exited = s.events.slice(from).find((e) => e.event === 'exited');
  assert.ok(exited, `an exited event before terminated${P.adapterText(s).slice(-2000)}`);
  assert.ok(s.events.indexOf(exited) < s.events.indexOf(term), 'exited comes before terminated');
  assert.equal(exited.body.exitCode, code, `exit code; adapter output:\n${P.adapterText(s).slice(-2000)}`);
}

/** Waits until the program's stdout (events after `from`) matches re; resolves with the match. */
async function waitStdout(s, from, re, timeout = 30000) {
  let m = null;
  await h.eventually(() => {
    const text = s.events.slice(from).filter((e) => e.event === 'output' && e.body.category === 'stdout').map((e) => e.body.output).join('');
    m = re.exec(text);
    return m !== null;
  }, timeout, `program output matching ${re}`);
  return m;
}

/** Adapter output (not stdout) contains re. */
function assertLog(s, re, what = 'plugin log') {
  const text = P.adapterText(s);
  assert.match(text, re, `${what}: ${re} in the output events:\n${text.slice(-3000)}`);
}

const FUNC_LINE = (name) => h.lineOf(PROG, `func ${name}`);

/** A stop of a handler: reason breakpoint, threadId = goroutine id (main goroutine: 1), top frame
 *  = the function at its first line (the func line, or the first body line). Returns the frame. */
async function expectHandlerStop(s, from, fn, decl, goid = 1) {
  const ev = await h.waitStopped(s, from, 'breakpoint', 60000);
  assert.equal(ev.body.threadId, goid, `threadId is the goroutine id (${JSON.stringify(ev.body)})`);
  const threads = (await s.ok('threads')).threads;
  assert.ok(threads.some((t) => t.id === goid), `goroutine ${goid} among the threads`);
  const f0 = await h.topFrame(s, ev.body.threadId);
  assert.equal(f0.name, fn, 'top frame is the handled function');
  assert.equal(f0.source?.path, h.srcPath(PROG), 'source of the handled function');
  const line = FUNC_LINE(decl);
  assert.ok(f0.line === line || f0.line === line + 1, `stopped at the function's first line (${line} or ${line + 1}), got ${f0.line}`);
  return { ev, f0 };
}

for (const tc of goToolchains()) {
  describe(`handler breakpoints go${tc.version}`, () => {
    test('force-return: every result shape, chosen values and zeros', T, () => {
      const force = (fn, config) => P.handler(fn, 'force', config, { copy: true });
      return session(tc, ['shapes'], [
        force('main.compute', '0=int:42'),
        force('main.pair', '0=int:-7;1=string:forced'),
        force('main.lookup', '0=string:cached;1=error:lookup failed'),
        force('main.read', '0=int:3;1=global:io.EOF'),
        force('main.ratio', '0=float:0.25;1=bool:1'),
        force('main.point', ''), // struct result: zero value
        force('main.many', '0=int:1;9=int:98;10=int:99'), // results 9 and 10 are on the stack
        force('main.iface', ''), // interface{} result: nil
        force('main.(*Counter).Add', '0=int:-1'),
        force('main.sum', ''), // nothing chosen: zero
        force('main.greet', '0=string:forced greeting'),
      ], async (s, m) => {
        await waitEnd(s, m, 0);
        P.assertShapes(P.stdoutLines(s), {
          compute: 'compute 42',
          pair: 'pair -7 "forced"',
          lookup: 'lookup "cached" "lookup failed" eof=false',
          read: 'read 3 "EOF" eof=true',
          ratio: 'ratio 0.25 true',
          point: 'point 0 0 ""',
          many: 'many 1 0 0 0 0 0 0 0 0 98 99',
          iface: 'iface <nil> nil=true',
          add: 'add -1',
          sum: 'sum 0',
          greet: 'greet forced greeting',
        });
        for (const fn of ['main.compute', 'main.pair', 'main.lookup', 'main.read', 'main.ratio', 'main.many', 'main.greet']) {
          assertLog(s, new RegExp(`force: ${fn.replace(/[.*()]/g, '\\$&')} returns \\(\\d+ results set, 0 failed\\)`));
        }
        assert.doesNotMatch(P.adapterText(s), /force: result \d+:/, 'no result write failed');
      });
    });

    test('force-return on the Nth call only: nil error and a string (lookups)', T, () =>
      session(tc, ['lookups', '4'], [P.handler('main.lookup', 'force', 'when=2;0=string:second;1=nil', { copy: true })], async (s, m) => {
        await waitEnd(s, m, 0);
        assert.deepEqual(P.stdoutLines(s), [
          'lookup 1 "value-k1" <nil> eof=false',
          'lookup 2 "second" <nil> eof=false',
          'lookup 3 "value-k3" <nil> eof=false',
          'lookup 4 "value-k4" <nil> eof=false',
        ]);
      }));

    test('argument overwrite (register and stack arguments) and result overwrite in gobp_on_exit', T, () =>
      session(tc, ['shapes'], [
        P.handler('main.greet', 'setarg', 'name=string:gopher', { copy: true }),
        P.handler('main.compute', 'setarg', 'n=int:7', { copy: true }),
        P.handler('main.wide', 'setarg', 'l=int:100', { copy: true }), // l is a stack argument
        P.handler('main.pair', 'onexit', '1=string:changed', { copy: true }),
        P.handler('main.lookup', 'onexit', '1=global:io.EOF', { copy: true }),
        P.handler('main.ratio', 'onexit', '0=float:9.5', { copy: true }),
        P.handler('main.many', 'onexit', '10=int:-11', { copy: true }),
      ], async (s, m) => {
        await waitEnd(s, m, 0);
        P.assertShapes(P.stdoutLines(s), {
          greet: 'greet hello, gopher',
          compute: 'compute 50',
          wide: 'wide 166',
          pair: 'pair 2 "changed"', // result 0 unchanged
          lookup: 'lookup "value-k" "EOF" eof=true',
          ratio: 'ratio 9.5 true',
          many: 'many 11 12 13 14 15 16 17 18 19 20 -11',
        });
        assertLog(s, /setarg: main\.greet name was "world"/);
        assertLog(s, /setarg: main\.compute n was 5/);
        assertLog(s, /setarg: main\.wide l was 12/);
        // on exit the real results are readable
        assertLog(s, /onexit: main\.pair ~r1 \(string\) = "go!"/);
        assertLog(s, /onexit: main\.pair ~r0 \(int\) = 2/);
        assertLog(s, /onexit: main\.ratio ~r0 \(float64\) = 1\.5/);
        assertLog(s, /onexit: main\.many ~r10 \(int\) = 21/);
        assertLog(s, /onexit: main\.lookup ~r1 \(error\) = /);
        const text = P.adapterText(s);
        assert.doesNotMatch(text, /call data lost/, 'gobp_set_call_data on entry is gobp_call_data on exit');
        assert.doesNotMatch(text, /setarg: [^\n]*: |onexit: result \d+:/, 'no write failed');
      }));

    test('GOBP_STOP: a breakpoint stop with arguments; continue; gobpForceReturn returns zeros', T, () =>
      session(tc, ['shapes'], [
        P.handler('main.compute', 'stopper', 'arg=n;equals=5', { copy: true }),
        P.handler('main.lookup', 'stopper', 'arg=key;equals=zzz', { copy: true }), // never equal: no stop
        P.handler('main.pair', 'latency', 'min_us=0'),
        P.handler('main.greet', 'stopper', 'arg=name;equals=world', { copy: true }),
      ], async (s, m) => {
        let { ev, f0 } = await expectHandlerStop(s, m, 'main.compute', 'compute(');
        let A = await h.varMap(s, f0.id, 'Arguments');
        assert.equal(A.n?.value, '5', `argument n: ${JSON.stringify(A)}`);
        let mm = s.mark();
        await s.ok('continue', { threadId: ev.body.threadId });
        ({ ev, f0 } = await expectHandlerStop(s, mm, 'main.greet', 'greet('));
        A = await h.varMap(s, f0.id, 'Arguments');
        assert.equal(A.name?.value, '"world"', `argument name: ${JSON.stringify(A)}`);
        assert.equal(A.name?.type, 'string');
        await s.ok('gobpForceReturn', { threadId: ev.body.threadId });
        mm = s.mark();
        await s.ok('continue', { threadId: ev.body.threadId });
        await waitEnd(s, mm, 0);
        P.assertShapes(P.stdoutLines(s), { greet: 'greet ' });
        assertLog(s, /stopper: main\.compute stops: n == 5/);
        assertLog(s, /main\.pair took \d+ us/);
        assert.doesNotMatch(P.adapterText(s), /stopper: main\.lookup stops/);
        // gobpForceReturn may report the thread stopped in the caller (reason "step"): allowed
        const stops = s.events.slice(m).filter((e) => e.event === 'stopped' && e.body.reason === 'breakpoint');
        assert.equal(stops.length, 2, `exactly two breakpoint stops: ${JSON.stringify(stops.map((e) => e.body))}`);
      }));

    test('a handler with gobp_on_exit does not swallow a step that ends at the same return address', T, () =>
      session(tc, ['shapes'], [P.handler('main.pair', 'onexit', '', { copy: true })], async (s, m) => {
        const ev = await h.waitStopped(s, m, 'breakpoint');
        assert.equal((await h.topFrame(s, ev.body.threadId)).name, 'main.pair');
        const mm = s.mark();
        await s.ok('stepOut', { threadId: ev.body.threadId });
        const st = await h.waitStopped(s, mm, 'step');
        const top = await h.topFrame(s, st.body.threadId);
        assert.equal(top.name, 'main.shapes', `stepOut lands in the caller: ${JSON.stringify(top)}`);
        assert.equal(top.line, h.lineOf(PROG, 'n, s := pair(1, "go")'));
        assertLog(s, /onexit: main\.pair ~r1 \(string\) = "go!"/, 'the exit hook ran before the step stop');
        const end = s.mark();
        await s.ok('continue', { threadId: st.body.threadId });
        await waitEnd(s, end, 0);
      }, { launchOpts: { breakpoints: { [h.srcPath(PROG)]: [{ line: h.lineOf(PROG, 'return a + 1, s + "!"') }] } } }));

    test('gobpForceReturn of a (string, error) function gives "" and nil', T, () =>
      session(tc, ['shapes'], [P.handler('main.lookup', 'stopper', 'arg=key;equals=k', { copy: true })], async (s, m) => {
        const { ev, f0 } = await expectHandlerStop(s, m, 'main.lookup', 'lookup(');
        const A = await h.varMap(s, f0.id, 'Arguments');
        assert.equal(A.key?.value, '"k"');
        await s.ok('gobpForceReturn', { threadId: ev.body.threadId });
        const mm = s.mark();
        await s.ok('continue', { threadId: ev.body.threadId });
        await waitEnd(s, mm, 0);
        P.assertShapes(P.stdoutLines(s), { lookup: 'lookup "" <nil> eof=false' });
      }));

    test('inject.so: the 3rd call returns io.EOF', T, () =>
      session(tc, ['lookups', '5'], [P.handler('main.lookup', 'inject', 'nth=3;global=io.EOF', { copy: true })], async (s, m) => {
        await waitEnd(s, m, 0);
        assert.deepEqual(P.stdoutLines(s), [
          'lookup 1 "value-k1" <nil> eof=false',
          'lookup 2 "value-k2" <nil> eof=false',
          'lookup 3 "" "EOF" eof=true',
          'lookup 4 "value-k4" <nil> eof=false',
          'lookup 5 "value-k5" <nil> eof=false',
        ]);
        assertLog(s, /inject: main\.lookup call 3 returns io\.EOF/);
      }));

    test('inject.so: calls whose key matches return a new error', T, () =>
      session(tc, ['lookups', '5'], [P.handler('main.lookup', 'inject', 'match=k4;error=disk full', { copy: true })], async (s, m) => {
        await waitEnd(s, m, 0);
        assert.deepEqual(P.stdoutLines(s), [
          'lookup 1 "value-k1" <nil> eof=false',
          'lookup 2 "value-k2" <nil> eof=false',
          'lookup 3 "value-k3" <nil> eof=false',
          'lookup 4 "" "disk full" eof=false',
          'lookup 5 "value-k5" <nil> eof=false',
        ]);
        assertLog(s, /inject: main\.lookup call 1 returns error "disk full"/);
      }));

    test('methods, closure, variadic, wide (stack) arguments: verified and called', T, () =>
      session(tc, ['shapes'], null, async (s, m) => {
        const stop = await h.waitStopped(s, m, null, 60000);
        const fns = ['main.(*Counter).Add', 'main.Counter.Get', 'main.makeAdder.func1', 'main.sum', 'main.wide'];
        const r = await s.ok('setHandlerBreakpoints', { handlers: fns.map((fn) => P.handler(fn, 'dump')) });
        assert.equal(r.breakpoints?.length, fns.length, `one result per handler: ${JSON.stringify(r)}`);
        r.breakpoints.forEach((b, i) => {
          assert.equal(b.verified, true, `${fns[i]} verified: ${JSON.stringify(b)}`);
          assert.equal(typeof b.id, 'number', `${fns[i]} has an id`);
        });
        await h.runToEnd(s, stop.body.threadId, 0);
        P.assertShapes(P.stdoutLines(s));
        assertLog(s, /dump: main\.\(\*Counter\)\.Add pkg=main goroutine=1 hit=1 args=2 results=1/);
        assertLog(s, /dump: arg 0 c \(\*main\.Counter\)/);
        assertLog(s, /dump: typed n=5(?![\d.])/);
        assertLog(s, /dump: main\.Counter\.Get pkg=main goroutine=1 hit=1 args=1 results=1/);
        assertLog(s, /dump: arg 0 c \(main\.Counter\)/);
        assertLog(s, /dump: main\.makeAdder\.func1 pkg=main goroutine=1 hit=1 /);
        assertLog(s, /dump: typed x=1(?![\d.])/);
        assertLog(s, /dump: arg 0 xs \(\[\]int\)/);
        assertLog(s, /dump: typed len\(xs\)=4(?![\d.])/);
        assertLog(s, /dump: main\.wide pkg=main goroutine=1 hit=1 args=12 results=1/);
        for (const [i, n] of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'].entries()) assertLog(s, new RegExp(`dump: typed ${n}=${i + 1}(?![\\d.])`));
      }, { launchOpts: { functionBreakpoints: [{ name: 'main.shapes' }] } }));

    test('a generic function by its Go name (main.Max): every instantiation gets the handler', T, () =>
      session(tc, ['shapes'], null, async (s, m) => {
        const stop = await h.waitStopped(s, m, null, 60000);
        const r = await s.ok('setHandlerBreakpoints', { handlers: [P.handler('main.Max', 'dump')] });
        assert.equal(r.breakpoints?.length, 1);
        assert.equal(r.breakpoints[0].verified, true, `main.Max verified: ${JSON.stringify(r.breakpoints[0])}`);
        await h.runToEnd(s, stop.body.threadId, 0);
        P.assertShapes(P.stdoutLines(s));
        assertLog(s, /dump: main\.Max\S* pkg=main goroutine=1 hit=1 /);
        assertLog(s, /dump: main\.Max\S* pkg=main goroutine=1 hit=2 /); // both instantiations
        assertLog(s, /dump: typed a=3(?![\d.])[^]*dump: typed b=7(?![\d.])/);
        assertLog(s, /dump: typed a=2\.5(?![\d.])[^]*dump: typed b=1\.5(?![\d.])/);
      }, { launchOpts: { functionBreakpoints: [{ name: 'main.shapes' }] } }));

    const BAD = () => [
      P.handler('main.nope', 'force', ''),
      { function: 'main.compute', plugin: '/nonexistent/dir/missing.so' },
      P.handler('main.pair', 'noenter'),
      P.handler('main.ratio', 'badversion'),
      P.handler('main.point', 'initfail', 'x'),
    ];
    const checkBad = (res) => {
      const [nope, missing, noenter, badver, initfail] = res;
      assert.equal(nope.verified, false);
      assert.match(nope.message || '', /main\.nope/); assert.match(nope.message, /not found/i);
      assert.equal(missing.verified, false);
      assert.match(missing.message || '', /missing\.so/); assert.match(missing.message, /cannot load|does not exist|no such file/i);
      assert.equal(noenter.verified, false);
      assert.match(noenter.message || '', /noenter/); assert.match(noenter.message, /gobp_on_enter/);
      assert.equal(badver.verified, false);
      assert.match(badver.message || '', /badversion/); assert.match(badver.message, /\b99\b/); assert.match(badver.message, /\b1\b/);
      assert.equal(initfail.verified, false);
      assert.match(initfail.message || '', /initfail/);
    };

    test('setHandlerBreakpoints at a stop: one result per handler, bad ones unverified with the reason', T, () =>
      session(tc, ['shapes'], null, async (s, m) => {
        const stop = await h.waitStopped(s, m, null, 60000);
        const handlers = [...BAD(), P.handler('main.greet', 'force', '0=string:still works', { copy: true })];
        const r = await s.ok('setHandlerBreakpoints', { handlers });
        assert.equal(r.breakpoints?.length, handlers.length, `one result per handler, in order: ${JSON.stringify(r)}`);
        checkBad(r.breakpoints);
        assert.equal(r.breakpoints[5].verified, true, `the good handler is verified: ${JSON.stringify(r.breakpoints[5])}`);
        assert.equal(typeof r.breakpoints[5].id, 'number');
        await h.runToEnd(s, stop.body.threadId, 0);
        P.assertShapes(P.stdoutLines(s), { greet: 'greet still works' });
      }, { launchOpts: { functionBreakpoints: [{ name: 'main.shapes' }] } }));

    test('launch with bad handlers: each reported by name in an output event; a relative plugin path works', T, () => {
      const good = P.handler('main.greet', 'force', '0=string:relative', { copy: true });
      const cwd = path.dirname(good.plugin);
      return session(tc, ['shapes'], [...BAD(), { ...good, plugin: `./${path.basename(good.plugin)}` }], async (s, m) => {
        await waitEnd(s, m, 0);
        P.assertShapes(P.stdoutLines(s), { greet: 'greet relative' });
        P.assertMessage(s, [/main\.nope/, /not found/i], 'unknown function');
        P.assertMessage(s, [/missing\.so/, /cannot load|does not exist|no such file/i], 'missing plugin');
        P.assertMessage(s, [/noenter/, /gobp_on_enter/], 'no gobp_on_enter');
        P.assertMessage(s, [/badversion/, /\b99\b/], 'wrong API version');
        P.assertMessage(s, [/initfail/], 'init refused');
      }, { extra: { cwd } });
    });

    test('300 handlers (tests/programs/manyfuncs) replaced by one: only the new one stops', T, async () => {
      const s = await startSession('stdio');
      try {
        const m = s.mark();
        const fn = (i) => `main.F${String(i).padStart(3, '0')}`;
        const handlerBreakpoints = Array.from({ length: 300 }, (_, i) => P.handler(fn(i), 'stopper'));
        await h.launch(s, h.launchArgs({ program: buildProgram('manyfuncs', tc), cwd: tmpDir(), handlerBreakpoints }));
        let ev = await h.waitStopped(s, m, null, 60000);
        assert.equal((await h.topFrame(s, ev.body.threadId)).name, fn(0));
        const r = await s.ok('setHandlerBreakpoints', { handlers: [P.handler('main.Target', 'stopper')] });
        assert.equal(r.breakpoints.length, 1);
        assert.equal(r.breakpoints[0].verified, true);
        ev = await h.continueToStop(s, ev.body.threadId, null, 60000);
        assert.equal((await h.topFrame(s, ev.body.threadId)).name, 'main.Target', 'the old 300 are all gone');
        await h.runToEnd(s, ev.body.threadId, 0);
      } finally { await s.close(); }
    });

    test('setHandlerBreakpoints while running replaces the whole set', T, () =>
      session(tc, ['loop', '1500'], [P.handler('main.compute', 'force', '0=int:-5', { copy: true })], async (s, m) => {
        await waitStdout(s, m, /^loop \d+ -5$/m);
        let r = await s.ok('setHandlerBreakpoints', { handlers: [] });
        assert.deepEqual(r.breakpoints, [], 'an empty set: no results');
        let mm = s.mark();
        // after the reply no forced value: compute(i) = i*i+1 again (the line being printed while
        // the reply was sent may still be forced; the later ones not)
        await waitStdout(s, mm, /^loop .*\n(^loop .*\n){3}/m);
        let after = s.events.slice(mm).filter((e) => e.event === 'output' && e.body.category === 'stdout').map((e) => e.body.output).join('');
        const lines = after.split('\n').filter((l) => /^loop /.test(l));
        for (const l of lines.slice(1)) { const [, i, v] = l.split(' ').map(Number); assert.equal(v, i * i + 1, `unforced: ${l}`); }
        r = await s.ok('setHandlerBreakpoints', { handlers: [P.handler('main.compute', 'setarg', 'n=int:3', { copy: true })] });
        assert.equal(r.breakpoints.length, 1);
        assert.equal(r.breakpoints[0].verified, true);
        mm = s.mark();
        await waitStdout(s, mm, /^loop \d+ 10$/m); // compute(3) = 10
        after = s.events.slice(mm).filter((e) => e.event === 'output' && e.body.category === 'stdout').map((e) => e.body.output).join('');
        assert.doesNotMatch(after, /^loop \d+ -5$/m, 'the first handler is gone');
      }));

    for (const [name, why, config] of [
      ['crash', /SIGSEGV|segmentation|signal 11/i],
      ['abort', /SIGABRT|abort|signal 6/i],
      ['loop', /time|\d+ ?ms/i],
      ['exit', /called exit\(3\)/],
      ['overflow', /SIGSEGV|segmentation|signal 11/i],
    ]) {
      const what = { crash: 'crashes', abort: 'aborts', loop: 'never returns', exit: 'calls exit()', overflow: 'overflows its stack' }[name];
      test(`a plugin that ${what} is disabled; the program and other handlers run on`, T, () =>
        session(tc, ['shapes'], [
          P.handler('main.compute', name, config),
          P.handler('main.greet', 'force', '0=string:after', { copy: true }),
        ], async (s, m) => {
          await waitEnd(s, m, 0);
          P.assertShapes(P.stdoutLines(s), { greet: 'greet after' });
          P.assertMessage(s, [/disabled/i, why], `${name}.so disabled and why`);
          P.assertMessage(s, [/disabled/i, /main\.compute|crash|abort|loop/], `the message names the handler`);
        }));
    }

    test('a plugin whose gobp_plugin_fini crashes: the session says so at the end, the program ended normally', T, () =>
      session(tc, ['shapes'], [P.handler('main.compute', 'finicrash')], async (s, m) => {
        await waitEnd(s, m, 0);
        P.assertShapes(P.stdoutLines(s));
        await h.eventually(() => /gobp_plugin_fini failed/.test(P.adapterText(s)), 10000, 'the fini failure is reported');
        P.assertMessage(s, [/main\.compute/, /gobp_plugin_fini failed/, /SIGSEGV|segmentation|signal 11|crashed/i], 'fini failure');
      }));

    test('a crashed handler is called no more: the other calls run normally', T, () =>
      session(tc, ['lookups', '5'], [P.handler('main.lookup', 'abort')], async (s, m) => {
        await waitEnd(s, m, 0);
        assert.deepEqual(P.stdoutLines(s), [1, 2, 3, 4, 5].map((i) => `lookup ${i} "value-k${i}" <nil> eof=false`));
        const disabled = P.adapterMessages(s).filter((t) => /disabled/i.test(t));
        assert.equal(disabled.length, 1, `one "disabled" message: ${JSON.stringify(disabled)}`);
      }));

    test('handlerTimeoutMs: a 1.5 s plugin runs under a 5 s limit (default 1 s would disable it)', T, () =>
      session(tc, ['shapes'], [P.handler('main.compute', 'slow', 'ms=1500', { copy: true })], async (s, m) => {
        await waitEnd(s, m, 0);
        P.assertShapes(P.stdoutLines(s));
        assertLog(s, /slow: main\.compute done after 1500 ms/);
        assert.doesNotMatch(P.adapterText(s), /disabled/i);
      }, { extra: { handlerTimeoutMs: 5000 } }));

    test('handlerTimeoutMs: a 400 ms plugin is disabled under a 100 ms limit', T, () =>
      session(tc, ['shapes'], [P.handler('main.compute', 'slow', 'ms=400', { copy: true })], async (s, m) => {
        await waitEnd(s, m, 0);
        P.assertShapes(P.stdoutLines(s));
        P.assertMessage(s, [/disabled/i, /time|\d+ ?ms/i], 'slow plugin disabled');
      }, { extra: { handlerTimeoutMs: 100 } }));

    test('recursion 2000 deep, small and >4 KiB frames (morestack): one gobp_on_enter per call', T, () =>
      session(tc, ['recursion', '2000'], [P.handler('main.depth', 'count', 'sentinel=-1'), P.handler('main.bigdepth', 'count', 'sentinel=-1')], async (s, m) => {
        await waitEnd(s, m, 0, 150000);
        assert.deepEqual(P.stdoutLines(s), ['depth 2000', 'bigdepth 2000']);
        // depth(2000) .. depth(0): 2001 calls, + the sentinel call depth(-1) = 2002 hits
        assertLog(s, /count: main\.depth 2001 calls, hit 2002(?![\d.])/);
        assertLog(s, /count: main\.bigdepth 2001 calls, hit 2002(?![\d.])/);
      }));

    test('8 goroutines × 125 000 calls: exactly 1 000 000 handler calls, the program agrees', LONG, () =>
      session(tc, ['concurrent', '8', '125000'], [P.handler('main.tick', 'count', 'sentinel=-1')], async (s, m) => {
        await waitEnd(s, m, 0, 540000);
        assert.deepEqual(P.stdoutLines(s), ['ticks 1000000 total 1000000']);
        assertLog(s, /count: main\.tick 1000000 calls, hit 1000001(?![\d.])/);
      }));

    test('one plugin file used by two handlers with different configs: each handler gets its own config',
      T, () => {
        const so = P.plugin('force');
        return session(tc, ['shapes'], [
          { function: 'main.compute', plugin: so, config: '0=int:1' },
          { function: 'main.sum', plugin: so, config: '0=int:2' },
        ], async (s, m) => {
          await waitEnd(s, m, 0);
          P.assertShapes(P.stdoutLines(s), { compute: 'compute 1', sum: 'sum 2' });
        });
      });
  });
}
