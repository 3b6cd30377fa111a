/**
 * Twenty (or N) SSH hosts on one machine for the deploy benchmarks: ONE
 * OpenSSH `sshd` answering on 127.0.0.2, 127.0.0.3 ... at one port, started
 * in a private mount namespace where each address gets its own root
 * (`Match LocalAddress` + `ChrootDirectory`, a tmpfs with the machine's /usr,
 * /etc, /dev and /proc bound in read-through), so every host has the same
 * `path` and its own files, as real machines would. MaxStartups and
 * MaxSessions are raised so 20 parallel logins are not throttled.
 *
 * sshd listens on at most 16 addresses, so it listens on 0.0.0.0: the caller
 * must run in a network namespace of its own (support/netns.ts), where that
 * is loopback only; this module refuses to start in the machine's namespace.
 *
 * It must never touch the machine's own sshd configuration, keys or mounts:
 * the tmpfs and the binds live and die with the sshd's namespace.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { accepts, freePort, makeKey } from '../../test/support/sshd.js';
import { poll } from '../../test/scenarios/support/poll.js';
import { childrenOf } from '../../test/scenarios/support/ssh-hosts.js';
import { startProcess, type Proc } from '../../test/scenarios/support/process.js';
import type { Scope } from '../../test/scenarios/support/scope.js';
import { networkNamespace } from './netns.js';

export interface LoopbackHosts {
  /** 127.0.0.2 ... in order. */
  hosts: string[];
  port: number;
  /** `ssh-ed25519 AAAA...`: the one host key every address presents. */
  hostKeyLine: string;
  /** The client key every host accepts. */
  identityFile: string;
  /** An OpenSSH known_hosts file naming every host at `port`. */
  knownHostsFile: string;
  sshd: Proc;
}

// $1 the folder to mount the roots on, $2 sshd_config, then one host folder name per address.
const SETUP = `set -eu
base=$1; config=$2; shift 2
mount -t tmpfs -o mode=755 pitcrew-bench "$base"
for h in "$@"; do
  r="$base/$h"
  mkdir -p "$r/tmp" "$r/root" "$r/srv/shop" "$r/srv/shop-ansible" "$r/run"
  for d in usr etc dev proc; do mkdir "$r/$d"; mount --rbind "/$d" "$r/$d"; done
  for l in bin sbin lib lib32 lib64 libx32; do
    if [ -L "/$l" ]; then ln -s "$(readlink "/$l")" "$r/$l"; elif [ -d "/$l" ]; then mkdir "$r/$l"; mount --rbind "/$l" "$r/$l"; fi
  done
  chmod 1777 "$r/tmp"; chmod 700 "$r/root"
done
exec /usr/sbin/sshd -D -e -f "$config"`;


export async function startLoopbackHosts(scope: Scope, count: number): Promise<LoopbackHosts> {
  if (count < 1 || count > 250) throw new RangeError(`${count} hosts: 1..250 fit in 127.0.0.2..251`);
  const outer = process.env.PITCREW_BENCH_NETNS_OF;
  if (outer === undefined || outer === networkNamespace()) {
    throw new Error('the bench sshd listens on 0.0.0.0: call inPrivateNetwork() (support/netns.ts) first, so that is loopback only');
  }
  const dir = await scope.tempDir('pitcrew-bench-hosts-');
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  // ChrootDirectory wants every component root-owned and writable by no one else: /tmp is not, /run is.
  const base = `/run/pitcrew-bench-${randomBytes(4).toString('hex')}`;
  await mkdir(base, { mode: 0o755 });
  scope.defer(`remove ${base}`, () => rm(base, { recursive: true, force: true }));
  const client = await makeKey(dir, 'deploy_ed25519');
  const hostKey = await makeKey(dir, 'host_ed25519');
  const authorizedKeys = join(dir, 'authorized_keys');
  await writeFile(authorizedKeys, `${client.publicLine}\n`, { mode: 0o644 });
  const hosts = Array.from({ length: count }, (_, i) => `127.0.0.${i + 2}`);
  const names = hosts.map((_, i) => `h${i + 2}`);
  let lastError = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort(hosts[0]);
    const config = join(dir, 'sshd_config');
    await writeFile(config, [
      `ListenAddress 0.0.0.0:${port}`,
      `HostKey ${hostKey.path}`, `AuthorizedKeysFile ${authorizedKeys}`, `PidFile ${join(dir, 'sshd.pid')}`,
      'StrictModes no', 'UsePAM no', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password', 'UseDNS no', 'PrintMotd no', 'PrintLastLog no', 'LogLevel ERROR',
      // 20 deployers' logins arrive at once; the defaults (10:30:100, 10) would drop or queue some.
      'MaxStartups 200:30:400', 'MaxSessions 64',
      'Subsystem sftp internal-sftp',
      ...hosts.flatMap((h, i) => [`Match LocalAddress ${h}`, `  ChrootDirectory ${base}/${names[i]}`]),
      '',
    ].join('\n'));
    const sshd = await startProcess(scope, 'sshd (bench hosts)', 'unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', SETUP, 'sh', base, config, ...names]);
    scope.defer('drop the sessions of the bench sshd', async () => {
      for (const pid of await childrenOf(sshd.pid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    });
    const up = await poll(`sshd to listen on ${hosts.length} addresses at port ${port}`, async () => {
      if (!sshd.running()) return 'exited';
      return (await Promise.all(hosts.map((h) => accepts(h, port)))).every(Boolean) ? 'up' : undefined;
    }, { deadlineMs: 90_000, context: () => sshd.tail() });
    if (up === 'up') {
      const knownHostsFile = join(dir, 'known_hosts');
      await writeFile(knownHostsFile, hosts.map((h) => `[${h}]:${port} ${hostKey.publicLine}\n`).join(''));
      return { hosts, port, hostKeyLine: hostKey.publicLine, identityFile: client.path, knownHostsFile, sshd };
    }
    lastError = sshd.tail();
  }
  throw new Error(`the bench sshd did not start: ${lastError}`);
}
