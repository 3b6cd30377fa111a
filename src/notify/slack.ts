/**
 * The `slack` notifier: a Slack incoming-webhook message ({ text, blocks })
 * summing up the payload. The URL comes from `urlEnv` and is a secret: it is
 * never narrated, only the variable's name is.
 */
import type { SlackNotifier } from '../config/notifiers.js';
import { NotifyError } from './http.js';
import type { NotificationPayload } from './payload.js';
import type { Sender } from './sender.js';

const HEADLINES: Record<string, (p: NotificationPayload) => string> = {
  'deploy.started': (p) => `:rocket: ${p.kind} of ${p.releaseId || p.version || 'a release'} to *${p.environment}* started`,
  'deploy.succeeded': (p) => `:white_check_mark: ${p.kind} of ${p.releaseId} to *${p.environment}* succeeded (${p.targets.switched}/${p.targets.total} targets)`,
  'deploy.failed': (p) => `:warning: ${p.kind} of ${p.releaseId || p.version} to *${p.environment}* failed: ${p.result}`,
  'rollback.succeeded': (p) => `:leftwards_arrow_with_hook: *${p.environment}* rolled back to ${p.releaseId}`,
  'rollback.failed': (p) => `:rotating_light: rollback on *${p.environment}* did not complete: a human is needed`,
};

/** The one-line summary Slack shows in notifications. */
export function slackText(p: NotificationPayload): string {
  return (HEADLINES[p.event] ?? ((q: NotificationPayload) => `${q.event} on *${q.environment}*`))(p);
}

export function slackMessage(p: NotificationPayload): { text: string; blocks: unknown[] } {
  const text = slackText(p);
  const blocks: unknown[] = [{ type: 'section', text: { type: 'mrkdwn', text } }];
  if (p.error !== null) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `\`\`\`${p.error.slice(0, 2000)}\`\`\`` } });
  const facts = [`result: ${p.result}`, `targets: ${p.targets.names.join(', ') || 'none'}`, `deployment: ${p.deploymentId ?? 'none'}`, p.at];
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: facts.join(' | ') }] });
  return { text, blocks };
}

export const slackSender: Sender<SlackNotifier> = {
  label: (n) => `slack $${n.urlEnv}`,
  url(n, env) {
    const url = env[n.urlEnv];
    if (url === undefined || url === '') throw new NotifyError(`${n.urlEnv} (the Slack webhook URL) is not set`);
    return url;
  },
  body: (payload) => JSON.stringify(slackMessage(payload)),
  headers: () => ({}),
};
