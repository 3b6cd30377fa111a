import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// dist/test/demo/readme.test.js -> the repository's root.
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** PITCREW_TEST_FRESH_CLONE=1: clone this repository and run the whole first command there (minutes: npm ci builds SQLite). */
const FULL_CLONE = process.env.PITCREW_TEST_FRESH_CLONE === '1';
/**
 * In CI the checkout is itself a fresh clone on which scripts/test.sh just ran `npm ci`, the first half of
 * the README's first command: the test runs the rest of it there instead of installing a second time.
 */
const IN_CI = process.env.CI === 'true';

/** The README's first two ```sh blocks: the install-and-demo command and the test command. */
async function readmeCommands(dir: string): Promise<string[]> {
  const text = await readFile(join(dir, 'README.md'), 'utf8');
  return [...text.matchAll(/```sh\n([\s\S]*?)```/g)].slice(0, 2).map((m) => m[1].trim());
}

function run(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PITCREW_TEST_FRESH_CLONE: undefined } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

test('the README opens with the demo command and the test command CI runs', async () => {
  const [first, second] = await readmeCommands(ROOT);
  assert.match(first, /^npm ci && node bin\/pitcrew\.js demo\b/);
  assert.equal(second, 'bash scripts/test.sh');
  const ci = await readFile(join(ROOT, '.ci', 'run'), 'utf8');
  const calls = ci.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('set ') && !l.startsWith('cd '));
  assert.deepEqual(calls, [second], 'CI must run exactly the README\'s test command');
});

test(
  "a fresh clone runs the README's first command to the end of the demo",
  { skip: FULL_CLONE || IN_CI ? false : 'takes minutes (npm ci); set PITCREW_TEST_FRESH_CLONE=1 to run it (in CI it runs on CI\'s own fresh clone)', timeout: 20 * 60_000 },
  async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'pitcrew-clone-'));
    try {
      let dir = ROOT;
      let [command] = await readmeCommands(ROOT);
      if (FULL_CLONE) {
        dir = join(tmp, 'pitcrew');
        const cloned = await run('git', ['clone', '--quiet', ROOT, dir], tmp, 120_000);
        assert.equal(cloned.code, 0, cloned.out);
        [command] = await readmeCommands(dir);
      } else {
        assert.ok(command.startsWith('npm ci && '), command);
        command = command.slice('npm ci && '.length);
      }
      if (!command.includes('--exit')) command = `${command} --exit`;
      const result = await run('bash', ['-c', command], dir, 18 * 60_000);
      assert.equal(result.code, 0, result.out.slice(-4000));
      assert.match(result.out, /Every step behaved as narrated/);
      const status = await run(process.execPath, ['bin/pitcrew.js', '--config', '.pitcrew/demo/pitcrew.yml', 'status', 'production'], dir, 60_000);
      assert.equal(status.code, 0, status.out);
      assert.match(status.out, /web-1: v4-/);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  },
);
