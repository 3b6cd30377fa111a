/**
 * The users' objectives and their verdicts. "No data" is never a pass: an
 * objective without a measurement says so and is not counted as met. Pure.
 */

export type ObjectiveId = 'deploy-success-rate' | 'deploy-duration-p95' | 'mttr';
export type ObjectiveStatus = 'met' | 'not-met' | 'no-data';

export interface Objective {
  id: ObjectiveId;
  name: string;
  /** Human form of the target, e.g. ">= 95 %". */
  target: string;
  comparison: '>=' | '<=';
  /** Threshold in the measurement's unit (ratio 0..1, or ms). */
  threshold: number;
  /** The measurement (ratio or ms), null when there is no data. */
  actual: number | null;
  status: ObjectiveStatus;
  met: boolean;
}

export const OBJECTIVES = {
  successRate: { id: 'deploy-success-rate', name: 'deploy success rate', target: '>= 95 %', comparison: '>=', threshold: 0.95 },
  durationP95: { id: 'deploy-duration-p95', name: 'p95 deploy duration', target: '<= 600 s', comparison: '<=', threshold: 600_000 },
  mttr: { id: 'mttr', name: 'mean time to recover', target: '<= 300 s', comparison: '<=', threshold: 300_000 },
} as const satisfies Record<string, Omit<Objective, 'actual' | 'status' | 'met'>>;

function verdict(def: Omit<Objective, 'actual' | 'status' | 'met'>, actual: number | null, met: boolean): Objective {
  const status: ObjectiveStatus = actual === null ? 'no-data' : met ? 'met' : 'not-met';
  return { ...def, actual, status, met: status === 'met' };
}

export interface ObjectiveInputs {
  /** Deploys that succeeded, and deploys that count for the rate (succeeded + failed). */
  succeeded: number;
  decided: number;
  durationP95Ms: number | null;
  mttrMs: number | null;
}

export function evaluateObjectives(m: ObjectiveInputs): Objective[] {
  // Compared in integers so that exactly 95 % (e.g. 19 of 20) is met whatever floating point says.
  const rate = m.decided === 0 ? null : m.succeeded / m.decided;
  return [
    verdict(OBJECTIVES.successRate, rate, m.succeeded * 100 >= 95 * m.decided),
    verdict(OBJECTIVES.durationP95, m.durationP95Ms, m.durationP95Ms !== null && m.durationP95Ms <= OBJECTIVES.durationP95.threshold),
    verdict(OBJECTIVES.mttr, m.mttrMs, m.mttrMs !== null && m.mttrMs <= OBJECTIVES.mttr.threshold),
  ];
}
