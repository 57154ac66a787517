// `gobp-dap run [--handler-timeout MS] --handler FUNC=PLUGIN.so[:CONFIG]... -- PROGRAM [ARGS...]`:
// handler breakpoints without an editor. The program's stdio is inherited; gobp-dap exits with
// the program's exit code; plugin log lines and handler problems go to stderr; a GOBP_STOP
// answer is logged and treated as continue; a bad handler is an error naming it, exit code 2,
// and the program does not run. Every Go version.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { ADAPTER, IS_DELVE } from './lib/client.mjs';
import { goToolchains, buildProgram, tmpDir } from './lib/gobuild.mjs';
import * as P from './lib/plugins.mjs';

const T = { timeout: 180000, skip: IS_DELVE && '`gobp-dap run` is gobp-dap only' };
const LONG = { timeout: 600000, skip: T.skip };

/** Runs `gobp-dap run [opts] --handler ... -- program args`; resolves {code, signal, stdout, stderr}. */
function run(program, args, handlers, { opts = [], timeout = 120000, cwd = tmpDir() } = {}) {
  const argv = ['run', ...opts, ...handlers.flatMap(P.runFlag), '--', program, ...args];
  return new Promise((resolve, reject) => {
    const proc = spawn(ADAPTER, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => { stdout += d; });
    proc.stderr.on('data', (d) => { stderr += d; });
    const t = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`gobp-dap ${argv.join(' ')} still running after ${timeout} ms\nstdout: ${stdout.slice(-1000)}\nstderr: ${stderr.slice(-2000)}`));
    }, timeout);
    proc.on('error', (e) => { clearTimeout(t); reject(e); });
    proc.on('close', (code, signal) => { clearTimeout(t); resolve({ code, signal, stdout, stderr, argv }); });
  });
}

const lines = (text) => text.split('\n').filter((l) => l !== '');
function assertCode(r, code) {
  assert.equal(r.signal, null, `gobp-dap ended by a signal ${r.signal}\nstderr: ${r.stderr.slice(-2000)}`);
  assert.equal(r.code, code, `exit code of gobp-dap ${r.argv.join(' ')}\nstdout: ${r.stdout.slice(-1000)}\nstderr: ${r.stderr.slice(-2000)}`);
}
const assertErr = (r, re, what) => assert.match(r.stderr, re, `${what}: stderr matches ${re}:\n${r.stderr.slice(-3000)}`);

