/** Shared set-up for the agent tests: a temp work dir, a live child for the pid file, and an agent against a fake server. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent, type AgentHandle, type AgentOptions, type AgentPorts } from '../../src/agent/agent.js';
import type { FakeServer } from '../support/fake-server.js';

type After = { after: (fn: () => void | Promise<void>) => void };

export function tempDir(t: After, prefix = 'pitcrew-agent-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A long-lived child process and a pid file naming it, as a runner's would. */
export function runnerPidFile(t: After, dir: string): { pidFile: string; child: ChildProcess } {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  t.after(() => {
    child.kill('SIGKILL');
  });
  const pidFile = join(dir, 'runner.pid');
  writeFileSync(pidFile, `${child.pid}\n`);
  return { pidFile, child };
}

export const fastBackoff = { initialMs: 20, maxMs: 100, resetAfterMs: 30_000 };

export async function agentFor(
  t: After,
  server: FakeServer,
  opts: Partial<AgentOptions> & { workDir: string },
  ports: Partial<AgentPorts> = {},
): Promise<{ agent: AgentHandle; logs: string[] }> {
  const logs: string[] = [];
  const agent = await startAgent(
    { server: server.url, token: 'agent-token', runner: 'r1', intervalMs: 50, listen: false, backoff: fastBackoff, ...opts },
    { log: (m, meta) => void logs.push(`${m} ${JSON.stringify(meta ?? {})}`), ...ports },
  );
  t.after(() => agent.stop());
  return { agent, logs };
}
