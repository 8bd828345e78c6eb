// Every dev vector (test/fixtures/at/vectors-dev.json) must parse to its expected canonical values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseReply } from '../../transports/cellular/at/registry.js';
import { loadProfiles, matchProfile } from '../../transports/cellular/profiles.js';

interface Vector { id: number; model: string; command: string; response: string; expected: Record<string, unknown> }
const { vectors } = JSON.parse(readFileSync(new URL('../fixtures/at/vectors-dev.json', import.meta.url), 'utf8')) as { vectors: Vector[] };

/** Keys that explain a vector rather than state an output. */
const EXPLANATION = new Set(['note', 'formula', 'observations', 'action', 'sinr_db_per_manual', 'tx_power']);

function expectedSubset(exp: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(exp).filter(([k]) => !EXPLANATION.has(k)).map(([k, v]) => [k,
    v && typeof v === 'object' && !Array.isArray(v) ? expectedSubset(v as Record<string, unknown>) : v]));
}

function assertSubset(actual: Record<string, unknown>, expected: Record<string, unknown>, where: string): void {
  for (const [k, v] of Object.entries(expected)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) assertSubset(actual[k] as Record<string, unknown>, v as Record<string, unknown>, `${where}.${k}`);
    else assert.deepEqual(actual?.[k], v, `${where}.${k}`);
  }
}

for (const v of vectors) {
  test(`vector ${v.id}: ${v.command} (${v.model})`, () => {
    const command = v.command.startsWith('AT') ? v.command : undefined;
    const r = parseReply(v.response, { command });
    assert.ok(r.ok, r.ok ? '' : r.reason);
    assertSubset(r.record, expectedSubset(v.expected), `vector ${v.id}`);
    // recognised by prefix alone, too
    const byPrefix = parseReply(v.response);
    assert.ok(byPrefix.ok && byPrefix.parser === r.parser);
  });
}

test('vector 1 with its firmware profile: RM520N LTE SINR is scaled per the manual (raw 14 → 8 dB)', async () => {
  const profile = matchProfile(await loadProfiles(), { cgmr: 'RM520NGLAAR03A04M4G' });
  assert.equal(profile?.name, 'quectel-rm5xx');
  const v = vectors.find((x) => x.id === 1)!;
  const r = parseReply(v.response, { command: v.command, units: profile!.units });
  assert.ok(r.ok);
  assert.equal(r.record.sinr_raw, 14);
  assert.equal(r.record.sinr_db, 8);
  const v17 = vectors.find((x) => x.id === 17)!;
  const r17 = parseReply(v17.response, { command: v17.command, units: profile!.units });
  assert.ok(r17.ok && r17.record.sinr_db === v17.expected.sinr_db_per_manual);
});

test('without a profile the LTE SINR unit is unknown: sinr_db is null, never a guess', () => {
  const r = parseReply(vectors.find((x) => x.id === 1)!.response);
  assert.ok(r.ok);
  assert.equal(r.record.sinr_db, null);
});
