// DAP client factory: gobp-dap over stdio or TCP (or Delve's `dlv dap` for validating the harness),
// with every message in both directions validated against the DAP JSON schema.
import net from 'node:net';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { validateMessage } from './schema.mjs';
import { tmpDir } from './gobuild.mjs';

const require = createRequire(import.meta.url);
const { DebugClient } = require('@vscode/debugadapter-testsupport');

/** GOBP_DAP=/path/to/gobp-dap, or GOBP_DAP=dlv (or a path to dlv) to run the suite against Delve. */
export const ADAPTER = process.env.GOBP_DAP || '';
export const IS_DELVE = /(^|\/)dlv$/.test(ADAPTER);
if (!ADAPTER) throw new Error('set GOBP_DAP to the gobp-dap binary (or GOBP_DAP=dlv to check the harness against Delve)');

export const TRANSPORTS = ['stdio', 'tcp'];
const DEFAULT_TIMEOUT = +(process.env.GOBP_E2E_TIMEOUT || 30000);

/** A DebugClient that validates and records every message. */
class CheckedClient extends DebugClient {
  constructor(session) {
    super('unused', 'unused', 'go');
    this.session = session;
    this.defaultTimeout = DEFAULT_TIMEOUT;
  }
  doSend(command, args, clb) {
    const s = this.session;
    const req = { type: 'request', seq: this.sequence, command };
    if (args && Object.keys(args).length > 0) req.arguments = args;
    if (s._sendingInvalid) s._sendingInvalid = false; // a deliberately malformed request (failInvalid)
    else s._check('out', req);
    s.log.push({ dir: 'out', msg: req });
    super.doSend(command, args, clb);
  }
  dispatch(body) {
    const s = this.session;
    let msg;
    try { msg = JSON.parse(body); } catch (e) {
      s._violation(`adapter sent malformed JSON (${e.message}): ${body.slice(0, 200)}`);
      return;
    }
    s._check('in', msg);
    s.log.push({ dir: 'in', msg });
    if (msg.type === 'event') { s.events.push(msg); s._wake(); }
    if (msg.type === 'request') { s._violation(`adapter sent a reverse request we did not enable: ${msg.command}`); return; }
    if (msg.type === 'response' && !this.pendingRequests.has(msg.request_seq)) {
      s._violation(`response to unknown request_seq ${msg.request_seq}: ${body.slice(0, 200)}`);
      return;
    }
    super.dispatch(body);
  }
}

export class Session {
  constructor(name) {
    this.name = name;
    this.log = [];
    this.events = [];
    this.violations = [];
    this.stderr = '';
    this.closed = false;
    this.closeReason = null;
    this._waiters = new Set();
    this.dc = new CheckedClient(this);
    this.proc = null;         // the adapter process when this session owns it
    this.sock = null;
  }

  _check(dir, msg) {
    // Delve 1.20 numbers its messages from 0: tolerated only when validating the harness against Delve.
    const err = validateMessage(msg, { allowSeq0: IS_DELVE && dir === 'in' });
    if (err) this._violation(`${dir === 'out' ? 'request sent' : 'message received'} violates the DAP schema: ${err}\n  message: ${JSON.stringify(msg).slice(0, 600)}`);
  }
  _violation(text) {
    this.violations.push(text);
    this._wake();
  }
  _wake() { for (const w of [...this._waiters]) w(); }
  _onClose(reason) {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    this._wake();
    for (const [seq, clb] of this.dc.pendingRequests) {
      this.dc.pendingRequests.delete(seq);
      clb({ type: 'response', seq: 0, request_seq: seq, success: false, command: '?', message: `__closed__ connection closed (${reason})`, __closed: true });
    }
  }
  /** Throws if any message so far violated the schema. */
  assertValid() {
    if (this.violations.length) throw new Error(`DAP protocol violations:\n${this.violations.join('\n')}${this._stderrTail()}`);
  }
  _stderrTail() {
    const t = this.stderr.trim();
    return t ? `\n--- adapter stderr (tail) ---\n${t.slice(-2000)}` : '';
  }

