// Conditional breakpoints, hit conditions and log points, decided at the hit; evaluate of
// Go expressions (len, comparisons, arithmetic, logic, globals) at a stop; setVariable (numbers,
// strings, struct fields, globals) seen by the program afterwards. On every Go version.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, IS_DELVE } from './lib/client.mjs';
import { goToolchains, buildProgram } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';

const T = { timeout: 120000 };
const SRC = h.srcPath('values');
const HALF = h.lineOf('values', 'half := n / 2');
const OK_LINE = h.lineOf('values', 'ok := half > 1');
const BREAK = h.lineOf('values', '// BREAK values');

for (const tc of goToolchains()) {
  describe(`conditions go${tc.version}`, () => {
    test('condition, hit condition and log point: only the wanted stops happen, the log lines appear', T, async () => {
      if (IS_DELVE) return;
      const program = buildProgram('values', tc);
      const s = await startSession('stdio');
      try {
        const m = s.mark();
        const { bps, fbps } = await h.launch(s, h.launchArgs({ program }), {
          breakpoints: { [SRC]: [
            { line: HALF, condition: 'n == 2 && label == "x"' },
            { line: OK_LINE, logMessage: 'decide: n={n} half={half} label={label}' },
          ] },
          functionBreakpoints: [{ name: 'main.(*Counter).Inc', hitCondition: '>= 3' }],
        });
        for (const b of [...bps[SRC].breakpoints, ...fbps.breakpoints]) assert.ok(b.verified, JSON.stringify(b));
        // decide is called with n = 0, 1, 2 and Inc with by = 0, 1, 2: Inc stops on its 3rd call,
        // decide only when n == 2 (Inc(2) runs before decide(2)).
        let ev = await h.waitStopped(s, m, 'breakpoint', 60000);
        let f = await h.topFrame(s, ev.body.threadId);
        assert.equal(f.name, 'main.(*Counter).Inc');
        const args = await h.varMap(s, f.id, 'Arguments');
        assert.equal(args.by.value, '2', 'the third call');
        ev = await h.continueToStop(s, ev.body.threadId, 'breakpoint', 60000);
        f = await h.topFrame(s, ev.body.threadId);
        assert.equal(f.name, 'main.decide');
        assert.equal(f.line, HALF);
        assert.equal((await h.varMap(s, f.id, 'Arguments')).n.value, '2');
        const mm = s.mark();
        await s.ok('continue', { threadId: ev.body.threadId });
        const exited = await s.waitEvent('exited', { from: mm, timeout: 60000 });
        assert.equal(exited.body.exitCode, 3);
        const logs = s.events.filter((e) => e.event === 'output' && /decide: n=/.test(e.body.output)).map((e) => e.body.output.trim());
        assert.deepEqual(logs, ['decide: n=0 half=0 label="x"', 'decide: n=1 half=0 label="x"', 'decide: n=2 half=1 label="x"']);
        assert.equal(s.events.filter((e) => e.event === 'stopped').length, 2, 'no other stop');
      } finally { await s.close(); }
    });

    test('bad conditions, hit conditions and log messages are unverified at setBreakpoints with the reason; a run-time error stops once and says why', T, async () => {
      if (IS_DELVE) return;
      const program = buildProgram('values', tc);
      const s = await startSession('stdio');
      try {
        const m = s.mark();
        const { bps, fbps } = await h.launch(s, h.launchArgs({ program }), {
          breakpoints: { [SRC]: [
            { line: HALF, condition: 'n >' },
            { line: HALF, condition: 'nosuch == 1' },
            { line: HALF, condition: 'label.Nope == 1' },
            { line: HALF, condition: 'n + 1' },
            { line: OK_LINE, hitCondition: 'often' },
            { line: OK_LINE, logMessage: 'half={half} x={nosuch}' },
            // ok is declared on the line after HALF, and is in scope there all the same (as in
            // Delve): accepted (and never read: false decides)
            { line: HALF, condition: 'false && ok' },
            // label is "x": label[5] is out of range, known only at run time
            { line: OK_LINE, condition: 'half >= 0 && label[5] == 120' },
          ] },
          functionBreakpoints: [{ name: 'main.decide', condition: 'n > && 1' }, { name: 'main.decide', condition: 'missing > 0' }],
        });
        const [syntax, unknown, field, notBool, badHit, badLog, later, runtime] = bps[SRC].breakpoints;
        const expectUnverified = (b, re) => {
          assert.equal(b.verified, false, JSON.stringify(b));
          assert.match(b.message, re);
        };
        expectUnverified(syntax, /condition "n >" does not parse: unexpected end of expression/);
        expectUnverified(unknown, /condition "nosuch == 1": could not find symbol value for nosuch \(at main\.decide\)/);
        expectUnverified(field, /string has no field or method Nope/);
        expectUnverified(notBool, /not a bool/);
        expectUnverified(badHit, /hit condition "often"/);
        expectUnverified(badLog, /log message .*\{nosuch\}: could not find symbol value for nosuch/);
        expectUnverified(fbps.breakpoints[0], /does not parse/);
        expectUnverified(fbps.breakpoints[1], /could not find symbol value for missing/);
        assert.ok(later.verified, JSON.stringify(later));
        assert.ok(runtime.verified, JSON.stringify(runtime));
        const ev = await h.waitStopped(s, m, 'breakpoint', 60000);
        const said = s.events.filter((e) => e.event === 'output' && /cannot be evaluated/.test(e.body.output));
        assert.equal(said.length, 1);
        assert.match(said[0].body.output, /out of range/);
        await s.ok('setBreakpoints', { source: { path: SRC }, breakpoints: [] });
        await h.runToEnd(s, ev.body.threadId, 3);
      } finally { await s.close(); }
    });

    test('a % 3 hit condition keeps counting across a setBreakpoints that adds another line (and setFunctionBreakpoints)', T, async () => {
      if (IS_DELVE) return;
      const program = buildProgram('hitcount', tc);
      const HC = h.srcPath('hitcount');
      const WORK = h.lineOf('hitcount', 'atomic.AddInt64(&calls, 1)');
      const PRINT = h.lineOf('hitcount', 'fmt.Println("calls"');
      const s = await startSession('stdio');
      try {
        const m = s.mark();
        // one goroutine calling work(0..8): its 3rd, 6th and 9th calls stop
        const { bps, fbps } = await h.launch(s, h.launchArgs({ program, args: ['1', '9'] }), {
          breakpoints: { [HC]: [{ line: WORK, hitCondition: '% 3' }] },
          functionBreakpoints: [{ name: 'main.work', hitCondition: '% 4' }],
        });
        const lineBp = bps[HC].breakpoints[0], funcBp = fbps.breakpoints[0];
        assert.ok(lineBp.verified && funcBp.verified);
        const argN = async (ev) => (await h.varMap(s, (await h.topFrame(s, ev.body.threadId)).id, 'Arguments')).n.value;
        const stops = [];
        let ev = await h.waitStopped(s, m, 'breakpoint', 60000);
        stops.push(await argN(ev));                                   // hit 3 of the line
        // the editor adds a breakpoint on another line of the file and re-sends the first one
        const again = await s.ok('setBreakpoints', { source: { path: HC }, breakpoints: [{ line: WORK, hitCondition: '% 3' }, { line: PRINT }] });
        assert.equal(again.breakpoints[0].id, lineBp.id, 'the unchanged breakpoint is kept');
        assert.ok(again.breakpoints[1].verified);
        ev = await h.continueToStop(s, ev.body.threadId, 'breakpoint', 60000);
        stops.push(await argN(ev));                                   // the function's 4th call
        const fagain = await s.ok('setFunctionBreakpoints', { breakpoints: [{ name: 'main.work', hitCondition: '% 4' }, { name: 'main.arg' }] });
        assert.equal(fagain.breakpoints[0].id, funcBp.id, 'the unchanged function breakpoint is kept');
        for (;;) {
          ev = await h.continueToStop(s, ev.body.threadId, 'breakpoint', 60000);
          const f = await h.topFrame(s, ev.body.threadId);
          if (f.line === PRINT) break;
          stops.push(await argN(ev));
        }
        // line: hits 3, 6, 9 (n = 2, 5, 8); function: calls 4, 8 (n = 3, 7)
        assert.deepEqual(stops, ['2', '3', '5', '7', '8']);
        await h.runToEnd(s, ev.body.threadId, 0);
      } finally { await s.close(); }
    });

    test('evaluate: Go expressions over locals and globals', T, async () => {
      if (IS_DELVE) return;
      const program = buildProgram('values', tc);
      const s = await startSession('stdio');
      try {
        const m = s.mark();
        await h.launch(s, h.launchArgs({ program }), { breakpoints: { [SRC]: [{ line: BREAK }] } });
        const ev = await h.waitStopped(s, m, 'breakpoint', 60000);
        const f = await h.topFrame(s, ev.body.threadId);
        const cases = {
          'len(sl)': ['12', 'int'], 'cap(bs)': ['3', 'int'], 'sl[2] + sl[3] * 2': ['11', 'int'],
          'p.Name == "Ann" && p.Age > 40': ['true', 'bool'], 'nilPtr == nil': ['true', 'bool'],
          'err != nil': ['true', 'bool'], '!b': ['false', 'bool'], 'len(m)': ['3', 'int'],
          'm["two"] * 10': ['20', 'int'], 'f64 * 10': ['1', 'float64'], 'counter + 1': ['8', 'int'],
          'main.counter': ['7', 'int'], 'len(greeting)': ['5', 'int'], 'arr[1] / 4': ['5', 'int'],
          'len(ch)': ['1', 'int'], 'cap(ch)': ['5', 'int'], 's[0]': ['104', 'uint'],
          'err.(*errors.errorString).s': ['"boom"', 'string'], 'err != io.EOF && err == err': ['true', 'bool'],
          'nilPtr != nil && nilPtr.Age > 1': ['false', 'bool'],
        };
        for (const [expr, [result, type]] of Object.entries(cases)) {
          const r = await s.ok('evaluate', { expression: expr, frameId: f.id, context: 'watch' });
          assert.equal(r.result, result, expr);
          assert.ok(r.type === type || (expr === 's[0]' && /uint8|uint/.test(r.type)), `${expr}: type ${r.type}`);
        }
        for (const bad of ['nosuch + 1', 'sl[99]', 'p.Nope', '1 +', 'len(b)', 'err.(*main.Person)', 'nilPtr.Age']) {
          const r = await s.fail('evaluate', { expression: bad, frameId: f.id, context: 'watch' });
          assert.ok(h.errorText(r).length > 0, bad);
        }
        await h.runToEnd(s, ev.body.threadId, 3);
      } finally { await s.close(); }
    });

    test('setVariable: the program sees the new values', T, async () => {
      if (IS_DELVE) return;
      const program = buildProgram('values', tc);
      const s = await startSession('stdio');
      try {
        const m = s.mark();
        await h.launch(s, h.launchArgs({ program }), { breakpoints: { [SRC]: [{ line: BREAK }] } });
        const ev = await h.waitStopped(s, m, 'breakpoint', 60000);
        const f = await h.topFrame(s, ev.body.threadId);
        const scopes = await h.scopes(s, f.id);
        const L = h.scopeNamed(scopes, 'Locals').variablesReference;
        const G = h.scopeNamed(scopes, 'Globals').variablesReference;
        const set = (ref, name, value) => s.ok('setVariable', { variablesReference: ref, name, value });
        assert.equal((await set(L, 'i8', '-100')).value, '-100');
        assert.equal((await set(L, 's', '"changed, 世界"')).value, '"changed, 世界"');
        assert.equal((await set(L, 'f64', 'f64 * 3')).value, '0.30000000000000004');
        assert.equal((await set(G, 'counter', '41 + 1')).value, '42');
        const p = (await h.vars(s, L)).find((v) => v.name === 'p');
        assert.equal((await set(p.variablesReference, 'Name', '"Bob"')).value, '"Bob"');
        const tooBig = await s.fail('setVariable', { variablesReference: L, name: 'u8', value: '256' });
        assert.match(h.errorText(tooBig), /does not fit/);
        const typo = await s.fail('setVariable', { variablesReference: L, name: 'nosuch', value: '1' });
        assert.match(h.errorText(typo), /nosuch/);
        const mm = s.mark();
        await s.ok('continue', { threadId: ev.body.threadId });
        await s.waitEvent('terminated', { from: mm, timeout: 60000 });
        const out = s.output('stdout');
        assert.match(out, /^-100 -16 /m, 'i8 changed');
        assert.match(out, / changed, 世界 /, 's changed');
        assert.match(out, / 0\.30000000000000004 /, 'f64 changed');
        assert.match(out, / Bob /, 'p.Name changed (printed through pp)');
        assert.match(out, / 42\n/, 'the global counter changed');
      } finally { await s.close(); }
    });
  });
}
