/**
 * Reads a GitHub webhook delivery: which event it is, and for `workflow_job`
 * the fields pitcrew acts on, validated (unknown keys ignored). Other events,
 * `ping` included, are recognised and reported as ignored.
 *
 * Check the signature first (verifyWebhookSignature, re-exported here) over the
 * same raw bytes. Must never throw anything but WebhookPayloadError for bad
 * input, and never echo a body into a message: errors name the JSON path, what
 * was expected and a short description of what was found.
 *
 * Delivery headers: https://docs.github.com/webhooks/webhook-events-and-payloads#delivery-headers
 */
import { ExitCode, PitcrewError } from '../errors.js';
import {
  describeExpected,
  describeFound,
  formatPath,
  valueAt,
  workflowJobDeliverySchema,
  type WorkflowJobEvent,
} from './payloads.js';

export { verifyWebhookSignature, signWebhookBody } from './webhook-signature.js';
export type { SignatureCheck, SignatureRejection } from './webhook-signature.js';
export type { WorkflowJobEvent } from './payloads.js';

/** Headers as node:http gives them, or a fetch `Headers`. Looked up case-insensitively. */
export type WebhookHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

export type WebhookDelivery =
  | { kind: 'workflow_job'; event: WorkflowJobEvent }
  | { kind: 'ignored'; eventName: string; deliveryId: string; reason: string };

/** A delivery pitcrew cannot read. `path` is a JSON path (`workflow_job.runner_name`) or `headers.X-...`. */
export class WebhookPayloadError extends PitcrewError {
  readonly path: string;
  readonly expected: string;
  readonly found: string;
  readonly deliveryId?: string;

  constructor(fields: { path: string; expected: string; found: string; deliveryId?: string; hint?: string }) {
    const at = fields.deliveryId ? ` (delivery ${fields.deliveryId.slice(0, 64)})` : '';
    super('github.webhook.invalid', `Webhook payload invalid at ${fields.path}${at}: expected ${fields.expected}, found ${fields.found}.`, ExitCode.usage, {
      hint: fields.hint,
    });
    this.name = 'WebhookPayloadError';
    this.path = fields.path;
    this.expected = fields.expected;
    this.found = fields.found;
    this.deliveryId = fields.deliveryId;
  }
}

const ignoredReasons: Record<string, string> = {
  ping: 'GitHub sends ping once when the webhook is created, to check that it is reachable',
};

/**
 * Parses a delivery. Returns the workflow job event, or says why the delivery is ignored.
 *
 * @example
 *   const d = parseWorkflowJobEvent(req.headers, rawBody);
 *   if (d.kind === 'workflow_job' && d.event.action === 'completed') ...
 */
export function parseWorkflowJobEvent(headers: WebhookHeaders, rawBody: string | Uint8Array): WebhookDelivery {
  const eventName = header(headers, 'x-github-event');
  if (!eventName) throw missingHeader('X-GitHub-Event');
  const deliveryId = header(headers, 'x-github-delivery');
  if (!deliveryId) throw missingHeader('X-GitHub-Delivery');

  if (eventName !== 'workflow_job') {
    const reason = ignoredReasons[eventName] ?? 'pitcrew acts only on workflow_job deliveries';
    return { kind: 'ignored', eventName: eventName.slice(0, 64), deliveryId, reason };
  }

  const text = typeof rawBody === 'string' ? rawBody : new TextDecoder().decode(rawBody);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const formEncoded = text.startsWith('payload=');
    throw new WebhookPayloadError({
      path: '(root)',
      expected: 'a JSON object',
      found: formEncoded ? 'a form-encoded body' : `${text.length} characters that are not valid JSON`,
      deliveryId,
      hint: formEncoded ? 'Set the webhook content type to application/json in the GitHub webhook settings.' : undefined,
    });
  }

  const parsed = workflowJobDeliverySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WebhookPayloadError({
      path: formatPath(issue.path),
      expected: describeExpected(issue),
      found: describeFound(valueAt(json, issue.path)),
      deliveryId,
    });
  }
  const { action, workflow_job: job, repository } = parsed.data;
  return { kind: 'workflow_job', event: { deliveryId, action, repository: repository.full_name, job } };
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  let value: string | readonly string[] | null | undefined;
  if (typeof (headers as Headers).get === 'function' && typeof (headers as Headers).has === 'function') {
    value = (headers as Headers).get(name);
  } else {
    const record = headers as Record<string, string | readonly string[] | undefined>;
    const key = Object.keys(record).find((k) => k.toLowerCase() === name);
    value = key === undefined ? undefined : record[key];
  }
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first.trim() !== '' ? first.trim() : undefined;
}

function missingHeader(name: string): WebhookPayloadError {
  return new WebhookPayloadError({
    path: `headers.${name}`,
    expected: 'a header GitHub sends with every delivery',
    found: 'nothing',
    hint: 'Only GitHub webhook deliveries should be sent to this endpoint.',
  });
}
