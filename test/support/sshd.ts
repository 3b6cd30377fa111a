/**
 * A real OpenSSH server for tests: `/usr/sbin/sshd` on a loopback address
 * (127.0.0.x) and a free port, with a fresh ed25519 host key, a fresh client
 * key in authorized_keys, and its log in a file, all in a temp folder. It
 * waits until the port accepts connections and always stops the server it
 * started. Must never touch the machine's own sshd configuration or keys.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SSHD = '/usr/sbin/sshd';

export interface SshdOptions {
  /** Loopback address to listen on; a random 127.0.0.x (x in 2..254) when absent. */
  host?: string;
  /** User to log in as (default `root`); must exist with a shell and an unlocked account (`!` in /etc/shadow is refused without PAM). */
  user?: string;
  /** Private host key file to use instead of a fresh one. */
  hostKeyFile?: string;
}

export interface Sshd {
  host: string;
  port: number;
  user: string;
  /** The host's public key, `ssh-ed25519 AAAA...` (what `hostKey` holds). */
  hostKeyLine: string;
  /** Private client key whose public half is in authorized_keys. */
  clientKeyPath: string;
  /** Temp folder of this server (keys, config, log). */
  dir: string;
  logFile: string;
  /** Adds a public key line to authorized_keys. */
  authorize(publicKeyLine: string): Promise<void>;
  /** Successful logins so far, read from the log. */
  logins(): Promise<number>;
  stop(): Promise<void>;
}

/** Makes an ed25519 key pair; returns the private key path and the public key line. */
export async function makeKey(dir: string, name: string, passphrase = ''): Promise<{ path: string; publicLine: string }> {
  const path = join(dir, name);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', name, '-f', path]);
  const pub = (await readFile(`${path}.pub`, 'utf8')).trim();
  return { path, publicLine: pub.split(' ').slice(0, 2).join(' ') };
}

/** A free TCP port on `host` (bound, then released). */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Whether something accepts TCP connections at host:port. */
export function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitListening(child: ChildProcess, host: string, port: number, deadlineMs: number): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    if (await accepts(host, port)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

/** Processes whose parent is `pid`: sshd's per-connection processes, which outlive the listener otherwise. */
async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) out.push(Number(name));
  }
  return out;
}

/** Stops the listener and drops every connection it accepted. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const connections = await childrenOf(child.pid);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  for (const pid of connections) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  await exited;
}

export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
  const host = options.host ?? `127.0.0.${2 + Math.floor(Math.random() * 253)}`;
  const user = options.user ?? 'root';
  const dir = await mkdtemp(join(tmpdir(), 'pitcrew-sshd-'));
  await chmod(dir, 0o755);
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  let hostKeyFile = options.hostKeyFile;
  if (hostKeyFile === undefined) hostKeyFile = (await makeKey(dir, 'host_ed25519')).path;
  const { stdout: hostPub } = await run('ssh-keygen', ['-y', '-f', hostKeyFile]);
  const hostKeyLine = hostPub.trim().split(' ').slice(0, 2).join(' ');
  const client = await makeKey(dir, 'client_ed25519');
  const authorizedKeys = join(dir, 'authorized_keys');
  await writeFile(authorizedKeys, `${client.publicLine}\n`, { mode: 0o644 });
  const logFile = join(dir, 'sshd.log');
  let lastError = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort(host);
    const config = join(dir, 'sshd_config');
    await writeFile(config, [
      `ListenAddress ${host}:${port}`,
      `HostKey ${hostKeyFile}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      `AllowUsers ${user}`,
      'UseDNS no',
      'PrintMotd no',
      'LogLevel INFO',
      '',
    ].join('\n'));
    const child = spawn(SSHD, ['-D', '-f', config, '-E', logFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', (err) => (stderr += err.message));
    if (await waitListening(child, host, port, 10_000)) {
      return {
        host, port, user, hostKeyLine, clientKeyPath: client.path, dir, logFile,
        authorize: async (line) => writeFile(authorizedKeys, `${line}\n`, { flag: 'a' }),
        logins: async () => ((await readFile(logFile, 'utf8').catch(() => '')).match(/Accepted publickey for /g) ?? []).length,
        stop: async () => {
          await stopChild(child);
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
    await stopChild(child);
    lastError = `${stderr}${await readFile(logFile, 'utf8').catch(() => '')}`;
  }
  await rm(dir, { recursive: true, force: true });
  throw new Error(`sshd did not start on ${host}: ${lastError.trim().slice(-1000)}`);
}
