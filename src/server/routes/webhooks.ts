/**
 * `POST /api/v1/github/webhook` (also `/api/v1/webhooks/github`): GitHub's deliveries. Authenticated by the
 * X-Hub-Signature-256 HMAC over the raw body (not by bearer token); a bad or
 * missing signature is 401 and counted. Only `workflow_job` is acted on.
 * Must never parse the body before the signature is checked. Bodies over
 * 1 MiB are refused before they are read (body-limit.ts).
 */
import type { Context, Hono } from 'hono';
import { parseWorkflowJobEvent, verifyWebhookSignature, WebhookPayloadError } from '../../github/webhook.js';
import { ApiError } from '../api-error.js';
import type { ServerContext } from '../context.js';
import type { JobFailover } from '../job-failover.js';

export const WEBHOOK_PATH = '/api/v1/github/webhook';
/** The path earlier configurations point GitHub at; answered the same way. */
export const WEBHOOK_PATH_ALIAS = '/api/v1/webhooks/github';

export function webhookRoutes(app: Hono, s: ServerContext, failover: JobFailover): void {
  const handler = async (c: Context) => {
    const raw = new Uint8Array(await c.req.arrayBuffer());
    const check = verifyWebhookSignature(s.webhookSecret ?? '', raw, c.req.header('x-hub-signature-256'));
    s.metrics.webhook(check.valid);
    if (!check.valid) {
      s.log('webhook refused', { reason: check.reason, delivery: c.req.header('x-github-delivery')?.slice(0, 64) });
      throw new ApiError(401, `webhook-${check.reason}`, check.message);
    }
    let delivery;
    try {
      delivery = parseWorkflowJobEvent(c.req.raw.headers, raw);
    } catch (err) {
      if (err instanceof WebhookPayloadError) throw new ApiError(400, 'bad-request', err.message);
      throw err;
    }
    if (delivery.kind === 'ignored') return c.json({ ignored: delivery.eventName, reason: delivery.reason }, 202);
    s.log('webhook received', { event: 'workflow_job', action: delivery.event.action, jobId: delivery.event.job.id, runner: delivery.event.job.runnerName });
    const outcome = await failover.handle(delivery.event);
    return c.json({ delivery: delivery.event.deliveryId, jobId: delivery.event.job.id, ...outcome });
  };
  app.post(WEBHOOK_PATH, handler);
  app.post(WEBHOOK_PATH_ALIAS, handler);
}
