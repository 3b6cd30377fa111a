import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile, mkdir, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { openStore } from '../../src/store/index.js';
import { SecretMasker } from '../../src/mask/index.js';
import { runDemo } from '../../src/demo/demo.js';
import { expectThat } from '../../src/demo/checks.js';
import { STORY, type StoryStep } from '../../src/demo/story.js';

const env = { PATH: process.env.PATH, HOME: process.env.HOME };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function pidsIn(dir: string): Promise<number[]> {
  const files = [
    ...['primary', 'secondary'].map((r) => join(dir, 'runners', r, 'runner.pid')),
    ...['web-1', 'web-2', 'web-3'].map((t) => join(dir, 'targets', t, 'app.pid')),
  ];
  return Promise.all(files.map(async (f) => Number((await readFile(f, 'utf8')).trim())));
}

test('the demo tells the whole story, records each deploy in order and leaves no process running; a second run starts afresh', async () => {
  const root = await mkdtemp(join(tmpdir(), 'pitcrew-demo-test-'));
  const dir = join(root, 'demo');
  try {
    for (const run of [1, 2]) {
      const io = memoryIo({ cwd: root });
      const code = await main(['demo', '--exit', '--dir', dir], env, io);
      assert.equal(code, 0, `run ${run}:\n${io.out()}\n${io.err()}`);
      const out = io.out();
      for (const milestone of [
        'dashboard: http://127.0.0.1:',
        '1. the fleet comes up',
        '`pitcrew select --env production` answers: primary',
        'recorded: deployment of v1 succeeded through primary',
        'recorded: deployment of v2 succeeded through primary',
        'failed on web-2',
        'recorded: deployment of v3 rolled back',
        'every app answers over HTTP with v2',
        'the server marks primary offline: runner service down',
        '`pitcrew select --env production` now answers: secondary',
        '[#2] waiting for the lock on production: position 1 in the queue',
        'objectives met:',
        'Every step behaved as narrated',
      ]) {
        assert.ok(out.includes(milestone), `run ${run}: no "${milestone}" in:\n${out}`);
      }
      const store = await openStore(join(dir, 'pitcrew.db'));
      try {
        const deployments = (await store.listDeployments({ environment: 'production' })).sort((a, b) => a.startedAt - b.startedAt);
        assert.deepEqual(
          deployments.map((d) => [d.version, d.result, d.runner]),
          [['v1', 'succeeded', 'primary'], ['v2', 'succeeded', 'primary'], ['v3', 'rolled-back', 'primary'], ['v4', 'succeeded', 'secondary'], ['v4', 'succeeded', 'secondary']],
          `run ${run}: a second run must start from an empty store`,
        );
      } finally {
        await store.close();
      }
      const pids = await pidsIn(dir);
      assert.equal(pids.length, 5);
      assert.deepEqual(pids.filter(alive), [], `run ${run}: child processes still running`);
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('the demo refuses to wipe a folder that is not its own workspace', async () => {
  const root = await mkdtemp(join(tmpdir(), 'pitcrew-demo-test-'));
  try {
    const dir = join(root, 'precious');
    await mkdir(dir);
    await writeFile(join(dir, 'notes.txt'), 'keep me\n');
    const io = memoryIo({ cwd: root });
    const code = await main(['demo', '--exit', '--dir', dir], env, io);
    assert.equal(code, 2, io.err());
    assert.match(io.err(), /is not a pitcrew demo workspace/);
    assert.deepEqual(await readdir(dir), ['notes.txt']);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('the demo refuses a --port that is not a port', async () => {
  const io = memoryIo();
  const code = await main(['demo', '--exit', '--port', '70000'], env, io);
  assert.equal(code, 2);
  assert.match(io.err(), /--port is "70000"/);
});

test('a step whose check does not hold ends the demo with exit 1 naming that step, and stops every process', async () => {
  const root = await mkdtemp(join(tmpdir(), 'pitcrew-demo-test-'));
  const dir = join(root, 'demo');
  try {
    const io = memoryIo({ cwd: root });
    const ctx = { io, env, globals: { configPath: join(root, 'pitcrew.yml'), configExplicit: false, json: false }, masker: new SecretMasker(), reveal: (t: string) => io.stdout.write(t) };
    const wrongStep: StoryStep = {
      title: 'a healthy primary is passed over',
      async run(s) {
        const pick = await s.client.select('production');
        expectThat(pick.runner === 'secondary', this.title, `select chose ${pick.runner}, not secondary`);
      },
    };
    const code = await runDemo(ctx, { dir, exit: true }, { untilStopped: () => new Promise(() => undefined), story: [STORY[0], wrongStep] });
    assert.equal(code, 1, io.out() + io.err());
    assert.match(io.err(), /demo step "a healthy primary is passed over" did not behave as narrated: select chose primary, not secondary/);
    const pids = await pidsIn(dir);
    assert.deepEqual(pids.filter(alive), []);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
