/**
 * What every transport must do on a target, as one suite run against each
 * transport (local folders, real sshd on loopback). The targets of both live
 * on this machine, so the expectations read the target folder directly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FenceError, ReleaseConflictError, TargetError } from '../../src/deploy/errors.js';
import { releaseIdFor } from '../../src/deploy/release-id.js';
import type { TargetSession } from '../../src/deploy/transports/transport.js';
import { UsageError } from '../../src/errors.js';
import { eventually, makeArtifact, rawTar, sha256, tempDir, tree } from './fixtures.js';

export interface ContractHarness {
  /** Opens a session on the target folder `root`, named `name`. */
  open(root: string, name: string): Promise<TargetSession>;
}

export interface Staged {
  id: string;
  file: string;
  digest: string;
}

interface Ctx {
  dir: string;
  root: string;
  session: TargetSession;
  build: (version: string) => Promise<Staged>;
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

/** True while `pid` runs; a zombie waiting to be reaped counts as gone. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

export function transportContract(kind: string, harness: () => ContractHarness): void {
  async function withTarget(fn: (ctx: Ctx) => Promise<void>): Promise<void> {
    const dir = await tempDir();
    const root = join(dir.path, 'target');
    await mkdir(root);
    const session = await harness().open(root, 'web-1');
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

  test(`${kind}: a target folder that does not exist is reported by name`, async () => {
    const session = await harness().open('/nonexistent/pitcrew/target', 'web-9');
    try {
      await assert.rejects(session.inspect(), (err: unknown) =>
        err instanceof TargetError && err.code === 'target.missing' && /target web-9: target folder \/nonexistent\/pitcrew\/target does not exist/.test(err.message));
    } finally {
      await session.close();
    }
  });

  test(`${kind}: stage unpacks the release once; staging it again is a no-op and an empty target reads as empty`, async () => {
    await withTarget(async ({ root, session, build }) => {
      const empty = await session.inspect();
      assert.deepEqual([empty.current, empty.releases, empty.fence, empty.freeBytes], [undefined, [], 0, undefined], 'free space only when asked');
      assert.ok(((await session.inspect({ free: true })).freeBytes ?? 0) > 0);
      const r = await build('1.0.0');
      assert.deepEqual(await session.stage(r.id, r.file, r.digest), { releaseId: r.id, created: true });
      assert.equal(await readFile(join(root, 'releases', r.id, 'VERSION'), 'utf8'), '1.0.0\n');
      const meta = JSON.parse(await readFile(join(root, 'releases', r.id, '.pitcrew-release.json'), 'utf8'));
      assert.equal(meta.sha256, r.digest);
      const before = (await stat(join(root, 'releases', r.id, 'VERSION'))).ino;
      assert.deepEqual(await session.stage(r.id, r.file, r.digest), { releaseId: r.id, created: false });
      assert.equal((await stat(join(root, 'releases', r.id, 'VERSION'))).ino, before);
      assert.deepEqual((await session.inspect()).releases, [r.id]);
      const left = (await tree(root)).filter((p) => !p.startsWith('releases/'));
      assert.deepEqual(left.filter((p) => !p.startsWith('.pitcrew')), ['releases', 'shared']);
      assert.deepEqual(left.filter((p) => p.includes('upload') || p.includes('.tmp-')), [], 'no upload or work folder left behind');
    });
  });

  test(`${kind}: stagers of one release at once: one creates it, the others find it`, async () => {
    await withTarget(async ({ root, session, build }) => {
      const r = await build('1.0.0');
      const results = await Promise.all([1, 2, 3, 4].map(() => session.stage(r.id, r.file, r.digest)));
      assert.equal(results.filter((x) => x.created).length, 1);
      assert.deepEqual((await session.inspect()).releases, [r.id]);
      assert.equal(await readFile(join(root, 'releases', r.id, 'VERSION'), 'utf8'), '1.0.0\n');
      assert.deepEqual((await tree(root)).filter((p) => p.includes('.tmp-')), []);
    });
  });

  test(`${kind}: stage refuses a release id already there with another digest, or unfinished`, async () => {
    await withTarget(async ({ root, session, build }) => {
      const r = await build('1.0.0');
      const other = r.digest.slice(0, 12) + 'f'.repeat(52);
      await mkdir(join(root, 'releases', r.id), { recursive: true });
      await writeFile(join(root, 'releases', r.id, '.pitcrew-release.json'), `{\n  "sha256": "${other}",\n  "seq": 1\n}\n`);
      await assert.rejects(session.stage(r.id, r.file, r.digest), (err: unknown) =>
        err instanceof ReleaseConflictError && err.message.includes(`releases/${r.id} already exists with digest ${other}, not ${r.digest}`));
      const r2 = await build('2.0.0');
      await mkdir(join(root, 'releases', r2.id), { recursive: true });
      await assert.rejects(session.stage(r2.id, r2.file, r2.digest), (err: unknown) =>
        err instanceof ReleaseConflictError && err.message.includes('unknown (not finished by pitcrew)'));
    });
  });

  test(`${kind}: stage refuses an artifact whose bytes changed since verification, and leaves no release behind`, async () => {
    await withTarget(async ({ root, session, build }) => {
      const r = await build('1.0.0');
      await writeFile(r.file, 'replaced');
      await assert.rejects(session.stage(r.id, r.file, r.digest), (err: unknown) =>
        err instanceof TargetError && err.code === 'target.digest' && err.message.includes(`expected ${r.digest}`));
      assert.deepEqual((await tree(root)).filter((p) => !p.startsWith('.pitcrew')), []);
    });
  });

  test(`${kind}: stage of an archive the target cannot unpack removes its work folder, compressible or not`, async () => {
    await withTarget(async ({ dir, root, session }) => {
      // A tar cut inside its entry, gzipped: text that gzip shrinks, and random bytes it cannot (which ssh sends as tar).
      for (const body of [Buffer.from('a'.repeat(20_000)), randomBytes(20_000)]) {
        const data = gzipSync(rawTar([{ name: 'a.bin', type: '0', body }]).subarray(0, 10_000));
        const file = join(dir, 'cut.tar.gz');
        await writeFile(file, data);
        const id = releaseIdFor('1.0.0', sha256(data));
        await assert.rejects(session.stage(id, file, sha256(data)), (err: unknown) => err instanceof TargetError && err.code === 'target.unpack');
        assert.deepEqual((await tree(root)).filter((p) => !p.startsWith('.pitcrew')), ['releases', 'shared']);
      }
    });
  });

  test(`${kind}: switchTo points current at the release and returns the previous one`, async () => {
    await withTarget(async ({ root, session, build }) => {
      const [a, b] = await stageAll(session, build, ['1.0.0', '1.1.0']);
      assert.deepEqual(await session.switchTo(a.id, 1), { previous: undefined, current: a.id });
      assert.deepEqual(await session.switchTo(b.id, 1), { previous: a.id, current: b.id });
      assert.equal(await readlink(join(root, 'current')), `releases/${b.id}`);
      assert.equal(await readFile(join(root, 'current', 'VERSION'), 'utf8'), '1.1.0\n');
      assert.equal((await session.inspect()).current, b.id);
      await assert.rejects(session.switchTo(releaseIdFor('9.9.9', 'a'.repeat(64)), 1), (err: unknown) =>
        err instanceof TargetError && err.code === 'target.missing');
    });
  });

  test(`${kind}: a lower fencing token is refused; the fence only grows; concurrent switches end on the highest`, async () => {
    await withTarget(async ({ root, session, build }) => {
      const [a, b] = await stageAll(session, build, ['1.0.0', '1.1.0']);
      await session.switchTo(a.id, 5);
      await assert.rejects(session.switchTo(b.id, 4), (err: unknown) =>
        err instanceof FenceError && err.token === 4 && err.fence === 5 && err.message.includes('target web-1'));
      assert.equal(await readlink(join(root, 'current')), `releases/${a.id}`);
      await session.switchTo(b.id, 5);
      await assert.rejects(session.switchTo(b.id, -1), UsageError);
      const tokens = Array.from({ length: 12 }, (_, i) => i + 6);
      const outcomes = await Promise.allSettled(tokens.map((t) => session.switchTo(t % 2 === 0 ? b.id : a.id, t)));
      for (const o of outcomes) if (o.status === 'rejected') assert.ok(o.reason instanceof FenceError, String(o.reason));
      assert.equal(outcomes[11].status, 'fulfilled');
      const state = await session.inspect();
      assert.deepEqual([state.fence, state.current], [17, a.id]);
    });
  });

  test(`${kind}: prune keeps the newest releases and never removes current or a protected one`, async () => {
    await withTarget(async ({ root, session, build }) => {
      const r = await stageAll(session, build, ['1.0.0', '1.1.0', '1.2.0', '1.3.0', '1.4.0', '1.5.0']);
      await session.switchTo(r[1].id, 1);
      assert.deepEqual(await session.prune(2, [r[0].id]), [r[2].id, r[3].id]);
      assert.deepEqual((await session.inspect()).releases, [r[0].id, r[1].id, r[4].id, r[5].id]);
      assert.deepEqual(await session.prune(0, []), [r[0].id, r[4].id, r[5].id]);
      assert.deepEqual((await session.inspect()).releases, [r[1].id]);
      assert.equal(await readFile(join(root, 'current', 'VERSION'), 'utf8'), '1.1.0\n');
      await assert.rejects(session.prune(-1, []), UsageError);
      // The staging order is one past the highest left on the target: a new release is the newest.
      const [next] = await stageAll(session, build, ['1.0.1']);
      assert.deepEqual((await session.inspect()).details.map((d) => [d.id, d.seq]), [[r[1].id, 2], [next.id, 3]]);
    });
  });

  test(`${kind}: marks are written per release; crash leftovers are ignored by inspect and removed by prune`, async () => {
    await withTarget(async ({ root, session, build }) => {
      const [a, b] = await stageAll(session, build, ['1.0.0', '1.1.0']);
      await session.markRelease(a.id, 'good');
      await session.markRelease(b.id, 'bad');
      assert.deepEqual((await session.inspect()).details.map((d) => [d.id, d.mark]), [[a.id, 'good'], [b.id, 'bad']]);
      await assert.rejects(session.markRelease('../etc', 'good'), UsageError);
      await session.switchTo(a.id, 3);
      await mkdir(join(root, 'releases', `${b.id}.tmp-deadbeef`, 'half'), { recursive: true });
      await symlink(`releases/${b.id}`, join(root, 'current.tmp-cafe'));
      const state = await session.inspect();
      assert.equal(state.pendingSwitch, b.id);
      assert.deepEqual(state.leftovers.sort(), ['current.tmp-cafe', `releases/${b.id}.tmp-deadbeef`]);
      assert.deepEqual(await session.prune(5, []), []);
      assert.deepEqual((await session.inspect()).leftovers, []);
    });
  });

  test(`${kind}: markAndPrune marks and prunes with an outcome each; a failed mark still prunes, a failed prune keeps the mark`, async () => {
    await withTarget(async ({ root, session, build }) => {
      const r = await stageAll(session, build, ['1.0.0', '1.1.0', '1.2.0', '1.3.0']);
      await session.switchTo(r[3].id, 1);
      const done = await session.markAndPrune(r[3].id, 'good', 1, [r[1].id]);
      assert.deepEqual(done, { mark: { status: 'ok', value: undefined }, prune: { status: 'ok', value: [r[0].id, r[2].id] } });
      assert.equal(await readFile(join(root, 'releases', r[3].id, '.pitcrew-mark'), 'utf8'), 'good\n');
      assert.deepEqual((await session.inspect()).details.map((d) => [d.id, d.mark]), [[r[1].id, undefined], [r[3].id, 'good']]);
      // Nothing left to prune: the mark alone.
      assert.deepEqual(await session.markAndPrune(r[1].id, 'bad', 5, []), { mark: { status: 'ok', value: undefined }, prune: { status: 'ok', value: [] } });
      assert.equal((await session.inspect()).details[0].mark, 'bad');
      const [next] = await stageAll(session, build, ['1.4.0']);
      const gone = releaseIdFor('9.9.9', 'e'.repeat(64));
      const unmarked = await session.markAndPrune(gone, 'good', 1, []);
      assert.ok(unmarked.mark.status === 'failed' && unmarked.mark.error instanceof TargetError && unmarked.mark.error.code === 'target.missing', JSON.stringify(unmarked.mark));
      assert.deepEqual(unmarked.prune, { status: 'ok', value: [r[1].id] }, 'the prune runs although the mark failed');
      assert.deepEqual((await session.inspect()).releases, [r[3].id, next.id]);
      // A release to remove, and a lock that cannot be taken (.pitcrew is a file): the prune fails, the mark stands.
      await stageAll(session, build, ['1.5.0']);
      await rm(join(root, '.pitcrew'), { recursive: true, force: true });
      await writeFile(join(root, '.pitcrew'), 'not a folder');
      const stuck = await session.markAndPrune(next.id, 'good', 0, []);
      assert.deepEqual(stuck.mark, { status: 'ok', value: undefined });
      assert.ok(stuck.prune.status === 'failed' && stuck.prune.error instanceof TargetError && stuck.prune.error.code === 'target.io', JSON.stringify(stuck.prune));
      assert.equal(await readFile(join(root, 'releases', next.id, '.pitcrew-mark'), 'utf8'), 'good\n');
      await assert.rejects(session.markAndPrune(next.id, 'good', -1, []), UsageError);
      await assert.rejects(session.markAndPrune(next.id, 'good', 1, ['../etc']), UsageError);
    });
  });

  for (const check of [false, true]) {
    const how = check ? 'a check' : 'run';
    test(`${kind}: ${how} executes in the release with the PITCREW_ variables and the env it is given, and reports the exit code`, async () => {
      await withTarget(async ({ root, session, build }) => {
        const [a] = await stageAll(session, build, ['1.0.0']);
        await assert.rejects(session.run('true', { cwd: 'current', check }), (err: unknown) =>
          err instanceof TargetError && /current does not point at a release yet/.test(err.message));
        await assert.rejects(session.run('true', { cwd: 'release', check }), UsageError);
        await session.switchTo(a.id, 1);
        const chunks: string[] = [];
        const result = await session.run('cat VERSION; echo "$PITCREW_RELEASE $PITCREW_TARGET $PITCREW_PATH $APP_MODE"; echo oops >&2; exit 3', {
          cwd: 'current', env: { APP_MODE: "it's prod" }, onOutput: (_s, c) => chunks.push(c), check,
        });
        assert.deepEqual([result.exitCode, result.signal, result.timedOut], [3, null, false]);
        assert.equal(result.stdoutTail, `1.0.0\n${a.id} web-1 ${root} it's prod\n`);
        assert.equal(result.stderrTail, 'oops\n');
        assert.ok(chunks.join('').includes('1.0.0'));
        const inRelease = await session.run('pwd', { cwd: 'release', release: a.id, check });
        assert.equal(inRelease.stdoutTail.trim(), join(root, 'releases', a.id));
        assert.equal(inRelease.exitCode, 0);
      });
    });

    test(`${kind}: ${how} with a timeout kills the whole process group`, async () => {
      await withTarget(async ({ root, session, build }) => {
        const [a] = await stageAll(session, build, ['1.0.0']);
        await session.switchTo(a.id, 1);
        const pidFile = join(root, 'shared', 'bg.pid');
        const result = await session.run(`sleep 60 & echo $! > ${pidFile}; wait`, { cwd: 'current', timeoutMs: 300, check });
        assert.equal(result.timedOut, true);
        assert.equal(result.signal, 'SIGTERM');
        const pid = Number((await readFile(pidFile, 'utf8')).trim());
        assert.ok(pid > 0);
        await eventually(() => !alive(pid), `background sleep ${pid} is gone`);
      });
    });
  }

  test(`${kind}: what a check leaves running cannot write into later results`, async () => {
    await withTarget(async ({ root, session, build }) => {
      const [a, b] = await stageAll(session, build, ['1.0.0', '1.1.0']);
      await session.switchTo(a.id, 1);
      // Writes to the check's stdout and stderr for a second, from when the check has ended.
      const r = await session.run('(sleep 0.2; for i in 1 2 3 4 5 6 7 8 9 10; do echo late; echo late >&2; sleep 0.1; done) & echo now', { cwd: 'current', check: true });
      assert.deepEqual([r.exitCode, r.stdoutTail.split('\n')[0]], [0, 'now']);
      for (let i = 0; i < 10; i++) {
        const state = await session.inspect();
        assert.deepEqual([state.current, state.releases], [a.id, [a.id, b.id]]);
        const next = await session.run('echo again', { cwd: 'current', check: true });
        assert.deepEqual([next.exitCode, next.stdoutTail, next.stderrTail], [0, 'again\n', '']);
      }
      await session.close();
      assert.deepEqual((await tree(root)).filter((p) => p.startsWith('.pitcrew/run/')), [], 'the checks leave no files once the session is closed');
    });
  });
}
