/**
 * What a notifier kind provides: where it POSTs, the body it sends for a
 * payload, and the headers for that exact body. Must never return a secret
 * in `label` (it is narrated); the URL itself may be one.
 */
import type { Env } from '../cli/io.js';
import type { Notifier } from '../config/notifiers.js';
import type { NotificationPayload } from './payload.js';

export interface Sender<N extends Notifier = Notifier> {
  /** Names the notifier in narration, e.g. `webhook hooks.example.com`. */
  label(notifier: N): string;
  /** The URL to POST to; throws NotifyError when a variable it needs is unset. */
  url(notifier: N, env: Env): string;
  /** The JSON body for `payload` (already masked). */
  body(payload: NotificationPayload): string;
  /** Headers computed over the exact (masked) body, e.g. a signature. */
  headers(notifier: N, body: string, env: Env): Record<string, string>;
}
