import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { FakeServer } from '../support/fake-server.js';
import { pollUntil } from './poll.js';
import { agentFor, runnerPidFile, tempDir } from './agent-helpers.js';

type Probe = { probe: string; ok: boolean; value?: number; facts?: Record<string, unknown> };

test('sends hello, then heartbeats carrying every probe result measured on this host', async (t) => {
  const server = await FakeServer.start({ runners: ['r1'] });
  t.after(() => server.stop());
  const web1 = net.createServer((s) => s.destroy());
  await new Promise<void>((r) => web1.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => web1.close(() => r())));
  const web1Port = (web1.address() as net.AddressInfo).port;
  server.welcome = { probeTargets: [{ name: 'web-1', host: '127.0.0.1', port: web1Port }], thresholds: {}, environments: ['production'] };
  const dir = tempDir(t);
  const { pidFile } = runnerPidFile(t, dir);
  await agentFor(t, server, { workDir: dir, service: { pidFile } });

  const beat = await pollUntil(
    () => server.ofType('heartbeat').find((f) => (f.frame.probes as Probe[]).some((p) => p.probe === 'clock-skew') && (f.frame.probes as Probe[]).some((p) => p.probe === 'tcp:web-1')),
    'a heartbeat with the welcome targets and a clock-skew probe',
  );
  const hello = server.frames[0].frame;
  assert.equal(hello.type, 'hello');
  assert.equal(hello.runner, 'r1');
  assert.equal(typeof hello.agentVersion, 'string');
  assert.equal(typeof hello.hostname, 'string');
  assert.equal(typeof hello.sentAt, 'number');

  const probes = beat.frame.probes as Probe[];
  const byName = new Map(probes.map((p) => [p.probe, p]));
  assert.deepEqual([...byName.keys()], ['runner-service', 'disk', 'memory', 'load', 'tcp:server', 'tcp:web-1', 'clock-skew']);
  for (const p of probes) assert.equal(p.ok, true, `${p.probe} should be ok: ${JSON.stringify(p)}`);
  assert.equal(byName.get('runner-service')?.facts?.pidFile, pidFile);
  assert.equal(byName.get('disk')?.facts?.path, dir);
  assert.equal(beat.frame.job, null);
  const seqs = server.ofType('heartbeat').map((f) => f.frame.seq as number);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
  assert.equal(new Set(seqs).size, seqs.length);
});

test('reports the runner down when the process in its pid file has exited', async (t) => {
  const server = await FakeServer.start();
  t.after(() => server.stop());
  const dir = tempDir(t);
  const { pidFile, child } = runnerPidFile(t, dir);
  const { agent } = await agentFor(t, server, { workDir: dir, service: { pidFile } });
  await pollUntil(() => agent.status().probes.find((p) => p.probe === 'runner-service' && p.ok), 'runner seen alive');
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  const beat = await pollUntil(
    () => server.ofType('heartbeat').find((f) => (f.frame.probes as Probe[]).some((p) => p.probe === 'runner-service' && !p.ok)),
    'a heartbeat saying the runner is down',
  );
  assert.ok(beat);
  assert.equal((await agent.metrics.runnerUp.get()).values[0].value, 0);
});

test('keeps the verdict of the last ack and the environments of the welcome in its status', async (t) => {
  const server = await FakeServer.start();
  t.after(() => server.stop());
  server.welcome = { probeTargets: [], thresholds: {}, environments: ['staging', 'production'] };
  server.verdict = { state: 'degraded', reasons: ['disk free 3% < 10% on /w'] };
  const { agent } = await agentFor(t, server, { workDir: tempDir(t) });
  const status = await pollUntil(() => (agent.status().state === 'degraded' ? agent.status() : undefined), 'a degraded verdict');
  assert.equal(status.runner, 'r1');
  assert.deepEqual(status.reasons, ['disk free 3% < 10% on /w']);
  assert.deepEqual(status.environments, ['staging', 'production']);
  assert.equal(status.connected, true);
  assert.equal(typeof status.lastAckAt, 'number');
  server.verdict = { state: 'online', reasons: [] };
  await pollUntil(() => agent.status().state === 'online', 'the online verdict');
});

