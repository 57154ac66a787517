// Bad input: programs that cannot be debugged, bad requests, malformed framing. The adapter answers
// with an error whose message says what is wrong, keeps answering, and never crashes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { startSession, startServer, connect, stopProcess, waitExit, TRANSPORTS, IS_DELVE, ADAPTER } from './lib/client.mjs';
import { goToolchains, buildProgram, tmpDir, pathWithGo, PROGRAMS } from './lib/gobuild.mjs';
import { validateMessage } from './lib/schema.mjs';
import * as h from './lib/helpers.mjs';

const T = { timeout: 120000 };
const tc = goToolchains()[0];

/** launch must fail with a message matching re; then the adapter still answers (disconnect). */
async function expectLaunchError(transport, args, re, { adapterEnv } = {}) {
  const s = await startSession(transport, { env: adapterEnv });
  try {
    await h.initialize(s);
    const r = await s.fail('launch', h.launchArgs(args), 120000);
    const text = `${h.errorText(r)}\n${s.output('stderr')}${s.output('console')}`;
    assert.match(text, re, `launch error says what is wrong: ${h.errorText(r)}`);
    assert.ok(h.errorText(r).length > 0);
    // still alive: a second (good) launch in a new session is not required; the session must answer
    const d = await s.req('disconnect', {}, 10000);
    assert.equal(d.command, 'disconnect');
    s.assertValid();
    return r;
  } finally { await s.close(); }
}

describe('launch errors', () => {
  for (const transport of TRANSPORTS) {
    test(`missing program (${transport})`, T, () =>
      expectLaunchError(transport, { program: '/nonexistent/dir/prog' }, /\/nonexistent\/dir\/prog|no such file|not exist|not found/i));
  }
  test('a text file', T, () => {
    const f = path.join(tmpDir(), 'notes.txt');
    fs.writeFileSync(f, 'just text\n');
    fs.chmodSync(f, 0o755);
    return expectLaunchError('stdio', { program: f }, /ELF|executable|format/i);
  });
  test('a non-Go ELF (/bin/true)', T, () => expectLaunchError('stdio', { program: '/bin/true' }, /\bGo\b|go build|DWARF|debug info/i));
  test('a stripped Go binary', T, () => {
    const program = buildProgram('values', tc, { ldflags: '-s -w' });
    return expectLaunchError('stdio', { program }, /DWARF|debug info|strip|symbol/i);
  });
  test('a package dir that does not compile shows the compiler message', T, () =>
    expectLaunchError('stdio', { program: path.join(PROGRAMS, 'broken'), mode: 'debug', cwd: path.join(PROGRAMS, 'broken') }, /undefined: nope/,
      { adapterEnv: { PATH: pathWithGo(tc), GOTOOLCHAIN: 'local' } }));
  test('after a failed launch a good launch works in the next session on the same server', T, async () => {
    const server = await startServer();
    try {
      const s1 = await connect(server);
      await h.initialize(s1);
      await s1.fail('launch', h.launchArgs({ program: '/nonexistent' }));
      await s1.close();
      const s2 = await connect(server);
      const m = s2.mark();
      await h.launch(s2, h.launchArgs({ program: buildProgram('values', tc) }), { breakpoints: { [h.srcPath('values')]: [{ line: h.lineOf('values', 'half := n / 2') }] } });
      await h.waitStopped(s2, m, 'breakpoint', 60000);
      await s2.close();
    } finally { await stopProcess(server.proc); }
  });
});

