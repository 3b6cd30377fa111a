import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfigText, parseDuration, parseSize } from '../../src/config/index.js';
import { UsageError } from '../../src/errors.js';
import { closest, editDistance } from '../../src/config/suggest.js';

const BASE = 'project: shop\nenvironments:\n  staging:\n    transport: local\n    targets: [{ folder: /tmp/a }]\n';

function problems(text: string, env: Record<string, string> = {}) {
  try {
    parseConfigText(text, 'p.yml', env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  return assert.fail('expected problems');
}

test('parseDuration reads ms, s, m, h, d and compound durations', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('15m'), 900_000);
  assert.equal(parseDuration('2h'), 7_200_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('1.5s'), 1500);
  for (const bad of ['', '15', '15 minutes', 'm', '-1s', '1s2']) assert.throws(() => parseDuration(bad), UsageError);
});

test('parseSize reads decimal and binary units', () => {
  assert.equal(parseSize('2GiB'), 2 * 1024 ** 3);
  assert.equal(parseSize('500MB'), 500_000_000);
  assert.equal(parseSize('4096'), 4096);
  assert.throws(() => parseSize('2 gallons'), UsageError);
});

test('edit distance counts a transposition as one edit and suggestions stay close', () => {
  assert.equal(editDistance('ssh', 'shs'), 1);
  assert.equal(editDistance('keepRelease', 'keepReleases'), 1);
  assert.equal(closest('keepRelease', ['keepReleases', 'runners']), 'keepReleases');
  assert.equal(closest('colour', ['transport', 'runners', 'targets']), undefined);
  assert.equal(closest('PORT', ['port', 'host']), 'port');
});

test('defaults are applied and durations become milliseconds', () => {
  const { config } = parseConfigText(BASE, 'p.yml', {});
  const staging = config.environments.staging;
  assert.equal(staging.keepReleases, 5);
  assert.deepEqual(staging.batch, { size: 1, maxFailPercent: 0 });
  assert.deepEqual(staging.lock, { ttl: 900_000, wait: 1_800_000 });
  assert.deepEqual(staging.steps.restart, { run: [], timeout: 600_000 });
  assert.deepEqual(config.server, { url: 'http://127.0.0.1:8080', listen: '127.0.0.1:8080', database: './.pitcrew/pitcrew.db', tokens: [] });
  assert.deepEqual(config.secrets, []);
  assert.equal(config.github, undefined);
});

test('an unquoted ${VAR} that is a number after substitution is read as a number', () => {
  const text = `${BASE}    healthChecks:\n      - kind: tcp\n        port: \${APP_PORT}\n      - { kind: command, run: "echo \${APP_PORT}" }\n`;
  const { config } = parseConfigText(text, 'p.yml', { APP_PORT: '3000' });
  const [tcp, command] = config.environments.staging.healthChecks;
  assert.ok(tcp.kind === 'tcp' && tcp.port === 3000);
  assert.ok(command.kind === 'command' && command.run === 'echo 3000');
});

test('an unknown check kind is answered with the valid kinds', () => {
  const [p] = problems(`${BASE}    smokeTests: [{ kind: grpc, port: 1 }]\n`);
  assert.equal(p.path, 'environments.staging.smokeTests[0].kind');
  assert.equal(p.message, 'expected a check kind: one of http, command, tcp, found "grpc"');
});

test('an unknown notifier kind and an unknown event are answered with the valid ones', () => {
  const text = `${BASE}    notifications: [{ kind: email }, { kind: webhook, url: "https://h.example/x", events: [deploy.faild] }]\n`;
  const [a, b] = problems(text);
  assert.equal(a.message, 'expected a notifier kind: one of webhook, slack, found "email"');
  assert.equal(b.path, 'environments.staging.notifications[1].events[0]');
  assert.match(b.message, /found "deploy\.faild"; did you mean `deploy\.failed`\?$/);
});

test('an ssh target needs a host key source and a host; a local target needs a folder', () => {
  const ssh = 'project: shop\nenvironments:\n  prod:\n    transport: ssh\n    path: /srv/x\n    targets:\n      - { host: h, user: u }\n      - { user: u, hostKey: "ssh-ed25519 AAAAC3Nz" }\n';
  const found = problems(ssh).map((p) => [p.path, p.message]);
  assert.deepEqual(found, [
    ['environments.prod.targets[0]', 'needs `hostKey` or `knownHostsFile`: pitcrew never trusts a host key on first use'],
    ['environments.prod.targets[1].host', 'missing required key `host` (expected a non-empty string)'],
  ]);
  const local = problems('project: shop\nenvironments:\n  dev:\n    transport: local\n    targets: [{ name: a }]\n');
  assert.deepEqual(local.map((p) => [p.path, p.message.split(' (')[0]]), [['environments.dev.targets[0].folder', 'missing required key `folder`']]);
});

test('a runner naming an unknown environment is reported at that name', () => {
  const [p] = problems(`${BASE}runners: [{ name: a, environments: [stagign] }]\n`);
  assert.deepEqual([p.line, p.path], [6, 'runners[0].environments[0]']);
  assert.match(p.message, /unknown environment `stagign`; did you mean `staging`\?$/);
});

test('secrets of a loaded configuration are the set variables it names, with where they are named', () => {
  const text = `${BASE}github: { owner: a, repo: b }\nsecrets: [DB_PASSWORD, SMTP_PASSWORD]\n`;
  const { secrets } = parseConfigText(text, 'p.yml', { DB_PASSWORD: 'pw-1', GITHUB_TOKEN: 'tok-2' });
  assert.deepEqual(secrets, [
    { name: 'DB_PASSWORD', source: 'secrets[0]', value: 'pw-1' },
    { name: 'GITHUB_TOKEN', source: 'github.tokenEnv', value: 'tok-2' },
  ]);
});

test('a secret written literally where a key is expected is not echoed', () => {
  const secret = 'literal-secret-value-42';
  const msgs = problems(`${BASE}${secret}: 1\nsecrets: [S]\n`, { S: secret });
  assert.equal(msgs.length, 1);
  assert.ok(!JSON.stringify(msgs).includes(secret));
  assert.match(msgs[0].message, /^an unknown key \(not shown: it holds a secret value\)/);
});
