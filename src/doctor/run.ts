/**
 * Runs every check that applies, all at once, each under a deadline, and the
 * whole run under an overall deadline: doctor always finishes and reports,
 * even when a host or a server hangs. Decides the mode first (runner host
 * with local probes, or server view only) and says which.
 */
import { doctorChecks } from './registry.js';
import { createSources, defaultDoctorPorts, type DoctorMode, type DoctorOptions, type DoctorPorts } from './sources/sources.js';
import { withTimeout } from './sources/source.js';
import type { CheckResult, DoctorCheck } from './types.js';

export interface DoctorReport {
  mode: DoctorMode;
  /** The mode line printed first. */
  modeLine: string;
  runner?: string;
  environment?: string;
  checks: Array<CheckResult & { scope: 'runner' | 'environment' }>;
  summary: Record<CheckResult['status'], number>;
  /** 0 when nothing failed, 1 otherwise. */
  exitCode: 0 | 1;
}

export const MODE_LINES: Record<DoctorMode, string> = {
  'runner-host': 'running on a runner host (local probes + server view)',
  'server-view': 'server view only',
};

export async function runDoctor(opts: DoctorOptions, ports: Partial<DoctorPorts> = {}, checks: readonly DoctorCheck[] = doctorChecks): Promise<DoctorReport> {
  const p: DoctorPorts = { ...defaultDoctorPorts, ...ports };
  const local = opts.agentExplicit || opts.service !== undefined || opts.workDir !== undefined || opts.diagDir !== undefined;
  // Without local flags, a local agent that answers makes this a runner host; ask it once, briefly.
  // A local agent for another runner does not make this host the named runner's.
  const agent = await createSources(opts, 'runner-host', opts.runner, p).agentStatus();
  const agentRunner = agent.kind === 'ok' ? agent.value.runner : undefined;
  const mode: DoctorMode = local || (agentRunner !== undefined && (opts.runner === undefined || opts.runner === agentRunner)) ? 'runner-host' : 'server-view';
  // `--env` alone diagnoses the environment, not also whichever runner this host is.
  const runner = opts.runner ?? (opts.environment === undefined ? (agentRunner ?? opts.env.PITCREW_RUNNER) : undefined);
  const sources = createSources(opts, mode, runner, p, { agentStatus: agent });
  const scopes = new Set<string>();
  if (runner !== undefined) scopes.add('runner');
  if (opts.environment !== undefined) scopes.add('environment');
  const chosen = checks.filter((c) => scopes.has(c.scope));
  const perCheck = opts.timeoutMs * 3 + 2000;
  try {
    const results = await Promise.all(
      chosen.map(async (c) => {
        let r: CheckResult;
        try {
          r = await withTimeout(c.run(sources), perCheck, `check ${c.id}`);
        } catch (err) {
          r = { id: c.id, title: c.title, status: 'fail', evidence: [`the check did not finish: ${(err as Error).message}`], cause: 'a source it asks hangs or failed unexpectedly' };
        }
        return { ...r, scope: c.scope };
      }),
    );
    const summary = { pass: 0, warn: 0, fail: 0, skip: 0 };
    for (const r of results) summary[r.status]++;
    return { mode, modeLine: MODE_LINES[mode], runner, environment: opts.environment, checks: results, summary, exitCode: summary.fail > 0 ? 1 : 0 };
  } finally {
    await withTimeout(sources.close(), opts.timeoutMs, 'close').catch(() => undefined);
  }
}
