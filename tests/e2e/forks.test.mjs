// Programs that start processes (os/exec: clone with CLONE_VFORK|CLONE_VM, the child runs in the
// parent's memory, int3s included, until it execs) and programs that exec themselves. Whatever is
// traced, has a breakpoint or a handler, the children run as without a debugger: every one exits
// with its own status, none traps, none is left traced or stopped. syscall.Exec replaces the
// program: the new image runs on untraced, its exit code is the session's. Program:
// tests/programs/forking. Every Go version.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, execFileSync } from 'node:child_process';
import { startSession, ADAPTER, IS_DELVE } from './lib/client.mjs';
import { goToolchains, buildProgram, tmpDir } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';
import * as P from './lib/plugins.mjs';
import * as T from './lib/trace.mjs';

const OPT = { timeout: 180000, skip: IS_DELVE && 'forks and exec: gobp-dap behaviour' };
const CHILDREN_OK = ['child 0: exit 0 err <nil>', 'child 1: exit 0 err <nil>', 'child 2: exit 0 err <nil>',
  'child 3: exit 0 err <nil>', 'child 4: exit 0 err <nil>', 'child sh: exit 3 err <nil>', 'children done: 0 failures'];
// A function only the vfork child runs (between clone and execve), in every Go release.
const CHILD_ONLY = 'syscall.runtime_AfterForkInChild';

const lines = (text) => text.split('\n').filter((l) => l !== '');

/** The call of runtime_AfterForkInChild in the toolchain's syscall/exec_linux.go: a line only
 *  the vfork child runs, whose first instruction is a CALL (emulated for the child). */
function childCallLine(tc) {
  const goroot = execFileSync(tc.goBin, ['env', 'GOROOT'], { encoding: 'utf8', env: { ...process.env, GOTOOLCHAIN: 'local' } }).trim();
  const file = path.join(goroot, 'src/syscall/exec_linux.go');
  const i = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l === '\truntime_AfterForkInChild()');
  assert.ok(i >= 0, `runtime_AfterForkInChild() called in ${file}`);
  return { file, line: i + 1 };
}

/** The status fields of every task on the machine: [{pid, tid, tgid, ppid, state, tracer}]. */
function tasks() {
  const out = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let tids = [];
    try { tids = fs.readdirSync(`/proc/${d}/task`); } catch { continue; }
    for (const tid of tids) {
      let st;
      try { st = fs.readFileSync(`/proc/${d}/task/${tid}/status`, 'utf8'); } catch { continue; }
      const f = (k) => (new RegExp(`^${k}:\\s+(\\S+)`, 'm').exec(st) || [])[1];
      out.push({ pid: +d, tid: +tid, tgid: +f('Tgid'), ppid: +f('PPid'), state: f('State'), tracer: +f('TracerPid') });
    }
  }
  return out;
}

/** No leaked tracee: every task traced by the debugger (pid) is a thread of the program (prog),
 *  and the program has no child process left (a child stopped by a trap is never reaped). */
function assertNoLeakedTracees(debuggerPid, prog, when) {
  const all = tasks();
  const strays = all.filter((t) => t.tracer === debuggerPid && t.tgid !== prog);
  assert.deepEqual(strays, [], `${when}: tasks traced by gobp-dap ${debuggerPid} that are not threads of the program ${prog}`);
  const kids = all.filter((t) => t.ppid === prog && t.tgid !== prog && t.pid === t.tid);
  assert.deepEqual(kids, [], `${when}: child processes of the program ${prog} left over`);
}

