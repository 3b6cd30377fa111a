/**
 * A registered secret used in the configuration (interpolated into the steps
 * and a health check), printed by a target in several encodings, and carried
 * in a failing step's error: no form of it (src/mask/forms.ts) reaches the
 * deployer's stdout or stderr, the SQLite database (file and WAL), or any
 * notification payload. The webhook's signing key, a secret too, is checked
 * the same way. Runs the real CLI in child processes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { secretForms } from '../../src/mask/forms.js';
import { startReceiver } from '../notify/receiver.js';
import { deployWorkspace, REPO_ROOT, workspaceConfig, type DeployWorkspace } from '../support/deploy-fixtures.js';

/** Quotes, an ampersand, slash, plus and equals: its escaped and encoded forms all differ from the raw value. */
const SECRET = 'Pa55"w0rd&k3y/x+y=z-7Qe';
const HOOK_KEY = 'hmac-K3y-for-the-webhook-91x';

function run(ws: DeployWorkspace, env: Record<string, string>, ...argv: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/pitcrew.js'), '--config', ws.configPath, ...argv], { cwd: ws.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}

/** Every form of every secret found in `haystack` (forms as the masker knows them). */
function leaks(haystack: string | Buffer): string[] {
  const text = typeof haystack === 'string' ? haystack : haystack.toString('latin1');
  const utf8 = typeof haystack === 'string' ? haystack : haystack.toString('utf8');
  const found: string[] = [];
  for (const [name, value] of [['DEPLOY_PASSWORD', SECRET], ['HOOK_KEY', HOOK_KEY]]) {
    for (const form of secretForms(value)) if (text.includes(form) || utf8.includes(form)) found.push(`${name} as ${JSON.stringify(form)}`);
  }
  return found;
}

test('a secret in the config, in a target\'s output and in a failing step\'s error reaches no output, database byte or notification', { timeout: 180_000 }, async () => {
  const ws = await deployWorkspace({ batchSize: 3 });
  const rx = await startReceiver();
  try {
    const config = workspaceConfig(ws.dir, ws.folders, {}) as Record<string, unknown> & { environments: { prod: Record<string, unknown> } };
    config.secrets = ['DEPLOY_PASSWORD'];
    const prod = config.environments.prod;
    // The target prints the secret raw, in base64, URL-encoded and JSON-escaped.
    const printForms = 'S=\'${DEPLOY_PASSWORD}\'; echo "raw $S b64 $(printf %s "$S" | base64) url $(node -e \'process.stdout.write(encodeURIComponent(process.argv[1]))\' "$S") json $(node -e \'process.stdout.write(JSON.stringify(process.argv[1]))\' "$S")"';
    prod.steps = {
      install: `${printForms}; echo "installed"`,
      restart: `echo "$PITCREW_RELEASE" >> "$PITCREW_PATH/restarts"; if [ -e broken ]; then ${printForms} >&2; echo "login failed for $S" >&2; exit 3; fi`,
    };
    prod.healthChecks = [{ kind: 'command', name: 'app answers', run: printForms, retries: 0, timeout: '20s' }];
    prod.notifications = [{ kind: 'webhook', url: rx.url, secretEnv: 'HOOK_KEY', events: ['deploy.started', 'deploy.succeeded', 'deploy.failed', 'rollback.failed'] }];
    await writeFile(ws.configPath, JSON.stringify(config, null, 2));
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DEPLOY_PASSWORD: SECRET, HOOK_KEY };

    const good = await run(ws, env, 'deploy', 'prod', '--artifact', await ws.artifact('1.0.0'));
    assert.equal(good.code, 0, good.err + good.out);
    const failing = await run(ws, env, 'deploy', 'prod', '--artifact', await ws.artifact('2.0.0', { extra: { broken: 'yes\n' } }));
    assert.equal(failing.code, 1, failing.err + failing.out);
    const json = await run(ws, env, '--json', 'deploy', 'prod', '--artifact', await ws.artifact('2.0.1', { extra: { broken: 'yes\n' } }));
    assert.equal(json.code, 1, json.err);

    // Preconditions: the secret did travel through every channel, masked.
    assert.match(failing.out, /restart step failed on web-\d: .*login failed for \*\*\*/);
    assert.match(JSON.parse(json.out).error, /login failed for \*\*\*/);
    assert.ok(rx.received.length >= 6, `notifications received: ${rx.received.length}`);
    assert.ok(rx.received.every((r) => typeof r.headers['x-pitcrew-signature-256'] === 'string'), 'every payload signed with the key');
    assert.ok(rx.json().some((p) => /login failed for \*\*\*/.test(String(p.error))), 'the failure reached a payload, masked');

    const channels: [string, string | Buffer][] = [];
    for (const [name, r] of [['good', good], ['failing', failing], ['json', json]] as const) channels.push([`${name} stdout`, r.out], [`${name} stderr`, r.err]);
    for (const suffix of ['', '-wal']) {
      const bytes = await readFile(`${ws.dbPath}${suffix}`).catch(() => undefined);
      if (bytes !== undefined) channels.push([`pitcrew.db${suffix}`, bytes]);
    }
    assert.ok(channels.some(([name]) => name === 'pitcrew.db'));
    for (const [i, r] of rx.received.entries()) channels.push([`notification ${i} (${r.path})`, `${JSON.stringify(r.headers)}\n${r.body}`]);
    const found = channels.flatMap(([name, text]) => leaks(text).map((l) => `${name}: ${l}`));
    assert.deepEqual(found, []);
  } finally {
    await rx.close();
    await ws.cleanup();
  }
});
