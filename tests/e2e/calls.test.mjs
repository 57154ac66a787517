// Function calls in expressions (issue 11, item 1), on every Go: evaluate in the repl, watch
// and hover contexts calls plain functions, methods on values and pointers, interface methods
// and closures held in variables, with literals, variables, strings, structs, floats and nil as
// arguments; several results come as one value whose children are the results. A panic is an
// error naming it and the program goes on as if nothing happened; a call that does not return
// within callTimeoutMs is abandoned and finishes when the program continues; a goroutine that
// is parked, or stopped where the runtime says it is not at a safe point, is refused with the
// reason; conditions cannot call; a breakpoint in the called function does not stop it; what
// the call prints arrives as output before the result. Program: tests/programs/calls.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { startSession, IS_DELVE } from './lib/client.mjs';
import { goToolchains, buildProgram } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';
import * as P from './lib/plugins.mjs';

const T = { timeout: 180000, skip: IS_DELVE && 'Delve needs "call" and has no callTimeoutMs' };
const SRC = h.srcPath('calls');
const BREAK = h.lineOf('calls', '// BREAK');
const IN_ADD = h.lineOf('calls', '// IN ADD');

/** Launches calls with extra attributes and breakpoints, waits for the stop at BREAK. */
async function stopInWork(s, tc, extra = {}, lines = [{ line: BREAK }]) {
  const m = s.mark();
  const r = await h.launch(s, h.launchArgs({ program: buildProgram('calls', tc), ...extra }), { breakpoints: { [SRC]: lines } });
  const ev = await h.waitStopped(s, m, 'breakpoint', 60000);
  const top = await h.topFrame(s, ev.body.threadId);
  assert.equal(top.name, 'main.work');
  return { ev, top, bps: r.bps[SRC].breakpoints };
}

const evaluate = (s, frameId, expression, context = 'repl') => s.req('evaluate', { expression, frameId, context }, 60000);

async function value(s, frameId, expression, context) {
  const r = await evaluate(s, frameId, expression, context);
  assert.ok(r.success, `${expression}: ${h.errorText(r)}`);
  return r.body;
}

async function refused(s, frameId, expression, pattern) {
  const r = await evaluate(s, frameId, expression);
  assert.equal(r.success, false, `${expression} must fail, got ${JSON.stringify(r.body)}`);
  assert.match(h.errorText(r), pattern, expression);
}

/** Continues to the end: exit 0 and the program's own output, unchanged by the calls. */
async function endsNormally(s, threadId) {
  await h.runToEnd(s, threadId, 0);
  assert.ok(P.stdoutLines(s).includes('result 27 7'), `the program's result is unchanged: ${P.stdoutLines(s).join('|')}`);
}