test('reconnects after the server drops the connection and after the server restarts', async (t) => {
  const server = await FakeServer.start();
  t.after(() => server.stop());
  const { agent } = await agentFor(t, server, { workDir: tempDir(t) });
  await pollUntil(() => server.ofType('heartbeat').some((f) => f.conn === 1), 'heartbeats on the first connection');

  server.dropAll();
  await pollUntil(() => server.ofType('heartbeat').some((f) => f.conn === 2), 'heartbeats on a second connection');
  assert.equal(server.ofType('hello').filter((f) => f.conn === 2).length, 1);

  await server.stop();
  await pollUntil(() => agent.status().connected === false, 'the agent to notice the server is gone');
  await server.restart();
  await pollUntil(() => server.ofType('heartbeat').some((f) => f.conn === 3), 'heartbeats after the restart');
  assert.equal(server.ofType('hello').filter((f) => f.conn === 3)[0].frame.runner, 'r1');
  assert.equal(agent.status().connected, true);
});

test('keeps retrying while the server refuses the token, and names the fix in its log', async (t) => {
  const server = await FakeServer.start({ token: 'another-token' });
  t.after(() => server.stop());
  const { logs } = await agentFor(t, server, { workDir: tempDir(t) });
  await pollUntil(() => server.refused.length >= 3, 'three refused attempts');
  assert.deepEqual([...new Set(server.refused)], [401]);
  assert.ok(logs.some((l) => l.startsWith('cannot connect to the server') && l.includes('--token')), logs.join('\n'));
});

test('closes the stream with code 1000 on stop and does not reconnect', async (t) => {
  const server = await FakeServer.start();
  t.after(() => server.stop());
  const { agent } = await agentFor(t, server, { workDir: tempDir(t) });
  await pollUntil(() => server.openConnections === 1 && server.ofType('heartbeat').length > 0, 'a connection');
  await agent.stop();
  await pollUntil(() => server.openConnections === 0, 'the connection to close');
  assert.deepEqual(server.closeCodes, [1000]);
  assert.equal(agent.status().connected, false);
  assert.equal(server.connections.length, 1);
});

test('reports clock skew against the server from the acks, failing the probe beyond the welcome threshold', async (t) => {
  const server = await FakeServer.start({ clockOffsetMs: 60_000 });
  t.after(() => server.stop());
  server.welcome = { probeTargets: [], thresholds: { maxClockSkewMs: 10_000 } };
  await agentFor(t, server, { workDir: tempDir(t) });
  const beat = await pollUntil(() => server.ofType('heartbeat').find((f) => (f.frame.probes as Probe[]).some((p) => p.probe === 'clock-skew')), 'a clock-skew probe');
  const skew = (beat.frame.probes as Probe[]).find((p) => p.probe === 'clock-skew');
  assert.equal(skew?.ok, false);
  assert.ok(Math.abs((skew?.value ?? 0) - 60_000) < 5000, `skew ${skew?.value}`);
  assert.match((skew as unknown as { detail: string }).detail, /behind the server .* more than 10000 ms; check NTP/);
});

test('keeps heartbeats going with the last results while a probe round hangs', async (t) => {
  const server = await FakeServer.start();
  t.after(() => server.stop());
  let rounds = 0;
  const first = [{ probe: 'disk', ok: true, value: 0.5, detail: 'disk free 50%', at: 1 }];
  const runProbes = () => (++rounds === 1 ? Promise.resolve(first) : new Promise<never>(() => undefined));
  await agentFor(t, server, { workDir: tempDir(t) }, { runProbes });
  const beats = await pollUntil(() => (server.ofType('heartbeat').length >= 4 ? server.ofType('heartbeat') : undefined), 'four heartbeats');
  assert.equal(rounds, 2);
  for (const b of beats) assert.deepEqual(b.frame.probes, first);
});
