// stepInTargets (issue 11, item 6): the calls of the current line a step in can go into, in
// call order; stepIn with one's targetId stops in that function only (not in the calls before
// it); on a line with a single call it is the only target. Program: tests/programs/handlers
// (shapes), on every Go.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSession } from './lib/client.mjs';
import { goToolchains, buildProgram } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';

const T = { timeout: 120000 };
const SRC = h.srcPath('handlers');
const LINE = h.lineOf('handlers', 'fmt.Println("compute", compute(5))');

for (const tc of goToolchains()) {
  describe(`step in targets go${tc.version}`, () => {
    test('the line\'s calls; stepIn into the second one passes the first', T, async () => {
      const s = await startSession('stdio');
      try {
        const caps = await h.initialize(s);
        assert.equal(caps.supportsStepInTargetsRequest, true);
        const m = s.mark();
        await h.launch(s, h.launchArgs({ program: buildProgram('handlers', tc), args: ['shapes'] }),
          { breakpoints: { [SRC]: [{ line: LINE }] } });
        const ev = await h.waitStopped(s, m, 'breakpoint', 60000);
        const g = ev.body.threadId;
        const top = await h.topFrame(s, g);
        const r = await s.ok('stepInTargets', { frameId: top.id });
        const labels = r.targets.map((x) => x.label);
        assert.ok(labels.indexOf('main.compute') >= 0 && labels.indexOf('fmt.Println') > labels.indexOf('main.compute'),
          `compute, then fmt.Println: ${labels}`);
        assert.ok(r.targets.every((x) => x.line === LINE));
        assert.ok(!labels.some((l) => l.startsWith('runtime.')), 'no runtime function');
        const println = r.targets.find((x) => x.label === 'fmt.Println');
        const mm = s.mark();
        await s.ok('stepIn', { threadId: g, targetId: println.id });
        await h.waitStopped(s, mm, 'step', 60000);
        const at = await h.topFrame(s, g);
        assert.equal(at.name, 'fmt.Println', 'in the chosen call, past compute');
        await s.ok('setBreakpoints', { source: { path: SRC }, breakpoints: [], lines: [] });
        await h.runToEnd(s, g, 0);
        assert.match(s.output('stdout'), /^compute 26$/m);
      } finally { await s.close(); }
    });
  });
}
