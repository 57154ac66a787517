#!/bin/bash
# Real VS Code end-to-end test: code-server (VS Code 1.100 server + workbench) opened by headless
# Chromium; VS Code's own debug client, through the gobp-dap extension (vscode-extension/),
# spawns the real gobp-dap and debugs tests/programs/values. A test-only extension
# (test-ext/) drives it and writes a JSON result that this script checks.
#
#   tests/vscode/run.sh            GOBP_DAP=path/to/gobp-dap (default build/gobp-dap)
#
# Needs (scripts/setup.sh): apt libkrb5-dev ripgrep chromium-headless-shell (or chromium),
# node 20 + npm with registry access on the first run. code-server 4.100.3 and @vscode/vsce 3
# are installed with npm into $GOBP_VSCODE_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/gobp-vscode),
# never into the repo. Also checks that vscode-extension/ packages into a .vsix (vsce, offline).
# Exit: 0 pass, 1 fail, 77 a prerequisite is missing (message says which).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
GOBP_DAP=${GOBP_DAP:-$ROOT/build/gobp-dap}
CACHE=${GOBP_VSCODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gobp-vscode}
CS_VERSION=4.100.3
TIMEOUT=${GOBP_VSCODE_TIMEOUT:-120}
GO=${GO:-$("$ROOT/scripts/go-toolchain.sh" | tail -1)}   # the newest Go of scripts/go-toolchains

say() { echo "vscode-e2e: $*"; }
die() { echo "vscode-e2e: FAIL: $*" >&2; exit 1; }
missing() { echo "vscode-e2e: MISSING: $*" >&2; exit 77; }

