/**
 * Notifier kinds, in a registry from kind to schema. A notifier's secret
 * (a Slack URL, an HMAC key) is named by an environment variable, never
 * written in the file.
 */
import { z } from 'zod';
import { envName, httpUrl, kindUnion, strictObject } from './fields.js';

export const NOTIFICATION_EVENTS = [
  'deploy.started',
  'deploy.succeeded',
  'deploy.failed',
  'rollback.succeeded',
  'rollback.failed',
  'runner.online',
  'runner.degraded',
  'runner.offline',
] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

const events = z.array(z.enum(NOTIFICATION_EVENTS)).min(1, { message: 'expected at least one event' }).default(['deploy.failed', 'rollback.failed']);

const webhookNotifier = strictObject({
  kind: z.literal('webhook'),
  url: httpUrl(),
  events,
  /** Variable holding an HMAC-SHA256 key; when set, each POST is signed. */
  secretEnv: envName().optional(),
});

const slackNotifier = strictObject({
  kind: z.literal('slack'),
  /** Variable holding the Slack incoming-webhook URL (the URL is a secret). */
  urlEnv: envName(),
  events,
});

export type WebhookNotifier = z.output<typeof webhookNotifier>;
export type SlackNotifier = z.output<typeof slackNotifier>;
export type Notifier = WebhookNotifier | SlackNotifier;

export const notifierRegistry: ReadonlyMap<string, z.ZodType<Notifier, z.ZodTypeDef, unknown>> = new Map<string, z.ZodType<Notifier, z.ZodTypeDef, unknown>>([
  ['webhook', webhookNotifier],
  ['slack', slackNotifier],
]);

export const notifierSchema = kindUnion('kind', 'notifier kind', notifierRegistry);
