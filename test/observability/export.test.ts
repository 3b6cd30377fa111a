import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runbookSlug } from '../../src/observability/alerts.js';
import { exportMonitoring, renderMonitoring } from '../../src/observability/export.js';
import { PitcrewError } from '../../src/errors.js';
import { SAMPLE, exportSample } from './support.js';

interface StaticConfig {
  targets: string[];
  labels?: Record<string, string>;
}
interface ScrapeFile {
  scrape_configs: Array<{ job_name: string; scheme?: string; metrics_path: string; static_configs: StaticConfig[] }>;
}
interface RulesFile {
  groups: Array<{ rules: Array<{ alert?: string; record?: string; labels?: { severity: string }; annotations?: Record<string, string> }> }>;
}

test('writes every monitoring file and lists them', async () => {
  const dir = await exportSample();
  const files = renderMonitoring(SAMPLE).map(([f]) => f);
  assert.deepEqual(files, [
    'prometheus/scrape.yml', 'prometheus/rules.yml', 'prometheus/rules.test.yml',
    'grafana/runner-health.json', 'grafana/deployment-pipeline.json', 'alertmanager/route.example.yml', 'README.md',
  ]);
  for (const f of files) assert.ok((await readFile(join(dir, f), 'utf8')).length > 100, f);
});

test('the same options give the same bytes', async () => {
  const a = await exportSample();
  const b = await exportSample();
  const { files } = await exportMonitoring(b, SAMPLE);
  for (const f of files) assert.equal(await readFile(join(a, f), 'utf8'), await readFile(join(b, f), 'utf8'), f);
});

test('one agent target per runner, labelled with its name, with the default port 9101', async () => {
  const dir = await exportSample();
  const scrape = parse(await readFile(join(dir, 'prometheus/scrape.yml'), 'utf8')) as ScrapeFile;
  const agents = scrape.scrape_configs.find((j) => j.job_name === 'pitcrew-agents');
  assert.deepEqual(agents?.static_configs, [
    { targets: ['10.0.0.5:9101'], labels: { runner: 'runner-a' } },
    { targets: ['runner-b.lan:9101'], labels: { runner: 'runner-b', __scheme__: 'https' } },
    { targets: ['runner-c:9101'], labels: { runner: 'runner-c' } },
  ]);
  const server = scrape.scrape_configs.find((j) => j.job_name === 'pitcrew-server');
  assert.deepEqual(server?.static_configs, [{ targets: ['pitcrew.lan:8080'] }]);
  assert.equal(server?.metrics_path, '/metrics');
});

test('the job prefix names the scrape jobs and the rules select by it', async () => {
  const dir = await exportSample({ ...SAMPLE, jobPrefix: 'ci' });
  const scrape = parse(await readFile(join(dir, 'prometheus/scrape.yml'), 'utf8')) as ScrapeFile;
  assert.deepEqual(scrape.scrape_configs.map((j) => j.job_name), ['ci-agents', 'ci-server']);
  const rules = await readFile(join(dir, 'prometheus/rules.yml'), 'utf8');
  assert.match(rules, /job="ci-server"/);
  assert.doesNotMatch(rules, /job="pitcrew-/);
});

test('every alert has a severity, a summary, a description and a runbook link', async () => {
  const dir = await exportSample();
  const rules = parse(await readFile(join(dir, 'prometheus/rules.yml'), 'utf8')) as RulesFile;
  const alerts = rules.groups.flatMap((g) => g.rules).filter((r) => r.alert);
  const expected = ['RunnerOffline', 'RunnerDegraded', 'RunnerDiskLow', 'RunnerDiskFull', 'RunnerHighLoad', 'RunnerMemoryLow', 'NoHealthyRunnerForEnvironment', 'DeployFailed', 'RollbackFailed', 'DeployLockHeldTooLong', 'DeployQueueBacklog', 'DeploySuccessRateLow', 'DeployDurationP95High', 'GitHubRateLimitLow', 'WebhooksInvalid', 'IncidentOpen'];
  for (const name of expected) assert.ok(alerts.some((a) => a.alert === name), name);
  for (const a of alerts) {
    assert.ok(['critical', 'warning'].includes(a.labels?.severity ?? ''), `${a.alert} severity`);
    assert.ok(a.annotations?.summary && a.annotations.description, `${a.alert} annotations`);
    assert.equal(a.annotations?.runbook_url, `https://github.com/acme/pitcrew/blob/main/docs/runbooks/${runbookSlug(a.alert!)}.md`);
  }
  assert.equal(alerts.find((a) => a.alert === 'RollbackFailed')?.labels?.severity, 'critical');
  const records = rules.groups.flatMap((g) => g.rules).filter((r) => r.record).map((r) => r.record);
  assert.deepEqual(records, ['pitcrew:deploy_success_ratio:7d', 'pitcrew:deploy_duration_seconds:p95_7d']);
});

test('options that cannot be exported are refused with the option named', () => {
  const bad = (over: object, message: RegExp) => assert.throws(() => renderMonitoring({ ...SAMPLE, ...over }), (e: unknown) => e instanceof PitcrewError && e.exitCode === 2 && message.test(e.message));
  bad({ runners: [] }, /no runners/);
  bad({ environments: [] }, /no environments/);
  bad({ runners: [{ name: 'a b' }] }, /runners\[\]\.name "a b"/);
  bad({ runners: [{ name: 'r1' }, { name: 'r1' }] }, /appears twice/);
  bad({ environments: ['other'] }, /may not be named "other"/);
  bad({ serverUrl: 'pitcrew:8080' }, /serverUrl "pitcrew:8080" (is not a URL|must be an http)/);
  bad({ runners: [{ name: 'r1', agentUrl: 'ftp://x' }] }, /runners\[0\]\.agentUrl/);
  bad({ jobPrefix: 'Bad Prefix' }, /jobPrefix/);
  bad({ runbookBaseUrl: 'nope' }, /runbookBaseUrl/);
});

test('an explicit port equal to the scheme default is kept', async () => {
  const files = renderMonitoring({ ...SAMPLE, runners: [{ name: 'r1', agentUrl: 'http://host:80' }], serverUrl: 'https://pitcrew.lan' });
  const scrape = parse(files[0][1]) as ScrapeFile;
  assert.deepEqual(scrape.scrape_configs[0].static_configs[0].targets, ['host:80']);
  assert.deepEqual(scrape.scrape_configs[1].static_configs[0].targets, ['pitcrew.lan:443']);
  assert.equal(scrape.scrape_configs[1].scheme, 'https');
});

test('the promtool tests hold a firing and a quiet evaluation for every alert', async () => {
  const dir = await exportSample();
  const rules = parse(await readFile(join(dir, 'prometheus/rules.yml'), 'utf8')) as RulesFile;
  const tests = parse(await readFile(join(dir, 'prometheus/rules.test.yml'), 'utf8')) as {
    tests: Array<{ alert_rule_test: Array<{ alertname: string; exp_alerts: unknown[] }> }>;
  };
  const evals = tests.tests.flatMap((t) => t.alert_rule_test);
  for (const a of rules.groups.flatMap((g) => g.rules).filter((r) => r.alert)) {
    const mine = evals.filter((e) => e.alertname === a.alert);
    assert.ok(mine.some((e) => e.exp_alerts.length > 0), `${a.alert} never fires in the tests`);
    assert.ok(mine.some((e) => e.exp_alerts.length === 0), `${a.alert} is never shown quiet in the tests`);
  }
});
