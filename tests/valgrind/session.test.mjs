// make valgrind: one full DAP session with gobp-dap (the plain build, GOBP_DAP) under valgrind
// memcheck: launch, line and function breakpoints, stackTrace/scopes/variables (a struct, a
// slice and a map expanded), evaluate (a function call too), setVariable, next/stepIn/stepOut, a handler breakpoint
// (tests/plugins/count.c), the `trace` launch attribute (gobpTrace events and a JSON lines
// file), continue to the end, disconnect. Zero memcheck errors and no definitely lost block.
// Only gobp-dap runs under valgrind (--trace-children=no): the Go program it launches and
// ptraces runs natively. tests/valgrind/gobp.supp holds suppressions for third-party
// libraries only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { Session, ADAPTER, waitExit } from '../e2e/lib/client.mjs';
import { goToolchains, buildProgram, tmpDir } from '../e2e/lib/gobuild.mjs';
import * as h from '../e2e/lib/helpers.mjs';
import * as P from '../e2e/lib/plugins.mjs';

const VALGRIND = process.env.VALGRIND || 'valgrind';
const SUPP = path.join(path.dirname(new URL(import.meta.url).pathname), 'gobp.supp');
const TO = 120000; // per request/event: memcheck runs gobp-dap 10-50 times slower

/** gobp-dap over stdio under valgrind; resolves with the Session, its process and the log path. */
function startUnderValgrind(log) {
  const args = ['--tool=memcheck', '--trace-children=no', '--leak-check=full', '--show-leak-kinds=definite',
    '--errors-for-leak-kinds=definite', '--error-exitcode=99', '--num-callers=40', `--suppressions=${SUPP}`,
    `--log-file=${log}`, ADAPTER];
  const s = new Session('valgrind');
  const proc = spawn(VALGRIND, args, { stdio: ['pipe', 'pipe', 'pipe'], cwd: tmpDir() });
  s.proc = proc;
  proc.stderr.on('data', (d) => { s.stderr += d.toString(); });
  proc.stdin.on('error', () => { /* reported via close */ });
  proc.stdout.on('end', () => s._onClose('adapter closed stdout'));
  proc.on('exit', (c, sig) => s._onClose(`adapter exited ${c ?? sig}`));
  proc.on('error', (e) => s._onClose(`spawn error ${e.message}`));
  s.dc.connect(proc.stdout, proc.stdin);
  s.dc.defaultTimeout = TO;
  return s;
}

const tc = goToolchains()[goToolchains().length - 1];
const SRC = h.srcPath('values');
const BREAK = h.lineOf('values', '// BREAK values');
const INC = h.lineOf('values', 'c.Inc(i)');

