// completions in the debug console (issue 11, item 6): locals and arguments, fields after a dot
// (through pointers, nested), a package's globals and functions after its name, builtins.
// Program: tests/programs/values, stopped in main.values, on every Go.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSession } from './lib/client.mjs';
import { goToolchains, buildProgram } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';

const T = { timeout: 120000 };
const SRC = h.srcPath('values');
const BREAK = h.lineOf('values', '// BREAK values');

for (const tc of goToolchains()) {
  describe(`completions go${tc.version}`, () => {
    test('locals, fields through pointers, package members, builtins', T, async () => {
      const s = await startSession('stdio');
      try {
        const caps = await h.initialize(s);
        assert.equal(caps.supportsCompletionsRequest, true);
        const m = s.mark();
        await h.launch(s, h.launchArgs({ program: buildProgram('values', tc) }), { breakpoints: { [SRC]: [{ line: BREAK }] } });
        const ev = await h.waitStopped(s, m, 'breakpoint', 60000);
        const frameId = (await h.topFrame(s, ev.body.threadId)).id;
        const labels = async (text, column = text.length + 1) =>
          (await s.ok('completions', { frameId, text, column })).targets.map((x) => x.label).sort();
        assert.deepEqual(await labels('pp.'), ['Age', 'Home', 'Name', 'Tags'], 'the fields of *Person');
        assert.deepEqual(await labels('pp.Ho'), ['Home']);
        assert.deepEqual(await labels('pp.Home.'), ['City', 'Zip'], 'nested, through the pointer');
        assert.deepEqual(await labels('x := p.N'), ['Name'], 'after other text');
        const local = await labels('nilS');
        assert.deepEqual(local, ['nilSlice']);
        const all = await labels('');
        for (const n of ['pp', 'u64', 'counter', 'greeting', 'decide', 'len']) assert.ok(all.includes(n), `${n} among ${all.join(' ')}`);
        const main = await labels('main.');
        for (const n of ['counter', 'greeting', 'decide', 'values', 'main']) assert.ok(main.includes(n), `main.${n} among ${main.join(' ')}`);
        assert.ok((await labels('strings.Rep')).includes('Repeat'), 'another package\'s function');
        assert.deepEqual(await labels('pp.Name', 4), ['Age', 'Home', 'Name', 'Tags'], 'the cursor, not the end, decides');
        assert.deepEqual(await labels('nosuch.'), [], 'nothing to complete: an empty list');
      } finally { await s.close(); }
    });
  });
}
