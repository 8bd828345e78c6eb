// The video plugin's stop() gives back every UDP socket its werift peers opened. werift's default bundle
// policy gathered one ICE agent (sockets on every interface) per m-line of an offer and dropped the extras
// unclosed once the answer bundled them; the peers are max-bundle now and the room's close() waits for them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir } from '../helpers/tmp.js';
import { closeAfter } from '../helpers/cleanup.js';
import { startVideoServer } from './video-server.js';
import { createSyntheticClient } from '../../plugins/video/sfu/synthetic-client.js';
import { waitFor } from './video-browser-util.js';

const udpSockets = () => process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap').length;

test('stop() releases the UDP sockets of every peer (rooms with renegotiation, rejoin and leave)', { timeout: 120_000 }, async (t) => {
  const before = udpSockets();
  const srv = await startVideoServer({ dataDir: await tempDir(t), config: { maxParticipants: 8 } });
  let stopped = false;
  closeAfter(t, 'video server', () => (stopped ? undefined : srv.close()));
  const url = `ws://127.0.0.1:${srv.port}/p/video/ws`;
  // five participants: the subscriber peers grow past their first slots and renegotiate
  const clients = Array.from({ length: 5 }, (_, i) => createSyntheticClient({ url, room: 'sk', participant: `p${i}`, layers: ['q'], receive: true }));
  t.after(() => Promise.all(clients.map((c) => c.stop())));
  for (const c of clients) await c.start();
  await waitFor('video at every participant', async () => clients.map((c) => c.stats.rxVideo), (v) => v.every((n) => n > 30), 60_000);
  const during = udpSockets() - before;
  assert.ok(during > 0, 'the peers hold sockets while the call runs');

  // one leaves, one rejoins (its old peers are closed while the room goes on)
  await clients[4]!.stop();
  await clients[3]!.stop();
  const again = createSyntheticClient({ url, room: 'sk', participant: 'p3', layers: ['q'], receive: true });
  t.after(() => again.stop());
  await again.start();
  await waitFor('video after the rejoin', async () => again.stats.rxVideo, (n) => n > 10, 60_000);

  for (const c of [...clients.slice(0, 3), again]) await c.stop();
  stopped = true;
  await srv.close();
  // close() is bounded (2 s per peer); sockets go within a few event-loop turns after it
  const left = await waitFor('sockets released', async () => udpSockets() - before, (n) => n <= 0, 10_000).catch(() => udpSockets() - before);
  assert.equal(left, 0, `UDP sockets still open after stop(): ${left} (of ${during} during the call)`);
});
