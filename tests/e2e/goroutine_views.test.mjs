// Goroutine views, Delve's launch attributes: hideSystemGoroutines (threads leaves out the
// goroutines the runtime started for itself: GC workers, the finalizer, the scavenger... and
// keeps every goroutine of the program and the one of the stop), showPprofLabels (label values
// in thread names) and goroutineFilters (-with/-without userloc, curloc, goloc, startloc,
// label, running, user). Programs: tests/programs/goroutines (12 parked goroutines) and
// tests/programs/labels (4 goroutines with pprof labels job and kind, 2 without).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSession } from './lib/client.mjs';
import { goToolchains, buildProgram } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';

const T = { timeout: 120000 };
const READY = h.lineOf('goroutines', 'return n * 2');
const LABELS_BREAK = h.lineOf('labels', '// BREAK');

/** The function the goroutine's go statement started (the frame under runtime.goexit). */
async function startFunction(s, id) {
  const st = await s.ok('stackTrace', { threadId: id, startFrame: 0, levels: 0 });
  const names = st.stackFrames.map((f) => f.name);
  const i = names.findIndex((n) => /^runtime\.goexit/.test(n));
  return i > 0 ? names[i - 1] : names[names.length - 1];
}

for (const tc of goToolchains()) {
  describe(`goroutine views go${tc.version}`, () => {
    test('hideSystemGoroutines: the program\'s goroutines and the stopped one, not the runtime\'s', T, async () => {
      const lists = {};
      for (const hide of [false, true]) {
        const s = await startSession('stdio');
        try {
          const m = s.mark();
          await h.launch(s, h.launchArgs({ program: buildProgram('goroutines', tc), args: ['10'], hideSystemGoroutines: hide }),
            { breakpoints: { [h.srcPath('goroutines')]: [{ line: READY }] } });
          const ev = await h.waitStopped(s, m, 'breakpoint', 60000);
          const th = (await s.ok('threads')).threads;
          assert.ok(th.some((t) => t.id === ev.body.threadId), 'the stopped goroutine is listed');
          lists[hide] = th;
          if (hide) {
            for (const t of th) assert.doesNotMatch(await startFunction(s, t.id), /^runtime\.(?!main$)/, `${t.name} is the program's`);
          } else {
            const system = [];
            for (const t of th) if (/^runtime\.(?!main$)/.test(await startFunction(s, t.id))) system.push(t.id);
            assert.ok(system.length > 0, 'the runtime has goroutines of its own');
            lists.system = system;
          }
        } finally { await s.close(); }
      }
      // (goroutine ids differ between runs: the two sessions are compared by count)
      assert.equal(lists[true].length, lists[false].length - lists.system.length, 'exactly the runtime\'s are left out');
      assert.equal(lists[true].filter((t) => /main\.worker/.test(t.name)).length, 10, 'the ten workers');
    });

    /** The threads of the labels program stopped at its BREAK, under these attributes. */
    async function labelThreads(extra) {
      const s = await startSession('stdio');
      try {
        const m = s.mark();
        await h.launch(s, h.launchArgs({ program: buildProgram('labels', tc), ...extra }),
          { breakpoints: { [h.srcPath('labels')]: [{ line: LABELS_BREAK }] } });
        const ev = await h.waitStopped(s, m, 'breakpoint', 60000);
        const th = (await s.ok('threads')).threads;
        assert.ok(th.some((t) => t.id === ev.body.threadId), 'the stopped goroutine is always listed');
        return { th, stopped: ev.body.threadId, names: th.map((t) => t.name) };
      } finally { await s.close(); }
    }

    test('showPprofLabels: the values of the labels named in thread names', T, async () => {
      const one = await labelThreads({ showPprofLabels: ['job'] });
      const jobs = one.names.filter((n) => /^\[Go \d+ job-[0-3]\] main\.serve$/.test(n));
      assert.equal(jobs.length, 4, `four goroutines named by their job label: ${one.names.join(' | ')}`);
      assert.equal(one.names.filter((n) => /^\[Go \d+\] main\.idle$/.test(n)).length, 2, 'no label, no value');
      const two = await labelThreads({ showPprofLabels: ['job', 'kind'] });
      assert.ok(two.names.some((n) => /^\[Go \d+ job:job-1 kind:odd\] main\.serve$/.test(n)), two.names.join(' | '));
      const none = await labelThreads({});
      assert.equal(none.names.filter((n) => /^\[Go \d+\] main\.serve$/.test(n)).length, 4, 'labels only when asked');
    });

    test('goroutineFilters: Delve\'s -with/-without filters', T, async () => {
      const serve = (r) => r.th.filter((t) => /main\.serve/.test(t.name)).length;
      const idle = (r) => r.th.filter((t) => /main\.idle/.test(t.name)).length;
      let r = await labelThreads({ goroutineFilters: '-with label kind=odd' });
      assert.deepEqual([serve(r), idle(r), r.th.length], [2, 0, 3], `the odd jobs and the stopped one: ${r.names.join(' | ')}`);
      r = await labelThreads({ goroutineFilters: '-w label job -wo label kind=even' });
      assert.deepEqual([serve(r), r.th.length], [2, 3], r.names.join(' | '));
      r = await labelThreads({ goroutineFilters: '-with userloc main.idle' });
      assert.deepEqual([idle(r), r.th.length], [2, 3], r.names.join(' | '));
      r = await labelThreads({ goroutineFilters: '-without startloc runtime.' });
      assert.deepEqual([serve(r), idle(r), r.th.length], [4, 2, 7], `started by the program: ${r.names.join(' | ')}`);
      r = await labelThreads({ goroutineFilters: '-with curloc runtime.gopark -with goloc main.go' });
      assert.deepEqual([serve(r), idle(r), r.th.length], [4, 2, 7], `parked, started by main: ${r.names.join(' | ')}`);
      r = await labelThreads({ goroutineFilters: '-with user -without running' });
      assert.deepEqual([serve(r), idle(r)], [4, 2], r.names.join(' | '));
      r = await labelThreads({ goroutineFilters: '-without user' });
      assert.deepEqual([serve(r), idle(r)], [0, 0], 'only the runtime\'s goroutines (and the stopped one)');
      assert.ok(r.th.length > 1, r.names.join(' | '));

      const s = await startSession('stdio');
      try {
        await h.initialize(s);
        const bad = await s.req('launch', h.launchArgs({ program: buildProgram('labels', tc), goroutineFilters: '-with nonsense' }), 60000);
        assert.equal(bad.success, false);
        assert.match(h.errorText(bad), /launch: goroutineFilters: "-with nonsense" is not a goroutine filter/);
      } finally { await s.close(); }
    });
  });
}
