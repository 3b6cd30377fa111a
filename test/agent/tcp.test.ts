import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { probeTcp } from '../../src/agent/probes/tcp.js';

async function listen(): Promise<net.Server> {
  const server = net.createServer((s) => s.destroy());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

function portOf(server: net.Server): number {
  return (server.address() as net.AddressInfo).port;
}

test('tcp probe connects to a listening loopback port and reports the latency', async (t) => {
  const server = await listen();
  t.after(() => server.close());
  const r = await probeTcp({ name: 'server', host: '127.0.0.1', port: portOf(server) });
  assert.equal(r.ok, true, r.detail);
  assert.equal(r.probe, 'tcp:server');
  assert.equal(r.unit, 'ms');
  assert.ok(typeof r.value === 'number' && r.value >= 0);
});

test('tcp probe to a closed loopback port fails with ECONNREFUSED', async () => {
  // Take a free port, then close it so nothing listens there.
  const server = await listen();
  const port = portOf(server);
  await new Promise((r) => server.close(r));
  const r = await probeTcp({ host: '127.0.0.1', port });
  assert.equal(r.ok, false);
  assert.equal(r.error, 'ECONNREFUSED');
  assert.equal(r.probe, `tcp:127.0.0.1:${port}`);
  assert.equal(r.detail, `cannot connect to 127.0.0.1:${port}: ECONNREFUSED`);
});
