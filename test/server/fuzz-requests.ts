/**
 * The requests of the server fuzz test (fuzz.test.ts), drawn with fast-check
 * from a fixed seed: random methods and paths under /api/v1, bodies that are
 * the real request shapes (lock, deployments, incidents, heartbeats, webhooks)
 * mutated (a field dropped, retyped or added, the text cut short, a byte
 * flipped, junk, an oversized body), random headers and tokens, and webhooks
 * with valid and broken signatures. Never the admin token and never the seeded
 * owner token or deployment id in a write, so the seeded rows must stay as they are.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { MAX_BODY_BYTES } from '../../src/server/body-limit.js';
import { workflowJobDelivery } from '../support/fake-github.js';
import { TOKENS, WEBHOOK_SECRET } from './harness.js';

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** True for a body over the server's limit (the server may close the connection after its 413). */
  oversized: boolean;
}

/** A heartbeat frame of the agent protocol, also used as an HTTP body. */
export const heartbeatShape = (seq: number) => ({
  type: 'heartbeat',
  seq,
  sentAt: 1_700_000_000_000 + seq,
  probes: [
    { probe: 'runner-service', ok: true, detail: 'runner.service is active', at: 1 },
    { probe: 'disk', ok: true, value: 0.5, unit: 'ratio', detail: '', facts: { freeBytes: 1e11 }, at: 1 },
  ],
  job: null,
});

const SHAPES: Array<() => Record<string, unknown>> = [
  () => ({ runner: 'primary', description: 'fuzz deploy', ttlMs: 60_000, ownerToken: 'fuzz-owner' }),
  () => ({ ownerToken: 'fuzz-owner' }),
  () => ({ ownerToken: 'fuzz-owner', fencingToken: 1, ttlMs: 60_000 }),
  () => ({ reason: 'stuck', requestedBy: 'fuzz' }),
  () => ({ id: 'fuzz-dep', version: 'v1', digest: 'sha256:ab', runner: 'primary', actor: 'fuzz', state: 'running', startedAt: 1, fencingToken: 1, lockWaitMs: 0 }),
  () => ({ state: 'succeeded', finishedAt: 2, result: 'succeeded', error: null }),
  () => ({ step: 'upload', target: 'host-a', phase: 'done', detail: 'ok', fencingToken: 1, at: 3 }),
  () => ({ kind: 'deploy.rolled-back', environment: 'production', deploymentId: 'fuzz-dep', cause: 'health check', startedAt: 1, detectedAt: 2 }),
  () => ({ condition: { type: 'deploy-succeeded', environment: 'production' }, at: 4, note: 'fixed' }),
  () => heartbeatShape(1),
  () => workflowJobDelivery('completed', { runner_name: 'primary', conclusion: 'failure' }),
  () => workflowJobDelivery('in_progress', { runner_name: 'secondary' }),
];

const segment = fc.oneof(
  fc.constantFrom('production', 'staging', 'nowhere', 'primary', 'ghost', 'fuzz-dep', '%', '%E0%A4%A', '%00', '..', '__proto__', 'constructor', 'x'.repeat(300)),
  fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => encodeURIComponent(s)),
);

const PATHS = [
  '/api/v1/runners', '/api/v1/runners/{s}', '/api/v1/select?env={s}&label={s}', '/api/v1/environments/{s}/lock',
  '/api/v1/environments/{s}/lock/enqueue', '/api/v1/environments/{s}/lock/poll', '/api/v1/environments/{s}/lock/renew',
  '/api/v1/environments/{s}/lock/release', '/api/v1/environments/{s}/lock/force-release', '/api/v1/environments/{s}/deployments',
  '/api/v1/deployments?environment={s}&since={s}&limit={s}', '/api/v1/deployments/{s}', '/api/v1/deployments/{s}/journal',
  '/api/v1/incidents/deploy', '/api/v1/incidents/deploy/resolve', '/api/v1/github/webhook', '/api/v1/webhooks/github',
  '/api/v1/agent/stream?runner={s}', '/api/v1/{s}', '/api/v1/{s}/{s}', '/healthz',
];

const authorization = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(TOKENS.viewer, TOKENS.deployer, TOKENS.agent).map((t) => `Bearer ${t}`),
  fc.constantFrom('Bearer revoked-token', 'Bearer', 'Basic dXNlcjpwYXNz', `bearer ${TOKENS.deployer}x`, 'Bearer a b'),
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 80 }),
);

