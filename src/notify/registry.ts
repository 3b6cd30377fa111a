/**
 * The notifier kinds: a map from kind to sender. Must never guess a kind;
 * an unknown one is a usage error listing the valid kinds.
 */
import type { Notifier } from '../config/notifiers.js';
import { UsageError } from '../errors.js';
import type { Sender } from './sender.js';
import { slackSender } from './slack.js';
import { webhookSender } from './webhook.js';

export const senders: ReadonlyMap<string, Sender> = new Map<string, Sender>([
  ['webhook', webhookSender as Sender],
  ['slack', slackSender as Sender],
]);

/** The sender of `kind`; `where` names the key path in errors. */
export function senderFor(kind: string, where = 'notifications[].kind', registry: ReadonlyMap<string, Sender> = senders): Sender<Notifier> {
  const sender = registry.get(kind);
  if (sender === undefined) {
    throw new UsageError(`${where}: unknown notifier kind "${kind}"`, {
      code: 'notifier.unknown',
      hint: `valid kinds: ${[...registry.keys()].join(', ')}`,
    });
  }
  return sender;
}
