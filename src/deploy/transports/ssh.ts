/**
 * The ssh transport: targets are hosts (`{ host, port, user, hostKey |
 * knownHostsFile, identityFile | privateKeyEnv, passphraseEnv }` plus the
 * environment's `path`). It runs the same target scripts as the local
 * transport, in one script shell (ssh-shell.ts) over one pooled connection
 * per target; step commands get a channel each. Must never trust a host
 * key on first use, and never send the deployer's environment to a target.
 */
import { UsageError } from '../../errors.js';
import { TargetError } from '../errors.js';
import { isReleaseId, isSha256 } from '../release-id.js';
import { ScriptedSession, type ScriptOutcome } from './scripted-session.js';
import { connectSsh, type ConnectOptions, type SshConnection } from './ssh-connection.js';
import { runCheckInShell, runCommandOver } from './ssh-exec.js';
import { ConnectionPool } from './ssh-pool.js';
import { ScriptShell } from './ssh-shell.js';
import { sshTargetOf, type SshTarget } from './ssh-target.js';
import { ArtifactUploads, uploadBytes, uploadEncoding } from './ssh-upload.js';
import type {
  InspectOptions, MarkAndPruneResult, ReleaseMark, RunOptions, RunResult, StageResult, SwitchResult, TargetRef, TargetSession, TargetState, Transport,
} from './transport.js';

export interface SshTransportOptions extends ConnectOptions {
  /** Time between SIGTERM and SIGKILL to a timed-out command's process group (default 2 s). */
  killGraceMs?: number;
  /** Largest artifact held in memory for every target (default UPLOAD_BUFFER_LIMIT); larger ones are streamed from the file per target. */
  uploadBufferLimit?: number;
}

export interface SshTransport extends Transport {
  /** Ends every pooled connection (the engine calls it when a deploy is over). */
  closeAll(): Promise<void>;
  /** Connections open now. */
  readonly openConnections: number;
}

class SshSession implements TargetSession {
  readonly target: string;
  private readonly scripted: ScriptedSession;
  private closed = false;
  private lastState?: TargetState;

  constructor(private readonly t: SshTarget, private readonly conn: SshConnection, private readonly opts: SshTransportOptions,
    private readonly shell: () => ScriptShell, private readonly uploads: ArtifactUploads, private readonly release: () => Promise<void>) {
    this.target = t.target;
    this.scripted = new ScriptedSession(t.target, t.path, {
      runScript: (script) => this.shell().run([{ fn: script.name, args: script.args }]),
      runScripts: (scripts) => this.shell().run(scripts.map((script) => ({ fn: script.name, args: script.args }))),
      runCommand: (command, options) => this.runCommand(command, options),
    });
  }

  private failed(what: string, out: ScriptOutcome, code = 'target.failed'): TargetError {
    const tail = out.stderr.trim().slice(-500) || `exit code ${out.exitCode}`;
    return new TargetError(this.target, `${what}: ${tail}`, { code });
  }

