// Handler-breakpoint plugins for the e2e tests: compiles the example plugins (plugins/*.c) and
// the test plugins (tests/plugins/*.c) with cc -shared -fPIC -I<repo>/core/include into the
// run's temp dir, once per run; helpers for handler launch attributes and output text.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { REPO, tmpDir } from './gobuild.mjs';

export const INCLUDE = path.join(REPO, 'core/include');
const SOURCES = { example: path.join(REPO, 'plugins'), test: path.join(REPO, 'tests/plugins') };
const CC = process.env.CC || 'cc';

let outDir = null;
const built = new Map();

/** Absolute path of plugin `name` (e.g. 'inject', 'force', 'crash') built from plugins/ or
 *  tests/plugins/. With `copy`, a private copy `<name>-<copy>.so` (another file, so a second
 *  handler using the same plugin with another config gets its own dlopen instance). */
export function plugin(name, { copy } = {}) {
  if (!outDir) {
    outDir = path.join(tmpDir(), 'plugins');
    fs.mkdirSync(outDir, { recursive: true });
  }
  if (!built.has(name)) {
    const src = Object.values(SOURCES).map((d) => path.join(d, `${name}.c`)).find((f) => fs.existsSync(f));
    if (!src) throw new Error(`no plugin source ${name}.c in plugins/ or tests/plugins/`);
    const so = path.join(outDir, `${name}.so`);
    try {
      execFileSync(CC, ['-O2', '-g', '-Wall', '-Wextra', '-Werror', '-shared', '-fPIC', `-I${INCLUDE}`, '-o', so, src, '-lpthread'],
        { stdio: ['ignore', 'pipe', 'pipe'], cwd: path.dirname(src) });
    } catch (e) {
      throw new Error(`compiling ${src} failed:\n${e.stderr}`);
    }
    built.set(name, so);
  }
  const so = built.get(name);
  if (!copy) return so;
  const dup = path.join(outDir, `${name}-${copy}.so`);
  if (!fs.existsSync(dup)) fs.copyFileSync(so, dup);
  return dup;
}

let uniq = 0;
/** A handler object for launch/setHandlerBreakpoints. `copy: true` gives the plugin file a
 *  private copy (needed when one test uses one plugin with different configs). */
export function handler(fn, name, config, { copy = false } = {}) {
  const h = { function: fn, plugin: plugin(name, copy ? { copy: `${++uniq}` } : {}) };
  if (config !== undefined) h.config = config;
  return h;
}

/** `--handler FUNC=PLUGIN.so[:CONFIG]` for `gobp-dap run`. */
export function runFlag(h) {
  return ['--handler', `${h.function}=${h.plugin}${h.config ? ':' + h.config : ''}`];
}

/** Everything but the program's stdout: plugin log lines, handler problems (console, stderr,
 *  important, ...). Program stderr is included too (the tests' programs write none). */
export function adapterText(s) {
  return s.events.filter((e) => e.event === 'output' && e.body.category !== 'stdout').map((e) => e.body.output).join('');
}

/** Each output event (not stdout) as one string, for "the same message names X and says Y". */
export function adapterMessages(s) {
  return s.events.filter((e) => e.event === 'output' && e.body.category !== 'stdout').map((e) => e.body.output);
}

/** Asserts one output message (not stdout) matches every regexp in res. */
export function assertMessage(s, res, what) {
  const msgs = adapterMessages(s);
  assert.ok(msgs.some((m) => res.every((re) => re.test(m))),
    `${what}: an output event matching ${res.map(String).join(' and ')}; got:\n${msgs.join('').slice(-3000)}`);
}

/** The program's stdout as lines. */
export function stdoutLines(s) {
  return s.output('stdout').split('\n').filter((l) => l !== '');
}

/** The line of lines starting with `prefix + ' '` (exactly one expected). */
export function lineStarting(lines, prefix) {
  const found = lines.filter((l) => l.startsWith(prefix + ' '));
  assert.equal(found.length, 1, `exactly one "${prefix} ..." line in the program output:\n${lines.join('\n')}`);
  return found[0];
}

/** The program's expected `shapes` output, line by line (see tests/programs/handlers). */
export const SHAPES = {
  compute: 'compute 26',
  pair: 'pair 2 "go!"',
  lookup: 'lookup "value-k" <nil> eof=false',
  read: 'read 4 <nil> eof=false',
  ratio: 'ratio 1.5 true',
  point: 'point 4 2 "p4"',
  many: 'many 11 12 13 14 15 16 17 18 19 20 21',
  iface: 'iface 7 nil=false',
  add: 'add 15',
  get: 'get 3',
  adder: 'adder 101',
  'max-int': 'max-int 7',
  'max-float': 'max-float 2.5',
  sum: 'sum 10',
  wide: 'wide 78',
  greet: 'greet hello, world',
};

/** Asserts the `shapes` output equals SHAPES with `changed` lines replaced ({key: line}). */
export function assertShapes(lines, changed = {}, what = 'program output') {
  const want = Object.entries(SHAPES).map(([k, v]) => (k in changed ? changed[k] : v));
  assert.deepEqual(lines, want, what);
}
