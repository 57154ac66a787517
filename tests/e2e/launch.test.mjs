// launch: mode exec (a built binary) and mode debug (a package dir the adapter builds), args, env
// (null unsets), cwd, stdinFrom, stopOnEntry; complete, ordered output events; exited then terminated.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startSession, TRANSPORTS } from './lib/client.mjs';
import { goToolchains, buildProgram, tmpDir, pathWithGo, PROGRAMS } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';

const T = { timeout: 120000 };
const LINES = Array.from({ length: 200 }, (_, i) => `line ${i}\n`).join('');
const GREET = h.lineOf('hello', 'return "hello, " + name');

function expectedStdout({ args = '', env = '', stdin = [], cwd }) {
  return `hello, world\nargs: [${args}]\nenv: ${env}\n${stdin.map((l) => `stdin: ${l}\n`).join('')}cwd: ${cwd}\n${LINES}`;
}

async function runHello(transport, launch, { adapterEnv, breakpoints } = {}) {
  const s = await startSession(transport, { env: adapterEnv });
  try {
    const m = s.mark();
    await h.launch(s, h.launchArgs(launch), { breakpoints });
    return { s, m };
  } catch (e) { await s.close(); throw e; }
}

for (const tc of goToolchains()) {
  describe(`launch hello go${tc.version}`, () => {
    for (const transport of TRANSPORTS) {
      test(`mode exec over ${transport}: args, env, cwd, ordered complete output, exit 0`, T, async () => {
        const program = buildProgram('hello', tc);
        const cwd = fs.mkdtempSync(path.join(tmpDir(), 'cwd-'));
        const { s, m } = await runHello(transport, { program, args: ['a b', 'c'], env: { GOBP_TEST_VAR: 'from launch' }, cwd });
        try {
          const term = await s.waitEvent('terminated', { from: m, timeout: 60000 });
          const exited = s.events.slice(m).find((e) => e.event === 'exited');
          assert.ok(exited, 'exited event');
          assert.ok(s.events.indexOf(exited) < s.events.indexOf(term), 'exited before terminated');
          assert.equal(exited.body.exitCode, 0);
          assert.equal(s.output('stdout'), expectedStdout({ args: 'a b c', env: 'from launch', cwd }));
          assert.equal(s.output('stderr'), 'bye\n');
          const lastOut = s.events.map((e, i) => [e, i]).filter(([e]) => e.event === 'output' && /stdout|stderr/.test(e.body.category)).pop();
          assert.ok(lastOut[1] < s.events.indexOf(exited), 'all output arrives before exited');
        } finally { await s.close(); }
      });
    }

    test('env null unsets a variable inherited from the adapter; stdinFrom feeds stdin', T, async () => {
      const program = buildProgram('hello', tc);
      const input = path.join(tmpDir(), 'stdin.txt');
      fs.writeFileSync(input, 'first line\nsecond line\n');
      const { s, m } = await runHello('stdio', { program, env: { GOBP_TEST_VAR: null, GOBP_READ_STDIN: '1' }, stdinFrom: input, cwd: PROGRAMS },
        { adapterEnv: { GOBP_TEST_VAR: 'inherited' } });
      try {
        await s.waitEvent('terminated', { from: m, timeout: 60000 });
        assert.equal(s.output('stdout'), expectedStdout({ env: '', stdin: ['first line', 'second line'], cwd: PROGRAMS }));
        assert.equal(s.events.find((e) => e.event === 'exited')?.body.exitCode, 0);
      } finally { await s.close(); }
    });

    test('without env the debuggee inherits the adapter environment', T, async () => {
      const program = buildProgram('hello', tc);
      const { s, m } = await runHello('stdio', { program, cwd: PROGRAMS }, { adapterEnv: { GOBP_TEST_VAR: 'inherited' } });
      try {
        await s.waitEvent('terminated', { from: m, timeout: 60000 });
        assert.match(s.output('stdout'), /^env: inherited$/m);
      } finally { await s.close(); }
    });

    test('stopOnEntry stops with reason entry before any program output', T, async () => {
      const program = buildProgram('hello', tc);
      const { s, m } = await runHello('stdio', { program, stopOnEntry: true });
      try {
        const ev = await h.waitStopped(s, m, 'entry', 60000);
        assert.equal(s.output('stdout'), '', 'no output before the entry stop');
        const th = (await s.ok('threads')).threads;
        assert.ok(th.some((t) => t.id === ev.body.threadId), 'stopped thread is listed');
        await h.runToEnd(s, ev.body.threadId, 0);
        assert.match(s.output('stdout'), /line 199\n$/);
      } finally { await s.close(); }
    });

    test('mode debug builds the package dir and stops at a breakpoint in it', T, async () => {
      const dir = path.join(PROGRAMS, 'hello');
      const src = path.join(dir, 'main.go');
      const { s, m } = await runHello('stdio', { program: dir, mode: 'debug', cwd: dir },
        { adapterEnv: { PATH: pathWithGo(tc), GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' }, breakpoints: { [src]: [{ line: GREET }] } });
      try {
        const ev = await h.waitStopped(s, m, 'breakpoint', 90000);
        const f0 = await h.topFrame(s, ev.body.threadId);
        assert.equal(f0.name, 'main.greet');
        assert.equal(f0.line, GREET);
        assert.equal(f0.source.path, src);
        const A = await h.varMap(s, f0.id, 'Arguments');
        assert.equal(A.name.value, '"world"');
        await h.runToEnd(s, ev.body.threadId, 0);
        assert.match(s.output('stdout'), /^hello, world\n/);
      } finally { await s.close(); }
    });

    test('mode debug builds with the go of the launch env PATH, whatever the adapter\'s PATH says', T, async () => {
      const dir = path.join(PROGRAMS, 'hello');
      const src = path.join(dir, 'main.go');
      const other = goToolchains().find((t) => t.version !== tc.version) || tc;
      const { s, m } = await runHello('stdio', {
        program: dir, mode: 'debug', cwd: dir, env: { PATH: pathWithGo(tc), GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' },
      }, { adapterEnv: { PATH: pathWithGo(other) }, breakpoints: { [src]: [{ line: GREET }] } });
      try {
        const ev = await h.waitStopped(s, m, 'breakpoint', 90000);
        const f0 = await h.topFrame(s, ev.body.threadId);
        const v = await s.ok('evaluate', { expression: 'runtime.buildVersion', frameId: f0.id, context: 'repl' });
        assert.equal(v.result, JSON.stringify(tc.full), 'built by the toolchain of env.PATH');
        await h.runToEnd(s, ev.body.threadId, 0);
      } finally { await s.close(); }
    });
  });
}
