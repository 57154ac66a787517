// gobp-dap for VS Code: spawns the gobp-dap executable (DAP over stdio) for debug type
// "gobp", and adds commands for gobp-dap's own requests (gobpForceReturn,
// setHandlerBreakpoints). Plain JavaScript, no build step.
'use strict';

const vscode = require('vscode');
const fs = require('fs');
const path = require('path');

const TYPE = 'gobp';
let output;

function log(line) {
  if (!output) output = vscode.window.createOutputChannel('gobp-dap');
  output.appendLine(line);
}

function settings() {
  return vscode.workspace.getConfiguration('gobp');
}

// A relative adapter path with a slash is taken relative to the first workspace folder;
// a bare name is looked up on PATH by the spawn.
function adapterCommand(folder) {
  let cmd = settings().get('adapterPath') || 'gobp-dap';
  if (cmd.startsWith('~/')) cmd = path.join(require('os').homedir(), cmd.slice(2));
  if (cmd.includes('/') && !path.isAbsolute(cmd)) {
    const base = folder || (vscode.workspace.workspaceFolders || [])[0];
    if (base) cmd = path.join(base.uri.fsPath, cmd);
  }
  const args = settings().get('adapterArgs') || [];
  return { cmd, args: Array.isArray(args) ? args.map(String) : [] };
}

class DescriptorFactory {
  createDebugAdapterDescriptor(session) {
    const { cmd, args } = adapterCommand(session.workspaceFolder);
    if (path.isAbsolute(cmd) && !fs.existsSync(cmd)) {
      vscode.window.showErrorMessage(`gobp-dap: adapter not found at ${cmd} (setting gobp.adapterPath)`);
    }
    log(`starting adapter: ${cmd} ${args.join(' ')}`);
    return new vscode.DebugAdapterExecutable(cmd, args);
  }
}

class ConfigurationProvider {
  // F5 without a launch.json: debug the package of the active Go file.
  resolveDebugConfiguration(folder, config) {
    if (!config.type && !config.request && !config.name) {
      const editor = vscode.window.activeTextEditor;
      if (editor && editor.document.languageId === 'go') {
        config.type = TYPE;
        config.name = 'Debug package (gobp-dap)';
        config.request = 'launch';
        config.program = path.dirname(editor.document.fileName);
      }
    }
    if (config.request === 'launch' && !config.program) {
      return vscode.window.showErrorMessage('gobp-dap: the "program" attribute is required').then(() => undefined);
    }
    return config;
  }

  // After ${command:pickProcess} and other variables are substituted.
  resolveDebugConfigurationWithSubstitutedVariables(folder, config) {
    if (config.request === 'attach') {
      if (typeof config.processId === 'string' && /^\d+$/.test(config.processId.trim())) {
        config.processId = parseInt(config.processId, 10);
      }
      if (!config.processId) return undefined; // pick cancelled
    }
    return config;
  }
}

function gobpSession() {
  const s = vscode.debug.activeDebugSession;
  if (!s || s.type !== TYPE) {
    vscode.window.showErrorMessage('gobp-dap: no active gobp-dap debug session');
    return undefined;
  }
  return s;
}

async function askThread(session) {
  let threads = [];
  try {
    threads = (await session.customRequest('threads')).threads || [];
  } catch (e) { /* fall through to free input */ }
  if (threads.length) {
    const pick = await vscode.window.showQuickPick(
      threads.map(t => ({ label: String(t.id), description: t.name, id: t.id })),
      { placeHolder: 'Goroutine (thread) to force-return from its stopped function' });
    return pick ? pick.id : undefined;
  }
  const v = await vscode.window.showInputBox({ prompt: 'Thread (goroutine) id', validateInput: x => /^-?\d+$/.test(x) ? null : 'a number' });
  return v ? parseInt(v, 10) : undefined;
}

