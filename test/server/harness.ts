/**
 * A real server for tests: SQLite in a temp folder, listening on 127.0.0.1
 * port 0, with a configuration parsed from YAML like a user's, fast heartbeat
 * timeouts and a fast silence timer.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfigText } from '../../src/config/index.js';
import type { GitHubClient } from '../../src/github/client.js';
import { createServer, listen, type PitcrewServer, type ServerMetrics } from '../../src/server/index.js';
import type { RunFailoverOptions } from '../../src/server/run-failover.js';
import { openStore, type Store } from '../../src/store/index.js';

export const TOKENS = { viewer: 'viewer-token-1', deployer: 'deployer-token-2', agent: 'agent-token-3', admin: 'admin-token-4' };
export const WEBHOOK_SECRET = 'webhook-secret-5';

export function testConfigYaml(heartbeatTimeout = '600ms'): string {
  return `
project: shop
server:
  tokens:
    - { name: look, role: viewer, env: T_VIEWER }
    - { name: ci, role: deployer, env: T_DEPLOYER }
    - { name: agents, role: agent, env: T_AGENT }
    - { name: ops, role: admin, env: T_ADMIN }
runners:
  - { name: primary, labels: [self-hosted, prod], environments: [production], priority: 1, thresholds: { heartbeatTimeout: ${heartbeatTimeout} } }
  - { name: secondary, labels: [self-hosted, prod], environments: [production], priority: 2, thresholds: { heartbeatTimeout: ${heartbeatTimeout} } }
  - { name: stager, environments: [staging], priority: 3, thresholds: { heartbeatTimeout: ${heartbeatTimeout} } }
environments:
  production:
    transport: ssh
    path: /srv/shop
    targets:
      - { host: 127.0.0.2, user: deploy, hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl" }
  staging:
    transport: local
    targets:
      - { folder: /srv/shop-staging }
`;
}

export const TEST_ENV = { T_VIEWER: TOKENS.viewer, T_DEPLOYER: TOKENS.deployer, T_AGENT: TOKENS.agent, T_ADMIN: TOKENS.admin };

export interface TestServer {
  server: PitcrewServer;
  store: Store;
  /** The SQLite file of the store, for tests that read its tables directly. */
  dbFile: string;
  url: string;
  logs: Array<{ message: string; meta?: Record<string, unknown> }>;
  /** An in-process request with the given token (a role name from TOKENS, or none); the JSON body is checked by the test's assertions. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are asserted field by field
  request(path: string, init?: { token?: keyof typeof TOKENS | null; method?: string; body?: unknown }): Promise<{ status: number; json: any }>;
  dispose(): Promise<void>;
}

export interface TestServerOptions {
  yaml?: string;
  github?: GitHubClient;
  metrics?: ServerMetrics;
  auth?: boolean;
  /** Run failover waits (tests pass short ones). */
  runFailover?: RunFailoverOptions;
  /** Writes to the store before the server starts (what an earlier run of the server left). */
  seed?: (store: Store) => Promise<void>;
}

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'pitcrew-server-'));
  const { config } = parseConfigText(opts.yaml ?? testConfigYaml(), 'pitcrew.yml', TEST_ENV);
  const dbFile = join(dir, 'pitcrew.db');
  const store = await openStore(dbFile);
  await opts.seed?.(store);
  const logs: TestServer['logs'] = [];
  const tokens =
    opts.auth === false ? [] : config.server.tokens.map((t) => ({ name: t.name, role: t.role, value: TEST_ENV[t.env as keyof typeof TEST_ENV] }));
  const server = createServer({ config, store, tokens, webhookSecret: WEBHOOK_SECRET, github: opts.github, metrics: opts.metrics, tickMs: 20, runFailover: opts.runFailover, log: (message, meta) => logs.push({ message, meta }) });
  await server.start();
  const listening = await listen(server, { host: '127.0.0.1', port: 0 }, { authEnabled: tokens.length > 0 });
  return {
    server,
    store,
    dbFile,
    url: listening.url,
    logs,
    async request(path, init = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      const token = init.token === undefined ? 'admin' : init.token;
      if (token) headers.authorization = `Bearer ${TOKENS[token]}`;
      const res = await server.app.request(path, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
      const text = await res.text();
      return { status: res.status, json: text.startsWith('{') ? JSON.parse(text) : text };
    },
    async dispose() {
      await server.stop();
      await listening.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
