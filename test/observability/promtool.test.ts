import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { exportSample, requireTool, run } from './support.js';

const promtool = requireTool('promtool');
const skip = promtool ? false : 'promtool is not installed';

/** A prometheus.yml that includes the exported scrape jobs and rules, as a user would write it. */
async function prometheusYml(dir: string): Promise<string> {
  const scrape = parse(await readFile(join(dir, 'prometheus/scrape.yml'), 'utf8')) as { scrape_configs: unknown[] };
  const config = { global: { scrape_interval: '15s', evaluation_interval: '15s' }, rule_files: ['rules.yml'], scrape_configs: scrape.scrape_configs };
  const path = join(dir, 'prometheus/prometheus.yml');
  await writeFile(path, stringify(config));
  return path;
}

test('promtool accepts a prometheus.yml built from the exported scrape jobs and rules', { skip }, async () => {
  const dir = await exportSample();
  const r = await run(promtool!, ['check', 'config', await prometheusYml(dir)]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /SUCCESS: 1 rule files found/);
});

test('promtool check rules accepts every exported rule', { skip }, async () => {
  const dir = await exportSample();
  const r = await run(promtool!, ['check', 'rules', join(dir, 'prometheus/rules.yml')]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /SUCCESS: \d+ rules found/);
});

test('every alert passes its promtool unit tests, firing and quiet cases alike', { skip }, async () => {
  const dir = await exportSample();
  const r = await run(promtool!, ['test', 'rules', 'rules.test.yml'], { cwd: join(dir, 'prometheus') });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /SUCCESS/);
});

test('the unit tests fail when an alert threshold is broken', { skip }, async () => {
  const dir = await exportSample();
  const rulesPath = join(dir, 'prometheus/rules.yml');
  const text = await readFile(rulesPath, 'utf8');
  const broken = text.replace('(pitcrew_runner_load_per_core{job="pitcrew-agents"}) > 4', '(pitcrew_runner_load_per_core{job="pitcrew-agents"}) > 40');
  assert.notEqual(broken, text, 'the threshold to break was not found');
  await writeFile(rulesPath, broken);
  // Only this alert's cases: the whole file takes promtool close to a minute.
  const suite = parse(await readFile(join(dir, 'prometheus/rules.test.yml'), 'utf8')) as { tests: Array<{ name: string }> };
  suite.tests = suite.tests.filter((t) => t.name.startsWith('RunnerHighLoad'));
  assert.ok(suite.tests.length > 0, 'RunnerHighLoad has test cases');
  await writeFile(join(dir, 'prometheus/high-load.test.yml'), stringify(suite));
  const r = await run(promtool!, ['test', 'rules', 'high-load.test.yml'], { cwd: join(dir, 'prometheus') });
  assert.equal(r.code, 1, `promtool exited ${r.code}: ${r.stdout}${r.stderr}`);
  assert.match(r.stdout + r.stderr, /RunnerHighLoad/);
});

test('promtool check rules rejects a rule with invalid PromQL', { skip }, async () => {
  const dir = await exportSample();
  const rulesPath = join(dir, 'prometheus/rules.yml');
  const text = await readFile(rulesPath, 'utf8');
  await writeFile(rulesPath, text.replace('== 1\n', '== == 1\n'));
  const r = await run(promtool!, ['check', 'rules', rulesPath]);
  assert.notEqual(r.code, 0);
  assert.match(r.stdout + r.stderr, /parse error|unexpected/);
});

test('every dashboard query is valid PromQL once Grafana variables are filled in', { skip }, async () => {
  const dir = await exportSample();
  const exprs: string[] = [];
  for (const file of ['runner-health.json', 'deployment-pipeline.json']) {
    const d = JSON.parse(await readFile(join(dir, 'grafana', file), 'utf8')) as { panels: Array<{ targets: Array<{ expr: string }> }> };
    for (const p of d.panels) for (const t of p.targets) exprs.push(t.expr);
  }
  const rules = exprs.map((expr, i) => ({ record: `dashboard:expr_${i}`, expr: expr.replaceAll('$__rate_interval', '5m').replace(/\$(runner|environment)/g, '.*') }));
  const path = join(dir, 'dashboard-exprs.yml');
  await writeFile(path, stringify({ groups: [{ name: 'dashboards', rules }] }));
  const r = await run(promtool!, ['check', 'rules', path]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`SUCCESS: ${exprs.length} rules found`));
});
