import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_HEALTH_THRESHOLDS, GiB, resolveThresholds } from '../../src/fleet/thresholds.js';
import { UsageError } from '../../src/errors.js';

test('the defaults are the documented ones', () => {
  assert.deepEqual(DEFAULT_HEALTH_THRESHOLDS, {
    diskFreeMinRatio: 0.1,
    diskFreeMinBytes: GiB,
    memoryAvailableMinRatio: 0.05,
    loadPerCoreMax: 4,
    heartbeatTimeoutMs: 3000,
    degradeAfter: 2,
    recoverAfter: 3,
    recoveryMargin: 0.2,
  });
});

test('given values override the defaults', () => {
  assert.equal(resolveThresholds({ loadPerCoreMax: 8 }).loadPerCoreMax, 8);
  assert.equal(resolveThresholds({ loadPerCoreMax: 8 }).diskFreeMinRatio, 0.1);
});

test('an out-of-range value is a usage error naming the key and the allowed values', () => {
  assert.throws(
    () => resolveThresholds({ diskFreeMinRatio: 10 }, 'fleet.thresholds'),
    (err: unknown) => err instanceof UsageError && /fleet\.thresholds\.diskFreeMinRatio is 10; it must be a ratio between 0 and 1/.test(err.message),
  );
  assert.throws(() => resolveThresholds({ degradeAfter: 0 }), UsageError);
  assert.throws(() => resolveThresholds({ nope: 1 } as never), /unknown key "nope"/);
});