  /** Sends a request, resolves with the raw response (success or not). */
  req(command, args, timeout = DEFAULT_TIMEOUT) {
    this.assertValid();
    if (this.closed) return Promise.reject(new Error(`${command}: connection already closed (${this.closeReason})${this._stderrTail()}`));
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no response to '${command}' within ${timeout} ms${this._stderrTail()}`)), timeout);
      this.dc.doSend(command, args, (r) => {
        clearTimeout(t);
        if (r.__closed) { reject(new Error(`${command}: ${r.message.replace('__closed__ ', '')}${this._stderrTail()}`)); return; }
        try { this.assertValid(); } catch (e) { reject(e); return; }
        if (r.command !== command) { reject(new Error(`response command '${r.command}' does not match request '${command}'`)); return; }
        resolve(r);
      });
    });
  }
  /** Sends a request that must succeed; resolves with its body ({} when absent). */
  async ok(command, args, timeout) {
    const r = await this.req(command, args, timeout);
    if (!r.success) throw new Error(`'${command}' failed: ${r.message}${r.body && r.body.error ? ' ' + JSON.stringify(r.body.error) : ''}\n  arguments: ${JSON.stringify(args)}`);
    return r.body || {};
  }
  /** Sends a request that must fail; resolves with the error response. */
  async fail(command, args, timeout) {
    const r = await this.req(command, args, timeout);
    if (r.success) throw new Error(`'${command}' unexpectedly succeeded: ${JSON.stringify(r.body).slice(0, 300)}`);
    return r;
  }

  /** Sends a request that violates the schema on purpose (e.g. no required arguments): only the
   *  outgoing check is skipped; the adapter's error response is still validated. */
  async failInvalid(command, args, timeout) {
    this._sendingInvalid = true;
    return this.fail(command, args, timeout);
  }

  /** Index to pass as `from` to waitEvent so only later events count. */
  mark() { return this.events.length; }
  /** Waits for an event (index >= from) named `name` satisfying pred. */
  waitEvent(name, { from = 0, pred = () => true, timeout = DEFAULT_TIMEOUT } = {}) {
    return new Promise((resolve, reject) => {
      let t;
      const check = () => {
        if (this.violations.length) { done(); try { this.assertValid(); } catch (e) { reject(e); } return; }
        for (let i = from; i < this.events.length; i++) {
          const e = this.events[i];
          if (e.event === name && pred(e)) { done(); resolve(e); return; }
        }
        if (this.closed) { done(); reject(new Error(`no '${name}' event: connection closed (${this.closeReason})${this._stderrTail()}`)); }
      };
      const done = () => { clearTimeout(t); this._waiters.delete(check); };
      t = setTimeout(() => { done(); reject(new Error(`no '${name}' event within ${timeout} ms; events seen: ${this.events.slice(from).map((e) => e.event).join(',')}${this._stderrTail()}`)); }, timeout);
      this._waiters.add(check);
      check();
    });
  }
  /** All output events' text for a category, concatenated in arrival order. */
  output(category) {
    return this.events.filter((e) => e.event === 'output' && (e.body.category || 'console') === category).map((e) => e.body.output).join('');
  }
  /** Resolves when the connection is closed (adapter EOF) or rejects after timeout. */
  waitClosed(timeout = DEFAULT_TIMEOUT) {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => { this._waiters.delete(check); reject(new Error(`connection still open after ${timeout} ms`)); }, timeout);
      const check = () => { if (this.closed) { clearTimeout(t); this._waiters.delete(check); resolve(this.closeReason); } };
      this._waiters.add(check);
      check();
    });
  }

  /** Disconnects (terminating the debuggee) if still connected, then ends the adapter if owned. */
  async close({ terminateDebuggee = true } = {}) {
    if (!this.closed) {
      try { await this.req('disconnect', { terminateDebuggee }, 10000); } catch { /* reported by the test if it matters */ }
    }
    if (this.sock) this.sock.destroy();
    if (this.proc) await stopProcess(this.proc);
  }
}

/** Waits for a child process to exit (after stdin EOF), then SIGKILLs it; resolves with {code, signal}. */
export function stopProcess(proc, grace = 5000) {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) { resolve({ code: proc.exitCode, signal: proc.signalCode }); return; }
    const t = setTimeout(() => { try { proc.kill('SIGKILL'); } catch { /* */ } }, grace);
    proc.once('exit', (code, signal) => { clearTimeout(t); resolve({ code, signal }); });
    try { proc.stdin && proc.stdin.end(); } catch { /* */ }
  });
}

/** Resolves with {code, signal} when proc exits, or rejects after timeout. */
export function waitExit(proc, timeout = 10000) {
  return new Promise((resolve, reject) => {
    if (proc.exitCode !== null || proc.signalCode !== null) { resolve({ code: proc.exitCode, signal: proc.signalCode }); return; }
    const t = setTimeout(() => reject(new Error(`process ${proc.pid} still running after ${timeout} ms`)), timeout);
    proc.once('exit', (code, signal) => { clearTimeout(t); resolve({ code, signal }); });
  });
}

/** Every adapter this test process spawned: one still running when the process exits (a test that
 *  timed out before its finally, --test-force-exit) is killed, so no run leaves a server behind. */
const spawned = new Set();
function track(proc) {
  spawned.add(proc);
  proc.once('exit', () => spawned.delete(proc));
  return proc;
}
process.on('exit', () => { for (const p of spawned) { try { p.kill('SIGKILL'); } catch { /* */ } } });

const LISTEN_RE = /listening at:? +([0-9.]+|\[[0-9a-f:]+\]):(\d+)/i;

/** Starts the adapter as a TCP server on an ephemeral port: {proc, host, port, output()}. */
export function startServer({ env } = {}) {
  const args = IS_DELVE ? ['dap', '--listen', '127.0.0.1:0'] : ['--port', '0'];
  const proc = track(spawn(ADAPTER, args, { stdio: ['pipe', 'pipe', 'pipe'], cwd: tmpDir(), env: { ...process.env, ...env } }));
  let out = '';
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`adapter did not print "listening at HOST:PORT" within 10 s: ${out}`)); }, 10000);
    const onData = (d) => {
      out += d.toString();
      const m = LISTEN_RE.exec(out);
      if (m) {
        clearTimeout(t);
        resolve({ proc, host: m[1].replace(/[[\]]/g, ''), port: +m[2], output: () => out });
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('error', (e) => { clearTimeout(t); reject(e); });
    proc.on('exit', (c, s) => { clearTimeout(t); reject(new Error(`adapter exited (${c ?? s}) before listening: ${out}`)); });
  });
}

/** Connects a new session to a running server. */
export function connect(server, name = 'tcp') {
  const s = new Session(name);
  return new Promise((resolve, reject) => {
    const sock = net.createConnection({ host: server.host, port: server.port }, () => {
      s.sock = sock;
      s.dc.connect(sock, sock);
      resolve(s);
    });
    sock.on('error', (e) => { if (!s.sock) reject(e); else s._onClose(`socket error ${e.message}`); });
    sock.on('close', () => s._onClose('socket closed'));
    if (server.proc) server.proc.stderr.on('data', (d) => { s.stderr += d.toString(); });
  });
}

/**
 * Starts a session. transport 'stdio': spawn the adapter and talk over its stdin/stdout;
 * 'tcp': spawn `adapter --port 0`, parse the port, connect a socket. Delve has no stdio mode, so with
 * GOBP_DAP=dlv both use TCP.
 */
export async function startSession(transport = 'stdio', { env } = {}) {
  if (transport === 'tcp' || IS_DELVE) {
    const server = await startServer({ env });
    const s = await connect(server, transport);
    s.proc = server.proc;
    server.proc.on('exit', (c, sig) => s._onClose(`adapter exited ${c ?? sig}`));
    return s;
  }
  const s = new Session('stdio');
  const proc = track(spawn(ADAPTER, [], { stdio: ['pipe', 'pipe', 'pipe'], cwd: tmpDir(), env: { ...process.env, ...env } }));
  s.proc = proc;
  proc.stderr.on('data', (d) => { s.stderr += d.toString(); });
  proc.stdin.on('error', () => { /* EPIPE when the adapter died: reported via close */ });
  proc.stdout.on('end', () => s._onClose('adapter closed stdout'));
  proc.on('exit', (c, sig) => s._onClose(`adapter exited ${c ?? sig}`));
  proc.on('error', (e) => s._onClose(`spawn error ${e.message}`));
  s.dc.connect(proc.stdout, proc.stdin);
  return s;
}
