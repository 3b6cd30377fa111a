/**
 * Scenario 7: monitoring: the runner-offline alert fires in a real Prometheus
 * when a runner dies, reaches a receiver through a real Alertmanager, and
 * resolves (in Prometheus and as a resolved notification) when it is back.
 *
 * Everything is what a user would run: `pitcrew monitoring export` writes the
 * scrape jobs, rules and route from the fleet's pitcrew.yml, with
 * `--for-scale 0.1` (RunnerOffline's 30 s becomes 3 s); Prometheus loads the
 * exported rules.yml untouched; Alertmanager runs the exported route example
 * with its webhook URLs pointed at a recording receiver. The other changes are
 * the scrape and evaluation interval (1 s instead of the exported 15 s) and
 * Alertmanager's group timers (seconds, not minutes), so the scenario waits
 * seconds for data and notifications.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  alertmanagerConfigFromExport, Fleet, missingTools, poll, prometheusAlerts, prometheusTargets, runPitcrew, scenarioScope, startAlertmanager, startPrometheus,
  startWebhookReceiver, TOKENS, which, writePrometheusConfig,
} from './support/index.js';

interface Notification {
  status: string;
  receiver: string;
  alerts: Array<{ status: string; labels: Record<string, string>; annotations: Record<string, string> }>;
}

function promtool(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) =>
    execFile(which('promtool') ?? 'promtool', args, { timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr })),
  );
}

/** The exported route with group timers of seconds, so firing and resolved notifications follow within the test's deadlines. */
function withShortGroupTimers(config: unknown): unknown {
  const shorten = (route: Record<string, unknown>): void => {
    if ('group_wait' in route) route.group_wait = '1s';
    if ('group_interval' in route) route.group_interval = '2s';
    for (const child of (route.routes as Array<Record<string, unknown>> | undefined) ?? []) shorten(child);
  };
  const c = config as { route: Record<string, unknown> };
  shorten(c.route);
  c.route.group_wait = '1s';
  c.route.group_interval = '2s';
  return c;
}

const skip = missingTools('prometheus', 'prometheus-alertmanager', 'promtool');