/** Runs the program itself with piped output; onStdout(text so far) on every chunk. */
function runProgram(program, args, { onStdout, timeout = 120000 } = {}) {
  return new Promise((resolve, reject) => {
    const proc = spawn(program, args, { cwd: tmpDir(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => { stdout += d; if (onStdout) onStdout(stdout); });
    proc.stderr.on('data', (d) => { stderr += d; });
    const t = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`${program} ${args.join(' ')} still running after ${timeout} ms\nstdout: ${stdout.slice(-1000)}\nstderr: ${stderr.slice(-2000)}`)); }, timeout);
    proc.on('error', (e) => { clearTimeout(t); reject(e); });
    proc.on('close', (code, signal) => { clearTimeout(t); resolve({ code, signal, stdout, stderr, pid: proc.pid }); });
  });
}

/** `gobp-dap trace ARGV -- program children 5 1500`: once the program printed "children done"
 *  (it then stays 1.5 s), the leak check runs while gobp-dap and the program are alive. */
async function traceChildren(argv, program) {
  let leak = new Error('the program never printed "children done"');
  let checked = false;
  const r = await T.runTrace([...argv, '--', program, 'children', '5', '1500'], {
    onSpawn: (p) => {
      let out = '';
      p.stdout.on('data', (d) => {
        if (checked || !/children done/.test(out += d)) return;
        checked = true;
        try {
          const prog = tasks().find((t) => t.ppid === p.pid && t.pid === t.tid);
          assert.ok(prog, `gobp-dap ${p.pid} has the program as its child`);
          assertNoLeakedTracees(p.pid, prog.pid, 'after the children');
          leak = null;
        } catch (e) { leak = e; }
      });
    },
  });
  return { r, leak };
}

/** `program exec-self-when FLAG` started and waiting: {flag, pid, progRun (its end)}. */
async function startExecWhen(program) {
  const flag = path.join(fs.mkdtempSync(path.join(tmpDir(), 'forks-exec-')), 'go');
  let ready;
  const waiting = new Promise((res) => { ready = res; });
  const progRun = runProgram(program, ['exec-self-when', flag], { onStdout: (out) => { const m = /waiting (\d+)/.exec(out); if (m) ready(+m[1]); } });
  const pid = await Promise.race([waiting, progRun.then((r) => { throw new Error(`the program ended before waiting: ${JSON.stringify(r)}`); })]);
  return { flag, pid, progRun };
}

const assertChildrenOk = (stdout, what) => assert.deepEqual(lines(stdout), CHILDREN_OK, `${what}: every child exits with its own status`);
const noTrap = (text, what) => assert.doesNotMatch(text, /SIGTRAP|trace trap|breakpoint trap/i, `${what}: no trap anywhere`);
const EXEC_MSG = /the program replaced itself \(exec\)/;

