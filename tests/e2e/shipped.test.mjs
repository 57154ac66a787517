// Programs as they are really built and shipped, on every Go: cgo (dynamically linked; C calling
// back into Go from the goroutine that called C and from threads C created; C frames in stacks;
// stepping out of a callback), -race, -trimpath with substitutePath (launch and attach), and
// stripped binaries (the launch fails with a message that says why and how to rebuild).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, execFileSync } from 'node:child_process';
import { startSession } from './lib/client.mjs';
import { goToolchains, buildProgram, PROGRAMS } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';

const T = { timeout: 180000 };

const CGO_SRC = h.srcPath('cgo');
const C_SRC = h.srcPath('cgo', 'cside.c');
const IN_CALLBACK = h.lineOf('cgo', '// in callback');
const CALLBACK_RETURNS = h.lineOf('cgo', '// callback returns');
const GO_CALLS_C = h.lineOf('cgo', '// Go calls C');
const THREADS_CALL = h.lineOf('cgo', '// C threads call Go');
const C_INNER = h.lineOf('cgo', '/* C calls Go */', 'cside.c');
const C_OUTER = h.lineOf('cgo', '/* C calls C */', 'cside.c');
const CALL_FROM_C = h.lineOf('cgo', 'return c_outer(n) + 1;', 'cside.c');
const THREAD_MAIN = h.lineOf('cgo', '/* thread_main calls */', 'cside.c');

const VALUES_DIR = path.join(PROGRAMS, 'values');
const VALUES_SRC = h.srcPath('values');
const HALF = h.lineOf('values', 'half := n / 2');
const DECIDE_CALL = h.lineOf('values', 'decide(i, "x")');

/** The PT_INTERP of an ELF64 executable (the dynamic loader that runs first), or null. */
function elfInterpreter(file) {
  const b = fs.readFileSync(file);
  const phoff = Number(b.readBigUInt64LE(0x20)), phentsize = b.readUInt16LE(0x36), phnum = b.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (b.readUInt32LE(ph) !== 3) continue; // PT_INTERP
    const off = Number(b.readBigUInt64LE(ph + 8)), size = Number(b.readBigUInt64LE(ph + 32));
    return b.subarray(off, off + size).toString('latin1').replace(/\0+$/, '');
  }
  return null;
}

const names = (frames) => frames.map((f) => f.name);
const goroot = (tc) => execFileSync(tc.goBin, ['env', 'GOROOT'], { encoding: 'utf8', env: { ...process.env, GOTOOLCHAIN: 'local' } }).trim();

/** Every frame is well formed: a name, a hint when there is no source, no address-only names
 *  except code outside the executable (a shared library: "libc.so.6+0x..."). */
function checkFrames(frames) {
  for (const f of frames) {
    assert.ok(f.name && !/^0x/.test(f.name), `frame named by its function or library: ${JSON.stringify(f)}`);
    if (!f.source) assert.equal(f.presentationHint, 'subtle', `a frame without source is subtle: ${JSON.stringify(f)}`);
  }
}

