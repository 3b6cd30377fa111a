/**
 * Deploy targets as real SSH hosts for scenarios: one OpenSSH `sshd` per
 * target on its own loopback address (127.0.0.2, .3, .4 ...), each in a mount
 * namespace of its own where the environment's `path` is bind-mounted from
 * that host's folder. So, as with real machines, every host has the same
 * `path` (one `environments.X.path` in pitcrew.yml) and its own files, and the
 * scenario reads each host's disk through its folder. Host keys are fresh and
 * given to pitcrew as `hostKey` lines; one client key logs in everywhere.
 *
 * It must never touch the machine's own sshd configuration, keys or mounts:
 * the bind mounts live and die with each sshd's private namespace.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { accepts, freePort, makeKey } from '../../support/sshd.js';
import { poll } from './poll.js';
import { startProcess, type Proc } from './process.js';
import type { Scope } from './scope.js';

export interface SshHost {
  name: string;
  host: string;
  port: number;
  /** `ssh-ed25519 AAAA...`, what the target's `hostKey` holds. */
  hostKeyLine: string;
  /** The folder seen on this host as the environment's `path`. */
  folder: string;
  sshd: Proc;
}

export interface SshHosts {
  /** The environment's `path`: the same on every host. */
  path: string;
  /** The private key every host accepts (the targets' `identityFile`). */
  identityFile: string;
  hosts: SshHost[];
  /** `environments.X.targets` entries for pitcrew.yml. */
  targets(user?: string): Array<Record<string, unknown>>;
}


/** Per-connection sshd processes (children of the listener), which would outlive it otherwise. */
export async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(entry));
  }
  return out;
}

/** Starts one sshd per name, on 127.0.0.2, 127.0.0.3 ... in order. */
export async function startSshHosts(scope: Scope, names: string[]): Promise<SshHosts> {
  const dir = await scope.tempDir('pitcrew-hosts-');
  const path = join(dir, 'srv', 'shop');
  await mkdir(path, { recursive: true });
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const client = await makeKey(dir, 'deploy_ed25519');
  const authorizedKeys = join(dir, 'authorized_keys');
  await writeFile(authorizedKeys, `${client.publicLine}\n`, { mode: 0o644 });
  const emptyRc = join(dir, 'empty-bashrc');
  await writeFile(emptyRc, '');
  const hosts: SshHost[] = [];
  for (const [i, name] of names.entries()) {
    const host = `127.0.0.${i + 2}`;
    const hostDir = join(dir, name);
    const folder = join(hostDir, 'srv-shop');
    await mkdir(folder, { recursive: true });
    const hostKey = await makeKey(hostDir, 'host_ed25519');
    const port = await freePort(host);
    const config = join(hostDir, 'sshd_config');
    await writeFile(config, [
      `ListenAddress ${host}:${port}`, `HostKey ${hostKey.path}`, `AuthorizedKeysFile ${authorizedKeys}`, `PidFile ${join(hostDir, 'sshd.pid')}`,
      'StrictModes no', 'UsePAM no', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password', 'UseDNS no', 'PrintMotd no', 'LogLevel INFO', 'MaxSessions 20', '',
    ].join('\n'));
    // A private mount namespace: only this sshd (and the sessions it starts) sees `folder` at `path`,
    // and the deploy user's ~/.bashrc is empty there, as docs/ssh.md asks of a deploy user (this
    // machine's own may start language version managers on every ssh command).
    const script = 'mount --bind "$1" "$2" && { [ ! -f "$4" ] || mount --bind "$5" "$4"; } && exec /usr/sbin/sshd -D -e -f "$3"';
    const args = ['--mount', '--propagation', 'private', '--', 'sh', '-c', script, 'sh', folder, path, config, join(homedir(), '.bashrc'), emptyRc];
    const sshd = await startProcess(scope, `sshd ${name} (${host})`, 'unshare', args);
    scope.defer(`drop the sessions of sshd ${name}`, async () => {
      for (const pid of await childrenOf(sshd.pid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    });
    await poll(`sshd ${name} to listen on ${host}:${port}`, async () => {
      if (!sshd.running()) throw new Error(`sshd exited: ${sshd.tail()}`);
      return accepts(host, port);
    }, { deadlineMs: 15_000, context: () => sshd.tail() });
    hosts.push({ name, host, port, hostKeyLine: hostKey.publicLine, folder, sshd });
  }
  return {
    path, identityFile: client.path, hosts,
    targets: (user = 'root') => hosts.map((h) => ({ name: h.name, host: h.host, port: h.port, user, hostKey: h.hostKeyLine, identityFile: client.path })),
  };
}
