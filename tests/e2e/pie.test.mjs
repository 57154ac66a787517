// Position-independent executables (go build -buildmode=pie: ET_DYN, linked at 0x400000, run at
// a base of the kernel's choosing) on every Go: a representative part of the suites on PIE builds.
// Launch (ASLR disabled, the default, and enabled) with line and function breakpoints, stacks,
// locals with interface dynamic types, globals, evaluate, disassemble, next/stepIn/stepOut;
// handler breakpoints forcing returns (io.EOF, a new error); tracing (CLI and the launch
// attribute); attach to a randomized running process. Programs: values, handlers, tracing, sleeper.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { startSession, IS_DELVE } from './lib/client.mjs';
import { goToolchains, buildProgram, tmpDir } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';
import * as P from './lib/plugins.mjs';
import * as T from './lib/trace.mjs';

const PIE = { buildmode: 'pie' };
const OPT = { timeout: 180000, skip: IS_DELVE && 'the PIE suite checks gobp-dap only' };
const SRC = h.srcPath('values');
const BREAK = h.lineOf('values', '// BREAK values');
const HALF = h.lineOf('values', 'half := n / 2');
const INC_CALL = h.lineOf('values', 'c.Inc(i)');
const DECIDE_CALL = h.lineOf('values', 'decide(i, "x")');
const VALUES_CALL = h.lineOf('values', '\tvalues()');
const LINK_BASE = 0x400000;

/** The ELF type of a file (e_type: 2 = EXEC, 3 = DYN). */
function elfType(file) {
  const b = Buffer.alloc(18);
  const fd = fs.openSync(file, 'r');
  try { fs.readSync(fd, b, 0, 18, 0); } finally { fs.closeSync(fd); }
  return b.readUInt16LE(16);
}

/** Start of the lowest mapping of exe in process pid (the load base of a PIE). */
function loadBase(pid, exe) {
  const real = fs.realpathSync(exe);
  const starts = fs.readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n')
    .filter((l) => l.endsWith(real)).map((l) => parseInt(l.split('-')[0], 16));
  assert.ok(starts.length > 0, `${real} mapped in process ${pid}`);
  return Math.min(...starts);
}

/** The process runs with ADDR_NO_RANDOMIZE in its personality (launch attribute disableASLR). */
function randomizationOff(pid) {
  return (parseInt(fs.readFileSync(`/proc/${pid}/personality`, 'utf8'), 16) & 0x0040000) !== 0;
}

async function step(s, kind, threadId) {
  const m = s.mark();
  await s.ok(kind, { threadId });
  const ev = await h.waitStopped(s, m, 'step', 60000);
  assert.equal(ev.body.threadId, threadId, `${kind} stays on goroutine ${threadId}`);
  const f = await h.topFrame(s, threadId);
  return { name: f.name, line: f.line };
}

