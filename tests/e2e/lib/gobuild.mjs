// Builds the Go test programs with every installed Go toolchain, cached per test run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

export const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
export const PROGRAMS = path.join(REPO, 'tests/programs');

/** Absolute paths of the installed toolchains of scripts/go-toolchains, oldest first. */
function candidates() {
  const out = execFileSync(path.join(REPO, 'scripts/go-toolchain.sh'), { encoding: 'utf8' });
  return out.split('\n').filter(Boolean);
}

let toolchains = null;
/** [{ version: '1.19', goBin, full: 'go1.19.8' }] for every installed Go of scripts/go-toolchains
 *  (by absolute path, never from PATH), filtered by GOBP_GO_VERSIONS (comma list such as
 *  "1.19,1.26"). With GOBP_DAP=dlv (Delve 1.20 validation) default to 1.19. */
export function goToolchains() {
  if (toolchains) return toolchains;
  const seen = new Set();
  const out = [];
  for (const bin of candidates()) {
    let full;
    try { full = execFileSync(bin, ['env', 'GOVERSION'], { encoding: 'utf8', env: goEnv() }).trim(); } catch { continue; }
    const m = /^go(\d+\.\d+)/.exec(full);
    if (!m || seen.has(m[1])) continue;
    seen.add(m[1]);
    out.push({ version: m[1], goBin: bin, full });
  }
  let want = process.env.GOBP_GO_VERSIONS;
  if (!want && /(^|\/)dlv$/.test(process.env.GOBP_DAP || '')) want = '1.19';
  toolchains = want ? out.filter((t) => want.split(',').map((s) => s.trim()).includes(t.version)) : out;
  if (toolchains.length === 0) throw new Error(`no Go toolchain matches GOBP_GO_VERSIONS=${want}`);
  return toolchains;
}

let tmpRoot = null;
export function tmpDir() {
  if (!tmpRoot) {
    tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'gobp-e2e-'));
    process.on('exit', () => { try { fs.rmSync(tmpRoot, { recursive: true, force: true }); } catch { /* */ } });
  }
  return tmpRoot;
}

function goEnv(extra = {}) {
  const t = tmpDir();
  return { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local', GOPROXY: 'off', CGO_ENABLED: '0',
    GOCACHE: process.env.GOCACHE || path.join(os.homedir(), '.cache/go-build'), GOPATH: process.env.GOPATH || path.join(t, 'gopath'), ...extra };
}

const cache = new Map();
/** Builds tests/programs/<prog> (or an absolute dir) with toolchain tc; returns the binary path.
 *  opts.ldflags (e.g. '-s -w'), opts.gcflags (default 'all=-N -l'), opts.cgo (CGO_ENABLED=1: a
 *  dynamically linked program when it uses cgo), opts.race (-race, with cgo), opts.trimpath,
 *  opts.buildmode (e.g. 'pie': a position-independent executable, named <prog>-goX.Y-pie). */
export function buildProgram(prog, tc, opts = {}) {
  const dir = path.isAbsolute(prog) ? prog : path.join(PROGRAMS, prog);
  const gcflags = opts.gcflags ?? 'all=-N -l';
  const cgo = !!(opts.cgo || opts.race);
  const key = JSON.stringify([dir, tc.goBin, gcflags, opts.ldflags || '', cgo, !!opts.race, !!opts.trimpath, opts.buildmode || '']);
  if (cache.has(key)) return cache.get(key);
  const tag = (opts.ldflags ? `-ld${opts.ldflags.replace(/[^a-z]/g, '')}` : '') + (gcflags ? '' : '-opt') +
    (cgo ? '-cgo' : '') + (opts.race ? '-race' : '') + (opts.trimpath ? '-trimpath' : '') +
    (opts.buildmode ? `-${opts.buildmode}` : '');
  const out = path.join(tmpDir(), `${path.basename(dir)}-go${tc.version}${tag}`);
  const args = ['build', '-o', out, `-gcflags=${gcflags}`];
  if (opts.ldflags) args.push(`-ldflags=${opts.ldflags}`);
  if (opts.race) args.push('-race');
  if (opts.trimpath) args.push('-trimpath');
  if (opts.buildmode) args.push(`-buildmode=${opts.buildmode}`);
  args.push('.');
  execFileSync(tc.goBin, args, { cwd: dir, env: goEnv(cgo ? { CGO_ENABLED: '1' } : {}), stdio: ['ignore', 'pipe', 'pipe'] });
  cache.set(key, out);
  return out;
}

/** PATH with tc's go first, so a `mode: "debug"` launch builds with that toolchain. */
export function pathWithGo(tc) {
  return `${path.dirname(fs.realpathSync(tc.goBin))}:${process.env.PATH}`;
}
