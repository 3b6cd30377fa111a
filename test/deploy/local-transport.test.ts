import { test } from 'node:test';
// Behaviour shared with the SSH transport is in transport-contract.ts, run for both; these are local-only.
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { releaseIdFor } from '../../src/deploy/release-id.js';
import { localTransport } from '../../src/deploy/transports/local.js';
import type { TargetSession } from '../../src/deploy/transports/transport.js';
import { makeArtifact, sha256, tempDir } from './fixtures.js';

interface Staged {
  id: string;
  file: string;
  digest: string;
}

async function withTarget(fn: (ctx: { dir: string; root: string; session: TargetSession; build: (version: string) => Promise<Staged> }) => Promise<void>): Promise<void> {
  const dir = await tempDir();
  const root = join(dir.path, 'target');
  await mkdir(root);
  const session = await localTransport().open({ name: 'web-1', folder: root });
  const build = async (version: string): Promise<Staged> => {
    const file = await makeArtifact(dir.path, `app-${version}.tar.gz`, { 'VERSION': `${version}\n`, 'bin/run.sh': 'echo run\n' });
    const digest = sha256(await readFile(file));
    return { id: releaseIdFor(version, digest), file, digest };
  };
  try {
    await fn({ dir: dir.path, root, session, build });
  } finally {
    await session.close();
    await dir.cleanup();
  }
}

async function stageAll(session: TargetSession, build: (v: string) => Promise<Staged>, versions: string[]): Promise<Staged[]> {
  const out: Staged[] = [];
  for (const v of versions) {
    const r = await build(v);
    await session.stage(r.id, r.file, r.digest);
    out.push(r);
  }
  return out;
}

test('inspect of an empty target: no current release, fence 0, free space known when asked', async () => {
  await withTarget(async ({ session }) => {
    const state = await session.inspect({ free: true });
    assert.equal(state.current, undefined);
    assert.deepEqual(state.releases, []);
    assert.equal(state.fence, 0);
    assert.ok((state.freeBytes ?? 0) > 0);
  });
});

test('current never goes missing or dangling while it is switched 200 times', async () => {
  await withTarget(async ({ root, session, build }) => {
    const [a, b] = await stageAll(session, build, ['1.0.0', '2.0.0']);
    await session.switchTo(a.id, 1);
    let switching = true;
    let reads = 0;
    const failures: string[] = [];
    const reader = (async () => {
      while (switching && reads < 1_000_000) {
        reads += 1;
        try {
          const v = await readFile(join(root, 'current', 'VERSION'), 'utf8');
          if (v !== '1.0.0\n' && v !== '2.0.0\n') failures.push(`read ${JSON.stringify(v)}`);
        } catch (err) {
          failures.push((err as Error).message);
        }
      }
    })();
    try {
      for (let i = 0; i < 200; i++) await session.switchTo(i % 2 === 0 ? b.id : a.id, 1);
    } finally {
      switching = false;
    }
    await reader;
    assert.deepEqual(failures, []);
    assert.ok(reads > 200, `the reader ran alongside (${reads} reads)`);
    assert.equal((await session.inspect()).current, a.id);
  });
});

test('run executes in the current release with the PITCREW_ variables and only the env it is given', async () => {
  await withTarget(async ({ root, session, build }) => {
    const [a] = await stageAll(session, build, ['1.0.0']);
    await session.switchTo(a.id, 1);
    const chunks: string[] = [];
    const withSecret = await localTransport({ env: { PATH: process.env.PATH, SECRET_TOKEN: 'hunter2' } }).open({ name: 'web-1', folder: root });
    const result = await withSecret.run('cat VERSION; echo "$PITCREW_RELEASE $PITCREW_TARGET $PITCREW_PATH $APP_MODE ${SECRET_TOKEN:-none}"; echo oops >&2; exit 3', {
      cwd: 'current', env: { APP_MODE: 'prod' }, onOutput: (_s, c) => chunks.push(c),
    });
    await withSecret.close();
    assert.equal(result.exitCode, 3);
    assert.equal(result.timedOut, false);
    assert.equal(result.stdoutTail, `1.0.0\n${a.id} web-1 ${root} prod none\n`);
    assert.equal(result.stderrTail, 'oops\n');
    assert.ok(chunks.join('').includes('1.0.0'));
    const inRelease = await session.run('pwd', { cwd: 'release', release: a.id });
    assert.equal(inRelease.stdoutTail.trim(), join(root, 'releases', a.id));
  });
});
