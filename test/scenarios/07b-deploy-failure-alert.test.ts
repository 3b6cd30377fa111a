/**
 * Scenario 7, second half: a failed deploy fires DeployFailed in a real
 * Prometheus.
 *
 * A fleet with one runner and three local targets on 1.0.0; the server and
 * the deployer share the SQLite store of pitcrew.yml. Prometheus loads the
 * rules of `pitcrew monitoring export` unchanged and scrapes the exported
 * jobs every second. A real `pitcrew deploy` of 2.0.0 fails its health check
 * on web-2 and rolls every target back: the server, reading finished deploys
 * from the store, counts it in `pitcrew_deployments_total{result="failed"}`,
 * and the exported DeployFailed alert (no `for:`) fires for `production`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  Fleet, freePort, missingTools, poll, prometheusAlerts, prometheusTargets, runPitcrew, scenarioScope, Stage, startPrometheus, TOKENS, writePrometheusConfig,
} from './support/index.js';

const skip = missingTools('prometheus');

async function promQuery(url: string, query: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`);
  if (!res.ok) throw new Error(`query ${query}: HTTP ${res.status}`);
  return ((await res.json()) as { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } }).data.result;
}

test('a deploy that fails its health check and rolls back counts as failed on the server and fires DeployFailed in Prometheus', { skip, timeout: 150_000 }, async (t) => {
  const scope = scenarioScope(t);
  const stage = await Stage.create(scope);
  const fleet = await Fleet.create(scope, { runners: [{ name: 'primary', priority: 1 }], environments: { production: stage.environmentConfig() } });
  await fleet.startServer();
  await fleet.startAgent('primary');
  const deploy = (file: string) => runPitcrew(['--config', fleet.configPath, 'deploy', 'production', '--artifact', file], {
    env: { ...fleet.tokenEnv(), RUNNER_NAME: 'primary', USER: 'scenario' }, cwd: fleet.dir, timeoutMs: 60_000,
  });
  const v1 = await stage.artifact('1.0.0');
  const v2 = await stage.artifact('2.0.0', { failOn: ['web-2'] });
  const base = await deploy(v1.file);
  assert.equal(base.code, 0, base.stdout + base.stderr);

  const exportDir = join(fleet.dir, 'monitoring');
  const exported = await runPitcrew(['--config', fleet.configPath, 'monitoring', 'export', '--out', exportDir], { env: fleet.tokenEnv() });
  assert.equal(exported.code, 0, exported.stderr);
  const rules = await readFile(join(exportDir, 'prometheus', 'rules.yml'), 'utf8');
  assert.match(rules, /alert: DeployFailed\n\s+expr: [^\n]*pitcrew_deployments_total\{[^}]*result="failed"/, 'the scenario relies on the real rule');
  const promDir = await scope.tempDir('pitcrew-prometheus-');
  // No Alertmanager: the warning route waits 30 s before sending; what is judged here is the alert firing.
  await writePrometheusConfig({ exportDir, dir: promDir, alertmanager: `127.0.0.1:${await freePort()}`, serverToken: TOKENS.viewer.value, interval: '1s' });
  const prometheus = await startPrometheus(scope, promDir);
  const context = () => `${fleet.logs()}\n${prometheus.proc.tail()}`;
  const failedSeries = 'pitcrew_deployments_total{job="pitcrew-server",environment="production",result="failed"}';

  await poll('Prometheus to scrape the server and the agent', async () => {
    const targets = await prometheusTargets(prometheus.url);
    return targets.length === 2 && targets.every((tg) => tg.health === 'up');
  }, { context });
  // Baseline: the failed counter is scraped at 0 (so an increase is visible), the first deploy counted as succeeded, no DeployFailed.
  await poll('Prometheus to hold failed=0 and succeeded=1 for production', async () => {
    const failed = await promQuery(prometheus.url, failedSeries);
    const succeeded = await promQuery(prometheus.url, 'pitcrew_deployments_total{job="pitcrew-server",environment="production",result="succeeded"}');
    return failed[0]?.value[1] === '0' && succeeded[0]?.value[1] === '1';
  }, { context });
  assert.ok((await prometheusAlerts(prometheus.url)).every((a) => a.labels.alertname !== 'DeployFailed'), 'no DeployFailed before the failed deploy');

  const failed = await deploy(v2.file);
  assert.equal(failed.code, 1, failed.stdout + failed.stderr);
  assert.match(failed.stdout, /health check .* failed on web-2/);
  assert.deepEqual(await stage.currents(), [v1.releaseId, v1.releaseId, v1.releaseId], 'every target rolled back to 1.0.0');

  await poll('the server to count the failed deploy on its /metrics', async () => {
    const text = await (await fetch(`${fleet.serverUrl}/metrics`, { headers: { authorization: `Bearer ${TOKENS.viewer.value}` } })).text();
    return text.split('\n').some((l) => l.startsWith('pitcrew_deployments_total{') && l.includes('environment="production"') && l.includes('result="failed"') && l.endsWith('} 1'));
  }, { deadlineMs: 30_000, context });
  const firing = await poll('DeployFailed to fire for production', async () =>
    (await prometheusAlerts(prometheus.url)).find((a) => a.labels.alertname === 'DeployFailed' && a.labels.environment === 'production' && a.state === 'firing'),
  { deadlineMs: 60_000, everyMs: 500, context });
  assert.equal(firing.labels.severity, 'warning');
  assert.match(firing.annotations.summary, /A deploy to production failed/);
  assert.deepEqual(fleet.leakedTokens(), []);
});
