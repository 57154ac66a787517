// Test-only extension: drives VS Code's own debug client against the real gobp-dap (through
// the gobp-dap extension) and writes what happened to a JSON result file. run.sh checks it.
// config.json (written by run.sh next to this file): {workspace, file, line, program,
// plugin, result}.
'use strict';

const vscode = require('vscode');
const fs = require('fs');
const path = require('path');

const cfg = JSON.parse(fs.readFileSync(path.join(__dirname, 'config.json'), 'utf8'));
const result = { steps: [], messages: [], errors: [] };
const listeners = [];

function step(name, data) {
  result.steps.push(data === undefined ? { name, t: Date.now() } : { name, t: Date.now(), data });
  writeResult(cfg.result + '.progress');
}

function writeResult(file) {
  try {
    fs.writeFileSync(file + '.tmp', JSON.stringify(result, null, 1));
    fs.renameSync(file + '.tmp', file);
  } catch (e) { /* best effort */ }
}

function onMessage(dir, m) {
  result.messages.push({ dir, m });
  for (const l of listeners.slice()) l(dir, m);
}

// Resolves with the first recorded message (from now on) that pred accepts.
function waitMessage(what, pred, ms) {
  return new Promise((resolve, reject) => {
    const l = (dir, m) => {
      if (!pred(dir, m)) return;
      clearTimeout(timer);
      listeners.splice(listeners.indexOf(l), 1);
      resolve(m);
    };
    const timer = setTimeout(() => {
      listeners.splice(listeners.indexOf(l), 1);
      reject(new Error(`timeout (${ms} ms) waiting for ${what}`));
    }, ms);
    listeners.push(l);
  });
}

const isEvent = name => (dir, m) => dir === 'fromAdapter' && m.type === 'event' && m.event === name;
const isResponse = cmd => (dir, m) => dir === 'fromAdapter' && m.type === 'response' && m.command === cmd;

