/**
 * Disk, memory and load of the runner host against the runner's thresholds
 * (pitcrew.yml `runners[].thresholds`, else the defaults of docs/fleet.md),
 * judged with the same rules the server uses (src/fleet/assess.ts).
 */
import { ProbeName } from '../../agent/probes/types.js';
import { assessProbes } from '../../fleet/assess.js';
import { RUNBOOKS, result, skip, type DoctorCheck } from '../types.js';
import { seenProbe } from './shared.js';

function resourceCheck(id: string, title: string, probe: string, cause: string, fix: (path: string) => string, runbook: string): DoctorCheck {
  const meta = { id, title };
  return {
    ...meta,
    scope: 'runner',
    async run(s) {
      const seen = await seenProbe(s, probe);
      if (!seen) return skip(meta, `no ${probe} figure: not on a runner host, and neither the agent nor the server reported one`);
      const p = seen.probe;
      const evidence = [`${p.detail} (${seen.from})`];
      if (!p.ok) return result(meta, 'warn', evidence, { cause: `the ${probe} probe could not measure`, fix: fix(String(p.facts?.path ?? '.')) });
      const findings = assessProbes([p], s.thresholds, new Set());
      if (findings.length === 0) return result(meta, 'pass', evidence);
      return result(meta, 'fail', [...evidence, ...findings.map((f) => f.reason)], { cause, fix: fix(String(p.facts?.path ?? '.')), runbook });
    },
  };
}

export const hostDisk = resourceCheck(
  'host.disk',
  'disk free on the work directory',
  ProbeName.disk,
  'the runner\'s work directory is nearly full: checkouts, caches and build output pile up; jobs will fail writing',
  (path) => `df -h ${path} && du -xsh ${path}/* 2>/dev/null | sort -h | tail -10`,
  RUNBOOKS.runnerDiskFull,
);

export const hostMemory = resourceCheck(
  'host.memory',
  'memory available',
  ProbeName.memory,
  'little memory is available: a job or a leftover process is using it',
  () => 'free -m && ps -eo pid,rss,comm --sort=-rss | head -10',
  RUNBOOKS.runnerMemoryLow,
);

export const hostLoad = resourceCheck(
  'host.load',
  'load per core',
  ProbeName.load,
  'the host is overloaded: jobs run slowly and probes may time out',
  () => 'uptime && ps -eo pid,pcpu,comm --sort=-pcpu | head -10',
  RUNBOOKS.runnerHighLoad,
);
