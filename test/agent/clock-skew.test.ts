import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clockSkewProbe, computeClockSkew } from '../../src/agent/probes/clock-skew.js';

const cases = [
  { name: 'clocks agree', sample: { sentAt: 1000, receivedAt: 1100, serverTime: 1050 }, skew: 0, rtt: 100 },
  { name: 'server ahead', sample: { sentAt: 1000, receivedAt: 1100, serverTime: 4050 }, skew: 3000, rtt: 100 },
  { name: 'server behind', sample: { sentAt: 1000, receivedAt: 1020, serverTime: 10 }, skew: -1000, rtt: 20 },
];

for (const c of cases) {
  test(`clock skew from one round trip: ${c.name}`, () => {
    const s = computeClockSkew(c.sample);
    assert.equal(s.skewMs, c.skew);
    assert.equal(s.roundTripMs, c.rtt);
    assert.equal(s.uncertaintyMs, c.rtt / 2);
  });
}

test('clock skew beyond the limit is not ok and says which way and what to check', () => {
  const r = clockSkewProbe({ sentAt: 0, receivedAt: 200, serverTime: 10_100 }, 5000);
  assert.equal(r.ok, false);
  assert.equal(r.value, 10_000);
  assert.match(r.detail, /10000 ms behind the server \(±100 ms\), more than 5000 ms; check NTP/);
});

test('skew within the round-trip uncertainty of the limit is tolerated', () => {
  const r = clockSkewProbe({ sentAt: 0, receivedAt: 400, serverTime: 5_300 }, 5000);
  assert.equal(r.value, 5100);
  assert.equal(r.ok, true);
});
