import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { tempDir } from './support.js';

interface Step {
  name?: string;
  id?: string;
  shell?: string;
  run?: string;
  env?: Record<string, string>;
}
interface Action {
  name: string;
  description: string;
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: Step[] };
}

// dist/test/onboard -> repository root
const ROOT = resolve(import.meta.dirname, '../../..');
const INPUTS = ['command', 'environment', 'artifact', 'version', 'sha256', 'config', 'server', 'token', 'wait-lock', 'format'];

async function action(): Promise<Action> {
  return parse(await readFile(join(ROOT, 'action.yml'), 'utf8')) as Action;
}

test('action.yml is a composite action declaring every input with a description and a default', async () => {
  const a = await action();
  assert.ok(a.name && a.description);
  assert.equal(a.runs.using, 'composite');
  assert.deepEqual(Object.keys(a.inputs).sort(), [...INPUTS].sort());
  for (const [name, input] of Object.entries(a.inputs)) {
    assert.ok(input.description.length > 10, name);
    assert.equal(typeof input.default, 'string', `${name} has no default`);
  }
  for (const step of a.runs.steps) assert.equal(step.shell, 'bash', step.name);
});

test('action.yml never puts an expression inside a script, and uses only declared inputs', async () => {
  const a = await action();
  const used = new Set<string>();
  for (const step of a.runs.steps) {
    assert.ok(!(step.run ?? '').includes('${{'), `expression inside the script of ${step.name}`);
    const text = JSON.stringify(step);
    for (const m of text.matchAll(/inputs\.([A-Za-z0-9_-]+)/g)) used.add(m[1]);
    for (const value of Object.values(step.env ?? {})) assert.match(value, /^\$\{\{ inputs\.[a-z0-9-]+ \}\}$/);
  }
  for (const name of used) assert.ok(name in a.inputs, `inputs.${name} is not declared`);
  for (const name of INPUTS) assert.ok(used.has(name), `input ${name} is never used`);
});

test('action.yml outputs map to outputs of a step that exists', async () => {
  const a = await action();
  assert.deepEqual(Object.keys(a.outputs).sort(), ['release', 'result', 'runner']);
  const ids = new Set(a.runs.steps.map((s) => s.id).filter(Boolean));
  for (const [name, out] of Object.entries(a.outputs)) {
    const m = /^\$\{\{ steps\.([a-z0-9_-]+)\.outputs\.([a-z0-9_-]+) \}\}$/.exec(out.value);
    assert.ok(m, `${name}: ${out.value}`);
    assert.ok(ids.has(m[1]), `${name} reads step ${m[1]}, which does not exist`);
    assert.equal(m[2], name);
  }
});

/** Runs the action's main script with bash, as the runner would, against a recording stand-in for bin/pitcrew.js. */
async function runStep(inputs: Record<string, string>, fake: { exit?: number; stdout?: string } = {}) {
  const a = await action();
  const step = a.runs.steps.find((s) => s.id === 'run');
  assert.ok(step?.run);
  const dir = await tempDir('action');
  const actionPath = join(dir, 'action');
  await mkdir(join(actionPath, 'bin'), { recursive: true });
  await writeFile(
    join(actionPath, 'bin/pitcrew.js'),
    `import { appendFileSync, writeFileSync } from 'node:fs';
writeFileSync(process.env.RECORD, JSON.stringify({ argv: process.argv.slice(2), token: process.env.PITCREW_TOKEN ?? null }));
if (process.argv.includes('select')) appendFileSync(process.env.GITHUB_OUTPUT, 'runner=primary\\n');
process.stdout.write(process.env.FAKE_STDOUT ?? '');
process.exitCode = Number(process.env.FAKE_EXIT ?? 0);
`,
  );
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    GITHUB_ACTION_PATH: actionPath,
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    RECORD: join(dir, 'record.json'),
    FAKE_EXIT: String(fake.exit ?? 0),
    FAKE_STDOUT: fake.stdout ?? '',
  };
  const defaults = Object.fromEntries(Object.entries(a.inputs).map(([k, v]) => [k, v.default ?? '']));
  const all = { ...defaults, ...inputs };
  // The env: block maps INPUT_X to inputs.x; apply it as the runner would.
  for (const [key, value] of Object.entries(step.env ?? {})) {
    const name = /inputs\.([a-z0-9-]+)/.exec(value)?.[1] ?? '';
    env[key] = all[name] ?? '';
  }
  const r = spawnSync('bash', ['-c', step.run], { env, cwd: dir, encoding: 'utf8' });
  const read = async (f: string) => (existsSync(join(dir, f)) ? readFile(join(dir, f), 'utf8') : '');
  const record = existsSync(env.RECORD) ? (JSON.parse(await readFile(env.RECORD, 'utf8')) as { argv: string[]; token: string | null }) : undefined;
  return { code: r.status, stdout: r.stdout, output: await read('output'), summary: await read('summary'), record, dir };
}

