/**
 * Brings the demo's fleet up on this machine and takes it down again: the
 * control-plane server in-process on 127.0.0.1 (no tokens, so loopback
 * only), one stand-in runner process and one in-process agent per runner,
 * and one app process per target. Must never bind beyond 127.0.0.1, and
 * `down()` must leave no child process and no socket behind.
 */
import { writeFile } from 'node:fs/promises';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { startAgent, type AgentHandle } from '../agent/agent.js';
import type { Config } from '../config/index.js';
import { createServer, createServerClient, listen, type Listening, type PitcrewServer, type ServerClient } from '../server/index.js';
import type { Store } from '../store/index.js';
import type { Child, Children } from './children.js';
import type { DemoWorkspace } from './workspace.js';

/** The agents' heartbeat interval: short, so the fleet notices a dead runner within about a second. */
const AGENT_INTERVAL_MS = 500;

export interface DemoFleet {
  url: string;
  client: ServerClient;
  server: PitcrewServer;
  runners: Map<string, Child>;
  apps: Map<string, Child>;
  down(): Promise<void>;
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export async function startStandInRunner(ws: DemoWorkspace, children: Children, name: string): Promise<Child> {
  const runner = ws.runners.find((r) => r.name === name);
  if (runner === undefined) throw new Error(`no runner ${name} in the demo workspace`);
  const child = await children.start(`runner ${name}`, process.execPath, [ws.scripts.runner], ws.dir);
  await writeFile(runner.pidFile, `${child.pid}\n`);
  return child;
}

export async function startFleet(ws: DemoWorkspace, config: Config, store: Store, children: Children, port: number, mask: (text: string) => string): Promise<DemoFleet> {
  const server = createServer({ config, store, mask });
  await server.start();
  let listening: Listening;
  try {
    listening = await listen(server, { host: '127.0.0.1', port }, { authEnabled: false });
  } catch (err) {
    await server.stop();
    throw err;
  }
  const agents: AgentHandle[] = [];
  const fleet: DemoFleet = {
    url: listening.url,
    client: createServerClient({ url: listening.url }),
    server,
    runners: new Map(),
    apps: new Map(),
    async down() {
      await Promise.all(agents.map((a) => a.stop().catch(() => undefined)));
      await server.stop().catch(() => undefined);
      await listening.close().catch(() => undefined);
      await children.stopAll();
    },
  };
  try {
    for (const r of ws.runners) fleet.runners.set(r.name, await startStandInRunner(ws, children, r.name));
    for (const t of ws.targets) {
      const app = await children.start(`app ${t.name}`, process.execPath, [ws.scripts.app, t.folder, String(t.port), t.name], ws.dir);
      await writeFile(join(t.folder, 'app.pid'), `${app.pid}\n`);
      fleet.apps.set(t.name, app);
    }
    for (const r of ws.runners) {
      // The server has no tokens (loopback only), so any token is let in; the agent needs one to send.
      agents.push(await startAgent({ server: listening.url, token: 'demo', runner: r.name, workDir: r.workDir, service: { pidFile: r.pidFile }, listen: false, intervalMs: AGENT_INTERVAL_MS }));
    }
  } catch (err) {
    await fleet.down();
    throw err;
  }
  return fleet;
}
