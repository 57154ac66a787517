// The plugin header as users get it: `make install` puts gobp/plugin.h and gobp-plugin.pc under a
// prefix; a plugin that includes only that header and exports only gobp_on_enter builds with
// `cc -shared -fPIC $(pkg-config --cflags gobp-plugin)` and runs. Also: handlers on a function the
// compiler inlined (an optimized build) are reported, never silently missed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { ADAPTER, IS_DELVE } from './lib/client.mjs';
import { REPO, goToolchains } from './lib/gobuild.mjs';

const T = { timeout: 180000 };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gobp-install-'));

test('make install: the header and gobp-plugin.pc build a minimal plugin that loads and runs', T, () => {
  if (IS_DELVE) return;
  const build = path.relative(REPO, path.dirname(ADAPTER));
  const dest = path.join(tmp, 'root');
  execFileSync('make', ['-s', '-C', REPO, 'install', `B=${build}`, 'PREFIX=/opt/gobp', `DESTDIR=${dest}`], { stdio: 'pipe' });
  const pcdir = path.join(dest, 'opt/gobp/lib/pkgconfig');
  assert.ok(fs.existsSync(path.join(dest, 'opt/gobp/include/gobp/plugin.h')), 'header installed');
  const cflags = execFileSync('pkg-config', ['--cflags', 'gobp-plugin'], {
    encoding: 'utf8', env: { ...process.env, PKG_CONFIG_PATH: pcdir, PKG_CONFIG_SYSROOT_DIR: dest },
  }).trim();
  assert.match(cflags, /-I\S*opt\/gobp\/include/);
  const src = path.join(tmp, 'minimal.c');
  fs.writeFileSync(src, '#include <gobp/plugin.h>\n'
    + 'gobp_action gobp_on_enter(gobp_call *call) {\n'
    + '    gobp_log(call, "minimal: %s hit %llu", gobp_function(call), (unsigned long long)gobp_hit_count(call));\n'
    + '    return GOBP_CONTINUE;\n}\n');
  const so = path.join(tmp, 'minimal.so');
  execFileSync('sh', ['-c', `cc -shared -fPIC ${cflags} -o ${so} ${src}`], { stdio: 'pipe' });
  const tc = goToolchains()[0];
  const prog = path.join(tmp, 'hello');
  execFileSync(tc.goBin, ['build', '-gcflags=all=-N -l', '-o', prog, '.'], { cwd: path.join(REPO, 'tests/programs/hello'), stdio: 'pipe' });
  const r = spawnSync(ADAPTER, ['run', '--handler', `main.greet=${so}`, '--', prog], { encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^hello, world$/m);
  assert.match(r.stderr, /\[minimal\.so\] minimal: main\.greet hit 1/);
});

const INLINED = `package main

import (
	"fmt"
	"os"
)

func small(n int) int { return n + 1 }

//go:noinline
func apply(f func(int) int, n int) int { return f(n) }

func tiny(n int) int { return n * 2 }

func main() {
	fmt.Println(small(len(os.Args)), apply(small, 2), tiny(len(os.Args)))
}
`;

test('an optimized build: a function inlined everywhere is refused with the reason; one with an out-of-line copy is traced there with a warning', T, () => {
  if (IS_DELVE) return;
  const dir = path.join(tmp, 'inlined');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'main.go'), INLINED);
  fs.writeFileSync(path.join(dir, 'go.mod'), 'module inlined\n\ngo 1.19\n');
  const so = path.join(tmp, 'count.so');
  const src = path.join(tmp, 'count.c');
  fs.writeFileSync(src, '#include <gobp/plugin.h>\n'
    + 'gobp_action gobp_on_enter(gobp_call *c) { gobp_log(c, "count: %llu", (unsigned long long)gobp_hit_count(c)); return GOBP_CONTINUE; }\n');
  execFileSync('cc', ['-shared', '-fPIC', `-I${path.join(REPO, 'core/include')}`, '-o', so, src]);
  for (const tc of goToolchains()) {
    const prog = path.join(tmp, `inlined-${tc.version}`);
    execFileSync(tc.goBin, ['build', '-o', prog, '.'], { cwd: dir, stdio: 'pipe' });   // optimized: inlining on
    const everywhere = spawnSync(ADAPTER, ['run', '--handler', `main.tiny=${so}`, '--', prog], { encoding: 'utf8', timeout: 60000 });
    assert.equal(everywhere.status, 2, `${tc.full}: ${everywhere.stderr}`);
    assert.match(everywhere.stderr, /main\.tiny is inlined everywhere/, tc.full);
    assert.equal(everywhere.stdout, '', 'the program did not run');
    const partly = spawnSync(ADAPTER, ['run', '--handler', `main.small=${so}`, '--', prog], { encoding: 'utf8', timeout: 60000 });
    assert.equal(partly.status, 0, `${tc.full}: ${partly.stderr}`);
    assert.equal(partly.stdout, '2 3 2\n');
    assert.match(partly.stderr, /main\.small is also inlined into some callers/, tc.full);
    assert.match(partly.stderr, /\[count\.so\] count: 1/, `${tc.full}: the out-of-line copy (called through apply) is seen`);
  }
});
