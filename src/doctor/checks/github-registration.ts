/** Does GitHub still know this runner, and does it see it online? */
import { RUNBOOKS, result, skip, type DoctorCheck } from '../types.js';

const meta = { id: 'github.registration', title: 'registration known to GitHub and online there' };

export const githubRegistration: DoctorCheck = {
  ...meta,
  scope: 'runner',
  async run(s) {
    const gh = await s.github();
    if (gh.kind === 'absent') return skip(meta, gh.reason);
    if (gh.kind === 'error') {
      const token = gh.status === 401 || gh.status === 403;
      return result(meta, 'fail', [gh.error], token
        ? { cause: 'GitHub refused the token (expired, revoked, or lacking Administration: read)', fix: 'gh api repos/OWNER/REPO/actions/runners --jq ".runners[].name"', runbook: RUNBOOKS.secretsExpired }
        : { cause: 'GitHub\'s API could not be asked', fix: 'curl -sS -o /dev/null -w "%{http_code}\\n" https://api.github.com', runbook: RUNBOOKS.networkUnreachable });
    }
    const name = s.runner;
    if (!name) return skip(meta, 'no runner named (--runner NAME)');
    const r = gh.value.runners.find((x) => x.name === name);
    const repo = gh.value.repository;
    if (!r) {
      return result(meta, 'fail', [`GitHub lists ${gh.value.runners.length} runner(s) for ${repo}; none is named ${name}`], {
        cause: 'the runner\'s registration was removed from GitHub (or it was registered under another name)',
        fix: `gh api repos/${repo}/actions/runners --jq ".runners[] | [.name, .status] | @tsv"`,
        runbook: RUNBOOKS.runnerUnregistered,
      });
    }
    const evidence = [`GitHub: ${name} (id ${r.id}) is ${r.status}${r.busy ? ', busy' : ''}, labels ${r.labels.join(',')}`];
    if (r.status === 'online') return result(meta, 'pass', evidence);
    return result(meta, 'fail', evidence, {
      cause: 'GitHub sees the runner offline: the runner service is down or cannot reach GitHub',
      fix: `gh api repos/${repo}/actions/runners/${r.id} --jq .status`,
      runbook: RUNBOOKS.runnerOffline,
    });
  },
};
