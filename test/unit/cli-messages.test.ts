// Regression tests for what the CLI prints: `kefu transports auto` confirms, `kefu up` shows labels and a
// signed-in dashboard link, a misspelt key gets a suggestion only when it is close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderAuto } from '../../cli/commands/transports.js';
import { appLabel, dashboardLink } from '../../cli/commands/up.js';
import { suggestKey } from '../../daemon/config/unknown-keys.js';

test('kefu transports auto says that automatic selection resumed and which link is active', () => {
  const link = { id: 'eth', kind: 'wired', active: true, alive: true, good: true, reason: null, lossPct: 0, rttMs: 1, status: 'up', since: null, bytesOut: 0, bytesIn: 0, budgetBytes: null, budgetUsed: 0 };
  const s = { active: 'eth', forced: null, order: ['eth'], switchesLastHour: 0, lastSwitch: null, switches: [], links: [link] } as unknown as Parameters<typeof renderAuto>[0];
  assert.match(renderAuto(s).split('\n')[0], /^automatic link selection resumed; active link: eth$/);
  assert.match(renderAuto({ ...s, links: [{ ...link, active: false }] } as unknown as typeof s), /no link is up/);
});

test('kefu up labels apps for people and links the dashboard with its token', () => {
  assert.equal(appLabel('app.chat.terminal'), 'Customer terminal (AI chat)');
  assert.equal(appLabel('app.faceauth.enroll'), 'Face enrollment');
  assert.equal(appLabel('app.new.thing'), 'new.thing');
  assert.equal(dashboardLink('http://127.0.0.1:8080/', 'ab+c'), 'http://127.0.0.1:8080/#token=ab%2Bc');
});

test('did you mean: close keys only', () => {
  assert.equal(suggestKey('dataDirr', ['box', 'master', 'dataDir', 'log']), 'dataDir');
  assert.equal(suggestKey('trasnports', ['transports', 'plugins']), 'transports');
  assert.equal(suggestKey('bogus', ['box', 'master', 'dataDir']), undefined);
});
