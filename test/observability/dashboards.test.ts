import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DURATION_P95_RULE, SUCCESS_RATIO_RULE } from '../../src/observability/alerts.js';
import { catalogueNames, catalogueSeriesNames } from '../../src/observability/catalogue.js';
import { exportSample, metricNamesIn } from './support.js';

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource: { type: string; uid: string };
  gridPos: { h: number; w: number; x: number; y: number };
  targets: Array<{ expr: string; datasource: { uid: string }; refId: string }>;
  fieldConfig: { defaults: { unit?: string; thresholds: { steps: Array<{ value: number | null }> } } };
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query: unknown }> };
}

async function load(): Promise<{ dir: string; runner: Dashboard; pipeline: Dashboard }> {
  const dir = await exportSample();
  const read = async (f: string) => JSON.parse(await readFile(join(dir, 'grafana', f), 'utf8')) as Dashboard;
  return { dir, runner: await read('runner-health.json'), pipeline: await read('deployment-pipeline.json') };
}

const RECORDED = new Set([SUCCESS_RATIO_RULE, DURATION_P95_RULE]);
const allowed = new Set([...catalogueSeriesNames(), ...RECORDED, 'up']);

test('both dashboards are Grafana 10+ dashboards with a data source variable every query uses', async () => {
  const { runner, pipeline } = await load();
  for (const d of [runner, pipeline]) {
    assert.equal(d.schemaVersion, 39);
    assert.match(d.uid, /^pitcrew-/);
    const ds = d.templating.list.find((v) => v.type === 'datasource');
    assert.equal(ds?.name, 'datasource');
    assert.equal(ds?.query, 'prometheus');
    const ids = new Set<number>();
    for (const p of d.panels) {
      assert.ok(!ids.has(p.id), `${d.title}: duplicate panel id ${p.id}`);
      ids.add(p.id);
      assert.equal(p.datasource.uid, '${datasource}', `${d.title} / ${p.title}`);
      assert.ok(p.targets.length > 0, `${d.title} / ${p.title} has no query`);
      for (const t of p.targets) assert.equal(t.datasource.uid, '${datasource}');
      assert.ok(p.gridPos.x >= 0 && p.gridPos.x + p.gridPos.w <= 24, `${d.title} / ${p.title} leaves the grid`);
      assert.ok(typeof p.fieldConfig?.defaults?.unit === 'string' && p.fieldConfig.defaults.unit !== '', `${d.title} / ${p.title} has no unit`);
      for (const t of p.targets) assert.match(t.refId, /^[A-Z]$/, `${d.title} / ${p.title} refId`);
    }
  }
  assert.ok(runner.templating.list.some((v) => v.name === 'runner' && v.type === 'query'));
  assert.ok(pipeline.templating.list.some((v) => v.name === 'environment' && v.type === 'query'));
});

test('dashboard queries use only catalogue metrics, up and the recording rules', async () => {
  const { runner, pipeline } = await load();
  for (const d of [runner, pipeline]) {
    for (const p of d.panels) {
      for (const t of p.targets) {
        const names = metricNamesIn(t.expr);
        assert.ok(names.length > 0, `${p.title}: no metric found in ${t.expr}`);
        for (const n of names) assert.ok(allowed.has(n), `${d.title} / ${p.title} queries ${n}, which is not in the catalogue`);
      }
    }
  }
});

test('the name extractor sees through functions, matchers and grouping', () => {
  assert.deepEqual(metricNamesIn('histogram_quantile(0.95, sum by (le, runner) (rate(foo_bucket{a="b c",x=~"$v"}[$__rate_interval])))'), ['foo_bucket']);
  assert.deepEqual(metricNamesIn('max by (runner) (a{s="x"} == 1) * 0 or b < 1e9'), ['a', 'b']);
  assert.deepEqual(metricNamesIn('time() - pitcrew:x:7d'), ['pitcrew:x:7d']);
});

test('every catalogue metric appears in a dashboard panel or an alert rule', async () => {
  const { dir, runner, pipeline } = await load();
  const used = new Set<string>();
  for (const d of [runner, pipeline]) for (const p of d.panels) for (const t of p.targets) for (const n of metricNamesIn(t.expr)) used.add(n);
  const rules = parse(await readFile(join(dir, 'prometheus/rules.yml'), 'utf8')) as { groups: Array<{ rules: Array<{ expr: string }> }> };
  for (const g of rules.groups) for (const r of g.rules) for (const n of metricNamesIn(r.expr)) used.add(n);
  const base = (n: string) => n.replace(/_(bucket|sum|count)$/, '');
  const usedBase = new Set([...used].map(base));
  const missing = catalogueNames().filter((n) => !usedBase.has(n));
  assert.deepEqual(missing, []);
});

test('the runner dashboard shows the state timeline and the pipeline dashboard the objectives', async () => {
  const { runner, pipeline } = await load();
  assert.ok(runner.panels.some((p) => p.type === 'state-timeline' && p.targets.some((t) => t.expr.includes('pitcrew_runner_state'))));
  const thresholds = (p: Panel) => p.fieldConfig.defaults.thresholds.steps.map((s) => s.value);
  const success = pipeline.panels.find((p) => p.type === 'timeseries' && p.targets.some((t) => t.expr.includes(SUCCESS_RATIO_RULE)));
  assert.ok(success && thresholds(success).includes(0.95), 'success rate panel with a 0.95 threshold');
  const p95 = pipeline.panels.find((p) => p.type === 'timeseries' && p.targets.some((t) => t.expr.includes(DURATION_P95_RULE)));
  assert.ok(p95 && thresholds(p95).includes(600), 'p95 panel with a 600 s threshold');
});