describe('bad requests', () => {
  for (const transport of TRANSPORTS) {
    test(`unknown request, missing arguments (${transport})`, T, async () => {
      const s = await startSession(transport);
      try {
        await h.initialize(s);
        const u = await s.fail('noSuchRequest', { x: 1 });
        assert.ok(h.errorText(u).length > 0, 'unknown request error has a message');
        for (const cmd of ['launch', 'setBreakpoints', 'stackTrace', 'variables', 'evaluate', 'scopes']) {
          const r = await s.failInvalid(cmd, undefined);
          assert.ok(h.errorText(r).length > 0, `${cmd} without arguments: error with a message`);
        }
        // still answers, and can still debug
        const m = s.mark();
        await h.launch(s, h.launchArgs({ program: buildProgram('values', tc) }), { breakpoints: { [h.srcPath('values')]: [{ line: h.lineOf('values', 'half := n / 2') }] } });
        await h.waitStopped(s, m, 'breakpoint', 60000);
        const bad = await s.fail('variables', { variablesReference: 987654 });
        assert.ok(h.errorText(bad).length > 0, 'unknown variablesReference → error');
        const bad2 = await s.fail('stackTrace', { threadId: 99999999 });
        assert.ok(h.errorText(bad2).length > 0, 'unknown threadId → error');
      } finally { await s.close(); }
    });
  }

  test('breakpoints on a blank line and a comment line move to code or are unverified with a message', T, async () => {
    const s = await startSession('stdio');
    try {
      const blank = h.lineOf('values', 'func values() {') - 1;
      assert.equal(fs.readFileSync(h.srcPath('values'), 'utf8').split('\n')[blank - 1].trim(), '');
      const m = s.mark();
      const { bps } = await h.launch(s, h.launchArgs({ program: buildProgram('values', tc) }), { breakpoints: { [h.srcPath('values')]: [{ line: blank }, { line: 1 }] } });
      const [b, c] = bps[h.srcPath('values')].breakpoints;
      for (const [x, at] of [[b, blank], [c, 1]]) {
        if (x.verified) assert.ok(x.line > at, `moved to a later code line: ${JSON.stringify(x)}`);
        else assert.ok(x.message, `unverified with a message: ${JSON.stringify(x)}`);
      }
      if (b.verified) {
        assert.ok(b.line <= blank + 2, `blank line ${blank} moves to the next code line, got ${b.line}`);
        const ev = await h.waitStopped(s, m, 'breakpoint', 60000);
        const f0 = await h.topFrame(s, ev.body.threadId);
        assert.equal(f0.name, 'main.values');
        assert.equal(f0.line, b.line);
      }
    } finally { await s.close(); }
  });
});

// Preconditions are a column of the request table: one wording for "needs a program" and one for
// "needs a stop", whatever the request; launch.json attributes are type-checked by name.
const NO_PROGRAM = (cmd) => new RegExp(`^${cmd}: no program is being debugged \\(launch or attach first\\)`);
const RUNNING = (cmd) => new RegExp(`^${cmd}: the program is running; pause it or wait for a stop`);