  private async runCommand(command: string, options: RunOptions): Promise<RunResult> {
    const root = this.t.path;
    for (const name of Object.keys(options.env ?? {})) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        throw new UsageError(`target ${this.target}: environment variable name ${JSON.stringify(name)} is not valid in a shell (letters, digits, _; not starting with a digit)`);
      }
    }
    const where = options.cwd === 'current' ? 'current' : (options.release as string);
    const spec = {
      command, root, where, timeoutMs: options.timeoutMs, killGraceMs: this.opts.killGraceMs, onOutput: options.onOutput,
      env: { ...options.env, PITCREW_PATH: root, PITCREW_TARGET: this.target },
    };
    const r = options.check === true ? await runCheckInShell(this.conn, this.shell(), spec) : await runCommandOver(this.conn, spec);
    if (options.check === true && r.ran) {
      if (r.result.stdoutTail !== '') options.onOutput?.('stdout', r.result.stdoutTail);
      if (r.result.stderrTail !== '') options.onOutput?.('stderr', r.result.stderrTail);
    }
    if (!r.ran) throw this.failed('cannot run a command', { exitCode: r.exitCode, stdout: '', stderr: r.stderr }, 'target.missing');
    if (!isReleaseId(r.release)) throw new TargetError(this.target, `cannot run a command: ${root}/current points at ${r.release}, not at a release`, { code: 'target.missing' });
    return r.result;
  }

  async inspect(options?: InspectOptions): Promise<TargetState> {
    const state = await this.scripted.inspect(options);
    this.lastState = state;
    return state;
  }

  /** Sends the artifact's bytes (or its tar, see ssh-upload.ts) after the stage request, for the shared stage script to unpack as they arrive. */
  async stage(releaseId: string, artifactPath: string, sha256: string): Promise<StageResult> {
    const digest = sha256.toLowerCase();
    // Bad arguments are refused by the shared stage before it touches the target.
    if (!isReleaseId(releaseId) || !isSha256(digest) || !releaseId.endsWith(`-${digest.slice(0, 12)}`)) {
      return this.scripted.stage(releaseId, '', sha256);
    }
    // Already there (as the last inspect saw it; the engine inspects just before): the stage
    // script answers `exists` or a conflict before it looks at the artifact, so nothing is sent.
    const state = this.lastState ?? await this.inspect();
    if (state.releases.includes(releaseId)) {
      const there = await this.scripted.stage(releaseId, '', sha256).catch((err: unknown) => {
        // Gone since that inspect: upload after all.
        if (err instanceof TargetError && err.code === 'target.missing') return undefined;
        throw err;
      });
      if (there !== undefined) return there;
    }
    const upload = await this.uploads.get(artifactPath, digest);
    if (!('kind' in upload)) throw new TargetError(this.target, upload.problem, { code: upload.code });
    return this.scripted.stage(releaseId, '', sha256, {
      bytes: uploadBytes(upload),
      encoding: uploadEncoding(upload),
      run: (script) => this.shell().run([{ fn: script.name, args: script.args }], upload),
    });
  }

  switchTo(releaseId: string, fencingToken: number): Promise<SwitchResult> {
    return this.scripted.switchTo(releaseId, fencingToken);
  }

  run(command: string, options: RunOptions): Promise<RunResult> {
    return this.scripted.run(command, options);
  }

  prune(keep: number, protect: string[]): Promise<string[]> {
    return this.scripted.prune(keep, protect);
  }

  markRelease(releaseId: string, mark: ReleaseMark): Promise<void> {
    return this.scripted.markRelease(releaseId, mark);
  }

  markAndPrune(releaseId: string, mark: ReleaseMark, keep: number, protect: string[]): Promise<MarkAndPruneResult> {
    return this.scripted.markAndPrune(releaseId, mark, keep, protect);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.release();
  }
}

/** Key of a pooled connection: one per login (user, host, port, key). */
function poolKey(t: SshTarget): string {
  return `${t.user}@${t.host}:${t.port} ${t.identityFile ?? `$${t.privateKeyEnv}`}`;
}

export function sshTransport(opts: SshTransportOptions = {}): SshTransport {
  const pool = new ConnectionPool<SshConnection>();
  const connectOptions: ConnectOptions = { ...opts, keys: opts.keys ?? new Map() };
  // The artifact's bytes, read once for every target of the deploy.
  const uploads = new ArtifactUploads(opts.uploadBufferLimit);
  // One script shell per connection, shared by the sessions on it; a closed one is replaced.
  const shells = new WeakMap<SshConnection, ScriptShell>();
  const shellOf = (conn: SshConnection): ScriptShell => {
    let shell = shells.get(conn);
    if (shell === undefined || shell.closed) {
      const created = new ScriptShell(conn);
      // Tidying up must not hold the end of a deploy: at most 2 s, then the connection ends anyway.
      conn.beforeEnd(() => Promise.race([created.close(), new Promise<void>((resolve) => setTimeout(resolve, 2000).unref())]));
      shells.set(conn, created);
      shell = created;
    }
    return shell;
  };
  return {
    kind: 'ssh',
    async open(target: TargetRef): Promise<TargetSession> {
      const t = sshTargetOf(target);
      const key = poolKey(t);
      const conn = await pool.acquire(key, () => connectSsh(t, connectOptions));
      // Nearly every session runs a script soon: open the shell while the other targets log in.
      shellOf(conn).warm();
      return new SshSession(t, conn, opts, () => shellOf(conn), uploads, () => pool.release(key, conn));
    },
    closeAll: async () => {
      uploads.clear();
      await pool.closeAll();
    },
    get openConnections() {
      return pool.size;
    },
  };
}

