// Property-based fuzzing: random, truncated and mutated replies never throw from any parser and never yield
// a wrongly typed canonical field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { PARSERS, parseReply, PREFIXES } from '../../transports/cellular/at/registry.js';
import { createLineFramer } from '../../transports/cellular/at/framer.js';

const { vectors } = JSON.parse(readFileSync(new URL('../fixtures/at/vectors-dev.json', import.meta.url), 'utf8')) as { vectors: { response: string }[] };
const samples = [...vectors.map((v) => v.response),
  '+QENG: "servingcell","NOCONN"\r\n+QENG: "LTE","FDD",222,01,4940206,427,1350,3,5,5,BFF,-94,-15,-58,9,5,100,-\r\n+QENG: "NR5G-NSA",222,01,920,-96,18,-10,648768,78,10,1',
  '+CGCONTRDP: 1,5,"cmnet","10.76.51.180.255.255.255.0","10.76.51.1","211.138.24.66","211.138.30.66"',
  '+COPS: 0,0,"CHINA MOBILE",13', '+QNWPREFCFG: "nr5g_band",1:3:28:41:78', '+QCFG: "usbnet",1', '+QNETDEVCTL: 1,1,1,1',
  '+CGACT: 1,1', 'Quectel\r\nRM520N-GL\r\nRevision: RM520NGLAAR03A04M4G'];

const NUMERIC = /(_dbm|_db|_mhz|_khz|_enum|_level|_raw|_index|_bps|^tac|^cell_id|^ci|^lac|^pci|^earfcn|^arfcn|^uarfcn|^cid|^stat|^n|^srxlev|^cqi|^prefix)$/;
const STRING = /(^mcc$|^mnc$|_hex$|^ipv4$|^ipv6$|^gateway$|^dns\d$|^operator$|^firmware$|^model$|^registration$)/;

function checkTypes(v: unknown, path: string): void {
  if (Array.isArray(v)) { v.forEach((x, i) => checkTypes(x, `${path}[${i}]`)); return; }
  if (!v || typeof v !== 'object') return;
  for (const [k, x] of Object.entries(v)) {
    const p = `${path}.${k}`;
    if (x !== null && typeof x === 'object') { checkTypes(x, p); continue; }
    if (x === null || x === undefined) continue;
    if (k === 'band') assert.ok(typeof x === 'number' || (typeof x === 'string' && /^n\d+$/.test(x)) || typeof x === 'string', p);
    else if (k === 'act') assert.ok(typeof x === 'number' || typeof x === 'string', p);
    else if (k === 'rat') assert.ok(typeof x === 'string' && /^(GSM|WCDMA|LTE|NR5G-SA|NR5G-NSA|NR)$/.test(x), `${p}=${String(x)}`);
    else if (NUMERIC.test(k)) assert.ok(typeof x === 'number' && Number.isFinite(x), `${p} should be a finite number, got ${JSON.stringify(x)}`);
    else if (STRING.test(k)) assert.equal(typeof x, 'string', p);
  }
}

function runAll(text: string): void {
  for (const name of Object.keys(PARSERS)) {
    const r = parseReply(text, { parser: name });
    if (r.ok) checkTypes(r.record, name);
  }
  const r = parseReply(text);
  if (r.ok) checkTypes(r.record, 'auto');
  else assert.equal(typeof r.reason, 'string');
}

const atChar = fc.constantFrom(...'0123456789,-"+: ABCDEFxyz.\r\n'.split(''));

test('random lines with known prefixes never throw and keep canonical types', () => {
  const prefixes = Object.keys(PREFIXES);
  fc.assert(fc.property(fc.constantFrom(...prefixes), fc.array(atChar, { maxLength: 120 }), (p, chars) => {
    runAll(`${p}: ${chars.join('')}`);
  }), { numRuns: 3000 });
});

test('truncated real replies never throw and keep canonical types', () => {
  fc.assert(fc.property(fc.constantFrom(...samples), fc.nat(), (s, cut) => {
    runAll(s.slice(0, cut % (s.length + 1)));
  }), { numRuns: 3000 });
});

test('real replies with one field replaced by junk never yield a wrong-typed field', () => {
  const junk = fc.constantFrom('-', '', '255', '99', '"x"', 'FFFFFFFFFFFFFFFFFF', '1e9', '-0', '0x', 'NaN', '99999999999999999999', ' ');
  fc.assert(fc.property(fc.constantFrom(...samples), fc.nat(), junk, (s, i, j) => {
    const parts = s.split(',');
    parts[i % parts.length] = j;
    runAll(parts.join(','));
  }), { numRuns: 3000 });
});

test('arbitrary unicode never throws', () => {
  fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => { runAll(s); }), { numRuns: 2000 });
});

test('the line framer returns every line whatever the chunking', () => {
  fc.assert(fc.property(fc.array(fc.stringMatching(/^[A-Z0-9+:," ]{1,20}$/), { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 6 }), (lines, cuts) => {
    const text = lines.map((l) => `\r\n${l}\r\n`).join('');
    const f = createLineFramer();
    const got: string[] = [];
    let pos = 0;
    for (const c of [...cuts.map((x) => x % (text.length + 1)).sort((a, b) => a - b), text.length]) {
      for (const fr of f.push(text.slice(pos, Math.max(pos, c)))) if (fr.kind === 'line') got.push(fr.text);
      pos = Math.max(pos, c);
    }
    assert.deepEqual(got, lines.map((l) => l.trim()).filter((l) => l !== ''));
  }), { numRuns: 1000 });
});