for (const tc of goToolchains()) {
  describe(`forks and exec go${tc.version}`, () => {
    const prog = () => buildProgram('forking', tc);

    test('trace --pkg syscall: five os/exec children and a sh succeed, nothing left traced', OPT, async () => {
      const file = T.tmpFile('jsonl');
      const { r, leak } = await traceChildren(['--pkg', 'syscall', '--format', 'jsonl', '-o', file], prog());
      T.assertCode(r, 0);
      assertChildrenOk(r.stdout, 'trace --pkg syscall');
      noTrap(r.stdout + r.stderr, 'trace --pkg syscall');
      if (leak) throw leak;
      const recs = T.readJsonl(file);
      T.checkForest(recs);
      const forks = T.of(recs, 'syscall.forkExec');
      assert.equal(forks.length, 6, 'syscall.forkExec: one record per child, from the program only');
      for (const f of forks) assert.equal(f.end, 'return');
      assert.equal(T.of(recs, CHILD_ONLY).length, 0, `${CHILD_ONLY} runs only in the vfork children: no record`);
      const vforks = T.of(recs, /^syscall\.rawVforkSyscall/);
      assert.ok(vforks.length >= 6, `rawVforkSyscall traced in the program (${vforks.length})`);
      for (const v of vforks) assert.equal(v.end, 'return', 'one return per call: the child\'s return through the same RET is not recorded');
    });

    test('trace of the code the vfork child runs (its RET, runtime_AfterForkInChild, raw syscalls)', OPT, async () => {
      const file = T.tmpFile('jsonl');
      const re = `^syscall\\.(rawVforkSyscall|runtime_AfterForkInChild|forkAndExecInChild1|RawSyscall6?|rawSyscallNoError)`;
      const { r, leak } = await traceChildren(['--format', 'jsonl', '-o', file, re], prog());
      T.assertCode(r, 0);
      assertChildrenOk(r.stdout, 'trace of the child path');
      noTrap(r.stdout + r.stderr, 'trace of the child path');
      if (leak) throw leak;
      const recs = T.readJsonl(file);
      T.checkForest(recs);
      assert.equal(T.of(recs, CHILD_ONLY).length, 0, `${CHILD_ONLY}: no record`);
      assert.equal(T.of(recs, 'syscall.forkAndExecInChild1').length, 6, 'forkAndExecInChild1: the program\'s six calls');
    });

    test('run: handlers on a child-only function and on syscall.forkExec; the child\'s is never called', OPT, async () => {
      const dir = fs.mkdtempSync(path.join(tmpDir(), 'forks-count-'));
      const outChild = path.join(dir, 'child'), outFork = path.join(dir, 'fork');
      const hs = [P.handler(CHILD_ONLY, 'count', `out=${outChild}`, { copy: true }),
        P.handler('syscall.forkExec', 'count', `out=${outFork}`, { copy: true })];
      const r = await runProgram(ADAPTER, ['run', ...hs.flatMap(P.runFlag), '--', prog(), 'children', '5']);
      assert.equal(r.code, 0, `gobp-dap run exit code\nstdout: ${r.stdout}\nstderr: ${r.stderr.slice(-2000)}`);
      assertChildrenOk(r.stdout, 'run with handlers');
      noTrap(r.stdout + r.stderr, 'run with handlers');
      assert.equal(fs.readFileSync(outChild, 'utf8'), '', `the ${CHILD_ONLY} handler is never called (children are not the program)`);
      assert.equal(fs.readFileSync(outFork, 'utf8'), 'syscall.forkExec 6\n', 'the program\'s handler sees its six calls');
    });

    test('DAP: breakpoints on syscall.forkExec and in the vfork child\'s code, a handler there too', OPT, async () => {
      const dir = fs.mkdtempSync(path.join(tmpDir(), 'forks-dap-'));
      const outChild = path.join(dir, 'child');
      const call = childCallLine(tc);
      const s = await startSession('stdio');
      try {
        const m0 = s.mark();
        const { fbps, bps } = await h.launch(s, h.launchArgs({ program: prog(), args: ['children', '5'],
          handlerBreakpoints: [P.handler(CHILD_ONLY, 'count', `out=${outChild}`, { copy: true })] }),
        { functionBreakpoints: [{ name: 'syscall.forkExec' }, { name: CHILD_ONLY }], breakpoints: { [call.file]: [{ line: call.line }] } });
        for (const b of fbps.breakpoints) assert.equal(b.verified, true, `verified: ${JSON.stringify(b)}`);
        assert.equal(bps[call.file].breakpoints[0].verified, true, `line breakpoint at ${call.file}:${call.line}: ${JSON.stringify(bps[call.file])}`);
        let from = m0;
        for (let i = 0; i < 6; i++) {
          const ev = await h.waitStopped(s, from, null, 60000);
          assert.ok(['function breakpoint', 'breakpoint'].includes(ev.body.reason), `stop ${i} reason ${ev.body.reason}`);
          assert.equal((await h.topFrame(s, ev.body.threadId)).name, 'syscall.forkExec', `stop ${i}: only the program stops, in syscall.forkExec`);
          if (i === 5) {
            const progPid = h.pidsOf(prog()).find((pid) => tasks().some((t) => t.pid === pid && t.tracer === s.proc.pid));
            assert.ok(progPid, 'the program is traced by the adapter');
            assertNoLeakedTracees(s.proc.pid, progPid, 'at the last forkExec stop');
            from = s.mark();
            await s.ok('continue', { threadId: ev.body.threadId });
            break;
          }
          from = s.mark();
          await s.ok('continue', { threadId: ev.body.threadId });
        }
        await s.waitEvent('terminated', { from, timeout: 60000 });
        const evs = s.events.slice(from);
        assert.equal(evs.filter((e) => e.event === 'stopped').length, 0, 'no stop in the children');
        assert.equal(evs.find((e) => e.event === 'exited')?.body.exitCode, 0, 'the program exits 0');
        assertChildrenOk(s.output('stdout'), 'DAP session');
        noTrap(s.output('stdout') + s.output('stderr') + s.output('console'), 'DAP session');
        assert.deepEqual(tasks().filter((t) => t.tracer === s.proc.pid), [], 'nothing traced by the adapter after the end');
      } finally { await s.close(); }
      assert.equal(fs.readFileSync(outChild, 'utf8'), '', `the ${CHILD_ONLY} handler is never called`);
    });

    test('plain fork(2) children (a copy of the memory with our int3s): cleaned and detached', OPT, async () => {
      const r = await T.runTrace(['--pkg', 'syscall', '--', prog(), 'forks', '3']);
      T.assertCode(r, 0);
      assert.deepEqual(lines(r.stdout), [0, 1, 2].map((i) => `fork ${i}: exited true status 42 signaled false err <nil>`).concat('forks done: 0 failures'),
        'each forked child runs traced Go code (syscall.RawSyscall) and exits 42');
      noTrap(r.stdout + r.stderr, 'forks');
    });

    test('DAP disconnect while children are being started: program gone, nothing left traced or stopped', OPT, async () => {
      const s = await startSession('stdio');
      let progPid = 0;
      try {
        const m0 = s.mark();
        await h.launch(s, h.launchArgs({ program: prog(), args: ['spawn-forever'], trace: { functions: ['^syscall\\.'], console: false, events: false } }),
          { functionBreakpoints: [{ name: CHILD_ONLY }] });
        await h.eventually(() => /spawned 40\n/.test(s.output('stdout')), 60000, '40 children started');
        progPid = h.pidsOf(prog()).find((pid) => tasks().some((t) => t.pid === pid && t.tracer === s.proc.pid));
        assert.ok(progPid, 'the program is traced by the adapter');
        assert.equal(s.events.slice(m0).filter((e) => e.event === 'stopped').length, 0, 'no stop in the children');
        await s.ok('disconnect', { terminateDebuggee: true });
        assert.deepEqual(tasks().filter((t) => t.tracer === s.proc.pid), [], 'nothing traced by the adapter after disconnect');
        await h.eventually(() => !h.pidAlive(progPid), 10000, `program ${progPid} gone`);
        assert.doesNotMatch(s.output('stdout'), /child failed/);
      } finally { await s.close(); }
      const stopped = tasks().filter((t) => /^[tT]/.test(t.state) && (t.ppid === progPid || t.tracer === s.proc.pid));
      assert.deepEqual(stopped, [], 'no stopped child of the program');
    });

    test('syscall.Exec: trace and run go on to the new image\'s exit code', OPT, async () => {
      let r = await T.runTrace(['--pkg', 'syscall', '--', prog(), 'exec-self']);
      T.assertCode(r, 7);
      assert.deepEqual(lines(r.stdout), ['exec self', lines(r.stdout)[1]], 'the program, then its new image');
      assert.match(lines(r.stdout)[1], /^after exec \d+$/);
      assert.match(r.stderr, EXEC_MSG);
      noTrap(r.stdout + r.stderr, 'exec-self');
      r = await T.runTrace(['main\\.', '--', prog(), 'exec-echo']);
      T.assertCode(r, 0);
      assert.deepEqual(lines(r.stdout), ['exec echo', 'replaced-by-echo']);
      assert.match(r.stderr, EXEC_MSG);
      r = await runProgram(ADAPTER, ['run', ...P.runFlag(P.handler('main.execSelf', 'count')), '--', prog(), 'exec-self']);
      assert.equal(r.code, 7, `gobp-dap run exit code\nstderr: ${r.stderr}`);
      assert.match(r.stdout, /^exec self\nafter exec \d+\n$/);
      assert.match(r.stderr, EXEC_MSG);
    });

    test('syscall.Exec in a DAP session: one stop before it, none in the new image, its exit code', OPT, async () => {
      const s = await startSession('stdio');
      try {
        const m0 = s.mark();
        await h.launch(s, h.launchArgs({ program: prog(), args: ['exec-self'] }), { functionBreakpoints: [{ name: 'main.execSelf' }, { name: 'main.main' }] });
        let ev = await h.waitStopped(s, m0, null, 60000);
        assert.equal((await h.topFrame(s, ev.body.threadId)).name, 'main.main');
        ev = await h.continueToStop(s, ev.body.threadId, null);
        assert.equal((await h.topFrame(s, ev.body.threadId)).name, 'main.execSelf');
        const m = s.mark();
        await s.ok('continue', { threadId: ev.body.threadId });
        await s.waitEvent('terminated', { from: m, timeout: 60000 });
        const evs = s.events.slice(m);
        assert.equal(evs.filter((e) => e.event === 'stopped').length, 0, 'the new image (main.main again) does not stop');
        assert.equal(evs.find((e) => e.event === 'exited')?.body.exitCode, 7, 'the exit code of the new image');
        assert.match(s.output('stdout'), /^exec self\nafter exec \d+\n$/);
        assert.match(s.output('console'), /replaced itself \(exec\)/);
      } finally { await s.close(); }
    });

    test('syscall.Exec of an attached program (trace --pid): detached, the program goes on', OPT, async () => {
      const { flag, pid, progRun } = await startExecWhen(prog());
      let started;
      const tracing = new Promise((res) => { started = res; });
      const tr = T.runTrace(['--pid', String(pid), 'main\\.'], { onSpawn: (p) => p.stderr.on('data', (d) => { if (/tracing/.test(d)) started(); }) });
      await tracing;
      fs.writeFileSync(flag, '');
      const r = await tr;
      T.assertCode(r, 0);
      assert.match(r.stderr, EXEC_MSG);
      const pr = await progRun;
      assert.equal(pr.code, 7, 'the new image ran to its own end');
      assert.match(pr.stdout, /^waiting \d+\nexec self\nafter exec \d+\n$/);
    });

    test('syscall.Exec of a program attached from DAP: the session ends, the program goes on', OPT, async () => {
      const { flag, pid, progRun } = await startExecWhen(prog());
      const s = await startSession('stdio');
      try {
        await h.initialize(s);
        const att = s.req('attach', { name: 'e2e', type: 'go', request: 'attach', mode: 'local', processId: pid }, 60000);
        await s.waitEvent('initialized', { timeout: 60000 });
        await s.ok('setFunctionBreakpoints', { breakpoints: [{ name: 'main.main' }] });
        await s.ok('configurationDone');
        assert.equal((await att).success, true, 'attach succeeded');
        const m = s.mark();
        fs.writeFileSync(flag, '');
        await s.waitEvent('terminated', { from: m, timeout: 60000 });
        assert.equal(s.events.slice(m).filter((e) => e.event === 'stopped').length, 0, 'no stop in the new image');
        assert.match(s.output('console'), /replaced itself \(exec\): the debugger detached/);
      } finally { await s.close(); }
      const pr = await progRun;
      assert.equal(pr.code, 7, 'the new image ran to its own end');
      assert.match(pr.stdout, /^waiting \d+\nexec self\nafter exec \d+\n$/);
    });
  });
}
