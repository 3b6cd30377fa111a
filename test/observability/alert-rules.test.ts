import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { durationMs, formatDuration, scaleDuration } from '../../src/observability/durations.js';
import { renderMonitoring } from '../../src/observability/export.js';
import { PitcrewError } from '../../src/errors.js';
import { examplePath } from '../config/helpers.js';
import { exportSample, requireTool, run, SAMPLE, tempDir } from './support.js';

interface Rule { alert?: string; expr: string; for?: string; labels?: Record<string, string> }
interface RulesFile { groups: Array<{ rules: Rule[] }> }
interface TestsFile { evaluation_interval: string; tests: Array<{ interval: string; alert_rule_test: Array<{ alertname: string; eval_time: string; exp_alerts: unknown[] }> }> }

function rulesOf(options = SAMPLE): Rule[] {
  const file = renderMonitoring(options).find(([p]) => p === 'prometheus/rules.yml')![1];
  return (parse(file) as RulesFile).groups.flatMap((g) => g.rules).filter((r) => r.alert);
}

const promtool = requireTool('promtool');
const skip = promtool ? false : 'promtool is not installed';

test('RunnerOffline also fires for every configured runner whose agent target is missing, keeping its runner label', () => {
  const offline = rulesOf().find((r) => r.alert === 'RunnerOffline')!;
  for (const name of ['runner-a', 'runner-b', 'runner-c']) {
    assert.ok(offline.expr.includes(`max by (runner) (absent(up{job="pitcrew-agents",runner="${name}"}))`), `absent() term for ${name}`);
  }
  assert.match(offline.expr, /up\{job="pitcrew-agents"\}\) == 0/);
});

test('DeployLockHeldTooLong waits for each environment\'s own lock TTL, one rule per distinct TTL', () => {
  const rules = rulesOf({ ...SAMPLE, environments: ['production', { name: 'staging', lockTtlMs: 120_000 }, { name: 'qa.eu', lockTtlMs: 120_000 }] });
  const lock = rules.filter((r) => r.alert === 'DeployLockHeldTooLong');
  assert.deepEqual(lock.map((r) => [r.for, r.labels?.lock_ttl]), [['2m', '2m'], ['15m', '15m']]);
  assert.match(lock[0]!.expr, /environment=~"qa\\\\\.eu\|staging"/);
  assert.match(lock[1]!.expr, /environment=~"production"/);
});

test('forScale multiplies every for: and leaves alerts without one alone', () => {
  const plain = rulesOf();
  const scaled = rulesOf({ ...SAMPLE, forScale: 0.1 });
  assert.equal(plain.length, scaled.length);
  for (const [i, r] of plain.entries()) {
    const s = scaled[i]!;
    assert.equal(s.alert, r.alert);
    if (r.for) assert.equal(durationMs(s.for!), Math.round(durationMs(r.for) * 0.1), `${r.alert} for:`);
    else assert.equal(s.for, undefined);
  }
  assert.equal(scaled.find((r) => r.alert === 'RunnerOffline')!.for, '3s');
  const readme = (forScale: number) => renderMonitoring({ ...SAMPLE, forScale }).find(([p]) => p === 'README.md')![1];
  assert.match(readme(0.1), /multiplied by 0\.1 .*for\n?tests and demos/s);
  assert.doesNotMatch(readme(1), /multiplied by/);
});

test('forScale outside (0, 100] is refused, naming the option', () => {
  for (const forScale of [0, -1, Number.NaN, 1000]) {
    assert.throws(() => renderMonitoring({ ...SAMPLE, forScale }), (e: unknown) => e instanceof PitcrewError && e.exitCode === 2 && /forScale/.test(e.message));
  }
});

test('durations convert between Prometheus text and milliseconds both ways', () => {
  assert.equal(durationMs('1h30m'), 5_400_000);
  assert.equal(durationMs('1500ms'), 1500);
  assert.equal(formatDuration(90_000), '1m30s');
  assert.equal(formatDuration(1500), '1s500ms');
  assert.equal(scaleDuration('30s', 0.1), '3s');
  assert.equal(scaleDuration('15m', 0.1), '1m30s');
  assert.throws(() => durationMs('1.5s'), /not a Prometheus duration/);
});

