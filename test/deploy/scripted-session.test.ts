import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TargetError } from '../../src/deploy/errors.js';
import { releaseIdFor } from '../../src/deploy/release-id.js';
import { runLocalScript } from '../../src/deploy/transports/local-process.js';
import { ScriptedSession, type ScriptOutcome } from '../../src/deploy/transports/scripted-session.js';
import { functionName, scriptLibrary, shellQuote, type TargetScript } from '../../src/deploy/transports/target-script.js';
import { tempDir } from './fixtures.js';

/** Runs scripts in one `sh`, one after another in one subshell, as the ssh script shell runs a request. */
function together(scripts: TargetScript[]): Promise<ScriptOutcome> {
  const calls = scripts.map((c) => `set -- ${c.args.map(shellQuote).join(' ')}\n${functionName(c.name)} "$@"\n`).join('');
  return runLocalScript({ name: 'inspect', text: `${scriptLibrary()}(\n${calls})`, args: [] }, spawn);
}

/** A session on `root` whose ports count their calls; `joint: false` leaves out the port that runs scripts together. */
function counted(root: string, joint: boolean | 'lost'): { session: ScriptedSession; calls: { one: string[]; joint: string[][] } } {
  const calls = { one: [] as string[], joint: [] as string[][] };
  const session = new ScriptedSession('web-1', root, {
    runScript: (s) => {
      calls.one.push(s.name);
      return runLocalScript(s);
    },
    runScripts: joint === false ? undefined : async (scripts) => {
      calls.joint.push(scripts.map((s) => s.name));
      if (joint === 'lost') throw new TargetError('web-1', 'the connection was lost', { code: 'ssh.closed' });
      return together(scripts);
    },
    runCommand: () => Promise.reject(new Error('no command runs here')),
  });
  return { session, calls };
}

test('markAndPrune is one request where the port runs scripts together, two where it cannot, and a failed mark adds the prune alone', async () => {
  const dir = await tempDir();
  try {
    const root = join(dir.path, 'target');
    const [a, b, c] = ['1.0.0', '1.1.0', '1.2.0'].map((v) => releaseIdFor(v, 'd'.repeat(64)));
    for (const [i, id] of [a, b, c].entries()) {
      await mkdir(join(root, 'releases', id), { recursive: true });
      await writeFile(join(root, 'releases', id, '.pitcrew-release.json'), `{\n  "seq": ${i + 1}\n}\n`);
    }
    await symlink(`releases/${c}`, join(root, 'current'));

    const one = counted(root, true);
    assert.deepEqual(await one.session.markAndPrune(c, 'good', 2, []), { mark: { status: 'ok', value: undefined }, prune: { status: 'ok', value: [a] } });
    assert.deepEqual(one.calls, { one: [], joint: [['mark', 'prune']] });
    assert.equal(await readFile(join(root, 'releases', c, '.pitcrew-mark'), 'utf8'), 'good\n');

    const missing = releaseIdFor('9.0.0', 'd'.repeat(64));
    const failedMark = counted(root, true);
    const r = await failedMark.session.markAndPrune(missing, 'good', 1, []);
    assert.ok(r.mark.status === 'failed' && r.mark.error instanceof TargetError && r.mark.error.code === 'target.missing');
    assert.deepEqual(r.prune, { status: 'ok', value: [b] }, 'the prune runs on its own after the failed mark');
    assert.deepEqual(failedMark.calls, { one: ['prune'], joint: [['mark', 'prune']] });

    const apart = counted(root, false);
    assert.deepEqual(await apart.session.markAndPrune(c, 'bad', 0, []), { mark: { status: 'ok', value: undefined }, prune: { status: 'ok', value: [] } });
    assert.equal(await readFile(join(root, 'releases', c, '.pitcrew-mark'), 'utf8'), 'bad\n');
    assert.deepEqual(apart.calls, { one: ['mark', 'prune'], joint: [] });

    const lost = counted(root, 'lost');
    const gone = await lost.session.markAndPrune(c, 'good', 0, []);
    assert.ok(gone.mark.status === 'failed' && gone.prune.status === 'failed' && gone.prune.error === gone.mark.error && /connection was lost/.test(gone.mark.error.message));
    assert.deepEqual(lost.calls, { one: [], joint: [['mark', 'prune']] }, 'nothing else is tried on a lost connection');
  } finally {
    await dir.cleanup();
  }
});
