import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseWorkflowJobEvent, verifyWebhookSignature, WebhookPayloadError } from '../../src/github/webhook.js';
import { workflowJobDelivery } from '../support/fake-github.js';

// Whatever arrives on the webhook endpoint, parsing either succeeds or throws
// WebhookPayloadError with a short message; signature checks never throw.

const HEADERS = { 'X-GitHub-Event': 'workflow_job', 'X-GitHub-Delivery': 'fuzz' };

function onlyTypedErrors(headers: Record<string, string>, body: string | Uint8Array): void {
  try {
    parseWorkflowJobEvent(headers, body);
  } catch (err) {
    if (!(err instanceof WebhookPayloadError)) throw err;
    assert.ok(err.message.length < 400, `message too long: ${err.message.length}`);
  }
}

/** Sets `value` at a random place inside a copy of `root`. */
function mutate(root: unknown, choices: number[], value: unknown): unknown {
  const copy = structuredClone(root) as Record<string, unknown>;
  let cur: Record<string, unknown> = copy;
  for (const choice of choices) {
    const keys = Object.keys(cur);
    if (keys.length === 0) break;
    const key = keys[choice % keys.length];
    const next = cur[key];
    if (next === null || typeof next !== 'object' || choice % 3 === 0) {
      cur[key] = value;
      return copy;
    }
    cur = next as Record<string, unknown>;
  }
  return copy;
}

const anyJson = fc.jsonValue({ maxDepth: 3 });
const action = fc.constantFrom('queued', 'in_progress', 'completed', 'waiting') as fc.Arbitrary<'queued' | 'in_progress' | 'completed' | 'waiting'>;

test('random bytes and strings as a body only ever give the typed error', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.uint8Array({ maxLength: 200 }), anyJson.map((v) => JSON.stringify(v))), (body) => {
      onlyTypedErrors(HEADERS, body);
    }),
    { numRuns: 500 },
  );
});

test('a real delivery with one value replaced anywhere only ever parses or gives the typed error', () => {
  fc.assert(
    fc.property(action, fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), anyJson, (a, choices, value) => {
      onlyTypedErrors(HEADERS, JSON.stringify(mutate(workflowJobDelivery(a), choices, value)));
    }),
    { numRuns: 1000 },
  );
});

test('a real delivery cut short anywhere gives the typed error', () => {
  const body = JSON.stringify(workflowJobDelivery('completed'));
  fc.assert(
    fc.property(fc.integer({ min: 0, max: body.length - 1 }), (cut) => {
      assert.throws(() => parseWorkflowJobEvent(HEADERS, body.slice(0, cut)), WebhookPayloadError);
    }),
    { numRuns: 300 },
  );
});

test('random headers only ever give a delivery or the typed error', () => {
  const body = JSON.stringify(workflowJobDelivery('queued'));
  fc.assert(
    fc.property(fc.dictionary(fc.oneof(fc.constantFrom('X-GitHub-Event', 'x-github-delivery'), fc.string()), fc.string()), (headers) => {
      onlyTypedErrors(headers, body);
    }),
    { numRuns: 500 },
  );
});

test('signature checks never throw, whatever the header, secret or body', () => {
  fc.assert(
    fc.property(fc.string(), fc.string(), fc.option(fc.oneof(fc.string(), fc.string().map((s) => `sha256=${s}`))), (secret, body, header) => {
      const check = verifyWebhookSignature(secret, body, header);
      assert.equal(check.valid, false);
    }),
    { numRuns: 1000 },
  );
});
