/** The GitHub token: accepted, and not about to expire (when GitHub states the expiry). */
import { RUNBOOKS, result, skip, type DoctorCheck } from '../types.js';
import { duration, iso } from './shared.js';

const meta = { id: 'github.token', title: 'GitHub token accepted and not expiring' };
const WARN_BEFORE_MS = 7 * 86_400_000;

export const githubToken: DoctorCheck = {
  ...meta,
  scope: 'runner',
  async run(s) {
    const gh = await s.github();
    if (gh.kind === 'absent') return skip(meta, gh.reason);
    const tokenEnv = s.opts.config?.github?.tokenEnv ?? 'GITHUB_TOKEN';
    if (gh.kind === 'error') {
      if (gh.status !== 401) return skip(meta, `GitHub did not answer the token question: ${gh.error}`);
      return result(meta, 'fail', [gh.error], { cause: `the token in $${tokenEnv} is invalid, expired or revoked`, fix: `gh auth status; then update $${tokenEnv}`, runbook: RUNBOOKS.secretsExpired });
    }
    const at = gh.value.tokenExpiresAt;
    if (at === undefined) return result(meta, 'pass', [`GitHub accepted the token in $${tokenEnv}; it states no expiry`]);
    const left = at - s.now();
    const evidence = [`the token in $${tokenEnv} expires ${iso(at)} (${left > 0 ? `in ${duration(left)}` : 'already'})`];
    if (left <= 0) return result(meta, 'fail', evidence, { cause: 'the token expired', fix: `create a new token and update $${tokenEnv}`, runbook: RUNBOOKS.secretsExpired });
    if (left < WARN_BEFORE_MS) return result(meta, 'warn', evidence, { cause: 'the token expires within 7 days', fix: `create a new token and update $${tokenEnv}`, runbook: RUNBOOKS.secretsExpired });
    return result(meta, 'pass', evidence);
  },
};
