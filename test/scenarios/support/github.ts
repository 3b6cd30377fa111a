/**
 * GitHub for scenarios: the fake GitHub REST API of test/support (fails
 * closed, records every call) on a loopback port for the scope, the settings
 * that point a fleet's `github:` section at it, and a `pitcrew server` started
 * with the GitHub token and webhook secret in its environment.
 *
 * The fake stands in for GitHub only, never for a pitcrew component. It must
 * never let a token or secret reach a process through a flag.
 */
import { PITCREW_BIN } from './cli.js';
import type { Fleet } from './fleet.js';
import { poll } from './poll.js';
import { startProcess, type Proc } from './process.js';
import type { Scope } from './scope.js';
import { startFakeGitHub, type FakeGitHub } from '../../support/fake-github.js';

export const GITHUB_SECRETS = {
  token: { env: 'PITCREW_SCENARIO_GITHUB_TOKEN', value: 'ghs_scenario0token9f1c' },
  webhookSecret: { env: 'PITCREW_SCENARIO_WEBHOOK_SECRET', value: 'scenario-webhook-secret-5e2a' },
} as const;

/** A fake GitHub for repository o/r that requires the scenario's token; closed with the scope. */
export async function startScenarioGitHub(scope: Scope): Promise<FakeGitHub> {
  const fake = await startFakeGitHub({ owner: 'o', repo: 'r', token: GITHUB_SECRETS.token.value });
  scope.defer('close the fake GitHub', () => fake.close());
  return fake;
}

/** The `github:` section of pitcrew.yml for `fake` (for `Fleet.create(..., { extra: { github } })`). */
export function githubSection(fake: FakeGitHub): Record<string, string> {
  return { owner: fake.owner, repo: fake.repo, apiUrl: fake.url, tokenEnv: GITHUB_SECRETS.token.env, webhookSecretEnv: GITHUB_SECRETS.webhookSecret.env };
}

/** The environment variables carrying the GitHub token and the webhook secret. */
export function githubEnv(): Record<string, string> {
  return { [GITHUB_SECRETS.token.env]: GITHUB_SECRETS.token.value, [GITHUB_SECRETS.webhookSecret.env]: GITHUB_SECRETS.webhookSecret.value };
}

/** Like `fleet.startServer()`, with `env` (e.g. `githubEnv()`) added to the server's environment. */
export async function startServerWithEnv(scope: Scope, fleet: Fleet, env: Record<string, string>): Promise<Proc> {
  const server = await startProcess(scope, 'pitcrew server', process.execPath, [PITCREW_BIN, '--config', fleet.configPath, 'server'], { env: { ...fleet.tokenEnv(), ...env }, cwd: fleet.dir });
  fleet.server = server;
  await poll('the server to listen', () => {
    if (!server.running()) throw new Error(`the server exited: ${server.tail()}`);
    return server.stderr().includes('pitcrew server listening');
  }, { deadlineMs: 30_000, context: () => server.tail() });
  return server;
}
