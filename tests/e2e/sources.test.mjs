// breakpointLocations (the lines of a range that take a breakpoint: never a blank or comment
// line, every line a breakpoint verifies on) and loadedSources (the program's files, editor
// paths through substitutePath). Program: tests/programs/values.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startSession, IS_DELVE } from './lib/client.mjs';
import { goToolchains, buildProgram } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';

const T = { timeout: 120000 };
const SRC = h.srcPath('values');
const TEXT = fs.readFileSync(SRC, 'utf8').split('\n');

for (const tc of goToolchains()) {
  describe(`sources go${tc.version}`, () => {
    test('breakpointLocations over the whole file: code lines only, each one a breakpoint verifies on unmoved', T, async () => {
      const s = await startSession('stdio');
      try {
        const m = s.mark();
        await h.launch(s, h.launchArgs({ program: buildProgram('values', tc) }), { breakpoints: { [SRC]: [{ line: h.lineOf('values', '// BREAK values') }] } });
        await h.waitStopped(s, m, 'breakpoint', 60000);
        const r = await s.ok('breakpointLocations', { source: { path: SRC }, line: 1, endLine: TEXT.length });
        const lines = r.breakpoints.map((b) => b.line);
        assert.ok(lines.length > 20, `lines with code: ${lines}`);
        assert.deepEqual(lines, [...lines].sort((a, b) => a - b), 'ascending');
        assert.equal(new Set(lines).size, lines.length, 'each line once');
        for (const l of lines) {
          const text = TEXT[l - 1].trim();
          assert.ok(text !== '' && !text.startsWith('//'), `line ${l} is code: "${text}"`);
        }
        assert.ok(lines.includes(h.lineOf('values', 'half := n / 2')));
        const sample = lines.filter((_, i) => i % 5 === 0);
        const b = await s.ok('setBreakpoints', { source: { path: SRC }, breakpoints: sample.map((line) => ({ line })), lines: sample });
        for (const [i, bp] of b.breakpoints.entries()) {
          assert.equal(bp.verified, true, `line ${sample[i]}: ${JSON.stringify(bp)}`);
          assert.equal(bp.line, sample[i], 'a breakpoint there stays on that line');
        }
        const one = await s.ok('breakpointLocations', { source: { path: SRC }, line: h.lineOf('values', 'half := n / 2') });
        assert.deepEqual(one.breakpoints, [{ line: h.lineOf('values', 'half := n / 2') }], 'one line asked: that line');
        const none = await s.ok('breakpointLocations', { source: { path: '/nowhere/else.go' }, line: 1, endLine: 10 });
        assert.deepEqual(none.breakpoints, [], 'a file the program does not have: none');
        const bad = await s.fail('breakpointLocations', { source: { path: SRC }, line: 10, endLine: 2 });
        assert.match(bad.message, /endLine/);
      } finally { await s.close(); }
    });

    test('loadedSources: the program\'s files and the runtime\'s, through substitutePath', T, async () => {
      if (IS_DELVE) return;
      const s = await startSession('stdio');
      try {
        const m = s.mark();
        const editorDir = '/home/someone/values';
        await h.launch(s, h.launchArgs({ program: buildProgram('values', tc), stopOnEntry: true,
          substitutePath: [{ from: editorDir, to: path.dirname(SRC) }] }));
        await h.waitStopped(s, m, null, 60000);
        const r = await s.ok('loadedSources', {});
        const paths = r.sources.map((x) => x.path);
        assert.ok(paths.includes(`${editorDir}/main.go`), 'the program\'s file, as the editor names it');
        assert.ok(!paths.includes(SRC), 'not under the binary\'s name');
        assert.ok(paths.some((p) => /\/runtime\/proc\.go$/.test(p)), 'the runtime\'s files');
        assert.ok(r.sources.every((x) => x.name === path.basename(x.path)));
        assert.equal(new Set(paths).size, paths.length, 'each file once');
      } finally { await s.close(); }
    });
  });
}
