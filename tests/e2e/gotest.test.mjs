// mode "test": gobp-dap builds the package's test binary (go test -c with -N -l) with the go of
// the launch env's PATH, runs it with the test flags of args, and stops in the package code a
// test calls and in the test itself. On every Go.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startSession } from './lib/client.mjs';
import { goToolchains, pathWithGo, PROGRAMS } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';

const T = { timeout: 180000 };
const DIR = path.join(PROGRAMS, 'gotest');
const CALC = path.join(DIR, 'calc.go'), CALC_TEST = path.join(DIR, 'calc_test.go');
const ADD = h.lineOf('gotest', '// ADD', 'calc.go');
const CALL = h.lineOf('gotest', '// CALL', 'calc_test.go');

for (const tc of goToolchains()) {
  describe(`mode test go${tc.version}`, () => {
    test('breakpoints in the package and in its test; -test.run picks the test; PASS and exit 0', T, async () => {
      const s = await startSession('stdio');
      try {
        const m = s.mark();
        const { bps } = await h.launch(s, h.launchArgs({
          program: DIR, mode: 'test', cwd: DIR, args: ['-test.run', '^TestAdd$', '-test.v'],
          env: { PATH: pathWithGo(tc), GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' },
        }), { breakpoints: { [CALC]: [{ line: ADD, condition: 'a == 40' }], [CALC_TEST]: [{ line: CALL }] } });
        assert.ok(bps[CALC].breakpoints[0].verified && bps[CALC_TEST].breakpoints[0].verified);
        let ev = await h.waitStopped(s, m, 'breakpoint', 120000);
        let f = await h.topFrame(s, ev.body.threadId);
        assert.equal(f.name, 'example.com/gotest.TestAdd');
        assert.equal(f.line, CALL);
        assert.equal(f.source.path, CALC_TEST);
        const c = await s.ok('evaluate', { expression: 'c.a + c.b', frameId: f.id, context: 'watch' });
        assert.equal(c.result, '3');
        await s.ok('setBreakpoints', { source: { path: CALC_TEST }, breakpoints: [] });
        ev = await h.continueToStop(s, ev.body.threadId, 'breakpoint', 60000);
        f = await h.topFrame(s, ev.body.threadId);
        assert.equal(f.name, 'example.com/gotest.Add');
        assert.equal(f.line, ADD);
        const args = await h.varMap(s, f.id, 'Arguments');
        assert.deepEqual([args.a.value, args.b.value], ['40', '2'], 'the condition picked the second case');
        const st = await s.ok('stackTrace', { threadId: ev.body.threadId, levels: 3 });
        assert.equal(st.stackFrames[1].name, 'example.com/gotest.TestAdd');
        await h.runToEnd(s, ev.body.threadId, 0);
        const out = s.output('stdout');
        assert.match(out, /--- PASS: TestAdd/);
        assert.doesNotMatch(out, /TestOther/, '-test.run selected one test');
        assert.match(out, /^PASS$/m);
      } finally { await s.close(); }
    });
  });
}
