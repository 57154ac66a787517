// Handler breakpoints with a condition (issue 12, item 2): the plugin runs only on the calls
// where the condition (a Go bool expression over the function's arguments, the breakpoint
// condition language) holds. A condition of integers, bools, pointers, len and comparisons
// runs in the program itself (a jump site: no trap for the calls where it is false), counting
// exactly once per call under 8 goroutines and through morestack; one the compiler does not
// take (strings ordered) stays in the debugger, said in the console; a string == or != a
// literal runs in the program. From the launch attribute handlerBreakpoints, the custom
// request setHandlerBreakpoints and `gobp-dap run --condition`; a condition that does not fit
// the function leaves the handler unverified with the reason. Program: tests/programs/handlers
// (mode concurrent: 2 goroutines call main.tick(i) for i < 100, then tick(-1), the count
// plugin's sentinel), on every Go.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { ADAPTER, startSession, IS_DELVE } from './lib/client.mjs';
import { goToolchains, buildProgram, tmpDir } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';
import * as P from './lib/plugins.mjs';

const T = { timeout: 180000, skip: IS_DELVE && 'handler breakpoints are gobp-dap only' };
const COND = 'i % 10 == 0 || i < 0';   /* 10 calls of each goroutine, and the sentinel */

/** Waits for the end of the program (exit 0). */
async function ends(s, from) {
  await s.waitEvent('terminated', { from, timeout: 120000 });
  const exited = s.events.slice(from).find((e) => e.event === 'exited');
  assert.equal(exited && exited.body.exitCode, 0, `exit 0; adapter output:\n${P.adapterText(s).slice(-2000)}`);
  assert.deepEqual(P.stdoutLines(s), ['ticks 200 total 200'], 'the program ran as without a handler');
}