test(`valgrind memcheck: one full DAP session (go${tc.version})`, { timeout: 600000 }, async () => {
  const program = buildProgram('values', tc);
  const log = path.join(tmpDir(), 'valgrind-session.log');
  const traceFile = path.join(tmpDir(), 'valgrind-trace.jsonl');
  const started = Date.now();
  const s = startUnderValgrind(log);
  let exit;
  try {
    const m = s.mark();
    const { bps, fbps } = await h.launch(s, h.launchArgs({
      program,
      handlerBreakpoints: [P.handler('main.(*Counter).Inc', 'count', 'sentinel=2')],
      trace: { functions: ['main\\.decide$'], output: traceFile, format: 'jsonl', events: true },
    }), { breakpoints: { [SRC]: [{ line: BREAK }, { line: INC }] }, functionBreakpoints: [{ name: 'main.decide' }] });
    assert.ok(bps[SRC].breakpoints.every((b) => b.verified), `line breakpoints verified: ${JSON.stringify(bps[SRC])}`);
    assert.ok(fbps.breakpoints[0].verified, `function breakpoint verified: ${JSON.stringify(fbps)}`);

    // the BREAK line in values(): threads, stack, scopes, variables, evaluate, setVariable
    let ev = await h.waitStopped(s, m, 'breakpoint', TO);
    const tid = ev.body.threadId;
    assert.ok((await s.ok('threads')).threads.some((t) => t.id === tid), 'the stopped thread is listed');
    const st = await s.ok('stackTrace', { threadId: tid, startFrame: 0, levels: 20 });
    assert.deepEqual(st.stackFrames.slice(0, 2).map((f) => f.name), ['main.values', 'main.main']);
    const f0 = st.stackFrames[0];
    const sc = await h.scopes(s, f0.id);
    const locals = h.byName(await h.vars(s, h.scopeNamed(sc, 'Locals').variablesReference));
    const p = h.byName(await h.children(s, locals.p));
    assert.equal(p.Name.value, '"Ann"');
    const home = h.byName(await h.children(s, p.Home));
    assert.equal(home.City.value, '"Oslo"');
    assert.equal(h.real(await h.children(s, locals.sl)).length, 12, 'sl has 12 elements');
    const mk = h.real(await h.children(s, locals.m));
    assert.deepEqual(mk.map((k) => h.unquote(k.name)).sort(), ['one', 'three', 'two']);
    for (const g of sc.filter((x) => x.name.startsWith('Globals'))) await h.vars(s, g.variablesReference);
    const ev1 = await s.ok('evaluate', { expression: 'pp.Home.City', frameId: f0.id, context: 'repl' });
    assert.equal(ev1.result, '"Oslo"');
    assert.equal((await s.ok('evaluate', { expression: 'sl[3] + len(m)', frameId: f0.id, context: 'watch' })).result, '7');
    assert.ok(h.errorText(await s.fail('evaluate', { expression: 'nosuch', frameId: f0.id, context: 'repl' })).length > 0);
    // a function call (the program runs for it)
    assert.equal((await s.ok('evaluate', { expression: 'strings.Repeat("ab", 2)', frameId: f0.id, context: 'repl' }, 120000)).result, '"abab"');
    const set = await s.ok('setVariable', { variablesReference: h.scopeNamed(sc, 'Locals').variablesReference, name: 'i8', value: '5' });
    assert.equal(set.value, '5');

    // next, then stepOut of values() into main
    let mm = s.mark();
    await s.ok('next', { threadId: tid });
    ev = await h.waitStopped(s, mm, 'step', TO);
    mm = s.mark();
    await s.ok('stepOut', { threadId: ev.body.threadId });
    ev = await h.waitStopped(s, mm, 'step', TO);
    assert.equal((await h.topFrame(s, ev.body.threadId)).name, 'main.main', 'stepOut of values() is in main');

    // the line breakpoint on c.Inc(i); stepIn into the method that has the handler; stepOut
    ev = await h.continueToStop(s, ev.body.threadId, 'breakpoint', TO);
    assert.equal((await h.topFrame(s, ev.body.threadId)).line, INC);
    mm = s.mark();
    await s.ok('stepIn', { threadId: ev.body.threadId });
    ev = await h.waitStopped(s, mm, 'step', TO);
    assert.equal((await h.topFrame(s, ev.body.threadId)).name, 'main.(*Counter).Inc', 'stepIn enters Inc');
    mm = s.mark();
    await s.ok('stepOut', { threadId: ev.body.threadId });
    ev = await h.waitStopped(s, mm, 'step', TO);
    assert.equal((await h.topFrame(s, ev.body.threadId)).name, 'main.main', 'stepOut of Inc is in main');

    // the function breakpoint on main.decide (also traced)
    ev = await h.continueToStop(s, ev.body.threadId, null, TO);
    const fd = await h.topFrame(s, ev.body.threadId);
    assert.equal(fd.name, 'main.decide');
    assert.equal((await s.ok('evaluate', { expression: 'label', frameId: fd.id, context: 'hover' })).result, '"x"');

    // no more stops: the program runs to its end (os.Exit(3))
    await s.ok('setBreakpoints', { source: { path: SRC }, breakpoints: [], lines: [] });
    await s.ok('setFunctionBreakpoints', { breakpoints: [] });
    await h.runToEnd(s, ev.body.threadId, 3, TO);
    const out = P.stdoutLines(s);
    assert.ok(out.some((l) => l.startsWith('5 -16 -32 -64 8 16 32 64')), `setVariable i8=5 shows in the output:\n${out.join('\n')}`);
    P.assertMessage(s, [/count: main\.\(\*Counter\)\.Inc 2 calls, hit 3/], 'the handler ran on every Inc call');
    const traced = s.events.filter((e) => e.event === 'gobpTrace' && e.body.function === 'main.decide');
    assert.equal(traced.length, 3, 'three gobpTrace events for main.decide');
    await h.eventually(() => fs.existsSync(traceFile) && fs.readFileSync(traceFile, 'utf8').split('\n').filter((l) => /main\.decide/.test(l)).length === 3,
      TO, 'three main.decide records in the trace file');
    await s.ok('disconnect', {});
    s.assertValid();
  } finally {
    try { s.proc.stdin.end(); } catch { /* */ }
    exit = await waitExit(s.proc, TO).catch((e) => { s.proc.kill('SIGKILL'); throw e; });
  }
  const text = fs.readFileSync(log, 'utf8');
  console.log(`valgrind session: ${((Date.now() - started) / 1000).toFixed(1)} s; ${text.split('\n').filter((l) => /ERROR SUMMARY|lost:|reachable:|in use at exit/.test(l)).map((l) => l.replace(/^==\d+== +/, '')).join('; ')}`);
  if (process.env.GOBP_VALGRIND_LOG) fs.copyFileSync(log, process.env.GOBP_VALGRIND_LOG);
  assert.equal(exit.signal, null, `gobp-dap under valgrind ended by ${exit.signal}:\n${text.slice(-6000)}`);
  assert.match(text, /ERROR SUMMARY: 0 errors from 0 contexts/, `memcheck errors (log ${log}):\n${text.slice(-12000)}`);
  assert.ok(/All heap blocks were freed|definitely lost: 0 bytes in 0 blocks/.test(text) || !/definitely lost:/.test(text),
    `definitely lost blocks:\n${text.slice(-12000)}`);
  assert.equal(exit.code, 0, `gobp-dap exit status under valgrind (99: memcheck errors):\n${text.slice(-6000)}`);
});
