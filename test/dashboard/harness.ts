/**
 * A dashboard server for tests: the server test configuration, SQLite in a
 * temp folder, the store seeded with realistic deployments, and a mask
 * function that hides SECRET. `listen: true` binds 127.0.0.1 port 0 for a
 * browser.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfigText } from '../../src/config/index.js';
import { createServer, listen, type PitcrewServer } from '../../src/server/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { TEST_ENV, testConfigYaml, TOKENS } from '../server/harness.js';
import { SECRET, seedStore } from './seed.js';

export { TOKENS };

export interface DashboardServer {
  server: PitcrewServer;
  store: Store;
  /** Set when listening. */
  url: string;
  ids: Awaited<ReturnType<typeof seedStore>>;
  dispose(): Promise<void>;
}

export const maskSecret = (text: string): string => text.replaceAll(SECRET, '***');

export async function startDashboard(opts: { auth?: boolean; listen?: boolean; heartbeatTimeout?: string; mask?: (text: string) => string } = {}): Promise<DashboardServer> {
  const dir = await mkdtemp(join(tmpdir(), 'pitcrew-dashboard-'));
  const { config } = parseConfigText(testConfigYaml(opts.heartbeatTimeout ?? '3s'), 'pitcrew.yml', TEST_ENV);
  const store = await openStore(join(dir, 'pitcrew.db'));
  const tokens = opts.auth === false ? [] : config.server.tokens.map((t) => ({ name: t.name, role: t.role, value: TEST_ENV[t.env as keyof typeof TEST_ENV] }));
  const ids = await seedStore(store, Date.now());
  const server = createServer({ config, store, tokens, mask: opts.mask ?? maskSecret, tickMs: 50, dashboardEveryMs: 250 });
  await server.start();
  const listening = opts.listen ? await listen(server, { host: '127.0.0.1', port: 0 }, { authEnabled: tokens.length > 0 }) : undefined;
  return {
    server,
    store,
    url: listening?.url ?? '',
    ids,
    async dispose() {
      await server.stop();
      await listening?.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
