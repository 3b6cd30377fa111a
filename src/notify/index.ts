/**
 * Deploy notifications: what other modules import from src/notify. Nothing
 * here decides a deploy's outcome; it only reports it.
 */
export { createNotify, type NotifyFn, type NotifyOptions } from './notify.js';
export { buildPayload, endEvent, maskDeep, type NotificationPayload, type TargetsSummary } from './payload.js';
export { senders, senderFor } from './registry.js';
export type { Sender } from './sender.js';
export { signature, SIGNATURE_HEADER, webhookSender } from './webhook.js';
export { slackMessage, slackText, slackSender } from './slack.js';
export { postJson, NotifyError, DEFAULT_TIMEOUT_MS, type PostOptions } from './http.js';