describe('request preconditions and launch.json types', () => {
  test('before launch: requests that need a program get the uniform message; the session goes on', T, async () => {
    if (IS_DELVE) return; // the wording is gobp-dap's
    const s = await startSession('stdio');
    try {
      await h.initialize(s);
      const needs = [['stackTrace', { threadId: 1 }], ['variables', { variablesReference: 1 }], ['evaluate', { expression: 'n' }],
        ['continue', { threadId: 1 }], ['next', { threadId: 1 }], ['pause', { threadId: 1 }], ['setTracepoints', { functions: ['main.f'] }],
        ['setHandlerBreakpoints', { handlers: [] }], ['gobpForceReturn', { threadId: 1 }]];
      for (const [cmd, args] of needs) {
        const r = await s.fail(cmd, args);
        assert.match(h.errorText(r), NO_PROGRAM(cmd), `${cmd} before launch: ${h.errorText(r)}`);
      }
      assert.deepEqual((await s.ok('threads')).threads, [], 'threads: none before launch, no error');
      const m = s.mark();
      await h.launch(s, h.launchArgs({ program: buildProgram('values', tc) }), { breakpoints: { [h.srcPath('values')]: [{ line: h.lineOf('values', 'half := n / 2') }] } });
      await h.waitStopped(s, m, 'breakpoint', 60000);
      const again = await s.fail('launch', h.launchArgs({ program: buildProgram('values', tc) }));
      assert.match(h.errorText(again), /^launch: a program is already being debugged in this session/);
      const att = await s.fail('attach', { processId: process.pid });
      assert.match(h.errorText(att), /^attach: a program is already being debugged in this session/);
    } finally { await s.close(); }
  });

  test('while running: requests that need a stop get the uniform message; pause then works', T, async () => {
    if (IS_DELVE) return;
    const s = await startSession('stdio');
    try {
      await h.launch(s, h.launchArgs({ program: buildProgram('sleeper', tc), args: ['60'] }));
      await new Promise((r) => setTimeout(r, 300));
      const needStop = [['stackTrace', { threadId: 1 }], ['scopes', { frameId: 1 }], ['variables', { variablesReference: 1 }],
        ['evaluate', { expression: 'n' }], ['setVariable', { variablesReference: 1, name: 'n', value: '1' }],
        ['continue', { threadId: 1 }], ['next', { threadId: 1 }], ['stepIn', { threadId: 1 }], ['stepOut', { threadId: 1 }],
        ['disassemble', { memoryReference: '0x401000', instructionCount: 4 }], ['exceptionInfo', { threadId: 1 }],
        ['gobpForceReturn', { threadId: 1 }]];
      for (const [cmd, args] of needStop) {
        const r = await s.fail(cmd, args);
        assert.match(h.errorText(r), RUNNING(cmd), `${cmd} while running: ${h.errorText(r)}`);
      }
      // requests that only need a program still work while it runs
      assert.deepEqual((await s.ok('setTracepoints', { functions: [] })).breakpoints, []);
      assert.ok((await s.ok('threads')).threads.length >= 1, 'threads while running');
      const m = s.mark();
      await s.ok('pause', { threadId: 1 });
      const ev = await h.waitStopped(s, m, 'pause', 30000);
      const all = (await s.ok('threads')).threads;
      const st = await s.ok('stackTrace', { threadId: ev.body.threadId ?? all[0].id, startFrame: 0, levels: 20 });
      assert.ok(st.stackFrames.length > 0, 'stackTrace answers once stopped');
    } finally { await s.close(); }
  });

  test('mistyped launch attributes: an error naming the attribute; the session goes on and launches', T, async () => {
    if (IS_DELVE) return;
    const s = await startSession('stdio');
    try {
      await h.initialize(s);
      const program = buildProgram('values', tc);
      const bad = [
        [{ args: '-v' }, /^launch: "args" must be an array of strings/],
        [{ args: ['-v', 3] }, /^launch: "args" must be an array of strings/],
        [{ stopOnEntry: 'yes' }, /^launch: "stopOnEntry" must be true or false/],
        [{ env: { GOGC: 100 } }, /^launch: "env\.GOGC" must be a string or null/],
        [{ buildFlags: 7 }, /^launch: "buildFlags" must be a string or an array of strings/],
        [{ cwd: ['/tmp'] }, /^launch: "cwd" must be a string/],
        [{ handlerTimeoutMs: '100' }, /^launch: "handlerTimeoutMs" must be an integer/],
        [{ handlerBreakpoints: [{ function: 'main.f', plugin: 1 }] }, /^launch: "handlerBreakpoints\[0\]\.plugin" must be a string/],
        [{ trace: { functions: 'main\\..*' } }, /^launch: "trace\.functions" must be an array of strings/],
      ];
      for (const [attrs, re] of bad) {
        const r = await s.fail('launch', h.launchArgs({ program, ...attrs }), 60000);
        assert.match(h.errorText(r), re, `${JSON.stringify(attrs)}: ${h.errorText(r)}`);
        assert.equal(s.events.filter((e) => e.event === 'process').length, 0, 'nothing was started');
      }
      const a = await s.fail('attach', { processId: String(process.pid) });
      assert.match(h.errorText(a), /^attach: "processId" must be a process id/);
      const m = s.mark();
      await h.launch(s, h.launchArgs({ program, args: ['ok'] }), { breakpoints: { [h.srcPath('values')]: [{ line: h.lineOf('values', 'half := n / 2') }] } });
      await h.waitStopped(s, m, 'breakpoint', 60000);
    } finally { await s.close(); }
  });
});

