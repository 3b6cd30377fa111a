/**
 * One environment: where it deploys (transport and targets), how (steps,
 * batches, checks), and who may deploy to it. The schema is chosen by the
 * environment's `transport` from the transport registry.
 */
import { z } from 'zod';
import { checkSchema } from './checks.js';
import { dispatch, duration, expectIssue, int, kindUnion, name, strictObject, text } from './fields.js';
import { notifierSchema } from './notifiers.js';
import { transports } from './transports.js';

const STEP_TIMEOUT_MS = 600_000;

/** A step: a command, a list of commands, or `{ run: [...], timeout: 10m }`. */
const step = dispatch((value, ctx) => {
  if (typeof value === 'string') return text().transform((cmd) => ({ run: [cmd], timeout: STEP_TIMEOUT_MS }));
  if (Array.isArray(value)) return z.array(text()).transform((run) => ({ run, timeout: STEP_TIMEOUT_MS }));
  if (typeof value === 'object' && value !== null) {
    return strictObject({ run: z.array(text()), timeout: duration().default('10m') });
  }
  expectIssue(ctx, 'a command, a list of commands, or a mapping with `run` and `timeout`');
  return undefined;
});

const steps = strictObject({
  /** In the new release's folder, before the switch (e.g. `npm ci --omit=dev`). */
  install: step.default([]),
  /** Once per deploy, on the first target, before the switch. */
  migrate: step.default([]),
  /** After the switch, and again after a rollback. */
  restart: step.default([]),
});

const common = {
  /** Runners that may deploy here (a runner may also list the environment). */
  runners: z.array(name()).default([]),
  keepReleases: int(1, 100).default(5),
  batch: strictObject({
    size: int(1).default(1),
    maxFailPercent: int(0, 100).default(0),
  }).default({}),
  steps: steps.default({}),
  healthChecks: z.array(checkSchema).default([]),
  smokeTests: z.array(checkSchema).default([]),
  lock: strictObject({
    /** Lease length; renewed while the deploy runs. */
    ttl: duration().default('15m'),
    /** How long a deploy waits in the queue before giving up (exit 3). */
    wait: duration().default('30m'),
  }).default({}),
  notifications: z.array(notifierSchema).default([]),
  /**
   * When a runner dies while it runs a job for this environment, the server
   * cancels the workflow run and re-runs its failed jobs (docs/github.md).
   */
  autoRerun: z.boolean({ invalid_type_error: 'expected true or false' }).default(false),
  /** At most this many automatic re-runs per workflow run. */
  maxReruns: int(0, 20).default(2),
};

const sshEnvironment = strictObject({
  transport: z.literal('ssh'),
  ...common,
  ...transports.ssh.fields,
  targets: z.array(transports.ssh.target).min(1, { message: 'expected at least one target' }),
});

const localEnvironment = strictObject({
  transport: z.literal('local'),
  ...common,
  ...transports.local.fields,
  targets: z.array(transports.local.target).min(1, { message: 'expected at least one target' }),
});

export type SshEnvironment = z.output<typeof sshEnvironment>;
export type LocalEnvironment = z.output<typeof localEnvironment>;
export type Environment = SshEnvironment | LocalEnvironment;
export type Step = z.output<typeof step>;

export const environmentRegistry: ReadonlyMap<string, z.ZodType<Environment, z.ZodTypeDef, unknown>> = new Map<
  string,
  z.ZodType<Environment, z.ZodTypeDef, unknown>
>([
  ['ssh', sshEnvironment],
  ['local', localEnvironment],
]);

export const environmentSchema = kindUnion('transport', 'transport', environmentRegistry);
