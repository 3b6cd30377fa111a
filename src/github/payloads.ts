/**
 * The shapes pitcrew reads from GitHub: self-hosted runner objects, workflow job
 * objects (the same keys in REST answers and in `workflow_job` webhook
 * deliveries), validated with zod and mapped to camelCase domain values.
 *
 * Only the fields pitcrew uses are declared; every other key GitHub sends is
 * ignored, so new GitHub fields never break parsing. Must never echo a whole
 * payload into an error: callers report paths and short descriptions.
 *
 * References:
 * - Runner object: https://docs.github.com/rest/actions/self-hosted-runners#get-a-self-hosted-runner-for-a-repository
 * - Job object: https://docs.github.com/rest/actions/workflow-jobs#get-a-job-for-a-workflow-run
 * - Webhook: https://docs.github.com/webhooks/webhook-events-and-payloads#workflow_job
 * - Run object: https://docs.github.com/rest/actions/workflow-runs#get-a-workflow-run
 */
import { z } from 'zod';

export const runnerSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    os: z.string().optional(),
    status: z.enum(['online', 'offline']),
    busy: z.boolean(),
    labels: z.array(z.object({ name: z.string() })),
  })
  .transform((r) => ({
    id: r.id,
    name: r.name,
    os: r.os ?? null,
    status: r.status,
    busy: r.busy,
    labels: r.labels.map((l) => l.name),
  }));
export type Runner = z.output<typeof runnerSchema>;

export const runnerListSchema = z.array(runnerSchema);

/** Job status: the webhook sends the first four, the REST API may also say `requested` or `pending`. */
export const jobStatuses = ['queued', 'in_progress', 'completed', 'waiting', 'requested', 'pending'] as const;
export type JobStatus = (typeof jobStatuses)[number];

const nullableString = z.string().nullable().optional();

const stepSchema = z
  .object({
    name: z.string(),
    status: z.string(),
    conclusion: nullableString,
    number: z.number().int(),
    started_at: nullableString,
    completed_at: nullableString,
  })
  .transform((s) => ({
    name: s.name,
    status: s.status,
    conclusion: s.conclusion ?? null,
    number: s.number,
    startedAt: s.started_at ?? null,
    completedAt: s.completed_at ?? null,
  }));
export type JobStep = z.output<typeof stepSchema>;

export const workflowJobSchema = z
  .object({
    id: z.number().int(),
    run_id: z.number().int(),
    // Older GitHub Enterprise Server deliveries predate run_attempt; those were first attempts.
    run_attempt: z.number().int().min(1).optional(),
    name: z.string(),
    workflow_name: nullableString,
    labels: z.array(z.string()),
    runner_id: z.number().int().nullable().optional(),
    runner_name: nullableString,
    runner_group_name: nullableString,
    status: z.enum(jobStatuses),
    // Left open: GitHub has added conclusions over time (e.g. `startup_failure`).
    conclusion: nullableString,
    created_at: nullableString,
    started_at: nullableString,
    completed_at: nullableString,
    head_sha: z.string(),
    head_branch: nullableString,
    steps: z.array(stepSchema).optional(),
  })
  .transform((j) => ({
    id: j.id,
    runId: j.run_id,
    runAttempt: j.run_attempt ?? 1,
    name: j.name,
    workflowName: j.workflow_name ?? null,
    labels: j.labels,
    // GitHub sends runner_id 0 and empty names for a job that never got a runner.
    runnerId: j.runner_id ? j.runner_id : null,
    runnerName: j.runner_name ? j.runner_name : null,
    runnerGroupName: j.runner_group_name ? j.runner_group_name : null,
    status: j.status,
    conclusion: j.conclusion ?? null,
    createdAt: j.created_at ?? null,
    startedAt: j.started_at ?? null,
    completedAt: j.completed_at ?? null,
    headSha: j.head_sha,
    headBranch: j.head_branch ?? null,
    steps: j.steps ?? [],
  }));
export type WorkflowJob = z.output<typeof workflowJobSchema>;

export const jobListSchema = z.array(workflowJobSchema);

/**
 * A workflow run (https://docs.github.com/rest/actions/workflow-runs#get-a-workflow-run):
 * its status says whether a cancel has taken effect, which re-running failed jobs waits for.
 */
export const workflowRunSchema = z
  .object({
    id: z.number().int(),
    name: nullableString,
    run_attempt: z.number().int().min(1).optional(),
    // Left open: GitHub has added run statuses over time.
    status: z.string().nullable(),
    conclusion: nullableString,
    head_sha: z.string(),
  })
  .transform((r) => ({
    id: r.id,
    name: r.name ?? null,
    runAttempt: r.run_attempt ?? 1,
    status: r.status ?? 'unknown',
    conclusion: r.conclusion ?? null,
    headSha: r.head_sha,
  }));
export type WorkflowRun = z.output<typeof workflowRunSchema>;

export const workflowJobActions = ['queued', 'in_progress', 'completed', 'waiting'] as const;
export type WorkflowJobAction = (typeof workflowJobActions)[number];

export const workflowJobDeliverySchema = z.object({
  action: z.enum(workflowJobActions),
  workflow_job: workflowJobSchema,
  repository: z.object({ full_name: z.string() }),
});

/** A validated `workflow_job` delivery, as the rest of pitcrew sees it. */
export interface WorkflowJobEvent {
  deliveryId: string;
  action: WorkflowJobAction;
  /** `owner/repo`. */
  repository: string;
  job: WorkflowJob;
}

/** Renders a zod issue path the way a user reads JSON: `workflow_job.steps[2].status`. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out === '' ? '(root)' : out;
}

/** A short description of a value for error messages: its type and at most 40 characters of it. */
export function describeFound(value: unknown): string {
  if (value === undefined) return 'nothing (the key is missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  const shown = text.length > 40 ? `${text.slice(0, 37)}...` : text;
  return `${typeof value} ${shown}`;
}

/** The value at a path inside parsed JSON, or undefined. */
export function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let cur: unknown = root;
  for (const part of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[part];
  }
  return cur;
}

/** What a zod issue expected, in words. */
export function describeExpected(issue: z.ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected;
    case 'invalid_enum_value':
      return `one of ${issue.options.map((o) => JSON.stringify(o)).join(', ')}`;
    case 'too_small':
      return `a value >= ${String(issue.minimum)}`;
    case 'invalid_literal':
      return JSON.stringify(issue.expected);
    default:
      return issue.message;
  }
}
