// Frames a signal interrupted: goroutines spinning on one P are preempted asynchronously
// (runtime.asyncPreempt injected at the interrupted instruction). Paused, the frame under
// asyncPreempt shows the line of that instruction itself (no return address: nothing is
// subtracted from its pc), and every other frame the line of the instruction before its pc
// (the CALL). Sampled over several pauses. On every Go version.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, IS_DELVE } from './lib/client.mjs';
import { goToolchains, buildProgram } from './lib/gobuild.mjs';
import * as h from './lib/helpers.mjs';

const T = { timeout: 180000 };
const PAUSES = 6;
const SPIN_LINES = new Set([h.lineOf('preempt', 'x = x*'), h.lineOf('preempt', 'x ^= x'), h.lineOf('preempt', 'sinks[id] = x')]);
const isAsyncPreempt = (name) => name === 'runtime.asyncPreempt' || name === 'runtime.asyncPreempt.abi0';

for (const tc of goToolchains()) {
  describe(`preempted goroutines go${tc.version}`, () => {
    test('the frame under runtime.asyncPreempt stands at the interrupted line', T, async () => {
      if (IS_DELVE) return;
      const program = buildProgram('preempt', tc);
      const s = await startSession('stdio');
      try {
        await h.launch(s, h.launchArgs({ program, args: ['60'] }));
        let seen = 0;
        for (let p = 0; p < PAUSES; p++) {
          await new Promise((r) => setTimeout(r, 150 + 50 * p));
          const m = s.mark();
          await s.ok('pause', { threadId: 1 });
          const ev = await h.waitStopped(s, m, 'pause', 30000);
          const { threads } = await s.ok('threads');
          for (const t of threads.filter((x) => / main\.spin$/.test(x.name))) {
            const { stackFrames: fr } = await s.ok('stackTrace', { threadId: t.id, startFrame: 0, levels: 10 });
            const i = fr.findIndex((f) => isAsyncPreempt(f.name));
            if (i < 0) continue;    // the goroutine holding the P, or one preempted at a safe point
            seen++;
            const spin = fr[i + 1];
            assert.equal(spin && spin.name, 'main.spin', `under asyncPreempt: ${fr.map((f) => f.name)}`);
            assert.ok(SPIN_LINES.has(spin.line), `main.spin at a line of its loop, not ${spin.line}`);
            assert.equal(spin.line, await h.instructionLine(s, spin.instructionPointerReference),
              `main.spin (${spin.instructionPointerReference}) shows the interrupted instruction's line`);
            // asyncPreempt2 (parked in mcall) and asyncPreempt (calling it): return addresses.
            for (const f of fr.slice(0, i + 1)) {
              assert.equal(f.line, await h.instructionLine(s, f.instructionPointerReference, -1),
                `${f.name} (${f.instructionPointerReference}) shows the line of its call`);
            }
          }
          await s.ok('continue', { threadId: ev.body.threadId });
        }
        assert.ok(seen >= PAUSES, `goroutines under asyncPreempt seen: ${seen} in ${PAUSES} pauses`);
      } finally { await s.close(); }
    });
  });
}
