import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseServerFrame } from '../../src/agent/protocol.js';
import { serverTcpTarget, streamUrl } from '../../src/agent/server-url.js';
import { parseListen } from '../../src/agent/listen.js';
import { formatLogLine } from '../../src/agent/log.js';
import { guardRefusal } from '../../src/agent/guard.js';

test('reads welcome and ack frames defensively and ignores unknown or malformed ones', () => {
  const welcome = parseServerFrame(
    JSON.stringify({
      type: 'welcome',
      serverTime: 5,
      heartbeatIntervalMs: 1000,
      probeTargets: [{ name: 'web-1', host: '10.0.0.5', port: 22 }, { host: 'x', port: 70000 }, 'junk', { host: 'db', port: 5432 }],
      thresholds: { diskFreeMinRatio: 0.1, maxClockSkewMs: 2000, label: 'no' },
      environments: ['production', 3],
      extra: true,
    }),
  );
  assert.deepEqual(welcome, {
    type: 'welcome',
    serverTime: 5,
    heartbeatIntervalMs: 1000,
    probeTargets: [{ name: 'web-1', host: '10.0.0.5', port: 22 }, { host: 'db', port: 5432 }],
    thresholds: { diskFreeMinRatio: 0.1, maxClockSkewMs: 2000 },
    environments: ['production'],
  });
  assert.equal((parseServerFrame('{"type":"welcome","serverTime":1}') as { environments?: string[] }).environments, undefined);
  assert.deepEqual(parseServerFrame('{"type":"ack","seq":3,"serverTime":9,"state":"degraded","reasons":["disk",1]}'), { type: 'ack', seq: 3, serverTime: 9, state: 'degraded', reasons: ['disk'] });
  assert.equal((parseServerFrame('{"type":"ack","seq":3,"serverTime":9,"state":"weird"}') as { state?: string }).state, undefined);
  for (const text of ['not json', '[]', 'null', '{"type":"ack"}', '{"type":"future-thing"}', '{"type":"welcome"}']) assert.equal(parseServerFrame(text), undefined, text);
  assert.deepEqual(parseServerFrame('{"type":"error","message":"malformed frame"}'), { type: 'error', message: 'malformed frame' });
});

test('derives the stream URL and the server reachability target from --server', () => {
  assert.equal(streamUrl('http://pitcrew.internal:8080', 'ci 1'), 'ws://pitcrew.internal:8080/api/v1/agent/stream?runner=ci+1');
  assert.equal(streamUrl('https://example.com/pitcrew/', 'r1'), 'wss://example.com/pitcrew/api/v1/agent/stream?runner=r1');
  assert.deepEqual(serverTcpTarget('https://example.com/pitcrew'), { name: 'server', host: 'example.com', port: 443 });
  assert.deepEqual(serverTcpTarget('http://[::1]:9000'), { name: 'server', host: '::1', port: 9000 });
  assert.throws(() => streamUrl('ftp://x', 'r'), /unsupported scheme ftp:/);
  assert.throws(() => streamUrl('pitcrew.internal', 'r'), /is not a URL/);
});

test('parses --listen addresses', () => {
  assert.deepEqual(parseListen('0.0.0.0:9101'), { host: '0.0.0.0', port: 9101 });
  assert.deepEqual(parseListen('[::1]:9101'), { host: '::1', port: 9101 });
  assert.deepEqual(parseListen(':9102'), { host: '127.0.0.1', port: 9102 });
  for (const bad of ['9101', 'host', 'host:99999', 'a:b:1']) assert.throws(() => parseListen(bad), /is not HOST:PORT/, bad);
});

test('log lines are a fixed message then key=value pairs, quoting values that need it', () => {
  assert.equal(formatLogLine('reconnecting', { inMs: 312, skipped: undefined, reason: 'agent stopping', url: 'ws://h/x?runner=r' }), 'reconnecting inMs=312 reason="agent stopping" url="ws://h/x?runner=r"');
});

test('the guard refuses on a degraded or offline verdict or an unlisted environment, and only then', () => {
  const base = { runner: 'r1', state: 'online' as const, reasons: [], environments: ['staging'] };
  assert.equal(guardRefusal(base, 'staging'), undefined);
  assert.equal(guardRefusal(base, undefined), undefined);
  assert.equal(guardRefusal({ ...base, environments: null }, 'production'), undefined);
  assert.equal(guardRefusal({ ...base, state: null }, undefined), undefined);
  assert.equal(guardRefusal(base, 'production'), 'runner r1 is not authorized for environment production');
  assert.equal(guardRefusal({ ...base, state: 'offline', reasons: [] }, 'staging'), 'runner r1 is offline');
  assert.equal(guardRefusal({ ...base, state: 'degraded', reasons: ['disk free 3% < 10%', 'load 5 per core > 4'] }, 'staging'), 'runner r1 is degraded (disk free 3% < 10%; load 5 per core > 4)');
});
