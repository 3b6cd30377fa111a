/**
 * A TargetSession built from the scripts in target-script.ts and one port that
 * runs a script on the target (and, optionally, one that runs several in one
 * go). The local transport plugs in `sh`; the ssh transport plugs in its
 * script shell. This file turns script output into results and typed errors;
 * what to prune the prune script chooses on the target, under its lock. It
 * must never reach a target other than through the ports.
 */
import { randomBytes } from 'node:crypto';
import { UsageError } from '../../errors.js';
import { FenceError, ReleaseConflictError, TargetError } from '../errors.js';
import { isReleaseId, isSha256 } from '../release-id.js';
import { targetScripts, type TargetScript, type UploadEncoding } from './target-script.js';
import type {
  InspectOptions, MarkAndPruneResult, Outcome, ReleaseInfo, ReleaseMark, RunOptions, RunResult, StageResult, SwitchResult, TargetSession, TargetState,
} from './transport.js';

export interface ScriptOutcome {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one target script to completion. */
export type ScriptRunner = (script: TargetScript) => Promise<ScriptOutcome>;
/** Runs scripts one after another in one go (one request), stopping at the first that fails; their output together. */
export type ScriptsRunner = (scripts: TargetScript[]) => Promise<ScriptOutcome>;
/** Runs a user command on the target (install, restart, checks). */
export type CommandRunner = (command: string, options: RunOptions) => Promise<RunResult>;

export interface ScriptedSessionPorts {
  runScript: ScriptRunner;
  /** Where several scripts can share one round trip (the ssh script shell); without it they run one by one. */
  runScripts?: ScriptsRunner;
  runCommand: CommandRunner;
  close?: () => Promise<void>;
  /** Random suffix for temp names; injectable for tests. */
  suffix?: () => string;
  /** Clock for the `stagedAt` a release records. */
  now?: () => Date;
}

/** What `work` came to, its error included: one step of several that each report on their own. */
async function outcome<T>(work: Promise<T>): Promise<Outcome<T>> {
  try {
    return { status: 'ok', value: await work };
  } catch (err) {
    return { status: 'failed', error: err as Error };
  }
}

function requireReleaseId(target: string, id: string): void {
  if (!isReleaseId(id)) throw new UsageError(`target ${target}: ${JSON.stringify(id)} is not a release id (<version>-<12 hex>)`);
}

export function parseInspect(stdout: string): TargetState {
  const state: TargetState = { releases: [], details: [], fence: 0, leftovers: [] };
  for (const line of stdout.split('\n')) {
    const [word, ...rest] = line.split(' ');
    if (word === 'current' && isReleaseId(rest[0] ?? '')) state.current = rest[0];
    else if (word === 'fence' && /^\d+$/.test(rest[0] ?? '')) state.fence = Number(rest[0]);
    else if (word === 'free' && /^\d+$/.test(rest[0] ?? '')) state.freeBytes = Number(rest[0]);
    else if (word === 'leftover' && rest[0]) state.leftovers.push(rest[0]);
    else if (word === 'pending' && rest[0]) {
      state.leftovers.push(rest[0]);
      const target = (rest[1] ?? '').replace(/^releases\//, '');
      if (isReleaseId(target)) state.pendingSwitch = target;
    } else if (word === 'release' && rest.length === 4 && isReleaseId(rest[0])) {
      const [id, sha, seq, mark] = rest;
      const info: ReleaseInfo = { id, seq: Number(seq) || 0 };
      if (isSha256(sha)) info.sha256 = sha;
      if (mark === 'good' || mark === 'bad') info.mark = mark;
      state.details.push(info);
    }
  }
  state.details.sort((a, b) => a.seq - b.seq || byId(a.id, b.id));
  state.releases = state.details.map((d) => d.id);
  return state;
}

/** The releases a prune script removed, oldest first (it prints `removed SEQ ID` in no particular order). */
export function parseRemoved(stdout: string): string[] {
  return [...stdout.matchAll(/^removed (\d+) (\S+)$/gm)]
    .map((m) => ({ seq: Number(m[1]), id: m[2] }))
    .sort((a, b) => a.seq - b.seq || byId(a.id, b.id))
    .map((r) => r.id);
}

/** Ties in staging order go by id, compared as the prune script's `test \>` does (byte by byte), so both agree on which release is newest. */
function byId(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class ScriptedSession implements TargetSession {
  private readonly suffix: () => string;
  private readonly now: () => Date;

  constructor(readonly target: string, private readonly root: string, private readonly ports: ScriptedSessionPorts) {
    this.suffix = ports.suffix ?? (() => randomBytes(6).toString('hex'));
    this.now = ports.now ?? (() => new Date());
  }

  private async exec(script: TargetScript, context: { token?: number } = {}, via: ScriptRunner = this.ports.runScript): Promise<string> {
    const out = await via(script);
    if (out.exitCode === 0) return out.stdout;
    throw this.failure(out, context);
  }

  /** The typed error for a script that failed: from its last `pitcrew-error CODE MESSAGE` line, else its exit code and stderr. */
  private failure(out: ScriptOutcome, context: { token?: number } = {}): Error {
    const line = out.stderr.split('\n').reverse().find((l) => l.startsWith('pitcrew-error '));
    if (line === undefined) {
      const tail = out.stderr.trim().slice(-500) || '(no output)';
      return new TargetError(this.target, `a target script failed with exit code ${out.exitCode}: ${tail}`);
    }
    const [, code, ...words] = line.split(' ');
    const message = words.join(' ');
    if (code === 'fence') return new FenceError(this.target, context.token ?? -1, Number(message));
    if (code === 'conflict') return new ReleaseConflictError(this.target, message);
    if (code === 'usage') return new UsageError(`target ${this.target}: ${message}`);
    return new TargetError(this.target, message, { code: `target.${code}` });
  }

  async inspect(options: InspectOptions = {}): Promise<TargetState> {
    return parseInspect(await this.exec(targetScripts.inspect(this.root, options.free === true)));
  }

  /**
   * With `upload`, the stage script is run by `upload.run` instead of the port and reads the
   * artifact from its stdin: `upload.bytes` bytes in `upload.encoding`, then a line with the
   * artifact's sha256 (the ssh transport sends them in the same request); `artifactPath` is
   * not used then.
   */
  async stage(releaseId: string, artifactPath: string, sha256: string, upload?: { bytes: number; encoding: UploadEncoding; run: ScriptRunner }): Promise<StageResult> {
    requireReleaseId(this.target, releaseId);
    const digest = sha256.toLowerCase();
    if (!isSha256(digest)) throw new UsageError(`target ${this.target}: ${JSON.stringify(sha256)} is not a sha256 digest`);
    if (!releaseId.endsWith(`-${digest.slice(0, 12)}`)) {
      throw new UsageError(`target ${this.target}: release id ${releaseId} does not end with the digest prefix ${digest.slice(0, 12)}`);
    }
    const script = targetScripts.stage(this.root, releaseId, artifactPath, digest, this.suffix(), this.now(), upload);
    const out = await this.exec(script, {}, upload?.run);
    return { releaseId, created: out.includes(`staged ${releaseId}`) };
  }

  async switchTo(releaseId: string, fencingToken: number): Promise<SwitchResult> {
    requireReleaseId(this.target, releaseId);
    if (!Number.isSafeInteger(fencingToken) || fencingToken < 0) {
      throw new UsageError(`target ${this.target}: fencing token ${fencingToken} is not a non-negative integer`);
    }
    const out = await this.exec(targetScripts.switchTo(this.root, releaseId, fencingToken, this.suffix()), { token: fencingToken });
    const previous = /^previous (\S*)$/m.exec(out)?.[1];
    return { previous: previous && isReleaseId(previous) ? previous : undefined, current: releaseId };
  }

  async run(command: string, options: RunOptions): Promise<RunResult> {
    if (options.cwd === 'release') {
      if (options.release === undefined) throw new UsageError(`target ${this.target}: run in a release needs the release id`);
      requireReleaseId(this.target, options.release);
    }
    return this.ports.runCommand(command, options);
  }

  private checkPrune(keep: number, protect: string[]): void {
    if (!Number.isSafeInteger(keep) || keep < 0) throw new UsageError(`target ${this.target}: keep ${keep} is not a non-negative integer`);
    for (const id of protect) requireReleaseId(this.target, id);
  }

  /** One request: the target chooses what to remove under its lock (target-script.ts), so nothing is read first. */
  async prune(keep: number, protect: string[]): Promise<string[]> {
    this.checkPrune(keep, protect);
    return parseRemoved(await this.exec(targetScripts.prune(this.root, keep, protect)));
  }

  async markRelease(releaseId: string, mark: ReleaseMark): Promise<void> {
    requireReleaseId(this.target, releaseId);
    await this.exec(targetScripts.mark(this.root, releaseId, mark));
  }

  /**
   * The mark, then the prune: in one request where the port runs several
   * scripts at once, the mark's sync left to the prune's (one `sync`
   * process for both); else one after the other. Each gets its own outcome:
   * a mark that fails leaves the prune to run on its own, and a prune that
   * fails never undoes the mark, which is durable either way.
   */
  async markAndPrune(releaseId: string, mark: ReleaseMark, keep: number, protect: string[]): Promise<MarkAndPruneResult> {
    requireReleaseId(this.target, releaseId);
    this.checkPrune(keep, protect);
    const together = this.ports.runScripts;
    if (together === undefined) {
      return { mark: await outcome(this.markRelease(releaseId, mark)), prune: await outcome(this.prune(keep, protect)) };
    }
    let out: ScriptOutcome;
    try {
      out = await together([targetScripts.mark(this.root, releaseId, mark, true), targetScripts.prune(this.root, keep, protect)]);
    } catch (err) {
      // The connection, not a script: what happened on the target is unknown for both.
      return { mark: { status: 'failed', error: err as Error }, prune: { status: 'failed', error: err as Error } };
    }
    if (out.exitCode === 0) return { mark: { status: 'ok', value: undefined }, prune: { status: 'ok', value: parseRemoved(out.stdout) } };
    const error = this.failure(out);
    // The mark said it was written, and the request ended by exiting (so the mark was synced as it did): only the prune failed.
    if (out.exitCode !== null && out.stdout.split('\n').includes(`marked ${releaseId} ${mark}`)) {
      return { mark: { status: 'ok', value: undefined }, prune: { status: 'failed', error } };
    }
    // The mark failed (or the shell ended without a word on it), so the prune never ran, or not to its end: it runs now on its own.
    return { mark: { status: 'failed', error }, prune: await outcome(this.prune(keep, protect)) };
  }

  async close(): Promise<void> {
    await this.ports.close?.();
  }
}
