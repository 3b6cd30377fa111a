/**
 * GitHub's view of the runner: the repository's self-hosted runners, and the
 * token's expiry when GitHub states it (fine-grained and OAuth tokens get a
 * `github-authentication-token-expiration` header on every answer). Only
 * lists; never re-runs anything. The token never leaves the client.
 */
import { createGitHubClient } from '../../github/client.js';
import type { Runner } from '../../github/payloads.js';
import type { Fetch } from './http.js';

export interface GitHubView {
  runners: Runner[];
  /** When the token expires (ms since epoch), if GitHub said. */
  tokenExpiresAt?: number;
  repository: string;
}

export async function githubView(opts: { token: string; apiUrl: string; owner: string; repo: string; fetch: Fetch; timeoutMs: number }): Promise<GitHubView> {
  let tokenExpiresAt: number | undefined;
  const recording: Fetch = async (input, init) => {
    const res = await opts.fetch(input, { ...init, signal: AbortSignal.timeout(opts.timeoutMs) });
    const expiry = res.headers.get('github-authentication-token-expiration');
    if (expiry) {
      const at = Date.parse(expiry.replace(/ UTC$/, 'Z').replace(' ', 'T').replace(/ ([+-]\d{2})(\d{2})$/, '$1:$2'));
      if (Number.isFinite(at)) tokenExpiresAt = at;
    }
    return res;
  };
  const client = createGitHubClient({ token: opts.token, apiUrl: opts.apiUrl, owner: opts.owner, repo: opts.repo, fetch: recording });
  const runners = await client.listRunners();
  return { runners, tokenExpiresAt, repository: `${opts.owner}/${opts.repo}` };
}