for (const tc of goToolchains()) {
  describe(`cgo go${tc.version}`, { concurrency: false }, () => {
    let s, stop, bps, program;
    before(async () => {
      program = buildProgram('cgo', tc, { cgo: true });
      s = await startSession('stdio');
      const m = s.mark();
      ({ bps } = await h.launch(s, h.launchArgs({ program }), { breakpoints: { [CGO_SRC]: [{ line: IN_CALLBACK }] } }));
      stop = await h.waitStopped(s, m, 'breakpoint', 60000);
    }, T);
    after(async () => { if (s) await s.close(); });

    test('dynamically linked: ld.so runs first, then the breakpoint in the callback is hit on the main goroutine', T, async () => {
      assert.match(elfInterpreter(program) || '', /ld-linux-x86-64\.so\.2$/, 'the cgo build has an ELF interpreter');
      const b = bps[CGO_SRC].breakpoints[0];
      assert.equal(b.verified, true, JSON.stringify(b));
      assert.equal(b.line, IN_CALLBACK);
      assert.equal(stop.body.threadId, 1, 'goroutine 1 (main) called C, which called back');
      const th = (await s.ok('threads')).threads;
      assert.match(th.find((t) => t.id === 1).name, /^\[Go 1\] main\.goCallback/);
    });

    test('stack of the callback: the Go callback, the runtime cgo frames, the C frames (gcc DWARF), the Go caller', T, async () => {
      const st = await s.ok('stackTrace', { threadId: 1, startFrame: 0, levels: 100 });
      const fr = st.stackFrames, n = names(fr);
      checkFrames(fr);
      assert.equal(st.totalFrames, fr.length, 'totalFrames');
      assert.equal(n[0], 'main.goCallback');
      assert.equal(fr[0].line, IN_CALLBACK);
      assert.equal(fr[0].source.path, CGO_SRC);
      const at = (name) => { const i = n.indexOf(name); assert.ok(i > 0, `${name} in ${n.join(' < ')}`); return i; };
      const cb = n.findIndex((x) => /^runtime\.cgocallback(\.abi0)?$/.test(x));
      const inner = at('c_inner'), outer = at('c_outer'), callFromC = at('call_from_c'), main = at('main.main');
      assert.ok(cb > 0 && cb < inner && inner < outer && outer < callFromC && callFromC < main, `order: ${n.join(' < ')}`);
      for (const [i, line] of [[inner, C_INNER], [outer, C_OUTER], [callFromC, CALL_FROM_C]]) {
        assert.equal(fr[i].source?.path, C_SRC, `${n[i]} has its C source: ${JSON.stringify(fr[i])}`);
        assert.equal(fr[i].line, line, `${n[i]} line`);
      }
      assert.ok(n.slice(callFromC, main).some((x) => /^runtime\.cgocall$/.test(x)), `runtime.cgocall between C and main.main: ${n.join(' < ')}`);
      assert.equal(fr[main].line, GO_CALLS_C);
      assert.equal(fr[main].source.path, CGO_SRC);
      assert.match(n[n.length - 1], /^runtime\.goexit/, 'the walk ends at goexit');
      // paging through the C part gives the same frames
      const page = await s.ok('stackTrace', { threadId: 1, startFrame: inner, levels: 3 });
      assert.deepEqual(names(page.stackFrames), ['c_inner', 'c_outer', 'call_from_c']);
    });

    test('scopes of a C frame: arguments and locals answer, no Go package globals', T, async () => {
      const fr = (await s.ok('stackTrace', { threadId: 1, startFrame: 0, levels: 100 })).stackFrames;
      const c = fr.find((f) => f.name === 'c_outer');
      const sc = await h.scopes(s, c.id);
      assert.ok(!sc.some((x) => x.name.startsWith('Globals')), `no Globals scope for C: ${sc.map((x) => x.name)}`);
      for (const x of sc) await s.ok('variables', { variablesReference: x.variablesReference });
    });

    test('next in the callback, next out of it: back in main.main where Go called C', T, async () => {
      let m = s.mark();
      await s.ok('next', { threadId: 1 });
      await h.waitStopped(s, m, 'step', 60000);
      let f = await h.topFrame(s, 1);
      assert.equal(f.name, 'main.goCallback');
      assert.equal(f.line, CALLBACK_RETURNS);
      m = s.mark();
      await s.ok('next', { threadId: 1 });
      await h.waitStopped(s, m, 'step', 60000);
      f = await h.topFrame(s, 1);
      assert.equal(f.name, 'main.main', 'the step leaves the cgo wrappers and C behind');
      assert.equal(f.line, GO_CALLS_C);
      m = s.mark();
      await s.ok('next', { threadId: 1 });
      await h.waitStopped(s, m, 'step', 60000);
      f = await h.topFrame(s, 1);
      assert.equal(f.line, GO_CALLS_C + 1);
      assert.match(s.output('stdout'), /callback 2 20\n/);
    });

    test('a callback on a thread C created: listed as a goroutine, its stack ends in the C thread', T, async () => {
      const ev = await h.continueToStop(s, 1, 'breakpoint', 60000);
      const id = ev.body.threadId;
      assert.notEqual(id, 1, 'not the main goroutine');
      const th = (await s.ok('threads')).threads;
      assert.equal(new Set(th.map((t) => t.id)).size, th.length, 'thread ids are unique');
      assert.match(th.find((t) => t.id === id)?.name || '', /^\[Go \d+\] main\.goCallback/, JSON.stringify(th));
      assert.ok(th.some((t) => t.id === 1), 'the main goroutine (in C, waiting for the threads) is listed');
      const fr = (await s.ok('stackTrace', { threadId: id, startFrame: 0, levels: 100 })).stackFrames, n = names(fr);
      checkFrames(fr);
      assert.equal(n[0], 'main.goCallback');
      const tm = n.indexOf('thread_main');
      assert.ok(tm > n.indexOf('c_outer') && n.indexOf('c_outer') > n.indexOf('c_inner') && n.indexOf('c_inner') > 0, n.join(' < '));
      assert.equal(fr[tm].source?.path, C_SRC);
      assert.equal(fr[tm].line, THREAD_MAIN);
      assert.ok(n.length - tm <= 2, `at most libc's frame after thread_main: ${n.join(' < ')}`);
      assert.ok(!n.includes('main.main') && !n.some((x) => x.startsWith('runtime.goexit')), `no Go caller: ${n.join(' < ')}`);
      // the main goroutine sits in C (pthread_join) under main.main
      const mf = (await s.ok('stackTrace', { threadId: 1, startFrame: 0, levels: 100 })).stackFrames;
      checkFrames(mf);
      const mm = mf.find((f) => f.name === 'main.main');
      assert.ok(mm, `main.main in ${names(mf).join(' < ')}`);
      assert.equal(mm.line, THREADS_CALL);
      assert.ok(names(mf).includes('runtime.cgocall'), names(mf).join(' < '));
    });

    test('clear the breakpoint and run to the end', T, async () => {
      await s.ok('setBreakpoints', { source: { path: CGO_SRC }, breakpoints: [], lines: [] });
      await h.runToEnd(s, 1, 0, 60000);
      assert.match(s.output('stdout'), /call_from_c 23\n[^]*threads 3\ntotal 26\n/);
    });
  });

  describe(`-race go${tc.version}`, { concurrency: false }, () => {
    let s, stop;
    before(async () => {
      const program = buildProgram('values', tc, { race: true });
      s = await startSession('stdio');
      const m = s.mark();
      await h.launch(s, h.launchArgs({ program }), { breakpoints: { [VALUES_SRC]: [{ line: HALF }] } });
      stop = await h.waitStopped(s, m, 'breakpoint', 120000);
    }, T);
    after(async () => { if (s) await s.close(); });

    test('breakpoint, stack and variables in a race-detector build', T, async () => {
      const st = await s.ok('stackTrace', { threadId: stop.body.threadId, startFrame: 0, levels: 20 });
      checkFrames(st.stackFrames);
      assert.equal(st.stackFrames[0].name, 'main.decide');
      assert.equal(st.stackFrames[0].line, HALF);
      assert.equal(st.stackFrames[1].name, 'main.main');
      assert.equal(st.stackFrames[1].line, DECIDE_CALL);
      const A = h.byName(await h.vars(s, h.scopeNamed(await h.scopes(s, st.stackFrames[0].id), 'Arguments').variablesReference));
      assert.equal(A.n.value, '0');
      assert.equal(A.label.value, '"x"');
      const e = await s.ok('evaluate', { expression: 'n + 40', frameId: st.stackFrames[0].id, context: 'watch' });
      assert.equal(e.result, '40');
    });

    test('continue to the next hit, then to the end', T, async () => {
      const ev = await h.continueToStop(s, stop.body.threadId, 'breakpoint', 60000);
      const f0 = await h.topFrame(s, ev.body.threadId);
      const A = h.byName(await h.vars(s, h.scopeNamed(await h.scopes(s, f0.id), 'Arguments').variablesReference));
      assert.equal(A.n.value, '1');
      await s.ok('setBreakpoints', { source: { path: VALUES_SRC }, breakpoints: [], lines: [] });
      await h.runToEnd(s, ev.body.threadId, 3, 120000);
      assert.match(s.output('stdout'), /done 3 hello\n/);
    });
  });

  describe(`-trimpath and substitutePath go${tc.version}`, { concurrency: false }, () => {
    let program, GOSRC;
    before(() => {
      program = buildProgram('values', tc, { trimpath: true });
      GOSRC = path.join(goroot(tc), 'src');
    });
    const RULES = () => [{ from: VALUES_DIR, to: 'example.com/values' }, { from: GOSRC, to: '' }];

    test('without substitutePath the breakpoint is unverified and the message gives the rule', T, async () => {
      const s = await startSession('stdio');
      try {
        const m = s.mark();
        const { bps } = await h.launch(s, h.launchArgs({ program }), { breakpoints: { [VALUES_SRC]: [{ line: HALF }] } });
        const b = bps[VALUES_SRC].breakpoints[0];
        assert.equal(b.verified, false);
        assert.match(b.message, /example\.com\/values\/main\.go/, b.message);
        assert.ok(b.message.includes(`substitutePath: [{"from": "${VALUES_DIR}", "to": "example.com/values"}]`), b.message);
        await s.waitEvent('terminated', { from: m, timeout: 60000 });
        assert.equal(s.events.slice(m).find((e) => e.event === 'exited')?.body.exitCode, 3);
      } finally { await s.close(); }
    });

    test('launch with substitutePath: breakpoints map editor -> binary, stacks binary -> editor', T, async () => {
      const s = await startSession('stdio');
      try {
        const m = s.mark();
        const { bps } = await h.launch(s, h.launchArgs({ program, substitutePath: RULES() }), { breakpoints: { [VALUES_SRC]: [{ line: HALF }] } });
        const b = bps[VALUES_SRC].breakpoints[0];
        assert.equal(b.verified, true, JSON.stringify(b));
        assert.equal(b.line, HALF);
        assert.equal(b.source.path, VALUES_SRC, 'the breakpoint is reported at the editor path');
        const ev = await h.waitStopped(s, m, 'breakpoint', 60000);
        const fr = (await s.ok('stackTrace', { threadId: ev.body.threadId, startFrame: 0, levels: 20 })).stackFrames;
        assert.equal(fr[0].name, 'main.decide');
        assert.equal(fr[0].source.path, VALUES_SRC);
        assert.equal(fr[0].source.name, 'main.go');
        assert.equal(fr[1].source.path, VALUES_SRC);
        const rt = fr.find((f) => f.name === 'runtime.main');
        assert.equal(rt.source.path, path.join(GOSRC, 'runtime/proc.go'), 'GOROOT files through the {"to": ""} rule');
        assert.ok(fs.existsSync(rt.source.path));
        const d = await s.ok('disassemble', { memoryReference: fr[0].instructionPointerReference, instructionCount: 4 });
        const loc = d.instructions.find((i) => i.location);
        assert.equal(loc?.location.path, VALUES_SRC, 'disassembly sources are mapped too');
        await s.ok('setBreakpoints', { source: { path: VALUES_SRC }, breakpoints: [], lines: [] });
        await h.runToEnd(s, ev.body.threadId, 3, 60000);
      } finally { await s.close(); }
    });

    test('attach with substitutePath', T, async () => {
      const sleeper = buildProgram('sleeper', tc, { trimpath: true });
      const SLEEPER_SRC = h.srcPath('sleeper'), TICK = h.lineOf('sleeper', 'return i + 1');
      const proc = spawn(sleeper, ['60'], { stdio: ['ignore', 'pipe', 'ignore'] });
      const s = await startSession('stdio');
      try {
        await new Promise((resolve) => proc.stdout.once('data', resolve)); // "started PID": the runtime is up
        await h.initialize(s);
        const args = { name: 'e2e', type: 'go', request: 'attach', mode: 'local', processId: proc.pid,
          substitutePath: [{ from: path.join(PROGRAMS, 'sleeper'), to: 'example.com/sleeper' }] };
        const m = s.mark();
        await s.ok('attach', args, 60000);
        await s.waitEvent('initialized', { from: m, timeout: 60000 });
        const bp = await s.ok('setBreakpoints', { source: { path: SLEEPER_SRC }, breakpoints: [{ line: TICK }], lines: [TICK] });
        assert.equal(bp.breakpoints[0].verified, true, JSON.stringify(bp));
        assert.equal(bp.breakpoints[0].source.path, SLEEPER_SRC);
        await s.ok('configurationDone');
        const ev = await h.waitStopped(s, m, 'breakpoint', 60000);
        const f = await h.topFrame(s, ev.body.threadId);
        assert.equal(f.name, 'main.tick');
        assert.equal(f.source.path, SLEEPER_SRC);
        await s.ok('disconnect', { terminateDebuggee: true }, 30000);
      } finally {
        await s.close();
        try { proc.kill('SIGKILL'); } catch { /* gone */ }
      }
    });
  });

  describe(`stripped binaries go${tc.version}`, { concurrency: false }, () => {
    /** launch fails: the message names the binary, says it has no DWARF and how to rebuild. */
    async function expectNoDwarf(program, re) {
      const s = await startSession('stdio');
      try {
        await h.initialize(s);
        const r = await s.fail('launch', h.launchArgs({ program }), 120000);
        const text = h.errorText(r);
        assert.ok(text.includes(program), `the message names the binary: ${text}`);
        assert.match(text, /no DWARF debug information/, text);
        assert.match(text, /rebuild without -s and -w in -ldflags/, text);
        assert.match(text, re, text);
        await s.req('disconnect', {}, 10000);
        s.assertValid();
      } finally { await s.close(); }
    }
    test('-ldflags="-s -w": no symbols, no DWARF', T, () => expectNoDwarf(buildProgram('values', tc, { ldflags: '-s -w' }), /-ldflags=-s, or stripped/));
    test('-ldflags=-w: symbols but no DWARF', T, () => expectNoDwarf(buildProgram('values', tc, { ldflags: '-w' }), /built with -ldflags=-w/));
    // up to Go 1.24 the external linker keeps gcc's DWARF of the C code; Go 1.25 drops it too
    test('cgo with -ldflags=-w: no DWARF for the Go code', T, () =>
      expectNoDwarf(buildProgram('cgo', tc, { cgo: true, ldflags: '-w' }), /for its Go code, only for its C code|built with -ldflags=-w/));
  });
}

describe('substitutePath errors', () => {
  test('a malformed substitutePath fails the launch with a message', T, async () => {
    const s = await startSession('stdio');
    try {
      await h.initialize(s);
      const program = buildProgram('values', goToolchains()[0]);
      const r = await s.fail('launch', h.launchArgs({ program, substitutePath: [{ from: '/a' }] }), 60000);
      assert.match(h.errorText(r), /substitutePath\[0\].*"from".*"to"/);
      const r2 = await s.fail('launch', h.launchArgs({ program, substitutePath: 'x' }), 60000);
      assert.match(h.errorText(r2), /substitutePath" must be an array/);
    } finally { await s.close(); }
  });
});