test('RunnerOffline fires in Prometheus for the runner that died, Alertmanager delivers it to the critical receiver, and both resolve when it is back', { skip, timeout: 240_000 }, async (t) => {
  const scope = scenarioScope(t);
  const fleet = await Fleet.create(scope, { runners: [{ name: 'primary', priority: 1 }, { name: 'secondary', priority: 2 }] });
  await fleet.startServer();
  await fleet.startAgent('primary');
  await fleet.startAgent('secondary');

  // The monitoring set, exported from the fleet's own configuration.
  const exportDir = join(fleet.dir, 'monitoring');
  const exported = await runPitcrew(['--config', fleet.configPath, 'monitoring', 'export', '--out', exportDir, '--for-scale', '0.1'], { env: fleet.tokenEnv() });
  assert.equal(exported.code, 0, exported.stderr);
  const rules = await readFile(join(exportDir, 'prometheus', 'rules.yml'), 'utf8');
  assert.match(rules, /alert: RunnerOffline\n\s+expr: [^]*?for: 3s\n/, "the scenario relies on the real rule with its 30 s scaled by --for-scale 0.1");

  const receiver = await startWebhookReceiver(scope);
  const alertmanager = await startAlertmanager(scope, withShortGroupTimers(await alertmanagerConfigFromExport(exportDir, receiver.url)));
  const promDir = await scope.tempDir('pitcrew-prometheus-');
  await writePrometheusConfig({ exportDir, dir: promDir, alertmanager: new URL(alertmanager.url).host, serverToken: TOKENS.viewer.value, interval: '1s' });
  const check = await promtool(['check', 'config', join(promDir, 'prometheus.yml')]);
  assert.equal(check.code, 0, check.out);
  const prometheus = await startPrometheus(scope, promDir);
  const context = () => `${fleet.logs()}\n${prometheus.proc.tail()}\n${alertmanager.proc.tail()}`;

  // Healthy baseline: all three targets scraped (the server's with its token), both runners online, no RunnerOffline at all.
  await poll('Prometheus to scrape both agents and the server', async () => {
    const targets = await prometheusTargets(prometheus.url);
    return targets.length === 3 && targets.every((tg) => tg.health === 'up') ? targets : undefined;
  }, { context });
  await poll('Prometheus to see both runners online from the server', async () => {
    const res = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent('pitcrew_runner_state{job="pitcrew-server",state="online"} == 1')}`);
    const body = (await res.json()) as { data: { result: Array<{ metric: Record<string, string> }> } };
    return body.data.result.map((r) => r.metric.runner).sort().join(',') === 'primary,secondary';
  }, { context });
  await poll('no RunnerOffline alert, pending or firing, on the healthy fleet', async () =>
    (await prometheusAlerts(prometheus.url)).every((a) => a.labels.alertname !== 'RunnerOffline'), { context });

  // The primary's runner dies; its agent, still scraped, reports it down and the server rates it offline.
  await fleet.runners.get('primary')!.stop('SIGKILL');
  await fleet.waitForState('primary', 'offline', { deadlineMs: 15_000 });

  const firing = await poll('RunnerOffline to fire for primary in Prometheus', async () =>
    (await prometheusAlerts(prometheus.url)).find((a) => a.labels.alertname === 'RunnerOffline' && a.labels.runner === 'primary' && a.state === 'firing'),
  { deadlineMs: 90_000, everyMs: 500, context });
  assert.equal(firing.labels.severity, 'critical');
  assert.match(firing.annotations.summary, /Runner primary is offline/);
  assert.match(firing.annotations.runbook_url, /docs\/runbooks\/runner-offline\.md$/);

  const delivered = await poll('Alertmanager to deliver RunnerOffline for primary to the critical receiver', () =>
    receiver.received.find((r) => {
      const n = r.body as Notification;
      return r.path === '/pitcrew/critical' && n.status === 'firing' && n.alerts.some((a) => a.labels.alertname === 'RunnerOffline' && a.labels.runner === 'primary');
    }),
  { deadlineMs: 60_000, everyMs: 250, context: () => `received: ${JSON.stringify(receiver.received)}\n${context()}` });
  const notification = delivered.body as Notification;
  assert.equal(notification.receiver, 'pitcrew-critical');
  const alert = notification.alerts.find((a) => a.labels.alertname === 'RunnerOffline' && a.labels.runner === 'primary')!;
  assert.equal(alert.status, 'firing');
  assert.equal(alert.labels.severity, 'critical');

  // Only the dead runner is reported offline: the secondary, still up, is not. (Other alerts may
  // follow the CI machine's real load or disk, the same for both runners; they are not this scenario.)
  const offline = (await prometheusAlerts(prometheus.url)).filter((a) => a.labels.alertname === 'RunnerOffline');
  assert.deepEqual(offline.map((a) => a.labels.runner), ['primary']);
  const notified = receiver.received.flatMap((r) => (r.body as Notification).alerts).filter((a) => a.labels.alertname === 'RunnerOffline');
  assert.deepEqual([...new Set(notified.map((a) => a.labels.runner))], ['primary']);

  // The runner comes back: the alert resolves in Prometheus, and Alertmanager (send_resolved) tells the receiver.
  await fleet.startStandInRunner('primary');
  await poll('the server to rate primary back from offline', async () => ((await fleet.runner('primary')).state !== 'offline' ? true : undefined), { deadlineMs: 30_000, context });
  await poll('RunnerOffline for primary to resolve in Prometheus', async () =>
    (await prometheusAlerts(prometheus.url)).every((a) => !(a.labels.alertname === 'RunnerOffline' && a.labels.runner === 'primary')),
  { deadlineMs: 60_000, everyMs: 500, context });
  const resolved = await poll('Alertmanager to deliver the resolved RunnerOffline for primary', () =>
    receiver.received.find((r) => {
      const n = r.body as Notification;
      return r.path === '/pitcrew/critical' && n.alerts.some((a) => a.labels.alertname === 'RunnerOffline' && a.labels.runner === 'primary' && a.status === 'resolved');
    }),
  { deadlineMs: 60_000, everyMs: 250, context: () => `received: ${JSON.stringify(receiver.received)}\n${context()}` });
  assert.equal((resolved.body as Notification).receiver, 'pitcrew-critical');
});
