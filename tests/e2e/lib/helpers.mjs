// Scenario helpers shared by the e2e tests and the demo.
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { IS_DELVE } from './client.mjs';
import { PROGRAMS } from './gobuild.mjs';

/** 1-based line of the first line in tests/programs/<prog>/main.go containing text. */
export function lineOf(prog, text, file = 'main.go') {
  const lines = fs.readFileSync(path.join(PROGRAMS, prog, file), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(text));
  if (i < 0) throw new Error(`'${text}' not in ${prog}/${file}`);
  return i + 1;
}
export const srcPath = (prog, file = 'main.go') => path.join(PROGRAMS, prog, file);

export const CLIENT_CAPS = {
  clientID: 'gobp-e2e', clientName: 'gobp-dap e2e tests', adapterID: 'go', locale: 'en-US',
  linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path',
  supportsVariableType: true, supportsVariablePaging: true, supportsRunInTerminalRequest: false,
  supportsProgressReporting: false, supportsInvalidatedEvent: false, supportsMemoryReferences: false,
};

export async function initialize(s, extra = {}) {
  const caps = await s.ok('initialize', { ...CLIENT_CAPS, ...extra });
  s.capabilities = caps;
  return caps;
}

/** Launch arguments in the launch.json shape both gobp-dap and Delve read. */
export function launchArgs({ program, mode = 'exec', ...rest }) {
  const a = { name: 'e2e', type: 'go', request: 'launch', mode, program, ...rest };
  if (IS_DELVE) a.showGlobalVariables = true;
  return a;
}

/**
 * initialize → launch → (initialized) → setBreakpoints/setFunctionBreakpoints → configurationDone.
 * breakpoints: { [absPath]: [{line, condition?}...] }, functionBreakpoints: [{name}...].
 * Resolves with { caps, bps: {path: response body}, fbps }.
 */
export async function launch(s, args, { breakpoints = {}, functionBreakpoints = null, initArgs = {} } = {}) {
  const caps = s.capabilities || await initialize(s, initArgs);
  const launchP = s.req('launch', args, 120000);
  let launchResp = null;
  launchP.then((r) => { launchResp = r; }, () => {});
  // initialized may come before or after the launch response; a failed launch never sends it.
  await Promise.race([
    s.waitEvent('initialized', { timeout: 120000 }),
    launchP.then((r) => { if (!r.success) throw new Error(`launch failed: ${errorText(r)}`); return s.waitEvent('initialized'); }),
  ]);
  const bps = {};
  for (const [file, list] of Object.entries(breakpoints)) {
    bps[file] = await s.ok('setBreakpoints', { source: { path: file, name: path.basename(file) }, breakpoints: list, lines: list.map((b) => b.line) });
    assert.equal(bps[file].breakpoints.length, list.length, 'one breakpoint result per requested breakpoint');
  }
  let fbps = null;
  if (functionBreakpoints) {
    fbps = await s.ok('setFunctionBreakpoints', { breakpoints: functionBreakpoints });
    assert.equal(fbps.breakpoints.length, functionBreakpoints.length, 'one result per requested function breakpoint');
  }
  assert.ok(caps.supportsConfigurationDoneRequest, 'supportsConfigurationDoneRequest must be advertised');
  await s.ok('configurationDone');
  const r = launchResp || await launchP;
  if (!r.success) throw new Error(`launch failed: ${errorText(r)}`);
  return { caps, bps, fbps };
}

/** Waits for the next stopped event after `from`; checks the body. */
export async function waitStopped(s, from, reason, timeout) {
  const ev = await s.waitEvent('stopped', { from, timeout });
  if (reason) assert.equal(ev.body.reason, reason, `stopped reason (event ${JSON.stringify(ev.body)})`);
  if (ev.body.reason !== 'pause') assert.equal(typeof ev.body.threadId, 'number', 'stopped event must carry threadId');
  return ev;
}

/** continue and wait for the next stop. */
export async function continueToStop(s, threadId, reason = 'breakpoint', timeout) {
  const m = s.mark();
  await s.ok('continue', { threadId });
  return waitStopped(s, m, reason, timeout);
}

export async function topFrame(s, threadId) {
  const st = await s.ok('stackTrace', { threadId, startFrame: 0, levels: 20 });
  assert.ok(st.stackFrames.length > 0, 'stack has frames');
  return st.stackFrames[0];
}

