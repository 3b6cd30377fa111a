/**
 * The notification payload built from a deploy report: what happened, to
 * which environment, and a per-target summary. Every string in it goes
 * through the caller's mask before it leaves this module. Must never carry
 * an environment variable's value, a command's output, or a secret.
 */
import type { NotificationEvent } from '../config/notifiers.js';
import type { DeployReport, DeployResult } from '../deploy/report.js';

export interface TargetsSummary {
  total: number;
  /** Targets switched to the new release. */
  switched: number;
  /** Targets put back on their captured release. */
  rolledBack: number;
  /** Targets with any failed step or check. */
  failed: number;
  names: string[];
}

export interface NotificationPayload {
  event: NotificationEvent;
  environment: string;
  kind: DeployReport['kind'];
  deploymentId: string | null;
  version: string;
  releaseId: string;
  /** `running` for deploy.started, else the deploy's result. */
  result: DeployResult | 'running';
  targets: TargetsSummary;
  error: string | null;
  /** ISO 8601 time the notification was built. */
  at: string;
}

/** The event that ends a run, from its report; null for a dry run or a recovery with nothing to recover. */
export function endEvent(report: DeployReport): NotificationEvent | null {
  if (report.kind === 'recover' && report.recovered.length === 0) return null;
  switch (report.result) {
    case 'succeeded':
      return report.kind === 'rollback' ? 'rollback.succeeded' : 'deploy.succeeded';
    case 'rolled-back':
    case 'lock-lost':
      return report.kind === 'rollback' ? 'rollback.failed' : 'deploy.failed';
    case 'rollback-failed':
      return 'rollback.failed';
    case 'dry-run':
      return null;
  }
}

function summary(report: DeployReport): TargetsSummary {
  const t = report.targets;
  return {
    total: t.length,
    switched: t.filter((r) => r.switched === 'ok').length,
    rolledBack: t.filter((r) => r.rolledBack === 'ok').length,
    failed: t.filter((r) => [r.staged, r.switched, r.restart, r.rolledBack].includes('failed') || r.checks.some((c) => c.status === 'failed' || c.status === 'inconclusive')).length,
    names: t.map((r) => r.target),
  };
}

/** Replaces every string in `value` (deeply) by `mask(string)`. */
export function maskDeep<T>(value: T, mask: (text: string) => string): T {
  if (typeof value === 'string') return mask(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => maskDeep(v, mask)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v, mask)])) as T;
  }
  return value;
}

/** Builds the payload for `event`, then masks every string in it. */
export function buildPayload(event: NotificationEvent, report: DeployReport, at: number, mask: (text: string) => string): NotificationPayload {
  const payload: NotificationPayload = {
    event,
    environment: report.environment,
    kind: report.kind,
    deploymentId: report.deploymentId,
    version: report.version,
    releaseId: report.releaseId,
    result: event === 'deploy.started' ? 'running' : report.result,
    targets: summary(report),
    error: event === 'deploy.started' ? null : report.error ?? null,
    at: new Date(at).toISOString(),
  };
  return maskDeep(payload, mask);
}
