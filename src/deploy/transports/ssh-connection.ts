/**
 * One ssh connection to one target: dials with ssh2, checks the host key
 * against the trusted ones, logs in with the configured key, keeps the
 * connection alive and hands out a bounded number of exec channels at once.
 * Turns ssh2's failures into typed errors naming host:port. Must never log or
 * pass on the private key or passphrase.
 */
import { readFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import ssh2, { type Client, type ClientChannel, type ConnectConfig, type PublicKeyAuthMethod, type ServerHostKeyAlgorithm } from 'ssh2';
import { UsageError } from '../../errors.js';
import { HostKeyError, SshAuthError, SshUnreachableError } from './ssh-errors.js';
import {
  blobType, fingerprint, hostKeyAlgorithms, judgeHostKey, knownHostsKeys, knownHostsLine, knownHostsName, parseKeyLine,
  type TrustedKey, type Verdict,
} from './ssh-host-key.js';
import { createLimiter, type Limiter, type Pooled } from './ssh-pool.js';
import { loadPrivateKey, type KeyCache, type SshTarget } from './ssh-target.js';

const earlyExits = new WeakMap<ClientChannel, { code: number | null; signal: string | null }>();

/** The exit status a channel from `withChannel` reported, even before its user listened; undefined until then. */
export function recordedExit(channel: ClientChannel): { code: number | null; signal: string | null } | undefined {
  return earlyExits.get(channel);
}

/** The part of ssh2's Client the transport uses; a factory makes it injectable (tests count dials). */
export type SshClient = Pick<Client, 'connect' | 'exec' | 'end' | 'on' | 'once' | 'removeListener'> & Partial<Pick<Client, 'setNoDelay'>>;
export type ClientFactory = () => SshClient;

export interface ConnectOptions {
  env?: NodeJS.ProcessEnv;
  newClient?: ClientFactory;
  /** Time allowed for TCP connect, handshake and login (default 20 s). */
  connectTimeoutMs?: number;
  /** Keepalive every this many ms (default 10 s); the connection drops after 3 unanswered. */
  keepaliveIntervalMs?: number;
  /** Exec channels open at once on the connection (default 8; OpenSSH allows 10). */
  maxChannels?: number;
  /** Login keys already read (a transport shares one between its connections). */
  keys?: KeyCache;
}

async function trustedKeys(t: SshTarget): Promise<{ keys: TrustedKey[]; source: string }> {
  if (t.hostKey !== undefined) {
    const key = parseKeyLine(t.hostKey);
    if (key === undefined) throw new UsageError(`target ${t.target}: hostKey is not a public key line such as \`ssh-ed25519 AAAA...\``);
    return { keys: [key], source: 'the configured hostKey' };
  }
  const file = t.knownHostsFile as string;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`target ${t.target}: cannot read knownHostsFile ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  return { keys: knownHostsKeys(text, t.host, t.port), source: `knownHostsFile ${file}` };
}

function hostKeyError(t: SshTarget, verdict: Exclude<Verdict, { ok: true }>, source: string): HostKeyError {
  const fp = fingerprint(verdict.presented);
  const type = blobType(verdict.presented) ?? 'unknown';
  const check = `compare it with \`ssh-keygen -lf /etc/ssh/ssh_host_${type.replace(/^ssh-|-.*$/g, '')}_key.pub\` run on the host`;
  if (verdict.reason === 'unknown') {
    return new HostKeyError(t, 'unknown', fp,
      `host key not trusted: ${source} has no entry for ${knownHostsName(t.host, t.port)}; the host presented ${type} key ${fp}`,
      `${check}; if it is the same, add this line to ${source.replace(/^knownHostsFile /, '')}: ${knownHostsLine(t.host, t.port, verdict.presented)}`);
  }
  if (verdict.reason === 'revoked') {
    return new HostKeyError(t, 'revoked', fp, `the host presented ${type} key ${fp}, which ${source} marks @revoked`,
      'the host must get a new host key; then trust that one');
  }
  return new HostKeyError(t, 'mismatch', fp,
    `HOST KEY MISMATCH: the host presented ${type} key ${fp}, which is not the key in ${source}; someone may be intercepting the connection, or the host was reinstalled`,
    `${check}; only if it matches, replace the trusted key with: ${knownHostsLine(t.host, t.port, verdict.presented)}`);
}

function failure(t: SshTarget, err: Error & { level?: string; code?: string }, timeoutMs: number): Error {
  if (err.level === 'client-authentication') return new SshAuthError(t, t.user);
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') return new SshUnreachableError(t, 'refused', `connection refused by ${t.host}:${t.port}`);
  if (code === 'ETIMEDOUT' || err.level === 'client-timeout' || /timed out/i.test(err.message)) {
    return new SshUnreachableError(t, 'timeout', `no ssh login within ${timeoutMs} ms (connect, handshake or authentication timed out)`);
  }
  if (['ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code)) {
    return new SshUnreachableError(t, 'unreachable', `cannot reach ${t.host}:${t.port} (${code})`);
  }
  return new SshUnreachableError(t, 'closed', `ssh connection failed: ${err.message}`);
}

export class SshConnection implements Pooled {
  private isClosed = false;
  private readonly limit: Limiter;
  private readonly endHooks: Array<() => Promise<void>> = [];

  constructor(readonly target: SshTarget, private readonly client: SshClient, maxChannels: number) {
    this.limit = createLimiter(maxChannels);
    client.on('close', () => {
      this.isClosed = true;
    });
    // Errors after login surface through the channels; keep them from crashing the process.
    client.on('error', () => {
      this.isClosed = true;
    });
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /**
   * Opens an exec channel for `command` and hands it to `use`; the channel slot
   * is held until `use` settles. The remote side runs `command` with the
   * login shell of the user.
   */
  withChannel<T>(command: string, use: (channel: ClientChannel) => Promise<T>, options: { urgent?: boolean } = {}): Promise<T> {
    const work = async (): Promise<T> => {
      if (this.isClosed) throw new SshUnreachableError(this.target, 'closed', 'the ssh connection is closed');
      const channel = await new Promise<ClientChannel>((resolve, reject) => {
        this.client.exec(command, (err, ch) => {
          if (err) reject(new SshUnreachableError(this.target, 'closed', `cannot open an ssh channel: ${err.message}`));
          else {
            // A short command's exit can arrive in the same packet as the channel's opening, before
            // `use` listens: record it from the first moment (exitOf in ssh-exec.ts reads it).
            ch.once('exit', (code: number | null, signal?: string) => earlyExits.set(ch, { code: code ?? null, signal: signal ?? null }));
            resolve(ch);
          }
        });
      });
      try {
        return await use(channel);
      } finally {
        channel.close();
      }
    };
    // An urgent channel (killing a timed-out command) must not wait behind the command it kills.
    return options.urgent === true ? work() : this.limit(work);
  }

  /** Runs `fn` (tidying up on the host) before the connection is ended by `end()`. */
  beforeEnd(fn: () => Promise<void>): void {
    this.endHooks.push(fn);
  }

  async end(): Promise<void> {
    const hooks = this.endHooks.splice(0);
    await Promise.all(hooks.map((fn) => fn().catch(() => undefined)));
    if (this.isClosed) return;
    await new Promise<void>((resolve) => {
      this.client.once('close', () => resolve());
      this.client.end();
    });
  }
}

/**
 * Dials a TCP socket that sends what is written to it within one tick in one
 * system call. ssh2 writes every packet in three or four pieces (length,
 * ciphertext, tag), and an upload of 1 MiB is 32 packets at once: with Nagle's
 * algorithm off, each piece would be a send(2) and a segment of its own, a
 * cost paid again by the host's kernel and sshd for every one of them.
 */
export function dialCoalescing(host: string, port: number): Socket {
  const socket = new Socket();
  socket.connect({ host, port });
  // connect() puts Socket.prototype.write back on the instance: the wrapper goes on after it.
  const write = socket.write as (...args: unknown[]) => boolean;
  let corked = false;
  socket.write = ((...args: unknown[]): boolean => {
    if (!corked) {
      corked = true;
      socket.cork();
      process.nextTick(() => {
        corked = false;
        socket.uncork();
      });
    }
    return write.apply(socket, args);
  }) as Socket['write'];
  return socket;
}

/** Dials, verifies the host key and logs in; rejects with a typed error naming host:port. */
export async function connectSsh(t: SshTarget, opts: ConnectOptions = {}): Promise<SshConnection> {
  const { keys, source } = await trustedKeys(t);
  const key = await loadPrivateKey(t, opts.env ?? process.env, opts.keys);
  const timeoutMs = opts.connectTimeoutMs ?? 20_000;
  const client = (opts.newClient ?? (() => new ssh2.Client()))();
  let verdict: Verdict | undefined;
  const algorithms = hostKeyAlgorithms(keys);
  const login: PublicKeyAuthMethod = { type: 'publickey', username: t.user, key };
  const config: ConnectConfig = {
    host: t.host,
    port: t.port,
    username: t.user,
    // The key only, already parsed: no `none` attempt first (a round trip every login), and no
    // parsing of the key again per connection.
    authHandler: [login],
    readyTimeout: timeoutMs,
    keepaliveInterval: opts.keepaliveIntervalMs ?? 10_000,
    keepaliveCountMax: 3,
    hostVerifier: (presented: Buffer) => {
      verdict = judgeHostKey(keys, presented);
      return verdict.ok;
    },
    ...(algorithms.length > 0 ? { algorithms: { serverHostKey: algorithms as ServerHostKeyAlgorithm[] } } : {}),
  };
  return new Promise<SshConnection>((resolve, reject) => {
    let settled = false;
    // ssh2 can report a second error (the lost socket) after the first: all but the first are dropped.
    const onError = (err: Error): void => {
      if (settled) return;
      settled = true;
      client.removeListener('ready', onReady);
      client.end();
      reject(verdict !== undefined && !verdict.ok ? hostKeyError(t, verdict, source) : failure(t, err, timeoutMs));
    };
    const onReady = (): void => {
      if (settled) return;
      settled = true;
      client.removeListener('error', onError);
      resolve(new SshConnection(t, client, opts.maxChannels ?? 8));
    };
    client.on('error', onError);
    client.once('ready', onReady);
    // Dialed before ssh2 gets it: ssh2 waits for `connect` only on a socket still connecting.
    const sock = dialCoalescing(t.host, t.port);
    try {
      client.connect({ ...config, sock });
      // Requests and replies are small and wait on each other: with Nagle's algorithm on, a
      // request sent while an earlier packet is unacknowledged waits for the peer's delayed ACK
      // (40 ms on Linux), on every script and channel.
      client.setNoDelay?.(true);
    } catch (err) {
      sock.destroy();
      onError(err as Error);
    }
  });
}