for (const tc of goToolchains()) {
  describe(`handler conditions go${tc.version}`, () => {
    test('launch attribute: the plugin runs only where the condition holds', T, async () => {
      const s = await startSession('stdio');
      try {
        const m = s.mark();
        await h.launch(s, h.launchArgs({ program: buildProgram('handlers', tc), args: ['concurrent', '2', '100'], cwd: tmpDir(),
          handlerBreakpoints: [{ ...P.handler('main.tick', 'count', 'sentinel=-1'), condition: COND }] }));
        await ends(s, m);
        P.assertMessage(s, [/count: main\.tick 20 calls, hit 21(?![\d])/], '20 calls with i % 10 == 0, and the sentinel');
      } finally { await s.close(); }
    });

    test('setHandlerBreakpoints: conditions checked against the function; a bad one is unverified', T, async () => {
      const s = await startSession('stdio');
      try {
        const m = s.mark();
        await h.launch(s, h.launchArgs({ program: buildProgram('handlers', tc), args: ['concurrent', '2', '100'], cwd: tmpDir(),
          stopOnEntry: true }));
        const ev = await h.waitStopped(s, m, null, 60000);
        const bad = await s.ok('setHandlerBreakpoints', { handlers: [
          { ...P.handler('main.tick', 'count', 'sentinel=-1'), condition: 'nosuch > 1' },
          { ...P.handler('main.tick', 'count', 'sentinel=-1'), condition: 'i >' },
          { ...P.handler('main.tick', 'count', 'sentinel=-1'), condition: 'i + 1' },
        ] });
        assert.deepEqual(bad.breakpoints.map((b) => b.verified), [false, false, false]);
        assert.match(bad.breakpoints[0].message, /condition "nosuch > 1": could not find symbol value for nosuch \(at main\.tick\)/);
        assert.match(bad.breakpoints[1].message, /condition "i >" does not parse/);
        assert.match(bad.breakpoints[2].message, /not a bool/);
        const good = await s.ok('setHandlerBreakpoints', { handlers: [{ ...P.handler('main.tick', 'count', 'sentinel=-1'), condition: COND }] });
        assert.equal(good.breakpoints[0].verified, true, JSON.stringify(good));
        const m2 = s.mark();
        await s.ok('continue', { threadId: ev.body.threadId });
        await ends(s, m2);
        P.assertMessage(s, [/count: main\.tick 20 calls, hit 21(?![\d])/], 'the condition decides');
      } finally { await s.close(); }
    });

    test('compiled conditions: exactly once under 8 goroutines × 125 000 calls and 2 000-deep recursion', T, async () => {
      for (const [args, fn, cond, want, out] of [
        [['concurrent', '8', '125000'], 'main.tick', 'i == 77 || i < 0', /count: main\.tick 8 calls, hit 9(?![\d])/, 'ticks 1000000 total 1000000'],
        [['recursion', '2000'], 'main.depth', 'n >= 0 || n < 0', /count: main\.depth 2001 calls, hit 2002(?![\d])/, null],
        [['recursion', '2000'], 'main.bigdepth', 'n == 1000 || n < 0', /count: main\.bigdepth 1 calls, hit 2(?![\d])/, null],
      ]) {
        const s = await startSession('stdio');
        try {
          const m = s.mark();
          await h.launch(s, h.launchArgs({ program: buildProgram('handlers', tc), args, cwd: tmpDir(),
            handlerBreakpoints: [{ ...P.handler(fn, 'count', 'sentinel=-1'), condition: cond }] }));
          await s.waitEvent('terminated', { from: m, timeout: 170000 });
          P.assertMessage(s, [want], `${fn} if ${cond}`);
          if (out) assert.deepEqual(P.stdoutLines(s), [out]);
          assert.ok(!P.adapterText(s).includes('evaluated by the debugger'), `${cond} runs in the program`);
        } finally { await s.close(); }
      }
    });

    test('a condition the compiler does not take stays in the debugger, and says so', T, async () => {
      const s = await startSession('stdio');
      try {
        const m = s.mark();
        await h.launch(s, h.launchArgs({ program: buildProgram('handlers', tc), args: ['lookups', '5'], cwd: tmpDir(),
          handlerBreakpoints: [{ ...P.handler('main.lookup', 'force', '1=global:io.EOF'), condition: 'key > "k2" && key < "k4"' }] }));
        await s.waitEvent('terminated', { from: m, timeout: 120000 });
        P.assertMessage(s, [/handler \d+: the condition "key > \"k2\" && key < \"k4\"" is evaluated by the debugger at each call/], 'the note');
        const lines = P.stdoutLines(s);
        assert.match(lines[2], /^lookup 3 "" "EOF" eof=true$/, lines.join('\n'));
        assert.match(lines[1], /^lookup 2 "value-k2"/, lines.join('\n'));
      } finally { await s.close(); }
    });

    test('a string compared with a literal runs in the program', T, async () => {
      const s = await startSession('stdio');
      try {
        const m = s.mark();
        await h.launch(s, h.launchArgs({ program: buildProgram('handlers', tc), args: ['lookups', '5'], cwd: tmpDir(),
          handlerBreakpoints: [{ ...P.handler('main.lookup', 'force', '1=global:io.EOF'), condition: 'key == "k3" && key != "k4"' }] }));
        await s.waitEvent('terminated', { from: m, timeout: 120000 });
        assert.ok(!P.adapterText(s).includes('evaluated by the debugger'), 'the condition ran in the program');
        const lines = P.stdoutLines(s);
        assert.match(lines[2], /^lookup 3 "" "EOF" eof=true$/, lines.join('\n'));
        assert.match(lines[1], /^lookup 2 "value-k2"/, lines.join('\n'));
        assert.match(lines[3], /^lookup 4 "value-k4"/, lines.join('\n'));
      } finally { await s.close(); }
      const s2 = await startSession('stdio');
      try {   /* 8 bytes at a time and the last 3 one by one; the empty string */
        const m = s2.mark();
        await h.launch(s2, h.launchArgs({ program: buildProgram('handlers', tc), args: ['longkeys'], cwd: tmpDir(),
          handlerBreakpoints: [{ ...P.handler('main.lookup', 'force', '1=global:io.EOF'), condition: 'key == "a-key-of-19-bytes!!" || key == ""' }] }));
        await s2.waitEvent('terminated', { from: m, timeout: 120000 });
        assert.ok(!P.adapterText(s2).includes('evaluated by the debugger'), 'the condition ran in the program');
        assert.deepEqual(P.stdoutLines(s2).map((l) => l.endsWith('eof=true')), [true, false, false, true], P.stdoutLines(s2).join('\n'));
      } finally { await s2.close(); }
    });

    test('gobp-dap run --condition', T, async () => {
      const hd = P.handler('main.tick', 'count', 'sentinel=-1');
      const argv = ['run', ...P.runFlag(hd), '--condition', COND, '--', buildProgram('handlers', tc), 'concurrent', '2', '100'];
      const r = await new Promise((resolve) => {
        const p = spawn(ADAPTER, argv, { cwd: tmpDir(), stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '', stderr = '';
        p.stdout.on('data', (d) => { stdout += d; });
        p.stderr.on('data', (d) => { stderr += d; });
        p.on('close', (code) => resolve({ code, stdout, stderr }));
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'ticks 200 total 200\n');
      assert.match(r.stderr, /count: main\.tick 20 calls, hit 21(?![\d])/);
      const bad = await new Promise((resolve) => {
        const p = spawn(ADAPTER, ['run', '--condition', 'i > 1', ...P.runFlag(hd), '--', buildProgram('handlers', tc)], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stderr = '';
        p.stderr.on('data', (d) => { stderr += d; });
        p.on('close', (code) => resolve({ code, stderr }));
      });
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--condition "i > 1" belongs after the --handler it is for/);
    });
  });
}
