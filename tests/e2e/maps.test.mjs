// Maps on every Go: hash buckets (Go <= 1.23) and Swiss tables (Go 1.24+): small maps (one
// group), a 2 000-entry map with deleted slots (a directory of several tables), big keys and
// values stored indirectly, nested, nil and empty maps. Variables (all entries, paged), map
// index expressions, conditions over map lookups, and the trace CLI's argument text.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, IS_DELVE } from './lib/client.mjs';
import { goToolchains, buildProgram } from './lib/gobuild.mjs';
import { runTrace, assertCode } from './lib/trace.mjs';
import * as h from './lib/helpers.mjs';

const T = { timeout: 120000 };
const SRC = h.srcPath('maps');
const BREAK = h.lineOf('maps', '// BREAK maps');
const LARGE = new Map();
for (let i = 0; i < 3000; i++) if (i % 3 !== 0) LARGE.set(String(i), `"v${i}"`);

for (const tc of goToolchains()) {
  describe(`maps go${tc.version}`, () => {
    test('every entry of every map shape in Variables; index expressions', T, async () => {
      const program = buildProgram('maps', tc);
      const s = await startSession('stdio');
      try {
        const m = s.mark();
        await h.launch(s, h.launchArgs({ program }), { breakpoints: { [SRC]: [{ line: BREAK }] } });
        const ev = await h.waitStopped(s, m, 'breakpoint', 60000);
        const f = await h.topFrame(s, ev.body.threadId);
        assert.equal(f.line, BREAK);
        const locals = h.byName(await h.vars(s, h.scopeNamed(await h.scopes(s, f.id), 'Locals').variablesReference));
        assert.equal(locals.small.value, 'map[string]int ["a": 1, "b": 2, "c": 3, ]');
        assert.equal(locals.nilMap.value, 'map[string]int nil');
        assert.equal(locals.emptyMap.value, 'map[int]int []');
        assert.equal(locals.nested.value, 'map[string]map[string]int ["x": ["y": 7, ], ]');
        // 2 000 live entries spread over several tables, 1 000 deleted: each exactly once
        const kids = await s.ok('variables', { variablesReference: locals.large.variablesReference, start: 0, count: 5000 });
        const got = new Map(kids.variables.map((v) => [v.name, v.value]));
        assert.equal(kids.variables.length, 2000, 'every live entry, no deleted one, no duplicate');
        assert.deepEqual(got, LARGE);
        const page = await s.ok('variables', { variablesReference: locals.large.variablesReference, start: 1990, count: 20 });
        assert.equal(page.variables.length, 10, 'the last page');
        // keys and values larger than 128 bytes are stored through pointers
        const big = await h.vars(s, locals.bigKeys.variablesReference);
        assert.equal(big.length, 3);
        for (let i = 0; i < 3; i++) {
          const e = big.find((v) => v.name.includes(`Name: "k${i}"`));
          assert.ok(e, `key k${i} in ${JSON.stringify(big.map((v) => v.name))}`);
          assert.match(e.value, new RegExp(`^main.Big \\{A: \\[20\\]int64 \\[${i},0,.*Name: "v${i}"\\}$`));
        }
        const ev2 = async (expression) => (await s.ok('evaluate', { expression, frameId: f.id, context: 'watch' })).result;
        assert.equal(await ev2('large[2999]'), '"v2999"');
        assert.equal(await ev2('large[1]'), '"v1"');
        assert.equal(await ev2('len(large)'), '2000');
        assert.equal(await ev2('len(bigKeys)'), '3');
        assert.equal(await ev2('small["b"] + nested["x"]["y"]'), '9');
        const missing = await s.fail('evaluate', { expression: 'large[3]', frameId: f.id, context: 'watch' });
        assert.match(h.errorText(missing), /3/);
        await h.runToEnd(s, ev.body.threadId, 0);
      } finally { await s.close(); }
    });

    test('a condition over map lookups decides at the hit; a log point formats the map', T, async () => {
      if (IS_DELVE) return;
      const program = buildProgram('maps', tc);
      const s = await startSession('stdio');
      try {
        const m = s.mark();
        const { fbps } = await h.launch(s, h.launchArgs({ program }), {
          functionBreakpoints: [{ name: 'main.sum', condition: 'k == 2999 && m[k] == "v2999" && len(m) == 2000' }],
        });
        assert.ok(fbps.breakpoints[0].verified, JSON.stringify(fbps.breakpoints[0]));
        const ev = await h.waitStopped(s, m, 'breakpoint', 60000);
        const args = await h.varMap(s, (await h.topFrame(s, ev.body.threadId)).id, 'Arguments');
        assert.equal(args.k.value, '2999', 'only the second call satisfies the condition');
        await h.runToEnd(s, ev.body.threadId, 0);
      } finally { await s.close(); }
    });

    test('gobp-dap trace shows a map argument with its entries and count', T, async () => {
      if (IS_DELVE) return;
      const r = await runTrace(['main\\.sum$', '--', buildProgram('maps', tc)]);
      assertCode(r, 0);
      const calls = r.stderr.split('\n').filter((l) => l.includes('main.sum('));
      assert.equal(calls.length, 2, r.stderr);
      for (const c of calls) assert.match(c, /m=map\[int\]string \[\d+: "v\d+", .*\.\.\.\+1992 more\]/);
    });
  });
}
