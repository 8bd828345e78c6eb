// Broker contract: the SAME cases against every broker (embedded aedes, Mosquitto with our generated ACL and
// password file), so nothing in kefu depends on one broker's quirks.
import { after, before, describe, test } from 'node:test';
import type { MqttClient } from 'mqtt';
import { brokers, type RunningBroker } from './brokers.js';
import { BOXES, brokerCases, createCaseEnv } from './broker-cases.js';

for (const broker of brokers) {
  describe(`broker contract: ${broker.name}`, () => {
    let running: RunningBroker;
    before(async () => { running = await broker.start(BOXES); });
    after(() => running?.stop());
    for (const c of brokerCases) {
      test(c.name, async (t) => {
        const clients: MqttClient[] = [];
        t.after(() => Promise.all(clients.map((cl) => cl.endAsync(true))));
        await c.run(createCaseEnv(running, (cl) => clients.push(cl)));
      });
    }
  });
}
