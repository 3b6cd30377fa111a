/**
 * How figures are written: durations in readable units, rates truncated so a
 * shown 95.0 % always means the objective is met.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, formatRatio, formatShare } from '../../src/report/index.js';

test('durations are written in ms, seconds, minutes or hours, and null as no data', () => {
  assert.deepEqual([null, 850, 12_345, 59_999, 60_000, 580_400, 7_500_000].map(formatDuration), ['no data', '850 ms', '12.3 s', '59.9 s', '1m 0s', '9m 40s', '2h 5m']);
});

test('rates are truncated, never rounded up to 95.0 %', () => {
  assert.equal(formatShare(9499, 10_000), '94.9 %');
  assert.equal(formatShare(19, 20), '95.0 %');
  assert.equal(formatShare(0, 0), 'no data');
  assert.equal(formatRatio(0.99999), '99.9 %');
  assert.equal(formatRatio(1), '100.0 %');
});