for (const tc of goToolchains()) {
  describe(`gobp-dap run go${tc.version}`, () => {
    const prog = () => buildProgram('handlers', tc);

    test('force-return and argument overwrite: the program prints the forced values, exit 0', T, async () => {
      const r = await run(prog(), ['shapes'], [
        P.handler('main.compute', 'force', '0=int:42', { copy: true }), // config with ':' and '=' is passed whole
        P.handler('main.lookup', 'force', '1=global:io.EOF', { copy: true }),
        P.handler('main.many', 'force', '10=int:99', { copy: true }),
        P.handler('main.point', 'force', '', { copy: true }),
        P.handler('main.greet', 'setarg', 'name=string:run mode', { copy: true }),
        P.handler('main.ratio', 'onexit', '1=bool:0', { copy: true }),
      ]);
      assertCode(r, 0);
      P.assertShapes(lines(r.stdout), {
        compute: 'compute 42',
        lookup: 'lookup "" "EOF" eof=true',
        many: 'many 0 0 0 0 0 0 0 0 0 0 99',
        point: 'point 0 0 ""',
        greet: 'greet hello, run mode',
        ratio: 'ratio 1.5 false',
      }, `stdout (stderr: ${r.stderr.slice(-1500)})`);
      assertErr(r, /force: main\.compute returns \(1 results set, 0 failed\)/, 'plugin log on stderr');
      assertErr(r, /setarg: main\.greet name was "world"/, 'plugin log on stderr');
      assertErr(r, /onexit: main\.ratio ~r1 \(bool\) = true/, 'plugin log on stderr');
      assert.doesNotMatch(r.stdout, /force:|setarg:|onexit:/, 'plugin logs are not on the program stdout');
    });

    test("the program's exit code is gobp-dap's exit code", T, async () => {
      const r = await run(prog(), ['exit', '7'], [P.handler('main.greet', 'setarg', 'name=string:seven', { copy: true })]);
      assertCode(r, 7);
      assert.equal(r.stdout, 'greet hello, seven\n');
    });

    test('GOBP_STOP without an editor is logged and treated as continue', T, async () => {
      const r = await run(prog(), ['shapes'], [P.handler('main.compute', 'stopper', 'arg=n;equals=5', { copy: true }), P.handler('main.greet', 'stopper', '', { copy: true })]);
      assertCode(r, 0);
      P.assertShapes(lines(r.stdout));
      assertErr(r, /stopper: main\.compute stops: n == 5/, 'plugin log');
      // each stop is logged: the plugin's own line for main.compute + one line per stop by gobp-dap
      const stopLines = r.stderr.split('\n').filter((l) => /stop/i.test(l));
      assert.ok(stopLines.length >= 3, `both stops (main.compute, main.greet) logged on stderr:\n${r.stderr}`);
    });

    test('example plugins: inject.so (nth=3, io.EOF) and latency.so (per-call lines, summary at unload)', T, async () => {
      const r = await run(prog(), ['lookups', '4'], [
        P.handler('main.lookup', 'inject', 'nth=3;global=io.EOF', { copy: true }),
      ]);
      assertCode(r, 0);
      assert.deepEqual(lines(r.stdout), [
        'lookup 1 "value-k1" <nil> eof=false',
        'lookup 2 "value-k2" <nil> eof=false',
        'lookup 3 "" "EOF" eof=true',
        'lookup 4 "value-k4" <nil> eof=false',
      ]);
      assertErr(r, /inject: main\.lookup call 3 returns io\.EOF/, 'inject log');
      const l = await run(prog(), ['lookups', '3'], [P.handler('main.lookup', 'latency', 'min_us=0', { copy: true })]);
      assertCode(l, 0);
      assert.equal(lines(l.stdout).length, 3);
      assert.equal((l.stderr.match(/main\.lookup took \d+ us/g) || []).length, 3, `three latency lines:\n${l.stderr}`);
      assertErr(l, /latency: main\.lookup: 3 calls, total \d+ us/, 'summary printed by gobp_plugin_fini');
    });

    for (const [what, h, re] of [
      ['unknown function', () => P.handler('main.nope', 'force', ''), /main\.nope[^\n]*not found|not found[^\n]*main\.nope/i],
      ['missing plugin', () => ({ function: 'main.compute', plugin: '/nonexistent/dir/missing.so' }), /missing\.so[^\n]*(cannot load|does not exist|no such file)/i],
      ['no gobp_on_enter', () => P.handler('main.compute', 'noenter'), /noenter[^\n]*gobp_on_enter/],
      ['wrong API version', () => P.handler('main.compute', 'badversion'), /badversion[^\n]*\b99\b/],
      ['init refuses', () => P.handler('main.compute', 'initfail', 'x'), /initfail/],
    ]) {
      test(`a bad handler (${what}): error naming it, exit 2, the program does not run`, T, async () => {
        const r = await run(prog(), ['shapes'], [P.handler('main.greet', 'force', '', { copy: true }), h()]);
        assertCode(r, 2);
        assertErr(r, re, what);
        assert.equal(r.stdout, '', 'the program did not run');
      });
    }

    test('a bad --handler argument (no "=") is a usage error, exit 2', T, async () => {
      const r = await run(prog(), ['shapes'], [], { opts: ['--handler', 'main.compute'] });
      assertCode(r, 2);
      assert.ok(r.stderr.length > 0, 'a message on stderr');
      assert.equal(r.stdout, '');
    });

    for (const [name, why] of [['crash', /SIGSEGV|segmentation|signal 11/i], ['abort', /SIGABRT|abort|signal 6/i], ['loop', /time|\d+ ?ms/i]]) {
      test(`${name}.so: the handler is disabled (stderr says why), output and exit code normal`, T, async () => {
        const r = await run(prog(), ['exit', '3'], [P.handler('main.greet', name)]);
        assertCode(r, 3);
        assert.equal(r.stdout, 'greet hello, exit\n');
        assertErr(r, /disabled/i, 'disabled');
        assertErr(r, why, 'why');
      });
    }

    test('--handler-timeout: 1.5 s plugin allowed under 5000 ms, 400 ms plugin disabled under 100 ms', T, async () => {
      const ok = await run(prog(), ['shapes'], [P.handler('main.compute', 'slow', 'ms=1500', { copy: true })], { opts: ['--handler-timeout', '5000'] });
      assertCode(ok, 0);
      P.assertShapes(lines(ok.stdout));
      assertErr(ok, /slow: main\.compute done after 1500 ms/, 'slow plugin ran to its end');
      assert.doesNotMatch(ok.stderr, /disabled/i);
      const bad = await run(prog(), ['shapes'], [P.handler('main.compute', 'slow', 'ms=400', { copy: true })], { opts: ['--handler-timeout', '100'] });
      assertCode(bad, 0);
      P.assertShapes(lines(bad.stdout));
      assertErr(bad, /disabled/i, 'disabled after 100 ms');
    });

    test('recursion 2000 deep (morestack): one plugin call per Go call; gobp_plugin_fini runs before exit', T, async () => {
      const dir = fs.mkdtempSync(path.join(tmpDir(), 'count-'));
      const out = { depth: path.join(dir, 'depth.txt'), bigdepth: path.join(dir, 'bigdepth.txt') };
      const r = await run(prog(), ['recursion', '2000'], [
        P.handler('main.depth', 'count', `sentinel=-1;out=${out.depth}`, { copy: true }),
        P.handler('main.bigdepth', 'count', `sentinel=-1;out=${out.bigdepth}`, { copy: true }),
      ], { timeout: 150000 });
      assertCode(r, 0);
      assert.deepEqual(lines(r.stdout), ['depth 2000', 'bigdepth 2000']);
      assertErr(r, /count: main\.depth 2001 calls, hit 2002(?!\d)/, 'depth count');
      assertErr(r, /count: main\.bigdepth 2001 calls, hit 2002(?!\d)/, 'bigdepth count');
      for (const [fn, file] of Object.entries(out)) {
        assert.ok(fs.existsSync(file), `gobp_plugin_fini of the main.${fn} handler wrote ${file} before gobp-dap exited`);
        assert.match(fs.readFileSync(file, 'utf8'), new RegExp(`^main\\.${fn} 2001$`, 'm'));
      }
    });

    test('8 goroutines × 125 000 calls: exactly 1 000 000 plugin calls', LONG, async () => {
      const r = await run(prog(), ['concurrent', '8', '125000'], [P.handler('main.tick', 'count', 'sentinel=-1')], { timeout: 540000 });
      assertCode(r, 0);
      assert.equal(r.stdout, 'ticks 1000000 total 1000000\n');
      assertErr(r, /count: main\.tick 1000000 calls, hit 1000001(?!\d)/, 'plugin count');
    });

    test('40 arguments and 34 results (tests/programs/manyfuncs): every one read and forced at its place', T, async () => {
      const wide = buildProgram('manyfuncs', tc);
      const dump = await run(wide, [], [P.handler('main.Wide', 'dump', '')]);
      assertCode(dump, 0);
      assertErr(dump, /dump: main\.Wide pkg=main goroutine=1 hit=1 args=40 results=34/, 'every argument and result counted');
      for (const i of [0, 8, 9, 31, 32, 39]) {
        const name = `a${String(i).padStart(2, '0')}`;
        assertErr(dump, new RegExp(`dump: arg ${i} ${name} \\(int\\) = ${i}\n`), `argument ${name}`);
      }
      const forced = await run(wide, [], [P.handler('main.Wide', 'force', '0=int:5;33=int:7')]);
      assertCode(forced, 0);
      assert.equal(lines(forced.stdout).pop(), 'wide 12', 'results 0 and 33 forced, the other 32 zero');
    });
  });
}
