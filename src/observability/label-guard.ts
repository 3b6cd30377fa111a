/**
 * Keeps every label value bounded and free of secrets. Each metric declares the
 * labels it has and what each may hold (src/observability/catalogue.ts); a value
 * outside that set is recorded as `other`, never as given. A label name the
 * metric does not declare is a programming error and throws.
 * This module must never log or keep a rejected value: it may be a secret.
 */
import type { Counter, Gauge, Histogram } from 'prom-client';
import { OTHER, type LabelRule, type MetricDef } from './catalogue.js';

export type LabelValues = Record<string, string | number>;

/** The configured names that `runner` and `environment` labels may hold. */
export interface LabelDomain {
  runners: readonly string[];
  environments: readonly string[];
}

export class LabelGuard {
  private runners = new Set<string>();
  private environments = new Set<string>();

  constructor(domain: Partial<LabelDomain> = {}) {
    this.setDomain(domain);
  }

  setDomain(domain: Partial<LabelDomain>): void {
    if (domain.runners) this.runners = new Set(domain.runners);
    if (domain.environments) this.environments = new Set(domain.environments);
  }

  /** The values a label may take besides `other`, in a stable order. */
  allowed(rule: LabelRule): readonly string[] {
    if (rule === 'runner') return [...this.runners].sort();
    if (rule === 'environment') return [...this.environments].sort();
    return rule.enum;
  }

  /** `value` when the rule allows it, otherwise `other`. */
  value(rule: LabelRule, value: string | number): string {
    const v = String(value);
    if (v === OTHER) return v;
    if (rule === 'runner') return this.runners.has(v) ? v : OTHER;
    if (rule === 'environment') return this.environments.has(v) ? v : OTHER;
    return rule.enum.includes(v) ? v : OTHER;
  }

  /**
   * The labels with every value checked against the metric's rules.
   * @throws Error when a label name is not declared for the metric.
   */
  labels(def: MetricDef, labels: LabelValues): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(labels)) {
      const rule = def.labels[name];
      if (rule === undefined) {
        const known = Object.keys(def.labels);
        throw new Error(`${def.name} has no label "${name}"; its labels are: ${known.length ? known.join(', ') : '(none)'}`);
      }
      out[name] = this.value(rule, value);
    }
    return out;
  }
}

type AnyMetric = Counter<string> | Gauge<string> | Histogram<string>;
type Method = (...args: unknown[]) => unknown;

const isLabelObject = (v: unknown): v is LabelValues => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Methods whose first argument may be a label object. */
const FIRST_ARG_LABELS = ['inc', 'dec', 'set', 'observe', 'zero', 'startTimer', 'setToCurrentTime'];
/** Methods that take labels as one object or as positional values. */
const POSITIONAL_LABELS = ['labels', 'remove'];

/**
 * Routes every way of passing labels to `metric` through `guard`. prom-client
 * funnels `labels(...)`, `startTimer` and `setToCurrentTime` into these same
 * methods, so checking an already checked value again is harmless (`other` is
 * always allowed).
 */
export function guardMetric<M extends AnyMetric>(metric: M, def: MetricDef, guard: LabelGuard): M {
  const names = Object.keys(def.labels);
  const target = metric as unknown as Record<string, Method>;
  for (const m of FIRST_ARG_LABELS) {
    const original = target[m];
    if (typeof original !== 'function') continue;
    target[m] = function (this: unknown, ...args: unknown[]) {
      if (isLabelObject(args[0])) args[0] = guard.labels(def, args[0]);
      return original.apply(metric, args);
    };
  }
  for (const m of POSITIONAL_LABELS) {
    const original = target[m];
    if (typeof original !== 'function') continue;
    target[m] = function (this: unknown, ...args: unknown[]) {
      let labels: LabelValues;
      if (isLabelObject(args[0])) labels = args[0];
      else {
        if (args.length > names.length) throw new Error(`${def.name} takes ${names.length} label value(s), got ${args.length}`);
        labels = Object.fromEntries(args.map((v, i) => [names[i], v as string]));
      }
      return original.call(metric, guard.labels(def, labels));
    };
  }
  return metric;
}