case "$GOBP_DAP" in /*) ;; *) GOBP_DAP=$PWD/$GOBP_DAP ;; esac
[ -x "$GOBP_DAP" ] || die "no gobp-dap executable at $GOBP_DAP (build it: make, or set GOBP_DAP)"
command -v node >/dev/null || missing "node (20.x)"
command -v npm >/dev/null || missing "npm"
command -v "$GO" >/dev/null || missing "go"
BROWSER=""
for b in chromium-headless-shell chromium; do
  command -v $b >/dev/null && { BROWSER=$(command -v $b); break; }
done
[ -n "$BROWSER" ] || missing "apt-get install chromium-headless-shell (or chromium)"

T=$(mktemp -d /tmp/gobp-vscode.XXXXXX)
PGIDS=""
cleanup() {
  for g in $PGIDS; do kill -TERM -- "-$g" 2>/dev/null; done
  sleep 0.5
  for g in $PGIDS; do kill -KILL -- "-$g" 2>/dev/null; done
  if [ -n "${KEEP:-}" ]; then say "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# ---- 1. code-server and vsce in the cache (npm, first run only) -----------------------------
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock -w 900 9 || die "cannot lock $CACHE/.lock"
CS="$CACHE/code-server-$CS_VERSION"
CS_BIN="$CS/node_modules/code-server/out/node/entry.js"
if [ ! -f "$CS/.complete" ]; then
  command -v rg >/dev/null || missing "apt-get install ripgrep (seeds @vscode/ripgrep, whose postinstall downloads from GitHub)"
  [ -e /usr/include/gssapi/gssapi.h ] || [ -e /usr/include/krb5.h ] || missing "apt-get install libkrb5-dev (code-server's native kerberos module)"
  say "installing code-server $CS_VERSION with npm into $CS (first run: native modules compile, ~5 min)"
  rm -rf "$CS"; mkdir -p "$CS/tmp/vscode-ripgrep-cache-1.15.11" "$CS/rg"
  # @vscode/ripgrep 1.15.11's postinstall takes this tarball from $TMPDIR instead of GitHub.
  cp "$(command -v rg)" "$CS/rg/rg"
  tar -czf "$CS/tmp/vscode-ripgrep-cache-1.15.11/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$CS/rg" rg
  echo '{"private": true}' > "$CS/package.json"
  # code-server's postinstall refuses to run as root under npm without npm_config_unsafe_perm;
  # node-pty's postinstall runs `npx node-gyp` (needs yes); node-gyp must use the installed
  # node headers (/usr/include/node), not download them from nodejs.org.
  NODEDIR=$(dirname "$(dirname "$(command -v node)")")
  [ -f "$NODEDIR/include/node/common.gypi" ] || missing "node headers ($NODEDIR/include/node/common.gypi; nodejs package with headers)"
  if ! (cd "$CS" && TMPDIR="$CS/tmp" npm_config_unsafe_perm=true npm_config_yes=true npm_config_nodedir="$NODEDIR" \
        npm install --no-audit --no-fund --loglevel=error "code-server@$CS_VERSION" > "$CS/npm.log" 2>&1); then
    tail -30 "$CS/npm.log" >&2; die "npm install code-server@$CS_VERSION failed (log: $CS/npm.log)"
  fi
  [ -f "$CS_BIN" ] || die "code-server installed but $CS_BIN is missing"
  touch "$CS/.complete"
fi
VSCE="$CACHE/vsce/node_modules/.bin/vsce"
if [ ! -x "$VSCE" ]; then
  say "installing @vscode/vsce@3 with npm into $CACHE/vsce"
  mkdir -p "$CACHE/vsce" && echo '{"private": true}' > "$CACHE/vsce/package.json"
  (cd "$CACHE/vsce" && npm install --no-audit --no-fund --loglevel=error "@vscode/vsce@3" > npm.log 2>&1) ||
    { tail -20 "$CACHE/vsce/npm.log" >&2; die "npm install @vscode/vsce@3 failed"; }
fi
exec 9>&-

# ---- 2. the extension packages (vsce, offline) -----------------------------------------------
cp -r "$ROOT/vscode-extension" "$T/ext-src"
if ! (cd "$T/ext-src" && "$VSCE" package --no-dependencies --skip-license --allow-missing-repository -o "$T/gobp-dap.vsix" > "$T/vsce.log" 2>&1 </dev/null); then
  cat "$T/vsce.log" >&2; die "vsce package of vscode-extension/ failed"
fi
say "vsce: $(grep -o 'Packaged: .*' "$T/vsce.log" | sed "s|$T/||")"

# ---- 3. the program, the plugin, the profile ---------------------------------------------------
WS="$ROOT/tests/programs/values"
(cd "$WS" && "$GO" build -gcflags=all=-N\ -l -o "$T/values" .) > "$T/go.log" 2>&1 ||
  { cat "$T/go.log" >&2; die "go build of $WS failed"; }
make -s -C "$ROOT/plugins" OUT="$T/plugins" INC="$ROOT/core/include" "$T/plugins/stopper.so" > "$T/plugins.log" 2>&1 ||
  { cat "$T/plugins.log" >&2; die "building plugins/stopper.so failed"; }
LINE=$(grep -n 'half := n / 2' "$WS/main.go" | cut -d: -f1)
[ -n "$LINE" ] || die "no 'half := n / 2' line in $WS/main.go"

EXT="$T/extensions"; UD="$T/user-data"
mkdir -p "$EXT" "$UD/User" "$T/chrome"
RESULT="$T/result.json"
cp -r "$HERE/test-ext" "$T/test-ext"
node -e 'const [f, ...v] = process.argv.slice(1); require("fs").writeFileSync(f, JSON.stringify({
  workspace: v[0], file: v[0] + "/main.go", line: +v[1], program: v[2], plugin: v[3], result: v[4] }, null, 1))' \
  "$T/test-ext/config.json" "$WS" "$LINE" "$T/values" "$T/plugins/stopper.so" "$RESULT"
(cd "$T/test-ext" && "$VSCE" package --no-dependencies --skip-license --allow-missing-repository -o "$T/test-ext.vsix" > "$T/vsce-test.log" 2>&1 </dev/null) ||
  { cat "$T/vsce-test.log" >&2; die "vsce package of tests/vscode/test-ext failed"; }
# Both .vsix installed as a user does (code-server --install-extension, offline). A folder
# merely copied into --extensions-dir is not in its extensions.json and is "marked as removed".
if ! node "$CS_BIN" --user-data-dir "$UD" --extensions-dir "$EXT" --install-extension "$T/gobp-dap.vsix" \
     --install-extension "$T/test-ext.vsix" > "$T/install-ext.log" 2>&1 < /dev/null; then
  cat "$T/install-ext.log" >&2; die "code-server --install-extension failed"
fi
node -e 'require("fs").writeFileSync(process.argv[1], JSON.stringify({
  "gobp.adapterPath": process.argv[2],
  "gobp.adapterArgs": ["--log", process.argv[3]],
  "security.workspace.trust.enabled": false,
  "workbench.startupEditor": "none",
  "workbench.enableExperiments": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoUpdate": false,
  "extensions.autoCheckUpdates": false,
  "extensions.ignoreRecommendations": true,
  "git.enabled": false,
  "debug.openDebug": "neverOpen"
}, null, 1))' "$UD/User/settings.json" "$GOBP_DAP" "$T/gobp-dap.log"

# ---- 4. code-server, then the browser that runs the workbench ---------------------------------
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
setsid node "$CS_BIN" --bind-addr "127.0.0.1:$PORT" --auth none --user-data-dir "$UD" --extensions-dir "$EXT" \
  --disable-telemetry --disable-update-check --disable-workspace-trust --disable-getting-started-override \
  --ignore-last-opened "$WS" > "$T/code-server.log" 2>&1 < /dev/null &
CS_PID=$!; PGIDS="$CS_PID"
URL="http://127.0.0.1:$PORT/?folder=$WS"
for i in $(seq 1 100); do
  node -e 'require("http").get(process.argv[1], r => process.exit(r.statusCode < 500 ? 0 : 1)).on("error", () => process.exit(1))' \
    "http://127.0.0.1:$PORT/healthz" 2>/dev/null && break
  kill -0 $CS_PID 2>/dev/null || { cat "$T/code-server.log" >&2; die "code-server exited"; }
  sleep 0.2
done
say "code-server on port $PORT; opening $URL in $(basename "$BROWSER")"
setsid "$BROWSER" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --disable-dev-shm-usage --user-data-dir="$T/chrome" \
  --remote-debugging-port=0 "$URL" > "$T/browser.log" 2>&1 < /dev/null &
BR_PID=$!; PGIDS="$PGIDS $BR_PID"

start=$(date +%s)
while [ ! -f "$RESULT" ]; do
  now=$(date +%s)
  [ $((now - start)) -ge "$TIMEOUT" ] && break
  kill -0 $CS_PID 2>/dev/null || break
  kill -0 $BR_PID 2>/dev/null || break
  sleep 0.5
done
elapsed=$(( $(date +%s) - start ))

diagnose() {
  echo "---- test extension progress" >&2
  node -e 'try { const r = JSON.parse(require("fs").readFileSync(process.argv[1]));
    for (const s of r.steps) console.log(" ", s.name, s.data ? JSON.stringify(s.data).slice(0, 300) : "");
    for (const e of r.errors) console.log("  error:", e);
  } catch (e) { console.log("  (none: the test extension never ran)") }' "$([ -f "$RESULT" ] && echo "$RESULT" || echo "$RESULT.progress")" >&2
  echo "---- code-server log (tail)" >&2; tail -20 "$T/code-server.log" >&2
  echo "---- browser log (tail)" >&2; tail -10 "$T/browser.log" >&2
  for f in "$UD"/logs/*/exthost*/exthost.log "$UD"/logs/*/remoteexthost.log; do
    [ -f "$f" ] && { echo "---- $f (errors)" >&2; grep -iE 'error|fail' "$f" | tail -15 >&2; }
  done
  [ -f "$T/gobp-dap.log" ] && { echo "---- gobp-dap --log (tail)" >&2; tail -c 3000 "$T/gobp-dap.log" >&2; echo >&2; }
  KEEP=1
}
if [ ! -f "$RESULT" ]; then
  kill -0 $CS_PID 2>/dev/null || say "code-server died"
  kill -0 $BR_PID 2>/dev/null || say "the browser died"
  diagnose; die "no result from the test extension after ${elapsed}s"
fi
cp "$RESULT" "$T/result.saved.json"

# ---- 5. check -------------------------------------------------------------------------------
if ! node - "$RESULT" "$WS/main.go" "$LINE" <<'EOF'
const [file, src, line] = process.argv.slice(2);
const r = JSON.parse(require('fs').readFileSync(file));
const fails = [];
const check = (ok, what, got) => { if (!ok) fails.push(`${what}: got ${JSON.stringify(got)}`); else console.log(`vscode-e2e: ok   ${what}`); };
const local = (ls, name) => ls && [].concat(...Object.values(ls)).find(v => v.name === name);
check(r.done === true, 'test extension finished', r.errors);
const s1 = r.stop1 || {};
check(s1.name === 'main.decide' && s1.line === +line && s1.file === src,
      `stopped in main.decide at main.go:${line} (half := n / 2), VS Code's own stackTrace`, s1);
const n1 = local(r.locals1, 'n');
check(n1 && n1.value === '0', 'n visible in the Variables (n = 0, first call)', r.locals1);
const rc = r.call || {};
check(rc.success === true && rc.result === 'false' && rc.context === 'repl',
      'Evaluate in Debug Console of decide(i, "x") calls the function: false', rc);
const rs = r.returnScope || {};
check((r.stopOut || {}).name === 'main.main' && rs.hint === 'returnValue' && rs.name === 'Return values (main.decide)' &&
      (rs.vars || []).some(v => v.name === '~r0' && v.value === 'false'),
      'Step Out of main.decide: the first scope is its return values (~r0 = false)', { stop: r.stopOut, scope: rs });
const sh = r.setHandlers || {};
check(sh.success && sh.breakpoints && sh.breakpoints[0] && sh.breakpoints[0].verified,
      'command gobp-dap: Set Handler Breakpoints (stopper.so on main.decide, n == 2) verified', sh);
const s2 = r.stop2 || {};
const n2 = local(r.locals2, 'n');
check(s2.name === 'main.decide' && n2 && n2.value === '2', 'handler breakpoint stopped main.decide with n = 2', { s2, n: n2 });
check(r.forceReturn && r.forceReturn.success && r.forceReturn.threadId === s2.threadId,
      'command gobp-dap: Force Return on the focused thread (vscode.debug.activeStackItem)', r.forceReturn);
check((r.stop3 || {}).name === 'main.main', 'after force return the top frame is main.main', r.stop3);
const s4 = r.stop4 || {};
check((r.setData || {}).breakpoints && r.setData.breakpoints[0].verified && s4.reason === 'data breakpoint' &&
      s4.name === 'main.main.func1' && r.counterAfter === '8',
      'data breakpoint on main.counter: stopped in the closure that wrote it, the new value 8', { info: r.dataInfo, set: r.setData, s4, counter: r.counterAfter });
check(r.exitCode === 3, 'exited event with exit code 3', r.exitCode);
check(r.terminatedEvent && r.disconnectSent, 'terminated event, then VS Code sent disconnect', { t: r.terminatedEvent, d: r.disconnectSent });
if (r.initializeArguments) console.log(`vscode-e2e: VS Code ${(r.steps[0].data || {}).vscodeVersion}, clientID ${r.initializeArguments.clientID}, ${r.messages.length} DAP messages`);
for (const e of r.adapterErrors || []) console.log(`vscode-e2e: note: VS Code reported adapter error "${e.message}" after ${e.afterMessages} messages (VS Code fires "read error" whenever the adapter's stdout closes)`);
if (fails.length) { for (const f of fails) console.error(`vscode-e2e: FAIL ${f}`); process.exit(1); }
EOF
then
  diagnose; die "checks failed (result kept in $T/result.saved.json)"
fi
say "PASS (${elapsed}s in VS Code)"