test('the action passes hostile input values to pitcrew as plain arguments, never as shell code', async () => {
  const hostile = 'a b"; touch injected; echo "$(touch injected2)`touch injected3`';
  const r = await runStep({ command: 'deploy', environment: 'production', artifact: hostile, version: '1.2.3', 'wait-lock': '10m' });
  assert.equal(r.code, 0);
  assert.deepEqual(r.record?.argv, ['--config', 'pitcrew.yml', 'deploy', 'production', '--artifact', hostile, '--version', '1.2.3', '--wait-lock', '10m']);
  for (const f of ['injected', 'injected2', 'injected3']) assert.ok(!existsSync(join(r.dir, f)), f);
});

test('without sha256, the release id comes from the artifact\'s own digest', async () => {
  const dir = await tempDir('artifact');
  const artifact = join(dir, 'release.tar.gz');
  await writeFile(artifact, 'release bytes');
  const digest = createHash('sha256').update('release bytes').digest('hex');
  const r = await runStep({ command: 'deploy', environment: 'staging', artifact, version: 'v7' });
  assert.equal(r.code, 0);
  assert.match(r.output, new RegExp(`^release=v7-${digest.slice(0, 12)}$`, 'm'));
});

test('the action hands the token through the environment, masked, never on the command line', async () => {
  const r = await runStep({ command: 'select', environment: 'production', token: 'tok-secret-value-123' });
  assert.equal(r.code, 0);
  assert.equal(r.record?.token, 'tok-secret-value-123');
  assert.ok(!r.record?.argv.join(' ').includes('tok-secret-value-123'));
  assert.match(r.stdout, /^::add-mask::tok-secret-value-123$/m);
  assert.match(r.output, /^runner=primary$/m);
  assert.match(r.output, /^result=succeeded$/m);
});

test('a deploy reports its result and release id as outputs, and keeps pitcrew\'s exit code', async () => {
  const sha = 'AB'.repeat(32);
  const ok = await runStep({ command: 'deploy', environment: 'staging', artifact: '/tmp/r.tar.gz', version: '1.4.2', sha256: sha });
  assert.equal(ok.code, 0);
  assert.match(ok.output, /^release=1\.4\.2-abababababab$/m);
  assert.deepEqual(ok.record?.argv.slice(-2), ['--sha256', sha]);
  const failed = await runStep({ command: 'deploy', environment: 'staging', artifact: '/tmp/r.tar.gz', version: '1.4.2' }, { exit: 1 });
  assert.equal(failed.code, 1);
  assert.match(failed.output, /^result=failed$/m);
  assert.doesNotMatch(failed.output, /release=/);
  const human = await runStep({ command: 'deploy', environment: 'staging', artifact: '/tmp/r.tar.gz' }, { exit: 4 });
  assert.equal(human.code, 4);
  assert.match(human.output, /^result=needs-human$/m);
});

test('a markdown report also goes to the job\'s step summary', async () => {
  const r = await runStep({ command: 'report' }, { stdout: '## Deploys\n| env | ok |\n' });
  assert.equal(r.code, 0);
  assert.deepEqual(r.record?.argv, ['--config', 'pitcrew.yml', 'report', '--format', 'markdown']);
  assert.equal(r.summary, '## Deploys\n| env | ok |\n');
});

test('the action refuses an unknown command or a deploy without its inputs with exit 2', async () => {
  const unknown = await runStep({ command: 'rm -rf /' });
  assert.equal(unknown.code, 2);
  assert.match(unknown.stdout, /::error title=pitcrew::command must be deploy, select or report/);
  assert.match(unknown.output, /^result=usage-error$/m);
  assert.equal(unknown.record, undefined);
  const noArtifact = await runStep({ command: 'deploy', environment: 'production' });
  assert.equal(noArtifact.code, 2);
  assert.match(noArtifact.stdout, /needs the artifact input/);
});