for (const tc of goToolchains()) {
  describe(`function calls go${tc.version}`, () => {
    test('functions, methods, interfaces, closures; every kind of argument; several results', T, async () => {
      const s = await startSession('stdio');
      try {
        const { ev, top } = await stopInWork(s, tc);
        const want = {
          'add(2, 3)': ['5', 'int'],
          'add(n, counter)': ['12', 'int'],
          'call add(1, 1)': ['2', 'int'],
          'p.Sum()': ['30', 'int'],
          'p.Label("at ")': ['"at g(10,20)"', 'string'],
          'local.Sum()': ['3', 'int'],
          'sh.Area()': ['6', 'float64'],
          'sh.Describe("x")': ['"x:rect"', 'string'],
          'c.Area()': ['12', 'float64'],
          'c.Describe("y")': ['"y:circle"', 'string'],
          'f(4)': ['12', 'int'],
          'describeErr(nil)': ['"no error"', 'string'],
          'describeErr(lastErr)': ['"error: disk full"', 'string'],
          'describeAny(n)': ['"int=5"', 'string'],
          'greet(*p, true)': ['"HELLO G"', 'string'],
          'greet(local, false)': ['"hello local"', 'string'],
          'mix(1.5, 3, true, "s", global)': ['"3/4/false/s/g"', 'string'],
          'add(2, 3) * 2 + len(lookup("k"))': null,
          'nothing()': ['', '()'],
          'slow(50)': ['50', 'int'],     /* it blocks: up to Go 1.20 it may end on another thread */
          'sum12(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, n)': ['71', 'int'],
          'bigSum(big, 0.5)': ['27.5', 'float64'],
          'spread(n)': ['5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15', '(int, int, int, int, int, int, int, int, int, int, int)'],
        };
        for (const [expr, w] of Object.entries(want)) {
          if (!w) continue;
          const b = await value(s, top.id, expr);
          assert.deepEqual([b.result, b.type], w, expr);
        }
        for (const context of ['watch', 'hover'])
          assert.equal((await value(s, top.id, 'add(40, 2)', context)).result, '42', `a call in the ${context} context`);

        const dm = await value(s, top.id, 'divmod(17, 5)');
        assert.deepEqual([dm.result, dm.type], ['3, 2', '(int, int)'], 'several results as a list');
        const kids = h.byName(await h.vars(s, dm.variablesReference));
        assert.deepEqual({ q: kids.q.value, r: kids.r.value }, { q: '3', r: '2' }, 'the results named as the function names them');
        const lk = await value(s, top.id, 'lookup("k")');
        assert.equal(lk.result, '"value-k", nil');
        assert.deepEqual(Object.keys(h.byName(await h.vars(s, lk.variablesReference))), ['~r0', '~r1'], 'unnamed results are ~r0, ~r1');
        assert.match((await value(s, top.id, 'lookup("")')).result, /^"", .*empty key/);

        await refused(s, top.id, 'add(1)', /main\.add takes 2 arguments, not 1/);
        await refused(s, top.id, 'add("a", 1)', /a of main\.add: cannot use this value as a int/);
        await refused(s, top.id, 'nosuch(1)', /no function nosuch in this program/);
        await refused(s, top.id, 'local.Label("x")', /receiver of main\.\(\*Point\)\.Label would point into goroutine 1's stack/);
        await refused(s, top.id, 'p.Nope()', /has no method Nope/);

        /* a panic: an error naming it, and nothing happened */
        await refused(s, top.id, 'boom("x")', /main\.boom panicked: "boom: x"/);
        assert.equal((await value(s, top.id, 'n')).result, '5', 'the frame is intact after the panic');
        assert.equal((await value(s, top.id, 'add(n, 1)')).result, '6', 'calls work after a panic');

        /* output the call prints comes before its result */
        const m = s.mark();
        assert.equal((await value(s, top.id, 'shout("hi")')).result, '"HI"');
        const out = s.events.slice(m).filter((e) => e.event === 'output' && e.body.category === 'stdout').map((e) => e.body.output).join('');
        assert.match(out, /shouting hi\n/, 'the call\'s output arrived before its result');

        const st = await s.ok('stackTrace', { threadId: ev.body.threadId, startFrame: 0, levels: 3 });
        assert.deepEqual(st.stackFrames.slice(0, 2).map((f) => f.name), ['main.work', 'main.main'], 'the stack is as before the calls');
        await endsNormally(s, ev.body.threadId);
      } finally { await s.close(); }
    });

    test('conditions cannot call; a breakpoint in the callee does not stop it; a parked goroutine is refused', T, async () => {
      const s = await startSession('stdio');
      try {
        const { ev, top, bps } = await stopInWork(s, tc, {}, [{ line: BREAK }, { line: IN_ADD, condition: 'add(1, 2) == 3' }]);
        assert.equal(bps[1].verified, false, 'a condition that calls is not armed');
        assert.match(bps[1].message, /conditions and log points do not call functions \(add\)/);
        const set = await s.ok('setBreakpoints', { source: { path: SRC }, breakpoints: [{ line: BREAK }, { line: IN_ADD }] });
        assert.equal(set.breakpoints[1].verified, true);
        const m = s.mark();
        assert.equal((await value(s, top.id, 'add(2, 2)')).result, '4', 'the call ran past the breakpoint in add');
        assert.equal(s.events.slice(m).filter((e) => e.event === 'stopped').length, 0, 'no stop');
        await h.eventually(() => s.events.slice(m).some((e) => e.event === 'output' && /1 stop of other goroutines .* did not happen while main\.add ran/.test(e.body.output)),
          10000, 'a console line says the breakpoint did not stop the call');

        /* the goroutine parked in a channel receive */
        const threads = (await s.ok('threads')).threads;
        let parked = null;
        for (const t of threads) {
          const st = await s.ok('stackTrace', { threadId: t.id, startFrame: 0, levels: 20 });
          const fr = st.stackFrames.find((f) => f.name === 'main.main.func1');
          if (fr) parked = { t, fr };
        }
        assert.ok(parked, 'the helper goroutine is listed');
        await refused(s, parked.fr.id, 'add(1, 2)', new RegExp(`goroutine ${parked.t.id} is not running \\((chan receive|runnable, waiting for a thread)\\)`));
        await endsNormally(s, ev.body.threadId);
      } finally { await s.close(); }
    });

    test('a call that does not return in time is abandoned and finishes when the program continues', T, async () => {
      const s = await startSession('stdio');
      try {
        const { ev, top } = await stopInWork(s, tc, { callTimeoutMs: 1000 });
        await refused(s, top.id, 'slow(3000)', /main\.slow did not return within 1000 ms: the call is abandoned/);
        await refused(s, top.id, 'add(1, 2)', /the call of main\.slow on goroutine 1 has not returned yet/);
        const m = s.mark();
        await endsNormally(s, ev.body.threadId);
        assert.ok(s.events.slice(m).some((e) => e.event === 'output' && /the abandoned call of main\.slow has returned/.test(e.body.output)),
          'the console says when the abandoned call returned');
      } finally { await s.close(); }
    });

    test('attached: disconnecting with an abandoned call waits for it; the program runs on and ends normally', T, async () => {
      const p = spawn(buildProgram('calls', tc), ['serve'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d) => { out += d; });
      const exited = new Promise((r) => p.once('exit', (code, signal) => r({ code, signal })));
      const s = await startSession('stdio');
      try {
        await h.eventually(() => out.includes('serving'), 10000, 'the program started');
        const m = s.mark();
        await h.initialize(s);
        const ar = s.req('attach', { name: 'e2e', type: 'go', request: 'attach', mode: 'local', processId: p.pid, callTimeoutMs: 300 }, 60000);
        await s.waitEvent('initialized', { timeout: 60000 });
        await s.ok('setBreakpoints', { source: { path: SRC }, breakpoints: [{ line: BREAK }], lines: [BREAK] });
        await s.ok('configurationDone');
        assert.ok((await ar).success);
        const ev = await h.waitStopped(s, m, 'breakpoint', 60000);
        const top = await h.topFrame(s, ev.body.threadId);
        await refused(s, top.id, 'slow(1500)', /main\.slow did not return within 300 ms: the call is abandoned/);
        await s.ok('setBreakpoints', { source: { path: SRC }, breakpoints: [], lines: [] });
        await s.ok('disconnect', { terminateDebuggee: false }, 60000);
        assert.deepEqual(await exited, { code: 0, signal: null }, 'the program ended on its own, after the call returned');
        assert.match(out, /served\nresult 27 7\n/);
      } finally { p.kill('SIGKILL'); await s.close(); }
    });

    test('a goroutine stopped where the runtime has no safe point is refused with its reason', T, async () => {
      const s = await startSession('stdio');
      try {
        const exe = buildProgram('calls', tc);
        const nm = execFileSync(tc.goBin, ['tool', 'nm', exe]).toString();
        const entry = '0x' + nm.split('\n').find((l) => / T main\.work$/.test(l)).trim().split(/\s+/)[0];
        const m = s.mark();
        await h.launch(s, h.launchArgs({ program: exe, stopOnEntry: true }));
        const e0 = await h.waitStopped(s, m, null, 60000);
        /* the third instruction (PUSHQ BP, or SUBQ $n, SP before Go 1.21): after the stack
         * check, before the frame exists */
        const ins = (await s.ok('disassemble', { memoryReference: entry, instructionOffset: 0, instructionCount: 4 })).instructions;
        assert.match(ins[1].instruction, /^jbe /, `the stack check in ${JSON.stringify(ins.map((i) => i.instruction))}`);
        const push = ins[2];
        await s.ok('setInstructionBreakpoints', { breakpoints: [{ instructionReference: push.address }] });
        const ev = await h.continueToStop(s, e0.body.threadId, null, 60000);
        const top = await h.topFrame(s, ev.body.threadId);
        assert.equal(top.instructionPointerReference, push.address);
        await refused(s, top.id, 'add(1, 2)', /cannot call main\.add on goroutine 1 here: call not at safe point/);
        await s.ok('setInstructionBreakpoints', { breakpoints: [] });
        await endsNormally(s, ev.body.threadId);
      } finally { await s.close(); }
    });
  });
}