// arg: a thread id (callstack context menu on a thread) or nothing (palette).
async function forceReturn(arg) {
  let session = gobpSession();
  if (!session) return;
  let threadId;
  if (typeof arg === 'number') {
    threadId = arg;
  } else {
    const item = vscode.debug.activeStackItem; // VS Code >= 1.90
    if (item && item.session && item.session.type === TYPE && typeof item.threadId === 'number') {
      session = item.session;
      threadId = item.threadId;
    }
  }
  if (threadId === undefined) threadId = await askThread(session);
  if (threadId === undefined) return;
  try {
    await session.customRequest('gobpForceReturn', { threadId });
    log(`gobpForceReturn thread ${threadId}: ok`);
    return { threadId, success: true };
  } catch (e) {
    const msg = e && e.message ? e.message : String(e);
    log(`gobpForceReturn thread ${threadId}: ${msg}`);
    vscode.window.showErrorMessage(`gobp-dap: force return failed: ${msg}`);
    return { threadId, success: false, message: msg };
  }
}

async function promptHandlers() {
  const fn = await vscode.window.showInputBox({ prompt: 'Go function of the handler breakpoint', placeHolder: 'main.decide' });
  if (!fn) return undefined;
  const uris = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Handler plugin', filters: { 'Shared object': ['so'] } });
  if (!uris || !uris.length) return undefined;
  const config = await vscode.window.showInputBox({ prompt: 'Plugin config string (optional)', value: '' });
  if (config === undefined) return undefined;
  const condition = await vscode.window.showInputBox({ prompt: 'Condition: the plugin runs only when it holds (optional Go expression over the arguments)', value: '' });
  if (condition === undefined) return undefined;
  const h = { function: fn, plugin: uris[0].fsPath, config };
  if (condition) h.condition = condition;
  return [h];
}

// handlers: an array given by a caller (other extensions, keybindings args), else the
// gobp.handlerBreakpoints setting, else prompted.
async function setHandlerBreakpoints(handlers) {
  const session = gobpSession();
  if (!session) return;
  if (!Array.isArray(handlers)) {
    handlers = settings().get('handlerBreakpoints') || [];
    if (!handlers.length) handlers = await promptHandlers();
    if (!handlers) return;
  }
  let body;
  try {
    body = await session.customRequest('setHandlerBreakpoints', { handlers });
  } catch (e) {
    const msg = e && e.message ? e.message : String(e);
    log(`setHandlerBreakpoints: ${msg}`);
    vscode.window.showErrorMessage(`gobp-dap: setHandlerBreakpoints failed: ${msg}`);
    return { success: false, message: msg };
  }
  const results = (body && body.breakpoints) || [];
  const lines = results.map((bp, i) => {
    const h = handlers[i] || {};
    const where = bp.source && bp.source.path ? ` at ${path.basename(bp.source.path)}:${bp.line}` : '';
    return `${h.function} (${h.plugin}): ${bp.verified ? 'set' + where : 'not set: ' + (bp.message || '')}`;
  });
  lines.forEach(l => log(`setHandlerBreakpoints: ${l}`));
  const bad = results.filter(bp => !bp.verified).length;
  const summary = `gobp-dap: ${results.length - bad} of ${results.length} handler breakpoint(s) set` +
    (lines.length ? ' — ' + lines.join('; ') : '');
  if (bad) vscode.window.showWarningMessage(summary); else vscode.window.showInformationMessage(summary);
  return { success: true, breakpoints: results };
}

// ${command:pickProcess} for attach: processes of this user, from /proc.
async function pickProcess() {
  const uid = process.getuid ? process.getuid() : -1;
  const items = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = fs.statSync(`/proc/${d}`);
      if (uid >= 0 && uid !== 0 && st.uid !== uid) continue;
      const cmdline = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      const comm = fs.readFileSync(`/proc/${d}/comm`, 'utf8').trim();
      if (!cmdline) continue;
      items.push({ label: comm, description: d, detail: cmdline, pid: d });
    } catch (e) { /* gone or unreadable */ }
  }
  const pick = await vscode.window.showQuickPick(items, { placeHolder: 'Go program to attach to', matchOnDescription: true, matchOnDetail: true });
  return pick ? pick.pid : undefined;
}

function activate(context) {
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory(TYPE, new DescriptorFactory()),
    vscode.debug.registerDebugConfigurationProvider(TYPE, new ConfigurationProvider()),
    vscode.commands.registerCommand('gobp-dap.forceReturn', forceReturn),
    vscode.commands.registerCommand('gobp-dap.setHandlerBreakpoints', setHandlerBreakpoints),
    vscode.commands.registerCommand('gobp-dap.pickProcess', pickProcess));
}

function deactivate() {}

module.exports = { activate, deactivate };