export async function scopes(s, frameId) {
  return (await s.ok('scopes', { frameId })).scopes;
}
export function scopeNamed(list, prefix) {
  // Delve 1.20 lists arguments inside "Locals": tolerated only when validating the harness against Delve.
  if (IS_DELVE && prefix === 'Arguments') prefix = 'Locals';
  const sc = list.find((x) => x.name === prefix || x.name.startsWith(prefix));
  assert.ok(sc, `a scope named ${prefix}… in ${JSON.stringify(list.map((x) => x.name))}`);
  return sc;
}
export async function vars(s, variablesReference, extra = {}) {
  assert.ok(variablesReference > 0, `variablesReference ${variablesReference} must be > 0`);
  return (await s.ok('variables', { variablesReference, ...extra })).variables;
}
/** { name: variable } for a scope (Locals by default) of a frame. */
export async function varMap(s, frameId, scope = 'Locals') {
  const sc = scopeNamed(await scopes(s, frameId), scope);
  const m = {};
  for (const v of await vars(s, sc.variablesReference)) m[v.name] = v;
  return m;
}
export function byName(list) {
  const m = {};
  for (const v of list) m[v.name] = v;
  return m;
}

/** Runs the debuggee to its end: expects exited (with code) then terminated. */
export async function runToEnd(s, threadId, expectCode, timeout = 60000) {
  const m = s.mark();
  await s.ok('continue', { threadId });
  const term = await s.waitEvent('terminated', { from: m, timeout });
  const exited = s.events.slice(m).find((e) => e.event === 'exited');
  if (IS_DELVE && !exited) return null; // Delve 1.20 sends no exited event: tolerated only for harness validation
  assert.ok(exited, `an exited event before terminated (events: ${s.events.slice(m).map((e) => e.event).join(',')})`);
  assert.ok(s.events.indexOf(exited) < s.events.indexOf(term), 'exited comes before terminated');
  if (expectCode !== undefined) assert.equal(exited.body.exitCode, expectCode, 'exit code');
  return exited;
}

export function pidAlive(pid) {
  try { process.kill(pid, 0); } catch (e) { return e.code === 'EPERM'; }
  // a zombie is dead for our purposes
  try { return !/^\S+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; }
}
/** pids of processes whose executable is exe (via /proc). */
export function pidsOf(exe) {
  const out = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try { if (fs.readlinkSync(`/proc/${d}/exe`) === exe) out.push(+d); } catch { /* */ }
  }
  return out;
}
export async function eventually(fn, timeout = 10000, what = 'condition') {
  const end = Date.now() + timeout;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > end) throw new Error(`${what} not reached within ${timeout} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Children of a variable; a pointer that expands to one unnamed/"*x" child is followed through it. */
export async function children(s, v, extra = {}) {
  assert.ok(v.variablesReference > 0, `${v.name} (${v.type} = ${v.value}) must be expandable`);
  let kids = await vars(s, v.variablesReference, extra);
  if (kids.length === 1 && (kids[0].name === '' || kids[0].name.startsWith('*')) && kids[0].variablesReference > 0 && !extra.filter) {
    kids = await vars(s, kids[0].variablesReference);
  }
  return kids;
}
/** Children that are real elements/fields (drops pseudo entries such as Delve's "len()"). */
export const real = (kids) => kids.filter((k) => !k.name.endsWith('()'));
/** Strips one level of Go string quotes from a map key name. */
export const unquote = (n) => (n.length >= 2 && n.startsWith('"') && n.endsWith('"') ? n.slice(1, -1) : n);
/** Error text of a failed response: message plus body.error.format. */
export const errorText = (r) => `${r.message || ''} ${(r.body && r.body.error && r.body.error.format) || ''}`.trim();

/** Source line of the instruction `offset` instructions away from pc (a frame's
 *  instructionPointerReference), from the disassemble request; 0 when it has none. */
export async function instructionLine(s, pc, offset = 0) {
  const r = await s.ok('disassemble', { memoryReference: pc, instructionOffset: offset, instructionCount: 1 });
  assert.equal(r.instructions.length, 1, `one instruction at ${pc}${offset ? ` ${offset}` : ''}`);
  return r.instructions[0].line || 0;
}
