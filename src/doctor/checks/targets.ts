/**
 * The environment's targets, each inspected through its transport: reachable,
 * host keys as pinned, all on the same `current`, nothing left for recovery,
 * no release marked bad, enough free disk. Read-only.
 */
import { formatBytes } from '../../agent/probes/disk.js';
import type { TargetInspection } from '../sources/targets.js';
import type { DoctorSources } from '../sources/sources.js';
import { RUNBOOKS, result, skip, type CheckResult, type DoctorCheck } from '../types.js';
import { why } from './shared.js';

const isHostKey = (t: TargetInspection) => t.error?.code !== undefined && t.error.code.includes('host-key');

function targetCheck(id: string, title: string, judge: (s: DoctorSources, targets: TargetInspection[], meta: { id: string; title: string }) => CheckResult): DoctorCheck {
  const meta = { id, title };
  return {
    ...meta,
    scope: 'environment',
    async run(s) {
      const answer = await s.targets();
      if (answer.kind !== 'ok') return skip(meta, why(answer));
      return judge(s, answer.value, meta);
    },
  };
}

export const targetsReachable = targetCheck('targets.reachable', 'every target reachable', (s, targets, meta) => {
  const bad = targets.filter((t) => t.error && !isHostKey(t));
  const evidence = targets.map((t) => `${t.target} (${t.where}): ${t.error ? `${t.error.message}${t.error.code ? ` [${t.error.code}]` : ''}` : 'inspected'}`);
  if (bad.length === 0) return result(meta, 'pass', evidence);
  const first = bad[0];
  const host = first.where.replace(/:(\d+)$/, ' $1');
  return result(meta, 'fail', evidence, {
    cause: `${bad.length} target(s) could not be inspected: host down, network or firewall, or a wrong path`,
    fix: first.where.startsWith('/') ? `ls -la ${first.where}` : `nc -vz -w 3 ${host}`,
    runbook: RUNBOOKS.networkUnreachable,
  });
});

export const targetsHostKeys = targetCheck('targets.host-keys', 'target host keys match the pinned ones', (s, targets, meta) => {
  const bad = targets.filter(isHostKey);
  if (bad.length === 0) return result(meta, 'pass', [`no host key mismatch among ${targets.length} target(s)`]);
  const first = bad[0];
  const [host, port] = first.where.split(':');
  return result(meta, 'fail', bad.map((t) => `${t.target} (${t.where}): ${t.error?.message ?? ''}`), {
    cause: 'a target presents a host key other than the one pinned in pitcrew.yml: the host was rebuilt, or something sits in between',
    fix: `ssh-keyscan -p ${port ?? '22'} ${host} 2>/dev/null | ssh-keygen -lf -`,
    runbook: RUNBOOKS.hostKeyChanged,
  });
});

export const targetsCurrent = targetCheck('targets.current', 'targets agree on the current release', (s, targets, meta) => {
  const seen = targets.filter((t) => t.state);
  if (seen.length === 0) return skip(meta, 'no target could be inspected');
  const byRelease = new Map<string, string[]>();
  for (const t of seen) {
    const cur = t.state?.current ?? '(none)';
    byRelease.set(cur, [...(byRelease.get(cur) ?? []), t.target]);
  }
  const evidence = [...byRelease.entries()].map(([rel, names]) => `current ${rel}: ${names.join(', ')}`);
  if (byRelease.size === 1) return result(meta, 'pass', evidence);
  return result(meta, 'fail', evidence, {
    cause: 'targets run different releases: a deploy or a rollback stopped half-way',
    fix: `pitcrew recover ${s.environment}`,
    runbook: RUNBOOKS.interruptedDeploy,
  });
});

export const targetsRecovery = targetCheck('targets.recovery', 'no target needs recovery', (s, targets, meta) => {
  const evidence: string[] = [];
  for (const t of targets) {
    if (!t.state) continue;
    if (t.state.pendingSwitch) evidence.push(`${t.target}: a switch to ${t.state.pendingSwitch} crashed before its rename`);
    const work = t.state.leftovers.filter((l) => !l.startsWith('current.tmp-'));
    if (work.length) evidence.push(`${t.target}: leftovers of a crashed stage: ${work.join(', ')}`);
    const incomplete = t.state.details.filter((d) => d.sha256 === undefined).map((d) => d.id);
    if (incomplete.length) evidence.push(`${t.target}: release folders pitcrew did not finish: ${incomplete.join(', ')}`);
  }
  if (evidence.length === 0) return result(meta, 'pass', [`${targets.filter((t) => t.state).length} target(s) clean`]);
  return result(meta, 'fail', evidence, {
    cause: 'a deploy crashed on these targets and left work in progress behind',
    fix: `pitcrew recover ${s.environment}`,
    runbook: RUNBOOKS.interruptedDeploy,
  });
});

export const targetsBadReleases = targetCheck('targets.bad-releases', 'no release marked bad', (s, targets, meta) => {
  const evidence: string[] = [];
  let currentBad = false;
  for (const t of targets) {
    const bad = t.state?.details.filter((d) => d.mark === 'bad').map((d) => d.id) ?? [];
    if (bad.length === 0) continue;
    const onIt = t.state?.current !== undefined && bad.includes(t.state.current);
    currentBad ||= onIt;
    evidence.push(`${t.target}: marked bad: ${bad.join(', ')}${onIt ? ' (and current points at it)' : ''}`);
  }
  if (evidence.length === 0) return result(meta, 'pass', ['no release is marked bad']);
  if (currentBad) {
    return result(meta, 'fail', evidence, { cause: 'a target runs a release judged bad: its rollback did not complete', fix: `pitcrew recover ${s.environment}`, runbook: RUNBOOKS.rollbackFailed });
  }
  return result(meta, 'warn', evidence, {
    cause: 'a deploy of this release failed its checks and was rolled back; deploying it again will fail the same way',
    fix: `pitcrew report --env ${s.environment}`,
    runbook: RUNBOOKS.deployFailed,
  });
});

export const targetsDisk = targetCheck('targets.disk', 'free disk on every target', (s, targets, meta) => {
  const min = s.thresholds.diskFreeMinBytes;
  const measured = targets.filter((t) => t.state?.freeBytes !== undefined);
  if (measured.length === 0) return skip(meta, 'no target reported its free space');
  const evidence = measured.map((t) => `${t.target}: ${formatBytes(t.state?.freeBytes ?? 0)} free`);
  const low = measured.filter((t) => (t.state?.freeBytes ?? 0) < min);
  if (low.length === 0) return result(meta, 'pass', evidence);
  const first = low[0];
  return result(meta, 'fail', [...evidence, `below ${formatBytes(min)} on ${low.map((t) => t.target).join(', ')}`], {
    cause: 'a target is nearly full: staging the next release will fail',
    fix: first.where.startsWith('/') ? `df -h ${first.where} && du -sh ${first.where}/releases/*` : `ssh ${first.where.split(':')[0]} df -h`,
    runbook: RUNBOOKS.targetDiskLow,
  });
});
