/**
 * Builds prom-client metrics from catalogue definitions on a given registry
 * (never prom-client's global one), with every label routed through the guard.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { MetricDef } from './catalogue.js';
import { guardMetric, type LabelGuard } from './label-guard.js';

type LabelsOf<D extends MetricDef> = Extract<keyof D['labels'], string>;

export interface MetricFactory {
  counter<D extends MetricDef & { type: 'counter' }>(def: D): Counter<LabelsOf<D>>;
  gauge<D extends MetricDef & { type: 'gauge' }>(def: D, collect?: (this: Gauge<LabelsOf<D>>) => void): Gauge<LabelsOf<D>>;
  histogram<D extends MetricDef & { type: 'histogram' }>(def: D): Histogram<LabelsOf<D>>;
}

export function metricFactory(registry: Registry, guard: LabelGuard): MetricFactory {
  const base = (def: MetricDef) => ({ name: def.name, help: def.help, labelNames: Object.keys(def.labels), registers: [registry] });
  return {
    counter: (def) => guardMetric(new Counter(base(def)), def, guard),
    gauge: <D extends MetricDef>(def: D, collect?: (this: Gauge<LabelsOf<D>>) => void) => {
      const labelNames = Object.keys(def.labels) as Array<LabelsOf<D>>;
      const config = { ...base(def), labelNames, ...(collect ? { collect } : {}) };
      return guardMetric(new Gauge<LabelsOf<D>>(config), def, guard);
    },
    histogram: (def) => guardMetric(new Histogram({ ...base(def), buckets: [...(def.buckets ?? [])] }), def, guard),
  };
}

/** Histogram series already created at 0 (zero() would reset one that has observations since). */
const zeroed = new WeakMap<Histogram<string>, Set<string>>();

/**
 * Creates the series for every allowed combination of label values at 0, so
 * `increase()` sees the first event and dashboards show zeros instead of gaps.
 * Filling again (the server does on every scrape) never lowers a series.
 */

export function zeroFill(metric: Counter<string> | Gauge<string> | Histogram<string>, combos: Array<Record<string, string>>): void {
  for (const labels of combos) {
    if (metric instanceof Histogram) {
      const done = zeroed.get(metric) ?? new Set<string>();
      zeroed.set(metric, done);
      const key = JSON.stringify(Object.entries(labels).sort());
      if (done.has(key)) continue;
      done.add(key);
      metric.zero(labels);
    } else metric.inc(labels, 0);
  }
}

/** Every combination of the given label values: `{a:[1,2], b:[x]}` -> `[{a:1,b:x},{a:2,b:x}]`. */
export function combinations(values: Record<string, readonly string[]>): Array<Record<string, string>> {
  let out: Array<Record<string, string>> = [{}];
  for (const [name, vs] of Object.entries(values)) {
    out = out.flatMap((partial) => vs.map((v) => ({ ...partial, [name]: v })));
  }
  return out;
}
