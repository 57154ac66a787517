// The TCP server's options: a non-loopback --listen address only with --allow-remote (and then a
// warning), loopback unchanged; --single-session serves one client and ends with it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { connect, waitExit, ADAPTER, IS_DELVE } from './lib/client.mjs';
import { tmpDir } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';

const T = { timeout: 60000, skip: IS_DELVE && 'gobp-dap options' };
const LISTEN_RE = /listening at (\[[0-9a-f:]+\]|[a-z0-9.-]+):(\d+)/;

/** Spawns the adapter with args; resolves {proc, host, port, err()} once it listens, or
 *  {proc, code, err()} if it exits first. */
function serve(args) {
  const proc = spawn(ADAPTER, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: tmpDir() });
  let err = '';
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`no listening line: ${err}`)); }, 10000);
    proc.stderr.on('data', (d) => {
      err += d;
      const m = LISTEN_RE.exec(err);
      if (m) { clearTimeout(t); resolve({ proc, host: m[1].replace(/[[\]]/g, ''), port: +m[2], err: () => err }); }
    });
    proc.on('exit', (code) => { clearTimeout(t); resolve({ proc, code, err: () => err }); });
  });
}
async function kill(srv) {
  if (srv.proc.exitCode === null && srv.proc.signalCode === null) { srv.proc.kill('SIGKILL'); await waitExit(srv.proc); }
}
function refused(host, port) {
  return new Promise((resolve) => {
    const sock = net.createConnection({ host, port });
    sock.on('connect', () => { sock.destroy(); resolve(false); });
    sock.on('error', (e) => resolve(e.code === 'ECONNREFUSED'));
  });
}

describe('--listen on a non-loopback address', () => {
  for (const addr of ['0.0.0.0:0', '[::]:0']) {
    test(`${addr} is refused without --allow-remote: exit 2, names --allow-remote`, T, async () => {
      const srv = await serve(['--listen', addr]);
      assert.equal(srv.code, 2, `exit status 2: ${srv.err()}`);
      assert.match(srv.err(), /refusing to listen on .*not a loopback address.*--allow-remote/s);
      assert.match(srv.err(), /SSH tunnel/);
    });
  }
  test('0.0.0.0:0 with --allow-remote: listens, with a warning on stderr', T, async () => {
    const srv = await serve(['--listen', '0.0.0.0:0', '--allow-remote']);
    try {
      assert.ok(srv.port > 0, srv.err());
      assert.match(srv.err(), /WARNING.*not authenticated and NOT encrypted|NOT authenticated and NOT encrypted/s);
      assert.match(srv.err(), /SSH tunnel/);
      const s = await connect({ host: '127.0.0.1', port: srv.port });
      await h.initialize(s);
      await s.ok('disconnect', {});
      s.sock.destroy();
    } finally { await kill(srv); }
  });
  test('--help names --allow-remote and --single-session', T, () => {
    const r = spawnSync(ADAPTER, ['--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0);
    assert.match(r.stdout, /--allow-remote/);
    assert.match(r.stdout, /--single-session/);
  });
});

describe('loopback is unchanged', () => {
  for (const args of [['--port', '0'], ['--listen', '127.0.0.1:0'], ['--listen', 'localhost:0'], ['--listen', '[::1]:0']]) {
    test(`${args.join(' ')}: listens without a warning`, T, async (t) => {
      const srv = await serve(args);
      try {
        if (srv.code !== undefined && /\[::1\]/.test(args[1] || '') && /Cannot listen/.test(srv.err())) { t.skip('no IPv6 loopback here'); return; }
        assert.ok(srv.port > 0, srv.err());
        assert.doesNotMatch(srv.err(), /WARNING|refusing/);
        const s = await connect({ host: srv.host, port: srv.port });
        await h.initialize(s);
        await s.ok('disconnect', {});
        s.sock.destroy();
        assert.equal(srv.proc.exitCode, null, 'a server without --single-session keeps serving');
      } finally { await kill(srv); }
    });
  }
});

describe('--single-session', () => {
  test('serves one client, exits 0 when it disconnects; nobody else can connect', T, async () => {
    const srv = await serve(['--port', '0', '--single-session']);
    try {
      const s = await connect(srv);
      await h.initialize(s);
      assert.equal(await refused(srv.host, srv.port), true, 'a second client is refused');
      await s.ok('disconnect', {});
      assert.deepEqual(await waitExit(srv.proc, 10000), { code: 0, signal: null });
    } finally { await kill(srv); }
  });
  test('a client that closes its socket without disconnect ends the server too', T, async () => {
    const srv = await serve(['--listen', '127.0.0.1:0', '--single-session']);
    try {
      const s = await connect(srv);
      await h.initialize(s);
      s.sock.destroy();
      assert.deepEqual(await waitExit(srv.proc, 10000), { code: 0, signal: null });
    } finally { await kill(srv); }
  });
  test('over stdio it is an error (exit 2)', T, () => {
    const r = spawnSync(ADAPTER, ['--single-session'], { encoding: 'utf8', input: '' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--single-session applies to a TCP server/);
    const r2 = spawnSync(ADAPTER, ['--allow-remote'], { encoding: 'utf8', input: '' });
    assert.equal(r2.status, 2);
    assert.match(r2.stderr, /--allow-remote applies to a TCP server/);
  });
});
