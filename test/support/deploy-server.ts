/**
 * A deploy workspace's server side for tests: a real pitcrew server started
 * with the workspace's own pitcrew.yml plus API tokens and the runners that
 * may deploy, and a journal gate, a loopback proxy in front of it that lets
 * a test stop a deployer at an exact journal step.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { startTestServer, type TestServer } from '../server/harness.js';
import type { DeployWorkspace } from './deploy-fixtures.js';

/** The workspace's own pitcrew.yml plus the server's part: API tokens and the runners that may deploy (ci-1 for prod). */
export async function serverFor(ws: DeployWorkspace): Promise<TestServer> {
  const config = JSON.parse(await readFile(ws.configPath, 'utf8')) as Record<string, unknown>;
  config.server = {
    tokens: [
      { name: 'look', role: 'viewer', env: 'T_VIEWER' },
      { name: 'ci', role: 'deployer', env: 'T_DEPLOYER' },
      { name: 'agents', role: 'agent', env: 'T_AGENT' },
      { name: 'ops', role: 'admin', env: 'T_ADMIN' },
    ],
  };
  config.runners = [{ name: 'ci-1', environments: ['prod'] }, { name: 'elsewhere', environments: [] }];
  return startTestServer({ yaml: JSON.stringify(config) });
}

export interface JournalEntry {
  step: string;
  phase: string;
  target: string | null;
}

export interface JournalGate {
  /** Where deployers should send their requests. */
  url: string;
  /** Journal entries the server accepted through the gate, in the order it answered them. */
  accepted: JournalEntry[];
  /** Resolves when a journal write was held (never forwarded). */
  held: Promise<JournalEntry>;
  close(): Promise<void>;
}

const JOURNAL_PATH = /^\/api\/v1\/deployments\/[^/]+\/journal$/;

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Forwards every request to `upstream` unchanged, except the first journal
 * write that comes once `holdAfter(accepted)` is true: that one is held, never
 * forwarded nor answered, and `held` resolves. So a deployer can be stopped
 * with entry k written and entry k+1 not.
 */
export async function startJournalGate(upstream: string, holdAfter: (accepted: JournalEntry[]) => boolean): Promise<JournalGate> {
  const accepted: JournalEntry[] = [];
  let holding = false;
  let onHeld: (e: JournalEntry) => void = () => undefined;
  const held = new Promise<JournalEntry>((resolve) => (onHeld = resolve));
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const body = await bodyOf(req);
      const journal = req.method === 'POST' && JOURNAL_PATH.test(req.url ?? '');
      // One entry, or several in order (`{ "events": [...] }`, written together: the gate holds whole requests).
      const parsed = journal ? (JSON.parse(body.toString('utf8')) as JournalEntry | { events: JournalEntry[] }) : undefined;
      const entries = parsed === undefined ? undefined : 'events' in parsed ? parsed.events : [parsed];
      if (entries !== undefined && (holding || holdAfter(accepted))) {
        holding = true;
        onHeld({ step: entries[0].step, phase: entries[0].phase, target: entries[0].target });
        return;
      }
      const headers: Record<string, string> = {};
      for (const h of ['authorization', 'content-type', 'accept']) if (typeof req.headers[h] === 'string') headers[h] = req.headers[h];
      const method = req.method ?? 'GET';
      const answer = await fetch(new URL(req.url ?? '/', upstream), { method, headers, body: method === 'GET' ? undefined : body });
      const text = await answer.text();
      if (entries !== undefined && answer.ok) accepted.push(...entries.map((e) => ({ step: e.step, phase: e.phase, target: e.target })));
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
      res.end(text);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    accepted,
    held,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
