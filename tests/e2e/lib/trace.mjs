// Helpers of the call-tracing tests: running `gobp-dap trace`, reading its outputs (text tree,
// JSON lines, Chrome trace events, the summary) and checking that records form a consistent
// call forest.
import fs from 'node:fs';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { ADAPTER } from './client.mjs';
import { tmpDir } from './gobuild.mjs';

/** Runs `gobp-dap trace ...argv`; resolves {code, signal, stdout, stderr, peakKb, argv}.
 *  peakKb: gobp-dap's own VmHWM (peak RSS), sampled from /proc while it runs.
 *  onSpawn(proc) is called once it started. */
export function runTrace(argv, { timeout = 120000, cwd = tmpDir(), onSpawn } = {}) {
  const full = ['trace', ...argv];
  return new Promise((resolve, reject) => {
    const proc = spawn(ADAPTER, full, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peakKb = 0;
    const sample = () => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${proc.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, +m[1]);
      } catch { /* gone */ }
    };
    const sampler = setInterval(sample, 100);
    proc.stdout.on('data', (d) => { stdout += d; });
    proc.stderr.on('data', (d) => { stderr += d; sample(); });
    const t = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`gobp-dap ${full.join(' ')} still running after ${timeout} ms\nstdout: ${stdout.slice(-1000)}\nstderr: ${stderr.slice(-2000)}`));
    }, timeout);
    proc.on('error', (e) => { clearTimeout(t); clearInterval(sampler); reject(e); });
    proc.on('exit', () => sample());
    proc.on('close', (code, signal) => { clearTimeout(t); clearInterval(sampler); resolve({ code, signal, stdout, stderr, peakKb, argv: full }); });
    if (onSpawn) onSpawn(proc);
  });
}

export function assertCode(r, code) {
  assert.equal(r.signal, null, `gobp-dap ended by a signal ${r.signal}\nstderr: ${r.stderr.slice(-2000)}`);
  assert.equal(r.code, code, `exit code of gobp-dap ${r.argv.join(' ')}\nstdout: ${r.stdout.slice(-1000)}\nstderr: ${r.stderr.slice(-3000)}`);
}

let counter = 0;
/** A fresh file path in the run's temporary directory. */
export function tmpFile(ext) {
  return `${tmpDir()}/trace-${process.pid}-${++counter}.${ext}`;
}

const REC_KEYS = ['id', 'parent', 'goroutine', 'depth', 'function', 'args', 'results', 'start_ns', 'duration_ns', 'self_ns', 'end'];
export const ENDS = ['return', 'panic', 'goexit', 'unfinished'];

/** Every line of a JSON lines trace parsed and shape-checked. */
export function readJsonl(file) {
  const text = fs.readFileSync(file, 'utf8');
  assert.ok(text === '' || text.endsWith('\n'), 'the JSON lines file ends with a newline');
  const recs = text.split('\n').filter((l) => l !== '').map((l, i) => {
    let r;
    try { r = JSON.parse(l); } catch (e) { assert.fail(`line ${i + 1} of ${file} is not JSON (${e.message}): ${l.slice(0, 300)}`); }
    assert.deepEqual(Object.keys(r).sort(), [...REC_KEYS].sort(), `record keys: ${l.slice(0, 300)}`);
    for (const k of ['id', 'parent', 'goroutine', 'depth', 'start_ns', 'duration_ns', 'self_ns']) {
      assert.ok(Number.isInteger(r[k]) && r[k] >= 0, `${k} is a non-negative integer: ${l.slice(0, 300)}`);
    }
    assert.ok(r.id > 0 && r.goroutine > 0, `id and goroutine > 0: ${l.slice(0, 300)}`);
    assert.equal(typeof r.function, 'string');
    for (const k of ['args', 'results']) {
      assert.equal(typeof r[k], 'object');
      for (const v of Object.values(r[k])) assert.equal(typeof v, 'string', `${k} values are strings: ${l.slice(0, 300)}`);
    }
    assert.ok(ENDS.includes(r.end), `end is one of ${ENDS}: ${r.end}`);
    assert.ok(r.self_ns <= r.duration_ns, `self <= duration: ${l.slice(0, 300)}`);
    return r;
  });
  return recs;
}

