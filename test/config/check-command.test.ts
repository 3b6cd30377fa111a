import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { loadConfig, redact } from '../../src/config/index.js';
import { examplePath, fixture } from './helpers.js';

const SECRETS = {
  GITHUB_TOKEN: 'ghp_exampleTokenValue123456',
  DB_PASSWORD: 'hunter2-correct-horse',
};

test('the example configuration is valid and round-trips through config check', async () => {
  const io = memoryIo();
  const code = await main(['config', 'check', examplePath], SECRETS, io);
  assert.equal(code, 0, io.err());
  const printed: unknown = parse(io.out());
  const loaded = await loadConfig(examplePath, SECRETS);
  assert.deepEqual(printed, redact(loaded.config, loaded.secrets.map((s) => s.value)));
  assert.match(io.err(), /configuration is valid/);
});

test('the example has an ssh production on three hosts and a local staging, two runners', async () => {
  const { config } = await loadConfig(examplePath, {});
  assert.deepEqual(config.runners.map((r) => r.name), ['primary', 'secondary']);
  const production = config.environments.production;
  assert.equal(production.transport, 'ssh');
  assert.deepEqual(production.transport === 'ssh' && production.targets.map((t) => t.host), ['127.0.0.2', '127.0.0.3', '127.0.0.4']);
  const staging = config.environments.staging;
  assert.equal(staging.transport, 'local');
  assert.ok(staging.transport === 'local' && staging.targets.every((t) => t.folder.length > 0));
});

test('config check with --json prints the resolved configuration as JSON', async () => {
  const io = memoryIo();
  const code = await main(['--json', 'config', 'check', examplePath], {}, io);
  assert.equal(code, 0);
  const out = JSON.parse(io.out()) as { ok: boolean; path: string; warnings: string[]; config: { environments: { production: { lock: { ttl: number } } } } };
  assert.equal(out.ok, true);
  assert.equal(out.path, examplePath);
  assert.equal(out.config.environments.production.lock.ttl, 15 * 60_000);
  assert.ok(out.warnings.some((w) => w.includes('GITHUB_TOKEN')));
});

test('config check takes the file from --config when none is given', async () => {
  const io = memoryIo();
  assert.equal(await main(['--config', examplePath, 'config', 'check'], {}, io), 0);
  const io2 = memoryIo();
  assert.equal(await main(['config', 'check'], { PITCREW_CONFIG: fixture('misspelt-key.yml') }, io2), 2);
  assert.match(io2.err(), /misspelt-key\.yml:5:5: environments\.staging\.keepRelease: unknown key `keepRelease`; did you mean `keepReleases`\?/);
});

test('config check prints every problem and exits 2 on an invalid file', async () => {
  const io = memoryIo();
  const code = await main(['config', 'check', fixture('many-problems.yml')], { PORT: 'abc' }, io);
  assert.equal(code, 2);
  assert.equal(io.out(), '');
  assert.match(io.err(), /configuration has 6 problems:/);
  assert.match(io.err(), /many-problems\.yml:17:16: environments\.staging\.transport:/);
  assert.match(io.err(), /hint: see docs\/config\.md/);
});

test('config check --json lists the problems as data and exits 2', async () => {
  const io = memoryIo();
  const code = await main(['config', 'check', '--json', fixture('duplicate-runner.yml')], {}, io);
  assert.equal(code, 2);
  const out = JSON.parse(io.out()) as { ok: boolean; problems: { line: number; column: number; path: string }[] };
  assert.equal(out.ok, false);
  assert.deepEqual(out.problems.map((p) => [p.line, p.column, p.path]), [[5, 11, 'runners[1].name']]);
});

test('config check masks a secret value wherever it appears in the resolved configuration', async () => {
  const io = memoryIo();
  const code = await main(['config', 'check', fixture('secret-in-config.yml')], { DB_PASSWORD: SECRETS.DB_PASSWORD }, io);
  assert.equal(code, 0, io.err());
  assert.ok(!io.out().includes(SECRETS.DB_PASSWORD));
  assert.ok(!io.err().includes(SECRETS.DB_PASSWORD));
  assert.match(io.out(), /PGPASSWORD=\*\*\* psql/);
});

test('config check never prints a secret value in an error', async () => {
  const io = memoryIo();
  const code = await main(['config', 'check', fixture('secret-value.yml')], { DB_PASSWORD: SECRETS.DB_PASSWORD }, io);
  assert.equal(code, 2);
  assert.ok(!io.err().includes(SECRETS.DB_PASSWORD));
  assert.ok(!io.out().includes(SECRETS.DB_PASSWORD));
  assert.match(io.err(), /found a value from \$\{DB_PASSWORD\} \(secret, not shown\)/);
});

test('config check warns about a secret variable that is not set, naming it only', async () => {
  const io = memoryIo();
  const code = await main(['config', 'check', fixture('secret-in-config.yml')], { DB_PASSWORD: 'x'.repeat(12) }, io);
  assert.equal(code, 0);
  assert.doesNotMatch(io.err(), /warning/);
  const io2 = memoryIo();
  const code2 = await main(['config', 'check', examplePath], { DB_PASSWORD: SECRETS.DB_PASSWORD }, io2);
  assert.equal(code2, 0);
  assert.match(io2.err(), /^warning: secret variable SMTP_PASSWORD \(named by secrets\[1\]\) is not set$/m);
  assert.doesNotMatch(io2.err(), /warning: secret variable DB_PASSWORD/);
});

test('config check of a missing file exits 2 and says how to name the file', async () => {
  const io = memoryIo();
  const code = await main(['config', 'check', '/nonexistent/pitcrew.yml'], {}, io);
  assert.equal(code, 2);
  assert.match(io.err(), /\/nonexistent\/pitcrew\.yml: configuration file not found/);
  assert.match(io.err(), /--config FILE or \$PITCREW_CONFIG/);
});

test('config check masks encoded forms of a config secret through the process masker', async () => {
  const { mkdtemp, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = await mkdtemp(join(tmpdir(), 'pitcrew-config-'));
  const file = join(dir, 'pitcrew.yml');
  const encoded = Buffer.from(SECRETS.DB_PASSWORD).toString('base64');
  // The file holds the secret only base64-encoded, which structural redaction cannot see.
  await writeFile(file, [
    'project: shop',
    'secrets: [DB_PASSWORD]',
    'environments:',
    '  staging:',
    '    transport: local',
    '    targets: [{ folder: /tmp/a }]',
    `    smokeTests: [{ kind: command, run: "echo ${encoded} | base64 -d" }]`,
    '',
  ].join('\n'));
  const io = memoryIo();
  const code = await main(['config', 'check', file], { DB_PASSWORD: SECRETS.DB_PASSWORD }, io);
  assert.equal(code, 0, io.err());
  assert.doesNotMatch(io.out(), new RegExp(encoded.replace(/[+/=]/g, '.')));
  assert.match(io.out(), /echo \*\*\* \| base64 -d/);
});
