/**
 * Sends a deploy's notifications to an environment's notifiers: builds the
 * payload, masks it, and POSTs it to every notifier subscribed to the event.
 * A failing notifier is narrated as one line. Must never throw, and never
 * change the deploy's report or result.
 */
import type { Env } from '../cli/io.js';
import type { Notifier, NotificationEvent } from '../config/notifiers.js';
import type { DeployReport } from '../deploy/report.js';
import { postJson, type PostOptions } from './http.js';
import { buildPayload } from './payload.js';
import { senderFor } from './registry.js';

export type NotifyFn = (event: NotificationEvent, report: DeployReport) => Promise<void>;

export interface NotifyOptions {
  notifiers: readonly Notifier[];
  env: Env;
  /** Masks every secret form; applied to each payload before it is sent. */
  mask: (text: string) => string;
  say: (line: string) => void;
  now?: () => number;
  post?: PostOptions;
}

/** The engine's `notify` port for one environment, e.g. `await notify('deploy.started', report)`. */
export function createNotify(o: NotifyOptions): NotifyFn {
  const now = o.now ?? (() => Date.now());
  return async (event, report) => {
    const subscribed = o.notifiers.filter((n) => n.events.includes(event));
    if (subscribed.length === 0) return;
    const payload = buildPayload(event, report, now(), o.mask);
    await Promise.all(subscribed.map(async (n) => {
      let label: string = n.kind;
      try {
        const sender = senderFor(n.kind);
        label = sender.label(n);
        const body = o.mask(sender.body(payload));
        await postJson(sender.url(n, o.env), body, sender.headers(n, body, o.env), o.post);
      } catch (err) {
        o.say(o.mask(`notification to ${label} failed: ${(err as Error).message}`));
      }
    }));
  };
}
