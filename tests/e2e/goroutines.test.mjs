// 10000 goroutines parked on a channel, a mutex and a select: threads and their stacks.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSession } from './lib/client.mjs';
import { goToolchains, buildProgram } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';

const T = { timeout: 240000 };
const N = 10000;
const READY = h.lineOf('goroutines', 'return n * 2');
const SRC = h.srcPath('goroutines');

/** A goroutine whose stack has fn: by thread name first, else by walking stacks from the newest. */
async function findGoroutine(s, threads, fn) {
  const named = threads.find((t) => t.name.includes(fn));
  const order = named ? [named] : [...threads].sort((a, b) => b.id - a.id).slice(0, 60);
  for (const t of order) {
    const st = await s.ok('stackTrace', { threadId: t.id, startFrame: 0, levels: 30 });
    if (st.stackFrames.some((f) => f.name === fn)) return { t, frames: st.stackFrames };
  }
  throw new Error(`no goroutine with ${fn} on its stack`);
}

for (const tc of goToolchains()) {
  describe(`goroutines go${tc.version}`, { concurrency: false }, () => {
    let s, stop, threads;
    before(async () => {
      const program = buildProgram('goroutines', tc);
      s = await startSession('stdio');
      const m = s.mark();
      await h.launch(s, h.launchArgs({ program, args: [String(N)] }), { breakpoints: { [SRC]: [{ line: READY }] } });
      stop = await h.waitStopped(s, m, 'breakpoint', 120000);
    }, T);
    after(async () => { if (s) await s.close(); });

    test(`threads lists every goroutine (> ${N}) named [Go N] function`, T, async () => {
      threads = (await s.ok('threads', undefined, 120000)).threads;
      assert.ok(threads.length > N, `threads: ${threads.length}`);
      const ids = new Set(threads.map((t) => t.id));
      assert.equal(ids.size, threads.length, 'thread ids are unique');
      assert.ok(ids.has(stop.body.threadId), 'the stopped goroutine is listed');
      for (const t of threads) {
        const m = /\[Go (\d+)\]/.exec(t.name);
        assert.ok(m, `thread name "${t.name}" shows [Go N]`);
        assert.equal(+m[1], t.id, `thread id = goroutine id in "${t.name}"`);
      }
      const workers = threads.filter((t) => /\[Go \d+\]\s+main\.worker\b/.test(t.name));
      assert.ok(workers.length >= N, `${workers.length} threads named "[Go N] main.worker" (e.g. ${threads.slice(0, 3).map((t) => t.name)})`);
      assert.match(threads.find((t) => t.id === stop.body.threadId).name, /main\.ready/);
    });

    test('stack of the stopped goroutine: main.ready → main.main', T, async () => {
      const st = await s.ok('stackTrace', { threadId: stop.body.threadId, startFrame: 0, levels: 20 });
      assert.equal(st.stackFrames[0].name, 'main.ready');
      assert.equal(st.stackFrames[0].line, READY);
      assert.equal(st.stackFrames[1].name, 'main.main');
      assert.equal(h.byName(await h.vars(s, h.scopeNamed(await h.scopes(s, st.stackFrames[0].id), 'Arguments').variablesReference)).n.value, String(N));
    });

    test('stack of a worker: runtime park frames, main.worker', T, async () => {
      threads ||= (await s.ok('threads', undefined, 120000)).threads;
      const { frames } = await findGoroutine(s, threads, 'main.worker');
      const names = frames.map((f) => f.name);
      assert.ok(names.includes('runtime.gopark'), `gopark in ${names}`);
      assert.ok(names.some((n) => /^runtime\.chanrecv/.test(n)), `chanrecv in ${names}`);
      const w = frames.find((f) => f.name === 'main.worker');
      assert.equal(w.source.path, SRC);
      assert.equal(w.line, h.lineOf('goroutines', 'v := <-ch'));
    });

    test('stack of the locked goroutine: sync.(*Mutex) and runtime frames, main.locked', T, async () => {
      const { frames } = await findGoroutine(s, threads, 'main.locked');
      const names = frames.map((f) => f.name);
      assert.ok(names.some((n) => n.startsWith('sync.(*Mutex).')), `sync.(*Mutex) frame in ${names}`);
      assert.ok(names.some((n) => n.startsWith('runtime.')), `runtime frames in ${names}`);
      assert.equal(frames.find((f) => f.name === 'main.locked').line, h.lineOf('goroutines', 'mu.Lock() // parked'));
    });

    test('stack of the selecting goroutine: runtime.selectgo, main.selecting', T, async () => {
      const { frames } = await findGoroutine(s, threads, 'main.selecting');
      const names = frames.map((f) => f.name);
      assert.ok(names.includes('runtime.selectgo'), `selectgo in ${names}`);
      assert.equal(frames.find((f) => f.name === 'main.selecting').line, h.lineOf('goroutines', 'select { // parked'));
    });

    test('clear the breakpoint and run to the end', T, async () => {
      await s.ok('setBreakpoints', { source: { path: SRC }, breakpoints: [], lines: [] });
      await h.runToEnd(s, stop.body.threadId, 0, 120000);
      assert.match(s.output('stdout'), /ready 20000\n[^]*all done\n/);
    });
  });
}