/**
 * Checks records (JSON lines shape) form a call forest: unique ids, every parent recorded on the
 * same goroutine with depth one less, a parent starts before and ends after its children, entry
 * order matches id order, self = duration - children's durations. With complete (nothing sampled
 * or limited), the ids are exactly 1..N. Returns {byId, children: Map(id → [records])}.
 */
export function checkForest(recs, { complete = true } = {}) {
  const byId = new Map();
  for (const r of recs) {
    assert.ok(!byId.has(r.id), `id ${r.id} appears once`);
    byId.set(r.id, r);
  }
  if (complete) {
    const ids = [...byId.keys()].sort((x, y) => x - y);
    assert.deepEqual(ids, ids.map((_, i) => i + 1), 'ids are 1..N');
  }
  const children = new Map();
  for (const r of recs) {
    const end = r.start_ns + r.duration_ns;
    if (r.parent === 0) {
      assert.equal(r.depth, 0, `a root call has depth 0: ${JSON.stringify(r)}`);
      continue;
    }
    const p = byId.get(r.parent);
    assert.ok(p, `parent ${r.parent} of ${r.function}#${r.id} is recorded`);
    assert.equal(p.goroutine, r.goroutine, `${r.function}#${r.id} is on its parent's goroutine`);
    assert.equal(r.depth, p.depth + 1, `${r.function}#${r.id} depth = parent depth + 1`);
    assert.ok(p.id < r.id, `parent ${p.id} entered before child ${r.id}`);
    assert.ok(p.start_ns <= r.start_ns, `${p.function}#${p.id} starts before its child ${r.function}#${r.id}`);
    assert.ok(p.start_ns + p.duration_ns >= end, `${p.function}#${p.id} ends after its child ${r.function}#${r.id}`);
    if (!children.has(p.id)) children.set(p.id, []);
    children.get(p.id).push(r);
  }
  for (const r of recs) {
    const kids = children.get(r.id) || [];
    const sum = kids.reduce((s, k) => s + k.duration_ns, 0);
    assert.ok(r.duration_ns >= sum, `${r.function}#${r.id}: duration ${r.duration_ns} >= children's ${sum}`);
    assert.equal(r.self_ns, r.duration_ns - sum, `${r.function}#${r.id}: self = duration - children`);
  }
  // records of one goroutine at one depth never overlap in time
  const lanes = new Map();
  for (const r of recs) {
    const k = `${r.goroutine}/${r.parent}`;
    if (!lanes.has(k)) lanes.set(k, []);
    lanes.get(k).push(r);
  }
  for (const list of lanes.values()) {
    list.sort((x, y) => x.id - y.id);
    for (let i = 1; i < list.length; i++) {
      assert.ok(list[i].start_ns >= list[i - 1].start_ns + list[i - 1].duration_ns,
        `siblings ${list[i - 1].function}#${list[i - 1].id} and ${list[i].function}#${list[i].id} do not overlap`);
    }
  }
  return { byId, children };
}

/** Go's time.Duration spelling as printed by the text tree → ns (rounded values). */
export const DUR_RE = /(\d+ns|\d+\.\dµs|\d+\.\dms|\d+\.\d\ds)/;
export function durationNs(text) {
  const m = /^(\d+(?:\.\d+)?)(ns|µs|ms|s)$/.exec(text);
  assert.ok(m, `a duration: ${text}`);
  return +m[1] * { ns: 1, µs: 1e3, ms: 1e6, s: 1e9 }[m[2]];
}

/** The summary block: {calls, functions, rows: {fn: {calls, total, self, mean, max}} (ms)}. */
export function parseSummary(text) {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => /^trace summary: /.test(l));
  assert.ok(i >= 0, `a "trace summary:" line in:\n${text.slice(-3000)}`);
  const m = /^trace summary: (\d+) calls, (\d+) functions$/.exec(lines[i]);
  assert.ok(m, `summary line shape: ${lines[i]}`);
  assert.match(lines[i + 1], /^\s+calls\s+total\s+self\s+mean\s+max\s+function$/, 'summary header');
  const rows = {};
  const n = +m[2];
  for (let k = 0; k < n; k++) {
    const l = lines[i + 2 + k];
    const r = /^\s*(\d+)\s+(\d+\.\d{3})ms\s+(\d+\.\d{3})ms\s+(\d+\.\d{3})ms\s+(\d+\.\d{3})ms\s+(\S+)$/.exec(l || '');
    assert.ok(r, `summary row shape: ${l}`);
    rows[r[6]] = { calls: +r[1], total: +r[2], self: +r[3], mean: +r[4], max: +r[5] };
  }
  const totals = Object.values(rows).map((r) => r.total);
  for (let k = 1; k < totals.length; k++) assert.ok(totals[k - 1] >= totals[k], 'summary sorted by total time');
  return { calls: +m[1], functions: n, rows };
}