async function until(what, fn, ms) {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timeout (${ms} ms) waiting for ${what}`);
    await new Promise(r => setTimeout(r, 50));
  }
}

// The frame VS Code itself focused after a stop: its own stackTrace request/response.
async function vscodeTop(stopped) {
  // VS Code may first ask for the rest of a cached stack ({startFrame: 1, levels: 19}):
  // take the response to its request for the top (startFrame 0 or absent).
  const isTopRequest = seq => result.messages.some(x => x.dir === 'toAdapter' && x.m.seq === seq &&
    x.m.command === 'stackTrace' && !(x.m.arguments && x.m.arguments.startFrame));
  const resp = await waitMessage('VS Code stackTrace response (top frame) after the stop', (dir, m) =>
    isResponse('stackTrace')(dir, m) && m.success && m.body.stackFrames.length > 0 && isTopRequest(m.request_seq), 10000);
  const f = resp.body.stackFrames[0];
  return { threadId: stopped.body.threadId, reason: stopped.body.reason, frameId: f.id, name: f.name,
           line: f.line, file: f.source && f.source.path };
}

async function locals(session, frameId) {
  const scopes = (await session.customRequest('scopes', { frameId })).scopes;
  const out = {};
  for (const sc of scopes) {
    if (/^Globals/.test(sc.name)) continue;
    const vars = (await session.customRequest('variables', { variablesReference: sc.variablesReference })).variables;
    out[sc.name] = vars.map(v => ({ name: v.name, value: v.value, type: v.type }));
  }
  return out;
}

async function run() {
  step('activated', { vscodeVersion: vscode.version, folders: (vscode.workspace.workspaceFolders || []).map(f => f.uri.fsPath) });
  const folder = (vscode.workspace.workspaceFolders || []).find(f => f.uri.fsPath === cfg.workspace);
  if (!folder) {
    // Not opened with ?folder=: open it (reloads the window; this extension runs again).
    step('opening folder');
    await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(cfg.workspace));
    return false;
  }
  const gobpExt = vscode.extensions.getExtension('gobp.gobp-dap');
  step('gobp-dap extension', { found: !!gobpExt, adapterPath: vscode.workspace.getConfiguration('gobp').get('adapterPath') });

  vscode.debug.registerDebugAdapterTrackerFactory('*', {
    createDebugAdapterTracker(session) {
      return {
        onWillReceiveMessage: m => onMessage('toAdapter', m),
        onDidSendMessage: m => onMessage('fromAdapter', m),
        // Not a failure by itself: recorded with where it happened in the conversation.
        onError: e => (result.adapterErrors = result.adapterErrors || []).push(
          { message: e && e.message, afterMessages: result.messages.length, lastMessage: result.messages.length && result.messages[result.messages.length - 1].m }),
        onExit: (code, signal) => { result.adapterExit = { code, signal }; },
      };
    },
  });

  // A line breakpoint, set as the editor gutter does.
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(cfg.file));
  await vscode.window.showTextDocument(doc);
  const lineBp = new vscode.SourceBreakpoint(new vscode.Location(doc.uri, new vscode.Position(cfg.line - 1, 0)));
  vscode.debug.addBreakpoints([lineBp]);
  step('breakpoint added', { file: cfg.file, line: cfg.line });

  let session;
  const started = new Promise(r => vscode.debug.onDidStartDebugSession(s => { session = s; r(s); }));
  const terminated = new Promise(r => vscode.debug.onDidTerminateDebugSession(s => r(s)));
  const stopped1 = waitMessage('first stopped event', isEvent('stopped'), 60000);
  const exited = waitMessage('exited event', isEvent('exited'), 120000);
  const ok = await vscode.debug.startDebugging(folder, {
    type: 'gobp', request: 'launch', name: 'values (VS Code e2e)', program: cfg.program, cwd: cfg.workspace,
  });
  step('startDebugging', { ok });
  if (!ok) throw new Error('vscode.debug.startDebugging returned false');
  await started;

  // 1. The line breakpoint: VS Code's own stackTrace shows the top frame; then locals.
  let ev = await stopped1;
  result.stop1 = await vscodeTop(ev);
  step('stop 1', result.stop1);
  result.locals1 = await locals(session, result.stop1.frameId);
  step('locals 1');
  const init = result.messages.find(x => x.dir === 'toAdapter' && x.m.command === 'initialize');
  result.initializeArguments = init && init.m.arguments;

  // 1b. Step out of decide (VS Code's Step Out): the returned value is the first scope.
  const stoppedOut = waitMessage('stopped event of the step out', isEvent('stopped'), 30000);
  await vscode.commands.executeCommand('workbench.action.debug.stepOut');
  ev = await stoppedOut;
  result.stopOut = await vscodeTop(ev);
  const outScopes = (await session.customRequest('scopes', { frameId: result.stopOut.frameId })).scopes;
  const first = outScopes[0] || {};
  result.returnScope = { name: first.name, hint: first.presentationHint,
    vars: first.variablesReference ? (await session.customRequest('variables', { variablesReference: first.variablesReference }))
      .variables.map(v => ({ name: v.name, value: v.value })) : [] };
  step('stop 1b (step out)', result.returnScope);

  // 1c. A function call in the debug console, as a user makes one: select decide(i, "x") in
  //     main and run VS Code's "Evaluate in Debug Console" (the breakpoint in decide does not
  //     stop the call).
  const CALL = 'decide(i, "x")';
  const editor = await vscode.window.showTextDocument(doc);
  const callLine = doc.getText().split('\n').findIndex(l => l.includes(CALL));
  const callCol = doc.lineAt(callLine).text.indexOf(CALL);
  editor.selection = new vscode.Selection(callLine, callCol, callLine, callCol + CALL.length);
  const isCallRequest = seq => result.messages.some(x => x.dir === 'toAdapter' && x.m.seq === seq &&
    x.m.command === 'evaluate' && x.m.arguments.expression === CALL);
  const callResp = waitMessage('evaluate response of the call', (dir, m) => isResponse('evaluate')(dir, m) && isCallRequest(m.request_seq), 30000);
  await vscode.commands.executeCommand('editor.debug.action.selectionToRepl');
  const cr = await callResp;
  const creq = result.messages.find(x => x.dir === 'toAdapter' && x.m.seq === cr.request_seq);
  result.call = { success: cr.success, result: cr.body && cr.body.result, message: cr.message, context: creq.m.arguments.context };
  step('stop 1c (call in the debug console)', result.call);

  // 2. Handler breakpoint through the extension's command: stopper.so stops decide(2, ...).
  vscode.debug.removeBreakpoints([lineBp]);
  result.setHandlers = await vscode.commands.executeCommand('gobp-dap.setHandlerBreakpoints',
    [{ function: 'main.decide', plugin: cfg.plugin, config: 'arg=n;equals=2' }]);
  step('setHandlerBreakpoints command', result.setHandlers);
  // Let the removal of the line breakpoint reach the adapter before continuing.
  await until('setBreakpoints [] sent', () => result.messages.some(x => x.dir === 'toAdapter' &&
    x.m.command === 'setBreakpoints' && x.m.arguments.breakpoints.length === 0), 10000).catch(e => result.errors.push(e.message));
  const stopped2 = waitMessage('stopped event of the handler breakpoint', isEvent('stopped'), 30000);
  await vscode.commands.executeCommand('workbench.action.debug.continue');
  ev = await stopped2;
  result.stop2 = await vscodeTop(ev);
  result.locals2 = await locals(session, result.stop2.frameId);
  step('stop 2 (handler)', result.stop2);

  // 3. Force return through the extension's command, on VS Code's focused frame.
  if ('activeStackItem' in vscode.debug) {
    await until('activeStackItem on the handler stop', () => {
      const it = vscode.debug.activeStackItem;
      return it && it.threadId === ev.body.threadId && it.frameId !== undefined;
    }, 10000).catch(e => result.errors.push(e.message));
    const it = vscode.debug.activeStackItem;
    result.activeStackItem = it && { threadId: it.threadId, frameId: it.frameId };
  }
  const stopped3 = waitMessage('stopped event after force return', isEvent('stopped'), 30000);
  result.forceReturn = await vscode.commands.executeCommand('gobp-dap.forceReturn');
  step('forceReturn command', result.forceReturn);
  ev = await stopped3;
  result.stop3 = await vscodeTop(ev);
  step('stop 3 (after force return)', result.stop3);

  // 4. A data breakpoint on main.counter (the closure after the loop increments it): the stop
  //    says "data breakpoint" and the new value shows.
  result.clearHandlers = await vscode.commands.executeCommand('gobp-dap.setHandlerBreakpoints', []);
  const info = await session.customRequest('dataBreakpointInfo', { name: 'main.counter', frameId: result.stop3.frameId });
  result.dataInfo = info;
  result.setData = await session.customRequest('setDataBreakpoints', { breakpoints: [{ dataId: info.dataId, accessType: 'write' }] });
  const stopped4 = waitMessage('stopped event of the data breakpoint', isEvent('stopped'), 30000);
  await vscode.commands.executeCommand('workbench.action.debug.continue');
  ev = await stopped4;
  result.stop4 = await vscodeTop(ev);
  result.counterAfter = (await session.customRequest('evaluate', { expression: 'main.counter', frameId: result.stop4.frameId, context: 'watch' })).result;
  step('stop 4 (data breakpoint)', { stop: result.stop4, counter: result.counterAfter });

  // 5. Run to the end: remove the data breakpoint, continue, exit code 3.
  await session.customRequest('setDataBreakpoints', { breakpoints: [] });
  await vscode.commands.executeCommand('workbench.action.debug.continue');
  ev = await exited;
  result.exitCode = ev.body.exitCode;
  step('exited', ev.body);
  await Promise.race([terminated, new Promise(r => setTimeout(r, 15000))]);
  result.terminatedEvent = result.messages.some(x => x.dir === 'fromAdapter' && x.m.event === 'terminated');
  result.disconnectSent = result.messages.some(x => x.dir === 'toAdapter' && x.m.command === 'disconnect');
  step('terminated');
  return true;
}

function activate() {
  if (global.__gobpE2eStarted) return;
  global.__gobpE2eStarted = true;
  run().then(done => {
    if (done !== false) { result.done = true; writeResult(cfg.result); }
  }, e => {
    result.errors.push('FAILED: ' + (e && e.stack || e));
    result.done = false;
    writeResult(cfg.result);
  });
}

module.exports = { activate, deactivate() {} };
