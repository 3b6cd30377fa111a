/**
 * Can this runner host open TCP connections to the server, GitHub's API and
 * the hosts of its environments? Measured here on a runner host; from the
 * server's copy of the runner's last probes otherwise.
 */
import type { ProbeResult } from '../../agent/probes/types.js';
import { RUNBOOKS, result, skip, type DoctorCheck } from '../types.js';

type Kind = 'server' | 'github' | 'host';

function reachCheck(id: string, title: string, kind: Kind, cause: string): DoctorCheck {
  const meta = { id, title };
  return {
    ...meta,
    scope: 'runner',
    async run(s) {
      let probes: ProbeResult[] = [];
      let from = 'measured on this host now';
      const local = await s.localProbes();
      if (local.kind === 'ok') {
        const names = new Set([...s.reachTargets().entries()].filter(([, t]) => t.kind === kind).map(([n]) => n));
        probes = local.value.filter((p) => names.has(p.probe));
      } else {
        const server = await s.serverRunner();
        if (server.kind === 'ok') {
          from = 'as the runner last reported to the server';
          const tcp = server.value.runner.probes.filter((p) => p.probe.startsWith('tcp:'));
          probes = tcp.filter((p) => (kind === 'server' ? p.probe === 'tcp:server' : kind === 'github' ? p.probe === 'tcp:github' : p.probe !== 'tcp:server' && p.probe !== 'tcp:github'));
        }
      }
      if (probes.length === 0) {
        return skip(meta, kind === 'host' ? 'no ssh hosts for this runner\'s environments, or nothing measured them' : `no ${kind} address known, or nothing measured it`);
      }
      const bad = probes.filter((p) => !p.ok);
      const evidence = probes.map((p) => `${p.probe}: ${p.detail}`).concat(`(${from})`);
      if (bad.length === 0) return result(meta, 'pass', evidence);
      const first = bad[0];
      const host = first.facts?.host ? `${String(first.facts.host)} ${String(first.facts.port ?? '')}`.trim() : first.probe.replace(/^tcp:/, '');
      return result(meta, 'fail', evidence, { cause, fix: `nc -vz -w 3 ${host}`, runbook: RUNBOOKS.networkUnreachable });
    },
  };
}

export const reachServer = reachCheck('reach.server', 'pitcrew server reachable', 'server', 'the runner host cannot open a connection to the pitcrew server: heartbeats cannot arrive');
export const reachGithub = reachCheck('reach.github', "GitHub's API reachable", 'github', 'the runner host cannot reach GitHub: it gets no jobs');
export const reachHosts = reachCheck('reach.hosts', "environment's hosts reachable", 'host', 'the runner host cannot reach a deploy target: deploys from here will fail');
