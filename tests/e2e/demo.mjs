// `make demo`: a scripted session on tests/programs/values under gobp-dap (stdio), printed for humans.
// Env: GOBP_DAP (the adapter), GOBP_GO_VERSIONS (first matching Go builds the program; default: go).
import { startSession } from './lib/client.mjs';
import { goToolchains, buildProgram } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const say = (...a) => console.log(...a);
const tc = goToolchains()[0];
const SRC = h.srcPath('values');
const BREAK = h.lineOf('values', '// BREAK values');
const HALF = h.lineOf('values', 'half := n / 2');

async function main() {
  say(`building tests/programs/values with ${tc.full} (-gcflags=all=-N -l)`);
  const program = buildProgram('values', tc);
  const s = await startSession('stdio');
  try {
    const caps = await h.initialize(s);
    say(`adapter capabilities: ${Object.keys(caps).filter((k) => caps[k] === true).join(', ')}`);
    const m = s.mark();
    const { bps } = await h.launch(s, h.launchArgs({ program }), { breakpoints: { [SRC]: [{ line: BREAK }, { line: HALF }] } });
    for (const b of bps[SRC].breakpoints) say(`breakpoint ${b.id}: line ${b.line} ${b.verified ? 'verified' : `NOT verified (${b.message})`}`);

    let ev = await h.waitStopped(s, m, 'breakpoint', 60000);
    say(`\nstopped: reason=${ev.body.reason} threadId=${ev.body.threadId}`);
    const threads = (await s.ok('threads')).threads;
    say(`threads (${threads.length}):`);
    for (const t of threads.slice(0, 10)) say(`  ${t.id === ev.body.threadId ? '*' : ' '} ${t.id}: ${t.name}`);
    await showStack(s, ev.body.threadId);
    const f0 = await h.topFrame(s, ev.body.threadId);
    for (const sc of await h.scopes(s, f0.id)) {
      say(`${sc.name}:`);
      for (const v of await h.vars(s, sc.variablesReference)) say(`  ${v.name.padEnd(9)} ${String(v.type).padEnd(16)} = ${v.value.length > 90 ? v.value.slice(0, 87) + '...' : v.value}`);
    }
    for (const expr of ['pp.Home.City', 'sl[3]', 'len(m)', 'nosuch']) {
      const r = await s.req('evaluate', { expression: expr, frameId: f0.id, context: 'repl' });
      say(`evaluate ${expr.padEnd(13)} → ${r.success ? `${r.body.result}${r.body.type ? ` (${r.body.type})` : ''}` : `error: ${h.errorText(r)}`}`);
    }

    ev = await h.continueToStop(s, ev.body.threadId, 'breakpoint', 60000);
    say(`\nstopped: reason=${ev.body.reason} threadId=${ev.body.threadId}`);
    await showStack(s, ev.body.threadId);
    const f1 = await h.topFrame(s, ev.body.threadId);
    for (const sc of await h.scopes(s, f1.id)) {
      if (sc.name.startsWith('Globals')) continue;
      say(`${sc.name}: ${(await h.vars(s, sc.variablesReference)).map((v) => `${v.name} ${v.type} = ${v.value}`).join(', ')}`);
    }

    say('\nclearing breakpoints, continuing to the end');
    await s.ok('setBreakpoints', { source: { path: SRC }, breakpoints: [], lines: [] });
    const mm = s.mark();
    await s.ok('continue', { threadId: ev.body.threadId });
    await s.waitEvent('terminated', { from: mm, timeout: 60000 });
    say('program stdout:');
    for (const l of s.output('stdout').split('\n').filter(Boolean)) say(`  | ${l}`);
    say('program stderr:');
    for (const l of s.output('stderr').split('\n').filter(Boolean)) say(`  | ${l}`);
    const exited = s.events.find((e) => e.event === 'exited');
    say(`exit code: ${exited ? exited.body.exitCode : '(no exited event)'}`);
    s.assertValid();
    say(`\n${s.log.length} DAP messages exchanged, all valid against the DAP schema`);
  } finally { await s.close(); }
}

async function showStack(s, threadId) {
  const st = await s.ok('stackTrace', { threadId, startFrame: 0, levels: 20 });
  say(`stack (${st.totalFrames ?? '?'} frames):`);
  for (const f of st.stackFrames) say(`  ${f.name.padEnd(16)} ${f.source ? f.source.path : '?'}:${f.line}`);
}

/* Part 2: the reason gobp-dap exists — a C plugin decides on every call of a Go function. */
async function handlers() {
  const plugins = process.env.GOBP_PLUGINS;
  if (!plugins) throw new Error('set GOBP_PLUGINS to the directory of the built example plugins');
  const program = buildProgram('handlers', tc);
  say('\n=== handler breakpoints: fault injection without rebuilding the program ===');
  say('main.lookup gets plugins/inject.so with config "nth=2;global=io.EOF" over DAP: its 2nd call returns');
  say('io.EOF at once (the body never runs), so the unmodified program sees err == io.EOF:');
  const s = await startSession('stdio');
  try {
    await h.initialize(s);
    const m = s.mark();
    await h.launch(s, h.launchArgs({
      program, args: ['lookups', '3'],
      handlerBreakpoints: [
        { function: 'main.lookup', plugin: path.join(plugins, 'inject.so'), config: 'nth=2;global=io.EOF' },
      ],
    }), {});
    await s.waitEvent('terminated', { from: m, timeout: 60000 });
    for (const l of s.output('stdout').split('\n').filter(Boolean)) say(`  program | ${l}`);
    for (const l of s.output('console').split('\n').filter(Boolean)) say(`  console | ${l}`);
  } finally { await s.close(); }

  say('\nthe same from a CI script: gobp-dap run --handler main.lookup=inject.so:nth=1;error=disk full -- handlers lookups 2');
  const run = spawnSync(process.env.GOBP_DAP, ['run', '--handler', `main.lookup=${path.join(plugins, 'inject.so')}:nth=1;error=disk full`,
    '--', program, 'lookups', '2'], { encoding: 'utf8' });
  for (const l of run.stdout.split('\n').filter(Boolean)) say(`  program | ${l}`);
  for (const l of run.stderr.split('\n').filter(Boolean)) say(`  stderr  | ${l}`);
  say(`  exit code ${run.status}`);

  say('\n=== call tracing: gobp-dap trace \'main\\.(shapes|compute|pair|lookup)$\' -- handlers ===');
  const tr = spawnSync(process.env.GOBP_DAP, ['trace', 'main\\.(shapes|compute|pair|lookup)$', '--', program, 'shapes'], { encoding: 'utf8' });
  for (const l of tr.stderr.split('\n').filter(Boolean).slice(0, 16)) say(`  ${l}`);
  say(`  exit code ${tr.status}`);
  if (run.status !== 0 || tr.status !== 0) throw new Error('gobp-dap run/trace failed');
}

main().then(handlers).then(() => process.exit(0), (e) => { console.error(`demo failed: ${e.message}`); process.exit(1); });
