/**
 * The `webhook` notifier: the payload as JSON, signed with HMAC-SHA256 over
 * the exact body when `secretEnv` is set. Must never send unsigned when a
 * signing key is configured but missing, and never narrate the key.
 */
import { createHmac } from 'node:crypto';
import type { Env } from '../cli/io.js';
import type { WebhookNotifier } from '../config/notifiers.js';
import { NotifyError } from './http.js';
import type { Sender } from './sender.js';

export const SIGNATURE_HEADER = 'X-Pitcrew-Signature-256';

/** `sha256=<hex HMAC-SHA256 of body with key>`, the value of X-Pitcrew-Signature-256. */
export function signature(body: string, key: string): string {
  return `sha256=${createHmac('sha256', key).update(body, 'utf8').digest('hex')}`;
}

export const webhookSender: Sender<WebhookNotifier> = {
  label: (n) => `webhook ${new URL(n.url).host}`,
  url: (n) => n.url,
  body: (payload) => JSON.stringify(payload),
  headers(n, body, env: Env): Record<string, string> {
    if (n.secretEnv === undefined) return {};
    const key = env[n.secretEnv];
    if (key === undefined || key === '') throw new NotifyError(`${n.secretEnv} (its signing key) is not set; not sending unsigned`);
    return { [SIGNATURE_HEADER]: signature(body, key) };
  },
};