/** Summary numbers agree with the records (JSON lines shape): calls, total, self, max per function. */
export function checkSummary(sum, recs) {
  assert.equal(sum.calls, recs.length, 'summary call count = records');
  const per = {};
  for (const r of recs) {
    const f = (per[r.function] ||= { calls: 0, total: 0, self: 0, max: 0 });
    f.calls++;
    f.total += r.duration_ns;
    f.self += r.self_ns;
    f.max = Math.max(f.max, r.duration_ns);
  }
  assert.deepEqual(Object.keys(sum.rows).sort(), Object.keys(per).sort(), 'summary functions = recorded functions');
  assert.equal(sum.functions, Object.keys(per).length);
  for (const [fn, f] of Object.entries(per)) {
    const row = sum.rows[fn];
    assert.equal(row.calls, f.calls, `${fn}: summary calls`);
    assert.ok(row.total >= row.self, `${fn}: total >= self`);
    assert.ok(row.max <= row.total + 0.0005, `${fn}: max <= total`);
    assert.ok(Math.abs(row.total - f.total / 1e6) <= 0.0006, `${fn}: summary total ${row.total} ms = sum of durations ${f.total / 1e6} ms`);
    assert.ok(Math.abs(row.self - f.self / 1e6) <= 0.0006, `${fn}: summary self ${row.self} ms = sum of self ${f.self / 1e6} ms`);
    assert.ok(Math.abs(row.max - f.max / 1e6) <= 0.0006, `${fn}: summary max ${row.max} ms = max duration ${f.max / 1e6} ms`);
    assert.ok(Math.abs(row.mean - f.total / 1e6 / f.calls) <= 0.0006, `${fn}: summary mean`);
  }
}

/** A Chrome trace file: parsed, every event shape-checked. Returns {x: [X events], meta: Map(tid → name)}. */
export function readChrome(file) {
  const text = fs.readFileSync(file, 'utf8');
  let doc;
  try { doc = JSON.parse(text); } catch (e) { assert.fail(`${file} is not JSON (${e.message}): ${text.slice(0, 300)} ... ${text.slice(-300)}`); }
  assert.ok(Array.isArray(doc.traceEvents), 'traceEvents is an array');
  const x = [];
  const meta = new Map();
  for (const e of doc.traceEvents) {
    if (e.ph === 'M') {
      assert.equal(e.name, 'thread_name', `metadata event: ${JSON.stringify(e)}`);
      assert.ok(Number.isInteger(e.tid) && typeof e.pid === 'number', `metadata pid/tid: ${JSON.stringify(e)}`);
      assert.ok(!meta.has(e.tid), `one thread_name per goroutine (tid ${e.tid})`);
      meta.set(e.tid, e.args && e.args.name);
      continue;
    }
    assert.equal(e.ph, 'X', `only X and M events: ${JSON.stringify(e)}`);
    assert.equal(typeof e.name, 'string');
    for (const k of ['ts', 'dur', 'pid', 'tid']) assert.ok(typeof e[k] === 'number' && e[k] >= 0, `X event ${k}: ${JSON.stringify(e)}`);
    assert.ok(e.args && typeof e.args.args === 'object' && typeof e.args.results === 'object', `X event args: ${JSON.stringify(e)}`);
    assert.ok(ENDS.includes(e.args.end), `X event args.end: ${JSON.stringify(e)}`);
    x.push(e);
  }
  for (const e of x) assert.equal(meta.get(e.tid), `G${e.tid}`, `thread_name metadata "G${e.tid}" for tid ${e.tid}`);
  return { x, meta };
}

/** Records of function fn (a string or RegExp). */
export const of = (recs, fn) => recs.filter((r) => (fn instanceof RegExp ? fn.test(r.function) : r.function === fn));