const plan = fc.record({
  method: fc.constantFrom('GET', 'POST', 'POST', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS'),
  path: fc.nat(PATHS.length - 1),
  segments: fc.array(segment, { minLength: 3, maxLength: 3 }),
  authorization,
  contentType: fc.constantFrom('application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded', undefined),
  shape: fc.nat(SHAPES.length - 1),
  mutation: fc.oneof(
    { arbitrary: fc.constantFrom('none', 'none', 'drop', 'retype', 'add', 'cut', 'flip', 'junk', 'empty'), weight: 99 },
    { arbitrary: fc.constant('oversized'), weight: 1 },
  ),
  key: fc.nat(),
  value: fc.jsonValue({ maxDepth: 2 }),
  cut: fc.double({ min: 0, max: 1, noNaN: true }),
  junk: fc.string({ maxLength: 200 }),
  event: fc.constantFrom('workflow_job', 'workflow_job', 'ping', 'push', ''),
  signature: fc.constantFrom('valid', 'valid', 'broken', 'missing', 'sha1', 'garbage'),
});

const PADDING = Buffer.alloc(MAX_BODY_BYTES, 'x');

type Plan = typeof plan extends fc.Arbitrary<infer T> ? T : never;

function mutatedBody(p: Plan): Buffer {
  const body = SHAPES[p.shape]();
  const keys = Object.keys(body);
  const key = keys[p.key % keys.length];
  switch (p.mutation) {
    case 'drop': delete body[key]; break;
    case 'retype': body[key] = p.value; break;
    case 'add': body[`x${p.key % 7}`] = p.value; break;
    case 'junk': return Buffer.from(p.junk);
    case 'empty': return Buffer.alloc(0);
    case 'oversized': return Buffer.concat([Buffer.from(JSON.stringify(body).slice(0, -1) + ',"pad":"'), PADDING, Buffer.from('"}')]);
    default: break;
  }
  const text = Buffer.from(JSON.stringify(body));
  if (p.mutation === 'cut') return text.subarray(0, Math.floor(text.length * p.cut));
  if (p.mutation === 'flip') {
    const at = p.key % text.length;
    text[at] ^= 1 << (p.key % 8);
  }
  return text;
}

function signature(kind: string, body: Buffer): string | undefined {
  const valid = `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`;
  switch (kind) {
    case 'valid': return valid;
    case 'broken': return valid.slice(0, -1) + (valid.endsWith('0') ? '1' : '0');
    case 'sha1': return `sha1=${createHmac('sha1', WEBHOOK_SECRET).update(body).digest('hex')}`;
    case 'garbage': return 'sha256=zz';
    default: return undefined;
  }
}

function toRequest(p: Plan): FuzzRequest {
  let n = 0;
  const path = PATHS[p.path].replace(/\{s\}/g, () => p.segments[n++ % p.segments.length]);
  const headers: Record<string, string> = {};
  if (p.authorization !== undefined) headers.authorization = p.authorization;
  if (p.contentType !== undefined) headers['content-type'] = p.contentType;
  const hasBody = p.method !== 'GET' && p.method !== 'OPTIONS';
  const body = hasBody ? mutatedBody(p) : undefined;
  if (body && path.includes('webhook')) {
    headers['x-github-event'] = p.event;
    headers['x-github-delivery'] = `fuzz-${p.key}`;
    const sig = signature(p.signature, body);
    if (sig !== undefined) headers['x-hub-signature-256'] = sig;
  }
  return { method: p.method, path, headers, body, oversized: hasBody && p.mutation === 'oversized' };
}

/** `count` requests, the same ones for the same seed. */
export function fuzzRequests(count: number, seed: number): FuzzRequest[] {
  return fc.sample(plan, { numRuns: count, seed }).map(toRequest);
}

/** `count` agent frames: heartbeats mutated like the bodies above. */
export function fuzzFrames(count: number, seed: number): string[] {
  return fc.sample(plan, { numRuns: count, seed }).map((p) => mutatedBody({ ...p, shape: SHAPES.length - 3, mutation: p.mutation === 'oversized' ? 'none' : p.mutation }).toString('utf8'));
}
