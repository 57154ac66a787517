// Loaded into every test process by scripts/e2e-san.sh (NODE_OPTIONS=--import=<this file>):
// the stderr of every gobp-dap (GOBP_DAP) a test starts, with spawn or spawnSync, is scanned for
// sanitizer reports, and each adapter that printed one leaves GOBP_SAN_LOGS/stderr.PID, which
// fails the run whatever the test checked. GCC's UBSan writes its reports to stderr even with
// log_path set; ASan and LeakSanitizer reports go to GOBP_SAN_LOGS/asan.PID (log_path).
import cp from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { syncBuiltinESMExports } from 'node:module';

const DIR = process.env.GOBP_SAN_LOGS;
const DAP = process.env.GOBP_DAP;
const REPORT = /runtime error:|ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer)|SUMMARY: (Address|UndefinedBehavior|Leak)Sanitizer/;
const KEEP = 64 * 1024;

if (DIR && DAP) {
  const dap = path.resolve(DAP);
  const isDap = (file) => typeof file === 'string' && path.resolve(file) === dap;
  const record = (pid, argv, text) => {
    fs.writeFileSync(path.join(DIR, `stderr.${pid}`), `${DAP} ${argv.join(' ')}\n${text}`);
  };
  /** Scans a stream chunk by chunk (a report may straddle two chunks); keeps what follows a match. */
  const watch = (proc, argv) => {
    let tail = '';
    let found = null;
    proc.stderr.on('data', (d) => {
      const s = d.toString();
      if (found !== null) { if (found.length < KEEP) found += s; return; }
      const w = tail + s;
      const m = REPORT.exec(w);
      if (m) found = w.slice(Math.max(0, m.index - 200));
      else tail = w.slice(-256);
    });
    proc.on('close', () => { if (found !== null) record(proc.pid, argv, found); });
  };
  const spawn0 = cp.spawn;
  cp.spawn = function spawn(file, args, ...rest) {
    const proc = spawn0.call(this, file, args, ...rest);
    if (isDap(file) && proc.stderr) watch(proc, Array.isArray(args) ? args : []);
    return proc;
  };
  const spawnSync0 = cp.spawnSync;
  cp.spawnSync = function spawnSync(file, args, ...rest) {
    const r = spawnSync0.call(this, file, args, ...rest);
    if (isDap(file) && r.stderr) {
      const s = r.stderr.toString();
      const m = REPORT.exec(s);
      if (m) record(r.pid, Array.isArray(args) ? args : [], s.slice(Math.max(0, m.index - 200), m.index + KEEP));
    }
    return r;
  };
  syncBuiltinESMExports();
}
