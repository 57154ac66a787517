// DAP schema validation of every message, both ways (draft-04 schema of DAP v1.71.0).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Ajv = require('ajv-draft-04');

// ../shared next to the checkout (as on the development machines), else the machine's /work/shared.
const BESIDE = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../../shared/dap/debugProtocol.json');
export const SCHEMA_PATH = process.env.GOBP_DAP_SCHEMA ||
  (fs.existsSync(BESIDE) ? BESIDE : '/work/shared/dap/debugProtocol.json');

let ajv = null;
let schema = null;
const cache = new Map();

function load() {
  if (ajv) return;
  schema = JSON.parse(fs.readFileSync(SCHEMA_PATH, 'utf8'));
  ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema(schema, 'dap');
}

const cap = (s) => s.charAt(0).toUpperCase() + s.slice(1);

function validatorFor(def) {
  load();
  if (!cache.has(def)) cache.set(def, ajv.getSchema(`dap#/definitions/${def}`));
  return cache.get(def);
}

/** Name of the schema definition that describes msg. */
export function definitionFor(msg) {
  load();
  const has = (d) => Object.prototype.hasOwnProperty.call(schema.definitions, d);
  if (msg && msg.type === 'request') {
    const d = cap(String(msg.command)) + 'Request';
    return has(d) ? d : 'Request';
  }
  if (msg && msg.type === 'response') {
    if (msg.success === false) return 'ErrorResponse';
    const d = cap(String(msg.command)) + 'Response';
    return has(d) ? d : 'Response';
  }
  if (msg && msg.type === 'event') {
    const d = cap(String(msg.event)) + 'Event';
    return has(d) ? d : 'Event';
  }
  return 'ProtocolMessage';
}

/** Returns null when msg is valid, else a human-readable error string. */
export function validateMessage(msg, { allowSeq0 = false } = {}) {
  const def = definitionFor(msg);
  const v = validatorFor(def);
  const errs = [];
  if (!v(msg)) {
    for (const e of v.errors) if (!(allowSeq0 && e.instancePath === '/seq' && msg.seq === 0)) errs.push(`${e.instancePath || '/'} ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`);
  }
  if (!msg || typeof msg.seq !== 'number' || msg.seq < (allowSeq0 ? 0 : 1)) {
    // Our own requests and every adapter message must carry seq >= 1.
    errs.push(`/seq must be >= 1 (got ${JSON.stringify(msg && msg.seq)})`);
  }
  if (msg && msg.type === 'response' && msg.success === false &&
      (typeof msg.message !== 'string' || msg.message === '') &&
      !(msg.body && msg.body.error && msg.body.error.format)) {
    errs.push('error response without message or body.error.format');
  }
  return errs.length ? `${def}: ${errs.join('; ')}` : null;
}