for (const tc of goToolchains()) {
  describe(`PIE values go${tc.version}`, { concurrency: false }, () => {
    let s, stop, bps, fbps, program, pid;
    before(async () => {
      if (IS_DELVE) return;
      program = buildProgram('values', tc, PIE);
      assert.equal(elfType(program), 3, `${program} is ET_DYN`);
      s = await startSession('stdio');
      const m = s.mark();
      ({ bps, fbps } = await h.launch(s, h.launchArgs({ program }), {
        breakpoints: { [SRC]: [{ line: BREAK }] }, functionBreakpoints: [{ name: 'main.(*Counter).Inc' }],
      }));
      stop = await h.waitStopped(s, m, 'breakpoint', 60000);
      pid = s.events.find((e) => e.event === 'process')?.body.systemProcessId;
    }, OPT);
    after(async () => { if (s) await s.close(); });

    test('line and function breakpoints verified; stopped at BREAK with the PIE loaded away from its link address', OPT, async () => {
      assert.equal(bps[SRC].breakpoints[0].verified, true, JSON.stringify(bps[SRC].breakpoints[0]));
      assert.equal(bps[SRC].breakpoints[0].line, BREAK);
      assert.equal(fbps.breakpoints[0].verified, true, JSON.stringify(fbps.breakpoints[0]));
      const st = await s.ok('stackTrace', { threadId: stop.body.threadId, startFrame: 0, levels: 20 });
      const [f0, f1] = st.stackFrames;
      assert.deepEqual([f0.name, f0.line, f0.source.path], ['main.values', BREAK, SRC]);
      assert.deepEqual([f1.name, f1.line], ['main.main', VALUES_CALL]);
      const pc = Number(f0.instructionPointerReference);
      assert.ok(pc > 0x100000000, `pc ${f0.instructionPointerReference} is a runtime address, not a link-time one`);
      if (pid) {
        assert.ok(randomizationOff(pid), 'disableASLR defaults to true: ADDR_NO_RANDOMIZE');
        const base = loadBase(pid, program);
        assert.notEqual(base, LINK_BASE, 'the kernel chose the base');
        assert.ok(pc > base && pc < base + 0x10000000, `pc ${pc.toString(16)} in the binary mapped at ${base.toString(16)}`);
      }
    });

    test('locals: interfaces with their dynamic types, pointers, maps; globals; evaluate', OPT, async () => {
      const f0 = await h.topFrame(s, stop.body.threadId);
      const L = await h.varMap(s, f0.id);
      assert.ok(`${L.sh.type} ${L.sh.value}`.includes('main.Circle'), `sh dynamic type: ${L.sh.type} ${L.sh.value}`);
      assert.match(L.err.type + L.err.value, /errors\.errorString/, `err dynamic type: ${L.err.type} ${L.err.value}`);
      assert.match(L.err.value, /boom/);
      assert.match(L.any.value, /\b42\b/);
      assert.match(L.pp.value, /Ann/);
      assert.equal(h.byName(await h.children(s, L.pp)).Name.value, '"Ann"');
      assert.equal(h.real(await h.children(s, L.m)).length, 3, 'map m has 3 entries');
      assert.match(L.ptr.value, /7/, 'ptr points at the global counter');
      const G = {};
      for (const v of await h.vars(s, h.scopeNamed(await h.scopes(s, f0.id), 'Globals').variablesReference)) G[v.name.replace(/^main\./, '')] = v;
      assert.equal(G.counter?.value, '7', 'global counter');
      assert.equal(G.greeting?.value, '"hello"', 'global greeting');
      const ev = async (expression) => {
        const r = await s.req('evaluate', { expression, frameId: f0.id, context: 'watch' });
        assert.ok(r.success, `evaluate ${expression}: ${h.errorText(r)}`);
        return r.body.result;
      };
      assert.equal(await ev('pp.Home.City'), '"Oslo"');
      assert.equal(await ev('main.counter'), '7');
      assert.equal(await ev('counter + 1'), '8');
      assert.match(await ev('io.EOF'), /EOF/);
      assert.match(await ev('sh'), /main\.Circle/);
    });

    test('disassemble around the pc: the function, its symbol and source lines', OPT, async () => {
      const f0 = await h.topFrame(s, stop.body.threadId);
      const pc = BigInt(f0.instructionPointerReference);
      const r = await s.ok('disassemble', { memoryReference: f0.instructionPointerReference, instructionOffset: -5, instructionCount: 10 });
      assert.equal(r.instructions.length, 10);
      const at = r.instructions.findIndex((i) => BigInt(i.address) === pc);
      assert.equal(at, 5, `the pc is the 6th instruction: ${JSON.stringify(r.instructions.map((i) => i.address))}`);
      assert.equal(r.instructions[at].line, BREAK);
      assert.equal(r.instructions[at].location?.path, SRC);
      assert.doesNotMatch(r.instructions[at].instruction, /int3|\?\?/);
      const whole = await s.ok('disassemble', { memoryReference: f0.instructionPointerReference, instructionOffset: -400, instructionCount: 400 });
      assert.ok(whole.instructions.some((i) => i.symbol === 'main.values'), 'the first instruction of main.values carries its symbol');
    });

    test('function breakpoint, stepOut, next, stepIn, next', OPT, async () => {
      const m = s.mark();
      await s.ok('continue', { threadId: stop.body.threadId });
      stop = await h.waitStopped(s, m, null, 60000);
      assert.ok(['function breakpoint', 'breakpoint'].includes(stop.body.reason), JSON.stringify(stop.body));
      let f0 = await h.topFrame(s, stop.body.threadId);
      assert.equal(f0.name, 'main.(*Counter).Inc');
      const A = await h.varMap(s, f0.id, 'Arguments');
      assert.equal(A.by.value, '0', 'first call: by = 0');
      await s.ok('setFunctionBreakpoints', { breakpoints: [] });
      const g = stop.body.threadId;
      let at = await step(s, 'stepOut', g);
      assert.equal(at.name, 'main.main');
      if (at.line === INC_CALL) at = await step(s, 'next', g);
      assert.deepEqual(at, { name: 'main.main', line: DECIDE_CALL });
      at = await step(s, 'stepIn', g);
      assert.equal(at.name, 'main.decide');
      assert.ok(at.line === HALF - 1 || at.line === HALF, `decide entered at ${at.line}`);
      if (at.line === HALF - 1) at = await step(s, 'next', g);
      assert.equal(at.line, HALF);
      assert.deepEqual(await step(s, 'next', g), { name: 'main.decide', line: HALF + 1 });
      f0 = await h.topFrame(s, g);
      assert.equal((await h.varMap(s, f0.id)).half.value, '0');
    });

    test('clear breakpoints, run to the end: exited 3', OPT, async () => {
      await s.ok('setBreakpoints', { source: { path: SRC }, breakpoints: [], lines: [] });
      await h.runToEnd(s, stop.body.threadId, 3);
      assert.match(s.output('stdout'), /done 3 hello\n/);
    });
  });

  describe(`PIE handlers and tracing go${tc.version}`, () => {
    test('handler breakpoints force returns (io.EOF, a new error in an interface{}), ASLR on', OPT, async () => {
      const program = buildProgram('handlers', tc, PIE);
      const s = await startSession('stdio');
      try {
        const m = s.mark();
        await h.launch(s, h.launchArgs({ program, args: ['shapes'], cwd: tmpDir(), disableASLR: false, handlerBreakpoints: [
          P.handler('main.read', 'force', '0=int:3;1=global:io.EOF', { copy: true }),
          P.handler('main.iface', 'force', '0=error:made up', { copy: true }), // interface{}: *errors.errorString's runtime type
          P.handler('main.compute', 'force', '0=int:42', { copy: true }),
        ] }));
        await s.waitEvent('terminated', { from: m, timeout: 90000 });
        const exited = s.events.slice(m).find((e) => e.event === 'exited');
        assert.equal(exited?.body.exitCode, 0, `exit code; adapter output:\n${P.adapterText(s).slice(-2000)}`);
        P.assertShapes(P.stdoutLines(s), {
          compute: 'compute 42',
          iface: 'iface made up nil=false',
          read: 'read 3 "EOF" eof=true',
        });
      } finally { await s.close(); }
    });

    test('gobp-dap trace CLI (ASLR on): arguments, results and error dynamic types', OPT, async () => {
      const program = buildProgram('tracing', tc, PIE);
      const file = T.tmpFile('jsonl');
      const r = await T.runTrace(['--format', 'jsonl', '-o', file, 'main\\.(handle|find|query)$', '--', program, 'chain']);
      T.assertCode(r, 0);
      assert.equal(r.stdout, 'handle(123) = user7\nhandle(5) = error: no rows\n');
      const recs = T.readJsonl(file);
      T.checkForest(recs);
      assert.equal(recs.length, 6);
      const q5 = recs.find((x) => x.function === 'main.query' && x.args.args.endsWith('[5]'));
      assert.deepEqual(q5.results, { '~r0': '0', '~r1': 'error(*errors.errorString) *{s: "no rows"}' });
      const f123 = recs.find((x) => x.function === 'main.find' && x.args.id === '123');
      assert.deepEqual(f123.results, { '~r0': '*main.User {ID: 123, Name: "user7"}', '~r1': 'error nil' });
    });

    test('launch attribute trace', OPT, async () => {
      const program = buildProgram('tracing', tc, PIE);
      const s = await startSession('stdio');
      try {
        await h.launch(s, h.launchArgs({ program, args: ['chain'], trace: { functions: ['main\\.query$'] } }));
        await s.waitEvent('terminated', { timeout: 60000 });
        const recs = s.events.filter((e) => e.event === 'gobpTrace').map((e) => e.body);
        assert.equal(recs.length, 2, `two query calls traced: ${JSON.stringify(recs)}`);
        assert.ok(recs.some((b) => b.results['~r1'] === 'error(*errors.errorString) *{s: "no rows"}'), JSON.stringify(recs));
      } finally { await s.close(); }
    });
  });

  describe(`PIE entry and ASLR go${tc.version}`, () => {
    test('disableASLR false, stopOnEntry: the stop is in the dynamic loader; a breakpoint set there hits in the binary', OPT, async () => {
      const program = buildProgram('sleeper', tc, PIE);
      const line = h.lineOf('sleeper', 'return i + 1');
      const src = h.srcPath('sleeper');
      const s = await startSession('stdio');
      try {
        const m = s.mark();
        const { bps } = await h.launch(s, h.launchArgs({ program, args: ['30'], stopOnEntry: true, disableASLR: false }),
          { breakpoints: { [src]: [{ line }] } });
        assert.equal(bps[src].breakpoints[0].verified, true, JSON.stringify(bps[src].breakpoints[0]));
        const entry = await h.waitStopped(s, m, 'entry', 60000);
        const pid = s.events.find((e) => e.event === 'process').body.systemProcessId;
        assert.equal(randomizationOff(pid), false, 'disableASLR: false keeps randomization');
        const base = loadBase(pid, program);
        const st = await s.ok('stackTrace', { threadId: entry.body.threadId, startFrame: 0, levels: 5 });
        assert.ok(st.stackFrames.length >= 1);
        const entryPc = Number(st.stackFrames[0].instructionPointerReference);
        assert.ok(!(entryPc >= base && entryPc < base + 0x10000000), `the first instruction (${entryPc.toString(16)}) is the loader's, not the binary's (at ${base.toString(16)})`);
        const hit = await h.continueToStop(s, entry.body.threadId, 'breakpoint', 60000);
        const f0 = await h.topFrame(s, hit.body.threadId);
        assert.deepEqual([f0.name, f0.line], ['main.tick', line]);
        const pc = Number(f0.instructionPointerReference);
        assert.ok(pc > base && pc < base + 0x10000000, `pc ${pc.toString(16)} in the binary mapped at ${base.toString(16)}`);
      } finally { await s.close(); }
    });
  });

  describe(`PIE attach go${tc.version}`, () => {
    test('attach to a running PIE process with ASLR on: breakpoint, stack, arguments, detach', OPT, async () => {
      const program = buildProgram('sleeper', tc, PIE);
      const p = spawn(program, ['60'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d) => { out += d; });
      const s = await startSession('stdio');
      try {
        await h.eventually(() => out.includes('started'), 10000, 'sleeper started');
        const base = loadBase(p.pid, program);
        assert.notEqual(base, LINK_BASE);
        await h.initialize(s);
        const m = s.mark();
        const ar = s.req('attach', { name: 'e2e', type: 'go', request: 'attach', mode: 'local', processId: p.pid }, 60000);
        await s.waitEvent('initialized', { timeout: 60000 });
        const line = h.lineOf('sleeper', 'return i + 1');
        const src = h.srcPath('sleeper');
        const b = await s.ok('setBreakpoints', { source: { path: src }, breakpoints: [{ line }], lines: [line] });
        assert.equal(b.breakpoints[0].verified, true, JSON.stringify(b.breakpoints[0]));
        await s.ok('configurationDone');
        const r = await ar;
        assert.ok(r.success, h.errorText(r));
        const ev = await h.waitStopped(s, m, 'breakpoint', 60000);
        const st = await s.ok('stackTrace', { threadId: ev.body.threadId, startFrame: 0, levels: 5 });
        assert.deepEqual([st.stackFrames[0].name, st.stackFrames[0].line, st.stackFrames[0].source.path], ['main.tick', line, src]);
        assert.equal(st.stackFrames[1].name, 'main.main');
        const pc = Number(st.stackFrames[0].instructionPointerReference);
        assert.ok(pc > base && pc < base + 0x10000000, `pc ${pc.toString(16)} in the binary mapped at ${base.toString(16)}`);
        const A = await h.varMap(s, st.stackFrames[0].id, 'Arguments');
        assert.match(A.i.value, /^\d+$/);
        await s.ok('setBreakpoints', { source: { path: src }, breakpoints: [], lines: [] });
        await s.ok('disconnect', { terminateDebuggee: false });
        await h.eventually(() => !/^TracerPid:\s+[1-9]/m.test(fs.readFileSync(`/proc/${p.pid}/status`, 'utf8')), 10000, 'detached');
        assert.ok(h.pidAlive(p.pid), 'the program runs on after the detach');
      } finally {
        await s.close();
        p.kill('SIGKILL');
      }
    });
  });
}
