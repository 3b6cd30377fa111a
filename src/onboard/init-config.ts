/**
 * The commented `pitcrew.yml` that `pitcrew init` writes: one environment per
 * --env, two runners that may deploy to all of them, placeholder hosts on
 * 127.0.0.x and example.com, and secrets only ever named (`*Env` keys,
 * `${VAR}`), never written. The output must always pass `pitcrew config
 * check`; a test holds it to that.
 */

export type InitTransport = 'ssh' | 'local';

export interface InitOptions {
  project: string;
  environments: string[];
  transport: InitTransport;
}

/** The GitHub runner label that routes an environment's deploy jobs. */
export function runnerLabel(env: string): string {
  return `pitcrew-${env}`;
}

/** Variables the generated files name; the workflow passes each from a GitHub secret. */
export function secretVariables(transport: InitTransport): string[] {
  return transport === 'ssh' ? ['PITCREW_SSH_KEY', 'SMOKE_TEST_TOKEN'] : ['SMOKE_TEST_TOKEN'];
}

function targets(env: string, index: number, transport: InitTransport): string[] {
  if (transport === 'local') {
    return [
      '    # local: each target is a folder on the runner host holding releases/ and current.',
      '    targets:',
      `      - { name: blue, folder: ./.pitcrew/${env}/blue }`,
      `      - { name: green, folder: ./.pitcrew/${env}/green }`,
    ];
  }
  const base = 10 * (index + 1);
  return [
    '    # On each host, the folder holding releases/, current -> releases/<id> and shared/.',
    '    path: /srv/' + env,
    '    # The hosts: replace these placeholders. knownHostsFile pins each host key (never trusted on first use);',
    '    # privateKeyEnv names the variable holding the deploy key (secret: never printed).',
    '    targets:',
    ...[1, 2].map(
      (n) => `      - { host: 127.0.0.${base + n}, port: 22, user: deploy, knownHostsFile: ./.pitcrew/known_hosts, privateKeyEnv: PITCREW_SSH_KEY }`,
    ),
  ];
}

function environment(env: string, index: number, o: InitOptions): string[] {
  const restart = o.transport === 'ssh' ? `["systemctl --user restart ${o.project}"]` : '[]';
  return [
    `  ${env}:`,
    '    # ssh: targets are hosts reached over SSH; local: targets are folders on the runner host.',
    `    transport: ${o.transport}`,
    '    # Runners allowed to deploy here (each defined under runners:). Others are refused.',
    '    runners: [primary, secondary]',
    ...targets(env, index, o.transport),
    '    # Old releases kept on each target after a successful deploy, for fast rollback.',
    '    keepReleases: 5',
    '    # Targets switched at once, and the share that may fail before every target rolls back.',
    '    batch: { size: 1, maxFailPercent: 0 }',
    '    # install runs in the new release folder before the switch, migrate once before the switch,',
    '    # restart after the switch (and again after a rollback). Each: a command, a list, or { run, timeout }.',
    '    steps:',
    '      install: []',
    '      migrate: { run: [], timeout: 10m }',
    `      restart: ${restart}`,
    '    # Run on each target after the switch; any failure rolls every target back.',
    '    healthChecks:',
    '      - { kind: http, url: "http://127.0.0.1:3000/health", expectStatus: 200, timeout: 5s, retries: 5, interval: 1s }',
    '    # Run once every target is healthy. ${SMOKE_TEST_TOKEN} is read from the environment (listed in secrets:).',
    '    smokeTests:',
    `      - { kind: command, run: "curl -fsS -H 'Authorization: Bearer \${SMOKE_TEST_TOKEN}' https://${env}.example.com/health", timeout: 10s }`,
    '    # The lease on this environment\'s deploy lock (renewed while a deploy runs), and how long a deploy waits for it.',
    '    lock: { ttl: 15m, wait: 30m }',
    '    # A runner dies mid-job: the server cancels the workflow run and re-runs its failed jobs, at most maxReruns times.',
    '    autoRerun: true',
    '    maxReruns: 2',
    '    # Who hears about it: webhook (url, optional secretEnv to sign) or slack (urlEnv). Example:',
    '    #   - { kind: slack, urlEnv: SLACK_WEBHOOK_URL, events: [deploy.failed, rollback.failed] }',
    '    notifications: []',
  ];
}

export function renderConfig(o: InitOptions): string {
  const labels = ['self-hosted', 'linux', ...o.environments.map(runnerLabel)].join(', ');
  const envs = o.environments.join(', ');
  const lines = [
    '# pitcrew configuration, written by `pitcrew init`. Every key is described in docs/config.md;',
    '# check it with `pitcrew config check`. Values may use ${VAR} to read an environment variable.',
    '',
    '# The project\'s name (letters, digits, . _ -).',
    `project: ${o.project}`,
    '',
    '# GitHub access: lets the server re-run a deploy job whose runner died, and check webhooks.',
    'github:',
    '  owner: example-org                    # your GitHub user or organization',
    `  repo: ${o.project}`,
    '  apiUrl: https://api.github.com        # GitHub Enterprise Server: https://ghe.example.com/api/v3',
    '  tokenEnv: GITHUB_TOKEN                # the variable holding the API token (secret)',
    '  webhookSecretEnv: PITCREW_WEBHOOK_SECRET  # the variable holding the webhook secret (secret)',
    '  pollInterval: 60s                     # how often the server polls the runners list (slower near the rate limit)',
    '',
    '# The control plane (`pitcrew server`).',
    'server:',
    '  url: http://127.0.0.1:8080            # where CLIs and agents reach it; use an address runners can reach',
    '  listen: 127.0.0.1:8080                # where it listens',
    '  database: ./.pitcrew/pitcrew.db       # SQLite file, or postgres://pitcrew@db.example.com:5432/pitcrew',
    '  # API tokens: each names the variable holding it (secret) and what it may do.',
    '  tokens:',
    '    - { name: ci, role: deployer, env: PITCREW_DEPLOYER_TOKEN }',
    '    - { name: agents, role: agent, env: PITCREW_AGENT_TOKEN }',
    '    - { name: dashboard, role: viewer, env: PITCREW_VIEWER_TOKEN }',
    '',
    `# Self-hosted runners. Each carries the label of every environment it serves (runs-on in`,
    '# .github/workflows/deploy.yml); among healthy runners the lowest priority number wins.',
    'runners:',
    '  - name: primary                      # the runner\'s name, as given to `pitcrew agent install --runner`',
    `    labels: [${labels}]   # its GitHub labels`,
    `    environments: [${envs}]   # environments it may deploy to`,
    '    priority: 1                          # among healthy runners, the lowest number wins',
    '    agentUrl: http://127.0.0.1:9101      # where Prometheus scrapes its agent (`pitcrew agent install --listen`)',
    '  - name: secondary',
    `    labels: [${labels}]`,
    `    environments: [${envs}]`,
    '    priority: 2',
    '    agentUrl: http://127.0.0.1:9102',
    '',
    '# Where deploys go.',
    'environments:',
    ...o.environments.flatMap((env, i) => [...environment(env, i, o), '']),
    '# Variables whose values are never printed, besides those named by *Env keys.',
    'secrets: [SMOKE_TEST_TOKEN]',
    '',
  ];
  return lines.join('\n');
}