/** Sends raw bytes; collects framed messages until close or quiet time. */
function rawExchange(write, readable, bytes, quietMs = 1500) {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    let t;
    const finish = () => { readable.removeListener('data', onData); resolve(parseFrames(buf)); };
    const onData = (d) => { buf = Buffer.concat([buf, d]); clearTimeout(t); t = setTimeout(finish, quietMs); };
    readable.on('data', onData);
    readable.once('close', () => { clearTimeout(t); finish(); });
    t = setTimeout(finish, quietMs);
    write(bytes);
  });
}
function parseFrames(buf) {
  const msgs = [];
  for (;;) {
    const i = buf.indexOf('\r\n\r\n');
    if (i < 0) break;
    const m = /Content-Length: *(\d+)/i.exec(buf.slice(0, i).toString());
    assert.ok(m, `adapter sent a frame without Content-Length: ${buf.slice(0, i)}`);
    const body = buf.slice(i + 4, i + 4 + +m[1]);
    if (body.length < +m[1]) break;
    const msg = JSON.parse(body.toString());
    const err = validateMessage(msg, { allowSeq0: IS_DELVE });
    assert.equal(err, null, `adapter reply violates the schema: ${err}`);
    msgs.push(msg);
    buf = buf.slice(i + 4 + +m[1]);
  }
  return msgs;
}
const frame = (o) => { const j = typeof o === 'string' ? o : JSON.stringify(o); return `Content-Length: ${Buffer.byteLength(j)}\r\n\r\n${j}`; };
const INIT = frame({ seq: 1, type: 'request', command: 'initialize', arguments: { adapterID: 'go', clientID: 'raw' } });

const BAD = {
  'malformed JSON': frame('{"seq": 1, "type": "request", "command": '),
  'JSON that is not a request': frame('[1,2,3]'),
  'non-numeric Content-Length': 'Content-Length: abc\r\n\r\n{}',
  'missing Content-Length': 'X-Header: 1\r\n\r\n{}',
};

describe('malformed framing', () => {
  for (const [what, bytes] of Object.entries(BAD)) {
    test(`stdio: ${what} → error response or clean close, no crash`, T, async () => {
      if (IS_DELVE) return; // Delve has no stdio mode
      const proc = spawn(ADAPTER, [], { stdio: ['pipe', 'pipe', 'pipe'], cwd: tmpDir() });
      let stderr = '';
      proc.stderr.on('data', (d) => { stderr += d; });
      proc.stdin.on('error', () => {});
      const msgs = await rawExchange((b) => proc.stdin.write(b), proc.stdout, bytes);
      for (const m of msgs) assert.ok(m.type === 'response' ? m.success === false : m.type === 'event', `reply to bad input: ${JSON.stringify(m)}`);
      if (proc.exitCode === null && proc.signalCode === null) {
        // still running: it must still answer a good request (unless it already closed its output)
        if (!proc.stdout.readableEnded) {
          const r = await rawExchange((b) => proc.stdin.write(b), proc.stdout, INIT);
          const ok = r.find((m) => m.type === 'response' && m.command === 'initialize');
          if (!/non-numeric|missing/.test(what)) assert.ok(ok && ok.success, `answers initialize after ${what}; got ${JSON.stringify(r)}`);
        }
        proc.stdin.end();
      }
      const { code, signal } = await waitExit(proc, 10000);
      assert.equal(signal, null, `adapter killed by ${signal}: ${stderr.slice(-1000)}`);
      assert.ok(code === 0 || code === 1, `adapter exit status ${code} (0 or 1 expected, not a crash): ${stderr.slice(-1000)}`);
    });
    test(`tcp: ${what} → error response or close; the server still accepts`, T, async () => {
      const server = await startServer();
      try {
        const sock = net.createConnection({ host: server.host, port: server.port });
        await new Promise((r, j) => { sock.once('connect', r); sock.once('error', j); });
        const msgs = await rawExchange((b) => sock.write(b), sock, bytes);
        for (const m of msgs) assert.ok(m.type === 'response' ? m.success === false : m.type === 'event', `reply to bad input: ${JSON.stringify(m)}`);
        sock.destroy();
        assert.equal(server.proc.signalCode, null, 'server not killed by a signal');
        if (!IS_DELVE) {
          // Delve serves one client per process; gobp-dap --port serves one session after another
          assert.equal(server.proc.exitCode, null, `server still running: ${server.output()}`);
          const s = await connect(server);
          await h.initialize(s);
          await s.close();
        }
      } finally {
        const { signal } = await stopProcess(server.proc);
        assert.ok(signal === null || signal === 'SIGKILL', `server died of ${signal}`);
      }
    });
  }
});
