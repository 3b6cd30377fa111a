/**
 * Job activity from the runner's _diag log: a job that started and never
 * finished (the runner died in it), and the results of the last jobs.
 */
import { findUnfinishedJob, parseJobEvent } from '../../agent/diag-log.js';
import { countersByLabel } from '../sources/agent.js';
import { RUNBOOKS, result, skip, type DoctorCheck } from '../types.js';
import { iso } from './shared.js';

const unfinishedMeta = { id: 'jobs.unfinished', title: 'no job started without finishing' };

export const jobsUnfinished: DoctorCheck = {
  ...unfinishedMeta,
  scope: 'runner',
  async run(s) {
    const diag = await s.diag();
    if (diag.kind === 'absent') return skip(unfinishedMeta, diag.reason);
    if (diag.kind === 'error') return result(unfinishedMeta, 'warn', [diag.error], { cause: 'the _diag folder could not be read' });
    const open = findUnfinishedJob(diag.value.lines);
    if (!open) return result(unfinishedMeta, 'pass', [`every \`Running job\` in ${diag.value.file} has its \`finish job request\``]);
    const evidence = [`${diag.value.file}:${open.index + 1}: Running job: ${open.jobName}${open.at ? ` at ${iso(open.at)}` : ''}, and no \`finish job request\` line after it`];
    // Hooks name jobs by their key, _diag by their display name: any job running now explains the open line.
    const agent = s.mode === 'runner-host' ? await s.agentStatus() : undefined;
    const server = await s.serverRunner();
    const running = agent?.kind === 'ok' && agent.value.job ? agent.value.job.name : server.kind === 'ok' ? server.value.runner.currentJob?.name : undefined;
    if (running !== undefined) return result(unfinishedMeta, 'pass', [...evidence, `the runner is running job ${running} now`]);
    return result(unfinishedMeta, 'fail', evidence, {
      cause: `job ${open.jobName} never finished: the runner died or was restarted while running it`,
      fix: `tail -n 50 ${diag.value.file}; ls -t ${s.opts.diagDir ?? '_diag'}/Worker_*.log | head -1`,
      runbook: RUNBOOKS.runnerOffline,
    });
  },
};

const recentMeta = { id: 'jobs.recent', title: 'results of the last jobs' };

export const jobsRecent: DoctorCheck = {
  ...recentMeta,
  scope: 'runner',
  async run(s) {
    const evidence: string[] = [];
    let lastFailed = false;
    const diag = await s.diag();
    if (diag.kind === 'ok') {
      const finished = diag.value.lines.map((l) => parseJobEvent(l)).filter((e) => e?.kind === 'job-completed').slice(-5);
      if (finished.length) {
        evidence.push(`last ${finished.length} job(s) in _diag: ${finished.map((e) => (e?.kind === 'job-completed' ? e.result : '')).join(', ')}`);
        const last = finished[finished.length - 1];
        lastFailed = last?.kind === 'job-completed' && last.result === 'Failed';
      }
    }
    if (s.mode === 'runner-host') {
      const metrics = await s.agentMetrics();
      if (metrics.kind === 'ok') {
        const counts = countersByLabel(metrics.value, 'pitcrew_runner_jobs_total', 'result');
        const parts = Object.entries(counts).map(([k, v]) => `${k} ${v}`);
        evidence.push(`agent since its start: ${parts.length ? parts.join(', ') : 'no finished jobs'}`);
      }
    }
    if (evidence.length === 0) return skip(recentMeta, 'neither the _diag log (--diag-dir) nor the agent\'s metrics are available');
    if (lastFailed) return result(recentMeta, 'warn', evidence, { cause: 'the last job failed; open its log on GitHub to see whether the runner or the job is at fault', fix: `grep -n "finish job request" ${s.opts.diagDir ?? '_diag'}/Runner_*.log | tail -5` });
    return result(recentMeta, 'pass', evidence);
  },
};