test('every alert rule has a case in rules.test.yml that fires and then resolves', async () => {
  const dir = await exportSample();
  const tests = parse(await readFile(join(dir, 'prometheus/rules.test.yml'), 'utf8')) as TestsFile;
  for (const a of rulesOf()) {
    const resolving = tests.tests.some((t) => {
      const mine = t.alert_rule_test.filter((e) => e.alertname === a.alert);
      const firing = mine.findIndex((e) => e.exp_alerts.length > 0);
      return firing >= 0 && mine.slice(firing + 1).some((e) => e.exp_alerts.length === 0);
    });
    assert.ok(resolving, `${a.alert} ${JSON.stringify(a.labels)} has no resolving case`);
  }
});

test('rules.test.yml timelines shrink with forScale alongside the rules', async () => {
  const tests = (options: typeof SAMPLE) => parse(renderMonitoring(options).find(([p]) => p === 'prometheus/rules.test.yml')![1]) as TestsFile;
  const plain = tests(SAMPLE);
  const scaled = tests({ ...SAMPLE, forScale: 0.1 });
  assert.equal(scaled.evaluation_interval, '1s500ms');
  const offline = (t: TestsFile) => t.tests.find((g) => g.alert_rule_test[0]!.alertname === 'RunnerOffline')!;
  assert.deepEqual(offline(scaled).alert_rule_test.map((e) => durationMs(e.eval_time)), offline(plain).alert_rule_test.map((e) => durationMs(e.eval_time) / 10));
});

// Scaled rules stay consistent with their tests. The alerts whose for: is scaled without long fixed windows are run
// here (the whole file at 0.1 needs promtool for minutes); promtool.test.ts runs every case at scale 1.
const SCALED_CASES = ['RunnerOffline', 'RunnerDegraded', 'RunnerDiskFull', 'RunnerMemoryLow', 'NoHealthyRunnerForEnvironment', 'DeployLockHeldTooLong', 'AgentHeartbeatStale'];
test('promtool unit tests pass for rules exported with forScale 0.1', { skip, timeout: 300_000 }, async () => {
  const dir = await exportSample({ ...SAMPLE, environments: ['production', { name: 'staging', lockTtlMs: 120_000 }], forScale: 0.1 });
  const suite = parse(await readFile(join(dir, 'prometheus/rules.test.yml'), 'utf8')) as { tests: Array<{ name: string }> };
  suite.tests = suite.tests.filter((t) => SCALED_CASES.some((a) => t.name.startsWith(`${a}:`) || t.name.startsWith(`${a} `)));
  assert.ok(suite.tests.length >= SCALED_CASES.length, `found ${suite.tests.map((t) => t.name).join('; ')}`);
  await writeFile(join(dir, 'prometheus/scaled.test.yml'), stringify(suite));
  const r = await run(promtool!, ['test', 'rules', 'scaled.test.yml'], { cwd: join(dir, 'prometheus'), timeoutMs: 280_000 });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /SUCCESS/);
});

test('monitoring export --for-scale scales the for: durations and takes lock TTLs from the configuration', async () => {
  const out = await tempDir();
  const io = memoryIo();
  const code = await main(['--config', examplePath, 'monitoring', 'export', '--out', out, '--for-scale', '0.1'], {}, io);
  assert.equal(code, 0, io.err());
  const rules = (parse(await readFile(join(out, 'prometheus/rules.yml'), 'utf8')) as RulesFile).groups.flatMap((g) => g.rules);
  assert.equal(rules.find((r) => r.alert === 'RunnerOffline')!.for, '3s');
  assert.ok(rules.some((r) => r.alert === 'DeployLockHeldTooLong' && r.labels?.lock_ttl), 'lock rule labelled with its TTL');
});

test('monitoring export --for-scale refuses a factor that is not above 0', async () => {
  for (const bad of ['0', 'abc', '-1']) {
    const io = memoryIo();
    const code = await main(['--config', examplePath, 'monitoring', 'export', '--out', await tempDir(), '--for-scale', bad], {}, io);
    assert.equal(code, 2, `${bad}: ${io.err()}`);
    assert.match(io.err(), /--for-scale/);
  }
});
