/**
 * The `.github/workflows/deploy.yml` that `pitcrew init` writes: one job per
 * environment, in the order given, each on that environment's runner label,
 * behind a GitHub environment (approvals) and a queued concurrency group,
 * calling `pitcrew deploy` and writing `pitcrew report` to the step summary.
 * Secrets reach steps only through `env:`; no `${{ }}` expression is ever
 * placed inside a `run:` script.
 */
import { runnerLabel, secretVariables, type InitOptions } from './init-config.js';

export function jobId(env: string): string {
  return `deploy-${env.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

function job(env: string, previous: string | undefined, o: InitOptions): string[] {
  const secrets = ['PITCREW_DEPLOYER_TOKEN', ...secretVariables(o.transport)];
  return [
    `  ${jobId(env)}:`,
    `    name: deploy to ${env}`,
    ...(previous === undefined ? [] : [`    needs: ${jobId(previous)}`]),
    '    # Any online runner with this label may take the job (see runners: in pitcrew.yml); pitcrew refuses',
    '    # a runner that may not deploy here, and re-runs the job on another one if this runner dies.',
    `    runs-on: [self-hosted, ${runnerLabel(env)}]`,
    '    # Approvals: set required reviewers and wait timers for this environment in Settings > Environments.',
    `    environment: ${env}`,
    '    # Second line of defence behind pitcrew\'s own lock: one deploy job per environment at a time, the',
    '    # others queued in order (queue: max keeps up to 100 waiting instead of cancelling all but one).',
    '    concurrency:',
    `      group: pitcrew-deploy-${env}`,
    '      cancel-in-progress: false',
    '      queue: max',
    '    timeout-minutes: 60',
    '    env:',
    '      PITCREW_CONFIG: pitcrew.yml',
    ...secrets.map((s) => `      ${s === 'PITCREW_DEPLOYER_TOKEN' ? 'PITCREW_TOKEN' : s}: \${{ secrets.${s} }}`),
    '    steps:',
    '      - uses: actions/checkout@v4',
    '      - name: build the release artifact',
    '        id: artifact',
    '        # Replace with your build; the artifact is a .tar.gz of the release folder\'s content.',
    '        run: |',
    '          git archive --format=tar.gz --output "$RUNNER_TEMP/release.tar.gz" HEAD',
    '          echo "sha256=$(sha256sum "$RUNNER_TEMP/release.tar.gz" | cut -d" " -f1)" >> "$GITHUB_OUTPUT"',
    `      - name: deploy to ${env}`,
    '        env:',
    '          SHA256: ${{ steps.artifact.outputs.sha256 }}',
    `        run: pitcrew deploy ${env} --artifact "$RUNNER_TEMP/release.tar.gz" --version "\${GITHUB_SHA:0:12}" --sha256 "$SHA256"`,
    '      - name: summary',
    '        if: always()',
    '        run: pitcrew report --format markdown >> "$GITHUB_STEP_SUMMARY"',
  ];
}

export function renderWorkflow(o: InitOptions): string {
  const lines = [
    `# Deploys ${o.project} through pitcrew, written by \`pitcrew init\`. pitcrew must be installed on the`,
    '# runners (`npm install -g pitcrew`); docs/github-actions.md explains each part.',
    'name: deploy',
    '',
    'on:',
    '  push:',
    '    branches: [main]',
    '  workflow_dispatch:',
    '',
    'permissions:',
    '  contents: read',
    '',
    'defaults:',
    '  run:',
    '    shell: bash',
    '',
    'jobs:',
  ];
  o.environments.forEach((env, i) => {
    if (i > 0) lines.push('');
    lines.push(...job(env, o.environments[i - 1], o));
  });
  lines.push('');
  return lines.join('\n');
}
