/**
 * The local transport: targets are folders on this machine (`{ name, folder }`).
 * The embedded default for demos, tests and single-host teams. It runs the same
 * target scripts the ssh transport sends, so what the tests prove here holds
 * there. Must never follow a target folder given as a relative path.
 */
import { readlink } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { UsageError } from '../../errors.js';
import { TargetError } from '../errors.js';
import { isReleaseId } from '../release-id.js';
import { CURRENT_LINK, releasePath } from '../layout.js';
import { INHERITED_ENV, runLocalCommand, runLocalScript, type Spawn } from './local-process.js';
import { ScriptedSession } from './scripted-session.js';
import type { RunOptions, RunResult, TargetRef, TargetSession, Transport } from './transport.js';

export interface LocalTransportOptions {
  /** Environment the inherited variables (PATH, HOME, ...) are taken from. */
  env?: NodeJS.ProcessEnv;
  spawn?: Spawn;
  killGraceMs?: number;
}

function folderOf(target: TargetRef): string {
  const folder = target.folder;
  if (typeof folder !== 'string' || folder === '') {
    throw new UsageError(`target ${target.name}: the local transport needs \`folder\`, the absolute path of the target`);
  }
  if (!isAbsolute(folder)) throw new UsageError(`target ${target.name}: folder ${JSON.stringify(folder)} must be an absolute path`);
  return folder;
}

async function runIn(target: string, root: string, command: string, options: RunOptions, opts: LocalTransportOptions): Promise<RunResult> {
  let release = options.release;
  if (options.cwd === 'current') {
    const link = await readlink(join(root, CURRENT_LINK)).catch(() => undefined);
    release = link?.replace(/^releases\//, '');
    if (release === undefined || !isReleaseId(release)) {
      throw new TargetError(target, `${join(root, CURRENT_LINK)} does not point at a release yet`, { code: 'target.missing' });
    }
  }
  const cwd = options.cwd === 'current' ? join(root, CURRENT_LINK) : join(root, releasePath(release ?? ''));
  const base = opts.env ?? process.env;
  const env: Record<string, string> = {};
  for (const k of INHERITED_ENV) if (base[k] !== undefined) env[k] = base[k] as string;
  Object.assign(env, options.env, { PITCREW_RELEASE: release ?? '', PITCREW_PATH: root, PITCREW_TARGET: target });
  try {
    return await runLocalCommand(
      { command, cwd, env, timeoutMs: options.timeoutMs, killGraceMs: opts.killGraceMs, onOutput: options.onOutput },
      opts.spawn,
    );
  } catch (err) {
    throw new TargetError(target, `cannot run a command in ${cwd}: ${(err as Error).message}`, { cause: err });
  }
}

export function localTransport(opts: LocalTransportOptions = {}): Transport {
  return {
    kind: 'local',
    async open(target: TargetRef): Promise<TargetSession> {
      const root = folderOf(target);
      return new ScriptedSession(target.name, root, {
        runScript: (script) => runLocalScript(script, opts.spawn),
        runCommand: (command, options) => runIn(target.name, root, command, options, opts),
      });
    },
  };
}
