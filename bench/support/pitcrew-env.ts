/**
 * A pitcrew.yml for the deploy benchmarks: one `bench` environment whose
 * targets are the loopback SSH hosts, switched all in one batch, with a
 * SQLite store in the same folder. Returns the config path.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoopbackHosts } from './loopback-hosts.js';

export async function benchConfig(dir: string, hosts: LoopbackHosts, healthChecks: unknown[]): Promise<string> {
  const config = {
    project: 'bench',
    server: { database: join(dir, 'pitcrew.db') },
    environments: {
      bench: {
        transport: 'ssh',
        path: '/srv/shop',
        targets: hosts.hosts.map((host, i) => ({ name: `web-${i + 1}`, host, port: hosts.port, user: 'root', hostKey: hosts.hostKeyLine, identityFile: hosts.identityFile })),
        batch: { size: hosts.hosts.length },
        keepReleases: 3,
        healthChecks,
        lock: { ttl: '60s', wait: '60s' },
      },
    },
  };
  const path = join(dir, 'pitcrew.yml');
  await writeFile(path, JSON.stringify(config, null, 2));
  return path;
}
